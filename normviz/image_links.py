"""The image lesson's settings as URL parameters: the one home of each control's range.

:data:`IMAGE_LINKS` lists what the image page shows: the image (a bundled sample, or an upload,
which cannot travel in a link), the technique of :data:`normviz.intensity.TECHNIQUES` and its
parameters. Each technique's parameters (type, range, step, default, label, condition) are its
``Technique.controls`` (:class:`normviz.intensity.ParamSpec`), turned into URL parameters by
:func:`link_param`; the page's widgets read the same records.

Examples
--------
>>> values, warnings = IMAGE_LINKS.parse({"sample": "coffee", "technique": "clahe", "tiles": "4"})
>>> values
{'source': 'sample', 'sample': 'coffee', 'technique': 'clahe', 'clip_limit': 0.01, 'tiles': 4, 'log_counts': False}
>>> IMAGE_LINKS.to_query(values)
{'sample': 'coffee', 'technique': 'clahe', 'tiles': '4'}
>>> IMAGE_LINKS.parse({"technique": "scale", "tiles": "4"}).warnings
["Ignored tiles='4' from the URL: tiles applies only when technique is 'clahe' (here technique is 'scale')."]
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from normviz.intensity import BOUNDS, TECHNIQUES, ParamSpec
from normviz.links import LinkTable, Param
from normviz.samples import SAMPLES

__all__ = [
    "BOUNDS",
    "DEFAULT_SAMPLE",
    "IMAGE_LINKS",
    "PREFIX",
    "UPLOAD_NOTE",
    "link_param",
    "sample_technique",
    "values_on_screen",
]

DEFAULT_SAMPLE = next(iter(SAMPLES))
"""The sample shown when the link names none (the first of :data:`normviz.samples.SAMPLES`)."""


def sample_technique(values: Mapping[str, Any]) -> str:
    """Return the technique a sample opens with (the one that makes its point)."""
    return SAMPLES[values.get("sample") or DEFAULT_SAMPLE].technique


PREFIX = "img_param_"
"""Prefix of a technique parameter's widget key: ``img_param_`` + its ``ParamSpec.widget_key``."""


def link_param(technique: str, spec: ParamSpec) -> Param:
    """Return the URL parameter of ``spec``, a control of ``technique``.

    Its range, default, label and condition are the spec's (the widget key is :data:`PREFIX` + its
    key).

    Examples
    --------
    >>> p = link_param("clahe", TECHNIQUES["clahe"].controls[1])
    >>> p.name, p.kind, p.default, p.lo, p.hi, p.key, dict(p.when)
    ('tiles', 'int', 8, 2, 16, 'img_param_tiles', {'technique': ('clahe',)})
    """
    return Param(
        spec.name, spec.kind, spec.default, lo=spec.lo, hi=spec.hi,
        choices=spec.choices or (tuple(SAMPLES) if spec.widget == "select" else ()),
        step=spec.step, when={"technique": (technique,), **spec.when},
        default_text=spec.default_text, key=PREFIX + spec.widget_key, label=spec.label,
    )  # fmt: skip


IMAGE_LINKS = LinkTable(
    "the image lesson",
    (
        Param("source", "choice", "sample", choices=("sample", "upload"), key="img_source"),
        Param("sample", "choice", DEFAULT_SAMPLE, choices=tuple(SAMPLES),
              when={"source": ("sample",)}, key="img_sample", label="…or a sample"),
        Param("technique", "choice", choices=tuple(TECHNIQUES), default_from=sample_technique,
              key="img_technique", label="Technique"),
        # Every technique's controls, from its table (normviz.intensity.TECHNIQUES)
        *(link_param(t.key, spec) for t in TECHNIQUES.values() for spec in t.controls),
        # Both histograms, every technique: one count scale before and after
        Param("log_counts", "bool", False, key="img_log_counts", label="Log counts"),
    ),
)  # fmt: skip
"""The image lesson's URL parameters (see :class:`normviz.links.LinkTable`)."""

UPLOAD_NOTE = (
    "This link was made on an uploaded image, and an upload cannot travel in a link: showing "
    "the sample {title} with the link's other settings instead. Upload the image to see it."
)
"""Shown (format with ``title=``) when a link says ``source=upload``."""


def values_on_screen(
    state: Mapping[str, Any], uploaded: bool, image_defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the values the page shows, for its URL: widget states, None where the image decides.

    Parameters
    ----------
    state : mapping
        Widget key -> value (the page's session state).
    uploaded : bool
        Whether the image is an upload (``source``).
    image_defaults : mapping
        A parameter whose default depends on the image (``low``, ``high``, ``reference``) -> that
        default: a value equal to it is written as the default (None).

    Examples
    --------
    >>> state = {"img_sample": "coffee", "img_technique": "clahe", "img_param_tiles": 4}
    >>> IMAGE_LINKS.to_query(values_on_screen(state, False, {}))
    {'sample': 'coffee', 'technique': 'clahe', 'tiles': '4'}
    >>> state = {"img_technique": "clip", "img_param_clip_mode": "manual", "img_param_low": 0.0}
    >>> values_on_screen(state, True, {"low": 0.0})["low"] is None
    True
    """
    values: dict[str, Any] = {"source": "upload" if uploaded else "sample"}
    for p in IMAGE_LINKS.params:
        if p.name in values or not p.applies(values):
            continue
        v = state.get(p.key)
        if v is None or (p.name in image_defaults and v == image_defaults[p.name]):
            v = None if p.default_from is None else p.default_for(values)
            v = p.default if v is None else v
        elif isinstance(v, list):
            v = tuple(v)
        values[p.name] = v
    return values


def param_for_key(key: str) -> Any:
    """Return the :class:`~normviz.links.Param` whose widget key is ``key``.

    Examples
    --------
    >>> param_for_key("img_param_tiles").hi
    16
    """
    for p in IMAGE_LINKS.params:
        if p.key == key:
            return p
    raise KeyError(key)
