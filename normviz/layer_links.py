"""The layers lesson's settings as URL parameters: the one home of each control's range.

:data:`LAYER_LINKS` lists what the layers page shows, in the order a reader sets it: the batch
(data source, N, C, H = W and, for synthetic data, its offsets and scales), the layer kind, the
selected tab, GroupNorm's groups (a divisor of C: one parameter per C, each allowing only that
C's divisors, so a link whose groups does not divide its C is reported and replaced), the token
layout, the running-statistics convention with its momentum (PyTorch's and Keras' ranges
differ), the stream's batch size and mode, and the batch-noise trials. The page's widgets read
their ranges, options and defaults from this table.

Examples
--------
>>> values, warnings = LAYER_LINKS.parse({"c": "8", "kind": "group", "groups": "4"})
>>> values["c"], values["kind"], values["groups"]
(8, 'group', 4)
>>> LAYER_LINKS.to_query(values)
{'c': '8', 'kind': 'group', 'groups': '4'}
>>> print(LAYER_LINKS.parse({"c": "6", "groups": "4"}).warnings[0])
Ignored groups='4' from the URL: groups must be one of 1, 2, 3, 6 (got '4'); using the default 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from normviz.layer_kinds import (
    KINDS,
    LAYER_KINDS,
    KindParam,
    default_groups,
    divisors,
    kinds_for,
)
from normviz.layers import KIND_NAMES
from normviz.links import LinkTable, Param

__all__ = [
    "CHANNELS",
    "LAYER_LINKS",
    "SOURCES",
    "TABS",
    "WIDGET_KEYS",
    "default_groups",
    "divisors",
    "from_widget",
    "holds_valid",
    "param_for_key",
    "to_widget",
    "values_from_state",
]

SOURCES = {"synthetic": "synthetic", "crops": "image crops"}
"""Where the batch comes from: URL value -> the control's label."""

CHANNELS = (1, 2, 3, 4, 6, 8, 12, 16)
"""The channel counts C the lesson offers."""

TABS = {
    "cube": "The cube",
    "moments": "Before and after",
    "groupnorm": "GroupNorm's range",
    "tokens": "Embeddings and tokens",
    "running": "Running statistics",
    "batch": "Batch size",
    "code": "PyTorch code",
}
"""The lesson's tabs: URL value -> the tab's label, in the order shown."""

CONVENTIONS = {"pytorch": "PyTorch", "keras": "Keras"}
"""Running-statistics conventions: URL value -> name."""


def _kind_param(param: KindParam, c: int) -> Param:
    """Return a layer kind's parameter for ``c`` channels as a URL :class:`Param`.

    Its range, choices, default and label come from :data:`normviz.layer_kinds.LAYER_KINDS`
    (GroupNorm's groups: the divisors of C).
    """
    return Param(param.name, "int", param.default(c), lo=param.lo, hi=c,
                 choices=param.choices(c), when={"c": (c,)}, key=f"lay_{param.name}",
                 label=param.label)  # fmt: skip


KIND_PARAMS = tuple(dict.fromkeys(p for spec in LAYER_KINDS.values() for p in spec.params))
"""The layer kinds' parameters (GroupNorm's groups), one URL parameter per C each."""


_SYNTH = {"source": ("synthetic",)}

