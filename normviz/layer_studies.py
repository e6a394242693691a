"""Studies built on :mod:`normviz.layers`: loops over data that the layers lesson plots.

BatchNorm's running statistics (re-exported from :mod:`normviz.layer_running`), GroupNorm's two
equivalences measured with torch's modules (and the misconception that G=1 is BatchNorm), what
each kind does with sets of one element (and where PyTorch raises), the moments after
normalizing, the effect of padding tokens, the batch-size noise of BatchNorm's statistics, the
per-(sample, channel) moments of a tensor and the cube view. Records are NamedTuples of plain
floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from normviz.layer_kinds import KINDS, LAYER_KINDS, groups_for, kind_of
from normviz.layer_running import (  # noqa: F401 - the layers lesson's one import point
    DEFAULT_EPS,
    MAX_BATCHES,
    MIN_BATCHES,
    POPULATION,
    TIME_CONSTANTS,
    RunningTrace,
    running_study,
    running_trace,
    stream_length,
    time_constant,
)
from normviz.layers import (
    as_ncl,
    check_tensor,
    group_index,
    normalize,
    reduction_axes,
    statistics,
)
from normviz.tensors import synthetic_batch


class GroupNormCheck(NamedTuple):
    """GroupNorm at the ends of its range against other torch modules, and their parameters.

    Differences are max absolute differences of the modules' outputs (default init, so their
    affine parts are the identity), NaN where a module raises (``error`` says why). The weight
    shapes are those of the modules' ``weight`` parameters; InstanceNorm has none unless built
    with ``affine=True`` (``in_affine_default`` is its default), the shape given is for that.
    """

    g1_vs_layer: float
    gc_vs_instance: float
    g1_vs_batch: float
    gn_weight_shape: tuple[int, ...]
    ln_weight_shape: tuple[int, ...]
    in_affine_default: bool
    in_weight_shape: tuple[int, ...]
    error: str = ""
    shape: tuple[int, ...] = ()


def groupnorm_check(x: torch.Tensor, eps: float = 1e-5) -> GroupNormCheck:
    """Return how far ``nn.GroupNorm`` at G=1 and G=C is from LayerNorm, InstanceNorm, BatchNorm.

    Compares torch's own modules: ``nn.GroupNorm(1, C)`` with ``nn.LayerNorm(x.shape[1:])``,
    ``nn.GroupNorm(C, C)`` with ``nn.InstanceNorm{1,2,3}d(C)``, and ``nn.GroupNorm(1, C)`` with
    training-mode ``F.batch_norm`` (the misconception "G=1 is BatchNorm").

    Parameters
    ----------
    x : (N, C, *) floating tensor, 3D to 5D
    eps : float

    Returns
    -------
    GroupNormCheck
        The first two are float rounding (~1e-7, different kernels); the third is large whenever
        the samples of the batch differ: GroupNorm never mixes samples, so no G gives BatchNorm.

    Examples
    --------
    >>> x = torch.arange(16.0).reshape(2, 2, 4)
    >>> check = groupnorm_check(x)
    >>> check.g1_vs_layer < 1e-6, check.gc_vs_instance < 1e-6, check.g1_vs_batch > 0.5
    (True, True, True)
    >>> check.gn_weight_shape, check.ln_weight_shape, check.in_affine_default, check.in_weight_shape
    ((2,), (2, 4), False, (2,))
    """
    x = check_tensor(x)
    if x.ndim < 3:
        raise ValueError(f"expected a 3D to 5D (N, C, *) tensor (got {x.ndim}D)")
    c = x.shape[1]
    gn1, gnc = nn.GroupNorm(1, c, eps=eps), nn.GroupNorm(c, c, eps=eps)
    ln = nn.LayerNorm(tuple(x.shape[1:]), eps=eps)
    in_class = {3: nn.InstanceNorm1d, 4: nn.InstanceNorm2d, 5: nn.InstanceNorm3d}[x.ndim]
    inorm, in_affine = in_class(c, eps=eps), in_class(c, eps=eps, affine=True)
    errors: list[str] = []

    def run(module, name: str = "") -> torch.Tensor | None:
        try:
            return module(x)
        except (ValueError, RuntimeError) as exc:  # one-element sets, as PyTorch words it
            errors.append(f"{name or type(module).__name__}: {exc}")
            return None

    def diff(a: torch.Tensor | None, b: torch.Tensor | None) -> float:
        if a is None or b is None:
            return math.nan
        return float((a - b).abs().max()) if a.numel() else 0.0

    with torch.no_grad():
        y1 = run(gn1)
        batch = run(lambda t: F.batch_norm(t, None, None, training=True, eps=eps), "batch_norm")
        return GroupNormCheck(
            diff(y1, run(ln)),
            diff(run(gnc), run(inorm)),
            diff(y1, batch),
            tuple(gn1.weight.shape),
            tuple(ln.weight.shape),
            bool(inorm.affine),
            tuple(in_affine.weight.shape),
            "; ".join(dict.fromkeys(errors)),
            tuple(x.shape),
        )


class SetBehaviour(NamedTuple):
    """What a normalization does with the sets of one input shape, and whether PyTorch raises.

    ``torch_raises`` is for training mode (InstanceNorm without running statistics uses the
    input's statistics, and raises, in eval mode too); ``torch_message`` is PyTorch's message.
    """

    kind: str
    sets: int
    set_size: int
    torch_raises: bool
    torch_message: str


def set_behaviour(shape: Sequence[int], kind: str, groups: int | None = None) -> SetBehaviour:
    """Return the set size of ``kind`` for an (N, C, *) ``shape`` and whether PyTorch raises.

    PyTorch refuses to normalize a set of one value where it would return 0 for every input:
    ``F.batch_norm`` in training when N * H * W == 1, ``F.instance_norm`` when H * W == 1,
    ``F.group_norm`` when N * (C / G) * H * W == 1 (its check looks at the batch as a whole, so
    with N > 1 it returns zeros for one-element groups). ``F.layer_norm`` and ``F.rms_norm`` never
    raise: a one-element LayerNorm set gives 0, an RMSNorm one ``x / sqrt(x^2 + eps)``.
    :func:`normviz.layers.normalize` never raises and gives those values.

    Parameters
    ----------
    shape : sequence of int
        (N, C, *), 2D to 5D.
    kind : {"batch", "layer", "instance", "group", "rms"}
    groups : int, optional
        G for ``"group"``.

    Examples
    --------
    >>> set_behaviour((1, 6, 1, 1), "batch")
    SetBehaviour(kind='batch', sets=6, set_size=1, torch_raises=True, \
torch_message='Expected more than 1 value per channel when training, got input size \
torch.Size([1, 6, 1, 1])')
    >>> set_behaviour((2, 6, 1, 1), "group", 6)[:4]
    ('group', 12, 1, False)
    """
    shape = tuple(int(s) for s in shape)
    labels = group_index(shape, kind, groups)
    sets = int(labels.max()) + 1 if labels.numel() else 0
    size = labels.numel() // sets if sets else 0
    spec = kind_of(kind)
    message = ""
    if spec.torch_one_element and size == 1 and (shape[0] == 1 or not spec.torch_checks_batch):
        named: object = torch.Size(shape)
        if spec.channel_sets == "grouped" and groups:  # the view torch's group_norm checks
            named = [shape[0] * shape[1] // groups, groups, *shape[2:]]
        message = spec.torch_one_element.format(size=named)
    return SetBehaviour(kind, sets, size, bool(message), message)


class AfterMoments(NamedTuple):
    """Moments of each set of a normalized tensor, measured (float64): ranges over the K sets."""

    kind: str
    sets: int
    set_size: int
    eps: float
    max_abs_mean: float
    var_min: float
    var_max: float
    mean_square_min: float
    mean_square_max: float


def after_moments(
    x: torch.Tensor, kind: str, groups: int | None = None, eps: float = 1e-5
) -> AfterMoments:
    """Return the measured mean, variance and mean square of each set after normalizing ``x``.

    Computed in float64 so the gap below 1 (``var / (var + eps)``) is not float32 rounding.

    Parameters
    ----------
    x : (N, C, *) floating tensor
    kind : {"batch", "layer", "instance", "group", "rms"}
    groups : int, optional
        G for ``"group"`` (ignored otherwise).
    eps : float

    Returns
    -------
    AfterMoments
        The K sets' largest |mean|, smallest and largest biased variance and mean square.

    Examples
    --------
    >>> after = after_moments(torch.tensor([[[1.0, 3.0]], [[5.0, 9.0]]]), "instance", eps=1e-2)
    >>> round(after.var_min, 6), round(after.var_max, 6), after.max_abs_mean
    (0.990099, 0.997506, 0.0)
    """
    x = check_tensor(x).double()
    g = groups_for(kind, groups)
    y = normalize(x, kind, g, eps)
    labels = group_index(x.shape, kind, g).reshape(-1)
    sets = int(labels.max()) + 1 if labels.numel() else 0
    flat = y.reshape(-1)
    count = torch.zeros(sets, dtype=torch.float64).index_add_(0, labels, torch.ones_like(flat))
    mean = torch.zeros(sets, dtype=torch.float64).index_add_(0, labels, flat) / count
    square = torch.zeros(sets, dtype=torch.float64).index_add_(0, labels, flat.square()) / count
    dev = torch.zeros(sets, dtype=torch.float64).index_add_(
        0, labels, (flat - mean[labels]).square()
    )
    var = dev / count
    return AfterMoments(
        kind, sets, flat.numel() // max(sets, 1), float(eps), float(mean.abs().max()),
        float(var.min()), float(var.max()), float(square.min()), float(square.max()),
    )  # fmt: skip


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
    population = check_tensor(population)
    sizes = tuple(int(b) for b in batch_sizes)
    if trials < 2 or not sizes or min(sizes) < 2 or max(sizes) > population.shape[0] - 1:
        raise ValueError(
            f"expected trials >= 2 and batch sizes in [2, {population.shape[0] - 1}] "
            f"(got trials={trials}, batch_sizes={sizes})"
        )
    gen = torch.Generator().manual_seed(seed)
    values = torch.empty(len(kinds), len(sizes), trials, dtype=torch.float64)
    zero = torch.zeros(1, dtype=torch.long)
    for j, b in enumerate(sizes):
        # The trials' batches drawn in the same order as one at a time, then normalized at once:
        # (trials, B, C, *) folded so that each trial's sets stay its own sets.
        picks = [
            torch.cat([zero, torch.randperm(population.shape[0] - 1, generator=gen)[: b - 1] + 1])
            for _ in range(trials)
        ]
        stack = population[torch.stack(picks)]  # (trials, B, C, *)
        rest = stack.shape[2:]
        for k, kind in enumerate(kinds):
            g = groups_for(kind, groups)
            if LAYER_KINDS[
                kind
            ].pools_samples:  # per channel over its batch: trials become more channels
                folded = stack.transpose(0, 1).reshape(b, trials * rest[0], *rest[1:])
                out = normalize(folded, kind, g).reshape(b, trials, *rest)
                values[k, j] = out[0, :, 0].reshape(trials, -1)[:, 0]
            else:  # per sample: trials become more samples
                out = normalize(stack.reshape(trials * b, *rest), kind, g)
                values[k, j] = out.reshape(trials, b, -1)[:, 0, 0]
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
    x = check_tensor(x)
    var, mean = torch.var_mean(as_ncl(x, "nct").double(), dim=2, correction=0)
    return mean.tolist(), var.sqrt().tolist()


class MomentsStudy(NamedTuple):
    """Per-(sample, channel) mean and std before and after a normalization, as (N, C) lists.

    The fields are the arguments of :func:`normviz.figures.layers.moments_info` in order.
    """

    before_mean: list[list[float]]
    before_std: list[list[float]]
    after_mean: list[list[float]]
    after_std: list[list[float]]
    title: str


def moments_study(x: torch.Tensor, kind: str, groups: int | None = None) -> MomentsStudy:
    """Return the moments of each (sample, channel) of ``x`` before and after ``kind``.

    Parameters
    ----------
    x : (N, C, *) floating tensor
    kind : str
        A key of :data:`normviz.layer_kinds.LAYER_KINDS`.
    groups : int, optional
        G, used only by kinds that take groups.

    Examples
    --------
    >>> study = moments_study(torch.tensor([[[1.0, 3.0]], [[5.0, 9.0]]]), "instance")
    >>> study.before_mean, study.after_mean, study.title
    ([[2.0], [7.0]], [[0.0], [0.0]], 'after InstanceNorm')
    """
    before = channel_moments(x)
    after = channel_moments(normalize(x, kind, groups_for(kind, groups)))
    return MomentsStudy(*before, *after, f"after {kind_of(kind).label}")


NOISE_SIZES = (2, 4, 8, 16, 32, 64, 128, 256, 512)
"""The batch sizes of the lesson's batch-noise study."""


def noise_study(trials: int = 16) -> BatchNoise:
    """Return the lesson's batch-noise study: :func:`batch_noise` on a fixed population.

    600 seeded samples (4 channels, 4 x 4) whose means and scales differ per sample, batch
    sizes :data:`NOISE_SIZES`, BatchNorm, LayerNorm and GroupNorm (G = 2), seed 0.

    Examples
    --------
    >>> noise = noise_study(8)
    >>> noise.batch_sizes == NOISE_SIZES, noise.kinds
    (True, ('batch', 'layer', 'group'))
    """
    pop = synthetic_batch(600, 4, 4, 4, sample_offset=2.0, sample_scale=1.0, seed=1)
    return batch_noise(pop, NOISE_SIZES, trials=trials, seed=0)


class PaddingEffect(NamedTuple):
    """How padding tokens change BatchNorm and LayerNorm on the real tokens of (N, T, D) data."""

    pad_tokens: int
    bn_mean_shift: float  # max |change| of BatchNorm's per-feature means
    bn_out_change: float  # max |change| of BatchNorm's output on the real tokens
    ln_out_change: float  # max |change| of LayerNorm's output on the real tokens


def padding_effect(tokens: torch.Tensor, pad: int) -> PaddingEffect:
    """Return what appending ``pad`` zero tokens to every sequence does to the real tokens.

    BatchNorm (each feature over all N*T tokens) counts the padding in its statistics; LayerNorm
    (each token over its D features) does not look at other tokens at all.

    Parameters
    ----------
    tokens : (N, T, D) floating tensor
    pad : int >= 1

    Examples
    --------
    >>> effect = padding_effect(torch.arange(24.0).reshape(2, 3, 4), 2)
    >>> effect.bn_mean_shift > 0, effect.bn_out_change > 0, effect.ln_out_change
    (True, True, 0.0)
    """
    tokens = check_tensor(tokens, "ntd")
    if pad < 1:
        raise ValueError(f"expected pad >= 1 (got {pad})")
    n, t, d = tokens.shape
    padded = torch.cat([tokens, tokens.new_zeros(n, pad, d)], dim=1)

    def change(kind: str) -> float:
        a = normalize(tokens, kind, layout="ntd")
        b = normalize(padded, kind, layout="ntd")[:, :t]
        return float((a - b).abs().max())

    shift = (
        statistics(tokens, "batch", layout="ntd")[0] - statistics(padded, "batch", layout="ntd")[0]
    )
    return PaddingEffect(pad, float(shift.abs().max()), change("batch"), change("layer"))


class CubeInfo(NamedTuple):
    """A tensor viewed as an (A, B, L) cube and the statistic group of each element.

    ``labels`` is an (A, B, L) int64 numpy array (values 0..K-1); ``means`` and ``stds`` hold the
    K groups' mean and biased standard deviation (for ``"rms"``: 0 and the root mean square);
    ``axis_names`` name the three axes. ``reduced`` names the axes each set is pooled over (from
    :func:`normviz.layers.reduction_axes`; ``"C/G"`` is a group's channels) and ``kept[k]`` the
    index each set k keeps on every other axis, as (lower-case axis name, index) pairs, read from
    the labels (``"g"`` is the group of channels).
    """

    kind: str
    groups: int | None
    axis_names: tuple[str, str, str]
    labels: np.ndarray
    means: tuple[float, ...]
    stds: tuple[float, ...]
    reduced: tuple[str, ...] = ()
    kept: tuple[tuple[tuple[str, int], ...], ...] = ()


def _set_names(
    shape: tuple[int, ...], kind: str, groups: int | None, layout: str, full: torch.Tensor
) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, int], ...], ...]]:
    """Axes reduced over and, per set, the index kept on each other axis of a tensor of shape."""
    ndim = len(shape)
    if layout == "ntd":
        names = ["N", "T", "D"]
    else:  # spatial axes merge into the cube's third axis
        names = ["N", "C", *(["H·W" if ndim == 4 else "L"] * (ndim - 2))]
    grouped = kind_of(kind).channel_sets == "grouped" and groups
    if grouped:  # axes of the view (N, G, C/G, *spatial)
        names = [names[0], "G", "C/G", *names[2:]]
    axes = reduction_axes(kind, ndim, layout)
    reduced = tuple(dict.fromkeys(names[a] for a in axes))
    keep = [a for a in range(len(names)) if a not in axes]
    flat = full.reshape(-1).numpy()
    _, first = np.unique(flat, return_index=True)  # first element of each set, in label order
    coords = np.stack(np.unravel_index(first, shape), axis=1) if first.size else np.zeros((0, 2))
    per_group = shape[1] // groups if grouped else 1
    kept = []
    for row in coords:
        view = [int(row[0]), int(row[1]) // per_group] if grouped else [int(v) for v in row]
        kept.append(tuple((names[a].lower(), view[a]) for a in keep))
    return reduced, tuple(kept)


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
    >>> info.reduced, info.kept
    (('N', 'L'), ((('c', 0),), (('c', 1),)))
    >>> cube_info(torch.zeros(2, 3, 4), "layer", layout="ntd").kept[4]
    (('n', 1), ('t', 1))
    """
    x = check_tensor(x, layout)
    if x.ndim not in (3, 4):
        raise ValueError(f"expected a 3D or 4D (N, C, *) tensor (got {x.ndim}D)")
    names = ("N", "T", "D") if layout == "ntd" else ("N", "C", "H·W" if x.ndim == 4 else "L")
    full = group_index(x.shape, kind, groups, layout)
    labels = full.reshape(x.shape[0], x.shape[1], -1)
    mean, var = statistics(x, kind, groups, layout)
    flat = labels.reshape(-1)
    count = int(flat.max()) + 1 if flat.numel() else 0
    m = torch.zeros(count, dtype=torch.float64).index_copy_(
        0, flat, mean.expand(x.shape).reshape(-1).double()
    )
    v = torch.zeros(count, dtype=torch.float64).index_copy_(
        0, flat, var.expand(x.shape).reshape(-1).double()
    )
    reduced, kept = _set_names(tuple(x.shape), kind, groups, layout, full)
    return CubeInfo(
        kind, groups, names, labels.numpy(), tuple(m.tolist()), tuple(v.sqrt().tolist()),
        reduced, kept,
    )  # fmt: skip


def cube_infos(x: torch.Tensor, groups: int) -> list[CubeInfo]:
    """Return the cube view of ``x`` for every layer kind, in table order (G for GroupNorm).

    Examples
    --------
    >>> [i.kind for i in cube_infos(torch.zeros(2, 4, 3, 3), 2)]
    ['batch', 'layer', 'instance', 'group', 'rms']
    """
    return [cube_info(x, k, groups_for(k, groups)) for k in KINDS]
