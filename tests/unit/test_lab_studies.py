"""normviz.lab_studies: the batch-size study (bounded, sliceable) and the inverted-dropout check."""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from normviz import lab_studies
from normviz.lab_studies import (
    DROPOUT_CHECK_IGNORES,
    MAX_STUDY_UPDATES,
    STUDY_CONFIG,
    BatchSizeStudy,
    DropoutCheck,
    batch_size_study,
    dropout_check,
    dropout_check_config,
    iter_batch_size_study,
    study_summary,
)
from normviz.training import SeededDropout, TrainConfig, Trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SMALL = TrainConfig(dataset="moons", n_samples=60, hidden=(8,), seed=3)


# -- batch-size study ------------------------------------------------------------------------------


def test_batch_size_study_cells_are_real_runs_with_equal_epochs():
    fractions: list[float] = []
    study = batch_size_study(SMALL, (2, 8), ("batch", "group", "layer"), epochs=2,
                             progress=fractions.append)  # fmt: skip
    assert isinstance(study, BatchSizeStudy)
    assert study.test_acc.shape == study.updates.shape == (3, 2)
    assert (study.batch_sizes, study.norms, study.epochs, study.seeds) == (
        (2, 8),
        ("batch", "group", "layer"),
        2,
        (3,),
    )
    n_train = 30
    assert study.updates.tolist() == [[math.ceil(n_train / b) * 2 for b in (2, 8)]] * 3
    # each cell is what an independent Trainer run of that config measures
    for i, norm in enumerate(study.norms):
        for j, b in enumerate(study.batch_sizes):
            t = Trainer(dataclasses.replace(SMALL, norm=norm, batch_size=b, max_epochs=2))
            t.step(10_000)
            assert study.test_acc[i, j] == t.history[-1].test_acc
            assert study.test_loss[i, j] == t.history[-1].test_loss
            assert study.train_acc[i, j] == t.history[-1].train_acc
    assert "same number of epochs" in study.budget
    # progress: fractions in [0, 1], never decreasing, ending at exactly 1
    assert fractions and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(a <= b for a, b in itertools.pairwise(fractions))


def test_batch_size_study_does_not_depend_on_how_it_is_sliced():
    kw = {"batch_sizes": (4, 16), "norms": ("batch", "layer"), "epochs": 2}
    fine = list(iter_batch_size_study(SMALL, **kw, slice_updates=1))
    coarse = list(iter_batch_size_study(SMALL, **kw, slice_updates=10_000))
    assert len(fine) > len(coarse) >= 2
    assert all(p.result is None for p in fine[:-1]) and fine[-1].fraction == 1.0
    a, b = fine[-1].result, coarse[-1].result
    np.testing.assert_array_equal(a.test_acc, b.test_acc)
    np.testing.assert_array_equal(a.test_loss, b.test_loss)
    # each slice does at most slice_updates updates: progress moves in small steps
    steps = np.diff([p.fraction for p in fine])
    assert steps.max() <= 1 / sum(math.ceil(30 / b) * 2 for b in (4, 16)) * 2 + 1e-9


def test_batch_size_study_averages_seeds():
    study = batch_size_study(SMALL, (8,), ("layer",), epochs=1, seeds=(0, 1))
    accs = []
    for seed in (0, 1):
        t = Trainer(dataclasses.replace(SMALL, norm="layer", batch_size=8, max_epochs=1,
                                        seed=seed))  # fmt: skip
        t.step(1000)
        accs.append(t.history[-1].test_acc)
    assert study.test_acc[0, 0] == pytest.approx(np.mean(accs))
    assert study.seeds == (0, 1)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"batch_sizes": (1, 8)}, r"batch_sizes must be ints >= 2"),
        ({"batch_sizes": ()}, r"batch_sizes must be ints >= 2"),
        ({"norms": ("instance",)}, r"norms must be among"),
        ({"epochs": 0}, r"epochs must be an int >= 1 \(got 0\)"),
        ({"seeds": ()}, r"seeds must hold at least one seed"),
        ({"epochs": MAX_STUDY_UPDATES}, r"more than 100,000: use fewer epochs"),
    ],
)
def test_batch_size_study_rejects_bad_or_unbounded_requests(kw, match):
    with pytest.raises(ValueError, match=match):
        batch_size_study(SMALL, **kw)


