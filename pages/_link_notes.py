"""The box of messages about a shared link, one for every lesson.

A lesson keeps its pending messages in ``st.session_state[notes_key]``: warning texts, or
``(level, text)`` pairs where ``level`` is ``"info"`` or ``"warning"``. They stay until the
reader dismisses them (or the lesson clears them when a setting changes).
"""

from __future__ import annotations

import streamlit as st

from normviz.literal import literal


def _dismiss(notes_key: str) -> None:
    """The box's "Dismiss" button: no more messages."""
    st.session_state[notes_key] = []


def show_link_notes(slot, notes_key: str, prefix: str) -> None:
    """Draw the pending messages in ``slot`` with a Dismiss button; nothing when there are none.

    A message quotes values read from the URL, which anyone can write: it is shown literally
    (:func:`normviz.literal.literal`), never as Markdown, LaTeX or a link. The box's key is
    ``<prefix>_link_box`` and its button's ``<prefix>_link_dismiss``.
    """
    notes = st.session_state.get(notes_key) or []
    if not notes:
        return
    with slot.container(border=True, key=f"{prefix}_link_box"):
        for note in notes:
            level, text = note if isinstance(note, tuple) else ("warning", note)
            if level == "info":
                st.info(literal(text), icon=":material/link:")
            else:
                st.warning(f"From the link: {literal(text)}", icon=":material/link_off:")
        st.button(
            "Dismiss",
            key=f"{prefix}_link_dismiss",
            on_click=_dismiss,
            args=(notes_key,),
            icon=":material/close:",
        )
