"""Layout helpers of the image figures: margins, shaded bands, marker lines, direct labels."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from normviz.figures._theme import DARK, FONT, GRID, MUTED, NOTE_SIZE

_LABEL_STEP = 12  # px between the direct labels of one plot, so they never overlap
_SHADE = "rgba(148, 163, 184, 0.18)"
# Room for the axes' text, in px. Streamlit's chart theme pads the plot by 8 px (margin.pad):
# that pushed the colour bar's tick labels out of its 64 px, and squeezed the axis titles onto
# the tick labels. Every figure sets its own pad and margins that hold its axes' labels, with a
# gap between the tick labels and the title (TITLE_STANDOFF).
#
# Fixed room, not Plotly's automargin, where the text's size is known: automargin measured the
# labels after a first draw, pushed a margin by 2-3 px (it did so at any starting margin) and
# drew the whole chart again, which doubled every chart's drawing time (~30 ms of ~60 ms a
# histogram; 3-4 charts a setting change). The x axis (one line of tick labels, its title) and a
# right-hand axis of fixed labels ("100%") get fixed room; only a y axis whose tick labels can be
# wider than foreseen (an upload's float values) keeps automargin, with room that already holds
# :data:`Y_LABEL_CHARS` characters, so it pushes (and redraws) only then.
MARGIN_PAD = 2
TICK_LEN = 5
TITLE_STANDOFF = 12
LINE_HEIGHT = 1.25  # a text line's height, in font sizes
AXIS_ROOM = int(MARGIN_PAD + TICK_LEN + 2 + 2 * LINE_HEIGHT * FONT["size"] + TITLE_STANDOFF) + 1
"""Bottom margin that holds tick labels and an axis title below them (52 px at 12 px)."""
X_ROOM = AXIS_ROOM + 4
"""Bottom margin of a figure with an x-axis title: :data:`AXIS_ROOM` and the glyphs' descent."""
CHAR_WIDTH = 0.56
"""A digit's width in font sizes (Arial and Liberation Sans: 0.556; Plotly measured 0.54 here)."""
Y_LABEL_CHARS = 5
"""Tick label characters a y axis holds in its fixed room ("1.5M", "100k", "60000")."""
Y_ROOM = (
    int(
        MARGIN_PAD
        + TICK_LEN
        + Y_LABEL_CHARS * CHAR_WIDTH * FONT["size"]
        + TITLE_STANDOFF
        + LINE_HEIGHT * FONT["size"]
    )
    + 2
)
"""Left margin that holds :data:`Y_LABEL_CHARS` characters of tick labels and the axis title."""
RIGHT_ROOM = 44
"""Right margin of a histogram's cumulative axis: its labels "0%", "50%", "100%"."""
TOP_ROOM = 20
"""Top margin without a title: the top tick label's upper half and a marker's label."""


def _direct_label(text: str, x: float, y: float, i: int, **where: Any) -> dict[str, Any]:
    """Return a channel's name written on its curve at (x, y), as an annotation dict.

    The i-th label of a plot is shifted down by ``i`` label heights so labels of coinciding curves
    stay readable.
    """
    return {
        "text": text, "x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False,
        "yanchor": "top", "yshift": -2 - _LABEL_STEP * i,
        "font": {"size": NOTE_SIZE, "color": DARK}, "bgcolor": "rgba(255, 255, 255, 0.75)",
        "borderpad": 1, **where,
    }  # fmt: skip


def _layout(*, height: int, title: str | None, **extra: Any) -> dict[str, Any]:
    """Return the shared light layout, as one dict (a single validation pass is ~10x faster)."""
    axis = {"gridcolor": GRID, "zeroline": False}
    layout: dict[str, Any] = {
        "template": "none",
        "height": height,
        "margin": {
            "l": Y_ROOM,
            "r": 16,
            "t": 30 if title else TOP_ROOM,
            "b": X_ROOM,
            "pad": MARGIN_PAD,
        },
        "font": FONT,
        "title": {"text": title or "", "font": {"size": 13}, "x": 0.0, "xanchor": "left"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "showlegend": False,
        "xaxis": {
            **axis,
            "ticks": "outside",
            "ticklen": TICK_LEN,
            "tickcolor": GRID,
            "automargin": False,
        },
        "yaxis": {**axis, "automargin": True},
    }
    for k, v in extra.items():
        layout[k] = {**layout[k], **v} if isinstance(layout.get(k), dict) else v
    return layout


def _vline(x: float, colour: str, dash: str = "solid") -> dict[str, Any]:
    return {
        "type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
        "line": {"color": colour, "width": 1.2, "dash": dash},
    }  # fmt: skip


def _band(x0: float, x1: float, *, vertical: bool = True) -> dict[str, Any]:
    ref = ({"xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1} if vertical
           else {"xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": x0, "y1": x1})  # fmt: skip
    return {"type": "rect", "fillcolor": _SHADE, "line": {"width": 0}, "layer": "below", **ref}


def plot_empty(message: str, *, height: int = 220, title: str | None = None) -> go.Figure:
    """Return an empty figure of fixed ``height`` that shows ``message`` in its middle.

    Examples
    --------
    >>> plot_empty("no data").layout.annotations[0].text
    'no data'
    """
    note = {
        "text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
        "showarrow": False, "font": {"size": 13, "color": MUTED},
    }  # fmt: skip
    layout = _layout(
        height=height, title=title, annotations=[note],
        xaxis={"visible": False}, yaxis={"visible": False},
    )  # fmt: skip
    return go.Figure(layout=layout)