def test_study_config_shows_batchnorm_losing_accuracy_at_batch_two():
    # the claim STUDY_CONFIG's comment makes, on a reduced grid (two batch sizes, BN and LN)
    study = batch_size_study(STUDY_CONFIG, (2, 16), ("batch", "layer"))
    (bn2, bn16), (ln2, ln16) = study.test_acc
    assert bn2 < bn16 - 0.05 and ln2 > 0.95 and ln16 > 0.95
    summary = study_summary(study)
    assert f"BatchNorm: from {100 * bn2:.1f} % at batch 2 to {100 * bn16:.1f} % at batch 16" in (
        summary
    )


def test_study_summary_reports_only_its_numbers():
    study = BatchSizeStudy(
        (4, 8, 32), ("group", "batch"), 3, (0, 1),
        np.array([[0.9, 0.9, 0.9], [0.5, 0.75, 0.6]]),
        np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3), dtype=np.int64), "",
    )  # fmt: skip
    assert study_summary(study) == (
        "Test accuracy after 3 epochs at every batch size (seeds 0, 1, averaged). GroupNorm: "
        "90.0 % at every batch size. BatchNorm: from 50.0 % at batch 4 to 75.0 % at batch 8."
    )


# -- inverted dropout -----------------------------------------------------------------------------


def _first_block(config: TrainConfig) -> torch.Tensor:
    t = Trainer(config)
    linear = t.model[0]
    with torch.no_grad():
        return F.relu(linear(torch.from_numpy(t.train.x)))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_check_eval_equals_the_mean_train_output(p):
    config = TrainConfig(n_samples=100, hidden=(16,), dropout=p)
    check = dropout_check(config, ks=(1, 10, 100, 1000))
    assert isinstance(check, DropoutCheck) and check.p == p
    # the eval output is the real hidden activation (oracle: Linear then ReLU by hand)
    h = _first_block(config)
    np.testing.assert_allclose(check.eval_output, h.numpy(), rtol=1e-6)
    assert check.mean_abs_h == pytest.approx(float(h.abs().mean()), rel=1e-6)
    # the difference shrinks like 1/sqrt(K), at the predicted size
    ratio = check.rms_diff / check.predicted_rms
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio
    assert check.rms_diff[1] / check.rms_diff[3] == pytest.approx(10, rel=0.25)
    assert check.max_abs_diff[-1] < 0.2 * check.max_abs_diff[0]
    assert check.rms_diff[-1] < 0.1 * check.mean_abs_h
    # without the 1/(1 - p) scaling the mean output would be off by the factor 1 - p
    assert check.unscaled_ratio == pytest.approx(1 - p, abs=0.01)


def test_dropout_check_matches_torch_dropout_statistics():
    # oracle: torch's own F.dropout on the same activations gives the same 1/sqrt(K) behaviour
    config = TrainConfig(n_samples=100, hidden=(16,))
    h = _first_block(config)
    torch.manual_seed(0)
    mean = torch.stack([F.dropout(h, 0.5, training=True) for _ in range(100)]).mean(0)
    torch_rms = float((mean - h).pow(2).mean().sqrt())
    ours = dropout_check(config, 0.5, ks=(100,))
    assert ours.rms_diff[0] == pytest.approx(torch_rms, rel=0.2)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_dropout_check_is_the_same_for_the_settings_it_ignores(dropout):
    """The page caches checks by dropout_check_config: each ignored setting changed at once, the
    check is bit for bit the same; the seed, not ignored, changes it."""
    base = TrainConfig(n_samples=60, hidden=(6, 4), dropout=dropout, seed=5, norm="batch")
    other = dataclasses.replace(
        base, lr=0.3, l1=0.001, l1_method="proximal", l2=0.01, augmentation=0.1,
        batch_size=8, early_stopping_patience=3, max_epochs=7, optimizer="sgd",
    )  # fmt: skip
    assert set(DROPOUT_CHECK_IGNORES) <= {f.name for f in dataclasses.fields(TrainConfig)}
    assert all(getattr(other, f) != getattr(base, f) for f in DROPOUT_CHECK_IGNORES)
    assert dropout_check_config(base) == dropout_check_config(other)
    a, b = dropout_check(base, ks=(1, 10)), dropout_check(other, ks=(1, 10))
    assert a.eval_output.tobytes() == b.eval_output.tobytes()
    assert a.rms_diff.tobytes() == b.rms_diff.tobytes() and a.p == b.p
    c = dropout_check(dataclasses.replace(base, seed=6), ks=(1, 10))  # not ignored: it differs
    assert c.eval_output.tobytes() != a.eval_output.tobytes()


