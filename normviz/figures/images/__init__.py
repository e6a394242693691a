"""Figures of the image-normalization lesson, drawn as HTML: records in, HTML strings out.

Every builder is pure and takes small records (a histogram's counts and edges, a transfer curve's
samples), never pixels, so a chart's payload does not depend on the image size: at most
``MAX_BARS`` bins per channel, at most 1024 curve points. Degenerate input (no counts, an empty
curve) gives an empty chart with a message, never an exception. Colours are fixed per channel
(:data:`CHANNEL_COLORS`) so the red channel is red in every chart of the page, and colour is never
the only cue: each channel also has its own dash pattern (:data:`CHANNEL_DASHES`; cumulative
curves are dotted) and, where several channels share a chart, a direct label on its curve, so a
reader who cannot tell red from green (deuteranopia) still knows which curve is which.

The histogram records are duck-typed: anything with ``counts`` ((C, bins) integers) and
``edges`` ((bins + 1,) ascending floats), like :class:`normviz.intensity.Histogram`; transfer
curves anything with ``x`` ((K,)) and ``y`` ((C, K)), like :class:`normviz.intensity.TransferCurve`.

The page draws its histograms and transfer curve as HTML pictures (:func:`histogram_html`,
:func:`transfer_html`, on the shared frame :mod:`normviz.figures._chart_html`: no Plotly chart
in the browser), its display bar as HTML (:func:`display_bar_html`), and the comparison grid as one
HTML block (:func:`grid_html`) of thumbnails and small SVG histograms (:func:`mini_histogram_svg`).

Each figure is split as in Optuna's visualization: an ``*_info`` function computes a small record
from the data (:func:`histogram_info`, :func:`transfer_info`, :func:`display_bar_info`; tested
on their own), and a builder draws it; styles come from :mod:`normviz.figures._theme`.
"""

from normviz.figures._chart_html import CHART_CLASS
from normviz.figures.code_html import code_html
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    CHANNEL_DASHES,
    CUMULATIVE_DASH,
    DASH_WORDS,
    CurveLike,
    HistogramLike,
    StatsLike,
    channel_dash,
    channel_names,
    line_legend,
)
from normviz.figures.images._display import DisplayBarInfo, display_bar_info
from normviz.figures.images._display_html import display_bar_html, nice_ticks
from normviz.figures.images._grid_html import GRID_CLASS, GridTile, grid_html
from normviz.figures.images._histogram import (
    MAX_BARS,
    HistogramInfo,
    coarsen_histogram,
    histogram_info,
)
from normviz.figures.images._histogram_html import histogram_html
from normviz.figures.images._mini import SVG_DASHES, mini_histogram_svg
from normviz.figures.images._stats import stats_rows
from normviz.figures.images._transfer import TransferInfo, transfer_info
from normviz.figures.images._transfer_html import transfer_html

__all__ = [
    "CHANNEL_COLORS",
    "CHANNEL_DASHES",
    "CHART_CLASS",
    "CUMULATIVE_DASH",
    "DASH_WORDS",
    "GRID_CLASS",
    "MAX_BARS",
    "SVG_DASHES",
    "CurveLike",
    "DisplayBarInfo",
    "GridTile",
    "HistogramInfo",
    "HistogramLike",
    "StatsLike",
    "TransferInfo",
    "channel_dash",
    "channel_names",
    "coarsen_histogram",
    "code_html",
    "display_bar_html",
    "display_bar_info",
    "grid_html",
    "histogram_html",
    "histogram_info",
    "line_legend",
    "mini_histogram_svg",
    "nice_ticks",
    "stats_rows",
    "transfer_html",
    "transfer_info",
]
