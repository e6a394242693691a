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

from normviz.batchplan import updates_per_epoch
from normviz.toydata import DATASETS
from normviz.train_config import FIELDS, TrainConfig, shown

__all__ = [
    "CHECKED_SEED",
    "CUSTOM_FIELDS",
    "PRESETS",
    "PRESET_NAMES",
    "Preset",
    "n_train",
    "preset_configs",
    "preset_text",
]

CHECKED_SEED = 0
CUSTOM_FIELDS = ("dropout", "l1", "l2", "norm", "batch_size", "lr", "optimizer", "l1_method")
"""The settings the Custom preset's run B has controls of its own for (the rest are A's)."""


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
    """Return ``config``'s updates per epoch as the trainer counts them (BatchNorm merge too)."""
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

    def __hash__(self) -> int:  # the mappings are read-only views: hash their items
        return hash((self.name, *(tuple(sorted(m.items())) for m in (self.common, self.a, self.b))))


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
        "points overfits: A's train loss keeps falling while its test loss turns up after a "
        f"minimum. Dropout {b.dropout:g} (B) keeps the gap between test and train loss "
        "smaller. A smaller gap is not the same as better generalization: at the end B's test "
        "loss is a little lower than A's but so is its test accuracy, and A's test loss at its "
        "minimum is lower than any B reaches. Judge a regularizer by the test numbers, "
        "not by the gap." + _seed_note(a)
    )


def _l1_l2_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        f"Both runs classify the {a.dataset} (above 95 % test accuracy), with very different "
        f"weights. L1 λ₁ = {a.l1:g} (A) piles most weights into the bin around zero: its "
        "sparsity (the share of weights with |w| < 0.001) rises above one half. Trained with "
        "the subgradient (the L1 term in the loss), those weights jitter around zero and none "
        "is exactly zero; the *L1: subgradient vs proximal* preset shows how to get exact "
        f"zeros. L2 λ₂ = {b.l2:g} (B) shrinks every weight in proportion to its size, so few "
        "weights get near zero: its sparsity stays low." + _seed_note(a)
    )


def _prox_text(a: TrainConfig, b: TrainConfig) -> str:
    thr = b.lr * b.l1
    return (
        f"Same L1 strength λ₁ = {a.l1:g}, applied two ways. A adds λ₁·Σ|w| to the loss "
        "(subgradient); B (proximal) soft-thresholds every weight after each step, "
        f"w ← sign(w)·max(|w| − η·λ₁, 0) with η·λ₁ = {thr:g}. With plain SGD both pull each "
        "weight η·λ₁ toward zero per step, so the losses and accuracies end almost equal, and "
        "most weights end near zero in both. The difference is in the zero bin: A's weights "
        "jitter around zero and none is exactly zero, while B sets at least half of its "
        "weights to exactly zero, a truly sparse network." + _seed_note(a)
    )


def _bn_position_text(a: TrainConfig, b: TrainConfig) -> str:
    return (
        "The original paper put BatchNorm before the nonlinearity; many practitioners put it "
        "after. On this problem both positions train (above 85 % test accuracy after "
        f"{a.max_epochs} epochs): compare how fast the loss falls and the final gap."
        + _seed_note(a)
    )


def _ratio(b: TrainConfig, a: TrainConfig) -> str:
    """How many times more points a full batch of ``b`` holds than one of ``a`` ("25")."""
    n = n_train(a)
    return f"{min(b.batch_size, n) / min(a.batch_size, n):g}"


