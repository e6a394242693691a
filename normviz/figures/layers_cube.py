"""The normalization cube: an (N, C, H·W) tensor drawn as a solid block, one set shaded.

Drawn in the manner of Figure 2 of Wu & He, "Group Normalization" (2018): the C axis runs left to
right, N into the depth, H·W up, in an oblique projection (:func:`project`); the block's three
visible faces show every cell, and the cells of one statistic set that reach them are shaded,
inside the outline of the set's box: plain 2D paths, a handful whatever the tensor's size, no
WebGL. (A 3D Plotly scene of one marker per element is a WebGL context that a GPU-less browser
draws in software: seconds of the browser's main thread per changed control.)
This module holds the geometry (:func:`project`, :func:`visible_cells`, the faces, boxes and
cells as paths of points, which the small tiles of :mod:`~normviz.figures.layers_cube_row`
draw) and the alt text; :mod:`~normviz.figures.layers_cube_svg` draws the animated cube from it
as inline SVG, one frame per set. Builders take a :class:`normviz.layer_studies.CubeInfo`
(plain numpy); they never import torch.
"""

from __future__ import annotations

import numpy as np

from normviz.layer_studies import CubeInfo
from normviz.layers import KIND_NAMES

ACCENT = "#4f46e5"
BASE = "#9ca3af"
KIND_TITLES = KIND_NAMES
SHEAR = (0.55, 0.42)
"""Where one step into the depth (the A axis, N) moves a point on the page: (right, up)."""
PAD = 0.5
"""Half a cell: a cell spans its index +- PAD on every axis."""
FACES = ("front", "top", "side")
"""The three sides of the block the oblique view shows: a = 0, l = L - 1, b = B - 1."""
SHADE = "rgba(79, 70, 229, 0.78)"
"""Fill of a shaded cell (ACCENT)."""


def project(a, b, l_) -> tuple[np.ndarray, np.ndarray]:
    """Return the page coordinates (x, y) of points (A, B, L): the oblique view.

    Examples
    --------
    >>> project(np.array([0, 2]), np.array([1, 1]), np.array([3, 0]))
    (array([1. , 2.1]), array([3.  , 0.84]))
    """
    a = np.asarray(a, dtype=np.float64)
    return (np.asarray(b, dtype=np.float64) + SHEAR[0] * a,
            np.asarray(l_, dtype=np.float64) + SHEAR[1] * a)  # fmt: skip


_SQUARES = {
    # Per face: the fixed axis, and the (A, B, L) offsets of a cell's four corners on that face.
    "front": (0, np.array([(0, -1, -1), (0, 1, -1), (0, 1, 1), (0, -1, 1)]) * PAD),
    "top": (2, np.array([(-1, -1, 0), (-1, 1, 0), (1, 1, 0), (1, -1, 0)]) * PAD),
    "side": (1, np.array([(-1, 0, -1), (1, 0, -1), (1, 0, 1), (-1, 0, 1)]) * PAD),
}


