"""The layers lesson's frame player: an inline drawing and its frames, without Plotly.

One Streamlit custom component (``st.components.v2``, mounted in the page, no iframe): its
HTML, styles and script are ``assets/cube/`` (vanilla JavaScript, no library). The page sends
a payload: the drawing (``svg``), ``targets`` (CSS selectors in it and the attribute a frame
sets on their matches) and per frame those values (``set``) and title lines, the alt text
``label`` and the frame time ``ms``; optionally ``start`` ("last": open on the last frame and
stay there when new data comes), ``unit`` or a frame's ``at`` (the slider's text), ``names``
(the controls' accessible names). :func:`normviz.figures.layers_cube_svg.cube_payload` (per
statistic set, its shaded cells, box and title) and
:func:`normviz.figures.layers_running_svg.running_payload` (per step, the batches shown) build
them. Play/Pause and the frame slider run in the browser and never rerun the script. A new
payload (a changed control) redraws in place, keeping the frame shown.

Plotly's 4.7 MB chart module took ~2 s of the lesson's first view to load, compile and draw
the animated cube; this player is a few kilobytes.
"""

from __future__ import annotations

from typing import Any

from pages._inline_component import inline_component

NAME = "normviz_cube"

_mount = inline_component(NAME, "cube")  # assets/cube/cube.html, .css, .js


def cube_view(payload: dict[str, Any], key: str) -> None:
    """Show an animated drawing (``payload``: a ``cube_payload`` or a ``running_payload``).

    ``key`` keeps the player mounted across reruns (its frame and Play state survive a rerun
    that sends it new data).
    """
    _mount(key=key, data=payload, width="stretch", height="content")
