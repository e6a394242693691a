"""The layers page's captions and tab texts, built from the objects that computed them.

Beside :mod:`normviz.layer_text` (the lesson's sentences about sets, moments and statistics):
the data caption, the small cubes' titles, the GroupNorm tab's metrics, the tokens tab's
sentences and LaTeX, the running-statistics tab's conventions and buffers, and the batch-size
tab's paragraph. Markdown is Streamlit's; no streamlit import.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from normviz.layer_kinds import LAYER_KINDS, kind_of, kinds_for
from normviz.layer_links import CONVENTIONS
from normviz.layer_studies import BatchNoise, CubeInfo, GroupNormCheck
from normviz.layer_text import format_difference, noise_text
from normviz.layers import statistics

CONVENTIONS_TEX = (
    r"{\text{PyTorch: } \hat\mu \leftarrow (1-m)\,\hat\mu + m\,\mu_B,}\ \allowbreak"
    r"{\hat\sigma^2 \leftarrow (1-m)\,\hat\sigma^2 + m\,\tfrac{|B|}{|B|-1}\sigma_B^2}"
    r"\qquad\allowbreak{\text{Keras: } \hat\mu \leftarrow \alpha\,\hat\mu + (1-\alpha)\,\mu_B}"
)
"""The two running-average conventions (checked in tests/unit/test_layer_captions.py).

Each equation is one brace group (as :data:`normviz.layer_kinds.FORMULAS`): KaTeX may end a
line after any top-level relation or binary operator, and broke this line right after an arrow
on a narrow screen; a group never breaks, so the line wraps only at its ``\\allowbreak``.
"""

GROUPNORM_MISCONCEPTION = (
    '**Misconception:** "GroupNorm with one group is BatchNorm". **Truth:** G=1 is '
    "LayerNorm and G=C is InstanceNorm (float rounding above); no G gives BatchNorm, "
    "because GroupNorm never mixes the samples of a batch (the large difference on the "
    "right)."
)
"""ERRATA 1, shown under the GroupNorm tab's measured differences."""

# What one set of an (N, T, D) input is, per pooled axes (LaTeX text).
_TOKEN_SETS = {
    ("D",): r"each token } (n, t) \text{ over its } D \text{ features",
    ("N", "T"): r"each feature } d \text{ over all } N \cdot T \text{ tokens",
}


def source_caption(n: int, side: int, photo: bool) -> str:
    """Return the caption of image-crop data: how many crops of what.

    Parameters
    ----------
    n, side : int
        Crops and their side, as :func:`normviz.tensors.crop_batch` takes them.
    photo : bool
        Whether the bundled photograph is used (else a synthetic test picture).

    Examples
    --------
    >>> source_caption(4, 3, False)
    '4 random 3×3 crops of a synthetic test picture.'
    """
    if photo:
        return (
            f"{n} random {side}×{side} crops of the *coffee* photograph (downscaled), RGB "
            "channels (repeated when C > 3)."
        )
    return f"{n} random {side}×{side} crops of a synthetic test picture."


def tile_title(info: CubeInfo) -> str:
    """Return the Markdown title above a small cube: the layer, and G for GroupNorm.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((2, 4, 4), dtype=np.int64)
    >>> tile_title(CubeInfo("group", 2, ("N", "C", "H·W"), labels, (0.0,), (1.0,)))
    '**GroupNorm** (G=2)'
    """
    spec = kind_of(info.kind)
    param = spec.params[0] if spec.params else None
    return f"**{spec.label}**" + (f" ({param.symbol}={info.groups})" if param else "")


class Metric(NamedTuple):
    """One measured number as a page shows it: label and formatted value."""

    label: str
    value: str


def groupnorm_metrics(check: GroupNormCheck) -> tuple[Metric, Metric, Metric]:
    """Return the GroupNorm tab's three measured differences, labelled with C.

    Examples
    --------
    >>> from normviz.layer_studies import groupnorm_check
    >>> [m.label for m in groupnorm_metrics(groupnorm_check(torch.randn(2, 6, 3)))]
    ['max |GN(G=1) − LayerNorm|', 'max |GN(G=6) − InstanceNorm|', 'max |GN(G=1) − BatchNorm|']
    """
    c = check.shape[1]
    return (
        Metric("max |GN(G=1) − LayerNorm|", format_difference(check.g1_vs_layer)),
        Metric(f"max |GN(G={c}) − InstanceNorm|", format_difference(check.gc_vs_instance)),
        Metric("max |GN(G=1) − BatchNorm|", format_difference(check.g1_vs_batch, ".2f")),
    )


