"""The regularization lab's stepping trainer: a small MLP on a 2D dataset, one update at a time.

The page owns a :class:`Trainer` in its session state and advances it in bounded slices
(:meth:`Trainer.run_for`), reading :attr:`Trainer.history` and :meth:`Trainer.boundary` to draw.

Conventions
-----------
- An epoch is ``ceil(n_train / batch_size)`` updates over a seeded random permutation of the
  training split; the last batch may be smaller. One exception: with BatchNorm a last batch of
  a single point is merged into the one before (BatchNorm cannot normalize a batch of one), so
  such an epoch has one update fewer.
- ``history[k]`` is measured at the end of epoch ``k`` (``history[0]`` before training), in eval
  mode (dropout off, BatchNorm on running statistics), with one forward pass per split.
- ``samples_seen`` counts the training points that went through an update (the true size of
  each batch, so the smaller last batch and a merged BatchNorm batch count what they hold).
- Losses are the data loss, mean cross-entropy, without any penalty.
- L1 (``config.l1 > 0``) is applied by ``config.l1_method``: ``"subgradient"`` adds
  ``l1 * sum |w|`` to the loss (weights jitter around zero and rarely hit it exactly);
  ``"proximal"`` leaves the loss alone and soft-thresholds the weights after each optimizer step,
  ``w <- sign(w) * max(|w| - lr * l1, 0)`` (weights reach exactly zero).
- "Weights" are the linear layers' weight matrices: biases and norm affine parameters are not
  penalized and not counted in the weight norm or sparsity.
- Early stopping watches the test loss, epoch 0 (before training) included. When it is on and
  training ends, by patience running out or by reaching ``max_epochs``, the weights of the
  epoch with the lowest test loss are restored (a run that diverged keeps its weights). The
  generated script (:func:`pytorch_code`) follows the same rule. A real project would hold
  out a separate validation set for this and keep the test set untouched; the lab has only two
  splits, so the held-out split plays the validation role.
- All randomness (data, split, initial weights, batch order, dropout masks, jitter) comes from
  the config's seed through private generators: same config, same run, bit for bit.
"""

from __future__ import annotations

import csv
import io
import math
import time
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from normviz._checks import check_int
from normviz.batchplan import BatchPlan, batch_plan, updates_per_epoch
from normviz.toydata import CLIP, Dataset, make_dataset, train_test_split
from normviz.train_config import (
    ACTIVATIONS,
    L1_METHODS,
    NORM_POSITIONS,
    NORMS,
    OPTIMIZERS,
    SPARSITY_THRESHOLD,
    TrainConfig,
    norm_groups,
)
from normviz.training._codegen import pytorch_code
from normviz.training._model import (
    SeededDropout,
    build_model,
    make_optimizer,
    penalty_l1,
    penalty_l1_notes,
    prox_l1_,
    weight_tensors,
    with_dropout,
)

__all__ = [
    "ACTIVATIONS",
    "L1_METHODS",
    "LIVE_FIELDS",
    "NORMS",
    "NORM_POSITIONS",
    "OPTIMIZERS",
    "SPARSITY_THRESHOLD",
    "X_AXES",
    "BatchPlan",
    "BoundaryGrid",
    "ChangeMark",
    "EpochRecord",
    "SeededDropout",
    "StopInfo",
    "TrainConfig",
    "Trainer",
    "batch_plan",
    "build_model",
    "make_optimizer",
    "norm_groups",
    "penalty_l1",
    "penalty_l1_notes",
    "prox_l1_",
    "pytorch_code",
    "updates_per_epoch",
]

LIVE_FIELDS = (
    "lr",
    "dropout",
    "l1",
    "l1_method",
    "l2",
    "augmentation",
    "batch_size",
    "early_stopping_patience",
    "max_epochs",
)
"""Settings a running :class:`Trainer` takes on without restarting (:meth:`Trainer.reconfigure`).

They keep the model's weights, the optimizer's state and the data: the learning rate, dropout
rate, L1 (strength and method), L2, input jitter, batch size (from the next epoch), early
stopping's patience and the epoch limit. Any other setting (data, network, normalization,
activation, optimizer, seed) builds a new run.
"""

