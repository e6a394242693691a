"""Plotly figures of the regularization lab: decision boundary, training curves, weights.

Each view has a private-free split in the style of Optuna's visualization: an ``*_info``
function turns records into a small NamedTuple of arrays (tested on its own), and a ``plot_*``
function only draws it. The builders take plain arrays and records (``EpochRecord``,
``StopInfo``, ``BoundaryGrid`` and ``Dataset`` are read by attribute), never a model, so this
module imports neither torch nor streamlit.

The figures are built to be cheap: they are redrawn several times a second while a network
trains. Curves are downsampled to at most ``max_points`` per trace, the boundary heatmap is sent
as ``uint8`` (a quarter of the bytes of float32), nothing carries per-point hover text, and every
figure has a fixed height and fixed axis ranges, so nothing jumps between ticks.

Colours are fixed across the page: train is indigo and test is rose in every curve; run A is
drawn solid and run B dashed; class 0 is orange and class 1 blue, as in TensorFlow Playground.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from normviz.figures._spec import FigureSpec
from normviz.lab_status import epochs_text, loss_text
from normviz.train_config import SPARSITY_THRESHOLD

if TYPE_CHECKING:
    from normviz.lab_studies import BatchSizeStudy
    from normviz.toydata import Dataset
    from normviz.training import BoundaryGrid, EpochRecord, StopInfo

SPLIT_COLOURS = {"train": "#4f46e5", "test": "#e11d48"}
"""Line colour of each split in every curve figure."""

RUN_DASHES = ("solid", "dash", "dot")
"""Line dash of run A, B (and a third) in every curve figure."""

RUN_COLOURS = ("#4f46e5", "#0d9488", "#9333ea")
"""Bar colour of run A, B (and a third) in the weight figures."""

CLASS_COLOURS = ("#f97316", "#2563eb")
"""Marker colour of class 0 and class 1."""

BOUNDARY_SCALE = [[0.0, "#fdba74"], [0.5, "#ffffff"], [1.0, "#93c5fd"]]
"""Heatmap colour scale of P(class 1): orange (class 0) through white to blue (class 1)."""

NORM_LINE_COLOUR = "#0f766e"
"""Line colour of the weight norm ``‖w‖₂``."""

SPARSITY_COLOUR = "#d97706"
"""Line colour of the share of weights near zero."""


X_AXIS_TITLES = {"epoch": "epoch", "step": "updates", "samples_seen": "samples seen"}
"""Curve x axes: the ``EpochRecord`` field each one reads -> its axis title.

