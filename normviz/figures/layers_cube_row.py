"""The five normalization cubes side by side: one small picture per cube, on one scale.

Drawn as Figure 2 of Wu & He, "Group Normalization" (2018) draws them. Each cube is its own
tile so the page can put them in columns that stack on a phone (one figure with five cubes ran
their titles together at 390 px and cropped a shaded set); every tile gets the same cell size,
so the cubes compare at a glance. :func:`cube_tile_image` draws a tile as an RGB image with
Pillow, from the same paths as the animated cube (a browser shows five pictures for nothing,
where five Plotly charts cost it hundreds of milliseconds a change). Builders take
:class:`normviz.layer_studies.CubeInfo` records (plain numpy).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image, ImageDraw

from normviz.figures._theme import rgb_over_white as _rgb
from normviz.figures.layers_cube import (
    ACCENT,
    BASE,
    KIND_TITLES,
    PAD,
    _traces,
    project,
)
from normviz.layer_captions import tile_title
from normviz.layer_studies import CubeInfo, cube_infos


def tile_alt(info: CubeInfo) -> str:
    """Return the alternative text of one tile: the layer, its sets and what each pools.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> print(tile_alt(CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,) * 2,
    ...                         (1.0,) * 2, ("C", "H·W"))))
    Cube of a tensor of shape (N, C, H·W) = (2, 3, 4) under LayerNorm: 2 statistic sets, pooled over C, H·W; the first set shaded.
    """  # noqa: E501
    a, b, length = info.labels.shape
    names = info.axis_names
    count = len(info.means)
    name = KIND_TITLES[info.kind] + (f" with G = {info.groups}" if info.groups else "")
    over = f", pooled over {', '.join(info.reduced)}" if info.reduced else ""
    return (
        f"Cube of a tensor of shape ({names[0]}, {names[1]}, {names[2]}) = ({a}, {b}, {length}) "
        f"under {name}: {count} statistic set{'s' if count != 1 else ''}{over}; the first set "
        "shaded."
    )


def _runs(xs: list, ys: list) -> list[list[tuple[float, float]]]:
    """Return the parts of a path (None between them) as lists of points."""
    parts: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if x is None or y is None:
            parts.append([])
        else:
            parts[-1].append((float(x), float(y)))
    return [p for p in parts if p]


def tile_ranges(infos: Sequence[CubeInfo], pad: float = 0.3) -> tuple[list[float], list[float]]:
    """Return the x and y data ranges every tile picture shares: the largest block, ``pad`` around.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> tile_ranges([CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))])
    ([-1.075, 3.625], [-1.01, 4.43])
    """
    a = max(i.labels.shape[0] for i in infos)
    b = max(i.labels.shape[1] for i in infos)
    length = max(i.labels.shape[2] for i in infos)
    lo = np.full(1, -PAD)  # the front bottom left corner of the block
    x0, y0 = project(lo, lo, lo)
    x1, y1 = project(np.array([a - PAD]), np.array([b - PAD]), np.array([length - PAD]))
    return ([round(float(x0[0]) - pad, 3), round(float(x1[0]) + pad, 3)],
            [round(float(y0[0]) - pad, 3), round(float(y1[0]) + pad, 3)])  # fmt: skip


def cube_tile_image(
    info: CubeInfo,
    ranges: tuple[Sequence[float], Sequence[float]] | None = None,
    width: int = 300,
    supersample: int = 2,
) -> np.ndarray:
    """Return the tile of ``info`` as an (H, W, 3) uint8 RGB image: its first set shaded.

    The same block, shaded cells and box as the animated cube's first frame
    (:mod:`~normviz.figures.layers_cube_svg`), drawn with Pillow at ``supersample`` times the
    size and scaled down (smooth edges).
    ``ranges`` (x, y data ranges, :func:`tile_ranges`) give every tile of a row one scale; the
    height follows from ``width`` and the ranges (equal units on x and y).

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))
    >>> image = cube_tile_image(info, width=120)
    >>> image.shape[1], image.shape[2], image.dtype.name
    (120, 3, 'uint8')
    """  # fmt: skip
    (x0, x1), (y0, y1) = ranges or tile_ranges([info])
    big = width * supersample
    scale = big / (x1 - x0)
    height = max(round((y1 - y0) * scale), 1)
    image = Image.new("RGB", (big, height), "white")
    draw = ImageDraw.Draw(image)

    def px(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [((x - x0) * scale, height - (y - y0) * scale) for x, y in points]

    faces, grid, cells, box = _traces(info, 0)
    line = max(supersample, 1)

    def polygon(points: list[tuple[float, float]], fill, outline) -> None:
        # Filled, then outlined as a closed line: Pillow outlines a polygon wider than 1 px
        # through a mask as large as the picture, ~1 ms a cell.
        draw.polygon(points, fill=fill)
        draw.line([*points, points[0]], fill=outline, width=line)

    for part in _runs(faces["x"], faces["y"]):
        polygon(px(part), _rgb(faces["fillcolor"]), _rgb(BASE))
    for part in _runs(grid["x"], grid["y"]):
        draw.line(px(part), fill=_rgb(BASE), width=line)
    for part in _runs(cells["x"], cells["y"]):
        polygon(px(part), _rgb(cells["fillcolor"]), (255, 255, 255))
    for part in _runs(box["x"], box["y"]):
        draw.line(px(part), fill=_rgb(ACCENT), width=2 * line, joint="curve")
    # A box filter over each supersample x supersample block: as smooth here as Lanczos, which
    # took most of the drawing's time.
    rows = max(height // supersample, 1) * supersample
    small = image.crop((0, 0, big, rows)).reduce(supersample)
    return np.asarray(small)


def tile_png(image: np.ndarray) -> bytes:
    """Return an RGB tile picture (:func:`cube_tile_image`) as PNG bytes, encoded once.

    A page that shows the bytes sends them as they are; an array would be encoded again on
    every run.

    Examples
    --------
    >>> picture = Image.open(io.BytesIO(tile_png(np.zeros((2, 3, 3), dtype=np.uint8))))
    >>> picture.format, picture.size, picture.mode
    ('PNG', (3, 2), 'RGB')
    """
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), "RGB").save(out, format="PNG")
    return out.getvalue()


ROW_CACHE_SIZE = 32
"""How many (shape, G) rows :func:`row_tiles` keeps: ~45 kB of PNG each."""


@functools.lru_cache(maxsize=ROW_CACHE_SIZE)
def row_tiles(shape: tuple[int, ...], groups: int) -> tuple[tuple[str, bytes, str], ...]:
    r"""Return the five cubes of a tensor of ``shape`` as (Markdown title, PNG bytes, alt text).

    Built once per (``shape``, ``groups``) and kept (the last :data:`ROW_CACHE_SIZE`): a tile
    shows which elements share a set, not their values, so the data never redraws it. Drawing
    and encoding the five takes ~0.1 s, a fresh server's first /layers run ~0.4 s beside a
    browser that boots the page: the server draws the default row before it serves
    (:mod:`normviz.serving.warm`).

    Parameters
    ----------
    shape : tuple of int
        (N, C, H, W) or (N, C, L).
    groups : int
        G of the GroupNorm cube (it divides C).

    Examples
    --------
    >>> tiles = row_tiles((2, 4, 3, 3), 2)
    >>> [title for title, _, _ in tiles][3], tiles[0][1][:4]
    ('**GroupNorm** (G=2)', b'\x89PNG')
    """
    infos = cube_infos(torch.zeros(shape), groups)
    ranges = tile_ranges(infos)
    return tuple((tile_title(i), tile_png(cube_tile_image(i, ranges)), tile_alt(i)) for i in infos)
