"""Each technique's code: runnable NumPy (and PyTorch) for what the page shows.

The table (:data:`normviz.intensity.TECHNIQUES`) links each technique to its builder.

A builder ``*_snippet(p, stats, dtype)`` takes the technique's parameters ``p`` (registry
defaults filled in, plus the page's notes ``_how``/``_arg``/``_grey``), the :class:`ImageStats`
it was fitted on and the image's dtype name, and returns the code that follows the lines that
read ``img`` (and ``reference``): it leaves the result in ``out``.
:func:`normviz.image_text.snippet` puts the reading lines before it; a test runs every snippet
and compares ``out`` with the technique's output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from normviz.intensity._histogram import LUMA_FIXED, LUMA_WEIGHTS, ImageStats
from normviz.intensity._transfer import zscore_moments

_WR, _WG, _WB = LUMA_FIXED  # Rec. 601 in 16-bit fixed point, as Pillow's convert("L")
_LUMA = ", ".join(repr(w) for w in LUMA_WEIGHTS)  # "0.299, 0.587, 0.114"

DTYPE_FULL = {"uint8": 255.0, "uint16": 65535.0}
"""The full-scale value of each integer dtype the page decodes."""


def _py(v: float) -> str:
    """Return a float as Python source, at most 6 significant digits."""
    return np.format_float_positional(
        float(v), precision=6, unique=True, fractional=False, trim="0"
    )


def _clip_bounds_code(p: dict[str, Any], n_channels: int) -> str:
    per = bool(p.get("per_channel", False)) and n_channels > 1
    how = p.get("_how", "percentiles")
    if how == "percentiles":
        q = p.get("_arg", p.get("q", (1.0, 99.0)))
        qs = f"[{_py(q[0])}, {_py(q[1])}]"
        if per:
            return f"low, high = np.percentile(img.reshape(-1, {n_channels}), {qs}, axis=0)\n"
        return f"low, high = np.percentile(img, {qs})\n"
    if how == "mean ± k·std":
        k = _py(p["_arg"])
        if per:
            return (
                f"m, s = img.mean(axis=(0, 1)), img.std(axis=(0, 1))   # per channel\n"
                f"low, high = m - {k} * s, m + {k} * s\n"
            )
        return f"m, s = img.mean(), img.std()\nlow, high = m - {k} * s, m + {k} * s\n"
    low = np.atleast_1d(np.asarray(p["low"], np.float64))
    high = np.atleast_1d(np.asarray(p["high"], np.float64))
    if np.all(low == low[0]) and np.all(high == high[0]):
        return f"low, high = {_py(low[0])}, {_py(high[0])}\n"
    lows = ", ".join(_py(v) for v in low)
    highs = ", ".join(_py(v) for v in high)
    return f"low, high = np.array([{lows}]), np.array([{highs}])\n"


def _sig4(v: float) -> str:
    """4 significant digits, positional (0.6218, 0.005510)."""
    return np.format_float_positional(float(v), precision=4, unique=False, fractional=False)


def _torch_part(mean: np.ndarray, std: np.ndarray, dtype: str) -> str:
    full = DTYPE_FULL.get(dtype)
    if dtype == "uint8":
        note, scale = "# to [0, 1], as torchvision's ToTensor() does for uint8", " / 255.0"
    elif full is not None:
        note = f"# to [0, 1]: ToTensor() rescales only uint8, so divide {dtype} yourself"
        scale = f" / {full:.1f}"
    else:
        note, scale = "# float data used as it is (ToTensor() does not rescale floats)", ""
        full = 1.0
    means = ", ".join(_sig4(m / full) for m in mean)
    stds = ", ".join(_sig4(s / full) for s in std)
    return (
        "\n# The same in PyTorch on a (C, H, W) tensor, with this image's statistics:\n"
        "import torch\n\n"
        f"{note}\n"
        f"t = torch.from_numpy(np.atleast_3d(img).astype(np.float32)).permute(2, 0, 1){scale}\n"
        f"mean = torch.tensor([{means}])\n"
        f"std = torch.tensor([{stds}])\n"
        "out_t = (t - mean[:, None, None]) / std[:, None, None]"
        "   # = transforms.Normalize(mean, std)(t)\n"
    )


def _match_loop(dtype: str, stats: ImageStats) -> str:
    """Return the per-channel matching loop: exact levels for integer images, bins for float ones.

    For float images it is the binned distribution the page fits (``stats.fine``: its bins over
    [min, max]), each occupied bin's centre mapped, values in between interpolated
    (``intensity._transfer.match_map``).
    """
    ref = (
        "    ref, n_ref = np.unique(r[..., c % r.shape[2]], return_counts=True)\n"
        "    q_ref = np.cumsum(n_ref) / n_ref.sum()\n"
    )
    if dtype in DTYPE_FULL:
        return (
            "out = np.empty(x.shape)\n"
            "for c in range(x.shape[2]):\n"
            "    src, idx, n_src = np.unique(x[..., c].ravel(), return_inverse=True, "
            "return_counts=True)\n" + ref + "    q_src = np.cumsum(n_src) / n_src.sum()\n"
            "    out[..., c] = np.interp(q_src, q_ref, ref)[idx].reshape(x.shape[:2])\n"
        )
    bins = stats.fine.counts.shape[1]
    return (
        "lo, hi = x.min(), x.max()\n"
        "out = np.empty(x.shape)\n"
        "for c in range(x.shape[2]):\n"
        f"    counts, edges = np.histogram(x[..., c], bins={bins}, range=(lo, hi))\n"
        "    nz = np.flatnonzero(counts)   # occupied bins, mapped at their centres\n"
        "    centres = (edges[nz] + edges[nz + 1]) / 2\n"
        "    q_src = (np.cumsum(counts) / counts.sum())[nz]\n"
        + ref
        + "    out[..., c] = np.interp(x[..., c], centres, np.interp(q_src, q_ref, ref))\n"
    )


def scale_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Min-max scaling."""
    c = stats.n_channels
    axis = "axis=(0, 1)" if p["per_channel"] and c > 1 else ""
    return (
        "x = img.astype(np.float64)\n"
        f"lo, hi = {_py(p['lo'])}, {_py(p['hi'])}\n"
        f"mn, mx = x.min({axis}), x.max({axis})\n"
        "span = np.where(mx > mn, mx - mn, 1.0)   # a constant image maps to lo\n"
        "out = lo + (hi - lo) * (x - mn) / span"
    )


