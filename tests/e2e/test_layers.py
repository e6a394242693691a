"""The normalization-layers lesson in a real browser: its animations play in the browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import check_page, exceptions, open_page, runs, settle, settle_after, shoot
from tests.e2e.screens import (
    CLIPPED,
    OVERLAPS,
    SIZES,
    TEXT_BOXES,
    chart_text_problems,
    html_chart_problems,
    overlap,
)

# The animated cube's player (pages/_cube_view.py) in the open tab: the set it shows (its data
# attribute, the slider, the text beside it, the title, the shaded cells) and its Play button.
CUBE = ".nv-cube:visible"
SHOWN = """(sel) => { const r = document.querySelector(sel).closest('.nv-cube') || document
        .querySelector(sel);
    const q = (s) => r.querySelector(s);
    return {set: r.dataset.set, playing: r.dataset.playing, range: q('input[type=range]').value,
            max: q('input[type=range]').max, at: q('.nv-cube-at').textContent,
            title: Array.from(q('.nv-cube-title').children).map(e => e.textContent).join(' | '),
            cells: Array.from(r.querySelectorAll('.nv-cells')).map(p => p.getAttribute('d')),
            play: q('.nv-cube-play').getAttribute('aria-label')}; }"""


def _shown(page, key: str = "lay_cube_chart") -> dict:
    return page.evaluate(SHOWN, f".st-key-{key} .nv-cube")


def test_layers_animation_plays_in_the_browser(page, server):
    """The cube is an SVG with its own player, run by the browser: Play steps through the sets
    without a script run, Pause stops it, the slider and its keys pick a set; a rerun with new
    data redraws it in place and leaves no timer running. No Plotly on the first view."""
    from normviz import layer_studies as studies
    from normviz.figures.layers_cube_svg import cube_svg
    from normviz.tensors import synthetic_batch

    took = open_page(page, server, "/layers")
    print(f"\n/layers settled in {took:.1f} s")
    check_page(page)
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    x = synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0,
                        sample_scale=0.0, seed=0)  # fmt: skip
    view = cube_svg(studies.cube_info(x, "batch", None))
    titles = [" | ".join(f.title) for f in view.frames]
    player = page.locator(f".st-key-lay_cube_chart {CUBE}")
    player.scroll_into_view_if_needed()
    svg = player.locator("svg[role=img]")
    assert svg.get_attribute("aria-label") == view.label
    first = _shown(page)
    assert first["set"] == "0" and first["title"] == titles[0] and first["at"] == "set 1 of 6"
    assert first["play"] == "Play" and first["max"] == "6"
    shoot(page, "layers_before_play")
    before_runs = runs(page)
    play = player.get_by_role("button", name="Play")
    play.click()
    page.wait_for_function(f"() => ({SHOWN})('.st-key-lay_cube_chart .nv-cube').set === '2'",
                           timeout=5000)  # fmt: skip
    now = _shown(page)
    assert now["title"] == titles[2] and now["cells"] != first["cells"] and now["play"] == "Pause"
    shoot(page, "layers_playing")
    player.get_by_role("button", name="Pause").click()
    paused = _shown(page)["set"]
    page.wait_for_timeout(1600)  # two frames' time: nothing moves
    assert _shown(page)["set"] == paused and _shown(page)["playing"] == "false"
    # The slider, by keyboard: End, Home, one step right; each shows its set at once.
    slider = player.get_by_role("slider", name="Statistic set shown")
    slider.focus()
    for key, k in (("End", 5), ("Home", 0), ("ArrowRight", 1)):
        page.keyboard.press(key)
        assert _shown(page)["title"] == titles[k], key
    assert slider.get_attribute("aria-valuetext") == titles[1].replace(" | ", ", ")
    assert runs(page) == before_runs  # all of it in the browser: no script run
    # Play, then a control that redraws the cube (a rerun with new data): the player stays,
    # shows the new sets, and Pause stops it (no second timer left behind).
    play.click()
    _nudge(page, "lay_c")  # C = 6 -> 8: eight BatchNorm sets
    page.wait_for_function(
        f"() => ({SHOWN})('.st-key-lay_cube_chart .nv-cube').at.endsWith('of 8')", timeout=5000
    )
    if _shown(page)["playing"] == "true":
        player.get_by_role("button", name="Pause").click()
    paused = _shown(page)["set"]
    page.wait_for_timeout(1600)
    assert _shown(page)["set"] == paused, "a timer kept running after Pause"
    assert exceptions(page) == [] and page.js_errors == []


def test_the_cube_does_not_move_by_itself_with_reduced_motion(page, server):
    """No autoplay: with prefers-reduced-motion the cube stands still until Play is pressed, and
    the running statistics stay on their whole stream."""
    page.emulate_media(reduced_motion="reduce")
    open_page(page, server, "/layers")
    page.wait_for_timeout(1600)
    assert _shown(page)["set"] == "0" and _shown(page)["playing"] == "false"
    _tab(page, "Running statistics")
    page.wait_for_timeout(1600)
    found = page.evaluate(REVEALED)
    assert found["playing"] == "false" and found["panels"] == [60, 60], found


# The title every cube player shows right now (the set shown changes it).
TITLES = """() => Array.from(document.querySelectorAll('.nv-cube-title')).map(
    t => Array.from(t.children).map(e => e.textContent).join(' | '))"""


def test_token_cube_captions_name_the_set_in_the_browser(page, server):
    """Issue 9, defect 1: a LayerNorm set is one token (n, t), a BatchNorm set one feature d."""
    open_page(page, server, "/layers")
    page.locator("[data-testid=stTab]", has_text="Embeddings and tokens").click()
    settle(page)
    page.locator(".st-key-lay_tok_chart .nv-cube").wait_for()
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
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
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

# Boxes of the animated cube's title lines, Play/Pause button, slider and the text beside it,
# and of the player itself.
CONTROLS = """(sel) => { const r = document.querySelector(sel);
    const box = (e) => { const b = e.getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom, (e.textContent || e.getAttribute('aria-label')
            || '').trim(), e.scrollWidth > e.clientWidth + 1]; };
    return {player: box(r), title: Array.from(r.querySelectorAll('.nv-cube-title span')).map(box),
            drawing: box(r.querySelector('.nv-cube-draw')),
            controls: [r.querySelector('.nv-cube-play'), r.querySelector('.nv-cube-at'),
                       r.querySelector('input[type=range]')].map(box)}; }"""


def animation_control_problems(
    page, width: int, key: str = "lay_cube_chart", lines: int = 3
) -> list[str]:
    """Return what hides what among a player's title (``lines`` lines), drawing, button and
    slider, and what runs past the player's box or the screen."""
    found = page.evaluate(CONTROLS, f".st-key-{key} .nv-cube")
    p = found["player"]
    parts = found["title"] + [found["drawing"]] + found["controls"]
    problems = [
        f"{a[4][:30]!r} {a[:4]} over {b[4][:30]!r} {b[:4]}"
        for i, a in enumerate(parts)
        for b in parts[i + 1 :]
        if overlap(a, b)
    ]
    for part in parts:
        if part[0] < max(p[0], 0) - 0.5 or part[2] > min(p[2], width) + 0.5 or part[5]:
            problems.append(f"{part[4][:30]!r} {part[:4]} clipped (player {p[:4]})")
    assert len(found["title"]) == lines and all(c[2] > c[0] for c in found["controls"]), found
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
    problems += animation_control_problems(page, width)
    problems += [f"word broken across lines: {w!r}" for w in page.evaluate(BROKEN_WORDS)]
    problems += [f"formula line ends at {f!r}" for f in page.evaluate(FORMULA_BREAKS)]
    shoot(page, f"layers-screen-{size}")
    before = runs(page)
    page.locator("[data-testid=stTab]", has_text="Running statistics").first.click()
    settle_after(page, before)
    page.locator(".st-key-lay_running_chart .nv-run").wait_for()
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    run = page.locator(".st-key-lay_running_chart .nv-run")
    legend = run.locator(".nv-legend-item").all_inner_texts()
    assert legend == ["batch", "running", "population", "τ, time constant"], legend
    titles = [t.bounding_box() for t in run.locator(".nv-run-title").all()]
    assert len(titles) == 2
    boxes = [[t["x"], t["y"], t["x"] + t["width"], t["y"] + t["height"]] for t in titles]
    assert not overlap(*boxes)
    problems += chart_text_problems(page) + [f"overlap {o}" for o in page.evaluate(OVERLAPS)]
    problems += [f"clipped {c!r}" for c in page.evaluate(CLIPPED)]
    problems += animation_control_problems(page, width, "lay_running_chart", lines=2)
    problems += [f"word broken across lines: {w!r}" for w in page.evaluate(BROKEN_WORDS)]
    check_page(page)
    shoot(page, f"layers-screen-{size}-running")
    _tab(page, "Batch size")
    page.locator(".st-key-lay_noise_chart .nv-chart").wait_for()
    problems += html_chart_problems(page) + [f"overlap {o}" for o in page.evaluate(OVERLAPS)]
    problems += [f"clipped {c!r}" for c in page.evaluate(CLIPPED)]
    check_page(page)
    shoot(page, f"layers-screen-{size}-batch")
    assert problems == [], "\n".join(problems)