def test_dropout_check_uses_a_given_trained_model():
    config = TrainConfig(n_samples=100, hidden=(8,), dropout=0.3)
    t = Trainer(config)
    t.step(30)
    check = dropout_check(config, ks=(10,), model=t.model)
    with torch.no_grad():
        t.model.eval()
        h = t.model[1](t.model[0](torch.from_numpy(t.train.x)))
    np.testing.assert_allclose(check.eval_output, h.numpy(), rtol=1e-6)
    assert t.model.training is False  # its mode is left as it was


def test_dropout_check_draws_its_masks_in_a_few_calls_of_the_layer(monkeypatch):
    """A page run that needs a new check waits for it: 1000 masks one call each took ~130 ms;
    the same layer given (chunk, N, W) inputs draws each mask once, in a few calls."""
    shapes: list[tuple[int, ...]] = []
    forward = SeededDropout.forward
    mine = threading.current_thread()

    def counted(self, x):
        # This test's calls only: a lab page tested earlier in this process may still train in
        # threads of its own (the study prepared in the background, a live run).
        if threading.current_thread() is mine:
            shapes.append(tuple(x.shape))
        return forward(self, x)

    monkeypatch.setattr(SeededDropout, "forward", counted)
    config = TrainConfig(n_samples=60, hidden=(8,))
    check = dropout_check(config, 0.5, ks=(1, 10, 100, 1000))
    n_train = len(Trainer(config).train.y)
    assert all(s[1:] == (n_train, 8) for s in shapes)  # a stack of masks over all of h
    assert sum(s[0] for s in shapes) == 1000  # every mask drawn once, no more
    assert len(shapes) <= 8
    ratio = check.rms_diff / check.predicted_rms  # and still the 1/sqrt(K) law
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio
    # A wide network on many points: the stack stays within MASK_ELEMENTS numbers a call.
    shapes.clear()
    monkeypatch.setattr(lab_studies, "MASK_ELEMENTS", 3 * n_train * 8)
    dropout_check(config, 0.5, ks=(1, 10))
    assert [s[0] for s in shapes] == [1, 3, 3, 3]


@pytest.mark.parametrize(
    ("kw", "match"),
    [({"p": 0.0}, r"p must be a number in \(0, 0.9\]"), ({"ks": (0,)}, r"ks must be")],
)
def test_dropout_check_rejects_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        dropout_check(TrainConfig(n_samples=20, hidden=(4,)), **kw)


# -- the study's and the check's texts and tables (moved from the page) ------------------------


def test_study_rows_and_caption_state_the_studys_own_numbers():
    from normviz.lab_studies import study_caption, study_rows

    study = batch_size_study(SMALL, (4, 16), ("batch", "layer"), epochs=1)
    rows = study_rows(study)
    assert [r["normalization"] for r in rows] == ["BatchNorm", "LayerNorm"]
    for i, row in enumerate(rows):
        for j, b in enumerate(study.batch_sizes):
            assert float(row[f"batch {b}"].rstrip("%")) == pytest.approx(
                100 * study.test_acc[i, j], abs=0.05
            )
    n_train = len(Trainer(SMALL).train.y)
    for b in (4, 16):  # updates per run from the batch rule, not from the study's record
        assert f"{math.ceil(n_train / b):,} at batch {b}" in study_caption(study)


