"""Training curves of the lab: loss and accuracy, weight norm and sparsity, against time.

:func:`curves_info` turns a run's history into a :class:`Curves` record of arrays (at most
``max_points`` per trace); :func:`plot_training_curves` and :func:`plot_weight_norm` only draw
such records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from normviz.figures._spec import FigureSpec
from normviz.figures._theme import axis, panel_title
from normviz.figures.lab._style import (
    _BOTTOM,
    _LEGEND_ROW,
    _TOP,
    NORM_LINE_COLOUR,
    RUN_DASHES,
    SPARSITY_COLOUR,
    SPLIT_COLOURS,
    X_AXIS_TITLES,
    _figure,
    _layout,
)
from normviz.train_config import SPARSITY_THRESHOLD

if TYPE_CHECKING:
    from normviz.training import EpochRecord, StopInfo


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
        xaxis=axis(title, xs, domain=[0.0, 0.46]),
        yaxis=axis("cross-entropy loss", [0.0, _loss_ceiling(runs)]),
        xaxis2=axis(title, xs, domain=[0.56, 1.0], anchor="y2"),
        yaxis2=axis("accuracy", [0.0, 1.02], anchor="x2", tickformat=".0%"),
        shapes=shapes,
        annotations=[
            *notes,
            panel_title("Loss (lower is better)", 0.0),
            panel_title("Accuracy", 0.56),
        ],
    )
    return _figure(data, layout)


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
        xaxis=axis(_x_title(runs), _x_range(runs)),
        yaxis=axis("weight norm ‖w‖₂", [0.0, top * 1.08], title_colour=NORM_LINE_COLOUR),
        yaxis2=axis(
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
        annotations=[panel_title("Weight norm and sparsity", 0.0)],
    )
    return _figure(data, layout)
