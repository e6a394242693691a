"""Alternative text of the image lesson, checked against the pixels it describes.

Each description is built from the histogram, curve or statistics a figure is drawn from; the
oracles here are the pixels themselves (``np.percentile``, ``np.min``/``np.max``/``np.mean``) and
closed forms (min-max scaling maps the minimum to 0 and the maximum to 1).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import unquote

import numpy as np
import pytest

from normviz import image_alt as ia
from normviz import intensity as ni
from normviz.figures.images import histogram_html, transfer_html

NUMBER = r"-?\d+(?:\.\d+)?"


def _between(text: str) -> tuple[float, float]:
    m = re.search(rf"80 % of the pixels between ({NUMBER}) and ({NUMBER})", text)
    assert m, text
    return float(m[1]), float(m[2])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantile_range_matches_the_pixels_within_one_bin(seed):
    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(0.4, 0.1, size=(60, 80, 3)), 0, 1).astype(np.float32)
    hist = ni.histogram(pixels, bins=256, value_range=(0.0, 1.0))
    lo, hi = ia.quantile_range(hist.counts, hist.edges)
    q10, q90 = np.percentile(pixels, [10, 90])
    width = 1.0 / 256
    assert abs(lo - q10) <= width and abs(hi - q90) <= width


def test_quantile_range_exact_and_empty():
    # 10 pixels spread over [1, 2), 10 over [2, 3): the 10 % and 90 % quantiles of that spread.
    assert ia.quantile_range(np.array([0, 10, 10, 0]), np.arange(5.0)) == (1.2, 2.8)
    # empty bins between the two clusters do not move the quantiles
    assert ia.quantile_range(np.array([10, 0, 0, 10]), np.arange(5.0)) == pytest.approx((0.2, 3.8))
    assert ia.quantile_range(np.zeros(4), np.arange(5.0)) is None


def test_histogram_alt_states_what_the_figure_shows():
    rng = np.random.default_rng(4)
    pixels = rng.uniform(0.2, 0.6, size=(50, 50, 3)).astype(np.float32)
    hist = ni.histogram(pixels, bins=256, value_range=(0.0, 1.0))
    text = ia.histogram_alt(hist, names=("R", "G", "B"), x_range=(0.0, 1.0), what="the output")
    assert text.startswith("Histogram of the output, 3 channels: R, G, B, with cumulative curves")
    assert "values from 0 to 1;" in text
    lo, hi = _between(text)
    q10, q90 = np.percentile(pixels, [10, 90])  # 0.24 and 0.56 for a uniform [0.2, 0.6]
    assert abs(lo - q10) < 0.01 and abs(hi - q90) < 0.01
    # the x range said is the figure's own
    html = histogram_html(hist, names=("R", "G", "B"), x_range=(0.0, 1.0))
    tick = r'class="nv-tick" style="position:absolute;left:([\d.]+)%[^"]*">([^<]+)<'
    ticks = re.findall(tick, html)
    assert ("0.00", "0.0") in ticks and ("100.00", "1.0") in ticks  # its x axis ends at 0 and 1


def test_histogram_alt_of_an_input_with_markers_and_log_axis():
    rng = np.random.default_rng(5)
    pixels = rng.integers(30, 221, size=(40, 40), dtype=np.uint8)
    stats = ni.image_stats(pixels)
    markers = {"low": 40.0, "high": 210.0}
    text = ia.histogram_alt(stats.fine, x_range=(0, 255), log_y=True, markers=markers)
    assert "Histogram of the input, 1 channel (grey), with its cumulative curve" in text
    assert "pixel counts on a logarithmic scale" in text
    assert text.endswith("Dashed lines mark low = 40 and high = 210.")
    lo, hi = _between(text)
    q10, q90 = np.percentile(pixels, [10, 90])
    assert abs(lo - q10) <= 1.0 and abs(hi - q90) <= 1.0  # one level per bin


def test_histogram_alt_without_pixels():
    empty = SimpleNamespace(counts=np.zeros((1, 4)), edges=np.arange(5.0))
    assert ia.histogram_alt(empty) == "Histogram of the input: no pixels to count."
    assert (
        ia.histogram_alt(empty, what="the output", cumulative=False)
        == "Histogram of the output: no pixels to count."
    )


def test_transfer_alt_min_max_closed_form():
    rng = np.random.default_rng(6)
    img = rng.integers(20, 200, size=(30, 40, 3), dtype=np.uint8)
    stats = ni.image_stats(img)
    curve = ni.transfer_curve("scale", stats, lo=0.0, hi=1.0, per_channel=False)
    text = ia.transfer_alt(curve, names=("R", "G", "B"))
    lo, hi = int(img.min()), int(img.max())
    assert text == (
        "Transfer curve, output against input: the same for every channel: "
        f"rising from input {lo} to {hi}, output 0 to 1."
    )


def test_transfer_alt_per_channel():
    x = np.linspace(0, 255, 256)
    y = np.stack([x / 255, 1 - x / 255])
    text = ia.transfer_alt(SimpleNamespace(x=x, y=y), names=("R", "G"))
    assert text == (
        "Transfer curve, output against input, per channel: "
        "R rising from input 0 to 255, output 0 to 1; G falling from input 0 to 255, output 1 to 0."
    )
    html = transfer_html(SimpleNamespace(x=x, y=y), names=("R", "G"))
    assert unquote(html).count("<path ") == 2  # the chart draws the two channels it names


def test_transfer_alt_without_a_curve():
    assert ia.transfer_alt(None, empty_message="CLAHE is local: no single transfer curve.") == (
        "Transfer curve: CLAHE is local: no single transfer curve."
    )
    empty = SimpleNamespace(x=np.zeros(0), y=np.zeros((1, 0)))
    assert ia.transfer_alt(empty) == "Transfer curve: no curve to draw."


def test_image_alts_from_the_statistics():
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
    stats = ni.image_stats(img)
    text = ia.input_image_alt("Test card", img.shape, (0.0, 255.0), stats.mean, ("R", "G", "B"))
    means = img.reshape(-1, 3).mean(axis=0)
    assert text == (
        "The input image, Test card: 32 × 24 pixels, colour (R, G, B), mean "
        + ", ".join(f"{c} {ia.short(m)}" for c, m in zip("RGB", means, strict=True))
        + ", shown from 0 (black) to 255 (white)."
    )
    out = ni.apply_technique("zscore", img, per_channel=True)
    flat = out.reshape(-1, 3)
    text = ia.output_image_alt(
        "Test card", "Z-score", (-3.0, 3.0), flat.min(0), flat.max(0), flat.mean(0), "RGB"
    )
    lo, hi = ia.short(out.min()), ia.short(out.max())
    assert text.startswith(f"Test card after Z-score: output values from {lo} to {hi}, mean R ")
    assert text.endswith("shown from -3 (black) to 3 (white).")
    # a z-scored channel has mean 0
    assert re.search(r"mean R -?0(?:\.0+\d*)?, G", text), text


def test_short_numbers():
    assert [ia.short(v) for v in (0.2, 0.24001, 254.6, 1e-4, 65535.0, -2.0)] == [
        "0.2",
        "0.24",
        "255",
        "0.0001",
        "65535",
        "-2",
    ]
