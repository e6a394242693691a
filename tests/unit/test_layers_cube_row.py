"""The five cubes as small 2D tiles (no WebGL): the same sets as the animated cube's first frame."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from normviz import layer_studies as studies
from normviz import layers, tensors
from normviz.figures.layers_cube import ANIMATED_TRACES, plot_cube
from normviz.figures.layers_cube_row import plot_cube_tiles


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


def test_each_tile_shades_the_animated_cubes_first_set():
    infos = _infos(c=8, groups=4)
    for info, tile in zip(infos, plot_cube_tiles(infos), strict=True):
        alone = plot_cube(info)
        for i in ANIMATED_TRACES:  # the shaded cells and the box of set 0
            assert list(tile.data[i].x) == list(alone.data[i].x), info.kind
            assert list(tile.data[i].y) == list(alone.data[i].y), info.kind
        assert list(tile.data[0].x) == list(alone.data[0].x)  # the same block


def test_plotly_validates_it_and_sends_the_same_json():
    for spec in [*plot_cube_tiles(_infos()), plot_cube(_infos()[3])]:
        ours = json.loads(pio.to_json(spec.to_dict(), validate=False))
        theirs = json.loads(pio.to_json(go.Figure(spec.full().to_dict())))
        # A validated figure spells Plotly's empty template out; the rest must be identical.
        ours["layout"].pop("template"), theirs["layout"].pop("template")
        assert ours == theirs
