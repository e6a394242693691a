"""The image-normalization techniques (private; the public names live in ``normviz.intensity``).

Each technique validates its input, fits its parameters on ``stats`` (or on the image itself),
builds a pointwise map (``_transfer``) and applies it (``_lut``).
"""

from __future__ import annotations

import numpy as np

from normviz._checks import check_choice, check_int
from normviz.intensity._clahe import clahe_image
from normviz.intensity._histogram import (
    Histogram,
    ImageStats,
    as_hwc,
    check_image,
    float_range,
    image_stats,
    luminance,
)
from normviz.intensity._lut import apply_map
from normviz.intensity._transfer import (
    autocontrast_map,
    clip_map,
    cutoff_bounds,
    equalize_map,
    global_moments,
    log_map,
    luma_stats,
    match_map,
    percentile_bounds,
    scale_map,
    zscore_map,
)


def fit_stats(img: np.ndarray, stats: ImageStats | None, luma: bool = False) -> ImageStats:
    """Validate ``img`` and return the statistics to fit on (``stats`` or those of ``img``).

    Shared by every technique (and by :data:`normviz.intensity.TECHNIQUES`' clip entry).

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    stats : ImageStats or None
        Full-resolution statistics of the same image (C must match), or None.
    luma : bool
        Without ``stats``, also summarize the luminance (for luminance equalization).

    Examples
    --------
    >>> fit_stats(np.array([[1, 3]], np.uint8), None).maximum
    array([3.])
    """
    img = check_image(img)
    if stats is None:
        return image_stats(img, luma=luma)
    if not isinstance(stats, ImageStats):
        raise TypeError(f"expected stats to be an ImageStats (got {type(stats).__name__})")
    c = as_hwc(img).shape[2]
    if stats.n_channels != c:
        raise ValueError(f"stats describe {stats.n_channels} channel(s) but the image has {c}")
    return stats


def _fit_range(
    img: np.ndarray, stats: ImageStats | None, per_channel: bool, need_min: bool = True
) -> ImageStats:
    """Like :func:`fit_stats`, but without ``stats`` only min and max are computed (no histogram).

    Enough for min-max scaling and log scaling, whose maps use nothing else. Without
    ``need_min`` an unsigned image's minimum is reported as 0 (log scaling only needs
    ``min(0, minimum)``, which is 0 for them): one pass over the pixels instead of two.
    """
    if stats is not None:
        return fit_stats(img, stats)
    x3 = as_hwc(check_image(img))
    c = x3.shape[2]
    if x3.dtype.kind == "f":
        lo, hi = float_range(x3)
        if np.isnan(lo).all():
            raise ValueError("expected an image with at least one finite value (got none)")
        lo, hi = (
            np.where(np.isnan(lo), np.nanmin(lo), lo),
            np.where(np.isnan(hi), np.nanmax(hi), hi),
        )
    elif per_channel and c > 1:
        lo, hi = (x3.reshape(-1, c).min(axis=0), x3.reshape(-1, c).max(axis=0))
    else:
        hi = np.full(c, x3.max())
        lo = np.full(c, x3.min()) if need_min else np.zeros(c)
    empty = Histogram(np.zeros((c, 0), np.int64), np.zeros(1))
    z = np.zeros(c)
    return ImageStats(lo.astype(np.float64), hi.astype(np.float64), z, z, 0, empty)


def scale_to_range(
    img: np.ndarray,
    lo: float = 0.0,
    hi: float = 1.0,
    *,
    per_channel: bool = False,
    stats: ImageStats | None = None,
) -> np.ndarray:
    """Return image after min-max scaling to ``[lo, hi]``.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    lo, hi : float
        Output range, ``lo < hi``.
    per_channel : bool
        Use each channel's own min and max (default: the whole image's).
    stats : ImageStats, optional
        Take min and max from these full-resolution statistics.

    Returns
    -------
    (H, W) or (H, W, C) float32 array
        ``lo + (hi - lo) * (x - min) / (max - min)``; the minimum maps exactly to ``lo`` and the
        maximum exactly to ``hi``. A constant image (or channel) maps to ``lo``.

    Examples
    --------
    >>> scale_to_range(np.array([[10, 20], [30, 50]], np.uint8))
    array([[0.  , 0.25],
           [0.5 , 1.  ]], dtype=float32)
    """
    return apply_map(img, scale_map(_fit_range(img, stats, per_channel), lo, hi, per_channel))


