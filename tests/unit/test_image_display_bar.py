"""The display bar in HTML, checked against the mapping it draws (display_bar_info)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from normviz.figures.images import display_bar_html, display_bar_info, nice_ticks


def _style(el: ET.Element) -> dict[str, str]:
    pairs = (p.split(":", 1) for p in el.get("style", "").split(";") if p)
    return {k.strip(): v.strip() for k, v in pairs}


def _pct(value: str) -> float:
    assert value.endswith("%"), value  # every x is a share of the width: labels keep 12 px
    return float(value[:-1])


@pytest.mark.parametrize(("lo", "hi"), [(-3.0, 3.0), (12.0, 230.0), (0.0, 65535.0), (0.01, 0.02)])
def test_bar_draws_the_display_mapping(lo, hi):
    info = display_bar_info(lo, hi)
    root = ET.fromstring(display_bar_html(lo, hi, unit="z", alt="Grey bar"))
    assert root.get("role") == "img" and root.get("aria-label") == "Grey bar"
    assert "z shows black" in root.get("title")
    bar, *rest = list(root)
    x0, x1 = info.x[0], info.x[-1]

    def value_at(p: float) -> float:
        return x0 + p / 100 * (x1 - x0)

    # The ramp: black (0) up to lo, white (1) from hi, linear between, as info.z samples it.
    stops = re.fullmatch(
        r"linear-gradient\(to right, #000 ([\d.]+)%, #fff ([\d.]+)%\)", _style(bar)["background"]
    )
    a, b = float(stops[1]) / 100, float(stops[2]) / 100
    f = (info.x - x0) / (x1 - x0)
    np.testing.assert_allclose(np.clip((f - a) / (b - a), 0, 1), info.z[0], atol=2e-3)
    # The red lines stand at lo and hi.
    red = [_pct(_style(e)["left"]) for e in rest if "#dc2626" in e.get("style")]
    np.testing.assert_allclose([value_at(p) for p in red], [lo, hi], atol=(x1 - x0) / 1000)
    # Each label is its tick's value, at its tick's place, not cut by an edge.
    labels = [e for e in rest if e.text]
    ticks = {
        _style(e)["left"] for e in rest if "height" in _style(e) and "#1f2937" in e.get("style")
    }
    assert len(labels) >= 3
    for e in labels:
        value = float(e.text.replace("\u2212", "-"))
        assert value_at(_pct(_style(e)["left"])) == pytest.approx(value, abs=(x1 - x0) / 1000)
        assert _style(e)["left"] in ticks
        assert -2 <= _pct(_style(e)["left"]) <= 102


@pytest.mark.parametrize(("lo", "hi"), [(1.0, 1.0), (2.0, 1.0), (0.0, np.inf), (np.nan, 1.0)])
def test_bar_without_a_range_says_so(lo, hi):
    root = ET.fromstring(display_bar_html(lo, hi, alt="x"))
    assert [e.text for e in root] == ["no display range"]


@pytest.mark.parametrize(
    ("a", "b"), [(-4.5, 4.5), (0.0, 1.0), (-16383.75, 81918.75), (3e-5, 7e-5), (-1.0, 1e6)]
)
def test_nice_ticks_are_round_steps_inside_the_range(a, b):
    ticks, decimals = nice_ticks(a, b)
    step = np.diff(ticks)
    assert 2 <= ticks.size <= 12
    np.testing.assert_allclose(step, step[0], rtol=1e-9)
    mantissa = step[0] / 10 ** np.floor(np.log10(step[0]))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-9
    assert ticks[0] >= a - 1e-9 * step[0] and ticks[-1] <= b + 1e-9 * step[0]
    assert ticks[0] - step[0] < a and ticks[-1] + step[0] > b  # none left out
    assert float(f"{step[0]:.{decimals}f}") == pytest.approx(step[0])  # labels print the step


def test_nice_ticks_reject_an_empty_range():
    with pytest.raises(ValueError, match="finite range"):
        nice_ticks(1.0, 1.0)
