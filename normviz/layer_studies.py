"""Studies built on :mod:`normviz.layers`: loops over data that the layers lesson plots.

BatchNorm's running statistics along a stream of mini-batches, GroupNorm's two equivalences (and
the misconception that G=1 is BatchNorm), the batch-size noise of BatchNorm's statistics, and the
per-(sample, channel) moments of a tensor. Records are NamedTuples of plain floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from normviz.layers import (
    DEFAULT_MOMENTUM,
    _as_ncl,
    _check_tensor,
    group_index,
    normalize,
    statistics,
    update_running_stats,
)


class RunningTrace(NamedTuple):
    """Running statistics of one channel along a stream of S mini-batches (lists of S floats)."""

    batch_mean: list[float]
    batch_var: list[float]
    running_mean: list[float]
    running_var: list[float]
    momentum: float
    convention: str


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
        Lists of S floats: the batch's mean and unbiased (pytorch) or biased (keras) variance,
        and the running values after that batch.

    Examples
    --------
    >>> b = torch.tensor([[[1.0], [3.0]]]).expand(3, 2, 1)  # 3 identical batches
    >>> [round(v, 3) for v in running_trace(b).running_mean]
    [0.2, 0.38, 0.542]
    """
    if not isinstance(batches, torch.Tensor) or batches.ndim < 3:
        raise ValueError("expected a (S, B, C, *) tensor of mini-batches")
    c = batches.shape[2]
    rm, rv = torch.zeros(c, dtype=batches.dtype), torch.ones(c, dtype=batches.dtype)
    out: tuple[list[float], ...] = ([], [], [], [])
    for batch in batches:
        bm, bv = (t.flatten() for t in statistics(batch, "batch"))
        count = batch.numel() // c
        bv = bv * (count / (count - 1)) if convention == "pytorch" else bv
        rm, rv = update_running_stats(rm, rv, batch, momentum, convention)
        for lst, v in zip(out, (bm, bv, rm, rv), strict=True):
            lst.append(float(v[channel]))
    m = DEFAULT_MOMENTUM[convention] if momentum is None else float(momentum)
    return RunningTrace(*out, momentum=m, convention=convention)


class GroupNormCheck(NamedTuple):
    """Max absolute differences between GroupNorm at the ends of its range and other kinds."""

    g1_vs_layer: float
    gc_vs_instance: float
    g1_vs_batch: float


def groupnorm_check(x: torch.Tensor, eps: float = 1e-5) -> GroupNormCheck:
    """Return how far GroupNorm(G=1) is from LayerNorm and BatchNorm, GroupNorm(G=C) from IN.

    Parameters
    ----------
    x : (N, C, *) floating tensor, at least 3D

    Returns
    -------
    GroupNormCheck
        The first two are float rounding (~1e-7); the third is large whenever the samples of
        the batch differ: GroupNorm never mixes samples, so no G gives BatchNorm.

    Examples
    --------
    >>> x = torch.arange(16.0).reshape(2, 2, 4)
    >>> check = groupnorm_check(x)
    >>> check.g1_vs_layer < 1e-6, check.gc_vs_instance < 1e-6, check.g1_vs_batch > 0.5
    (True, True, True)
    """
    x = _check_tensor(x)
    c = x.shape[1]
    g1, gc = normalize(x, "group", 1, eps), normalize(x, "group", c, eps)

    def diff(a: torch.Tensor, b: torch.Tensor) -> float:
        return float((a - b).abs().max()) if a.numel() else 0.0

    return GroupNormCheck(
        diff(g1, normalize(x, "layer", eps=eps)),
        diff(gc, normalize(x, "instance", eps=eps)),
        diff(g1, normalize(x, "batch", eps=eps)),
    )


class BatchNoise(NamedTuple):
    """Spread of one element's normalized value across random batches, per kind and batch size."""

    batch_sizes: tuple[int, ...]
    kinds: tuple[str, ...]
    spread: tuple[tuple[float, ...], ...]  # spread[k][b]: std over trials, kinds[k], sizes[b]


