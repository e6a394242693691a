"""normviz.presets: every claim of every preset's "what to look for" text, checked by its run.

Each named preset is trained exactly as the page trains it (its configs on the default controls,
seed 0, to its pinned ``max_epochs``), once per module, and every sentence of its text that says
what the run shows is asserted here. A preset without a claims check fails
``test_preset_claims``.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from normviz.lab_text import l1_text
from normviz.presets import (
    CHECKED_SEED,
    PRESET_NAMES,
    PRESETS,
    Preset,
    n_train,
    preset_configs,
    preset_text,
)
from normviz.training import TrainConfig, Trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NAMED = [n for n in PRESET_NAMES if n != "Custom"]


def _train(config: TrainConfig) -> Trainer:
    t = Trainer(config)
    t.step(10**7)
    assert t.stopped is not None and t.stopped.reason == "max_epochs", t.stopped
    return t


@functools.cache
def _runs(name: str) -> tuple[Trainer, Trainer]:
    (_, a), (_, b) = preset_configs(name, TrainConfig(seed=CHECKED_SEED))
    return _train(a), _train(b)


def _col(t: Trainer, field: str) -> np.ndarray:
    return np.array([getattr(r, field) for r in t.history])


def _exact_zeros(t: Trainer) -> float:
    return float((t.weights() == 0).mean())


def _last(t: Trainer):
    return t.history[-1]


# -- one claims check per preset -----------------------------------------------------------------


def _dropout(a: Trainer, b: Trainer, text: str) -> None:
    test_a, train_a = _col(a, "test_loss"), _col(a, "train_loss")
    best_a = int(test_a.argmin())
    # "A's train loss keeps falling while its test loss turns up after a minimum"
    assert best_a < len(test_a) - 30
    assert test_a[-1] > test_a[best_a] + 0.1 and train_a[-1] < 0.5 * train_a[best_a]
    # "Dropout (B) keeps the gap between test and train loss smaller"
    gap = {k: _last(t).test_loss - _last(t).train_loss for k, t in (("a", a), ("b", b))}
    assert gap["b"] < 0.7 * gap["a"]
    # "at the end B's test loss is a little lower than A's but so is its test accuracy"
    assert 0 < _last(a).test_loss - _last(b).test_loss < 0.1
    assert _last(b).test_acc < _last(a).test_acc
    # "A's test loss at its minimum is lower than any B reaches"
    assert test_a.min() < _col(b, "test_loss").min()
    assert "not the same as better generalization" in text


def _l1_vs_l2(a: Trainer, b: Trainer, text: str) -> None:
    assert a.config.l1_method == "subgradient" and b.config.l1 == 0 and a.config.l2 == 0
    assert _last(a).test_acc > 0.95 and _last(b).test_acc > 0.95
    # defect 3: with the subgradient, many weights near zero but none exactly zero
    assert _last(a).sparsity > 0.5 and _exact_zeros(a) == 0.0
    assert _last(b).sparsity < 0.1
    assert "none is exactly zero" in text and "**exactly zero**" not in l1_text(a.config)
    assert f"λ₁ = {a.config.l1:g}" in text and f"λ₂ = {b.config.l2:g}" in text


def _subgradient_vs_proximal(a: Trainer, b: Trainer, text: str) -> None:
    assert (a.config.l1_method, b.config.l1_method) == ("subgradient", "proximal")
    assert a.config.optimizer == "sgd"  # "with plain SGD both pull ... eta * l1 per step"
    # "the losses and accuracies end almost equal, and most weights end near zero in both"
    assert abs(_last(a).test_loss - _last(b).test_loss) < 0.01
    assert abs(_last(a).test_acc - _last(b).test_acc) <= 0.01
    assert _last(a).sparsity > 0.5 and _last(b).sparsity > 0.5
    # "A's ... none is exactly zero, while B sets at least half of its weights to exactly zero"
    assert _exact_zeros(a) == 0.0 and _exact_zeros(b) >= 0.5
    assert "**near zero**" in l1_text(a.config) and "**exactly zero**" in l1_text(b.config)
    assert f"η·λ₁ = {b.config.lr * b.config.l1:g}" in text


def _adam_vs_adamw(a: Trainer, b: Trainer, text: str) -> None:
    assert (a.config.optimizer, b.config.optimizer) == ("adam", "adamw")
    assert a.config.l2 == b.config.l2 > 0 and a.config.lr == b.config.lr
    # "A's weights shrink far more than B's", "its test accuracy stays well below B's"
    assert _last(a).weight_norm < 0.5 * _last(b).weight_norm
    assert _last(a).test_acc < _last(b).test_acc - 0.1
    assert f"1 − η·λ₂ = {1 - b.config.lr * b.config.l2:g}" in text


def _bn_position(a: Trainer, b: Trainer, text: str) -> None:
    # "both positions train (above 85 % test accuracy after N epochs)"
    for t in (a, b):
        assert _last(t).test_acc > 0.85 and _last(t).train_loss < 0.3 * t.history[0].train_loss
    assert f"after {a.config.max_epochs} epochs" in text


def _batch_size(a: Trainer, b: Trainer, text: str) -> None:
    n = len(a.train.y)
    ua, ub = a.history[1].step, b.history[1].step  # counted by the trainer
    assert (ua, ub) == (-(-n // a.config.batch_size), 1)
    assert f"make {ua} updates per epoch at batch 8 (A) and {ub} at batch 256" in text
    assert f"A has made {_last(a).step:,} updates and B {_last(b).step:,}" in text
    # "Per epoch, A learns faster"
    for e in (10, 20):
        assert a.history[e].train_loss < b.history[e].train_loss - 0.05
    # "and also overfits sooner: its test loss reaches its minimum first and then turns up"
    test_a, test_b = _col(a, "test_loss"), _col(b, "test_loss")
    assert test_a.argmin() < test_b.argmin() and test_a[-1] > test_a.min() + 0.03
    # "at equal updates ... after S updates B's test loss is lower than A's was after its first S"
    s = _last(b).step
    a_at_s = next(r for r in a.history if r.step >= s)
    assert _last(b).test_loss < a_at_s.test_loss - 0.1
    # "averages the gradient over 25 times more points"
    assert f"over {min(256, n) / 8:g} times more points" in text


def _high_lr(a: Trainer, b: Trainer, text: str) -> None:
    # A: "the loss jumps, then sits at chance: 50 % accuracy, P(class 1) about 0.5 almost
    # everywhere"
    train_a = _col(a, "train_loss")
    assert np.diff(train_a).max() > 0.05
    assert abs(_last(a).test_acc - 0.5) <= 0.02 and abs(_last(a).train_acc - 0.5) <= 0.02
    assert (np.abs(a.boundary(40).prob - 0.5) < 0.05).mean() > 0.95
    # B: "keeps learning: its test accuracy climbs above 80 % at times, though it stays jumpy"
    acc_b = _col(b, "test_acc")[len(b.history) // 2 :]
    assert acc_b.max() > 0.8 and acc_b.mean() > 0.65 and acc_b.std() > 0.03
    # "At learning rate 0.01 the plain net learns too, slowly"
    slow = _train(dataclasses.replace(a.config, lr=0.01))
    assert 0.7 <= _last(slow).test_acc < 0.85
    assert _last(slow).train_loss < 0.8 * slow.history[0].train_loss
    assert "learning rate 0.01 the plain net" in text and f"rate {a.config.lr:g}" in text


CLAIMS = {
    "Dropout: off vs 0.4": _dropout,
    "L1 vs L2": _l1_vs_l2,
    "L1: subgradient vs proximal": _subgradient_vs_proximal,
    "Adam + L2 vs AdamW": _adam_vs_adamw,
    "BatchNorm before vs after the activation": _bn_position,
    "Batch size 8 vs 256": _batch_size,
    "High learning rate: no norm vs BatchNorm": _high_lr,
}


@pytest.mark.parametrize("name", NAMED)
def test_preset_claims(name):
    assert name in CLAIMS, f"preset {name!r} has no claims check"
    a, b = _runs(name)
    CLAIMS[name](a, b, preset_text(name))


# -- the registry ---------------------------------------------------------------------------------


def test_registry_and_old_table_agree_on_names_and_runs():
    assert PRESET_NAMES[-1] == "Custom" and set(CLAIMS) == set(NAMED)
    assert all(isinstance(p, Preset) and p.name == n for n, p in PRESETS.items())
    with pytest.raises(TypeError):
        PRESETS["L1 vs L2"].a["l1"] = 1.0  # read-only overrides
    assert len({hash(p) for p in PRESETS.values()}) == len(PRESETS)  # usable as cache keys


@pytest.mark.parametrize("name", NAMED)
def test_named_presets_fix_every_field_but_the_seed(name):
    other = TrainConfig(dataset="xor", n_samples=1000, hidden=(4,), lr=0.3, l1=0.1,
                        early_stopping_patience=3, max_epochs=7, seed=5)  # fmt: skip
    ours = preset_configs(name, TrainConfig(seed=5))
    assert preset_configs(name, other) == ours
    assert ours[0][1] != ours[1][1]  # A and B differ


def test_seed_note_only_for_an_unchecked_seed():
    for name in NAMED:
        assert "checked with seed" not in preset_text(name)
        assert f"checked with seed {CHECKED_SEED}; with seed 4" in preset_text(
            name, TrainConfig(seed=4)
        )


def test_custom_takes_the_controls_and_b_overrides():
    base = TrainConfig(dataset="xor", lr=0.1)
    (la, a), (lb, b) = preset_configs("Custom", base, {"l2": 0.01, "optimizer": "sgd"})
    assert (la, lb) == ("A", "B") and a == base
    assert b == dataclasses.replace(base, l2=0.01, optimizer="sgd")
    with pytest.raises(ValueError, match=r"preset must be one of 'Dropout: off vs 0.4'"):
        preset_configs("Nope", base)
    with pytest.raises(ValueError, match=r"batch_size must be >= 2 with norm='batch'"):
        preset_configs("Custom", base, {"norm": "batch", "batch_size": 1})


def test_n_train_matches_the_split():
    for n, frac in [(400, 0.5), (67, 0.5), (51, 0.3), (10, 0.9)]:
        config = TrainConfig(n_samples=n, test_fraction=frac)
        assert n_train(config) == len(Trainer(config).train.y)


@pytest.mark.parametrize("name", [p for p in PRESETS if p != "Custom"])
def test_controls_at_a_presets_settings_train_exactly_its_checked_runs(name):
    from normviz.presets import applied_configs, drift, per_run_fields, preset_settings

    for seed in (0, 11):
        base = dataclasses.replace(TrainConfig(seed=seed), **preset_settings(name))
        assert applied_configs(name, base) == preset_configs(name, TrainConfig(seed=seed))
        assert drift(name, base) == []
        moved = dataclasses.replace(base, n_samples=base.n_samples + 20)
        (_, a), (_, b) = applied_configs(name, moved)
        assert a.n_samples == b.n_samples == moved.n_samples  # a shared control moves both
        assert drift(name, moved) == ["n_samples"]
        assert [f for f in per_run_fields(name) if getattr(a, f) != getattr(b, f)]


def test_custom_b_fields_are_config_fields_each_with_its_table_row():
    from normviz.presets import CUSTOM_FIELDS
    from normviz.train_config import FIELDS

    assert set(CUSTOM_FIELDS) <= set(FIELDS)
    assert {"seed", "dataset"}.isdisjoint(CUSTOM_FIELDS)  # B trains on A's data
