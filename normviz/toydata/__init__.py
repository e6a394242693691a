"""Seeded 2D classification datasets sharing one signature.

Every generator takes ``(n_samples, noise, seed)`` and returns a :class:`Dataset` of two classes,
so one registry, :data:`DATASETS`, feeds the lab's select box, the tests and the URL state.

Range convention
----------------
Noise-free points lie in ``[-1, 1]`` on both axes. ``noise`` in ``[0, 1]`` is a level: an
isotropic Gaussian of standard deviation ``NOISE_SCALE * noise`` (``NOISE_SCALE = 0.3``, in the
same units) is added to every point. At the lab's default 0.15 (std 0.045) the spiral's arms,
0.27 apart, stay clearly visible; at 0.3 they start to overlap (good for overfitting demos);
at 1 (std 0.3) every dataset is mostly noise. The noisy points are then clipped to
``[-CLIP, CLIP]`` with ``CLIP = 1.5`` so a plot (and a decision-boundary grid) with fixed axes
``[-1.5, 1.5]`` always shows every point. Uploaded CSV points are scaled into ``[-1, 1]`` too
(see :func:`parse_points_csv`).

Classes are balanced: class 0 gets ``n_samples // 2`` points, class 1 the rest. Points come in
a seeded random order.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from normviz._checks import check_int, check_real
from normviz.toydata._dataset import MAX_SAMPLES, MIN_SAMPLES, Dataset
from normviz.toydata._points import PointsError, parse_points_csv

__all__ = [
    "CLIP",
    "DATASETS",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "NOISE_SCALE",
    "Dataset",
    "GeneratorSource",
    "PointsError",
    "circles",
    "gaussians",
    "generator_source",
    "make_dataset",
    "moons",
    "parse_points_csv",
    "spiral",
    "train_test_split",
    "xor",
]

CLIP = 1.5
# Gaussian std per unit of the noise level. _finish_xy writes 0.3 and 1.5 out as literals: the
# generated PyTorch script (normviz.training._codegen) copies its source, which must stand alone.
NOISE_SCALE = 0.3


# Raw generators: (n0, n1, rng) -> (x float64 (N, 2), y int64 (N,)) without noise. They use only
# numpy so that normviz.training._codegen can paste their source into a self-contained script.


def _spiral_xy(n0, n1, rng):
    """Two interleaved arms of 1.75 turns each, radius from 0.05 to 1."""
    parts = []
    for label, n in ((0, n0), (1, n1)):
        t = np.sqrt(rng.uniform(0.0, 1.0, n))
        r = 0.05 + 0.95 * t
        angle = 1.75 * 2.0 * np.pi * t + label * np.pi
        parts.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
    return np.concatenate(parts), np.repeat(np.array([0, 1]), [n0, n1])


def _circles_xy(n0, n1, rng):
    """Class 0 a disk of radius 0.5, class 1 a ring of radii 0.7 to 1."""
    r = np.concatenate([0.5 * np.sqrt(rng.uniform(0.0, 1.0, n0)), rng.uniform(0.7, 1.0, n1)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n0 + n1)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return x, np.repeat(np.array([0, 1]), [n0, n1])


def _xor_xy(n0, n1, rng):
    """Class 1 where x * y > 0, class 0 where x * y < 0; a 0.05 margin around the axes."""
    parts = []
    for label, n in ((0, n0), (1, n1)):
        mag = rng.uniform(0.05, 1.0, (n, 2))
        sx = rng.choice(np.array([-1.0, 1.0]), n)
        sy = sx if label == 1 else -sx
        parts.append(mag * np.stack([sx, sy], axis=1))
    return np.concatenate(parts), np.repeat(np.array([0, 1]), [n0, n1])


def _gaussians_xy(n0, n1, rng):
    """Two blobs of std 0.2 centred at (-0.5, -0.5) and (0.5, 0.5), clipped to [-1, 1]."""
    centres = np.repeat(np.array([[-0.5, -0.5], [0.5, 0.5]]), [n0, n1], axis=0)
    x = np.clip(centres + 0.2 * rng.standard_normal((n0 + n1, 2)), -1.0, 1.0)
    return x, np.repeat(np.array([0, 1]), [n0, n1])


def _moons_xy(n0, n1, rng):
    """Two interleaved half circles (scikit-learn's moons), scaled by 1/1.5 into [-1, 1]."""
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    x = (np.concatenate([upper, lower]) - np.array([0.5, 0.25])) / 1.5
    return x, np.repeat(np.array([0, 1]), [n0, n1])


def _finish_xy(x, y, noise, rng):
    """Add Gaussian noise of std 0.3 * noise, clip to [-1.5, 1.5], shuffle; float32, int64."""
    x = np.clip(x + 0.3 * noise * rng.standard_normal(x.shape), -1.5, 1.5)
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order].astype(np.int64)


