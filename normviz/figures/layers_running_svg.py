"""BatchNorm's running statistics as two inline-SVG panels, revealed batch by batch: no Plotly.

The same chart the Plotly animation drew (mean and variance panels; batch values as grey
dots, the running value as the accent line, the population value dashed red, the time
constant dotted with its label; same ranges), built once as HTML for the frame player of
``pages/_cube_view.py``. Each panel is a box of class ``nv-chart`` as the other HTML charts
(:mod:`normviz.figures._chart_html`: tick labels and titles are HTML boxes placed in percent
of the plot area, so text stays 12 px at any width) around an inline ``<svg>`` stretched over
the plot area (viewBox ``0 0 UNITS UNITS``, strokes kept at their width). The whole stream is
drawn once; what is drawn of the batches is cut by a clip rectangle per panel, and frame ``k``
only sets that rectangle's width: a browser swaps a frame without parsing anything.

Coordinates: batch ``b`` (1..S) is at ``x = (b - 0.5) / S * UNITS``; a value ``v`` of a panel
with range ``(lo, hi)`` at ``y = (hi - v) / (hi - lo) * UNITS`` (y downwards).
"""

from __future__ import annotations

import math
from typing import NamedTuple
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._chart_html import (
    BOTTOM,
    CHART_CLASS,
    FONT_PX,
    SVG_DASHES,
    TOP,
    UNITS,
    box,
    escape_attr,
    nice_ticks,
    number_label,
    pct,
    x_axis,
    y_axis,
    y_axis_room,
)
from normviz.figures._theme import DARK, FONT_FAMILY, GRID, INK, MUTED, PANEL_TITLE_SIZE
from normviz.figures.layers import MAX_FRAMES, running_alt
from normviz.figures.layers_cube import ACCENT
from normviz.layer_running import RunningTrace

BATCH_COLOUR = "#9ca3af"
POPULATION_COLOUR = "#dc2626"
DOT_PX = 5
"""Diameter of a batch value's dot, in px."""
LINE_PX = 3
PANEL_PX = 300
"""Height of one panel (plot area, ticks and the x axis title) in px."""
PANELS = ("mean", "variance")
CLIP = "nv-run-clip"
"""Class of the panels' clip rectangles: a frame sets their ``width`` (SVG units)."""
RUNNING_TARGETS = ((f".{CLIP}", "width"),)
"""What a frame sets in the drawing (for the player): the clip rectangles' width."""
_SLACK = 50
"""The clip rectangle starts this many units left of the plot (the first dot's left half)."""


class RunningFrame(NamedTuple):
    """One step of the animation: batches 1..``last`` shown.

    ``clip`` is the clip rectangles' width in SVG units, ``title`` the player's caption (two
    lines: which batches, the running values after the last one), ``at`` the slider's text.
    """

    last: int
    clip: float
    title: tuple[str, str]
    at: str


class RunningSvg(NamedTuple):
    """The running-statistics chart: its ``html``, frames, alt text and each panel's y range.

    ``ranges`` are ((lo, hi) of the mean panel, (lo, hi) of the variance panel); ``batches``
    is S, the number of batches drawn.
    """

    html: str
    frames: tuple[RunningFrame, ...]
    label: str
    ranges: tuple[tuple[float, float], tuple[float, float]]
    batches: int