def percentiles(
    img: np.ndarray,
    q: tuple[float, ...] = (1.0, 99.0),
    *,
    per_channel: bool = False,
    stats: ImageStats | None = None,
) -> np.ndarray:
    """Return intensity percentiles in input units.

    Computed from the fine histogram with ``np.percentile``'s default (linear) method: exact for
    uint8 and uint16 images, within one of 4096 bins of the ``[min, max]`` range for float.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    q : sequence of float
        Percentiles in [0, 100].
    per_channel : bool
        One row per channel (default: all channels pooled).
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Returns
    -------
    (len(q),) or, with ``per_channel``, (C, len(q)) float64 array

    Examples
    --------
    >>> percentiles(np.arange(101, dtype=np.uint8).reshape(1, 101), q=(5.0, 50.0))
    array([ 5., 50.])
    """
    return percentile_bounds(fit_stats(img, stats), q, per_channel)


def mean_std_bounds(
    img: np.ndarray, k: float = 2.0, *, per_channel: bool = False, stats: ImageStats | None = None
) -> np.ndarray:
    """Return ``(mean - k * std, mean + k * std)`` in input units.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    k : float
        Number of (population) standard deviations, ``k >= 0``.
    per_channel : bool
        One row per channel (default: all channels pooled exactly).
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Returns
    -------
    (2,) or, with ``per_channel``, (C, 2) float64 array

    Examples
    --------
    >>> mean_std_bounds(np.array([[0, 2], [4, 6]], np.uint8), k=1.0)
    array([0.76393202, 5.23606798])
    """
    s = fit_stats(img, stats)
    if not np.isfinite(k) or k < 0:
        raise ValueError(f"k must be a finite non-negative number (got {k})")
    mean, std = (s.mean, s.std) if per_channel else global_moments(s)
    out = np.stack([mean - k * std, mean + k * std], axis=-1)
    return out if per_channel else out[0]


def clip(img: np.ndarray, low: float | np.ndarray, high: float | np.ndarray) -> np.ndarray:
    """Return image clipped to ``[low, high]``, in input units, as float32.

    Parameters
    ----------
    low, high : float or (C,) array
        Bounds (per channel when arrays), ``low <= high``.

    Examples
    --------
    >>> clip(np.array([[0, 100, 200]], np.uint8), 50, 150)
    array([[ 50., 100., 150.]], dtype=float32)
    """
    img = check_image(img)
    return apply_map(img, clip_map(low, high, as_hwc(img).shape[2]))


def log_scale(img: np.ndarray, *, stats: ImageStats | None = None) -> np.ndarray:
    """Return image after log scaling to [0, 1].

    ``log1p(x - s) / log1p(max - s)`` with shift ``s = min(0, global min)`` so that the
    argument is non-negative. An image whose shifted maximum is 0 maps to zeros.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Returns
    -------
    float32 array of ``img``'s shape, in [0, 1]

    Examples
    --------
    >>> log_scale(np.array([[0, 1, 3]], np.uint8))
    array([[0. , 0.5, 1. ]], dtype=float32)
    """
    return apply_map(img, log_map(_fit_range(img, stats, False, need_min=False)))


def z_score(
    img: np.ndarray, *, per_channel: bool = True, stats: ImageStats | None = None
) -> np.ndarray:
    """Return ``(x - mean) / std`` (population std); a zero-variance channel gives zeros.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    per_channel : bool
        Each channel's own mean and std (default) or the pooled ones.
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Returns
    -------
    float32 array of ``img``'s shape, mean 0 and std 1 (unbounded)

    Examples
    --------
    >>> z_score(np.array([[1, 3], [1, 3]], np.uint8))
    array([[-1.,  1.],
           [-1.,  1.]], dtype=float32)
    """
    return apply_map(img, zscore_map(fit_stats(img, stats), per_channel))


def equalize(
    img: np.ndarray, *, mode: str = "per_channel", stats: ImageStats | None = None
) -> np.ndarray:
    """Return image after histogram equalization, in [0, 1].

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    mode : {"per_channel", "luminance"}
        "per_channel" equalizes each channel; "luminance" equalizes the Rec. 601 luminance ``Y``
        of an RGB image and multiplies each channel by ``Y' / Y`` (clipped to [0, 1]), which keeps
        the hue. For a grey image both are the same.
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Notes
    -----
    Integer images (one bin per level): ``y(k) = (cdf(k) - cdf(k_min)) / (N - cdf(k_min))``, the
    textbook formula OpenCV's ``equalizeHist`` rounds to uint8; scikit-image's
    ``equalize_hist`` returns ``cdf(k) / N`` instead, which this rescales so the darkest level
    maps to 0. Float images interpolate the cumulative distribution between the 4096 fine bin
    edges. A constant image maps to zeros.

    Examples
    --------
    >>> equalize(np.array([[0, 0, 10, 200]], np.uint8))
    array([[0. , 0. , 0.5, 1. ]], dtype=float32)
    """
    check_choice(mode, ("per_channel", "luminance"), "mode")
    s = fit_stats(img, stats, luma=mode == "luminance")
    if mode == "per_channel" or s.n_channels == 1:
        return apply_map(img, equalize_map(s.fine, s))
    ls = luma_stats(s)
    y = luminance(img)
    y_eq = apply_map(y, equalize_map(ls.fine, ls))
    ratio = np.divide(y_eq, y, out=np.zeros(y.shape, np.float32), where=y > 0, dtype=np.float32)
    out = img.astype(np.float32) * ratio[:, :, None]
    out[y == 0] = y_eq[y == 0][:, None]
    return np.clip(out, 0.0, 1.0, out=out)


