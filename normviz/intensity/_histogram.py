"""Image validation, histograms and whole-image statistics (private; see ``normviz.intensity``).

Statistics are exact: integer images are summarized by their per-level counts (mean and variance
from exact integer sums), float images accumulate in float64. Non-finite float values are
ignored everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from PIL import Image

from normviz._checks import check_int, check_ndim

INT_LEVELS = {np.dtype(np.uint8): 256, np.dtype(np.uint16): 65536}
FLOAT_FINE_BINS = 4096
_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_ROWS = 256  # rows per chunk when float images are reduced in float64
_RGB_BLOCK = 1 << 21  # bytes of Pillow RGB (4 per pixel) unpacked at a time: 2 MB, cache-sized


class Histogram(NamedTuple):
    """Per-channel counts over shared bin edges.

    Attributes
    ----------
    counts : (C, bins) int64 array
        ``counts[c, i]`` pixels of channel ``c`` fall in ``[edges[i], edges[i + 1])`` (the last
        bin is closed). ``C = 1`` for a 2D image.
    edges : (bins + 1,) float64 array
        Bin edges in input units, ascending.
    """

    counts: np.ndarray
    edges: np.ndarray


class ImageStats(NamedTuple):
    """Per-channel statistics of a full-resolution image, computed once.

    Attributes
    ----------
    minimum, maximum, mean, std : (C,) float64 arrays
        Finite minimum, maximum, mean and population standard deviation of each channel.
    n_pixels : int
        ``H * W`` (pixels per channel, before dropping non-finite values).
    fine : Histogram
        The natural fine binning: 256 bins for uint8, 65536 for uint16 (one bin per level),
        4096 bins over the finite ``[min, max]`` of the whole image for float.
    luma : Histogram or None
        Fine histogram of the Rec. 601 luminance ``Y`` of an RGB image (C = 3), used by
        luminance equalization; None otherwise. See :func:`luminance`.
    """

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    n_pixels: int
    fine: Histogram
    luma: Histogram | None = None

    @property
    def n_channels(self) -> int:
        """Number of channels C."""
        return int(self.minimum.shape[0])

    @property
    def is_integer(self) -> bool:
        """True when the statistics describe a uint8 or uint16 image (one fine bin per level)."""
        return self.fine.counts.shape[1] in (256, 65536) and bool(
            np.array_equal(self.fine.edges[:3], [0.0, 1.0, 2.0])
        )


def check_image(img: object, name: str = "image") -> np.ndarray:
    """Return ``img`` if it is a non-empty (H, W) or (H, W, C) uint8/uint16/float array.

    Raises
    ------
    TypeError
        Not a numpy array, or a dtype other than uint8, uint16, float16/32/64.
    ValueError
        Not 2D or 3D, C not in (1, 3, 4), or no pixels.

    Examples
    --------
    >>> check_image(np.zeros((2, 2, 5), np.uint8))
    Traceback (most recent call last):
    ...
    ValueError: expected an image with 1, 3 or 4 channels (got 5)
    """
    if not isinstance(img, np.ndarray):
        raise TypeError(f"expected {name} to be a numpy array (got {type(img).__name__})")
    if img.dtype not in INT_LEVELS and img.dtype not in _FLOATS:
        raise TypeError(f"expected a uint8, uint16 or float {name} (got dtype {img.dtype})")
    check_ndim(img.ndim, (2, 3), name)
    if img.ndim == 3 and img.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected an {name} with 1, 3 or 4 channels (got {img.shape[2]})")
    if img.size == 0:
        raise ValueError(f"expected a non-empty {name} (got shape {img.shape})")
    return img


def as_hwc(img: np.ndarray) -> np.ndarray:
    """View an (H, W) or (H, W, C) image as (H, W, C)."""
    return img[:, :, None] if img.ndim == 2 else img


LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)
"""The Rec. 601 luminance weights of R, G and B (they sum to 1): the one home of these numbers."""

LUMA_FIXED: tuple[int, int, int] = tuple(round(w * 65536) for w in LUMA_WEIGHTS)  # type: ignore
""":data:`LUMA_WEIGHTS` in 16-bit fixed point, ``round(w * 65536)``: (19595, 38470, 7471), the
weights Pillow's ``convert("L")`` uses; they sum to 65536."""


