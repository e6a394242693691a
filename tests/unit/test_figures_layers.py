"""Figures of the layers lesson: structure, frames, buttons, fixed ranges, payload size."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from normviz import layer_studies as studies
from normviz import layers
from normviz.figures import layers as fig
from normviz.figures.layers_cube_svg import SCALE, caption_of, cube_payload, cube_svg
from normviz.layer_text import set_caption
from normviz.tensors import synthetic_batch, synthetic_tokens

X = synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0)
BIG = synthetic_batch(8, 16, 8, 8, channel_offset=3.0, seed=1)  # the page's largest settings


def _subpaths(d: str) -> list[np.ndarray]:
    """The subpaths of SVG path data (``M x y L x y ... [Z]``), each an (m, 2) array."""
    return [np.array(re.findall(r"(-?[\d.]+) (-?[\d.]+)", part), dtype=float)
            for part in re.findall(r"M[^M]*", d)]  # fmt: skip


def _page(points: np.ndarray, origin) -> np.ndarray:
    """SVG coordinates back to the oblique view's page coordinates (inverse of ``to_svg``)."""
    return np.stack([points[:, 0] / SCALE + origin[0], origin[1] - points[:, 1] / SCALE], axis=1)


def _decode(face: str, d: str, shape, origin) -> set[tuple[int, int, int]]:
    """The (a, b, l) cells whose squares a face's path draws, read from the squares' centres."""
    _, big_b, big_l = shape
    sx, sy = 0.55, 0.42  # the oblique view's shear, written out (not read from the module)
    cells = set()
    for square in _subpaths(d):
        assert len(square) == 4 and d.count("Z") == len(_subpaths(d))  # closed squares
        x, y = _page(square, origin).mean(axis=0)
        if face == "front":  # the plane a = -1/2
            a = 0
            b, l_ = x + sx / 2, y + sy / 2
        elif face == "top":  # the plane l = L - 1/2
            l_ = big_l - 1
            a = (y - (big_l - 0.5)) / sy
            b = x - sx * a
        else:  # side: the plane b = B - 1/2
            b = big_b - 1
            a = (x - (big_b - 0.5)) / sx
            l_ = y - sy * a
        cell = tuple(round(v) for v in (a, b, l_))
        assert np.allclose((a, b, l_), cell, atol=0.02), (face, a, b, l_)
        cells.add(cell)
    return cells


