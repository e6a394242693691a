"""BatchNorm, LayerNorm, InstanceNorm, GroupNorm and RMSNorm as plain functions on torch tensors.

Which elements share one mean and variance, those statistics, the normalization itself (equal to
``torch.nn.functional`` without affine) and BatchNorm's running statistics in the PyTorch and
Keras conventions. Two layouts are supported, chosen with ``layout=``:

``"nct"`` (default)
    ``(N, C)``, ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``: batch, channels, then
    spatial axes. BatchNorm normalizes each channel over (N, *spatial), LayerNorm each sample over
    (C, *spatial), InstanceNorm each (sample, channel) over the spatial axes, GroupNorm each
    (sample, group of C/G channels) over the group's channels and the spatial axes. RMSNorm pools
    the same set as LayerNorm but does not subtract the mean: y = x / sqrt(mean(x^2) + eps).
``"ntd"``
    ``(N, T, D)``: batch, tokens, features, the layout of language models. LayerNorm normalizes
    each token over its D features (RMSNorm likewise); BatchNorm each feature d over all N*T
    tokens.

Which axes each kind pools, the layouts it supports, its smallest rank and its parameters' ranges
are read from the layer-kind table :data:`normviz.layer_kinds.LAYER_KINDS`; this module holds
only the arithmetic.

All statistics use the biased variance (divide by the count) and ``var + eps`` under the square
root, like PyTorch. A constant group gives mean = the constant, var = 0 and a normalized value of 0.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import torch

from normviz._checks import check_choice, check_range
from normviz.layer_kinds import (
    AXES,
    KINDS,  # noqa: F401 - public here too: normviz.layers.KINDS
    LAYER_KINDS,
    LAYOUTS,
    SPATIAL,
    kind_of,
    kinds_for,
)

KIND_NAMES = {key: spec.label for key, spec in LAYER_KINDS.items()}
"""How each kind is shown (:attr:`normviz.layer_kinds.LayerKind.label`)."""
CENTERED = tuple(k for k, spec in LAYER_KINDS.items() if spec.centered)  # RMSNorm is not
CONVENTIONS = ("pytorch", "keras")
DEFAULT_MOMENTUM = {"pytorch": 0.1, "keras": 0.99}
_BLOCK = 1 << 19  # elements per block and thread (2 MiB of float32): cache-resident
_EXACT = (torch.float32, torch.float64)  # dtypes computed as they are; others in float32


def _working(x: torch.Tensor) -> torch.Tensor:
    """``x`` itself if float32/float64, else ``x`` in float32 (half precision is computed wide)."""
    return x if x.dtype in _EXACT else x.float()


def check_tensor(x: object, layout: str = "nct") -> torch.Tensor:
    """Return ``x`` if it is a floating tensor of a supported rank for ``layout``, else raise.

    Parameters
    ----------
    x : object
        Expected: a floating tensor, (N, C, *) 2D to 5D for ``"nct"``, (N, T, D) for ``"ntd"``.
    layout : {"nct", "ntd"}

    Returns
    -------
    torch.Tensor
        ``x`` itself.

    Examples
    --------
    >>> check_tensor(torch.zeros(2, 3)).shape
    torch.Size([2, 3])
    >>> check_tensor(torch.zeros(2, 3), "ntd")
    Traceback (most recent call last):
    ...
    ValueError: expected a 3D (N, T, D) tensor (got 2D)
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor (got {type(x).__name__})")
    if not x.is_floating_point():
        raise TypeError(f"expected a floating-point tensor (got {x.dtype})")
    check_choice(layout, LAYOUTS, "layout")
    if layout == "ntd" and x.ndim != 3:
        raise ValueError(f"expected a 3D (N, T, D) tensor (got {x.ndim}D)")
    if not 2 <= x.ndim <= 5:
        raise ValueError(f"expected a 2D to 5D (N, C, *) tensor (got {x.ndim}D)")
    return x


