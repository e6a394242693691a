"""Tables as plain HTML: every table the lessons show (no data grid in the browser).

The image lesson's statistics, the lab's batch-size study, dropout check and batch calculator
(:mod:`normviz.figures.lab._tables_html` formats their cells first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from normviz.figures._theme import AXIS_LINE, GRID

_Q = {'"': "&quot;"}


def _cell(value: float | str) -> str:
    if isinstance(value, str):
        return escape(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def table_html(rows: Sequence[Mapping[str, float | str]], *, label: str) -> str:
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
    >>> html = table_html([{"channel": "R", "min": 0.0, "mean": 12.34567}], label="Stats")
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
