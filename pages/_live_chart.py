"""The lab's live chart surface: one Streamlit custom component that stays mounted.

The component's files (``assets/live_chart/``: its HTML, script, styles and the vendored uPlot)
are served by the app's own server. A page run sends it the whole history (a payload built by
:class:`normviz.serving.live_stream.LiveSession`, ``docs/live-view.md``) and its stream's
address; while the session trains, the component follows the stream (Server-Sent Events from
:mod:`normviz.serving.sse`) and the page does not rerun. The component's value asks for a page
run when the view has mounted and when a run stopped by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.components.v1 import declare_component

from normviz.serving.sse import PATH

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "live_chart"
"""The component's frontend: ``index.html`` and what it loads (no third-party request)."""

NAME = "live_chart"
KEY = "lab_live"
RUN_CONTROLS = ["lab_start", "lab_pause", "lab_step"]
"""Keys of the buttons that disable themselves: the view keeps the keyboard focus among them."""

STREAM = PATH.split("{", 1)[0]
"""The stream's path before the token (``/_nv/live/``), under the app's base path."""


def live_chart(payload: dict, token: str, *, running: bool, drawn: bool) -> Any:
    """Send the live view the page's payload and its stream; return the browser's reply.

    Parameters
    ----------
    payload : dict
        The session's payload (``LiveSession.payload``): the whole history when the page runs,
        so a reload or a rerun rebuilds the view.
    token : str
        The session's stream token: the view opens ``GET /_nv/live/<token>`` itself and applies
        each streamed payload as it comes.
    running : bool
        Whether the session trains as this page shows it; a streamed payload that says it
        stopped makes the view ask for a page run (its value changes), so the buttons follow.
    drawn : bool
        False on a newcomer's first run: the view asks for a page run once it has mounted.

    Returns
    -------
    dict or None
        The view's last value (``{"frame", "ready": n}`` or ``{"frame", "rerun": n}``).
    """
    # Declared on every call: a declaration registers the files with the running server, and a
    # test runtime (AppTest) or a restarted server is a new registry.
    component = declare_component(NAME, path=str(ASSETS))
    return component(
        feed=payload,
        stream=STREAM + token,
        running=running,
        drawn=drawn,
        controls=RUN_CONTROLS,
        key=KEY,
        default=None,
    )