The keys are those of :data:`normviz.training.X_AXES` (not imported here: it would import torch).
"""

NORM_COLOURS = {"batch": "#dc2626", "group": "#2563eb", "layer": "#059669", "none": "#6b7280"}
"""Line colour of each normalization in the batch-size study."""

NORM_STYLES = {
    "batch": ("solid", "circle"),
    "group": ("dash", "square"),
    "layer": ("dot", "diamond"),
}
"""Line dash and marker of each normalization in the batch-size study (equal lines stay visible)."""

NORM_DODGE = {"batch": 1.0, "group": 0.95, "layer": 1.05}
"""Factor on each normalization's batch sizes in the study's log-x chart: GroupNorm and LayerNorm
do not depend on the batch, so their accuracies often coincide; dodged apart by ±5 %, both lines
and markers stay visible (hover shows the true batch size)."""

NORM_NAMES = {"batch": "BatchNorm", "group": "GroupNorm", "layer": "LayerNorm", "none": "no norm"}
"""Legend name of each normalization in the batch-size study."""

_FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 12, "color": "#1f2937"}
_GRID = "#e5e7eb"
_TOP = 32
"""Top margin in px: room for a panel title (:func:`_title`) above the plot area."""
_BOTTOM = 40
"""Bottom margin in px without a legend: tick labels and the x-axis title."""
_LEGEND_ROW = 22
"""Height in px of one legend row, added to the bottom margin under the axis title."""


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": {},  # what template="none" resolves to; no validation pass resolves it here
        "height": height,
        "margin": {"l": 48, "r": 16, "t": _TOP, "b": _BOTTOM + _LEGEND_ROW},
        "font": _FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        # Anchored to the figure's bottom edge in pixels (not to the plot area), so it sits
        # under the x-axis title at any height and never overlaps it.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 11},
        },
        "hovermode": False,
    }
    layout.update(extra)
    return layout


def _axis(
    title: str, value_range: Sequence[float], title_colour: str | None = None, **extra: Any
) -> dict[str, Any]:
    # Plain plotly.js keys only: no magic underscores (``title_font``), nothing expands them.
    axis: dict[str, Any] = {
        "title": {"text": title, "standoff": 4},
        "range": [float(value_range[0]), float(value_range[1])],
        "autorange": False,
        "gridcolor": _GRID,
        "zeroline": False,
        "showline": True,
        "linecolor": "#9ca3af",
        "ticks": "outside",
        "tickcolor": "#9ca3af",
    }
    if title_colour is not None:
        axis["title"]["font"] = {"color": title_colour}
    axis.update(extra)
    return axis


def _figure(data: list[dict], layout: dict[str, Any]) -> FigureSpec:
    """Wrap plain dicts in a :class:`FigureSpec`: no Plotly object tree, no validation pass.

    These figures are rebuilt on every tick; the tests validate every builder's output by
    rebuilding it with ``go.Figure(fig.to_dict())``.
    """
    return FigureSpec(data, layout)


def _downsample_index(n: int, max_points: int) -> np.ndarray:
    """Return sorted indices of at most ``max_points`` of ``n`` items, first and last kept.

    Examples
    --------
    >>> _downsample_index(5, 300).tolist()
    [0, 1, 2, 3, 4]
    >>> _downsample_index(1000, 4).tolist()
    [0, 333, 666, 999]
    """
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(max_points, 2)).round().astype(np.int64))


# --------------------------------------------------------------------------------------------
# Training curves


class Curves(NamedTuple):
    """One run's history as arrays, ready to draw.

    Attributes
    ----------
    label : str
        The run's name in legends ("" for a single run, "A", "B" when comparing).
    epoch : (T,) int64
        Epoch of each kept record (0 is before training).
    x : (T,) float64
        The x value of each kept record: its epoch, updates (``step``) or ``samples_seen``.
    x_axis : str
        Which of those: a key of :data:`X_AXIS_TITLES`.
    train_loss, test_loss : (T,) float64
        Mean cross-entropy in eval mode; non-finite where the run diverged.
    train_acc, test_acc : (T,) float64
        Accuracy in [0, 1].
    weight_norm : (T,) float64
        L2 norm of all weights (biases and norm-affine parameters excluded).
    sparsity : (T,) float64
        Fraction of weights with ``|w| < 1e-3``, in [0, 1].
    stop : StopInfo or None
        Why the run stopped, if it did.
    stop_x : float or None
        The x value of the epoch the stop marks (the best epoch of an early stop, the epoch of a
        divergence), read from the full history; None without such a stop.
    """

    label: str
    epoch: np.ndarray
    x: np.ndarray
    x_axis: str
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    weight_norm: np.ndarray
    sparsity: np.ndarray
    stop: StopInfo | None
    stop_x: float | None = None


_FIELDS = ("train_loss", "test_loss", "train_acc", "test_acc", "weight_norm", "sparsity")


def curves_info(
    history: Sequence[EpochRecord],
    label: str = "",
    stop: StopInfo | None = None,
    max_points: int = 300,
    x_axis: str = "epoch",
) -> Curves:
    """Return a run's history as arrays of at most ``max_points`` records.

    Parameters
    ----------
    history : sequence of EpochRecord
        The trainer's history (any objects with ``epoch`` and the metric attributes).
    label : str
        The run's name in legends.
    stop : StopInfo or None
        The trainer's ``stopped`` record.
    max_points : int
        Most records kept (evenly spaced, first and last always kept; >= 2).
    x_axis : {"epoch", "step", "samples_seen"}
        The record field to plot against: epochs, updates or samples seen.

    Returns
    -------
    Curves
        Empty arrays for an empty history.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> hist = [R(epoch=e, train_loss=1 / (e + 1), test_loss=1.0, train_acc=0.5, test_acc=0.5,
    ...           weight_norm=2.0, sparsity=0.0) for e in range(1000)]
    >>> c = curves_info(hist, "A", max_points=3)
    >>> c.epoch.tolist(), c.train_loss.tolist()
    ([0, 500, 999], [1.0, 0.001996007984031936, 0.001])
    >>> hist = [R(**vars(r), step=4 * r.epoch) for r in hist]
    >>> curves_info(hist, max_points=3, x_axis="step").x.tolist()
    [0.0, 2000.0, 3996.0]
    """
    if max_points < 2:
        raise ValueError(f"max_points must be >= 2 (got {max_points})")
    if x_axis not in X_AXIS_TITLES:
        raise ValueError(f"x_axis must be one of {', '.join(X_AXIS_TITLES)} (got {x_axis!r})")
    keep = _downsample_index(len(history), max_points)
    rows = [history[i] for i in keep]
    epoch = np.array([r.epoch for r in rows], dtype=np.int64)
    x = np.array([getattr(r, x_axis) for r in rows], dtype=np.float64)
    arrays = {f: np.array([getattr(r, f) for r in rows], dtype=np.float64) for f in _FIELDS}
    return Curves(
        label=label,
        epoch=epoch,
        x=x,
        x_axis=x_axis,
        stop=stop,
        stop_x=_stop_x(history, stop, x_axis),
        **arrays,
    )


def stop_mark_epoch(stop: StopInfo | None) -> int | None:
    """Return the epoch a stop record marks: the best epoch of an early stop, a divergence's.

    None for no stop and for reaching the epoch limit (nothing to mark).
    """
    if stop is None or stop.reason == "max_epochs":
        return None
    if stop.reason == "early_stopping":
        return stop.best_epoch
    return stop.epoch


def _stop_x(history: Sequence[EpochRecord], stop: StopInfo | None, x_axis: str) -> float | None:
    at = stop_mark_epoch(stop)
    if at is None:
        return None
    # history[k] is measured at the end of epoch k; look it up by its epoch all the same.
    if 0 <= at < len(history) and history[at].epoch == at:
        return float(getattr(history[at], x_axis))
    hits = [r for r in history if r.epoch == at]
    return float(getattr(hits[0], x_axis)) if hits else None


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(y)
    return x[ok], y[ok]


def _loss_ceiling(runs: Sequence[Curves]) -> float:
    """Top of the loss axis: the largest finite loss plus a margin, within [0.1, 3]."""
    finite = [
        v for c in runs for v in (c.train_loss, c.test_loss) if v.size and np.isfinite(v).any()
    ]
    if not finite:
        return 1.0
    top = max(float(np.nanmax(np.where(np.isfinite(v), v, np.nan))) for v in finite)
    return float(min(max(top * 1.08, 0.1), 3.0))


def _x_range(runs: Sequence[Curves]) -> list[float]:
    last = max((float(c.x[-1]) for c in runs if c.x.size), default=0.0)
    return [0.0, max(last, 10.0) * 1.02]


def _x_title(runs: Sequence[Curves]) -> str:
    axes = {c.x_axis for c in runs}
    if len(axes) > 1:
        raise ValueError(f"runs must share one x axis (got {sorted(axes)})")
    return X_AXIS_TITLES[axes.pop() if axes else "epoch"]


def _stop_marks(c: Curves, dash: str, axes: Sequence[str]) -> tuple[list, list, list]:
    """Vertical lines, annotations and marker traces for a run's stop record."""
    shapes: list[dict] = []
    notes: list[dict] = []
    traces: list[dict] = []
    stop = c.stop
    at = c.stop_x
    if stop is None or at is None:
        return shapes, notes, traces
    name = f"{c.label} " if c.label else ""
    if stop.reason == "early_stopping":
        colour, text = "#059669", f"{name}early stop: best epoch {stop.best_epoch}"
        hit = np.flatnonzero(c.epoch == stop.best_epoch)
        if hit.size and np.isfinite(c.test_loss[hit[0]]):
            traces.append(
                {
                    "type": "scatter",
                    "x": [at],
                    "y": [float(c.test_loss[hit[0]])],
                    "mode": "markers",
                    "name": f"{name}best epoch (weights restored)",
                    "marker": {"symbol": "star", "size": 13, "color": colour},
                    "xaxis": "x",
                    "yaxis": "y",
                }
            )
    else:
        colour, text = "#b91c1c", f"{name}diverged at epoch {stop.epoch}"
    for ax in axes:
        suffix = "" if ax == "x" else ax[1:]
        shapes.append(
            {
                "type": "line",
                "xref": ax,
                "yref": f"y{suffix} domain",
                "x0": at,
                "x1": at,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 1.5, "dash": "dot" if dash == "solid" else dash},
            }
        )
    notes.append(
        {
            "text": text,
            "xref": "x",
            "yref": "y domain",
            "x": at,
            "y": 1.0,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"color": colour, "size": 11},
            "bgcolor": "rgba(255,255,255,0.8)",
        }
    )
    return shapes, notes, traces


