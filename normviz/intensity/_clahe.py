"""Contrast-limited adaptive histogram equalization of one channel (private).

A 2D port of scikit-image's ``equalize_adapthist`` (itself after Zuiderveld, Graphics Gems IV,
1994; BSD licence), kept step for step so that the two agree: the channel is rescaled to 14-bit
levels, reflect-padded to whole tiles, each contextual region's 256-bin histogram is clipped at
``clip_limit * region size`` with the excess redistributed, cumulated into a mapping, and every
pixel is interpolated bilinearly between the mappings of its four nearest regions.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

NR_OF_GRAY = 2**14
NBINS = 256
_STRIP_PIXELS = 1 << 17  # pixels per interpolation work array (512 KB of float32)


def clip_histogram(hist: np.ndarray, clip_limit: int) -> np.ndarray:
    """Clip one (nbins,) int64 histogram at ``clip_limit``, redistributing the excess."""
    hist = hist.copy()
    excess_mask = hist > clip_limit
    n_excess = int(hist[excess_mask].sum()) - int(excess_mask.sum()) * clip_limit
    hist[excess_mask] = clip_limit
    bin_incr = n_excess // hist.size
    upper = clip_limit - bin_incr
    low_mask = hist < upper
    n_excess -= int(low_mask.sum()) * bin_incr
    hist[low_mask] += bin_incr
    mid_mask = (hist >= upper) & (hist < clip_limit)
    n_excess += int(hist[mid_mask].sum()) - int(mid_mask.sum()) * clip_limit
    hist[mid_mask] = clip_limit
    while n_excess > 0:
        prev = n_excess
        for index in range(hist.size):
            under = hist < clip_limit
            step = max(1, int(np.count_nonzero(under)) // n_excess)
            under = under[index::step]
            hist[index::step][under] += 1
            n_excess -= int(np.count_nonzero(under))
            if n_excess <= 0:
                break
        if prev == n_excess:
            break
    return hist


def _gather(
    table: np.ndarray, bins: np.ndarray, rows: slice, cols: slice, out: np.ndarray
) -> np.ndarray:
    """Compute ``out[:] = table[bins[rows, cols]]`` with Pillow's C palette conversion.

    ``table`` has 256 entries of 4-byte values and ``bins`` is a C-contiguous (H, W) uint8 array:
    Pillow maps the block in place as a palette image and its C "P" -> "RGBA" conversion copies
    each pixel's 4 table bytes into ``out``.
    """
    w = bins.shape[1]
    size = (cols.stop - cols.start, rows.stop - rows.start)
    try:
        src = Image.core.map_buffer(bins, size, "raw", rows.start * w + cols.start, ("P", w, 1))
        src.putpalette("RGBA", "RGBA", table.tobytes())
        src.convert_into(Image.core.map_buffer(out, size, "raw", 0, ("RGBA", 0, 1)))
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - other Pillow versions
        np.take(table, bins[rows, cols], out=out)
    return out


def _bin_table(lo: int, hi: int, size: int) -> np.ndarray:
    """Return the (size,) uint8 histogram bin of every integer level, as scikit-image bins it.

    Levels are min-max scaled to 14-bit levels, rounded, then ``level // (1 + 2**14 // 256)``.
    """
    if hi == lo:
        return np.zeros(size, np.uint8)
    k = np.arange(size, dtype=np.float64)
    level = np.round(np.clip(k - lo, 0, None) * ((NR_OF_GRAY - 1) / (hi - lo)))
    return (level // (1 + NR_OF_GRAY // NBINS)).astype(np.uint8)


def _bins(v: np.ndarray) -> np.ndarray:
    """Return the (H, W) uint8 histogram bins of one channel (see :func:`_bin_table`).

    Float channels are scaled by their finite min and max, NaN counted as the min, +-inf clamped.
    """
    if v.dtype.kind == "u":
        lo, hi = int(v.min()), int(v.max())
        return _bin_table(lo, hi, hi + 1)[v]
    step = 1 + NR_OF_GRAY // NBINS
    x = v.astype(np.float64)
    fin = np.isfinite(x)
    lo, hi = (float(x[fin].min()), float(x[fin].max())) if fin.any() else (0.0, 0.0)
    if hi == lo:
        return np.zeros(v.shape, np.uint8)
    x = np.nan_to_num(x, nan=lo, posinf=hi, neginf=lo)
    return (np.round((x - lo) * ((NR_OF_GRAY - 1) / (hi - lo))) // step).astype(np.uint8)


def _channel_input(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return a C-contiguous (H, W) uint8 plane and the (256,) table from its values to bins.

    A uint8 channel is used as it is (its bins are ``table[v]``, never materialized: region
    histograms are re-binned through the table and the mappings are composed with it); other
    dtypes are binned by :func:`_bins` with an identity table.
    """
    if v.dtype == np.uint8:
        v = np.ascontiguousarray(v)
        return v, _bin_table(int(v.min()), int(v.max()), NBINS)
    return np.ascontiguousarray(_bins(v)), np.arange(NBINS, dtype=np.uint8)


