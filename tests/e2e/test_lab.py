"""The regularization lab in a real browser: a shared URL sets it up, it trains, it pauses."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.conftest import check_page, exceptions, open_page, settle, shoot

CHARTS_STATE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    g => JSON.stringify((g.data || []).map(t => [t.x, t.y, t.z])))"""


def _charts(page) -> list[str]:
    return page.evaluate(CHARTS_STATE)


def _slider_value(page, key: str) -> str:
    # Streamlit 1.67's slider is a react-aria range input inside the keyed element container.
    return page.locator(f".st-key-{key} input[type=range]").first.input_value()


def _number_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def test_shared_url_sets_the_lab_up(page, server):
    took = open_page(page, server, "/lab?dropout=0.3&seed=7")
    print(f"\nlab from a shared URL settled in {took:.1f} s")
    check_page(page)
    assert float(_slider_value(page, "lab_dropout")) == 0.3
    assert _number_value(page, "lab_seed") == "7"
    # The page keeps its settings in its own address, so copying it shares them.
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dropout") == ["0.3"]
    assert query.get("seed") == ["7"]
    shoot(page, "lab_from_url")


def _wait_for_change(page, before: list[str], timeout_s: float) -> list[str] | None:
    """Poll the charts until they differ from ``before``; return them, or None on timeout."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        page.wait_for_timeout(250)
        now = _charts(page)
        if now and now != before:
            return now
    return None


def test_lab_trains_then_pauses(page, server):
    loaded = open_page(page, server, "/lab?seed=3")
    assert exceptions(page) == []
    before = _charts(page)
    assert before, "the lab shows no Plotly chart before training"
    start = page.locator(".st-key-lab_start button")
    pause = page.locator(".st-key-lab_pause button")
    assert pause.is_disabled(), "Pause is enabled before training started"
    t0 = time.monotonic()
    start.click()
    # Training: the live fragment redraws the charts on its timer, without a page rerun.
    changed = _wait_for_change(page, before, 30)
    assert changed is not None, "the charts did not change within 30 s of pressing Start"
    t1 = time.monotonic()
    later = _wait_for_change(page, changed, 15)
    assert later is not None, "the charts changed once, then not again within 15 s"
    t2 = time.monotonic()
    print(f"\nlab: first chart change {t1 - t0:.1f} s after Start, next {t2 - t1:.1f} s later")
    shoot(page, "lab_training")
    expect(pause).to_be_enabled()
    pause.click()
    # Paused: Start is enabled again once the rerun that handled Pause has finished.
    expect(start).to_be_enabled(timeout=30_000)
    t3 = time.monotonic()
    settled = settle(page, timeout_s=30)
    print(f"lab: loaded in {loaded:.1f} s, paused in {t3 - t2:.1f} s, settled {settled:.1f} s")
    paused = _charts(page)
    assert _wait_for_change(page, paused, 3) is None, "the charts still change after Pause"
    assert exceptions(page) == []
    shoot(page, "lab_paused")
