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


def clahe_channel(v: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of one (H, W) channel already scaled to [0, 1]; returns float32 in [0, 1].

    Contextual regions are ``(max(H // tiles, 1), max(W // tiles, 1))`` pixels, which is
    scikit-image's ``kernel_size`` (its default, 1/8 of each side, is ``tiles=8``).
    """
    levels = np.round(v * (NR_OF_GRAY - 1)).astype(np.int64)
    kernel = (max(v.shape[0] // tiles, 1), max(v.shape[1] // tiles, 1))
    pad_start = [k // 2 for k in kernel]
    pad_end = [
        (k - s % k) % k + int(np.ceil(k / 2.0)) for k, s in zip(kernel, v.shape, strict=True)
    ]
    image = np.pad(levels, list(zip(pad_start, pad_end, strict=True)), mode="reflect")
    image //= 1 + NR_OF_GRAY // NBINS
    (kh, kw), (ph, pw) = kernel, image.shape

    # Histograms of the contextual regions, centred between the processing blocks.
    nh, nw = ph // kh - 1, pw // kw - 1
    regions = image[kh // 2 : kh // 2 + nh * kh, kw // 2 : kw // 2 + nw * kw]
    regions = regions.reshape(nh, kh, nw, kw).transpose(0, 2, 1, 3).reshape(nh * nw, kh * kw)
    n_region = kh * kw
    clim = int(max(clip_limit * n_region, 1)) if clip_limit > 0 else n_region
    maps = np.empty((nh * nw, NBINS), np.int64)
    for i, block in enumerate(regions):
        hist = clip_histogram(np.bincount(block, minlength=NBINS), clim)
        m = np.cumsum(hist).astype(np.float64) * ((NR_OF_GRAY - 1) / n_region)
        maps[i] = np.minimum(m, NR_OF_GRAY - 1).astype(np.int64)
    maps = np.pad(maps.reshape(nh, nw, NBINS), ((1, 1), (1, 1), (0, 0)), mode="edge")

    # Bilinear interpolation between the four mappings around each processing block.
    bh, bw = ph // kh, pw // kw
    blocks = image.reshape(bh, kh, bw, kw).transpose(0, 2, 1, 3).reshape(bh * bw, kh * kw)
    cy = np.repeat(np.arange(kh) / kh, kw)
    cx = np.tile(np.arange(kw) / kw, kh)
    result = np.zeros(blocks.shape, np.float32)
    for ey in (0, 1):
        for ex in (0, 1):
            edge_maps = maps[ey : ey + bh, ex : ex + bw].reshape(bh * bw, NBINS)
            mapped = np.take_along_axis(edge_maps, blocks, axis=-1)
            w = (cy if ey else 1 - cy) * (cx if ex else 1 - cx)
            result += (mapped * w).astype(np.float32)
    result = result.astype(np.uint16)  # scikit-image truncates to its 14-bit dtype here
    result = result.reshape(bh, bw, kh, kw).transpose(0, 2, 1, 3).reshape(ph, pw)
    result = result[pad_start[0] : ph - pad_end[0], pad_start[1] : pw - pad_end[1]]
    lo, hi = float(result.min()), float(result.max())
    if hi == lo:
        return np.zeros(result.shape, np.float32)
    return ((result.astype(np.float32) - lo) / np.float32(hi - lo)).astype(np.float32)


def clahe_image(img: np.ndarray, tiles: int, clip_limit: float) -> np.ndarray:
    """CLAHE of each channel of a validated image, each min-max scaled first; float32 [0, 1]."""
    x3 = img[:, :, None] if img.ndim == 2 else img
    out = np.empty(x3.shape, np.float32)
    for c in range(x3.shape[2]):
        v = x3[..., c].astype(np.float64)
        fin = np.isfinite(v)
        lo, hi = (float(v[fin].min()), float(v[fin].max())) if fin.any() else (0.0, 0.0)
        v = np.nan_to_num(v, nan=lo, posinf=hi, neginf=lo)
        v = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
        out[..., c] = clahe_channel(v, tiles, clip_limit)
    return out.reshape(img.shape)
