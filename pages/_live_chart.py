"""The lab's live chart surface: one Streamlit custom component that stays mounted.

The component's files (``assets/live_chart/``: its HTML, script, styles and the vendored uPlot)
are served by the app's own server; each call sends only a payload built by
:class:`normviz.serving.live_feed.LiveFeed` (``docs/live-view.md``). The component's value is the
browser's reply, a request for what it lacks, which the feed answers on the next tick.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v1 import declare_component

from normviz.serving.live_feed import LiveFeed, LiveRun

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "live_chart"
"""The component's frontend: ``index.html`` and what it loads (no third-party request)."""

NAME = "live_chart"
KEY = "lab_live"
RUN_CONTROLS = ["lab_start", "lab_pause", "lab_step"]
"""Keys of the buttons that disable themselves: the view keeps the keyboard focus among them."""


def live_chart(
    feed: LiveFeed, runs: list[LiveRun], x_axis: str, resolution: int, *, alt: bool = False
) -> None:
    """Send the live view this tick's payload (what changed) and take the browser's reply.

    Parameters
    ----------
    feed : LiveFeed
        The session's feed: it remembers what the browser holds.
    runs : list of LiveRun
        One run, or two when comparing.
    x_axis : {"epoch", "step", "samples_seen"}
        The curves' x axis.
    resolution : int
        Side of the boundary grid.
    alt : bool
        Send the charts' text alternatives with this payload (no tick follows: paused).
    """
    # Declared on every call: a declaration registers the files with the running server, and a
    # test runtime (AppTest) or a restarted server is a new registry.
    component = declare_component(NAME, path=str(ASSETS))
    # What the browser asked for since the last tick. The component's return value below is the
    # same reply (Streamlit keeps it under KEY), so it is answered here once, before the payload.
    feed.answer(st.session_state.get(KEY))
    payload = feed.payload(runs, x_axis, resolution, alt=alt)
    component(feed=payload, controls=RUN_CONTROLS, key=KEY, default=None)