def plot_training_curves(runs: Sequence[Curves], height: int = 320) -> FigureSpec:
    """Return loss (left) and accuracy (right) against the runs' x axis (epochs, updates...).

    Train is indigo and test rose; run A solid, run B dashed. An early stop is marked by a
    green dotted line at the best epoch and a star on the test loss; a divergence by a red line
    and its epoch. Empty histories give empty, labelled panels.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> hist = [R(epoch=e, train_loss=0.7 - 0.1 * e, test_loss=0.7, train_acc=0.5,
    ...           test_acc=0.5, weight_norm=1.0, sparsity=0.0) for e in range(3)]
    >>> fig = plot_training_curves([curves_info(hist)]).full()
    >>> [t.name for t in fig.data]
    ['train', 'test', 'train', 'test']
    >>> fig.layout.yaxis2.range
    (0.0, 1.02)
    """
    data: list[dict] = []
    shapes: list[dict] = []
    notes: list[dict] = []
    for k, c in enumerate(runs):
        dash = RUN_DASHES[k % len(RUN_DASHES)]
        prefix = f"{c.label} " if c.label else ""
        for metric, ax, show in (("loss", "", True), ("acc", "2", False)):
            for split in ("train", "test"):
                x, y = _finite(c.x, getattr(c, f"{split}_{metric}"))
                data.append(
                    {
                        "type": "scatter",
                        "x": x,
                        "y": y,
                        "mode": "lines",
                        "name": f"{prefix}{split}",
                        "legendgroup": f"{prefix}{split}",
                        "showlegend": show,
                        "line": {"color": SPLIT_COLOURS[split], "dash": dash, "width": 2},
                        "xaxis": f"x{ax}",
                        "yaxis": f"y{ax}",
                    }
                )
        s, n, t = _stop_marks(c, dash, ("x", "x2"))
        shapes += s
        notes += n
        data += t
    xs, title = _x_range(runs), _x_title(runs)
    layout = _layout(
        height,
        xaxis=_axis(title, xs, domain=[0.0, 0.46]),
        yaxis=_axis("cross-entropy loss", [0.0, _loss_ceiling(runs)]),
        xaxis2=_axis(title, xs, domain=[0.56, 1.0], anchor="y2"),
        yaxis2=_axis("accuracy", [0.0, 1.02], anchor="x2", tickformat=".0%"),
        shapes=shapes,
        annotations=[
            *notes,
            _title("Loss (lower is better)", 0.0),
            _title("Accuracy", 0.56),
        ],
    )
    return _figure(data, layout)


