"""Transfer curves of the image lesson: output = f(input), one line per channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from normviz.figures._theme import MUTED
from normviz.figures.images._channels import (
    CHANNEL_COLORS,
    CurveLike,
    channel_dash,
    channel_names,
)
from normviz.figures.images._style import TITLE_STANDOFF, _band, _direct_label, _layout, plot_empty


class TransferInfo(NamedTuple):
    """A transfer curve ready to draw (:func:`transfer_info`).

    Attributes
    ----------
    x : (K,) float64
        Ascending input intensities where every channel's output is finite.
    y : (C, K) float64
        Output of each channel at ``x``.
    same : bool
        All channels give the same output (the curve is drawn once, "all channels").
    """

    x: np.ndarray
    y: np.ndarray
    same: bool


def transfer_info(curve: CurveLike) -> TransferInfo | None:
    """Return the finite part of a transfer curve, or None if nothing is left to draw.

    Parameters
    ----------
    curve : TransferCurve-like
        ``x`` (K,) ascending input intensities, ``y`` (C, K) or (K,) outputs.

    Returns
    -------
    TransferInfo or None
        The samples where ``x`` and every channel's output are finite; None when there are
        none, or when ``y`` does not have one output per ``x``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=[0.0, 1.0, 2.0], y=[[0.0, np.nan, 1.0], [0.0, 5.0, 1.0]])
    >>> info = transfer_info(c)
    >>> info.x.tolist(), info.y.tolist(), info.same
    ([0.0, 2.0], [[0.0, 1.0], [0.0, 1.0]], True)
    """
    x = np.asarray(curve.x, dtype=np.float64)
    y = np.atleast_2d(np.asarray(curve.y, dtype=np.float64))
    if x.size == 0 or y.shape[1] != x.size:
        return None
    ok = np.isfinite(x) & np.isfinite(y).all(axis=0)
    if not ok.any():
        return None
    x, y = x[ok], y[:, ok]
    return TransferInfo(x, y, all(np.allclose(row, y[0]) for row in y[1:]))


def plot_transfer(
    curve: CurveLike | None,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    display_range: tuple[float, float] | None = None,
    x_title: str = "input intensity",
    y_title: str = "output",
    title: str | None = None,
    height: int = 230,
    empty_message: str = "This technique is local: no single transfer curve.",
) -> go.Figure:
    """Return the transfer curve output = f(input), one line per channel.

    Parameters
    ----------
    curve : TransferCurve-like or None
        ``x`` (K,) ascending input intensities, ``y`` (C, K) outputs. None (e.g. CLAHE, which
        is local) gives an empty figure with ``empty_message``.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`).
    x_range, y_range : (float, float), optional
        Fixed axis ranges (default: the curve's extent, y padded by 4 %).
    display_range : (float, float), optional
        Output interval shown from black to white; outputs outside it saturate on screen and are
        shaded, so an unbounded output (z-score) is never silently clipped.
    x_title, y_title, title : str
        Labels.
    height : int
        Height in pixels.
    empty_message : str
        Text of the empty figure.

    Returns
    -------
    go.Figure
        One line per channel (``name`` = channel name); identical channels are drawn once.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=np.array([0.0, 255.0]), y=np.array([[0.0, 1.0]]))
    >>> fig = plot_transfer(c, y_range=(0.0, 1.0))
    >>> fig.data[0].name, list(fig.layout.yaxis.range)
    ('grey', [0.0, 1.0])
    >>> plot_transfer(None).layout.annotations[0].text
    'This technique is local: no single transfer curve.'
    """
    if curve is None:
        return plot_empty(empty_message, height=height, title=title)
    info = transfer_info(curve)
    if info is None:
        return plot_empty("no transfer curve to draw", height=height, title=title)
    x, y, same = info
    names = tuple(names) if names is not None else channel_names(y.shape[0])
    if len(names) != y.shape[0]:
        raise ValueError(f"expected {y.shape[0]} channel names (got {len(names)})")
    x_lo, x_hi = x_range if x_range is not None else (float(x[0]), float(x[-1]))
    if y_range is None:
        y_lo, y_hi = float(y.min()), float(y.max())
        pad = 0.04 * (y_hi - y_lo) if y_hi > y_lo else 0.5
        y_range = (y_lo - pad, y_hi + pad)
    data: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for i, (name, row) in enumerate(zip(names, y, strict=True)):
        if same and i > 0:
            break
        label = "all channels" if same and len(names) > 1 else name
        data.append({
            "type": "scatter", "x": x, "y": row, "name": label, "mode": "lines",
            "line": {"color": "#334155" if same else CHANNEL_COLORS.get(name, MUTED),
                     "width": 2, "dash": "solid" if same else channel_dash(name, i)},
            "hovertemplate": f"{label}: %{{x:.4g}} -> %{{y:.4g}}<extra></extra>",
        })  # fmt: skip
        if not same and len(names) > 1:  # the name at the line's right end, inside the plot
            end = float(np.clip(row[-1], *sorted(y_range)))
            labels.append(_direct_label(name, float(x[-1]), end, i, xanchor="right"))
    shapes = []
    if display_range is not None:
        d_lo, d_hi = display_range
        if y_range[0] < d_lo:
            shapes.append(_band(y_range[0], d_lo, vertical=False))
        if y_range[1] > d_hi:
            shapes.append(_band(d_hi, y_range[1], vertical=False))
    layout = _layout(
        height=height, title=title, hovermode="closest", shapes=shapes, annotations=labels,
        xaxis={"range": [x_lo, x_hi], "title": {"text": x_title, "standoff": TITLE_STANDOFF}},
        yaxis={"range": list(y_range), "title": {"text": y_title, "standoff": TITLE_STANDOFF}},
    )  # fmt: skip
    return go.Figure(data=data, layout=layout)
