"""The lab's batch-size study: test accuracy against batch size, one line per normalization."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from normviz.figures._theme import axis, panel_title
from normviz.figures.lab._style import (
    _BOTTOM,
    _LEGEND_ROW,
    _TOP,
    NORM_COLOURS,
    NORM_DODGE,
    NORM_STYLES,
    _layout,
)
from normviz.train_config import NORM_NAMES

if TYPE_CHECKING:
    from normviz.lab_studies import BatchSizeStudy

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
        xaxis=axis(
            "batch size (log scale)",
            [lo - pad, hi + pad],
            type="log",
            tickvals=sizes,
            ticktext=[str(b) for b in sizes],
        ),
        yaxis=axis("test accuracy", [0.0, 1.02], tickformat=".0%"),
        margin={"l": 56, "r": 16, "t": _TOP, "b": _BOTTOM + 8 + _LEGEND_ROW},
        annotations=[
            panel_title(f"Test accuracy after {study.epochs} epochs at each batch size", 0.0)
        ],
    )
    return go.Figure(data=data, layout=layout)
