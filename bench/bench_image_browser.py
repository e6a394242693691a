"""The image page in a real browser: payload and slider latency, 12 MP against 1 MP.

Run: ``.venv/bin/python -m bench.bench_image_browser [--repeats 5]`` (needs Debian's chromium).

Starts the app on a free loopback port, opens ``/images`` in headless Chromium, uploads a 1 MP
and then a 12 MP photo-like JPEG, and for each measures

- the bytes the browser receives for the page after the upload (websocket frames plus media
  responses: figures, images, text), and for one parameter change;
- the time from a parameter change (typing a new "hi" for min-max scaling and pressing Enter) to
  the page settled (script finished, nothing running), median of ``--repeats`` changes.

The reference is the same page with the 1 MP upload, measured in the same run: the goal is that
a 12 MP upload costs the browser the same bytes (ratio ~1) and a slider change settles about as
fast (ratio ~1), because interaction runs on a screen-sized preview with statistics computed once.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.support.server import CHROMIUM, FLAGS, free_port, start_server, stop_server, wait_ready


def photo_jpeg(path: Path, h: int, w: int, seed: int = 0) -> Path:
    """Write a smooth, noisy, photo-like RGB JPEG of ``h`` x ``w`` pixels."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 90 + 60 * np.sin(x / (w / 7)) * np.cos(y / (h / 5))
    rgb = np.stack([base, base * 0.8 + 30, 200 - base * 0.6], axis=-1)
    rgb += rng.normal(0, 8, size=rgb.shape).astype(np.float32)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def settle(page, timeout_s: float = 120.0) -> None:
    """Wait until the script finished and nothing has been running for 0.3 s."""
    start, quiet = time.perf_counter(), None
    while time.perf_counter() - start < timeout_s:
        state = page.get_attribute("[data-testid=stApp]", "data-test-script-state")
        if state == "notRunning" and page.query_selector("[data-testid=stStatusWidget]") is None:
            quiet = quiet or time.perf_counter()
            if time.perf_counter() - quiet > 0.3:
                return
        else:
            quiet = None
        page.wait_for_timeout(20)
    raise TimeoutError("the page did not settle")


class ByteCounter:
    """Counts bytes reaching the page: websocket frames and HTTP response bodies."""

    def __init__(self, page) -> None:
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", self._response)

    def _frame(self, payload) -> None:
        self.total += len(payload)

    def _response(self, response) -> None:
        with contextlib.suppress(Exception):  # redirects and aborted requests have no body
            self.total += len(response.body())


def change_hi(page, value: float) -> float:
    """Type ``value`` into the min-max "hi" input, press Enter, return seconds to settled."""
    box = page.locator(".st-key-img_param_hi input")
    box.fill(f"{value:.2f}")
    start = time.perf_counter()
    box.press("Enter")
    page.wait_for_timeout(50)
    settle(page)
    return time.perf_counter() - start - 0.3  # settle() waits 0.3 s of quiet


def measure(page, counter: ByteCounter, photo: Path, repeats: int) -> tuple[int, int, float]:
    """Upload ``photo``; return (bytes after upload, bytes per change, median change seconds)."""
    before = counter.total
    page.set_input_files(".st-key-img_upload input[type=file]", str(photo))
    page.wait_for_timeout(500)
    settle(page, 300)
    page.wait_for_timeout(1000)  # media responses finish arriving
    upload_bytes = counter.total - before
    times, change_bytes = [], []
    for i in range(repeats):
        mark = counter.total
        times.append(change_hi(page, 0.9 if i % 2 == 0 else 1.0))
        page.wait_for_timeout(300)
        change_bytes.append(counter.total - mark)
    return upload_bytes, int(statistics.median(change_bytes)), statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        small = photo_jpeg(Path(tmp) / "photo-1mp.jpg", 866, 1155)
        large = photo_jpeg(Path(tmp) / "photo-12mp.jpg", 3000, 4000)
        server = start_server(port, Path(tmp) / "server.log")
        try:
            wait_ready(url, proc=server, log=Path(tmp) / "server.log")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                counter = ByteCounter(page)
                page.goto(url + "/images")
                settle(page, 300)
                measure(page, counter, large, 1)  # warm-up: the page's first upload loads code
                results = {
                    "1 MP": measure(page, counter, small, args.repeats),
                    "12 MP": measure(page, counter, large, args.repeats),
                }
                browser.close()
        finally:
            stop_server(server)

    ref = results["1 MP"]
    print(f"image page in headless Chromium, median of {args.repeats} parameter changes")
    print(f"{'upload':8s} {'bytes after upload':>20s} {'bytes per change':>18s} {'change ms':>10s}")
    for name, (up, ch, sec) in results.items():
        print(f"{name:8s} {up:20,d} {ch:18,d} {sec * 1e3:10.0f}")
    up, ch, sec = results["12 MP"]
    print(
        f"ratio 12 MP / 1 MP: upload bytes {up / ref[0]:.2f}, "
        f"change bytes {ch / max(ref[1], 1):.2f}, change time {sec / ref[2]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