#: The x axes a lab curve can use: :class:`EpochRecord` field -> axis title.
X_AXES: dict[str, str] = {
    "epoch": "Epoch",
    "step": "Updates (optimizer steps)",
    "samples_seen": "Samples seen",
}


class EpochRecord(NamedTuple):
    """Measurements at the end of one epoch (epoch 0: before training).

    Attributes
    ----------
    epoch, step : int
        Epochs completed and optimizer updates so far.
    train_loss, test_loss : float
        Mean cross-entropy on the full split, eval mode, no penalty.
    train_acc, test_acc : float
        Fraction correct, in [0, 1].
    penalty : float
        The L1 objective ``l1 * sum |w|`` (0 when ``l1 == 0``): added to the training loss by
        the subgradient method; the proximal method minimizes it by soft thresholding instead.
    weight_norm : float
        ``sqrt(sum w**2)`` over all weights (biases and norm parameters excluded).
    sparsity : float
        Fraction of weights with ``|w| < 1e-3``.
    samples_seen : int
        Training points processed by the updates so far (the sum of the true batch sizes). Last
        field, with a default, so that records built positionally with the first nine fields
        stay valid.
    """

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_acc: float
    test_acc: float
    penalty: float
    weight_norm: float
    sparsity: float
    samples_seen: int = 0


class ChangeMark(NamedTuple):
    """A setting changed while the run trained, at the end of epoch ``epoch``.

    Attributes
    ----------
    epoch, step, samples_seen : int
        Where the change took effect: the last record's position on each x axis (the new
        settings apply from the next update on; a new batch size from the next epoch).
    changes : tuple of (str, str, str)
        ``(field, old value, new value)`` for each changed setting, values as the URL writes
        them.
    """

    epoch: int
    step: int
    samples_seen: int
    changes: tuple[tuple[str, str, str], ...]


class StopInfo(NamedTuple):
    """Why training stopped: ``reason`` in {"early_stopping", "diverged", "max_epochs"}."""

    reason: str
    epoch: int
    best_epoch: int | None
    message: str


class BoundaryGrid(NamedTuple):
    """The model's P(class 1) on a square grid: ``prob[i, j]`` is at ``(xs[j], ys[i])``.

    Attributes
    ----------
    xs, ys : (R,) float64
    prob : (R, R) float32 in [0, 1] (0.5 where the model is not finite)
    """

    xs: np.ndarray
    ys: np.ndarray
    prob: np.ndarray


def _shown(value: object) -> str:
    """Return a setting's value as the change marks show it: ``0.001``, ``32``, ``off`` for None."""
    if value is None:
        return "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _renamed(
    state: dict[str, torch.Tensor], before: torch.nn.Module, after: torch.nn.Module
) -> dict[str, torch.Tensor]:
    """Re-key a state dict of ``before`` by the names the same tensors have in ``after``."""
    old = {id(t): name for name, t in before.state_dict(keep_vars=True).items()}
    new = {id(t): name for name, t in after.state_dict(keep_vars=True).items()}
    by_old = {old[k]: new[k] for k in old if k in new}
    return {by_old[name]: value for name, value in state.items() if name in by_old}


def _as_tensors(data: Dataset) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(np.ascontiguousarray(data.x, np.float32)), torch.from_numpy(
        np.ascontiguousarray(data.y, np.int64)
    )


