"""The image lesson as a link, in a real browser: open, change, copy, reopen, bad links, export.

Each test also reads the server log written while it ran (its size is recorded first): a
traceback there fails the test even when the page looked fine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np

from normviz.intensity import apply_technique
from normviz.samples import load_sample
from tests.e2e.conftest import (
    check_page,
    excerpt,
    log_size,
    open_page,
    runs,
    server_errors,
    settle_after,
    shoot,
)

LINK_WARNING = "[data-testid=stMain] .st-key-img_link_box [data-testid=stAlertContentWarning]"


def _query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def _slider_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input[type=range]").first.input_value()


def _selected(page, key: str) -> str:
    """The option the select box ``key`` shows (its combobox input's value)."""
    return page.locator(f".st-key-{key} input[role=combobox]").first.input_value()


def _no_server_errors(server, since: int) -> None:
    logged = server_errors(server, since)
    assert not logged, f"the server logged a failure:\n{excerpt(logged)}"


def _warnings(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all(LINK_WARNING)]


def test_link_opens_view_control_updates_url_and_copy_reopens(page, context, server):
    since = log_size(server)
    open_page(page, server, "/images?sample=coffee&technique=clahe&tiles=4&clip_limit=0.02")
    check_page(page)
    assert "Coffee" in _selected(page, "img_sample")
    assert "CLAHE" in _selected(page, "img_technique")
    assert float(_slider_value(page, "img_param_tiles")) == 4
    assert float(_slider_value(page, "img_param_clip_limit")) == 0.02
    assert _warnings(page) == []
    assert _query(page) == {"sample": "coffee", "technique": "clahe", "clip_limit": "0.02",
                            "tiles": "4"}  # fmt: skip

    # Changing a control rewrites the address.
    before = runs(page)
    thumb = page.locator(".st-key-img_param_tiles input[type=range]").first
    thumb.focus()
    page.keyboard.press("ArrowRight")
    settle_after(page, before)
    assert _query(page).get("tiles") == "5"
    copied = page.url

    # The copied address, in a new tab (a new session), shows the same view.
    other = context.new_page()
    try:
        other.goto(copied)
        settle_after(other, 0)
        assert "CLAHE" in _selected(other, "img_technique")
        assert float(_slider_value(other, "img_param_tiles")) == 5
        assert float(_slider_value(other, "img_param_clip_limit")) == 0.02
        assert _query(other) == _query(page)
    finally:
        other.close()
    _no_server_errors(server, since)


def test_bad_link_shows_a_warning_that_stays_until_dismissed(page, server):
    since = log_size(server)
    open_page(page, server, "/images?sample=coffee&technique=clahe&tiles=40&dropout=2")
    check_page(page)
    warnings = _warnings(page)
    assert len(warnings) == 2, warnings
    assert "tiles='40'" in warnings[0] and "an integer in [2, 16]" in warnings[0]
    assert "using the default 8" in warnings[0]
    assert "no setting 'dropout'" in warnings[1]
    assert float(_slider_value(page, "img_param_tiles")) == 8  # the default, page rendered
    assert page.locator("[data-testid=stMain] [data-testid=stImage]").count() >= 2
    # The address now describes the view shown, and the warning is still there.
    assert _query(page) == {"sample": "coffee", "technique": "clahe"}
    page.wait_for_timeout(2500)
    assert len(_warnings(page)) == 2
    shoot(page, "images_bad_link")
    # One more rerun (the Reset button would also answer it: use an unrelated rerun, "R").
    before = runs(page)
    page.locator("[data-testid=stMain] h1").first.click()
    page.keyboard.press("r")
    settle_after(page, before)
    assert len(_warnings(page)) == 2
    before = runs(page)
    page.locator(".st-key-img_link_dismiss button").first.click()
    settle_after(page, before)
    assert _warnings(page) == []
    _no_server_errors(server, since)


def test_reset_and_the_float32_download(page, server, tmp_path):
    since = log_size(server)
    open_page(page, server, "/images?sample=hdr&technique=log")
    check_page(page)
    with page.expect_download(timeout=60_000) as info:
        page.locator(".st-key-img_download_npy button").first.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "hdr-log.npy"
    out = np.load(Path(download.path()), allow_pickle=False)
    full = load_sample("hdr").pixels
    assert out.shape == full.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, apply_technique("log", full))

    before = runs(page)
    page.locator(".st-key-img_reset button").first.click()
    settle_after(page, before)
    check_page(page)
    assert _query(page) == {}
    assert "Chalkboard" in _selected(page, "img_sample")
    _no_server_errors(server, since)


def test_a_url_value_in_a_warning_is_shown_literally(page, server):
    # Issue 12: a value read from the URL is quoted in the link's warning: shown as Markdown, a
    # crafted link would show a clickable link (or a typeset formula) the app never wrote.
    from urllib.parse import urlencode

    from normviz.literal import JOINER

    bad = "[x](https://example.com) **y** $\\href{https://example.com}{z}$"
    open_page(page, server, "/images?" + urlencode({"technique": bad}))
    check_page(page)
    warning = page.locator(LINK_WARNING).first
    assert f"Ignored technique={bad!r} from the URL" in warning.inner_text().replace(JOINER, "")
    made = warning.evaluate("e => [...e.querySelectorAll('a, strong, b, em, .katex')].length")
    assert made == 0
