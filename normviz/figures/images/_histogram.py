"""Histograms of the image lesson: :func:`histogram_info` merges the bins the HTML chart draws."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from normviz.figures.images._channels import HistogramLike

MAX_BARS = 256


class HistogramInfo(NamedTuple):
    """A histogram ready to draw (:func:`histogram_info`).

    Attributes
    ----------
    counts : (C, k) float64
        Counts per channel, merged into at most ``max_bins`` bins (totals unchanged).
    edges : (k + 1,) float64
        Ascending, finite bin edges.
    """

    counts: np.ndarray
    edges: np.ndarray


def coarsen_histogram(
    counts: np.ndarray, edges: np.ndarray, max_bins: int = MAX_BARS
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(counts, edges)`` merged into at most ``max_bins`` contiguous bins.

    Parameters
    ----------
    counts : (C, bins) or (bins,) array of integers or floats
        Counts per channel; a 1D array is one channel.
    edges : (bins + 1,) array
        Ascending bin edges.
    max_bins : int
        Largest number of bins returned (>= 1).

    Returns
    -------
    counts : (C, k) float64 array, k = min(bins, max_bins); the total per channel is unchanged.
    edges : (k + 1,) float64 array, a subset of the input edges (first and last kept).

    Examples
    --------
    >>> c, e = coarsen_histogram(np.array([1, 2, 3, 4]), np.array([0.0, 1, 2, 3, 4]), 2)
    >>> c.tolist(), e.tolist()
    ([[3.0, 7.0]], [0.0, 2.0, 4.0])
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim != 1 or edges.size != counts.shape[1] + 1:
        raise ValueError(
            f"expected edges of shape ({counts.shape[1] + 1},) for {counts.shape[1]} bins "
            f"(got {edges.shape})"
        )
    if max_bins < 1:
        raise ValueError(f"max_bins must be >= 1 (got {max_bins})")
    n_bins = counts.shape[1]
    if n_bins <= max_bins:
        return counts, edges
    starts = np.unique(np.linspace(0, n_bins, max_bins + 1).astype(np.int64)[:-1])
    return np.add.reduceat(counts, starts, axis=1), np.append(edges[starts], edges[-1])


def histogram_info(hist: HistogramLike, max_bins: int = MAX_BARS) -> HistogramInfo | None:
    """Return ``hist`` merged into at most ``max_bins`` bins, or None if nothing can be drawn.

    Parameters
    ----------
    hist : Histogram-like
        ``counts`` (C, bins) or (bins,) and ``edges`` (bins + 1,).
    max_bins : int
        Most bins per channel (>= 1).

    Returns
    -------
    HistogramInfo or None
        None for no counts, a zero or non-finite total, or non-finite or empty edges.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> info = histogram_info(SimpleNamespace(counts=[1, 2, 3, 4], edges=np.arange(5.0)), 2)
    >>> info.counts.tolist(), info.edges.tolist()
    ([[3.0, 7.0]], [0.0, 2.0, 4.0])
    >>> histogram_info(SimpleNamespace(counts=[0, 0], edges=np.arange(3.0))) is None
    True
    """
    counts = np.atleast_2d(np.asarray(hist.counts, dtype=np.float64))
    edges = np.asarray(hist.edges, dtype=np.float64)
    if counts.size == 0 or edges.size < 2 or not np.isfinite(edges).all():
        return None
    if not np.isfinite(counts).all() or counts.sum() <= 0 or edges[-1] <= edges[0]:
        return None
    return HistogramInfo(*coarsen_histogram(counts, edges, max_bins))
