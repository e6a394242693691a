"""Applying pointwise maps to images (private; see ``normviz.intensity``).

A pointwise map is one function per channel from input intensities (float64 array, input units)
to output values. Integer images are mapped through a lookup table evaluated once per level, so
the result equals the function evaluated in float64 at every pixel, rounded to float32; float
images evaluate the function on the pixels directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from normviz.intensity._histogram import INT_LEVELS, as_hwc

Curve = Callable[[np.ndarray], np.ndarray]

_LITTLE_ENDIAN = sys.byteorder == "little"
_PAIR_BLOCK = 1 << 15  # uint16 pairs gathered per block (their 64-bit indices stay in cache)


@dataclass(frozen=True)
class PointMap:
    """One pointwise function per channel (one shared function if length 1).

    ``affine`` optionally states the same map as ``clip((x - shift) / div * mul + add, lo, hi)``
    with per-channel (C,) ``shift, div, mul, add`` arrays and ``clip = (lo, hi)`` (scalars or
    (C,) arrays): a fast path of a few in-place float32 passes instead of a lookup table.
    """

    funcs: tuple[Curve, ...]
    affine: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    clip: tuple[Any, Any] | None = None

    def evaluate(self, x: np.ndarray, n_channels: int) -> np.ndarray:
        """(C, K) float64 values of every channel's function at the (K,) points ``x``."""
        x = np.asarray(x, dtype=np.float64)
        rows = [np.broadcast_to(np.asarray(f(x), np.float64), x.shape) for f in self.funcs]
        return np.stack([rows[c % len(rows)] for c in range(n_channels)])


def affine_map(
    shift: Sequence[float] | np.ndarray,
    div: Sequence[float] | np.ndarray,
    mul: Sequence[float] | np.ndarray | float = 1.0,
    add: Sequence[float] | np.ndarray | float = 0.0,
    clip: tuple[Any, Any] | None = None,
) -> PointMap:
    """Return a :class:`PointMap` of ``clip((x - shift[c]) / div[c] * mul[c] + add[c], *clip)``."""
    shift = np.atleast_1d(np.asarray(shift, np.float64))
    n = shift.size
    div, mul, add = (np.broadcast_to(np.asarray(v, np.float64), (n,)) for v in (div, mul, add))
    lo, hi = (None, None) if clip is None else clip
    lows = None if lo is None else np.broadcast_to(np.asarray(lo, np.float64), (n,))
    highs = None if hi is None else np.broadcast_to(np.asarray(hi, np.float64), (n,))

    def make(c: int) -> Curve:
        def f(x: np.ndarray) -> np.ndarray:
            dt = x.dtype.type  # same rounding order as the fast path
            y = (x - dt(shift[c])) / dt(div[c]) * dt(mul[c]) + dt(add[c])
            return y if lows is None else np.clip(y, lows[c], highs[c])

        return f

    return PointMap(tuple(make(c) for c in range(n)), (shift, div, mul, add), clip)


def _row(v: Any, n_channels: int, width: int, dtype: type = np.float32) -> Any:
    """Return per-channel values as one scalar if they are all equal, else tiled along one row.

    A scalar keeps NumPy's fast SIMD loops; the tiled row is (width * C,) of ``dtype``.
    """
    v = np.broadcast_to(np.asarray(v, dtype), (n_channels,))
    if (v == v[0]).all():
        return v[0]
    return np.tile(v, width)


def _apply_affine(x3: np.ndarray, pmap: PointMap) -> np.ndarray:
    """Apply the affine fast path: a few in-place float32 passes over (H, W * C) rows.

    Per-channel vectors are tiled along a whole row so NumPy's inner loops stay long (broadcasting
    a (C,) vector over the last axis would make them C elements long).
    """
    assert pmap.affine is not None
    h, w, c = x3.shape
    shift, div, mul, add = pmap.affine
    x2 = x3.reshape(h, w * c)
    out = np.empty((h, w * c), np.float32)
    if x3.dtype == np.float64:  # subtract in float64 so a large offset does not cancel digits
        np.subtract(x2, _row(shift, c, w, np.float64), out=out, casting="same_kind")
    else:
        np.subtract(x2, _row(shift, c, w), out=out, dtype=np.float32)
    if np.any(div != 1.0):
        np.divide(out, _row(div, c, w), out=out)
    if np.any(mul != 1.0):
        np.multiply(out, _row(mul, c, w), out=out)
    if np.any(add != 0.0):
        np.add(out, _row(add, c, w), out=out)
    if pmap.clip is not None:
        np.clip(out, _row(pmap.clip[0], c, w), _row(pmap.clip[1], c, w), out=out)
    return out.reshape(x3.shape)


def _gather_u8_shared(x3: np.ndarray, lut: np.ndarray) -> np.ndarray | None:
    """Map an (H, W, C) uint8 image through one 256-entry float32 table with Pillow, or None.

    The pixels are viewed (without a copy) as a Pillow palette image whose 256 palette entries
    are the table's float32 bytes, and Pillow's C "P" -> "RGBA" conversion writes each pixel's
    4 bytes straight into the float32 output (bit-exact, NaN and signs included). None if this
    Pillow lacks the buffer mapping or ``convert_into``.
    """
    h, w, c = x3.shape
    x = np.ascontiguousarray(x3).reshape(h, w * c)
    out = np.empty((h, w * c), np.float32)
    try:
        src = Image.core.map_buffer(x, (w * c, h), "raw", 0, ("P", 0, 1))
        src.putpalette("RGBA", "RGBA", np.ascontiguousarray(lut, np.float32).tobytes())
        src.convert_into(Image.core.map_buffer(out, (w * c, h), "raw", 0, ("RGBA", 0, 1)))
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - other Pillow versions
        return None
    return out.reshape(x3.shape)


