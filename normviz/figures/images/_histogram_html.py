"""Histograms as HTML pictures (:func:`histogram_html`), drawn from :func:`histogram_info`."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._chart_html import (
    HOVER_STRIPS,
    UNITS,
    box,
    chart_frame,
    curve_note,
    empty_chart,
    escape_attr,
    label_width,
    nice_ticks,
    number_label,
    pct,
    stroke_attrs,
    svg_data_url,
    x_axis,
    y_axis,
    y_axis_room,
)
from normviz.figures._theme import DARK, MUTED
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    HistogramLike,
    channel_dash,
    channel_names,
)
from normviz.figures.images._histogram import MAX_BARS, histogram_info


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
        dotted cumulative lines), hover boxes (one per bin, or per run of neighbouring bins
        beyond :data:`~normviz.figures._chart_html.HOVER_STRIPS` bins) whose ``title`` says
        the range and each channel's count (and cumulative fraction), tick labels, axis titles,
        markers and, with several channels, each channel's name at its peak (and on its
        cumulative curve where it crosses 50 %). Empty input gives a box that says "no pixels
        to count".

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
        return empty_chart("no pixels to count", alt, height, f'data-chart="histogram" {scale}')
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
        stroke = stroke_attrs(colour, channel_dash(name, i), 1.4)
        body.append(f"<path d='M{xs[0]},{ys[0]}{steps}' {stroke}/>")
    if cumulative:
        for name, cdf in zip(names, cdfs, strict=True):
            ys = np.round(UNITS - np.concatenate([[0.0], cdf]) / 1.02 * UNITS).astype(np.int64)
            line = "L".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))
            stroke = stroke_attrs(CHANNEL_COLORS.get(name, MUTED), "dot", 1.5)
            body.append(f"<path d='M{line}' {stroke}/>")
    parts = [
        f'<img alt="" src="{svg_data_url("".join(body))}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%" />'
    ]
    shown = sorted(
        ((float(v), k) for k, v in (markers or {}).items() if np.isfinite(v) and lo <= v <= hi)
    )
    for j, (value, label) in enumerate(shown):
        x = pct((value - lo) / (hi - lo) * 100)
        # Two labels never meet: the lower one ends at its line, the higher one starts at it.
        move = "-50%" if len(shown) == 1 else "calc(-100% - 2px)" if j == 0 else "2px"
        parts.append(box(f"left:{x};top:0;bottom:0;border-left:1.2px dashed {DARK}"))
        parts.append(box(
            f"left:{x};bottom:calc(100% + 6px);transform:translateX({move});font-size:11px;"
            "white-space:nowrap", escape(label), ' class="nv-marker"',
        ))  # fmt: skip
    if n_ch > 1:
        centres = 0.5 * (edges[:-1] + edges[1:])
        for i, (name, row) in enumerate(zip(names, counts, strict=True)):
            peak = int(np.argmax(row))
            x = (centres[peak] - lo) / (hi - lo) * 100
            parts.append(curve_note(name, x, float(frac(row[peak])) * 100, 12 * i))
        if cumulative:
            for i, (name, cdf) in enumerate(zip(names, cdfs, strict=True)):
                median = float(edges[1:][min(int(np.searchsorted(cdf, 0.5)), cdf.size - 1)])
                x = (median - lo) / (hi - lo) * 100
                parts.append(curve_note(name, x, 50 / 1.02, 12 * i - 8, anchor="left"))
    parts += _hover_bins(names, counts, edges, cdfs if cumulative else None, lo, hi)
    parts += x_axis(lo, hi, x_title)
    left = y_axis_room([t for _, t in y_ticks], True)
    parts += y_axis(y_ticks, "pixels", left)
    right = 14
    if cumulative:
        right = 44
        parts += y_axis([(v / 1.02, f"{v:.0%}") for v in (0.0, 0.5, 1.0)], "", 0, right=True)
    else:  # the last x tick label's right half
        right = max(right, int(label_width(number_label(hi, si=abs(hi) >= 10_000)) / 2) + 2)
    return chart_frame(alt, height, left, right, parts, f'data-chart="histogram" {scale}')


def _hover_bins(
    names: Sequence[str],
    counts: np.ndarray,
    edges: np.ndarray,
    cdfs: np.ndarray | None,
    lo: float,
    hi: float,
) -> list[str]:
    """Hover boxes over the plot's height, their ``title`` the values of the bins they cover.

    One box per bin up to :data:`HOVER_STRIPS` bins; more bins are split into that many runs
    of neighbouring bins, as equal as can be (256 bins: 4 each), and a box says its run's
    range, each channel's pixels in it and the cumulative fraction at its upper edge.
    """
    n_bins = counts.shape[1]
    bounds = np.linspace(0, n_bins, min(n_bins, HOVER_STRIPS) + 1).round().astype(np.int64)
    start = (edges[0] - lo) / (hi - lo) * 100
    widths = np.diff(edges[bounds]) / (hi - lo) * 100
    equal = np.allclose(widths, widths[0])
    cells = []
    for b, (first, end) in enumerate(itertools.pairwise(bounds)):
        text = f"{edges[first]:.4g} to {edges[end]:.4g}: " + ", ".join(
            f"{n} {counts[c, first:end].sum():,.0f} px" for c, n in enumerate(names)
        )
        if cdfs is not None:
            text += (
                "; "
                + ", ".join(
                    (f"{n} " if len(names) > 1 else "") + f"{cdfs[c, end - 1]:.1%}"
                    for c, n in enumerate(names)
                ).replace("%", " %")
                + " at or below"
            )
        flex = "" if equal else f' style="flex:{widths[b]:.4f} 1 0"'
        cells.append(f'<i class="nv-bin"{flex} title="{escape_attr(text)}"></i>')
    row_w = widths.sum()
    return [
        "<style>.nv-bins{position:absolute;top:0;bottom:0;display:flex}"
        ".nv-bins>i{flex:1 1 0;height:100%}</style>"
        f'<div class="nv-bins" style="left:{pct(start)};width:{pct(row_w)}">'
        + "".join(cells)
        + "</div>"
    ]