def _batch_text(a: TrainConfig, b: TrainConfig) -> str:
    ua, ub = _updates(a), _updates(b)
    total_b = ub * b.max_epochs
    return (
        f"Same epochs, very different numbers of updates: {n_train(a)} training points make "
        f"{ua} updates per epoch at batch {a.batch_size} (A) and {ub} at batch {b.batch_size} "
        f"(B), so after {a.max_epochs} epochs A has made {ua * a.max_epochs:,} updates and B "
        f"{total_b:,}. Per epoch, A learns faster and also overfits sooner: its test loss "
        "reaches its minimum first and then turns up. Switch the curves' x axis to updates: "
        f"at equal updates the order flips, and after {total_b:,} updates B's test loss is "
        f"lower than A's was after its first {total_b:,}, since each of B's updates averages "
        f"the gradient over {_ratio(b, a)} times more points. The noise of "
        "small batches can help generalization (Keskar et al. 2017), and large batches are "
        "usually given a larger learning rate (Goyal et al. 2017)." + _seed_note(a)
    )


def _high_lr_text(a: TrainConfig, b: TrainConfig) -> str:
    name = "SGD with momentum 0.9" if a.optimizer == "momentum" else a.optimizer
    return (
        f"{name} at learning rate {a.lr:g} on a {len(a.hidden)}-layer net. Without "
        "normalization (A) the loss jumps, then sits at chance: 50 % accuracy, P(class 1) "
        "about 0.5 almost everywhere (a blank boundary plot). With BatchNorm (B) the same "
        "net keeps learning: its test accuracy climbs above 80 % at times, though it stays "
        "jumpy at this rate. At learning rate "
        f"{_LOW_LR:g} the plain net learns too, slowly: the difference is the rate it "
        "tolerates. Santurkar et al. (2018) trace this to a smoother loss landscape."
        + _seed_note(a)
    )


def _adamw_text(a: TrainConfig, b: TrainConfig) -> str:
    factor = 1 - b.lr * b.l2
    return (
        f"Same λ₂ = {a.l2:g}, same learning rate η = {a.lr:g}. Adam + L2 (A) adds λ₂·w to the "
        "gradient before Adam divides by the running RMS of the gradient: for a weight whose "
        "data gradient is small, the decay term dominates and becomes a step of about η, so "
        "A's weights shrink far more than B's (watch the weight-norm curves part) and here A "
        f"no longer fits the {a.dataset} well: its test accuracy stays well below B's. AdamW (B) "
        f"decouples the decay: each step multiplies every weight by 1 − η·λ₂ = {factor:g}, "
        "whatever the gradient. L2 and weight decay are the same thing only for plain SGD "
        "(Loshchilov & Hutter 2019, *Decoupled Weight Decay Regularization*)." + _seed_note(a)
    )


def _custom_text(a: TrainConfig, b: TrainConfig) -> str:
    return "Pick B's settings below; A uses the controls on the left."


_LOW_LR = 0.01
_L1_NET = {"dataset": "circles", "hidden": (32, 32), "activation": "tanh", "optimizer": "sgd",
           "lr": 0.1, "max_epochs": 200}  # fmt: skip

