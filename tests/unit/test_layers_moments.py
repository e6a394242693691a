"""The "Before and after" heatmaps as HTML tables: values against torch, colours, contrast."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from plotly.colors import get_colorscale, hex_to_rgb, unlabel_rgb

from normviz import layer_studies as studies
from normviz.figures import layers as fig
from normviz.figures.layers_moments import (
    MAX_LABELLED,
    moments_html,
    moments_panels,
    scale_colors,
    text_color,
)
from normviz.tensors import synthetic_batch

X = synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0, seed=0)


class _Tables(HTMLParser):
    """Each table's caption and cells (title, style, text); the figure's aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.label = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.label = a.get("aria-label")
        elif tag == "table":
            self.tables.append({"caption": "", "cells": []})
        elif tag == "caption":
            self._in = "caption"
        elif tag == "td":
            self.tables[-1]["cells"].append([a["title"], a["style"], ""])
            self._in = "td"

    def handle_endtag(self, tag):
        if tag in ("caption", "td"):
            self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.tables[-1]["caption"] += data
        elif self._in == "td":
            self.tables[-1]["cells"][-1][2] += data


def _parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def _oracle(x: torch.Tensor, kind: str) -> tuple[np.ndarray, ...]:
    """Per-(n, c) mean before, after; biased std before, after ``kind``: straight from torch."""
    c = x.shape[1]
    after = {
        "batch": lambda t: F.batch_norm(t, None, None, training=True),
        "layer": lambda t: F.layer_norm(t, t.shape[1:]),
        "instance": lambda t: F.instance_norm(t),
        "group": lambda t: F.group_norm(t, 2),
        "rms": lambda t: F.rms_norm(t, t.shape[1:]),
    }[kind](x.double())
    before, after = (t.reshape(t.shape[0], c, -1) for t in (x.double(), after))
    return (before.mean(-1).numpy(), after.mean(-1).numpy(),  # the panels' order
            before.std(-1, correction=0).numpy(), after.std(-1, correction=0).numpy())  # fmt: skip


def _rgb(color: str) -> np.ndarray:
    return np.array(hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color), float)


def _by_hand(value: float, lo: float, hi: float, scale: str) -> np.ndarray:
    """The colour plotly.js gives ``value``: linear RGB interpolation between the scale's stops."""
    stops = get_colorscale(scale)
    at = min(max((value - lo) / (hi - lo), 0.0), 1.0)
    xs = [s for s, _ in stops]
    rgbs = np.array([_rgb(c) for _, c in stops])
    return np.array([np.interp(at, xs, rgbs[:, i]) for i in range(3)])


def _contrast(a: str, b: str) -> float:
    def lum(color):
        c = _rgb(color) / 255
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("kind", ["batch", "layer", "instance", "group", "rms"])
def test_cells_hold_torchs_moments_before_and_after(kind):
    study = studies.moments_study(X, kind, 2 if kind == "group" else None)
    html = moments_html(fig.moments_info(*study), fig.moments_alt(*study))
    tables = _parse(html).tables
    assert [t["caption"] for t in tables] == [
        "mean before", f"{study.title.replace('after', 'mean after')}", "std before",
        f"{study.title.replace('after', 'std after')}",
    ]  # fmt: skip
    for table, oracle in zip(tables, _oracle(X, kind), strict=True):
        n, c = oracle.shape
        assert len(table["cells"]) == n * c
        for i, (title, _, text) in enumerate(table["cells"]):
            k, j = divmod(i, c)
            name, value = title.split(": ")
            assert name == f"n{k}, c{j}"
            assert float(value) == pytest.approx(oracle[k, j], abs=6e-4)  # shown to 3 decimals
            assert float(text) == pytest.approx(oracle[k, j], abs=6e-3)  # printed to 2


