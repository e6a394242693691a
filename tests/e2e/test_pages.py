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
