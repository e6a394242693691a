"""The frame, axes and labels of the lesson's HTML charts: no Plotly chart in the browser.

:func:`~normviz.figures.images.histogram_html`, :func:`~normviz.figures.images.transfer_html`
and :func:`~normviz.figures.lab.batch_size_study_html` draw with these helpers. Their public
names (:func:`chart_frame`, :func:`x_axis`, :func:`y_axis`, :func:`box`, :func:`svg_data_url`,
...) are the interface other figure modules import: keep them stable.

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
Plotly's 4.7 MB chunk and a chart draw each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._theme import DARK, FONT_FAMILY, GRID, INK, MUTED

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
SHADE = "rgba(148, 163, 184, 0.18)"
"""Fill of a shaded band (e.g. outputs beyond the display range)."""
_ATTR = {'"': "&quot;"}

SVG_DASHES: dict[str, str] = {
    "solid": "",
    "dash": "6 3",
    "dashdot": "6 2 1.5 2",
    "longdash": "10 3",
    "longdashdot": "10 2 1.5 2",
    "dot": "1.5 2",
}
"""Plotly's dash names as SVG ``stroke-dasharray`` values (in px at the picture's size)."""
HOVER_PX = 18
"""A point's hover box (``class="nv-point"``) is this wide and tall, centred on its marker."""
HOVER_STRIPS = 64
"""Hover boxes across a chart's x axis at most (a transfer curve's strips, a histogram's groups
of bins): ~5 px each on a phone's or a projected column's ~330 px plot, still a pointer's
target, where one box per 256 bins was ~1.3 px, and each box is a node the browser sanitizes
(DOMPurify) and lays out at every change."""
MARKER_SHAPES = {
    "circle": "border-radius:50%",
    "square": "",
    "diamond": "transform:rotate(45deg) scale(0.8)",
    "triangle-up": "clip-path:polygon(50% 0, 100% 100%, 0 100%)",
}
"""CSS of each Plotly marker symbol the HTML charts draw (a box shaped by it)."""


def nice_ticks(a: float, b: float, target: int = 6) -> tuple[np.ndarray, int]:
    """Return round tick values in ``[a, b]`` (steps of 1, 2 or 5 times a power of ten).

    Parameters
    ----------
    a, b : float
        The axis range, ``a < b``, both finite.
    target : int
        About how many ticks: the step is the smallest of 1, 2 or 5 times a power of ten that
        is at least ``(b - a) / target``.

    Returns
    -------
    ticks : (k,) float64 array
        Ascending multiples of the step within ``[a, b]``.
    decimals : int
        Decimal places that print the step exactly (0 for a step >= 1).

    Examples
    --------
    >>> t, d = nice_ticks(-4.5, 4.5)
    >>> t.tolist(), d
    ([-4.0, -2.0, 0.0, 2.0, 4.0], 0)
    >>> nice_ticks(0.0, 0.9)[0].tolist()
    [0.0, 0.2, 0.4, 0.6000000000000001, 0.8]
    """
    if not (np.isfinite(a) and np.isfinite(b)) or b <= a:
        raise ValueError(f"expected a finite range a < b (got {a}, {b})")
    raw = (b - a) / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.ceil(a / step - 1e-9)
    last = math.floor(b / step + 1e-9)
    ticks = np.arange(first, last + 1, dtype=np.float64) * step
    return ticks, max(0, -math.floor(math.log10(step) + 1e-9))


def escape_attr(text: str) -> str:
    """Return ``text`` escaped for a double-quoted HTML attribute (``&``, ``<``, ``>``, ``"``).

    Examples
    --------
    >>> escape_attr('a "b" & <c>')
    'a &quot;b&quot; &amp; &lt;c&gt;'
    """
    return escape(text, _ATTR)


def pct(v: float) -> str:
    """Return ``v`` (a percentage) as a CSS length with two decimals.

    Examples
    --------
    >>> pct(12.3456), pct(-0.004)
    ('12.35%', '-0.00%')
    """
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


def label_width(text: str) -> float:
    """Return an upper estimate of ``text``'s width in px at :data:`FONT_PX` (``CHAR`` per char).

    Examples
    --------
    >>> round(label_width("100%"), 6)
    28.8
    """
    return len(text) * CHAR * FONT_PX