_RAW = {
    "spiral": _spiral_xy,
    "circles": _circles_xy,
    "xor": _xor_xy,
    "gaussians": _gaussians_xy,
    "moons": _moons_xy,
}


class GeneratorSource(NamedTuple):
    """The standalone source of one dataset's generator (numpy only), to paste into a script.

    Attributes
    ----------
    function : str
        The raw generator's name; ``function(n0, n1, rng)`` returns noise-free ``(x, y)``.
    source : str
        Its source.
    finish : str
        The source of ``_finish_xy(x, y, noise, rng)``: noise, clipping and shuffling.
    """

    function: str
    source: str
    finish: str


def generator_source(name: str) -> GeneratorSource:
    """Return the source of dataset ``name``'s generator, as :func:`make_dataset` runs it.

    The generated PyTorch script (:func:`normviz.training.pytorch_code`) pastes it in, so the
    script makes exactly the lab's points without importing normviz.

    Examples
    --------
    >>> src = generator_source("xor")
    >>> src.function, src.source.startswith("def _xor_xy(n0, n1, rng):")
    ('_xor_xy', True)
    >>> ns = {"np": np}
    >>> exec(src.source + src.finish, ns)
    >>> x, y = ns["_finish_xy"](*ns[src.function](5, 5, np.random.default_rng(0)), 0.1,
    ...                         np.random.default_rng(0))
    >>> x.shape, x.dtype
    ((10, 2), dtype('float32'))
    """
    if name not in _RAW:
        listed = ", ".join(repr(k) for k in _RAW)
        raise ValueError(f"dataset must be one of {listed} (got {name!r})")
    raw = _RAW[name]
    return GeneratorSource(raw.__name__, inspect.getsource(raw), inspect.getsource(_finish_xy))


def _generate(name: str, n_samples: int, noise: float, seed: int) -> Dataset:
    _check_args(n_samples, noise, seed)
    rng = np.random.default_rng(seed)
    n0 = n_samples // 2
    x, y = _RAW[name](n0, n_samples - n0, rng)
    x, y = _finish_xy(x, y, noise, rng)
    return Dataset(x, y, name)


def spiral(n_samples: int, noise: float, seed: int) -> Dataset:
    """Return two interleaved spiral arms (1.75 turns each).

    Parameters
    ----------
    n_samples : int
        Number of points, in ``[10, 5000]``; class 0 gets ``n_samples // 2``.
    noise : float
        Noise level in ``[0, 1]``: a Gaussian of std ``0.3 * noise`` is added to each coordinate.
    seed : int
        Seed of the ``np.random.Generator``; same seed, same points.

    Returns
    -------
    Dataset
        ``x`` (N, 2) float32 in ``[-1.5, 1.5]``, ``y`` (N,) int64 in ``{0, 1}``.

    Examples
    --------
    >>> d = spiral(10, 0.0, seed=0)
    >>> d.x.shape, d.x.dtype, d.y.tolist().count(1)
    ((10, 2), dtype('float32'), 5)
    >>> bool(abs(d.x).max() <= 1.0)
    True
    """
    return _generate("spiral", n_samples, noise, seed)


def circles(n_samples: int, noise: float, seed: int) -> Dataset:
    """Return a disk (class 0, radius 0.5) inside a ring (class 1, radii 0.7 to 1).

    Parameters and returns as in :func:`spiral`.

    Examples
    --------
    >>> d = circles(100, 0.0, seed=1)
    >>> r = (d.x ** 2).sum(axis=1) ** 0.5
    >>> bool(r[d.y == 0].max() <= 0.5 + 1e-6), bool(r[d.y == 1].min() >= 0.7 - 1e-6)
    (True, True)
    """
    return _generate("circles", n_samples, noise, seed)


