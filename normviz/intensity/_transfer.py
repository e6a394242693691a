"""Pointwise maps fitted from image statistics (private; see ``normviz.intensity``).

Each builder turns :class:`ImageStats` (and parameters) into a :class:`PointMap`: one function per
channel from input intensities to output values. The same map is applied to pixels (through a
lookup table for integer images) and sampled for transfer curves, so a curve and an image always
agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from normviz._checks import check_choice
from normviz.intensity._histogram import Histogram, ImageStats, quantiles
from normviz.intensity._lut import Curve, PointMap, affine_map


def _zeros(x: np.ndarray) -> np.ndarray:
    return np.zeros_like(x)


def _per_channel_or_global(
    s: ImageStats, a: np.ndarray, b: np.ndarray, per_channel: bool
) -> tuple[np.ndarray, np.ndarray]:
    return (a, b) if per_channel else (np.atleast_1d(a.min()), np.atleast_1d(b.max()))


def global_moments(s: ImageStats) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population std of all channels pooled, as (1,) arrays (exact pooling)."""
    n = s.fine.counts.sum(axis=1).astype(np.float64)
    total = n.sum()
    if total == 0:
        return np.zeros(1), np.zeros(1)
    mean = float(np.dot(n, s.mean) / total)
    var = float(np.dot(n, s.std**2 + (s.mean - mean) ** 2) / total)
    return np.array([mean]), np.array([np.sqrt(max(var, 0.0))])


