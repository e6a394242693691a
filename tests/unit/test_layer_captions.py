"""normviz.layer_captions and the studies the layers page used to compute itself, against torch.

Issue 11: this logic lived in pages/layers.py, tested only through AppTest. Each test checks
what a text states (or what a study returns) with torch.nn / torch.nn.functional.
"""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from normviz import layer_captions as captions
from normviz import layer_studies as studies
from normviz.layer_kinds import KINDS, LAYER_KINDS, kinds_for
from normviz.layer_text import noise_text

NUM = r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)"
X = torch.randn(3, 6, 4, 4, generator=torch.Generator().manual_seed(0)) * 2 + 1


@pytest.mark.parametrize(("kind", "functional"), [
    ("batch", lambda x: F.batch_norm(x, None, None, training=True)),
    ("layer", lambda x: F.layer_norm(x, x.shape[1:])),
    ("instance", F.instance_norm),
    ("group", lambda x: F.group_norm(x, 3)),
    ("rms", lambda x: F.rms_norm(x, x.shape[1:], eps=1e-5)),
])  # fmt: skip
def test_moments_study_measures_torchs_output(kind, functional):
    study = studies.moments_study(X, kind, 3)

    def close(got, want, atol):
        torch.testing.assert_close(torch.tensor(got, dtype=torch.float64), want, atol=atol, rtol=0)

    var, mean = torch.var_mean(X.double(), dim=(2, 3), correction=0)
    close(study.before_mean, mean, 1e-6)
    close(study.before_std, var.sqrt(), 1e-6)
    var, mean = torch.var_mean(functional(X).double(), dim=(2, 3), correction=0)
    close(study.after_mean, mean, 1e-5)
    close(study.after_std, var.sqrt(), 1e-5)
    assert study.title == f"after {LAYER_KINDS[kind].label}"


def test_noise_study_is_seeded_and_only_batchnorm_moves():
    noise = studies.noise_study(8)
    assert noise == studies.noise_study(8) and noise.batch_sizes == studies.NOISE_SIZES
    bn, ln, gn = noise.spread
    assert bn[0] > bn[-1] > 0 and set(ln) == set(gn) == {0.0}


def test_cube_infos_cover_the_table_with_groups_only_for_groupnorm():
    infos = studies.cube_infos(X, 2)
    assert [i.kind for i in infos] == list(KINDS)
    assert [i.groups for i in infos] == [2 if LAYER_KINDS[k].params else None for k in KINDS]
    titles = [captions.tile_title(i) for i in infos]
    assert titles[0] == "**BatchNorm**" and titles[3] == "**GroupNorm** (G=2)"


def test_groupnorm_metrics_are_torch_module_differences():
    check = studies.groupnorm_check(X)
    metrics = captions.groupnorm_metrics(check)
    with torch.no_grad():
        d_in = (nn.GroupNorm(6, 6)(X) - nn.InstanceNorm2d(6)(X)).abs().max().item()
        d_bn = (nn.GroupNorm(1, 6)(X) - nn.BatchNorm2d(6)(X)).abs().max().item()
    assert metrics[1] == ("max |GN(G=6) − InstanceNorm|", f"{d_in:.1e}")
    assert metrics[2].value == f"{d_bn:.2f}" and d_bn > 0.1
    assert "no G gives BatchNorm" in captions.GROUPNORM_MISCONCEPTION


@pytest.mark.parametrize(("n", "d"), [(2, 256), (5, 8)])
def test_embedding_text_counts_the_means_torch_keeps(n, d):
    sentence = captions.embedding_text(torch.randn(n, d))
    bn_means, ln_means = (int(v) for v in re.findall(r"\*\*(\d+) means\*\*", sentence))
    assert bn_means == nn.BatchNorm1d(d).running_mean.numel()  # one per feature
    y = F.layer_norm(torch.randn(n, d) * 3 + 5, (d,))
    assert ln_means == y.mean(dim=1).numel() == n  # one per embedding
    assert f"each from just {n} values" in sentence


def test_token_sets_name_each_token_kind_by_its_pooled_axes():
    tex = captions.token_sets_tex()
    clauses = tex.split(r"\quad")
    for kind in kinds_for("ntd"):
        spec = LAYER_KINDS[kind]
        (clause,) = [c for c in clauses if spec.label in c]
        assert ("over its } D" in clause) == (spec.pooled["ntd"] == ("D",))
    assert tex.count("{") == tex.count("}")  # balanced LaTeX


@pytest.mark.parametrize(("convention", "momentum"), [("pytorch", 0.3), ("keras", 0.9)])
def test_momentum_text_states_the_same_average_in_both_conventions(convention, momentum):
    sentence = captions.momentum_text(convention, momentum, (2.0, 9.0))
    stated = dict(
        (name, float(v)) for name, v in re.findall(rf"(PyTorch|Keras) momentum \*\*{NUM}\*\*",
                                                    sentence)
    )  # fmt: skip
    bn = nn.BatchNorm2d(1, momentum=stated["PyTorch"])
    x = torch.randn(4, 1, 2, 2, generator=torch.Generator().manual_seed(1)) + 3
    with torch.no_grad():
        bn(x)
    alpha = stated["Keras"]
    keras = alpha * 0.0 + (1 - alpha) * x.mean().item()  # moving mean starts at 0
    assert bn.running_mean.item() == pytest.approx(keras, abs=1e-6)
    assert "mean 2, variance 9" in sentence


def test_buffers_text_lists_what_the_module_holds_and_the_optimizer_does_not_touch():
    sentence = captions.buffers_text(4)
    bn = nn.BatchNorm2d(4)
    assert str([b for b, _ in bn.named_buffers()]) in sentence
    assert str([p for p, _ in bn.named_parameters()]) in sentence
    optimizer = torch.optim.SGD(bn.parameters(), lr=0.1)
    stepped = {id(p) for group in optimizer.param_groups for p in group["params"]}
    assert stepped.isdisjoint({id(b) for b in bn.buffers()})


def test_batch_size_text_carries_the_studys_numbers():
    noise = studies.noise_study(8)
    paragraph = captions.batch_size_text(noise, 8)
    assert "inside 8 random batches" in paragraph and noise_text(noise) in paragraph


def test_source_caption():
    assert captions.source_caption(4, 3, True).startswith("4 random 3×3 crops of the *coffee*")
    assert captions.source_caption(2, 5, False) == "2 random 5×5 crops of a synthetic test picture."


def test_conventions_formula_breaks_only_between_equations():
    """Issue 12: on a narrow screen the running-statistics formula wrapped right after an arrow
    (KaTeX may end a line after any top-level relation or binary operator). Each equation is one
    brace group; the line breaks only at its \\allowbreak, between whole equations."""
    from tests.unit.test_layer_kinds import _top_level_relations

    tex = captions.CONVENTIONS_TEX
    assert _top_level_relations(tex) == [], tex
    depth, operators = 0, []
    for i, ch in enumerate(tex):
        if tex[i - 1 : i] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch in "+-" and depth == 0:
            operators.append(ch)
    assert operators == [], tex
    assert tex.count(r"\allowbreak") == 2  # between the three equations
    assert tex.count(r"\leftarrow") == 3