def _corners(face: str, cells: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """(k, 4, 3) corners (A, B, L) of the squares that ``cells`` (k, 3) show on ``face``."""
    axis, offsets = _SQUARES[face]
    corners = cells[:, None, :].astype(np.float64) + offsets[None]
    corners[:, :, axis] = -PAD if face == "front" else shape[axis] - PAD
    return corners


def visible_cells(info: CubeInfo, group: int | None = None) -> dict[str, np.ndarray]:
    """Return, per face of :data:`FACES`, the (a, b, l) cells it shows (only set ``group``'s).

    Every set of every layer spans at least one whole axis, so it reaches a visible face: every
    set has shaded cells.

    Examples
    --------
    >>> labels = np.arange(8).reshape(2, 2, 2)
    >>> info = CubeInfo("instance", None, ("N", "C", "L"), labels, (0.0,) * 8, (1.0,) * 8)
    >>> {face: cells.tolist() for face, cells in visible_cells(info, 7).items()}
    {'front': [], 'top': [[1, 1, 1]], 'side': [[1, 1, 1]]}
    """
    _, big_b, big_l = info.labels.shape
    if not info.labels.size:
        return {face: np.zeros((0, 3), dtype=np.int64) for face in FACES}
    front = info.labels[0, :, :]  # a = 0
    top = info.labels[:, :, big_l - 1]
    side = info.labels[:, big_b - 1, :]
    if group is None:
        front, top, side = (np.zeros_like(face) for face in (front, top, side))
        group = 0
    b, l_ = np.nonzero(front == group)
    a, b2 = np.nonzero(top == group)
    a3, l3 = np.nonzero(side == group)
    return {
        "front": np.stack([np.zeros_like(b), b, l_], axis=1),
        "top": np.stack([a, b2, np.full_like(a, big_l - 1)], axis=1),
        "side": np.stack([a3, np.full_like(a3, big_b - 1), l3], axis=1),
    }


def _path(polygons: np.ndarray, dx: float = 0.0) -> dict[str, list]:
    """Polygons ((k, m, 3) corners) as one path: each closed, None between them (``toself``)."""
    polygons = np.asarray(polygons, dtype=np.float64)
    if not polygons.size:
        return {"x": [], "y": []}
    x, y = project(polygons[..., 0], polygons[..., 1], polygons[..., 2])
    k = x.shape[0]
    gap = np.full((k, 1), np.nan)
    xs = np.round(np.concatenate([x + dx, x[:, :1] + dx, gap], axis=1), 3).reshape(-1)[:-1]
    ys = np.round(np.concatenate([y, y[:, :1], gap], axis=1), 3).reshape(-1)[:-1]
    return {"x": [None if v != v else v for v in xs.tolist()],
            "y": [None if v != v else v for v in ys.tolist()]}  # fmt: skip


def _cells_path(info: CubeInfo, cells: dict[str, np.ndarray], dx: float = 0.0) -> dict:
    shape = info.labels.shape
    found = [_corners(face, c, shape) for face, c in cells.items() if len(c)]
    return _path(np.concatenate(found) if found else np.zeros((0, 4, 3)), dx)


def _bounds(info: CubeInfo, group: int) -> tuple[np.ndarray, np.ndarray]:
    cells = np.argwhere(info.labels == group)
    if not cells.size:
        return np.zeros(3), np.zeros(3)
    return cells.min(axis=0) - PAD, cells.max(axis=0) + PAD


def _box(info: CubeInfo, group: int, dx: float = 0.0) -> dict[str, list]:
    """Return the set's box: its outline and the three edges at its front top right corner."""
    (a0, b0, l0), (a1, b1, l1) = _bounds(info, group)
    outline = [(a0, b0, l0), (a0, b1, l0), (a1, b1, l0), (a1, b1, l1), (a1, b0, l1),
               (a0, b0, l1)]  # fmt: skip
    path = _path(np.array([outline]), dx)
    # The three edges at the front top right corner: open lines, not closed polygons.
    edges = np.array([(a0, b0, l1), (a0, b1, l1), (a0, b1, l0), (a0, b1, l1), (a1, b1, l1)])
    ex, ey = project(edges[:, 0], edges[:, 1], edges[:, 2])
    return {
        "x": path["x"] + [None] + np.round(ex + dx, 3).tolist(),
        "y": path["y"] + [None] + np.round(ey, 3).tolist(),
    }


def face_polygons(shape: tuple[int, int, int]) -> np.ndarray:
    """Return the block's three visible faces (front, top, side) as (A, B, L) corners.

    ``shape`` is the block's (A, B, L) size; the result is float64 of shape (3, 4, 3): each
    face's four corners in drawing order, on the cells' outer edges (index +- :data:`PAD`).
    """
    big_a, big_b, big_l = shape
    a0, b0, l0, a1, b1, l1 = -PAD, -PAD, -PAD, big_a - PAD, big_b - PAD, big_l - PAD
    return np.array([
        [(a0, b0, l0), (a0, b1, l0), (a0, b1, l1), (a0, b0, l1)],  # front
        [(a0, b0, l1), (a0, b1, l1), (a1, b1, l1), (a1, b0, l1)],  # top
        [(a0, b1, l0), (a1, b1, l0), (a1, b1, l1), (a0, b1, l1)],  # side
    ], dtype=np.float64)  # fmt: skip


def edge_segments(shape: tuple[int, int, int]) -> np.ndarray:
    """Return the cell edges inside the three visible faces, as (A, B, L) segments.

    Float64 of shape (K, 2, 3), K = 2(B - 1) + 2(L - 1) + 2(A - 1): each segment's two ends.
    """
    big_a, big_b, big_l = shape
    a0, b0, l0, a1, b1, l1 = -PAD, -PAD, -PAD, big_a - PAD, big_b - PAD, big_l - PAD
    lines = [((a0, b, l0), (a0, b, l1)) for b in np.arange(1, big_b) - PAD]  # front, vertical
    lines += [((a0, b0, v), (a0, b1, v)) for v in np.arange(1, big_l) - PAD]  # front, across
    lines += [((a0, b, l1), (a1, b, l1)) for b in np.arange(1, big_b) - PAD]  # top, into depth
    lines += [((a, b0, l1), (a, b1, l1)) for a in np.arange(1, big_a) - PAD]  # top, across
    lines += [((a, b1, l0), (a, b1, l1)) for a in np.arange(1, big_a) - PAD]  # side, vertical
    lines += [((a0, b1, v), (a1, b1, v)) for v in np.arange(1, big_l) - PAD]  # side, into depth
    return np.array(lines, dtype=np.float64).reshape(-1, 2, 3)


def _faces(info: CubeInfo, dx: float = 0.0) -> tuple[dict, dict]:
    """Return the block's three visible faces (closed outlines) and cell edges (straight lines)."""
    shape = info.labels.shape
    xs: list = []
    ys: list = []
    for start, end in edge_segments(shape):
        x, y = project(*np.array([start, end]).T)
        xs += [*np.round(x + dx, 3).tolist(), None]
        ys += [*np.round(y, 3).tolist(), None]
    return _path(face_polygons(shape), dx), {"x": xs[:-1], "y": ys[:-1]}


def _traces(info: CubeInfo, group: int, dx: float = 0.0) -> list[dict]:
    """Four traces: the block's faces, its cell edges, set ``group``'s visible cells, its box."""
    common = {"type": "scatter", "hoverinfo": "skip", "showlegend": False, "mode": "lines"}
    faces, edges = _faces(info, dx)
    return [
        {**common, **faces, "fill": "toself", "fillcolor": "#eef0f3",
         "line": {"color": BASE, "width": 1}},
        {**common, **edges, "line": {"color": BASE, "width": 0.6}},
        {**common, **_cells_path(info, visible_cells(info, group), dx), "fill": "toself",
         "fillcolor": SHADE, "line": {"color": "#ffffff", "width": 0.6}},
        {**common, **_box(info, group, dx), "line": {"color": ACCENT, "width": 2}},
    ]  # fmt: skip


def _ticks(size: int, most: int = 6) -> list[int]:
    """Integer index ticks only (a sample has no index 0.5), at most about ``most`` of them."""
    step = max(1, -(-size // most))
    return list(range(0, size, step))


def data_range(info: CubeInfo, ticks: bool = True) -> tuple[list[float], list[float]]:
    """Return the x and y ranges that hold the block, its index labels and its axes' names."""
    a, b, l_ = info.labels.shape
    x1, y1 = project(np.array([a - PAD]), np.array([b - PAD]), np.array([l_ - PAD]))
    extra = 0.9 if ticks else 0.0
    return ([-PAD - 1.6 - extra, float(x1[0]) + 2.0 + extra],
            [-PAD - 3.2 - extra, float(y1[0]) + 0.3])  # fmt: skip


def _shape_text(info: CubeInfo) -> str:
    a, b, length = info.labels.shape
    names = info.axis_names
    return f"({names[0]}, {names[1]}, {names[2]}) = ({a}, {b}, {length})"


def cube_alt(info: CubeInfo) -> str:
    """Return the alternative text of the animated cube of ``info``: what it shows, in numbers.

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
    Animated cube (oblique view) of a tensor of shape (N, C, H·W) = (2, 3, 4) under BatchNorm: 3 statistic sets of 8 elements each, pooled over N, H·W; set 1 has mean +0.000, std 1.000. Play steps through the sets.
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
        f"Animated cube (oblique view) of a tensor of shape {_shape_text(info)} under {name}: "
        f"{count} statistic set{'s' if count != 1 else ''} of {each}{over}{first}. "
        "Play steps through the sets."
    )
