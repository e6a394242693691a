"""The lab figures' fixed colours, axis titles and layout helpers: one home for the palette.

Colours are fixed across the page: train is indigo and test is rose in every curve; run A is
drawn solid and run B dashed; class 0 is orange and class 1 blue, as in TensorFlow Playground.
The live view (:mod:`normviz.serving.live_feed`) sends the same constants to the browser.
"""

from __future__ import annotations

from typing import Any

from normviz.figures._spec import FigureSpec
from normviz.figures._theme import FONT, NO_TEMPLATE, legend_at_bottom

SPLIT_COLOURS = {"train": "#4f46e5", "test": "#e11d48"}
"""Line colour of each split in every curve figure."""

RUN_DASHES = ("solid", "dash", "dot")
"""Line dash of run A, B (and a third) in every curve figure."""

RUN_COLOURS = ("#4f46e5", "#0d9488", "#9333ea")
"""Bar colour of run A, B (and a third) in the weight figures."""

CLASS_COLOURS = ("#f97316", "#2563eb")
"""Marker colour of class 0 and class 1."""

BOUNDARY_SCALE = [[0.0, "#fdba74"], [0.5, "#ffffff"], [1.0, "#93c5fd"]]
"""Heatmap colour scale of P(class 1): orange (class 0) through white to blue (class 1)."""

NORM_LINE_COLOUR = "#0f766e"
"""Line colour of the weight norm ``‖w‖₂``."""

SPARSITY_COLOUR = "#d97706"
"""Line colour of the share of weights near zero."""


X_AXIS_TITLES = {"epoch": "epoch", "step": "updates", "samples_seen": "samples seen"}
"""Curve x axes: the ``EpochRecord`` field each one reads -> its axis title.

The keys are those of :data:`normviz.training.X_AXES` (not imported here: it would import torch).
"""

NORM_COLOURS = {"batch": "#dc2626", "group": "#2563eb", "layer": "#059669", "none": "#6b7280"}
"""Line colour of each normalization in the batch-size study."""

NORM_STYLES = {
    "batch": ("solid", "circle"),
    "group": ("dash", "square"),
    "layer": ("dot", "diamond"),
}
"""Line dash and marker of each normalization in the batch-size study (equal lines stay visible)."""

NORM_DODGE = {"batch": 1.0, "group": 0.95, "layer": 1.05}
"""Factor on each normalization's batch sizes in the study's log-x chart: GroupNorm and LayerNorm
do not depend on the batch, so their accuracies often coincide; dodged apart by ±5 %, both lines
and markers stay visible (hover shows the true batch size)."""

_TOP = 32
"""Top margin in px: room for a panel title (:func:`~normviz.figures._theme.panel_title`)."""
_BOTTOM = 40
"""Bottom margin in px without a legend: tick labels and the x-axis title."""
_LEGEND_ROW = 22
"""Height in px of one legend row, added to the bottom margin under the axis title."""


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    """Return the lab's layout: the shared font, no hover, a legend under the axis title."""
    layout: dict[str, Any] = {
        "template": NO_TEMPLATE,
        "height": height,
        "margin": {"l": 48, "r": 16, "t": _TOP, "b": _BOTTOM + _LEGEND_ROW},
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": legend_at_bottom(),
        "hovermode": False,
    }
    layout.update(extra)
    return layout


def _figure(data: list[dict], layout: dict[str, Any]) -> FigureSpec:
    """Wrap plain dicts in a :class:`FigureSpec`: no Plotly object tree, no validation pass.

    These figures were rebuilt on every tick of the live lab; the tests validate every builder's
    output by rebuilding it with ``go.Figure(fig.to_dict())``.
    """
    return FigureSpec(data, layout)
