"""The normalization cube: an (N, C, H·W) tensor in 3D with one statistic group highlighted.

Drawn in the manner of Figure 2 of Wu & He, "Group Normalization" (2018): the C axis runs left to
right, N into the depth, H·W up. Builders take a :class:`normviz.layer_studies.CubeInfo` (plain
numpy) and return ``go.Figure``; they never import torch. The animated cube has one frame per
group; frames change only the highlighted trace and the box, so the payload grows with the number
of elements, not with elements x frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from normviz.figures._spec import FigureSpec
from normviz.layer_studies import CubeInfo
from normviz.layer_text import set_caption
from normviz.layers import KIND_NAMES

ACCENT = "#4f46e5"
BASE = "#9ca3af"
KIND_TITLES = KIND_NAMES
_FONT = {"family": "sans-serif", "size": 13, "color": "#111827"}


def _box(lo: np.ndarray, hi: np.ndarray) -> dict[str, list[float]]:
    """Vertices (x, y, z) and triangles (i, j, k) of an axis-aligned box, padded by half a cell."""
    lo, hi = lo - 0.45, hi + 0.45
    xs = [lo[0], hi[0], hi[0], lo[0], lo[0], hi[0], hi[0], lo[0]]
    ys = [lo[1], lo[1], hi[1], hi[1], lo[1], lo[1], hi[1], hi[1]]
    zs = [lo[2], lo[2], lo[2], lo[2], hi[2], hi[2], hi[2], hi[2]]
    return {"x": [float(v) for v in xs], "y": [float(v) for v in ys], "z": [float(v) for v in zs]}


_TRIANGLES = {
    "i": [0, 0, 4, 4, 0, 0, 3, 3, 0, 0, 1, 1],
    "j": [1, 2, 5, 6, 1, 5, 2, 6, 3, 7, 2, 6],
    "k": [2, 3, 6, 7, 5, 4, 6, 7, 7, 4, 6, 5],
}


def _group_box(hx: np.ndarray, hy: np.ndarray, hz: np.ndarray) -> dict[str, list[float]]:
    if not hx.size:
        return _box(np.zeros(3), np.zeros(3))
    return _box(np.array([hx.min(), hy.min(), hz.min()]), np.array([hx.max(), hy.max(), hz.max()]))


def _coords(info: CubeInfo, group: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, z) = (B index, A index, L index) of the elements of ``group``."""
    a, b, l_ = np.nonzero(info.labels == group)
    return b, a, l_


