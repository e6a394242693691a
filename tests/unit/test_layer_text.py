"""normviz.layer_text: every sentence of the layers lesson checked against torch, not normviz.

Each test evaluates what a sentence states (the numbers it prints, the behaviour it claims) with
an independent oracle: torch.nn modules, torch.nn.functional, or a real run of the study.
"""

from __future__ import annotations

import contextlib
import io
import math
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from normviz import layer_studies as studies
from normviz import layer_text as text
from normviz import layers
from normviz.tensors import gaussian_batches, synthetic_tokens

NUM = r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)"


def _torch_norm(x: torch.Tensor, kind: str, groups: int | None, eps: float = 1e-5):
    if kind == "batch":
        return F.batch_norm(x, None, None, training=True, eps=eps)
    if kind == "layer":
        return F.layer_norm(x, x.shape[1:], eps=eps)
    if kind == "instance":
        return F.instance_norm(x, eps=eps)
    if kind == "rms":
        return F.rms_norm(x, x.shape[1:], eps=eps)
    return F.group_norm(x, groups, eps=eps)


# -- defect 2: train mode normalizes with the biased batch variance --------------------------


@pytest.mark.parametrize(("momentum", "batch_size"), [(0.1, 2), (0.3, 8)])
def test_running_text_states_what_batchnorm_normalizes_with(momentum, batch_size):
    stream = gaussian_batches(12, batch_size, (2.0,), (3.0,), size=2, seed=3)
    bn = nn.BatchNorm2d(1, momentum=momentum)
    with torch.no_grad():
        for b in stream[:-1]:
            bn(b)
        before = bn.running_var.item()
        y_train = bn(stream[-1])  # train mode: also updates the buffers with the last batch
    trace = studies.running_trace(stream, momentum)
    sentence = text.running_text(trace, "train")
    mean, var = (
        float(v) for v in re.search(rf"\(x - {NUM}\) / \\sqrt\{{{NUM} \+", sentence).groups()
    )
    stated = (stream[-1] - mean) / math.sqrt(var + bn.eps)
    torch.testing.assert_close(stated, y_train, atol=2e-3, rtol=0)
    # the unbiased variance (what this morning's page stated) does not give BatchNorm's output
    unbiased = float(re.search(rf"unbiased {NUM}", sentence).group(1))
    wrong = (stream[-1] - mean) / math.sqrt(unbiased + bn.eps)
    assert (wrong - y_train).abs().max() > 1e-2
    # what nn.BatchNorm2d fed to running_var: (new - (1 - m) * old) / m
    fed = (bn.running_var.item() - (1 - momentum) * before) / momentum
    assert unbiased == pytest.approx(fed, abs=2e-3)
    torch.testing.assert_close(torch.tensor(trace.running_var[-1]), bn.running_var[0], rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    # eval mode: the running buffers, as nn.BatchNorm2d.eval() uses them
    bn.eval()
    with torch.no_grad():
        y_eval = bn(stream[0])
    sentence = text.running_text(trace, "eval")
    mean, var = (
        float(v) for v in re.search(rf"\(x - {NUM}\) / \\sqrt\{{{NUM} \+", sentence).groups()
    )
    torch.testing.assert_close((stream[0] - mean) / math.sqrt(var + bn.eps), y_eval, atol=2e-3,
                               rtol=0)  # fmt: skip


def test_running_trace_records_both_variances():
    stream = gaussian_batches(3, 4, (1.0,), (2.0,), size=2, seed=0)
    trace = studies.running_trace(stream, 0.1)
    b = stream[-1].reshape(-1)
    assert trace.count == 16
    assert trace.batch_var_biased[-1] == pytest.approx(b.var(correction=0).item(), rel=1e-5)
    assert trace.batch_var_unbiased[-1] == pytest.approx(b.var(correction=1).item(), rel=1e-5)
    assert trace.batch_var_fed == trace.batch_var_unbiased
    keras = studies.running_trace(stream, 0.9, "keras")
    assert keras.batch_var_fed == keras.batch_var_biased and keras.eps == 1e-3
    assert "Keras' moving variance is updated with this same biased value" in text.running_text(
        keras, "train"
    )


# -- defect 14: the Keras trace reaches the population; the text says when -------------------


@pytest.mark.parametrize(("momentum", "convention"), [(0.99, "keras"), (0.01, "pytorch")])
def test_settle_text_claims_hold_for_the_trace(momentum, convention):
    mean, var = studies.POPULATION
    trace = studies.running_study(momentum, convention, batch_size=8, seed=0)
    tau = studies.time_constant(momentum, convention)
    assert tau == pytest.approx(100.0)
    assert len(trace.running_mean) >= min(5 * tau, studies.MAX_BATCHES)
    sentence = text.settle_text(trace, mean, var)
    s, value, gap = re.search(
        rf"After all (\d+) batches .*? it is {NUM}, within {NUM} of the population mean", sentence
    ).groups()
    assert int(s) == len(trace.running_mean)
    assert float(value) == pytest.approx(trace.running_mean[-1], abs=5e-4)
    assert abs(trace.running_mean[-1] - mean) <= float(gap) + 5e-4
    # the point of showing enough batches: the running mean is near the population mean
    # (this morning's 60 Keras batches at alpha 0.99 ended 1.1 away)
    assert float(gap) < 0.1
    if convention == "keras":  # the biased batch variance averages (|B| - 1)/|B| of var
        count, expected = re.search(rf"expected value is (\d+)/\d+ · 9 = {NUM}", sentence).groups()
        assert int(count) == trace.count - 1 == 31 and float(expected) == pytest.approx(
            9 * 31 / 32, abs=5e-4
        )
        tail = torch.tensor(trace.batch_var_biased[-300:])
        assert abs(tail.mean().item() - float(expected)) < 0.3  # the stream agrees
    k, at_tau = re.search(rf"After (\d+) batches the running mean is {NUM}", sentence).groups()
    assert int(k) == round(tau) and float(at_tau) == pytest.approx(
        trace.running_mean[int(k) - 1], abs=5e-4
    )


def test_running_figure_marks_tau_and_bounds_frames():
    import json

    from normviz.figures.layers import MAX_FRAMES
    from normviz.figures.layers_running_svg import running_payload, running_svg

    trace = studies.running_study(0.99, "keras", batch_size=4)
    view = running_svg(trace, *studies.POPULATION, tau=100.0)
    steps = len(trace.batch_mean)
    assert len(view.frames) <= MAX_FRAMES and view.frames[-1].last == steps
    x = (100.0 - 0.5) / steps * 1000  # the tau line's x in the panels' SVG units
    assert view.html.count(f'class="nv-run-tau" d="M{round(x, 1):g} 0V1000"') == 2
    assert len(json.dumps(running_payload(view))) < 1_500_000


# -- defect 6: GroupNorm against torch's own modules ------------------------------------------


def test_groupnorm_check_compares_torch_modules():
    x = torch.randn(4, 6, 5, 5, generator=torch.Generator().manual_seed(7)) * 3 + 1
    check = studies.groupnorm_check(x)
    with torch.no_grad():
        d_ln = (nn.GroupNorm(1, 6)(x) - nn.LayerNorm((6, 5, 5))(x)).abs().max().item()
        d_in = (nn.GroupNorm(6, 6)(x) - nn.InstanceNorm2d(6)(x)).abs().max().item()
    # this morning's check compared normviz with itself: always exactly 0.0
    assert check.g1_vs_layer == d_ln and check.gc_vs_instance == d_in
    assert 0 < check.g1_vs_layer < 1e-5 and 0 < check.gc_vs_instance < 1e-5
    assert check.g1_vs_batch > 0.1
    sentence = text.groupnorm_text(check)
    assert f"= {d_ln:.1e}" in sentence and f"= {d_in:.1e}" in sentence
    assert f"`weight` of shape {tuple(nn.GroupNorm(1, 6).weight.shape)}" in sentence
    assert f"`weight` of shape {tuple(nn.LayerNorm((6, 5, 5)).weight.shape)}" in sentence
    assert nn.InstanceNorm2d(6).weight is None and "none by default (`affine=False`)" in sentence
    assert f"`affine=True` {tuple(nn.InstanceNorm2d(6, affine=True).weight.shape)}" in sentence
    assert "not for the learned affine parameters" in sentence


def test_groupnorm_check_reports_where_torch_raises():
    check = studies.groupnorm_check(torch.randn(2, 6, 1, 1))
    assert math.isnan(check.gc_vs_instance) and "more than 1 spatial element" in check.error
    assert text.format_difference(check.gc_vs_instance) == "raises"


# -- defect 13: sets of one element, as PyTorch says it ---------------------------------------

SHAPES = [(1, 6, 1, 1), (2, 6, 1, 1), (1, 6, 2, 2), (1, 1, 1, 1), (3, 4, 1, 1), (1, 4, 3),
          (2, 3), (1, 3), (1, 2, 1, 1, 1)]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", layers.KINDS)
def test_set_behaviour_matches_torch(shape, kind):
    if kind == "instance" and len(shape) < 3:
        pytest.skip("InstanceNorm needs spatial axes")
    groups = shape[1] if kind == "group" else None
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    behaviour = studies.set_behaviour(shape, kind, groups)
    try:
        expected = _torch_norm(x, kind, groups)
        raised = ""
    except ValueError as exc:
        raised = str(exc)
    assert behaviour.torch_raises == bool(raised)
    assert behaviour.torch_message == raised
    assert behaviour.sets * behaviour.set_size == x.numel()
    ours = layers.normalize(x, kind, groups)  # never raises; zeros for one-element sets
    if raised:
        assert behaviour.set_size == 1 and ours.abs().max() == 0
    else:
        torch.testing.assert_close(ours, expected, atol=1e-5, rtol=0)
    sentence = text.degenerate_text(behaviour)
    assert (sentence != "") == (behaviour.set_size == 1)
    if raised:
        assert f"`ValueError: {raised}`" in sentence
    elif sentence:
        assert "without an error" in sentence


KIND_GROUPS = [("batch", None), ("layer", None), ("instance", None), ("group", 3), ("rms", None)]


@pytest.mark.parametrize(("kind", "groups"), KIND_GROUPS)
def test_after_text_states_measured_moments(kind, groups):
    x = torch.randn(4, 6, 3, 3, generator=torch.Generator().manual_seed(2)) * 0.05 + 0.3
    after = studies.after_moments(x, kind, groups)
    sentence = text.after_text(after, 6 // (groups or 1))
    assert "exactly" not in sentence
    y = _torch_norm(x.double(), kind, groups)
    if kind == "group":
        yv = y.reshape(4, groups, -1)
        axes = (2,)
    else:
        yv, axes = y, layers.reduction_axes(kind, 4)
    if kind == "rms":
        ms = yv.square().mean(dim=axes)
        lo, hi = re.search(rf"mean square runs from 1 − {NUM} to 1 − {NUM}", sentence).groups()
        assert float(lo) == pytest.approx(1 - ms.min().item(), rel=0.05)
        assert float(hi) == pytest.approx(1 - ms.max().item(), rel=0.05)
        return
    var, mean = torch.var_mean(yv, dim=axes, correction=0)
    top, lo, hi = re.search(
        rf"largest \|mean\| is {NUM} and the variance runs from 1 − {NUM} to 1 − {NUM}", sentence
    ).groups()
    assert float(top) <= 1e-12 and mean.abs().max() <= 1e-12
    assert var.max() < 1  # eps under the square root: just below 1, and the text says so
    assert float(lo) == pytest.approx(1 - var.min().item(), rel=0.05)
    assert float(hi) == pytest.approx(1 - var.max().item(), rel=0.05)
    assert "just below 1" in sentence and f"$\\epsilon$ = {after.eps:g}" in sentence


# -- defect 17: only BatchNorm differs between train and eval (default modules) ---------------


def test_intro_train_eval_claim_matches_torch_modules():
    x = torch.randn(4, 6, 3, 3, generator=torch.Generator().manual_seed(5)) * 2 + 1
    modules = {
        "batch": nn.BatchNorm2d(6),
        "layer": nn.LayerNorm((6, 3, 3)),
        "instance": nn.InstanceNorm2d(6),
        "group": nn.GroupNorm(2, 6),
        "rms": nn.RMSNorm((6, 3, 3), eps=1e-5),
    }
    assert set(modules) == set(layers.KINDS) == set(text.TRAIN_EVAL_DIFFERS)
    with torch.no_grad():
        for kind, module in modules.items():
            train = module.train()(x)
            evaluated = module.eval()(x)
            differs = not torch.allclose(train, evaluated, atol=1e-4)
            assert differs == text.TRAIN_EVAL_DIFFERS[kind], kind
    intro = text.intro_text()
    assert "only in which elements" not in intro and "**BatchNorm** also differs" in intro


# -- RMSNorm, padding, the code tab -----------------------------------------------------------


def test_rmsnorm_matches_torch_module():
    x = torch.randn(3, 6, 4, 4, generator=torch.Generator().manual_seed(1)) * 2 + 3
    with torch.no_grad():
        ref = nn.RMSNorm((6, 4, 4), eps=1e-5)(x)
        tok = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(2)) + 1
        ref_tok = nn.RMSNorm(8, eps=1e-5)(tok)
    torch.testing.assert_close(layers.normalize(x, "rms"), ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(layers.normalize(tok, "rms", layout="ntd"), ref_tok, atol=1e-5,
                               rtol=0)  # fmt: skip
    ms = layers.statistics(x, "rms")[1]
    torch.testing.assert_close(ms.flatten(), x.square().mean(dim=(1, 2, 3)))


def test_padding_effect_against_functional():
    tokens = synthetic_tokens(2, 6, 8, seed=0)
    effect = studies.padding_effect(tokens, 3)
    padded = torch.cat([tokens, torch.zeros(2, 3, 8)], dim=1)

    def bn(t):
        return F.batch_norm(t.reshape(-1, 8), None, None, training=True).reshape(t.shape)

    change = (bn(tokens) - bn(padded)[:, :6]).abs().max().item()
    assert effect.bn_out_change == pytest.approx(change, abs=1e-5) and change > 0.05
    ln_change = (F.layer_norm(tokens, (8,)) - F.layer_norm(padded, (8,))[:, :6]).abs().max()
    assert ln_change == 0 and effect.ln_out_change == 0
    sentence = text.padding_text(effect, 2)
    assert f"up to {change:.3f}" in sentence


@pytest.mark.parametrize("kind", layers.KINDS)
@pytest.mark.parametrize(("n", "c", "side", "groups"), [(4, 6, 4, 2), (2, 4, 3, 4), (1, 6, 1, 6),
                                                        (3, 2, 1, 1)])  # fmt: skip
def test_torch_snippet_runs_as_shown(kind, n, c, side, groups):
    code = text.torch_snippet(kind, n, c, side, groups)
    ns: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, ns)  # exactly the text the page shows
    x, y = ns["x"], ns["y"]
    assert tuple(y.shape) == (n, c, side, side)
    g = groups if kind == "group" else None
    try:
        expected = _torch_norm(x, kind, g)
    except ValueError as exc:  # the snippet must say so instead of printing a check
        refused = str(exc)
    else:
        torch.testing.assert_close(y, expected, atol=1e-5, rtol=0)
        assert out.getvalue().strip() == "True"
        return
    assert f"raises here: ValueError: {refused}" in code
    assert out.getvalue() == "" and y.abs().max() == 0


def test_noise_text_states_the_study_numbers():
    """The batch-size tab's sentence: BatchNorm's spread at both ends, recomputed with F."""
    pop = torch.randn(80, 4, 2, 2, generator=torch.Generator().manual_seed(4)) * 2 + torch.linspace(
        -2, 2, 80
    ).reshape(-1, 1, 1, 1)
    noise = studies.batch_noise(pop, (2, 64), kinds=("batch", "layer", "group"), trials=6, seed=1)
    sentence = text.noise_text(noise)
    first, last = re.search(
        rf"its spread is {NUM} at batch size 2 and {NUM} at 64", sentence
    ).groups()
    # oracle: the same seeded draws, normalized with torch.nn.functional
    gen = torch.Generator().manual_seed(1)
    values = {2: [], 64: []}
    for b in (2, 64):
        for _ in range(6):
            others = torch.randperm(79, generator=gen)[: b - 1] + 1
            batch = pop[torch.cat([torch.zeros(1, dtype=torch.long), others])]
            values[b].append(F.batch_norm(batch, None, None, training=True)[0, 0, 0, 0].item())
    spread = {
        b: torch.tensor(v, dtype=torch.float64).std(correction=0).item() for b, v in values.items()
    }
    assert float(first) == pytest.approx(spread[2], abs=1e-3)
    assert float(last) == pytest.approx(spread[64], abs=1e-3)
    assert spread[2] > spread[64]
    assert "LayerNorm and GroupNorm give the same value every time" in sentence


# -- issue 12: the note beside the cube describes the chosen layer ---------------------------


@pytest.mark.parametrize("kind", layers.KINDS)
def test_layer_note_describes_the_chosen_layer_as_torch_computes_it(kind):
    """The info box said "LayerNorm normalizes all features of one sample" whatever the layer.
    Its note is the chosen layer's now: whether a sample's output depends on the others in its
    batch is what torch computes when sample 1 changes; the pooled axes are those along which
    the outputs that move when one input element moves (its set) spread."""
    groups = 2 if kind == "group" else None
    note = text.layer_note(kind, groups)
    assert note.startswith(layers.KIND_NAMES[kind]), note
    if kind != "layer":
        assert "LayerNorm" not in note
    x = torch.randn(3, 4, 3, 3, generator=torch.Generator().manual_seed(0))
    other = x.clone()
    other[1] = other[1] * 3 + 2
    moved = (_torch_norm(x, kind, groups)[0] - _torch_norm(other, kind, groups)[0]).abs().max()
    depends = bool(moved > 1e-4)
    assert ("depends on the others in its batch" in note) == depends, note
    assert ("never looks at the other samples" in note) == (not depends), note
    pooled = re.search(r"\(([^)]*)\)", note.replace("(G = 2) ", "")).group(1).split(", ")
    poked = x.clone()
    poked[0, 0, 0, 0] += 5.0
    changed = (_torch_norm(poked, kind, groups) - _torch_norm(x, kind, groups)).abs() > 1e-5
    where = changed.nonzero().T
    spread = {name: len(set(idx.tolist())) > 1 for name, idx in zip("NCHW", where, strict=True)}
    expected = {name for name, wide in spread.items() if wide}
    if kind == "group":  # the set spans the group's C/G channels
        assert spread["C"] and "C/G" in pooled
        expected = (expected - {"C"}) | {"C/G"}
    assert set(pooled) == expected, (pooled, expected, note)


def test_notes_and_code_tab_read_the_layer_kind_table(monkeypatch):
    """Issue 11: a kind's words, name and module variable live in normviz.layer_kinds; the note,
    the after-text and the code tab read them (this morning each held its own per-kind dict)."""
    import dataclasses

    from normviz import layer_kinds

    spec = dataclasses.replace(
        layer_kinds.LAYER_KINDS["layer"], label="TableNorm", what="one table row", var="tn",
        made="each **row of the table**", keeps="the table keeps its columns",
    )  # fmt: skip
    monkeypatch.setitem(layer_kinds.LAYER_KINDS, "layer", spec)
    note = text.layer_note("layer")
    assert note.startswith("TableNorm normalizes **one table row** (C, H, W) together"), note
    x = torch.randn(2, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    after = text.after_text(studies.after_moments(x, "layer"))
    assert "each **row of the table**" in after and "the table keeps its columns" in after
    code = text.torch_snippet("layer", 2, 4, 3, 2)
    assert "tn = nn.LayerNorm([4, 3, 3])" in code and "TableNorm without its affine" in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert out.getvalue().strip() == "True"
