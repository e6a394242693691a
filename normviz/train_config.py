"""The lab's whole state as one frozen, validated, URL-serializable record.

Re-exported by :mod:`normviz.training`; this module does not import torch, so a page can parse
its URL before torch is loaded.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from normviz.toydata import DATASETS, MAX_SAMPLES, MIN_SAMPLES

ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid")
NORMS = ("none", "batch", "layer", "group")
NORM_POSITIONS = ("before_activation", "after_activation")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
L1_METHODS = ("subgradient", "proximal")
MAX_LAYERS = 6
MAX_WIDTH = 256

SPARSITY_THRESHOLD = 1e-3
"""A weight with ``|w|`` below this counts as zero in the lab's sparsity figures and texts."""


def norm_groups(width: int) -> int:
    """Return the GroupNorm group count the lab uses for a layer of ``width`` units.

    4 groups when ``width`` is divisible by 4, else 2 when even, else 1 (which is LayerNorm over
    the layer's units). This way every width is valid and no configuration is rejected.

    Examples
    --------
    >>> norm_groups(16), norm_groups(6), norm_groups(5)
    (4, 2, 1)
    """
    return 4 if width % 4 == 0 else 2 if width % 2 == 0 else 1


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _need(typed: bool, ok: bool, name: str, expected: str, got: Any) -> None:
    """Raise TypeError unless ``typed``, then ValueError unless ``ok``."""
    if not typed:
        raise TypeError(f"{name} must be {expected} (got {type(got).__name__} {got!r})")
    if not ok:
        raise ValueError(f"{name} must be {expected} (got {got!r})")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a lab run; same config (seed included), same run.

    Attributes
    ----------
    dataset : str
        Key of :data:`normviz.toydata.DATASETS`.
    n_samples : int
        Points generated, in ``[10, 5000]``.
    noise : float
        Noise level of the generator, in ``[0, 1]`` (Gaussian std ``0.3 * noise``).
    test_fraction : float
        Held-out fraction, in ``[0.1, 0.9]``.
    hidden : tuple of int
        Widths of 1 to 6 hidden layers, each in ``[1, 256]`` (a list is converted).
    activation : {"relu", "tanh", "gelu", "sigmoid"}
    norm : {"none", "batch", "layer", "group"}
        Group norm uses :func:`norm_groups` groups (4, else 2, else 1).
    norm_position : {"before_activation", "after_activation"}
    dropout : float
        Drop probability after each hidden activation, in ``[0, 0.9]``.
    l1 : float
        L1 strength in ``[0, 1]`` on the weights (not biases, not norm parameters).
    l1_method : {"subgradient", "proximal"}
        How L1 is applied. ``"subgradient"``: ``l1 * sum |w|`` is added to the loss, whose
        gradient ``l1 * sign(w)`` makes weights jitter around zero (near zero, rarely exactly
        zero). ``"proximal"``: no L1 term in the loss; after each optimizer step every weight
        is soft-thresholded, ``w <- sign(w) * max(|w| - lr * l1, 0)``, which sets small weights
        to exactly zero.
    l2 : float
        L2 strength in ``[0, 1]``: the optimizer's ``weight_decay`` on weights (not biases).
    optimizer : {"sgd", "momentum", "adam", "adamw"}
        ``momentum`` is SGD with momentum 0.9.
    lr : float
        Learning rate, in ``(0, 1e6]``.
    batch_size : int
        In ``[1, 5000]``; at least 2 with ``norm="batch"``.
    early_stopping_patience : int or None
        Epochs without a better test loss before stopping, in ``[1, 1000]``; None is off.
    augmentation : float
        Std of Gaussian jitter added to each training batch, in ``[0, 1]``; 0 is off.
    max_epochs : int
        In ``[1, 100000]``.
    seed : int
        In ``[0, 2**31 - 1]``; seeds the data, the split, the initial weights and the batches.

    Examples
    --------
    >>> TrainConfig(hidden=[8, 8]).hidden
    (8, 8)
    >>> TrainConfig(dropout=1.0)
    Traceback (most recent call last):
    ...
    ValueError: dropout must be a number in [0, 0.9] (got 1.0)

    Raises
    ------
    TypeError
        A field of the wrong type (e.g. ``n_samples="400"``); ints are accepted for float fields
        and stored as floats.
    ValueError
        A value out of range or not among the choices; the message names the field, what was
        expected and what was received.
    """

    dataset: str = "spiral"
    n_samples: int = 400
    noise: float = 0.15
    test_fraction: float = 0.5
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    norm: str = "none"
    norm_position: str = "before_activation"
    dropout: float = 0.0
    l1: float = 0.0
    l1_method: str = "subgradient"
    l2: float = 0.0
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 32
    early_stopping_patience: int | None = None
    augmentation: float = 0.0
    max_epochs: int = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.hidden, list):
            object.__setattr__(self, "hidden", tuple(self.hidden))
        for name, choices in (
            ("dataset", tuple(DATASETS)),
            ("activation", ACTIVATIONS),
            ("norm", NORMS),
            ("norm_position", NORM_POSITIONS),
            ("optimizer", OPTIMIZERS),
            ("l1_method", L1_METHODS),
        ):
            value = getattr(self, name)
            listed = ", ".join(repr(c) for c in choices)
            _need(isinstance(value, str), value in choices, name, f"one of {listed}", value)
        for name, lo, hi in (
            ("n_samples", MIN_SAMPLES, MAX_SAMPLES),
            ("batch_size", 1, 5000),
            ("max_epochs", 1, 100_000),
            ("seed", 0, 2**31 - 1),
        ):
            value = getattr(self, name)
            _need(_is_int(value), _is_int(value) and lo <= value <= hi, name,
                  f"an int in [{lo}, {hi}]", value)  # fmt: skip
        for name, lo, hi in (
            ("noise", 0, 1),
            ("test_fraction", 0.1, 0.9),
            ("dropout", 0, 0.9),
            ("l1", 0, 1),
            ("l2", 0, 1),
            ("augmentation", 0, 1),
        ):
            value = getattr(self, name)
            _need(_is_real(value), _is_real(value) and lo <= value <= hi, name,
                  f"a number in [{lo}, {hi}]", value)  # fmt: skip
            object.__setattr__(self, name, float(value))
        lr = self.lr
        _need(_is_real(lr), _is_real(lr) and 0 < lr <= 1e6, "lr", "a number in (0, 1e6]", lr)
        object.__setattr__(self, "lr", float(lr))
        h = self.hidden
        typed = isinstance(h, tuple) and all(_is_int(w) for w in h)
        _need(
            typed,
            typed and 1 <= len(h) <= MAX_LAYERS and all(1 <= w <= MAX_WIDTH for w in h),
            "hidden",
            f"1 to {MAX_LAYERS} layer widths, each an int in [1, {MAX_WIDTH}]",
            h,
        )
        if self.norm == "batch" and self.batch_size < 2:
            raise ValueError(
                "batch_size must be >= 2 with norm='batch': BatchNorm normalizes with the mean "
                f"and variance of each batch, which one point cannot give (got {self.batch_size})"
            )
        p = self.early_stopping_patience
        _need(p is None or _is_int(p), p is None or 1 <= p <= 1000, "early_stopping_patience",
              "None or an int in [1, 1000]", p)  # fmt: skip

    def to_query(self) -> dict[str, str]:
        """Return the fields that differ from the defaults, as URL query strings.

        ``hidden`` is written ``"16-16"``, None ``"off"``, floats with ``repr`` (exact).

        Examples
        --------
        >>> TrainConfig(hidden=(8, 4), lr=0.003, early_stopping_patience=None).to_query()
        {'hidden': '8-4', 'lr': '0.003'}
        """
        out: dict[str, str] = {}
        default = TrainConfig()
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out[f.name] = _format(value)
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> tuple[TrainConfig, list[str]]:
        """Return the config described by URL ``params`` and warnings for what was ignored.

        Unknown keys are skipped silently (the URL may carry other pages' state); a known key
        whose value cannot be parsed or is out of range keeps its default and adds a warning.
        Never raises on bad values.

        Examples
        --------
        >>> cfg, warns = TrainConfig.from_query({"hidden": "8-4", "lr": "fast", "other": "1"})
        >>> cfg.hidden, cfg.lr
        ((8, 4), 0.01)
        >>> warns
        ["Ignored lr='fast' from the URL: lr must be a number in (0, 1e6] (got 'fast')"]
        """
        cfg = cls()
        warnings: list[str] = []
        for f in dataclasses.fields(cls):
            if f.name not in params:
                continue
            text = params[f.name]
            try:
                value = _parse(f.name, text, getattr(cfg, f.name))
                cfg = dataclasses.replace(cfg, **{f.name: value})
            except Exception as err:  # a bad URL must never break the page
                warnings.append(f"Ignored {f.name}={text!r} from the URL: {err}")
        return cfg, warnings


def _format(value: Any) -> str:
    if value is None:
        return "off"
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse(name: str, text: Any, default: Any) -> Any:
    def fail() -> ValueError:
        expected = {
            "hidden": "widths joined by '-' like '16-16'",
            "early_stopping_patience": "'off' or an int in [1, 1000]",
        }
        wanted = expected[name] if name in expected else _KIND.get(name, "valid")
        return ValueError(f"{name} must be {wanted} (got {text!r})")

    if not isinstance(text, str):
        raise fail()
    text = text.strip()
    try:
        if name == "hidden":
            return tuple(int(w) for w in text.split("-"))
        if name == "early_stopping_patience":
            return None if text.lower() in ("off", "none", "") else int(text)
        if isinstance(default, str):
            return text
        if isinstance(default, int):
            return int(text)
        value = float(text)
        if not math.isfinite(value):
            raise fail()
        return value
    except ValueError:
        raise fail() from None


_KIND = {
    "n_samples": f"an int in [{MIN_SAMPLES}, {MAX_SAMPLES}]",
    "batch_size": "an int in [1, 5000]",
    "max_epochs": "an int in [1, 100000]",
    "seed": "an int in [0, 2147483647]",
    "noise": "a number in [0, 1]",
    "test_fraction": "a number in [0.1, 0.9]",
    "dropout": "a number in [0, 0.9]",
    "l1": "a number in [0, 1]",
    "l2": "a number in [0, 1]",
    "augmentation": "a number in [0, 1]",
    "lr": "a number in (0, 1e6]",
}