def scale_bounds(s: ImageStats, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the min and max min-max scaling maps to ``lo`` and ``hi``: (C,) or pooled (1,)."""
    return _per_channel_or_global(s, s.minimum, s.maximum, per_channel)


def scale_map(s: ImageStats, lo: float, hi: float, per_channel: bool) -> PointMap:
    """``lo + (hi - lo) * (x - min) / (max - min)``, exact at both ends; constant -> ``lo``."""
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"expected finite lo < hi (got lo={lo}, hi={hi})")
    mins, maxs = scale_bounds(s, per_channel)
    f32 = np.float32
    if lo == 0.0 or f32(f32(hi - lo) + f32(lo)) == f32(hi):
        # fast path, still exact at both ends: (max - min) / (max - min) == 1 in any rounding.
        # No clipping pass: pixels of the image (or of its area-averaged preview) lie in
        # [min, max], so the result lies in [lo, hi].
        ok = maxs > mins
        span = np.where(ok, maxs - mins, 1.0)
        return affine_map(mins, span, np.where(ok, hi - lo, 0.0), lo)

    def make(mn: float, mx: float) -> Curve:
        if mx <= mn:
            return lambda x: np.full_like(x, lo)

        def f(x: np.ndarray) -> np.ndarray:
            dt = x.dtype.type  # the same rounding for x - mn and mx - mn: t(max) == 1 exactly
            t = (x - dt(mn)) / (dt(mx) - dt(mn))
            return np.clip(t * dt(hi) + (1 - t) * dt(lo), lo, hi)

        return f

    return PointMap(tuple(make(float(a), float(b)) for a, b in zip(mins, maxs, strict=True)))


def clip_map(low: Any, high: Any, n_channels: int) -> PointMap:
    """``clip(x, low[c], high[c])`` in input units."""
    for name, v in (("low", low), ("high", high)):
        if np.ndim(v) > 1 or (np.ndim(v) == 1 and np.size(v) not in (1, n_channels)):
            raise ValueError(
                f"{name} must be a scalar or have one value per channel ({n_channels}) "
                f"(got shape {np.shape(v)})"
            )
    lows = np.broadcast_to(np.asarray(low, np.float64).ravel(), (n_channels,))
    highs = np.broadcast_to(np.asarray(high, np.float64).ravel(), (n_channels,))
    if np.isnan(lows).any() or np.isnan(highs).any() or (lows > highs).any():
        raise ValueError(f"expected low <= high (got low={low}, high={high})")

    return affine_map(np.zeros(n_channels), 1.0, 1.0, 0.0, (lows, highs))


def log_constants(s: ImageStats) -> tuple[float, float]:
    """``(shift, top)`` of log scaling: ``shift = min(0, min)``, ``top = max - shift``."""
    shift = min(0.0, float(s.minimum.min()))
    return shift, float(s.maximum.max()) - shift


def log_map(s: ImageStats) -> PointMap:
    """``log1p(x - shift) / log1p(top)`` with :func:`log_constants`; clipped to [0, 1]."""
    shift, top = log_constants(s)
    denom = float(np.log1p(top))
    if denom <= 0.0:
        return PointMap((_zeros,))

    def f(x: np.ndarray) -> np.ndarray:
        return np.clip(np.log1p(x - shift) / denom, 0.0, 1.0)

    return PointMap((f,))


def zscore_moments(s: ImageStats, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and std a z-score divides by: (C,) per channel, else (1,) pooled exactly."""
    return (s.mean, s.std) if per_channel else global_moments(s)


def zscore_map(s: ImageStats, per_channel: bool) -> PointMap:
    """``(x - mean) / std`` with :func:`zscore_moments`; zero variance -> zeros."""
    mean, std = zscore_moments(s, per_channel)
    ok = std > 0
    return affine_map(np.where(ok, mean, 0.0), np.where(ok, std, 1.0), np.where(ok, 1.0, 0.0))


def stretch_bounds(s: ImageStats, bounds: np.ndarray) -> np.ndarray:
    """Return the (C, 2) float64 ``(lo, hi)`` that auto contrast stretches to [0, 1].

    These are the percentile ``bounds``, or min and max where they coincide (``lo == hi`` left
    means a constant channel).
    """
    out = np.array(bounds, dtype=np.float64).reshape(-1, 2)
    same = bool(np.all(out == out[0]))
    for c, (lo, hi) in enumerate(out):
        if hi <= lo:
            out[c] = (s.minimum.min(), s.maximum.max()) if same else (s.minimum[c], s.maximum[c])
    return out


def autocontrast_map(s: ImageStats, bounds: np.ndarray) -> PointMap:
    """``clip((x - lo) / (hi - lo), 0, 1)`` per channel with :func:`stretch_bounds`."""
    lows, spans = np.zeros(len(bounds)), np.ones(len(bounds))
    mul = np.zeros(len(bounds))
    for c, (lo, hi) in enumerate(stretch_bounds(s, bounds)):
        if hi > lo:
            lows[c], spans[c], mul[c] = lo, hi - lo, 1.0
    return affine_map(lows, spans, mul, 0.0, (0.0, 1.0))


def _table_curve(table: np.ndarray) -> Curve:
    """Integer-level lookup: the function of a map defined on levels 0..L-1."""

    def f(x: np.ndarray) -> np.ndarray:
        idx = np.clip(np.asarray(x, np.float64), 0, table.size - 1).astype(np.intp)
        return table[idx]

    return f


def _interp_curve(xp: np.ndarray, fp: np.ndarray) -> Curve:
    def f(x: np.ndarray) -> np.ndarray:
        return np.interp(x, xp, fp).astype(x.dtype if x.dtype.kind == "f" else np.float64)

    return f


def equalize_map(fine: Histogram, s: ImageStats) -> PointMap:
    """Per-channel equalization from a fine histogram (see ``equalize``'s Notes)."""
    counts, edges = fine
    integer = s.is_integer
    funcs = []
    for row in counts:
        cum = np.cumsum(row)
        n = int(cum[-1])
        nz = np.flatnonzero(row)
        if nz.size <= 1:  # constant (float: within one fine bin)
            funcs.append(_zeros)
            continue
        if integer:
            h = cum[nz[0]]
            funcs.append(_table_curve(np.clip((cum - h) / (n - h), 0.0, 1.0)))
        else:
            funcs.append(_interp_curve(edges, np.concatenate([[0.0], cum / n])))
    return PointMap(tuple(funcs))


def match_map(s: ImageStats, r: ImageStats) -> PointMap:
    """Per-channel histogram matching of ``s``'s distribution onto ``r``'s."""
    if r.n_channels not in (1, s.n_channels):
        raise ValueError(
            f"expected a reference with 1 or {s.n_channels} channels (got {r.n_channels})"
        )
    funcs = []
    for c in range(s.n_channels):
        ref = r.fine.counts[c % r.n_channels]
        nz = np.flatnonzero(ref)
        r_edges = r.fine.edges
        ref_vals = nz.astype(np.float64) if r.is_integer else (r_edges[nz] + r_edges[nz + 1]) / 2
        ref_q = np.cumsum(ref[nz]) / ref.sum()
        src = s.fine.counts[c]
        src_q = np.cumsum(src) / src.sum()
        if s.is_integer:
            funcs.append(_table_curve(np.interp(src_q, ref_q, ref_vals)))
        else:
            snz = np.flatnonzero(src)
            centers = (s.fine.edges[snz] + s.fine.edges[snz + 1]) / 2
            funcs.append(_interp_curve(centers, np.interp(src_q[snz], ref_q, ref_vals)))
    return PointMap(tuple(funcs))


def luma_stats(s: ImageStats) -> ImageStats:
    """One-channel statistics of the luminance Y (for luminance equalization and its curve)."""
    if s.luma is None:
        raise ValueError(f"luminance mode needs a grey or RGB image (got {s.n_channels} channels)")
    counts, edges = s.luma
    nz = np.flatnonzero(counts[0])
    if s.is_integer:
        lo, hi = float(nz[0]), float(nz[-1])
    else:
        lo, hi = float(edges[nz[0]]), float(edges[nz[-1] + 1])
    z = np.zeros(1)
    return ImageStats(np.array([lo]), np.array([hi]), z, z, s.n_pixels, s.luma, None)


def percentile_bounds(stats: ImageStats, q: tuple[float, ...], per_channel: bool) -> np.ndarray:
    """Percentiles ``q`` (%) from the fine histogram: (len(q),) or (C, len(q)) float64."""
    q_arr = np.atleast_1d(np.asarray(q, np.float64))
    if q_arr.ndim != 1 or not np.all((q_arr >= 0) & (q_arr <= 100)):
        raise ValueError(f"percentiles q must be in [0, 100] (got {q})")
    counts, edges = stats.fine
    if per_channel:
        return np.stack(
            [
                quantiles(counts[c], edges, q_arr, stats.minimum[c], stats.maximum[c])
                for c in range(stats.n_channels)
            ]
        )
    return quantiles(counts.sum(0), edges, q_arr, stats.minimum.min(), stats.maximum.max())


def cutoff_bounds(s: ImageStats, cutoff: tuple[float, float], per_channel: bool) -> np.ndarray:
    """(C, 2) low/high percentile bounds for a ``cutoff = (low %, high %)``."""
    lo_q, hi_q = (float(v) for v in cutoff)
    if not (0.0 <= lo_q < hi_q <= 100.0):
        raise ValueError(f"cutoff must satisfy 0 <= low < high <= 100 (got {cutoff})")
    b = percentile_bounds(s, (lo_q, hi_q), per_channel)
    return b if per_channel else np.broadcast_to(b, (s.n_channels, 2))


# --- each pointwise technique's fitted map, linked from its TECHNIQUES entry (``Technique.fit``)
# ``fit(s, p) -> (PointMap, ImageStats)``: the map and the statistics whose intensities it maps.


def scale_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return min-max scaling's map to ``[p["lo"], p["hi"]]``."""
    return scale_map(s, p["lo"], p["hi"], p["per_channel"]), s


def clip_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return clipping's map at ``low``/``high`` if given, else at the ``q`` percentiles."""
    b = cutoff_bounds(s, p["q"], p["per_channel"])
    low, high = p.get("low"), p.get("high")
    low, high = b[:, 0] if low is None else low, b[:, 1] if high is None else high
    return clip_map(low, high, s.n_channels), s


def log_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return log scaling's map (no parameters)."""
    return log_map(s), s


def zscore_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return the z-score map, per channel or pooled."""
    return zscore_map(s, p["per_channel"]), s


def equalize_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return equalization's map: per channel, or of the luminance Y (its stats returned)."""
    check_choice(p["mode"], ("per_channel", "luminance"), "mode")
    if p["mode"] == "luminance" and s.n_channels != 1:
        ls = luma_stats(s)
        return equalize_map(ls.fine, ls), ls
    return equalize_map(s.fine, s), s


def autocontrast_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return the percentile stretch's map."""
    return autocontrast_map(s, cutoff_bounds(s, p["cutoff"], p["per_channel"])), s


def match_fit(s: ImageStats, p: dict[str, Any]) -> tuple[PointMap, ImageStats]:
    """Return the matching map onto ``p["reference_stats"]`` (ValueError without them)."""
    rs = p.get("reference_stats")
    if not isinstance(rs, ImageStats):
        raise ValueError("the 'match' transfer curve needs reference_stats=ImageStats")
    return match_map(s, rs), s


def curve_x(s: ImageStats) -> np.ndarray:
    """Ascending sample intensities (K <= 1024) from the minimum to the maximum of ``s``."""
    lo, hi = float(s.minimum.min()), float(s.maximum.max())
    if s.is_integer:
        n = int(hi - lo) + 1
        return np.unique(np.round(np.linspace(lo, hi, min(n, 1024))))
    return np.linspace(lo, hi, 1024) if hi > lo else np.array([lo])
