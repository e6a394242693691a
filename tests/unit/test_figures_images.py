"""Charts of the image lesson (HTML): structure, fixed ranges, payload independent of image size."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from normviz.figures._chart_html import HOVER_STRIPS
from normviz.figures.images import (
    CHANNEL_COLORS,
    CHANNEL_DASHES,
    CUMULATIVE_DASH,
    MAX_BARS,
    SVG_DASHES,
    channel_names,
    coarsen_histogram,
    display_bar_info,
    histogram_html,
    histogram_info,
    line_legend,
    mini_histogram_svg,
    stats_rows,
    transfer_html,
    transfer_info,
)


def _hist(counts, edges):
    return SimpleNamespace(counts=np.asarray(counts), edges=np.asarray(edges, dtype=np.float64))


def _rgb_hist(n_pixels: int, bins: int = 256, seed: int = 0):
    """A histogram of ``n_pixels`` random RGB pixels with ``bins`` bins over [0, 256)."""
    rng = np.random.default_rng(seed)
    counts = np.stack([rng.multinomial(n_pixels, np.full(bins, 1 / bins)) for _ in range(3)])
    return _hist(counts, np.linspace(0, 256, bins + 1))


# --- coarsen_histogram ---------------------------------------------------------------------------


def test_coarsen_exact_values():
    c, e = coarsen_histogram(np.array([[1, 2, 3, 4, 5, 6]]), np.arange(7.0), 3)
    assert c.tolist() == [[3.0, 7.0, 11.0]]
    assert e.tolist() == [0.0, 2.0, 4.0, 6.0]


@pytest.mark.parametrize("bins", [256, 4096, 65536, 1000])
def test_coarsen_keeps_totals_and_extent(bins):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 100, size=(3, bins))
    edges = np.linspace(-5.0, 7.0, bins + 1)
    c, e = coarsen_histogram(counts, edges, MAX_BARS)
    assert c.shape == (3, min(bins, MAX_BARS))
    assert e.size == c.shape[1] + 1
    np.testing.assert_array_equal(c.sum(axis=1), counts.sum(axis=1))
    assert (e[0], e[-1]) == (edges[0], edges[-1])
    assert np.all(np.diff(e) > 0)


def test_coarsen_matches_numpy_histogram_oracle():
    # 65536 uint16 bins merged to 256 equal the 256-bin histogram of the same data.
    rng = np.random.default_rng(2)
    data = rng.integers(0, 65536, size=5000)
    fine = np.bincount(data, minlength=65536)
    c, e = coarsen_histogram(fine, np.arange(65537.0), 256)
    oracle, oracle_edges = np.histogram(data, bins=256, range=(0, 65536))
    np.testing.assert_array_equal(c[0], oracle)
    np.testing.assert_array_equal(e, oracle_edges)


def test_coarsen_bad_input():
    with pytest.raises(ValueError, match=r"expected edges of shape \(5,\)"):
        coarsen_histogram(np.ones(4), np.arange(4.0))
    with pytest.raises(ValueError, match="max_bins must be >= 1"):
        coarsen_histogram(np.ones(4), np.arange(5.0), 0)


def _svg(text: str) -> ET.Element:
    """Parse an SVG string (it must be well-formed XML)."""
    return ET.fromstring(text)


SVG = "{http://www.w3.org/2000/svg}"


def test_mini_histogram_is_a_small_bare_picture():
    text = mini_histogram_svg(_rgb_hist(100))
    root = _svg(text)
    assert root.tag == f"{SVG}svg" and (root.get("width"), root.get("height")) == ("240", "70")
    assert len(root.findall(f"{SVG}polyline")) == len(root.findall(f"{SVG}polygon")) == 3
    assert not root.findall(f".//{SVG}text")  # no axes, no labels
    assert len(text) < 12_000


def _points(el: ET.Element) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in el.get("points").split()])


def test_mini_histogram_steps_are_the_merged_counts():
    # 8 bins merged into 4 (pairs): 1+3, 0+4, 2+2, 8+0 -> 4, 4, 4, 8; the tallest at the top.
    hist = _hist([[1, 3, 0, 4, 2, 2, 8, 0]], np.arange(9.0))
    root = _svg(mini_histogram_svg(hist, width=80, height=40, max_bins=4))
    pts = _points(root.find(f"{SVG}polyline"))
    info = histogram_info(hist, 4)
    assert pts[:, 0].tolist() == [0, 20, 20, 40, 40, 60, 60, 80]  # each bin's left and right edge
    heights = 40 - pts[::2, 1]
    np.testing.assert_allclose(heights, info.counts[0] / info.counts.max() * 40, atol=0.05)
    assert root.find(f"{SVG}polyline").get("stroke") == CHANNEL_COLORS["grey"]
    area = _points(root.find(f"{SVG}polygon"))
    assert area[0].tolist() == [0, 40] and area[-1].tolist() == [80, 40]  # closed on the base


def test_mini_histogram_channels_differ_by_dash_and_colour():
    root = _svg(mini_histogram_svg(_rgb_hist(1000)))
    lines = root.findall(f"{SVG}polyline")
    assert [ln.find(f"{SVG}title").text for ln in lines] == ["R", "G", "B"]
    assert [ln.get("stroke-dasharray", "") for ln in lines] == [
        SVG_DASHES[CHANNEL_DASHES[c]] for c in "RGB"
    ]
    assert len({ln.get("stroke-dasharray", "") for ln in lines}) == 3  # told apart without hue
    assert [ln.get("stroke") for ln in lines] == [CHANNEL_COLORS[c] for c in "RGB"]


@pytest.mark.parametrize(
    ("counts", "edges"), [([[0, 0]], [0.0, 1, 2]), ([[1, 2]], [0.0, np.nan, 2])]
)
def test_mini_histogram_degenerate_says_so(counts, edges):
    root = _svg(mini_histogram_svg(_hist(counts, edges)))
    assert root.find(f"{SVG}text").text == "no pixels to count"
    assert not root.findall(f"{SVG}polyline")


def test_mini_histogram_bad_names():
    with pytest.raises(ValueError, match=r"expected 3 channel names \(got 1\)"):
        mini_histogram_svg(_rgb_hist(10), names=["grey"])


# --- stats rows, channel names ---------------------------------------------------------------


def test_stats_rows_before_after_and_nan_free():
    before = SimpleNamespace(
        minimum=np.array([0.0, 1, 2]),
        maximum=np.array([255.0, 254, 253]),
        mean=np.array([100.0, 90, 80]),
        std=np.array([20.0, 21, 22]),
    )
    after = SimpleNamespace(
        minimum=np.zeros(3), maximum=np.ones(3), mean=np.full(3, np.nan), std=np.ones(3)
    )
    rows = stats_rows(before, after)
    assert [r["channel"] for r in rows] == ["R", "G", "B"]
    assert rows[1]["min"] == 1.0 and rows[2]["std"] == 22.0
    assert rows[0]["after max"] == 1.0 and rows[0]["after mean"] == 0.0


def test_channel_names():
    assert channel_names(4) == ("R", "G", "B", "A")
    assert channel_names(1) == ("grey",)


# --- *_info records: computed from data, checked without Plotly -------------------------------


def test_histogram_info_merges_bins_and_refuses_what_cannot_be_drawn():
    info = histogram_info(_hist([[1, 2, 3, 4, 5, 6]], np.arange(7.0)), max_bins=3)
    assert info.counts.tolist() == [[3.0, 7.0, 11.0]] and info.edges.tolist() == [0, 2, 4, 6]
    assert histogram_info(_hist([[0, 0]], [0.0, 1.0, 2.0])) is None  # nothing counted
    assert histogram_info(_hist([[1, 1]], [0.0, np.nan, 2.0])) is None
    assert histogram_info(_hist([[1, 1]], [2.0, 1.0, 0.0])) is None  # descending edges


def test_transfer_info_keeps_the_finite_samples_and_tells_equal_channels():
    c = SimpleNamespace(x=np.array([0.0, 1.0, 2.0]), y=np.array([[0, np.inf, 2], [0, 1, 1.0]]))
    info = transfer_info(c)
    assert info.x.tolist() == [0.0, 2.0] and info.y.tolist() == [[0, 2], [0, 1]]
    assert not info.same
    assert transfer_info(SimpleNamespace(x=np.arange(3.0), y=np.ones((3, 3)))).same
    assert transfer_info(SimpleNamespace(x=np.arange(3.0), y=np.ones((1, 2)))) is None
    assert transfer_info(SimpleNamespace(x=np.zeros(0), y=np.zeros((1, 0)))) is None


def test_display_bar_info_is_the_linear_display_mapping():
    info = display_bar_info(10.0, 30.0)
    np.testing.assert_allclose(info.z[0], np.clip((info.x - 10.0) / 20.0, 0, 1))
    assert (info.x[0], info.x[-1]) == (5.0, 35.0)
    assert display_bar_info(1.0, np.inf) is None and display_bar_info(2.0, 1.0) is None


# --- the page's charts as HTML (histogram_html, transfer_html): no Plotly in the browser --------


def _parse(html: str):
    """Return (chart element, the plot picture's SVG element) of an HTML chart."""
    root = ET.fromstring(html)
    img = root.find(".//img")
    src = img.get("src") if img is not None else None
    assert src is None or src.startswith("data:image/svg+xml,")
    svg = ET.fromstring(unquote(src.split(",", 1)[1])) if src else None
    return root, svg


def _by_class(root, name: str) -> list:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _paths(svg) -> list:
    return list(svg.iter("{http://www.w3.org/2000/svg}path"))


def _left(e) -> float:
    return float(re.search(r"left:([-\d.]+)%", e.get("style")).group(1))


@pytest.mark.parametrize("log_y", [False, True])
def test_histogram_html_draws_the_info_counts(log_y):
    hist = _rgb_hist(20_000, bins=1024, seed=3)
    info = histogram_info(hist)  # the oracle: the same merged bins as the Plotly histogram
    html = histogram_html(hist, names=("R", "G", "B"), log_y=log_y, alt="Histogram of it")
    root, svg = _parse(html)
    assert root.get("role") == "img" and root.get("aria-label") == "Histogram of it"
    assert root.get("data-y-scale") == ("log" if log_y else "linear")
    fills = [p for p in _paths(svg) if p.get("fill") != "none"]
    lines = [p for p in _paths(svg) if p.get("fill") == "none"]
    assert [p.get("fill") for p in fills] == [CHANNEL_COLORS[c] for c in "RGB"]
    # each channel's step line: one level per bin, its height the bin's count on the axis
    top = info.counts.max()
    for row, line in zip(info.counts, lines[:3], strict=True):
        levels = np.array([int(v) for v in re.findall(r"V(-?\d+)", line.get("d"))])
        assert levels.size == MAX_BARS
        height = (1000 - levels) / 1000
        if log_y:
            expected = np.log10(np.maximum(row, 1)) / (np.log10(top) + 0.15)
        else:
            expected = row / (top * 1.08)
        np.testing.assert_allclose(height, expected, atol=6e-4)
    dashes = [p.get("stroke-dasharray") for p in lines]
    assert dashes == [None, SVG_DASHES["dash"], SVG_DASHES["dashdot"]] + [SVG_DASHES["dot"]] * 3
    # hover: one box per 4 neighbouring bins (256 bins, 64 boxes), its title their range, each
    # channel's pixels in them and its cumulative fraction at their upper edge
    bins = _by_class(root, "nv-bin")
    assert len(bins) == HOVER_STRIPS == MAX_BARS // 4
    cdf = np.cumsum(info.counts, axis=1) / info.counts.sum(axis=1, keepdims=True)
    for b in (0, 17, 63):
        first, end = 4 * b, 4 * b + 4
        title = bins[b].get("title")
        assert title.startswith(f"{info.edges[first]:.4g} to {info.edges[end]:.4g}: ")
        counts = [int(v.replace(",", "")) for v in re.findall(r"[RGB] ([\d,]+) px", title)]
        assert counts == [int(sum(row[first:end])) for row in info.counts.tolist()]
        shares = [float(v) for v in re.findall(r"[RGB] ([\d.]+) %", title)]
        np.testing.assert_allclose(shares, 100 * cdf[:, end - 1], atol=0.051)
    # the boxes tile the bins: every pixel counted in exactly one box
    per_box = np.array(
        [[int(v.replace(",", "")) for v in re.findall(r"[RGB] ([\d,]+) px", b.get("title"))]
         for b in bins]
    )  # fmt: skip
    assert per_box.sum(axis=0).tolist() == info.counts.sum(axis=1).tolist()
    # direct labels: each channel at its peak and on its cumulative curve
    assert [n.text for n in _by_class(root, "nv-note")] == list("RGBRGB")


def test_histogram_html_axes_markers_and_one_channel():
    hist = _hist([[5, 0, 3, 2]], [0, 1, 2, 3, 4])
    root, _ = _parse(histogram_html(hist, x_range=(0.0, 4.0), markers={"low": 1.0, "high": 3.0}))
    marks = _by_class(root, "nv-marker")
    assert [m.text for m in marks] == ["low", "high"]
    assert [_left(m) for m in marks] == [25.0, 75.0]
    ticks = [t.text for t in _by_class(root, "nv-tick")]
    assert {"0", "1", "2", "3", "4"} <= set(ticks) and {"0%", "50%", "100%"} <= set(ticks)
    assert [t.text for t in _by_class(root, "nv-axis-title")] == ["intensity", "pixels"]
    assert _by_class(root, "nv-note") == []  # one channel: no label needed
    titles = [b.get("title") for b in _by_class(root, "nv-bin")]
    assert titles[0] == "0 to 1: grey 5 px; 50.0 % at or below"
    assert titles[3] == "3 to 4: grey 2 px; 100.0 % at or below"


def test_histogram_html_empty_and_bad_names():
    root, svg = _parse(histogram_html(_hist([[0, 0]], [0.0, 1.0, 2.0]), alt="Histogram"))
    assert svg is None and "no pixels to count" in "".join(root.itertext())
    with pytest.raises(ValueError, match="expected 3 channel names"):
        histogram_html(_rgb_hist(10), names=["grey"])


def test_histogram_html_payload_small_for_16_bit():
    html = histogram_html(_rgb_hist(12_000_000, bins=65536), log_y=True)
    assert len(html) < 60_000
    assert len(_by_class(_parse(html)[0], "nv-bin")) == HOVER_STRIPS


def test_transfer_html_draws_the_info_curve():
    x = np.linspace(0, 255, 256)
    y = np.stack([x / 255, np.clip((x - 10) / 240, 0, 1), np.clip((x - 30) / 225, 0, 1)])
    y[1, 5] = np.nan  # dropped, as transfer_info drops it
    curve = SimpleNamespace(x=x, y=y)
    info = transfer_info(curve)  # the oracle
    html = transfer_html(curve, names=("R", "G", "B"), y_range=(-0.05, 1.05), alt="Transfer")
    root, svg = _parse(html)
    assert root.get("data-chart") == "transfer" and root.get("aria-label") == "Transfer"
    paths = _paths(svg)
    assert [p.get("stroke") for p in paths] == [CHANNEL_COLORS[c] for c in "RGB"]
    assert [p.get("stroke-dasharray") for p in paths] == [
        None, SVG_DASHES["dash"], SVG_DASHES["dashdot"],
    ]  # fmt: skip
    for row, path in zip(info.y, paths, strict=True):
        pts = np.array(re.findall(r"(-?\d+),(-?\d+)", path.get("d")), dtype=float)
        np.testing.assert_allclose(pts[:, 0] / 1000 * 255, info.x, atol=0.26)
        np.testing.assert_allclose(1.05 - pts[:, 1] / 1000 * 1.1, row, atol=6e-4)
    strips = [s.get("title") for s in _by_class(root, "nv-strip")]
    assert len(strips) == 64
    centre = 255 * 40.5 / 64
    expected = ", ".join(
        f"{n} {np.interp(centre, info.x, row):.4g}" for n, row in zip("RGB", info.y, strict=True)
    )
    assert strips[40] == f"input {centre:.4g}: {expected}"
    assert [n.text for n in _by_class(root, "nv-note")] == ["R", "G", "B"]


def test_transfer_html_same_channels_bands_and_empty():
    x = np.linspace(0, 255, 5)
    curve = SimpleNamespace(x=x, y=np.stack([x / 51 - 2.5] * 3))  # z-like, -2.5..2.5
    html = transfer_html(curve, names=("R", "G", "B"), y_range=(-3.0, 3.0), display_range=(-2, 2))
    root, svg = _parse(html)
    assert len(_paths(svg)) == 1 and _by_class(root, "nv-note") == []  # one line, no label
    assert _by_class(root, "nv-strip")[0].get("title").startswith("input 1.992: all channels ")
    bands = [e for e in root.iter() if "background:rgba(148" in (e.get("style") or "")]
    assert len(bands) == 2  # below -2 and above 2: shown black and white
    empty = transfer_html(None, empty_message="CLAHE is local.", alt="Transfer curve: none")
    root, svg = _parse(empty)
    assert svg is None and "".join(root.itertext()) == "CLAHE is local."
    assert root.get("aria-label") == "Transfer curve: none"
    with pytest.raises(ValueError, match="expected 1 channel names"):
        transfer_html(SimpleNamespace(x=x, y=x[None, :]), names=("R", "G"))


# --- what the removed Plotly builders checked, on the HTML charts the page draws ---------------


def _top(e) -> float:
    return float(re.search(r"top:([-\d.]+)%", e.get("style")).group(1))


def _shift(e) -> float:
    """A direct label's downward shift in px (its ``translate``'s y)."""
    return float(re.search(r"translate\([^,]+, (-?[\d.]+)px\)", e.get("style")).group(1))


def _x_ticks(root) -> dict[str, float]:
    """The x axis' tick labels and their positions (% of the plot's width)."""
    return {
        t.text: _left(t)
        for t in _by_class(root, "nv-tick")
        if "top:calc(100% + 8px)" in t.get("style")
    }


def _lines(svg) -> list:
    return [p for p in _paths(svg) if p.get("fill") == "none"]


def test_histogram_html_x_range_height_and_cumulative_curve():
    root, svg = _parse(histogram_html(_hist([[5, 0, 3, 2]], [0, 1, 2, 3, 4]), x_range=(0.0, 4.0)))
    assert "height:230px" in root.get("style")  # fixed, whatever the image
    ticks = _x_ticks(root)
    assert (ticks["0"], ticks["4"]) == (0.0, 100.0)  # the axis spans the range given
    count, cumulative = _lines(svg)
    pts = np.array(re.findall(r"(-?\d+),(-?\d+)", cumulative.get("d")), dtype=float)
    np.testing.assert_allclose(pts[:, 0] / 10, [0, 25, 50, 75, 100])
    cdf = (1000 - pts[:, 1]) / 1000 * 1.02  # the cumulative axis is 0..102 %
    np.testing.assert_allclose(cdf, [0.0, 0.5, 0.5, 0.8, 1.0], atol=1.1e-3)
    # the page's text says "dotted: cumulative"; the counts are drawn solid
    from normviz.image_text import definition

    assert "(dotted: cumulative)" in definition()
    assert cumulative.get("stroke-dasharray") == SVG_DASHES["dot"]
    assert count.get("stroke-dasharray") is None


@pytest.mark.parametrize(
    ("counts", "edges"),
    [
        (np.zeros((1, 4)), np.arange(5.0)),  # no pixels
        (np.zeros((1, 0)), np.zeros(1)),  # no bins
        (np.ones((1, 2)), np.array([1.0, 1.0, 1.0])),  # constant image: zero-width range
        (np.ones((1, 2)), np.array([0.0, np.nan, 1.0])),
    ],
)
def test_histogram_html_degenerate_gives_an_empty_labelled_chart(counts, edges):
    root, svg = _parse(histogram_html(_hist(counts, edges), alt="Histogram: before", height=123))
    assert svg is None and "".join(root.itertext()) == "no pixels to count"
    assert root.get("aria-label") == "Histogram: before" and "height:123px" in root.get("style")


@pytest.mark.parametrize("n_channels", [3, 4])
@pytest.mark.parametrize("log_y", [False, True])
def test_histogram_html_channels_differ_by_dash_and_label(n_channels, log_y):
    rng = np.random.default_rng(5)
    # Red and green drawn from the same distribution: only hue would tell them apart.
    pixels = rng.integers(0, 256, size=(40, 50, n_channels), dtype=np.uint8)
    names = channel_names(n_channels)
    root, svg = _parse(histogram_html(_rgba_hist_of(pixels), names=names, log_y=log_y))
    lines = _lines(svg)
    counts, cumulative = lines[:n_channels], lines[n_channels:]
    dashes = [p.get("stroke-dasharray") for p in counts]
    assert dashes == [SVG_DASHES[CHANNEL_DASHES[c]] or None for c in names]
    assert len(set(dashes)) == n_channels  # the dash alone tells them apart
    assert {p.get("stroke-dasharray") for p in cumulative} == {SVG_DASHES[CUMULATIVE_DASH]}
    assert CUMULATIVE_DASH not in CHANNEL_DASHES.values()  # dotted means cumulative only
    notes = _by_class(root, "nv-note")
    assert [n.text for n in notes] == [*names, *names]  # on each count curve and cumulative
    # the cumulative labels where each curve crosses 50 %, one line apart; all inside the plot
    assert [_top(n) for n in notes[n_channels:]] == [pytest.approx(100 - 50 / 1.02, abs=0.01)] * (
        n_channels
    )
    assert [_shift(n) for n in notes[n_channels:]] == [2 + 12 * i - 8 for i in range(n_channels)]
    assert all(0 <= _top(n) <= 100 and 4 <= _left(n) <= 96 for n in notes)


def test_histogram_html_labels_at_the_peak_and_median_of_each_channel():
    counts = np.array([[0, 10, 0, 0], [0, 0, 0, 7]])
    root, _ = _parse(histogram_html(_hist(counts, [0, 1, 2, 3, 4]), names=["R", "G"]))
    r, g, r_cdf, g_cdf = _by_class(root, "nv-note")
    assert (_left(r), _top(r)) == (37.5, pytest.approx(100 - 100 / 1.08, abs=0.01))  # 1.5, 10
    assert (_left(g), _top(g)) == (87.5, pytest.approx(100 - 70 / 1.08, abs=0.01))  # 3.5, 7
    # the right edge where the CDF reaches 50 %: 2 for R, 4 for G (kept inside the plot: 96 %)
    assert (_left(r_cdf), _left(g_cdf)) == (50.0, 96.0)


def test_histogram_html_payload_independent_of_image_size():
    small = histogram_html(_rgb_hist(10_000, bins=65536))
    large = histogram_html(_rgb_hist(12_000_000, bins=65536))
    # The same bins and boxes; only the digits of the counts differ.
    assert abs(len(large) - len(small)) < 0.2 * len(small)


def test_log_counts_is_the_same_axis_whatever_the_data():
    # the page passes one log_y to both histograms; the chart obeys it for any histogram
    for log_y in (False, True):
        scales = {
            _parse(histogram_html(h, log_y=log_y))[0].get("data-y-scale")
            for h in (_rgb_hist(5_000), _hist([[0, 9, 0, 1]], np.arange(5.0)))
        }
        assert scales == {"log" if log_y else "linear"}


def test_line_legend_names_the_charts_dashes():
    _, svg = _parse(histogram_html(_rgb_hist(500), names=("R", "G", "B"), cumulative=False))
    name_of = {(v or None): k for k, v in SVG_DASHES.items()}
    words = {"solid": "solid", "dash": "dashed", "dashdot": "dash-dot"}
    drawn = [words[name_of[p.get("stroke-dasharray")]] for p in _lines(svg)]
    expected = ", ".join(f"{c} {w}" for c, w in zip("RGB", drawn, strict=True))
    assert line_legend(("R", "G", "B")) == expected == "R solid, G dashed, B dash-dot"


def test_transfer_html_identical_channels_once_in_a_padded_range():
    x = np.linspace(0, 1, 5)
    _, svg = _parse(transfer_html(SimpleNamespace(x=x, y=np.stack([x, x, x]))))
    (path,) = _paths(svg)
    ys = np.array(re.findall(r"(-?\d+),(-?\d+)", path.get("d")), dtype=float)[:, 1]
    assert ys.min() > 0 and ys.max() < 1000  # padded automatic range: inside the plot


def test_transfer_html_constant_and_empty_curves():
    flat = transfer_html(SimpleNamespace(x=np.array([3.0, 3.0]), y=np.zeros((1, 2))))
    assert "nan" not in flat.lower() and "inf" not in flat.lower()  # a finite range
    root, svg = _parse(transfer_html(SimpleNamespace(x=np.zeros(0), y=np.zeros((1, 0)))))
    assert svg is None and "".join(root.itertext()) == "no transfer curve to draw"


def test_transfer_html_channels_differ_by_dash_and_label():
    x = np.linspace(0, 255, 256)
    # Per-channel min-max: all three curves end at the same point (255, 1).
    y = np.stack([x / 255, np.clip((x - 10) / 240, 0, 1), np.clip((x - 30) / 225, 0, 1)])
    html = transfer_html(SimpleNamespace(x=x, y=y), names=("R", "G", "B"), y_range=(-0.05, 1.05))
    root, svg = _parse(html)
    assert [p.get("stroke-dasharray") for p in _paths(svg)] == [
        None, SVG_DASHES["dash"], SVG_DASHES["dashdot"],
    ]  # fmt: skip
    notes = _by_class(root, "nv-note")
    assert [n.text for n in notes] == ["R", "G", "B"]
    # at the curves' common end, one line apart, kept inside the plot
    assert [(_left(n), round(_top(n), 2), _shift(n)) for n in notes] == [
        (96.0, 4.55, 2.0), (96.0, 4.55, 14.0), (96.0, 4.55, 26.0),
    ]  # fmt: skip


def test_transfer_html_label_kept_inside_the_plot():
    x = np.linspace(0, 1, 5)
    root, _ = _parse(transfer_html(SimpleNamespace(x=x, y=np.stack([x * 9, x])), y_range=(0, 1)))
    assert [_top(n) for n in _by_class(root, "nv-note")] == [0.0, 0.0]


def _rgba_hist_of(pixels: np.ndarray):
    from normviz import intensity

    return intensity.histogram(pixels, bins=256, value_range=(0, 255))


def test_table_html_round_trips_the_rows():
    from normviz.figures.table_html import table_html

    rows = [
        {"channel": "R <before>", "min": 0.0, "max": 255.0, "mean": 12.34567, "std": -0.0},
        {"channel": "R after", "min": -1.5, "max": 2.0, "mean": 0.1, "std": 1.0},
    ]
    root = ET.fromstring(table_html(rows, label="Statistics per channel"))
    assert root.get("role") == "region" and root.get("tabindex") == "0"
    assert "overflow-x:auto" in root.get("style")
    assert [th.text for th in root.iter("th")] == ["channel", "min", "max", "mean", "std"]
    cells = [[td.text for td in tr.iter("td")] for tr in root.find("table/tbody")]
    assert cells == [
        ["R <before>", "0", "255", "12.3457", "0"],
        ["R after", "-1.5", "2", "0.1", "1"],
    ]


def test_code_html_keeps_the_code_and_colours_its_tokens():
    from normviz.figures.code_html import COLOURS
    from normviz.figures.images import code_html

    code = 'import numpy as np\nx = np.clip(img, 2.5, 250)  # a <b> & "c"\ns = f"{x!r}"\n'
    root = ET.fromstring(code_html(code, label='Code "on screen"'))
    assert "".join(root.itertext()) == code  # the text is the code exactly, as copied
    assert root.get("aria-label") == 'Code "on screen"' and root.get("tabindex") == "0"
    spans = {(s.text, s.get("style")) for s in root.iter("span")}
    colour = {k: f"color:{v}" for k, v in COLOURS.items()}
    assert {("import", colour["keyword"]), ("as", colour["keyword"])} <= spans
    assert {("2.5", colour["number"]), ("250", colour["number"])} <= spans
    assert ('# a <b> & "c"', colour["comment"]) in spans and ('f"{x!r}"', colour["string"]) in spans
    assert "np" not in {t for t, _ in spans}  # names stay plain
    broken = "x = '''never closed\n"
    assert "".join(ET.fromstring(code_html(broken, label="c")).itertext()) == broken


# --- the comparison grid as one HTML block -------------------------------------------------


def test_grid_html_holds_each_tile_sized_and_described():
    import base64
    import io

    from PIL import Image

    from normviz.figures.images import GRID_CLASS, GridTile, grid_html
    from normviz.io import encode_jpeg

    rng = np.random.default_rng(0)
    thumbs = [rng.integers(0, 256, (30 + 10 * i, 40), dtype=np.uint8) for i in range(5)]
    tiles = [
        GridTile(f"Clip {i}–99 % <x>", encode_jpeg(t), f'Tile "{i}"',
                 mini_histogram_svg(_rgb_hist(100 + i)), f"Histogram {i} & more")
        for i, t in enumerate(thumbs)
    ]  # fmt: skip
    html = grid_html(tiles)
    root = ET.fromstring(f"<p>{html}</p>")
    (grid,) = [e for e in root.iter("div") if e.get("class") == GRID_CLASS]
    assert "repeat(4, minmax(0, 1fr))" in html and "max-width: 640px" in html
    figures = list(grid)
    assert [f.get("class") for f in figures] == ["nv-tile"] * 5
    for fig_, tile, pixels in zip(figures, tiles, thumbs, strict=True):
        thumb, caption, mini = list(fig_)
        assert (thumb.get("class"), caption.tag, mini.get("class")) == (
            "nv-thumb", "figcaption", "nv-mini",
        )  # fmt: skip
        assert caption.text == tile.title and thumb.get("alt") == tile.alt
        assert mini.get("alt") == tile.histogram_alt
        # the pictures are the tile's own, with their pixel sizes (the layout never moves)
        jpeg = base64.b64decode(thumb.get("src").removeprefix("data:image/jpeg;base64,"))
        assert jpeg == tile.jpeg
        h, w = pixels.shape
        assert (thumb.get("width"), thumb.get("height")) == (str(w), str(h))
        assert Image.open(io.BytesIO(jpeg)).size == (w, h)
        svg = base64.b64decode(mini.get("src").removeprefix("data:image/svg+xml;base64,"))
        assert svg.decode() == tile.histogram_svg
        assert (mini.get("width"), mini.get("height")) == ("240", "70")
    assert grid_html([]).endswith(f'<div class="{GRID_CLASS}"></div>')
    with pytest.raises(ValueError, match="not a readable image"):
        grid_html([tiles[0]._replace(jpeg=b"nope")])
    with pytest.raises(ValueError, match="width and height"):
        grid_html([tiles[0]._replace(histogram_svg="<svg></svg>")])


def test_grid_html_links_each_picture_when_given_a_link_and_falls_back_to_data_urls():
    from normviz.figures.images import GridTile, grid_html
    from normviz.io import encode_jpeg

    jpeg = encode_jpeg(np.zeros((6, 8), dtype=np.uint8))
    svg = mini_histogram_svg(_rgb_hist(7))
    tiles = [GridTile("Min-max", jpeg, "Thumb", svg, "Histogram")]
    asked = []

    def link(data: bytes, media_type: str) -> str | None:
        asked.append((data, media_type))
        return None if media_type == "image/svg+xml" else '/m/a&"b.jpg'

    root = ET.fromstring(f"<p>{grid_html(tiles, link=link)}</p>")
    thumb, mini = [e for e in root.iter("img")]
    assert asked == [(jpeg, "image/jpeg"), (svg.encode(), "image/svg+xml")]
    assert thumb.get("src") == '/m/a&"b.jpg'  # escaped in the attribute, read back whole
    assert mini.get("src").startswith("data:image/svg+xml;base64,")  # None: a data URL