def box(style: str, body: str = "", extra: str = "") -> str:
    """Return an absolutely positioned ``<div>`` with CSS ``style`` holding ``body`` (HTML).

    ``extra`` is inserted after the tag name (attributes with a leading space: ``' class="x"'``).

    Examples
    --------
    >>> box("left:0", "hi", ' class="nv-tick"')
    '<div class="nv-tick" style="position:absolute;left:0">hi</div>'
    """
    return f'<div{extra} style="position:absolute;{style}">{body}</div>'


def svg_data_url(body: str) -> str:
    """Return an ``<svg>`` body (in the 0..UNITS box) as a data URL stretched over the plot area.

    Use it as the ``src`` of an ``<img>`` covering the plot: y grows downwards, so a value at
    fraction ``f`` of the plot's height is drawn at ``UNITS - f * UNITS``.
    """
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {UNITS} {UNITS}' "
        f"preserveAspectRatio='none'>{body}</svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" ,.=:/'-()")


def stroke_attrs(colour: str, dash: str, width: float) -> str:
    """Return the SVG attributes of an unfilled line: ``colour``, Plotly ``dash`` name, ``width``.

    The width stays ``width`` px however the picture is stretched (non-scaling stroke).

    Examples
    --------
    >>> stroke_attrs("red", "dot", 1.5).endswith("stroke-dasharray='1.5 2'")
    True
    """
    pattern = SVG_DASHES[dash]
    return (
        f"fill='none' stroke='{colour}' stroke-width='{width}' "
        "vector-effect='non-scaling-stroke' stroke-linejoin='round'"
        + (f" stroke-dasharray='{pattern}'" if pattern else "")
    )


def marker(colour: str, symbol: str, size: int) -> str:
    """Return a ``size`` px marker in ``colour`` shaped as ``symbol``, centred on its box.

    Shapes are :data:`MARKER_SHAPES`; white-edged, except a triangle (its clip would cut it).
    """
    edge = "" if symbol == "triangle-up" else "border:1px solid white;"
    return (
        f'<span class="nv-marker-{symbol}" style="position:absolute;left:50%;top:50%;'
        f"width:{size}px;height:{size}px;margin:-{size / 2:g}px 0 0 -{size / 2:g}px;"
        f'box-sizing:border-box;background:{colour};{edge}{MARKER_SHAPES.get(symbol, "")}"></span>'
    )


def line_swatch(colour: str, dash: str, width: float) -> str:
    """Return a legend line sample (a data URL): 28 x 12 px, the line's colour and dash.

    Its width is ``width``, at most 4 px.
    """
    pattern = SVG_DASHES[dash]
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='28' height='12' viewBox='0 0 28 12'>"
        f"<path d='M1,6L27,6' fill='none' stroke='{colour}' stroke-width='{min(width, 4):g}'"
        + (f" stroke-dasharray='{pattern}'" if pattern else "")
        + "/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" ,.=:/'-()")


def legend_item(
    name: str, data: str, colour: str, dash: str, width: float, marker_html: str
) -> str:
    """Return one legend entry: the line's swatch, its marker and its name.

    ``marker_html`` is the marker (:func:`marker`), ``name`` is escaped, ``data`` is the entry's
    ``data-*`` attribute (what it stands for, for the tests).
    """
    return (
        f'<span class="nv-legend-item" {data} '
        'style="display:inline-flex;align-items:center;gap:4px;margin:0 8px;'
        'white-space:nowrap">'
        f'<img alt="" src="{line_swatch(colour, dash, width)}" style="width:28px;height:12px" />'
        f'<span style="position:relative;width:{HOVER_PX}px;height:12px">'
        f"{marker_html}</span>{escape(name)}</span>"
    )


def legend_row(items: Sequence[str], left: int, line_height: int) -> str:
    """Return the legend row under a chart: ``items`` centred over the plot area.

    The plot area starts ``left`` px in from the chart's left edge; lines are ``line_height`` px
    apart.
    """
    return (
        f'<div class="nv-legend" style="text-align:center;font-size:{FONT_PX}px;color:{INK};'
        f'line-height:{line_height}px;padding-left:{left}px">{"".join(items)}</div>'
    )


