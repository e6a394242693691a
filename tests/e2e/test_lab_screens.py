"""The lab on any screen: a phone, a projector at 150 % zoom, a laptop; and by keyboard.

The sizes and the overlap check are tests/e2e/screens.py's. Each size is screenshotted
(tests/e2e/screenshots/lab-screen-*.png) and checked: Start and the live chart on the first
screen, no button or mode label cut, no two texts overlapping.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import check_page, open_page, runs, settle_after, shoot
from tests.e2e.screens import CLIPPED, OVERLAPS, SIZES

# Every visible text-bearing control of the lab's top row: its text must fit its box.
CUT_LABELS = """() => {
    const sel = '.st-key-lab_start button, .st-key-lab_pause button, .st-key-lab_step button,'
        + ' .st-key-lab_reset button, .st-key-lab_mode button';
    return Array.from(document.querySelectorAll(sel)).flatMap(b => {
        const texts = Array.from(b.querySelectorAll('p, span, div')).filter(
            e => e.children.length === 0 && e.textContent.trim());
        return texts.filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent.trim());
    });
}"""


@pytest.mark.parametrize("size", list(SIZES))
def test_start_and_the_live_view_come_first_and_every_label_fits(page, server, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, server, "/lab")
    page.wait_for_selector(".st-key-lab_live iframe", timeout=60_000)
    start = page.locator(".st-key-lab_start button").bounding_box()
    assert start and start["y"] + start["height"] <= height, f"Start below the fold: {start}"
    chart = page.locator(".st-key-lab_live iframe").bounding_box()
    assert chart and chart["y"] < height, f"the live view starts below the first screen: {chart}"
    assert page.evaluate(CUT_LABELS) == []
    overlaps = page.evaluate(OVERLAPS)
    assert overlaps == [], overlaps
    # No text of the page (buttons, chips, labels, formulas below the charts) cut at its box.
    clipped = page.evaluate(CLIPPED)
    assert clipped == [], clipped
    # The controls come after the live view in the page (reading and Tab order).
    controls = page.locator(".st-key-lab_dataset").bounding_box()
    if size == "laptop":
        assert controls["x"] > chart["x"] + chart["width"] - 1  # beside it, on the right
    else:
        assert controls["y"] > chart["y"] + chart["height"] - 1  # stacked under it
    shoot(page, f"lab-screen-{size}")
    check_page(page)


def test_the_keyboard_reaches_start_in_a_few_presses(page, server):
    open_page(page, server, "/lab")
    presses = 0
    while not page.evaluate("() => !!document.activeElement.closest('.st-key-lab_start')"):
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 12, "Start not reached in 12 Tab presses"  # links, mode, then Start
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle + ' '"
        " + getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline.split()[0] != "none" or "rgb" in outline  # a visible focus ring
    # Enter starts; Start disables itself while training and the focus moves to Pause (it fell
    # to the page's body before, so the next Tab began again at the top). Enter again pauses,
    # and the focus comes back to Start.
    page.keyboard.press("Enter")
    page.wait_for_function(FOCUSED, arg="lab_pause", timeout=20_000)
    page.keyboard.press("Enter")
    page.wait_for_function(FOCUSED, arg="lab_start", timeout=20_000)
    assert page.locator(".st-key-lab_pause button").is_disabled()  # it paused
    check_page(page)


# Whether the keyboard focus is on the button of widget ``key``.
FOCUSED = "key => !!document.activeElement.closest('.st-key-' + key)"


LIVE = ".st-key-lab_live iframe"


def _mark_frame(page) -> None:
    page.wait_for_selector(LIVE).content_frame().evaluate("() => { window.__kept = true; }")


def _same_frame(page) -> bool:
    frame = page.wait_for_selector(LIVE).content_frame()
    frame.wait_for_function("() => window.liveStats && window.liveStats.renders > 0")
    return frame.evaluate("() => window.__kept === true")


def test_the_live_view_keeps_its_frame_through_a_restart_notice_and_a_mode_switch(page, server):
    # Elements that came and went before the live view (the compare caption, a restart
    # notice) moved it in the page, and Streamlit rebuilt its frame: zoom lost, a round trip.
    open_page(page, server, "/lab?batch_size=256")
    before = runs(page)
    page.locator(".st-key-lab_step button").first.click()
    settle_after(page, before)
    _mark_frame(page)
    before = runs(page)
    page.locator(".st-key-lab_seed input").fill("5")
    page.locator(".st-key-lab_seed input").press("Enter")
    settle_after(page, before)
    assert page.locator("[data-testid=stAlertContentInfo]", has_text="restarted").count() == 1
    assert _same_frame(page), "a restart notice rebuilt the live view's frame"
    before = runs(page)
    page.locator(".st-key-lab_mode button", has_text="Compare A and B").click()
    settle_after(page, before)
    assert _same_frame(page), "switching to compare mode rebuilt the live view's frame"
    check_page(page)
