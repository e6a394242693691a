"""What the image lesson makes of each technique (private; linked from ``TECHNIQUES``).

The page-side facts of each technique, kept beside its table entry so that the generic code of
:mod:`normviz.image_view` and :mod:`normviz.image_text` only reads the table: its short grid
title, its "when to use it" and "pitfalls" texts, how its controls become its parameters, and
its comparison-grid defaults. ``prep`` below is a :class:`normviz.image_view.Prepared` (only its
``preview``, ``thumb`` and ``stats`` are read).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from normviz.image_numbers import num
from normviz.intensity._techniques import mean_std_bounds, percentiles

Z_DISPLAY = 3.0
"""Z-scores in ``[-Z_DISPLAY, Z_DISPLAY]`` are shown black..white on the page."""

DISPLAYS: tuple[str, ...] = ("output", "params_lo_hi", "clip_bounds", "z_display", "reference")
"""How the page chooses the output values shown black..white (``Technique.display``).

- "output": the technique's ``output_range``, or the input's display range when it is None;
- "params_lo_hi": the parameters ``[lo, hi]``;
- "clip_bounds": ``[min low, max high]`` of the parameters (also marked on the input histogram);
- "z_display": ``[-Z_DISPLAY, Z_DISPLAY]``;
- "reference": the reference image's input range (as "output" without a reference).
"""

BOUNDS = {"percentiles": "percentiles", "mean_std": "mean ± k·std", "manual": "manual"}
"""How percentile clipping chooses its bounds: value -> the control's label."""

NO_CURVE = "No transfer curve for these parameters."
"""Why a technique with a transfer curve shows none (its parameters did not give one)."""

MONOTONE = "The map is monotone but not affine."
"""What a "cdf" technique's map is, unless its entry says otherwise (``Technique.map_note``)."""


# --- short grid titles: ``short(p, reference_title) -> str`` with p the full params -------------


def scale_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Min-max"."""
    return "Min-max"


def clip_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Clip q0–q1 %" with the percentiles the bounds came from."""
    q = p.get("_arg", p["q"])
    return f"Clip {num(q[0])}–{num(q[1])} %"


def log_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Log"."""
    return "Log"


def zscore_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return the z-score title with the shown range."""
    return f"Z-score, ±{num(Z_DISPLAY)} shown"


def equalize_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Equalize"."""
    return "Equalize"


def autocontrast_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Auto contrast c0–c1 %"."""
    return f"Auto contrast {num(p['cutoff'][0])}–{num(p['cutoff'][1])} %"