# The running statistics' player (pages/_cube_view.py): its frame, and per panel how many batch
# dots lie left of the clip rectangle's right edge (the batches shown).
REVEALED = """() => { const r = document.querySelector('.st-key-lay_running_chart .nv-cube');
    if (!r) return null;
    const q = (s) => r.querySelector(s);
    const out = {set: r.dataset.set, playing: r.dataset.playing, at: q('.nv-cube-at').textContent,
                 title: Array.from(q('.nv-cube-title').children).map(e => e.textContent)
                     .join(' | '), panels: []};
    for (const p of r.querySelectorAll('[data-panel]')) {
        const rect = p.querySelector('.nv-run-clip');
        const g = p.querySelector('g[clip-path]');
        if (g.getAttribute('clip-path') !== `url(#${rect.parentElement.id})`) return null;
        const right = Number(rect.getAttribute('x')) + Number(rect.getAttribute('width'));
        const xs = Array.from(p.querySelector('.nv-run-batch').getAttribute('d')
            .matchAll(/M(-?[\\d.]+) /g), m => Number(m[1]));
        out.panels.push(xs.filter(x => x < right).length);
    }
    return out; }"""


def test_running_statistics_play_in_the_browser(page, server):
    """The running statistics are SVG panels with the cube's player: at rest every batch shows;
    Play reveals a growing prefix batch by batch with no script run, Pause holds it, the slider
    and its keys show a frame (its title from normviz); a changed control redraws in place."""
    from normviz import layer_studies as studies
    from normviz.figures.layers import running_alt
    from normviz.figures.layers_running_svg import running_svg

    open_page(page, server, "/layers?tab=running")
    check_page(page)
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    trace = studies.running_study(0.1, "pytorch", 8, seed=0)
    tau = studies.time_constant(0.1, "pytorch")
    view = running_svg(trace, *studies.POPULATION, tau=tau)
    chart = page.locator(".st-key-lay_running_chart .nv-run[role=img]")
    assert chart.get_attribute("aria-label") == running_alt(trace, *studies.POPULATION, tau=tau)
    chart.scroll_into_view_if_needed()
    rest = page.evaluate(REVEALED)
    assert rest["panels"] == [60, 60] and rest["at"] == "batch 60 of 60", rest
    assert rest["title"] == " | ".join(view.frames[-1].title)
    before = runs(page)
    player = page.locator(".st-key-lay_running_chart .nv-cube")
    player.get_by_role("button", name="Play").click()
    seen = set()
    for _ in range(100):
        page.wait_for_timeout(50)
        found = page.evaluate(REVEALED)
        assert found["panels"][0] == found["panels"][1], found
        seen.add(found["panels"][0])
        if found["playing"] == "false":
            break
    partial = sorted(k for k in seen if 0 < k < 60)
    assert len(partial) >= 3, f"Play drew no growing prefix of the batches: {sorted(seen)}"
    page.wait_for_function(f"() => ({REVEALED})().panels[0] === 60", timeout=10_000)
    player.get_by_role("button", name="Play").click()
    page.wait_for_timeout(400)
    player.get_by_role("button", name="Pause").click()
    held = page.evaluate(REVEALED)
    assert 0 < held["panels"][0] < 60, held
    page.wait_for_timeout(600)
    assert page.evaluate(REVEALED)["panels"] == held["panels"]  # Pause holds
    slider = player.get_by_role("slider", name="Last batch shown")
    slider.focus()
    for key, k in (("Home", 0), ("End", 59), ("ArrowLeft", 58)):
        page.keyboard.press(key)
        found = page.evaluate(REVEALED)
        assert found["panels"] == [view.frames[k].last] * 2, (key, found)
        assert found["title"] == " | ".join(view.frames[k].title), key
    assert slider.get_attribute("aria-valuetext") == ", ".join(view.frames[58].title)
    outline = slider.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "no visible focus on the slider"
    assert runs(page) == before  # all of it in the browser: no script run
    # A control that changes the stream (a rerun with new data): redrawn in place, whole again.
    page.keyboard.press("End")
    _nudge(page, "lay_momentum")
    found = page.evaluate(REVEALED)
    total = int(page.locator(".st-key-lay_running_chart .nv-run").get_attribute("data-batches"))
    assert found["panels"] == [total, total] and found["at"] == f"batch {total} of {total}"
    assert exceptions(page) == [] and page.js_errors == []


