"""Histograms of the image lesson: :func:`histogram_info` merges bins, the plots draw them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from normviz.figures._theme import DARK, MUTED, rgba
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    CUMULATIVE_DASH,
    HistogramLike,
    channel_dash,
    channel_names,
)
from normviz.figures.images._style import (
    _LABEL_STEP,
    RIGHT_ROOM,
    TITLE_STANDOFF,
    _band,
    _direct_label,
    _layout,
    _vline,
    plot_empty,
)

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


def plot_histogram(
    hist: HistogramLike,
    *,
    cumulative: bool = True,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    x_title: str = "intensity",
    log_y: bool = False,
    markers: Mapping[str, float] | None = None,
    shade_outside: tuple[float, float] | None = None,
    title: str | None = None,
    height: int = 230,
    max_bins: int = MAX_BARS,
) -> go.Figure:
    """Return per-channel histograms (filled steps) with their cumulative curves.

    Parameters
    ----------
    hist : Histogram-like
        ``counts`` (C, bins) and ``edges`` (bins + 1,), e.g. from ``normviz.intensity.histogram``.
        Bins are merged down to ``max_bins`` so the payload stays small.
    cumulative : bool
        Also draw each channel's cumulative fraction (0..1, dotted, right axis).
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`); colours follow :data:`CHANNEL_COLORS`.
    x_range : (float, float), optional
        Fixed x-axis range (default: the first and last edge).
    x_title : str
        Label of the x axis.
    log_y : bool
        Logarithmic count axis (shows a few outliers next to millions of pixels).
    markers : mapping of str to float, optional
        Vertical dotted lines with labels, e.g. ``{"low": 12.0, "high": 230.0}`` for clip bounds.
    shade_outside : (float, float), optional
        Shade x outside this interval (e.g. values a display mapping saturates).
    title : str, optional
        Figure title.
    height : int
        Height in pixels (fixed, independent of the image).
    max_bins : int
        Most bars per channel.

    Returns
    -------
    go.Figure
        One filled trace per channel (``name`` = channel name), plus one cumulative trace per
        channel on ``yaxis2`` (fixed range [0, 1]) when ``cumulative``. Empty input gives
        :func:`plot_empty`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(counts=np.array([[1, 3, 0, 4]]), edges=np.arange(5.0))
    >>> fig = plot_histogram(h)
    >>> [t.name for t in fig.data], list(fig.layout.xaxis.range)
    (['grey', 'grey cumulative'], [0.0, 4.0])
    """
    info = histogram_info(hist, max_bins)
    if info is None:
        return plot_empty("no pixels to count", height=height, title=title)
    n_ch = info.counts.shape[0]
    names = tuple(names) if names is not None else channel_names(n_ch)
    if len(names) != n_ch:
        raise ValueError(f"expected {n_ch} channel names (got {len(names)})")
    x = info.edges
    fill_alpha = 0.35 if n_ch == 1 else 0.18
    data: list[dict[str, Any]] = []
    for i, (name, row) in enumerate(zip(names, info.counts, strict=True)):
        colour = CHANNEL_COLORS.get(name, MUTED)
        data.append({
            "type": "scatter", "x": x, "y": np.append(row, row[-1]), "name": name,
            "mode": "lines",
            "line": {"shape": "hv", "width": 1.4, "color": colour, "dash": channel_dash(name, i)},
            "fill": "tozeroy", "fillcolor": rgba(colour, fill_alpha),
            "hovertemplate": f"{name}: %{{y:,.0f}} px at %{{x:.4g}}<extra></extra>",
        })  # fmt: skip
    if cumulative:
        for name, row in zip(names, info.counts, strict=True):
            data.append({
                "type": "scatter", "x": x, "name": f"{name} cumulative", "mode": "lines",
                "y": np.concatenate([[0.0], np.cumsum(row) / max(row.sum(), 1.0)]), "yaxis": "y2",
                "line": {"color": CHANNEL_COLORS.get(name, MUTED), "width": 1.5,
                         "dash": CUMULATIVE_DASH},
                "hovertemplate": f"{name}: %{{y:.1%}} of pixels <= %{{x:.4g}}<extra></extra>",
            })  # fmt: skip
    lo, hi = x_range if x_range is not None else (float(x[0]), float(x[-1]))
    shapes, notes = [], []
    if shade_outside is not None:
        a, b = shade_outside
        if a > lo:
            shapes.append(_band(lo, a))
        if b < hi:
            shapes.append(_band(b, hi))
    for label, value in (markers or {}).items():
        if np.isfinite(value):
            shapes.append(_vline(float(value), DARK, "dash"))
            notes.append({
                "text": label, "x": float(value), "y": 1.0, "xref": "x", "yref": "paper",
                "showarrow": False, "yanchor": "bottom", "font": {"size": 11},
            })  # fmt: skip
    top = float(info.counts.max())
    if n_ch > 1:
        notes += _histogram_labels(names, info, log_y=log_y, cumulative=cumulative)
    yaxis: dict[str, Any] = {"title": {"text": "pixels", "standoff": TITLE_STANDOFF}}
    if log_y:
        yaxis.update(type="log", range=[0, np.log10(max(top, 1.0)) + 0.15])
    else:
        yaxis.update(range=[0, top * 1.08], tickformat="~s")
    layout = _layout(
        height=height, title=title, hovermode="x", shapes=shapes, annotations=notes,
        xaxis={"range": [lo, hi], "title": {"text": x_title, "standoff": TITLE_STANDOFF}},
        yaxis=yaxis,
    )  # fmt: skip
    if cumulative:
        layout["yaxis2"] = {
            "overlaying": "y", "side": "right", "range": [0, 1.02], "showgrid": False,
            "tickformat": ".0%", "tickvals": [0, 0.5, 1], "zeroline": False, "automargin": False,
        }  # fmt: skip
        layout["margin"]["r"] = RIGHT_ROOM  # fixed labels: fixed room (see _style)
    return go.Figure(data=data, layout=layout)


def _histogram_labels(
    names: Sequence[str], info: HistogramInfo, *, log_y: bool, cumulative: bool
) -> list[dict[str, Any]]:
    """Return the direct labels: each channel's name at its histogram's peak or at its median.

    On a cumulative curve the label sits where that curve crosses 50 % (the channel's median).
    """
    centres = 0.5 * (info.edges[:-1] + info.edges[1:])
    labels = []
    for i, (name, row) in enumerate(zip(names, info.counts, strict=True)):
        peak = int(np.argmax(row))
        y = float(np.log10(max(row[peak], 1.0))) if log_y else float(row[peak])
        labels.append(_direct_label(name, float(centres[peak]), y, i))
    if cumulative:
        for i, (name, row) in enumerate(zip(names, info.counts, strict=True)):
            cdf = np.cumsum(row) / max(row.sum(), 1.0)
            median = float(info.edges[1:][min(int(np.searchsorted(cdf, 0.5)), cdf.size - 1)])
            labels.append(_direct_label(
                name, median, 0.5, i, yref="y2", xanchor="left", xshift=3, yanchor="middle",
                yshift=-_LABEL_STEP * i,
            ))  # fmt: skip
    return labels
