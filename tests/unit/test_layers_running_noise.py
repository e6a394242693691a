"""The running statistics' SVG panels and the batch-size noise's HTML chart, read back.

Every position drawn is decoded back to a value and compared with the record the chart was
built from (RunningTrace, BatchNoise), whose numbers are checked against torch in
test_layer_studies / test_layer_running; titles, legends, the time constant and the frames too.
"""

from __future__ import annotations

import json
import math
import re
from html import unescape
from urllib.parse import unquote

import numpy as np
import pytest

from normviz import layer_studies as studies
from normviz.figures.layers import KIND_COLORS, batch_noise_alt, coincide_note, running_alt
from normviz.figures.layers_cube import KIND_TITLES
from normviz.figures.layers_noise_html import batch_noise_html, line_styles
from normviz.figures.layers_running_svg import running_payload, running_svg
from normviz.tensors import synthetic_batch

UNITS = 1000.0


def _panel(html: str, name: str) -> str:
    """The HTML of one panel (from its chart box to the next panel or the legend)."""
    start = html.index(f'data-panel="{name}"')
    end = min(i for i in (html.find('class="nv-run-panel"', start), html.find("nv-legend"))
              if i > 0)  # fmt: skip
    return html[start:end]


def _attr(html: str, name: str) -> float:
    return float(re.search(rf'data-{name}="([^"]+)"', html).group(1))


def _path(panel: str, cls: str) -> str:
    return re.search(rf'class="{cls}" d="([^"]*)"', panel).group(1)


def _dots(d: str) -> np.ndarray:
    return np.array(re.findall(r"M(-?[\d.]+) (-?[\d.]+)h0", d), dtype=float).reshape(-1, 2)


def _line(d: str) -> np.ndarray:
    return np.array(re.findall(r"(-?[\d.]+) (-?[\d.]+)", d), dtype=float).reshape(-1, 2)


def _decode(points: np.ndarray, steps: int, lo: float, hi: float) -> tuple[np.ndarray, ...]:
    """SVG units back to (batch, value): x = (b - 0.5) / S, y = (hi - v) / (hi - lo)."""
    return points[:, 0] / UNITS * steps + 0.5, hi - points[:, 1] / UNITS * (hi - lo)


@pytest.mark.parametrize(
    ("momentum", "convention", "batch"),
    [(0.1, "pytorch", 8), (0.9, "keras", 2), (0.3, "pytorch", 64)],
)
def test_running_panels_draw_the_trace(momentum, convention, batch):
    trace = studies.running_study(momentum, convention, batch, seed=0)
    tau = studies.time_constant(momentum, convention)
    mean, var = studies.POPULATION
    view = running_svg(trace, mean, var, tau=tau)
    steps = len(trace.batch_mean)
    assert view.batches == steps
    series = {
        "mean": (trace.batch_mean, trace.running_mean, mean),
        "variance": (trace.batch_var_fed, trace.running_var, var),
    }
    for name, (batch_values, running, target) in series.items():
        panel = _panel(view.html, name)
        lo, hi = _attr(panel, "lo"), _attr(panel, "hi")
        # the range holds every value and the population value, 8 % padded (numpy oracle)
        everything = np.concatenate([batch_values, running, [target]])
        pad = 0.08 * (everything.max() - everything.min())
        assert (lo, hi) == pytest.approx((everything.min() - pad, everything.max() + pad))
        tol = (hi - lo) * 1e-4  # one decimal of 1000 units
        b, v = _decode(_dots(_path(panel, "nv-run-batch")), steps, lo, hi)
        np.testing.assert_allclose(b, np.arange(1, steps + 1), atol=0.05 * steps / 1000 + 1e-3)
        np.testing.assert_allclose(v, batch_values, atol=tol)
        b, v = _decode(_line(_path(panel, "nv-run-running")), steps, lo, hi)
        np.testing.assert_allclose(b, np.arange(1, steps + 1), atol=0.05 * steps / 1000 + 1e-3)
        np.testing.assert_allclose(v, running, atol=tol)
        (y,) = re.findall(r"M0 (-?[\d.]+)H1000", _path(panel, "nv-run-population"))
        assert hi - float(y) / UNITS * (hi - lo) == pytest.approx(target, abs=tol)
        (x,) = re.findall(r"M(-?[\d.]+) 0V1000", _path(panel, "nv-run-tau"))
        assert float(x) / UNITS * steps + 0.5 == pytest.approx(tau, abs=steps * 1e-4)
        assert f">τ = {tau:g}<" in panel
        assert re.search(r'class="nv-axis-title"[^>]*>batch<', panel)
        found = re.findall(r'class="nv-tick"[^>]*>([^<]*)<', panel)
        ticks = [float(t.replace("\u2212", "-")) for t in found]
        assert len(ticks) >= 4 and all(lo <= t <= hi or 0.5 <= t <= steps + 0.5 for t in ticks)
    titles = re.findall(r'class="nv-run-title"[^>]*>([^<]*)<', view.html)
    assert titles == ["mean", "variance"]
    legend = re.findall(r"</svg>([^<]+)</span>", view.html[view.html.index("nv-legend") :])
    assert legend == ["batch", "running", "population", "τ, time constant"]
    label = running_alt(trace, mean, var, tau=tau)
    assert view.label == label
    assert f'role="img" aria-label="{label}"' in unescape(view.html)


