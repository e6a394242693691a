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
    "default_groups",
    "divisors",
    "param_for_key",
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
    """A layer kind's parameter for ``c`` channels: range, choices, default and label from
    :data:`normviz.layer_kinds.LAYER_KINDS` (GroupNorm's groups: the divisors of C)."""
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
