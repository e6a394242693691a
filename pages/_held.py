"""Widgets whose state the page writes keep showing it to a browser that mounts them late.

Streamlit sends a keyed widget's value to the browser only in the run that wrote it into
``st.session_state``; later runs send the element with its default (``value=``, else the
minimum, the first option or an empty text) and leave the value to the browser. A browser that
had not mounted the widget yet when the next run's element arrived (a busy machine; a quick
second run: a timer, another click, a reconnect) mounts it at that default, shows it, and sends
it back on the next rerun: a shared link's settings shown, then used, as the defaults.

So a page writes its widgets' state through :func:`fill` or :func:`put` (which record the keys
written in this run, after :func:`begin`) and creates each such widget with ``**held(key)``:
the element's default is the value the widget holds now, except in the run that wrote it, where
Streamlit sends the value itself (and warns if a default is passed too).

A value the widget holds already is not written again. Streamlit marks a written widget's
element with ``set_value`` (a one-shot effect), and the browser draws such an element anew; an
element whose message is the same as in the last run keeps its drawn form. So a mode switch, a
preset or a reset that sets 20 controls of which 3 change redraws those 3, not 20. (A
disabled widget is sent with ``set_value`` in every run, written or not: Streamlit's rule.)
"""

from __future__ import annotations

from typing import Any

import streamlit as st

WRITTEN = "held_written"  # the widget keys written in this run (see held)
NEXT = "held_next"  # the widget keys a callback wrote: written in the coming run


def begin() -> None:
    """Start a run's record of written keys; call it before the page writes any widget state.

    Keys written by an ``on_change``/``on_click`` callback (:func:`put_in_callback`) count as
    written in this run: Streamlit treats them so.
    """
    ss = st.session_state
    ss[WRITTEN] = set(ss.get(NEXT, ()))
    ss[NEXT] = set()


def fill(key: str, value: Any) -> None:
    """Give the widget ``key`` its ``value`` in ``st.session_state`` unless it has one.

    The keys written in this run are listed under :data:`WRITTEN` (see :func:`held`).
    """
    if key not in st.session_state:
        put(key, value)


def holds(key: str, value: Any) -> bool:
    """Whether the widget ``key``'s state is ``value`` already (equal and of the same type)."""
    ss = st.session_state
    return key in ss and type(ss[key]) is type(value) and ss[key] == value


def put(key: str, value: Any) -> None:
    """Write ``value`` as the widget ``key``'s state in the script run, and record it; a value
    it holds already is left as it is (see the module's docstring)."""
    if not holds(key, value):
        ss = st.session_state
        ss[key] = value
        ss.setdefault(WRITTEN, set()).add(key)


def put_in_callback(key: str, value: Any) -> None:
    """Write ``value`` as the widget ``key``'s state from a callback; the coming run records it.
    A value it holds already is left as it is (see the module's docstring)."""
    if not holds(key, value):
        ss = st.session_state
        ss[key] = value
        ss.setdefault(NEXT, set()).add(key)


def held(key: str, options: Any = None, *, name: str = "value") -> dict[str, Any]:
    """Keyword arguments that make the widget ``key``'s element carry the value it holds now.

    Parameters
    ----------
    key : str
        The widget's key; it must be in ``st.session_state``.
    options : sequence, optional
        A selectbox's or radio's options: the default is then the value's ``index``.
    name : str
        The widget's argument for its default when ``options`` is None: ``"value"``, or
        ``"default"`` for a segmented control.

    Returns
    -------
    dict
        ``{}`` in the run that wrote ``key``, else ``{name: v}`` or ``{"index": i}``.
    """
    ss = st.session_state
    if key in ss.get(WRITTEN, ()):
        return {}
    value = ss[key]
    if options is None:
        return {name: value}
    options = list(options)
    return {"index": options.index(value)} if value in options else {}
