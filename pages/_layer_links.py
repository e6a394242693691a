"""The layers page's state <-> its URL, with messages about a link that stay until dealt with.

The table of parameters is :data:`normviz.layer_links.LAYER_LINKS` (pure); this module moves its
values between the URL, ``st.session_state`` (the widgets' keys are the table's ``Param.key``)
and the messages about a bad or stale link, as :mod:`pages._image_links` does for the image
lesson (same wording, same "Dismiss" and "Reset to defaults").

Messages about a link are kept in ``st.session_state["lay_link_notes"]`` and shown on every run
until the user dismisses them or changes a setting (every control's ``on_change`` is
:func:`changed`); rewriting the URL never clears them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from normviz.layer_links import (
    LAYER_LINKS,
    WIDGET_KEYS,
    holds_valid,
    to_widget,
    values_from_state,
)
from normviz.links import Param
from pages._held import begin, fill, put
from pages._link_notes import show_link_notes

LINKS = LAYER_LINKS
NOTES = "lay_link_notes"  # list of warning texts
VALUES = "lay_link"  # the values of the last run (refill the widgets when coming back)


def init_from_url() -> None:
    """Read the URL on a session's first run; on later runs refill widgets dropped by a page switch.

    Streamlit forgets a widget's state while its page is not shown; the last values are kept in
    ``lay_link`` and put back, so coming back to the lesson shows (and links) the same view.
    """
    ss = st.session_state
    begin()  # widget state written below is sent by Streamlit; later runs hold it (pages._held)
    if VALUES in ss:
        values = ss[VALUES]
        for p in LINKS.active(values):
            fill(p.key, to_widget(p, values[p.name]))
        return
    parsed = LINKS.parse(st.query_params.to_dict())
    ss[NOTES], ss[VALUES] = list(parsed.warnings), parsed.values
    for p in LINKS.active(parsed.values):
        put(p.key, to_widget(p, parsed.values[p.name]))


def changed() -> None:
    """``on_change`` of every control: a new setting answers the link's messages.

    The messages are drawn by the whole page's run: when a control of the lesson's fragment
    (the tabs) clears them, ``st.rerun`` turns its interaction into a full run, which takes
    them off the screen.
    """
    ss = st.session_state
    if ss.get(NOTES):
        ss[NOTES] = []
        st.rerun()


def reset() -> None:
    """The "Reset to defaults" button: every setting to its default, messages cleared.

    The next run writes the defaults' query, which is empty: the URL loses its parameters.
    """
    ss = st.session_state
    for k in WIDGET_KEYS:
        if k in ss:
            del ss[k]
    ss[VALUES] = LINKS.defaults()
    ss[NOTES] = []


def seed(name: str, values: dict[str, Any]) -> Param:
    """Make the widget of ``name`` hold a value its parameter allows; return the Param.

    ``values`` are the settings read so far this run (e.g. ``c`` for ``groups``). A value that
    is no longer allowed (groups that do not divide a new C) is replaced by the default; a bad
    value in a link never gets here (:func:`init_from_url` reported and replaced it). Widgets
    are then created with ``**held(p.key)`` (:mod:`pages._held`): their state is the source,
    and the element carries it except in the run that wrote it.
    """
    p = LINKS.param(name, values)
    if not holds_valid(p, st.session_state):
        put(p.key, to_widget(p, p.default_for(values)))
    return p


def current() -> dict[str, Any]:
    """Return the values on screen, for the URL: each widget's state, else its default."""
    return values_from_state(st.session_state)


def sync_url(values: dict[str, Any]) -> None:
    """Keep ``values`` for the next run and write their query to the URL if it differs."""
    st.session_state[VALUES] = values
    query = LINKS.to_query(values)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def show_notes(slot) -> None:
    """Draw the pending messages about the link in ``slot``, with a Dismiss button."""
    show_link_notes(slot, NOTES, "lay")
