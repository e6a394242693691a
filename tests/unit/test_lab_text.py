"""normviz.lab_text: each sentence stating a number or a behaviour, checked by a run or torch."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from normviz.lab_text import (
    L1_CODE,
    batch_size_notes,
    batchnorm_text,
    control_help,
    dropout_latex,
    dropout_text,
    early_stopping_text,
    jitter_text,
    l1_bug_text,
    l1_code,
    l1_latex,
    l1_text,
    l2_rule,
    l2_zero_text,
)
from normviz.training import (
    SeededDropout,
    TrainConfig,
    Trainer,
    build_model,
    make_optimizer,
    penalty_l1,
    prox_l1_,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _model(**kw) -> nn.Sequential:
    return build_model(TrainConfig(**kw), torch.Generator().manual_seed(0))


def _weights(model: nn.Module) -> list[torch.Tensor]:
    return [m.weight for m in model.modules() if isinstance(m, nn.Linear)]


# -- L1: what the text says, what a run shows (defect 3) ----------------------------------------


def _l1_run(method: str) -> Trainer:
    config = TrainConfig(dataset="gaussians", n_samples=200, optimizer="sgd", lr=0.1, l1=0.01,
                         l1_method=method, max_epochs=75)  # fmt: skip
    t = Trainer(config)
    t.step(100_000)
    return t


def test_l1_text_matches_what_each_method_does():
    sub, prox = _l1_run("subgradient"), _l1_run("proximal")
    exact = {m: float((t.weights() == 0).mean()) for m, t in (("s", sub), ("p", prox))}
    near = {m: float((np.abs(t.weights()) < 1e-3).mean()) for m, t in (("s", sub), ("p", prox))}
    # subgradient: many weights near zero, (almost) none exactly zero
    assert near["s"] > 0.3 and exact["s"] < 0.01
    text = l1_text(sub.config)
    assert "**near zero**" in text and "few if any are exactly zero" in text
    assert "**exactly zero**" not in text
    # proximal: many exactly zero
    assert exact["p"] > 0.3
    assert "**exactly zero**" in l1_text(prox.config) and "near zero" not in l1_text(prox.config)
    assert "soft" in l1_text(prox.config).lower()
    assert l1_latex(sub.config) != l1_latex(prox.config) and "max" in l1_latex(prox.config)


def _penalty_only_steps(optimizer: str, l1: float, steps: int, lr: float = 0.01):
    """Step an optimizer on the L1 term alone; return the weights before and after each step."""
    model = _model(hidden=(8,))
    with torch.no_grad():
        for w in _weights(model):  # far from zero: no sign flip within the steps
            w.copy_(w.sign() + (w == 0).float())
    opt = make_optimizer(TrainConfig(optimizer=optimizer, lr=lr), model)
    trace = [torch.cat([w.detach().flatten() for w in _weights(model)]).clone()]
    for _ in range(steps):
        opt.zero_grad()
        penalty_l1(model, l1).backward()
        opt.step()
        trace.append(torch.cat([w.detach().flatten() for w in _weights(model)]).clone())
    return trace


def test_l1_pull_is_the_same_for_every_weight_only_with_plain_sgd():
    before, after = _penalty_only_steps("sgd", 0.1, 1)
    torch.testing.assert_close((before - after).abs(), torch.full_like(before, 0.01 * 0.1))
    assert "same step for every weight: η·λ₁" in l1_text(TrainConfig(optimizer="sgd"))
    for name in ("momentum", "adam", "adamw"):
        text = l1_text(TrainConfig(optimizer=name))
        assert "same for every weight only with plain SGD" in text
        assert "same step for every weight" not in text


def test_l1_text_momentum_factor_is_what_momentum_does():
    trace = _penalty_only_steps("momentum", 0.01, 200)
    last_step = (trace[-2] - trace[-1]).abs()
    sgd_step = 0.01 * 0.01
    factor = float(last_step.mean() / sgd_step)
    text = l1_text(TrainConfig(optimizer="momentum"))
    stated = float(re.search(r"= (\d+(?:\.\d+)?) times harder", text).group(1))
    assert factor == pytest.approx(stated, rel=1e-3)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_l1_text_adam_step_is_about_eta_whatever_lambda(name):
    # no data gradient: Adam's first step on the L1 term alone is ~lr for a tiny and a large l1
    for l1 in (1e-4, 1e-1):
        before, after = _penalty_only_steps(name, l1, 1, lr=0.01)
        torch.testing.assert_close((before - after).abs(), torch.full_like(before, 0.01),
                                   rtol=1e-3, atol=0)  # fmt: skip
    text = l1_text(TrainConfig(optimizer=name))
    assert "running RMS" in text and "about η, whatever λ₁" in text


# -- L2 rules: oracles against torch's optimizers (defect 10) ------------------------------------


def _one_weight_opt(optimizer: str, lr: float, l2: float):
    model = _model(hidden=(4,))
    opt = make_optimizer(TrainConfig(optimizer=optimizer, lr=lr, l2=l2), model)
    return model, opt, model[0].weight


@pytest.mark.parametrize("name", ["sgd", "adamw"])
def test_l2_rule_decay_factor_multiplies_the_weights_oracle(name):
    rule = l2_rule(TrainConfig(optimizer=name, lr=0.1, l2=0.3))
    model, opt, w = _one_weight_opt(name, 0.1, 0.3)
    w0 = w.detach().clone()
    for p in model.parameters():  # no data gradient
        p.grad = torch.zeros_like(p)
    opt.step()
    torch.testing.assert_close(w.detach(), w0 * rule.decay_factor, rtol=1e-6, atol=0)
    assert rule.decay_factor == pytest.approx(1 - 0.1 * 0.3)
    assert f"1 − η·λ₂ = {rule.decay_factor:g}" in rule.text
    assert r"(1 - \eta\lambda_2)\,w" in rule.latex


def test_adamw_text_says_multiplied_not_shrink_by():
    rule = l2_rule(TrainConfig(optimizer="adamw", lr=0.01, l2=0.01))
    assert not rule.coupled and "*multiplied* by 1 − η·λ₂" in rule.text
    assert "0.9999" in rule.text
    assert "shrink by" not in rule.text


def _grads(model, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(p.shape, generator=gen) for p in model.parameters()]


def test_l2_rules_follow_their_latex_over_several_steps_oracle():
    lr, l2, b1, b2, eps = 0.05, 0.2, 0.9, 0.999, 1e-8
    for name in ("sgd", "momentum", "adam", "adamw"):
        rule = l2_rule(TrainConfig(optimizer=name, lr=lr, l2=l2))
        model, opt, w = _one_weight_opt(name, lr, l2)
        ref = w.detach().clone().double()
        v = m = torch.zeros_like(ref)
        for k in range(1, 4):
            grads = _grads(model, k)
            for p, g in zip(model.parameters(), grads, strict=True):
                p.grad = g.clone()
            opt.step()
            g = grads[0].double()
            # the rule as the LaTeX writes it
            if name == "sgd":
                ref = ref - lr * (g + l2 * ref)
            elif name == "momentum":
                v = 0.9 * v + g + l2 * ref
                ref = ref - lr * v
            else:
                if name == "adam":
                    g = g + l2 * ref
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                step = lr * (m / (1 - b1**k)) / ((v / (1 - b2**k)).sqrt() + eps)
                ref = (ref if name == "adam" else (1 - lr * l2) * ref) - step
            torch.testing.assert_close(w.detach().double(), ref, rtol=1e-5, atol=1e-6)
        assert rule.coupled == (name != "adamw")


def test_l2_rule_shown_depends_on_the_optimizer():
    rules = {n: l2_rule(TrainConfig(optimizer=n, l2=0.01)) for n in ("sgd", "momentum", "adam",
                                                                      "adamw")}  # fmt: skip
    assert len({r.latex for r in rules.values()}) == 4
    assert r"\lambda_2 w" in rules["adam"].latex and r"\hat m" in rules["adam"].latex
    assert rules["adam"].decay_factor is None and "not weight decay" in rules["adam"].text
    assert "Loshchilov & Hutter 2019" in rules["adamw"].text
    # the first momentum step (v = 0) is the plain SGD factor
    model, opt, w = _one_weight_opt("momentum", 0.1, 0.3)
    w0 = w.detach().clone()
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    factor = l2_rule(TrainConfig(optimizer="momentum", lr=0.1, l2=0.3)).decay_factor
    torch.testing.assert_close(w.detach(), w0 * factor, rtol=1e-6, atol=0)


def test_adam_coupled_decay_moves_a_weight_by_about_eta():
    # the Adam text: with no data gradient, the decay step is ~eta whatever lambda_2
    for l2 in (1e-3, 0.5):
        model, opt, w = _one_weight_opt("adam", 0.01, l2)
        w0 = w.detach().clone()
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        opt.step()
        torch.testing.assert_close((w0 - w.detach()).abs(), torch.full_like(w0, 0.01), rtol=0.01,
                                   atol=0)  # fmt: skip
    assert "about η per step whatever λ₂" in l2_rule(TrainConfig(optimizer="adam")).text


# -- early stopping: text, trainer and script agree (defect 9) ---------------------------------


def _test_loss(t: Trainer) -> float:
    t.model.eval()
    with torch.no_grad():
        logits = t.model(torch.from_numpy(t.test.x))
    return F.cross_entropy(logits, torch.from_numpy(t.test.y)).item()


@pytest.mark.parametrize(
    ("patience", "max_epochs", "reason"), [(2, 200, "early_stopping"), (50, 20, "max_epochs")]
)
def test_early_stopping_text_matches_the_trainer(patience, max_epochs, reason):
    config = TrainConfig(dataset="moons", n_samples=100, noise=0.6, hidden=(64, 64), lr=0.05,
                         early_stopping_patience=patience, max_epochs=max_epochs)  # fmt: skip
    t = Trainer(config)
    t.step(100_000)
    best = min(range(len(t.history)), key=lambda e: t.history[e].test_loss)
    assert t.stopped.reason == reason and best < t.epoch
    assert _test_loss(t) == t.history[best].test_loss  # the best weights were restored
    text = early_stopping_text(config)
    assert f"stops after {patience} epochs without a new lowest value" in text
    assert f"at the maximum of {max_epochs} epochs" in text and "are restored" in text
    assert "epoch 0 (before training) included" in text and t.history[0].epoch == 0


def test_early_stopping_off_text_matches_the_trainer():
    config = TrainConfig(dataset="moons", n_samples=100, noise=0.6, hidden=(64, 64), lr=0.05,
                         max_epochs=20)  # fmt: skip
    t = Trainer(config)
    t.step(100_000)
    assert _test_loss(t) == t.history[-1].test_loss
    text = early_stopping_text(config)
    assert "is off" in text and "keeps the last weights" in text and "20 epochs" in text
    assert "restore the best" not in control_help(config)["early_stopping_patience"]
    assert "(patience or max epochs)" in control_help(config)["early_stopping_patience"]


# -- the correct-L1 snippets (defect 8) ---------------------------------------------------------


def test_l1_snippet_penalizes_exactly_what_the_lab_penalizes():
    model = _model(hidden=(8, 4), norm="batch")  # BatchNorm weights must not be penalized
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.BatchNorm1d):
                m.weight.fill_(3.0)
    ns = {"model": model, "ce": torch.tensor(0.0), "l1": 0.01, "nn": nn}
    exec(l1_code("subgradient"), ns)
    torch.testing.assert_close(ns["loss"], penalty_l1(model, 0.01))
    # this morning's snippet summed every parameter named *weight (BatchNorm's too)
    old = sum(p.abs().sum() for n, p in model.named_parameters() if n.endswith("weight"))
    assert not torch.allclose(0.01 * old, penalty_l1(model, 0.01))


def test_proximal_snippet_is_the_lab_soft_threshold():
    model = _model(hidden=(8,), norm="batch")
    twin = _model(hidden=(8,), norm="batch")
    x, y = torch.randn(6, 2, generator=torch.Generator().manual_seed(0)), torch.arange(6) % 2
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    ns = {"model": model, "ce": F.cross_entropy(model(x), y), "l1": 0.2, "lr": 0.5, "nn": nn,
          "torch": torch, "optimizer": opt}  # fmt: skip
    exec(l1_code("proximal"), ns)
    twin_opt = torch.optim.SGD(twin.parameters(), lr=0.5)
    F.cross_entropy(twin(x), y).backward()
    twin_opt.step()
    prox_l1_(twin, 0.5 * 0.2)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert sum(int((w == 0).sum()) for w in _weights(model)) > 0
    with pytest.raises(ValueError, match=r"method must be one of 'subgradient', 'proximal'"):
        l1_code("lasso")
    assert set(L1_CODE) == {"subgradient", "proximal"}


def test_l1_bug_text_states_the_constant_of_this_model():
    model = _model(hidden=(8, 4))
    n = sum(p.numel() for p in model.parameters())
    text = l1_bug_text(model, 0.01)
    assert f"constant {0.01 * n:g}" in text and "`requires_grad=False`" in text


# -- dropout, batch size, widget help -----------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.4, 0.5])
def test_dropout_text_numbers_are_what_dropout_does(p):
    d = SeededDropout(p, torch.Generator().manual_seed(0))
    kept = d(torch.ones(50_000))
    scale = float(kept.max())
    text = dropout_text(TrainConfig(dropout=p))
    assert f"1/(1 − p) = {scale:g}" in text
    assert f"kept with probability {1 - p:g}" in text
    assert abs(float((kept > 0).float().mean()) - (1 - p)) < 0.01
    assert r"\frac{m \odot h}{1-p}" in dropout_latex(TrainConfig(dropout=p))
    assert "off now" in dropout_text(TrainConfig())


def test_batch_size_notes_numbers_oracle():
    text = batch_size_notes()
    n = 4_000_000
    for b in (128, 256):
        assert f"{n // b:,}" in text
    assert f"{n // 2048:,}" in text and f"{math.ceil(n / 2048):,}" in text
    assert f"{400 * n // 128:,} in total" in text
    assert f"{40_000_000 // 128:,} updates per epoch at batch 128" in text


def test_control_help_says_what_the_methods_do():
    sub = control_help(TrainConfig())
    prox = control_help(TrainConfig(l1_method="proximal"))
    assert "near zero" in sub["l1"] and "exactly zero" not in sub["l1"]
    assert "exactly zero" in prox["l1"]
    assert "multiplied by 1 − lr·λ₂" in sub["l2"]
    assert set(sub) <= {f for f in TrainConfig.__dataclass_fields__}


# -- L2's histogram, BatchNorm, jitter -----------------------------------------------------------


def test_l2_zero_text_matches_a_run():
    runs = {}
    for l2 in (0.0, 0.01):
        t = Trainer(TrainConfig(dataset="circles", n_samples=200, hidden=(16, 16), optimizer="sgd",
                                lr=0.1, l2=l2, max_epochs=60))  # fmt: skip
        t.step(100_000)
        runs[l2] = t.weights()
    plain, decayed = runs[0.0], runs[0.01]
    # "the weight histogram narrows"
    assert decayed.std() < 0.9 * plain.std()
    # "almost no weight gets near zero and none exactly zero"
    assert (np.abs(decayed) < 1e-3).mean() < 0.05 and (decayed == 0).sum() == 0
    text = l2_zero_text()
    assert "narrows" in text and "none exactly zero" in text


def test_batchnorm_text_names_a_preset_that_exists():
    from normviz.presets import PRESETS

    names = re.findall(r"\*([^*]+)\* preset", batchnorm_text())
    assert names and all(n in PRESETS for n in names)


def test_jitter_text_std_is_what_the_trainer_adds():
    config = TrainConfig(n_samples=200, augmentation=0.2, batch_size=50)
    t = Trainer(config)
    seen: list[torch.Tensor] = []
    t.model[0].register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach().clone()))
    t.step(2)  # two training batches of 50 + 50 points
    clean = torch.from_numpy(t.train.x)
    noise = torch.cat([xb - clean[idx] for xb, idx in zip(seen[:2], t._batches, strict=True)])
    assert float(noise.std()) == pytest.approx(0.2, rel=0.1)
    assert "standard deviation 0.2 " in jitter_text(config)
    assert "off now" in jitter_text(TrainConfig())


# -- placing texts per run, the calculator's note, the downloads' help ----------------------


def test_per_run_names_each_distinct_text_once():
    from normviz.lab_text import per_run

    runs = [("A", TrainConfig(l1=1e-3)), ("B", TrainConfig(l1=1e-3, l2=0.01))]
    assert per_run(runs, l1_text) == [("", l1_text(runs[0][1]))]
    both = per_run(runs, lambda c: c.l2)
    assert both == [("Run A: ", 0.0), ("Run B: ", 0.01)]
    three = per_run([*runs, ("C", TrainConfig(l2=0.01))], lambda c: c.l2)
    assert three == [("Run A: ", 0.0), ("Run B and C: ", 0.01)]


def test_stacked_latex_keeps_every_step_in_order():
    from normviz.lab_text import stacked_latex

    rule = l2_rule(TrainConfig(optimizer="adamw", l2=0.01)).latex
    lines = stacked_latex(rule).removeprefix(r"\begin{gathered}").removesuffix(r"\end{gathered}")
    assert "".join(lines.split(r" \\ ")) == rule.replace(r",\quad ", "").replace(r",\ \ ", "")


def test_calculator_note_names_a_preset_that_exists_and_history_help_the_columns():
    import re

    from normviz.lab_text import calculator_note, history_help
    from normviz.presets import PRESETS
    from normviz.training import EpochRecord

    (named,) = re.findall(r"run the \*(.+?)\* preset", calculator_note())
    assert named in PRESETS and PRESETS[named].b["batch_size"] != PRESETS[named].a["batch_size"]
    assert history_help().endswith(f"columns {', '.join(EpochRecord._fields)}.")
