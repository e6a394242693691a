"""The lab's whole state as one frozen, validated, URL-serializable record, and its field table.

Every fact about a lab setting lives in one row of :data:`FIELDS`: its type, range or choices,
default, how a shared link writes it, its label and help text, and what its widget offers (a
slider's step, a select slider's log-spaced options, a narrower widget span with its reason).
:class:`TrainConfig` validates with it (and its error texts come from it), its URL form
(:meth:`TrainConfig.to_query`, :meth:`TrainConfig.from_query`) reads it, the lab's widgets take
their ranges and options from it, and ``tests/unit/test_training_fields.py`` walks it against the
code generator and ``tests/app/test_lab_page.py`` against the page's widgets.

Re-exported by :mod:`normviz.training`; this module does not import torch, so a page can parse
its URL before torch is loaded.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from normviz._checks import is_int, is_real
from normviz.toydata import DATASETS, MAX_SAMPLES, MIN_SAMPLES, NOISE_SCALE

ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid")
NORMS = ("none", "batch", "layer", "group")
NORM_POSITIONS = ("before_activation", "after_activation")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
L1_METHODS = ("subgradient", "proximal")
NORM_NAMES = {"none": "no norm", "batch": "BatchNorm", "layer": "LayerNorm", "group": "GroupNorm"}
"""Each normalization's display name (a sentence capitalizes the first letter)."""
MAX_LAYERS = 6
MAX_WIDTH = 256
MOMENTUM = 0.9
"""The ``"momentum"`` optimizer is SGD with this momentum (trainer, generated script, texts)."""

SPARSITY_THRESHOLD = 1e-3
"""A weight with ``|w|`` below this counts as zero in the lab's sparsity figures and texts."""

