"""Decode and preview costs of normviz.io, as ratios against references timed in the same run.

Run: ``.venv/bin/python -m bench.bench_io [--repeats 5]``. Prints medians in ms and the ratio to
the named reference (lower is better; 1.00 means as fast as the reference).

References: Pillow ``open + load + np.asarray`` (what a naive app does), OpenCV ``imdecode``,
Pillow's ``draft`` (JPEG DCT scaling at 1/4), and a plain Pillow BOX resize.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from io import BytesIO

import cv2
import numpy as np
from PIL import Image

from normviz import io as nio


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A photo-like 8-bit RGB image: smooth gradients plus mild noise (compresses like a photo)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x / w, y / h, 0.5 + 0.5 * np.sin(x / 97 + y / 53)], axis=-1) * 220
    return np.clip(base + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)


def pillow_asarray(data: bytes) -> np.ndarray:
    with Image.open(BytesIO(data)) as im:
        im.load()
        return np.asarray(im)


def pillow_draft(data: bytes) -> np.ndarray:
    with Image.open(BytesIO(data)) as im:
        im.draft("RGB", (im.width // 4, im.height // 4))
        return np.asarray(im)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    n = parser.parse_args().repeats

    rgb = photo(3000, 4000)
    buf = BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=90)
    jpeg = buf.getvalue()
    arr = np.frombuffer(jpeg, np.uint8)
    rgb16 = (rgb[:1500, :2000].astype(np.uint16) * 257) ^ np.uint16(0x0055)
    png16 = nio.encode_png(rgb16)
    arr16 = np.frombuffer(png16, np.uint8)
    rgb_u16, grey_f32 = rgb.astype(np.uint16) * 257, rgb[..., 0].astype(np.float32) / 255
    preview = nio.make_preview(rgb)

    PIL, CV, CV16, BOX = "Pillow+asarray", "OpenCV imdecode", "OpenCV 16-bit", "Pillow BOX"
    refs = {
        PIL: lambda: pillow_asarray(jpeg),
        CV: lambda: cv2.imdecode(arr, cv2.IMREAD_UNCHANGED),
        CV16: lambda: cv2.imdecode(arr16, cv2.IMREAD_UNCHANGED),
        BOX: lambda: Image.fromarray(rgb).resize((1600, 1200), Image.BOX),
    }
    ref_ms = {name: median_ms(fn, n) for name, fn in refs.items()}
    cases = [
        ("read_image, 12 MP JPEG", lambda: nio.read_image(jpeg), PIL),
        ("read_image, 12 MP JPEG", lambda: nio.read_image(jpeg), CV),
        ("Pillow draft 1/4 (unused: needs full res)", lambda: pillow_draft(jpeg), PIL),
        ("read_image, 3 MP 16-bit RGB PNG", lambda: nio.read_image(png16), CV16),
        ("make_preview uint8 RGB 12MP->1600", lambda: nio.make_preview(rgb), BOX),
        ("make_preview uint16 RGB 12MP->1600", lambda: nio.make_preview(rgb_u16), BOX),
        ("make_preview float32 grey 12MP->1600", lambda: nio.make_preview(grey_f32), BOX),
        ("encode_jpeg of the 1600 px preview", lambda: nio.encode_jpeg(preview), BOX),
    ]
    print(f"12 MP JPEG ({len(jpeg) / 2**20:.1f} MB), 3 MP 16-bit RGB PNG, {n} repeats, medians")
    for name, fn, ref in cases:
        ms = median_ms(fn, n)
        print(f"{name:48s} {ms:7.1f} ms  {ms / ref_ms[ref]:5.2f}x vs {ref} ({ref_ms[ref]:.1f} ms)")


if __name__ == "__main__":
    main()
