"""The record every dataset of :mod:`normviz.toydata` returns, and its size limits.

Its own module so that the generators (``normviz.toydata``) and the CSV parser
(``normviz.toydata._points``) both import it, and neither imports the other back.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

MIN_SAMPLES = 10
MAX_SAMPLES = 5000
"""Points a dataset holds, generated or uploaded: at least 10 (each class needs one to train on
and one to test on, with room to spare), at most 5000 (a live training stays responsive)."""


class Dataset(NamedTuple):
    """Points of a two-class problem in the plane.

    Attributes
    ----------
    x : (N, 2) float32 ndarray
        Coordinates, in ``[-1.5, 1.5]`` (noise-free generator points and CSV points in ``[-1, 1]``).
    y : (N,) int64 ndarray
        Labels in ``{0, 1}``.
    name : str
        Registry key of the generator, or ``"uploaded"`` for CSV points.
    """

    x: np.ndarray
    y: np.ndarray
    name: str
