"""The lab's MLP builder, seeded dropout, penalties and optimizers (re-exported by training)."""

from __future__ import annotations

import math

import torch
from torch import nn

from normviz.train_config import MOMENTUM, TrainConfig, norm_groups

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid}


class SeededDropout(nn.Dropout):
    """``nn.Dropout`` drawing its masks from its own ``torch.Generator``.

    Inverted dropout: in training mode each element is zeroed with probability ``p`` and the
    survivors are scaled by ``1 / (1 - p)``; in eval mode it is the identity. Unlike
    ``nn.Dropout`` it never touches torch's global random state, so two runs in one process
    (two users of the app) cannot disturb each other's masks.

    Shape: any; output has the input's shape.

    Examples
    --------
    >>> d = SeededDropout(0.5, torch.Generator().manual_seed(0))
    >>> y = d(torch.ones(1000))
    >>> sorted(set(y.tolist())), bool(d.eval()(torch.ones(3)).eq(1).all())
    ([0.0, 2.0], True)
    """

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = torch.empty_like(x).bernoulli_(keep, generator=self.generator)
        return x * mask.div_(keep)


def build_model(config: TrainConfig, generator: torch.Generator) -> nn.Sequential:
    """Return the MLP ``2 -> hidden... -> 2`` described by ``config``, seeded by ``generator``.

    Each hidden block is ``Linear, [norm], activation, [norm], [dropout]`` with the norm before
    or after the activation (``config.norm_position``). Norms: ``BatchNorm1d(w)``,
    ``LayerNorm(w)``, ``GroupNorm(norm_groups(w), w)``. Weights and biases are drawn
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` from ``generator`` (PyTorch's default ``nn.Linear``
    distribution, but from a private generator instead of the global one).

    Shape: input ``(N, 2)`` float32, output ``(N, 2)`` logits.

    Examples
    --------
    >>> m = build_model(TrainConfig(hidden=(4,), norm="group"), torch.Generator().manual_seed(0))
    >>> [type(layer).__name__ for layer in m]
    ['Linear', 'GroupNorm', 'ReLU', 'Linear']
    >>> m(torch.zeros(3, 2)).shape
    torch.Size([3, 2])
    """
    layers: list[nn.Module] = []
    width_in = 2
    for width in config.hidden:
        layers.append(nn.Linear(width_in, width))
        block = [_ACTIVATIONS[config.activation]()]
        if config.norm != "none":
            norm = _make_norm(config.norm, width)
            if config.norm_position == "before_activation":
                block.insert(0, norm)
            else:
                block.append(norm)
        layers += block
        if config.dropout > 0:
            layers.append(SeededDropout(config.dropout, generator))
        width_in = width
    layers.append(nn.Linear(width_in, 2))
    model = nn.Sequential(*layers)
    with torch.no_grad():
        for layer in linear_layers(model):
            bound = 1.0 / math.sqrt(layer.in_features)
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
    return model


def with_dropout(model: nn.Sequential, p: float, generator: torch.Generator) -> nn.Sequential:
    """Return ``model`` with dropout of rate ``p`` after each hidden block (none for ``p = 0``).

    The other layers are the same objects (their parameters, and an optimizer's state for
    them, carry over); existing dropout layers are dropped first. The layout is that of
    :func:`build_model`: a dropout layer sits just before every ``Linear`` but the first.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> m = build_model(TrainConfig(hidden=(4, 4)), g)
    >>> [type(x).__name__ for x in with_dropout(m, 0.3, g)]
    ['Linear', 'ReLU', 'SeededDropout', 'Linear', 'ReLU', 'SeededDropout', 'Linear']
    >>> with_dropout(m, 0.3, g)[0] is m[0], len(with_dropout(with_dropout(m, 0.3, g), 0.0, g))
    (True, 5)
    """
    kept = [layer for layer in model if not isinstance(layer, nn.Dropout)]
    layers: list[nn.Module] = []
    for layer in kept:
        if isinstance(layer, nn.Linear) and layers and p > 0:
            layers.append(SeededDropout(p, generator))
        layers.append(layer)
    out = nn.Sequential(*layers)
    out.train(model.training)
    return out


