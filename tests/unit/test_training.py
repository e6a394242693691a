"""normviz.training.Trainer: stepping, history, regularizers, early stopping, divergence."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from normviz.toydata import Dataset, xor
from normviz.training import (
    BoundaryGrid,
    EpochRecord,
    StopInfo,
    TrainConfig,
    Trainer,
    penalty_l1,
)

SMALL = {"n_samples": 200, "noise": 0.1, "max_epochs": 10_000}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _trainer(**kw) -> Trainer:
    return Trainer(TrainConfig(**{**SMALL, **kw}))


def _state(t: Trainer) -> list[torch.Tensor]:
    return [v.clone() for v in t.model.state_dict().values()]


# -- basics -----------------------------------------------------------------------------------


def test_initial_state_and_epoch_zero_record():
    t = _trainer()
    assert (t.steps, t.epoch, t.stopped) == (0, 0, None)
    assert len(t.history) == 1 and isinstance(t.history[0], EpochRecord)
    rec = t.history[0]
    assert (rec.epoch, rec.step, rec.penalty) == (0, 0, 0.0)
    assert len(t.train.y) == 100 and len(t.test.y) == 100
    assert t.config == TrainConfig(**SMALL)


def test_epoch_is_ceil_n_over_batch_updates():
    t = _trainer(batch_size=30)  # 100 training points: 4 updates per epoch, last of 10 points
    t.step(3)
    assert (t.steps, t.epoch, len(t.history)) == (3, 0, 1)
    t.step(1)
    assert (t.steps, t.epoch, len(t.history)) == (4, 1, 2)
    t.step(9)
    assert [r.step for r in t.history] == [0, 4, 8, 12]
    assert [r.epoch for r in t.history] == [0, 1, 2, 3]


def test_history_values_match_an_independent_evaluation():
    t = _trainer(dropout=0.3, norm="batch", l1=1e-3)
    t.step(12)
    model = t.model.eval()
    with torch.no_grad():
        x, y = torch.from_numpy(t.test.x), torch.from_numpy(t.test.y)
        logits = model(x)
        weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
        flat = torch.cat([w.flatten() for w in weights]).double()
    rec = t.history[-1]
    assert rec.test_loss == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-6)
    assert rec.test_acc == pytest.approx((logits.argmax(1) == y).double().mean().item())
    assert rec.weight_norm == pytest.approx(flat.norm().item(), rel=1e-5)
    assert rec.sparsity == pytest.approx((flat.abs() < 1e-3).double().mean().item())
    assert rec.penalty == pytest.approx(1e-3 * flat.abs().sum().item(), rel=1e-5)
    assert 0.0 <= rec.train_acc <= 1.0


def test_weights_flat_float32_copy_without_biases():
    t = _trainer(hidden=(5, 3), norm="layer")
    w = t.weights()
    assert w.dtype == np.float32 and w.shape == (2 * 5 + 5 * 3 + 3 * 2,)
    np.testing.assert_array_equal(w[:10], t.model[0].weight.detach().numpy().ravel())
    w[:] = 0
    assert t.weights().any()


def test_history_csv_round_trips():
    t = _trainer(l1=1e-4)
    t.step(10)
    rows = list(csv.reader(io.StringIO(t.history_csv())))
    assert rows[0] == list(EpochRecord._fields)
    assert len(rows) == len(t.history) + 1
    for row, rec in zip(rows[1:], t.history, strict=True):
        assert [float(v) for v in row] == [float(v) for v in rec]
    np.testing.assert_array_equal(t.weight_norm_history, [r.weight_norm for r in t.history])


def test_user_data_replaces_the_generator():
    data = xor(60, 0.0, 1)
    data = Dataset(data.x, data.y, "uploaded")
    t = Trainer(TrainConfig(**SMALL), data=data)
    assert len(t.train.y) + len(t.test.y) == 60 and t.train.name == "uploaded"


def test_trainer_rejects_non_config():
    with pytest.raises(TypeError, match=r"config must be a TrainConfig \(got dict\)"):
        Trainer({"lr": 0.1})


# -- determinism ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [{}, {"norm": "batch", "dropout": 0.3, "augmentation": 0.05, "l1": 1e-3, "optimizer": "sgd"}],
)
def test_same_config_same_run_bit_for_bit(kw):
    a, b = _trainer(**kw), _trainer(**kw)
    torch.manual_seed(123)  # global state must not matter
    a.step(40)
    torch.manual_seed(999)
    b.step(40)
    assert a.history == b.history
    np.testing.assert_array_equal(a.weights(), b.weights())
    assert all(torch.equal(p, q) for p, q in zip(_state(a), _state(b), strict=True))
    c = _trainer(**kw, seed=1)
    c.step(40)
    assert c.history != a.history and not np.array_equal(c.weights(), a.weights())


def test_interleaved_runs_do_not_disturb_each_other():
    solo = _trainer(dropout=0.5)
    solo.step(30)
    a, other = _trainer(dropout=0.5), _trainer(dropout=0.5, seed=7)
    for _ in range(30):
        a.step(1)
        other.step(1)
    np.testing.assert_array_equal(a.weights(), solo.weights())


# -- regularizers -----------------------------------------------------------------------------


def test_l1_makes_weights_sparse_and_l2_shrinks_them():
    runs = {"none": {}, "l1": {"l1": 0.01}, "l2": {"l2": 0.01}}
    runs = {k: _trainer(dataset="gaussians", **extra) for k, extra in runs.items()}
    for t in runs.values():
        t.step(300)
    sparsity = {k: t.history[-1].sparsity for k, t in runs.items()}
    norm = {k: t.history[-1].weight_norm for k, t in runs.items()}
    assert sparsity["l1"] > sparsity["none"] + 0.2
    assert norm["l2"] < 0.7 * norm["none"]
    assert runs["l1"].history[-1].penalty == pytest.approx(
        penalty_l1(runs["l1"].model, 0.01).item(), rel=1e-6
    )


def test_dropout_only_in_training_mode():
    t = _trainer(dropout=0.5)
    t.step(5)
    x = torch.from_numpy(t.test.x)
    t.model.eval()
    with torch.no_grad():
        assert torch.equal(t.model(x), t.model(x))
        t.model.train()
        assert not torch.equal(t.model(x), t.model(x))


# -- stopping ---------------------------------------------------------------------------------


def test_early_stopping_restores_the_best_weights():
    t = _trainer(noise=0.5, hidden=(64, 64), lr=0.05, early_stopping_patience=3)
    t.step(100_000)
    assert isinstance(t.stopped, StopInfo) and t.stopped.reason == "early_stopping"
    best = t.stopped.best_epoch
    assert t.stopped.epoch - best == 3 and t.epoch == t.stopped.epoch
    assert t.history[best].test_loss == min(r.test_loss for r in t.history)
    t.model.eval()
    with torch.no_grad():
        loss = F.cross_entropy(t.model(torch.from_numpy(t.test.x)), torch.from_numpy(t.test.y))
    assert loss.item() == t.history[best].test_loss
    assert f"epoch {best}" in t.stopped.message
    steps = t.steps
    t.step(10)
    assert t.steps == steps and t.run_for(1.0, 10) == 0


def test_max_epochs_stops():
    t = _trainer(max_epochs=2)
    t.step(1000)
    assert t.stopped.reason == "max_epochs" and t.epoch == 2 and t.steps == 8
    assert t.stopped.best_epoch is None and "2 epochs" in t.stopped.message


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_divergence_stops_without_raising(optimizer):
    t = _trainer(optimizer=optimizer, lr=1e6)
    t.step(200)
    assert t.stopped.reason == "diverged" and t.stopped.epoch == t.epoch
    assert "learning rate" in t.stopped.message
    rec = t.history[-1]
    assert not (math.isfinite(rec.train_loss) and math.isfinite(rec.weight_norm))
    grid = t.boundary(10)
    assert np.isfinite(grid.prob).all()


# -- every norm trains ------------------------------------------------------------------------


@pytest.mark.parametrize("norm", ["none", "batch", "layer", "group"])
@pytest.mark.parametrize("position", ["before_activation", "after_activation"])
def test_each_norm_and_position_learns(norm, position):
    t = _trainer(dataset="moons", norm=norm, norm_position=position, dropout=0.1)
    t.step(100)
    assert t.stopped is None
    assert t.history[-1].train_loss < 0.5 * t.history[0].train_loss


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "sigmoid"])
def test_optimizers_and_activations_run(optimizer, activation):
    t = _trainer(optimizer=optimizer, activation=activation, lr=0.05, augmentation=0.1)
    t.step(8)
    assert t.epoch == 2 and all(math.isfinite(r.train_loss) for r in t.history)


# -- bounded work and the boundary ------------------------------------------------------------


def test_run_for_respects_step_cap_and_time_budget():
    t = _trainer()
    assert t.run_for(10.0, 7) == 7 and t.steps == 7
    assert t.run_for(0.0, 1000) == 1  # the clock is checked after each update
    assert t.run_for(10.0, 0) == 0


def test_boundary_grid_orientation_and_mode():
    t = _trainer(dropout=0.5)
    t.step(20)
    t.model.train()
    g = t.boundary(resolution=7, extent=1.2)
    assert isinstance(g, BoundaryGrid) and t.model.training
    assert g.xs.dtype == np.float64 and g.prob.dtype == np.float32 and g.prob.shape == (7, 7)
    np.testing.assert_allclose(g.xs, np.linspace(-1.2, 1.2, 7))
    np.testing.assert_array_equal(g.xs, g.ys)
    t.model.eval()
    with torch.no_grad():
        for i, j in [(0, 6), (5, 1), (3, 3)]:
            point = torch.tensor([[g.xs[j], g.ys[i]]], dtype=torch.float32)
            p1 = torch.softmax(t.model(point), dim=1)[0, 1].item()
            assert g.prob[i, j] == pytest.approx(p1, abs=1e-6)
    assert ((g.prob >= 0) & (g.prob <= 1)).all()


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"resolution": 1}, ValueError, r"resolution must be in \[2, 400\] \(got 1\)"),
        ({"resolution": 8.0}, TypeError, r"resolution must be an int \(got float\)"),
        ({"extent": 0.0}, ValueError, r"extent must be a positive finite number"),
        ({"extent": float("nan")}, ValueError, r"extent must be"),
    ],
)
def test_boundary_rejects_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        _trainer().boundary(**kw)


def test_batch_norm_merges_a_last_batch_of_one_point():
    t = _trainer(norm="batch", batch_size=33)  # 100 training points: 33 + 33 + 34
    t.step(3)
    assert t.epoch == 1 and [len(b) for b in t._batches] == [33, 33, 34]
    plain = _trainer(norm="layer", batch_size=33)  # other norms keep the batch of one
    plain.step(4)
    assert plain.epoch == 1 and [len(b) for b in plain._batches] == [33, 33, 33, 1]
    with pytest.raises(ValueError, match=r"batch_size must be >= 2 with norm='batch'"):
        TrainConfig(norm="batch", batch_size=1)


# -- samples seen, proximal L1, early stopping restores at the end ----------------------------


def test_samples_seen_is_the_sum_of_the_true_batch_sizes():
    # 100 training points in batches of 30: 30 + 30 + 30 + 10 per epoch
    t = _trainer(batch_size=30)
    t.step(3)
    assert t.samples_seen == 90
    t.step(5)  # epoch 1 ends after the 10-point batch, then 30 + 30 + 30 + 10 again
    assert [r.samples_seen for r in t.history] == [0, 100, 200]
    assert [r.step for r in t.history] == [0, 4, 8]
    # BatchNorm merges a last batch of one point: 33 + 33 + 34, still 100 points an epoch
    bn = _trainer(norm="batch", batch_size=33)
    bn.step(6)
    assert [(r.step, r.samples_seen) for r in bn.history] == [(0, 0), (3, 100), (6, 200)]
    rows = list(csv.DictReader(io.StringIO(bn.history_csv())))
    assert [int(r["samples_seen"]) for r in rows] == [0, 100, 200]


def test_x_axes_name_record_fields():
    from normviz.training import X_AXES

    assert list(X_AXES) == ["epoch", "step", "samples_seen"]
    assert set(X_AXES) <= set(EpochRecord._fields)
    assert all(isinstance(title, str) and title for title in X_AXES.values())


def _soft_threshold(w: torch.Tensor, t: float) -> torch.Tensor:
    return torch.where(w.abs() > t, w - t * w.sign(), torch.zeros_like(w))


def test_proximal_l1_step_is_sgd_then_soft_threshold_oracle():
    # full batch: the one batch holds every training point, so the gradient is reproducible
    kw = {"optimizer": "sgd", "lr": 0.5, "l1": 0.05, "l1_method": "proximal", "batch_size": 100}
    t = _trainer(**kw)
    w0 = [m.weight.detach().clone() for m in t.model if isinstance(m, torch.nn.Linear)]
    clone = Trainer(TrainConfig(**{**SMALL, **kw})).model  # same seed: same initial weights
    F.cross_entropy(clone(torch.from_numpy(t.train.x)), torch.from_numpy(t.train.y)).backward()
    grads = [m.weight.grad for m in clone if isinstance(m, torch.nn.Linear)]
    t.step(1)
    after = [m.weight.detach() for m in t.model if isinstance(m, torch.nn.Linear)]
    for w, w_0, g in zip(after, w0, grads, strict=True):
        torch.testing.assert_close(w, _soft_threshold(w_0 - 0.5 * g, 0.5 * 0.05))
    assert sum(int((w == 0).sum()) for w in after) > 0  # |w| <= lr * l1 became exactly 0


def test_proximal_gives_exact_zeros_and_subgradient_only_near_zeros():
    runs = {m: _trainer(dataset="gaussians", optimizer="sgd", lr=0.1, l1=0.01, l1_method=m)
            for m in ("subgradient", "proximal")}  # fmt: skip
    for t in runs.values():
        t.step(300)
    zeros = {m: float((t.weights() == 0).mean()) for m, t in runs.items()}
    near = {m: t.history[-1].sparsity for m, t in runs.items()}
    assert zeros["subgradient"] == 0.0 and near["subgradient"] > 0.3
    assert zeros["proximal"] > 0.3
    # the recorded penalty is l1 * sum|w| for both methods (the objective, not the loss term)
    w = runs["proximal"].weights()
    assert runs["proximal"].history[-1].penalty == pytest.approx(0.01 * np.abs(w).sum(), rel=1e-5)


def test_proximal_run_is_deterministic():
    a, b = _trainer(l1=0.01, l1_method="proximal"), _trainer(l1=0.01, l1_method="proximal")
    a.step(30)
    b.step(30)
    assert a.history == b.history
    np.testing.assert_array_equal(a.weights(), b.weights())


def _test_loss_now(t: Trainer) -> float:
    t.model.eval()
    with torch.no_grad():
        logits = t.model(torch.from_numpy(t.test.x))
        return F.cross_entropy(logits, torch.from_numpy(t.test.y)).item()


def test_early_stopping_on_restores_the_best_weights_at_max_epochs_too():
    # patience 50 never runs out in 30 epochs of an overfitting net: training ends at max_epochs
    t = _trainer(noise=0.5, hidden=(64, 64), lr=0.05, early_stopping_patience=50, max_epochs=30)
    t.step(100_000)
    assert t.stopped.reason == "max_epochs" and t.epoch == 30
    best = min(range(len(t.history)), key=lambda e: t.history[e].test_loss)
    assert best < 30 and t.stopped.best_epoch == best
    assert _test_loss_now(t) == t.history[best].test_loss  # restored, not the last epoch's
    assert f"weights of epoch {best}" in t.stopped.message and "restored" in t.stopped.message
    # off: the last weights stay
    off = _trainer(noise=0.5, hidden=(64, 64), lr=0.05, max_epochs=30)
    off.step(100_000)
    assert _test_loss_now(off) == off.history[-1].test_loss
    assert off.stopped.best_epoch is None and "restored" not in off.stopped.message


def test_early_stopping_can_restore_epoch_zero():
    # a learning rate so high that no epoch beats the untrained net: epoch 0 is the best
    t = _trainer(optimizer="sgd", lr=50.0, early_stopping_patience=2, max_epochs=50)
    t.step(100_000)
    assert t.stopped.reason == "early_stopping" and t.stopped.best_epoch == 0
    assert t.stopped.best_epoch == 0 and _test_loss_now(t) == t.history[0].test_loss


def test_diverged_run_keeps_its_weights_even_with_early_stopping():
    # the documented rule (lab_text.early_stopping_text, the script): no restore after divergence
    t = _trainer(optimizer="sgd", lr=1e6, early_stopping_patience=5)
    t.step(200)
    assert t.stopped.reason == "diverged" and "restored" not in t.stopped.message
    assert not np.isfinite(t.weights()).all()


def test_boundary_takes_a_numpy_int_resolution():
    """Shared checks (normviz._checks.check_int): np.int64 is an int, as everywhere else."""
    assert _trainer().boundary(resolution=np.int64(6)).prob.shape == (6, 6)
