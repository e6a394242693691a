"""What the normalization-layers lesson's charts share, other than the cube (``layers_cube``).

Plain numbers or NamedTuples from :mod:`normviz.layer_studies` in; no torch, no Plotly. The
moments' grids and colour ranges (:func:`moments_info`, drawn by
:mod:`~normviz.figures.layers_moments`), the colours, dashes and markers per layer kind, and
the charts' alternative texts. The charts are HTML and SVG, with no Plotly chart in the browser:
the moments' tables (``layers_moments``), the running statistics' animated panels
(``layers_running_svg``) and the batch-size noise (``layers_noise_html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from normviz.figures.layers_cube import ACCENT, KIND_TITLES
from normviz.layer_running import RunningTrace
from normviz.layer_studies import BatchNoise

KIND_COLORS = {
    "batch": ACCENT,
    "layer": "#059669",
    "instance": "#d97706",
    "group": "#db2777",
    "rms": "#0891b2",
}
MAX_FRAMES = 60  # animation frames of the running statistics, however long the stream
NOISE_DASHES = ("solid", "dash", "dot", "dashdot")
NOISE_SYMBOLS = ("circle", "diamond", "square", "triangle-up")
"""Each line of the batch-size chart has its own dash and marker (lines may coincide)."""


def _grid(values: Sequence[Sequence[float]]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    return arr.reshape(0, 0) if arr.size == 0 else np.nan_to_num(arr.reshape(arr.shape[0], -1))


class MomentsInfo(NamedTuple):
    """Per-(sample, channel) moments before and after a normalization, ready to draw.

    Attributes
    ----------
    grids : tuple of four (N, C) float64 arrays
        Mean before, mean after, std before, std after (non-finite values as 0; an empty input
        is a (0, 0) array).
    titles : tuple of four str
        The panels' titles, in the same order.
    mean_limit : float
        Half-width of the means' shared, diverging colour range (> 0).
    std_limit : float
        Top of the stds' shared colour range, from 0 (>= 1).
    """

    grids: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    titles: tuple[str, str, str, str]
    mean_limit: float
    std_limit: float


def moments_info(
    before_mean: Sequence[Sequence[float]],
    before_std: Sequence[Sequence[float]],
    after_mean: Sequence[Sequence[float]],
    after_std: Sequence[Sequence[float]],
    title_after: str = "after",
) -> MomentsInfo:
    """Return the four (N, C) moment grids and their shared colour ranges.

    Examples
    --------
    >>> info = moments_info([[1.0, -2.0]], [[1.0, 3.0]], [[0.0, 0.0]], [[1.0, 1.0]])
    >>> info.mean_limit, info.std_limit, info.titles[1]
    (2.0, 3.0, 'mean after')
    """
    grids = tuple(_grid(v) for v in (before_mean, after_mean, before_std, after_std))
    return MomentsInfo(
        grids,  # type: ignore[arg-type]
        ("mean before", f"mean {title_after}", "std before", f"std {title_after}"),
        max([float(np.abs(g).max()) for g in grids[:2] if g.size] + [1e-3]),
        max([float(g.max()) for g in grids[2:] if g.size] + [1.0]),
    )


def coincide_note(kinds: Sequence[str]) -> str:
    """Return the note on lines drawn on top of each other: which layers, and that they coincide.

    Examples
    --------
    >>> coincide_note(["layer", "group"])
    'LayerNorm and GroupNorm coincide (drawn on top of each other)'
    """
    names = [KIND_TITLES[k] for k in kinds]
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return f"{listed} coincide (drawn on top of each other)"


def _span(values: Sequence[Sequence[float]], signed: bool = True) -> str:
    """Return ``values``' range as text: ``-1.00 to +3.00``, or one value if all round alike."""
    flat = [float(v) for row in values for v in row if np.isfinite(v)]
    if not flat:
        return "none"
    fmt = "+.2f" if signed else ".2f"
    lo, hi = format(min(flat), fmt), format(max(flat), fmt)
    return lo if lo == hi else f"{lo} to {hi}"


def moments_alt(
    before_mean: Sequence[Sequence[float]],
    before_std: Sequence[Sequence[float]],
    after_mean: Sequence[Sequence[float]],
    after_std: Sequence[Sequence[float]],
    title_after: str = "after",
) -> str:
    """Return the alternative text of the moments' heatmaps: the ranges they span.

    Examples
    --------
    >>> print(moments_alt([[3.0, -1.0]], [[2.0, 1.0]], [[0.0, 0.0]], [[1.0, 1.0]], "after X"))
    Heatmaps of the mean and std of each (sample, channel) pair, 1 × 2, before and after X: before, means -1.00 to +3.00 and stds 1.00 to 2.00; after X, means +0.00 and stds 1.00.
    """  # noqa: E501
    n = len(before_mean)
    c = len(before_mean[0]) if n else 0
    return (
        f"Heatmaps of the mean and std of each (sample, channel) pair, {n} × {c}, before and "
        f"{title_after}: before, means {_span(before_mean)} and stds {_span(before_std, False)}; "
        f"{title_after}, means {_span(after_mean)} and stds {_span(after_std, False)}."
    )


def running_alt(trace: RunningTrace, mean: float, var: float, tau: float | None = None) -> str:
    """Return the running statistics chart's alternative text: where the running values end.

    Examples
    --------
    >>> t = RunningTrace([1.0, 3.0], [1.0, 1.0], [2.0, 2.0], [0.1, 0.39], [1.1, 1.2], 0.1,
    ...                  "pytorch")
    >>> print(running_alt(t, 2.0, 1.0, tau=1.5))
    Running mean and variance of one channel over 2 batches (PyTorch convention, momentum 0.1), batch values as dots: the running mean ends at 0.39 (population 2), the running variance at 1.2 (population 1); time constant 1.5 batches.
    """  # noqa: E501
    name = "PyTorch" if trace.convention == "pytorch" else "Keras"
    steps = len(trace.batch_mean)
    if not steps:
        return f"Running mean and variance ({name} convention): no batches."
    tail = f"; time constant {tau:.3g} batches" if tau is not None else ""
    return (
        f"Running mean and variance of one channel over {steps} batches ({name} convention, "
        f"momentum {trace.momentum:g}), batch values as dots: the running mean ends at "
        f"{trace.running_mean[-1]:.3g} (population {mean:g}), the running variance at "
        f"{trace.running_var[-1]:.3g} (population {var:g}){tail}."
    )


def batch_noise_alt(noise: BatchNoise) -> str:
    """Return the batch-noise chart's alternative text: each kind's spread at the ends.

    Examples
    --------
    >>> print(batch_noise_alt(BatchNoise((2, 8), ("batch", "layer"), ((0.5, 0.2), (0.0, 0.0)))))
    Spread (std) of one normalized value against batch size, 2 to 8: BatchNorm 0.5 at batch 2, 0.2 at batch 8; LayerNorm 0 at batch 2, 0 at batch 8.
    """  # noqa: E501
    sizes = noise.batch_sizes
    if not sizes:
        return "Spread of one normalized value against batch size: no batch sizes."
    parts = [
        f"{KIND_TITLES[kind]} {row[0]:.2g} at batch {sizes[0]}, {row[-1]:.2g} at batch {sizes[-1]}"
        for kind, row in zip(noise.kinds, noise.spread, strict=True)
    ]
    return (
        f"Spread (std) of one normalized value against batch size, {sizes[0]} to {sizes[-1]}: "
        f"{'; '.join(parts)}."
    )