def _title(text: str, x: float) -> dict[str, Any]:
    return {
        "text": f"<b>{text}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": 1.0,
        "yshift": 6,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 13},
    }


def plot_weight_norm(runs: Sequence[Curves], height: int = 280) -> FigureSpec:
    """Return the weight norm (left axis) and sparsity (right axis, %) against the runs' x axis.

    L2 (weight decay) pulls the norm down; L1 pushes weights to zero, so sparsity rises.

    Examples
    --------
    >>> fig = plot_weight_norm([]).full()
    >>> fig.layout.yaxis2.range
    (0.0, 100.0)
    """
    data: list[dict] = []
    top = 1.0
    for k, c in enumerate(runs):
        dash = RUN_DASHES[k % len(RUN_DASHES)]
        prefix = f"{c.label} " if c.label else ""
        x, y = _finite(c.x, c.weight_norm)
        if y.size:
            top = max(top, float(y.max()))
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": f"{prefix}‖w‖₂",
                "line": {"color": NORM_LINE_COLOUR, "dash": dash, "width": 2},
            }
        )
        x, y = _finite(c.x, c.sparsity * 100.0)
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": f"{prefix}% of |w| < {SPARSITY_THRESHOLD:g}",
                "line": {"color": SPARSITY_COLOUR, "dash": dash, "width": 1.5},
                "yaxis": "y2",
            }
        )
    layout = _layout(
        height,
        xaxis=_axis(_x_title(runs), _x_range(runs)),
        yaxis=_axis("weight norm ‖w‖₂", [0.0, top * 1.08], title_colour=NORM_LINE_COLOUR),
        yaxis2=_axis(
            "% weights near zero",
            [0.0, 100.0],
            overlaying="y",
            side="right",
            showgrid=False,
            title_colour=SPARSITY_COLOUR,
            tick0=0,
            dtick=25,
        ),
        margin={"l": 48, "r": 52, "t": _TOP, "b": _BOTTOM + _LEGEND_ROW * max(len(runs), 1)},
        annotations=[_title("Weight norm and sparsity", 0.0)],
    )
    return _figure(data, layout)


# --------------------------------------------------------------------------------------------
# Weight histograms


class WeightHistogram(NamedTuple):
    """Counts of weights in fixed, symmetric bins.

    Attributes
    ----------
    edges : (B + 1,) float64
        Bin edges from ``-limit`` to ``limit``; B is odd, so one bin is centred on 0.
    counts : (B,) int64
        Weights per bin (weights beyond the limit are counted in the end bins).
    sparsity : float
        Fraction of weights with ``|w| < 1e-3``, in [0, 1] (0 for no weights).
    n : int
        Number of weights.
    limit : float
        Half-width of the histogram.
    """

    edges: np.ndarray
    counts: np.ndarray
    sparsity: float
    n: int
    limit: float


