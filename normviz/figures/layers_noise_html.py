"""BatchNorm's batch-size noise as an HTML picture (:func:`batch_noise_html`): no Plotly chart.

The chart the Plotly figure drew (one line per layer kind: the spread of one normalized value
against the batch size on a log-2 axis ticked at the batch sizes; lines that coincide stay
visible, the first widest, each with its own dash and marker, and a note names them), drawn with
the shared HTML chart frame (:mod:`normviz.figures._chart_html`): the lines are one SVG
data-URL picture stretched over the plot area, each point a marker box whose ``title`` gives the
layer, batch size and spread, and a legend row names the lines. ``st.html`` shows it: the
browser draws a few DOM boxes instead of loading Plotly's 4.7 MB chunk and drawing a chart.

A point of batch size ``b`` and spread ``s`` is at ``left = (log2 b - lo) / (hi - lo)`` and
``bottom = (s - y0) / (y1 - y0)`` of the plot area (``data-x`` and ``data-y`` on the chart give
``lo, hi`` and ``y0, y1``).
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._chart_html import (
    box,
    chart_frame,
    empty_chart,
    escape_attr,
    legend_item,
    legend_row,
    line_series,
    lines_picture,
    marker,
    nice_ticks,
    number_label,
    pct,
    right_room,
    stroke_attrs,
    x_axis,
    y_axis,
    y_axis_room,
)
from normviz.figures._theme import DARK, FONT_FAMILY
from normviz.figures.layers import (
    KIND_COLORS,
    NOISE_DASHES,
    NOISE_SYMBOLS,
    batch_noise_alt,
    coincide_note,
)
from normviz.figures.layers_cube import KIND_TITLES
from normviz.layer_studies import BatchNoise


def line_styles(noise: BatchNoise) -> list[tuple[str, str, str, int, int]]:
    """Return each line's (colour, dash, marker symbol, line width, marker size) in px.

    Lines with equal values (LayerNorm and GroupNorm never move: both 0) stay visible: the
    first of them is drawn widest, each later one narrower, and every line has its own dash
    and marker, as the Plotly figure drew them.

    Examples
    --------
    >>> line_styles(BatchNoise((2, 8), ("batch", "layer", "group"),
    ...                        ((0.5, 0.2), (0.0, 0.0), (0.0, 0.0))))
    [('#4f46e5', 'solid', 'circle', 7, 13), ('#059669', 'dash', 'diamond', 7, 13), ('#db2777', 'dot', 'square', 4, 9)]
    """  # noqa: E501
    rows = [tuple(row) for row in noise.spread]
    out = []
    for k, (kind, row) in enumerate(zip(noise.kinds, rows, strict=True)):
        rank = [i for i in range(len(rows)) if rows[i] == row].index(k)
        out.append((
            KIND_COLORS[kind], NOISE_DASHES[k % len(NOISE_DASHES)],
            NOISE_SYMBOLS[k % len(NOISE_SYMBOLS)], max(7 - 3 * rank, 2), max(13 - 4 * rank, 6),
        ))  # fmt: skip
    return out


def coinciding(noise: BatchNoise) -> list[tuple[int, ...]]:
    """Return the groups of lines (indices) with equal values, each of two or more, in order.

    Examples
    --------
    >>> coinciding(BatchNoise((2,), ("batch", "layer", "group"), ((0.5,), (0.0,), (0.0,))))
    [(1, 2)]
    """
    rows = [tuple(row) for row in noise.spread]
    groups = {tuple(i for i in range(len(rows)) if rows[i] == row) for row in rows}
    return sorted(g for g in groups if len(g) > 1)


def batch_noise_html(noise: BatchNoise, *, alt: str | None = None, height: int = 380) -> str:
    """Return the spread of one normalized value against batch size, one line per kind, as HTML.

    Parameters
    ----------
    noise : BatchNoise
        ``batch_sizes`` (B,) positive ints, ``kinds`` (K,), ``spread`` (K, B) stds >= 0.
    alt : str, optional
        The chart's accessible name (default :func:`~normviz.figures.layers.batch_noise_alt`).
    height : int
        Height of the chart (plot area, ticks and axis title) in px; the legend row adds ~24.

    Returns
    -------
    str
        A ``<div class="nv-noise">`` holding the chart (``<div class="nv-chart" role="img"
        aria-label=alt data-x="lo hi" data-y="y0 y1">``: batch sizes on a log-2 axis ticked at
        each, spreads on ``[-0.06 top, 1.1 top]`` (top the largest spread, at least 0.1); per
        kind a line in its colour, dash and width (:func:`line_styles`) and per point a marker
        box ``class="nv-point"`` whose ``title`` reads "BatchNorm, batch 8: spread 0.1234"; a
        note ``class="nv-note"`` per group of coinciding lines) and the legend row
        (``class="nv-legend"``). No batch sizes: a message in the same frame.

    Examples
    --------
    >>> html = batch_noise_html(BatchNoise((2, 8), ("batch", "layer"), ((0.5, 0.2), (0.0, 0.0))))
    >>> html.count('class="nv-point"'), 'title="LayerNorm, batch 8: spread 0.0000"' in html
    (4, True)
    """
    alt = batch_noise_alt(noise) if alt is None else alt
    sizes = [int(b) for b in noise.batch_sizes]
    spread = np.asarray(noise.spread, dtype=np.float64).reshape(len(noise.kinds), len(sizes))
    if not sizes:
        empty = empty_chart("No batch sizes to show.", alt, height, 'data-chart="batch-noise"')
        return f'<div class="nv-noise">{empty}</div>'
    lo, hi = math.log2(min(sizes)), math.log2(max(sizes))
    pad = max((hi - lo) * 0.04, 0.1)
    lo, hi = lo - pad, hi + pad
    finite = spread[np.isfinite(spread)]
    top = max([*finite.tolist(), 0.1])
    y0, y1 = -0.06 * top, 1.1 * top
    styles = line_styles(noise)
    body, points, legend = [], [], []
    for kind, row, (colour, dash, symbol, width, size) in zip(
        noise.kinds, spread, styles, strict=True
    ):
        name = KIND_TITLES[kind]
        xs = [(math.log2(b) - lo) / (hi - lo) for b in sizes]
        ys = [(s - y0) / (y1 - y0) for s in row]
        values = [
            (x, y, f"{name}, batch {b}: spread {s:.4f}") if np.isfinite(s) else None
            for b, x, y, s in zip(sizes, xs, ys, row, strict=True)
        ]
        paths, dots = line_series(
            values, f'data-kind="{escape_attr(kind)}"', stroke_attrs(colour, dash, width),
            marker(colour, symbol, size), decimals=1,
        )  # fmt: skip
        body += paths
        points += dots
        legend.append(legend_item(
            name, f'data-kind="{escape_attr(kind)}"', colour, dash, width,
            marker(colour, symbol, min(size, 10)),
        ))  # fmt: skip
    notes = []
    for group in coinciding(noise):
        y = (spread[group[0]][-1] - y0) / (y1 - y0) * 100
        notes.append(box(
            f"left:1%;max-width:96%;bottom:calc({pct(y)} + 9px);font-size:12px;"
            "color:#374151;background:rgba(255, 255, 255, 0.75);padding:0 2px;line-height:1.2",
            escape(coincide_note([noise.kinds[i] for i in group])), ' class="nv-note"',
        ))  # fmt: skip
    parts = [
        *lines_picture(body, ".nv-noise"),
        *points,
        *notes,
    ]
    parts += x_axis(lo, hi, "batch size (log scale)", [(math.log2(b), str(b)) for b in sizes])
    ticks, decimals = nice_ticks(y0, y1, 5)
    y_ticks = [((t - y0) / (y1 - y0), number_label(float(t), decimals)) for t in ticks]
    left = y_axis_room([t for _, t in y_ticks], True)
    parts += y_axis(y_ticks, "std of one normalized value", left)
    right = right_room(str(sizes[-1]))
    data = f'data-chart="batch-noise" data-x="{lo!r} {hi!r}" data-y="{y0!r} {y1!r}"'
    chart = chart_frame(alt, height, left, right, parts, data)
    row = legend_row(legend, left, 20)
    return (
        f'<div class="nv-noise" style="font-family:{FONT_FAMILY};color:{DARK};'
        f'background:white">{chart}{row}</div>'
    )
