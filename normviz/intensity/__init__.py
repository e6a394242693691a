"""Image intensity normalization: scaling, clipping, log, z-score, equalization, histograms.

Every function takes an (H, W) or (H, W, C) array (C = 1, 3 or 4, handled per channel) of uint8,
uint16 or float16/32/64 and returns float32 of the same shape unless stated. Non-finite float
values are ignored by every statistic (and stay non-finite in pointwise outputs).

Statistics are exact and can be computed once: :func:`image_stats` summarizes a full-resolution
image, and every technique accepts ``stats=`` to take its parameters from those statistics while
being applied to ``img``, which may be a screen-sized preview of the same image. Fitting on the
full image and applying to a preview is then the same mapping as on the full image.

Each technique of :data:`TECHNIQUES` has a ``kind`` (see :data:`KINDS`), the one home of what it
does to the histogram: "affine" maps (``scale``, ``zscore``) keep its shape; "clipping" maps
(``clip``, ``autocontrast``) are affine between two bounds and pile the tails at the bounds; "log"
is a fixed monotone nonlinear curve; "cdf" methods (``equalize``, ``clahe``, ``match``) build their
map from the image's own cumulative histogram and are not normalizations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from normviz._checks import check_choice
from normviz.intensity._histogram import (
    LUMA_WEIGHTS,
    Histogram,
    ImageStats,
    histogram,
    image_stats,
)
from normviz.intensity._lut import apply_map
from normviz.intensity._techniques import (
    autocontrast,
    clahe,
    clip,
    equalize,
    fit_stats,
    log_scale,
    match_histogram,
    mean_std_bounds,
    percentiles,
    scale_to_range,
    z_score,
)
from normviz.intensity._transfer import clip_map, curve_x, cutoff_bounds, technique_map

__all__ = [
    "KINDS",
    "LUMA_WEIGHTS",
    "TECHNIQUES",
    "Histogram",
    "ImageStats",
    "Technique",
    "TransferCurve",
    "apply_technique",
    "autocontrast",
    "clahe",
    "clip",
    "equalize",
    "histogram",
    "image_stats",
    "log_scale",
    "match_histogram",
    "mean_std_bounds",
    "percentiles",
    "scale_to_range",
    "transfer_curve",
    "z_score",
]


class TransferCurve(NamedTuple):
    """A pointwise technique's mapping sampled at input intensities.

    Attributes
    ----------
    x : (K,) float64 array
        Input intensities, ascending, ``K <= 1024``.
    y : (C, K) float64 array
        Output of each channel's mapping at ``x``.
    """

    x: np.ndarray
    y: np.ndarray


KINDS: tuple[str, ...] = ("affine", "clipping", "log", "cdf")
"""What a technique's map is, and so what it does to the histogram.

- "affine": ``x' = a x + b`` with ``a > 0`` per channel; the histogram keeps its shape.
- "clipping": affine between two bounds, values beyond a bound are set to it (they pile there).
- "log": a fixed monotone nonlinear curve, the same for every image with the same range.
- "cdf": built from the image's own cumulative histogram; a different map for every image.
"""


class Technique(NamedTuple):
    """One entry of :data:`TECHNIQUES`.

    Attributes
    ----------
    key, title : str
        Registry key and display name.
    func : callable
        ``func(img, *, stats=None, **params) -> float32 array``.
    params : dict
        Default keyword arguments.
    output_range : (float, float) or None
        Bounds every output lies in, or None (unbounded or in input units).
    kind : str
        One of :data:`KINDS`.
    """

    key: str
    title: str
    func: Callable[..., np.ndarray]
    params: dict[str, Any]
    output_range: tuple[float, float] | None
    kind: str

    @property
    def is_normalization(self) -> bool:
        """True unless the map is built from the image's own CDF (kind "cdf")."""
        return self.kind != "cdf"


