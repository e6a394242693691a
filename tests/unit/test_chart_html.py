"""The shared HTML chart frame's public helpers (normviz.figures._chart_html)."""

from __future__ import annotations

import math
import re

import pytest

from normviz.figures import _chart_html as ch

LEFT = re.compile(r"left:(-?[\d.]+)%")


def _ticks(parts: list[str]) -> list[tuple[float, str]]:
    """(left %, label) of each tick label box."""
    out = []
    for p in parts:
        if 'class="nv-tick"' in p:
            (left,) = LEFT.findall(p)
            out.append((float(left), re.sub(r"<[^>]+>", "", p)))
    return out


def _grid(parts: list[str]) -> list[float]:
    """Left % of each vertical grid line (a box from the plot's top to its bottom)."""
    return [float(LEFT.findall(p)[0]) for p in parts if "top:0;bottom:0" in p]


def test_the_public_names_are_the_interface():
    """Other modules (images, lab, layers) import these names: they must stay."""
    names = {
        "CHART_CLASS", "UNITS", "FONT_PX", "SHADE", "SVG_DASHES", "nice_ticks", "number_label",
        "escape_attr", "pct", "box", "label_width", "svg_data_url", "stroke_attrs",
        "chart_frame", "empty_chart", "x_axis", "y_axis", "y_axis_room", "curve_note",
    }  # fmt: skip
    assert names <= set(dir(ch))


def test_x_axis_default_ticks_are_nice_ticks_at_their_positions():
    parts = ch.x_axis(-3.0, 7.0, "z")
    ticks = _ticks(parts)
    values, _ = ch.nice_ticks(-3.0, 7.0, 5)
    assert [t for _, t in ticks] == [ch.number_label(float(v)) for v in values]
    for (left, _), v in zip(ticks, values, strict=True):
        assert left == pytest.approx((v + 3.0) / 10.0 * 100, abs=0.005)
    assert parts[-1].endswith(">z</div>") and 'class="nv-axis-title"' in parts[-1]


def test_x_axis_explicit_ticks_on_a_log_axis():
    """The batch-size axis: ticks at log10 of the sizes, labelled by the sizes."""
    sizes = [2, 8, 32, 128]
    lo, hi = math.log10(1.5), math.log10(200)
    parts = ch.x_axis(lo, hi, "batch <size>", [(math.log10(b), str(b)) for b in sizes])
    ticks = _ticks(parts)
    assert [t for _, t in ticks] == ["2", "8", "32", "128"]
    for (left, _), b in zip(ticks, sizes, strict=True):
        assert 10 ** (lo + left / 100 * (hi - lo)) == pytest.approx(b, rel=1e-3)
    assert _grid(parts) == [left for left, _ in ticks]  # all strictly inside
    assert "batch &lt;size&gt;" in parts[-1]


def test_x_axis_draws_no_grid_line_on_the_edges_and_escapes_labels():
    parts = ch.x_axis(0.0, 1.0, "", [(0.0, "a<b"), (0.5, "mid"), (1.0, "end")])
    assert _grid(parts) == [50.0]
    assert [t for _, t in _ticks(parts)] == ["a&lt;b", "mid", "end"]


def test_y_axis_room_grows_with_the_widest_label():
    narrow = ch.y_axis_room(["0", "5"], True)
    wide = ch.y_axis_room(["0", "100000"], True)
    assert wide - narrow >= 5 * ch.CHAR * ch.FONT_PX - 1
    assert ch.y_axis_room(["0"], False) < ch.y_axis_room(["0"], True)


def test_chart_frame_and_empty_chart_carry_the_name_and_data():
    html = ch.chart_frame('say "hi"', 200, 30, 10, ["<i></i>"], 'data-chart="x"')
    assert html.startswith(f'<div class="{ch.CHART_CLASS}" role="img" aria-label="say &quot;hi')
    assert 'data-chart="x"' in html and "height:200px" in html and "left:30px;right:10px" in html
    empty = ch.empty_chart("nothing", "", 120, 'data-chart="y"')
    assert 'aria-label="nothing"' in empty and ">nothing</div>" in empty


def test_the_line_charts_share_their_markers_legend_and_picture():
    """The helpers the batch-noise chart and the batch-size study both draw with."""
    from urllib.parse import unquote

    from normviz.figures import _chart_html as c

    tri, sq = c.marker("#123456", "triangle-up", 10), c.marker("#123456", "square", 9)
    assert "clip-path:polygon" in tri and "border:" not in tri  # a border would be clipped
    assert "border:1px solid white" in sq and "margin:-4.5px 0 0 -4.5px" in sq
    assert "stroke-width='4'" in unquote(c.line_swatch("#000", "dash", 7))  # capped at 4 px
    assert "stroke-dasharray='6 3'" in unquote(c.line_swatch("#000", "dash", 2))
    item = c.legend_item("<b>A</b>", 'data-k="a"', "#000", "solid", 2, sq)
    assert "&lt;b&gt;A&lt;/b&gt;" in item and 'data-k="a"' in item and sq in item
    picture, style = c.lines_picture(["<path d='M0,0L1,1'/>"], ".nv-x")
    assert picture.startswith('<img alt="" src="data:image/svg+xml,')
    assert style.startswith("<style>.nv-x .nv-point{") and f"width:{c.HOVER_PX}px" in style
    assert c.right_room("8") == 16 and c.right_room("1024") > 16
    assert "padding-left:40px" in c.legend_row([item], 40, 18)


def test_a_line_series_breaks_at_gaps_and_draws_a_point_per_value():
    from normviz.figures import _chart_html as c

    values = [(0.0, 0.5, "a"), (0.25, 0.75, 'b "q"'), None, (0.5, 1.0, "c"), (1.0, 0.0, "d")]
    paths, points = c.line_series(values, 'data-k="x"', "stroke='red'", "<b></b>", decimals=1)
    assert paths == [
        "<path d='M0,500L250,250' stroke='red'/>",
        "<path d='M500,0L1000,1000' stroke='red'/>",
    ]
    assert len(points) == 4 and 'title="b &quot;q&quot;"' in points[1]
    assert (
        points[3]
        == '<i class="nv-point" data-k="x" title="d" style="left:100.00%;bottom:0.00%"><b></b></i>'
    )
    lone, _ = c.line_series([(0.0, 0.0, "a"), None, (1.0, 1.0, "b")], "", "s", "")
    assert lone == []  # a run of one point draws no path (its marker shows it)