def luminance(img: np.ndarray) -> np.ndarray:
    """Return the Rec. 601 luminance ``Y = 0.299 R + 0.587 G + 0.114 B`` of an RGB image.

    The weights are :data:`LUMA_WEIGHTS`. Integer images keep their dtype, rounded in 16-bit
    fixed point with weights :data:`LUMA_FIXED` / 65536: for uint8 exactly Pillow's
    ``convert("L")`` (which computes it), for uint16 the same weights in 64-bit. Float images
    give float32.

    Examples
    --------
    >>> luminance(np.array([[[255, 0, 0], [10, 20, 30]]], np.uint8))
    array([[76, 18]], dtype=uint8)
    """
    if img.dtype == np.uint8:  # Pillow's C conversion, one block of rows at a time
        h, w = img.shape[:2]
        out = np.empty((h, w), np.uint8)
        for r, im in _rgb_blocks(img):
            out[r : r + im.height] = np.asarray(im.convert("L"))
        return out
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    if img.dtype == np.uint16:  # Pillow's 16-bit fixed point, in 64-bit
        wr, wg, wb = LUMA_FIXED
        y = np.multiply(r, wr, dtype=np.uint64)
        y += np.multiply(g, wg, dtype=np.uint64)
        y += np.multiply(b, wb, dtype=np.uint64)
        y += 0x8000
        y >>= 16
        return y.astype(np.uint16)
    wr, wg, wb = (np.float32(w) for w in LUMA_WEIGHTS)
    y = r.astype(np.float32) * wr
    y += g.astype(np.float32) * wg
    y += b.astype(np.float32) * wb
    return y


def _finite(v: np.ndarray) -> np.ndarray:
    """Flat finite values of ``v`` (no copy when all are finite)."""
    flat = v.reshape(-1)
    ok = np.isfinite(flat)
    return flat if ok.all() else flat[ok]


