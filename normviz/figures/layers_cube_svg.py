"""The normalization cube as inline SVG: one static drawing, and per statistic set a frame.

The same oblique view as :mod:`normviz.figures.layers_cube` (Figure 2 of Wu & He, "Group
Normalization", 2018), drawn without Plotly: :func:`cube_svg` returns the block, its cell edges,
the axes' index labels and names as one ``<svg>`` element, plus, per statistic set, the path
data of its shaded cells (one path per visible face), of its box, and its title. A browser
swaps a frame by setting three ``d`` attributes and a caption, so playing the sets costs it
nothing (``pages/_cube_view.py`` is the player). Coordinates are SVG user units: ``SCALE`` per
cell, y downwards; :func:`to_svg` maps the view's page coordinates (:func:`project`) to them.
Builders take a :class:`normviz.layer_studies.CubeInfo` (plain numpy); they never import torch.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

import numpy as np

from normviz.figures.layers_cube import (
    ACCENT,
    BASE,
    FACES,
    PAD,
    SHADE,
    _bounds,
    _corners,
    _ticks,
    cube_alt,
    data_range,
    edge_segments,
    face_polygons,
    project,
    visible_cells,
)
from normviz.layer_studies import CubeInfo
from normviz.layer_text import set_caption

SCALE = 30.0
"""SVG user units per cell."""
FACE_FILL = "#eef0f3"
TICK_COLOR = "#4b5563"


class CubeFrame(NamedTuple):
    """One statistic set as the cube shows it.

    ``cells`` holds one SVG path (``d``) per face of :data:`FACES`: the set's cells on it, each
    a closed square ``M x y L x y L x y L x y Z``; ``box`` the set's box (its outline and the
    three edges at its front top right corner); ``title`` the set's caption
    (:func:`normviz.layer_text.set_caption`) on three lines.
    """

    cells: tuple[str, str, str]
    box: str
    title: tuple[str, ...]


class CubeSvg(NamedTuple):
    """An animated cube: the static ``svg`` (set 1 drawn in it), its frames, its alt text.

    ``origin`` is the page point (x, y) at the SVG's top left corner; a page point (x, y) is at
    ((x - x0) * SCALE, (y0 - y) * SCALE) in the SVG (:func:`to_svg`).
    """

    svg: str
    frames: tuple[CubeFrame, ...]
    label: str
    origin: tuple[float, float]


def to_svg(x, y, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Return SVG coordinates of page points (x, y): ``SCALE`` units per cell, y down.

    Examples
    --------
    >>> to_svg(np.array([0.0, 1.0]), np.array([2.0, 0.0]), (-1.0, 2.0))
    (array([30., 60.]), array([ 0., 60.]))
    """
    x0, y0 = origin
    return ((np.asarray(x, dtype=np.float64) - x0) * SCALE,
            (y0 - np.asarray(y, dtype=np.float64)) * SCALE)  # fmt: skip


def _num(v: float) -> str:
    """Return a coordinate with at most one decimal, no trailing zeros (``12``, ``-3.5``)."""
    return f"{round(float(v), 1) + 0.0:g}"


def _d(polygons: np.ndarray, origin: tuple[float, float], close: bool = True) -> str:
    """SVG path data of polygons ((k, m, 3) corners (A, B, L)): one subpath each."""
    polygons = np.asarray(polygons, dtype=np.float64)
    if not polygons.size:
        return ""
    x, y = to_svg(*project(polygons[..., 0], polygons[..., 1], polygons[..., 2]), origin)
    parts = []
    for xs, ys in zip(x, y, strict=True):
        points = " L".join(f"{_num(a)} {_num(b)}" for a, b in zip(xs, ys, strict=True))
        parts.append(f"M{points}" + ("Z" if close else ""))
    return "".join(parts)


def _cells_d(info: CubeInfo, group: int, origin: tuple[float, float]) -> tuple[str, str, str]:
    shape = info.labels.shape
    cells = visible_cells(info, group)
    return tuple(_d(_corners(face, cells[face], shape), origin) for face in FACES)  # type: ignore[return-value]


