"""The display bar of the image lesson: which values show black, grey and white.

:func:`display_bar_info` samples the mapping that
:func:`~normviz.figures.images.display_bar_html` draws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


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
