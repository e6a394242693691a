"""The normviz server: Streamlit's ASGI app (``app.py``) plus the lab's live stream route.

Run it with ``streamlit run serve.py`` (Streamlit finds ``app`` below and serves it with its
own server and flags) or any ASGI server (``uvicorn serve:app``). The lab's live view reads
``GET /_nv/live/{token}`` (:mod:`normviz.serving.sse`): Server-Sent Events from the training
worker, so a training tick needs no Streamlit rerun. The image lesson's comparison grid links its
pictures at ``GET /_nv/media/{name}`` (:mod:`normviz.serving.media`).

Before it serves, the process imports what the lessons import and makes the first uses that cost
seconds once (:func:`normviz.serving.warm.warm_process`): the first visitor of a fresh server
gets the first view the next one gets. Every connection it accepts sends small writes at once
(:mod:`normviz.serving.nodelay`), and Streamlit's own script, style and font files are answered
from memory (:mod:`normviz.serving.static_files`).
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from normviz.serving import media, nodelay, sse
from normviz.serving.static_files import StaticFiles, frontend_dir
from normviz.serving.warm import warm_process

HERE = Path(__file__).resolve().parent
nodelay.enable()  # no ~40 ms wait per reused connection's response (see normviz.serving.nodelay)
WARMED = warm_process(sorted((HERE / "pages").glob("*.py")))
"""Seconds each warm-up step took in this process (imports, optimizers, plotly)."""


def _base_url() -> str:
    try:
        return str(config.get_option("server.baseUrlPath") or "")
    except Exception:  # config not loaded yet: no base path
        return ""


BASE_URL = _base_url()
app = st.App(
    HERE / "app.py",
    routes=sse.routes(BASE_URL) + media.routes(BASE_URL),
    middleware=[Middleware(StaticFiles, static_dir=frontend_dir(), base_url=BASE_URL)],
)
