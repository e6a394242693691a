"""The display bar of the image lesson: which values show black, grey and white."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from normviz.figures.images._style import MARGIN_PAD, _layout, _vline, plot_empty


class DisplayBarInfo(NamedTuple):
    """The display mapping ``[lo, hi] -> [black, white]`` sampled for a grey bar.

    Attributes
    ----------
    lo, hi : float
        The values shown black and white.
    x : (61,) float64
        Values from ``lo - pad`` to ``hi + pad``, ``pad`` a quarter of the span.
    z : (1, 61) float64
        Grey level of each value in [0, 1] (saturated beyond ``lo`` and ``hi``).
    """

    lo: float
    hi: float
    x: np.ndarray
    z: np.ndarray


def display_bar_info(lo: float, hi: float) -> DisplayBarInfo | None:
    """Return the display mapping ``[lo, hi] -> [black, white]`` sampled at 61 values.

    The samples reach a quarter of the span beyond each end, where the grey saturates. None for
    a non-finite or empty range.

    Examples
    --------
    >>> info = display_bar_info(0.0, 4.0)
    >>> info.x[[0, -1]].tolist(), info.z[0, [0, 10, 30, 50, 60]].tolist()
    ([-1.0, 5.0], [0.0, 0.0, 0.5, 1.0, 1.0])
    >>> display_bar_info(1.0, 1.0) is None
    True
    """
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return None
    pad = 0.25 * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, 61)
    z = np.clip((x - lo) / (hi - lo), 0.0, 1.0)[None, :]
    return DisplayBarInfo(float(lo), float(hi), x, z)


def plot_display_bar(
    lo: float, hi: float, *, unit: str = "", title: str | None = None, height: int = 64
) -> go.Figure:
    """Return a horizontal grey colour bar: the display mapping ``[lo, hi] -> [black, white]``.

    The bar extends a quarter of the span beyond each end, drawn saturated, so a reader sees that
    values below ``lo`` show black and values above ``hi`` show white.

    Examples
    --------
    >>> fig = plot_display_bar(-3.0, 3.0, unit="z")
    >>> fig.data[0].type, list(fig.layout.xaxis.range)
    ('heatmap', [-4.5, 4.5])
    """
    info = display_bar_info(lo, hi)
    if info is None:
        return plot_empty("no display range", height=height, title=title)
    x, z = info.x, info.z
    heat = {
        "type": "heatmap", "x": x, "z": z, "zmin": 0.0, "zmax": 1.0, "colorscale": "gray",
        "showscale": False,
        "hovertemplate": f"%{{x:.3g}} {unit} shows as %{{z:.0%}} grey<extra></extra>",
    }  # fmt: skip
    layout = _layout(
        height=height, title=title, shapes=[_vline(v, "#dc2626") for v in (lo, hi)],
        margin={"l": 20, "r": 20, "t": 26 if title else 4, "b": 30, "pad": MARGIN_PAD},
        # a label at either end ("8000") is hidden rather than cut by the figure's edge
        xaxis={"range": [float(x[0]), float(x[-1])], "showgrid": False,
               "ticklabeloverflow": "hide past div"},
        yaxis={"visible": False},
    )  # fmt: skip
    return go.Figure(data=[heat], layout=layout)