def weight_limit(*weights: np.ndarray) -> float:
    """Return a shared, rounded-up histogram half-width for several weight vectors.

    Examples
    --------
    >>> weight_limit(np.array([0.3, -1.2]), np.array([0.7]))
    1.25
    >>> weight_limit(np.zeros(0))
    0.25
    """
    biggest = max((float(np.abs(w).max()) for w in weights if np.size(w)), default=0.0)
    if not np.isfinite(biggest):
        biggest = 0.0
    return float(max(np.ceil(biggest * 4.0) / 4.0, 0.25))


def weight_histogram_info(
    weights: np.ndarray, limit: float | None = None, bins: int = 41
) -> WeightHistogram:
    """Return the histogram of a flat vector of weights in ``bins`` bins over ``[-limit, limit]``.

    Parameters
    ----------
    weights : (W,) float array
        All the network's weights (no biases), e.g. ``Trainer.weights()``. Non-finite values
        are ignored.
    limit : float or None
        Half-width of the histogram (> 0); None takes :func:`weight_limit` of ``weights``.
    bins : int
        Number of bins (odd, >= 3), so that the middle bin is centred on zero.

    Examples
    --------
    >>> h = weight_histogram_info(np.array([0.0, 0.0, 0.5, -0.9, 3.0]), limit=1.0, bins=5)
    >>> h.edges.round(6).tolist()
    [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
    >>> h.counts.tolist(), h.sparsity, h.n
    ([1, 0, 2, 1, 1], 0.4, 5)
    """
    if bins < 3 or bins % 2 == 0:
        raise ValueError(f"bins must be odd and >= 3 (got {bins})")
    w = np.asarray(weights, dtype=np.float64).ravel()
    w = w[np.isfinite(w)]
    limit = weight_limit(w) if limit is None else float(limit)
    if not limit > 0:
        raise ValueError(f"limit must be > 0 (got {limit})")
    edges = np.linspace(-limit, limit, bins + 1)
    idx = np.clip(((w + limit) / (2 * limit) * bins).astype(np.int64), 0, bins - 1)
    counts = np.bincount(idx, minlength=bins).astype(np.int64)
    sparsity = float(np.mean(np.abs(w) < SPARSITY_THRESHOLD)) if w.size else 0.0
    return WeightHistogram(edges, counts, sparsity, int(w.size), limit)


def plot_weight_histograms(
    hists: Sequence[WeightHistogram], labels: Sequence[str], height: int = 280
) -> FigureSpec:
    """Return the weight histograms of several runs side by side, on shared axes.

    Each panel's title gives the share of weights that are (near) zero: L1 piles weights into
    the middle bin, L2 narrows the bell but leaves few at exactly zero.

    Examples
    --------
    >>> h = weight_histogram_info(np.array([0.0, 0.5]), limit=1.0, bins=5)
    >>> fig = plot_weight_histograms([h, h], ["A: L1", "B: L2"]).full()
    >>> len(fig.data), fig.layout.xaxis2.range
    (2, (-1.0, 1.0))
    """
    if len(hists) != len(labels):
        raise ValueError(f"expected one label per histogram (got {len(hists)} and {len(labels)})")
    k = max(len(hists), 1)
    gap = 0.06
    width = (1.0 - gap * (k - 1)) / k
    top = max((int(h.counts.max()) for h in hists if h.counts.size), default=1)
    data: list[dict] = []
    layout = _layout(
        height,
        bargap=0.05,
        showlegend=False,
        annotations=[],
        margin={"l": 48, "r": 16, "t": _TOP, "b": _BOTTOM},
    )
    for i, (h, label) in enumerate(zip(hists, labels, strict=True)):
        ax = "" if i == 0 else str(i + 1)
        centres = (h.edges[:-1] + h.edges[1:]) / 2
        data.append(
            {
                "type": "bar",
                "x": centres,
                "y": h.counts,
                "width": float(h.edges[1] - h.edges[0]) if h.edges.size > 1 else None,
                "name": label,
                "marker": {"color": RUN_COLOURS[i % len(RUN_COLOURS)]},
                "xaxis": f"x{ax}",
                "yaxis": f"y{ax}",
            }
        )
        x0 = i * (width + gap)
        layout[f"xaxis{ax}"] = _axis(
            "weight value", [-h.limit, h.limit], domain=[x0, x0 + width], anchor=f"y{ax}"
        )
        layout[f"yaxis{ax}"] = _axis(
            "number of weights" if i == 0 else "", [0, top * 1.1], anchor=f"x{ax}"
        )
        layout["annotations"].append(_title(f"{label}: {h.sparsity:.0%} of {h.n} at ≈0", x0))
    return _figure(data, layout)