def embedding_text(emb: torch.Tensor) -> str:
    """Return how many means BatchNorm and LayerNorm take of an (N, D) batch of embeddings.

    Examples
    --------
    >>> embedding_text(torch.randn(2, 256))[:60]
    '**A batch of 2 embeddings of size 256**, shape `(2, 256)`: B'
    """
    n, d = emb.shape
    bn_mean = statistics(emb, "batch")[0]
    ln_mean = statistics(emb, "layer")[0]
    return (
        f"**A batch of {n} embeddings of size {d}**, shape `{(n, d)}`: BatchNorm1d gives "
        f"`{tuple(bn_mean.shape)}` → **{bn_mean.numel()} means** (one per feature, each from "
        f"just {n} values); LayerNorm gives `{tuple(ln_mean.shape)}` → "
        f"**{ln_mean.numel()} means** (one per embedding, over its {d} features)."
    )


def token_sets_tex() -> str:
    r"""Return the LaTeX of each kind's sets in an (N, T, D) input, from the table.

    Kinds that pool the same axes share a clause, in table order of their first member.

    Examples
    --------
    >>> print(token_sets_tex().replace(r"\quad", r"\quad" + "\n"))
    \text{BatchNorm: each feature } d \text{ over all } N \cdot T \text{ tokens;}\quad
    \text{LayerNorm, RMSNorm: each token } (n, t) \text{ over its } D \text{ features}
    """
    clauses: dict[tuple[str, ...], list[str]] = {}
    for key in kinds_for("ntd"):
        spec = LAYER_KINDS[key]
        clauses.setdefault(tuple(spec.pooled["ntd"]), []).append(spec.label)
    opened = [rf"\text{{{', '.join(names)}: {_TOKEN_SETS[p]}" for p, names in clauses.items()]
    return r";}\quad".join(opened) + "}"


def momentum_text(convention: str, momentum: float, population: tuple[float, float]) -> str:
    """Return the momentum in both conventions and which batch variance each stores.

    Parameters
    ----------
    convention : {"pytorch", "keras"}
    momentum : float
        The convention's momentum (PyTorch: weight of the new batch; Keras: of the old value).
    population : (mean, variance)
        Of the stream the chart draws.

    Examples
    --------
    >>> momentum_text("keras", 0.9, (2.0, 9.0))[:52]
    'Keras momentum **0.90** = PyTorch momentum **0.10** '
    """
    other = {"pytorch": "keras", "keras": "pytorch"}[convention]
    return (
        f"{CONVENTIONS[convention]} momentum **{momentum:.2f}** = "
        f"{CONVENTIONS[other]} momentum **{1 - momentum:.2f}** "
        "($m_{PyTorch} = 1 - \\alpha_{Keras}$). PyTorch stores the *unbiased* batch "
        "variance in `running_var` but normalizes in training with the *biased* one; Keras "
        f"stores the biased one. Population: mean {population[0]:g}, variance "
        f"{population[1]:g} (dashed)."
    )


def buffers_text(c: int) -> str:
    """Return BatchNorm's buffers and parameters, read from ``nn.BatchNorm2d(c)`` itself.

    Examples
    --------
    >>> print(buffers_text(6)[-60:])
    'num_batches_tracked']` and parameters `['weight', 'bias']`.
    """
    bn = torch.nn.BatchNorm2d(c)
    buffers = [name for name, _ in bn.named_buffers()]
    params = [name for name, _ in bn.named_parameters()]
    return (
        "`running_mean` and `running_var` are **buffers** (`model.buffers()`), updated by the "
        "forward pass, not by the optimizer; only `weight` and `bias` are parameters. "
        f"nn.BatchNorm2d({c}) has buffers `{buffers}` and parameters `{params}`."
    )


def batch_size_text(noise: BatchNoise, trials: int) -> str:
    """Return the batch-size tab's paragraph: the study's spreads and why GroupNorm exists.

    Examples
    --------
    >>> noise = BatchNoise((2, 512), ("batch", "layer"), ((0.169, 0.014), (0.0, 0.0)))
    >>> batch_size_text(noise, 8)[:58]
    'One fixed sample is normalized inside 8 random batches of '
    """
    return (
        f"One fixed sample is normalized inside {trials} random batches of its population per "
        f"batch size. {noise_text(noise)} "
        "That is why GroupNorm exists: detection and segmentation models train with 1-2 images "
        "per GPU, where BatchNorm's statistics are mostly noise. The noise also regularizes a "
        "little. BatchNorm was motivated by reducing *internal covariate shift* (Ioffe & "
        "Szegedy 2015); Santurkar et al. (2018) found its benefit comes mainly from a "
        "smoother loss landscape."
    )