def clahe_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "CLAHE"."""
    return "CLAHE"


def match_short(p: dict[str, Any], reference_title: str = "") -> str:
    """Return "Match", with " → reference" when its title is given."""
    return "Match" + (f" → {reference_title}" if reference_title else "")


# --- "when to use it" and "pitfalls" ------------------------------------------------------------

SCALE_USE = (
    "Stretch the range so the darkest value becomes `lo` and the brightest `hi`. Use it to "
    "bring images of different bit depths to one range (e.g. [0, 1] before a network).",
    "One hot pixel or a black border sets min or max, and then the stretch barely changes "
    "the picture: clip percentiles first. A constant image has max = min: it maps to `lo`, "
    "never NaN.",
)
CLIP_USE = (
    "Cap outliers at bounds from percentiles, mean ± k·std or by hand. The result stays in "
    "input units; on screen [low, high] is stretched to black..white.",
    "Everything beyond the bounds becomes the bound (the detail there is lost). Bounds from "
    "mean ± k·std are pulled by the very outliers you want to remove; percentiles are robust.",
)
LOG_USE = (
    "Compress a high dynamic range (linear sensor data, astronomy, spectra) so faint detail "
    "and bright peaks are visible together.",
    "Negative data is shifted to start at 0 first. On an ordinary 8-bit photo it brightens "
    "the mid-tones and squeezes the bright half of the range into a narrow band at the top: "
    "the image looks washed out.",
)
ZSCORE_USE = (
    "Subtract the mean and divide by the standard deviation (per channel, or pooled over "
    "the channels): what `transforms.Normalize(mean, std)` does before a network, with the "
    "dataset's statistics.",
    f"The output is unbounded: it is not an image any more, so the page shows z in "
    f"[{num(-Z_DISPLAY)}, {num(Z_DISPLAY)}] as black..white and saturates beyond. Use the "
    "training set's mean/std, not each image's own, or you erase real brightness "
    "differences.",
)
EQUALIZE_USE = (
    "Map each value to its share of pixels at or below it (the CDF, shifted so the darkest "
    "level maps to 0): the histogram becomes as flat as the discrete input allows, which "
    "maximizes global contrast.",
    "Amplifies noise in flat regions; per-channel equalization shifts hues, luminance mode "
    "keeps them.",
)
AUTOCONTRAST_USE = (
    "A percentile stretch: values between the two percentiles spread over [0, 1], the tails "
    "are clipped (ImageJ's *auto contrast*, Pillow's `ImageOps.autocontrast`).",
    "Like clipping, the tails are lost. Per-channel mode changes the colour balance (it acts "
    "as an automatic white balance).",
)
CLAHE_USE = (
    "Equalize each tile of the image with a clipped histogram and blend the tiles: local "
    "contrast in shadows and highlights at once (microscopy, X-rays, fundus images).",
    "Local: the same input value maps to different outputs in different places, so there "
    "is no transfer curve. A high clip limit amplifies noise; tiles too small create halos.",
)
MATCH_USE = (
    "Reshape this image's histogram into the reference's: same distribution of intensities, "
    "e.g. to make scans from two scanners look alike.",
    "It needs a sensible reference; it transfers global tone, not local content.",
)
CLAHE_MAP = (
    "It is local: each tile gets its own map, so one input value maps to different "
    "outputs in different places."
)
CLAHE_NO_CURVE = "CLAHE is local: no single transfer curve."


# --- controls -> parameters: ``from_controls(values, prep) -> dict`` ----------------------------


def scale_controls(values: dict[str, Any], prep: Any) -> dict[str, Any]:
    """Return min-max scaling's ``lo``/``hi``, with ``hi = lo + 1`` unless ``hi > lo``."""
    lo, hi = float(values["lo"]), float(values["hi"])
    return {"lo": lo, "hi": hi if hi > lo else lo + 1.0}


def clip_controls(values: dict[str, Any], prep: Any) -> dict[str, Any]:
    """Return clipping's ``low``/``high`` in input units and how they were chosen.

    Percentiles or ``mean ± k·std`` fitted on the full-resolution statistics, or the typed
    values; ``high >= low + 1e-6``; ``_how`` and ``_arg`` note the choice (for the code shown).
    """
    how, per_ch = values.get("bounds") or "percentiles", bool(values.get("per_channel", False))
    arg: Any = None
    if how == "percentiles":
        arg = tuple(values["q"])
        b = percentiles(prep.preview, arg, per_channel=per_ch, stats=prep.stats)
    elif how == "mean_std":
        arg = values["k"]
        b = mean_std_bounds(prep.preview, arg, per_channel=per_ch, stats=prep.stats)
    else:
        low, high = float(values["low"]), float(values["high"])
        b = np.array([low, max(high, low + 1e-6)])
    b = np.asarray(b, dtype=np.float64)
    bounds = {"low": b[..., 0], "high": np.maximum(b[..., 1], b[..., 0] + 1e-6)}
    # _how/_arg say how the bounds were chosen (for the code shown); not technique params
    notes = {"_how": BOUNDS[how]} | ({"_arg": arg} if arg is not None else {})
    return {**bounds, "per_channel": per_ch, **notes}


def match_controls(values: dict[str, Any], prep: Any) -> dict[str, Any]:
    """Return the sample key ``reference`` and ``_grey`` (a grey image takes the luminance)."""
    return {"reference": values["reference"], "_grey": prep.stats.n_channels == 1}


# --- comparison-grid defaults: ``grid_defaults(params, prep, refs) -> dict`` --------------------


def clip_defaults(params: dict[str, Any], prep: Any, refs: list[str] | None) -> dict[str, Any]:
    """Return the registry defaults with the default percentiles as ``low``/``high`` bounds."""
    q = params["q"]
    b = percentiles(prep.thumb, q, stats=prep.stats)
    return {**params, "low": float(b[0]), "high": float(b[1]), "_how": "percentiles", "_arg": q}


def match_defaults(params: dict[str, Any], prep: Any, refs: list[str] | None) -> dict[str, Any]:
    """Return a match onto the first of ``refs`` that is not "hdr" (8-bit), or ``{}``."""
    ordered = sorted(refs or [], key=lambda k: k == "hdr")
    return match_controls({"reference": ordered[0]}, prep) if ordered else {}