# --------------------------------------------------------------------------------------------
# Decision boundary


def _points(data: Dataset | None, name: str, edge: str, size: int) -> dict[str, Any]:
    if data is None or len(data.y) == 0:
        x = y = np.zeros(0, dtype=np.float32)
        c = np.zeros(0, dtype=np.int64)
    else:
        x, y, c = data.x[:, 0], data.x[:, 1], data.y
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "markers",
        "name": name,
        "marker": {
            "color": c,
            "colorscale": [[0.0, CLASS_COLOURS[0]], [1.0, CLASS_COLOURS[1]]],
            "cmin": 0,
            "cmax": 1,
            "size": size,
            "line": {"color": edge, "width": 1.2},
        },
    }


def plot_boundary(
    grid: BoundaryGrid | None,
    train: Dataset | None,
    test: Dataset | None,
    title: str = "",
    extent: float = 1.5,
    height: int = 380,
    show_scale: bool = True,
    show_legend: bool = True,
) -> FigureSpec:
    """Return the decision boundary as a heatmap of P(class 1) under the train and test points.

    Train points have a white edge, test points a black one; both are coloured by their true
    class. The heatmap is quantized to ``uint8`` (256 levels, invisible to the eye) to keep the
    figure small; its colour bar reads as a probability.

    Parameters
    ----------
    grid : BoundaryGrid or None
        ``xs`` (R,), ``ys`` (R,), ``prob`` (R, R) with ``prob[i, j]`` at ``(xs[j], ys[i])``;
        None draws the points alone.
    train, test : Dataset or None
        Points ``x`` (N, 2) and labels ``y`` (N,) in {0, 1}.
    extent : float
        Both axes span ``[-extent, extent]`` (fixed, square).
    show_scale, show_legend : bool
        Draw the colour bar and the legend of the point edges (a page may explain both in a
        caption instead: in narrow columns they crowd the square plot).

    Examples
    --------
    >>> from types import SimpleNamespace as G
    >>> grid = G(xs=np.linspace(-1, 1, 3), ys=np.linspace(-1, 1, 3),
    ...          prob=np.full((3, 3), 0.5, dtype=np.float32))
    >>> fig = plot_boundary(grid, None, None, extent=1.0).full()
    >>> [t.type for t in fig.data], fig.layout.xaxis.range
    (['heatmap', 'scatter', 'scatter'], (-1.0, 1.0))
    >>> int(fig.data[0].z[0][0])
    128
    """
    data: list[dict] = []
    if grid is not None:
        prob = np.nan_to_num(np.asarray(grid.prob, dtype=np.float32), nan=0.5)
        z = np.rint(np.clip(prob, 0.0, 1.0) * 255.0).astype(np.uint8)
        data.append(
            {
                "type": "heatmap",
                "x": np.asarray(grid.xs, dtype=np.float32),
                "y": np.asarray(grid.ys, dtype=np.float32),
                "z": z,
                "zmin": 0,
                "zmax": 255,
                "colorscale": BOUNDARY_SCALE,
                "showscale": show_scale,
                "hoverinfo": "skip",
                "colorbar": {
                    "title": {"text": "P(class 1)", "side": "right"},
                    "tickvals": [0, 127.5, 255],
                    "ticktext": ["0", "0.5", "1"],
                    "thickness": 10,
                    "len": 0.8,
                    "outlinewidth": 0,
                },
            }
        )
    data.append(_points(train, "train (white edge)", "white", 5))
    data.append(_points(test, "test (black edge)", "#111827", 5))
    lim = [-float(extent), float(extent)]
    layout = _layout(
        height,
        xaxis=_axis("x₁", lim, showgrid=False, constrain="domain", mirror=True),
        yaxis=_axis(
            "x₂",
            lim,
            showgrid=False,
            scaleanchor="x",
            constrain="domain",
            constraintoward="top",
            mirror=True,
        ),
        margin={"l": 44, "r": 8, "t": _TOP, "b": _BOTTOM + (_LEGEND_ROW if show_legend else 0)},
        showlegend=show_legend,
    )
    if title:
        layout["annotations"] = [_title(title, 0.0)]
    return _figure(data, layout)


# --------------------------------------------------------------------------------------------
# Batch-size study


