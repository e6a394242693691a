"""The normalization layer kinds: one record per kind, the one home of every fact about it.

:data:`LAYER_KINDS` holds, for BatchNorm, LayerNorm, InstanceNorm, GroupNorm and RMSNorm, the
label, the axes one statistic pools per layout, whether the mean is subtracted, the smallest
rank, the parameters (GroupNorm's groups, with their range), the torch module and functional
that compute it (the oracle), the LaTeX of its sets and the words the lesson uses. Everything
else reads it: :mod:`normviz.layers` (checks, reduction axes, sets), :mod:`normviz.layer_text`
(notes, formulas, the code tab), :mod:`normviz.layer_links` (the URL's choices and ranges) and,
through them, the widgets of ``pages/layers.py``.

Axis names per layout (:data:`AXES`): ``"nct"`` is (N, C, *spatial), where ``"*"`` stands for
every spatial axis (H, W or L or D, H, W); GroupNorm's axes are those of the view
(N, G, C/G, *spatial) PyTorch reshapes to. ``"ntd"`` is (N, T, D), tokens of a language model.

Adding a layer kind: append a :class:`LayerKind` here; ``tests/unit/test_layer_kinds.py`` walks
the table and checks each entry against its torch module and functional (values, the set each
output element is taken over, the constraints), so the new entry is tested as it is written.

Examples
--------
>>> KINDS
('batch', 'layer', 'instance', 'group', 'rms')
>>> LAYER_KINDS["group"].pooled["nct"], LAYER_KINDS["batch"].pooled["ntd"]
(('C/G', '*'), ('N', 'T'))
>>> [p.name for p in LAYER_KINDS["group"].params], divisors(6), default_groups(6)
(['groups'], (1, 2, 3, 6), 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from normviz._checks import check_choice, check_int

__all__ = [
    "AXES",
    "FORMULAS",
    "GROUPS",
    "KINDS",
    "LAYER_KINDS",
    "LAYOUTS",
    "SPATIAL",
    "KindParam",
    "LayerKind",
    "default_groups",
    "divisors",
    "formulas",
    "groups_for",
    "kind_of",
    "kinds_for",
]

SPATIAL = "*"
"""In :attr:`LayerKind.pooled`: every spatial axis of an (N, C, *) input."""

LAYOUTS = ("nct", "ntd")
"""``"nct"``: (N, C, *spatial), 2D to 5D; ``"ntd"``: (N, T, D), tokens."""

AXES = {"nct": ("N", "C", SPATIAL), "ntd": ("N", "T", "D")}
"""The axes of each layout, by name; GroupNorm views C as (G, C/G)."""


def divisors(c: int) -> tuple[int, ...]:
    """Return the group counts GroupNorm allows for ``c`` channels (the divisors of ``c``).

    Examples
    --------
    >>> divisors(12)
    (1, 2, 3, 4, 6, 12)
    """
    check_int(c, "num_channels", 1)
    return tuple(g for g in range(1, c + 1) if c % g == 0)


def default_groups(c: int) -> int:
    """Return the groups the lesson starts with for ``c`` channels: 2 if ``c`` is even and > 2.

    Examples
    --------
    >>> default_groups(6), default_groups(2), default_groups(3)
    (2, 1, 1)
    """
    return 2 if c % 2 == 0 and c > 2 else 1


@dataclass(frozen=True)
class KindParam:
    """A parameter of a layer kind whose allowed values depend on the channels C.

    Attributes
    ----------
    name : str
        The keyword of :func:`normviz.layers.normalize` and the URL (``"groups"``).
    symbol : str
        Its letter in formulas and notes (``"G"``).
    label : str
        The widget's label.
    lo : int
        The smallest value; the largest is C, and only the divisors of C are allowed.
    """

    name: str
    symbol: str
    label: str
    lo: int = 1

    def choices(self, channels: int) -> tuple[int, ...]:
        """Return the values allowed for ``channels`` channels, ascending.

        Examples
        --------
        >>> LAYER_KINDS["group"].params[0].choices(8)
        (1, 2, 4, 8)
        """
        return tuple(g for g in divisors(channels) if g >= self.lo)

    def default(self, channels: int) -> int:
        """Return the value the lesson starts with for ``channels`` channels."""
        return default_groups(channels)

    def check(self, value: object, channels: int) -> int:
        """Return ``value`` if it is allowed for ``channels`` channels, else raise in torch's words.

        Examples
        --------
        >>> LAYER_KINDS["group"].params[0].check(4, 6)
        Traceback (most recent call last):
        ...
        ValueError: num_channels (6) must be divisible by groups (4)
        """
        check_int(value, self.name, self.lo)
        if channels % value:  # type: ignore[operator]
            raise ValueError(
                f"num_channels ({channels}) must be divisible by {self.name} ({value})"
            )
        return int(value)  # type: ignore[call-overload]


GROUPS = KindParam("groups", "G", "groups G (divisors of C)")


@dataclass(frozen=True)
class LayerKind:
    """Every fact about one normalization layer kind.

    Attributes
    ----------
    key : str
        The name in code and URLs (``"batch"``).
    label : str
        The name shown (``"BatchNorm"``); torch's module is ``nn.<label>{1,2,3}d`` or
        ``nn.<label>`` and its functional ``F.<label in snake case>``.
    pooled : mapping of layout to tuple of str
        The axes one statistic is taken over, by name (:data:`AXES`; ``"*"`` every spatial axis;
        ``"C/G"`` a group's channels). A layout the kind does not support is absent.
    centered : bool
        Whether the mean is subtracted (RMSNorm divides by the root mean square only).
    min_ndim : int
        The smallest rank of an (N, C, *) input (3: InstanceNorm needs spatial axes).
    params : tuple of KindParam
        Parameters besides eps (GroupNorm's groups).
    train_eval_differs : bool
        Whether the default torch module computes something else in eval mode.
    module : str
        The torch module built for the code tab, a template with ``{c}``, ``{side}``,
        ``{groups}``, ``{e}`` (``", eps=..."`` or ``""``) and ``{eps}``.
    functional : mapping of layout to str
        A Python expression in ``x``, ``groups``, ``eps``, ``F`` computing the kind with torch.
    var : str
        The module's variable in the code tab.
    comment : str
        The code tab's comment on the module (``{size}`` is C/G).
    set_tex : str
        LaTeX of the sets of an (N, C, H, W) input.
    what : str
        What one set is, in words (``"each channel"``).
    made : str
        What the layer makes zero-mean and unit-variance, in the words of the moments heatmaps
        (``{size}`` is C/G).
    keeps : str
        What those heatmaps still show after it.
    torch_one_element : str
        The message torch raises with in training when a set holds one element (``{size}``: the
        input size it names), or ``""`` if it returns a value instead.
    torch_checks_batch : bool
        Whether torch's check counts the elements of all samples together (GroupNorm: it raises
        only when the whole batch has one element per set).
    """

    key: str
    label: str
    pooled: Mapping[str, tuple[str, ...]]
    centered: bool
    min_ndim: int
    train_eval_differs: bool
    module: str
    functional: Mapping[str, str]
    var: str
    comment: str
    set_tex: str
    what: str
    made: str
    keeps: str
    params: tuple[KindParam, ...] = ()
    torch_one_element: str = ""
    torch_checks_batch: bool = False

    def __post_init__(self) -> None:
        """Refuse an entry :mod:`normviz.layers` cannot compute, saying what is wrong."""
        for layout, names in self.pooled.items():
            check_choice(layout, LAYOUTS, "layout")
            allowed = {*AXES[layout], "C/G"} if layout == "nct" else set(AXES[layout])
            if not set(names) <= allowed:
                raise ValueError(f"{self.key}: pooled axes {names} not in {sorted(allowed)}")
        if "nct" not in self.pooled or SPATIAL not in self.pooled["nct"]:
            raise ValueError(f"{self.key}: every kind pools the spatial axes of (N, C, *) input")
        if set(self.functional) != set(self.pooled):
            raise ValueError(f"{self.key}: expected a torch functional for each layout it pools")

    @property
    def pools_samples(self) -> bool:
        """Whether one set spans several samples (the output depends on the batch)."""
        return "N" in self.pooled["nct"]

    @property
    def channel_sets(self) -> str:
        """``"pooled"`` (all channels in one set), ``"grouped"`` (C/G per set) or ``"each"``."""
        names = self.pooled["nct"]
        return "pooled" if "C" in names else "grouped" if "C/G" in names else "each"

    def param(self, name: str) -> KindParam | None:
        """Return the parameter ``name`` of this kind, or None."""
        return next((p for p in self.params if p.name == name), None)


_F_BATCH = "F.batch_norm(x, None, None, training=True, eps=eps)"
_ONE_VALUE = "Expected more than 1 value per channel when training, got input size {size}"

LAYER_KINDS: dict[str, LayerKind] = {
    k.key: k
    for k in (
        LayerKind(
            "batch", "BatchNorm", {"nct": ("N", SPATIAL), "ntd": ("N", "T")}, True, 2, True,
            "nn.BatchNorm2d({c}, momentum=0.1{e})",
            {"nct": _F_BATCH,
             "ntd": "F.batch_norm(x.reshape(-1, x.shape[-1]), None, None, training=True, "
                    "eps=eps).reshape(x.shape)"},
            "bn", "per channel, over (N, H, W)",
            r"{S_c = \{(n, h, w)\}}\ \allowbreak\text{for each channel } c",
            "each channel", "each **channel** (a column, pooled over the batch and H, W)",
            "single cells keep their differences, so one sample still differs from another",
            torch_one_element=_ONE_VALUE,
        ),
        LayerKind(
            "layer", "LayerNorm", {"nct": ("C", SPATIAL), "ntd": ("D",)}, True, 2, False,
            "nn.LayerNorm([{c}, {side}, {side}]{e})",
            {"nct": "F.layer_norm(x, x.shape[1:], eps=eps)",
             "ntd": "F.layer_norm(x, x.shape[-1:], eps=eps)"},
            "ln", "per sample, over (C, H, W)",
            r"{S_n = \{(c, h, w)\}}\ \allowbreak\text{for each sample } n",
            "all features of one sample",
            "each **sample** (a row, pooled over its channels and H, W)",
            "the differences between channels of one sample remain",
        ),
        LayerKind(
            "instance", "InstanceNorm", {"nct": (SPATIAL,)}, True, 3, False,
            "nn.InstanceNorm2d({c}{e})", {"nct": "F.instance_norm(x, eps=eps)"},
            "inorm", "per sample and channel, over (H, W)",
            r"{S_{n,c} = \{(h, w)\}}\ \allowbreak\text{for each } (n, c)",
            "each channel of one sample",
            "every **cell** (one sample's channel, pooled over H, W)",
            "the per-image contrast and colour cast are gone",
            torch_one_element="Expected more than 1 spatial element when training, got input "
            "size {size}",
        ),
        LayerKind(
            "group", "GroupNorm", {"nct": ("C/G", SPATIAL)}, True, 2, False,
            "nn.GroupNorm({groups}, {c}{e})", {"nct": "F.group_norm(x, groups, eps=eps)"},
            "gn", "per sample and group of {size} channels",
            r"{S_{n,g} = \{(c, h, w) : c \in g\}}\ \allowbreak\text{for each } (n, g)",
            "each group of channels of one sample", "each sample's **group of {size} channels**",
            "channels of different groups keep their differences", (GROUPS,),
            torch_one_element=_ONE_VALUE, torch_checks_batch=True,
        ),
        LayerKind(
            "rms", "RMSNorm", {"nct": ("C", SPATIAL), "ntd": ("D",)}, False, 2, False,
            "nn.RMSNorm([{c}, {side}, {side}], eps={eps:g})",
            {"nct": "F.rms_norm(x, x.shape[1:], eps=eps)",
             "ntd": "F.rms_norm(x, x.shape[-1:], eps=eps)"},
            "rms", "as LayerNorm, no mean (eps=None: finfo.eps)",
            r"{S_n = \{(c, h, w)\}}\ \allowbreak\text{for each sample } n \text{ (as LayerNorm)}",
            "all features of one sample",
            "each **sample** (a row, pooled over its channels and H, W)",
            "nothing is subtracted, so the means of the cells stay away from 0",
        ),
    )
}  # fmt: skip
"""The layer kinds, in the order the lesson lists them."""

KINDS = tuple(LAYER_KINDS)
"""The kinds' keys, in table order."""

FORMULAS = {
    True: (
        r"{\mu_S = \frac{1}{|S|}\sum_{i \in S} x_i,}\quad\allowbreak{\sigma_S^2 = \frac{1}{|S|}"
        r"\sum_{i \in S} (x_i - \mu_S)^2}",
        r"{\hat x_i = \frac{x_i - \mu_S}{\sqrt{\sigma_S^2 + \epsilon}}}",
    ),
    False: (
        r"{\operatorname{ms}_S = \frac{1}{|S|}\sum_{i \in S} x_i^2}\quad\allowbreak"
        r"(\text{no mean})",
        r"{\hat x_i = \frac{x_i}{\sqrt{\operatorname{ms}_S + \epsilon}}}",
    ),
}
"""LaTeX of the statistics and the normalization of a set S: centered kinds, then the others.

Each equation is one brace group: KaTeX may break a display line after any top-level relation
(the app lets display formulas wrap), and broke "mu_S =" from its right-hand side on narrow
screens; a group never breaks, so a formula wraps only at its ``\\allowbreak``.
"""


def kind_of(kind: str) -> LayerKind:
    """Return the :class:`LayerKind` of ``kind``, or raise ``ValueError`` naming the choices.

    Examples
    --------
    >>> kind_of("layer").label
    'LayerNorm'
    >>> kind_of("bath")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of 'batch', 'layer', 'instance', 'group', 'rms' (got 'bath')
    """
    check_choice(kind, LAYER_KINDS, "kind")
    return LAYER_KINDS[kind]


def kinds_for(layout: str) -> tuple[str, ...]:
    """Return the kinds that support ``layout``, in table order.

    Examples
    --------
    >>> kinds_for("ntd")
    ('batch', 'layer', 'rms')
    """
    check_choice(layout, LAYOUTS, "layout")
    return tuple(k for k, spec in LAYER_KINDS.items() if layout in spec.pooled)


def formulas(kind: str) -> tuple[str, str, str]:
    r"""Return the LaTeX the cube tab shows for ``kind``: its sets, its statistics, its output.

    Examples
    --------
    >>> formulas("rms")[2]
    '{\\hat x_i = \\frac{x_i}{\\sqrt{\\operatorname{ms}_S + \\epsilon}}}'
    """
    spec = kind_of(kind)
    return (spec.set_tex, *FORMULAS[spec.centered])


def groups_for(kind: str, groups: int | None) -> int | None:
    """Return ``groups`` if ``kind`` takes them (GroupNorm), else None: what the lesson passes on.

    Examples
    --------
    >>> groups_for("group", 3), groups_for("batch", 3)
    (3, None)
    """
    return groups if kind_of(kind).param("groups") else None