def _box_d(info: CubeInfo, group: int, origin: tuple[float, float]) -> str:
    (a0, b0, l0), (a1, b1, l1) = _bounds(info, group)
    outline = [(a0, b0, l0), (a0, b1, l0), (a1, b1, l0), (a1, b1, l1), (a1, b0, l1),
               (a0, b0, l1)]  # fmt: skip
    edges = [(a0, b0, l1), (a0, b1, l1), (a0, b1, l0), (a0, b1, l1), (a1, b1, l1)]
    return _d(np.array([outline]), origin) + _d(np.array([edges]), origin, close=False)


def _lines_d(info: CubeInfo, origin: tuple[float, float]) -> str:
    """Return the cell edges on the three visible faces, as straight segments."""
    lines = edge_segments(info.labels.shape)
    return _d(lines, origin, close=False) if len(lines) else ""


def _faces_d(info: CubeInfo, origin: tuple[float, float]) -> str:
    return _d(face_polygons(info.labels.shape), origin)


def _text(x: float, y: float, text: str, cls: str, anchor: str, extra: str = "") -> str:
    return (f'<text class="{cls}" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>'
            f"{escape(text)}</text>")  # fmt: skip


def _axes_svg(info: CubeInfo, origin: tuple[float, float]) -> str:
    """Return the axes' index labels (integers only) and names, as SVG text."""
    a, b, l_ = info.labels.shape
    names = info.axis_names
    out = []

    def at(point: tuple[float, float, float]) -> tuple[float, float]:
        x, y = to_svg(*project(*np.array([point], dtype=np.float64).T), origin)
        return float(x[0]), float(y[0])

    for v in _ticks(b):  # B along the bottom of the front face: below the point
        x, y = at((-PAD, v, -PAD - 0.2))
        out.append(_text(x, y, str(v), "nv-tick", "middle", ' dominant-baseline="hanging"'))
    for v in _ticks(l_):  # L up the left of the front face: left of the point
        x, y = at((-PAD, -PAD - 0.2, v))
        out.append(_text(x, y, str(v), "nv-tick", "end", ' dominant-baseline="central"'))
    for v in _ticks(a, 4):  # A into the depth, along the bottom of the right face
        x, y = at((v, b - PAD + 0.2, -PAD))
        out.append(_text(x, y, str(v), "nv-tick", "start", ' dominant-baseline="central"'))
    x, y = to_svg((b - 1) / 2, -PAD - 2.1, origin)
    out.append(_text(x, y, f"{names[1]} →", "nv-axis", "middle", ' dominant-baseline="hanging"'))
    x, y = to_svg(-PAD - 1.5, (l_ - 1) / 2, origin)
    out.append(_text(x, y, f"{names[2]} →", "nv-axis", "middle",
                     f' transform="rotate(-90 {_num(x)} {_num(y)})"'))  # fmt: skip
    x, y = to_svg(*project(np.array([a - PAD]), np.array([b + 1.5]), np.array([-PAD])), origin)
    out.append(_text(float(x[0]), float(y[0]), f"{names[0]} ↗", "nv-axis", "start",
                     ' dominant-baseline="central"'))  # fmt: skip
    return "".join(out)


def title_of(info: CubeInfo, k: int) -> tuple[str, ...]:
    """Return set ``k``'s caption on three lines: layer and set, which set, its moments.

    Examples
    --------
    >>> labels = np.repeat(np.arange(3)[None, :, None], 2, axis=0).repeat(4, axis=2)
    >>> kept = tuple((("c", c),) for c in range(3))
    >>> info = CubeInfo("batch", None, ("N", "C", "H·W"), labels, (0.0, 1.0, 2.0), (1.0,) * 3,
    ...                 ("N", "H·W"), kept)
    >>> title_of(info, 2)
    ('BatchNorm · set 3 of 3', 'c = 2 · over N, H·W', 'mean +2.000, std 1.000')
    """
    caption = set_caption(info, k)
    head, sep, rest = caption.partition(": ")
    if not sep:
        return (caption,)
    which, _, moments = rest.rpartition(" · ")
    return (head, which, moments)


def caption_of(title: tuple[str, ...]) -> str:
    """Return the one-line caption a :func:`title_of` title was made from (its inverse)."""
    return f"{title[0]}: {title[1]} · {title[2]}" if len(title) == 3 else title[0]


