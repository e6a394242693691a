"""Transfer curves as HTML pictures (:func:`transfer_html`), drawn from :func:`transfer_info`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from normviz.figures._chart_html import (
    HOVER_STRIPS,
    SHADE,
    UNITS,
    box,
    chart_frame,
    curve_note,
    empty_chart,
    escape_attr,
    label_width,
    nice_ticks,
    number_label,
    pct,
    stroke_attrs,
    svg_data_url,
    x_axis,
    y_axis,
    y_axis_room,
)
from normviz.figures._theme import MUTED
from normviz.figures.images._channels import CHANNEL_COLORS, CurveLike, channel_dash, channel_names
from normviz.figures.images._transfer import transfer_info


def transfer_html(
    curve: CurveLike | None,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    display_range: tuple[float, float] | None = None,
    x_title: str = "input intensity",
    y_title: str = "output",
    empty_message: str = "This technique is local: no single transfer curve.",
    alt: str = "",
    height: int = 230,
) -> str:
    """Return the transfer curve output = f(input), one line per channel, as HTML.

    Parameters
    ----------
    curve : TransferCurve-like or None
        ``x`` (K,) ascending input intensities, ``y`` (C, K) outputs; read through
        :func:`~normviz.figures.images.transfer_info`. None gives ``empty_message``.
    names : sequence of str, optional
        Channel names (default from :func:`channel_names`).
    x_range, y_range : (float, float), optional
        The axes' ranges (default: the curve's extent, y padded by 4 %).
    display_range : (float, float), optional
        Outputs shown black to white; the parts of the y range outside it are shaded.
    x_title, y_title : str
        Axis titles.
    empty_message : str
        What an empty chart says.
    alt : str
        The chart's accessible name.
    height : int
        Height in px.

    Returns
    -------
    str
        A ``<div class="nv-chart" role="img">``: one line per channel (identical channels once,
        dark grey, "all channels"), each channel's name at its right end when they differ,
        shaded bands, tick labels, axis titles, and :data:`HOVER_STRIPS` hover strips across the
        input axis whose ``title`` gives the input at the strip's centre and each line's output
        there (linear interpolation between the curve's samples).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=np.array([0.0, 255.0]), y=np.array([[0.0, 1.0]]))
    >>> html = transfer_html(c, y_range=(0.0, 1.0), alt="Transfer curve")
    >>> html.count('class="nv-strip"'), 'title="input 129.5: grey 0.5078"' in html
    (64, True)
    >>> "local" in transfer_html(None)
    True
    """
    if curve is None:
        return empty_chart(empty_message, alt, height, 'data-chart="transfer"')
    info = transfer_info(curve)
    if info is None:
        return empty_chart("no transfer curve to draw", alt, height, 'data-chart="transfer"')
    x, y, same = info
    names = tuple(names) if names is not None else channel_names(y.shape[0])
    if len(names) != y.shape[0]:
        raise ValueError(f"expected {y.shape[0]} channel names (got {len(names)})")
    x_lo, x_hi = x_range if x_range is not None else (float(x[0]), float(x[-1]))
    if x_hi <= x_lo:
        x_lo, x_hi = x_lo - 0.5, x_lo + 0.5
    if y_range is None:
        a, b = float(y.min()), float(y.max())
        pad = 0.04 * (b - a) if b > a else 0.5
        y_range = (a - pad, b + pad)
    y_lo, y_hi = y_range
    lines = [(("all channels" if len(names) > 1 else names[0]), y[0], "#334155", "solid")]
    if not same:
        lines = [
            (n, row, CHANNEL_COLORS.get(n, MUTED), channel_dash(n, i))
            for i, (n, row) in enumerate(zip(names, y, strict=True))
        ]
    px = np.round((x - x_lo) / (x_hi - x_lo) * UNITS).astype(np.int64)
    body = []
    for _, row, colour, dash in lines:
        py = np.round(UNITS - (row - y_lo) / (y_hi - y_lo) * UNITS)
        py = np.clip(py, -UNITS, 2 * UNITS).astype(np.int64)  # off the plot: cut by its edge
        pts = "L".join(f"{a},{b}" for a, b in zip(px, py, strict=True))
        body.append(f"<path d='M{pts}' {stroke_attrs(colour, dash, 2)}/>")
    parts = []
    if display_range is not None:
        d_lo, d_hi = display_range
        bands = [(y_lo, min(d_lo, y_hi))] if y_lo < d_lo else []
        bands += [(max(d_hi, y_lo), y_hi)] if y_hi > d_hi else []
        for a, b in bands:
            parts.append(box(
                    f"left:0;right:0;bottom:{pct((a - y_lo) / (y_hi - y_lo) * 100)};"
                    f"height:{pct((b - a) / (y_hi - y_lo) * 100)};background:{SHADE}"
                ))  # fmt: skip
    parts.append(
        f'<img alt="" src="{svg_data_url("".join(body))}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%" />'
    )
    if not same and len(names) > 1:
        for i, (name, row, _, _) in enumerate(lines):
            end = float(np.clip(row[-1], y_lo, y_hi))
            at = (float(x[-1]) - x_lo) / (x_hi - x_lo) * 100
            y_at = (end - y_lo) / (y_hi - y_lo) * 100
            parts.append(curve_note(name, at, y_at, 12 * i, anchor="right"))
    centres = x_lo + (np.arange(HOVER_STRIPS) + 0.5) / HOVER_STRIPS * (x_hi - x_lo)
    cells = []
    for c in centres:
        values = ", ".join(f"{n} {np.interp(c, x, row):.4g}" for n, row, _, _ in lines)
        cells.append(f'<i class="nv-strip" title="{escape_attr(f"input {c:.4g}: {values}")}"></i>')
    parts.append(
        "<style>.nv-strips{position:absolute;left:0;right:0;top:0;bottom:0;display:flex}"
        ".nv-strips>i{flex:1 1 0;height:100%}</style>"
        f'<div class="nv-strips">{"".join(cells)}</div>'
    )
    parts += x_axis(x_lo, x_hi, x_title)
    y_values, decimals = nice_ticks(y_lo, y_hi, 4)
    si = max(abs(y_lo), abs(y_hi)) >= 10_000
    y_ticks = [
        ((float(v) - y_lo) / (y_hi - y_lo), number_label(float(v), decimals, si=si))
        for v in y_values
    ]
    left = y_axis_room([t for _, t in y_ticks], True)
    parts += y_axis(y_ticks, y_title, left)
    right = max(14, int(label_width(number_label(x_hi, si=abs(x_hi) >= 10_000)) / 2) + 2)
    return chart_frame(alt, height, left, right, parts, 'data-chart="transfer"')