def test_running_frames_reveal_a_growing_prefix_and_name_its_values():
    trace = studies.running_study(0.01, "pytorch", 8, seed=0)  # a long stream: 500 batches
    view = running_svg(trace, *studies.POPULATION, tau=100.0)
    steps = len(trace.batch_mean)
    assert steps == 500 and len(view.frames) == 60
    lasts = [f.last for f in view.frames]
    assert lasts[0] == 1 and lasts[-1] == steps and lasts == sorted(set(lasts))
    panel = _panel(view.html, "mean")
    xs = _dots(_path(panel, "nv-run-batch"))[:, 0]
    clip = re.search(r'<rect class="nv-run-clip" x="(-?[\d.]+)"', panel)
    left = float(clip.group(1))
    for f in view.frames:
        right = left + f.clip  # the clip rectangle's right edge
        assert int((xs < right).sum()) == f.last  # exactly batches 1..last shown
        k = f.last - 1
        assert f.title == (
            f"Batches 1 to {f.last} of {steps}",
            f"running mean {trace.running_mean[k]:.3g} · running variance "
            f"{trace.running_var[k]:.3g}",
        )
        assert f.at == f"batch {f.last} of {steps}"
    payload = running_payload(view)
    assert payload["start"] == "last" and payload["targets"] == [[".nv-run-clip", "width"]]
    assert [fr["set"] for fr in payload["frames"]] == [[f.clip] for f in view.frames]
    assert len(json.dumps(payload)) < 150_000
    assert "<script" not in view.html and "plotly" not in view.html.lower()


def test_running_chart_without_tau_or_batches_does_not_raise():
    trace = studies.running_study(0.1, "pytorch", 8, seed=0)
    view = running_svg(trace, *studies.POPULATION)
    assert 'class="nv-run-tau"' not in view.html and "τ, time constant" not in view.html
    empty = running_svg(studies.RunningTrace([], [], [], [], [], 0.1, "pytorch"), 2.0, 9.0)
    assert empty.frames == () and running_payload(empty)["frames"] == []
    assert "no batches" in empty.label


# --- the batch-size noise ----------------------------------------------------------------------

POINT = re.compile(
    r'<i class="nv-point" data-kind="(\w+)" title="([^"]*)" style="left:([\d.]+)%;'
    r'bottom:([\d.]+)%">'
)


def _noise(trials: int = 8):
    pop = synthetic_batch(60, 4, 2, 2, sample_offset=2.0, sample_scale=1.0, seed=1)
    return studies.batch_noise(pop, (2, 8, 32), trials=trials, seed=0)