def clip_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Clipping at the bounds chosen as the page chose them."""
    c = stats.n_channels
    return _clip_bounds_code(p, c) + "out = np.clip(img.astype(np.float64), low, high)"


def log_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Log scaling."""
    return (
        "x = img.astype(np.float64)\n"
        "x = x - min(0.0, x.min())   # shift negative data to start at 0\n"
        "out = np.log1p(x) / np.log1p(x.max())"
    )


def zscore_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Z-score in NumPy, then the same in PyTorch with this image's statistics."""
    mean, std = zscore_moments(stats, p["per_channel"])
    axis, what = ("axis=(0, 1)", "per channel") if p["per_channel"] else ("", "all pooled")
    return (
        "x = img.astype(np.float64)\n"
        f"mean, std = x.mean({axis}), x.std({axis})   # {what}; population std (ddof=0)\n"
        "std = np.where(std > 0, std, 1.0)   # a constant channel gives zeros\n"
        "out = (x - mean) / std\n"
    ) + _torch_part(mean, std, dtype)


def equalize_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Histogram equalization (exact levels for integer images, the binned CDF for float)."""
    c = stats.n_channels
    if p["mode"] == "luminance" and c == 3 and dtype in DTYPE_FULL:
        return (
            "r, g, b = (img[..., i].astype(np.int64) for i in range(3))\n"
            f"y = ({_WR} * r + {_WG} * g + {_WB} * b + 32768) >> 16"
            "   # Rec. 601 luminance, as Pillow's convert('L')\n"
            "cdf = np.cumsum(np.bincount(y.ravel()))   # cdf[v] = pixels with Y <= v\n"
            "cdf_min = cdf[y.min()]\n"
            "y_eq = (cdf[y] - cdf_min) / max(cdf[-1] - cdf_min, 1)\n"
            "ratio = np.divide(y_eq, y, out=np.zeros(y.shape), where=y > 0)\n"
            "out = np.clip(img * ratio[..., None], 0.0, 1.0)   # every channel scaled alike\n"
            "out[y == 0] = y_eq[y == 0][:, None]"
        )
    if dtype in DTYPE_FULL:
        return (
            "x = np.atleast_3d(img)\n"
            "out = np.empty(x.shape)\n"
            "for c in range(x.shape[2]):\n"
            "    v = x[..., c]\n"
            "    cdf = np.cumsum(np.bincount(v.ravel()))   # cdf[k] = pixels <= k\n"
            "    cdf_min = cdf[v.min()]   # pixels at the darkest level\n"
            "    out[..., c] = (cdf[v] - cdf_min) / max(cdf[-1] - cdf_min, 1)\n"
            "out = out.reshape(img.shape)"
        )
    bins = stats.fine.counts.shape[1]
    return (
        "x = np.atleast_3d(img).astype(np.float64)\n"
        "lo, hi = np.nanmin(x), np.nanmax(x)\n"
        "out = np.empty(x.shape)\n"
        "for c in range(x.shape[2]):\n"
        f"    counts, edges = np.histogram(x[..., c], bins={bins}, range=(lo, hi))\n"
        "    cdf = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()\n"
        "    out[..., c] = np.interp(x[..., c], edges, cdf)\n"
        "out = out.reshape(img.shape)"
    )


def autocontrast_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Auto contrast: a percentile stretch."""
    c = stats.n_channels
    q = f"[{_py(p['cutoff'][0])}, {_py(p['cutoff'][1])}]"
    per = p["per_channel"] and c > 1
    pct = (
        f"np.percentile(x.reshape(-1, {c}), {q}, axis=0)   # per channel"
        if per
        else f"np.percentile(x, {q})"
    )
    return (
        f"x = img.astype(np.float64)\nlo, hi = {pct}\nout = np.clip((x - lo) / (hi - lo), 0.0, 1.0)"
    )