_PRESET_LIST = (
    Preset(
        "Dropout: off vs 0.4",
        _pin(hidden=(64, 64), noise=0.3, n_samples=200, max_epochs=200),
        {"dropout": 0.0},
        {"dropout": 0.4},
        _dropout_text,
    ),
    Preset(
        "L1 vs L2",
        _pin(**_L1_NET),
        {"l1": 0.002, "l2": 0.0},
        {"l1": 0.0, "l2": 0.01},
        _l1_l2_text,
    ),
    Preset(
        "L1: subgradient vs proximal",
        _pin(**_L1_NET, l1=0.002),
        {"l1_method": "subgradient"},
        {"l1_method": "proximal"},
        _prox_text,
    ),
    Preset(
        "Adam + L2 vs AdamW",
        _pin(hidden=(32, 32), l2=0.01, max_epochs=100),
        {"optimizer": "adam"},
        {"optimizer": "adamw"},
        _adamw_text,
    ),
    Preset(
        "BatchNorm before vs after the activation",
        _pin(hidden=(16, 16, 16), norm="batch", max_epochs=100),
        {"norm_position": "before_activation"},
        {"norm_position": "after_activation"},
        _bn_position_text,
    ),
    Preset(
        "Batch size 8 vs 256",
        _pin(hidden=(32, 32), noise=0.25, max_epochs=150),
        {"batch_size": 8},
        {"batch_size": 256},
        _batch_text,
    ),
    Preset(
        "High learning rate: no norm vs BatchNorm",
        _pin(hidden=(16, 16, 16, 16), optimizer="momentum", lr=0.2, max_epochs=200),
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


def preset_settings(preset: Preset | str) -> dict[str, Any]:
    """Return the settings a preset puts on the lab's shared controls (every field but the seed).

    Examples
    --------
    >>> s = preset_settings("Dropout: off vs 0.4")
    >>> s["hidden"], s["n_samples"], "seed" in s
    ((64, 64), 200, False)
    """
    return {k: v for k, v in _resolve(preset).common.items() if k != "seed"}


def per_run_fields(preset: Preset | str) -> tuple[str, ...]:
    """Return the fields a named preset sets per run (A and B differ in them); () for Custom.

    Examples
    --------
    >>> per_run_fields("Batch size 8 vs 256"), per_run_fields("Custom")
    (('batch_size',), ())
    """
    p = _resolve(preset)
    if p.name == "Custom":
        return ()
    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    return tuple(f for f in fields if f in p.a or f in p.b)


def applied_configs(
    preset: Preset | str,
    base: TrainConfig,
    custom_b: Mapping[str, Any] | None = None,
) -> list[tuple[str, TrainConfig]]:
    """Return ``[("A", a), ("B", b)]``: the controls with the preset's per-run settings on top.

    The controls (``base``) with the per-run settings on top always show what both runs train.

    With the controls at :func:`preset_settings` (what choosing a preset does) this gives the
    configs :func:`preset_configs` pins and the preset's tests check; a control changed
    afterwards changes both runs (:func:`drift_note` says the text was checked without it).

    Examples
    --------
    >>> pinned = preset_configs("Batch size 8 vs 256", TrainConfig(seed=3))
    >>> base = dataclasses.replace(TrainConfig(seed=3), **preset_settings("Batch size 8 vs 256"))
    >>> applied_configs("Batch size 8 vs 256", base) == pinned
    True
    >>> [c.lr for _, c in applied_configs("Batch size 8 vs 256", TrainConfig(lr=0.1))]
    [0.1, 0.1]
    """
    p = _resolve(preset)
    if p.name == "Custom":
        return preset_configs(p, base, custom_b)
    return [("A", dataclasses.replace(base, **p.a)), ("B", dataclasses.replace(base, **p.b))]


def drift(preset: Preset | str, base: TrainConfig) -> list[str]:
    """Return the shared settings where ``base`` left the preset's (seed and per-run excluded).

    Examples
    --------
    >>> base = dataclasses.replace(TrainConfig(), **preset_settings("L1 vs L2"))
    >>> drift("L1 vs L2", base), drift("L1 vs L2", dataclasses.replace(base, noise=0.5))
    ([], ['noise'])
    """
    p = _resolve(preset)
    if p.name == "Custom":
        return []
    skip = set(per_run_fields(p)) | {"seed"}
    return [f for f, v in p.common.items() if f not in skip and getattr(base, f) != v]


def drift_note(preset: Preset | str, base: TrainConfig) -> str | None:
    """Return a warning that the preset's text was checked with settings the controls left.

    Examples
    --------
    >>> base = dataclasses.replace(TrainConfig(), **{**preset_settings("L1 vs L2"), "noise": 0.5})
    >>> print(drift_note("L1 vs L2", base))
    You changed noise (0.15 → 0.5) from the preset's settings: what to look for above was checked with the preset's own settings, so these runs may show otherwise.
    """  # noqa: E501
    p = _resolve(preset)
    changed = drift(p, base)
    if not changed:
        return None
    parts = [
        f"{FIELDS[f].noun} ({shown(p.common[f])} → {shown(getattr(base, f))})" for f in changed
    ]
    return (
        f"You changed {', '.join(parts)} from the preset's settings: what to look for above was "
        "checked with the preset's own settings, so these runs may show otherwise."
    )


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