def xor(n_samples: int, noise: float, seed: int) -> Dataset:
    """Return the XOR problem: class 1 in quadrants I and III, class 0 in II and IV.

    Parameters and returns as in :func:`spiral`.

    Examples
    --------
    >>> d = xor(50, 0.0, seed=2)
    >>> bool(((d.x[:, 0] * d.x[:, 1] > 0) == (d.y == 1)).all())
    True
    """
    return _generate("xor", n_samples, noise, seed)


def gaussians(n_samples: int, noise: float, seed: int) -> Dataset:
    """Return two Gaussian blobs (std 0.2) centred at (-0.5, -0.5) and (0.5, 0.5).

    Parameters and returns as in :func:`spiral`.

    Examples
    --------
    >>> d = gaussians(400, 0.0, seed=3)
    >>> d.x[d.y == 1].mean(axis=0).round(1).tolist()
    [0.5, 0.5]
    """
    return _generate("gaussians", n_samples, noise, seed)


def moons(n_samples: int, noise: float, seed: int) -> Dataset:
    """Return two interleaved half circles, scikit-learn's moons scaled into ``[-1, 1]``.

    Parameters and returns as in :func:`spiral`.

    Examples
    --------
    >>> d = moons(20, 0.0, seed=4)
    >>> bool(abs(d.x).max() <= 1.0), d.name
    (True, 'moons')
    """
    return _generate("moons", n_samples, noise, seed)


DATASETS: dict[str, Callable[[int, float, int], Dataset]] = {
    "spiral": spiral,
    "circles": circles,
    "xor": xor,
    "gaussians": gaussians,
    "moons": moons,
}


def _check_args(n_samples: int, noise: float, seed: int) -> None:
    check_int(n_samples, "n_samples", MIN_SAMPLES, MAX_SAMPLES)
    check_real(noise, "noise", 0.0, 1.0)
    check_int(seed, "seed", 0)


def make_dataset(name: str, n_samples: int, noise: float, seed: int) -> Dataset:
    """Return the dataset ``name`` from :data:`DATASETS`, validated.

    Parameters
    ----------
    name : str
        One of ``"spiral"``, ``"circles"``, ``"xor"``, ``"gaussians"``, ``"moons"``.
    n_samples, noise, seed
        As in :func:`spiral`.

    Raises
    ------
    ValueError
        Unknown name, ``n_samples`` outside ``[10, 5000]``, ``noise`` outside ``[0, 1]``,
        negative seed.
    TypeError
        Arguments of the wrong type.

    Examples
    --------
    >>> make_dataset("xor", 12, 0.1, seed=0).x.shape
    (12, 2)
    >>> make_dataset("swirl", 12, 0.1, seed=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: dataset must be one of 'spiral', 'circles', ... 'moons' (got 'swirl')
    """
    if name not in DATASETS:
        listed = ", ".join(repr(k) for k in DATASETS)
        raise ValueError(f"dataset must be one of {listed} (got {name!r})")
    return DATASETS[name](n_samples, noise, seed)


def train_test_split(data: Dataset, test_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Split ``data`` into train and test sets, stratified by class and seeded.

    Each class puts ``n_c * test_fraction`` (rounded half up) of its points in the test set,
    clamped to ``[1, n_c - 1]`` so both splits see both classes. Each split is in a seeded
    random order.

    Parameters
    ----------
    data : Dataset
        At least 2 points of each class.
    test_fraction : float
        In ``(0, 1)``.
    seed : int
        Seed of the ``np.random.Generator`` that draws the split.

    Returns
    -------
    train, test : Dataset
        Same ``name`` as ``data``; together they hold every point exactly once.

    Examples
    --------
    >>> tr, te = train_test_split(xor(20, 0.0, seed=0), 0.25, seed=0)
    >>> len(tr.y), len(te.y), int(te.y.sum())
    (14, 6, 3)
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (got {type(data).__name__})")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1) (got {test_fraction})")
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for label in (0, 1):
        idx = np.flatnonzero(data.y == label)
        if len(idx) < 2:
            raise ValueError(
                f"each class needs at least 2 points to split (class {label} has {len(idx)})"
            )
        idx = rng.permutation(idx)
        n_test = min(max(int(len(idx) * test_fraction + 0.5), 1), len(idx) - 1)
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    tr = rng.permutation(np.concatenate(train_idx))
    te = rng.permutation(np.concatenate(test_idx))
    return (
        Dataset(data.x[tr], data.y[tr], data.name),
        Dataset(data.x[te], data.y[te], data.name),
    )
