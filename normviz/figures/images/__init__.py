"""Plotly figures for the image-normalization lesson: records in, ``go.Figure`` out.

Every builder is pure and takes small records (a histogram's counts and edges, a transfer curve's
samples), never pixels, so a figure's payload does not depend on the image size: at most
``MAX_BARS`` bars per channel, at most 1024 curve points. Degenerate input (no counts, an empty
curve) gives an empty figure with a message, never an exception. Colours are fixed per channel
(:data:`CHANNEL_COLORS`) so the red channel is red in every plot of the page, and colour is never
the only cue: each channel also has its own dash pattern (:data:`CHANNEL_DASHES`; cumulative
curves are dotted) and, where several channels share a plot, a direct label on its curve, so a
reader who cannot tell red from green (deuteranopia) still knows which curve is which.

The histogram records are duck-typed: anything with ``counts`` ((C, bins) integers) and
``edges`` ((bins + 1,) ascending floats), like :class:`normviz.intensity.Histogram`; transfer
curves anything with ``x`` ((K,)) and ``y`` ((C, K)), like :class:`normviz.intensity.TransferCurve`.

Each figure is split as in Optuna's visualization: an ``*_info`` function computes a small record
from the data (:func:`histogram_info`, :func:`transfer_info`, :func:`display_bar_info`; tested
without Plotly), and a ``plot_*`` function draws it; styles come from
:mod:`normviz.figures._theme`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np
import plotly.graph_objects as go

from normviz.figures._theme import DARK, FONT, GRID, MUTED, NOTE_SIZE, rgba

MAX_BARS = 256
CHANNEL_COLORS: dict[str, str] = {
    "R": "#dc2626",
    "G": "#16a34a",
    "B": "#2563eb",
    "A": "#9333ea",
    "Y": "#334155",
    "grey": "#334155",
}
# Colour-independent cues: a dash pattern per channel ("dot" is kept for cumulative curves).
CHANNEL_DASHES: dict[str, str] = {
    "R": "solid",
    "G": "dash",
    "B": "dashdot",
    "A": "longdash",
    "Y": "solid",
    "grey": "solid",
}
CUMULATIVE_DASH = "dot"
_SPARE_DASHES = ("solid", "dash", "dashdot", "longdash", "longdashdot")
DASH_WORDS = {
    "solid": "solid", "dash": "dashed", "dashdot": "dash-dot", "longdash": "long-dashed",
    "longdashdot": "long-dash-dot", "dot": "dotted",
}  # fmt: skip
_LABEL_STEP = 12  # px between the direct labels of one plot, so they never overlap
_SHADE = "rgba(148, 163, 184, 0.18)"
_STAT_LABELS = {"minimum": "min", "maximum": "max", "mean": "mean", "std": "std"}
# Room for the axes' text, in px. Streamlit's chart theme pads the plot by 8 px (margin.pad):
# that pushed the colour bar's tick labels out of its 64 px, and squeezed the axis titles onto
# the tick labels. Every figure sets its own pad; axes push the margins to fit their labels
# (automargin) with a gap between the tick labels and the title (TITLE_STANDOFF).
MARGIN_PAD = 2
TICK_LEN = 5
TITLE_STANDOFF = 12
LINE_HEIGHT = 1.25  # a text line's height, in font sizes
AXIS_ROOM = int(MARGIN_PAD + TICK_LEN + 2 + 2 * LINE_HEIGHT * FONT["size"] + TITLE_STANDOFF) + 1
"""Bottom margin that holds tick labels and an axis title below them (52 px at 12 px)."""


class HistogramLike(Protocol):
    """What the builders need from a histogram: ``counts`` (C, bins) and ``edges`` (bins + 1,)."""

    counts: np.ndarray
    edges: np.ndarray


class CurveLike(Protocol):
    """What the builders need from a transfer curve: ``x`` (K,) and ``y`` (C, K)."""

    x: np.ndarray
    y: np.ndarray


class StatsLike(Protocol):
    """Per-channel ``minimum``, ``maximum``, ``mean`` and ``std``, each (C,)."""

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray


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


class TransferInfo(NamedTuple):
    """A transfer curve ready to draw (:func:`transfer_info`).

    Attributes
    ----------
    x : (K,) float64
        Ascending input intensities where every channel's output is finite.
    y : (C, K) float64
        Output of each channel at ``x``.
    same : bool
        All channels give the same output (the curve is drawn once, "all channels").
    """

    x: np.ndarray
    y: np.ndarray
    same: bool


class DisplayBarInfo(NamedTuple):
    """The display mapping ``[lo, hi] -> [black, white]`` sampled for a grey bar.

    Attributes
    ----------
    lo, hi : float
        The values shown black and white.
    x : (61,) float64
        Values from ``lo - pad`` to ``hi + pad``, ``pad`` a quarter of the span.
    z : (1, 61) float64
        Grey level of each value in [0, 1] (saturated beyond ``lo`` and ``hi``).
    """

    lo: float
    hi: float
    x: np.ndarray
    z: np.ndarray


def channel_names(n_channels: int) -> tuple[str, ...]:
    """Return the display names of ``n_channels`` channels: grey, RGB or RGBA.

    Examples
    --------
    >>> channel_names(1), channel_names(3)
    (('grey',), ('R', 'G', 'B'))
    >>> channel_names(2)
    ('ch0', 'ch1')
    """
    return {1: ("grey",), 3: ("R", "G", "B"), 4: ("R", "G", "B", "A")}.get(
        n_channels, tuple(f"ch{i}" for i in range(n_channels))
    )


def channel_dash(name: str, index: int = 0) -> str:
    """Return the dash pattern of channel ``name`` (the ``index``-th one if it has none).

    Examples
    --------
    >>> channel_dash("R"), channel_dash("G"), channel_dash("B"), channel_dash("ch1", 1)
    ('solid', 'dash', 'dashdot', 'dash')
    """
    return CHANNEL_DASHES.get(name, _SPARE_DASHES[index % len(_SPARE_DASHES)])


def line_legend(names: Sequence[str]) -> str:
    """Return how the channels' lines are told apart without colour, e.g. "R solid, G dashed".

    Examples
    --------
    >>> line_legend(("R", "G", "B"))
    'R solid, G dashed, B dash-dot'
    """
    return ", ".join(f"{n} {DASH_WORDS[channel_dash(n, i)]}" for i, n in enumerate(names))


def _direct_label(text: str, x: float, y: float, i: int, **where: Any) -> dict[str, Any]:
    """A channel's name written on its curve at (x, y); the i-th label of a plot is shifted down
    by ``i`` label heights so labels of coinciding curves stay readable."""
    return {
        "text": text, "x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False,
        "yanchor": "top", "yshift": -2 - _LABEL_STEP * i,
        "font": {"size": NOTE_SIZE, "color": DARK}, "bgcolor": "rgba(255, 255, 255, 0.75)",
        "borderpad": 1, **where,
    }  # fmt: skip


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


def _layout(*, height: int, title: str | None, **extra: Any) -> dict[str, Any]:
    """The shared light layout, as one dict (a single validation pass is ~10x faster)."""
    axis = {"gridcolor": GRID, "zeroline": False, "automargin": True}
    layout: dict[str, Any] = {
        "template": "none",
        "height": height,
        "margin": {"l": 48, "r": 12, "t": 30 if title else 8, "b": AXIS_ROOM, "pad": MARGIN_PAD},
        "font": FONT,
        "title": {"text": title or "", "font": {"size": 13}, "x": 0.0, "xanchor": "left"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "showlegend": False,
        "xaxis": {**axis, "ticks": "outside", "ticklen": TICK_LEN, "tickcolor": GRID},
        "yaxis": dict(axis),
    }
    for k, v in extra.items():
        layout[k] = {**layout[k], **v} if isinstance(layout.get(k), dict) else v
    return layout


def _vline(x: float, colour: str, dash: str = "solid") -> dict[str, Any]:
    return {
        "type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
        "line": {"color": colour, "width": 1.2, "dash": dash},
    }  # fmt: skip


def _band(x0: float, x1: float, *, vertical: bool = True) -> dict[str, Any]:
    ref = ({"xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1} if vertical
           else {"xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": x0, "y1": x1})  # fmt: skip
    return {"type": "rect", "fillcolor": _SHADE, "line": {"width": 0}, "layer": "below", **ref}


def plot_empty(message: str, *, height: int = 220, title: str | None = None) -> go.Figure:
    """Return an empty figure of fixed ``height`` that shows ``message`` in its middle.

    Examples
    --------
    >>> plot_empty("no data").layout.annotations[0].text
    'no data'
    """
    note = {
        "text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
        "showarrow": False, "font": {"size": 13, "color": MUTED},
    }  # fmt: skip
    layout = _layout(
        height=height, title=title, annotations=[note],
        xaxis={"visible": False}, yaxis={"visible": False},
    )  # fmt: skip
    return go.Figure(layout=layout)


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
            "tickformat": ".0%", "tickvals": [0, 0.5, 1], "zeroline": False, "automargin": True,
        }  # fmt: skip
        layout["margin"]["r"] = 40
    return go.Figure(data=data, layout=layout)


def _histogram_labels(
    names: Sequence[str], info: HistogramInfo, *, log_y: bool, cumulative: bool
) -> list[dict[str, Any]]:
    """Direct labels: each channel's name at its histogram's peak and, on its cumulative curve,
    where that curve crosses 50 % (the channel's median)."""
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


def plot_mini_histogram(
    hist: HistogramLike,
    *,
    names: Sequence[str] | None = None,
    height: int = 70,
    max_bins: int = 64,
) -> go.Figure:
    """Return a bare, small histogram (no axes, no cumulative curve) for a thumbnail grid.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(counts=np.ones((3, 256)), edges=np.linspace(0, 1, 257))
    >>> fig = plot_mini_histogram(h)
    >>> len(fig.data), len(fig.data[0].x), fig.layout.height
    (3, 65, 70)
    """
    fig = plot_histogram(hist, cumulative=False, names=names, height=height, max_bins=max_bins)
    fig.layout.annotations = ()  # too small for labels: the channels keep their dash patterns
    return fig.update_layout(
        margin={"l": 2, "r": 2, "t": 2, "b": 2, "pad": 0}, hovermode=False,
        xaxis_visible=False, yaxis_visible=False,
    )  # fmt: skip


def transfer_info(curve: CurveLike) -> TransferInfo | None:
    """Return the finite part of a transfer curve, or None if nothing is left to draw.

    Parameters
    ----------
    curve : TransferCurve-like
        ``x`` (K,) ascending input intensities, ``y`` (C, K) or (K,) outputs.

    Returns
    -------
    TransferInfo or None
        The samples where ``x`` and every channel's output are finite; None when there are
        none, or when ``y`` does not have one output per ``x``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=[0.0, 1.0, 2.0], y=[[0.0, np.nan, 1.0], [0.0, 5.0, 1.0]])
    >>> info = transfer_info(c)
    >>> info.x.tolist(), info.y.tolist(), info.same
    ([0.0, 2.0], [[0.0, 1.0], [0.0, 1.0]], True)
    """
    x = np.asarray(curve.x, dtype=np.float64)
    y = np.atleast_2d(np.asarray(curve.y, dtype=np.float64))
    if x.size == 0 or y.shape[1] != x.size:
        return None
    ok = np.isfinite(x) & np.isfinite(y).all(axis=0)
    if not ok.any():
        return None
    x, y = x[ok], y[:, ok]
    return TransferInfo(x, y, all(np.allclose(row, y[0]) for row in y[1:]))


def plot_transfer(
    curve: CurveLike | None,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    display_range: tuple[float, float] | None = None,
    x_title: str = "input intensity",
    y_title: str = "output",
    title: str | None = None,
    height: int = 230,
    empty_message: str = "This technique is local: no single transfer curve.",
) -> go.Figure:
    """Return the transfer curve output = f(input), one line per channel.

    Parameters
    ----------
    curve : TransferCurve-like or None
        ``x`` (K,) ascending input intensities, ``y`` (C, K) outputs. None (e.g. CLAHE, which
        is local) gives an empty figure with ``empty_message``.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`).
    x_range, y_range : (float, float), optional
        Fixed axis ranges (default: the curve's extent, y padded by 4 %).
    display_range : (float, float), optional
        Output interval shown from black to white; outputs outside it saturate on screen and are
        shaded, so an unbounded output (z-score) is never silently clipped.
    x_title, y_title, title : str
        Labels.
    height : int
        Height in pixels.
    empty_message : str
        Text of the empty figure.

    Returns
    -------
    go.Figure
        One line per channel (``name`` = channel name); identical channels are drawn once.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=np.array([0.0, 255.0]), y=np.array([[0.0, 1.0]]))
    >>> fig = plot_transfer(c, y_range=(0.0, 1.0))
    >>> fig.data[0].name, list(fig.layout.yaxis.range)
    ('grey', [0.0, 1.0])
    >>> plot_transfer(None).layout.annotations[0].text
    'This technique is local: no single transfer curve.'
    """
    if curve is None:
        return plot_empty(empty_message, height=height, title=title)
    info = transfer_info(curve)
    if info is None:
        return plot_empty("no transfer curve to draw", height=height, title=title)
    x, y, same = info
    names = tuple(names) if names is not None else channel_names(y.shape[0])
    if len(names) != y.shape[0]:
        raise ValueError(f"expected {y.shape[0]} channel names (got {len(names)})")
    x_lo, x_hi = x_range if x_range is not None else (float(x[0]), float(x[-1]))
    if y_range is None:
        y_lo, y_hi = float(y.min()), float(y.max())
        pad = 0.04 * (y_hi - y_lo) if y_hi > y_lo else 0.5
        y_range = (y_lo - pad, y_hi + pad)
    data: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for i, (name, row) in enumerate(zip(names, y, strict=True)):
        if same and i > 0:
            break
        label = "all channels" if same and len(names) > 1 else name
        data.append({
            "type": "scatter", "x": x, "y": row, "name": label, "mode": "lines",
            "line": {"color": "#334155" if same else CHANNEL_COLORS.get(name, MUTED),
                     "width": 2, "dash": "solid" if same else channel_dash(name, i)},
            "hovertemplate": f"{label}: %{{x:.4g}} -> %{{y:.4g}}<extra></extra>",
        })  # fmt: skip
        if not same and len(names) > 1:  # the name at the line's right end, inside the plot
            end = float(np.clip(row[-1], *sorted(y_range)))
            labels.append(_direct_label(name, float(x[-1]), end, i, xanchor="right"))
    shapes = []
    if display_range is not None:
        d_lo, d_hi = display_range
        if y_range[0] < d_lo:
            shapes.append(_band(y_range[0], d_lo, vertical=False))
        if y_range[1] > d_hi:
            shapes.append(_band(d_hi, y_range[1], vertical=False))
    layout = _layout(
        height=height, title=title, hovermode="closest", shapes=shapes, annotations=labels,
        xaxis={"range": [x_lo, x_hi], "title": {"text": x_title, "standoff": TITLE_STANDOFF}},
        yaxis={"range": list(y_range), "title": {"text": y_title, "standoff": TITLE_STANDOFF}},
    )  # fmt: skip
    return go.Figure(data=data, layout=layout)


def display_bar_info(lo: float, hi: float) -> DisplayBarInfo | None:
    """Return the display mapping ``[lo, hi] -> [black, white]`` sampled at 61 values.

    The samples reach a quarter of the span beyond each end, where the grey saturates. None for
    a non-finite or empty range.

    Examples
    --------
    >>> info = display_bar_info(0.0, 4.0)
    >>> info.x[[0, -1]].tolist(), info.z[0, [0, 10, 30, 50, 60]].tolist()
    ([-1.0, 5.0], [0.0, 0.0, 0.5, 1.0, 1.0])
    >>> display_bar_info(1.0, 1.0) is None
    True
    """
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return None
    pad = 0.25 * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, 61)
    z = np.clip((x - lo) / (hi - lo), 0.0, 1.0)[None, :]
    return DisplayBarInfo(float(lo), float(hi), x, z)


