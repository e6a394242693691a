"""The statistics table of the image lesson: min, max, mean and std per channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

import numpy as np

from normviz.figures._theme import AXIS_LINE, GRID
from normviz.figures.images._channels import StatsLike, channel_names

_Q = {'"': "&quot;"}
_STAT_LABELS = {"minimum": "min", "maximum": "max", "mean": "mean", "std": "std"}


def stats_rows(
    before: StatsLike, after: StatsLike | None = None, names: Sequence[str] | None = None
) -> list[dict[str, float | str]]:
    """Return table rows (one per channel): min, max, mean, std before and, if given, after.

    Non-finite statistics are reported as 0.0 so the table never shows NaN.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> s = SimpleNamespace(minimum=np.array([0.0]), maximum=np.array([255.0]),
    ...                     mean=np.array([100.0]), std=np.array([20.0]))
    >>> stats_rows(s)[0]
    {'channel': 'grey', 'min': 0.0, 'max': 255.0, 'mean': 100.0, 'std': 20.0}
    """
    n_ch = np.atleast_1d(before.mean).size
    names = tuple(names) if names is not None else channel_names(n_ch)
    rows: list[dict[str, float | str]] = []
    for i, name in enumerate(names):
        row: dict[str, float | str] = {"channel": name}
        for prefix, stats in (("", before), ("after ", after)):
            if stats is None:
                continue
            for field, label in _STAT_LABELS.items():
                value = float(np.atleast_1d(getattr(stats, field))[i])
                row[prefix + label] = value if np.isfinite(value) else 0.0
        rows.append(row)
    return rows


def _cell(value: float | str) -> str:
    if isinstance(value, str):
        return escape(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def stats_table_html(rows: Sequence[Mapping[str, float | str]], *, label: str) -> str:
    """Return ``rows`` (dicts with the same keys) as a plain HTML table that scrolls sideways.

    Parameters
    ----------
    rows : sequence of mappings
        One row per mapping, e.g. :func:`normviz.image_view.stats_table`'s; the first row's keys
        are the columns. Strings are written as they are (escaped), numbers with at most 4
        decimals (trailing zeros dropped).
    label : str
        The scrolling region's accessible name.

    Returns
    -------
    str
        ``<div role="region" tabindex="0">`` (keyboard users can scroll it) holding a
        ``<table>`` with one ``<th>`` per column and one ``<tr>`` per row; in a column narrower
        than the table, the box scrolls horizontally instead of cutting its columns.

    Examples
    --------
    >>> html = stats_table_html([{"channel": "R", "min": 0.0, "mean": 12.34567}], label="Stats")
    >>> "<th>channel</th>" in html, "<td>R</td><td>0</td><td>12.3457</td>" in html
    (True, True)
    """
    columns = list(rows[0]) if rows else []
    cell = f"padding:4px 10px;border-bottom:1px solid {GRID};white-space:nowrap"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r[c])}</td>" for c in columns) + "</tr>" for r in rows
    )
    return (
        f'<div class="nv-table" role="region" tabindex="0" aria-label="{escape(label, _Q)}" '
        'style="overflow-x:auto;max-width:100%">'
        f"<style>.nv-table table{{border-collapse:collapse;font-size:14px;"
        "font-variant-numeric:tabular-nums;margin:0}"
        f".nv-table th,.nv-table td{{{cell};text-align:right}}"
        f".nv-table th{{font-weight:600;border-bottom-color:{AXIS_LINE}}}"
        ".nv-table th:first-child,.nv-table td:first-child{text-align:left}</style>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