def _check_kind(kind: str, ndim: int, layout: str, groups: int | None, channels: int) -> int:
    """Validate ``kind`` for this rank/layout; return the number of groups (1 unless GroupNorm).

    The rules are the table's (:data:`normviz.layer_kinds.LAYER_KINDS`): the layouts a kind
    supports, its smallest rank and its parameters' ranges.
    """
    spec = kind_of(kind)
    check_choice(layout, LAYOUTS, "layout")
    if layout not in spec.pooled:
        listed = ", ".join(repr(k) for k in kinds_for(layout))
        listed = " or ".join(listed.rsplit(", ", 1))
        raise ValueError(f"layout {layout!r} supports kind {listed} (got {kind!r})")
    if ndim < spec.min_ndim:
        raise ValueError(
            f"{kind} norm expected a {spec.min_ndim}D to 5D (N, C, *) tensor (got {ndim}D)"
        )
    param = spec.param("groups")
    if param is None:
        return 1
    if groups is None:
        raise ValueError(f"kind {kind!r} needs groups (got None)")
    return param.check(groups, channels)


def _axis_names(kind: str, ndim: int, layout: str) -> tuple[str, ...]:
    """Name every axis of the tensor a kind reduces (GroupNorm: of its (N, G, C/G, *) view)."""
    if layout == "ntd":
        return AXES["ntd"]
    names = ("N", "C", *[SPATIAL] * (ndim - 2))
    return ("N", "G", "C/G", *names[2:]) if LAYER_KINDS[kind].channel_sets == "grouped" else names


def reduction_axes(kind: str, ndim: int, layout: str = "nct") -> tuple[int, ...]:
    """Return the axes one mean and variance are taken over.

    Parameters
    ----------
    kind : {"batch", "layer", "instance", "group", "rms"}
        ``"rms"`` pools the same set as ``"layer"``.
    ndim : int
        Rank of the input: 2 to 5 for ``layout="nct"`` (N, C, *spatial), 3 for ``"ntd"``.
    layout : {"nct", "ntd"}

    Returns
    -------
    tuple of int
        Axes of ``x``; for ``"group"`` the axes of the view ``(N, G, C // G, *spatial)`` that
        PyTorch reshapes to, i.e. the group's channels and the spatial axes.

    Examples
    --------
    >>> reduction_axes("batch", 4), reduction_axes("layer", 4), reduction_axes("instance", 4)
    ((0, 2, 3), (1, 2, 3), (2, 3))
    >>> reduction_axes("group", 4)
    (2, 3, 4)
    >>> reduction_axes("layer", 3, layout="ntd"), reduction_axes("batch", 3, layout="ntd")
    ((2,), (0, 1))
    """
    if layout == "ntd" and ndim != 3:
        raise ValueError(f"expected a 3D (N, T, D) tensor (got {ndim}D)")
    if not 2 <= ndim <= 5:
        raise ValueError(f"expected a 2D to 5D (N, C, *) tensor (got {ndim}D)")
    _check_kind(kind, ndim, layout, 1 if kind_of(kind).params else None, 1)
    pooled = LAYER_KINDS[kind].pooled[layout]
    return tuple(i for i, name in enumerate(_axis_names(kind, ndim, layout)) if name in pooled)


def as_ncl(x: torch.Tensor, layout: str = "nct") -> torch.Tensor:
    """Return ``x`` viewed as (N, C, L): channels in the middle, the spatial axes flattened last.

    Parameters
    ----------
    x : (N, C, *) or, with ``layout="ntd"``, (N, T, D) tensor
        For ``"ntd"`` each token is a sample and each feature a channel: (N*T, D, 1).
    layout : {"nct", "ntd"}

    Returns
    -------
    (N, C, L) tensor
        A view of ``x`` where possible (a copy if ``x`` is not contiguous).

    Examples
    --------
    >>> as_ncl(torch.zeros(2, 3, 4, 5)).shape, as_ncl(torch.zeros(2, 3, 4), "ntd").shape
    (torch.Size([2, 3, 20]), torch.Size([6, 4, 1]))
    """
    if layout == "ntd":  # each token is a sample, each feature a channel, nothing spatial
        return x.reshape(x.shape[0] * x.shape[1], x.shape[2], 1)
    return x.reshape(x.shape[0], x.shape[1], -1)


