"""Applying pointwise maps to images (private; see ``normviz.intensity``).

A pointwise map is one function per channel from input intensities (float64 array, input units)
to output values. Integer images are mapped through a lookup table evaluated once per level, so
the result equals the function evaluated in float64 at every pixel, rounded to float32; float
images evaluate the function on the pixels directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from normviz._histogram import INT_LEVELS, as_hwc

Curve = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PointMap:
    """One monotone-or-not pointwise function per channel (one shared function if length 1).

    ``affine`` optionally states the same map as ``clip(x * scale + offset, lo, hi)`` with
    per-channel ``scale``/``offset`` (C,) arrays, which lets float images skip the generic path.
    """

    funcs: tuple[Curve, ...]
    affine: tuple[np.ndarray, np.ndarray] | None = None
    clip: tuple[float, float] | None = None

    def evaluate(self, x: np.ndarray, n_channels: int) -> np.ndarray:
        """(C, K) float64 values of every channel's function at the (K,) points ``x``."""
        x = np.asarray(x, dtype=np.float64)
        rows = [np.broadcast_to(np.asarray(f(x), np.float64), x.shape) for f in self.funcs]
        return np.stack([rows[c % len(rows)] for c in range(n_channels)])


def affine_map(
    scale: Sequence[float] | np.ndarray,
    offset: Sequence[float] | np.ndarray,
    clip: tuple[float, float] | None = None,
) -> PointMap:
    """A :class:`PointMap` computing ``clip(x * scale[c] + offset[c], *clip)``."""
    scale = np.atleast_1d(np.asarray(scale, np.float64))
    offset = np.atleast_1d(np.asarray(offset, np.float64))

    def make(a: float, b: float) -> Curve:
        def f(x: np.ndarray) -> np.ndarray:
            y = x * a + b
            return y if clip is None else np.clip(y, clip[0], clip[1])

        return f

    funcs = tuple(make(float(a), float(b)) for a, b in zip(scale, offset, strict=True))
    return PointMap(funcs, (scale, offset), clip)


def apply_map(img: np.ndarray, pmap: PointMap) -> np.ndarray:
    """Return ``pmap`` applied to every pixel of ``img`` as float32 of the same shape."""
    x3 = as_hwc(img)
    c = x3.shape[2]
    out = np.empty(x3.shape, np.float32)
    if img.dtype in INT_LEVELS:
        luts = pmap.evaluate(np.arange(INT_LEVELS[img.dtype]), c).astype(np.float32)
        for i in range(c):
            np.take(luts[i], x3[..., i], out=out[..., i])
    else:
        work = x3.astype(np.float32) if x3.dtype == np.float16 else x3
        for i in range(c):
            f = pmap.funcs[i % len(pmap.funcs)]
            out[..., i] = f(work[..., i])
    return out.reshape(img.shape)