def _scene(info: CubeInfo, eye: float = 1.0) -> dict:
    a, b, l_ = info.labels.shape
    axis = {"showbackground": False, "showspikes": False, "gridcolor": "#e5e7eb", "zeroline": False}

    def index_axis(name: str, size: int) -> dict:
        # Integer index ticks only (a sample or channel has no index 0.5), at most ~6 of them.
        step = max(1, -(-size // 6))
        return {
            **axis,
            "title": {"text": name},
            "range": [-0.7, size - 0.3],
            "tickmode": "linear",
            "tick0": 0,
            "dtick": step,
        }

    return {
        "xaxis": index_axis(info.axis_names[1], b),
        "yaxis": index_axis(info.axis_names[0], a),
        "zaxis": index_axis(info.axis_names[2], l_),
        "aspectmode": "manual",
        "aspectratio": {"x": 1.0, "y": 0.8, "z": 1.0},
        "camera": {"eye": {"x": 1.45 * eye, "y": -1.75 * eye, "z": 0.95 * eye}},
    }


def _traces(info: CubeInfo, group: int, marker: float) -> list[go.BaseTraceType]:
    a, b, l_ = np.indices(info.labels.shape).reshape(3, -1)
    hx, hy, hz = _coords(info, group)
    box = _group_box(hx, hy, hz)
    return [
        go.Scatter3d(
            x=b, y=a, z=l_, mode="markers", hoverinfo="skip", showlegend=False,
            marker={"size": marker, "color": BASE, "opacity": 0.25, "symbol": "square"},
        ),
        go.Scatter3d(
            x=hx, y=hy, z=hz, mode="markers", hoverinfo="skip", showlegend=False,
            marker={"size": marker + 1, "color": ACCENT, "symbol": "square"},
        ),
        go.Mesh3d(**box, **_TRIANGLES, color=ACCENT, opacity=0.12, hoverinfo="skip"),
    ]  # fmt: skip


def _marker_size(info: CubeInfo) -> float:
    return float(np.clip(9.0 - np.log2(max(info.labels.size, 1)) / 2, 3.0, 6.0))


def plot_cube(info: CubeInfo, height: int = 560, frame_ms: int = 700) -> FigureSpec:
    """Return the cube of ``info`` animated over its statistic sets, one frame per set.

    Play/Pause buttons and a slider run in the browser (no server round trip per frame). The
    title of each frame is :func:`normviz.layer_text.set_caption`: the index the set keeps, the
    axes it pools over, its mean and standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.repeat(np.arange(3)[None, :, None], 2, axis=0).repeat(4, axis=2)
    >>> kept = tuple((("c", c),) for c in range(3))  # set c keeps channel c
    >>> info = CubeInfo("batch", None, ("N", "C", "H·W"), labels, (0.0, 1.0, 2.0), (1.0,) * 3,
    ...                 ("N", "H·W"), kept)
    >>> fig = plot_cube(info)
    >>> len(fig.frames), [b.label for b in fig.layout.updatemenus[0].buttons]
    (3, ['▶ Play', '❚❚ Pause'])
    >>> fig.frames[2].layout.title.text
    'BatchNorm · set 3 of 3: c = 2 · over N, H·W · mean +2.000, std 1.000'
    """
    count = len(info.means)
    marker = _marker_size(info)
    fig = go.Figure(data=_traces(info, 0, marker))
    frames = []
    for g in range(count):
        hx, hy, hz = _coords(info, g)
        box = _box(
            np.array([hx.min(), hy.min(), hz.min()]), np.array([hx.max(), hy.max(), hz.max()])
        )
        frames.append(
            go.Frame(
                name=str(g),
                data=[go.Scatter3d(x=hx, y=hy, z=hz), go.Mesh3d(**box)],
                traces=[1, 2],
                layout={"title": {"text": set_caption(info, g)}},
            )
        )
    fig.frames = frames
    play = {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}  # fmt: skip
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    fig.update_layout(
        template="none",
        height=height,
        font=_FONT,
        title={"text": set_caption(info, 0), "x": 0.02, "y": 0.97, "font": {"size": 15}},
        margin={"l": 0, "r": 0, "t": 40, "b": 10},
        scene={**_scene(info), "domain": {"x": [0, 1], "y": [0.17, 1]}},
        updatemenus=[
            {
                "type": "buttons", "direction": "left", "x": 0.02, "y": 0.02,
                "xanchor": "left", "yanchor": "bottom", "showactive": False,
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
                ],
            }
        ],
        sliders=[
            {
                "active": 0, "x": 0.22, "y": 0.02, "len": 0.76, "yanchor": "bottom",
                "currentvalue": {"prefix": "set ", "font": {"size": 12}},
                "pad": {"t": 0, "b": 0},
                "steps": [
                    {"label": str(g + 1), "method": "animate",
                     "args": [[str(g)], {**play, "frame": {"duration": 0, "redraw": True}}]}
                    for g in range(count)
                ],
            }
        ] if count else [],
    )  # fmt: skip
    return FigureSpec.from_figure(fig)


def plot_cube_grid(infos: Sequence[CubeInfo], height: int = 330) -> FigureSpec:
    """Return the cubes of ``infos`` side by side, each with its first statistic set shaded.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))
    >>> len(plot_cube_grid([info, info]).data)
    6
    """
    cols = max(len(infos), 1)
    titles = [
        f"<b>{KIND_TITLES[i.kind]}</b>" + (f" (G={i.groups})" if i.groups else "") for i in infos
    ]
    fig = make_subplots(
        rows=1, cols=cols, specs=[[{"type": "scene"}] * cols], subplot_titles=titles,
        horizontal_spacing=0.01,
    )  # fmt: skip
    for col, info in enumerate(infos, start=1):
        for trace in _traces(info, 0, _marker_size(info) - 1):
            fig.add_trace(trace, row=1, col=col)
        scene = _scene(info, eye=1.15)
        fig.update_layout({f"scene{'' if col == 1 else col}": scene})
    fig.update_layout(
        template="none", height=height, font=_FONT, margin={"l": 0, "r": 0, "t": 30, "b": 0}
    )
    return FigureSpec.from_figure(fig)


def _shape_text(info: CubeInfo) -> str:
    a, b, length = info.labels.shape
    names = info.axis_names
    return f"({names[0]}, {names[1]}, {names[2]}) = ({a}, {b}, {length})"


def cube_alt(info: CubeInfo) -> str:
    """Return the alternative text of :func:`plot_cube` for ``info``: what it shows, in numbers.

    Names the layer, the tensor's shape as the cube draws it, how many statistic sets there are,
    how many elements each pools and over which axes, and the first set's mean and standard
    deviation (RMSNorm: its root mean square), as the animation's first frame shows them.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.repeat(np.arange(3)[None, :, None], 2, axis=0).repeat(4, axis=2)
    >>> info = CubeInfo("batch", None, ("N", "C", "H·W"), labels, (0.0, 1.0, 2.0), (1.0,) * 3,
    ...                 ("N", "H·W"))
    >>> print(cube_alt(info))
    Animated 3D cube of a tensor of shape (N, C, H·W) = (2, 3, 4) under BatchNorm: 3 statistic sets of 8 elements each, pooled over N, H·W; set 1 has mean +0.000, std 1.000. Play steps through the sets.
    """  # noqa: E501
    count = len(info.means)
    sizes = np.bincount(info.labels.reshape(-1), minlength=count) if count else np.zeros(0)
    each = (
        f"{int(sizes[0])} elements each"
        if count and (sizes == sizes[0]).all()
        else f"{int(sizes.min())} to {int(sizes.max())} elements"
        if count
        else "no elements"
    )
    name = KIND_TITLES[info.kind] + (f" with G = {info.groups}" if info.groups else "")
    over = f", pooled over {', '.join(info.reduced)}" if info.reduced else ""
    first = ""
    if count and info.kind == "rms":
        first = f"; set 1 has root mean square {info.stds[0]:.3f}"
    elif count:
        first = f"; set 1 has mean {info.means[0]:+.3f}, std {info.stds[0]:.3f}"
    return (
        f"Animated 3D cube of a tensor of shape {_shape_text(info)} under {name}: "
        f"{count} statistic set{'s' if count != 1 else ''} of {each}{over}{first}. "
        "Play steps through the sets."
    )


def cube_grid_alt(infos: Sequence[CubeInfo]) -> str:
    """Return the alternative text of :func:`plot_cube_grid`: each layer's number of sets.

    Examples
    --------
    >>> import numpy as np
    >>> a = CubeInfo("layer", None, ("N", "C", "H·W"), np.zeros((2, 3, 4), np.int64), (0.0,) * 2,
    ...              (1.0,) * 2, ("C", "H·W"))
    >>> b = a._replace(kind="group", groups=3, means=(0.0,) * 6, reduced=("C/G", "H·W"))
    >>> print(cube_grid_alt([a, b]))
    2 cubes of a tensor of shape (N, C, H·W) = (2, 3, 4), the elements of one statistic set shaded: LayerNorm 2 sets (over C, H·W), GroupNorm with G = 3 6 sets (over C/G, H·W).
    """  # noqa: E501
    if not infos:
        return "No cubes."
    parts = [
        f"{KIND_TITLES[i.kind]}{f' with G = {i.groups}' if i.groups else ''} {len(i.means)} "
        f"set{'s' if len(i.means) != 1 else ''}"
        + (f" (over {', '.join(i.reduced)})" if i.reduced else "")
        for i in infos
    ]
    return (
        f"{len(infos)} cubes of a tensor of shape {_shape_text(infos[0])}, the elements of one "
        f"statistic set shaded: {', '.join(parts)}."
    )
