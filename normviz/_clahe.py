"""Contrast-limited adaptive histogram equalization of one channel (private).

A 2D port of scikit-image's ``equalize_adapthist`` (itself after Zuiderveld, Graphics Gems IV,
1994; BSD licence), kept step for step so that the two agree: the channel is rescaled to 14-bit
levels, reflect-padded to whole tiles, each contextual region's 256-bin histogram is clipped at
``clip_limit * region size`` with the excess redistributed, cumulated into a mapping, and every
pixel is interpolated bilinearly between the mappings of its four nearest regions.
"""

from __future__ import annotations

import numpy as np

NR_OF_GRAY = 2**14
NBINS = 256


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


def _bins(v: np.ndarray) -> np.ndarray:
    """(H, W) uint8 histogram bins of one channel, as scikit-image: min-max to 14-bit levels,
    rounded, then ``level // (1 + 2**14 // 256)``. Integer channels go through a lookup table."""
    step = 1 + NR_OF_GRAY // NBINS
    if v.dtype.kind == "u":
        lo, hi = int(v.min()), int(v.max())
        if hi == lo:
            return np.zeros(v.shape, np.uint8)
        k = np.arange(hi + 1, dtype=np.float64)
        table = np.round(np.clip(k - lo, 0, None) * ((NR_OF_GRAY - 1) / (hi - lo))) // step
        return table.astype(np.uint8)[v]
    x = v.astype(np.float64)
    fin = np.isfinite(x)
    lo, hi = (float(x[fin].min()), float(x[fin].max())) if fin.any() else (0.0, 0.0)
    if hi == lo:
        return np.zeros(v.shape, np.uint8)
    x = np.nan_to_num(x, nan=lo, posinf=hi, neginf=lo)
    return (np.round((x - lo) * ((NR_OF_GRAY - 1) / (hi - lo))) // step).astype(np.uint8)


def clahe_channel(bins: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of one (H, W) channel of histogram bins (see :func:`_bins`); float32 in [0, 1].

    Contextual regions are ``(max(H // tiles, 1), max(W // tiles, 1))`` pixels, which is
    scikit-image's ``kernel_size`` (its default, 1/8 of each side, is ``tiles=8``). Same padding,
    regions, clipping and mappings as scikit-image; the bilinear interpolation is computed
    directly for the unpadded pixels with four gathers from one flat table of mappings.
    """
    h, w = bins.shape
    kh, kw = max(h // tiles, 1), max(w // tiles, 1)
    pad_start = (kh // 2, kw // 2)
    pad_end = [(k - s % k) % k + int(np.ceil(k / 2.0)) for k, s in ((kh, h), (kw, w))]
    image = np.pad(bins, list(zip(pad_start, pad_end, strict=True)), mode="reflect")
    ph, pw = image.shape
    bh, bw = ph // kh, pw // kw  # processing blocks
    nh, nw = bh - 1, bw - 1  # contextual regions, centred between blocks

    # All region histograms in one bincount over (region id * NBINS + bin).
    regions = image[kh // 2 : kh // 2 + nh * kh, kw // 2 : kw // 2 + nw * kw]
    rid = (np.arange(nh * kh) // kh)[:, None] * nw + (np.arange(nw * kw) // kw)[None, :]
    key = (rid * NBINS).astype(np.int64) + regions
    hists = np.bincount(key.ravel(), minlength=nh * nw * NBINS).reshape(nh * nw, NBINS)
    n_region = kh * kw
    clim = int(max(clip_limit * n_region, 1)) if clip_limit > 0 else n_region
    maps = np.empty((nh * nw, NBINS), np.float32)
    for i, hist in enumerate(hists):
        m = np.cumsum(clip_histogram(hist, clim)).astype(np.float64) * ((NR_OF_GRAY - 1) / n_region)
        maps[i] = np.minimum(m, NR_OF_GRAY - 1).astype(np.int64)
    flat = np.pad(maps.reshape(nh, nw, NBINS), ((1, 1), (1, 1), (0, 0)), mode="edge").ravel()

    # Pixel (y, x) sits in processing block (by, bx) at fraction (wy, wx) of it and blends the
    # mappings of blocks (by + 0/1, bx + 0/1) of the edge-padded map grid.
    ys, xs = np.arange(h) + pad_start[0], np.arange(w) + pad_start[1]
    by, bx = ys // kh, xs // kw
    wy = ((ys % kh) / kh).astype(np.float32)[:, None]
    wx = ((xs % kw) / kw).astype(np.float32)[None, :]
    stride = (bw + 1) * NBINS
    base = (by[:, None] * stride + bx[None, :] * NBINS).astype(np.int32) + bins
    top, right = flat[base], flat[base + NBINS]  # in place: top += wx * (right - top)
    right -= top
    right *= wx
    top += right
    base += stride
    bottom = flat[base]
    base += NBINS
    right = flat[base]
    right -= bottom
    right *= wx
    bottom += right
    bottom -= top
    bottom *= wy
    top += bottom
    result = np.floor(top, out=top)  # scikit-image truncates to 14-bit integers
    lo, hi = float(result.min()), float(result.max())
    if hi == lo:
        return np.zeros(result.shape, np.float32)
    return ((result - np.float32(lo)) / np.float32(hi - lo)).astype(np.float32)


def clahe_image(img: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of each channel of a validated image, each min-max scaled first; float32 [0, 1]."""
    x3 = img[:, :, None] if img.ndim == 2 else img
    out = np.empty(x3.shape, np.float32)
    for c in range(x3.shape[2]):
        out[..., c] = clahe_channel(_bins(x3[..., c]), tiles, clip_limit)
    return out.reshape(img.shape)