def _clip_technique(
    img: np.ndarray,
    *,
    stats: ImageStats | None = None,
    q: tuple[float, float] = (1.0, 99.0),
    per_channel: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> np.ndarray:
    """Clip at ``low``/``high`` if given, else at the ``q`` percentiles (input units)."""
    s = fit_stats(img, stats)
    b = cutoff_bounds(s, q, per_channel)
    lo = b[:, 0] if low is None else low
    hi = b[:, 1] if high is None else high
    return apply_map(img, clip_map(lo, hi, s.n_channels))


def _clahe_technique(img: np.ndarray, *, stats: ImageStats | None = None, **params: Any):
    return clahe(img, **params)


TECHNIQUES: dict[str, Technique] = {
    t.key: t
    for t in (
        Technique("scale", "Min-max scaling", scale_to_range,
                  {"lo": 0.0, "hi": 1.0, "per_channel": False}, (0.0, 1.0), "affine"),
        Technique("clip", "Percentile clipping", _clip_technique,
                  {"q": (1.0, 99.0), "per_channel": False}, None, "clipping"),
        Technique("log", "Log scaling", log_scale, {}, (0.0, 1.0), "log"),
        Technique("zscore", "Z-score (standardization)", z_score, {"per_channel": True}, None,
                  "affine"),
        Technique("equalize", "Histogram equalization", equalize, {"mode": "per_channel"},
                  (0.0, 1.0), "cdf"),
        Technique("autocontrast", "Auto contrast (percentile stretch)", autocontrast,
                  {"cutoff": (1.0, 99.0), "per_channel": False}, (0.0, 1.0), "clipping"),
        Technique("clahe", "CLAHE (adaptive equalization)", _clahe_technique,
                  {"clip_limit": 0.01, "tiles": 8}, (0.0, 1.0), "cdf"),
        Technique("match", "Histogram matching", match_histogram, {}, None, "cdf"),
    )
}  # fmt: skip


def apply_technique(
    key: str,
    img: np.ndarray,
    *,
    stats: ImageStats | None = None,
    reference: np.ndarray | None = None,
    **params: Any,
) -> np.ndarray:
    """Apply the technique ``key`` of :data:`TECHNIQUES` with its default params overridden.

    Examples
    --------
    >>> apply_technique("scale", np.array([[0, 5]], np.uint8), hi=2.0)
    array([[0., 2.]], dtype=float32)
    """
    check_choice(key, TECHNIQUES, "technique")
    t = TECHNIQUES[key]
    merged = {**t.params, **params}
    if key == "match":
        if reference is None and merged.get("reference_stats") is None:
            raise ValueError("technique 'match' needs a reference image")
        return t.func(img, reference, stats=stats, **merged)
    return t.func(img, stats=stats, **merged)


def transfer_curve(technique: str, stats: ImageStats, **params: Any) -> TransferCurve | None:
    """Return the mapping of a pointwise technique sampled over the image's intensities.

    ``x`` covers every level from the minimum to the maximum (thinned to at most 1024 points),
    ``y`` is each channel's output there; None for "clahe" (local, no single curve). For
    "equalize" with ``mode="luminance"`` the curve is that of the luminance Y (one row); for
    "match" pass ``reference_stats=``.

    Examples
    --------
    >>> s = image_stats(np.array([[0, 1], [2, 4]], np.uint8))
    >>> c = transfer_curve("scale", s)
    >>> c.x[:5], c.y[0, :5]
    (array([0., 1., 2., 3., 4.]), array([0.  , 0.25, 0.5 , 0.75, 1.  ]))
    """
    check_choice(technique, TECHNIQUES, "technique")
    if not isinstance(stats, ImageStats):
        raise TypeError(f"expected stats to be an ImageStats (got {type(stats).__name__})")
    if technique == "clahe":
        return None
    pmap, s = technique_map(technique, stats, {**TECHNIQUES[technique].params, **params})
    x = curve_x(s)
    return TransferCurve(x, pmap.evaluate(x, s.n_channels))