def frame_ends(steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """Return the last batch each animation frame shows: at most ``frames``, ending at ``steps``.

    Examples
    --------
    >>> frame_ends(5), frame_ends(500)[:3], len(frame_ends(500)), frame_ends(0)
    ([1, 2, 3, 4, 5], [1, 10, 18], 60, [])
    """
    if steps < 1:
        return []
    ends = np.ceil(np.linspace(1, steps, min(steps, frames))).astype(int)
    return np.unique(ends).tolist()


def value_range(values: np.ndarray, target: float) -> tuple[float, float]:
    """Return a panel's y range: the values and ``target``, padded by 8 % (1 when flat).

    Examples
    --------
    >>> value_range(np.array([1.0, 3.0]), 2.0)
    (0.84, 3.16)
    >>> value_range(np.array([]), 2.0)
    (1.0, 3.0)
    """
    ys = np.append(np.asarray(values, dtype=np.float64), target)
    ys = ys[np.isfinite(ys)]
    lo, hi = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
    pad = 0.08 * (hi - lo) or 1.0
    return (round(lo - pad, 12), round(hi + pad, 12))


def _u(v: float) -> str:
    """Return a coordinate in SVG units with one decimal at most (``12``, ``-3.5``)."""
    return f"{round(float(v), 1) + 0.0:g}"


def _points(xs: np.ndarray, ys: np.ndarray) -> list[tuple[str, str]]:
    return [(_u(x), _u(y)) for x, y in zip(xs, ys, strict=True) if np.isfinite(y)]


def _panel(
    name: str, batch: np.ndarray, running: np.ndarray, target: float, lim: tuple[float, float],
    tau: float | None,
) -> str:  # fmt: skip
    """One panel: title, axes, and the SVG of its dots, line, population and tau lines."""
    steps = len(batch)
    lo, hi = lim
    xs = (np.arange(1, steps + 1) - 0.5) / max(steps, 1) * UNITS

    def y_of(v):
        return (hi - np.asarray(v, dtype=np.float64)) / (hi - lo) * UNITS

    dots = "".join(f"M{x} {y}h0" for x, y in _points(xs, y_of(batch)))
    line = "L".join(f"{x} {y}" for x, y in _points(xs, y_of(running)))
    stroke = "fill='none' vector-effect='non-scaling-stroke'".replace("'", '"')
    body = [
        f'<defs><clipPath id="nv-run-clip-{name}"><rect class="{CLIP}" x="-{_SLACK}" '
        f'y="-{UNITS}" width="{UNITS + 2 * _SLACK}" height="{3 * UNITS}"/></clipPath></defs>',
        f'<path class="nv-run-population" d="M0 {_u(y_of(target))}H{UNITS}" {stroke} '
        f'stroke="{POPULATION_COLOUR}" stroke-width="1.5" '
        f'stroke-dasharray="{SVG_DASHES["dash"]}"/>',
    ]
    notes = []
    if tau is not None and 0 < tau <= steps:
        x = (tau - 0.5) / steps * UNITS
        body.append(
            f'<path class="nv-run-tau" d="M{_u(x)} 0V{UNITS}" {stroke} stroke="{MUTED}" '
            f'stroke-width="1.5" stroke-dasharray="{SVG_DASHES["dot"]}"/>'
        )
        frac = x / UNITS * 100
        move = "translate(3px, 2px)" if frac < 70 else "translate(calc(-100% - 3px), 2px)"
        notes.append(box(
            f"left:{pct(frac)};top:0;transform:{move};font-size:11px;color:{MUTED};"
            "background:rgba(255, 255, 255, 0.75);padding:0 1px;white-space:nowrap",
            escape(f"τ = {tau:g}"), ' class="nv-note nv-run-tau-label"',
        ))  # fmt: skip
    body.append(
        f'<g clip-path="url(#nv-run-clip-{name})">'
        f'<path class="nv-run-batch" d="{dots}" {stroke} stroke="{BATCH_COLOUR}" '
        f'stroke-width="{DOT_PX}" stroke-linecap="round"/>'
        f'<path class="nv-run-running" d="{"M" + line if line else ""}" {stroke} '
        f'stroke="{ACCENT}" stroke-width="{LINE_PX}" stroke-linejoin="round"/></g>'
    )
    svg = (
        f'<svg class="nv-run-svg" viewBox="0 0 {UNITS} {UNITS}" preserveAspectRatio="none" '
        'aria-hidden="true" style="position:absolute;left:0;top:0;width:100%;height:100%;'
        f'max-height:none;overflow:visible">{"".join(body)}</svg>'
    )
    ticks, decimals = nice_ticks(lo, hi, 5)
    y_ticks = [((t - lo) / (hi - lo), number_label(float(t), decimals)) for t in ticks]
    left = y_axis_room([t for _, t in y_ticks], False)
    right = max(12, math.ceil(len(str(steps)) * 0.6 * FONT_PX / 2) + 4)
    parts = [*y_axis(y_ticks, "", left), *x_axis(0.5, max(steps, 1) + 0.5, "batch"), svg, *notes]
    title = (
        f'<div class="nv-run-title" style="font-weight:600;font-size:{PANEL_TITLE_SIZE + 1}px;'
        f'color:{DARK};text-align:center;padding-left:{left}px">{escape(name)}</div>'
    )
    chart = (
        f'<div class="{CHART_CLASS}" data-panel="{name}" data-lo="{lo!r}" data-hi="{hi!r}" '
        f'data-batches="{steps}" style="position:relative;height:{PANEL_PX}px">'
        f'<div class="nv-plot" style="position:absolute;left:{left}px;right:{right}px;'
        f"top:{TOP}px;bottom:{BOTTOM}px;border-left:1px solid {GRID};"
        f'border-bottom:1px solid {GRID}">{"".join(parts)}</div></div>'
    )
    return f'<div class="nv-run-panel" style="flex:1 1 260px;min-width:0">{title}{chart}</div>'


def _swatch(body: str) -> str:
    return (
        '<svg width="28" height="12" aria-hidden="true" style="display:inline-block;'
        f'width:28px;height:12px;max-height:none;vertical-align:middle">{body}</svg>'
    )


def _legend(tau: bool) -> str:
    items = [
        ("batch", f'<circle cx="14" cy="6" r="{DOT_PX / 2}" fill="{BATCH_COLOUR}"/>'),
        ("running", f'<path d="M1 6H27" stroke="{ACCENT}" stroke-width="{LINE_PX}"/>'),
        ("population", f'<path d="M1 6H27" stroke="{POPULATION_COLOUR}" stroke-width="1.5" '
                       f'stroke-dasharray="{SVG_DASHES["dash"]}"/>'),
    ]  # fmt: skip
    if tau:
        items.append(("τ, time constant", f'<path d="M14 0V12" stroke="{MUTED}" '
                      f'stroke-width="1.5" stroke-dasharray="{SVG_DASHES["dot"]}"/>'))  # fmt: skip
    spans = "".join(
        f'<span class="nv-legend-item" style="display:inline-flex;align-items:center;gap:4px;'
        f'margin:0 8px;white-space:nowrap">{_swatch(svg)}{escape(name)}</span>'
        for name, svg in items
    )
    return (
        f'<div class="nv-legend" style="text-align:center;font-size:{FONT_PX}px;color:{INK};'
        f'line-height:20px;margin-top:4px">{spans}</div>'
    )


def running_svg(
    trace: RunningTrace, mean: float, var: float, tau: float | None = None
) -> RunningSvg:
    """Return the running mean and variance over the batches, with one frame per step.

    Parameters
    ----------
    trace : RunningTrace
        S batches of one channel (lists of S floats).
    mean, var : float
        The population values the running statistics should approach (dashed red lines).
    tau : float, optional
        The time constant in batches: a dotted vertical line and its label when
        ``0 < tau <= S``.

    Returns
    -------
    RunningSvg
        ``html``: a ``<div class="nv-run" role="img">`` labelled by
        :func:`~normviz.figures.layers.running_alt`, holding the two panels (``data-panel``
        "mean" and "variance", each with ``data-lo`` / ``data-hi``, its y range) and the legend;
        the variance panel shows the batch variance the convention feeds to the running one
        (PyTorch: unbiased). Every batch is drawn (frames only cut what is shown): dots are the
        subpaths ``M x y h0`` of the path ``.nv-run-batch``, the running value the polyline
        ``.nv-run-running``. ``frames``: at most :data:`MAX_FRAMES`, the last showing all S.

    Examples
    --------
    >>> t = RunningTrace([1.0, 3.0], [1.0, 1.0], [2.0, 2.0], [0.1, 0.39], [1.1, 1.2], 0.1,
    ...                  "pytorch")
    >>> view = running_svg(t, 2.0, 1.0, tau=1.5)
    >>> [f.last for f in view.frames], view.frames[0].clip, view.frames[-1].title[0]
    ([1, 2], 550.0, 'Batches 1 to 2 of 2')
    >>> view.ranges[0], view.html.count('class="nv-run-tau"')
    ((-0.132, 3.232), 2)
    """
    batch = (np.asarray(trace.batch_mean, float), np.asarray(trace.batch_var_fed, float))
    running = (np.asarray(trace.running_mean, float), np.asarray(trace.running_var, float))
    targets = (float(mean), float(var))
    ranges = tuple(
        value_range(np.concatenate([b, r]), t)
        for b, r, t in zip(batch, running, targets, strict=True)
    )
    steps = len(batch[0])
    label = running_alt(trace, mean, var, tau=tau)
    shows_tau = tau is not None and 0 < tau <= steps
    panels = "".join(
        _panel(name, b, r, t, lim, tau)
        for name, b, r, t, lim in zip(PANELS, batch, running, targets, ranges, strict=True)
    )
    html = (
        f'<div class="nv-run" role="img" aria-label="{escape_attr(label)}" data-batches="{steps}" '
        f'style="font-family:{FONT_FAMILY};font-size:{FONT_PX}px;color:{INK};line-height:1;'
        f'background:white"><div class="nv-run-panels" style="display:flex;flex-wrap:wrap;'
        f'gap:8px 24px">{panels}</div>{_legend(shows_tau)}</div>'
    )
    frames = tuple(
        RunningFrame(
            k, round(k / steps * UNITS + _SLACK * (1 + (k == steps)), 1),
            (f"Batches 1 to {k} of {steps}",
             f"running mean {running[0][k - 1]:.3g} · running variance {running[1][k - 1]:.3g}"),
            f"batch {k} of {steps}",
        )
        for k in frame_ends(steps)
    )  # fmt: skip
    return RunningSvg(html, frames, label, ranges, steps)  # type: ignore[arg-type]


def running_payload(view: RunningSvg, frame_ms: int = 60) -> dict:
    """Return what the frame player needs: the drawing, per frame the clip width and title.

    It opens on the last frame (every batch shown); Play runs from the first.

    Examples
    --------
    >>> t = RunningTrace([1.0], [1.0], [1.0], [0.1], [1.0], 0.1, "pytorch")
    >>> p = running_payload(running_svg(t, 2.0, 1.0))
    >>> p["frames"], p["targets"], p["start"]
    ([{'set': [1100.0], 'title': ['Batches 1 to 1 of 1', 'running mean 0.1 · running variance 1'], 'at': 'batch 1 of 1'}], [['.nv-run-clip', 'width']], 'last')
    """  # noqa: E501
    return {
        "svg": view.html,
        "frames": [{"set": [f.clip], "title": list(f.title), "at": f.at} for f in view.frames],
        "label": view.label,
        "ms": frame_ms,
        "targets": [list(t) for t in RUNNING_TARGETS],
        "start": "last",
        "kind": "running",
        "unit": "batch",
        "names": {"group": "Batches shown", "slider": "Last batch shown"},
    }
