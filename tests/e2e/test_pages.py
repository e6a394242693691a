"""Every page of the app loads in a real Chromium without an exception box."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exceptions, health, open_page, shoot

PAGES = ["/", "/images", "/layers", "/lab"]


def test_landing_links_every_lesson(page, server):
    took = open_page(page, server, "/")
    assert page.locator("h1").first.inner_text().strip() == "normviz"
    hrefs = {
        (a.get_attribute("href") or "").rsplit("/", 1)[-1]
        for a in page.query_selector_all("[data-testid=stPageLink] a")
    }
    assert {"images", "layers", "lab"} <= hrefs
    assert exceptions(page) == []
    shoot(page, "home")
    print(f"landing page settled in {took:.1f} s")


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_exception(page, server, path):
    open_page(page, server, path)
    assert page.query_selector("[data-testid=stMain]") is not None
    assert exceptions(page) == []
    assert page.js_errors == []
    # The sidebar navigation lists the three lessons on every page.
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    for title in ("Image normalization", "Normalization layers", "Regularization lab"):
        assert title in nav
    shoot(page, "page_" + (path.strip("/") or "home"))
    assert health(server.url) is not None
