"""The lab's words about the data a run trains on (an uploaded CSV's points, the split)."""

from __future__ import annotations

import numpy as np

from normviz.toydata import Dataset, train_test_split


def points_in_use_text(data: Dataset, test_fraction: float, seed: int) -> str:
    """Return what an uploaded set of points gives the run: counts per class and the split.

    The split is computed by :func:`~normviz.toydata.train_test_split`, exactly as the trainer
    splits the points.

    Parameters
    ----------
    data : Dataset
        The uploaded points (labels 0 and 1).
    test_fraction : float
        In (0, 1).
    seed : int
        The run's seed (it draws the split).

    Examples
    --------
    >>> from normviz.toydata import xor
    >>> print(points_in_use_text(xor(20, 0.0, seed=0), 0.25, seed=0))
    **In use: your 20 points** (10 of class 0, 10 of class 1). With test fraction 0.25, 14 train the network and 6 test it. Dataset, noise and points come from the file.
    """  # noqa: E501
    y = np.asarray(data.y)
    train, test = train_test_split(data, test_fraction, seed)
    return (
        f"**In use: your {y.size} points** ({int((y == 0).sum())} of class 0, "
        f"{int((y == 1).sum())} of class 1). With test fraction {test_fraction:g}, "
        f"{len(train.y)} train the network and {len(test.y)} test it. Dataset, noise and points "
        "come from the file."
    )