def clahe_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """CLAHE with scikit-image, channel by channel."""
    t = int(p["tiles"])
    scaled = (
        "x = np.atleast_3d(img).astype(np.float64)\n"
        "lo, hi = x.min(axis=(0, 1)), x.max(axis=(0, 1))\n"
        "x = (x - lo) / np.where(hi > lo, hi - lo, 1.0)   # floats must lie in [0, 1]\n"
        if dtype not in DTYPE_FULL
        else "x = np.atleast_3d(img)\n"
    )
    return (
        "from skimage import exposure   # pip install scikit-image\n\n"
        + scaled
        + f"kernel = (x.shape[0] // {t}, x.shape[1] // {t})   # {t} x {t} tiles\n"
        "# channel by channel: on an RGB array equalize_adapthist would equalize HSV's V only\n"
        "out = np.stack([\n"
        f"    exposure.equalize_adapthist(x[..., c], kernel_size=kernel, "
        f"clip_limit={_py(p['clip_limit'])})\n"
        "    for c in range(x.shape[2])\n"
        "], axis=-1).reshape(img.shape)"
    )


def match_snippet(p: dict[str, Any], stats: ImageStats, dtype: str) -> str:
    """Histogram matching (a grey image to a colour reference's luminance)."""
    grey = ""
    if p.get("_grey"):
        grey = (
            "# a grey image is matched to the reference's luminance\n"
            "if reference.ndim == 3:\n"
            f"    w = np.array([{_LUMA}], np.float32)\n"
            "    y = reference[..., :3].astype(np.float32) @ w\n"
            "    reference = np.round(y).astype(reference.dtype)\n"
        )
    return grey + (
        "x, r = np.atleast_3d(img), np.atleast_3d(reference)\n"
        + _match_loop(dtype, stats)
        + "out = out.reshape(img.shape)\n"
        "# scikit-image's exposure.match_histograms(img, reference, channel_axis=-1) computes\n"
        "# the same map but converts the result back to img's dtype (uint8 values truncated)"
    )
