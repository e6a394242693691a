"""BatchNorm's running statistics along a stream of mini-batches, and how long they take to settle.

The running mean and variance of one channel after each batch (PyTorch and Keras conventions),
with both batch variances (the biased one training-mode BatchNorm divides by, the unbiased one
PyTorch stores), the time constant of the exponential average and a seeded Gaussian stream long
enough to reach the population. Records are NamedTuples of plain floats.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from normviz.layers import (
    DEFAULT_MOMENTUM,
    blend_running_stats,
    statistics,
    update_running_stats,
)
from normviz.tensors import gaussian_batches

DEFAULT_EPS = {"pytorch": 1e-5, "keras": 1e-3}  # nn.BatchNorm2d, keras BatchNormalization
POPULATION = (2.0, 9.0)  # mean and variance of the stream the running-statistics study draws
MIN_BATCHES, MAX_BATCHES, TIME_CONSTANTS = 60, 500, 5


class RunningTrace(NamedTuple):
    """Running statistics of one channel along a stream of S mini-batches (lists of S floats).

    ``batch_var_biased`` is what training-mode BatchNorm divides by (under ``sqrt(var + eps)``);
    ``batch_var_unbiased`` (times count / (count - 1)) is what PyTorch feeds to ``running_var``.
    Keras feeds the biased one. ``count`` is the number of values per channel in one batch.
    """

    batch_mean: list[float]
    batch_var_biased: list[float]
    batch_var_unbiased: list[float]
    running_mean: list[float]
    running_var: list[float]
    momentum: float
    convention: str
    count: int = 0
    eps: float = 1e-5

    @property
    def batch_var_fed(self) -> list[float]:
        """The batch variance that enters the running variance under this convention."""
        return self.batch_var_unbiased if self.convention == "pytorch" else self.batch_var_biased


def time_constant(momentum: float | None = None, convention: str = "pytorch") -> float:
    """Return the batches the running mean needs to close all but 1/e of a gap (about).

    ``1 / m`` for PyTorch's momentum m (the weight of the new batch), ``1 / (1 - alpha)`` for
    Keras' alpha (the weight of the old value): the gap shrinks by ``1 - m`` per batch, i.e. by
    ``(1 - m) ** tau`` which is close to 1/e.

    Parameters
    ----------
    momentum : float, optional
        The convention's momentum (default 0.1 PyTorch, 0.99 Keras).
    convention : {"pytorch", "keras"}

    Returns
    -------
    float
        Batches (``inf`` when the new batch has weight 0).

    Examples
    --------
    >>> time_constant(0.1), time_constant(0.99, "keras")
    (10.0, 100.0)
    """
    m = DEFAULT_MOMENTUM[convention] if momentum is None else float(momentum)
    weight_new = m if convention == "pytorch" else 1 - m
    return round(1 / weight_new, 9) if weight_new > 0 else math.inf  # 1 - 0.99 is not 0.01


def stream_length(momentum: float | None = None, convention: str = "pytorch") -> int:
    """Return how many batches show the running statistics settle: 5 time constants, bounded.

    Parameters
    ----------
    momentum, convention
        As in :func:`time_constant`.

    Returns
    -------
    int
        ``ceil(TIME_CONSTANTS * tau)`` clipped to [MIN_BATCHES, MAX_BATCHES].

    Examples
    --------
    >>> stream_length(0.1), stream_length(0.99, "keras"), stream_length(0.999, "keras")
    (60, 500, 500)
    """
    tau = time_constant(momentum, convention)
    return int(min(max(math.ceil(TIME_CONSTANTS * tau), MIN_BATCHES), MAX_BATCHES))


def running_trace(
    batches: torch.Tensor,
    momentum: float | None = None,
    convention: str = "pytorch",
    channel: int = 0,
) -> RunningTrace:
    """Return the running mean/variance of ``channel`` after each batch of ``batches``.

    Parameters
    ----------
    batches : (S, B, C, *) floating tensor
        S mini-batches, fed in order to :func:`update_running_stats` from mean 0, variance 1.
    momentum, convention
        As in :func:`update_running_stats`.
    channel : int
        Which channel to record.

    Returns
    -------
    RunningTrace
        Lists of S floats: the batch's mean, biased and unbiased variance, and the running
        values after that batch; ``count`` values per channel and batch; the convention's eps.

    Examples
    --------
    >>> b = torch.tensor([[[1.0], [3.0]]]).expand(3, 2, 1)  # 3 identical batches
    >>> t = running_trace(b)
    >>> [round(v, 3) for v in t.running_mean], t.batch_var_biased[0], t.batch_var_unbiased[0]
    ([0.2, 0.38, 0.542], 1.0, 2.0)
    """
    if not isinstance(batches, torch.Tensor) or batches.ndim < 3:
        raise ValueError("expected a (S, B, C, *) tensor of mini-batches")
    steps, size, c = batches.shape[:3]
    count = batches[0].numel() // c if steps else 0
    m = DEFAULT_MOMENTUM[convention] if momentum is None else float(momentum)
    out: tuple[list[float], ...] = ([], [], [], [], [])
    if steps:  # checks the batch, the momentum and the convention; raises if count < 2
        start = torch.zeros(c, dtype=batches.dtype), torch.ones(c, dtype=batches.dtype)
        update_running_stats(*start, batches[0], m, convention)
        # Every batch's moments at once: batch s's channels become channels s * C ... of one
        # (B, S * C, *) batch (the same sets). Then the recursion, in the batches' dtype.
        folded = batches.transpose(0, 1).reshape(size, steps * c, *batches.shape[3:])
        bm, bv = (t.reshape(steps, c)[:, channel].numpy() for t in statistics(folded, "batch"))
        unbiased = bv * (count / (count - 1))
        rm, rv = bm.dtype.type(0), bv.dtype.type(1)
        for mean, var in zip(bm, bv, strict=True):
            rm, rv = blend_running_stats(rm, rv, mean, var, count, m, convention)
            out[3].append(float(rm)), out[4].append(float(rv))
        out[0].extend(bm.tolist()), out[1].extend(bv.tolist()), out[2].extend(unbiased.tolist())
    return RunningTrace(*out, momentum=m, convention=convention, count=count,
                        eps=DEFAULT_EPS[convention])  # fmt: skip


def running_study(
    momentum: float | None = None, convention: str = "pytorch", batch_size: int = 8, seed: int = 0
) -> RunningTrace:
    """Return the running trace of a Gaussian stream of :data:`POPULATION`, long enough to settle.

    :func:`stream_length` batches of ``batch_size`` samples of one channel of 2 x 2 values each
    (:func:`normviz.tensors.gaussian_batches`, seeded).

    Parameters
    ----------
    momentum, convention
        As in :func:`normviz.layers.update_running_stats`.
    batch_size : int >= 1
        Samples per batch; each brings 4 values of the channel.
    seed : int

    Returns
    -------
    RunningTrace

    Examples
    --------
    >>> t = running_study(0.99, "keras", batch_size=4)
    >>> len(t.running_mean), t.count, abs(t.running_mean[-1] - POPULATION[0]) < 0.2
    (500, 16, True)
    """
    mean, var = POPULATION
    steps = stream_length(momentum, convention)
    stream = gaussian_batches(steps, batch_size, (mean,), (math.sqrt(var),), size=2, seed=seed)
    return running_trace(stream, momentum, convention)
