"""The normalization-layers lesson in a real browser: its animations play in the browser."""

from __future__ import annotations

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


# Words of the main column that a line break cut in two: a word (letters, no hyphen or slash)
# whose characters lie on more than one line. Formulas, code and charts are left out.
BROKEN_WORDS = """() => {
    const root = document.querySelector('[data-testid=stMain]');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const e = node.parentElement;
        if (!e || !e.getClientRects().length
            || e.closest('.katex, code, pre, .js-plotly-plot, iframe, [role=tablist]')) continue;
        for (const m of node.textContent.matchAll(/[^\\s\\-\\/\\u00ad]{4,}/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                .map(r => Math.round(r.bottom)));
            if (tops.size > 1) out.push(m[0]);
        }
    }
    return out;
}"""

# Display formulas whose line ends at a relation ("mu_S =" on one line, its value on the next):
# KaTeX lays a formula out as top-level pieces (.base) that wrap like words.
FORMULA_BREAKS = """() => Array.from(
    document.querySelectorAll('[data-testid=stMain] .katex-display'))
    .filter(e => e.getClientRects().length).flatMap(e => {
        const bases = Array.from(e.querySelectorAll('.katex-html > .base'))
            .filter(b => b.getBoundingClientRect().width > 0);
        const out = [];
        for (let i = 0; i + 1 < bases.length; i++) {
            const here = bases[i].getBoundingClientRect();
            const next = bases[i + 1].getBoundingClientRect();
            const text = bases[i].textContent.trim();
            if (next.left < here.left && /[=:∈←]$/.test(text)) out.push(text.slice(-30));
        }
        return out;
    })"""

# Boxes of the animated cube's Play/Pause buttons and of its slider's parts (rail, grip, step
# ticks and labels, current value).
CONTROLS = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    const box = (e) => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, (e.textContent || '').trim()]; };
    const all = (sel) => Array.from(g.querySelectorAll(sel)).filter(
        e => e.getBoundingClientRect().width > 0).map(box);
    return {buttons: all('.updatemenu-button'),
            slider: all('.slider-rail-rect, .slider-grip-rect, .slider-tick-rect, '
                        + 'text.slider-label'),
            graph: box(g.querySelector('.main-svg'))}; }"""


def animation_control_problems(page, index: int) -> list[str]:
    """Return what hides what among graph ``index``'s Play/Pause buttons and slider parts."""
    found = page.evaluate(CONTROLS, index)
    problems = [
        f"button {b[4]!r} over the slider's {s[4] or 'rail'!r} {s[:4]}"
        for b in found["buttons"]
        for s in found["slider"]
        if overlap(b, s)
    ]
    g = found["graph"]
    for part in found["buttons"] + found["slider"]:
        if part[0] < g[0] - 0.5 or part[2] > g[2] + 0.5 or part[3] > g[3] + 0.5:
            problems.append(f"{part[4]!r} {part[:4]} outside the graph {g[:4]}")
    assert found["buttons"] and found["slider"], found
    return problems