def float_range(x3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel finite min and max (NaN for a channel with no finite value)."""
    c = x3.shape[2]
    lo, hi = np.full(c, np.nan), np.full(c, np.nan)
    for i in range(c):
        v = _finite(x3[..., i])
        if v.size:
            lo[i], hi[i] = float(v.min()), float(v.max())
    return lo, hi


def _plane_counts_u8(plane: np.ndarray) -> np.ndarray:
    """256 counts of one (H, W) uint8 plane with Pillow's C histogram (zero-copy when contiguous).

    ``np.bincount`` first converts every uint8 to a 64-bit index and is ~6x slower.
    """
    plane = np.ascontiguousarray(plane)
    im = Image.frombuffer("L", (plane.shape[1], plane.shape[0]), plane, "raw", "L", 0, 1)
    return np.asarray(im.histogram(), np.int64)


def _rgb_blocks(x3: np.ndarray) -> Iterator[tuple[int, Image.Image]]:
    """Yield ``(first row, Pillow "RGB" image of the next rows)`` of an (H, W, 3) uint8 image.

    Pillow keeps RGB as 4 bytes per pixel, so every block is unpacked once by Pillow's C decoder
    into one reused image of about ``_RGB_BLOCK`` bytes that stays in cache while it is used
    (one unpack of the whole image would write and re-read 48 MB at 12 MP).
    """
    h, w = x3.shape[:2]
    rows = max(1, _RGB_BLOCK // (4 * w))
    im = Image.new("RGB", (w, min(rows, h)))
    for r in range(0, h, rows):
        block = np.ascontiguousarray(x3[r : r + rows])
        if block.shape[0] != im.height:
            im = Image.new("RGB", (w, block.shape[0]))
        im.frombytes(block)
        yield r, im


def _u8_counts(x3: np.ndarray, luma: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the (C, 256) counts of an (H, W, C) uint8 image, in one pass of Pillow's C histogram.

    If ``luma`` and C = 3, also the (1, 256) counts of its :func:`luminance` (else None).

    One channel is histogrammed in place; RGBA (4 bytes per pixel, as Pillow stores it) too, with
    all four channels in one pass; RGB is unpacked block by block (see :func:`_rgb_blocks`).
    """
    h, w, c = x3.shape
    if c == 1:
        return _plane_counts_u8(x3[..., 0])[None], None
    if c == 4:
        x = np.ascontiguousarray(x3)
        im = Image.frombuffer("RGBA", (w, h), x, "raw", "RGBA", 0, 1)
        return np.asarray(im.histogram(), np.int64).reshape(4, 256), None
    counts, luma_counts = [], []
    for _, im in _rgb_blocks(x3):
        counts.append(im.histogram())
        if luma:
            luma_counts.append(im.convert("L").histogram())
    total = np.asarray(counts, np.int64).sum(axis=0).reshape(3, 256)
    return total, np.asarray(luma_counts, np.int64).sum(axis=0)[None] if luma else None


def _int_counts(x3: np.ndarray) -> np.ndarray:
    """(C, levels) exact per-level counts of an (H, W, C) uint8/uint16 image."""
    if x3.dtype == np.uint8:
        return _u8_counts(x3)[0]
    levels = INT_LEVELS[x3.dtype]
    return np.stack([np.bincount(x3[..., i].ravel(), minlength=levels) for i in range(x3.shape[2])])


def _float_counts(x3: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(C, bins) counts of finite values in ``[edges[0], edges[-1]]`` (uniform edges)."""
    bins = edges.size - 1
    lo, hi = float(edges[0]), float(edges[-1])
    work = np.float64 if x3.dtype == np.float64 else np.float32
    out = np.zeros((x3.shape[2], bins), np.int64)
    for i in range(x3.shape[2]):
        t = np.subtract(x3[..., i], lo, dtype=work)
        t *= bins / (hi - lo)  # bin position; NaN and out-of-range values are invalid
        invalid = ~((t >= 0) & (t <= bins))
        np.minimum(t, bins - 1, out=t)
        t[invalid] = 0
        if bins <= 256:  # small integer bins: Pillow's C histogram of a uint8 plane
            out[i] = _plane_counts_u8(t.astype(np.uint8))[:bins]
        else:
            out[i] = np.bincount(t.astype(np.intp).ravel(), minlength=bins)
        out[i, 0] -= int(np.count_nonzero(invalid))
    return out


def _float_edges(lo: float, hi: float, bins: int) -> np.ndarray:
    if lo == hi:  # numpy's convention for a constant image
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def histogram(
    img: np.ndarray, bins: int = 256, value_range: tuple[float, float] | None = None
) -> Histogram:
    """Return the per-channel histogram of an image.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
        Non-finite values are ignored.
    bins : int
        Number of equal-width bins.
    value_range : (float, float), optional
        ``(low, high)`` in input units; values outside are ignored. Default: the dtype range
        ``[0, 256)`` / ``[0, 65536)`` for integer images, the finite ``[min, max]`` for float.

    Returns
    -------
    Histogram
        ``counts`` (C, bins) int64 and ``edges`` (bins + 1,) float64.

    Examples
    --------
    >>> h = histogram(np.array([[0, 1], [1, 255]], np.uint8), bins=4)
    >>> h.counts
    array([[3, 0, 0, 1]])
    >>> h.edges
    array([  0.,  64., 128., 192., 256.])
    """
    img = check_image(img)
    check_int(bins, "bins", 1)
    x3 = as_hwc(img)
    if value_range is not None:
        lo, hi = (float(v) for v in value_range)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"value_range must be finite with low < high (got {value_range})")
    if img.dtype in INT_LEVELS:
        levels = INT_LEVELS[img.dtype]
        lo, hi = (0.0, float(levels)) if value_range is None else (lo, hi)
        edges = np.linspace(lo, hi, bins + 1)
        fine = _int_counts(x3)
        if bins == levels and lo == 0.0 and hi == levels:
            return Histogram(fine, edges)
        k = np.arange(levels, dtype=np.float64)
        keep = (k >= lo) & (k <= hi) if value_range is not None else k < hi
        idx = np.minimum(((k[keep] - lo) * (bins / (hi - lo))).astype(np.intp), bins - 1)
        counts = np.zeros((x3.shape[2], bins), np.int64)
        for i in range(x3.shape[2]):
            counts[i] = np.bincount(idx, weights=fine[i, keep], minlength=bins).astype(np.int64)
        return Histogram(counts, edges)
    if value_range is None:
        mins, maxs = float_range(x3)
        if np.isnan(mins).all():
            return Histogram(np.zeros((x3.shape[2], bins), np.int64), _float_edges(0, 1, bins))
        lo, hi = float(np.nanmin(mins)), float(np.nanmax(maxs))
    edges = _float_edges(lo, hi, bins)
    return Histogram(_float_counts(x3, edges), edges)


def _float_moments(v: np.ndarray) -> tuple[float, float, int]:
    """Mean, population std and count of the finite values of ``v``, in float64 (chunked)."""
    n, total = 0, 0.0
    for r in range(0, v.shape[0], _ROWS):
        f = _finite(v[r : r + _ROWS])
        n += f.size
        total += float(np.add.reduce(f, dtype=np.float64))
    if n == 0:
        return 0.0, 0.0, 0
    mean = total / n
    ss = 0.0
    for r in range(0, v.shape[0], _ROWS):
        d = _finite(v[r : r + _ROWS]).astype(np.float64) - mean
        ss += float(np.dot(d, d))
    return mean, float(np.sqrt(ss / n)), n


def _int_moments(counts: np.ndarray) -> tuple[float, float, float, float]:
    """Min, max, mean, population std of one channel from exact per-level counts."""
    nz = np.flatnonzero(counts)
    k = np.arange(counts.size, dtype=np.int64)
    n = int(counts.sum())
    s1 = int(np.dot(counts, k))
    s2 = int(np.dot(counts, k * k))
    var = (n * s2 - s1 * s1) / (n * n)  # exact integers, one rounding
    return float(nz[0]), float(nz[-1]), s1 / n, float(np.sqrt(max(var, 0.0)))


def _fine_histogram(x3: np.ndarray) -> Histogram:
    if x3.dtype in INT_LEVELS:
        levels = INT_LEVELS[x3.dtype]
        return Histogram(_int_counts(x3), np.arange(levels + 1, dtype=np.float64))
    return histogram(x3, bins=FLOAT_FINE_BINS)


def image_stats(img: np.ndarray, *, luma: bool = True) -> ImageStats:
    """Return exact per-channel statistics and the fine histogram of a full-resolution image.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array of uint8, uint16 or float
        Non-finite values are ignored (a float image needs at least one finite value).
    luma : bool
        Also histogram the luminance of an RGB image (needed only by luminance equalization).

    Returns
    -------
    ImageStats
        ``std`` is the population (biased) standard deviation. Integer images: all statistics
        from exact integer sums over the per-level counts. Float images: float64 accumulation.

    Examples
    --------
    >>> s = image_stats(np.array([[0, 2], [4, 6]], np.uint8))
    >>> s.minimum, s.maximum, s.mean, s.std
    (array([0.]), array([6.]), array([3.]), array([2.23606798]))
    >>> s.fine.counts.shape, s.n_pixels
    ((1, 256), 4)
    """
    img = check_image(img)
    x3 = as_hwc(img)
    c = x3.shape[2]
    luma_hist = None
    if x3.dtype == np.uint8:  # the luminance histogram comes from the same pass over the pixels
        counts, luma_counts = _u8_counts(x3, luma=c == 3 and luma)
        edges = np.arange(257, dtype=np.float64)
        fine = Histogram(counts, edges)
        if luma_counts is not None:
            luma_hist = Histogram(luma_counts, edges)
    else:
        fine = _fine_histogram(x3)
        if c == 3 and luma:
            luma_hist = _fine_histogram(luminance(x3)[:, :, None])
    mins, maxs, means, stds = (np.zeros(c) for _ in range(4))
    if img.dtype in INT_LEVELS:
        for i in range(c):
            mins[i], maxs[i], means[i], stds[i] = _int_moments(fine.counts[i])
    else:
        lo, hi = float_range(x3)
        if np.isnan(lo).all():
            raise ValueError("expected an image with at least one finite value (got none)")
        for i in range(c):
            means[i], stds[i], _ = _float_moments(x3[..., i])
        mins, maxs = np.nan_to_num(lo), np.nan_to_num(hi)
    return ImageStats(mins, maxs, means, stds, int(x3.shape[0] * x3.shape[1]), fine, luma_hist)


def quantiles(
    counts: np.ndarray, edges: np.ndarray, q: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """Percentiles ``q`` (in %) of the values summarized by one channel's ``counts``.

    Follows ``np.percentile``'s default ("linear") method on the sorted values. With one bin per
    integer level the sorted values are known exactly, so integer images match ``np.percentile``
    exactly; float images locate each order statistic inside its bin by linear interpolation
    (error below one bin width), clamped to the exact ``[lo, hi]``.
    """
    n = int(counts.sum())
    if n == 0:
        return np.zeros(q.shape)
    cum = np.cumsum(counts)
    pos = (n - 1) * (q / 100.0)
    r0 = np.floor(pos).astype(np.int64)
    frac = pos - r0
    r1 = np.minimum(r0 + 1, n - 1)
    integer = np.array_equal(edges[:3], [0.0, 1.0, 2.0]) and edges.size in (257, 65537)

    def at_rank(r: np.ndarray) -> np.ndarray:
        b = np.searchsorted(cum, r, side="right")
        if integer:
            return edges[b]
        before = cum[b] - counts[b]
        t = (r - before + 0.5) / counts[b]
        v = edges[b] + t * (edges[b + 1] - edges[b])
        v = np.where(r == 0, lo, np.where(r == n - 1, hi, v))
        return np.clip(v, lo, hi)

    v0, v1 = at_rank(r0), at_rank(r1)
    return v0 + frac * (v1 - v0)
