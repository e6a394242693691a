"""What a browser that mounts a widget's element late (after a second run) would show."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

STATE_WIDGETS = (  # AppTest element kinds whose value a page may keep in st.session_state
    "slider",
    "select_slider",
    "number_input",
    "text_input",
    "selectbox",
    "radio",
    "toggle",
    "segmented_control",
)


def mounted_fresh(widget: Any) -> str:
    """What a browser that mounts this element with no value of its own shows.

    A widget's element carries its value only when ``set_value`` is set (the run that wrote it
    into session state); otherwise the browser shows the value it holds, or, mounting the
    widget for the first time, the element's default. A range slider gives ``"lo,hi"``.
    """
    p = widget.proto
    name = type(p).__name__
    if name == "Slider" and p.options:  # select_slider: formatted options, default by index
        return p.raw_value[0] if p.set_value else p.options[int(p.default[0])]
    if name == "Slider":
        return ",".join(f"{v:g}" for v in (p.value if p.set_value else p.default))
    if name in ("Selectbox", "Radio"):
        return p.raw_value if p.set_value else p.options[p.default]
    if name == "ButtonGroup":
        if p.set_value:
            return p.raw_values[0]
        return p.options[p.default[0]].content if p.default else ""  # no default: none chosen
    if name == "NumberInput":
        return f"{p.value if p.set_value else p.default:g}"
    return str(p.value if p.set_value else p.default)  # TextInput, Checkbox (toggle)


def shown(at: AppTest, prefix: str) -> dict[str, str]:
    """Every state-kept widget whose key starts with ``prefix`` -> what a late browser shows."""
    return {
        w.key: mounted_fresh(w)
        for kind in STATE_WIDGETS
        for w in getattr(at, kind)
        if w.key and w.key.startswith(prefix)
    }