def _as_akl(x: torch.Tensor, kind: str, groups: int, layout: str) -> torch.Tensor:
    """View ``x`` as (A, K, L) so that statistic group k is exactly ``x3[:, k, :]``.

    BatchNorm is the (N, C, L) view (A = N); the other kinds have A = 1 and one contiguous row per
    group: N rows for LayerNorm, N*C for InstanceNorm, N*G for GroupNorm.
    """
    spec = LAYER_KINDS[kind]
    if spec.pools_samples:
        return as_ncl(x, layout)
    if layout == "ntd":  # one row per token
        return x.reshape(1, x.shape[0] * x.shape[1], x.shape[2])
    return x.reshape(1, x.shape[0] * _rows(spec.channel_sets, x.shape[1], groups), -1)


def _rows(channel_sets: str, channels: int, groups: int) -> int:
    """Return the sets per sample for a kind that keeps the samples apart: 1, G or C."""
    return {"pooled": 1, "grouped": groups, "each": channels}[channel_sets]


@functools.lru_cache(maxsize=64)
def _chunk_length(length: int) -> int:
    """Return the largest divisor of ``length`` in [64, 1024], or 0 if there is none."""
    return next((c for c in range(min(length, 1024), 63, -1) if length % c == 0), 0)


def _sum_squares(d: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Write the sum of squares of (A, K, L) ``d`` over axes 0 and 2 into (K,) ``out``.

    One pass over ``d`` with no temporary of its size: the Euclidean norm of every chunk of at most
    1024 contiguous elements (a short running sum, so float32 stays accurate), then the sum of the
    squared norms with torch's pairwise summation. Rows without such chunks (short or prime
    lengths) square into a temporary and sum.
    """
    a, k, length = d.shape
    c = _chunk_length(length)
    if c:
        parts = torch.linalg.vector_norm(d.view(a, k, length // c, c), dim=3).square_()
    else:
        parts = d.square()
    return torch.sum(parts, dim=(0, 2), out=out)


def _moments(
    x3: torch.Tensor, eps: float | None = None, out: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the (K,) mean and biased variance of each ``x3[:, k, :]``; optionally normalize.

    Exact two-pass statistics, block by block: each block holds whole statistic groups and about
    ``_BLOCK`` elements per thread, so that after the first pass reads it from memory the next
    passes find it in cache. Per block: the sums (pass 1), the deviations ``x - mean`` written to
    ``out`` or to a scratch buffer (pass 2), their sum of squares (pass 3) and, if ``out`` is
    given, their scaling by ``1 / sqrt(var + eps)`` in place (pass 4).
    """
    a, k, length = x3.shape
    count = a * length
    inv = 1 / count if count else math.nan
    per = max(1, _BLOCK * torch.get_num_threads() // max(count, 1))
    means = x3.new_empty(1, k, 1)
    squares = x3.new_empty(k)
    if out is None:
        scratch = torch.empty_like(x3[:, :per])
        outs = (scratch[:, : min(per, k - start)] for start in range(0, k, per))
    else:
        outs = out.split(per, dim=1)
        eps_t = x3.new_full((), eps)
    for block, dev, m, q in zip(
        x3.split(per, dim=1), outs, means.split(per, dim=1), squares.split(per), strict=True
    ):
        torch.sum(block, dim=(0, 2), keepdim=True, out=m).div_(count)  # a constant's mean is exact
        torch.sub(block, m, out=dev)
        _sum_squares(dev, q)
        if out is not None:
            dev.mul_(torch.add(eps_t, q, alpha=inv).rsqrt_().view(1, -1, 1))
    return means.view(k), squares.mul_(inv)


def statistics(
    x: torch.Tensor, kind: str, groups: int | None = None, layout: str = "nct"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the shift and scale-squared each element of ``x`` is normalized with.

    For the centered kinds these are the mean and the biased variance of the element's set; for
    ``"rms"`` the shift is 0 and the second value is the mean square of the set, so that every kind
    normalizes as ``(x - mean) / sqrt(var + eps)``.

    Parameters
    ----------
    x : (N, C, *) or (N, T, D) floating tensor
    kind : {"batch", "layer", "instance", "group", "rms"}
    groups : int, optional
        Number of groups G for ``kind="group"``; must divide C.
    layout : {"nct", "ntd"}

    Returns
    -------
    mean, var : tensors of x's dtype that broadcast against ``x``
        batch (1, C, 1, ...), layer and rms (N, 1, 1, ...), instance (N, C, 1, ...), group
        (N, C, 1, ...) with one value repeated over the channels of a group; for ``"ntd"`` batch
        (1, 1, D), layer and rms (N, T, 1). ``var`` divides by the count (biased), as
        normalization does; for ``"rms"`` it is mean(x^2) and ``mean`` is zero.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])  # (N=2, C=2)
    >>> mean, var = statistics(x, "batch")
    >>> mean.tolist(), var.tolist()
    ([[2.0, 4.0]], [[1.0, 4.0]])
    >>> statistics(x, "layer")[0].tolist()
    [[1.5], [4.5]]
    >>> statistics(x, "rms")[1].tolist()  # mean squares (1 + 4) / 2 and (9 + 36) / 2
    [[2.5], [22.5]]
    """
    x = check_tensor(x, layout)
    channels = x.shape[2] if layout == "ntd" else x.shape[1]
    g = _check_kind(kind, x.ndim, layout, groups, channels)
    spec = LAYER_KINDS[kind]
    mean, var = _moments(_as_akl(_working(x), kind, g, layout))
    if not spec.centered:  # mean(x^2) = var + mean^2: two non-negative terms, no cancellation
        mean, var = torch.zeros_like(mean), var + mean.square()
    mean, var = mean.to(x.dtype), var.to(x.dtype)
    if layout == "ntd":
        shape = (1, 1, x.shape[2]) if spec.pools_samples else (*x.shape[:2], 1)
        return mean.reshape(shape), var.reshape(shape)
    n, c, tail = x.shape[0], x.shape[1], (1,) * (x.ndim - 2)
    if spec.channel_sets == "grouped":  # one value per (sample, group), over its channels
        mean, var = (t.reshape(n, g, 1).expand(n, g, c // g) for t in (mean, var))
    shape = (1 if spec.pools_samples else n, 1 if spec.channel_sets == "pooled" else c)
    return mean.reshape(*shape, *tail), var.reshape(*shape, *tail)


def normalize(
    x: torch.Tensor,
    kind: str,
    groups: int | None = None,
    eps: float = 1e-5,
    layout: str = "nct",
) -> torch.Tensor:
    r"""Return ``x`` normalized over each statistic group (zero mean, variance just below 1).

    Equal (within float32 rounding) to ``F.batch_norm(x, None, None, training=True)``,
    ``F.layer_norm(x, x.shape[1:])``, ``F.instance_norm(x)``, ``F.group_norm(x, groups)`` and
    ``F.rms_norm(x, x.shape[1:], eps=eps)``, without affine parameters. Where PyTorch raises for
    sets of one element (see :func:`normviz.layer_studies.set_behaviour`) this returns 0.

    Parameters
    ----------
    x : (N, C, *) or (N, T, D) floating tensor
    kind : {"batch", "layer", "instance", "group", "rms"}
    groups : int, optional
        G for GroupNorm, a divisor of C. G=1 is LayerNorm, G=C is InstanceNorm.
    eps : float
        Added to the biased variance under the square root.
    layout : {"nct", "ntd"}

    Returns
    -------
    tensor of x's shape and dtype

    Notes
    -----
    :math:`\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}` with :math:`\mu, \sigma^2` the
    mean and biased variance over :func:`reduction_axes`, computed in two passes (the mean, then
    the mean squared deviation from it), which is exact and stable for large offsets (a mean of
    1000 with a std of 0.01 in float32 is fine). The variance of the output is
    :math:`\sigma^2 / (\sigma^2 + \epsilon)`, just below 1. RMSNorm computes
    :math:`x / \sqrt{\overline{x^2} + \epsilon}` over LayerNorm's set, with no mean subtracted
    (Zhang & Sennrich 2019). The passes run on blocks of whole statistic
    groups small enough to stay in cache: :math:`x - \mu` is written to the output, its sum of
    squares taken from there, and the output scaled in place. Half-precision inputs are computed
    in float32 and rounded back.

    Examples
    --------
    >>> x = torch.tensor([[[1.0, 3.0]], [[5.0, 7.0]]])  # (N=2, C=1, L=2)
    >>> normalize(x, "instance", eps=0.0).tolist()
    [[[-1.0, 1.0]], [[-1.0, 1.0]]]
    >>> normalize(x, "batch", eps=0.0).flatten().tolist()[0]
    -1.341640...
    """
    check_range(eps, 0.0, math.inf, "eps")
    x = check_tensor(x, layout)
    channels = x.shape[2] if layout == "ntd" else x.shape[1]
    g = _check_kind(kind, x.ndim, layout, groups, channels)
    x3 = _as_akl(_working(x), kind, g, layout)
    if not LAYER_KINDS[kind].centered:
        mean, var = _moments(x3)
        scale = torch.rsqrt(var + mean.square() + eps).view(1, -1, 1)
        return (x3 * scale).reshape(x.shape).to(x.dtype)
    out = torch.empty_like(x3, memory_format=torch.contiguous_format)
    _moments(x3, eps, out)
    return out.reshape(x.shape).to(x.dtype)


def group_index(
    shape: Sequence[int], kind: str, groups: int | None = None, layout: str = "nct"
) -> torch.Tensor:
    """Label every element of a tensor of ``shape`` with the statistic group it belongs to.

    Parameters
    ----------
    shape : sequence of int
        (N, C, *) or (N, T, D).
    kind, groups, layout
        As in :func:`normalize`.

    Returns
    -------
    (shape) int64 tensor
        Values 0..K-1, numbered in order: batch c (or d), layer and rms n (or n*T + t),
        instance n*C + c, group n*G + c // (C/G).

    Examples
    --------
    >>> group_index((2, 4), "group", groups=2).tolist()
    [[0, 0, 1, 1], [2, 2, 3, 3]]
    >>> group_index((2, 3), "batch").tolist()
    [[0, 1, 2], [0, 1, 2]]
    """
    shape = tuple(int(s) for s in shape)
    x = torch.empty(shape, device="meta")
    check_tensor(x, layout)
    channels = shape[2] if layout == "ntd" else shape[1]
    g = _check_kind(kind, len(shape), layout, groups, channels)
    n, c = (shape[0] * shape[1], shape[2]) if layout == "ntd" else shape[:2]
    nn_ = torch.arange(n).reshape(n, 1)
    cc = torch.arange(c).reshape(1, c)
    spec = LAYER_KINDS[kind]
    channel = {"pooled": cc * 0, "grouped": cc // (c // g), "each": cc}[spec.channel_sets]
    per_sample = _rows(spec.channel_sets, c, g)  # the channel labels of one sample
    label = (channel if spec.pools_samples else nn_ * per_sample + channel).expand(n, c)
    tail = shape[2:] if layout == "nct" else ()
    return label.reshape(n, c, *(1,) * len(tail)).expand(n, c, *tail).reshape(shape).clone()


def update_running_stats(
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    x: torch.Tensor,
    momentum: float | None = None,
    convention: str = "pytorch",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return BatchNorm's running mean and variance after one training-mode batch ``x``.

    Parameters
    ----------
    running_mean, running_var : (C,) tensors
        The buffers before the batch (PyTorch starts them at 0 and 1).
    x : (N, C, *) floating tensor
    momentum : float in [0, 1], optional
        Defaults to 0.1 for ``"pytorch"`` and 0.99 for ``"keras"``.
    convention : {"pytorch", "keras"}
        ``"pytorch"``: running = (1 - m) * running + m * batch, with the *unbiased* batch variance
        (what ``nn.BatchNorm2d`` stores). ``"keras"``: moving = m * moving + (1 - m) * batch, with
        the *biased* batch variance (``keras.layers.BatchNormalization``; eps defaults to 1e-3
        there). The two agree on the mean when m_pytorch = 1 - m_keras.

    Returns
    -------
    (C,) tensors: new running_mean, new running_var

    Examples
    --------
    >>> x = torch.tensor([[1.0], [3.0]])  # (N=2, C=1): mean 2, biased var 1, unbiased var 2
    >>> m, v = update_running_stats(torch.zeros(1), torch.ones(1), x)
    >>> round(m.item(), 6), round(v.item(), 6)
    (0.2, 1.1)
    >>> m, v = update_running_stats(torch.zeros(1), torch.ones(1), x, convention="keras")
    >>> round(m.item(), 6), round(v.item(), 6)
    (0.02, 1.0)
    """
    check_choice(convention, CONVENTIONS, "convention")
    m = DEFAULT_MOMENTUM[convention] if momentum is None else float(momentum)
    check_range(m, 0.0, 1.0, "momentum")
    x = check_tensor(x)
    c = x.shape[1]
    for name, buf in (("running_mean", running_mean), ("running_var", running_var)):
        if not isinstance(buf, torch.Tensor) or buf.shape != (c,):
            got = tuple(buf.shape) if isinstance(buf, torch.Tensor) else type(buf).__name__
            raise ValueError(f"expected {name} of shape ({c},) (got {got})")
    count = x.numel() // c
    if count < 2:
        raise ValueError(
            f"expected more than 1 value per channel when training (got input of size "
            f"{list(x.shape)})"
        )
    mean, var = _moments(as_ncl(_working(x), "nct"))
    return blend_running_stats(
        running_mean, running_var, mean.to(x.dtype), var.to(x.dtype), count, m, convention
    )


