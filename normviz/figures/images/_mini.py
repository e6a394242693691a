"""The comparison grid's small histograms as static SVG pictures (no Plotly chart in the browser).

A grid tile's histogram has no axes, no labels and no hover: it only shows the shape. Drawn as
a Plotly chart it cost the browser a chart component and a Plotly draw each (eight on the
page); as an SVG string it is a picture ``st.image`` shows from a data URL, a few kB, drawn with
the page. Same bins, colours and dash patterns as the Plotly histograms
(:func:`normviz.figures.images.histogram_info`, :data:`CHANNEL_COLORS`, :func:`channel_dash`).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._chart_html import SVG_DASHES
from normviz.figures._theme import MUTED
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    HistogramLike,
    channel_dash,
    channel_names,
)
from normviz.figures.images._histogram import histogram_info


def _steps(row: np.ndarray, edges: np.ndarray, width: float, height: float, top: float) -> str:
    """Return the points of ``row`` drawn as steps (Plotly's ``shape="hv"``), in SVG units."""
    x = (edges - edges[0]) / (edges[-1] - edges[0]) * width
    y = height - row / top * height
    xs = np.repeat(x, 2)[1:-1]  # x0 x1 x1 x2 x2 ... : each bin's left and right edge
    ys = np.repeat(y, 2)
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))


def mini_histogram_svg(
    hist: HistogramLike,
    *,
    names: Sequence[str] | None = None,
    width: int = 240,
    height: int = 70,
    max_bins: int = 64,
) -> str:
    """Return a bare, small histogram (no axes, no labels) as an SVG document string.

    Parameters
    ----------
    hist : Histogram-like
        ``counts`` (C, bins) and ``edges`` (bins + 1,); merged into at most ``max_bins`` bins.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`): colour and dash pattern per channel.
    width, height : int
        The picture's size in px (it scales to its column; the aspect ratio stays).
    max_bins : int
        Most bars per channel.

    Returns
    -------
    str
        ``<svg ...>`` with one filled step outline (``<polygon>``) and one step line
        (``<polyline>``, with the channel's dash pattern) per channel, tallest bin at the top;
        empty input gives a picture that says "no pixels to count".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> svg = mini_histogram_svg(SimpleNamespace(counts=[[1, 3]], edges=np.array([0.0, 1, 2])))
    >>> svg.startswith("<svg ") and svg.count("<polyline") == 1
    True
    """
    info = histogram_info(hist, max_bins)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    )
    if info is None:
        return (
            f'{head}<text x="{width / 2:g}" y="{height / 2:g}" text-anchor="middle" '
            f'dominant-baseline="middle" font-size="12" fill="{MUTED}">no pixels to count'
            "</text></svg>"
        )
    n_ch = info.counts.shape[0]
    names = tuple(names) if names is not None else channel_names(n_ch)
    if len(names) != n_ch:
        raise ValueError(f"expected {n_ch} channel names (got {len(names)})")
    top = float(info.counts.max())
    fill_alpha = 0.35 if n_ch == 1 else 0.18
    parts = [head]
    for i, (name, row) in enumerate(zip(names, info.counts, strict=True)):
        colour = CHANNEL_COLORS.get(name, MUTED)
        line = _steps(row, info.edges, width, height, top)
        dash = SVG_DASHES[channel_dash(name, i)]
        parts.append(
            f'<polygon points="0,{height} {line} {width},{height}" '
            f'fill="{colour}" fill-opacity="{fill_alpha}" stroke="none"/>'
        )
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.4"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f"><title>{escape(name)}</title></polyline>"
        )
    parts.append("</svg>")
    return "".join(parts)
