"""Channels of the image figures: names, colours, dash patterns, and the records builders read.

Colour is never the only cue: each channel also has its own dash pattern, and
:func:`line_legend` says in words which line is which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

CHANNEL_COLORS: dict[str, str] = {
    "R": "#dc2626",
    "G": "#16a34a",
    "B": "#2563eb",
    "A": "#9333ea",
    "Y": "#334155",
    "grey": "#334155",
}
# Colour-independent cues: a dash pattern per channel ("dot" is kept for cumulative curves).
CHANNEL_DASHES: dict[str, str] = {
    "R": "solid",
    "G": "dash",
    "B": "dashdot",
    "A": "longdash",
    "Y": "solid",
    "grey": "solid",
}
CUMULATIVE_DASH = "dot"
_SPARE_DASHES = ("solid", "dash", "dashdot", "longdash", "longdashdot")
DASH_WORDS = {
    "solid": "solid", "dash": "dashed", "dashdot": "dash-dot", "longdash": "long-dashed",
    "longdashdot": "long-dash-dot", "dot": "dotted",
}  # fmt: skip


class HistogramLike(Protocol):
    """What the builders need from a histogram: ``counts`` (C, bins) and ``edges`` (bins + 1,)."""

    counts: np.ndarray
    edges: np.ndarray


class CurveLike(Protocol):
    """What the builders need from a transfer curve: ``x`` (K,) and ``y`` (C, K)."""

    x: np.ndarray
    y: np.ndarray


class StatsLike(Protocol):
    """Per-channel ``minimum``, ``maximum``, ``mean`` and ``std``, each (C,)."""

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def channel_names(n_channels: int) -> tuple[str, ...]:
    """Return the display names of ``n_channels`` channels: grey, RGB or RGBA.

    Examples
    --------
    >>> channel_names(1), channel_names(3)
    (('grey',), ('R', 'G', 'B'))
    >>> channel_names(2)
    ('ch0', 'ch1')
    """
    return {1: ("grey",), 3: ("R", "G", "B"), 4: ("R", "G", "B", "A")}.get(
        n_channels, tuple(f"ch{i}" for i in range(n_channels))
    )


def channel_dash(name: str, index: int = 0) -> str:
    """Return the dash pattern of channel ``name`` (the ``index``-th one if it has none).

    Examples
    --------
    >>> channel_dash("R"), channel_dash("G"), channel_dash("B"), channel_dash("ch1", 1)
    ('solid', 'dash', 'dashdot', 'dash')
    """
    return CHANNEL_DASHES.get(name, _SPARE_DASHES[index % len(_SPARE_DASHES)])


def line_legend(names: Sequence[str]) -> str:
    """Return how the channels' lines are told apart without colour, e.g. "R solid, G dashed".

    Examples
    --------
    >>> line_legend(("R", "G", "B"))
    'R solid, G dashed, B dash-dot'
    """
    return ", ".join(f"{n} {DASH_WORDS[channel_dash(n, i)]}" for i, n in enumerate(names))