def _region_histograms(
    image: np.ndarray, origin: tuple[int, int], kh: int, kw: int, nh: int, nw: int
) -> np.ndarray:
    """Return the (nh * nw, NBINS) counts of the (kh, kw) contextual regions of ``image``.

    ``image`` is C-contiguous uint8 and the regions start at ``origin``: Pillow's C histogram of
    each region, cropped from the image mapped in place.
    """
    im = Image.frombuffer("L", image.shape[::-1], image, "raw", "L", 0, 1)
    y0, x0 = origin
    boxes = [
        (x0 + j * kw, y0 + i * kh, x0 + (j + 1) * kw, y0 + (i + 1) * kh)
        for i in range(nh)
        for j in range(nw)
    ]
    return np.array([im.crop(box).histogram() for box in boxes], np.int64)


def _spans(n: int, pad: int, k: int, blocks: int) -> list[tuple[int, slice]]:
    """(block index, slice of unpadded pixels) of every processing block along one axis."""
    out = []
    for b in range(blocks):
        lo, hi = max(b * k - pad, 0), min((b + 1) * k - pad, n)
        if lo < hi:
            out.append((b, slice(lo, hi)))
    return out


def _clahe_levels(
    bins: np.ndarray, table: np.ndarray, tiles: int, clip_limit: float, out: np.ndarray
) -> tuple[float, float]:
    """Write the CLAHE 14-bit levels of one (H, W) uint8 channel into ``out``; return (min, max).

    The levels are those before the final min-max scaling; ``out`` is (H, W) float32. The
    channel's histogram bins are ``table[bins]`` (see :func:`_channel_input`). See
    :func:`clahe_channel`.
    """
    bins = np.ascontiguousarray(bins)
    h, w = bins.shape
    kh, kw = max(h // tiles, 1), max(w // tiles, 1)
    pad_start = (kh // 2, kw // 2)
    pad_end = [(k - s % k) % k + int(np.ceil(k / 2.0)) for k, s in ((kh, h), (kw, w))]
    ph, pw = h + pad_start[0] + pad_end[0], w + pad_start[1] + pad_end[1]
    bh, bw = ph // kh, pw // kw  # processing blocks
    nh, nw = bh - 1, bw - 1  # contextual regions, centred between blocks
    if nh * kh <= h and nw * kw <= w:  # region (i, j) starts at pixel (i * kh, j * kw)
        image, origin = bins, (0, 0)
    else:  # some regions reach into the reflect padding
        image = np.pad(bins, list(zip(pad_start, pad_end, strict=True)), mode="reflect")
        origin = pad_start

    rebin = np.zeros((NBINS, NBINS), np.int64)
    rebin[np.arange(NBINS), table] = 1
    hists = _region_histograms(image, origin, kh, kw, nh, nw) @ rebin
    n_region = kh * kw
    clim = int(max(clip_limit * n_region, 1)) if clip_limit > 0 else n_region
    maps = np.empty((nh * nw, NBINS), np.float32)
    for i, hist in enumerate(hists):
        m = np.cumsum(clip_histogram(hist, clim)).astype(np.float64) * ((NR_OF_GRAY - 1) / n_region)
        maps[i] = np.minimum(m, NR_OF_GRAY - 1).astype(np.int64)
    grid = np.pad(maps.reshape(nh, nw, NBINS), ((1, 1), (1, 1), (0, 0)), mode="edge")
    right = grid[:, 1:] - grid[:, :-1]  # along x: the block's right mapping minus its left one
    grid, right = grid[..., table], right[..., table]  # indexed by the values, not the bins
    # Blocks along the border blend equal (edge-padded) mappings: adding the zero differences
    # changes nothing, so they are skipped (the result is the same, bit for bit).
    flat_y = [(grid[i] == grid[i + 1]).all() for i in range(bh)]
    flat_x = [not right[:, j].any() for j in range(bw)]

    # Pixel (y, x) sits in processing block (by, bx) at fraction (wy, wx) of it and blends the
    # mappings of blocks (by + 0/1, bx + 0/1) of the edge-padded map grid:
    # top = tl + wx * (tr - tl), bottom = bl + wx * (br - bl), result = top + wy * (bottom - top),
    # computed a strip of a block at a time so that the work arrays stay in cache.
    ys, xs = np.arange(h) + pad_start[0], np.arange(w) + pad_start[1]
    wy = ((ys % kh) / kh).astype(np.float32)[:, None]
    wx = ((xs % kw) / kw).astype(np.float32)[None, :]
    lo, hi = np.inf, -np.inf
    cols = _spans(w, pad_start[1], kw, bw)
    widest = max(c.stop - c.start for _, c in cols)
    strip = max(1, _STRIP_PIXELS // widest)
    work = np.empty((3, strip * widest), np.float32)
    for by, block_rows in _spans(h, pad_start[0], kh, bh):
        for r in range(block_rows.start, block_rows.stop, strip):
            rs = slice(r, min(r + strip, block_rows.stop))
            n = rs.stop - rs.start
            for bx, cs in cols:
                m = cs.stop - cs.start
                top, tmp, bottom = (a[: n * m].reshape(n, m) for a in work)
                _gather(grid[by, bx], bins, rs, cs, top)
                if not flat_x[bx]:
                    _gather(right[by, bx], bins, rs, cs, tmp)
                    tmp *= wx[:, cs]
                    top += tmp
                if not flat_y[by]:
                    _gather(grid[by + 1, bx], bins, rs, cs, bottom)
                    if not flat_x[bx]:
                        _gather(right[by + 1, bx], bins, rs, cs, tmp)
                        tmp *= wx[:, cs]
                        bottom += tmp
                    bottom -= top
                    bottom *= wy[rs]
                    top += bottom
                np.floor(top, out=top)  # scikit-image truncates to 14-bit integers
                lo, hi = min(lo, float(top.min())), max(hi, float(top.max()))
                out[rs, cs] = top
    return lo, hi


def clahe_channel(bins: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of one (H, W) channel of histogram bins (see :func:`_bins`); float32 in [0, 1].

    Contextual regions are ``(max(H // tiles, 1), max(W // tiles, 1))`` pixels, which is
    scikit-image's ``kernel_size`` (its default, 1/8 of each side, is ``tiles=8``). Same padding,
    regions, clipping and mappings as scikit-image. The bilinear interpolation runs one
    processing block at a time (the four mappings are fixed inside a block), with Pillow
    gathering each mapping at the block's bins.
    """
    out = np.empty(bins.shape, np.float32)
    lo, hi = _clahe_levels(bins, np.arange(NBINS, dtype=np.uint8), tiles, clip_limit, out)
    if hi == lo:
        return np.zeros(bins.shape, np.float32)
    out -= np.float32(lo)
    out /= np.float32(hi - lo)
    return out


def clahe_image(img: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of each channel of a validated image, each min-max scaled first; float32 [0, 1]."""
    x3 = img[:, :, None] if img.ndim == 2 else img
    h, w, c = x3.shape
    out = np.empty(x3.shape, np.float32)
    bounds = np.array(
        [
            _clahe_levels(*_channel_input(x3[..., i]), tiles, clip_limit, out[..., i])
            for i in range(c)
        ]
    )
    lo, span = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    flat = span == 0  # a constant channel maps to zeros
    rows = out.reshape(h, w * c)  # per-channel values tiled along whole rows: long inner loops
    rows -= np.tile(np.where(flat, 0.0, lo).astype(np.float32), w)
    rows /= np.tile(np.where(flat, 1.0, span).astype(np.float32), w)
    out[..., flat] = 0.0
    return out.reshape(img.shape)
