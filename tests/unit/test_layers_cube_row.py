"""The five cubes as small 2D tiles (no WebGL): the same sets as the animated cube's first frame."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from normviz import layer_studies as studies
from normviz import layers, tensors
from normviz.figures._spec import FigureSpec
from normviz.figures.layers_cube import ACCENT
from normviz.figures.layers_cube_row import cube_tile_image, plot_cube_tiles, tile_ranges
from normviz.figures.layers_cube_svg import SCALE, cube_svg


def _infos(c: int = 6, groups: int = 2):
    x = tensors.synthetic_batch(4, c, 4, 4, seed=0)
    return [studies.cube_info(x, k, groups if k == "group" else None) for k in layers.KINDS]


def test_one_tile_per_cube_without_a_3d_scene():
    tiles = plot_cube_tiles(_infos())
    assert len(tiles) == 5
    for tile in tiles:
        spec = tile.to_dict()
        assert not [k for k in spec["layout"] if k.startswith("scene")]
        assert {t["type"] for t in spec["data"]} == {"scatter"}
    assert [t.layout.title.text for t in tiles] == [
        "<b>BatchNorm</b>", "<b>LayerNorm</b>", "<b>InstanceNorm</b>", "<b>GroupNorm</b> (G=2)",
        "<b>RMSNorm</b>",
    ]  # fmt: skip


def _centres(xs, ys) -> set[tuple[float, float]]:
    """Centres of the closed polygons of a Plotly path (None between them)."""
    out, cur = set(), []
    for x, y in zip([*xs, None], [*ys, None], strict=True):
        if x is None:
            if cur:
                c = np.array(cur[:-1]).mean(axis=0)  # the closing point repeats the first
                out.add((float(c[0]), float(c[1])))
            cur = []
        else:
            cur.append((x, y))
    return out


def test_each_tile_shades_the_animated_cubes_first_set():
    """A tile's shaded squares are the animated cube's (the SVG player's) set 1, in page units."""
    infos = _infos(c=8, groups=4)
    for info, tile in zip(infos, plot_cube_tiles(infos), strict=True):
        view = cube_svg(info)
        x0, y0 = view.origin
        svg = set()
        for d in view.frames[0].cells:
            for square in re.findall(r"M[^M]*", d):
                p = np.array(re.findall(r"(-?[\d.]+) (-?[\d.]+)", square), dtype=float)
                c = p.mean(axis=0)
                svg.add((c[0] / SCALE + x0, y0 - c[1] / SCALE))  # 0.1 unit: 1/300 cell
        tile_cells = _centres(tile.data[2].x, tile.data[2].y)
        assert len(tile_cells) == len(svg) > 0, info.kind
        assert all(min(abs(a - u) + abs(b - v) for u, v in svg) < 0.01 for a, b in tile_cells)
        assert all(min(abs(a - u) + abs(b - v) for a, b in tile_cells) < 0.01 for u, v in svg)


def test_plotly_validates_it_and_sends_the_same_json():
    for spec in plot_cube_tiles(_infos()):
        ours = json.loads(pio.to_json(spec.to_dict(), validate=False))
        full = spec.full() if isinstance(spec, FigureSpec) else spec
        theirs = json.loads(pio.to_json(go.Figure(full.to_dict())))
        # A validated figure spells Plotly's empty template out; the rest must be identical.
        ours["layout"].pop("template"), theirs["layout"].pop("template")
        assert ours == theirs


def _shaded(image: np.ndarray) -> np.ndarray:
    """Pixels of the shaded cells (blue-violet: blue well above red and green)."""
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (b - g > 60) & (b - r > 40)


def test_tile_pictures_show_the_whole_block_and_its_shaded_set_uncropped():
    """Each small cube is a picture (a browser shows it for nothing): every shaded cell inside
    it, white margins on all four sides (nothing cropped), one scale for the five."""
    infos = _infos(c=8, groups=4)
    ranges = tile_ranges(infos)
    images = [cube_tile_image(i, ranges, width=240) for i in infos]
    assert len({im.shape for im in images}) == 1  # one scale, one size
    for info, image in zip(infos, images, strict=True):
        assert image.dtype == np.uint8 and image.shape[1] == 240
        border = np.concatenate(
            [
                image[:3].reshape(-1, 3),
                image[-3:].reshape(-1, 3),
                image[:, :3].reshape(-1, 3),
                image[:, -3:].reshape(-1, 3),
            ]
        )
        assert (border > 245).all(), info.kind  # white all round: the block is not cropped
        assert _shaded(image).any(), info.kind
    # How much is shaded follows the sets: LayerNorm's set 0 (a whole sample: the front face)
    # shows more than InstanceNorm's (one channel of it), BatchNorm's (one channel of all).
    area = {i.kind: int(_shaded(im).sum()) for i, im in zip(infos, images, strict=True)}
    assert area["layer"] == area["rms"] > area["group"] > area["instance"]
    assert area["batch"] > area["instance"]
    assert ACCENT == "#4f46e5"
