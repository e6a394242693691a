"""Updates per epoch and total updates for a set of batch sizes (re-exported by training).

The study notes' table (ERRATA #5, #9) is for 4,000,000 images trained for 400 epochs:

=========  ================  ===============  ==================
batch      updates / epoch   total updates    vs batch 128
=========  ================  ===============  ==================
128        31,250            12,500,000       1x
256        15,625            6,250,000        2x fewer
2048       1,953             781,250          16x fewer
=========  ================  ===============  ==================

The notes wrote "4_00_00_000 images", which is 40,000,000 (10x more); their numbers are right
for 4,000,000. They also floored 4,000,000 / 2048 = 1953.125 to 1,953: that is a loader that
drops the last incomplete batch (``drop_last=True``); by default the last partial batch is still
an update, so the count is the ceiling, 1,954. The 781,250 total is 400 x 1953.125 (the exact
quotient), which neither integer rule reproduces: 781,200 with floor, 781,600 with ceiling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from normviz._checks import check_int


class BatchPlan(NamedTuple):
    """Optimizer updates for one batch size.

    Attributes
    ----------
    batch_size : int
    updates_per_epoch : int
    total_updates : int
        ``updates_per_epoch * epochs``.
    ratio_vs_first : float
        ``total_updates`` of the first batch size divided by this one's (2.0 = 2x fewer).
    """

    batch_size: int
    updates_per_epoch: int
    total_updates: int
    ratio_vs_first: float


def updates_per_epoch(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """Return the optimizer updates in one epoch of ``n_samples`` in batches of ``batch_size``.

    ``ceil(n / b)`` by default (the last partial batch is an update); ``floor(n / b)`` with
    ``drop_last=True``, which is what the notes' table used.

    Examples
    --------
    >>> updates_per_epoch(4_000_000, 128)
    31250
    >>> updates_per_epoch(4_000_000, 2048), updates_per_epoch(4_000_000, 2048, drop_last=True)
    (1954, 1953)
    """
    check_int(n_samples, "n_samples", 1)
    check_int(batch_size, "batch_size", 1)
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


def batch_plan(
    n_samples: int, batch_sizes: Sequence[int], epochs: int, *, drop_last: bool = False
) -> list[BatchPlan]:
    """Return one :class:`BatchPlan` per batch size, compared against the first one.

    Parameters
    ----------
    n_samples : int
        Training examples per epoch, >= 1.
    batch_sizes : sequence of int
        At least one, each >= 1.
    epochs : int
        >= 1.
    drop_last : bool
        Floor instead of ceiling for the updates per epoch (see module notes).

    Examples
    --------
    >>> for p in batch_plan(4_000_000, [128, 256, 2048], 400, drop_last=True):
    ...     print(p.batch_size, p.updates_per_epoch, p.total_updates, round(p.ratio_vs_first, 2))
    128 31250 12500000 1.0
    256 15625 6250000 2.0
    2048 1953 781200 16.0
    """
    check_int(epochs, "epochs", 1)
    if len(batch_sizes) == 0:
        raise ValueError("batch_sizes must hold at least one batch size (got none)")
    per_epoch = [updates_per_epoch(n_samples, b, drop_last=drop_last) for b in batch_sizes]
    first = per_epoch[0] * epochs
    return [
        BatchPlan(b, u, u * epochs, first / (u * epochs) if u else math.inf)
        for b, u in zip(batch_sizes, per_epoch, strict=True)
    ]


CALCULATOR_BATCHES = (8, 32, 64, 128, 256, 512, 1024, 2048, 4096)
"""Batch sizes the lab's calculator offers; it starts with the notes' table (ERRATA #5)."""
CALCULATOR_DEFAULTS = {"n_samples": 4_000_000, "epochs": 400, "batch_sizes": (128, 256, 2048)}
"""The calculator's start: the study notes' table, for 4,000,000 images and 400 epochs."""


def plan_rows(plans: Sequence[BatchPlan]) -> list[dict[str, float]]:
    """Return the calculator's table: one row per batch size, the ratio rounded to 2 decimals.

    Examples
    --------
    >>> plan_rows(batch_plan(1000, [10, 30], 2))[1]
    {'batch size': 30, 'updates per epoch': 34, 'total updates': 68, 'times fewer updates': 2.94}
    """
    return [
        {
            "batch size": p.batch_size,
            "updates per epoch": p.updates_per_epoch,
            "total updates": p.total_updates,
            "times fewer updates": round(p.ratio_vs_first, 2),
        }
        for p in plans
    ]
