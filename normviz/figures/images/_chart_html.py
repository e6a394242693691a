"""The lesson's histograms and transfer curve as HTML pictures: no Plotly chart in the browser.

Same records as the Plotly builders (:func:`~normviz.figures.images.histogram_info`,
:func:`~normviz.figures.images.transfer_info`), same colours and dash patterns per channel, same
ranges, direct labels, clip markers and shaded bands. A chart is a ``<div role="img">`` as wide
as its column and ``height`` px tall (``st.html``): the plotted lines are one SVG picture (an
``<img>`` of a data URL, stretched over the plot area, its strokes kept at their width by
``vector-effect: non-scaling-stroke``), and the axes, ticks, labels and titles are HTML boxes
whose ``left`` / ``bottom`` are percentages of the plot area, so the text stays 12 px at any
width. (``st.html``'s sanitizer removes inline SVG; a data-URL picture is kept.) Hovering a bin
(a histogram) or a strip of the input axis (a transfer curve) shows its values: each is a box
with a ``title``. Drawn with the page, these cost the browser a few DOM boxes instead of
Plotly's ~1 MB chunk and a chart draw each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._theme import DARK, FONT_FAMILY, GRID, INK, MUTED
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    CurveLike,
    HistogramLike,
    channel_dash,
    channel_names,
)
from normviz.figures.images._display_html import nice_ticks
from normviz.figures.images._histogram import MAX_BARS, histogram_info
from normviz.figures.images._mini import SVG_DASHES
from normviz.figures.images._transfer import transfer_info

CHART_CLASS = "nv-chart"
"""Class of every chart's outer box (the browser tests find the charts by it)."""
UNITS = 1000
"""The plot SVG's viewBox is ``0 0 UNITS UNITS``: x and y as thousandths of the plot area."""
CHAR = 0.6
"""A character's width in font sizes, rounded up (digits of Arial/Inter: 0.55-0.58)."""
FONT_PX = 12
TOP, BOTTOM = 20, 46
"""Room above the plot (a marker's label, the top tick label's upper half) and below it (tick
marks, one line of tick labels, the axis title), in px."""
HOVER_STRIPS = 64
"""Hover strips of a transfer curve across its input axis."""
_SHADE = "rgba(148, 163, 184, 0.18)"
_ATTR = {'"': "&quot;"}


def _attr(text: str) -> str:
    return escape(text, _ATTR)


def _pct(v: float) -> str:
    return f"{v:.2f}%"


def number_label(value: float, decimals: int = 0, *, si: bool = False) -> str:
    """Return a tick label: ``decimals`` places, or ``k`` / ``M`` suffixes when ``si``.

    A minus is a true minus sign and "-0" is written "0".

    Examples
    --------
    >>> number_label(0.25, 2), number_label(-3.0), number_label(1_500_000.0, si=True)
    ('0.25', '−3', '1.5M')
    >>> number_label(20000.0, si=True), number_label(500.0, si=True)
    ('20k', '500')
    """
    if si and abs(value) >= 1000:
        scale, unit = (1e6, "M") if abs(value) >= 1e6 else (1e3, "k")
        text = f"{value / scale:.3g}{unit}"
    else:
        text = f"{value:.{decimals}f}"
        if float(text) == 0:
            text = f"{0:.{decimals}f}"
    return text.replace("-", "\u2212")


def _label_width(text: str) -> float:
    return len(text) * CHAR * FONT_PX


def _box(style: str, body: str = "", extra: str = "") -> str:
    return f'<div{extra} style="position:absolute;{style}">{body}</div>'


def _svg_url(body: str) -> str:
    """Return ``<svg>`` body (in the 0..UNITS box) as a data URL stretched over the plot area."""
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {UNITS} {UNITS}' "
        f"preserveAspectRatio='none'>{body}</svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" ,.=:/'-()")


def _stroke(colour: str, dash: str, width: float) -> str:
    pattern = SVG_DASHES[dash]
    return (
        f"fill='none' stroke='{colour}' stroke-width='{width}' "
        "vector-effect='non-scaling-stroke' stroke-linejoin='round'"
        + (f" stroke-dasharray='{pattern}'" if pattern else "")
    )


def _frame(alt: str, height: int, left: int, right: int, parts: list[str], data: str) -> str:
    """Return the chart's outer box holding ``parts`` (boxes of the plot area, in order).

    ``data`` are its ``data-*`` attributes (what it shows, for the tests).
    """
    head = (
        f'<div class="{CHART_CLASS}" role="img" aria-label="{_attr(alt)}" {data} '
        f'style="position:relative;height:{height}px;font-family:{FONT_FAMILY};'
        f'font-size:{FONT_PX}px;color:{INK};line-height:1;background:white">'
        f'<div class="nv-plot" style="position:absolute;left:{left}px;right:{right}px;'
        f"top:{TOP}px;bottom:{BOTTOM}px;border-left:1px solid {GRID};"
        f'border-bottom:1px solid {GRID}">'
    )
    return head + "".join(parts) + "</div></div>"


