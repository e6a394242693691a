"""One theme for every figure: fonts, colours and layout helpers live in normviz.figures._theme."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from normviz.figures import _theme as theme
from normviz.figures import images
from normviz.figures import lab as F
from normviz.figures.layers_noise_html import batch_noise_html
from normviz.layer_studies import BatchNoise

FIGURES = Path(__file__).resolve().parents[2] / "normviz" / "figures"


def test_no_figure_module_keeps_its_own_font_grid_or_layout_helpers():
    """This morning images.py, lab.py, layers.py and layers_cube.py each defined a font dict,
    two a grid colour, and lab.py, layers.py and images.py their own title, legend and colour
    helpers."""
    copies = re.compile(
        r'"family"\s*:|#e5e7eb|^def (_title|_rgba|_rgb|legend_below|_axis)\(',
        re.MULTILINE,
    )
    found = {
        str(p.relative_to(FIGURES)): copies.findall(p.read_text())
        for p in FIGURES.rglob("*.py")
        if p.name != "_theme.py"
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_every_lesson_draws_with_the_theme_font():
    hist = type("H", (), {"counts": np.array([[1, 2, 3]]), "edges": np.arange(4.0)})()
    assert f"font-family:{theme.FONT_FAMILY};" in images.histogram_html(hist)  # HTML chart
    assert F.plot_weight_norm([]).to_dict()["layout"]["font"] == theme.FONT
    # The layers lesson draws no Plotly chart: its HTML charts name the theme's font.
    noise = BatchNoise((2, 8), ("batch", "layer"), ((0.5, 0.2), (0.0, 0.0)))
    assert f"font-family:{theme.FONT_FAMILY}" in batch_noise_html(noise)


def test_legend_below_leaves_room_under_the_axis_title():
    legend, bottom = theme.legend_below(400, 50)
    assert bottom == theme.AXIS_BELOW_PX + theme.LEGEND_PX
    plot = 400 - 50 - bottom
    assert legend["y"] * plot == pytest.approx(-theme.AXIS_BELOW_PX, abs=0.1)