def test_batch_noise_is_html_with_values_on_hover(page, server):
    """The "Batch size" chart is HTML (st.html, sanitized): its points keep their positions
    and hover titles from normviz, the coinciding lines' note shows, and no Plotly loads."""
    from normviz import layer_studies as studies
    from normviz.figures.layers import batch_noise_alt
    from normviz.figures.layers_cube import KIND_TITLES

    open_page(page, server, "/layers?tab=batch")
    chart = page.locator(".st-key-lay_noise_chart .nv-chart[role=img]")
    chart.wait_for()
    noise = studies.noise_study(16)  # the default trials
    assert chart.get_attribute("aria-label") == batch_noise_alt(noise)
    points = chart.locator(".nv-point")
    assert points.count() == len(noise.kinds) * len(noise.batch_sizes)
    first = points.first
    b, s = noise.batch_sizes[0], noise.spread[0][0]
    assert (
        first.get_attribute("title") == f"{KIND_TITLES[noise.kinds[0]]}, batch {b}: spread {s:.4f}"
    )
    box = first.bounding_box()
    assert box["width"] > 10 and box["height"] > 10  # a hover target, not a collapsed box
    assert "coincide" in chart.locator(".nv-note").first.inner_text()
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert html_chart_problems(page) == []
    check_page(page)


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
