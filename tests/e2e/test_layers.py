"""The normalization-layers lesson in a real browser: its animations play in the browser."""

from __future__ import annotations

import itertools

import pytest

from tests.e2e.conftest import check_page, exceptions, open_page, runs, settle, settle_after, shoot
from tests.e2e.screens import CLIPPED, OVERLAPS, SIZES, TEXT_BOXES, chart_text_problems, overlap

# Index of the first Plotly graph that carries animation frames, or -1.
ANIMATED = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).findIndex(
    g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1)"""
# What the animated graph shows right now: its traces' data and its slider position.
STATE = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    const s = (g.layout.sliders || []).map(s => s.active);
    return JSON.stringify([s, (g.data || []).map(t => [t.x, t.y, t.z, t.marker && t.marker.color,
        t.intensity, t.text])]); }"""


def test_layers_animation_plays_in_the_browser(page, server):
    took = open_page(page, server, "/layers")
    print(f"\n/layers settled in {took:.1f} s")
    check_page(page)
    index = page.evaluate(ANIMATED)
    assert index >= 0, "no Plotly figure with animation frames on /layers"
    graph = page.locator(".js-plotly-plot").nth(index)
    graph.scroll_into_view_if_needed()
    before = page.evaluate(STATE, index)
    shoot(page, "layers_before_play")
    # Plotly's updatemenus: the first button of the animated figure is Play.
    graph.locator(".updatemenu-button").first.click()
    changed = False
    for _ in range(20):
        page.wait_for_timeout(250)
        if page.evaluate(STATE, index) != before:
            changed = True
            break
    assert changed, "the frames did not change after clicking Play"
    # The animation runs in the browser: no script rerun was needed.
    state = page.get_attribute("[data-testid=stApp]", "data-test-script-state")
    assert state != "running"
    assert exceptions(page) == []
    shoot(page, "layers_playing")


# The title every Plotly graph shows right now (the animated frames change it).
TITLES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    g => ((g.layout && g.layout.title && g.layout.title.text) || '').replace(/<br>/g, ' | '))"""


def test_token_cube_captions_name_the_set_in_the_browser(page, server):
    """Issue 9, defect 1: a LayerNorm set is one token (n, t), a BatchNorm set one feature d."""
    open_page(page, server, "/layers")
    page.locator("[data-testid=stTab]", has_text="Embeddings and tokens").click()
    settle(page)
    titles = page.evaluate(TITLES)
    assert "LayerNorm · set 1 of 12 | n = 0, t = 0 · over D | mean" in " | ".join(titles)
    before = runs(page)
    page.locator("[data-testid=stTabPanel]:visible button", has_text="BatchNorm").first.click()
    settle_after(page, before)
    titles = " | ".join(page.evaluate(TITLES))
    assert "BatchNorm · set 1 of 8 | d = 0 · over N, T | mean" in titles
    assert "n = 7" not in titles and "t = 3 ·" not in titles
    text = page.locator("[data-testid=stTabPanel]:visible").inner_text()
    assert "Xiong et al. 2020" in text and "padding tokens" in text
    check_page(page)
    shoot(page, "layers_tokens_batchnorm")


# WebGL contexts the page holds: Plotly gives every 3D scene its own canvas and context.
SCENES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).reduce((n, g) =>
    n + ((g._fullLayout && g._fullLayout._subplots && g._fullLayout._subplots.gl3d) || []).length,
    0)"""
WEBGL_TROUBLE = ("Too many active WebGL contexts", "CONTEXT_LOST", "context lost")


def _nudge(page, key: str, presses: int = 1) -> None:
    """Move the slider (or select slider) of widget ``key`` by ``presses`` steps; wait the run."""
    thumb = page.locator(f".st-key-{key} input[type=range]").first
    thumb.evaluate("e => e.scrollIntoView({block: 'center'})")
    at_max = thumb.evaluate("i => Number(i.value) >= Number(i.max)")
    for _ in range(presses):
        before = runs(page)
        thumb.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        settle_after(page, before)


def _tab(page, label: str) -> None:
    before = runs(page)
    page.locator("[data-testid=stTab]", has_text=label).first.click()
    settle_after(page, before)


