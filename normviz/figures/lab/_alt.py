"""Alternative texts of the lab's figures: what each chart shows, with its key numbers.

Built from the same records the figures draw (:class:`Curves`, :class:`WeightHistogram`, the
boundary grid, the batch-size study), so a text never disagrees with its chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from normviz.figures.lab._curves import Curves
from normviz.figures.lab._style import X_AXIS_TITLES
from normviz.figures.lab._weights import WeightHistogram
from normviz.lab_status import epochs_text, loss_text
from normviz.train_config import NORM_NAMES, SPARSITY_THRESHOLD

if TYPE_CHECKING:
    from normviz.lab_studies import BatchSizeStudy
    from normviz.toydata import Dataset
    from normviz.training import BoundaryGrid

# -- alternative text: what each chart shows, with its key numbers, from the same records ----


def _run_name(label: str) -> str:
    return f"run {label}" if label else "the run"


def _last(c: Curves) -> int | None:
    """Index of the last record with a finite train and test loss, or None."""
    ok = np.flatnonzero(np.isfinite(c.train_loss) & np.isfinite(c.test_loss))
    return int(ok[-1]) if ok.size else None


def curves_alt(runs: Sequence[Curves]) -> str:
    """Return the alternative text of :func:`plot_training_curves` for ``runs``.

    For each run: its last finite record's epoch, train and test loss and test accuracy, and why
    it stopped.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> from normviz.figures.lab import curves_info
    >>> hist = [R(epoch=e, train_loss=0.5 - 0.1 * e, test_loss=0.6, train_acc=0.5,
    ...           test_acc=0.8, weight_norm=1.0, sparsity=0.0) for e in range(3)]
    >>> print(curves_alt([curves_info(hist)]))
    Training curves, loss and accuracy against epoch: after 2 epochs train loss 0.300, test loss 0.600, test accuracy 80%.
    >>> print(curves_alt([curves_info(hist[:1], "A"), curves_info([], "B")]))
    Training curves, loss and accuracy against epoch: run A after 0 epochs train loss 0.500, test loss 0.600, test accuracy 80%; run B has no finite loss yet.
    """  # noqa: E501
    axis = X_AXIS_TITLES[runs[0].x_axis] if runs else "epoch"
    parts = []
    for c in runs:
        who = f"{_run_name(c.label)} " if c.label else ""
        i = _last(c)
        if i is None:
            parts.append(f"{who or 'the run '}has no finite loss yet")
            continue
        text = (
            f"{who}after {epochs_text(int(c.epoch[i]))} train loss {loss_text(c.train_loss[i])}, "
            f"test loss {loss_text(c.test_loss[i])}, test accuracy {c.test_acc[i]:.0%}"
        )
        if c.stop is not None:
            text += f" ({c.stop.reason.replace('_', ' ')})"
        parts.append(text)
    return f"Training curves, loss and accuracy against {axis}: {'; '.join(parts)}."


def weight_norm_alt(runs: Sequence[Curves]) -> str:
    """Return the alternative text of :func:`plot_weight_norm`: each run's last norm and sparsity.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> from normviz.figures.lab import curves_info
    >>> hist = [R(epoch=e, train_loss=0.5, test_loss=0.6, train_acc=0.5, test_acc=0.8,
    ...           weight_norm=2.0 + e, sparsity=0.25) for e in range(2)]
    >>> print(weight_norm_alt([curves_info(hist)]))
    Weight norm and sparsity against epoch: at epoch 1 weight norm 3, 25% of weights within 0.001 of zero.
    """  # noqa: E501
    axis = X_AXIS_TITLES[runs[0].x_axis] if runs else "epoch"
    parts = []
    for c in runs:
        who = f"{_run_name(c.label)} " if c.label else ""
        if not len(c.epoch):
            parts.append(f"{who or 'the run '}has no record yet")
            continue
        parts.append(
            f"{who}at epoch {int(c.epoch[-1])} weight norm {c.weight_norm[-1]:.3g}, "
            f"{c.sparsity[-1]:.0%} of weights within {SPARSITY_THRESHOLD:g} of zero"
        )
    return f"Weight norm and sparsity against {axis}: {'; '.join(parts) or 'no runs'}."


def weight_histograms_alt(hists: Sequence[WeightHistogram], labels: Sequence[str]) -> str:
    """Return the alternative text of :func:`plot_weight_histograms`.

    Examples
    --------
    >>> from normviz.figures.lab import weight_histogram_info
    >>> h = weight_histogram_info(np.array([0.0, 0.5]), limit=1.0, bins=5)
    >>> print(weight_histograms_alt([h], [""]))
    Histogram of the weights from -1 to 1: 2 weights, 50% within 0.001 of zero.
    >>> print(weight_histograms_alt([h, h], ["Run A", "Run B"]))
    Histogram of the weights from -1 to 1: Run A 2 weights, 50% within 0.001 of zero; Run B 2 weights, 50% within 0.001 of zero.
    """  # noqa: E501
    limit = hists[0].limit if hists else 0.0
    parts = [
        f"{label + ' ' if label else ''}{h.n} weights, {h.sparsity:.0%} within "
        f"{SPARSITY_THRESHOLD:g} of zero"
        for h, label in zip(hists, labels, strict=True)
    ]
    return f"Histogram of the weights from {-limit:.3g} to {limit:.3g}: {'; '.join(parts)}."


def boundary_alt(grid: BoundaryGrid | None, train: Dataset | None, test: Dataset | None,
                 title: str = "Decision boundary") -> str:  # fmt: skip
    """Return the alternative text of :func:`plot_boundary`: the share of the plane per class.

    Examples
    --------
    >>> from types import SimpleNamespace as G
    >>> grid = G(xs=np.linspace(-1, 1, 2), ys=np.linspace(-1, 1, 2),
    ...          prob=np.array([[0.2, 0.9], [0.7, 0.4]], dtype=np.float32))
    >>> pts = G(x=np.zeros((3, 2)), y=np.array([0, 1, 1]))
    >>> print(boundary_alt(grid, pts, None, "Run A"))
    Run A: the network's probability of class 1 over the plane, 50% of it on the class-1 side; 3 training points (2 of class 1).
    """  # noqa: E501
    parts = []
    if grid is not None and np.size(grid.prob):
        share = float(np.mean(np.asarray(grid.prob) > 0.5))
        parts.append(
            f"the network's probability of class 1 over the plane, {share:.0%} of it on the "
            "class-1 side"
        )
    for data, name in ((train, "training"), (test, "test")):
        if data is not None:
            y = np.asarray(data.y)
            parts.append(f"{y.size} {name} points ({int((y == 1).sum())} of class 1)")
    return f"{title}: {'; '.join(parts) or 'no data'}."


def batch_size_study_alt(study: BatchSizeStudy) -> str:
    """Return the alternative text of :func:`batch_size_study_html`: accuracy at both ends.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> s = S(batch_sizes=(2, 64), norms=("batch", "group"), epochs=30,
    ...       test_acc=np.array([[0.6, 0.9], [0.85, 0.86]]))
    >>> print(batch_size_study_alt(s))
    Test accuracy against batch size after 30 epochs: BatchNorm 60% at batch 2, 90% at batch 64; GroupNorm 85% at batch 2, 86% at batch 64.
    """  # noqa: E501
    sizes = study.batch_sizes
    parts = [
        f"{NORM_NAMES.get(norm, norm)} {study.test_acc[i, 0]:.0%} at batch {sizes[0]}, "
        f"{study.test_acc[i, -1]:.0%} at batch {sizes[-1]}"
        for i, norm in enumerate(study.norms)
    ]
    return f"Test accuracy against batch size after {study.epochs} epochs: {'; '.join(parts)}."
