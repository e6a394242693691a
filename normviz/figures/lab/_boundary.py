"""The decision boundary of the lab: P(class 1) over the plane under the train and test points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from normviz.figures._spec import FigureSpec
from normviz.figures._theme import axis, panel_title
from normviz.figures.lab._style import (
    _BOTTOM,
    _LEGEND_ROW,
    _TOP,
    BOUNDARY_SCALE,
    CLASS_COLOURS,
    _figure,
    _layout,
)

if TYPE_CHECKING:
    from normviz.toydata import Dataset
    from normviz.training import BoundaryGrid

# --------------------------------------------------------------------------------------------
# Decision boundary


class BoundaryInfo(NamedTuple):
    """The boundary heatmap ready to draw: P(class 1) on a grid, quantized to 256 levels.

    Attributes
    ----------
    xs, ys : (R,) float32
        The grid's x and y coordinates.
    z : (R, R) uint8
        ``round(255 * P(class 1))`` at ``(xs[j], ys[i])`` (a NaN probability reads 0.5: 128).
    """

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def boundary_info(grid: BoundaryGrid) -> BoundaryInfo:
    """Return the boundary grid with its probabilities as ``uint8`` levels (256, plenty to see).

    A quarter of the bytes of float32 on the wire; probabilities are clipped to [0, 1].

    Examples
    --------
    >>> from types import SimpleNamespace as G
    >>> grid = G(xs=[0.0, 1.0], ys=[0.0, 1.0], prob=[[0.0, 0.5], [np.nan, 1.2]])
    >>> boundary_info(grid).z.tolist()
    [[0, 128], [128, 255]]
    """
    prob = np.nan_to_num(np.asarray(grid.prob, dtype=np.float32), nan=0.5)
    return BoundaryInfo(
        np.asarray(grid.xs, dtype=np.float32),
        np.asarray(grid.ys, dtype=np.float32),
        np.rint(np.clip(prob, 0.0, 1.0) * 255.0).astype(np.uint8),
    )


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
        heat = boundary_info(grid)
        data.append(
            {
                "type": "heatmap",
                "x": heat.xs,
                "y": heat.ys,
                "z": heat.z,
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
        xaxis=axis("x₁", lim, showgrid=False, constrain="domain", mirror=True),
        yaxis=axis(
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
        layout["annotations"] = [panel_title(title, 0.0)]
    return _figure(data, layout)
