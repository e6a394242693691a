"""The five cubes as small 2D tiles (no WebGL): the same sets as the animated cube's first frame."""

from __future__ import annotations

import re

import numpy as np

from normviz import layer_studies as studies
from normviz import layers, tensors
from normviz.figures.layers_cube import ACCENT
from normviz.figures.layers_cube_row import cube_tile_image, tile_ranges
from normviz.figures.layers_cube_svg import SCALE, cube_svg


def _infos(c: int = 6, groups: int = 2):
    x = tensors.synthetic_batch(4, c, 4, 4, seed=0)
    return [studies.cube_info(x, k, groups if k == "group" else None) for k in layers.KINDS]


def _shaded(image: np.ndarray) -> np.ndarray:
    """Pixels of the shaded cells (blue-violet: blue well above red and green)."""
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (b - g > 60) & (b - r > 40)


def _centres(view, frame: int) -> list[tuple[float, float]]:
    """Centres (page units) of the squares frame ``frame`` of an SVG cube shades."""
    ox, oy = view.origin
    out = []
    for d in view.frames[frame].cells:
        for square in re.findall(r"M[^M]*", d):
            p = np.array(re.findall(r"(-?[\d.]+) (-?[\d.]+)", square), dtype=float)
            c = p.mean(axis=0)
            out.append((c[0] / SCALE + ox, oy - c[1] / SCALE))
    return out


def test_each_tile_picture_shades_exactly_the_animated_cubes_first_set():
    """A tile's shaded squares are the animated cube's (the SVG player's) set 1: the centre of
    every cell of set 1 on a visible face is shaded in the picture (as many as the oracle counts
    on the three faces), and the centre of every visible cell of another set is not. (It replaces
    the comparison with the Plotly tiles, which no page draws any more.)"""
    infos = _infos(c=8, groups=4)
    ranges = tile_ranges(infos)
    (x0, x1), (y0, _) = ranges
    width = 480
    for info in infos:
        image = cube_tile_image(info, ranges, width=width)
        shaded = _shaded(image)
        scale = width / (x1 - x0)
        view = cube_svg(info)

        def at(x: float, y: float, r: int = 1, shaded=shaded, scale=scale, image=image):
            col, row = int((x - x0) * scale), int(image.shape[0] - (y - y0) * scale)
            return shaded[row - r : row + r + 1, col - r : col + r + 1]

        labels = info.labels
        oracle = int((labels[0] == 0).sum() + (labels[:, :, -1] == 0).sum()
                     + (labels[:, -1, :] == 0).sum())  # fmt: skip
        first = _centres(view, 0)
        assert len(first) == oracle > 0, info.kind
        assert all(at(x, y).all() for x, y in first), info.kind
        others = [c for k in range(1, len(view.frames)) for c in _centres(view, k)]
        # (the centre pixel only: a set's box outline may pass 2 px from a neighbour's centre)
        assert others and not any(at(x, y, 0).any() for x, y in others), info.kind


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
