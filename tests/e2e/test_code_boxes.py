"""Every lesson's code boxes (pages/_code_view.py) in a real browser: Copy copies the code shown,
exactly, by the clipboard API or, where a page may not use it, by the copy command; and no page
loads Streamlit's code highlighter."""

from __future__ import annotations

import pytest

from pages._lab_lessons import TABS as LAB_TABS
from tests.e2e.conftest import open_page, settle

# Each lesson, and how to show its code boxes: the tab or expanders that hold them.
# (The lab's lessons are tabs, built when opened: the L1 bug's boxes and the code's, in turn.)
REVEAL = {
    "/images": [".st-key-img_code summary"],
    "/layers": ["role=tab[name='PyTorch code']"],
    "/lab": [".st-key-lab_l1_bug summary"],
    "/lab#home": [f"role=tab[name='{LAB_TABS['home']}']", ".st-key-lab_code summary"],
}
BOXES = {"/images": 1, "/layers": 1, "/lab": 2, "/lab#home": 1}  # boxes shown once revealed
BOX = ".nv-codebox:visible"
# The clipboard API made unusable, as on a page served over plain http from another machine.
NO_CLIPBOARD_API = "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('x')); }"


@pytest.mark.parametrize("path", list(REVEAL))
def test_copy_puts_the_code_shown_on_the_clipboard(page, server, context, path):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    open_page(page, server, path.split("#")[0])  # "#home": a second case of the same page
    for target in REVEAL[path]:
        page.locator(target).first.click()
        settle(page)
    boxes = page.locator(BOX)
    assert boxes.count() == BOXES[path]
    for i in range(boxes.count()):
        box = boxes.nth(i)
        shown = box.locator("pre code").evaluate("e => e.textContent")
        compile(shown, f"{path} box {i}", "exec")  # Python as shown
        button = box.get_by_role("button", name="Copy the code")
        assert button.get_attribute("aria-label").endswith(
            box.locator("pre").get_attribute("aria-label")
        )
        page.evaluate("navigator.clipboard.writeText('')")
        button.focus()
        page.keyboard.press("Enter")  # a keyboard user copies too
        page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
        assert page.evaluate("navigator.clipboard.readText()") == shown
        assert box.get_by_role("status").inner_text() == "Copied"
        assert page.evaluate("document.activeElement.textContent.trim()") == "Copy"
    # What Copy said stays (no timer that changes the page seconds after the press).
    page.wait_for_timeout(3000)
    assert [boxes.nth(i).get_by_role("status").inner_text() for i in range(boxes.count())] == [
        "Copied"
    ] * boxes.count()
    # Without the clipboard API, the copy command copies the same text.
    page.evaluate("navigator.clipboard.writeText('')")
    page.evaluate(NO_CLIPBOARD_API)
    first = boxes.first
    first.get_by_role("button", name="Copy the code").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    shown = first.locator("pre code").evaluate("e => e.textContent")
    assert page.evaluate("navigator.clipboard.readText()") == shown
    assert first.get_by_role("status").inner_text() == "Copied"
    assert not [u for u in fetched if "SyntaxHighlighter" in u]  # no highlighter chunk
