"""The landing page loads in a real Chromium and links every lesson.

Each lesson page's own test (test_images, test_layers, test_lab) checks that page with
:func:`check_page`: no exception box, no JavaScript error, the lessons in the sidebar.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_page, health, open_page, runs, settle_after, shoot


def test_landing_links_every_lesson(page, server):
    took = open_page(page, server, "/")
    check_page(page)
    assert page.locator("h1").first.inner_text().strip() == "normviz"
    hrefs = {
        (a.get_attribute("href") or "").rsplit("/", 1)[-1]
        for a in page.query_selector_all("[data-testid=stPageLink] a")
    }
    assert {"images", "layers", "lab"} <= hrefs
    shoot(page, "home")
    assert health(server.url) is not None
    print(f"\nlanding page settled in {took:.1f} s")


# Each segmented control's options and which of them is selected.
SEGMENTS = """() => Array.from(document.querySelectorAll('[data-testid=stButtonGroup]')).map(
    g => Array.from(g.querySelectorAll('button[aria-checked]')).map(
        b => [b.textContent.trim(), b.getAttribute('aria-checked') === 'true']))"""


def test_a_click_on_the_selected_segment_keeps_it_selected(page, server):
    """A segmented control (clip bounds, equalize mode, layers data source, lab mode) used to
    deselect on a second click: nothing shown as chosen while the page used its default."""
    for path in ("/images?technique=clip", "/layers", "/lab"):
        open_page(page, server, path)
        groups = page.evaluate(SEGMENTS)
        assert groups, f"no segmented control on {path}"
        for i, options in enumerate(groups):
            chosen = [label for label, on in options if on]
            assert len(chosen) == 1, (path, options)
            group = page.locator("[data-testid=stButtonGroup]").nth(i)
            group.locator("button[aria-checked=true]").click()
            page.wait_for_timeout(1500)
            after = page.evaluate(SEGMENTS)[i]
            assert [label for label, on in after if on] == chosen, (path, after)
        check_page(page)


# Every resource the page fetched whose URL names one of Streamlit's lazily loaded modules.
LAZY_FETCHES = """names => performance.getEntriesByType('resource').map(e => e.name)
    .filter(url => names.some(n => url.includes('/static/js/' + n + '.')))"""
# What each lesson hides behind a click: its tabs, its expanders with code (shown, then checked).
HIDDEN = {
    "/images": [".st-key-img_code summary"],
    "/lab": [".st-key-lab_l1_bug summary", ".st-key-lab_code summary"],
}


@pytest.mark.parametrize("path", ["/images", "/layers", "/lab"])
def test_no_lesson_loads_a_lazily_loaded_element(page, server, path):
    """No lesson, on its first view or behind any tab or code expander, draws a Plotly chart, a
    Streamlit code box or a data grid: the browser never fetches their heavy modules (4.7 MB,
    1.5 MB and the grid's), which made the first control that drew one wait 0.4-1.3 s
    (tests/unit/test_lazy_elements.py guards the pages' source)."""
    from normviz.layer_links import TABS
    from pages._lab_lessons import TABS as LAB_TABS
    from tests.unit.test_lazy_elements import LAZY

    open_page(page, server, path)
    targets = list(HIDDEN.get(path, []))
    if path == "/layers":
        targets = [f"[data-testid=stTab] >> text={label}" for label in TABS.values()]
    if path == "/lab":  # the L1 bug on the first tab, every other tab, the code on the last one
        l1_bug, code = HIDDEN[path]
        others = [f"[data-testid=stTab] >> text={label}" for label in list(LAB_TABS.values())[1:]]
        targets = [l1_bug, *others, code]
    for target in targets:
        before = runs(page)
        page.locator(target).first.click()
        settle_after(page, before)
    if path != "/layers":
        expect(page.locator(".nv-codebox pre").last).to_be_visible()
    fetched = page.evaluate(LAZY_FETCHES, sorted(set(LAZY.values())))
    assert fetched == [], f"{path} fetched {fetched}"
    for testid in ("stPlotlyChart", "stCode", "stDataFrame"):
        assert page.locator(f"[data-testid={testid}]").count() == 0, (path, testid)
    check_page(page)
