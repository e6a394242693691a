"""Weight histograms of the lab: :func:`weight_histogram_info` counts, the plot draws."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from normviz.figures._spec import FigureSpec
from normviz.figures._theme import axis, panel_title
from normviz.figures.lab._style import _BOTTOM, _TOP, RUN_COLOURS, _figure, _layout
from normviz.train_config import SPARSITY_THRESHOLD

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
        layout[f"xaxis{ax}"] = axis(
            "weight value", [-h.limit, h.limit], domain=[x0, x0 + width], anchor=f"y{ax}"
        )
        layout[f"yaxis{ax}"] = axis(
            "number of weights" if i == 0 else "", [0, top * 1.1], anchor=f"x{ax}"
        )
        layout["annotations"].append(panel_title(f"{label}: {h.sparsity:.0%} of {h.n} at ≈0", x0))
    return _figure(data, layout)
