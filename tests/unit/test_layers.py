"""normviz.layers and normviz.layer_studies against torch.nn.functional and nn.BatchNorm2d."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from normviz import layer_studies as studies
from normviz import layers

GEN = torch.Generator().manual_seed(1234)


def _reference(x: torch.Tensor, kind: str, groups: int | None, eps: float = 1e-5):
    if kind == "batch":
        return F.batch_norm(x, None, None, training=True, eps=eps)
    if kind == "layer":
        return F.layer_norm(x, x.shape[1:], eps=eps)
    if kind == "instance":
        return F.instance_norm(x, eps=eps)
    if kind == "rms":  # torch's default eps for RMSNorm is None (finfo eps): pass it
        return F.rms_norm(x, x.shape[1:], eps=eps)
    return F.group_norm(x, groups, eps=eps)


def _random_case(i: int):
    g = torch.Generator().manual_seed(i)
    ndim = int(torch.randint(3, 6, (1,), generator=g))
    groups = [1, 2, 3][i % 3]
    c = groups * int(torch.randint(1, 4, (1,), generator=g))
    shape = [int(torch.randint(2, 5, (1,), generator=g)), c] + [
        int(torch.randint(1, 6, (1,), generator=g)) for _ in range(ndim - 2)
    ]
    offset = float(torch.randn(1, generator=g)) * 5
    return torch.randn(shape, generator=g) * 3 + offset, groups


@pytest.mark.parametrize("i", range(12))
@pytest.mark.parametrize("kind", layers.KINDS)
def test_normalize_matches_functional(i, kind):
    x, groups = _random_case(i)
    g = groups if kind == "group" else None
    torch.testing.assert_close(
        layers.normalize(x, kind, g), _reference(x, kind, g), atol=1e-5, rtol=0
    )


@pytest.mark.parametrize("kind", layers.KINDS)
def test_normalize_float64_and_half(kind):
    x = torch.randn(3, 4, 5, 5, generator=GEN, dtype=torch.float64)
    g = 2 if kind == "group" else None
    out = layers.normalize(x, kind, g)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, _reference(x, kind, g), atol=1e-10, rtol=0)
    half = layers.normalize(x.to(torch.bfloat16), kind, g)
    assert half.dtype == torch.bfloat16
    assert (half.double() - out).abs().max() < 0.1


def test_exact_small_values():
    x = torch.tensor([[[1.0, 3.0]], [[5.0, 7.0]]])  # (2, 1, 2)
    assert layers.normalize(x, "instance", eps=0.0).tolist() == [[[-1.0, 1.0]], [[-1.0, 1.0]]]
    mean, var = layers.statistics(x, "batch")
    assert mean.tolist() == [[[4.0]]] and var.tolist() == [[[5.0]]]
    mean, var = layers.statistics(x, "layer")
    assert mean.tolist() == [[[2.0]], [[6.0]]] and var.tolist() == [[[1.0]], [[1.0]]]


@pytest.mark.parametrize("kind", layers.KINDS)
def test_statistics_broadcast_and_match_torch(kind):
    x = torch.randn(4, 6, 3, 5, generator=GEN) * 2 + 1
    g = 3 if kind == "group" else None
    mean, var = layers.statistics(x, kind, g)
    assert torch.broadcast_shapes(mean.shape, x.shape) == x.shape
    expected_shape = {"batch": (1, 6, 1, 1), "layer": (4, 1, 1, 1), "rms": (4, 1, 1, 1)}.get(
        kind, (4, 6, 1, 1)
    )
    assert tuple(mean.shape) == expected_shape
    if kind == "group":
        v, m = torch.var_mean(x.reshape(4, 3, -1), dim=-1, correction=0)
        m, v = m.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1)
    elif kind == "rms":  # shift 0, mean square (no mean subtracted)
        v = x.square().mean(dim=(1, 2, 3), keepdim=True)
        m = torch.zeros_like(v)
    else:
        axes = layers.reduction_axes(kind, 4)
        v, m = torch.var_mean(x, dim=axes, correction=0, keepdim=True)
    torch.testing.assert_close(mean.reshape(m.shape), m)
    torch.testing.assert_close(var.reshape(v.shape), v)
    # invariant: every normalized set has mean 0 and variance 1 (mean square 1 for RMSNorm)
    out_mean, out_var = layers.statistics(layers.normalize(x, kind, g, eps=0.0), kind, g)
    assert out_mean.abs().max() < 1e-5 and (out_var - 1).abs().max() < 1e-4


@pytest.mark.parametrize("kind", layers.KINDS)
def test_large_offset_is_stable(kind):
    # mean 1000, std 0.01 in float32: E[x^2] - E[x]^2 would lose every digit (ulp(1e6) = 0.06)
    x = torch.randn(4, 8, 16, 16, generator=GEN) * 1e-2 + 1000
    g = 4 if kind == "group" else None
    mean, var = layers.statistics(x, kind, g)
    xd = x.double()
    if kind == "group":
        v, m = torch.var_mean(xd.reshape(4, 4, -1), dim=-1, correction=0)
        m, v = m.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1)
    elif kind == "rms":
        v = xd.square().mean(dim=(1, 2, 3), keepdim=True)
        m = torch.zeros_like(v)
    else:
        v, m = torch.var_mean(xd, dim=layers.reduction_axes(kind, 4), correction=0, keepdim=True)
    torch.testing.assert_close(var.double().reshape(v.shape), v, rtol=2e-3, atol=0)
    torch.testing.assert_close(mean.double().reshape(m.shape), m, rtol=3e-7, atol=0)  # 2 ulps
    # a float32 mean near 1000 is only good to about 1e-4 (ulp 6e-5), i.e. 1e-2 of a std; F's
    # own float32 result is off from the float64 one by as much
    out = layers.normalize(x, kind, g)
    assert (out.double() - _reference(xd, kind, g)).abs().max() < 2e-2


@pytest.mark.parametrize("kind", layers.KINDS)
@pytest.mark.parametrize("shape", [(3, 16, 40, 56), (2, 8, 1031), (5, 4, 3000)])
def test_normalize_large_blocks_match_functional(kind, shape):
    # several cache blocks per call, chunked (3136, 3000) and unchunked (prime 1031) row lengths
    x = torch.randn(shape, generator=GEN) * 3 + 2
    g = 4 if kind == "group" else None
    torch.testing.assert_close(
        layers.normalize(x, kind, g), _reference(x, kind, g), atol=1e-5, rtol=0
    )
    mean, var = layers.statistics(x, kind, g)
    torch.testing.assert_close(layers.normalize(x, kind, g), (x - mean) / (var + 1e-5).sqrt())


def test_constant_input_gives_zero_not_nan():
    x = torch.full((2, 4, 3, 3), 7.5)
    for kind in layers.CENTERED:
        out = layers.normalize(x, kind, 2 if kind == "group" else None)
        assert torch.isfinite(out).all() and out.abs().max() == 0
    # RMSNorm subtracts nothing: a constant c becomes c / sqrt(c^2 + eps), just below 1
    out = layers.normalize(x, "rms")
    torch.testing.assert_close(out, F.rms_norm(x, x.shape[1:], eps=1e-5))
    assert (out < 1).all() and (out > 1 - 1e-6).all()
    assert layers.normalize(torch.zeros(2, 3, 2), "rms").abs().max() == 0  # 0 / sqrt(eps)


def test_reduction_axes_and_ntd_layout():
    assert layers.reduction_axes("batch", 2) == (0,)
    assert layers.reduction_axes("layer", 3) == (1, 2)
    assert layers.reduction_axes("instance", 5) == (2, 3, 4)
    assert layers.reduction_axes("group", 3) == (2, 3)
    x = torch.randn(2, 5, 8, generator=GEN) * 4 + 2
    torch.testing.assert_close(layers.normalize(x, "layer", layout="ntd"), F.layer_norm(x, (8,)))
    bn = F.batch_norm(x.reshape(10, 8), None, None, training=True).reshape(2, 5, 8)
    torch.testing.assert_close(layers.normalize(x, "batch", layout="ntd"), bn)
    assert layers.statistics(x, "batch", layout="ntd")[0].shape == (1, 1, 8)
    assert layers.statistics(x, "layer", layout="ntd")[0].shape == (2, 5, 1)
    # the notes' 2D example: 2 embeddings of 256 -> BN 256 means, LN 2 means
    emb = torch.randn(2, 256, generator=GEN)
    assert layers.statistics(emb, "batch")[0].numel() == 256
    assert layers.statistics(emb, "layer")[0].numel() == 2


def test_group_index():
    idx = layers.group_index((2, 4, 3), "group", 2)
    assert idx.dtype == torch.int64 and idx.shape == (2, 4, 3)
    assert idx[:, :, 0].tolist() == [[0, 0, 1, 1], [2, 2, 3, 3]]
    assert layers.group_index((2, 3, 2), "instance")[:, :, 1].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert layers.group_index((2, 3, 4), "layer", layout="ntd").tolist()[1][2] == [5] * 4
    # property: elements with one label share one statistic, and there are K distinct labels
    x = torch.randn(3, 6, 2, 2, generator=GEN)
    for kind, g in (
        ("batch", None),
        ("layer", None),
        ("instance", None),
        ("group", 3),
        ("rms", None),
    ):
        idx = layers.group_index(x.shape, kind, g)
        mean = layers.statistics(x, kind, g)[0].expand_as(x)
        for label in idx.unique():
            sel = mean[idx == label]
            assert torch.all(sel == sel[0])
        counts = {"batch": 6, "layer": 3, "instance": 18, "group": 9, "rms": 3}
        assert idx.unique().numel() == counts[kind]


def test_errors_in_pytorch_words():
    x = torch.randn(2, 6, 3, 3)
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by groups \(4\)"):
        layers.normalize(x, "group", 4)
    with pytest.raises(ValueError, match=r"expected a 3D \(N, T, D\) tensor \(got 4D\)"):
        layers.normalize(x, "layer", layout="ntd")
    with pytest.raises(ValueError, match=r"expected a 2D to 5D \(N, C, \*\) tensor \(got 1D\)"):
        layers.normalize(torch.zeros(3), "batch")
    with pytest.raises(ValueError, match="kind must be one of"):
        layers.normalize(x, "bath")
    with pytest.raises(ValueError, match="needs groups"):
        layers.normalize(x, "group")
    with pytest.raises(TypeError, match="floating-point tensor"):
        layers.normalize(torch.ones(2, 3, dtype=torch.int64), "batch")
    with pytest.raises(TypeError, match=r"expected a torch\.Tensor"):
        layers.normalize([[1.0]], "batch")
    with pytest.raises(ValueError, match="instance norm expected"):
        layers.normalize(torch.randn(2, 3), "instance")
    with pytest.raises(ValueError, match="layout 'ntd' supports"):
        layers.group_index((2, 3, 4), "instance", layout="ntd")


@pytest.mark.parametrize("momentum", [0.1, 0.3, 0.9])
def test_running_stats_match_batchnorm2d_buffers(momentum):
    bn = torch.nn.BatchNorm2d(5, momentum=momentum)
    rm, rv = torch.zeros(5), torch.ones(5)
    for step in range(4):
        x = torch.randn(3, 5, 4, 4, generator=GEN) * (step + 1) + step
        bn(x)
        rm, rv = layers.update_running_stats(rm, rv, x, momentum)
    torch.testing.assert_close(rm, bn.running_mean, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(rv, bn.running_var, atol=1e-6, rtol=1e-6)


def test_running_stats_keras_convention():
    x = torch.tensor([[1.0], [3.0]])
    m, v = layers.update_running_stats(torch.zeros(1), torch.ones(1), x, convention="keras")
    assert m.tolist() == pytest.approx([0.02]) and v.tolist() == pytest.approx([1.0])  # biased 1
    # same mean as PyTorch when m_pytorch = 1 - m_keras
    mp, _ = layers.update_running_stats(torch.zeros(1), torch.ones(1), x, 0.25)
    mk, _ = layers.update_running_stats(torch.zeros(1), torch.ones(1), x, 0.75, "keras")
    torch.testing.assert_close(mp, mk)
    with pytest.raises(ValueError, match="expected more than 1 value per channel"):
        layers.update_running_stats(torch.zeros(1), torch.ones(1), torch.ones(1, 1), 0.1)
    with pytest.raises(ValueError, match=r"running_mean of shape \(1,\)"):
        layers.update_running_stats(torch.zeros(2), torch.ones(1), x)
    with pytest.raises(ValueError, match="momentum must be in"):
        layers.update_running_stats(torch.zeros(1), torch.ones(1), x, 1.5)


def test_running_trace_converges_to_population():
    g = torch.Generator().manual_seed(0)
    stream = torch.randn(200, 16, 1, 2, 2, generator=g) * 3 + 2
    trace = studies.running_trace(stream, 0.1)
    assert len(trace.running_mean) == 200
    assert abs(trace.running_mean[-1] - 2) < 0.6 and abs(trace.running_var[-1] - 9) < 3
    bn = torch.nn.BatchNorm2d(1, momentum=0.1)
    for b in stream[:5]:
        bn(b)
    assert studies.running_trace(stream[:5]).running_var[-1] == pytest.approx(
        bn.running_var.item(), rel=1e-5
    )


@pytest.mark.parametrize("momentum", [0.1, 0.01])
def test_running_trace_is_batchnorm2d_after_every_batch(momentum):
    """The trace computes every batch's moments at once (fast); after each batch its running
    values are nn.BatchNorm2d's buffers, its batch moments torch's, and Keras's convention is
    update_running_stats step by step."""
    g = torch.Generator().manual_seed(1)
    stream = torch.randn(40, 6, 3, 2, 2, generator=g) * 2 + 1
    trace = studies.running_trace(stream, momentum, channel=1)
    keras = studies.running_trace(stream, 1 - momentum, "keras", channel=1)
    bn = torch.nn.BatchNorm2d(3, momentum=momentum)
    rm, rv = torch.zeros(3), torch.ones(3)
    for s, batch in enumerate(stream):
        bn(batch)
        rm, rv = layers.update_running_stats(rm, rv, batch, 1 - momentum, "keras")
        assert trace.running_mean[s] == pytest.approx(bn.running_mean[1].item(), rel=1e-5)
        assert trace.running_var[s] == pytest.approx(bn.running_var[1].item(), rel=1e-5)
        assert keras.running_mean[s] == pytest.approx(rm[1].item(), rel=1e-5, abs=1e-7)
        assert keras.running_var[s] == pytest.approx(rv[1].item(), rel=1e-5)
        values = batch[:, 1]
        assert trace.batch_mean[s] == pytest.approx(values.mean().item(), rel=1e-5, abs=1e-6)
        assert trace.batch_var_biased[s] == pytest.approx(values.var(correction=0).item(), rel=1e-5)
        assert trace.batch_var_unbiased[s] == pytest.approx(values.var().item(), rel=1e-5)
    assert studies.running_trace(stream[:0]).running_mean == []
    with pytest.raises(ValueError, match="expected more than 1 value per channel"):
        studies.running_trace(torch.ones(3, 1, 2))


def test_groupnorm_check_equivalences_and_misconception():
    x = torch.randn(4, 6, 3, 3, generator=GEN) + torch.arange(4.0).reshape(4, 1, 1, 1)
    check = studies.groupnorm_check(x)
    assert check.g1_vs_layer < 1e-5 and check.gc_vs_instance < 1e-5
    assert check.g1_vs_batch > 0.5


def test_batch_noise_only_batchnorm_depends_on_batch():
    pop = torch.randn(100, 2, 2, 2, generator=GEN) * torch.linspace(0.5, 2, 100).reshape(
        -1, 1, 1, 1
    )
    noise = studies.batch_noise(pop, (2, 8, 64), trials=10, seed=3)
    bn, ln, gn = noise.spread
    assert bn[0] > bn[2] > 0 and ln == (0.0, 0.0, 0.0) and gn == (0.0, 0.0, 0.0)
    assert studies.batch_noise(pop, (2, 8, 64), trials=10, seed=3) == noise  # seeded
    with pytest.raises(ValueError, match="batch sizes in"):
        studies.batch_noise(pop, (2, 200))


def test_cube_info():
    x = torch.randn(2, 4, 3, 3, generator=GEN)
    info = studies.cube_info(x, "group", 2)
    assert info.labels.shape == (2, 4, 9) and len(info.means) == 4
    v, m = torch.var_mean(x.reshape(2, 2, -1), dim=-1, correction=0)
    assert info.means == pytest.approx(m.flatten().tolist(), abs=1e-6)
    assert info.stds == pytest.approx(v.sqrt().flatten().tolist(), abs=1e-6)
    tok = studies.cube_info(torch.randn(2, 3, 5, generator=GEN), "layer", layout="ntd")
    assert tok.axis_names == ("N", "T", "D") and len(tok.means) == 6
    with pytest.raises(ValueError, match="expected a 3D or 4D"):
        studies.cube_info(torch.randn(2, 3), "batch")


def test_layer_modules_import_no_private_name_of_another_module():
    """Issue 11: layer_studies reached layers._as_ncl and layers._check_tensor; shared helpers
    are public (layers.as_ncl, layers.check_tensor) and no layer module imports a private name."""
    import ast
    from pathlib import Path

    root = Path(layers.__file__).parent
    files = [*root.glob("layer*.py"), root / "tensors.py"]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("normviz"):
                found += [
                    f"{path.name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not node.module.endswith("_checks")
                ]
    assert found == []
    x = torch.randn(2, 3, 4, 5, generator=GEN)
    assert torch.equal(layers.as_ncl(x), x.reshape(2, 3, 20))
    assert layers.as_ncl(torch.zeros(2, 3, 4), "ntd").shape == (6, 4, 1)