LAYER_LINKS = LinkTable(
    "the layers lesson",
    (
        Param("source", "choice", "synthetic", choices=tuple(SOURCES), key="lay_source",
              label="Data"),
        Param("n", "int", 4, lo=1, hi=8, step=1, key="lay_n", label="batch N"),
        Param("c", "int", 6, lo=1, hi=16, choices=CHANNELS, key="lay_c", label="channels C"),
        Param("side", "int", 4, lo=1, hi=8, step=1, key="lay_side", label="H = W"),
        Param("kind", "choice", "batch", choices=KINDS, key="lay_kind", label="Layer"),
        Param("ch_offset", "float", 3.0, lo=0.0, hi=5.0, step=0.5, when=_SYNTH,
              key="lay_ch_offset", label="channel offset"),
        Param("ch_scale", "float", 1.0, lo=0.0, hi=2.0, step=0.25, when=_SYNTH,
              key="lay_ch_scale", label="channel scale (log2)"),
        Param("s_offset", "float", 1.0, lo=0.0, hi=5.0, step=0.5, when=_SYNTH,
              key="lay_s_offset", label="sample offset"),
        Param("s_scale", "float", 0.0, lo=0.0, hi=2.0, step=0.25, when=_SYNTH,
              key="lay_s_scale", label="sample scale (log2)"),
        Param("tab", "choice", "cube", choices=tuple(TABS), key="lay_tab", label="Tab"),
        *(_kind_param(p, c) for p in KIND_PARAMS for c in CHANNELS),
        Param("tokens", "choice", "layer", choices=kinds_for("ntd"), key="lay_tok_kind",
              label="(N, T, D) layout of language models"),
        Param("convention", "choice", "pytorch", choices=tuple(CONVENTIONS), key="lay_conv",
              label="Convention"),
        Param("momentum", "float", 0.1, lo=0.01, hi=0.5, step=0.01,
              when={"convention": ("pytorch",)}, key="lay_momentum",
              label="momentum (PyTorch, weight of the new batch)"),
        Param("momentum", "float", 0.99, lo=0.5, hi=0.99, step=0.01,
              when={"convention": ("keras",)}, key="lay_momentum_keras",
              label="momentum (Keras, weight of the old value)"),
        Param("stream_batch", "int", 8, lo=2, hi=64, choices=(2, 4, 8, 16, 64),
              key="lay_stream_batch", label="batch size"),
        Param("mode", "choice", "train", choices=("train", "eval"), key="lay_mode", label="Mode"),
        Param("trials", "int", 16, lo=8, hi=32, choices=(8, 16, 32), key="lay_trials",
              label="random batches per size"),
    ),
)  # fmt: skip
"""The layers lesson's URL parameters (see :class:`normviz.links.LinkTable`)."""

KIND_LABELS = KIND_NAMES
"""How the layer kinds are shown (``KIND_NAMES``)."""


def param_for_key(key: str) -> Param:
    """Return the :class:`~normviz.links.Param` whose widget key is ``key`` (the first one).

    Examples
    --------
    >>> param_for_key("lay_momentum_keras").lo
    0.5
    """
    for p in LAYER_LINKS.params:
        if p.key == key:
            return p
    raise KeyError(key)


def param(name: str, values: dict[str, Any]) -> Param:
    """Return the parameter ``name`` that applies to ``values`` (e.g. groups for this C)."""
    return LAYER_LINKS.param(name, values)


WIDGET_KEYS = tuple(dict.fromkeys(p.key for p in LAYER_LINKS.params))
"""The session-state keys of the lesson's widgets, each once, in the table's order."""

_TAB_OF_LABEL = {label: name for name, label in TABS.items()}


def to_widget(p: Param, value: Any) -> Any:
    """Return a parameter's ``value`` as its widget holds it (the tabs hold their label).

    Examples
    --------
    >>> to_widget(LAYER_LINKS.param("tab", {}), "code"), to_widget(LAYER_LINKS.param("n", {}), 3)
    ('PyTorch code', 3)
    """
    return TABS[value] if p.name == "tab" else value


def from_widget(p: Param, value: Any) -> Any:
    """Return the parameter value a widget's state ``value`` stands for (None: not one).

    Examples
    --------
    >>> tab = LAYER_LINKS.param("tab", {})
    >>> from_widget(tab, "PyTorch code"), from_widget(tab, "code")
    ('code', None)
    """
    return _TAB_OF_LABEL.get(value) if p.name == "tab" else value


def holds_valid(p: Param, state: Mapping[str, Any]) -> bool:
    """Return whether the widget of ``p`` holds, in ``state``, a value ``p`` allows.

    Examples
    --------
    >>> groups = LAYER_LINKS.param("groups", {"c": 6})
    >>> holds_valid(groups, {"lay_groups": 3}), holds_valid(groups, {"lay_groups": 4})
    (True, False)
    >>> holds_valid(groups, {})
    False
    """
    if p.key not in state:
        return False
    value = from_widget(p, state[p.key])
    try:
        return value is not None and p.check(value) is not None
    except ValueError:
        return False


def values_from_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """Return the lesson's values for the URL from widget ``state``: each widget's, else default.

    A parameter that does not apply (the offsets of image crops) is left out; a value its
    parameter no longer allows (groups after C changed) is replaced by the default.

    Examples
    --------
    >>> values = values_from_state({"lay_c": 8, "lay_groups": 3, "lay_tab": "PyTorch code"})
    >>> values["c"], values["groups"], values["tab"]
    (8, 2, 'code')
    >>> LAYER_LINKS.to_query(values)
    {'c': '8', 'tab': 'code'}
    """
    values: dict[str, Any] = {}
    for p in LAYER_LINKS.params:
        if p.name in values or not p.applies(values):
            continue
        v = from_widget(p, state.get(p.key))
        try:
            values[p.name] = p.default_for(values) if v is None else p.check(v)
        except ValueError:
            values[p.name] = p.default_for(values)
    return values
