"""The moments before and after a normalization as four small HTML heatmap tables.

The "Before and after" tab shows four (N, C) grids of a few dozen numbers each. As one Plotly
figure (four annotated heatmaps on shared axes) a browser spent ~400 ms of its main thread
mounting it on every tab switch (four subplots' axes and drag layers, one measured text per
cell); as plain tables it lays out in a few milliseconds. Nothing is lost: each cell is
coloured on the same scales as the Plotly heatmaps were (means on ``RdBu_r`` centred on 0,
stds on ``Viridis`` from 0, one range shared before and after), prints its value (2 decimals,
as the heatmaps did, up to :data:`MAX_LABELLED` cells a grid) and shows it to 3 decimals on
hover (the cell's ``title``). A screen reader reads the tables themselves.

Pure builders: :class:`~normviz.figures.layers.MomentsInfo` in, an HTML string out (no
script; ``st.html`` shows it after sanitizing it). The colours are Plotly's own colour scales,
sampled the way plotly.js interpolates them (linearly in RGB between the scale's stops).
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

import numpy as np
from plotly.colors import get_colorscale, sample_colorscale, unlabel_rgb

from normviz.figures._theme import DARK, MUTED

MAX_LABELLED = 96
"""Most cells of one grid that print their value (beyond, the colour and the hover say it)."""
MEAN_SCALE = "RdBu_r"
STD_SCALE = "Viridis"
LEGEND_STEPS = 11
"""Colours of a legend's gradient (the scales' own stops are at most 11 apart)."""


class Panel(NamedTuple):
    """One heatmap of :func:`moments_panels`: its title, values, colour range and cells' colours.

    Attributes
    ----------
    title : str
    grid : (N, C) float64 array
    lo, hi : float
        The colour range (values outside it take the end colours, as in Plotly).
    scale : str
        Plotly colour scale name.
    colors : (N, C) array of str
        ``rgb(r, g, b)`` of each cell.
    """

    title: str
    grid: np.ndarray
    lo: float
    hi: float
    scale: str
    colors: np.ndarray


def scale_colors(values: np.ndarray, lo: float, hi: float, scale: str) -> np.ndarray:
    """Return the ``rgb(r, g, b)`` colour of each value on ``scale`` over ``[lo, hi]``.

    Examples
    --------
    >>> scale_colors(np.array([[0.0, 1.0]]), 0.0, 1.0, "Viridis").tolist()
    [['rgb(68, 1, 84)', 'rgb(253, 231, 37)']]
    >>> scale_colors(np.array([0.0]), -1.0, 1.0, "RdBu_r")[0]  # the centre of a diverging scale
    'rgb(247, 247, 247)'
    """
    values = np.asarray(values, dtype=np.float64)
    if not values.size:
        return np.empty(values.shape, dtype=object)
    span = hi - lo if hi > lo else 1.0
    at = np.clip((np.nan_to_num(values) - lo) / span, 0.0, 1.0)
    picked = sample_colorscale(get_colorscale(scale), at.ravel().tolist())
    return np.array(picked, dtype=object).reshape(values.shape)


def _luminance(color: str) -> float:
    def lin(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in unlabel_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color(background: str) -> str:
    """Return black or white, whichever contrasts more with ``background`` (WCAG ratio).

    Either one reaches a ratio of at least 4.58 on any colour, enough for small text (4.5).

    Examples
    --------
    >>> text_color("rgb(253, 231, 37)"), text_color("rgb(68, 1, 84)")
    ('#000000', '#ffffff')
    """
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def moments_panels(info) -> list[Panel]:
    """Return the four panels of a :class:`~normviz.figures.layers.MomentsInfo`, in its order.

    Examples
    --------
    >>> from normviz.figures.layers import moments_info
    >>> info = moments_info([[1.0, -2.0]], [[1.0, 3.0]], [[0.0, 0.0]], [[1.0, 1.0]])
    >>> [(p.title, p.lo, p.hi, p.scale) for p in moments_panels(info)][1:3]
    [('mean after', -2.0, 2.0, 'RdBu_r'), ('std before', 0.0, 3.0, 'Viridis')]
    """
    panels = []
    for i, (title, grid) in enumerate(zip(info.titles, info.grids, strict=True)):
        lo, hi, scale = (
            (-info.mean_limit, info.mean_limit, MEAN_SCALE)
            if i < 2
            else (0.0, info.std_limit, STD_SCALE)
        )
        panels.append(Panel(title, grid, lo, hi, scale, scale_colors(grid, lo, hi, scale)))
    return panels


_CELL = "padding:0 2px;height:1.7em;text-align:center;font-variant-numeric:tabular-nums;"
_HEAD = f"font-weight:normal;color:{MUTED};padding:0 3px;"


def _table(panel: Panel) -> str:
    grid = panel.grid
    if not grid.size:
        return f'<p style="color:{MUTED}">no values</p>'
    n, c = grid.shape
    labelled = grid.size <= MAX_LABELLED
    head = "".join(f'<th scope="col" style="{_HEAD}">c{j}</th>' for j in range(c))
    rows = []
    for k in range(n):
        cells = []
        for j in range(c):
            value, bg = float(grid[k, j]), panel.colors[k, j]
            label = f"{value:.2f}" if labelled else ""
            cells.append(
                f'<td title="n{k}, c{j}: {value:.3f}" style="{_CELL}background:{bg};'
                f'color:{text_color(bg)}">{label}</td>'
            )
        rows.append(f'<tr><th scope="row" style="{_HEAD}">n{k}</th>{"".join(cells)}</tr>')
    return (
        '<table style="border-collapse:collapse;width:100%;table-layout:fixed;font-size:12px;'
        f'margin:0"><caption style="caption-side:top;font-weight:600;color:{DARK};'
        f'padding:2px 0">{escape(panel.title)}</caption>'
        f'<thead><tr><th style="{_HEAD}width:2.2em"></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _legend(panel: Panel) -> str:
    """Return a vertical colour bar with its range's ends and middle (as Plotly's colour bar)."""
    stops = np.linspace(panel.lo, panel.hi, LEGEND_STEPS)
    colors = scale_colors(stops, panel.lo, panel.hi, panel.scale)[::-1]
    gradient = ", ".join(colors)
    ticks = [panel.hi, (panel.lo + panel.hi) / 2, panel.lo]
    labels = "".join(f"<span>{v:.2f}</span>" for v in ticks)
    return (
        f'<div aria-hidden="true" style="display:flex;gap:4px;align-self:stretch;'
        f'padding-top:1.6em;font-size:11px;color:{MUTED}">'
        f'<div style="width:10px;background:linear-gradient({gradient})"></div>'
        f'<div style="display:flex;flex-direction:column;justify-content:space-between">'
        f"{labels}</div></div>"
    )


def _min_width(grid: np.ndarray) -> int:
    """Return the width (px) below which a table goes on a line of its own (a phone's screen).

    Room for the row labels and, per column, a printed value ("-4.06" at 12 px) or a colour.
    """
    columns = grid.shape[1] if grid.ndim == 2 else 0
    return 30 + columns * (34 if 0 < grid.size <= MAX_LABELLED else 14)


def moments_html(info, alt: str) -> str:
    """Return the four moment heatmaps as HTML: a 2 x 2 grid of tables, a colour bar a row.

    Means before and after share the first row and one diverging colour range; stds the second.
    Where two tables do not fit side by side (a phone), each takes a line of its own.
    ``alt`` (the figure's summary, :func:`~normviz.figures.layers.moments_alt`) labels it.

    Examples
    --------
    >>> from normviz.figures.layers import moments_info
    >>> info = moments_info([[1.0, -2.0]], [[1.0, 3.0]], [[0.0, 0.0]], [[1.0, 1.0]])
    >>> html = moments_html(info, "Heatmaps")
    >>> html.count("<table"), html.count("<td "), 'title="n0, c1: -2.000"' in html
    (4, 8, True)
    """
    panels = moments_panels(info)
    rows = []
    for left, right in (panels[:2], panels[2:]):
        box = f'<div style="flex:1 1 {_min_width(left.grid)}px;min-width:0">'
        rows.append(
            '<div style="display:flex;flex-wrap:wrap;gap:10px 14px;align-items:flex-start;'
            f'margin-bottom:10px">{box}{_table(left)}</div>{box}{_table(right)}</div>'
            f"{_legend(right)}</div>"
        )
    return (
        f'<figure role="group" aria-label="{escape(alt)}" data-testid="lay-moments" '
        f'style="margin:0;color:{DARK}">{"".join(rows)}</figure>'
    )