def cube_svg(info: CubeInfo) -> CubeSvg:
    """Return the cube of ``info`` as SVG, with one frame per statistic set.

    The ``<svg>`` holds, in drawing order, the block's three visible faces, their cell edges,
    the shaded cells of set 1 (three paths, ``data-face`` front/top/side), its box, and the
    axes' index labels and names; it is an image (``role="img"``) labelled by
    :func:`normviz.figures.layers_cube.cube_alt`. Frame ``k`` gives set ``k``'s cells, box and
    title; an empty ``info`` gives the block alone and no frame.

    Examples
    --------
    >>> labels = np.repeat(np.arange(3)[None, :, None], 2, axis=0).repeat(4, axis=2)
    >>> kept = tuple((("c", c),) for c in range(3))
    >>> info = CubeInfo("batch", None, ("N", "C", "H·W"), labels, (0.0, 1.0, 2.0), (1.0,) * 3,
    ...                 ("N", "H·W"), kept)
    >>> view = cube_svg(info)
    >>> len(view.frames), view.frames[1].title[0], view.svg.startswith("<svg")
    (3, 'BatchNorm · set 2 of 3', True)
    >>> view.frames[0].cells[0][:30]  # set 1 on the front face: cell (0, 0, 0) first
    'M66.8 154.2 L96.8 154.2 L96.8 '
    """
    (x0, x1), (y0, y1) = data_range(info)
    origin = (x0, y1)
    width, height = (x1 - x0) * SCALE, (y1 - y0) * SCALE
    frames = tuple(
        CubeFrame(_cells_d(info, g, origin), _box_d(info, g, origin), title_of(info, g))
        for g in range(len(info.means))
    )
    first = frames[0] if frames else CubeFrame(("", "", ""), "", ())
    label = cube_alt(info)
    cells = "".join(
        f'<path class="nv-cells" data-face="{face}" d="{d}"/>'
        for face, d in zip(FACES, first.cells, strict=True)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nv-cube-svg" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'preserveAspectRatio="xMidYMid meet" overflow="visible">'
        f'<g fill="none" stroke-linejoin="round">'
        f'<path class="nv-faces" d="{_faces_d(info, origin)}" fill="{FACE_FILL}" stroke="{BASE}" '
        'stroke-width="1" vector-effect="non-scaling-stroke"/>'
        f'<path class="nv-grid" d="{_lines_d(info, origin)}" stroke="{BASE}" stroke-width="0.6" '
        'vector-effect="non-scaling-stroke"/>'
        f'<g class="nv-set" fill="{SHADE}" stroke="#ffffff" stroke-width="0.6">{cells}</g>'
        f'<path class="nv-box" d="{first.box}" stroke="{ACCENT}" stroke-width="2" '
        'vector-effect="non-scaling-stroke"/></g>'
        f'<g fill="{TICK_COLOR}">{_axes_svg(info, origin)}</g></svg>'
    )
    return CubeSvg(svg, frames, label, origin)


CUBE_TARGETS = (
    ('[data-face="front"]', "d"),
    ('[data-face="top"]', "d"),
    ('[data-face="side"]', "d"),
    (".nv-box", "d"),
)
"""What a cube frame sets in the drawing: the three faces' shaded cells and the set's box."""


def cube_payload(view: CubeSvg, frame_ms: int = 700) -> dict:
    """Return what the browser's player needs: the SVG, per frame its paths and title lines.

    The player (``pages/_cube_view.py``) plays frames of any drawing: a frame's ``set`` holds
    one value per ``targets`` entry (a CSS selector and the attribute set on its matches).

    Examples
    --------
    >>> labels = np.zeros((1, 2, 2), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,), ("C", "H·W"),
    ...                 ((("n", 0),),))
    >>> payload = cube_payload(cube_svg(info))
    >>> sorted(payload), len(payload["frames"][0]["set"])
    (['frames', 'label', 'ms', 'svg', 'targets'], 4)
    """
    frames = [{"set": [*f.cells, f.box], "title": list(f.title)} for f in view.frames]
    targets = [list(t) for t in CUBE_TARGETS]
    return {"svg": view.svg, "frames": frames, "label": view.label, "ms": frame_ms,
            "targets": targets}  # fmt: skip