class Trainer:
    """Train the lab's MLP step by step.

    Parameters
    ----------
    config : TrainConfig
    data : Dataset, optional
        Points to use instead of ``make_dataset(config.dataset, ...)`` (an uploaded CSV). It is
        split with ``config.test_fraction`` and ``config.seed``.

    Attributes
    ----------
    config, model, train, test, history, steps, epoch, stopped
        See the module notes; ``stopped`` is a :class:`StopInfo` once training has ended.

    Examples
    --------
    >>> t = Trainer(TrainConfig(dataset="gaussians", n_samples=100, max_epochs=3))
    >>> t.step(10)  # 50 training points, batch 32: 2 updates per epoch; stops after 3 epochs
    >>> t.steps, t.epoch, len(t.history), t.stopped.reason
    (6, 3, 4, 'max_epochs')
    """

    def __init__(self, config: TrainConfig, data: Dataset | None = None) -> None:
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig (got {type(config).__name__})")
        if data is None:
            data = make_dataset(config.dataset, config.n_samples, config.noise, config.seed)
        self.config = config
        self.train, self.test = train_test_split(data, config.test_fraction, config.seed)
        self._xtr, self._ytr = _as_tensors(self.train)
        self._xte, self._yte = _as_tensors(self.test)
        self._gen = torch.Generator().manual_seed(config.seed)
        self.model = build_model(config, self._gen)
        self._weights = weight_tensors(self.model)
        self._opt = make_optimizer(config, self.model)
        self._set_batches_per_epoch()
        self._batches: list[torch.Tensor] = []
        self._pos = 0
        self.steps = 0
        self.samples_seen = 0
        self.epoch = 0
        self.stopped: StopInfo | None = None
        self.history: list[EpochRecord] = []
        self.changes: list[ChangeMark] = []
        self._rebatch = False
        self._best: tuple[float, int, dict[str, torch.Tensor]] | None = None
        self._record()

    def can_reconfigure(self, config: TrainConfig) -> bool:
        """Return whether :meth:`reconfigure` can take ``config`` on.

        It can if ``config`` differs only in :data:`LIVE_FIELDS` and the run has not stopped.
        """
        if self.stopped is not None or not isinstance(config, TrainConfig):
            return False
        return all(
            getattr(config, f) == getattr(self.config, f)
            for f in TrainConfig.__dataclass_fields__
            if f not in LIVE_FIELDS
        )

    def reconfigure(self, config: TrainConfig) -> ChangeMark | None:
        """Apply new settings to the running model from the next update on; mark the change.

        Parameters
        ----------
        config : TrainConfig
            The new settings; they may differ from :attr:`config` only in :data:`LIVE_FIELDS`
            (see :meth:`can_reconfigure`).

        Returns
        -------
        ChangeMark or None
            The mark appended to :attr:`changes`; None when nothing changed.

        Raises
        ------
        ValueError
            If a setting outside :data:`LIVE_FIELDS` differs, or the run has stopped.

        Notes
        -----
        The weights are kept; the optimizer is rebuilt for the new learning rate and L2 and
        takes over the old one's per-parameter state (momentum, Adam's moments), so only the
        changed hyperparameters differ from an uninterrupted run. Dropout layers are added,
        removed or given the new rate around the same ``Linear`` layers. A new batch size
        applies from the next epoch, so every epoch is one pass over the data.

        Examples
        --------
        >>> import dataclasses
        >>> t = Trainer(TrainConfig(n_samples=100, max_epochs=50))
        >>> t.step(6)
        >>> mark = t.reconfigure(dataclasses.replace(t.config, lr=0.03, dropout=0.2))
        >>> mark.epoch, mark.changes
        (3, (('lr', '0.01', '0.03'), ('dropout', '0', '0.2')))
        >>> t._opt.param_groups[0]["lr"], [type(m).__name__ for m in t.model][:4]
        (0.03, ['Linear', 'ReLU', 'SeededDropout', 'Linear'])
        """
        if not self.can_reconfigure(config):
            raise ValueError(
                "reconfigure takes only a running trainer and changes of "
                f"{', '.join(LIVE_FIELDS)}; build a new Trainer for anything else"
            )
        old = self.config
        changed = tuple(
            (f, _shown(getattr(old, f)), _shown(getattr(config, f)))
            for f in LIVE_FIELDS
            if getattr(config, f) != getattr(old, f)
        )
        if not changed:
            return None
        self.config = config
        if config.dropout != old.dropout:
            before = self.model
            self.model = with_dropout(before, config.dropout, self._gen)
            if self._best is not None:  # the saved weights' names follow the new layout
                self._best = (*self._best[:2], _renamed(self._best[2], before, self.model))
        if (config.lr, config.l2) != (old.lr, old.l2):
            state = self._opt.state
            self._opt = make_optimizer(config, self.model)
            for p in self.model.parameters():
                if p in state:
                    self._opt.state[p] = state[p]
        if config.batch_size != old.batch_size:
            self._rebatch = True
        if config.early_stopping_patience is None:
            self._best = None
        last = self.history[-1]
        mark = ChangeMark(last.epoch, last.step, last.samples_seen, changed)
        self.changes.append(mark)
        return mark

    def _set_batches_per_epoch(self) -> None:
        """Set the updates per epoch for the batch size (BatchNorm merges a last batch of 1)."""
        config, n_train = self.config, len(self.train.y)
        self._per_epoch = updates_per_epoch(n_train, config.batch_size)
        self._merge_last = (
            config.norm == "batch" and n_train % config.batch_size == 1 and self._per_epoch > 1
        )
        self._per_epoch -= self._merge_last
        self._rebatch = False

    # -- training ---------------------------------------------------------------------------

    def step(self, n: int = 1) -> None:
        """Perform ``n`` optimizer updates (fewer if training stops); nothing once stopped."""
        cfg = self.config
        model, opt = self.model, self._opt
        if not model.training:
            model.train()
        for _ in range(n):
            if self.stopped is not None:
                return
            if self._pos == 0:
                if self._rebatch:  # a batch size changed mid-run applies from this epoch
                    cfg = self.config
                    self._set_batches_per_epoch()
                perm = torch.randperm(len(self._ytr), generator=self._gen)
                self._batches = list(perm.split(cfg.batch_size))
                if self._merge_last:
                    self._batches[-2:] = [torch.cat(self._batches[-2:])]
            idx = self._batches[self._pos]
            xb = self._xtr[idx]
            if cfg.augmentation > 0:
                xb = xb + cfg.augmentation * torch.randn(xb.shape, generator=self._gen)
            loss = F.cross_entropy(model(xb), self._ytr[idx])
            if cfg.l1 > 0 and cfg.l1_method == "subgradient":
                loss = loss + penalty_l1(model, cfg.l1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if cfg.l1 > 0 and cfg.l1_method == "proximal":
                prox_l1_(model, cfg.lr * cfg.l1)
            self.steps += 1
            self.samples_seen += len(idx)
            self._pos += 1
            if self._pos == self._per_epoch:
                self._pos = 0
                self.epoch += 1
                self._record()
                model.train()

    def run_for(self, seconds: float, max_steps: int) -> int:
        """Step until ``seconds`` have passed or ``max_steps`` updates are done; return the count.

        The clock is checked after each update, so the overrun is at most one update plus one
        end-of-epoch evaluation.
        """
        start_steps = self.steps
        deadline = time.perf_counter() + seconds
        while self.steps - start_steps < max_steps and self.stopped is None:
            self.step(1)
            if time.perf_counter() >= deadline:
                break
        return self.steps - start_steps

    # -- measurements -----------------------------------------------------------------------

    @torch.no_grad()
    def _evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        logits = self.model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(dim=1) == y).float().mean().item()
        return loss, acc

    def _record(self) -> None:
        self.model.eval()
        train_loss, train_acc = self._evaluate(self._xtr, self._ytr)
        test_loss, test_acc = self._evaluate(self._xte, self._yte)
        with torch.no_grad():
            flat = torch.cat([w.reshape(-1) for w in self._weights])
            penalty = float(penalty_l1(self.model, self.config.l1)) if self.config.l1 else 0.0
            norm = float(flat.norm())
            sparsity = float((flat.abs() < SPARSITY_THRESHOLD).float().mean())
        rec = EpochRecord(
            self.epoch, self.steps, train_loss, test_loss, train_acc, test_acc,
            penalty, norm, sparsity, self.samples_seen,
        )  # fmt: skip
        self.history.append(rec)
        self._check_stop(rec)

    def _check_stop(self, rec: EpochRecord) -> None:
        if not (math.isfinite(rec.train_loss) and math.isfinite(rec.test_loss)) or not (
            math.isfinite(rec.weight_norm)
        ):
            self.stopped = StopInfo(
                "diverged",
                rec.epoch,
                None,
                f"Training diverged at epoch {rec.epoch}: the loss or the weights became "
                f"infinite or NaN. Lower the learning rate (now {self.config.lr:g}) or add "
                "normalization, then reset.",
            )
            return
        patience = self.config.early_stopping_patience
        best_epoch = None
        if patience is not None:
            if self._best is None or rec.test_loss < self._best[0]:
                state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
                self._best = (rec.test_loss, rec.epoch, state)
            best_loss, best_epoch, state = self._best
            if rec.epoch - best_epoch >= patience:
                self.model.load_state_dict(state)
                self.stopped = StopInfo(
                    "early_stopping",
                    rec.epoch,
                    best_epoch,
                    f"Early stopping at epoch {rec.epoch}: the test loss has not improved for "
                    f"{patience} epochs. The weights of epoch {best_epoch} (test loss "
                    f"{best_loss:.4f}) were restored.",
                )
                return
        if rec.epoch >= self.config.max_epochs:
            message = f"Reached the maximum of {self.config.max_epochs} epochs."
            if self._best is not None:
                best_loss, best_epoch, state = self._best
                if best_epoch == rec.epoch:
                    message += " The last epoch has the lowest test loss: its weights are kept."
                else:
                    self.model.load_state_dict(state)
                    message += (
                        f" Early stopping is on, so the weights of epoch {best_epoch} (the "
                        f"lowest test loss, {best_loss:.4f}) were restored."
                    )
            self.stopped = StopInfo("max_epochs", rec.epoch, best_epoch, message)

    def boundary(self, resolution: int = 80, extent: float = CLIP) -> BoundaryGrid:
        """Return P(class 1) on a ``resolution x resolution`` grid over ``[-extent, extent]^2``.

        Evaluated in eval mode with one forward pass; the model's mode is restored. Non-finite
        outputs (a diverged model) are reported as 0.5.

        Examples
        --------
        >>> g = Trainer(TrainConfig(n_samples=40)).boundary(resolution=5)
        >>> g.xs.tolist(), g.prob.shape, g.prob.dtype
        ([-1.5, -0.75, 0.0, 0.75, 1.5], (5, 5), dtype('float32'))
        """
        check_int(resolution, "resolution", 2, 400)
        if not (math.isfinite(extent) and extent > 0):
            raise ValueError(f"extent must be a positive finite number (got {extent})")
        xs = np.linspace(-extent, extent, resolution)
        gx, gy = np.meshgrid(xs, xs)
        grid = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            prob = torch.softmax(self.model(grid), dim=1)[:, 1]
        self.model.train(was_training)
        prob = np.nan_to_num(prob.numpy().reshape(resolution, resolution), nan=0.5)
        return BoundaryGrid(xs, xs.copy(), prob.astype(np.float32))

    def weights(self) -> np.ndarray:
        """Return all weights (no biases, no norm parameters) as a 1-D float32 array (a copy)."""
        with torch.no_grad():
            return torch.cat([w.reshape(-1) for w in self._weights]).numpy().copy()

    @property
    def weight_norm_history(self) -> np.ndarray:
        """Return the weight norm at each recorded epoch, (len(history),) float64."""
        return np.array([r.weight_norm for r in self.history], dtype=np.float64)

    def history_csv(self) -> str:
        """Return :attr:`history` as CSV text with a header of the :class:`EpochRecord` fields."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EpochRecord._fields)
        writer.writerows(self.history)
        return out.getvalue()
