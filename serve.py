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

import logging
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from normviz.serving import media, nodelay, sse
from normviz.serving.static_files import StaticFiles, frontend_dir
from normviz.serving.warm import warm_process

HERE = Path(__file__).resolve().parent
nodelay.enable()  # no ~40 ms wait per reused connection's response (see normviz.serving.nodelay)


def _base_url() -> str:
    try:
        return str(config.get_option("server.baseUrlPath") or "")
    except Exception:  # config not loaded yet: no base path
        return ""


BASE_URL = _base_url()
ROUTES = sse.routes(BASE_URL) + media.routes(BASE_URL)
"""The live stream's and the media store's routes (made first: from then on the store gives
links, so a picture built while warming is linked, not inlined)."""


def warm_image_sample() -> None:
    """Fill the image lesson's caches of its first view (``prepare_first_view``) now.

    Outside any script run, Streamlit makes the page's caches in memory without its runtime
    (the kind of cache its runtime makes for them: nothing persisted) and the page's runs find
    them; it warns of each cache made so, from its import on: not a problem here, not logged.
    """
    log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        from pages._image_widgets import prepare_first_view

        prepare_first_view()
    finally:
        log.setLevel(level)


WARMED = warm_process(
    sorted((HERE / "pages").glob("*.py")), more={"image sample": warm_image_sample}
)
"""Seconds each warm-up step took in this process (imports, optimizers, first views, the image
lesson's default sample)."""

app = st.App(
    HERE / "app.py",
    routes=ROUTES,
    middleware=[Middleware(StaticFiles, static_dir=frontend_dir(), base_url=BASE_URL)],
)