def line_series(
    values: Sequence[tuple[float, float, str] | None],
    data: str,
    stroke: str,
    marker_html: str,
    decimals: int = 0,
) -> tuple[list[str], list[str]]:
    """Return one line's SVG paths and its hover points.

    ``values`` are the line's points in order, each (x, y, title): x and y as fractions of the
    plot area (0 at its left and bottom), ``title`` the point's hover text; ``None`` is a gap
    (the line breaks there, no point is drawn). The paths (one per unbroken run of two points
    or more, coordinates in :data:`UNITS` rounded to ``decimals``) are drawn with ``stroke``
    (:func:`stroke_attrs`); each point is an ``<i class="nv-point">`` box with the ``data-*``
    attribute ``data``, its ``title`` and ``marker_html`` (:func:`marker`).
    """
    segments: list[list[str]] = [[]]
    points = []
    for value in values:
        if value is None:
            segments.append([])  # a gap in the line
            continue
        x, y, title = value
        segments[-1].append(
            f"{round(x * UNITS, decimals):g},{round(UNITS - y * UNITS, decimals):g}"
        )
        points.append(
            f'<i class="nv-point" {data} title="{escape_attr(title)}" '
            f'style="left:{pct(x * 100)};bottom:{pct(y * 100)}">{marker_html}</i>'
        )
    paths = [f"<path d='M{'L'.join(seg)}' {stroke}/>" for seg in segments if len(seg) > 1]
    return paths, points


def lines_picture(body: Sequence[str], scope: str = "") -> list[str]:
    """Return the plot area's picture of the SVG elements ``body`` and its points' style.

    The picture is stretched over the plot area; hover points are :data:`HOVER_PX` boxes centred
    on their markers (``scope``: a CSS selector prefix that keeps that style to one chart kind).
    """
    point = f"{scope} .nv-point" if scope else ".nv-point"
    return [
        f'<img alt="" src="{svg_data_url("".join(body))}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%" />',
        f"<style>{point}{{position:absolute;width:{HOVER_PX}px;height:{HOVER_PX}px;"
        "transform:translate(-50%, 50%)}</style>",
    ]


def right_room(last_label: str) -> int:
    """Room right of the plot area for half of the last x tick label ``last_label``, in px."""
    return max(16, math.ceil(label_width(last_label) / 2) + 4)


def chart_frame(alt: str, height: int, left: int, right: int, parts: list[str], data: str) -> str:
    """Return the chart's outer box holding ``parts`` (boxes of the plot area, in order).

    The outer box (:data:`CHART_CLASS`, ``role="img"``, ``aria-label`` ``alt``) is ``height``
    px tall; the plot area (``nv-plot``) is inset ``left`` / ``right`` px from its sides and
    :data:`TOP` / :data:`BOTTOM` px from its top and bottom. ``data`` are the outer box's
    ``data-*`` attributes (what it shows, for the tests).
    """
    head = (
        f'<div class="{CHART_CLASS}" role="img" aria-label="{escape_attr(alt)}" {data} '
        f'style="position:relative;height:{height}px;font-family:{FONT_FAMILY};'
        f'font-size:{FONT_PX}px;color:{INK};line-height:1;background:white">'
        f'<div class="nv-plot" style="position:absolute;left:{left}px;right:{right}px;'
        f"top:{TOP}px;bottom:{BOTTOM}px;border-left:1px solid {GRID};"
        f'border-bottom:1px solid {GRID}">'
    )
    return head + "".join(parts) + "</div></div>"


def empty_chart(message: str, alt: str, height: int, data: str) -> str:
    """Return a chart box ``height`` px tall that only says ``message``.

    Its accessible name is ``alt`` (``message`` when ``alt`` is empty), its ``data-*``
    attributes ``data``.
    """
    return (
        f'<div class="{CHART_CLASS}" role="img" aria-label="{escape_attr(alt or message)}" {data} '
        f'style="position:relative;height:{height}px;font-family:{FONT_FAMILY};'
        f"font-size:13px;color:{MUTED};display:flex;align-items:center;"
        f'justify-content:center;text-align:center;background:white">'
        f"<div>{escape(message)}</div></div>"
    )


