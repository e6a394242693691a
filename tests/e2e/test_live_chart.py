"""The lab's live view (assets/live_chart) in headless Chromium, without Streamlit.

A loopback ``http.server`` serves the component's files and a harness page that plays
Streamlit's part (tests/e2e/live_harness/harness.html): it embeds the component's index.html in
an iframe, posts ``streamlit:render`` messages with payloads built by
:mod:`tests.e2e.live_harness.payloads` per docs/live-view.md, and records what the iframe sends
back. Every test fails on a console error, an uncaught exception or a request to anything but
127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import re
import statistics
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.e2e.live_harness.payloads import feed, rows, run, stop_at

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets" / "live_chart"
HARNESS = Path(__file__).resolve().parent / "live_harness"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """``/component/*`` from assets/live_chart, everything else from the harness directory."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("/component/"):
            return str(ASSETS / path[len("/component/") :])
        return str(HARNESS / path.lstrip("/"))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    """URL of a loopback server (port 0: a free one) serving the harness and the component."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Harness:
    """The harness page, the component's frame and what went wrong while they ran."""

    def __init__(self, page, frame) -> None:
        self.page = page
        self.frame = frame
        self.seq = 0

    def send(self, runs: list[dict], stream: str = "s1", x_axis: str = "epoch") -> None:
        """Post one payload (the next ``seq``) to the component."""
        self.seq += 1
        self.page.evaluate("f => window.sendFeed(f)", feed(stream, self.seq, runs, x_axis))

    def applied(self, runs: list[dict], **kw: Any) -> dict:
        """Post a payload that must apply; return ``window.liveStats`` once it has."""
        before = self.stats()["renders"]
        self.send(runs, **kw)
        self.frame.wait_for_function("n => window.liveStats.renders > n", arg=before)
        return self.stats()

    def stats(self) -> dict:
        return self.frame.evaluate("() => ({...window.liveStats})")

    def values(self) -> list[dict]:
        """The component values the iframe has sent (its gap requests), without ``frame``.

        ``frame`` (one load of the iframe) must be 16 hex digits, the same in every request.
        """
        values = self.page.evaluate("() => window.values().map(d => d.value)")
        frames = {v.pop("frame") for v in values}
        assert len(frames) <= 1 and all(re.fullmatch(r"[0-9a-f]{16}", f) for f in frames)
        return values

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.frame.evaluate(expr, arg)


@pytest.fixture
def harness(browser, origin) -> Iterator[Harness]:
    """A fresh harness page (900 px wide frame) whose component has said componentReady."""
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    ctx.set_default_timeout(10_000)
    third_party: list[str] = []

    def loopback_only(route) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            third_party.append(route.request.url)
            route.abort()

    ctx.route("**/*", loopback_only)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(origin + "/harness.html")
    page.wait_for_function("() => window.ready === true")
    frame = page.frame(url=lambda u: "/component/" in u)
    assert frame is not None
    try:
        yield Harness(page, frame)
        assert third_party == [], f"requests outside 127.0.0.1: {third_party}"
        assert errors == [], f"console errors: {errors}"
    finally:
        ctx.close()


NON_WHITE = """sel => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 600) n++;
    return n;
}"""


def test_the_charts_draw_and_the_boundary_is_blue_where_p_is_high(harness: Harness) -> None:
    s = harness.applied([run("t1", 0, 50, stop=stop_at(30))])
    assert (s["renders"], s["rows"], s["requests"]) == (1, 50, 0)
    # The heat map: P(class 1) = sigmoid(3 (x + y)), blue (#93c5fd) top right, orange bottom left.
    r, g, b, _ = harness.js("() => window.liveCharts.boundaries[0].pixelAt(1.6, 1.6)")
    assert b > r + 60 and b > 200, (r, g, b)
    r, g, b, _ = harness.js("() => window.liveCharts.boundaries[0].pixelAt(-1.6, -1.6)")
    assert r > b + 60 and r > 200, (r, g, b)
    # Points and axes on the overlay; lines on every chart's canvas.
    for sel in (
        "#boundary canvas.layer",
        "#loss canvas",
        "#acc canvas",
        "#norm canvas",
        "#hist canvas",
    ):
        assert harness.js(NON_WHITE, sel) > 200, sel
    titles = harness.js(
        "() => [...document.querySelectorAll('.u-title, .live-title')].map(e => e.textContent)"
    )
    assert (
        titles[0] == "Decision boundary"
        and "Loss (lower is better)" in titles
        and "Accuracy" in titles
    )
    # Text alternatives from the payload; the document's own title and language.
    labels = harness.js(
        "() => [...document.querySelectorAll('[role=img]')]"
        ".map(e => [e.id, e.getAttribute('aria-label')])"
    )
    assert dict(labels) == {
        "boundary": "Decision boundary of run t1: class 1 at the top right.",
        "hist": "Histogram of the network's weights.",
        "norm": "Weight norm and share of weights near zero.",
        "curves": "Loss and accuracy of the run so far.",
    }
    assert harness.js("() => [document.title.length > 0, document.documentElement.lang]") == [
        True,
        "en",
    ]
    # The frame's height follows the content (streamlit:setFrameHeight), so nothing is cut off.
    body = harness.js("() => Math.ceil(document.body.getBoundingClientRect().height)")
    frame_h = harness.page.evaluate("() => document.getElementById('frame').offsetHeight")
    assert body > 600 and frame_h == body


