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

Adding a technique touches :data:`TECHNIQUES` and its tests only. Its entry (a
:class:`Technique`) links the compute function and its defaults, its ``controls``
(:class:`ParamSpec`: the page's widgets and URL parameters), its formula and code builders
(``_formulas``, ``_snippets``), its pointwise map for the transfer curve (``fit``, ``_transfer``)
and what the page makes of it (``_lesson``: ``use`` texts, ``short`` grid title, ``display``
rule, ``bar_unit``, ``from_controls``, ``grid_defaults``, ``needs_reference``). The generic code
(``normviz.image_view``, ``normviz.image_text``) only reads those fields;
``tests/unit/test_image_table.py`` checks that no module tests a technique's key.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from normviz._checks import check_choice
from normviz.intensity import _formulas as _f
from normviz.intensity import _lesson as _l
from normviz.intensity import _snippets as _s
from normviz.intensity import _transfer as _m
from normviz.intensity._histogram import (
    LUMA_WEIGHTS,
    Histogram,
    ImageStats,
    histogram,
    image_stats,
)
from normviz.intensity._lesson import BOUNDS, DISPLAYS, MONOTONE, NO_CURVE, Z_DISPLAY
from normviz.intensity._lut import apply_map
from normviz.intensity._params import ParamSpec
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
from normviz.intensity._transfer import clip_map, curve_x, cutoff_bounds

__all__ = [
    "BOUNDS",
    "DISPLAYS",
    "KINDS",
    "LUMA_WEIGHTS",
    "TECHNIQUES",
    "Z_DISPLAY",
    "Histogram",
    "ImageStats",
    "ParamSpec",
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
    controls : tuple of ParamSpec
        What a user sets, in the order the page shows it: type, range, step, default, label
        and help of each parameter (the page's widgets and URL parameters read them).
    formula : callable
        ``formula(p, stats, names) -> (terms, tail)``: the formula with the numbers it used
        (``_formulas``; :func:`normviz.image_text.formula` assembles it).
    snippet : callable
        ``snippet(p, stats, dtype) -> str``: runnable code after the lines that read ``img``
        (``_snippets``; :func:`normviz.image_text.snippet` adds those).
    fit : callable or None
        ``fit(stats, p) -> (PointMap, ImageStats)``: the pointwise map fitted on ``stats`` and
        the statistics whose intensities it maps (``_transfer``; :func:`transfer_curve` samples
        it). None for a technique with no single map (CLAHE is local).
    needs_reference : bool
        The technique takes a reference image: ``func(img, reference, ...)``; its code reads a
        ``reference`` file too.
    use : (str, str)
        "When to use it" and "pitfalls" (Markdown), :func:`normviz.image_text.use_and_pitfalls`.
    short : callable or None
        ``short(p, reference_title) -> str``: the comparison grid's short title with the numbers
        of the full params ``p``; None: the title up to its first " (".
    display : str
        One of :data:`DISPLAYS`: how the page picks the output values shown black..white
        (:func:`normviz.image_view.display_range`); "clip_bounds" also marks ``low``/``high`` on
        the input histogram.
    bar_unit : str
        Unit of an output not bounded by ``output_range``, for the colour bar.
    map_note : str
        For a "cdf" technique, what its map is (the end of :func:`normviz.image_text.kind_note`).
    no_curve : str
        Why the transfer-curve figure is empty (:func:`normviz.image_text.no_curve_note`).
    from_controls : callable or None
        ``from_controls(values, prep) -> dict``: the page's params from its controls' values
        (``_lesson``; :func:`normviz.image_view.technique_params`); None: the values as they are.
    grid_defaults : callable or None
        ``grid_defaults(params, prep, refs) -> dict``: the comparison grid's params from the
        registry defaults ``params`` (:func:`normviz.image_view.default_params`); None: those.
    """

    key: str
    title: str
    func: Callable[..., np.ndarray]
    params: dict[str, Any]
    output_range: tuple[float, float] | None
    kind: str
    controls: tuple[ParamSpec, ...] = ()
    formula: Callable[..., Any] | None = None
    snippet: Callable[..., Any] | None = None
    fit: Callable[..., Any] | None = None
    needs_reference: bool = False
    use: tuple[str, str] = ("", "")
    short: Callable[..., str] | None = None
    display: str = "output"
    bar_unit: str = "input units"
    map_note: str = MONOTONE
    no_curve: str = NO_CURVE
    from_controls: Callable[..., dict[str, Any]] | None = None
    grid_defaults: Callable[..., dict[str, Any]] | None = None

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


_K_DEFAULT = inspect.signature(mean_std_bounds).parameters["k"].default
_PER_CHANNEL = "per channel"
_NO_POOL = "a grey image has one channel: nothing to pool"


def _technique(
    key: str,
    title: str,
    func: Callable[..., np.ndarray],
    params: dict[str, Any],
    output_range: tuple[float, float] | None,
    kind: str,
    formula: Callable[..., Any],
    snippet: Callable[..., Any],
    *controls: ParamSpec,
    **page: Any,
) -> Technique:
    """Return a :class:`Technique` whose keyword controls take their defaults from ``params``.

    ``page`` holds the fields after ``snippet`` (``fit``, ``use``, ``short``, ``display`` ...).
    """
    filled = tuple(
        c._replace(default=params[c.name]) if c.arg and c.name in params else c for c in controls
    )
    t = Technique(key, title, func, params, output_range, kind, filled, formula, snippet, **page)
    check_choice(t.display, DISPLAYS, "display")
    return t


TECHNIQUES: dict[str, Technique] = {
    t.key: t
    for t in (
        _technique(
            "scale", "Min-max scaling", scale_to_range,
            {"lo": 0.0, "hi": 1.0, "per_channel": False}, (0.0, 1.0), "affine",
            _f.scale_formula, _s.scale_snippet,
            ParamSpec("lo", "float", lo=-1e6, hi=1e6, step=0.5, widget="number",
                      label="lo (new minimum)", help="The value the image's minimum maps to."),
            ParamSpec("hi", "float", lo=-1e6, hi=1e6, step=0.5, widget="number",
                      label="hi (new maximum)",
                      help="The value the image's maximum maps to (above lo)."),
            fit=_m.scale_fit, use=_l.SCALE_USE, short=_l.scale_short, display="params_lo_hi",
            from_controls=_l.scale_controls,
        ),
        _technique(
            "clip", "Percentile clipping", _clip_technique,
            {"q": (1.0, 99.0), "per_channel": False}, None, "clipping",
            _f.clip_formula, _s.clip_snippet,
            ParamSpec("bounds", "choice", "percentiles", choices=tuple(BOUNDS),
                      choice_labels=BOUNDS, widget="segmented", key="clip_mode", arg=False,
                      label="Bounds from",
                      help="Where the two bounds come from: percentiles, mean ± k·std, or typed."),
            ParamSpec("q", "pair", lo=0.0, hi=100.0, step=0.5, when={"bounds": ("percentiles",)},
                      label="percentiles q",
                      help="The low and high percentiles (%) the values are clipped at."),
            ParamSpec("k", "float", _K_DEFAULT, lo=0.5, hi=5.0, step=0.25, arg=False,
                      when={"bounds": ("mean_std",)}, label="k",
                      help="Bounds at the mean minus and plus k standard deviations."),
            ParamSpec("low", "float", lo=-1e9, hi=1e9, step=0.01, widget="number", arg=False,
                      when={"bounds": ("manual",)},
                      default_text="the image's lowest display value", label="low",
                      help="Values below become low (input units)."),
            ParamSpec("high", "float", lo=-1e9, hi=1e9, step=0.01, widget="number", arg=False,
                      when={"bounds": ("manual",)},
                      default_text="the image's highest display value", label="high",
                      help="Values above become high (input units)."),
            ParamSpec("per_channel", "bool", widget="toggle", colour_only=True, why=_NO_POOL,
                      key="clip_per_channel", label=_PER_CHANNEL,
                      help="Each channel's own bounds (default: all channels pooled)."),
            fit=_m.clip_fit, use=_l.CLIP_USE, short=_l.clip_short, display="clip_bounds",
            from_controls=_l.clip_controls, grid_defaults=_l.clip_defaults,
        ),
        _technique("log", "Log scaling", log_scale, {}, (0.0, 1.0), "log",
                   _f.log_formula, _s.log_snippet,
                   fit=_m.log_fit, use=_l.LOG_USE, short=_l.log_short),
        _technique(
            "zscore", "Z-score (standardization)", z_score, {"per_channel": True}, None, "affine",
            _f.zscore_formula, _s.zscore_snippet,
            ParamSpec("per_channel", "bool", widget="toggle", label=_PER_CHANNEL,
                      help="Each channel's own mean and std (off: pooled over the channels)."),
            fit=_m.zscore_fit, use=_l.ZSCORE_USE, short=_l.zscore_short, display="z_display",
            bar_unit="z",
        ),
        _technique(
            "equalize", "Histogram equalization", equalize, {"mode": "per_channel"}, (0.0, 1.0),
            "cdf",
            _f.equalize_formula, _s.equalize_snippet,
            ParamSpec("mode", "choice", choices=("per_channel", "luminance"), widget="segmented",
                      colour_only=("luminance",),
                      why="luminance equalization needs a colour image", label="Equalize",
                      help="Each channel alone, or the luminance with the hue kept."),
            fit=_m.equalize_fit, use=_l.EQUALIZE_USE, short=_l.equalize_short,
        ),
        _technique(
            "autocontrast", "Auto contrast (percentile stretch)", autocontrast,
            {"cutoff": (1.0, 99.0), "per_channel": False}, (0.0, 1.0), "clipping",
            _f.autocontrast_formula, _s.autocontrast_snippet,
            ParamSpec("cutoff", "pair", lo=0.0, hi=100.0, step=0.5,
                      label="cutoff percentiles",
                      help="The percentiles (%) that map to 0 and 1; beyond them is clipped."),
            ParamSpec("per_channel", "bool", widget="toggle", colour_only=True, why=_NO_POOL,
                      key="ac_per_channel", label=_PER_CHANNEL,
                      help="Each channel's own percentiles (changes the colour balance)."),
            fit=_m.autocontrast_fit, use=_l.AUTOCONTRAST_USE, short=_l.autocontrast_short,
        ),
        _technique(
            "clahe", "CLAHE (adaptive equalization)", _clahe_technique,
            {"clip_limit": 0.01, "tiles": 8}, (0.0, 1.0), "cdf",
            _f.clahe_formula, _s.clahe_snippet,
            ParamSpec("clip_limit", "float", lo=0.001, hi=0.1, step=0.001, label="clip limit",
                      help="The share of a tile's pixels one histogram bin may hold."),
            ParamSpec("tiles", "int", lo=2, hi=16, step=1, label="tiles per side",
                      help="The number of tiles along each side of the image."),
            use=_l.CLAHE_USE, short=_l.clahe_short, map_note=_l.CLAHE_MAP,
            no_curve=_l.CLAHE_NO_CURVE,
        ),
        _technique(
            "match", "Histogram matching", match_histogram, {}, None, "cdf",
            _f.match_formula, _s.match_snippet,
            ParamSpec("reference", "choice", widget="select", arg=False,
                      default_text="the first sample with as many channels",
                      why="the reference must be another sample with as many channels as this "
                          "image ({channels})", label="Reference sample",
                      help="The sample whose distribution of intensities this image takes."),
            fit=_m.match_fit, needs_reference=True, use=_l.MATCH_USE, short=_l.match_short,
            display="reference", bar_unit="reference units", from_controls=_l.match_controls,
            grid_defaults=_l.match_defaults,
        ),
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
    if t.needs_reference:
        if reference is None and merged.get("reference_stats") is None:
            raise ValueError(f"technique {key!r} needs a reference image")
        return t.func(img, reference, stats=stats, **merged)
    return t.func(img, stats=stats, **merged)


def transfer_curve(technique: str, stats: ImageStats, **params: Any) -> TransferCurve | None:
    """Return the mapping of a pointwise technique sampled over the image's intensities.

    ``x`` covers every level from the minimum to the maximum (thinned to at most 1024 points),
    ``y`` is each channel's output there; None for a technique without ``fit`` ("clahe": local,
    no single curve). For "equalize" with ``mode="luminance"`` the curve is that of the
    luminance Y (one row); for "match" pass ``reference_stats=``.

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
    t = TECHNIQUES[technique]
    if t.fit is None:
        return None
    pmap, s = t.fit(stats, {**t.params, **params})
    x = curve_x(s)
    return TransferCurve(x, pmap.evaluate(x, s.n_channels))
