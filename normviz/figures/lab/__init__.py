"""Plotly figures of the regularization lab: decision boundary, training curves, weights.

Each view has a split in the style of Optuna's visualization: an ``*_info``
function turns records into a small NamedTuple of arrays (tested on its own), and a ``plot_*``
function only draws it. The builders take plain arrays and records (``EpochRecord``,
``StopInfo``, ``BoundaryGrid`` and ``Dataset`` are read by attribute), never a model, so this
package imports neither torch nor streamlit. One module per job: ``_curves`` (training curves,
weight norm), ``_weights`` (histograms), ``_boundary``, ``_studies_html`` (the batch-size
study, drawn as HTML), ``_tables_html`` (the dropout check's and the batch-size calculator's
tables as HTML), ``_alt`` (alternative texts) and ``_style`` (the palette the live view also
sends to the browser).

The figures are built to be cheap: they were redrawn several times a second while a network
trained, as :class:`~normviz.figures._spec.FigureSpec` (about 2 ms for the four figures of a
tick, built and serialized, against 14 ms as ``go.Figure``); the batch-size study is drawn on the
page as HTML (:func:`batch_size_study_html`).
Curves are downsampled to at most ``max_points`` per trace, the boundary heatmap is sent as
``uint8`` (a quarter of the bytes of float32), nothing carries per-point hover text, and every
figure has a fixed height and fixed axis ranges, so nothing jumps between ticks.

Colours are fixed across the page: train is indigo and test is rose in every curve; run A is
drawn solid and run B dashed; class 0 is orange and class 1 blue, as in TensorFlow Playground.
"""

from normviz.figures.lab._alt import (
    batch_size_study_alt,
    boundary_alt,
    curves_alt,
    weight_histograms_alt,
    weight_norm_alt,
)
from normviz.figures.lab._boundary import BoundaryInfo, boundary_info, plot_boundary
from normviz.figures.lab._curves import (
    Curves,
    curves_info,
    plot_training_curves,
    plot_weight_norm,
    stop_mark_epoch,
)
from normviz.figures.lab._studies_html import batch_size_study_html
from normviz.figures.lab._style import (
    BOUNDARY_SCALE,
    CLASS_COLOURS,
    NORM_COLOURS,
    NORM_DODGE,
    NORM_LINE_COLOUR,
    NORM_STYLES,
    RUN_COLOURS,
    RUN_DASHES,
    SPARSITY_COLOUR,
    SPLIT_COLOURS,
    X_AXIS_TITLES,
)
from normviz.figures.lab._tables_html import batch_plan_table_html, dropout_check_table_html
from normviz.figures.lab._weights import (
    WeightHistogram,
    plot_weight_histograms,
    weight_histogram_info,
    weight_limit,
)
from normviz.train_config import NORM_NAMES  # one home; legend names of the study

__all__ = [
    "BOUNDARY_SCALE",
    "CLASS_COLOURS",
    "NORM_COLOURS",
    "NORM_DODGE",
    "NORM_LINE_COLOUR",
    "NORM_NAMES",
    "NORM_STYLES",
    "RUN_COLOURS",
    "RUN_DASHES",
    "SPARSITY_COLOUR",
    "SPLIT_COLOURS",
    "X_AXIS_TITLES",
    "BoundaryInfo",
    "Curves",
    "WeightHistogram",
    "batch_plan_table_html",
    "batch_size_study_alt",
    "batch_size_study_html",
    "boundary_alt",
    "boundary_info",
    "curves_alt",
    "curves_info",
    "dropout_check_table_html",
    "plot_boundary",
    "plot_training_curves",
    "plot_weight_histograms",
    "plot_weight_norm",
    "stop_mark_epoch",
    "weight_histogram_info",
    "weight_histograms_alt",
    "weight_limit",
    "weight_norm_alt",
]
