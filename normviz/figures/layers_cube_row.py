"""The five normalization cubes in one 3D scene: one WebGL context instead of one per cube.

Drawn as Figure 2 of Wu & He, "Group Normalization" (2018) draws them, side by side. Every 3D
scene of a Plotly figure is its own WebGL context in the browser and Chromium keeps at most 16
per page, counting charts a rerun remounts before the old ones are collected; a grid of five
scenes used five. Here the cubes share one scene, shifted along the C axis, each with its name
above it. Builders take :class:`normviz.layer_studies.CubeInfo` records (plain numpy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from normviz.figures._spec import FigureSpec
from normviz.figures.layers_cube import _FONT, KIND_TITLES, _marker_size, _traces
from normviz.layer_studies import CubeInfo

GAP = 2.5
"""Empty cells between two cubes along the C axis."""


def cube_offsets(infos: Sequence[CubeInfo], gap: float = GAP) -> list[float]:
    """Return where each cube starts on the shared C axis: its width plus ``gap`` after the last.

    Examples
    --------
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))
    >>> cube_offsets([info, info, info])
    [0.0, 5.5, 11.0]
    """
    starts, x = [], 0.0
    for info in infos:
        starts.append(x)
        x += info.labels.shape[1] + gap
    return starts


def cube_title(info: CubeInfo) -> str:
    """Return the name drawn above a cube: the layer, and G for GroupNorm.

    Examples
    --------
    >>> labels = np.zeros((2, 4, 4), dtype=np.int64)
    >>> cube_title(CubeInfo("group", 2, ("N", "C", "H·W"), labels, (0.0,), (1.0,)))
    '<b>GroupNorm</b> (G=2)'
    """
    return f"<b>{KIND_TITLES[info.kind]}</b>" + (f" (G={info.groups})" if info.groups else "")


def plot_cube_row(infos: Sequence[CubeInfo], height: int = 330, gap: float = GAP) -> FigureSpec:
    """Return the cubes of ``infos`` in one scene, left to right, each first statistic set shaded.

    Cube ``i`` is :func:`normviz.figures.layers_cube.plot_cube`'s first frame shifted by
    ``cube_offsets(infos)[i]`` along C (x); N (y) and H·W (z) keep their index ticks. Three
    traces per cube (all elements, the shaded set, its box) and one scene annotation per cube.

    Examples
    --------
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))
    >>> fig = plot_cube_row([info, info])
    >>> len(fig.data), [k for k in fig.layout if k.startswith("scene")]
    (6, ['scene'])
    """
    fig = go.Figure()
    starts = cube_offsets(infos, gap)
    marker = min((_marker_size(i) for i in infos), default=4.0) - 1
    notes = []
    for info, x0 in zip(infos, starts, strict=True):
        for trace in _traces(info, 0, marker):
            trace.x = np.asarray(trace.x, dtype=float) + x0
            fig.add_trace(trace)
        _, b, length = info.labels.shape
        top = 1.12 * length + 0.5  # above the cube, below the z range's top
        notes.append(
            {"x": x0 + (b - 1) / 2, "y": 0.0, "z": top, "text": cube_title(info),
             "showarrow": False, "font": {"size": 13}}
        )  # fmt: skip
    width = (starts[-1] + infos[-1].labels.shape[1]) if infos else 1.0
    depth = max((i.labels.shape[0] for i in infos), default=1)
    tall = max((i.labels.shape[2] for i in infos), default=1)
    axis = {"showbackground": False, "showspikes": False, "gridcolor": "#e5e7eb", "zeroline": False}
    names = infos[0].axis_names if infos else ("N", "C", "H·W")
    fig.update_layout(
        template="none", height=height, font=_FONT, margin={"l": 0, "r": 0, "t": 0, "b": 0},
        scene={
            "xaxis": {**axis, "title": {"text": f"{names[1]} (each cube)"}, "showticklabels": False,
                      "range": [-0.7, width - 0.3]},
            "yaxis": {**axis, "title": {"text": names[0]}, "range": [-0.7, depth - 0.3],
                      "dtick": max(1, -(-depth // 4))},
            "zaxis": {**axis, "title": {"text": names[2]}, "range": [-0.7, tall * 1.25 + 1],
                      "dtick": max(1, -(-tall // 4))},
            "aspectmode": "manual",
            "aspectratio": {"x": 4.0, "y": 1.0, "z": 0.9},
            "camera": {"eye": {"x": 0.4, "y": -2.4, "z": 1.3}},
            "annotations": notes,
        },
    )  # fmt: skip
    return FigureSpec.from_figure(fig)
