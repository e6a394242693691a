"""normviz.training: TrainConfig and its URL state, the batch plan, penalties, generated code."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from normviz.toydata import make_dataset, train_test_split
from normviz.training import (
    BatchPlan,
    SeededDropout,
    TrainConfig,
    Trainer,
    batch_plan,
    build_model,
    make_optimizer,
    norm_groups,
    penalty_l1,
    penalty_l1_notes,
    pytorch_code,
    updates_per_epoch,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# -- TrainConfig ------------------------------------------------------------------------------


def test_defaults_are_the_contract():
    c = TrainConfig()
    assert dataclasses.asdict(c) == {
        "dataset": "spiral", "n_samples": 400, "noise": 0.15, "test_fraction": 0.5,
        "hidden": (16, 16), "activation": "relu", "norm": "none",
        "norm_position": "before_activation", "dropout": 0.0, "l1": 0.0,
        "l1_method": "subgradient", "l2": 0.0,
        "optimizer": "adam", "lr": 0.01, "batch_size": 32, "early_stopping_patience": None,
        "augmentation": 0.0, "max_epochs": 1000, "seed": 0,
    }  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lr = 0.1


def test_ints_in_float_fields_become_floats_and_lists_tuples():
    c = TrainConfig(l1=0, lr=1, hidden=[4, 8])
    assert type(c.l1) is float and type(c.lr) is float and c.hidden == (4, 8)
    assert c == TrainConfig(l1=0.0, lr=1.0, hidden=(4, 8))


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"dataset": "swirl"}, ValueError, r"dataset must be one of 'spiral'.*\(got 'swirl'\)"),
        ({"activation": "elu"}, ValueError, r"activation must be one of"),
        ({"norm": "instance"}, ValueError, r"norm must be one of 'none', 'batch'"),
        ({"norm_position": "inside"}, ValueError, r"norm_position must be one of"),
        ({"optimizer": "lbfgs"}, ValueError, r"optimizer must be one of"),
        ({"l1_method": "lasso"}, ValueError, r"l1_method must be one of 'subgradient', 'proximal'"),
        ({"l1_method": None}, TypeError, r"l1_method must be one of"),
        ({"n_samples": 9}, ValueError, r"n_samples must be an int in \[10, 5000\] \(got 9\)"),
        ({"batch_size": 0}, ValueError, r"batch_size must be an int in \[1, 5000\] \(got 0\)"),
        ({"max_epochs": 0}, ValueError, r"max_epochs must be"),
        ({"seed": -1}, ValueError, r"seed must be an int in \[0, 2147483647\]"),
        ({"noise": 1.5}, ValueError, r"noise must be a number in \[0, 1\] \(got 1.5\)"),
        ({"test_fraction": 0.95}, ValueError, r"test_fraction must be a number in \[0.1, 0.9\]"),
        ({"dropout": 0.95}, ValueError, r"dropout must be a number in \[0, 0.9\]"),
        ({"l1": -0.1}, ValueError, r"l1 must be"),
        ({"l2": float("nan")}, ValueError, r"l2 must be a number in \[0, 1\] \(got nan\)"),
        ({"augmentation": 2}, ValueError, r"augmentation must be"),
        ({"lr": 0.0}, ValueError, r"lr must be a number in \(0, 1e6\] \(got 0.0\)"),
        ({"lr": float("inf")}, ValueError, r"lr must be"),
        ({"hidden": ()}, ValueError, r"hidden must be 1 to 6 layer widths.*\(got \(\)\)"),
        ({"hidden": (8,) * 7}, ValueError, r"hidden must be 1 to 6"),
        ({"hidden": (0, 8)}, ValueError, r"each an int in \[1, 256\]"),
        ({"early_stopping_patience": 0}, ValueError, r"early_stopping_patience must be None or"),
        ({"n_samples": "400"}, TypeError, r"n_samples must be an int .*\(got str '400'\)"),
        ({"n_samples": 400.0}, TypeError, r"\(got float 400.0\)"),
        ({"seed": True}, TypeError, r"seed must be"),
        ({"lr": "0.1"}, TypeError, r"lr must be a number"),
        ({"hidden": (16.0,)}, TypeError, r"hidden must be"),
        ({"hidden": "16-16"}, TypeError, r"hidden must be"),
        ({"norm": None}, TypeError, r"norm must be one of"),
        ({"early_stopping_patience": 2.5}, TypeError, r"early_stopping_patience"),
    ],
)
def test_config_rejects_bad_fields(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        TrainConfig(**kwargs)


def test_norm_groups_rule():
    assert [norm_groups(w) for w in (1, 2, 3, 4, 6, 8, 10, 16, 17)] == [1, 2, 1, 4, 2, 4, 2, 4, 1]
    for w in range(1, 65):
        assert w % norm_groups(w) == 0


# -- URL state --------------------------------------------------------------------------------

ROUND_TRIP = [
    TrainConfig(),
    TrainConfig(hidden=(8, 4, 2), lr=0.1 + 0.2, noise=1 / 3, early_stopping_patience=7),
    TrainConfig(
        dataset="moons",
        norm="group",
        norm_position="after_activation",
        dropout=0.25,
        l1=1e-4,
        l1_method="proximal",
        l2=3e-3,
        optimizer="adamw",
        batch_size=1,
        augmentation=0.05,
        max_epochs=5,
        seed=2**31 - 1,
        activation="gelu",
        test_fraction=0.3,
        n_samples=5000,
    ),
]


@pytest.mark.parametrize("config", ROUND_TRIP)
def test_query_round_trip_is_exact(config):
    query = config.to_query()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    back, warnings = TrainConfig.from_query(query)
    assert warnings == []
    assert back == config


def test_to_query_is_compact():
    assert TrainConfig().to_query() == {}
    q = TrainConfig(hidden=(8, 4), early_stopping_patience=3, lr=0.003).to_query()
    assert q == {"hidden": "8-4", "lr": "0.003", "early_stopping_patience": "3"}
    back, _ = TrainConfig.from_query({"early_stopping_patience": "off"})
    assert back.early_stopping_patience is None


@pytest.mark.parametrize(
    ("params", "field", "match"),
    [
        ({"lr": "fast"}, "lr", r"Ignored lr='fast' from the URL: lr must be a number"),
        ({"lr": "-1"}, "lr", r"lr must be a number in \(0, 1e6\] \(got -1.0\)"),
        ({"noise": "nan"}, "noise", r"noise must be a number in \[0, 1\]"),
        ({"hidden": "16-x"}, "hidden", r"hidden must be widths joined by '-'"),
        ({"hidden": "16-0"}, "hidden", r"each an int in \[1, 256\]"),
        ({"hidden": ""}, "hidden", r"hidden must be"),
        ({"norm": "bath"}, "norm", r"norm must be one of"),
        ({"l1_method": "ista"}, "l1_method", r"l1_method must be one of 'subgradient', 'prox"),
        ({"n_samples": "4e2"}, "n_samples", r"n_samples must be an int"),
        ({"early_stopping_patience": "-2"}, "early_stopping_patience", r"None or an int"),
        ({"seed": ["1", "2"]}, "seed", r"seed must be"),
    ],
)
def test_from_query_warns_and_keeps_default(params, field, match):
    cfg, warnings = TrainConfig.from_query(params)
    assert getattr(cfg, field) == getattr(TrainConfig(), field)
    assert len(warnings) == 1
    assert re.search(match, warnings[0]), warnings[0]


def test_from_query_ignores_unknown_keys_and_keeps_good_ones():
    cfg, warnings = TrainConfig.from_query(
        {"page": "lab", "seed": "5", "lr": "oops", "dataset": "xor"}
    )
    assert (cfg.seed, cfg.dataset, cfg.lr) == (5, "xor", 0.01)
    assert len(warnings) == 1 and warnings[0].startswith("Ignored lr=")


# -- batch plan -------------------------------------------------------------------------------


def test_batch_plan_reproduces_the_notes_table():
    plan = batch_plan(4_000_000, [128, 256, 2048], 400, drop_last=True)
    assert [p.updates_per_epoch for p in plan] == [31_250, 15_625, 1_953]
    assert [p.total_updates for p in plan][:2] == [12_500_000, 6_250_000]
    assert plan[2].total_updates == 781_200  # the notes' 781,250 is 400 * 1953.125
    assert [round(p.ratio_vs_first) for p in plan] == [1, 2, 16]
    assert isinstance(plan[0], BatchPlan) and plan[0].ratio_vs_first == 1.0


def test_batch_plan_default_counts_the_last_partial_batch():
    plan = batch_plan(4_000_000, [128, 256, 2048], 400)
    assert [p.updates_per_epoch for p in plan] == [31_250, 15_625, 1_954]
    assert plan[2].total_updates == 781_600
    # the notes' "4_00_00_000" is 40,000,000: ten times the updates (ERRATA #5)
    assert updates_per_epoch(40_000_000, 128) == 312_500


@pytest.mark.parametrize("n", [1, 7, 31, 32, 33, 1000])
@pytest.mark.parametrize("b", [1, 5, 32, 4096])
def test_updates_per_epoch_matches_counting_batches(n, b):
    assert updates_per_epoch(n, b) == len(torch.arange(n).split(b))
    assert updates_per_epoch(n, b, drop_last=True) == sum(
        len(c) == b for c in torch.arange(n).split(b)
    )


def test_plan_rows_are_the_plans_numbers():
    from normviz.batchplan import CALCULATOR_BATCHES, CALCULATOR_DEFAULTS, plan_rows

    start = CALCULATOR_DEFAULTS
    assert set(start["batch_sizes"]) <= set(CALCULATOR_BATCHES)
    plans = batch_plan(start["n_samples"], list(start["batch_sizes"]), start["epochs"])
    rows = plan_rows(plans)
    assert [r["updates per epoch"] for r in rows] == [31_250, 15_625, 1_954]  # the notes' table
    assert [r["times fewer updates"] for r in rows] == [1.0, 2.0, round(31_250 / 1_954, 2)]


def test_batch_plan_rejects_bad_input():
    with pytest.raises(ValueError, match=r"batch_size must be >= 1 \(got 0\)"):
        updates_per_epoch(10, 0)
    with pytest.raises(TypeError, match=r"n_samples must be an int \(got float\)"):
        updates_per_epoch(10.0, 2)
    with pytest.raises(ValueError, match=r"at least one batch size"):
        batch_plan(10, [], 1)
    with pytest.raises(ValueError, match=r"epochs must be >= 1 \(got 0\)"):
        batch_plan(10, [2], 0)


# -- model, penalties, optimizers -------------------------------------------------------------


def _model(**kw):
    return build_model(TrainConfig(**kw), torch.Generator().manual_seed(0))


def test_l1_penalty_oracle_weights_only():
    model = _model(norm="batch", hidden=(8, 4))
    expected = 0.01 * sum(
        v.abs().sum() for k, v in model.state_dict().items() if k.endswith("weight") and v.ndim == 2
    )
    assert torch.equal(penalty_l1(model, 0.01), expected)
    biases = sum(m.bias.abs().sum() for m in model if isinstance(m, nn.Linear))
    assert not torch.allclose(penalty_l1(model, 1.0), expected / 0.01 + biases)


def test_l1_penalty_gradient_is_l1_sign_w_and_notes_version_has_none():
    model = _model()
    penalty_l1(model, 0.5).backward()
    for m in model:
        if isinstance(m, nn.Linear):
            assert torch.equal(m.weight.grad, 0.5 * m.weight.sign())
            assert m.bias.grad is None
    # ERRATA #2: l1 * sum(p.numel()) is a constant: the same gradients with or without it
    x, y = torch.randn(8, 2, generator=torch.Generator().manual_seed(1)), torch.arange(8) % 2
    grads = []
    for add_notes in (False, True):
        model.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        if add_notes:
            notes = penalty_l1_notes(model, 0.5)
            assert not notes.requires_grad
            assert notes.item() == 0.5 * sum(p.numel() for p in model.parameters())
            loss = loss + notes
        loss.backward()
        grads.append([p.grad.clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*grads, strict=True))


@pytest.mark.parametrize("norm", ["none", "batch", "layer", "group"])
@pytest.mark.parametrize("position", ["before_activation", "after_activation"])
def test_build_model_structure(norm, position):
    m = _model(norm=norm, norm_position=position, hidden=(6, 4), dropout=0.1, activation="tanh")
    names = [type(layer).__name__ for layer in m]
    kind = {"batch": "BatchNorm1d", "layer": "LayerNorm", "group": "GroupNorm"}.get(norm)
    block = ["Tanh"] if kind is None else (
        [kind, "Tanh"] if position == "before_activation" else ["Tanh", kind]
    )  # fmt: skip
    assert names == ["Linear", *block, "SeededDropout"] * 2 + ["Linear"]
    if norm == "group":
        assert [g.num_groups for g in m if isinstance(g, nn.GroupNorm)] == [2, 4]
    assert m(torch.zeros(5, 2)).shape == (5, 2)


def test_build_model_seeded_init_in_pytorch_default_range():
    a, b = _model(hidden=(32,)), _model(hidden=(32,))
    c = build_model(TrainConfig(hidden=(32,)), torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a[0].weight, c[0].weight)
    assert a[0].weight.abs().max() <= 1 / 2**0.5 and a[2].weight.abs().max() <= 1 / 32**0.5


def test_seeded_dropout_is_inverted_off_in_eval_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    d = SeededDropout(0.25, torch.Generator().manual_seed(0))
    x = torch.ones(20_000)
    y = d(x)
    assert torch.equal(y.unique(), torch.tensor([0.0, 1 / 0.75]))
    assert abs((y == 0).float().mean().item() - 0.25) < 0.02
    assert not torch.equal(d(x), y)  # a fresh mask each call
    d.eval()
    assert torch.equal(d(x), x)
    assert torch.equal(torch.get_rng_state(), state)
    assert isinstance(d, nn.Dropout)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "adamw"])
def test_optimizer_kinds_and_decay_on_weights_only(name):
    model = _model(norm="layer")
    opt = make_optimizer(TrainConfig(optimizer=name, l2=0.1, lr=0.5), model)
    expected = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "adam": torch.optim.Adam,
                "adamw": torch.optim.AdamW}[name]  # fmt: skip
    assert type(opt) is expected
    decayed, plain = opt.param_groups
    assert decayed["weight_decay"] == 0.1 and plain["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decayed["params"]) and all(p.ndim == 1 for p in plain["params"])
    if name in ("sgd", "momentum"):
        assert decayed["momentum"] == (0.9 if name == "momentum" else 0)


def test_sgd_l2_is_coupled_weight_decay_oracle():
    model = _model(hidden=(4,))
    before = [p.detach().clone() for p in model.parameters()]
    opt = make_optimizer(TrainConfig(optimizer="sgd", l2=0.2, lr=0.5), model)
    x, y = torch.ones(3, 2), torch.tensor([0, 1, 1])
    F.cross_entropy(model(x), y).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    opt.step()
    for p, p0, g in zip(model.parameters(), before, grads, strict=True):
        decay = 0.2 * p0 if p.ndim == 2 else 0.0
        torch.testing.assert_close(p.detach(), p0 - 0.5 * (g + decay))


# -- generated code ---------------------------------------------------------------------------

CODE_CONFIGS = [
    TrainConfig(n_samples=60),
    TrainConfig(
        dataset="circles",
        n_samples=60,
        hidden=(6, 5),
        norm="group",
        norm_position="after_activation",
        dropout=0.2,
        l1=1e-3,
        l2=1e-3,
        optimizer="adamw",
        augmentation=0.05,
        early_stopping_patience=1,
        activation="sigmoid",
    ),
    # defect 15: 33 training points in batches of 32 leave a last batch of one point
    TrainConfig(n_samples=67, norm="batch"),
    TrainConfig(n_samples=60, l1=0.01, l1_method="proximal", optimizer="sgd", lr=0.1),
]


@pytest.mark.parametrize("config", CODE_CONFIGS)
def test_pytorch_code_uses_the_same_data_and_layers(config, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["lab.py", "0"])
    namespace: dict = {"__name__": "__main__"}
    exec(compile(pytorch_code(config), "lab.py", "exec"), namespace)
    trainer = Trainer(config)
    assert torch.equal(namespace["x_train"], torch.from_numpy(trainer.train.x))
    assert torch.equal(namespace["y_test"], torch.from_numpy(trainer.test.y))
    ours = [type(m).__name__.replace("Seeded", "") for m in trainer.model]
    assert [type(m).__name__ for m in namespace["model"]] == ours


def test_pytorch_code_runs_standalone(tmp_path):
    scripts = []
    for i, config in enumerate(CODE_CONFIGS):
        path = tmp_path / f"lab{i}.py"
        path.write_text(pytorch_code(config))
        scripts.append(str(path))
    runner = (
        "import runpy, sys\n"
        "for path in sys.argv[1:]:\n"
        "    sys.argv = [path, '2']\n"
        "    runpy.run_path(path, run_name='__main__')\n"
        "    print('done', path)\n"
    )
    # -I: isolated mode, so neither the cwd nor PYTHONPATH can supply normviz
    out = subprocess.run(
        [sys.executable, "-I", "-c", runner, *scripts],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("done") == len(CODE_CONFIGS)
    assert "epoch 2: train loss" in out.stdout


def test_pytorch_code_rejects_non_config():
    with pytest.raises(TypeError, match=r"config must be a TrainConfig \(got dict\)"):
        pytorch_code({})


def test_generated_split_matches_the_library_split():
    # guards the script's split() against drifting from toydata.train_test_split
    config = TrainConfig(dataset="xor", n_samples=50, test_fraction=0.3, seed=3)
    tr, te = train_test_split(make_dataset("xor", 50, 0.15, 3), 0.3, 3)
    assert torch.equal(torch.from_numpy(Trainer(config).train.x), torch.from_numpy(tr.x))
    assert len(te.y) == 16  # 25 per class * 0.3 = 7.5, rounded half up to 8


def _run_script(config: TrainConfig, epochs: int, monkeypatch) -> dict:
    monkeypatch.setattr(sys, "argv", ["lab.py", str(epochs)])
    namespace: dict = {"__name__": "__main__"}
    torch.manual_seed(0)
    exec(compile(pytorch_code(config), "lab.py", "exec"), namespace)
    return namespace


def test_script_merges_a_batchnorm_batch_of_one_like_the_trainer(monkeypatch):
    # defect 15: this morning's script crashed here ("Expected more than 1 value per channel")
    config = TrainConfig(n_samples=67, norm="batch", max_epochs=3)
    ns = _run_script(config, 3, monkeypatch)
    trainer = Trainer(config)
    assert len(trainer.train.y) == 33 and 33 % config.batch_size == 1
    trainer.step(10_000)
    ours = [(r.epoch, r.step, r.samples_seen) for r in trainer.history]
    theirs = [(r["epoch"], r["step"], r["samples_seen"]) for r in ns["history"]]
    assert theirs == ours == [(0, 0, 0), (1, 1, 33), (2, 2, 66), (3, 3, 99)]


def test_script_counts_the_smaller_last_batch_like_the_trainer(monkeypatch):
    config = TrainConfig(n_samples=67, norm="layer", max_epochs=2)  # 32 + 1 per epoch
    ns = _run_script(config, 2, monkeypatch)
    trainer = Trainer(config)
    trainer.step(10_000)
    assert (
        [(r["step"], r["samples_seen"]) for r in ns["history"]]
        == [(r.step, r.samples_seen) for r in trainer.history]
        == [(0, 0), (2, 33), (4, 66)]
    )


@pytest.mark.parametrize(("method", "has_zeros"), [("subgradient", False), ("proximal", True)])
def test_script_applies_the_l1_method(method, has_zeros, monkeypatch):
    config = TrainConfig(dataset="gaussians", n_samples=200, optimizer="sgd", lr=0.1, l1=0.01,
                         l1_method=method)  # fmt: skip
    ns = _run_script(config, 40, monkeypatch)
    flat = torch.cat([w.detach().flatten() for w in ns["weights"]])
    zeros = float((flat == 0).float().mean())
    assert (zeros > 0.2) if has_zeros else (zeros == 0.0)
    assert f"L1_METHOD = {method!r}" in pytorch_code(config)


def test_script_soft_threshold_step_matches_the_trainer_rule(monkeypatch):
    # one full-batch SGD step of the script from the trainer's initial weights: the script's
    # proximal step must give what Trainer gives (same data, same weights, same rule)
    config = TrainConfig(n_samples=60, optimizer="sgd", lr=0.5, l1=0.05, l1_method="proximal",
                         batch_size=30, max_epochs=1)  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["lab.py", "0"])
    code = pytorch_code(config)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, "lab.py", "exec"), namespace)
    trainer = Trainer(config)
    namespace["model"].load_state_dict(trainer.model.state_dict())
    trainer.step(1)
    # the script's own update lines, applied to the trainer's first batch
    idx = trainer._batches[0]
    model, opt = namespace["model"], namespace["optimizer"]
    model.train()
    loss = F.cross_entropy(model(namespace["x_train"][idx]), namespace["y_train"][idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    start = code.index('            if L1 > 0 and L1_METHOD == "proximal":')
    block = code[start : code.index("            steps += 1", start)]
    exec(compile("\n".join(line[12:] for line in block.splitlines()), "prox", "exec"), namespace)
    for ours, theirs in zip(trainer.model.state_dict().values(), model.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize(("patience", "epochs", "reason"), [(2, 60, "early_stopping"),
                                                            (50, 15, "max_epochs")])  # fmt: skip
def test_script_restores_the_best_weights_whenever_early_stopping_ends(
    patience, epochs, reason, monkeypatch
):
    # defect 9: the trainer restores the best epoch's weights at patience and at max_epochs
    # (tests/unit/test_training.py); the script must do the same
    config = TrainConfig(dataset="moons", n_samples=100, noise=0.6, hidden=(64, 64), lr=0.05,
                         early_stopping_patience=patience)  # fmt: skip
    ns = _run_script(config, epochs, monkeypatch)
    losses = [r["test_loss"] for r in ns["history"]]
    best = losses.index(min(losses))
    assert ns["stop"] == reason and best < len(losses) - 1
    if reason == "early_stopping":
        assert len(losses) - 1 - best == patience
    else:
        assert len(losses) - 1 == epochs
    test_loss, _ = ns["evaluate"](ns["x_test"], ns["y_test"])
    assert test_loss == losses[best]


def test_script_keeps_diverged_weights_like_the_trainer(monkeypatch):
    config = TrainConfig(n_samples=60, optimizer="sgd", lr=1e6, early_stopping_patience=5)
    ns = _run_script(config, 20, monkeypatch)
    assert ns["stop"] == "diverged" and ns["best"] is not None  # a best epoch existed
    test_loss, _ = ns["evaluate"](ns["x_test"], ns["y_test"])
    assert not math.isfinite(test_loss)  # not restored