def x_axis(
    lo: float, hi: float, title: str, ticks: Sequence[tuple[float, str]] | None = None
) -> list[str]:
    """Return tick marks, labels, grid lines and the title below the plot area (x from lo to hi).

    Parameters
    ----------
    lo, hi : float
        The values at the plot's left and right edges, ``lo < hi`` (on a log axis, their logs).
    title : str
        The axis title, centred below the labels.
    ticks : sequence of (float, str), optional
        Tick positions (in the axis' values, between ``lo`` and ``hi``) and their labels (text,
        escaped here). The default is :func:`nice_ticks` of ``lo..hi`` labelled by
        :func:`number_label` (``k`` / ``M`` suffixes from 10 000).

    Returns
    -------
    list of str
        Boxes to place in the plot area: per tick a mark and a label (``class="nv-tick"``) and,
        strictly inside ``lo..hi``, a vertical grid line; then the title
        (``class="nv-axis-title"``).

    Examples
    --------
    >>> import math
    >>> parts = x_axis(0.0, math.log10(64), "batch size", [(math.log10(8), "8")])
    >>> [p for p in parts if "nv-tick" in p]
    ['<div class="nv-tick" style="position:absolute;left:50.00%;top:calc(100% + 8px);transform:translateX(-50%);white-space:nowrap">8</div>']
    """  # noqa: E501
    if ticks is None:
        values, decimals = nice_ticks(lo, hi, 5)
        si = max(abs(lo), abs(hi)) >= 10_000
        ticks = [(float(t), number_label(float(t), decimals, si=si)) for t in values]
    parts = []
    for t, label in ticks:
        x = pct((t - lo) / (hi - lo) * 100)
        parts.append(box(f"left:{x};top:100%;height:5px;border-left:1px solid {GRID}"))
        parts.append(box(
            f"left:{x};top:calc(100% + 8px);transform:translateX(-50%);white-space:nowrap",
            escape(label), ' class="nv-tick"',
        ))  # fmt: skip
        if lo < t < hi:  # a vertical grid line
            parts.append(box(f"left:{x};top:0;bottom:0;border-left:1px solid {GRID}"))
    parts.append(box(
        "left:0;right:0;top:calc(100% + 28px);text-align:center;white-space:nowrap",
        escape(title), ' class="nv-axis-title"',
    ))  # fmt: skip
    return parts


def y_axis(
    ticks: Sequence[tuple[float, str]], title: str, left: int, *, right: bool = False
) -> list[str]:
    """Return tick labels beside the plot, horizontal grid lines and the axis title.

    ``ticks`` are ``(fraction of the plot's height, label)`` (the label is HTML); a grid line
    is drawn at each fraction strictly inside 0..1 unless ``right``. The labels sit left of
    the plot (right of it when ``right``); the title, read bottom to top, sits ``left`` px
    left of the plot (see :func:`y_axis_room`); an empty title is left out.
    """
    side = "left:calc(100% + 6px)" if right else "right:calc(100% + 6px)"
    parts = []
    for frac, text in ticks:
        y = pct(frac * 100)
        parts.append(box(
            f"{side};bottom:{y};transform:translateY(50%);white-space:nowrap", text,
            ' class="nv-tick"',
        ))  # fmt: skip
        if not right and 0 < frac < 1:
            parts.append(box(f"left:0;right:0;bottom:{y};border-top:1px solid {GRID}"))
    if title:
        parts.append(box(
            f"left:{-left + 2}px;top:50%;transform:translateY(-50%) rotate(180deg);"
            "writing-mode:vertical-rl;white-space:nowrap",
            escape(title), ' class="nv-axis-title"',
        ))  # fmt: skip
    return parts


def curve_note(text: str, x: float, y: float, shift: int, *, anchor: str = "centre") -> str:
    """Return a label (a channel's name) on its curve at (x %, y %) of the plot, ``shift`` px lower.

    ``anchor`` puts the label's centre ("centre"), left end ("left") or right end ("right") at
    x. The box is kept inside the plot: x is clamped to 4..96 % and y to 0..100 %.
    """
    x = min(max(x, 4.0), 96.0)
    move = {"centre": "-50%", "left": "3px", "right": "calc(-100% - 3px)"}[anchor]
    return box(
        f"left:{pct(x)};top:{pct(100 - min(max(y, 0.0), 100.0))};"
        f"transform:translate({move}, {2 + shift}px);font-size:11px;color:{DARK};"
        "background:rgba(255, 255, 255, 0.75);padding:0 1px;white-space:nowrap",
        escape(text), ' class="nv-note"',
    )  # fmt: skip


def y_axis_room(labels: Sequence[str], title: bool) -> int:
    """Return the left room for the widest of ``labels``, the tick gap and a title line, in px.

    Examples
    --------
    >>> y_axis_room(["0", "100%"], True), y_axis_room(["0", "100%"], False)
    (60, 41)
    """
    widest = max((label_width(t) for t in labels), default=0.0)
    return math.ceil(widest + 6 + (8 + 1.25 * FONT_PX if title else 4)) + 2