def test_sliders_and_tabs_never_exhaust_webgl_contexts(page, server):
    """Issue 9: every 3D scene is a WebGL context; the page drew 8 at once (hidden tabs too) and
    each slider change remounted them all, so Chromium dropped the oldest ("Too many active WebGL
    contexts") and Plotly threw while restoring it: a blank chart. Only the open tab draws now."""
    from normviz.layer_links import TABS

    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    open_page(page, server, "/layers")
    scenes = [page.evaluate(SCENES)]
    print(f"\n/layers opens with {scenes[0]} WebGL scenes")
    for key in ("lay_side", "lay_c", "lay_n"):  # each remounted every scene once
        _nudge(page, key)
        scenes.append(page.evaluate(SCENES))
    before = runs(page)
    page.locator(".st-key-lay_source button", has_text="crops").first.click()
    settle_after(page, before)
    scenes.append(page.evaluate(SCENES))
    for label in TABS.values():
        _tab(page, label)
        scenes.append(page.evaluate(SCENES))
        if label == "GroupNorm's range":
            _nudge(page, "lay_groups", 2)
            scenes.append(page.evaluate(SCENES))
    _tab(page, TABS["cube"])
    for key in ("lay_c",):
        _nudge(page, key)
        scenes.append(page.evaluate(SCENES))
    print(f"WebGL scenes after each step: {scenes}")
    shoot(page, "layers_cube_row")
    trouble = [m for m in console if any(t.lower() in m.lower() for t in WEBGL_TROUBLE)]
    assert trouble == [], f"WebGL contexts ran out: {trouble[:5]}"
    assert page.js_errors == [], f"JavaScript errors: {page.js_errors}"
    assert max(scenes) <= 2, f"too many WebGL scenes drawn at once: {scenes}"
    check_page(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_lesson_fits_each_screen(page, server, size):
    """Issue 12 at 390x844, 1280x720 at 150 % and 1400x1000: the row of cubes ran its titles
    together and cropped a shaded column on a phone; the running-statistics legend sat over the
    panels' titles and tick labels. Now the five cubes are tiles (stacked on a phone), each
    title inside its own chart, the legend below the axes, and no text runs into another."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, server, "/layers")
    check_page(page)
    tiles = page.locator("[class*=st-key-lay_cube_tile] img")
    assert tiles.count() == 5
    boxes = [tiles.nth(i).bounding_box() for i in range(5)]
    assert all(b["x"] >= -1 and b["x"] + b["width"] <= width + 1 for b in boxes), boxes
    if size == "phone":
        assert all(b["width"] > 250 for b in boxes), boxes  # full width, not a fifth of it
        tops = [b["y"] for b in boxes]
        # stacked: one under the other
        assert tops == sorted(tops) and all(b - a >= 200 for a, b in itertools.pairwise(tops))
    graphs = page.locator(".js-plotly-plot")
    for i in range(graphs.count()):
        found = page.evaluate(TEXT_BOXES, i)
        g = found["graph"]
        for title in found["title"]:  # inside its chart, above what the chart draws
            assert g[0] - 1 <= title[0] and title[2] <= g[2] + 1, (i, title, g)
            assert g[1] - 5 <= title[1], (i, title, g)  # not cut at the top (text ascent: 4 px)
            if found["data"]:
                assert title[3] <= found["data"][1] + 1, (i, title, found["data"])
    problems = chart_text_problems(page) + [f"overlap {o}" for o in page.evaluate(OVERLAPS)]
    problems += [f"clipped {c!r}" for c in page.evaluate(CLIPPED)]
    shoot(page, f"layers-screen-{size}")
    before = runs(page)
    page.locator("[data-testid=stTab]", has_text="Running statistics").first.click()
    settle_after(page, before)
    index = page.evaluate(ANIMATED)
    found = page.evaluate(TEXT_BOXES, index)
    legend = found["legend"]
    assert legend, "no legend on the running-statistics chart"
    titles = [n for n in found["notes"] if n[4] in ("mean", "variance")]
    assert len(titles) == 2 and not overlap(titles[0], titles[1])
    problems += chart_text_problems(page) + [f"overlap {o}" for o in page.evaluate(OVERLAPS)]
    problems += [f"clipped {c!r}" for c in page.evaluate(CLIPPED)]
    check_page(page)
    shoot(page, f"layers-screen-{size}-running")
    assert problems == [], "\n".join(problems)
