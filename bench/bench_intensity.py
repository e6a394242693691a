"""Benchmark normviz.intensity on a 12 MP photograph (4000x3000x3 uint8) against established tools.

Run: ``.venv/bin/python -m bench.bench_intensity [--repeats 7] [--quick]``

Each row: normviz's median time, the fastest established implementation measured in the same run
(OpenCV / Pillow / scikit-image, benchmark-only packages), the ratio normviz / peer, the ratio to
the memory-bandwidth floor (one NumPy copy of the input plus writing a fresh float32 output), and
whether the goal is met: within 2x of the peer, and at least as fast as OpenCV for ``histogram``
and ``equalize``. Peers produce their natural output (often uint8); normviz always returns
float32, so the floor column shows how much of the time is the unavoidable output write.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageOps
from skimage import data, exposure

from normviz import intensity as ni

cv2.setNumThreads(1)  # compare single-threaded code paths (normviz is single-threaded NumPy)


def photo(h: int = 3000, w: int = 4000) -> np.ndarray:
    """A 12 MP photograph: the astronaut upscaled, plus seeded sensor noise."""
    big = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).integers(-3, 4, big.shape, dtype=np.int16)
    return np.clip(big.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def median_ms(f: Callable[[], object], repeats: int) -> float:
    f()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def paired_ms(
    a: Callable[[], object], b: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` run alternately, so both see the same background load."""
    a(), b()  # warm-up
    ta, tb = [], []
    for _ in range(repeats):
        for f, ts in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(ta), 1e3 * statistics.median(tb)


def cv_hist(img: np.ndarray) -> list[np.ndarray]:
    return [cv2.calcHist([img], [c], None, [256], [0, 256]) for c in range(img.shape[2])]


def cv_percentile_lut(img: np.ndarray, q: tuple[float, float], out: str) -> np.ndarray:
    """OpenCV percentile stretch/clip: calcHist, bounds from the cdf, one LUT."""
    h = np.sum(cv_hist(img), axis=0).ravel()
    cdf = np.cumsum(h) / h.sum()
    lo, hi = (float(np.searchsorted(cdf, p / 100)) for p in q)
    k = np.arange(256, dtype=np.float64)
    if out == "clip":
        return cv2.LUT(img, np.clip(k, lo, hi).astype(np.uint8))
    return cv2.LUT(img, np.clip((k - lo) * 255 / max(hi - lo, 1), 0, 255).astype(np.uint8))


def cv_equalize(img: np.ndarray) -> np.ndarray:
    return cv2.merge([cv2.equalizeHist(ch) for ch in cv2.split(img)])


def cv_zscore(img: np.ndarray) -> np.ndarray:
    mean, std = cv2.meanStdDev(img)
    scale = (1.0 / std.ravel()).tolist()
    f = img.astype(np.float32)  # OpenCV: convertTo float32, then subtract/multiply per channel
    cv2.subtract(f, tuple(mean.ravel().tolist()), dst=f)
    cv2.multiply(f, tuple(scale), dst=f)
    return f


def cv_log(img: np.ndarray) -> np.ndarray:
    lut = (np.log1p(np.arange(256)) / np.log1p(255) * 255).round().astype(np.uint8)
    return cv2.LUT(img, lut)


def cv_clahe(img: np.ndarray) -> np.ndarray:
    tool = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    return cv2.merge([tool.apply(ch) for ch in cv2.split(img)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="skip the slow scikit-image rows")
    args = parser.parse_args()
    img = photo()
    ref = photo(750, 1000)[::-1].copy()
    ref_stats = ni.image_stats(ref)
    r = args.repeats

    floor = sum(paired_ms(img.copy, lambda: np.full(img.shape, 1.0, np.float32), r))
    floor_u8 = sum(paired_ms(img.copy, lambda: np.full(img.shape, 1, np.uint8), r))
    rows: list[tuple[str, Callable[[], object], str, Callable[[], object], bool]] = [
        ("histogram", lambda: ni.histogram(img), "cv2.calcHist x3", lambda: cv_hist(img), True),
        ("histogram", lambda: ni.histogram(img), "PIL fromarray+histogram",
         lambda: Image.fromarray(img).histogram(), False),
        ("image_stats", lambda: ni.image_stats(img), "cv2.meanStdDev+calcHist",
         lambda: (cv2.meanStdDev(img), cv_hist(img)), False),
        ("scale", lambda: ni.scale_to_range(img), "cv2.normalize MINMAX f32",
         lambda: cv2.normalize(img, None, 0.0, 1.0, cv2.NORM_MINMAX, cv2.CV_32F), False),
        ("clip", lambda: ni.apply_technique("clip", img, q=(2.0, 98.0)), "cv2 calcHist+LUT",
         lambda: cv_percentile_lut(img, (2.0, 98.0), "clip"), False),
        ("log", lambda: ni.log_scale(img), "cv2.LUT u8", lambda: cv_log(img), False),
        ("zscore", lambda: ni.z_score(img), "cv2.meanStdDev+f32 ops", lambda: cv_zscore(img),
         False),
        ("equalize", lambda: ni.equalize(img), "cv2.equalizeHist x3", lambda: cv_equalize(img),
         True),
        ("equalize", lambda: ni.equalize(img), "PIL ImageOps.equalize",
         lambda: np.asarray(ImageOps.equalize(Image.fromarray(img))), False),
        ("autocontrast", lambda: ni.autocontrast(img, (2.0, 98.0)), "cv2 calcHist+LUT",
         lambda: cv_percentile_lut(img, (2.0, 98.0), "stretch"), False),
        ("autocontrast", lambda: ni.autocontrast(img, (2.0, 98.0)), "PIL ImageOps.autocontrast",
         lambda: np.asarray(ImageOps.autocontrast(Image.fromarray(img), cutoff=2)), False),
        ("clahe", lambda: ni.clahe(img), "cv2 CLAHE x3", lambda: cv_clahe(img), False),
        ("match", lambda: ni.match_histogram(img, ref, reference_stats=ref_stats),
         "skimage.match_histograms",
         lambda: exposure.match_histograms(img, ref, channel_axis=-1), False),
    ]  # fmt: skip
    if args.quick:
        rows = [row for row in rows if row[0] not in ("clahe", "match")]

    print(
        f"image {img.shape} {img.dtype}; floor (copy + fresh float32 write) {floor:.1f} ms; "
        f"with a uint8 output instead {floor_u8:.1f} ms (the floor of uint8-output peers)"
    )
    print("A float32 output is 4x the bytes of a uint8 one: 'floor x' is normviz / floor.")
    print(f"{'technique':<13}{'normviz ms':>11}  {'peer':<27}{'peer ms':>8}{'ratio':>7}"
          f"{'floor x':>8}  goal")  # fmt: skip
    for name, ours, peer_name, peer, strict in rows:
        reps = max(3, r // 3) if name in ("clahe", "match") else r
        t_ours, t_peer = paired_ms(ours, peer, reps)
        ratio = t_ours / t_peer
        goal = ratio <= (1.0 if strict else 2.0)
        print(f"{name:<13}{t_ours:>11.1f}  {peer_name:<27}{t_peer:>8.1f}{ratio:>7.2f}"
              f"{t_ours / floor:>8.1f}  {'met' if goal else 'NOT met'}"
              f"{' (<= 1x)' if strict else ' (<= 2x)'}")  # fmt: skip


if __name__ == "__main__":
    main()