def _empty(message: str, alt: str, height: int, data: str) -> str:
    return (
        f'<div class="{CHART_CLASS}" role="img" aria-label="{_attr(alt or message)}" {data} '
        f'style="position:relative;height:{height}px;font-family:{FONT_FAMILY};'
        f"font-size:13px;color:{MUTED};display:flex;align-items:center;"
        f'justify-content:center;text-align:center;background:white">'
        f"<div>{escape(message)}</div></div>"
    )


def _x_axis(lo: float, hi: float, title: str) -> list[str]:
    """Tick marks, labels and the title below the plot area, for values ``lo..hi``."""
    ticks, decimals = nice_ticks(lo, hi, 5)
    si = max(abs(lo), abs(hi)) >= 10_000
    parts = []
    for t in ticks:
        x = _pct((t - lo) / (hi - lo) * 100)
        parts.append(_box(f"left:{x};top:100%;height:5px;border-left:1px solid {GRID}"))
        parts.append(_box(
            f"left:{x};top:calc(100% + 8px);transform:translateX(-50%);white-space:nowrap",
            number_label(float(t), decimals, si=si),
            ' class="nv-tick"',
        ))  # fmt: skip
        if lo < t < hi:  # a vertical grid line
            parts.append(_box(f"left:{x};top:0;bottom:0;border-left:1px solid {GRID}"))
    parts.append(_box(
        "left:0;right:0;top:calc(100% + 28px);text-align:center;white-space:nowrap",
        escape(title), ' class="nv-axis-title"',
    ))  # fmt: skip
    return parts


def _y_axis(
    ticks: Sequence[tuple[float, str]], title: str, left: int, *, right: bool = False
) -> list[str]:
    """Tick labels (``(fraction of the plot's height, text)``) beside the plot, and its title."""
    side = "left:calc(100% + 6px)" if right else "right:calc(100% + 6px)"
    parts = []
    for frac, text in ticks:
        y = _pct(frac * 100)
        parts.append(_box(
            f"{side};bottom:{y};transform:translateY(50%);white-space:nowrap", text,
            ' class="nv-tick"',
        ))  # fmt: skip
        if not right and 0 < frac < 1:
            parts.append(_box(f"left:0;right:0;bottom:{y};border-top:1px solid {GRID}"))
    if title:
        parts.append(_box(
            f"left:{-left + 2}px;top:50%;transform:translateY(-50%) rotate(180deg);"
            "writing-mode:vertical-rl;white-space:nowrap",
            escape(title), ' class="nv-axis-title"',
        ))  # fmt: skip
    return parts


def _note(text: str, x: float, y: float, shift: int, *, anchor: str = "centre") -> str:
    """Write a channel's name on its curve at (x %, y %) of the plot, ``shift`` px lower.

    The box is kept inside the plot: x is clamped to 4..96 % and y to its upper 0..100 %.
    """
    x = min(max(x, 4.0), 96.0)
    move = {"centre": "-50%", "left": "3px", "right": "calc(-100% - 3px)"}[anchor]
    return _box(
        f"left:{_pct(x)};top:{_pct(100 - min(max(y, 0.0), 100.0))};"
        f"transform:translate({move}, {2 + shift}px);font-size:11px;color:{DARK};"
        "background:rgba(255, 255, 255, 0.75);padding:0 1px;white-space:nowrap",
        escape(text), ' class="nv-note"',
    )  # fmt: skip


def _y_room(labels: Sequence[str], title: bool) -> int:
    """Left room for the widest tick label, the tick gap and a title line, in px."""
    widest = max((_label_width(t) for t in labels), default=0.0)
    return math.ceil(widest + 6 + (8 + 1.25 * FONT_PX if title else 4)) + 2


def _count_ticks(top: float, log_y: bool) -> tuple[list[tuple[float, str]], Callable]:
    """Return the count axis: its ticks and the map count -> fraction of the plot's height."""
    if log_y:
        y_max = math.log10(max(top, 1.0)) + 0.15
        ticks = [(k / y_max, number_label(10.0**k, si=True)) for k in range(int(y_max) + 1)]
        return ticks, lambda c: np.log10(np.maximum(c, 1.0)) / y_max
    y_max = top * 1.08
    values, _ = nice_ticks(0.0, y_max, 4)
    ticks = [(float(v) / y_max, number_label(float(v), si=True)) for v in values]
    return ticks, lambda c: np.asarray(c, dtype=np.float64) / y_max