def test_study_key_ignores_what_the_study_replaces():
    from normviz.lab_studies import study_key

    a = study_key(SMALL, [16, 4], 2)
    b = study_key(dataclasses.replace(SMALL, norm="batch", batch_size=8, max_epochs=9), (4, 16), 2)
    assert a == b
    assert a != study_key(dataclasses.replace(SMALL, noise=0.3), [4, 16], 2)


def test_dropout_check_rows_and_texts_carry_the_checks_numbers():
    from normviz.lab_studies import (
        DROPOUT_COLUMNS,
        dropout_check_caption,
        dropout_check_rows,
        dropout_check_text,
    )

    c = dropout_check(TrainConfig(n_samples=100, hidden=(16,), dropout=0.3), ks=(1, 100))
    rows = dropout_check_rows(c)
    assert [list(r) for r in rows] == [list(DROPOUT_COLUMNS)] * 2
    assert [r["masks K"] for r in rows] == [1, 100]
    assert rows[1][DROPOUT_COLUMNS[2]] == pytest.approx(float(c.rms_diff[1]))
    assert "p = 0.3 zeroes" in dropout_check_text(c)
    assert "the run's dropout" in dropout_check_caption(c, from_run=True)
    assert f"{c.unscaled_ratio:.3f} times" in dropout_check_caption(c, from_run=True)
    assert c.unscaled_ratio == pytest.approx(0.7, abs=0.02)  # about 1 - p


# -- the study computed in the background ----------------------------------------------------------


class _Counting:
    """A context manager that counts its entries and checks it is not entered twice at once."""

    def __init__(self) -> None:
        self.entered = 0
        self.inside = False

    def __enter__(self):
        assert not self.inside
        self.inside = True
        self.entered += 1
        return self

    def __exit__(self, *exc):
        self.inside = False


def test_a_study_in_the_background_equals_the_one_computed_in_the_page():
    from normviz.lab_studies import StudyInBackground, study_key

    key = study_key(SMALL, (8, 2), 2)
    gate, turns = _Counting(), _Counting()
    job = StudyInBackground(key, ("batch", "layer"), gate=gate, turns=turns, slice_updates=7)
    assert job.result is None and job.fraction == 0.0
    assert job.start() is job and job.done.wait(60)
    assert job.error is None and job.fraction == 1.0
    direct = batch_size_study(key[0], (2, 8), ("batch", "layer"), epochs=2)
    got = job.result
    assert (got.batch_sizes, got.norms, got.epochs) == ((2, 8), ("batch", "layer"), 2)
    np.testing.assert_array_equal(got.test_acc, direct.test_acc)
    np.testing.assert_array_equal(got.updates, direct.updates)
    # One gate hold and one turn per slice: as many as the sliced study yields.
    slices = len(list(iter_batch_size_study(key[0], (2, 8), ("batch", "layer"), epochs=2,
                                            slice_updates=7)))  # fmt: skip
    assert gate.entered == turns.entered == slices > 3


def test_a_study_in_the_background_waits_its_delay_unless_hurried():
    import time

    from normviz.lab_studies import StudyInBackground, study_key

    key = study_key(SMALL, (8,), 1)
    job = StudyInBackground(key, ("batch",), delay_s=30.0).start()
    time.sleep(0.3)
    assert job.fraction == 0.0 and not job.done.is_set()  # still waiting its delay
    began = time.monotonic()
    job.hurry()
    assert job.done.wait(30) and job.result is not None
    assert time.monotonic() - began < 20


def test_a_study_in_the_background_keeps_its_error():
    from normviz.lab_studies import StudyInBackground

    job = StudyInBackground((SMALL, (1,), 1), ("batch",)).start()  # batch 1: refused
    assert job.done.wait(30)
    assert job.result is None and "batch_sizes" in str(job.error)
