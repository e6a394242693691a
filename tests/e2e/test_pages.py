"""The landing page loads in a real Chromium and links every lesson.

Each lesson page's own test (test_images, test_layers, test_lab) checks that page with
:func:`check_page`: no exception box, no JavaScript error, the lessons in the sidebar.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import check_page, health, open_page, shoot


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


LAB_SCRIPT = Path(__file__).resolve().parents[2] / "pages" / "lab.py"
PREWARMED = "() => (window.__normvizPrewarm || {done: []}).done"
# Every resource the page fetched whose URL names one of Streamlit's lazily loaded modules.
LAZY_FETCHES = """names => performance.getEntriesByType('resource').map(e => e.name)
    .filter(url => names.some(n => url.includes('/static/js/' + n + '.')))"""


def test_lazy_element_code_is_compiled_once_while_idle(page, server):
    """After the lab's first view, the lazy modules it draws (the data grid) are imported in
    idle time (pages/_prewarm.py), and the elements drawn afterwards use that same module (no
    second fetch under another URL). Its code boxes need no highlighter (pages/_code_view.py)."""
    from pages._prewarm import ELEMENT_MODULES, lazy_files, page_modules

    expected = lazy_files(page_modules(LAB_SCRIPT))
    assert "StreamlitSyntaxHighlighter" not in page_modules(LAB_SCRIPT)
    assert len(expected) == len(page_modules(LAB_SCRIPT)), "a lazy module's file was not found"
    open_page(page, server, "/lab")
    page.wait_for_function(f"() => ({PREWARMED})().length === {len(expected)}", timeout=30_000)
    done = page.evaluate(PREWARMED)
    assert sorted(url.rsplit("/", 1)[-1] for url in done) == sorted(expected)
    page.locator(".st-key-lab_l1_bug summary").first.click()
    code = page.locator(".st-key-lab_l1_bug .nv-codebox pre").first
    expect(code).to_contain_text("abs", timeout=20_000)
    fetched = page.evaluate(LAZY_FETCHES, sorted(set(ELEMENT_MODULES.values())))
    assert sorted(fetched) == sorted(done), f"fetched {fetched}, prewarmed {done}"
    check_page(page)