def test_colours_are_plotlys_scales_on_shared_ranges():
    study = studies.moments_study(X, "batch")
    info = fig.moments_info(*study)
    panels = moments_panels(info)
    lim = np.abs(np.concatenate([info.grids[0].ravel(), info.grids[1].ravel()])).max()
    assert (panels[0].lo, panels[0].hi) == (panels[1].lo, panels[1].hi) == (-lim, lim)
    assert panels[2].lo == panels[3].lo == 0.0 and panels[2].hi == panels[3].hi
    for p in panels:
        for value, color in zip(p.grid.ravel(), p.colors.ravel(), strict=True):
            np.testing.assert_allclose(_rgb(color), _by_hand(value, p.lo, p.hi, p.scale), atol=1)
    # Ends of the range and beyond it take the scales' end colours; 0 is a mean's neutral.
    ends = scale_colors(np.array([-9.0, -1.0, 0.0, 1.0, 9.0]), -1.0, 1.0, "RdBu_r")
    stops = get_colorscale("RdBu_r")
    assert [tuple(_rgb(c)) for c in ends] == [
        tuple(_rgb(stops[0][1])), tuple(_rgb(stops[0][1])), tuple(_rgb(stops[5][1])),
        tuple(_rgb(stops[-1][1])), tuple(_rgb(stops[-1][1])),
    ]  # fmt: skip


def test_every_value_is_readable_on_its_colour():
    """axe's contrast rule for small text (4.5): black or white, whichever contrasts more."""
    for value in np.linspace(-1.0, 1.0, 41):
        for scale in ("RdBu_r", "Viridis"):
            bg = scale_colors(np.array([value]), -1.0, 1.0, scale)[0]
            assert _contrast(bg, text_color(bg)) >= 4.5, (scale, value, bg)
    html = moments_html(fig.moments_info(*studies.moments_study(X, "layer")), "x")
    for _, style, _ in (c for t in _parse(html).tables for c in t["cells"]):
        bg = re.search(r"background:(rgb\([^)]*\))", style).group(1)
        fg = re.search(r";color:(#[0-9a-f]{6})", style).group(1)
        assert _contrast(bg, fg) >= 4.5


def test_large_grids_keep_colour_and_hover_but_no_printed_values():
    big = synthetic_batch(8, 16, 2, 2, channel_offset=3.0, seed=1)
    tables = _parse(moments_html(fig.moments_info(*studies.moments_study(big, "layer")), "x"))
    assert MAX_LABELLED < 8 * 16
    for t in tables.tables:
        assert len(t["cells"]) == 128 and all(text == "" for _, _, text in t["cells"])
        assert all(re.fullmatch(r"n\d, c\d+: -?\d+\.\d{3}", title) for title, _, _ in t["cells"])


def test_the_figure_is_labelled_by_its_alt_text_escaped():
    study = studies.moments_study(X, "instance")
    alt = fig.moments_alt(*study)
    parsed = _parse(moments_html(fig.moments_info(*study), alt + ' <b>"&'))
    assert parsed.label == alt + ' <b>"&'  # escaped in the markup, read back as written
    assert len(parsed.tables) == 4


def test_empty_input_draws_labelled_empty_panels():
    html = moments_html(fig.moments_info([], [], [], []), "none")
    assert html.count("no values") == 4 and "<td" not in html


def test_tables_go_one_a_line_where_two_do_not_fit():
    """Each table asks room for its printed values: a phone stacks them (values overlapped)."""
    html = moments_html(fig.moments_info(*studies.moments_study(X, "batch")), "x")
    assert html.count("flex-wrap:wrap") == 2 and html.count("flex:1 1 234px") == 4  # 30 + 6 x 34
    big = synthetic_batch(8, 16, 2, 2, seed=1)  # 128 cells a table: colours only, narrower
    html = moments_html(fig.moments_info(*studies.moments_study(big, "layer")), "x")
    assert html.count("flex:1 1 254px") == 4  # 30 + 16 x 14
