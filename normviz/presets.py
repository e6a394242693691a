"""The lab's compare-mode presets: two runs, A and B, and what to look for in them.

Each :class:`Preset` fixes every setting its claims depend on (the ``common`` overrides cover
all :class:`~normviz.training.TrainConfig` fields but the seed), so the page trains exactly the
runs that ``tests/unit/test_presets.py`` trains and checks. Its "what to look for" text is built
by a function of the two configs, so any number it states (updates per epoch, a learning rate, a
decay factor) is computed from the runs it describes. The seed comes from the page's controls;
the claims are checked with seed :data:`CHECKED_SEED`, and the text says so for another seed.

"Custom" takes run A from the page's controls and run B from its own overrides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from normviz._config import TrainConfig
from normviz.batchplan import updates_per_epoch
from normviz.toydata import DATASETS

__all__ = [
    "CHECKED_SEED",
    "PRESETS",
    "PRESET_NAMES",
    "Preset",
    "n_train",
    "preset_configs",
    "preset_text",
]

CHECKED_SEED = 0


def n_train(config: TrainConfig) -> int:
    """Return the number of training points of ``config``'s split (the lab's stratified rule).

    Each class of the generated data (``n // 2`` and ``n - n // 2`` points) holds out
    ``round(len * test_fraction)`` points (half up), at least 1 and at most ``len - 1``.

    Examples
    --------
    >>> n_train(TrainConfig(n_samples=400, test_fraction=0.5)), n_train(TrainConfig(n_samples=67))
    (200, 33)
    """
    total = 0
    for size in (config.n_samples // 2, config.n_samples - config.n_samples // 2):
        n_test = min(max(int(size * config.test_fraction + 0.5), 1), size - 1)
        total += size - n_test
    return total


def _updates(config: TrainConfig) -> int:
    """Updates per epoch of ``config`` as the trainer counts them (BatchNorm merge included)."""
    n = n_train(config)
    per = updates_per_epoch(n, config.batch_size)
    merge = config.norm == "batch" and n % config.batch_size == 1 and per > 1
    return per - merge


@dataclass(frozen=True)
class Preset:
    """One compare-mode experiment.

    Attributes
    ----------
    name : str
        Display name, the key of :data:`PRESETS` and the URL's ``preset`` value.
    common, a, b : mapping of str to value
        :class:`TrainConfig` overrides: ``common`` for both runs, then ``a`` for run A and
        ``b`` for run B (read-only mappings).
    describe : callable
        ``describe(config_a, config_b) -> str``: the "what to look for" text (Markdown).
    """

    name: str
    common: Mapping[str, Any]
    a: Mapping[str, Any]
    b: Mapping[str, Any]
    describe: Callable[[TrainConfig, TrainConfig], str] = dataclasses.field(compare=False)

    def __post_init__(self) -> None:
        for field in ("common", "a", "b"):
            object.__setattr__(self, field, MappingProxyType(dict(getattr(self, field))))


def _pin(**overrides: Any) -> dict[str, Any]:
    """Every TrainConfig field but the seed at its default, then ``overrides``."""
    base = {f.name: getattr(TrainConfig(), f.name) for f in dataclasses.fields(TrainConfig)}
    del base["seed"]
    unknown = set(overrides) - set(base)
    if unknown:
        raise ValueError(f"unknown TrainConfig fields {sorted(unknown)}")
    return {**base, **overrides}


def _seed_note(a: TrainConfig) -> str:
    if a.seed == CHECKED_SEED:
        return ""
    return (
        f" (These observations were checked with seed {CHECKED_SEED}; with seed {a.seed} the "
        "details can differ.)"
    )


# -- the "what to look for" texts ------------------------------------------------------------


def _dropout_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        f"A big network ({'-'.join(map(str, a.hidden))} units) on {n_train(a)} noisy training "
        f"points overfits: A's train loss keeps falling while its test loss turns up after an "
        f"early minimum. Dropout {b.dropout:g} (B) keeps the gap between test and train loss "
        "smaller. A smaller gap is not the same as better generalization: here B ends with a "
        "lower test loss than A but a lower test accuracy, and A's best test loss (at its "
        "early minimum) is lower than anything B reaches. Judge a regularizer by the test "
        "numbers, not by the gap." + _seed_note(a)
    )


def _l1_l2_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        f"Watch the weight histograms. L1 λ₁ = {a.l1:g} (A) piles weights into the bin around "
        f"zero: its sparsity (share of weights with |w| < 0.001) rises far above B's. Trained "
        "with the subgradient (the L1 term in the loss), those weights jitter around zero and "
        "almost none is exactly zero; the *L1: subgradient vs proximal* preset shows how to get "
        f"exact zeros. L2 λ₂ = {b.l2:g} (B) narrows the bell, with a weight norm close to A's, "
        "but leaves almost no weight near zero." + _seed_note(a)
    )


def _prox_text(a: TrainConfig, b: TrainConfig) -> str:
    thr = b.lr * b.l1
    return (
        f"Same L1 strength λ₁ = {a.l1:g}, two ways to apply it. A adds λ₁·Σ|w| to the loss "
        "(subgradient): its weights gather near zero but jitter around it, so almost none is "
        "exactly zero. B (proximal) soft-thresholds every weight after each step, "
        f"w ← sign(w)·max(|w| − η·λ₁, 0) with η·λ₁ = {thr:g}: small weights become exactly "
        "zero and stay there, a truly sparse network. The histograms' zero bin and the "
        "sparsity curve show it." + _seed_note(a)
    )


def _bn_position_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        "The original paper put BatchNorm before the nonlinearity; many practitioners put it "
        "after. On this problem both positions train: compare how fast the loss falls and the "
        "final gap." + _seed_note(a)
    )


def _batch_text(a: TrainConfig, b: TrainConfig) -> str:
    ua, ub = _updates(a), _updates(b)
    return (
        f"Same epochs, very different numbers of updates: {n_train(a)} training points make "
        f"{ua} updates per epoch at batch {a.batch_size} (A) and {ub} at batch {b.batch_size} "
        f"(B), so after {a.max_epochs} epochs A has made {ua * a.max_epochs:,} updates and B "
        f"{ub * b.max_epochs:,}. Per epoch, A learns far faster and also overfits sooner: its "
        "test loss reaches its minimum first and then turns up. Switch the curves' x axis to "
        "updates or samples seen to compare the runs at equal work. The noise of small batches "
        "can help generalization (Keskar et al. 2017); B would need more epochs or a larger "
        "learning rate (Goyal et al. 2017)." + _seed_note(a)
    )


def _high_lr_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        f"{a.optimizer.upper() if a.optimizer == 'sgd' else 'SGD with momentum'} at learning "
        f"rate {a.lr:g} on a {len(a.hidden)}-layer net. Without normalization (A) the loss "
        "jumps and then sits at chance: 50 % accuracy, a flat boundary. With BatchNorm (B) the "
        f"same net trains (above 80 % test accuracy within {b.max_epochs} epochs). At learning "
        f"rate {_LOW_LR:g} the plain net trains too: the difference is the rate it tolerates. "
        "Santurkar et al. (2018) trace this to a smoother loss landscape." + _seed_note(a)
    )


def _adamw_text(a: TrainConfig, b: TrainConfig) -> str:
    factor = 1 - b.lr * b.l2
    return (
        f"Same λ₂ = {a.l2:g}, same learning rate η = {a.lr:g}. Adam + L2 (A) adds λ₂·w to the "
        "gradient before Adam divides by the running RMS of the gradient: for a weight whose "
        "data gradient is small the decay term dominates and is scaled up to a full-size step, "
        "so A's weights shrink much more than B's. AdamW (B) decouples the decay: each step "
        f"multiplies every weight by 1 − η·λ₂ = {factor:g}, whatever the gradient. Watch the "
        "weight-norm curves part. L2 and weight decay are the same thing only for plain SGD "
        "(Loshchilov & Hutter 2019, *Decoupled Weight Decay Regularization*)." + _seed_note(a)
    )


def _custom_text(a: TrainConfig, b: TrainConfig) -> str:
    return "Pick B's settings below; A uses the controls on the left."


_LOW_LR = 0.01

_PRESET_LIST = (
    Preset(
        "Dropout: off vs 0.4",
        _pin(hidden=(64, 64), noise=0.3, n_samples=200, max_epochs=300),
        {"dropout": 0.0},
        {"dropout": 0.4},
        _dropout_text,
    ),
    Preset(
        "L1 vs L2",
        _pin(hidden=(32, 32), activation="tanh", optimizer="momentum", lr=0.05, max_epochs=300),
        {"l1": 0.002, "l2": 0.0},
        {"l1": 0.0, "l2": 0.01},
        _l1_l2_text,
    ),
    Preset(
        "L1: subgradient vs proximal",
        _pin(
            hidden=(32, 32),
            activation="tanh",
            optimizer="momentum",
            lr=0.05,
            l1=0.002,
            max_epochs=300,
        ),
        {"l1_method": "subgradient"},
        {"l1_method": "proximal"},
        _prox_text,
    ),
    Preset(
        "Adam + L2 vs AdamW",
        _pin(hidden=(32, 32), l2=0.01, max_epochs=300),
        {"optimizer": "adam"},
        {"optimizer": "adamw"},
        _adamw_text,
    ),
    Preset(
        "BatchNorm before vs after the activation",
        _pin(hidden=(16, 16, 16), norm="batch", max_epochs=300),
        {"norm_position": "before_activation"},
        {"norm_position": "after_activation"},
        _bn_position_text,
    ),
    Preset(
        "Batch size 8 vs 256",
        _pin(hidden=(32, 32), noise=0.25, max_epochs=300),
        {"batch_size": 8},
        {"batch_size": 256},
        _batch_text,
    ),
    Preset(
        "High learning rate: no norm vs BatchNorm",
        _pin(hidden=(16, 16, 16, 16), optimizer="momentum", lr=0.2, max_epochs=300),
        {"norm": "none"},
        {"norm": "batch"},
        _high_lr_text,
    ),
    Preset("Custom", {}, {}, {}, _custom_text),
)

#: Display name -> :class:`Preset`, in display order ("Custom" last).
PRESETS: dict[str, Preset] = {p.name: p for p in _PRESET_LIST}
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)
assert all(p.common.get("dataset", "spiral") in DATASETS for p in _PRESET_LIST)


def _resolve(preset: Preset | str) -> Preset:
    if isinstance(preset, Preset):
        return preset
    if preset not in PRESETS:
        listed = ", ".join(repr(n) for n in PRESETS)
        raise ValueError(f"preset must be one of {listed} (got {preset!r})")
    return PRESETS[preset]


def preset_configs(
    preset: Preset | str,
    base: TrainConfig,
    custom_b: Mapping[str, Any] | None = None,
) -> list[tuple[str, TrainConfig]]:
    """Return ``[("A", config_a), ("B", config_b)]`` for ``preset`` applied to ``base``.

    Parameters
    ----------
    preset : Preset or str
        A preset or its name in :data:`PRESETS`.
    base : TrainConfig
        The page's controls. Named presets take only its ``seed`` (their ``common`` overrides
        fix every other field); "Custom" takes all of it for A.
    custom_b : mapping, optional
        Run B's overrides of ``base`` for "Custom" (ignored by the other presets).

    Raises
    ------
    ValueError
        An unknown preset name, or overrides that make an invalid config (the message is
        :class:`TrainConfig`'s).

    Examples
    --------
    >>> [(lab, c.batch_size) for lab, c in preset_configs("Batch size 8 vs 256", TrainConfig())]
    [('A', 8), ('B', 256)]
    >>> [c.l2 for _, c in preset_configs("Custom", TrainConfig(), {"l2": 0.01})]
    [0.0, 0.01]
    """
    p = _resolve(preset)
    if not isinstance(base, TrainConfig):
        raise TypeError(f"base must be a TrainConfig (got {type(base).__name__})")
    b = dict(custom_b or {}) if p.name == "Custom" else p.b
    return [
        ("A", dataclasses.replace(base, **{**p.common, **p.a})),
        ("B", dataclasses.replace(base, **{**p.common, **b})),
    ]


def preset_text(preset: Preset | str, base: TrainConfig | None = None) -> str:
    """Return the preset's "what to look for" text for its runs on ``base`` (default config).

    Examples
    --------
    >>> "25 updates per epoch at batch 8" in preset_text("Batch size 8 vs 256")
    True
    """
    p = _resolve(preset)
    (_, a), (_, b) = preset_configs(p, TrainConfig() if base is None else base)
    return p.describe(a, b)