def plot_batch_size_study(study: BatchSizeStudy, height: int = 320) -> go.Figure:
    """Return test accuracy against batch size, one line per normalization (GroupNorm Fig. 1).

    Parameters
    ----------
    study : BatchSizeStudy
        ``batch_sizes`` (B,), ``norms`` (K,), ``test_acc`` (K, B) in [0, 1] and ``epochs`` (read
        by attribute).

    Returns
    -------
    go.Figure
        K line-and-marker traces on a log2 batch-size axis whose ticks are the batch sizes, and
        a fixed accuracy axis [0, 102 %].

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> s = S(batch_sizes=(2, 8), norms=("batch", "layer"), epochs=3,
    ...       test_acc=np.array([[0.5, 0.9], [0.8, 0.85]]))
    >>> fig = plot_batch_size_study(s)
    >>> [t.name for t in fig.data], list(fig.layout.xaxis.tickvals)
    (['BatchNorm', 'LayerNorm'], [2, 8])
    """
    sizes = [int(b) for b in study.batch_sizes]
    acc = np.asarray(study.test_acc, dtype=np.float64)
    if acc.shape != (len(study.norms), len(sizes)):
        raise ValueError(
            f"test_acc must have shape (norms, batch sizes) = {(len(study.norms), len(sizes))} "
            f"(got {acc.shape})"
        )
    data = [
        {
            "type": "scatter",
            "x": np.asarray(sizes, dtype=np.float64) * NORM_DODGE.get(norm, 1.0),
            "y": acc[i],
            "customdata": np.asarray(sizes, dtype=np.float64),
            "hovertemplate": f"{NORM_NAMES.get(norm, norm)}: batch %{{customdata:.0f}}, "
            "test accuracy %{y:.1%}<extra></extra>",
            "mode": "lines+markers",
            "name": NORM_NAMES.get(norm, norm),
            "line": {
                "color": NORM_COLOURS.get(norm, "#6b7280"),
                "width": 2,
                "dash": NORM_STYLES.get(norm, ("solid", "circle"))[0],
            },
            "marker": {"size": 8, "symbol": NORM_STYLES.get(norm, ("solid", "circle"))[1]},
        }
        for i, norm in enumerate(study.norms)
    ]
    lo, hi = float(np.log10(min(sizes))), float(np.log10(max(sizes)))
    pad = max((hi - lo) * 0.05, 0.05)
    layout = _layout(
        height,
        xaxis=_axis(
            "batch size (log scale)",
            [lo - pad, hi + pad],
            type="log",
            tickvals=sizes,
            ticktext=[str(b) for b in sizes],
        ),
        yaxis=_axis("test accuracy", [0.0, 1.02], tickformat=".0%"),
        margin={"l": 56, "r": 16, "t": _TOP, "b": _BOTTOM + 8 + _LEGEND_ROW},
        annotations=[_title(f"Test accuracy after {study.epochs} epochs at each batch size", 0.0)],
    )
    return go.Figure(data=data, layout=layout)


# -- alternative text: what each chart shows, with its key numbers, from the same records ----


def _run_name(label: str) -> str:
    return f"run {label}" if label else "the run"


def _last(c: Curves) -> int | None:
    """Index of the last record with a finite train and test loss, or None."""
    ok = np.flatnonzero(np.isfinite(c.train_loss) & np.isfinite(c.test_loss))
    return int(ok[-1]) if ok.size else None


def curves_alt(runs: Sequence[Curves]) -> str:
    """Return the alternative text of :func:`plot_training_curves` for ``runs``.

    For each run: its last finite record's epoch, train and test loss and test accuracy, and why
    it stopped.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> hist = [R(epoch=e, train_loss=0.5 - 0.1 * e, test_loss=0.6, train_acc=0.5,
    ...           test_acc=0.8, weight_norm=1.0, sparsity=0.0) for e in range(3)]
    >>> print(curves_alt([curves_info(hist)]))
    Training curves, loss and accuracy against epoch: after 2 epochs train loss 0.300, test loss 0.600, test accuracy 80%.
    >>> print(curves_alt([curves_info(hist[:1], "A"), curves_info([], "B")]))
    Training curves, loss and accuracy against epoch: run A after 0 epochs train loss 0.500, test loss 0.600, test accuracy 80%; run B has no finite loss yet.
    """  # noqa: E501
    axis = X_AXIS_TITLES[runs[0].x_axis] if runs else "epoch"
    parts = []
    for c in runs:
        who = f"{_run_name(c.label)} " if c.label else ""
        i = _last(c)
        if i is None:
            parts.append(f"{who or 'the run '}has no finite loss yet")
            continue
        text = (
            f"{who}after {epochs_text(int(c.epoch[i]))} train loss {loss_text(c.train_loss[i])}, "
            f"test loss {loss_text(c.test_loss[i])}, test accuracy {c.test_acc[i]:.0%}"
        )
        if c.stop is not None:
            text += f" ({c.stop.reason.replace('_', ' ')})"
        parts.append(text)
    return f"Training curves, loss and accuracy against {axis}: {'; '.join(parts)}."


