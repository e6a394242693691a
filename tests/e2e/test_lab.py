"""The regularization lab in a real browser: a shared URL sets it up, it trains, it pauses."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import exceptions, open_page, settle, shoot

CHARTS_STATE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    g => JSON.stringify((g.data || []).map(t => [t.x, t.y, t.z])))"""


def _charts(page) -> list[str]:
    return page.evaluate(CHARTS_STATE)


def _slider_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} [role=slider]").first.get_attribute("aria-valuenow") or ""


def _number_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def test_shared_url_sets_the_lab_up(page, server):
    open_page(page, server, "/lab?dropout=0.3&seed=7")
    assert exceptions(page) == []
    assert float(_slider_value(page, "lab_dropout")) == 0.3
    assert _number_value(page, "lab_seed") == "7"
    # The page keeps its settings in its own address, so copying it shares them.
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dropout") == ["0.3"]
    assert query.get("seed") == ["7"]
    shoot(page, "lab_from_url")


def test_lab_trains_then_pauses(page, server):
    open_page(page, server, "/lab?seed=3")
    assert exceptions(page) == []
    before = _charts(page)
    assert before, "the lab shows no Plotly chart before training"
    page.locator(".st-key-lab_start button").click()
    # Training: the live fragment redraws the charts on its timer, without a page rerun.
    changed = None
    for _ in range(60):
        page.wait_for_timeout(500)
        now = _charts(page)
        if now and now != before:
            changed = now
            break
    assert changed is not None, "the charts did not change within 30 s of pressing Start"
    page.wait_for_timeout(2500)
    later = _charts(page)
    assert later != changed, "the charts stopped changing while training"
    shoot(page, "lab_training")
    page.locator(".st-key-lab_pause button").click()
    settle(page, timeout_s=30)
    paused = _charts(page)
    page.wait_for_timeout(3000)
    settle(page, timeout_s=10)
    assert _charts(page) == paused, "the charts still change after Pause"
    assert exceptions(page) == []
    shoot(page, "lab_paused")