LOG_STRENGTHS = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
"""L1 and L2 strengths a select slider offers: 0 and two steps per decade up to 1."""
RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""Learning rates a select slider offers: two steps per decade."""
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
"""Batch sizes a select slider offers: powers of two."""

WIDGETS = ("slider", "select_slider", "number", "text", "selectbox", "radio")
"""The controls a row may ask for (:attr:`Field.widget`)."""
KINDS = ("choice", "int", "float", "widths", "patience")
"""Field types: one of ``choices``; an int or a number in range; a tuple of ints in range
(the hidden widths); None or an int in range (early stopping's patience)."""


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


def shown(value: object) -> str:
    """Return a setting's value as the lab writes it: ``16-16``, ``0.001``, ``off`` for None.

    Examples
    --------
    >>> shown((16, 8)), shown(0.001), shown(None), shown("adam"), shown(32)
    ('16-8', '0.001', 'off', 'adam', '32')
    """
    if value is None:
        return "off"
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _num(v: float) -> str:
    """Return a bound as the texts write it: ``0``, ``0.9``, ``2147483647``, ``1e6``."""
    if is_int(v):
        return str(v)
    if float(v).is_integer() and abs(v) < 1e5:
        return str(int(v))
    text = f"{v:g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


@dataclass(frozen=True)
class Field:
    """Every fact about one lab setting (one row of :data:`FIELDS`).

    Attributes
    ----------
    name : str
        The :class:`TrainConfig` field, the URL query key and (prefixed ``lab_``) the widget key.
    kind : {"choice", "int", "float", "widths", "patience"}
    default : Any
        :class:`TrainConfig`'s default.
    lo, hi : float, optional
        Inclusive bounds of a number (of each width for ``"widths"``, of an int patience).
    lo_open : bool
        ``lo`` itself is excluded (the learning rate: ``(0, 1e6]``).
    choices : tuple of str
        The values of a ``"choice"``.
    layers : (int, int)
        How many widths a ``"widths"`` value holds, at least and at most.
    label, noun, help : str
        The widget's label; the setting's name in a sentence ("points"); the widget's help.
    step : float, optional
        The slider's or number input's step.
    options : tuple of float
        A select slider's values (log-spaced), each valid; a link's other valid value is added
        to them (:meth:`widget_options`).
    widget_range : (float, float), optional
        The widget's span when narrower than ``[lo, hi]``; None: the widget spans the range.
    why_narrower : str
        Why the widget is narrower (required with ``widget_range``).
    off_value : int, optional
        For ``"patience"``: the number the widget shows while the setting is off (None).
    widget : {"slider", "select_slider", "number", "text", "selectbox", "radio"}
        The control that shows it: a slider's steps from ``lo`` reach ``hi`` and the default;
        a select slider offers ``options``; a number input takes any value in range.

    Examples
    --------
    >>> FIELDS["n_samples"].expected()
    'an int in [10, 5000]'
    >>> FIELDS["lr"].expected(), FIELDS["lr"].widget_bounds()
    ('a number in (0, 1e6]', (0.0001, 3.0))
    >>> FIELDS["hidden"].parse("8-4"), FIELDS["hidden"].format((8, 4))
    ((8, 4), '8-4')
    """

    name: str
    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    choices: tuple[str, ...] = ()
    layers: tuple[int, int] = (1, 1)
    label: str = ""
    noun: str = ""
    help: str = ""
    step: float | None = None
    options: tuple[float, ...] = ()
    widget_range: tuple[float, float] | None = None
    why_narrower: str = ""
    off_value: int | None = None
    widget: str = "slider"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"kind must be one of {', '.join(map(repr, KINDS))} (got {self.kind!r})"
            )
        if self.widget not in WIDGETS:
            raise ValueError(f"{self.name}: widget must be one of {WIDGETS} (got {self.widget!r})")
        if self.widget_range is not None and not self.why_narrower:
            raise ValueError(
                f"{self.name}: a narrower widget_range needs its reason (why_narrower)"
            )
        self.check(self.default)
        for v in self.options:
            self.check(v)

    # -- what is allowed ----------------------------------------------------------------------

    def expected(self) -> str:
        """Return what a valid value is, in words: the middle of every error text.

        Examples
        --------
        >>> FIELDS["norm"].expected()
        "one of 'none', 'batch', 'layer', 'group'"
        >>> FIELDS["early_stopping_patience"].expected()
        'None or an int in [1, 1000]'
        """
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        span = f"{'(' if self.lo_open else '['}{_num(self.lo)}, {_num(self.hi)}]"
        if self.kind == "float":
            return f"a number in {span}"
        if self.kind == "int":
            return f"an int in {span}"
        if self.kind == "patience":
            return f"None or an int in {span}"
        return f"{self.layers[0]} to {self.layers[1]} layer widths, each an int in {span}"

    def _in_range(self, v: float) -> bool:
        above = v > self.lo if self.lo_open else v >= self.lo
        return above and v <= self.hi

    def check(self, value: Any) -> Any:
        """Return ``value`` as the config stores it, or raise TypeError / ValueError.

        Ints are accepted for a number (stored as float), a list for the widths (stored as a
        tuple). ``TypeError`` for the wrong type, ``ValueError`` for a value out of range or not
        among the choices; the message names the field, what was expected and what was given.

        Examples
        --------
        >>> FIELDS["dropout"].check(0)
        0.0
        >>> FIELDS["n_samples"].check("400")
        Traceback (most recent call last):
        ...
        TypeError: n_samples must be an int in [10, 5000] (got str '400')
        """
        if self.kind == "choice":
            typed, ok = isinstance(value, str), value in self.choices
        elif self.kind == "int":
            typed = is_int(value)
            ok = typed and self._in_range(value)
            value = int(value) if ok else value
        elif self.kind == "float":
            typed = is_real(value)
            ok = typed and math.isfinite(value) and self._in_range(value)
            value = float(value) if ok else value
        elif self.kind == "patience":
            typed = value is None or is_int(value)
            ok = value is None or (typed and self._in_range(value))
            value = int(value) if ok and value is not None else value
        else:
            if isinstance(value, list):
                value = tuple(value)
            typed = isinstance(value, tuple) and all(is_int(w) for w in value)
            ok = typed and self.layers[0] <= len(value) <= self.layers[1]
            ok = ok and all(self._in_range(w) for w in value)
            value = tuple(int(w) for w in value) if ok else value
        if not typed:
            raise TypeError(
                f"{self.name} must be {self.expected()} (got {type(value).__name__} {value!r})"
            )
        if not ok:
            raise ValueError(f"{self.name} must be {self.expected()} (got {value!r})")
        return value

    # -- URL text <-> value -------------------------------------------------------------------

    def format(self, value: Any) -> str:
        """Return ``value`` as a link writes it: ``"16-16"``, ``"off"``, floats exact (repr).

        Examples
        --------
        >>> FIELDS["lr"].format(0.1 + 0.2), FIELDS["early_stopping_patience"].format(None)
        ('0.30000000000000004', 'off')
        """
        if value is None:
            return "off"
        if isinstance(value, tuple):
            return "-".join(str(v) for v in value)
        if isinstance(value, float):
            return repr(value)
        return str(value)

    def written(self) -> str:
        """Return how a link writes a valid value, in words (the parse error's middle)."""
        if self.kind == "widths":
            return "widths joined by '-' like '16-16'"
        if self.kind == "patience":
            return f"'off' or an int in [{_num(self.lo)}, {_num(self.hi)}]"
        return self.expected()

    def parse(self, text: Any) -> Any:
        """Return the valid value a link writes as ``text``, or raise ValueError / TypeError.

        Examples
        --------
        >>> FIELDS["early_stopping_patience"].parse("off") is None
        True
        >>> FIELDS["n_samples"].parse("4e2")
        Traceback (most recent call last):
        ...
        ValueError: n_samples must be an int in [10, 5000] (got '4e2')
        """
        fail = ValueError(f"{self.name} must be {self.written()} (got {text!r})")
        if not isinstance(text, str):
            raise fail
        t = text.strip()
        try:
            if self.kind == "choice":
                value: Any = t
            elif self.kind == "widths":
                value = tuple(int(w) for w in t.split("-"))
            elif self.kind == "patience":
                value = None if t.lower() in ("off", "none", "") else int(t)
            elif self.kind == "int":
                value = int(t)
            else:
                value = float(t)
                if not math.isfinite(value):
                    raise fail
        except ValueError:
            raise fail from None
        return self.check(value)

    # -- what the widget offers ---------------------------------------------------------------

    def widget_bounds(self) -> tuple[float, float]:
        """Return the widget's span: ``widget_range`` if narrower, else the field's range.

        Examples
        --------
        >>> FIELDS["n_samples"].widget_bounds(), FIELDS["batch_size"].widget_bounds()
        ((10, 5000), (1, 512))
        """
        if self.widget_range is not None:
            return self.widget_range
        if self.options:
            return min(self.options), max(self.options)
        return self.lo, self.hi

    def widget_options(self, current: Any = None) -> list:
        """Return a select slider's options, with ``current`` (e.g. a link's value) added.

        Examples
        --------
        >>> FIELDS["lr"].widget_options(0.02)[3:7]
        [0.003, 0.01, 0.02, 0.03]
        """
        if self.kind == "choice":
            return list(self.choices)
        extra = set() if current is None else {current}
        return sorted(set(self.options) | extra)


