"""The image lesson's settings as URL parameters: the one home of each control's range.

:data:`IMAGE_LINKS` lists what the image page shows: the image (a bundled sample, or an upload,
which cannot travel in a link), the technique of :data:`normviz.intensity.TECHNIQUES` and its
parameters. Defaults come from the technique registry (``Technique.params``, and the signature of
:func:`normviz.intensity.mean_std_bounds` for ``k``); the ranges here are those of the page's
widgets, which read them from this table.

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

import inspect
from collections.abc import Mapping
from typing import Any

from normviz.intensity import TECHNIQUES, mean_std_bounds
from normviz.links import LinkTable, Param
from normviz.samples import SAMPLES

__all__ = ["BOUNDS", "DEFAULT_SAMPLE", "IMAGE_LINKS", "UPLOAD_NOTE", "sample_technique"]

DEFAULT_SAMPLE = next(iter(SAMPLES))
"""The sample shown when the link names none (the first of :data:`normviz.samples.SAMPLES`)."""

BOUNDS = {"percentiles": "percentiles", "mean_std": "mean ± k·std", "manual": "manual"}
"""How percentile clipping chooses its bounds: URL value -> the control's label."""

_K_DEFAULT = inspect.signature(mean_std_bounds).parameters["k"].default


def sample_technique(values: Mapping[str, Any]) -> str:
    """Return the technique a sample opens with (the one that makes its point)."""
    return SAMPLES[values.get("sample") or DEFAULT_SAMPLE].technique


def _on(technique: str, **more: tuple[Any, ...]) -> dict[str, tuple[Any, ...]]:
    return {"technique": (technique,), **more}


def _p(key: str, name: str) -> Any:
    return TECHNIQUES[key].params[name]


IMAGE_LINKS = LinkTable(
    "the image lesson",
    (
        Param("source", "choice", "sample", choices=("sample", "upload"), key="img_source"),
        Param("sample", "choice", DEFAULT_SAMPLE, choices=tuple(SAMPLES),
              when={"source": ("sample",)}, key="img_sample", label="…or a sample"),
        Param("technique", "choice", choices=tuple(TECHNIQUES), default_from=sample_technique,
              key="img_technique", label="Technique"),
        # Min-max scaling: the output range
        Param("lo", "float", _p("scale", "lo"), lo=-1e6, hi=1e6, step=0.5, when=_on("scale"),
              key="img_param_lo", label="lo (new minimum)"),
        Param("hi", "float", _p("scale", "hi"), lo=-1e6, hi=1e6, step=0.5, when=_on("scale"),
              key="img_param_hi", label="hi (new maximum)"),
        # Percentile clipping: how the bounds are chosen, then that choice's parameter
        Param("bounds", "choice", "percentiles", choices=tuple(BOUNDS), when=_on("clip"),
              key="img_param_clip_mode", label="Bounds from"),
        Param("q", "pair", _p("clip", "q"), lo=0.0, hi=100.0, step=0.5,
              when=_on("clip", bounds=("percentiles",)), key="img_param_q",
              label="percentiles q"),
        Param("k", "float", _K_DEFAULT, lo=0.5, hi=5.0, step=0.25,
              when=_on("clip", bounds=("mean_std",)), key="img_param_k", label="k"),
        Param("low", "float", None, lo=-1e9, hi=1e9, when=_on("clip", bounds=("manual",)),
              default_text="the image's lowest display value", key="img_param_low",
              label="low"),
        Param("high", "float", None, lo=-1e9, hi=1e9, when=_on("clip", bounds=("manual",)),
              default_text="the image's highest display value", key="img_param_high",
              label="high"),
        Param("per_channel", "bool", _p("clip", "per_channel"), when=_on("clip"),
              key="img_param_clip_per_channel", label="per channel"),
        # Z-score
        Param("per_channel", "bool", _p("zscore", "per_channel"), when=_on("zscore"),
              key="img_param_per_channel", label="per channel"),
        # Histogram equalization
        Param("mode", "choice", _p("equalize", "mode"), choices=("per_channel", "luminance"),
              when=_on("equalize"), key="img_param_mode", label="Equalize"),
        # Auto contrast
        Param("cutoff", "pair", _p("autocontrast", "cutoff"), lo=0.0, hi=100.0, step=0.5,
              when=_on("autocontrast"), key="img_param_cutoff", label="cutoff percentiles"),
        Param("per_channel", "bool", _p("autocontrast", "per_channel"),
              when=_on("autocontrast"), key="img_param_ac_per_channel", label="per channel"),
        # CLAHE
        Param("clip_limit", "float", _p("clahe", "clip_limit"), lo=0.001, hi=0.1, step=0.001,
              when=_on("clahe"), key="img_param_clip_limit", label="clip limit"),
        Param("tiles", "int", _p("clahe", "tiles"), lo=2, hi=16, step=1, when=_on("clahe"),
              key="img_param_tiles", label="tiles per side"),
        # Histogram matching
        Param("reference", "choice", None, choices=tuple(SAMPLES), when=_on("match"),
              default_text="the first sample with as many channels", key="img_param_reference",
              label="Reference sample"),
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
