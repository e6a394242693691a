"""The layers lesson's animated cube: an inline SVG and its player, without Plotly.

One Streamlit custom component (``st.components.v2``, mounted in the page, no iframe): its
HTML, styles and script are ``assets/cube/`` (vanilla JavaScript, no library). The page sends
:func:`normviz.figures.layers_cube_svg.cube_payload` (the drawing and, per statistic set, its
shaded cells, box and title); Play/Pause and the set slider run in the browser and never rerun
the script. A new payload (a changed control) redraws the cube in place, keeping the set shown.

Plotly's 4.7 MB chart module took ~2 s of the lesson's first view to load, compile and draw
the animated cube; this player is a few kilobytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "cube"
"""The player's ``cube.html``, ``cube.css`` and ``cube.js``."""

NAME = "normviz_cube"

_mount = st.components.v2.component(
    NAME,
    html=(ASSETS / "cube.html").read_text(encoding="utf-8"),
    css=(ASSETS / "cube.css").read_text(encoding="utf-8"),
    js=(ASSETS / "cube.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # in the page's DOM: tests, axe and the control walker see it
)


def cube_view(payload: dict[str, Any], key: str) -> None:
    """Show an animated cube (``payload``: :func:`~normviz.figures.layers_cube_svg.cube_payload`).

    ``key`` keeps the player mounted across reruns (its set and Play state survive a rerun
    that sends it new data).
    """
    _mount(key=key, data=payload, width="stretch", height="content")
