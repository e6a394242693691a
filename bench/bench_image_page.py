"""Server-side cost of the image page with a 12 MP upload, as ratios against references.

Run: ``.venv/bin/python -m bench.bench_image_page [--repeats 5]``

Drives the real page (``app.py`` -> ``pages/images.py``) with Streamlit's ``AppTest``, uploads a
12 MP JPEG (4000x3000x3) and times whole script runs:

- ``first run``: decode + full-resolution statistics + previews + the technique grid (once per
  upload);
- ``slider``: one parameter change (min-max ``hi``, then clip percentiles) after the first run;
- ``technique``: switching technique.

References measured in the same run:

- ``rerun``: a rerun of the page with nothing changed (the floor of a script run: Streamlit's
  own work plus the page's cached calls);
- ``naive``: what a naive page does for one interaction on 12 MP: float32 min-max on the full
  array, ``np.histogram`` of the pixels, JPEG-encoding the full image (``st.image`` of an array
  re-encodes it each rerun).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from normviz.samples import SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def photo_jpeg(h: int = 3000, w: int = 4000) -> tuple[bytes, np.ndarray]:
    """A 12 MP photo: the coffee sample upscaled, plus seeded noise, as a JPEG."""
    small = Image.open(io.BytesIO(SAMPLES["coffee"].path.read_bytes())).convert("RGB")
    big = np.asarray(small.resize((w, h), Image.Resampling.BICUBIC)).astype(np.int16)
    big += np.random.default_rng(0).integers(-3, 4, big.shape, dtype=np.int16)
    arr = np.clip(big, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=90)
    return buf.getvalue(), arr


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    jpeg, arr = photo_jpeg()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page("pages/images.py")
    at.run()
    at.file_uploader(key="img_upload").set_value(("photo12mp.jpg", jpeg, "image/jpeg"))
    first = timed(at.run)
    assert not at.exception, at.exception

    rerun, slider, clip, switch = [], [], [], []
    for i in range(args.repeats):
        rerun.append(timed(at.run))
        at.number_input(key="img_param_hi").set_value(1.0 + 0.25 * (i + 1))
        slider.append(timed(at.run))
    at.selectbox(key="img_technique").set_value("clip")
    at.run()
    for i in range(args.repeats):
        at.slider(key="img_param_q").set_value((1.0 + 0.5 * (i + 1), 99.0))
        clip.append(timed(at.run))
    for i in range(args.repeats):
        at.selectbox(key="img_technique").set_value(("zscore", "log", "equalize")[i % 3])
        switch.append(timed(at.run))
    assert not at.exception, at.exception

    def naive() -> None:
        x = arr.astype(np.float32)
        out = (x - x.min()) / (x.max() - x.min())
        for c in range(3):
            np.histogram(out[..., c], bins=256, range=(0, 1))
        buf = io.BytesIO()
        Image.fromarray((out * 255).astype(np.uint8)).save(buf, format="JPEG", quality=90)

    naive_ms = statistics.median(timed(naive) for _ in range(max(2, args.repeats // 2)))
    ref = statistics.median(rerun)
    print(f"12 MP JPEG upload ({len(jpeg) / 1e6:.1f} MB), medians of {args.repeats} runs")
    print(f"{'what':<34}{'ms':>9}{'/ rerun':>10}{'/ naive':>10}")
    rows = [
        ("reference: rerun, nothing changed", ref),
        ("reference: naive 12 MP interaction", naive_ms),
        ("first run after upload (once)", first),
        ("slider: min-max hi", statistics.median(slider)),
        ("slider: clip percentiles", statistics.median(clip)),
        ("switch technique", statistics.median(switch)),
    ]
    for name, ms in rows:
        print(f"{name:<34}{ms:>9.0f}{ms / ref:>10.2f}{ms / naive_ms:>10.2f}")


if __name__ == "__main__":
    main()
