"""A lab setting's change reruns only what it changes: the live panel and some lessons.

A whole page run of the lab sends ~70 controls and the lessons again, and the browser spends
hundreds of milliseconds re-rendering them. Most settings (the learning rate, dropout, L1, L2,
jitter, the batch size, the patience, the normalization, the seed, ...) change neither the
controls' look nor the page's layout: their callback (:func:`setting_changed`) applies the
change as a page run would (the trainers, ``lab_runs``, the URL, the link's messages), then
reruns by their keys (``st.rerun([keys])``) the live panel and the keyed lesson sections whose
stamp changed (:func:`stamped`). Everything else (an error to show or clear, the link's
messages, a help text or option that follows the value, the mode, a preset, Reset to defaults,
an uploaded file) runs the page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitAPIException

from normviz.lab_link import config_from_controls
from pages import _lab_widgets as w

STAMPS: dict[str, Callable[[], object]] = {}
"""Each keyed lesson section's stamp: what it shows follows from it (see :func:`changed`)."""


def stamped(key: str, stamp: Callable[[], object]):
    """Make a section a fragment keyed ``key`` that keeps ``stamp()`` as ``<key>_stamp``.

    The stamp is taken from the session's state as the section draws; the section may read it
    back (it is what it shows). A section whose drawing changes what it shows (the study, run
    on request) stores ``<key>_stamp`` again once drawn.
    """

    def wrap(draw: Callable[[], None]) -> Callable[[], None]:
        @st.fragment(key=key)
        @functools.wraps(draw)
        def section() -> None:
            st.session_state[f"{key}_stamp"] = stamp()
            draw()

        STAMPS[key] = stamp
        return section

    return wrap


def changed() -> list[str]:
    """Return the keys of the sections drawn whose stamp differs from what they last drew.

    A section never drawn (the lessons wait for the live view) has no stamp: it is left out.
    """
    ss = st.session_state
    missing = object()
    out = []
    for key, stamp in STAMPS.items():
        drawn = ss.get(f"{key}_stamp", missing)
        if drawn is not missing and drawn != stamp():
            out.append(key)
    return out


def setting_changed() -> None:
    """Every lab setting's ``on_change``: apply it, then rerun only the fragments it changes.

    Returns without a rerun of its own (so the page runs, as Streamlit's default) when the
    page must: the link's messages show (a change clears them), the last page run showed an
    error about a setting, the new settings are invalid (their error goes under the field), or
    the controls would look different (:func:`pages._lab_widgets.controls_look`).
    """
    ss = st.session_state
    if ss.get(w.NOTES) or ss.get(w.PAGE_ERRORS) or w.LOOK not in ss or "lab_runs" not in ss:
        return
    try:
        base = config_from_controls(ss)
        runs = w.runs_in_state(base)
    except (TypeError, ValueError):
        return
    ss.lab_cfg = base  # a page run draws the help texts of the new settings
    if w.controls_look(base) != ss[w.LOOK]:
        return
    w.apply_runs(base, runs)
    try:
        st.rerun([w.LIVE_PANEL, *changed()])
    except StreamlitAPIException:  # a section not on the page now: the page runs
        return
