"""Each technique's formula with the numbers it used on an image (the table links them).

A builder ``*_formula(p, stats, names)`` takes the technique's parameters ``p`` (registry
defaults filled in), the :class:`ImageStats` it was fitted on and the channel names, and returns
``(terms, tail)``: one ``(channel, latex, numbers)`` per term (``channel`` a name, "all" or "Y";
``numbers`` maps a name to the number exactly as written) and LaTeX appended after the terms.
:func:`normviz.image_text.formula` assembles them. The numbers come from the fitting functions
the technique itself uses (``_transfer``), so a test can evaluate a formula with the numbers
shown and compare it with the technique's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from normviz.image_numbers import num
from normviz.intensity._histogram import ImageStats
from normviz.intensity._transfer import (
    cutoff_bounds,
    log_constants,
    luma_stats,
    scale_bounds,
    stretch_bounds,
    zscore_moments,
)

Terms = tuple[list[tuple[str, str, dict[str, str]]], str]
"""What a formula builder returns: ``[(channel, latex, numbers), ...]`` and a LaTeX tail."""


def _lhs(channel: str, var: str = "x'") -> str:
    return var if channel == "all" else rf"{var}_{{\mathrm{{{channel}}}}}"


def _terms(values: np.ndarray, names: Sequence[str]) -> list[tuple[str, np.ndarray]]:
    """One term for all channels if every row of ``values`` (C, k) is the same, else one each."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape[0] == 1 or np.all(values == values[0]):
        return [("all", values[0])]
    return list(zip(names, values, strict=True))


def _bounds_param(params: dict[str, Any], stats: ImageStats) -> np.ndarray:
    """(C, 2) clip bounds: ``low``/``high`` if given, else from the ``q`` percentiles."""
    c = stats.n_channels
    q = params["q"]
    b = np.array(cutoff_bounds(stats, q, params.get("per_channel", False)), dtype=np.float64)
    for i, name in enumerate(("low", "high")):
        if params.get(name) is not None:
            b[:, i] = np.broadcast_to(np.asarray(params[name], np.float64).ravel(), (c,))
    return b


def scale_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Min-max scaling: ``lo + (hi - lo) (x - min) / (max - min)`` per term."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    lo, hi = num(p["lo"]), num(p["hi"])
    mins, maxs = scale_bounds(stats, p["per_channel"])
    for ch, (mn, mx) in _terms(np.stack([mins, maxs], axis=1), names):
        if mx <= mn:  # a constant image: no range to stretch; the result is defined as lo
            nums = {"lo": lo, "min": num(mn)}
            tex = rf"{_lhs(ch)} = {lo}\quad(\text{{constant image: }} \max = \min = {num(mn)})"
        else:
            nums = {"lo": lo, "hi": hi, "min": num(mn), "max": num(mx)}
            tex = (
                rf"{_lhs(ch)} = {lo} + ({hi} - {lo})\,\frac{{x - {num(mn)}}}"
                rf"{{{num(mx)} - {num(mn)}}}"
            )
        parts.append((ch, tex, nums))
    return parts, tail


def clip_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Percentile clipping: ``min(max(x, low), high)`` with the bounds used."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    for ch, (low, high) in _terms(_bounds_param(p, stats), names):
        nums = {"low": num(low), "high": num(high)}
        tex = rf"{_lhs(ch)} = \min\big(\max(x,\ {nums['low']}),\ {nums['high']}\big)"
        parts.append((ch, tex, nums))
    return parts, tail


def log_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Log scaling: ``ln(1 + x - shift) / ln(1 + top)``."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    shift, top = log_constants(stats)
    if top <= 0:
        parts.append(("all", r"x' = 0\quad(\text{maximum} \le 0)", {}))
    else:
        nums = {"top": num(top)} | ({"shift": num(shift)} if shift < 0 else {})
        arg = f"x - ({nums['shift']})" if shift < 0 else "x"
        tex = rf"x' = \frac{{\ln(1 + {arg})}}{{\ln(1 + {nums['top']})}}"
        parts.append(("all", tex, nums))
    return parts, tail


def zscore_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Z-score: ``(x - mean) / std`` with the moments used (``z = 0`` for std 0)."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    mean, std = zscore_moments(stats, p["per_channel"])
    chans = list(names) if p["per_channel"] else ["all"]
    for ch, mu, sd in zip(chans, mean, std, strict=True):
        if sd > 0:
            nums = {"mean": num(mu), "std": num(sd)}
            tex = rf"{_lhs(ch, 'z')} = \frac{{x - {nums['mean']}}}{{{nums['std']}}}"
        else:
            nums, tex = {}, rf"{_lhs(ch, 'z')} = 0\ (\text{{std}} = 0)"
        parts.append((ch, tex, nums))
    if not p["per_channel"] and len(names) > 1:
        tail = r"\qquad(\text{mean and std of all channels pooled})"
    return parts, tail


