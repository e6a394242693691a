"""The image page's state <-> its URL, with messages about a link that stay until dealt with.

The table of parameters is :data:`normviz.image_links.IMAGE_LINKS` (pure); this module moves its
values between the URL, ``st.session_state`` (the widgets' keys are the table's ``Param.key``)
and the messages about a bad or stale link.

Messages about a link are kept in ``st.session_state["img_link_notes"]`` and shown on every run
until the user dismisses them or changes a setting (every control's ``on_change`` is
:func:`changed`); rewriting the URL never clears them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from normviz.image_links import (
    DEFAULT_SAMPLE,
    IMAGE_LINKS,
    UPLOAD_NOTE,
    sample_technique,
    values_on_screen,
)
from normviz.samples import SAMPLES
from pages._held import begin, fill, put
from pages._link_notes import show_link_notes

LINKS = IMAGE_LINKS
NOTES = "img_link_notes"  # list of (level, text): "warning" or "info"
VALUES = "img_link"  # the values of the last run (refill the widgets when coming back)
FRESH = "img_link_fresh"  # True on the run that read the URL
_WIDGET_KEYS = tuple(dict.fromkeys(p.key for p in LINKS.params if p.key != "img_source"))


def init_from_url() -> None:
    """Read the URL on a session's first run; on later runs refill widgets dropped by a page switch.

    Streamlit forgets a widget's state while its page is not shown; the last values are kept in
    ``img_link`` and put back, so coming back to the lesson shows (and links) the same view.
    """
    ss = st.session_state
    begin()  # widget state written below is sent by Streamlit; later runs hold it (pages._held)
    if VALUES in ss:
        ss[FRESH] = False
        values = ss[VALUES]
        for p in LINKS.active(values):
            if p.key in _WIDGET_KEYS and values.get(p.name) is not None:
                fill(p.key, values[p.name])
        return
    parsed = LINKS.parse(st.query_params.to_dict())
    notes = [("warning", text) for text in parsed.warnings]
    if parsed.values["source"] == "upload":
        notes.insert(0, ("info", UPLOAD_NOTE.format(title=SAMPLES[DEFAULT_SAMPLE].title)))
    ss[NOTES], ss[VALUES], ss[FRESH] = notes, parsed.values, True
    for p in LINKS.active(parsed.values):
        if p.key in _WIDGET_KEYS and parsed.values[p.name] is not None:
            put(p.key, parsed.values[p.name])
    fill("img_sample", DEFAULT_SAMPLE)
    fill("img_technique", sample_technique({"sample": ss["img_sample"]}))


def changed() -> None:
    """``on_change`` of every control: a new setting answers the link's messages."""
    st.session_state[NOTES] = []


def image_changed() -> None:
    """``on_change`` of the sample and the upload: settings in the old image's units go too.

    Manual clip bounds are in input units (0..255 for 8-bit, 0..65535 for 16-bit): they start
    again from the new image's range; a reference that no longer fits is replaced by
    :func:`fit` when drawn.
    """
    changed()
    for name in ("low", "high"):
        st.session_state.pop(LINKS.param(name, {"technique": "clip", "bounds": "manual"}).key, None)


def reset() -> None:
    """The "Reset to defaults" button: every setting to its default, messages cleared.

    The next run writes the defaults' query, which is empty: the URL loses its parameters. An
    uploaded file stays (a file uploader cannot be emptied from code). The button lives in the
    page's fragment, but the sample is a setting too: the whole page reruns (``st.rerun`` in a
    callback turns the interaction into a full run).
    """
    ss = st.session_state
    for k in _WIDGET_KEYS:
        if k in ss:
            del ss[k]
    ss[VALUES] = LINKS.defaults()
    ss[NOTES] = []
    st.rerun()


def seed(name: str, default: Any = None) -> Any:
    """Give the widget of parameter ``name`` its default unless it has a value; return the Param.

    Widgets are then created with ``**held(p.key)`` (:mod:`pages._held`): their state is the
    source, and the element carries it except in the run that wrote it.
    """
    p = _param(name)
    value = p.default if default is None else default
    if value is not None:
        fill(p.key, value)
    return p


def fit(name: str, options: Sequence[Any], why: str) -> None:
    """Make the widget of ``name`` hold one of ``options`` (the first if not), before drawing it.

    A value that this image does not allow (luminance equalization of a grey image, a reference
    with another number of channels) came from the link on the run that read it: then it is
    reported with ``why``; later (a sample changed) it is replaced silently.
    """
    ss = st.session_state
    p = _param(name)
    if not options or ss.get(p.key) in options:
        return
    if ss.get(FRESH) and p.key in ss:
        was, now = _shown(p, ss[p.key]), _shown(p, options[0])
        ss[NOTES].append(("warning", f"Ignored {name}={was} from the URL: {why}; using {now}."))
    put(p.key, options[0])


def _shown(p, value: Any) -> str:
    """A value as the URL writes it, quoted: ``'on'``, ``'luminance'``."""
    try:
        return repr(p.format(value))
    except ValueError:
        return repr(value)


def _param(name: str):
    technique = st.session_state.get("img_technique")
    return LINKS.param(name, {"source": "sample", "technique": technique, **_bounds()})


def _bounds() -> dict[str, Any]:
    return {"bounds": st.session_state.get("img_param_clip_mode") or "percentiles"}


def current(uploaded: bool, image_defaults: dict[str, Any]) -> dict[str, Any]:
    """Return the values on screen, for the URL (:func:`normviz.image_links.values_on_screen`)."""
    return values_on_screen(st.session_state, uploaded, image_defaults)


def sync_url(values: dict[str, Any]) -> None:
    """Keep ``values`` for the next run and write their query to the URL if it differs."""
    st.session_state[VALUES] = values
    query = LINKS.to_query(values)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def show_notes(slot) -> None:
    """Draw the pending messages about the link in ``slot``, with a Dismiss button."""
    show_link_notes(slot, NOTES, "img")