@pytest.mark.parametrize("which", ["small", "page"])
def test_noise_points_decode_to_the_record(which):
    noise = _noise() if which == "small" else studies.noise_study(16)
    html = batch_noise_html(noise)
    lo, hi = (float(v) for v in re.search(r'data-x="([^"]+)"', html).group(1).split())
    y0, y1 = (float(v) for v in re.search(r'data-y="([^"]+)"', html).group(1).split())
    top = max(max(max(r) for r in noise.spread), 0.1)
    assert (y0, y1) == pytest.approx((-0.06 * top, 1.1 * top))  # the zero line off the edge
    points = POINT.findall(html)
    assert len(points) == len(noise.kinds) * len(noise.batch_sizes)
    for i, kind in enumerate(noise.kinds):
        mine = [p for p in points if p[0] == kind]
        for (_, title, left, bottom), b, s in zip(mine, noise.batch_sizes, noise.spread[i],
                                                  strict=True):  # fmt: skip
            assert 2 ** (lo + float(left) / 100 * (hi - lo)) == pytest.approx(b, rel=1e-3)
            assert y0 + float(bottom) / 100 * (y1 - y0) == pytest.approx(s, abs=1e-4 * top)
            assert title == f"{KIND_TITLES[kind]}, batch {b}: spread {s:.4f}"
    # the lines: one polyline per kind through the same points (the SVG picture's paths)
    svg = unquote(re.search(r'src="data:image/svg\+xml,([^"]*)"', html).group(1))
    paths = re.findall(r"<path d='M([^']*)' fill='none' stroke='(#\w+)'", svg)
    assert [c for _, c in paths] == [KIND_COLORS[k] for k in noise.kinds]
    for (d, _), row in zip(paths, noise.spread, strict=True):
        xy = np.array([p.split(",") for p in d.split("L")], dtype=float)
        np.testing.assert_allclose(2 ** (lo + xy[:, 0] / UNITS * (hi - lo)), noise.batch_sizes,
                                   rtol=1e-3)  # fmt: skip
        np.testing.assert_allclose(y0 + (UNITS - xy[:, 1]) / UNITS * (y1 - y0), row,
                                   atol=1e-3 * top)  # fmt: skip
    ticks = re.findall(r'class="nv-tick"[^>]*>([^<]*)<', html)
    assert [str(b) for b in noise.batch_sizes] == ticks[: len(noise.batch_sizes)]
    titles = re.findall(r'class="nv-axis-title"[^>]*>([^<]*)<', html)
    assert titles == ["batch size (log scale)", "std of one normalized value"]
    legend = re.findall(r"</span>([^<]+)</span>", html[html.index('class="nv-legend"') :])
    assert legend == [KIND_TITLES[k] for k in noise.kinds]
    assert f'role="img" aria-label="{batch_noise_alt(noise)}"' in unescape(html)


def test_noise_lines_that_coincide_stay_visible():
    """LayerNorm's line (0 at every batch size) hid under GroupNorm's in a first draft."""
    noise = _noise()
    assert noise.kinds == ("batch", "layer", "group")
    assert noise.spread[1] == noise.spread[2] == (0.0, 0.0, 0.0)  # they do coincide
    styles = line_styles(noise)
    (_, d_layer, s_layer, w_layer, m_layer), (_, d_group, s_group, w_group, m_group) = styles[1:]
    assert d_layer != d_group and s_layer != s_group
    assert w_layer > w_group and m_layer > m_group  # the first drawn is wider: it shows around
    html = batch_noise_html(noise)
    notes = re.findall(r'class="nv-note"[^>]*>([^<]*)<', html)
    assert notes == [coincide_note(["layer", "group"])]
    svg = unquote(re.search(r'src="data:image/svg\+xml,([^"]*)"', html).group(1))
    widths = [float(w) for w in re.findall(r"stroke-width='([\d.]+)'", svg)]
    assert widths == [w for *_, w, _ in styles]
    apart = studies.BatchNoise((2, 8), ("batch", "layer"), ((0.5, 0.2), (0.0, 0.0)))
    assert 'class="nv-note"' not in batch_noise_html(apart)


def test_noise_chart_without_batch_sizes_does_not_raise():
    html = batch_noise_html(studies.BatchNoise((), ("batch",), ((),)))
    assert "No batch sizes" in html and 'role="img"' in html
    assert math.isfinite(len(html))
