"""Settings changed while a run trains: applied from the next update, weights and state kept."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch

from normviz.training import LIVE_FIELDS, SeededDropout, TrainConfig, Trainer, updates_per_epoch

torch.set_num_threads(1)


def _trainer(**kw) -> Trainer:
    cfg = {"n_samples": 200, "hidden": (8, 8), "seed": 5, "max_epochs": 10_000, **kw}
    return Trainer(TrainConfig(**cfg))


def _params(t: Trainer) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in t.model.parameters()]


def test_a_new_learning_rate_scales_the_next_sgd_update():
    t = _trainer(optimizer="sgd", lr=0.01)
    t.step(5)
    a, b = copy.deepcopy(t), copy.deepcopy(t)
    b.reconfigure(dataclasses.replace(b.config, lr=0.04))
    before = _params(a)
    a.step(1)
    b.step(1)  # the same batch: both copies hold the same generator state
    for w0, wa, wb in zip(before, _params(a), _params(b), strict=True):
        np.testing.assert_allclose(wb - w0, 4 * (wa - w0), rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "adamw"])
def test_optimizer_state_carries_over_a_change(optimizer):
    # A change and its undo at the same point leave the run exactly as if nothing happened:
    # momentum buffers and Adam's moments are taken over, not restarted.
    plain = _trainer(optimizer=optimizer, l2=1e-3)
    plain.step(12)
    changed = copy.deepcopy(plain)
    cfg = changed.config
    changed.reconfigure(dataclasses.replace(cfg, lr=0.3, l2=0.0))
    changed.reconfigure(cfg)
    plain.step(20)
    changed.step(20)
    for p, q in zip(_params(plain), _params(changed), strict=True):
        np.testing.assert_array_equal(p, q)
    assert [m.changes for m in changed.changes] == [
        (("lr", "0.01", "0.3"), ("l2", "0.001", "0")),
        (("lr", "0.3", "0.01"), ("l2", "0", "0.001")),
    ]


def test_dropout_is_added_resized_and_removed_around_the_same_layers():
    t = _trainer(dropout=0.0)
    linears = [m for m in t.model if isinstance(m, torch.nn.Linear)]
    t.reconfigure(dataclasses.replace(t.config, dropout=0.3))
    drops = [m for m in t.model if isinstance(m, SeededDropout)]
    assert [d.p for d in drops] == [0.3, 0.3]  # after each of the two hidden blocks
    assert [m for m in t.model if isinstance(m, torch.nn.Linear)] == linears  # same objects
    t.step(3)
    t.reconfigure(dataclasses.replace(t.config, dropout=0.5))
    assert [m.p for m in t.model if isinstance(m, SeededDropout)] == [0.5, 0.5]
    t.reconfigure(dataclasses.replace(t.config, dropout=0.0))
    assert not any(isinstance(m, SeededDropout) for m in t.model)


def test_dropout_round_trip_keeps_the_run_identical():
    plain = _trainer(optimizer="adam")
    plain.step(9)
    other = copy.deepcopy(plain)
    other.reconfigure(dataclasses.replace(other.config, dropout=0.4))
    other.reconfigure(dataclasses.replace(other.config, dropout=0.0))
    plain.step(15)
    other.step(15)
    for p, q in zip(_params(plain), _params(other), strict=True):
        np.testing.assert_array_equal(p, q)


def test_a_new_batch_size_applies_from_the_next_epoch():
    t = _trainer(batch_size=10)  # 100 training points: 10 updates an epoch
    t.step(4)  # mid-epoch
    t.reconfigure(dataclasses.replace(t.config, batch_size=50))
    t.step(6 + 2 * 3)  # the rest of epoch 1 with batch 10, then 3 epochs of 2 updates
    steps = [r.step for r in t.history]
    assert steps == [0, 10, 12, 14, 16]
    assert updates_per_epoch(100, 50) == 2
    assert t.history[-1].samples_seen == 100 * 4


def test_early_stopping_switched_on_later_restores_the_best_weights_after_a_dropout_change():
    t = _trainer(hidden=(64, 64), n_samples=100, lr=0.03, optimizer="adam")
    t.step(20)
    t.reconfigure(dataclasses.replace(t.config, early_stopping_patience=5))
    t.step(5)
    t.reconfigure(dataclasses.replace(t.config, dropout=0.2))  # new layer names
    while t.stopped is None:
        t.step(10)
    assert t.stopped.reason == "early_stopping"
    best = t.history[t.stopped.best_epoch]
    t.model.eval()
    with torch.no_grad():
        logits = t.model(t._xte)
        loss = torch.nn.functional.cross_entropy(logits, t._yte).item()
    assert loss == pytest.approx(best.test_loss, rel=1e-6)  # the best epoch's weights are back


def test_only_live_fields_reconfigure_and_a_mark_sits_on_the_last_record():
    t = _trainer()
    t.step(25)
    assert not t.can_reconfigure(dataclasses.replace(t.config, hidden=(4,)))
    with pytest.raises(ValueError, match="build a new Trainer"):
        t.reconfigure(dataclasses.replace(t.config, optimizer="sgd"))
    assert t.reconfigure(t.config) is None and not t.changes  # nothing changed, no mark
    mark = t.reconfigure(dataclasses.replace(t.config, l1=1e-3, augmentation=0.1))
    last = t.history[-1]
    assert (mark.epoch, mark.step, mark.samples_seen) == (last.epoch, last.step, last.samples_seen)
    assert mark.changes == (("l1", "0", "0.001"), ("augmentation", "0", "0.1"))
    assert set(LIVE_FIELDS) < set(TrainConfig.__dataclass_fields__)


def test_a_stopped_run_cannot_be_reconfigured():
    t = _trainer(max_epochs=2)
    t.step(100)
    assert t.stopped is not None
    assert not t.can_reconfigure(dataclasses.replace(t.config, lr=0.1))
