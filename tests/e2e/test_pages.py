"""The landing page loads in a real Chromium and links every lesson.

Each lesson page's own test (test_images, test_layers, test_lab) checks that page with
:func:`check_page`: no exception box, no JavaScript error, the lessons in the sidebar.
"""

from __future__ import annotations

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