def _gather_u8_pairs(x3: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """Map an (H, W, C) uint8 image through per-channel (C, 256) float32 tables, two at a time.

    The flat pixel bytes are read as uint16 pairs and gathered from tables of 65536 float32
    pairs (as uint64), one table per channel phase of a pair (C = 3: (R, G), (B, R), (G, B)).
    Half as many gathers as single values; indices are built a block at a time in cache.
    """
    c = x3.shape[2]
    flat = np.ascontiguousarray(x3).reshape(-1)
    n = flat.size
    half = n // 2
    out = np.empty(n, np.float32)
    phases = c if c % 2 else c // 2  # pair p covers channels (2p mod C, 2p + 1 mod C)
    u = np.ascontiguousarray(luts, np.float32).view(np.uint32).astype(np.uint64)
    # entry (hi << 8 | lo) of phase k holds the float32 pair (lut[2k % C][lo], lut[(2k+1) % C][hi])
    table = np.concatenate(
        [
            (u[2 * k % c][None, :] | (u[(2 * k + 1) % c][:, None] << 32)).ravel()
            for k in range(phases)
        ]
    )
    pairs, out64 = flat[: 2 * half].view(np.uint16), out[: 2 * half].view(np.uint64)
    block = _PAIR_BLOCK - _PAIR_BLOCK % phases
    offsets = np.tile(np.arange(phases, dtype=np.intp) << 16, block // phases)
    idx = np.empty(block, np.intp)
    for s in range(0, half, block):
        m = min(block, half - s)
        np.add(pairs[s : s + m], offsets[:m], out=idx[:m])
        np.take(table, idx[:m], out=out64[s : s + m], mode="wrap")  # indices are in range
    if n % 2:
        out[-1] = luts[(n - 1) % c, flat[-1]]
    return out.reshape(x3.shape)


def _apply_luts(x3: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """Map an (H, W, C) integer image through per-channel (C, levels) float32 tables.

    uint8: one shared table goes through Pillow (:func:`_gather_u8_shared`), per-channel tables
    through paired gathers (:func:`_gather_u8_pairs`). Otherwise one flat table of
    ``C * levels`` entries indexed by ``level + levels * channel``, built and gathered a few rows
    at a time: the index stays in cache, the inner loops stay long, and no 64-bit index array of
    the whole image is ever made (``np.take`` on a uint8 image does that).
    """
    h, w, c = x3.shape
    levels = luts.shape[1]
    shared = c == 1 or bool((luts == luts[:1]).all())
    if x3.dtype == np.uint8:
        if shared:
            out = _gather_u8_shared(x3, luts[0])
            if out is not None:
                return out
        elif _LITTLE_ENDIAN:
            return _gather_u8_pairs(x3, luts)
    if c > 1 and shared:  # one shared table: index with the pixels directly
        return _apply_luts(x3.reshape(h, w * c, 1), luts[:1]).reshape(x3.shape)
    flat = luts.reshape(-1)
    idx_dtype = np.uint16 if c * levels <= 65536 else np.uint32
    offsets = np.tile((np.arange(c) * levels).astype(idx_dtype), w)
    x2 = x3.reshape(h, w * c)
    out = np.empty((h, w * c), np.float32)
    rows = max(1, (1 << 17) // (w * c))
    idx = np.empty((rows, w * c), idx_dtype)
    for r in range(0, h, rows):
        n = min(rows, h - r)
        if c == 1:  # no channel offset to add
            out[r : r + n] = flat[x2[r : r + n]]
        else:
            np.add(x2[r : r + n], offsets, out=idx[:n], dtype=idx_dtype)
            out[r : r + n] = flat[idx[:n]]
    return out.reshape(x3.shape)


def _affine_lut(pmap: PointMap, n_channels: int) -> np.ndarray:
    """Return the (C, 256) float32 table of the affine fast path at every uint8 level.

    It runs the same float32 operations on the same values, so mapping through it is
    bit-identical to the passes.
    """
    levels = np.repeat(np.arange(256, dtype=np.uint8), n_channels).reshape(1, 256, n_channels)
    return np.ascontiguousarray(_apply_affine(levels, pmap)[0].T)


def apply_map(img: np.ndarray, pmap: PointMap) -> np.ndarray:
    """Return ``pmap`` applied to every pixel of ``img`` as float32 of the same shape."""
    x3 = as_hwc(img)
    c = x3.shape[2]
    if pmap.affine is not None:
        if img.dtype == np.uint8:  # one shared table is one Pillow pass instead of 2 to 4
            luts = _affine_lut(pmap, c)
            if (luts == luts[:1]).all():
                return _apply_luts(x3, luts).reshape(img.shape)
        return _apply_affine(x3, pmap).reshape(img.shape)
    if img.dtype in INT_LEVELS:
        levels = INT_LEVELS[img.dtype]
        luts = pmap.evaluate(np.arange(levels), c).astype(np.float32)
        return _apply_luts(x3, luts).reshape(img.shape)
    out = np.empty(x3.shape, np.float32)
    work = x3.astype(np.float32) if x3.dtype == np.float16 else x3
    for i in range(c):
        f = pmap.funcs[i % len(pmap.funcs)]
        out[..., i] = f(work[..., i])
    return out.reshape(img.shape)
