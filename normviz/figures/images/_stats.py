"""The statistics table's rows of the image lesson: min, max, mean and std per channel.

Drawn by :func:`normviz.figures.table_html.table_html`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from normviz.figures.images._channels import StatsLike, channel_names

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