def plot_display_bar(
    lo: float, hi: float, *, unit: str = "", title: str | None = None, height: int = 64
) -> go.Figure:
    """Return a horizontal grey colour bar: the display mapping ``[lo, hi] -> [black, white]``.

    The bar extends a quarter of the span beyond each end, drawn saturated, so a reader sees that
    values below ``lo`` show black and values above ``hi`` show white.

    Examples
    --------
    >>> fig = plot_display_bar(-3.0, 3.0, unit="z")
    >>> fig.data[0].type, list(fig.layout.xaxis.range)
    ('heatmap', [-4.5, 4.5])
    """
    info = display_bar_info(lo, hi)
    if info is None:
        return plot_empty("no display range", height=height, title=title)
    x, z = info.x, info.z
    heat = {
        "type": "heatmap", "x": x, "z": z, "zmin": 0.0, "zmax": 1.0, "colorscale": "gray",
        "showscale": False,
        "hovertemplate": f"%{{x:.3g}} {unit} shows as %{{z:.0%}} grey<extra></extra>",
    }  # fmt: skip
    layout = _layout(
        height=height, title=title, shapes=[_vline(v, "#dc2626") for v in (lo, hi)],
        margin={"l": 20, "r": 20, "t": 26 if title else 4, "b": 30, "pad": MARGIN_PAD},
        # a label at either end ("8000") is hidden rather than cut by the figure's edge
        xaxis={"range": [float(x[0]), float(x[-1])], "showgrid": False,
               "ticklabeloverflow": "hide past div"},
        yaxis={"visible": False},
    )  # fmt: skip
    return go.Figure(data=[heat], layout=layout)