@pytest.mark.parametrize("size", list(SIZES))
def test_the_lesson_fits_each_screen(page, server, size):
    """Issue 12 at 390x844, 1280x720 at 150 % and 1400x1000: the row of cubes ran its titles
    together and cropped a shaded column on a phone; the running-statistics legend sat over the
    panels' titles and tick labels. Now the five cubes are tiles of one width that wrap onto
    rows (five columns beside the sidebar were 75 px and broke "InstanceNorm" mid-word), each
    title inside its own chart, the legend below the axes, and no text runs into another."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, server, "/layers")
    check_page(page)
    tiles = page.locator("[class*=st-key-lay_cube_tile] img")
    assert tiles.count() == 5
    boxes = [tiles.nth(i).bounding_box() for i in range(5)]
    assert all(b["x"] >= -1 and b["x"] + b["width"] <= width + 1 for b in boxes), boxes
    # One scale for the five, each wide enough to read; rows fill left to right, top to bottom.
    assert len({round(b["width"]) for b in boxes}) == 1 and boxes[0]["width"] >= 140, boxes
    order = [(round(b["y"]), b["x"]) for b in boxes]
    assert order == sorted(order), boxes
    if size == "laptop":
        assert len({round(b["y"]) for b in boxes}) == 1, boxes  # one row on a wide screen
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
    # Issue 12: Play/Pause covered the cube slider's first steps on a phone; "InstanceNorm"
    # broke mid-word above its small cube; the statistics formula broke right after "mu_S =".
    problems += animation_control_problems(page, page.evaluate(ANIMATED))
    problems += [f"word broken across lines: {w!r}" for w in page.evaluate(BROKEN_WORDS)]
    problems += [f"formula line ends at {f!r}" for f in page.evaluate(FORMULA_BREAKS)]
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


# Points drawn by the running-statistics chart's first trace (the batch means, as markers).
POINTS = """() => { const g = document.querySelector('.st-key-lay_running_chart .js-plotly-plot')
    || Array.from(document.querySelectorAll('.js-plotly-plot')).find(
        g => (g.data || []).length === 4 && g.data[0].mode === 'markers');
    return g ? g.querySelectorAll('.scatterlayer .trace')[0].querySelectorAll('.point').length
             : -1; }"""


def test_running_statistics_animation_reveals_the_batches(page, server):
    """The frames send only the first k values of y (float32); plotly.js draws min(len(x),
    len(y)) points of the trace's full x. Play must show a growing prefix, then every batch."""
    open_page(page, server, "/layers?tab=running")
    check_page(page)
    total = page.evaluate(POINTS)
    assert total == 60, total  # the default stream: 60 batches, every one shown at rest
    chart = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button")).first
    chart.scroll_into_view_if_needed()
    chart.locator(".updatemenu-button").first.click()
    seen = set()
    for _ in range(80):
        page.wait_for_timeout(100)
        seen.add(page.evaluate(POINTS))
        if len(seen) > 3 and total in seen:
            break
    partial = sorted(k for k in seen if 0 < k < total)
    assert len(partial) >= 2, f"Play drew no growing prefix of the batches: {sorted(seen)}"
    page.wait_for_function(f"() => ({POINTS})() === {total}", timeout=15_000)
    assert exceptions(page) == [] and page.js_errors == []


def test_a_tab_and_its_controls_rerun_only_the_tabs(page, server):
    """A tab switch and a control inside a tab rerun the lesson's fragment alone: the data and
    layer controls above it are not sent again (a full run sends every element, the data
    control's id, which holds its key, among them); a data control still reruns everything."""
    frames: list[bytes] = []

    def watch(ws) -> None:
        ws.on("framereceived", lambda data: frames.append(
            data if isinstance(data, bytes) else data.encode()
        ))  # fmt: skip

    page.on("websocket", watch)
    open_page(page, server, "/layers")

    def act(do) -> bool:
        """Do ``do``, wait for its run; return whether the data control was sent again."""
        frames.clear()
        before = runs(page)
        do()
        settle_after(page, before)
        return any(b"lay_source" in f for f in frames)

    assert not act(lambda: page.get_by_role("tab", name="Running statistics").click())
    assert "tab=running" in page.url
    assert not act(lambda: page.locator(".st-key-lay_mode").get_by_text("eval", exact=True).click())
    assert "mode=eval" in page.url  # the fragment's run keeps the address in step
    assert act(lambda: page.locator(".st-key-lay_kind").click() or page.get_by_role(
        "option", name="LayerNorm").click())  # fmt: skip
    assert "kind=layer" in page.url
    check_page(page)


def test_moments_tables_survive_sanitizing_and_pass_axe(page, server):
    """The "Before and after" heatmaps are HTML (st.html, sanitized by DOMPurify): in the
    browser the four tables keep their cells' colours, printed values and hover titles, the
    figure its label; axe finds no serious violation (the cells' text contrast among them)."""
    from normviz import layer_studies as studies
    from normviz.figures.layers import moments_alt
    from normviz.tensors import synthetic_batch
    from tests.e2e.test_accessibility import audit

    open_page(page, server, "/layers?tab=moments")
    figure = page.locator("[data-testid=lay-moments]")
    figure.wait_for()
    x = synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0,
                        sample_scale=0.0, seed=0)  # fmt: skip
    study = studies.moments_study(x, "batch", None)
    assert figure.get_attribute("aria-label") == moments_alt(*study)
    assert figure.locator("table").count() == 4
    cells = figure.locator("td")
    assert cells.count() == 4 * 24
    first = cells.first
    assert first.get_attribute("title") == f"n0, c0: {study.before_mean[0][0]:.3f}"
    assert first.inner_text() == f"{study.before_mean[0][0]:.2f}"
    assert first.evaluate("e => getComputedStyle(e).backgroundColor").startswith("rgb(")
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0  # no chart to mount
    failing, _ = audit(page)
    assert failing == [], "\n".join(map(str, failing))
    check_page(page)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the tables stack, values fit
    page.wait_for_timeout(300)
    spill = cells.evaluate_all("cs => cs.filter(c => c.scrollWidth > c.clientWidth).length")
    assert spill == 0
