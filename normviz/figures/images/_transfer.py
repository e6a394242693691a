"""Transfer curves of the image lesson: output = f(input), one line per channel.

:func:`transfer_info` keeps what :func:`~normviz.figures.images.transfer_html` draws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from normviz.figures.images._channels import CurveLike


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
