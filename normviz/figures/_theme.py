"""The figures' one theme: fonts, colours, margins, panel titles, legends, axes and buttons.

Every figure module of :mod:`normviz.figures` takes its style from here, so a colour or a font
is changed in one place. The helpers return plain plotly.js dicts (no magic underscores such as
``title_font``, nothing expands them), which a ``go.Figure`` and a
:class:`~normviz.figures._spec.FigureSpec` take alike.

Two fonts are in use: :data:`FONT` (the image and lab lessons, 12 px) and :data:`LAYERS_FONT`
(the layers lesson's heatmaps and cubes, 13 px, whose cell labels were sized for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FONT_FAMILY = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
"""The font of the image and lab figures."""

INK = "#1f2937"
"""Text colour of the image and lab figures."""

DARK = "#111827"
"""Darkest text and line colour (labels written on curves, the layers lesson's text)."""

MUTED = "#6b7280"
"""Secondary text and neutral lines (messages of empty figures, time-constant marks)."""

GRID = "#e5e7eb"
"""Grid lines, and the image figures' ticks."""

AXIS_LINE = "#9ca3af"
"""Axis lines and ticks of the lab figures."""

FONT = {"family": FONT_FAMILY, "size": 12, "color": INK}
"""Font of the image and lab figures."""

LAYERS_FONT = {"family": "sans-serif", "size": 13, "color": DARK}
"""Font of the layers lesson's figures."""

PANEL_TITLE_SIZE = 13
"""Font size of a panel's title."""

NOTE_SIZE = 11
"""Font size of legends, notes and labels written on a plot."""

NO_TEMPLATE: dict[str, Any] = {}
"""What ``template="none"`` resolves to, for dicts that no validation pass resolves."""


def rgba(hex_colour: str, alpha: float) -> str:
    """Return ``#rrggbb`` with opacity ``alpha`` as a CSS ``rgba(...)`` string.

    Examples
    --------
    >>> rgba("#dc2626", 0.35)
    'rgba(220, 38, 38, 0.35)'
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def rgb_over_white(colour: str) -> tuple[int, int, int]:
    """Return ``#rrggbb`` or ``rgba(r, g, b, a)`` (blended over white) as an RGB triple.

    For pictures drawn with Pillow in the figures' colours.

    Examples
    --------
    >>> rgb_over_white("#4f46e5"), rgb_over_white("rgba(0, 0, 0, 0.5)")
    ((79, 70, 229), (128, 128, 128))
    """
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    r, g, b, a = (float(v) for v in colour[colour.index("(") + 1 : -1].split(","))
    return tuple(round(c * a + 255 * (1 - a)) for c in (r, g, b))  # type: ignore[return-value]


def panel_title(text: str, x: float) -> dict[str, Any]:
    """Return a bold panel title (an annotation) just above the plot area, left edge at ``x``.

    ``x`` is in paper units (0 is the left edge of the plot area).

    Examples
    --------
    >>> panel_title("Loss", 0.0)["text"]
    '<b>Loss</b>'
    """
    return {
        "text": f"<b>{text}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": 1.0,
        "yshift": 6,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": PANEL_TITLE_SIZE},
    }


def legend_at_bottom() -> dict[str, Any]:
    """Return a horizontal legend anchored to the figure's bottom edge, in pixels.

    Anchored to the container (not to the plot area), it sits under the x-axis title at any
    height and never overlaps it; the bottom margin must leave it room.

    Examples
    --------
    >>> legend_at_bottom()["yref"]
    'container'
    """
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "font": {"size": NOTE_SIZE},
    }


AXIS_BELOW_PX = 58
"""Pixels below a plot taken by the x tick labels and the axis title; a legend goes under them."""

LEGEND_PX = 30
"""Pixels one row of horizontal legend needs."""


def legend_below(height: int, top: int) -> tuple[dict[str, Any], int]:
    """Return a horizontal legend under the x axis' title, and the bottom margin it needs.

    Parameters
    ----------
    height : int
        The figure's height in px.
    top : int
        Its top margin in px.

    Examples
    --------
    >>> legend_below(400, 50)
    ({'orientation': 'h', 'x': 0.0, 'xanchor': 'left', 'y': -0.2214, 'yanchor': 'top'}, 88)
    """
    bottom = AXIS_BELOW_PX + LEGEND_PX
    plot = max(height - top - bottom, 1)
    legend = {
        "orientation": "h",
        "x": 0.0,
        "xanchor": "left",
        "y": round(-AXIS_BELOW_PX / plot, 4),
        "yanchor": "top",
    }
    return legend, bottom


def axis(
    title: str, value_range: Sequence[float], title_colour: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Return a fixed-range axis with a grid, an outer line and outside ticks.

    Parameters
    ----------
    title : str
        The axis title.
    value_range : (float, float)
        Fixed range (no autorange: nothing jumps as data arrive).
    title_colour : str, optional
        Colour of the title (to tie an axis to its line's colour).
    **extra
        Any other plotly.js axis keys, which win.

    Examples
    --------
    >>> a = axis("epoch", (0, 10), tickformat=".0%")
    >>> a["range"], a["autorange"], a["tickformat"]
    ([0.0, 10.0], False, '.0%')
    """
    spec: dict[str, Any] = {
        "title": {"text": title, "standoff": 4},
        "range": [float(value_range[0]), float(value_range[1])],
        "autorange": False,
        "gridcolor": GRID,
        "zeroline": False,
        "showline": True,
        "linecolor": AXIS_LINE,
        "ticks": "outside",
        "tickcolor": AXIS_LINE,
    }
    if title_colour is not None:
        spec["title"]["font"] = {"color": title_colour}
    spec.update(extra)
    return spec


def play_pause(play: dict[str, Any], pause: dict[str, Any], **where: Any) -> dict[str, Any]:
    """Return Play/Pause buttons (an ``updatemenus`` entry) for an animation run by the browser.

    Parameters
    ----------
    play, pause : dict
        The animation options of each button (``{"frame": {"duration": ...}, ...}``).
    **where
        Placement keys (``x``, ``y``, ``xanchor``, ``yanchor``, ``pad``...).

    Examples
    --------
    >>> [b["label"] for b in play_pause({}, {}, x=0)["buttons"]]
    ['▶ Play', '❚❚ Pause']
    """
    return {
        "type": "buttons",
        "direction": "left",
        **where,
        "showactive": False,
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play]},
            {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
        ],
    }