def histogram_html(
    hist: HistogramLike,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    x_title: str = "intensity",
    log_y: bool = False,
    markers: Mapping[str, float] | None = None,
    cumulative: bool = True,
    alt: str = "",
    height: int = 230,
    max_bins: int = MAX_BARS,
) -> str:
    """Return per-channel histograms (filled steps) with their cumulative curves, as HTML.

    Parameters
    ----------
    hist : Histogram-like
        ``counts`` (C, bins) and ``edges`` (bins + 1,); merged into at most ``max_bins`` bins
        by :func:`~normviz.figures.images.histogram_info`.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`): colour and dash per channel.
    x_range : (float, float), optional
        The x axis' range (default: the first and last edge).
    x_title : str
        Title of the x axis.
    log_y : bool
        Counts on a logarithmic axis (powers of ten).
    markers : mapping of str to float, optional
        Dashed vertical lines with their label above the plot (clip bounds).
    cumulative : bool
        Also draw each channel's cumulative fraction (dotted, right axis 0-100 %).
    alt : str
        The chart's accessible name (``role="img"``, ``aria-label``).
    height : int
        Height in px (fixed, independent of the image).

    Returns
    -------
    str
        A ``<div class="nv-chart" role="img">`` holding the plot: one picture of the curves
        (per channel a filled step outline and a step line with the channel's dash, then the
        dotted cumulative lines), one hover box per bin whose ``title`` says its range and each
        channel's count (and cumulative fraction), tick labels, axis titles, markers and, with
        several channels, each channel's name at its peak (and on its cumulative curve where it
        crosses 50 %). Empty input gives a box that says "no pixels to count".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(counts=np.array([[1, 3, 0, 4]]), edges=np.arange(5.0))
    >>> html = histogram_html(h, alt="Histogram")
    >>> html.count('class="nv-bin"'), 'title="3 to 4: grey 4 px; 100.0 % at or below"' in html
    (4, True)
    """
    scale = f'data-y-scale="{"log" if log_y else "linear"}"'
    info = histogram_info(hist, max_bins)
    if info is None:
        return _empty("no pixels to count", alt, height, f'data-chart="histogram" {scale}')
    counts, edges = info
    n_ch = counts.shape[0]
    names = tuple(names) if names is not None else channel_names(n_ch)
    if len(names) != n_ch:
        raise ValueError(f"expected {n_ch} channel names (got {len(names)})")
    lo, hi = x_range if x_range is not None else (float(edges[0]), float(edges[-1]))
    y_ticks, frac = _count_ticks(float(counts.max()), log_y)
    xs = np.round((edges - lo) / (hi - lo) * UNITS).astype(np.int64)
    cdfs = np.cumsum(counts, axis=1) / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    fill_alpha = 0.35 if n_ch == 1 else 0.18
    body = []
    for i, (name, row) in enumerate(zip(names, counts, strict=True)):
        colour = CHANNEL_COLORS.get(name, MUTED)
        ys = np.round(UNITS - frac(row) * UNITS).astype(np.int64)
        steps = "".join(f"V{y}H{x}" for y, x in zip(ys, xs[1:], strict=True))
        body.append(
            f"<path d='M{xs[0]},{UNITS}{steps}V{UNITS}Z' fill='{colour}' "
            f"fill-opacity='{fill_alpha}' stroke='none'/>"
        )
        stroke = _stroke(colour, channel_dash(name, i), 1.4)
        body.append(f"<path d='M{xs[0]},{ys[0]}{steps}' {stroke}/>")
    if cumulative:
        for name, cdf in zip(names, cdfs, strict=True):
            ys = np.round(UNITS - np.concatenate([[0.0], cdf]) / 1.02 * UNITS).astype(np.int64)
            line = "L".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))
            stroke = _stroke(CHANNEL_COLORS.get(name, MUTED), "dot", 1.5)
            body.append(f"<path d='M{line}' {stroke}/>")
    parts = [
        f'<img alt="" src="{_svg_url("".join(body))}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%" />'
    ]
    shown = sorted(
        ((float(v), k) for k, v in (markers or {}).items() if np.isfinite(v) and lo <= v <= hi)
    )
    for j, (value, label) in enumerate(shown):
        x = _pct((value - lo) / (hi - lo) * 100)
        # Two labels never meet: the lower one ends at its line, the higher one starts at it.
        move = "-50%" if len(shown) == 1 else "calc(-100% - 2px)" if j == 0 else "2px"
        parts.append(_box(f"left:{x};top:0;bottom:0;border-left:1.2px dashed {DARK}"))
        parts.append(_box(
            f"left:{x};bottom:calc(100% + 6px);transform:translateX({move});font-size:11px;"
            "white-space:nowrap", escape(label), ' class="nv-marker"',
        ))  # fmt: skip
    if n_ch > 1:
        centres = 0.5 * (edges[:-1] + edges[1:])
        for i, (name, row) in enumerate(zip(names, counts, strict=True)):
            peak = int(np.argmax(row))
            x = (centres[peak] - lo) / (hi - lo) * 100
            parts.append(_note(name, x, float(frac(row[peak])) * 100, 12 * i))
        if cumulative:
            for i, (name, cdf) in enumerate(zip(names, cdfs, strict=True)):
                median = float(edges[1:][min(int(np.searchsorted(cdf, 0.5)), cdf.size - 1)])
                x = (median - lo) / (hi - lo) * 100
                parts.append(_note(name, x, 50 / 1.02, 12 * i - 8, anchor="left"))
    parts += _hover_bins(names, counts, edges, cdfs if cumulative else None, lo, hi)
    parts += _x_axis(lo, hi, x_title)
    left = _y_room([t for _, t in y_ticks], True)
    parts += _y_axis(y_ticks, "pixels", left)
    right = 14
    if cumulative:
        right = 44
        parts += _y_axis([(v / 1.02, f"{v:.0%}") for v in (0.0, 0.5, 1.0)], "", 0, right=True)
    else:  # the last x tick label's right half
        right = max(right, int(_label_width(number_label(hi, si=abs(hi) >= 10_000)) / 2) + 2)
    return _frame(alt, height, left, right, parts, f'data-chart="histogram" {scale}')


