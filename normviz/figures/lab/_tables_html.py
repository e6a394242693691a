"""The lab's small tables as plain HTML: the dropout check and the batch-size calculator.

Each was a data grid (``st.dataframe``): a canvas the browser laid out again on every run that
sent it, and the grid's code (``DataFrame.*.js``) to load. A table of four or five rows needs
neither. Each cell is formatted here from the same rows the grid showed
(:func:`normviz.lab_studies.dropout_check_rows`, :func:`normviz.batchplan.plan_rows`), then
drawn by the page's one HTML table (:func:`normviz.figures.table_html.table_html`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from normviz.figures.table_html import table_html

DROPOUT_FORMAT = ".4f"
"""The dropout check's differences: 4 decimals, fixed (a column's digits line up)."""
PLAN_FORMATS = {
    "batch size": ",",
    "updates per epoch": ",",
    "total updates": ",",
    "times fewer updates": ".2f",
}
"""The calculator's columns: counts with thousands separators, the ratio with 2 decimals."""


def formatted_rows(
    rows: Sequence[Mapping[str, float]], formats: Mapping[str, str]
) -> list[dict[str, str]]:
    """Return ``rows`` with every cell as text: ``format(value, formats[column])``.

    Parameters
    ----------
    rows : sequence of mappings
        One row per mapping, the same keys in each (the table's columns, in order).
    formats : mapping
        A format spec (:func:`format`'s second argument) per column of ``rows``.

    Returns
    -------
    list of dict
        The same rows and columns, values as strings.

    Raises
    ------
    ValueError
        A column of ``rows`` has no format.

    Examples
    --------
    >>> formatted_rows([{"K": 1000, "rms": 0.012345}], {"K": ",", "rms": ".4f"})
    [{'K': '1,000', 'rms': '0.0123'}]
    """
    missing = sorted({c for r in rows for c in r} - set(formats))
    if missing:
        raise ValueError(f"no format for the columns {missing}; got formats for {list(formats)}")
    return [{c: format(v, formats[c]) for c, v in r.items()} for r in rows]


def dropout_check_table_html(rows: Sequence[Mapping[str, float]]) -> str:
    """Return the dropout check's table (:func:`normviz.lab_studies.dropout_check_rows`) as HTML.

    The mask counts K with thousands separators, the differences with 4 decimals.

    Examples
    --------
    >>> html = dropout_check_table_html([{"masks K": 1000, "RMS": 0.01234}])
    >>> "<td>1,000</td><td>0.0123</td>" in html
    True
    """
    columns = list(rows[0]) if rows else []
    formats = {c: "," if i == 0 else DROPOUT_FORMAT for i, c in enumerate(columns)}
    return table_html(formatted_rows(rows, formats), label="Dropout check per mask count")


def batch_plan_table_html(rows: Sequence[Mapping[str, float]]) -> str:
    """Return the batch-size calculator's table (:func:`normviz.batchplan.plan_rows`) as HTML.

    Examples
    --------
    >>> from normviz.batchplan import batch_plan, plan_rows
    >>> html = batch_plan_table_html(plan_rows(batch_plan(4_000_000, [128, 2048], 400)))
    >>> "<td>128</td><td>31,250</td><td>12,500,000</td><td>1.00</td>" in html
    True
    """
    return table_html(formatted_rows(rows, PLAN_FORMATS), label="Updates per batch size")
