"""The five normalization cubes side by side: one small 2D figure per cube, on one scale.

Drawn as Figure 2 of Wu & He, "Group Normalization" (2018) draws them. Each cube is its own
figure so the page can put them in columns that stack on a phone (one figure with five cubes
ran their titles together at 390 px and cropped a shaded set); every tile gets the same cell
size and height, so the cubes compare at a glance. Plain 2D (no WebGL), built from plain dicts.
Builders take :class:`normviz.layer_studies.CubeInfo` records (plain numpy).
"""

from __future__ import annotations

from collections.abc import Sequence

from normviz.figures._spec import FigureSpec
from normviz.figures.layers_cube import _FONT, KIND_TITLES, _axes, _traces, data_range, plane
from normviz.layer_studies import CubeInfo


def cube_title(info: CubeInfo) -> str:
    """Return the name drawn above a cube: the layer, and G for GroupNorm.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 4, 4), dtype=np.int64)
    >>> cube_title(CubeInfo("group", 2, ("N", "C", "H·W"), labels, (0.0,), (1.0,)))
    '<b>GroupNorm</b> (G=2)'
    """
    return f"<b>{KIND_TITLES[info.kind]}</b>" + (f" (G={info.groups})" if info.groups else "")


def plot_cube_tiles(infos: Sequence[CubeInfo], height: int = 300) -> list[FigureSpec]:
    """Return one small figure per cube of ``infos``, each with its first statistic set shaded.

    Tile ``i`` holds :func:`normviz.figures.layers_cube.plot_cube`'s first frame (every element,
    the shaded set, its box) and the axes' names, titled :func:`cube_title`. All tiles share the
    height and the data ranges (the largest cube's), so equal cells look equal.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 3, 4), dtype=np.int64)
    >>> info = CubeInfo("layer", None, ("N", "C", "H·W"), labels, (0.0,), (1.0,))
    >>> tiles = plot_cube_tiles([info, info])
    >>> len(tiles), [t.layout.title.text for t in tiles]
    (2, ['<b>LayerNorm</b>', '<b>LayerNorm</b>'])
    >>> sorted({d.type for t in tiles for d in t.data})
    ['scatter']
    """
    if not infos:
        return []
    boxes = [data_range(i, ticks=False) for i in infos]
    xr = [min(b[0][0] for b in boxes), max(b[0][1] for b in boxes)]
    yr = [min(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]
    tiles = []
    for info in infos:
        axes, notes = _axes(info, ticks=False)
        layout = {
            "template": {},
            "height": height,
            "font": _FONT,
            "title": {"text": cube_title(info), "x": 0.5, "xanchor": "center", "y": 0.98,
                      "yanchor": "top", "font": {"size": 13}},
            "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
            "dragmode": False,
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            **plane(xr, yr),
            "annotations": notes,
        }  # fmt: skip
        tiles.append(FigureSpec([*_traces(info, 0), axes], layout))
    return tiles


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
