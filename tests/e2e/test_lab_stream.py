"""The lab's live view follows its session's stream (Server-Sent Events), not page reruns.

While a run trains, the page does not run at all: the worker thread trains, the component's
EventSource receives each payload and draws it, status lines included. A run that stops by
itself asks for one page run (the buttons follow); a dropped connection resumes; a closed tab
stops its training; compare mode uses the same surface.
"""

from __future__ import annotations

import json
import time
import urllib.request

from playwright.sync_api import expect

from tests.e2e.conftest import LIVE_CHART, check_page, open_page, runs, settle, status_lines

LIVE = f".st-key-lab_live {LIVE_CHART}"
STATS = "() => ({...window.liveStats})"
STREAM = "() => window.liveStream.path"


def _live(page, timeout_s: float = 45):
    handle = page.wait_for_selector(LIVE, timeout=timeout_s * 1000)
    frame = handle.content_frame()
    frame.wait_for_function("() => window.liveStats && window.liveStats.renders > 0")
    return frame


def _epochs(page) -> list[int]:
    return [int(t.split("epoch ", 1)[1].split(" ", 1)[0]) for t in status_lines(page)]


def _first_event(url: str, timeout_s: float = 10) -> dict | None:
    """Open the stream at ``url`` and return its first payload (None on HTTP 204)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as r:
        if r.status == 204:
            return None
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                return json.loads(line[6:])
    raise AssertionError("the stream ended without a payload")


def test_training_streams_with_no_page_run_and_status_lines_follow(page, server):
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    assert live.evaluate(STREAM).startswith("/_nv/live/")
    page.locator(".st-key-lab_start button").click()
    expect(page.locator(".st-key-lab_pause button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    before_runs, before = runs(page), live.evaluate(STATS)
    t0 = time.monotonic()
    live.wait_for_function(
        "n => window.liveStats.streamed >= n", arg=before["streamed"] + 20, timeout=30_000
    )
    took = time.monotonic() - t0
    after = live.evaluate(STATS)
    print(f"\n20 streamed updates in {took:.1f} s ({20 / took:.1f}/s), no page run")
    assert runs(page) == before_runs, "the page ran while the run trained"
    assert after["rows"] > before["rows"]
    # The status line is drawn by the view from the streamed payloads: it follows the rows.
    live.wait_for_function("() => true")
    (epoch,) = _epochs(page)
    assert epoch >= before["rows"] - 1
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    paused = live.evaluate(STATS)
    page.wait_for_timeout(1500)
    assert live.evaluate(STATS)["rows"] == paused["rows"], "it trains after Pause"
    assert _epochs(page) == [paused["rows"] - 1]
    check_page(page)


def test_a_run_that_stops_by_itself_brings_the_buttons_back(page, server):
    # Long enough (75 updates an epoch) that the page shows it training before it ends: at
    # batch 256 (one update an epoch) it could end within the page run that handled Start.
    open_page(page, server, "/lab?seed=3&max_epochs=12&batch_size=2")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    start = page.locator(".st-key-lab_start button")
    expect(page.locator(".st-key-lab_pause button")).to_be_enabled(timeout=30_000)
    # No click: the view sees the stop in its stream and asks the page to run once.
    expect(start).to_be_enabled(timeout=60_000)
    settle(page, 30)
    assert live.evaluate(STATS)["pageRuns"] >= 1
    assert _epochs(page) == [12]
    assert live.evaluate(STATS)["rows"] == 13
    expect(page.get_by_text("maximum of 12 epochs", exact=False).first).to_be_visible()
    check_page(page)


def test_a_dropped_connection_resumes_without_losing_rows(page, server):
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    live.wait_for_function("() => window.liveStats.rows >= 5", timeout=30_000)
    opened = live.evaluate("() => window.liveStream.opened")
    # The network goes away for 2 s: the EventSource errs, then reconnects by itself
    # (Last-Event-ID) or the view reopens it with what it holds.
    page.context.set_offline(True)
    page.wait_for_timeout(2000)
    page.context.set_offline(False)
    rows = live.evaluate(STATS)["rows"]
    live.wait_for_function("n => window.liveStats.rows > n + 5", arg=rows, timeout=30_000)
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    # Every epoch once, in order: nothing lost, nothing twice.
    xs = live.evaluate("() => Array.from(window.liveCharts.loss.data[0])")
    assert xs == list(range(len(xs))), xs[:50]
    assert _epochs(page) == [len(xs) - 1]
    print(f"\nstream opened {opened} time(s) before the drop, {live.evaluate(STATS)}")
    check_page(page)


def test_compare_mode_streams_both_runs_on_the_same_surface(page, server):
    open_page(page, server, "/lab?seed=3&mode=compare&preset=L1%20vs%20L2&max_epochs=100000")
    live = _live(page)
    before = runs(page)
    page.locator(".st-key-lab_start button").click()
    expect(page.locator(".st-key-lab_pause button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    started = runs(page)
    streamed = live.evaluate(STATS)["streamed"]
    live.wait_for_function("n => window.liveStats.streamed >= n", arg=streamed + 8, timeout=30_000)
    assert runs(page) == started > before
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    assert live.evaluate("() => window.liveCharts.boundaries.length") == 2
    epochs = _epochs(page)
    assert len(epochs) == 2 and min(epochs) > 0, epochs
    held = live.evaluate(
        """() => [1, 3].map(i => window.liveCharts.acc.data[i].filter(v => v != null).length)"""
    )
    assert held == [e + 1 for e in epochs], (held, epochs)
    check_page(page)


def test_a_closed_tab_stops_its_training(context, server):
    page = context.new_page()
    try:
        open_page(page, server, "/lab?seed=3&max_epochs=100000")
        live = _live(page)
        path = live.evaluate(STREAM)
        page.locator(".st-key-lab_start button").click()
        live.wait_for_function("() => window.liveStats.rows >= 3", timeout=30_000)
    finally:
        page.close()
    url = server.url + path
    first = _first_event(url)  # the session is still there, training (a look of ~0.1 s)
    assert first is not None and first["running"] is True, first
    time.sleep(12)  # no stream for more than 10 s: the worker stops it
    stopped = _first_event(url)
    if stopped is not None:  # (204 once Streamlit has freed the closed tab's session)
        assert stopped["running"] is False and stopped["stopped_by"] == "no_stream", stopped
        epoch = stopped["runs"][0]["rows"]["epoch"][-1]
        time.sleep(2)
        again = _first_event(url)
        assert again is None or again["runs"][0]["rows"]["epoch"][-1] == epoch


def test_a_stalled_stream_is_reopened_while_the_page_shows_training(page, server):
    """A stream that never delivers (closed under the view, or never opened) is noticed: after
    6 s without an update while the page shows the run training, the view reopens it."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    expect(page.locator(".st-key-lab_pause button")).to_be_enabled(timeout=30_000)
    live.wait_for_function("() => window.liveStats.rows >= 3", timeout=30_000)
    opened = live.evaluate("() => window.liveStream.opened")
    # Stalled: the connection stays open (so a page run does not reopen it) and delivers nothing.
    live.evaluate("() => { window.liveStream.source.onmessage = null; }")
    before = live.evaluate(STATS)
    page.wait_for_timeout(1500)
    assert live.evaluate(STATS)["streamed"] == before["streamed"]  # the stall holds
    live.wait_for_function(
        "n => window.liveStats.streamed > n", arg=before["streamed"], timeout=20_000
    )
    after = live.evaluate(STATS)
    assert after["stale"] >= 1 and live.evaluate("() => window.liveStream.opened") > opened
    assert after["rows"] > before["rows"]
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    check_page(page)


def test_a_busy_frame_is_not_taken_for_a_stalled_stream(page, server):
    """On a saturated machine the view's own main thread can be busy for seconds: the events
    wait in its queue. The watchdog's tick that comes late does not judge (no needless reopen);
    the next tick on time does."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    expect(page.locator(".st-key-lab_pause button")).to_be_enabled(timeout=30_000)
    live.wait_for_function("() => window.liveStats.rows >= 3", timeout=30_000)
    live.evaluate("() => { window.liveStream.source.onmessage = null; }")  # silent from now on
    live.evaluate("() => { const t = performance.now(); while (performance.now() - t < 7000) {} }")
    page.wait_for_timeout(300)  # the overdue tick has run
    assert live.evaluate(STATS).get("stale", 0) == 0
    live.wait_for_function("() => (window.liveStats.stale || 0) >= 1", timeout=10_000)
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    check_page(page)
