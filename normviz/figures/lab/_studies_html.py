"""The batch-size study as an HTML picture (:func:`batch_size_study_html`): no Plotly chart.

The study record's test accuracy against batch size, one line per normalization (GroupNorm,
Wu & He 2018, Fig. 1), in each normalization's colour, dash and marker, dodged apart on a log-2
axis, drawn with the shared HTML chart helpers (:mod:`normviz.figures._chart_html`): the lines
are one SVG data-URL picture stretched over the plot area, each point is a marker box whose
``title`` gives its batch size, normalization and test accuracy, and a legend row names the
lines. The study opens with the page's first chart: drawn as HTML, it costs the browser a few
DOM boxes instead of a Plotly chart's ~0.5 s.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from normviz.figures._chart_html import (
    chart_frame,
    escape_attr,
    legend_item,
    legend_row,
    line_series,
    lines_picture,
    marker,
    right_room,
    stroke_attrs,
    x_axis,
    y_axis,
    y_axis_room,
)
from normviz.figures._theme import DARK, FONT_FAMILY, PANEL_TITLE_SIZE
from normviz.figures.lab._style import NORM_COLOURS, NORM_DODGE, NORM_STYLES
from normviz.train_config import NORM_NAMES

if TYPE_CHECKING:
    from normviz.lab_studies import BatchSizeStudy

Y_MAX = 1.02
"""Top of the accuracy axis (as the Plotly figure's ``[0, 1.02]``)."""
MARKER_PX = 8
"""A marker's size in px; its hover box is ``HOVER_PX`` wide, centred on it."""


def _style(norm: str) -> tuple[str, str, str]:
    """Return (colour, dash, marker symbol) of ``norm``, as the Plotly figure draws it."""
    dash, symbol = NORM_STYLES.get(norm, ("solid", "circle"))
    return NORM_COLOURS.get(norm, "#6b7280"), dash, symbol


def batch_size_study_html(study: BatchSizeStudy, *, alt: str = "", height: int = 300) -> str:
    """Return test accuracy against batch size, one line per normalization, as HTML.

    Parameters
    ----------
    study : BatchSizeStudy
        ``batch_sizes`` (B,) positive ints, ``norms`` (K,), ``test_acc`` (K, B) in [0, 1] and
        ``epochs`` (read by attribute).
    alt : str
        The chart's accessible name (e.g. :func:`~normviz.figures.lab.batch_size_study_alt`).
    height : int
        Height of the chart (plot area, ticks and axis title) in px; the title line above and
        the legend row below add about 50 px.

    Returns
    -------
    str
        A ``<div class="nv-study">`` holding the bold title, the chart (``<div class="nv-chart"
        role="img" aria-label=alt>``: on a log-2 batch-size axis ticked at the batch sizes and
        an accuracy axis 0..102 %, one line per normalization in its colour and dash, each
        normalization's points ``NORM_DODGE`` apart on x, each point a marker box
        ``class="nv-point"`` whose ``title`` reads "BatchNorm: batch 8, test accuracy 91.2%")
        and a legend row (``class="nv-legend"``). A non-finite accuracy is left out (a gap).

    Raises
    ------
    ValueError
        If ``test_acc`` is not (len(norms), len(batch_sizes)).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> s = S(batch_sizes=(2, 8), norms=("batch", "layer"), epochs=3,
    ...       test_acc=np.array([[0.5, 0.9], [0.8, 0.85]]))
    >>> html = batch_size_study_html(s, alt="Study")
    >>> html.count('class="nv-point"'), 'title="LayerNorm: batch 8, test accuracy 85.0%"' in html
    (4, True)
    """
    sizes = [int(b) for b in study.batch_sizes]
    acc = np.asarray(study.test_acc, dtype=np.float64)
    if acc.shape != (len(study.norms), len(sizes)):
        raise ValueError(
            f"test_acc must have shape (norms, batch sizes) = {(len(study.norms), len(sizes))} "
            f"(got {acc.shape})"
        )
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))
    pad = max((hi - lo) * 0.05, 0.05)
    lo, hi = lo - pad, hi + pad
    body, points, legend = [], [], []
    for i, norm in enumerate(study.norms):
        name = NORM_NAMES.get(norm, norm)
        colour, dash, symbol = _style(norm)
        xs = [(math.log10(b * NORM_DODGE.get(norm, 1.0)) - lo) / (hi - lo) for b in sizes]
        values = [
            (x, a / Y_MAX, f"{name}: batch {b}, test accuracy {a:.1%}") if np.isfinite(a) else None
            for b, x, a in zip(sizes, xs, acc[i], strict=True)
        ]
        paths, dots = line_series(
            values, f'data-norm="{escape_attr(norm)}"', stroke_attrs(colour, dash, 2),
            marker(colour, symbol, MARKER_PX),
        )  # fmt: skip
        body += paths
        points += dots
        legend.append(legend_item(
            name, f'data-norm="{escape_attr(norm)}"', colour, dash, 2,
            marker(colour, symbol, MARKER_PX),
        ))  # fmt: skip
    parts = [
        *lines_picture(body),
        *points,
    ]
    ticks = [(math.log10(b), str(b)) for b in sizes]
    parts += x_axis(lo, hi, "batch size (log scale)", ticks)
    y_ticks = [(v / Y_MAX, f"{v:.0%}") for v in np.arange(6) * 0.2]
    left = y_axis_room([t for _, t in y_ticks], True)
    parts += y_axis(y_ticks, "test accuracy", left)
    right = right_room(str(sizes[-1]))
    data = f'data-chart="batch-size-study" data-epochs="{int(study.epochs)}"'
    chart = chart_frame(alt, height, left, right, parts, data)
    title = (
        f'<div class="nv-title" style="font-weight:600;font-size:{PANEL_TITLE_SIZE}px;'
        f'color:{DARK};margin:0 0 4px {left}px">'
        f"Test accuracy after {int(study.epochs)} epochs at each batch size</div>"
    )
    row = legend_row(legend, left, 18)
    return (
        f'<div class="nv-study" style="font-family:{FONT_FAMILY};background:white">'
        f"{title}{chart}{row}</div>"
    )