def _oracle_sets(x: torch.Tensor, kind: str, groups: int | None) -> np.ndarray:
    """(N, C, L) set of each element, by index arithmetic, checked against torch.nn.functional:
    normalizing over these sets gives what F's own layer gives."""
    import torch.nn.functional as F

    n, c = x.shape[:2]
    ni, ci = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    sets = {"batch": ci, "layer": ni, "rms": ni, "instance": ni * c + ci,
            "group": ni * (groups or 1) + ci // (c // (groups or 1))}[kind]  # fmt: skip
    flat = x.double().reshape(n, c, -1)
    labels = np.broadcast_to(sets[:, :, None], flat.shape).copy()
    vals = flat.numpy().reshape(-1)
    lab = labels.reshape(-1)
    count = np.bincount(lab)
    if kind == "rms":
        ours = vals / np.sqrt((np.bincount(lab, vals**2) / count)[lab] + 1e-5)
        theirs = F.rms_norm(x.double(), x.shape[1:], eps=1e-5)
    else:
        mean = np.bincount(lab, vals) / count
        var = np.bincount(lab, (vals - mean[lab]) ** 2) / count
        ours = (vals - mean[lab]) / np.sqrt(var[lab] + 1e-5)
        theirs = {
            "batch": lambda t: F.batch_norm(t, None, None, training=True, eps=1e-5),
            "layer": lambda t: F.layer_norm(t, t.shape[1:], eps=1e-5),
            "instance": lambda t: F.instance_norm(t, eps=1e-5),
            "group": lambda t: F.group_norm(t, groups, eps=1e-5),
        }[kind](x.double())
    np.testing.assert_allclose(ours, theirs.reshape(-1).numpy(), atol=1e-9)
    return labels


SVG_CASES = [("batch", None, 6), ("layer", None, 4), ("instance", None, 24), ("group", 3, 12),
             ("group", 2, 8), ("rms", None, 4)]  # fmt: skip


@pytest.mark.parametrize(("kind", "groups", "frames"), SVG_CASES)
def test_svg_cube_shades_exactly_each_sets_visible_cells(kind, groups, frames):
    """Frame k shades the visible cells of one set, exactly (torch.nn.functional's sets); every
    set is one frame, titled by set_caption, its box around it; set 1 is drawn in the SVG."""
    info = studies.cube_info(X, kind, groups)
    view = cube_svg(info)
    oracle = _oracle_sets(X, kind, groups)
    shape = oracle.shape
    assert info.labels.shape == shape and len(view.frames) == frames == oracle.max() + 1
    seen = set()
    total = 0
    for k, frame in enumerate(view.frames):
        faces = zip(("front", "top", "side"), frame.cells, strict=True)
        shown = {face: _decode(face, d, shape, view.origin) for face, d in faces}
        every = set().union(*shown.values())
        sets = {int(oracle[c]) for c in every}
        assert len(sets) == 1, (k, sets)  # one set per frame
        s = sets.pop()
        seen.add(s)
        expect = {
            "front": {(0, b, l_) for b, l_ in np.argwhere(oracle[0] == s)},
            "top": {(a, b, shape[2] - 1) for a, b in np.argwhere(oracle[:, :, -1] == s)},
            "side": {(a, shape[1] - 1, l_) for a, l_ in np.argwhere(oracle[:, -1, :] == s)},
        }
        assert shown == expect
        total += sum(len(v) for v in shown.values())
        members = X.double().reshape(shape).numpy()[oracle == s]
        assert caption_of(frame.title) == set_caption(info, k)
        if kind != "rms":
            assert f"mean {members.mean():+.3f}, std {members.std():.3f}" == frame.title[2]
        else:
            assert f"rms {np.sqrt((members**2).mean()):.3f}" == frame.title[2]
        box = _page(np.concatenate(_subpaths(frame.box)), view.origin)
        where = np.argwhere(oracle == s)
        lo, hi = where.min(0) - 0.5, where.max(0) + 0.5
        corners = np.array([[a, b, l_] for a in (lo[0], hi[0]) for b in (lo[1], hi[1])
                            for l_ in (lo[2], hi[2])])  # fmt: skip
        px = corners[:, 1] + 0.55 * corners[:, 0]
        py = corners[:, 2] + 0.42 * corners[:, 0]
        assert box[:, 0].min() == pytest.approx(px.min(), abs=0.01)
        assert box[:, 0].max() == pytest.approx(px.max(), abs=0.01)
        assert box[:, 1].min() == pytest.approx(py.min(), abs=0.01)
        assert box[:, 1].max() == pytest.approx(py.max(), abs=0.01)
    assert seen == set(range(frames))
    a, b, l_ = shape
    assert total == b * l_ + a * b + a * l_  # the visible faces, each cell in one set
    first = view.frames[0]
    for face, d in zip(("front", "top", "side"), first.cells, strict=True):
        assert f'data-face="{face}" d="{d}"' in view.svg
    assert f'class="nv-box" d="{first.box}"' in view.svg


def test_svg_cube_is_an_image_with_its_alt_text_and_holds_the_drawing():
    from normviz.figures.layers_cube import cube_alt

    for info in (studies.cube_info(X, "group", 2), studies.cube_info(BIG, "instance")):
        view = cube_svg(info)
        assert view.label == cube_alt(info)
        assert re.search(r'<svg [^>]*role="img"', view.svg)
        assert f'aria-label="{view.label}"' in view.svg.replace("&#x27;", "'")
        w, h = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', view.svg).groups())
        paths = re.findall(r' d="([^"]*)"', view.svg)
        paths += [d for f in view.frames for d in (*f.cells, f.box)]
        points = np.concatenate([p for d in paths if d for p in _subpaths(d)])
        assert points.min() >= 0 and (points[:, 0] <= w).all() and (points[:, 1] <= h).all()
        assert "<script" not in view.svg and "plotly" not in view.svg.lower()


def test_svg_cube_payload_size_bounded():
    assert len(json.dumps(cube_payload(cube_svg(studies.cube_info(X, "instance"))))) < 60_000
    for kind, g in (("batch", None), ("instance", None), ("group", 16), ("layer", None)):
        size = len(json.dumps(cube_payload(cube_svg(studies.cube_info(BIG, kind, g)))))
        assert size < 400_000, (kind, size)


def test_token_cube_axes():
    tok = cube_svg(studies.cube_info(synthetic_tokens(2, 3, 4), "layer", layout="ntd"))
    assert len(tok.frames) == 6
    names = re.findall(r'class="nv-axis"[^>]*>([^<]*)<', tok.svg)
    assert names == ["T →", "D →", "N ↗"]


def test_cube_empty_info_does_not_raise():
    info = studies.CubeInfo("batch", None, ("N", "C", "H·W"), np.zeros((0, 3, 4), int), (), ())
    view = cube_svg(info)
    assert view.frames == () and view.svg.startswith("<svg")
    assert cube_payload(view)["frames"] == []


def test_moments_after_instance_norm_are_zero_mean_unit_std():
    m, s = studies.channel_moments(X)
    after = studies.channel_moments(layers.normalize(X, "instance"))
    info = fig.moments_info(m, s, *after)
    assert np.abs(info.grids[1]).max() < 1e-5  # instance: every cell zero mean
    np.testing.assert_allclose(info.grids[3], 1.0, atol=1e-3)  # and unit std (eps aside)
    assert info.mean_limit == pytest.approx(np.abs(info.grids[0]).max())


def test_cube_axes_tick_only_integer_indices():
    view = cube_svg(studies.cube_info(X, "batch"))
    labels = [int(t) for t in re.findall(r'class="nv-tick"[^>]*>([^<]*)<', view.svg)]
    assert labels[:6] == [0, 1, 2, 3, 4, 5]  # C = 6: every channel
    assert labels[6:12] == [0, 3, 6, 9, 12, 15]  # H·W = 16: about six ticks, integer steps
    assert labels[12:] == [0, 1, 2, 3]  # N = 4


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
    frames = cube_svg(info).frames
    labels = layers.group_index(shape, kind, groups, layout).numpy()
    names = _VIEW[len(shape)] if kind == "group" else _AXES[(layout, len(shape))]
    reduced = {names[a] for a in layers.reduction_axes(kind, len(shape), layout)}
    assert len(frames) == labels.max() + 1
    for k, frame in enumerate(frames):
        title = caption_of(frame.title)
        assert title.startswith(f"{layers.KIND_NAMES[kind]} · set {k + 1} of {len(frames)}: ")
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
    assert text.startswith(
        f"Animated cube (oblique view) of a tensor of shape (N, C, H·W) = (4, 6, 16) under {name}"
    )
    assert f": {sets} statistic sets of {size} elements each" in text
    # Oracle: the first set's elements, straight from the tensor with torch.
    first = {"batch": X[:, 0], "layer": X[0], "instance": X[0, 0], "group": X[0, :2],
             "rms": X[0]}[kind].double()  # fmt: skip
    if kind == "rms":
        assert f"root mean square {first.pow(2).mean().sqrt().item():.3f}" in text
    else:
        mean, std = first.mean().item(), first.std(unbiased=False).item()
        assert f"mean {mean:+.3f}, std {std:.3f}" in text


def test_tile_alt_names_each_layers_sets():
    from normviz.figures.layers_cube_row import tile_alt

    for kind, count in zip(layers.KINDS, (6, 4, 24, 8, 4), strict=True):
        info = studies.cube_info(X, kind, 2 if kind == "group" else None)
        name = layers.KIND_NAMES[kind] + (" with G = 2" if kind == "group" else "")
        assert f"under {name}: {count} statistic sets" in tile_alt(info)
        assert int(layers.group_index(X.shape, kind, info.groups).max()) + 1 == count


def test_moments_alt_ranges_are_the_heatmaps():
    after = layers.normalize(X, "layer", None)
    bm, bs = studies.channel_moments(X)
    am, as_ = studies.channel_moments(after)
    text = fig.moments_alt(bm, bs, am, as_, "after LayerNorm")
    oracle_mean = X.double().mean(dim=(2, 3))
    assert f"means {oracle_mean.min().item():+.2f} to {oracle_mean.max().item():+.2f}" in text
    assert "4 × 6" in text and "before and after LayerNorm" in text
    z = fig.moments_info(bm, bs, am, as_, "after LayerNorm").grids[0]  # the tables' "before" means
    assert f"{z.min():+.2f} to {z.max():+.2f}" in text


@pytest.mark.parametrize(("momentum", "convention"), [(0.1, "pytorch"), (0.9, "keras")])
def test_running_alt_states_where_the_curves_end(momentum, convention):
    trace = studies.running_study(momentum, convention, 8, seed=0)
    tau = studies.time_constant(momentum, convention)
    text = fig.running_alt(trace, *studies.POPULATION, tau=tau)
    ends = [trace.running_mean[-1], trace.running_var[-1]]
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


def test_moments_info_shares_one_colour_range_before_and_after():
    m, s = studies.channel_moments(X)
    after = studies.channel_moments(layers.normalize(X, "batch"))
    info = fig.moments_info(m, s, *after, "after BatchNorm")
    oracle = X.double().mean(dim=(2, 3)).numpy()
    np.testing.assert_allclose(info.grids[0], oracle, atol=1e-5)
    assert info.mean_limit == pytest.approx(np.abs(oracle).max(), abs=1e-5)
    assert info.std_limit == pytest.approx(max(np.max(s), np.max(after[1]), 1.0), abs=1e-6)
    assert info.titles == (
        "mean before",
        "mean after BatchNorm",
        "std before",
        "std after BatchNorm",
    )
    empty = fig.moments_info([], [], [], [])
    assert [g.shape for g in empty.grids] == [(0, 0)] * 4
    assert (empty.mean_limit, empty.std_limit) == (1e-3, 1.0)