def stats_rows(
    before: StatsLike, after: StatsLike | None = None, names: Sequence[str] | None = None
) -> list[dict[str, float | str]]:
    """Return table rows (one per channel): min, max, mean, std before and, if given, after.

    Non-finite statistics are reported as 0.0 so the table never shows NaN.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> s = SimpleNamespace(minimum=np.array([0.0]), maximum=np.array([255.0]),
    ...                     mean=np.array([100.0]), std=np.array([20.0]))
    >>> stats_rows(s)[0]
    {'channel': 'grey', 'min': 0.0, 'max': 255.0, 'mean': 100.0, 'std': 20.0}
    """
    n_ch = np.atleast_1d(before.mean).size
    names = tuple(names) if names is not None else channel_names(n_ch)
    rows: list[dict[str, float | str]] = []
    for i, name in enumerate(names):
        row: dict[str, float | str] = {"channel": name}
        for prefix, stats in (("", before), ("after ", after)):
            if stats is None:
                continue
            for field, label in _STAT_LABELS.items():
                value = float(np.atleast_1d(getattr(stats, field))[i])
                row[prefix + label] = value if np.isfinite(value) else 0.0
        rows.append(row)
    return rows


# Old names, kept until the call sites move (pages/images.py, normviz/image_alt.py docstrings,
# tests/unit/test_image_alt.py, tests/unit/test_image_text.py): every figure builder is plot_*.
histogram_figure = plot_histogram
mini_histogram_figure = plot_mini_histogram
transfer_figure = plot_transfer
display_bar_figure = plot_display_bar
empty_figure = plot_empty