def _hover_bins(
    names: Sequence[str],
    counts: np.ndarray,
    edges: np.ndarray,
    cdfs: np.ndarray | None,
    lo: float,
    hi: float,
) -> list[str]:
    """One box per bin over the plot's height, its ``title`` the bin's values (the hover)."""
    start = (edges[0] - lo) / (hi - lo) * 100
    widths = np.diff(edges) / (hi - lo) * 100
    equal = np.allclose(widths, widths[0])
    cells = []
    for b in range(counts.shape[1]):
        text = f"{edges[b]:.4g} to {edges[b + 1]:.4g}: " + ", ".join(
            f"{n} {counts[c, b]:,.0f} px" for c, n in enumerate(names)
        )
        if cdfs is not None:
            text += (
                "; "
                + ", ".join(
                    (f"{n} " if len(names) > 1 else "") + f"{cdfs[c, b]:.1%}"
                    for c, n in enumerate(names)
                ).replace("%", " %")
                + " at or below"
            )
        flex = "" if equal else f' style="flex:{widths[b]:.4f} 1 0"'
        cells.append(f'<i class="nv-bin"{flex} title="{_attr(text)}"></i>')
    row_w = widths.sum()
    return [
        "<style>.nv-bins{position:absolute;top:0;bottom:0;display:flex}"
        ".nv-bins>i{flex:1 1 0;height:100%}</style>"
        f'<div class="nv-bins" style="left:{_pct(start)};width:{_pct(row_w)}">'
        + "".join(cells)
        + "</div>"
    ]


