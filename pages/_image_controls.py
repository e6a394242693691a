"""The image page's controls: the technique's parameter widgets, drawn from the link table.

Every control takes its label, range, step and default from its
:class:`~normviz.links.Param` in :data:`normviz.image_links.IMAGE_LINKS` (through
:mod:`pages._image_links`), takes its value from its session state, which the element carries
too (``**held(key)``, :mod:`pages._held`: a browser that mounts it late shows it) and answers a
pending link message when changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from normviz import intensity
from normviz.image_links import BOUNDS
from normviz.samples import SAMPLES
from pages import _image_links as links
from pages import _image_widgets as w
from pages._held import held, put_in_callback


def use_sample_technique() -> None:
    """``on_change`` of the sample selector: open the technique that makes its point."""
    put_in_callback("img_technique", SAMPLES[st.session_state["img_sample"]].technique)
    links.image_changed()


def _slider(col, name: str, default: Any = None) -> Any:
    """A slider of parameter ``name``: label, range and step from the link table."""
    p = links.seed(name, default)
    return col.slider(
        p.label, p.lo, p.hi, step=p.step, key=p.key, on_change=links.changed, **held(p.key)
    )


def _number(col, name: str, default: Any = None) -> float:
    p = links.seed(name, default)
    kept = {k: float(v) for k, v in held(p.key).items()}  # min and max are floats: so is value
    return col.number_input(
        p.label, float(p.lo), float(p.hi), step=p.step, key=p.key, on_change=links.changed, **kept
    )


def _toggle(col, name: str, shown: bool = True) -> bool:
    """A per-channel toggle; not shown (and off) for a grey image where pooling is the same."""
    p = links.seed(name)
    if not shown:
        links.fit(name, [p.default], "a grey image has one channel: nothing to pool")
        return False
    return col.toggle(p.label, key=p.key, on_change=links.changed, **held(p.key))


def log_counts() -> bool:
    """The "Log counts" toggle: one count scale for the histograms before and after."""
    p = links.seed("log_counts")
    return st.toggle(
        p.label, key=p.key, on_change=links.changed, **held(p.key),
        help="A logarithmic count axis on both histograms: a few pixels show next to millions.",
    )  # fmt: skip


def params(key: str, prep: w.Prepared, names: tuple[str, ...]) -> dict[str, Any]:
    """The technique's parameter widgets (keys ``img_param_*``) -> keyword arguments."""
    cols = st.columns([3, 2.5, 1.4])
    lo_in, hi_in = prep.input_range
    colour = len(names) > 1
    if key == "scale":
        lo, hi = _number(cols[0], "lo"), _number(cols[1], "hi")
        return {"lo": lo, "hi": hi if hi > lo else lo + 1.0}
    if key == "clip":
        p = links.seed("bounds")
        how = cols[0].segmented_control(
            p.label, list(BOUNDS), format_func=BOUNDS.get, key=p.key, on_change=links.changed,
            **held(p.key, name="default"),
        ) or "percentiles"  # fmt: skip
        per_ch = _toggle(cols[2], "per_channel", colour)
        arg: Any = None
        if how == "percentiles":
            arg = _slider(cols[1], "q")
            b = intensity.percentiles(prep.preview, arg, per_channel=per_ch, stats=prep.stats)
        elif how == "mean_std":
            arg = _slider(cols[1], "k")
            b = intensity.mean_std_bounds(prep.preview, arg, per_channel=per_ch, stats=prep.stats)
        else:
            low, high = _number(cols[1], "low", lo_in), _number(cols[2], "high", hi_in)
            b = np.array([low, max(high, low + 1e-6)])
        b = np.asarray(b, dtype=np.float64)
        bounds = {"low": b[..., 0], "high": np.maximum(b[..., 1], b[..., 0] + 1e-6)}
        # _how/_arg say how the bounds were chosen (for the code shown); not technique params
        return {**bounds, "per_channel": per_ch, "_how": BOUNDS[how]} | (
            {"_arg": tuple(arg) if isinstance(arg, list) else arg} if arg is not None else {}
        )
    if key == "zscore":
        return {"per_channel": _toggle(cols[0], "per_channel")}
    if key == "equalize":
        modes = ["per_channel", "luminance"] if len(names) == 3 else ["per_channel"]
        links.fit("mode", modes, "luminance equalization needs a colour image")
        p = links.seed("mode")
        mode = cols[0].segmented_control(
            p.label, modes, key=p.key, format_func=lambda m: m.replace("_", " "),
            on_change=links.changed, **held(p.key, name="default"),
        )  # fmt: skip
        return {"mode": mode or "per_channel"}
    if key == "autocontrast":
        cut = _slider(cols[0], "cutoff")
        per_ch = _toggle(cols[1], "per_channel", colour)
        return {"cutoff": tuple(cut), "per_channel": per_ch}
    if key == "clahe":
        return {"clip_limit": _slider(cols[0], "clip_limit"), "tiles": _slider(cols[1], "tiles")}
    if key == "match":
        others = w.references(prep)
        if not others:
            cols[0].info("No sample has this image's number of channels to match against.")
            st.stop()
        links.fit("reference", others, "the reference must be another sample with as many "
                  f"channels as this image ({len(names)})")  # fmt: skip
        p = links.seed("reference")
        ref = cols[0].selectbox(
            p.label, others, key=p.key, format_func=lambda k: SAMPLES[k].title,
            on_change=links.changed, **held(p.key, others),
        )  # fmt: skip
        return w.match_params(prep, ref)
    return {}
