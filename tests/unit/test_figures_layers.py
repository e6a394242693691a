"""Figures of the layers lesson: structure, frames, buttons, fixed ranges, payload size."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from normviz import layer_studies as studies
from normviz import layers
from normviz.figures import layers as fig
from normviz.figures.layers_cube import plot_cube, plot_cube_grid
from normviz.tensors import synthetic_batch, synthetic_tokens

X = synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0)
BIG = synthetic_batch(8, 16, 8, 8, channel_offset=3.0, seed=1)  # the page's largest settings


@pytest.mark.parametrize(
    ("kind", "groups", "frames"), [("batch", None, 6), ("layer", None, 4), ("instance", None, 24),
                                   ("group", 3, 12)]
)  # fmt: skip
def test_cube_one_frame_per_group(kind, groups, frames):
    info = studies.cube_info(X, kind, groups)
    f = plot_cube(info)
    assert len(f.frames) == frames
    buttons = f.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["▶ Play", "❚❚ Pause"]
    assert [b.method for b in buttons] == ["animate", "animate"]
    assert len(f.layout.sliders[0].steps) == frames
    assert tuple(f.layout.scene.xaxis.range) == (-0.7, 5.7)
    assert tuple(f.layout.scene.yaxis.range) == (-0.7, 3.7)
    assert tuple(f.layout.scene.zaxis.range) == (-0.7, 15.7)
    # each frame highlights exactly the elements of its group; together, every element once
    total = 0
    for g, frame in enumerate(f.frames):
        xs, ys, zs = (np.asarray(v) for v in (frame.data[0].x, frame.data[0].y, frame.data[0].z))
        assert np.all(info.labels[ys, xs, zs] == g)
        total += len(xs)
        assert f"mean {info.means[g]:+.3f}" in frame.layout.title.text
    assert total == X.numel()


def test_cube_payload_size_bounded():
    default = plot_cube(studies.cube_info(X, "instance"))
    assert len(default.to_json()) < 1_000_000
    for kind, g in (("batch", None), ("instance", None), ("group", 16)):
        assert len(plot_cube(studies.cube_info(BIG, kind, g)).to_json()) < 3_000_000
    grid = plot_cube_grid([studies.cube_info(BIG, k) for k in ("batch", "layer", "instance")])
    assert len(grid.to_json()) < 3_000_000


def test_cube_grid_and_tokens():
    infos = [studies.cube_info(X, k, 2 if k == "group" else None) for k in layers.KINDS]
    f = plot_cube_grid(infos)
    assert len(f.data) == 3 * len(layers.KINDS)
    assert [a.text for a in f.layout.annotations] == [
        "<b>BatchNorm</b>", "<b>LayerNorm</b>", "<b>InstanceNorm</b>", "<b>GroupNorm</b> (G=2)",
        "<b>RMSNorm</b>",
    ]  # fmt: skip
    tok = plot_cube(studies.cube_info(synthetic_tokens(2, 3, 4), "layer", layout="ntd"))
    assert len(tok.frames) == 6 and tok.layout.scene.xaxis.title.text == "T"


def test_cube_empty_info_does_not_raise():
    info = studies.CubeInfo("batch", None, ("N", "C", "H·W"), np.zeros((0, 3, 4), int), (), ())
    f = plot_cube(info)
    assert len(f.frames) == 0 and "empty" in f.layout.title.text


def test_moments_shared_ranges():
    m, s = studies.channel_moments(X)
    after = studies.channel_moments(layers.normalize(X, "instance"))
    f = fig.plot_moments(m, s, *after)
    assert len(f.data) == 4
    assert f.data[0].zmin == f.data[1].zmin == -f.data[0].zmax
    assert f.data[2].zmin == 0 and f.data[2].zmax == f.data[3].zmax
    assert np.abs(np.asarray(f.data[1].z)).max() < 1e-5  # instance: every cell zero mean
    empty = fig.plot_moments([], [], [], [])
    assert len(empty.data) == 4


def test_running_and_noise_figures():
    stream = torch.randn(30, 8, 1, 2, 2, generator=torch.Generator().manual_seed(0)) * 3 + 2
    t = studies.running_trace(stream, 0.2)
    f = fig.plot_running(t, 2.0, 9.0)
    assert len(f.frames) == 30 and len(f.frames[9].data[1].x) == 10
    assert tuple(f.layout.xaxis.range) == (0.5, 30.5)
    assert [b.label for b in f.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert len(f.to_json()) < 1_000_000
    noise = studies.BatchNoise((2, 8, 32), ("batch", "group"), ((0.4, 0.2, 0.1), (0.0,) * 3))
    g = fig.plot_batch_noise(noise)
    assert g.layout.xaxis.type == "log" and len(g.data) == 2
    assert g.layout.yaxis.range[1] == pytest.approx(0.44)
    assert (
        len(fig.plot_running(studies.RunningTrace([], [], [], [], [], 0.1, "pytorch"), 0, 1).frames)
        == 0
    )


def test_cube_axes_tick_only_integer_indices():
    f = plot_cube(studies.cube_info(X, "batch"))
    for name in ("xaxis", "yaxis", "zaxis"):
        axis = f.layout.scene[name]
        assert axis.tickmode == "linear"
        assert axis.tick0 == 0
        assert float(axis.dtick).is_integer() and axis.dtick >= 1


# Names of the axes a set can keep or pool, independent of normviz: the tensor's own axes, with
# H and W shown as the cube's one H·W axis, and GroupNorm's view (N, G, C/G, H, W).
_AXES = {
    ("nct", 3): ("n", "c", "l"),
    ("nct", 4): ("n", "c", "h·w", "h·w"),
    ("ntd", 3): ("n", "t", "d"),
}
_VIEW = {3: ("n", "g", "c/g", "l"), 4: ("n", "g", "c/g", "h·w", "h·w")}
CAPTION_CASES = [
    (layout, kind, shape)
    for layout, kinds, shapes in (
        ("nct", layers.KINDS, [(2, 4, 3, 3), (3, 2, 5), (1, 6, 2, 2), (2, 3, 1, 1)]),
        ("ntd", ("batch", "layer", "rms"), [(2, 6, 8), (3, 2, 4), (1, 5, 3)]),
    )
    for kind in kinds
    for shape in shapes
    if not (kind == "instance" and len(shape) < 3)
]


@pytest.mark.parametrize(("layout", "kind", "shape"), CAPTION_CASES)
def test_cube_captions_name_each_set_by_its_axes(layout, kind, shape):
    """Every frame title names the index its set keeps and the axes it pools over.

    This morning's captions said "n = 7" for LayerNorm token (n=1, t=1) of a (2, 6, 8) batch and
    "t = 3" for BatchNorm's feature d = 3: the labels of group_index and the axes of
    reduction_axes say otherwise.
    """
    groups = shape[1] if kind == "group" and shape[1] % 2 else (2 if kind == "group" else None)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    info = studies.cube_info(x, kind, groups, layout)
    f = plot_cube(info)
    labels = layers.group_index(shape, kind, groups, layout).numpy()
    names = _VIEW[len(shape)] if kind == "group" else _AXES[(layout, len(shape))]
    reduced = {names[a] for a in layers.reduction_axes(kind, len(shape), layout)}
    assert len(f.frames) == labels.max() + 1
    for k, frame in enumerate(f.frames):
        title = frame.layout.title.text
        assert title.startswith(f"{layers.KIND_NAMES[kind]} · set {k + 1} of {len(f.frames)}: ")
        kept_text, over = re.search(r": (.*?) · over (.*?) · ", title).groups()
        assert {a.strip().lower() for a in over.split(",")} == reduced, title
        coords = np.argwhere(labels == k)  # the elements of set k, in the tensor's own axes
        kept = re.findall(r"(\w+) = (\d+)", re.sub(r"\(c = [^)]*\)", "", kept_text))
        assert {name for name, _ in kept} == set(names) - reduced - {"c/g"}, title
        for name, value in kept:
            if name == "g":  # group g holds channels g*C/G .. (g+1)*C/G - 1
                values = coords[:, 1] // (shape[1] // groups)
            else:
                values = coords[:, names.index(name)]
            assert (values == int(value)).all(), (title, name)
        if kind == "group":
            lo, hi = coords[:, 1].min(), coords[:, 1].max()
            assert (f"(c = {lo}..{hi})" if hi > lo else f"(c = {lo})") in kept_text


# --- alternative text: from the same records, checked against torch -------------------------


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


@pytest.mark.parametrize(
    ("kind", "groups", "sets", "size"),
    [("batch", None, 6, 4 * 16), ("layer", None, 4, 6 * 16), ("instance", None, 24, 16),
     ("group", 3, 12, 2 * 16), ("rms", None, 4, 6 * 16)],
)  # fmt: skip
def test_cube_alt_states_the_sets_and_the_first_sets_moments(kind, groups, sets, size):
    from normviz.figures.layers_cube import cube_alt

    text = cube_alt(studies.cube_info(X, kind, groups))
    name = layers.KIND_NAMES[kind]
    assert text.startswith(f"Animated 3D cube of a tensor of shape (N, C, H·W) = (4, 6, 16) "
                           f"under {name}")  # fmt: skip
    assert f": {sets} statistic sets of {size} elements each" in text
    # Oracle: the first set's elements, straight from the tensor with torch.
    first = {"batch": X[:, 0], "layer": X[0], "instance": X[0, 0], "group": X[0, :2],
             "rms": X[0]}[kind].double()  # fmt: skip
    if kind == "rms":
        assert f"root mean square {first.pow(2).mean().sqrt().item():.3f}" in text
    else:
        mean, std = first.mean().item(), first.std(unbiased=False).item()
        assert f"mean {mean:+.3f}, std {std:.3f}" in text


def test_cube_grid_alt_names_each_layers_sets():
    from normviz.figures.layers_cube import cube_grid_alt

    infos = [studies.cube_info(X, k, 2 if k == "group" else None) for k in layers.KINDS]
    text = cube_grid_alt(infos)
    for kind, count in zip(layers.KINDS, (6, 4, 24, 8, 4), strict=True):
        assert f"{layers.KIND_NAMES[kind]}{' with G = 2' if kind == 'group' else ''} {count} sets" \
            in text  # fmt: skip


def test_moments_alt_ranges_are_the_heatmaps():
    after = layers.normalize(X, "layer", None)
    bm, bs = studies.channel_moments(X)
    am, as_ = studies.channel_moments(after)
    text = fig.moments_alt(bm, bs, am, as_, "after LayerNorm")
    oracle_mean = X.double().mean(dim=(2, 3))
    assert f"means {oracle_mean.min().item():+.2f} to {oracle_mean.max().item():+.2f}" in text
    assert "4 × 6" in text and "before and after LayerNorm" in text
    spec = fig.plot_moments(bm, bs, am, as_, "after LayerNorm")
    z = np.array(spec.data[0].z, dtype=float)  # the figure's "before" means
    assert f"{z.min():+.2f} to {z.max():+.2f}" in text


@pytest.mark.parametrize(("momentum", "convention"), [(0.1, "pytorch"), (0.9, "keras")])
def test_running_alt_states_where_the_curves_end(momentum, convention):
    trace = studies.running_study(momentum, convention, 8, seed=0)
    tau = studies.time_constant(momentum, convention)
    text = fig.running_alt(trace, *studies.POPULATION, tau=tau)
    spec = fig.plot_running(trace, *studies.POPULATION, tau=tau)
    ends = [spec.data[1].y[-1], spec.data[3].y[-1]]  # the drawn running mean and variance
    assert f"the running mean ends at {ends[0]:.3g}" in text
    assert f"the running variance at {ends[1]:.3g}" in text
    assert f"over {len(trace.batch_mean)} batches" in text
    assert f"time constant {tau:.3g} batches" in text
    assert ("PyTorch" if convention == "pytorch" else "Keras") in text


def test_batch_noise_alt_says_layernorm_does_not_move():
    pop = synthetic_batch(60, 4, 2, 2, sample_offset=2.0, sample_scale=1.0, seed=1)
    noise = studies.batch_noise(pop, (2, 8, 32), trials=8, seed=0)
    text = fig.batch_noise_alt(noise)
    assert "LayerNorm 0 at batch 2, 0 at batch 32" in text
    assert f"BatchNorm {noise.spread[0][0]:.2g} at batch 2" in text
    assert noise.spread[0][0] > 0.01  # BatchNorm does move: the text is not vacuous