def test_deltas_grow_the_held_rows_exactly(harness: Harness) -> None:
    assert harness.applied([run("t1", 0, 10)])["rows"] == 10
    assert harness.applied([run("t1", 10, 13)])["rows"] == 13
    assert harness.applied([run("t1", 13, 14)])["rows"] == 14
    assert harness.applied([run("t1", 14, 14)])["rows"] == 14  # no new row: grid and hist only
    # A payload that repeats rows the browser holds (base 12 < 14) appends only the new ones.
    assert harness.applied([run("t1", 12, 16)])["rows"] == 16
    held = harness.js("() => [...window.liveCharts.loss.data[0]]")
    assert held == list(range(16))
    loss = harness.js("() => window.liveCharts.loss.data[1][15]")
    assert loss == pytest.approx(0.7 * 2.718281828459045 ** (-15 / 400) + 0.05)
    assert harness.stats()["requests"] == 0


def drag_across_loss(
    harness: Harness, at: tuple[float, float, float], steps: int
) -> tuple[dict, float]:
    """Drag across the loss chart at mid height from ``at[0]`` through ``at[1]`` to ``at[2]``
    (fractions of its plot's width), as a zoom; return the plot's box and the drag's y."""
    box = harness.frame.locator("#loss .u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    harness.page.mouse.move(box["x"] + box["width"] * at[0], y)
    harness.page.mouse.down()
    harness.page.mouse.move(box["x"] + box["width"] * at[1], y, steps=steps)
    harness.page.mouse.move(box["x"] + box["width"] * at[2], y, steps=steps)
    harness.page.mouse.up()
    return box, y


def test_a_zoom_survives_five_payloads_and_a_double_click_resets_it(harness: Harness) -> None:
    harness.applied([run("t1", 0, 200)])
    box, y = drag_across_loss(harness, (0.3, 0.45, 0.6), steps=5)
    scale = "() => [window.liveCharts.loss.scales.x.min, window.liveCharts.loss.scales.x.max]"
    zoom = harness.js(scale)
    assert 40 < zoom[0] < zoom[1] < 160, zoom
    for k in range(5):
        harness.applied([run("t1", 200 + 10 * k, 210 + 10 * k)])
        assert harness.js(scale) == pytest.approx(zoom)
    assert harness.stats()["rows"] == 250
    # The curves share their cursor: the accuracy and norm charts zoomed with the loss chart.
    for name in ("acc", "norm"):
        other = scale.replace("loss", name)
        assert harness.js(other) == pytest.approx(zoom, abs=0.5), name
    harness.page.mouse.dblclick(box["x"] + box["width"] / 2, y)
    harness.applied([run("t1", 250, 251)])
    for name in ("loss", "acc", "norm"):
        assert harness.js(scale.replace("loss", name)) == [0, 250], name


def test_a_gap_sends_one_request_and_a_base_0_payload_recovers(harness: Harness) -> None:
    harness.applied([run("t1", 0, 10)])
    # Rows 10-14 were lost: base 15 > 10 held. Three such payloads ask once (not once each).
    for base in (15, 16, 17):
        harness.send([run("t1", base, base + 1)])
    harness.page.wait_for_function("() => window.values().length >= 1")
    harness.page.wait_for_timeout(150)
    assert harness.values() == [{"stream": "s1", "have": {"t1": 10}, "ask": 1}]
    assert harness.stats()["rows"] == 10  # nothing applied past the gap
    # The feed answers from have[t1] = 10: the rows fit again.
    assert harness.applied([run("t1", 10, 18)])["rows"] == 18
    # An unknown token with base > 0 (a remounted feed's run) asks with have 0; base 0 recovers.
    harness.send([run("t2", 5, 6)])
    harness.page.wait_for_function("() => window.values().length >= 2")
    assert harness.values()[1] == {"stream": "s1", "have": {"t2": 0}, "ask": 2}
    s = harness.applied([run("t2", 0, 7)])
    assert (s["rows"], s["requests"]) == (7, 2)
    assert harness.js("() => window.liveCharts.loss.data[0].length") == 7
    # A new stream is a new session: what was held is forgotten, base > 0 asks again.
    harness.send([run("t2", 7, 8)], stream="s2")
    harness.page.wait_for_function("() => window.values().length >= 3")
    assert harness.values()[2] == {"stream": "s2", "have": {"t2": 0}, "ask": 3}
    assert harness.applied([run("t2", 0, 8)], stream="s2")["rows"] == 8
    assert len(harness.values()) == 3


def test_compare_mode_draws_two_boundaries_and_run_b_dashed(harness: Harness) -> None:
    s = harness.applied([run("a1", 0, 40, label="A"), run("b1", 0, 30, label="B", sign=-1.0)])
    assert s["rows"] == 40
    assert harness.js("() => window.liveCharts.boundaries.length") == 2
    titles = harness.js(
        "() => [...document.querySelectorAll('.live-title')].map(e => e.textContent)"
    )
    assert titles == ["Run A", "Run B"]
    # A's grid is class 1 at the top right (blue), B's the mirror image (orange).
    ra, _, ba, _ = harness.js("() => window.liveCharts.boundaries[0].pixelAt(1.6, 1.6)")
    rb, _, bb, _ = harness.js("() => window.liveCharts.boundaries[1].pixelAt(1.6, 1.6)")
    assert ba > ra + 60 and rb > bb + 60
    series = harness.js(
        "() => window.liveCharts.loss.series.slice(1).map(s => [s.label, s.dash || null])"
    )
    assert series == [["A train", None], ["A test", None], ["B train", [7, 4]], ["B test", [7, 4]]]
    # Both runs' columns reach the chart: B ends 10 rows before A on the shared epoch axis.
    lens = harness.js("() => window.liveCharts.loss.data.map(c => c.length)")
    assert lens == [40, 40, 40, 30, 30]
    assert harness.js("() => window.liveCharts.hist.length") == 2
    for sel in ("#boundary-A canvas.layer", "#boundary-B canvas.layer", "#hist canvas"):
        assert harness.js(NON_WHITE, sel) > 200, sel
    # Back to one run: the layout is rebuilt with one boundary.
    harness.applied([run("c1", 0, 5)])
    assert harness.js("() => window.liveCharts.boundaries.length") == 1


def test_compare_runs_with_other_updates_per_epoch_share_one_merged_x_axis(
    harness: Harness,
) -> None:
    def b_run(base: int, end: int) -> dict:
        r = run("b1", base, end, label="B")
        r["rows"]["step"] = [16 * e + 1 for e in r["rows"]["epoch"]]  # another batch size
        return r

    harness.applied([run("a1", 0, 20, label="A"), b_run(0, 12)], x_axis="step")
    for a0, a1, b0, b1 in ((20, 23, 12, 15), (23, 24, 15, 19), (24, 24, 19, 19), (24, 30, 19, 20)):
        harness.applied([run("a1", a0, a1, label="A"), b_run(b0, b1)], x_axis="step")
    # The oracle: the union of both runs' update counts, each run's loss where it has a row.
    a_steps = {8 * e: e for e in range(30)}
    b_steps = {16 * e + 1: e for e in range(20)}
    xs = sorted(set(a_steps) | set(b_steps))
    got = harness.js(
        "() => window.liveCharts.loss.data.map(c => [...c].map(v => v === undefined ? 'gap' : v))"
    )
    assert got[0] == xs
    loss = lambda e: 0.7 * np.exp(-e / 400.0) + 0.05  # noqa: E731 (payloads.rows' closed form)
    assert got[1] == pytest.approx([loss(a_steps[x]) if x in a_steps else "gap" for x in xs])
    assert got[3] == pytest.approx([loss(b_steps[x]) if x in b_steps else "gap" for x in xs])


def test_a_new_token_with_base_0_replaces_the_run(harness: Harness) -> None:
    harness.applied([run("t1", 0, 100)])
    s = harness.applied([run("t2", 0, 5)])
    assert (s["rows"], s["requests"]) == (5, 0)
    assert harness.js("() => [...window.liveCharts.loss.data[0]]") == [0, 1, 2, 3, 4]
    # The x axis switch re-labels and re-draws from the held columns (rows carry all three).
    harness.applied([run("t2", 5, 6)], x_axis="samples_seen")
    assert harness.js("() => [...window.liveCharts.loss.data[0]]") == [256 * k for k in range(6)]
    assert harness.js("() => window.liveCharts.loss.axes[0].label") == "samples seen"


def test_a_phone_width_stacks_the_charts_in_one_column(harness: Harness) -> None:
    harness.page.evaluate("() => window.setWidth(360)")
    harness.applied([run("t1", 0, 20)])
    lefts = harness.js(
        "() => ['#boundary', '#hist', '#norm', '#loss', '#acc']"
        ".map(s => Math.round(document.querySelector(s).getBoundingClientRect().left))"
    )
    assert len(set(lefts)) == 1, lefts
    right = harness.js(
        "() => Math.max(...[...document.querySelectorAll('canvas')]"
        ".map(c => c.getBoundingClientRect().right))"
    )
    assert right <= 360
    harness.page.evaluate("() => window.setWidth(900)")
    harness.frame.wait_for_function(
        "() => document.querySelector('#hist').getBoundingClientRect().left > 300"
    )


def test_one_row_payloads_extend_a_3000_row_run_one_render_each(harness: Harness) -> None:
    # What a payload costs the main thread is a benchmark's figure, measured against a reference
    # in one run (bench/bench_lab_browser.py prints live.js ms per update), not a timed test.
    harness.applied([run("t1", 0, 3000, stop=stop_at(2500))])
    for k in range(30):
        s = harness.applied([run("t1", 3000 + k, 3001 + k, stop=stop_at(2500))])
    assert s["rows"] == 3030 and s["renders"] == 31
    assert harness.js("() => window.liveCharts.loss.data[0].at(-1)") == 3029


def test_hover_shows_the_values_and_a_repeated_payload_is_ignored(harness: Harness) -> None:
    harness.applied([run("t1", 0, 101)])
    # The boundary's readout gives P(class 1) of the grid cell under the cursor (the value the
    # payload carries, quantized): hover the centre of cell (row 19, column 22) of the 40x40 grid.
    geo = harness.js("() => ((b) => [b.m, b.pw, b.ph])(window.liveCharts.boundaries[0])")
    box = harness.frame.locator("#boundary canvas.layer").bounding_box()
    i, j, n = 19, 22, 40
    harness.page.mouse.move(
        box["x"] + geo[0]["l"] + (j + 0.5) / n * geo[1],
        box["y"] + geo[0]["t"] + (1 - (i + 0.5) / n) * geo[2],
    )
    text = harness.frame.locator("#boundary .live-readout").text_content()
    m = re.fullmatch(r"P\(class 1\) = (\S+) at x = (\S+), y = (\S+)", text)
    assert m, text
    nodes = np.linspace(-2.0, 2.0, n)
    p = np.round(254 / (1 + np.exp(-3 * (nodes[j] + nodes[i])))) / 254
    assert m.group(1) == f"{p:.2f}" and 0.6 < p < 0.7, (text, p)
    half = (nodes[1] - nodes[0]) / 2  # the readout's (x, y) is in the cell around the node
    assert float(m.group(2)) == pytest.approx(nodes[j], abs=half)
    assert float(m.group(3)) == pytest.approx(nodes[i], abs=half)
    # The curves' legend shows the values at the cursor (the middle of 0..100 is epoch 50).
    box = harness.frame.locator("#loss .u-over").bounding_box()
    harness.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    values = harness.frame.locator("#loss .u-legend .u-value").all_text_contents()
    expected = 0.7 * 2.718281828459045 ** (-50 / 400) + 0.05
    assert values[0] == "50" and values[1] == f"{expected:.4f}", values
    # Without the cursor, the legend shows the newest row (epoch 100).
    harness.page.mouse.move(1, 1)
    harness.frame.wait_for_function(
        "() => document.querySelector('#loss .u-legend .u-value').textContent === '100'"
    )
    values = harness.frame.locator("#loss .u-legend .u-value").all_text_contents()
    assert values[1] == f"{0.7 * np.exp(-100 / 400) + 0.05:.4f}", values
    # Streamlit re-posting the same arguments (same stream and seq) changes nothing.
    harness.page.evaluate("f => window.sendFeed(f)", feed("s1", harness.seq, [run("t1", 0, 3)]))
    assert harness.applied([run("t1", 101, 102)])["renders"] == 2
    assert harness.stats()["rows"] == 102


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def test_axe_finds_no_serious_violation_in_the_component(harness: Harness) -> None:
    harness.applied([run("a1", 0, 30, label="A"), run("b1", 0, 30, label="B")])
    harness.frame.add_script_tag(path=str(AXE))
    found = harness.js(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    assert found == []


def test_a_diverged_run_leaves_a_gap_and_a_labelled_stop_mark(harness: Harness) -> None:
    stop = stop_at(60, "diverged")
    harness.applied([run("t1", 0, 80, stop=stop, null_from=61)])
    loss = harness.js("() => window.liveCharts.loss.data[1].slice(59, 63)")
    assert loss[:2] == pytest.approx([0.7 * np.exp(-k / 400) + 0.05 for k in (59, 60)])
    assert loss[2:] == [None, None]  # non-finite losses arrive as null: uPlot draws a gap
    # The mark: a dashed vertical line in the divergence colour (#b91c1c) at x = 60.
    column = """() => {
        const u = window.liveCharts.loss, x = Math.round(u.valToPos(60, 'x', true));
        const d = u.ctx.getImageData(x - 1, u.bbox.top, 3, u.bbox.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] < 60 && d[i + 2] < 60) n++;
        return n;
    }"""
    assert harness.js(column) > 40
    assert harness.js(NON_WHITE, "#loss canvas") > 200


def test_an_unanswered_request_is_sent_again_after_2_s(harness: Harness) -> None:
    harness.applied([run("t1", 0, 10)])
    harness.send([run("t1", 12, 13)])
    harness.page.wait_for_function("() => window.values().length >= 1")
    harness.page.wait_for_timeout(1500)
    assert len(harness.values()) == 1
    harness.page.wait_for_function("() => window.values().length >= 2", timeout=2000)
    assert harness.values() == [
        {"stream": "s1", "have": {"t1": 10}, "ask": 1},
        {"stream": "s1", "have": {"t1": 10}, "ask": 2},
    ]
    assert harness.applied([run("t1", 10, 13)])["requests"] == 2


def column_pixels(harness: Harness, chart: str, x: float, rgb: tuple[int, int, int]) -> int:
    """Count the pixels within 30 of colour ``rgb`` in the 3 px column at ``x`` of a chart."""
    return harness.js(
        """([chart, x, rgb]) => {
            const u = window.liveCharts[chart], px = Math.round(u.valToPos(x, 'x', true));
            const d = u.ctx.getImageData(px - 1, u.bbox.top, 3, u.bbox.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (Math.abs(d[i] - rgb[0]) < 30 && Math.abs(d[i + 1] - rgb[1]) < 30
                    && Math.abs(d[i + 2] - rgb[2]) < 30) n++;
            }
            return n;
        }""",
        [chart, x, list(rgb)],
    )


def test_setting_changes_are_marked_on_every_curve_chart(harness: Harness) -> None:
    r = run("t1", 0, 60)
    r["marks"] = [{"x": {"epoch": 20, "step": 160, "samples_seen": 5120}, "text": "L2 0 → 0.01"}]
    harness.applied([r])
    grey = (0x6B, 0x72, 0x80)  # the marks' colour
    for chart in ("loss", "acc", "norm"):
        assert column_pixels(harness, chart, 20, grey) > 30, chart
        assert column_pixels(harness, chart, 40, grey) < 5, chart  # no mark there
    # The marks come with every payload (the newest 20): a later payload's list replaces them.
    r = run("t1", 60, 61)
    r["marks"] = [{"x": {"epoch": 40, "step": 320, "samples_seen": 10240}, "text": "lr 0.1"}]
    harness.applied([r])
    assert column_pixels(harness, "loss", 40, grey) > 30
    assert column_pixels(harness, "loss", 20, grey) < 5


def test_a_restart_draws_the_previous_run_faint_until_the_next_restart(harness: Harness) -> None:
    harness.applied([run("t1", 0, 300)])
    r = run("t2", 0, 50)
    old = rows(0, 300)
    keep = list(range(0, 300, 3))
    r["ghost"] = {"rows": {k: [v[i] for i in keep] for k, v in old.items()}, "note": "before"}
    s = harness.applied([r])
    assert s["rows"] == 50
    labels = harness.js("() => window.liveCharts.loss.series.slice(1).map(s => s.label)")
    assert labels == ["train", "test", "train (before)", "test (before)"]
    strokes = harness.js("() => window.liveCharts.loss.series.slice(1).map(s => s._stroke)")
    assert "0.35" in strokes[2] and "0.35" not in strokes[0]
    # One x column: the union of the new run's epochs and the ghost's; each on its own rows.
    harness.applied([run("t2", 50, 52)])
    got = harness.js(
        "() => window.liveCharts.loss.data.map(c => [...c].map(v => v === undefined ? 'gap' : v))"
    )
    xs = sorted(set(range(52)) | set(keep))
    assert got[0] == xs
    new = rows(0, 52)["train_loss"]
    assert got[1] == pytest.approx([new[x] if x < 52 else "gap" for x in xs])
    assert got[3] == pytest.approx([old["train_loss"][x] if x in keep else "gap" for x in xs])
    # The next restart without a ghost removes it.
    harness.applied([run("t3", 0, 5)])
    assert harness.js("() => window.liveCharts.loss.series.length") == 3
    assert harness.js("() => [...window.liveCharts.loss.data[0]]") == [0, 1, 2, 3, 4]


def test_real_payloads_from_live_feed_rebuild_the_trainers_history(harness: Harness) -> None:
    torch = pytest.importorskip("torch")
    from normviz.serving.live_feed import LiveFeed, LiveRun
    from normviz.training import TrainConfig, Trainer

    torch.set_num_threads(1)
    t = Trainer(TrainConfig(n_samples=200, hidden=(16, 16), seed=3))
    live = LiveFeed("real")
    runs = [LiveRun("", "run1", t)]

    def tick(send: bool = True) -> dict:
        t.step(7)
        payload = live.payload(runs)
        if send:
            harness.page.evaluate("f => window.sendFeed(f)", payload)
        return payload

    renders = 0
    for k in range(12):
        # Tick 5 never reaches the frame: the next payloads overlap it (no request). Ticks 8-11
        # are lost too: the frame asks, the feed answers, the next payload fits.
        sent = k not in (5, 8, 9, 10, 11)
        tick(sent)
        if sent:
            renders += 1
            harness.frame.wait_for_function("n => window.liveStats.renders >= n", arg=renders)
    assert harness.values() == []
    tick()
    harness.page.wait_for_function("() => window.values().length >= 1")
    reply = harness.page.evaluate("() => window.values()[0].value")
    assert reply["have"] == {"run1": harness.stats()["rows"]} and live.answer(reply)
    tick()
    harness.frame.wait_for_function("n => window.liveStats.renders >= n", arg=renders + 1)
    assert harness.stats()["rows"] == len(t.history)
    epochs, train_loss = harness.js(
        "() => [[...window.liveCharts.loss.data[0]], [...window.liveCharts.loss.data[1]]]"
    )
    assert epochs == [r.epoch for r in t.history]
    assert train_loss == pytest.approx([r.train_loss for r in t.history], rel=1e-4)
    assert harness.js(NON_WHITE, "#boundary canvas") > 1000


# Per plot column of the loss chart's canvas: the first and last row whose pixel is the train
# line's ink (#4f46e5: green well below white's, blue above red), or null without any.
TRAIN_INK = """() => {
    const u = window.liveCharts.loss, b = u.bbox;
    const d = u.ctx.getImageData(b.left, b.top, b.width, b.height).data;
    const out = [];
    for (let x = 0; x < b.width; x++) {
        let top = null, bottom = null;
        for (let y = 0; y < b.height; y++) {
            const i = 4 * (y * b.width + x);
            if (d[i + 3] > 0 && d[i + 1] < 170 && d[i + 2] > d[i] + 40) {
                if (top === null) top = y;
                bottom = y;
            }
        }
        out.push([top, bottom]);
    }
    return out;
}"""


def test_a_dense_line_is_filled_where_its_stroke_would_ink(harness: Harness) -> None:
    # 1200 noisy rows on a plot ~260 device pixels wide (4-5 rows a column): the train loss
    # zigzags between 0.2 and 0.8, the test loss stays out of its way (near 2), and the train
    # loss is null from row 900 on (a gap to the end).
    r = run("t1", 0, 1200)
    noise = np.random.default_rng(7).uniform(-1.0, 1.0, 1200)
    r["rows"]["train_loss"] = [None if k >= 900 else 0.5 + 0.3 * noise[k] for k in range(1200)]
    r["rows"]["test_loss"] = [2.0 + 0.01 * noise[k] for k in range(1200)]
    harness.applied([r])
    dense = harness.js("() => window.liveCharts.loss.series[1]._paths")
    assert dense["stroke"] is None and dense["fill"] is not None  # filled, not stroked
    filled = harness.js(TRAIN_INK)
    # The oracle: uPlot's own 2 px stroke of the same rows on the same chart.
    harness.js("() => { window.liveTuning.denseRowsPerPx = Infinity; liveCharts.loss.redraw(); }")
    assert harness.js("() => window.liveCharts.loss.series[1]._paths")["stroke"] is not None
    stroked = harness.js(TRAIN_INK)
    harness.js("() => { window.liveTuning.denseRowsPerPx = 0.5; liveCharts.loss.redraw(); }")
    assert harness.js(TRAIN_INK) == filled
    x_gap = harness.js("() => liveCharts.loss.valToPos(899, 'x', true) - liveCharts.loss.bbox.left")
    inked = [k for k, (top, _) in enumerate(stroked) if top is not None]
    assert inked and inked[-1] <= x_gap + 2  # nothing drawn past the gap ...
    ink = [k for k, (top, _) in enumerate(filled) if top is not None]  # ... either
    assert abs(ink[0] - inked[0]) <= 1 and abs(ink[-1] - inked[-1]) <= 1
    assert len(ink) == ink[-1] - ink[0] + 1 and len(inked) == inked[-1] - inked[0] + 1
    # Column by column, the fill reaches as high and as low as the stroke: mostly to the pixel
    # (a steep join's stroke reaches a little further into a neighbouring column).
    diffs = [abs(f[e] - s[e]) for f, s in zip(filled, stroked, strict=True)
             if s[0] is not None and f[0] is not None for e in (0, 1)]  # fmt: skip
    assert len(inked) > 200 and statistics.mean(diffs) < 1.0, statistics.mean(diffs)
    assert sum(d == 0 for d in diffs) >= 0.75 * len(diffs), sorted(diffs)[-20:]
    assert sum(d <= 2 for d in diffs) >= 0.85 * len(diffs), sorted(diffs)[-20:]


# Per series of the loss chart, per canvas pixel column: [min, max] of the values handed to
# uPlot (`data`) or of the rows held (`liveRaw`, or `data` without a summary), nulls apart.
COLUMNS = """which => {
    const u = window.liveCharts.loss, d = which === 'raw' ? (u.liveRaw || u.data) : u.data;
    const out = [];
    for (let s = 1; s < d.length; s++) {
        const cols = {};
        for (let i = 0; i < d[0].length; i++) {
            const v = d[s][i];
            if (v == null) continue;
            const c = Math.round(u.valToPos(d[0][i], 'x', true));
            const m = cols[c] || (cols[c] = [v, v]);
            if (v < m[0]) m[0] = v;
            if (v > m[1]) m[1] = v;
        }
        out.push(cols);
    }
    return out;
}"""


def noisy_run(base: int, end: int, gap: tuple[int, int]) -> dict:
    """Rows ``base`` to ``end - 1`` whose train loss is noise in [0.2, 0.8], null in ``gap``."""
    r = run("t1", base, end)
    noise = np.random.default_rng(11).uniform(-1.0, 1.0, 10_000)
    r["rows"]["train_loss"] = [
        None if gap[0] <= k < gap[1] else 0.5 + 0.3 * noise[k] for k in range(base, end)
    ]
    return r


def test_8000_rows_hand_uplot_a_bounded_summary_that_keeps_each_columns_extremes(
    harness: Harness,
) -> None:
    gap = (5000, 5200)
    harness.applied([noisy_run(0, 8000, gap)])
    for k in range(8000, 8020):
        harness.applied([noisy_run(k, k + 1, gap)])
    width = harness.js("() => window.liveCharts.loss.bbox.width")
    lens = harness.js("() => window.liveCharts.loss.data.map(c => c.length)")
    # At most 4 points a device pixel column (first, least, greatest, last of each bucket).
    assert len(set(lens)) == 1 and 0 < lens[0] <= 4 * width, (lens, width)
    assert harness.js("() => window.liveCharts.loss.liveRaw[0].length") == 8020
    # The x range is the rows' (first and last row are handed as they are).
    assert harness.js("() => [window.liveCharts.loss.scales.x.min, liveCharts.loss.scales.x.max]")[
        :2
    ] == [0, 8019]
    drawn, held = harness.js(COLUMNS, "drawn"), harness.js(COLUMNS, "raw")
    for s, (d, h) in enumerate(zip(drawn, held, strict=True)):
        # Each column's least and greatest row reach the line within 2 columns (a bucket is 1
        # to 2 columns wide), and nothing drawn lies outside the rows of those columns.
        near = lambda cols, c: [cols[str(k)] for k in range(c - 2, c + 3) if str(k) in cols]  # noqa: E731
        for c, (lo, hi) in h.items():
            got = near(d, int(c))
            assert min(g[0] for g in got) <= lo and max(g[1] for g in got) >= hi, (s, c)
        for c, (lo, hi) in d.items():
            ref = near(h, int(c))
            assert min(r[0] for r in ref) <= lo and max(r[1] for r in ref) >= hi, (s, c)
        assert min(v[0] for v in d.values()) == min(v[0] for v in h.values())
        assert max(v[1] for v in d.values()) == max(v[1] for v in h.values())
    # The gap stays a gap: no train-loss point more than 2 columns inside its rows' columns.
    px = harness.js(
        "() => [...liveCharts.loss.data[0]].map(x => liveCharts.loss.valToPos(x, 'x', true))"
    )
    ends = harness.js(
        f"() => [{gap[0]}, {gap[1] - 1}].map(x => liveCharts.loss.valToPos(x, 'x', true))"
    )
    ys = harness.js("() => [...window.liveCharts.loss.data[1]]")
    inside = [y for p, y in zip(px, ys, strict=True) if ends[0] + 2 < p < ends[1] - 2]
    assert inside and all(y is None for y in inside)
    # Hover shows the nearest real row, not a summary point.
    noise = np.random.default_rng(11).uniform(-1.0, 1.0, 10_000)
    box = harness.frame.locator("#loss .u-over").bounding_box()
    harness.page.mouse.move(box["x"] + box["width"] * 0.37, box["y"] + box["height"] * 0.5)
    x = harness.js("() => liveCharts.loss.posToVal(liveCharts.loss.cursor.left, 'x')")
    row = round(x)
    values = harness.frame.locator("#loss .u-legend .u-value").all_text_contents()
    assert values[0] == f"{row:,}", (values, row)
    assert values[1] == f"{0.5 + 0.3 * noise[row]:.4f}", (values, row)


def test_a_zoom_on_8000_rows_shows_every_row_and_a_double_click_the_summary(
    harness: Harness,
) -> None:
    harness.applied([noisy_run(0, 8000, (9000, 9000))])
    summary = harness.js("() => window.liveCharts.loss.data[0].length")
    assert summary < 4000
    box, y = drag_across_loss(harness, (0.40, 0.43, 0.45), steps=3)
    lo, hi = harness.js("() => [liveCharts.loss.scales.x.min, liveCharts.loss.scales.x.max]")
    assert 3000 < lo < hi < 3800, (lo, hi)
    xs = harness.js("() => [...window.liveCharts.loss.data[0]]")
    ys = harness.js("() => [...window.liveCharts.loss.data[1]]")
    noise = np.random.default_rng(11).uniform(-1.0, 1.0, 10_000)
    # Every row in the zoom (and one each side) as it is.
    assert xs == list(range(xs[0], xs[-1] + 1)) and xs[0] <= lo and xs[-1] >= hi, xs[:3]
    assert ys == pytest.approx([0.5 + 0.3 * noise[k] for k in xs])
    harness.applied([noisy_run(8000, 8001, (9000, 9000))])
    assert harness.js("() => [liveCharts.loss.scales.x.min, liveCharts.loss.scales.x.max]") == (
        pytest.approx([lo, hi])
    )
    harness.page.mouse.dblclick(box["x"] + box["width"] / 2, y)
    harness.applied([noisy_run(8001, 8002, (9000, 9000))])
    assert harness.js("() => [liveCharts.loss.scales.x.min, liveCharts.loss.scales.x.max]") == [
        0,
        8001,
    ]
    assert harness.js("() => window.liveCharts.loss.data[0].length") < 4000
