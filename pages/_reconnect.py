"""Tell a student when their tab reconnected but the server no longer had their session.

A Streamlit session lives in the memory of one server process. When that process stops (a
crash, a restart, or one of several processes behind a proxy going down), the page's websocket
reconnects, through the proxy to a live process, and asks to resume its session by id. A process
that does not know that id silently starts a fresh session (Streamlit shows nothing): the
student's upload and training are gone. :func:`note_lost_session` recognises exactly that case on
a session's first run, and :func:`show_lost_session_notice` says so until the student dismisses it.
"""

from __future__ import annotations

import streamlit as st

CHECKED_KEY = "_normviz_session_checked"
NOTICE_KEY = "_normviz_lost_session"
LOST_SESSION_MESSAGE = (
    "**You are in a fresh session.** This page lost its connection and reconnected, but the "
    "server no longer had your session (the process serving it stopped or restarted, or the "
    "tab stayed disconnected too long). An uploaded image has to be uploaded again, and a "
    "training starts over."
)


def previous_session_id(subprotocols: str | None) -> str | None:
    """The session id a reconnecting browser asks to resume, from ``Sec-WebSocket-Protocol``.

    Streamlit's browser client opens ``/_stcore/stream`` with the subprotocols
    ``streamlit, <XSRF token>`` on a page's first connection, and appends the id of the page's
    last session when it reconnects (``streamlit/web/server/starlette/starlette_websocket.py``,
    ``_parse_subprotocols``: the third entry is the session to resume).

    Parameters
    ----------
    subprotocols : str or None
        The header's value, comma-separated; None when the request had none (e.g. AppTest).

    Returns
    -------
    str or None
        The third entry, stripped, or None when it is absent or empty.

    Examples
    --------
    >>> previous_session_id("streamlit, 2|1f|2e|17") is None
    True
    >>> previous_session_id("streamlit, 2|1f|2e|17, 5b0e-41")
    '5b0e-41'
    >>> previous_session_id(None) is None, previous_session_id("streamlit, x, ") is None
    (True, True)
    """
    if not subprotocols:
        return None
    entries = [entry.strip() for entry in subprotocols.split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def note_lost_session() -> None:
    """On a session's first run, remember whether it replaces a session the server lost.

    A session the server resumed keeps its ``st.session_state``, so :data:`CHECKED_KEY` is
    already set and nothing happens; a session created for a browser that asked to resume
    another one starts with an empty state and a previous id in its websocket's headers.
    """
    if CHECKED_KEY in st.session_state:
        return
    st.session_state[CHECKED_KEY] = True
    if previous_session_id(st.context.headers.get("Sec-WebSocket-Protocol")) is not None:
        st.session_state[NOTICE_KEY] = True


def show_lost_session_notice() -> None:
    """Show :data:`LOST_SESSION_MESSAGE` until the student presses its OK button."""
    if not st.session_state.get(NOTICE_KEY):
        return
    st.warning(LOST_SESSION_MESSAGE, icon=":material/sync_problem:")
    st.button("OK", key="lost_session_ok", on_click=st.session_state.pop, args=(NOTICE_KEY, None))
