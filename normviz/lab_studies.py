"""Studies the lab runs on request: batch size against normalization, and a dropout check.

:func:`batch_size_study` trains the lab's network with BatchNorm, GroupNorm and LayerNorm at
several batch sizes and reports the test accuracy of each, in the spirit of Figure 1 of Wu & He,
"Group Normalization" (ECCV 2018): BatchNorm degrades at small batches, GroupNorm and LayerNorm do
not depend on the batch. Its work is bounded (:data:`MAX_STUDY_UPDATES`) and it can be run in
slices (:func:`iter_batch_size_study`), so a page can take turns with other sessions between two
slices and show a progress bar.

:func:`dropout_check` gives numeric evidence for inverted dropout: the mean of the train-mode
output over K masks approaches the eval-mode output, with an error shrinking like 1/sqrt(K).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from normviz._checks import is_int
from normviz.batchplan import updates_per_epoch
from normviz.train_config import NORM_NAMES, NORMS, TrainConfig
from normviz.training import SeededDropout, Trainer

__all__ = [
    "MAX_STUDY_UPDATES",
    "STUDY_CONFIG",
    "BatchSizeStudy",
    "DropoutCheck",
    "StudyInBackground",
    "StudyProgress",
    "batch_size_study",
    "describe_config",
    "dropout_check",
    "dropout_check_caption",
    "dropout_check_rows",
    "dropout_check_text",
    "iter_batch_size_study",
    "study_caption",
    "study_key",
    "study_rows",
    "study_summary",
]

MAX_STUDY_UPDATES = 100_000  # all runs of one study; ~0.8 ms of CPU per update: 80 s at most
STUDY_BUDGET = (
    "Every run trains for the same number of epochs, so every run sees the same training "
    "points the same number of times: the comparison is at equal data (samples seen), and "
    "smaller batches make more updates. The learning rate is the same for every batch size. "
    "The work is known before the study starts (the sum of every run's updates) and capped."
)


#: A base for the study that shows the paper's pattern in about 6,000 updates (10 epochs of 200
#: training points): on the moons, BatchNorm loses accuracy at batch sizes 2 to 8 while
#: GroupNorm and LayerNorm do not. Measured, not guaranteed: the page shows what a run gives.
STUDY_CONFIG = TrainConfig(dataset="moons")
STUDY_EPOCHS = 10
STUDY_NORMS = ("batch", "group", "layer")
STUDY_BATCHES = (2, 4, 8, 16, 32, 64, 128, 256)
"""Batch sizes the study offers (at least 2: BatchNorm needs two points)."""
STUDY_DEFAULT_BATCHES = (2, 4, 8, 16, 32, 64)
STUDY_SLICE_UPDATES = 50  # updates per slice of a study: well under one live tick's CPU
DROPOUT_KS = (1, 10, 100, 1000)
"""Mask counts of the dropout check: the difference shrinks like 1/sqrt(K)."""

StudyKey = tuple[TrainConfig, tuple[int, ...], int]


class BatchSizeStudy(NamedTuple):
    """Test accuracy of the lab's network for each normalization and batch size.

    Attributes
    ----------
    batch_sizes : tuple of int
    norms : tuple of str
        Keys of :data:`normviz.training.NORMS` (``"batch"``, ``"group"``, ``"layer"``...).
    epochs : int
        Epochs of every run (the equal budget).
    seeds : tuple of int
        Each cell is the mean over these seeds.
    test_acc, train_acc, test_loss : (len(norms), len(batch_sizes)) float64
        Measured at the end of the runs, eval mode; accuracies in [0, 1].
    updates : (len(norms), len(batch_sizes)) int64
        Optimizer updates of one run (per seed).
    budget : str
        How the budget is fixed, and why.
    """

    batch_sizes: tuple[int, ...]
    norms: tuple[str, ...]
    epochs: int
    seeds: tuple[int, ...]
    test_acc: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    updates: np.ndarray
    budget: str


class StudyProgress(NamedTuple):
    """One slice of a study: ``fraction`` in [0, 1] of its updates done; ``result`` at the end."""

    fraction: float
    result: BatchSizeStudy | None


def _run_configs(
    base: TrainConfig, batch_sizes: Sequence[int], norms: Sequence[str], epochs: int, seeds
) -> list[tuple[int, int, TrainConfig]]:
    out = []
    for i, norm in enumerate(norms):
        for j, b in enumerate(batch_sizes):
            for seed in seeds:
                cfg = dataclasses.replace(
                    base, norm=norm, batch_size=b, max_epochs=epochs, seed=seed,
                    early_stopping_patience=None,
                )  # fmt: skip
                out.append((i, j, cfg))
    return out


def iter_batch_size_study(
    base: TrainConfig,
    batch_sizes: Sequence[int] = (2, 4, 8, 16, 32, 64),
    norms: Sequence[str] = ("batch", "group", "layer"),
    *,
    epochs: int = STUDY_EPOCHS,
    seeds: Sequence[int] | None = None,
    slice_updates: int = 200,
) -> Iterator[StudyProgress]:
    """Run the batch-size study in slices of at most ``slice_updates`` updates each.

    Yields a :class:`StudyProgress` after each slice; the last one has ``fraction == 1.0`` and
    the :class:`BatchSizeStudy`. A caller can do other work (or wait its turn) between two
    slices; the study is deterministic however it is sliced.

    Parameters
    ----------
    base : TrainConfig
        The lab's network and data; its ``norm``, ``batch_size``, ``max_epochs``, ``seed``
        and early stopping are replaced for each run.
    batch_sizes : sequence of int
        Each >= 2 (BatchNorm cannot normalize one point).
    norms : sequence of str
        Normalizations to compare.
    epochs : int
        Epochs of every run, >= 1 (see :data:`STUDY_BUDGET`).
    seeds : sequence of int, optional
        Seeds averaged in each cell; default ``(base.seed,)``.
    slice_updates : int
        Most updates per slice, >= 1.

    Raises
    ------
    ValueError
        Bad batch sizes, norms, epochs, or a study above :data:`MAX_STUDY_UPDATES` updates.
    """
    if not isinstance(base, TrainConfig):
        raise TypeError(f"base must be a TrainConfig (got {type(base).__name__})")
    batch_sizes, norms = tuple(batch_sizes), tuple(norms)
    seeds = (base.seed,) if seeds is None else tuple(seeds)
    if not batch_sizes or not all(is_int(b) and b >= 2 for b in batch_sizes):
        raise ValueError(f"batch_sizes must be ints >= 2, at least one (got {batch_sizes})")
    if not norms or any(n not in NORMS for n in norms):
        raise ValueError(f"norms must be among {NORMS} (got {norms})")
    if not (is_int(epochs) and epochs >= 1):
        raise ValueError(f"epochs must be an int >= 1 (got {epochs!r})")
    if not seeds:
        raise ValueError("seeds must hold at least one seed (got none)")
    if slice_updates < 1:
        raise ValueError(f"slice_updates must be >= 1 (got {slice_updates})")
    runs = _run_configs(base, batch_sizes, norms, epochs, seeds)
    trainers = [Trainer(cfg) for _, _, cfg in runs[:1]]  # sizes of the split, for the plan
    n_train = len(trainers[0].train.y)
    planned = [updates_per_epoch(n_train, cfg.batch_size) * epochs for _, _, cfg in runs]
    total = sum(planned)
    if total > MAX_STUDY_UPDATES:
        raise ValueError(
            f"the study would take {total:,} updates, more than {MAX_STUDY_UPDATES:,}: use "
            "fewer epochs, batch sizes, norms or seeds, or larger batches"
        )
    shape = (len(norms), len(batch_sizes))
    test_acc, train_acc, test_loss = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    updates = np.zeros(shape, dtype=np.int64)
    done_before = 0  # planned updates of the finished runs
    for k, (i, j, cfg) in enumerate(runs):
        t = trainers[0] if k == 0 else Trainer(cfg)
        while t.stopped is None:
            t.step(slice_updates)
            yield StudyProgress(min((done_before + t.steps) / total, 1.0 - 1e-9), None)
        done_before += planned[k]
        last = t.history[-1]
        test_acc[i, j] += last.test_acc / len(seeds)
        train_acc[i, j] += last.train_acc / len(seeds)
        test_loss[i, j] += last.test_loss / len(seeds)
        updates[i, j] = t.steps
    result = BatchSizeStudy(
        batch_sizes, norms, epochs, seeds, test_acc, train_acc, test_loss, updates, STUDY_BUDGET
    )
    yield StudyProgress(1.0, result)


def batch_size_study(
    base: TrainConfig,
    batch_sizes: Sequence[int] = (2, 4, 8, 16, 32, 64),
    norms: Sequence[str] = ("batch", "group", "layer"),
    *,
    epochs: int = STUDY_EPOCHS,
    seeds: Sequence[int] | None = None,
    progress: Callable[[float], object] | None = None,
) -> BatchSizeStudy:
    """Return the test accuracy against batch size for each norm.

    Runs :func:`iter_batch_size_study` (see it for the parameters) to the end.

    ``progress``, if given, is called with the fraction done, in [0, 1], after each slice and
    with 1.0 at the end.

    Examples
    --------
    >>> s = batch_size_study(TrainConfig(n_samples=40, hidden=(4,)), (4, 8), ("batch",), epochs=1)
    >>> s.test_acc.shape, s.updates.tolist()
    ((1, 2), [[5, 3]])
    """
    for step in iter_batch_size_study(base, batch_sizes, norms, epochs=epochs, seeds=seeds):
        if progress is not None:
            progress(step.fraction)
        if step.result is not None:
            return step.result
    raise AssertionError("unreachable: the study always ends with a result")  # pragma: no cover


def study_summary(study: BatchSizeStudy) -> str:
    """Return what ``study`` measured, one clause per norm, as Markdown (numbers only from it).

    Examples
    --------
    >>> s = BatchSizeStudy((2, 16), ("batch", "layer"), 10, (0,), np.array([[0.885, 1.0],
    ...     [1.0, 1.0]]), np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2), int), "")
    >>> for sentence in study_summary(s).split(". "):
    ...     print(sentence)
    Test accuracy after 10 epochs at every batch size (seed 0)
    BatchNorm: from 88.5 % at batch 2 to 100.0 % at batch 16
    LayerNorm: 100.0 % at every batch size.
    """
    many = len(study.seeds) > 1
    seeds = ("seeds " if many else "seed ") + ", ".join(map(str, study.seeds))
    seeds += ", averaged" if many else ""
    parts = [f"Test accuracy after {study.epochs} epochs at every batch size ({seeds})."]
    for i, norm in enumerate(study.norms):
        acc = 100 * study.test_acc[i]
        lo, hi = int(acc.argmin()), int(acc.argmax())
        name = NORM_NAMES.get(norm, norm)
        name = name[:1].upper() + name[1:]
        if round(acc[lo], 1) == round(acc[hi], 1):
            parts.append(f"{name}: {acc[lo]:.1f} % at every batch size.")
        else:
            first, last = sorted((lo, hi))
            parts.append(
                f"{name}: from {acc[first]:.1f} % at batch {study.batch_sizes[first]} to "
                f"{acc[last]:.1f} % at batch {study.batch_sizes[last]}."
            )
    return " ".join(parts)


class StudyInBackground:
    """One batch-size study computed on a thread of its own, slice by slice, at low priority.

    The thread waits ``delay_s`` (a page's first view goes first), then runs
    :func:`iter_batch_size_study` one slice at a time; each slice holds ``gate`` (the process's
    one-study-at-a-time lock: a visitor's own study, which holds it throughout, goes first and
    whole) and takes its turn on ``turns`` (the live ticks' lock). After a slice it rests
    ``rest`` times the slice's duration, unless :meth:`hurry` was called (someone waits for it).
    The result is the one :func:`batch_size_study` computes: the study is deterministic however
    it is sliced.

    Parameters
    ----------
    key : StudyKey
        ``(base, batch_sizes, epochs)`` as :func:`study_key` returns it.
    norms : sequence of str
        Normalizations compared.
    gate, turns : context managers
        Held during each slice, ``gate`` outside ``turns``.
    slice_updates : int
        Most updates per slice.
    delay_s : float
        Seconds to wait before the first slice (cut short by :meth:`hurry`).
    rest : float
        Rest after each slice, as a multiple of its duration, while no one waits.

    Attributes
    ----------
    fraction : float
        Share of the study's updates done, in [0, 1].
    result : BatchSizeStudy or None
        The study, once done.
    error : Exception or None
        What stopped it, if anything did.
    done : threading.Event
        Set once it ended (with a result or an error).

    Examples
    --------
    >>> key = study_key(TrainConfig(n_samples=40, hidden=(4,)), (4, 8), 1)
    >>> job = StudyInBackground(key, ("batch",)).start()
    >>> job.done.wait(60), job.result.updates.tolist()
    (True, [[5, 3]])
    """

    def __init__(
        self,
        key: StudyKey,
        norms: Sequence[str] = ("batch", "group", "layer"),
        *,
        gate: Any = None,
        turns: Any = None,
        slice_updates: int = 200,
        delay_s: float = 0.0,
        rest: float = 0.0,
    ) -> None:
        self.key, self.norms = key, tuple(norms)
        self.gate = gate if gate is not None else contextlib.nullcontext()
        self.turns = turns if turns is not None else contextlib.nullcontext()
        self.slice_updates, self.delay_s, self.rest = slice_updates, delay_s, rest
        self.fraction = 0.0
        self.result: BatchSizeStudy | None = None
        self.error: Exception | None = None
        self.done = threading.Event()
        self._hurry = threading.Event()

    def start(self) -> StudyInBackground:
        """Start the thread (a daemon: it never keeps the process alive); return self."""
        threading.Thread(target=self._run, name="normviz-study", daemon=True).start()
        return self

    def hurry(self) -> None:
        """Someone waits for the result: no more delay or rest between slices."""
        self._hurry.set()

    def _run(self) -> None:
        try:
            self._hurry.wait(self.delay_s)
            base, sizes, epochs = self.key
            steps = iter_batch_size_study(
                base, sizes, self.norms, epochs=epochs, slice_updates=self.slice_updates
            )
            while True:
                with self.gate:
                    began = time.perf_counter()
                    with self.turns:
                        step = next(steps)
                    took = time.perf_counter() - began
                self.fraction = step.fraction
                if step.result is not None:
                    self.result = step.result
                    return
                # A short pause even in a hurry: a visitor's study waiting for the gate gets it.
                time.sleep(0.001)
                if self.rest > 0 and not self._hurry.is_set():
                    self._hurry.wait(took * self.rest)
        except Exception as err:  # kept for the page, which then runs the study itself
            self.error = err
        finally:
            self.done.set()


def study_key(base: TrainConfig, batch_sizes: Sequence[int], epochs: int) -> StudyKey:
    """Return what decides a study's result: the network and data of ``base``, sizes, epochs.

    The fields the study replaces (norm, batch size, epochs, early stopping) are normalized out,
    so two configs that differ only in them share one result.

    Examples
    --------
    >>> a = study_key(TrainConfig(norm="batch", batch_size=8), [16, 4], 3)
    >>> a == study_key(TrainConfig(), [4, 16], 3), a[1:]
    (True, ((4, 16), 3))
    """
    neutral = dataclasses.replace(
        base, norm="none", batch_size=32, max_epochs=1, early_stopping_patience=None
    )
    return neutral, tuple(sorted(int(b) for b in batch_sizes)), int(epochs)


def describe_config(c: TrainConfig) -> str:
    """Return the network and data of ``c`` in a few words (what a study trains on).

    Examples
    --------
    >>> describe_config(STUDY_CONFIG)
    'moons, 400 points, noise 0.15, a 16-16 relu network, adam at learning rate 0.01, seed 0'
    """
    hidden = "-".join(map(str, c.hidden))
    return (
        f"{c.dataset}, {c.n_samples} points, noise {c.noise:g}, a {hidden} {c.activation} "
        f"network, {c.optimizer} at learning rate {c.lr:g}, seed {c.seed}"
    )


def study_rows(study: BatchSizeStudy) -> list[dict[str, str]]:
    """Return the study's table: one row per normalization, test accuracy per batch size.

    Examples
    --------
    >>> s = BatchSizeStudy((2, 16), ("batch",), 10, (0,), np.array([[0.885, 1.0]]),
    ...     np.ones((1, 2)), np.ones((1, 2)), np.ones((1, 2), int), "")
    >>> study_rows(s)
    [{'normalization': 'BatchNorm', 'batch 2': '88.5%', 'batch 16': '100.0%'}]
    """
    return [
        {"normalization": NORM_NAMES.get(norm, norm)}
        | {f"batch {b}": f"{study.test_acc[i, j]:.1%}" for j, b in enumerate(study.batch_sizes)}
        for i, norm in enumerate(study.norms)
    ]


def study_caption(study: BatchSizeStudy) -> str:
    """Return the study's caption: its budget and each batch size's updates per run.

    Examples
    --------
    >>> s = BatchSizeStudy((2, 16), ("batch",), 10, (0,), np.ones((1, 2)), np.ones((1, 2)),
    ...     np.ones((1, 2)), np.array([[1000, 130]]), "Budget.")
    >>> study_caption(s)[:60]
    'Budget. Updates per run: 1,000 at batch 2, 130 at batch 16. '
    """
    updates = ", ".join(
        f"{u:,} at batch {b}" for b, u in zip(study.batch_sizes, study.updates[0], strict=True)
    )
    return (
        f"{study.budget} Updates per run: {updates}. One run per cell, so a few points of "
        "accuracy can be noise."
    )


# -- dropout ------------------------------------------------------------------------------------


class DropoutCheck(NamedTuple):
    """Inverted dropout's eval output against the mean of its train outputs over K masks.

    Attributes
    ----------
    p : float
        Drop probability.
    ks : tuple of int
        Numbers of masks, increasing.
    eval_output : (N, W) float32 ndarray
        Dropout in eval mode: the hidden activations ``h`` themselves.
    mean_abs_h : float
        ``mean |h|``, the scale of the activations.
    max_abs_diff, rms_diff : (len(ks),) float64
        ``max`` and root mean square over elements of ``mean_K(train output) - eval output``.
    predicted_rms : (len(ks),) float64
        ``sqrt(p / (1 - p) * mean(h**2) / K)``: the root mean square the difference should have
        (each train output has mean ``h`` and variance ``h**2 p / (1 - p)``).
    unscaled_ratio : float
        ``sum(mean_K(m * h)) / sum(h)`` at the largest K: the ratio without the ``1 / (1 - p)``
        scaling, close to ``1 - p``.
    """

    p: float
    ks: tuple[int, ...]
    eval_output: np.ndarray
    mean_abs_h: float
    max_abs_diff: np.ndarray
    rms_diff: np.ndarray
    predicted_rms: np.ndarray
    unscaled_ratio: float


MASK_ELEMENTS = 2**20
"""At most this many numbers per call of :func:`dropout_check`'s dropout layer: it is given a
stack of copies of ``h`` (a ``(chunk, N, W)`` input, 4 MB at most, and as much for its mask and
output), so it draws many masks per call. The default check's 1000 masks, one call each, took
~130 ms of the page run that needed it (a new dataset, network or preset); a few calls take
~50 ms. ``h`` itself larger than this (up to 4,500 x 256): one mask per call, as before."""


def _hidden_activations(model: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Return the first hidden block's output: the input of its dropout (or of the next Linear)."""
    h = model[0](x)
    for layer in list(model)[1:]:
        if isinstance(layer, nn.Linear | nn.Dropout):
            break
        h = layer(h)
    return h


def dropout_check(
    config: TrainConfig,
    p: float | None = None,
    ks: Sequence[int] = (1, 10, 100, 1000),
    *,
    seed: int = 0,
    model: nn.Sequential | None = None,
) -> DropoutCheck:
    """Return numeric evidence that inverted dropout's eval output is its expected train output.

    The activations ``h`` are the first hidden block's outputs (after its activation, the input
    of the first dropout layer) of the lab's model on the training points, computed in eval
    mode. A :class:`~normviz.training.SeededDropout` of rate ``p`` is applied to ``h`` with
    ``max(ks)`` masks drawn from ``seed``; the mean of the first K outputs is compared with the
    eval output (``h``).

    Parameters
    ----------
    config : TrainConfig
        The lab's config; its data and (untrained) model give ``h`` unless ``model`` is given.
    p : float, optional
        Drop probability in ``(0, 0.9]``; default ``config.dropout`` (0.5 when that is 0).
    ks : sequence of int
        Mask counts, each >= 1.
    seed : int
        Seed of the masks.
    model : nn.Sequential, optional
        A (trained) lab model built for ``config`` to take ``h`` from.

    Examples
    --------
    >>> c = dropout_check(TrainConfig(n_samples=40, hidden=(8,)), 0.5, ks=(1, 100))
    >>> bool(c.rms_diff[1] < c.rms_diff[0]), round(c.unscaled_ratio, 1)
    (True, 0.5)
    """
    if p is None:
        p = config.dropout or 0.5
    if not (0 < p <= 0.9):
        raise ValueError(f"p must be a number in (0, 0.9] (got {p!r})")
    ks = tuple(sorted(ks))
    if not ks or ks[0] < 1:
        raise ValueError(f"ks must be mask counts >= 1 (got {ks})")
    trainer = Trainer(config)
    model = trainer.model if model is None else model
    was_training = model.training
    model.eval()
    with torch.no_grad():
        h = _hidden_activations(model, torch.from_numpy(trainer.train.x))
    model.train(was_training)
    drop = SeededDropout(p, torch.Generator().manual_seed(seed)).train()
    total = torch.zeros_like(h, dtype=torch.float64)
    total_unscaled = torch.zeros_like(h, dtype=torch.float64)
    max_abs, rms = [], []
    count = 0
    with torch.no_grad():
        for k in ks:
            while count < k:  # a stack of masks at once: (chunk, N, W)
                chunk = max(1, min(k - count, MASK_ELEMENTS // h.numel()))
                out = drop(h.expand(chunk, *h.shape)).sum(0).double()
                total += out
                total_unscaled += out * (1 - p)  # m * h: the same masks without 1/(1 - p)
                count += chunk
            diff = total / count - h.double()
            max_abs.append(float(diff.abs().max()))
            rms.append(float(diff.pow(2).mean().sqrt()))
    h64 = h.double()
    mean_sq = float(h64.pow(2).mean())
    predicted = np.array([math.sqrt(p / (1 - p) * mean_sq / k) for k in ks])
    ratio = float(total_unscaled.sum() / count / h64.sum()) if float(h64.sum()) else 1.0 - p
    return DropoutCheck(
        float(p), ks, h.numpy().copy(), float(h64.abs().mean()),
        np.array(max_abs), np.array(rms), predicted, ratio,
    )  # fmt: skip


DROPOUT_CHECK_IGNORES = (
    "lr",
    "l1",
    "l1_method",
    "l2",
    "augmentation",
    "batch_size",
    "early_stopping_patience",
    "max_epochs",
    "optimizer",
)
"""Settings :func:`dropout_check` never reads: it uses the data and the untrained network only
(the optimizer is made after the network, and draws nothing from the seed's generator)."""


def dropout_check_config(config: TrainConfig) -> TrainConfig:
    """Return ``config`` with :data:`DROPOUT_CHECK_IGNORES` at their defaults: the same check.

    A cache of checks keyed by it computes one check for every config that differs only in
    training settings (learning rate, L2, batch size, ...).

    Examples
    --------
    >>> a = TrainConfig(n_samples=40, hidden=(4,), dropout=0.2)
    >>> b = dataclasses.replace(a, lr=0.3, l2=0.01, optimizer="adam", batch_size=8)
    >>> dropout_check_config(a) == dropout_check_config(b)
    True
    """
    defaults = TrainConfig()
    return dataclasses.replace(
        config, **{name: getattr(defaults, name) for name in DROPOUT_CHECK_IGNORES}
    )


DROPOUT_COLUMNS = (
    "masks K",
    "max |mean − eval|",
    "RMS of mean − eval",
    "RMS predicted √(p/(1−p)·mean h²/K)",
)
"""The dropout check table's columns (:func:`dropout_check_rows`)."""


def dropout_check_text(c: DropoutCheck) -> str:
    """Return what the dropout check measures, with its numbers (Markdown).

    Examples
    --------
    >>> c = dropout_check(TrainConfig(n_samples=20, hidden=(4,)), ks=(1, 10))
    >>> dropout_check_text(c)[:60]
    "The first hidden layer's activations h of the (untrained) ne"
    """
    return (
        f"The first hidden layer's activations h of the (untrained) network on the "
        f"{c.eval_output.shape[0]} training points, {c.eval_output.size:,} numbers with mean "
        f"|h| = {c.mean_abs_h:.3g}. In training mode, dropout with p = {c.p:g} zeroes each and "
        f"divides the survivors by 1 − p; averaged over K random masks, the training outputs "
        "approach the evaluation output h itself, with a difference that shrinks like 1/√K:"
    )


def dropout_check_rows(c: DropoutCheck) -> list[dict[str, float]]:
    """Return the dropout check's table: one row per mask count K (columns :data:`DROPOUT_COLUMNS`).

    Examples
    --------
    >>> c = dropout_check(TrainConfig(n_samples=20, hidden=(4,)), ks=(1, 10))
    >>> [row["masks K"] for row in dropout_check_rows(c)]
    [1, 10]
    """
    return [
        dict(zip(DROPOUT_COLUMNS, (k, float(mx), float(rms), float(pred)), strict=True))
        for k, mx, rms, pred in zip(c.ks, c.max_abs_diff, c.rms_diff, c.predicted_rms, strict=True)
    ]


def dropout_check_caption(c: DropoutCheck, from_run: bool) -> str:
    """Return the check's caption: where p came from and what dropping the 1/(1 − p) would do.

    ``from_run``: p is the run's dropout (else the check's default, dropout being off).

    Examples
    --------
    >>> c = dropout_check(TrainConfig(n_samples=20, hidden=(4,)), ks=(1, 10))
    >>> dropout_check_caption(c, from_run=False)[:52]
    "p = 0.5: the check's default, as dropout is off. Wit"
    """
    source = "the run's dropout" if from_run else "the check's default, as dropout is off"
    return (
        f"p = {c.p:g}: {source}. Without the division by 1 − p, the mean training output over "
        f"{c.ks[-1]:,} masks would be {c.unscaled_ratio:.3f} times the evaluation output "
        f"(1 − p = {1 - c.p:g}): evaluation would then see larger activations than training did."
    )
