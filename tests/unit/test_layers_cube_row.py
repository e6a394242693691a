"""The five cubes in one 3D scene (one WebGL context): the same sets as the animated cube."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from normviz import layer_studies as studies
from normviz import layers, tensors
from normviz.figures.layers_cube import plot_cube, plot_cube_grid
from normviz.figures.layers_cube_row import cube_offsets, plot_cube_row


def _infos(c: int = 6, groups: int = 2):
    x = tensors.synthetic_batch(4, c, 4, 4, seed=0)
    return [studies.cube_info(x, k, groups if k == "group" else None) for k in layers.KINDS]


def test_one_scene_holds_every_cube():
    infos = _infos()
    fig = plot_cube_row(infos)
    layout = fig.to_dict()["layout"]
    assert [k for k in layout if k.startswith("scene")] == ["scene"]
    # The grid it replaces had one scene (one WebGL context in the browser) per cube.
    grid = plot_cube_grid(infos).to_dict()["layout"]
    assert len([k for k in grid if k.startswith("scene")]) == len(infos) == 5
    assert len(fig.data) == 3 * len(infos)
    titles = [a["text"] for a in layout["scene"]["annotations"]]
    assert titles == ["<b>BatchNorm</b>", "<b>LayerNorm</b>", "<b>InstanceNorm</b>",
                      "<b>GroupNorm</b> (G=2)", "<b>RMSNorm</b>"]  # fmt: skip


def test_each_cube_shades_the_animated_cubes_first_set_shifted_apart():
    infos = _infos(c=8, groups=4)
    fig = plot_cube_row(infos)
    starts = cube_offsets(infos)
    ends = [s + i.labels.shape[1] for s, i in zip(starts, infos, strict=True)]
    assert all(e < s for e, s in zip(ends, starts[1:], strict=False))  # no two cubes overlap
    for i, (info, x0) in enumerate(zip(infos, starts, strict=True)):
        ours = fig.data[3 * i + 1]
        alone = plot_cube(info).data[1]  # the animated cube's shaded first set
        np.testing.assert_array_equal(np.asarray(ours.x) - x0, np.asarray(alone.x, dtype=float))
        np.testing.assert_array_equal(ours.y, alone.y)
        np.testing.assert_array_equal(ours.z, alone.z)
        everything = fig.data[3 * i]
        assert len(everything.x) == info.labels.size


def test_plotly_validates_it_and_sends_the_same_json():
    spec = plot_cube_row(_infos())
    ours = json.loads(pio.to_json(spec.to_dict(), validate=False))
    theirs = json.loads(pio.to_json(go.Figure(spec.full().to_dict())))
    assert ours == theirs