def transfer_html(
    curve: CurveLike | None,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    display_range: tuple[float, float] | None = None,
    x_title: str = "input intensity",
    y_title: str = "output",
    empty_message: str = "This technique is local: no single transfer curve.",
    alt: str = "",
    height: int = 230,
) -> str:
    """Return the transfer curve output = f(input), one line per channel, as HTML.

    Parameters
    ----------
    curve : TransferCurve-like or None
        ``x`` (K,) ascending input intensities, ``y`` (C, K) outputs; read through
        :func:`~normviz.figures.images.transfer_info`. None gives ``empty_message``.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`).
    x_range, y_range : (float, float), optional
        The axes' ranges (default: the curve's extent, y padded by 4 %).
    display_range : (float, float), optional
        Outputs shown black to white; the parts of the y range outside it are shaded.
    x_title, y_title : str
        Axis titles.
    empty_message : str
        What an empty chart says.
    alt : str
        The chart's accessible name.
    height : int
        Height in px.

    Returns
    -------
    str
        A ``<div class="nv-chart" role="img">``: one line per channel (identical channels once,
        dark grey, "all channels"), each channel's name at its right end when they differ,
        shaded bands, tick labels, axis titles, and :data:`HOVER_STRIPS` hover strips across the
        input axis whose ``title`` gives the input at the strip's centre and each line's output
        there (linear interpolation between the curve's samples).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=np.array([0.0, 255.0]), y=np.array([[0.0, 1.0]]))
    >>> html = transfer_html(c, y_range=(0.0, 1.0), alt="Transfer curve")
    >>> html.count('class="nv-strip"'), 'title="input 129.5: grey 0.5078"' in html
    (64, True)
    >>> "local" in transfer_html(None)
    True
    """
    if curve is None:
        return _empty(empty_message, alt, height, 'data-chart="transfer"')
    info = transfer_info(curve)
    if info is None:
        return _empty("no transfer curve to draw", alt, height, 'data-chart="transfer"')
    x, y, same = info
    names = tuple(names) if names is not None else channel_names(y.shape[0])
    if len(names) != y.shape[0]:
        raise ValueError(f"expected {y.shape[0]} channel names (got {len(names)})")
    x_lo, x_hi = x_range if x_range is not None else (float(x[0]), float(x[-1]))
    if x_hi <= x_lo:
        x_lo, x_hi = x_lo - 0.5, x_lo + 0.5
    if y_range is None:
        a, b = float(y.min()), float(y.max())
        pad = 0.04 * (b - a) if b > a else 0.5
        y_range = (a - pad, b + pad)
    y_lo, y_hi = y_range
    lines = [(("all channels" if len(names) > 1 else names[0]), y[0], "#334155", "solid")]
    if not same:
        lines = [
            (n, row, CHANNEL_COLORS.get(n, MUTED), channel_dash(n, i))
            for i, (n, row) in enumerate(zip(names, y, strict=True))
        ]
    px = np.round((x - x_lo) / (x_hi - x_lo) * UNITS).astype(np.int64)
    body = []
    for _, row, colour, dash in lines:
        py = np.round(UNITS - (row - y_lo) / (y_hi - y_lo) * UNITS)
        py = np.clip(py, -UNITS, 2 * UNITS).astype(np.int64)  # off the plot: cut by its edge
        pts = "L".join(f"{a},{b}" for a, b in zip(px, py, strict=True))
        body.append(f"<path d='M{pts}' {_stroke(colour, dash, 2)}/>")
    parts = []
    if display_range is not None:
        d_lo, d_hi = display_range
        bands = [(y_lo, min(d_lo, y_hi))] if y_lo < d_lo else []
        bands += [(max(d_hi, y_lo), y_hi)] if y_hi > d_hi else []
        for a, b in bands:
            parts.append(_box(
                    f"left:0;right:0;bottom:{_pct((a - y_lo) / (y_hi - y_lo) * 100)};"
                    f"height:{_pct((b - a) / (y_hi - y_lo) * 100)};background:{_SHADE}"
                ))  # fmt: skip
    parts.append(
        f'<img alt="" src="{_svg_url("".join(body))}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%" />'
    )
    if not same and len(names) > 1:
        for i, (name, row, _, _) in enumerate(lines):
            end = float(np.clip(row[-1], y_lo, y_hi))
            at = (float(x[-1]) - x_lo) / (x_hi - x_lo) * 100
            y_at = (end - y_lo) / (y_hi - y_lo) * 100
            parts.append(_note(name, at, y_at, 12 * i, anchor="right"))
    centres = x_lo + (np.arange(HOVER_STRIPS) + 0.5) / HOVER_STRIPS * (x_hi - x_lo)
    cells = []
    for c in centres:
        values = ", ".join(f"{n} {np.interp(c, x, row):.4g}" for n, row, _, _ in lines)
        cells.append(f'<i class="nv-strip" title="{_attr(f"input {c:.4g}: {values}")}"></i>')
    parts.append(
        "<style>.nv-strips{position:absolute;left:0;right:0;top:0;bottom:0;display:flex}"
        ".nv-strips>i{flex:1 1 0;height:100%}</style>"
        f'<div class="nv-strips">{"".join(cells)}</div>'
    )
    parts += _x_axis(x_lo, x_hi, x_title)
    y_values, decimals = nice_ticks(y_lo, y_hi, 4)
    si = max(abs(y_lo), abs(y_hi)) >= 10_000
    y_ticks = [
        ((float(v) - y_lo) / (y_hi - y_lo), number_label(float(v), decimals, si=si))
        for v in y_values
    ]
    left = _y_room([t for _, t in y_ticks], True)
    parts += _y_axis(y_ticks, y_title, left)
    right = max(14, int(_label_width(number_label(x_hi, si=abs(x_hi) >= 10_000)) / 2) + 2)
    return _frame(alt, height, left, right, parts, 'data-chart="transfer"')