def batch_noise(
    population: torch.Tensor,
    batch_sizes: Sequence[int],
    kinds: Sequence[str] = ("batch", "layer", "group"),
    groups: int = 2,
    trials: int = 16,
    seed: int = 0,
) -> BatchNoise:
    """Return how much sample 0's normalized value moves when its batch-mates change.

    For each batch size B, ``trials`` batches are drawn: sample 0 of ``population`` plus B - 1
    others without replacement (a seeded generator). Each batch is normalized with each kind and
    the value of element ``[0, 0, 0, ...]`` recorded; the spread is its standard deviation
    (biased) over the trials. LayerNorm and GroupNorm never look at other samples: spread 0.

    Parameters
    ----------
    population : (P, C, *) floating tensor, P > max(batch_sizes)
    batch_sizes : sequence of int >= 2
    kinds : kinds from :data:`KINDS`
    groups : int, G for ``"group"``
    trials : int >= 2
    seed : int

    Examples
    --------
    >>> pop = torch.randn(64, 4, 3, 3, generator=torch.Generator().manual_seed(0))
    >>> noise = batch_noise(pop, (2, 32), trials=8)
    >>> noise.spread[0][0] > noise.spread[0][1] > 0, noise.spread[1] == (0.0, 0.0)
    (True, True)
    """
    population = _check_tensor(population)
    sizes = tuple(int(b) for b in batch_sizes)
    if trials < 2 or not sizes or min(sizes) < 2 or max(sizes) > population.shape[0] - 1:
        raise ValueError(
            f"expected trials >= 2 and batch sizes in [2, {population.shape[0] - 1}] "
            f"(got trials={trials}, batch_sizes={sizes})"
        )
    gen = torch.Generator().manual_seed(seed)
    values = torch.empty(len(kinds), len(sizes), trials, dtype=torch.float64)
    for j, b in enumerate(sizes):
        for t in range(trials):
            others = torch.randperm(population.shape[0] - 1, generator=gen)[: b - 1] + 1
            batch = population[torch.cat([torch.zeros(1, dtype=torch.long), others])]
            for k, kind in enumerate(kinds):
                out = normalize(batch, kind, groups if kind == "group" else None)
                values[k, j, t] = out.flatten()[0]
    spread = values.std(dim=2, correction=0)
    spread = torch.where(spread < 1e-6, torch.zeros_like(spread), spread)  # float rounding
    return BatchNoise(sizes, tuple(kinds), tuple(tuple(row) for row in spread.tolist()))


def channel_moments(x: torch.Tensor) -> tuple[list[list[float]], list[list[float]]]:
    """Return the mean and (biased) std of each (sample, channel) of ``x`` as (N, C) nested lists.

    Examples
    --------
    >>> channel_moments(torch.tensor([[[1.0, 3.0]]]))
    ([[2.0]], [[1.0]])
    """
    x = _check_tensor(x)
    var, mean = torch.var_mean(_as_ncl(x, "nct").double(), dim=2, correction=0)
    return mean.tolist(), var.sqrt().tolist()


class CubeInfo(NamedTuple):
    """A tensor viewed as an (A, B, L) cube and the statistic group of each element.

    ``labels`` is an (A, B, L) int64 numpy array (values 0..K-1); ``means`` and ``stds`` hold the
    K groups' mean and biased standard deviation; ``axis_names`` name the three axes.
    """

    kind: str
    groups: int | None
    axis_names: tuple[str, str, str]
    labels: np.ndarray
    means: tuple[float, ...]
    stds: tuple[float, ...]


def cube_info(
    x: torch.Tensor, kind: str, groups: int | None = None, layout: str = "nct"
) -> CubeInfo:
    """Return the cube view of ``x`` with each element's statistic group and the groups' moments.

    Parameters
    ----------
    x : (N, C, H, W), (N, C, L) or, with ``layout="ntd"``, (N, T, D) floating tensor
        Spatial axes are flattened into one H·W axis, as in Figure 2 of Wu & He (2018).
    kind, groups, layout
        As in :func:`normviz.layers.normalize`.

    Examples
    --------
    >>> info = cube_info(torch.arange(8.0).reshape(2, 2, 2), "batch")
    >>> info.labels.shape, info.means, info.axis_names
    ((2, 2, 2), (2.5, 4.5), ('N', 'C', 'L'))
    """
    x = _check_tensor(x, layout)
    if x.ndim not in (3, 4):
        raise ValueError(f"expected a 3D or 4D (N, C, *) tensor (got {x.ndim}D)")
    names = ("N", "T", "D") if layout == "ntd" else ("N", "C", "H·W" if x.ndim == 4 else "L")
    labels = group_index(x.shape, kind, groups, layout).reshape(x.shape[0], x.shape[1], -1)
    mean, var = statistics(x, kind, groups, layout)
    flat = labels.reshape(-1)
    count = int(flat.max()) + 1 if flat.numel() else 0
    m = torch.zeros(count, dtype=torch.float64).index_copy_(
        0, flat, mean.expand(x.shape).reshape(-1).double()
    )
    v = torch.zeros(count, dtype=torch.float64).index_copy_(
        0, flat, var.expand(x.shape).reshape(-1).double()
    )
    return CubeInfo(
        kind, groups, names, labels.numpy(), tuple(m.tolist()), tuple(v.sqrt().tolist())
    )