def equalize_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Histogram equalization: the CDF map with ``N`` and ``cdf_min`` (per channel or of Y)."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    luma = p["mode"] == "luminance" and stats.n_channels != 1
    s = luma_stats(stats) if luma else stats
    chans = ["Y"] if luma else list(names)
    for ch, row in zip(chans, s.fine.counts, strict=True):
        nz = np.flatnonzero(row)
        var = "Y" if luma else "x"
        lhs = _lhs("all" if len(chans) == 1 else ch, var + "'")
        cdf = (
            rf"\mathrm{{cdf}}_{{\mathrm{{{ch}}}}}({var})"
            if len(chans) > 1
            else (rf"\mathrm{{cdf}}({var})")
        )
        n = str(int(row.sum()))
        if nz.size <= 1:
            parts.append((ch, rf"{lhs} = 0\quad(\text{{constant}})", {}))
        elif s.is_integer:
            h = str(int(row[nz[0]]))
            tex = rf"{lhs} = \frac{{{cdf} - {h}}}{{{n} - {h}}}"
            parts.append((ch, tex, {"N": n, "cdf_min": h}))
        else:
            tex = rf"{lhs} = \frac{{{cdf}}}{{{n}}}"
            parts.append((ch, tex, {"N": n}))
    what = (
        r"\mathrm{cdf}(v) = \#\{\text{pixels} \le v\}"
        if s.is_integer
        else r"\mathrm{cdf}\ \text{interpolated between " + str(s.fine.counts.shape[1]) + r" bins}"
    )
    tail = rf",\qquad {what}"
    if luma:
        tail += r",\qquad x'_c = \min\big(1,\ x_c\,Y'/Y\big)"
    return parts, tail


def autocontrast_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Auto contrast: ``clip((x - lo) / (hi - lo), 0, 1)`` at the cutoff percentiles."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    cut = tuple(float(c) for c in p["cutoff"])
    b = stretch_bounds(stats, cutoff_bounds(stats, cut, p["per_channel"]))
    for ch, (lo, hi) in _terms(b, names):
        if hi <= lo:
            parts.append((ch, rf"{_lhs(ch)} = 0\quad(\text{{constant}})", {}))
            continue
        nums = {"lo": num(lo), "hi": num(hi)}
        tex = (
            rf"{_lhs(ch)} = \mathrm{{clip}}\Big(\frac{{x - {nums['lo']}}}"
            rf"{{{nums['hi']} - {nums['lo']}}},\ 0,\ 1\Big)"
        )
        parts.append((ch, tex, nums))
    tail = rf"\qquad(p_{{{num(cut[0])}\%}},\ p_{{{num(cut[1])}\%}})"
    return parts, tail


def clahe_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """CLAHE: the tile blend, with the tiles and the clip limit."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    nums = {"tiles": str(int(p["tiles"])), "clip_limit": num(p["clip_limit"])}
    # \allowbreak between the pieces: on a narrow column the line wraps there (app.py lets
    # display formulas wrap); a long \text{} box or subscript cannot wrap inside.
    tex = (
        r"x' = \sum_{t\,\in\,N_4(\mathbf{p})} w_t(\mathbf{p})\,\mathrm{cdf}_t(x),\quad\allowbreak"
        r" N_4(\mathbf{p}):\ \text{the 4 nearest of }\allowbreak"
        rf"{nums['tiles']} \times {nums['tiles']}\text{{ tiles}},\quad\allowbreak"
        r"\text{each tile's histogram}\allowbreak\ \text{clipped at }"
        rf"{nums['clip_limit']} \times \text{{its pixels}}"
    )
    parts.append(("all", tex, nums))
    return parts, tail


def match_formula(p: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Terms:
    """Histogram matching: ``cdf_ref^-1(cdf(x))`` (no numbers: two whole distributions)."""
    parts: list[tuple[str, str, dict[str, str]]] = []
    tail = ""
    tex = r"x' = \mathrm{cdf}_{\mathrm{ref}}^{-1}\big(\mathrm{cdf}(x)\big)"
    parts.append(("all", tex, {}))
    return parts, tail