def blend_running_stats(running_mean, running_var, mean, var, count: int, m: float, convention):
    """Return the running mean and variance after a batch of moments ``mean``, ``var``.

    The one place of the two conventions' update (:func:`update_running_stats` explains them);
    works on tensors, NumPy arrays and scalars alike, in their own dtype.

    Parameters
    ----------
    running_mean, running_var : tensors, arrays or scalars
        The running values before the batch.
    mean, var : same type
        The batch's mean and *biased* variance.
    count : int >= 2
        Values per channel in the batch (the unbiased variance is ``var * count / (count - 1)``).
    m : float in [0, 1]
        The convention's momentum.
    convention : {"pytorch", "keras"}

    Examples
    --------
    >>> blend_running_stats(0.0, 1.0, 2.0, 1.0, 2, 0.25, "pytorch")  # stores unbiased var 2
    (0.5, 1.25)
    >>> blend_running_stats(0.0, 1.0, 2.0, 1.0, 2, 0.75, "keras")  # the same mean; biased var
    (0.5, 1.0)
    """
    if convention == "pytorch":
        unbiased = var * (count / (count - 1))
        return (1 - m) * running_mean + m * mean, (1 - m) * running_var + m * unbiased
    return m * running_mean + (1 - m) * mean, m * running_var + (1 - m) * var
