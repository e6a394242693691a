"""The image page's controls: each technique's parameter widgets, drawn from its table.

Every control is a :class:`~normviz.intensity.ParamSpec` of the technique's ``controls`` in
:data:`normviz.intensity.TECHNIQUES`: its widget, label, help, range, step and default come from
there (through :data:`normviz.image_links.IMAGE_LINKS`, built from the same records, and
:mod:`pages._image_links`). A control takes its value from its session state, which the element
carries too (``**held(key)``, :mod:`pages._held`: a browser that mounts it late shows it), and
answers a pending link message when changed. Turning the values into the technique's parameters
is :func:`normviz.image_view.technique_params`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from normviz import image_view, intensity
from normviz.intensity import ParamSpec
from normviz.samples import SAMPLES
from pages import _image_links as links
from pages import _image_widgets as w
from pages._held import held, put_in_callback

COLUMNS = [3, 2.5, 1.4]  # the i-th control shown goes in column min(i, 2)


def use_sample_technique() -> None:
    """``on_change`` of the sample selector: open the technique that makes its point."""
    put_in_callback("img_technique", SAMPLES[st.session_state["img_sample"]].technique)
    links.image_changed()


def _slider(col, spec: ParamSpec) -> Any:
    p = links.seed(spec.name)
    return col.slider(
        p.label, p.lo, p.hi, step=p.step, key=p.key, help=spec.help or None,
        on_change=links.changed, **held(p.key),
    )  # fmt: skip


def _number(col, spec: ParamSpec, default: Any) -> float:
    p = links.seed(spec.name, default)
    kept = {k: float(v) for k, v in held(p.key).items()}  # min and max are floats: so is value
    return col.number_input(
        p.label, float(p.lo), float(p.hi), step=p.step, key=p.key, help=spec.help or None,
        on_change=links.changed, **kept,
    )  # fmt: skip


def _toggle(col, spec: ParamSpec, n_channels: int) -> bool:
    """A toggle; one that means nothing for a grey image is not shown there (and off)."""
    p = links.seed(spec.name)
    if spec.colour_only is True and n_channels == 1:
        links.fit(spec.name, [p.default], spec.why)
        return False
    return col.toggle(
        p.label, key=p.key, help=spec.help or None, on_change=links.changed, **held(p.key)
    )


def _segmented(col, spec: ParamSpec, n_channels: int) -> Any:
    """A segmented control; choices that need colour are left out for a grey image."""
    colour = spec.colour_only if isinstance(spec.colour_only, tuple) else ()
    options = [c for c in spec.choices if n_channels == 3 or c not in colour]
    if colour:
        links.fit(spec.name, options, spec.why)
    p = links.seed(spec.name)
    return col.segmented_control(
        p.label, options, format_func=spec.label_of, key=p.key, help=spec.help or None,
        required=True, on_change=links.changed, **held(p.key, name="default"),
    ) or p.default  # fmt: skip


def _reference(col, spec: ParamSpec, prep: w.Prepared, n_channels: int) -> str:
    """The matching reference: another sample with as many channels (any, for a grey image)."""
    others = w.references(prep)
    if not others:
        col.info("No sample has this image's number of channels to match against.")
        st.stop()
    links.fit(spec.name, others, spec.why.format(channels=n_channels))
    p = links.seed(spec.name)
    return col.selectbox(
        p.label, others, key=p.key, format_func=lambda k: SAMPLES[k].title,
        help=spec.help or None, on_change=links.changed, **held(p.key, others),
    )  # fmt: skip


def params(key: str, prep: w.Prepared, names: tuple[str, ...]) -> dict[str, Any]:
    """The technique's parameter widgets (keys ``img_param_*``) -> the page's params."""
    n = len(names)
    # A segmented control takes a row of its own above the others: in a column, on a 1280x720
    # screen at 150 %, its options (and the toggle beside it) were cut off.
    head, cols = st.container(), st.columns(COLUMNS)
    image_defaults = image_view.image_defaults(prep)
    values: dict[str, Any] = {}
    placed = 0  # controls placed in the columns so far
    for spec in intensity.TECHNIQUES[key].controls:
        if not spec.applies(values):
            continue
        if spec.widget == "segmented":
            values[spec.name] = _segmented(head, spec, n)
            continue
        col = cols[min(placed, len(cols) - 1)]
        placed += 1
        if spec.widget == "slider":
            values[spec.name] = _slider(col, spec)
        elif spec.widget == "number":
            values[spec.name] = _number(col, spec, image_defaults.get(spec.name))
        elif spec.widget == "toggle":
            values[spec.name] = _toggle(col, spec, n)
        else:
            values[spec.name] = _reference(col, spec, prep, n)
    return image_view.technique_params(key, values, prep)


def log_counts() -> bool:
    """The "Log counts" toggle: one count scale for the histograms before and after."""
    p = links.seed("log_counts")
    return st.toggle(
        p.label, key=p.key, on_change=links.changed, **held(p.key),
        help="A logarithmic count axis on both histograms: a few pixels show next to millions.",
    )  # fmt: skip