def autocontrast(
    img: np.ndarray,
    cutoff: tuple[float, float] = (1.0, 99.0),
    *,
    per_channel: bool = False,
    stats: ImageStats | None = None,
) -> np.ndarray:
    """Return image stretched so the ``cutoff`` percentiles map to 0 and 1, clipped to [0, 1].

    The analogue of ImageJ's auto contrast and Pillow's ``ImageOps.autocontrast(cutoff=(a, b))``
    with ``cutoff=(a, 100 - b)`` here. If both percentiles coincide, falls back to min-max
    scaling (a constant image maps to zeros).

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    cutoff : (float, float)
        Low and high percentiles, ``0 <= low < high <= 100``.
    per_channel : bool
        Each channel's own percentiles (default: pooled, which keeps the colour balance).
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).

    Examples
    --------
    >>> autocontrast(np.array([[0, 50, 100, 150, 200]], np.uint8), cutoff=(25.0, 75.0))
    array([[0. , 0. , 0.5, 1. , 1. ]], dtype=float32)
    """
    s = fit_stats(img, stats)
    return apply_map(img, autocontrast_map(s, cutoff_bounds(s, cutoff, per_channel)))


def clahe(img: np.ndarray, *, clip_limit: float = 0.01, tiles: int = 8) -> np.ndarray:
    """Return image after contrast-limited adaptive histogram equalization, in [0, 1].

    scikit-image ``equalize_adapthist`` semantics, channel by channel: each channel is first
    min-max scaled, ``tiles`` contextual regions along each side, 256 histogram bins clipped at
    ``clip_limit`` (a fraction in (0, 1]) of a region's pixels. Local, so it has no single
    transfer curve.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    clip_limit : float
        Fraction of a region's pixels a histogram bin may hold, in (0, 1].
    tiles : int
        Number of contextual regions along each side.

    Examples
    --------
    >>> x = np.tile(np.arange(64, dtype=np.uint8), (64, 1))
    >>> y = clahe(x, tiles=4)
    >>> y.dtype, float(y.min()), float(y.max())
    (dtype('float32'), 0.0, 1.0)
    """
    img = check_image(img)
    if not (0.0 < clip_limit <= 1.0):
        raise ValueError(f"clip_limit must be in (0, 1] (got {clip_limit})")
    check_int(tiles, "tiles", 1)
    return clahe_image(img, int(tiles), float(clip_limit))


def match_histogram(
    img: np.ndarray,
    reference: np.ndarray,
    *,
    stats: ImageStats | None = None,
    reference_stats: ImageStats | None = None,
) -> np.ndarray:
    """Return image mapped per channel onto the reference's intensity distribution.

    Each level's cumulative fraction is looked up in the reference's cumulative distribution
    (``np.interp`` over the reference's occupied levels), as scikit-image's
    ``match_histograms``. A grey reference serves every channel.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
    reference : (H', W') or (H', W', C) array of uint8, uint16 or float, or None
        The image whose distribution to take (may be None if ``reference_stats`` is given).
    stats : ImageStats, optional
        Full-resolution statistics to fit on (default: those of ``img``).
    reference_stats : ImageStats, optional
        Statistics of the full-resolution reference.

    Returns
    -------
    float32 array, the shape of ``img``, in the reference's units

    Examples
    --------
    >>> match_histogram(np.array([[0, 1, 2, 3]], np.uint8), np.array([[10, 20, 30, 40]], np.uint8))
    array([[10., 20., 30., 40.]], dtype=float32)
    """
    s = fit_stats(img, stats)
    r = fit_stats(reference, reference_stats) if reference is not None else reference_stats
    if r is None:
        raise ValueError("match_histogram needs a reference image or reference_stats")
    return apply_map(img, match_map(s, r))