_WHY_RATES = (
    "past 3 every optimizer diverges on the lab's data; a link may still set a larger rate "
    "(the page then offers it) to show divergence"
)
_WHY_BATCHES = (
    "the default data has 200 training points: any larger batch is one full batch there; a "
    "link may still set up to the most points (the page then offers it)"
)
_FIELD_LIST = (
    Field("dataset", "choice", "spiral", choices=tuple(DATASETS), label="Dataset",
          noun="dataset", widget="selectbox",
          help=f"{len(DATASETS)} 2D problems, two classes each: {', '.join(DATASETS)}."),
    Field("n_samples", "int", 400, lo=MIN_SAMPLES, hi=MAX_SAMPLES, step=10, label="Points",
          noun="points", help="Fewer points make overfitting easier to see."),
    Field("noise", "float", 0.15, lo=0, hi=1, step=0.05, label="Noise", noun="noise",
          help=f"A level: Gaussian noise of standard deviation {NOISE_SCALE:g} × level is "
          "added to each coordinate."),
    Field("test_fraction", "float", 0.5, lo=0.1, hi=0.9, step=0.05, label="Test fraction",
          noun="test fraction",
          help="Share of points held out. Early stopping watches their loss."),
    Field("hidden", "widths", (16, 16), lo=1, hi=MAX_WIDTH, layers=(1, MAX_LAYERS),
          label="Hidden layers", noun="hidden layers",
          help=f"Widths separated by '-', e.g. 16-16 or 64-64-64 (1 to {MAX_LAYERS} layers of 1 "
          f"to {MAX_WIDTH} units).", widget="text"),
    Field("activation", "choice", "relu", choices=ACTIVATIONS, label="Activation",
          noun="activation", help="The nonlinearity after each hidden layer.", widget="selectbox"),
    Field("norm", "choice", "none", choices=NORMS, label="Normalization", noun="normalization",
          help="GroupNorm uses 4 groups when a layer's width is divisible by 4, else 2 when it "
          "is even, else 1 (LayerNorm over the layer's units).", widget="selectbox"),
    Field("norm_position", "choice", "before_activation", choices=NORM_POSITIONS,
          label="Normalization position", noun="normalization position", widget="radio",
          help="Normalize each hidden layer's output before or after its activation."),
    Field("dropout", "float", 0.0, lo=0, hi=0.9, step=0.05, label="Dropout", noun="dropout",
          help="Probability of zeroing each hidden unit while training; survivors are scaled "
          "by 1/(1 − p). Off in evaluation."),
    Field("l1", "float", 0.0, lo=0, hi=1, options=LOG_STRENGTHS, label="L1 strength λ₁",
          noun="L1", help="Adds λ₁·Σ|w| to the loss (linear layers' weights): drives weights to "
          "near zero.", widget="select_slider"),
    Field("l1_method", "choice", "subgradient", choices=L1_METHODS, label="L1 method",
          noun="L1 method", help="subgradient: the L1 term joins the loss (weights jitter near "
          "zero). proximal: soft thresholding after each step (exact zeros).", widget="radio"),
    Field("l2", "float", 0.0, lo=0, hi=1, options=LOG_STRENGTHS,
          label="L2 strength λ₂ (weight decay)", noun="L2",
          help="The optimizer's weight_decay on the linear layers' weights: coupled L2 for sgd, "
          "momentum and adam (added to the gradient); decoupled for adamw (weights multiplied "
          "by 1 − lr·λ₂ each step).", widget="select_slider"),
    Field("optimizer", "choice", "adam", choices=OPTIMIZERS, label="Optimizer", noun="optimizer",
          help=f"momentum is SGD with momentum {MOMENTUM:g}. L2 is coupled for sgd, momentum and "
          "adam, decoupled for adamw.", widget="selectbox"),
    Field("lr", "float", 0.01, lo=0, hi=1e6, lo_open=True, options=RATES, label="Learning rate",
          noun="learning rate", help="The optimizer's step size.", widget_range=(1e-4, 3.0),
          why_narrower=_WHY_RATES, widget="select_slider"),
    Field("batch_size", "int", 32, lo=1, hi=MAX_SAMPLES, options=BATCHES, label="Batch size",
          noun="batch size", help="Points per update. An epoch is ceil(train points / batch) "
          "updates (with BatchNorm a last batch of one point joins the one before).",
          widget_range=(1, 512), why_narrower=_WHY_BATCHES, widget="select_slider"),
    Field("early_stopping_patience", "patience", None, lo=1, hi=1000, off_value=20,
          label="Patience (epochs)", noun="early stopping patience", widget="number",
          help="Stop when the test loss has not improved for 'patience' epochs. Whenever "
          "training ends (patience or max epochs), the weights of the best epoch are restored."),
    Field("augmentation", "float", 0.0, lo=0, hi=0.5, step=0.01,
          label="Input jitter (augmentation)", noun="input jitter",
          help="Gaussian noise added to each training batch; 0 is off."),
    Field("max_epochs", "int", 1000, lo=1, hi=100_000, step=50, label="Max epochs",
          noun="max epochs", help="Training stops here at the latest.", widget="number"),
    Field("seed", "int", 0, lo=0, hi=2**31 - 1, step=1, label="Seed", noun="seed",
          help="Same seed and settings, same run, bit for bit.", widget="number"),
)  # fmt: skip
FIELDS: dict[str, Field] = {f.name: f for f in _FIELD_LIST}
"""The lab's settings, one :class:`Field` each, in :class:`TrainConfig`'s order."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a lab run; same config (seed included), same run.

    Each field's type, range or choices, default and URL form are its row of :data:`FIELDS`.

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
        In ``[1, 5000]`` (the most points); at least 2 with ``norm="batch"``.
    early_stopping_patience : int or None
        Epochs without a better test loss before stopping, in ``[1, 1000]``; None is off.
    augmentation : float
        Std of Gaussian jitter added to each training batch, in ``[0, 0.5]``; 0 is off.
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

    dataset: str = FIELDS["dataset"].default
    n_samples: int = FIELDS["n_samples"].default
    noise: float = FIELDS["noise"].default
    test_fraction: float = FIELDS["test_fraction"].default
    hidden: tuple[int, ...] = FIELDS["hidden"].default
    activation: str = FIELDS["activation"].default
    norm: str = FIELDS["norm"].default
    norm_position: str = FIELDS["norm_position"].default
    dropout: float = FIELDS["dropout"].default
    l1: float = FIELDS["l1"].default
    l1_method: str = FIELDS["l1_method"].default
    l2: float = FIELDS["l2"].default
    optimizer: str = FIELDS["optimizer"].default
    lr: float = FIELDS["lr"].default
    batch_size: int = FIELDS["batch_size"].default
    early_stopping_patience: int | None = FIELDS["early_stopping_patience"].default
    augmentation: float = FIELDS["augmentation"].default
    max_epochs: int = FIELDS["max_epochs"].default
    seed: int = FIELDS["seed"].default

    def __post_init__(self) -> None:
        for f in _FIELD_LIST:
            object.__setattr__(self, f.name, f.check(getattr(self, f.name)))
        if self.norm == "batch" and self.batch_size < 2:
            raise ValueError(
                "batch_size must be >= 2 with norm='batch': BatchNorm normalizes with the mean "
                f"and variance of each batch, which one point cannot give (got {self.batch_size})"
            )

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
                out[f.name] = FIELDS[f.name].format(value)
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
                value = FIELDS[f.name].parse(text)
                cfg = dataclasses.replace(cfg, **{f.name: value})
            except Exception as err:  # a bad URL must never break the page
                warnings.append(f"Ignored {f.name}={text!r} from the URL: {err}")
        return cfg, warnings