def weight_norm_alt(runs: Sequence[Curves]) -> str:
    """Return the alternative text of :func:`plot_weight_norm`: each run's last norm and sparsity.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> hist = [R(epoch=e, train_loss=0.5, test_loss=0.6, train_acc=0.5, test_acc=0.8,
    ...           weight_norm=2.0 + e, sparsity=0.25) for e in range(2)]
    >>> print(weight_norm_alt([curves_info(hist)]))
    Weight norm and sparsity against epoch: at epoch 1 weight norm 3, 25% of weights within 0.001 of zero.
    """  # noqa: E501
    axis = X_AXIS_TITLES[runs[0].x_axis] if runs else "epoch"
    parts = []
    for c in runs:
        who = f"{_run_name(c.label)} " if c.label else ""
        if not len(c.epoch):
            parts.append(f"{who or 'the run '}has no record yet")
            continue
        parts.append(
            f"{who}at epoch {int(c.epoch[-1])} weight norm {c.weight_norm[-1]:.3g}, "
            f"{c.sparsity[-1]:.0%} of weights within {SPARSITY_THRESHOLD:g} of zero"
        )
    return f"Weight norm and sparsity against {axis}: {'; '.join(parts) or 'no runs'}."


def weight_histograms_alt(hists: Sequence[WeightHistogram], labels: Sequence[str]) -> str:
    """Return the alternative text of :func:`plot_weight_histograms`.

    Examples
    --------
    >>> h = weight_histogram_info(np.array([0.0, 0.5]), limit=1.0, bins=5)
    >>> print(weight_histograms_alt([h], [""]))
    Histogram of the weights from -1 to 1: 2 weights, 50% within 0.001 of zero.
    >>> print(weight_histograms_alt([h, h], ["Run A", "Run B"]))
    Histogram of the weights from -1 to 1: Run A 2 weights, 50% within 0.001 of zero; Run B 2 weights, 50% within 0.001 of zero.
    """  # noqa: E501
    limit = hists[0].limit if hists else 0.0
    parts = [
        f"{label + ' ' if label else ''}{h.n} weights, {h.sparsity:.0%} within "
        f"{SPARSITY_THRESHOLD:g} of zero"
        for h, label in zip(hists, labels, strict=True)
    ]
    return f"Histogram of the weights from {-limit:.3g} to {limit:.3g}: {'; '.join(parts)}."


def boundary_alt(grid: BoundaryGrid | None, train: Dataset | None, test: Dataset | None,
                 title: str = "Decision boundary") -> str:  # fmt: skip
    """Return the alternative text of :func:`plot_boundary`: the share of the plane per class.

    Examples
    --------
    >>> from types import SimpleNamespace as G
    >>> grid = G(xs=np.linspace(-1, 1, 2), ys=np.linspace(-1, 1, 2),
    ...          prob=np.array([[0.2, 0.9], [0.7, 0.4]], dtype=np.float32))
    >>> pts = G(x=np.zeros((3, 2)), y=np.array([0, 1, 1]))
    >>> print(boundary_alt(grid, pts, None, "Run A"))
    Run A: the network's probability of class 1 over the plane, 50% of it on the class-1 side; 3 training points (2 of class 1).
    """  # noqa: E501
    parts = []
    if grid is not None and np.size(grid.prob):
        share = float(np.mean(np.asarray(grid.prob) > 0.5))
        parts.append(
            f"the network's probability of class 1 over the plane, {share:.0%} of it on the "
            "class-1 side"
        )
    for data, name in ((train, "training"), (test, "test")):
        if data is not None:
            y = np.asarray(data.y)
            parts.append(f"{y.size} {name} points ({int((y == 1).sum())} of class 1)")
    return f"{title}: {'; '.join(parts) or 'no data'}."


def batch_size_study_alt(study: BatchSizeStudy) -> str:
    """Return the alternative text of :func:`plot_batch_size_study`: accuracy at both ends.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> s = S(batch_sizes=(2, 64), norms=("batch", "group"), epochs=30,
    ...       test_acc=np.array([[0.6, 0.9], [0.85, 0.86]]))
    >>> print(batch_size_study_alt(s))
    Test accuracy against batch size after 30 epochs: BatchNorm 60% at batch 2, 90% at batch 64; GroupNorm 85% at batch 2, 86% at batch 64.
    """  # noqa: E501
    sizes = study.batch_sizes
    parts = [
        f"{NORM_NAMES.get(norm, norm)} {study.test_acc[i, 0]:.0%} at batch {sizes[0]}, "
        f"{study.test_acc[i, -1]:.0%} at batch {sizes[-1]}"
        for i, norm in enumerate(study.norms)
    ]
    return f"Test accuracy against batch size after {study.epochs} epochs: {'; '.join(parts)}."
