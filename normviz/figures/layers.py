"""Figures of the normalization-layers lesson, other than the cube (see ``layers_cube``).

Pure builders: plain numbers or NamedTuples from :mod:`normviz.layer_studies` in, ``go.Figure``
out; no torch import. Per-(sample, channel) moments before and after, BatchNorm's running
statistics converging (animated in the browser), and the batch-size noise of BatchNorm.

The running-statistics animation is a :class:`~normviz.figures._spec.FigureSpec`: the page caches
it and sends it on every rerun, ~1 ms as a spec against ~140 ms as a ``go.Figure`` (Streamlit
deep-copies a figure's frames through ``to_dict`` each time). The others are plain ``go.Figure``
(sending them costs about 1 ms either way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from normviz.figures._spec import FigureSpec
from normviz.figures._theme import LAYERS_FONT, MUTED, NO_TEMPLATE, legend_below, play_pause
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


def plot_moments(
    before_mean: Sequence[Sequence[float]],
    before_std: Sequence[Sequence[float]],
    after_mean: Sequence[Sequence[float]],
    after_std: Sequence[Sequence[float]],
    title_after: str = "after",
    height: int = 430,
) -> go.Figure:
    """Return 2x2 heatmaps of the per-(sample, channel) mean and std, before and after.

    Each input is an (N, C) nested sequence. Before and after share one colour range (means on a
    diverging scale centred on 0, stds from 0), so what a normalization removes is visible.
    The lesson's page shows the same grids, scales and ranges as HTML tables
    (:func:`normviz.figures.layers_moments.moments_html`): a browser mounts them in a few
    milliseconds, these four annotated heatmaps in ~400 ms.

    Examples
    --------
    >>> fig = plot_moments([[1.0, 2.0]], [[1.0, 3.0]], [[0.0, 0.0]], [[1.0, 1.0]])
    >>> len(fig.data), fig.data[0].zmin, fig.data[0].zmax
    (4, -2.0, 2.0)
    """
    info = moments_info(before_mean, before_std, after_mean, after_std, title_after)
    m_lim, s_lim = info.mean_limit, info.std_limit
    fig = make_subplots(
        rows=2, cols=2, shared_xaxes=True, shared_yaxes=True, vertical_spacing=0.12,
        horizontal_spacing=0.10, subplot_titles=info.titles,
    )  # fmt: skip
    for i, g in enumerate(info.grids):
        is_mean = i < 2
        n = g.shape[0] if g.size else 0
        fig.add_trace(
            go.Heatmap(
                z=g, x=[f"c{c}" for c in range(g.shape[1] if g.size else 0)],
                y=[f"n{k}" for k in range(n)],
                zmin=-m_lim if is_mean else 0.0, zmax=m_lim if is_mean else s_lim,
                colorscale="RdBu_r" if is_mean else "Viridis",
                texttemplate="%{z:.2f}" if g.size <= 96 else None,
                textfont={"size": 10},
                showscale=i % 2 == 1,
                colorbar={"len": 0.42, "y": 0.79 if is_mean else 0.21, "thickness": 12},
                hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>",
            ),
            row=i // 2 + 1, col=i % 2 + 1,
        )  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        template="none",
        height=height,
        font=LAYERS_FONT,
        margin={"l": 40, "r": 10, "t": 30, "b": 30},
    )
    return fig


def plot_running(
    trace: RunningTrace, mean: float, var: float, tau: float | None = None, height: int = 420
) -> FigureSpec:
    """Return the running mean and variance over the batches, animated step by step.

    ``mean`` and ``var`` are the population values the running statistics should approach; a
    dotted vertical line marks the time constant ``tau`` (in batches) when given. The variance
    panel shows the batch variance the convention feeds to the running one (PyTorch: unbiased).
    Frames reveal the batches in at most :data:`MAX_FRAMES` steps; Play runs in the browser.

    Examples
    --------
    >>> t = RunningTrace([1.0, 3.0], [1.0, 1.0], [2.0, 2.0], [0.1, 0.39], [1.1, 1.2], 0.1,
    ...                  "pytorch")
    >>> fig = plot_running(t, 2.0, 1.0, tau=1.5).full()
    >>> len(fig.frames), fig.layout.xaxis.range, fig.data[2].y.tolist()
    (2, (0.5, 2.5), [2.0, 2.0])
    """
    steps = np.arange(1, len(trace.batch_mean) + 1)
    columns = (trace.batch_mean, trace.running_mean, trace.batch_var_fed, trace.running_var)
    series = [np.asarray(v, dtype=np.float64) for v in columns]
    # Built without Plotly's object model (one validated go.Scatter per frame and series took
    # most of a second); tests rebuild it through go.Figure and compare the JSON.
    styles = [
        {"mode": "markers", "marker": {"color": "#9ca3af", "size": 5}, "name": "batch"},
        {"mode": "lines", "line": {"color": ACCENT, "width": 3}, "name": "running"},
    ]
    data = [
        {"type": "scatter", "x": steps, "y": ys, "showlegend": i < 2, "legendgroup": str(i % 2),
         "xaxis": "x" if i < 2 else "x2", "yaxis": "y" if i < 2 else "y2", **styles[i % 2]}
        for i, ys in enumerate(series)
    ]  # fmt: skip
    shapes = [
        {"type": "line", "xref": f"{x} domain", "yref": y, "x0": 0, "x1": 1, "y0": value,
         "y1": value, "line": {"dash": "dash", "color": "#dc2626"}}
        for x, y, value in (("x", "y", mean), ("x2", "y2", var))
    ]  # fmt: skip
    notes = [
        {"text": title, "x": x, "xanchor": "center", "xref": "paper", "y": 1.0,
         "yanchor": "bottom", "yref": "paper", "showarrow": False, "font": {"size": 14}}
        for title, x in (("mean", 0.225), ("variance", 0.775))
    ]  # fmt: skip
    if tau is not None and 0 < tau <= len(steps):
        shapes += [
            {"type": "line", "xref": x, "yref": f"{y} domain", "x0": tau, "x1": tau, "y0": 0,
             "y1": 1, "line": {"dash": "dot", "color": MUTED}}
            for x, y in (("x", "y"), ("x2", "y2"))
        ]  # fmt: skip
        notes.append(
            {"x": tau, "y": 1.0, "xref": "x", "yref": "paper", "text": f"τ = {tau:g}",
             "showarrow": False, "xanchor": "left", "yanchor": "top",
             "font": {"size": 11, "color": MUTED}}
        )  # fmt: skip
    ends = np.unique(np.ceil(np.linspace(1, len(steps), min(len(steps), MAX_FRAMES))).astype(int))
    # A frame sends only the first k values of y, in float32: plotly.js draws min(len(x), len(y))
    # points, so the traces' full x serves every frame. The frames are most of the payload (the
    # sum of their lengths grows as steps x frames): 850 kB for a 500-batch stream at float64
    # with x, 2.5x less so; a browser parses and decodes all of it on every change.
    short = [ys.astype(np.float32) for ys in series]
    frames = [
        {"name": str(k), "data": [{"type": "scatter", "y": ys[:k]} for ys in short]}
        for k in ends.tolist()
    ]  # fmt: skip
    ranges = []
    for ys, value in ((np.concatenate(series[:2]), mean), (np.concatenate(series[2:]), var)):
        ys = np.append(ys, value)
        lo, hi = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
        pad = 0.08 * (hi - lo) or 1.0
        ranges.append([lo - pad, hi + pad])
    x_range = [0.5, len(steps) + 0.5]
    axis = {"range": x_range, "title": {"text": "batch"}, "nticks": 6}
    play = {"frame": {"duration": 60, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}  # fmt: skip
    legend, bottom = legend_below(height, 56)
    layout = {
        "template": NO_TEMPLATE, "height": height, "font": LAYERS_FONT,
        "xaxis": {**axis, "anchor": "y", "domain": [0.0, 0.45]},
        "xaxis2": {**axis, "anchor": "y2", "domain": [0.55, 1.0]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "range": ranges[0], "nticks": 6},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0], "range": ranges[1], "nticks": 6},
        "annotations": notes, "shapes": shapes,
        # Legend below the x axes' title, buttons above the panels' titles: on a phone a legend
        # at the top ran over the titles and the tick labels.
        "margin": {"l": 50, "r": 10, "t": 56, "b": bottom},
        "legend": legend,
        "updatemenus": [play_pause(
            play, {"frame": {"duration": 0}, "mode": "immediate"}, x=0.0, xanchor="left", y=1.08,
            yanchor="bottom", pad={"t": 0, "b": 0, "l": 0, "r": 0},
        )],
    }  # fmt: skip
    return FigureSpec(data, layout, frames)


def plot_batch_noise(noise: BatchNoise, height: int = 430) -> go.Figure:
    """Return the spread of one normalized value against batch size, one line per kind.

    Examples
    --------
    >>> fig = plot_batch_noise(BatchNoise((2, 8), ("batch", "layer"), ((0.5, 0.2), (0.0, 0.0))))
    >>> [t.name for t in fig.data], fig.layout.xaxis.type
    (['BatchNorm', 'LayerNorm'], 'log')
    """
    # Lines that coincide (LayerNorm and GroupNorm never move: both 0 everywhere) stay visible:
    # the first is drawn widest, each later one narrower, with its own dash and marker.
    rows = [tuple(row) for row in noise.spread]
    same = [
        [other for other in range(len(rows)) if rows[other] == rows[k]] for k in range(len(rows))
    ]
    traces = []
    for k, (kind, row) in enumerate(zip(noise.kinds, rows, strict=True)):
        rank = same[k].index(k)  # 0 for the first of the lines equal to this one
        traces.append(
            go.Scatter(
                x=list(noise.batch_sizes), y=list(row), name=KIND_TITLES[kind],
                mode="lines+markers",
                line={"color": KIND_COLORS[kind], "width": max(7 - 3 * rank, 2),
                      "dash": NOISE_DASHES[k % len(NOISE_DASHES)]},
                marker={"symbol": NOISE_SYMBOLS[k % len(NOISE_SYMBOLS)],
                        "size": max(13 - 4 * rank, 6)},
                hovertemplate=(
                    f"{KIND_TITLES[kind]}, batch %{{x}}: spread %{{y:.4f}}<extra></extra>"
                ),
            )
        )  # fmt: skip
    fig = go.Figure(traces)
    top = max([v for row in noise.spread for v in row] + [0.1])
    sizes = noise.batch_sizes or (2, 512)
    notes = [
        {"text": coincide_note([noise.kinds[i] for i in group]), "x": 0.01, "xref": "paper",
         "xanchor": "left", "y": rows[group[0]][-1], "yref": "y", "yanchor": "bottom",
         "showarrow": False, "font": {"size": 12, "color": "#374151"}}
        for group in {tuple(g) for g in same if len(g) > 1}
    ]  # fmt: skip
    legend, bottom = legend_below(height, 20)
    fig.update_layout(
        template="none", height=height, font=LAYERS_FONT,
        margin={"l": 60, "r": 10, "t": 20, "b": bottom},
        xaxis={"type": "log", "title": {"text": "batch size"}, "tickvals": list(sizes),
               "range": [np.log10(min(sizes)) - 0.1, np.log10(max(sizes)) + 0.1]},
        yaxis={"title": {"text": "std of one normalized value"}, "range": [-0.06 * top, 1.1 * top]},
        legend=legend,
        annotations=sorted(notes, key=lambda n: n["text"]),
    )  # fmt: skip
    return fig


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
    """Return the alternative text of :func:`plot_moments`: the ranges its heatmaps span.

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
    """Return the alternative text of :func:`plot_running`: where the running statistics end.

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
    """Return the alternative text of :func:`plot_batch_noise`: each kind's spread at the ends.

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