def _make_norm(kind: str, width: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm1d(width)
    if kind == "layer":
        return nn.LayerNorm(width)
    return nn.GroupNorm(norm_groups(width), width)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """Return the ``nn.Linear`` layers of ``model`` in order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def weight_tensors(model: nn.Module) -> list[torch.Tensor]:
    """Return the weight matrices of the linear layers (no biases, no norm affine parameters).

    These are the parameters the lab's L1, L2, weight norm and sparsity refer to.
    """
    return [layer.weight for layer in linear_layers(model)]


def penalty_l1(model: nn.Module, l1: float) -> torch.Tensor:
    """Return the L1 penalty ``l1 * sum(|w|)`` over the weights of ``model``'s linear layers.

    Biases and norm affine parameters are not penalized. The result is a 0-d tensor with a
    gradient ``l1 * sign(w)`` for each weight (ERRATA #2: this is the correct L1).

    Examples
    --------
    >>> m = nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = m.weight.copy_(torch.tensor([[1.0, -3.0]]))
    >>> p = penalty_l1(m, 0.5)
    >>> p.backward()
    >>> p.item(), m.weight.grad.tolist()
    (2.0, [[0.5, -0.5]])
    """
    return l1 * torch.stack([w.abs().sum() for w in weight_tensors(model)]).sum()


@torch.no_grad()
def prox_l1_(model: nn.Module, threshold: float) -> None:
    """Soft-threshold ``model``'s weights in place: ``w <- sign(w) * max(|w| - threshold, 0)``.

    This is the proximal operator of ``threshold * |w|`` (proximal gradient descent, ISTA): the
    lab applies it after each optimizer step with ``threshold = lr * l1`` when
    ``l1_method="proximal"``. Weights with ``|w| <= threshold`` become exactly zero; the others
    move ``threshold`` toward zero. Only the linear layers' weights are touched (the same
    tensors as :func:`weight_tensors` and :func:`penalty_l1`).

    Examples
    --------
    >>> m = nn.Linear(3, 1)
    >>> with torch.no_grad():
    ...     _ = m.weight.copy_(torch.tensor([[0.05, -0.3, 0.2]]))
    >>> prox_l1_(m, 0.1)
    >>> [round(v, 6) for v in m.weight.flatten().tolist()]
    [0.0, -0.2, 0.1]
    """
    if threshold <= 0:
        return
    for w in weight_tensors(model):
        w.copy_(w.sign() * (w.abs() - threshold).clamp_min_(0.0))


def penalty_l1_notes(model: nn.Module, l1: float) -> torch.Tensor:
    """Return the study notes' "L1", ``l1 * sum(p.numel())``: a constant that regularizes nothing.

    ``p.numel()`` is a parameter count, not a function of the weights, so the term's gradient
    is zero and adding it to the loss changes no update (ERRATA #2). Kept to demonstrate that.

    Examples
    --------
    >>> p = penalty_l1_notes(nn.Linear(2, 1), 0.1)  # 2 weights + 1 bias = 3 parameters
    >>> round(float(p), 6), p.requires_grad
    (0.3, False)
    """
    total = 0.0
    for p in model.parameters():
        total = total + p.numel()
    return torch.tensor(l1 * total)


def make_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    """Return the optimizer named by ``config``, with L2 as ``weight_decay`` on weights only.

    ``sgd``: ``SGD``; ``momentum``: ``SGD(momentum=0.9)``; ``adam``: ``Adam`` (coupled L2: the
    decay is added to the gradient before the adaptive scaling); ``adamw``: ``AdamW`` (decoupled:
    the weights are multiplied by ``1 - lr * l2`` each step, independent of the gradient scale;
    see :func:`normviz.lab_text.l2_rule`). Biases and
    norm affine parameters are in a group with ``weight_decay=0`` (when ``l2 == 0`` all
    parameters share one group). Note AdamW's own default decay
    (0.01) is not used: ``l2=0`` means no decay for every optimizer.

    Adam and AdamW use the fused CPU kernel: for these tiny models the per-call overhead
    dominates, and one fused call per step measured faster than the per-tensor loop
    (``bench/bench_training.py``). The result is deterministic either way.
    """
    weights = weight_tensors(model)
    ids = {id(w) for w in weights}
    others = [p for p in model.parameters() if id(p) not in ids]
    groups = [
        {"params": weights, "weight_decay": config.l2},
        {"params": others, "weight_decay": 0.0},
    ]
    if config.l2 == 0:  # one group: one optimizer kernel call per step instead of two
        groups = [{"params": [*weights, *others], "weight_decay": 0.0}]
    lr = config.lr
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if config.optimizer == "momentum":
        return torch.optim.SGD(groups, lr=lr, momentum=MOMENTUM)
    if config.optimizer == "adam":
        return torch.optim.Adam(groups, lr=lr, fused=True)
    return torch.optim.AdamW(groups, lr=lr, fused=True)
