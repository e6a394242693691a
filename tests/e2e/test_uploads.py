"""Any upload gives a result or a clear message: the hostile-file corpus through a real browser.

Each file of ``tests/corpus.py`` is uploaded with the page's real ``<input type=file>``, one after
the other on the same page (the single-file uploader replaces the previous file). For each: the
page shows a result (an image) or an ``st.error`` containing the expected hint, no exception
box, no traceback and no server path; the server keeps answering ``/_stcore/health``. A type the
uploader does not accept (SVG) is refused by the uploader itself in the browser, with its own
message on the file chip ("... files are not allowed"): the server never sees it. At the end the
upload is cleared and the server's RSS must come back near where it was before.
"""

from __future__ import annotations

import io as pyio
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.corpus import build_corpus
from tests.e2e.conftest import (
    exceptions,
    health,
    open_page,
    rss_mb,
    runs,
    settle_after,
    shoot,
)

UPLOAD_INPUT = ".st-key-img_upload input[type=file]"
ERROR = "[data-testid=stAlertContentError]"
# The uploader's own refusal: an invalid file chip with an alert text.
CHIP_ERROR = ".st-key-img_upload [data-testid=stFileChip][aria-invalid=true]"
RSS_GROWTH_MB = 300.0
LEAKS = re.compile(r"Traceback|site-packages|File \"/|/tmp/|/work/|" + re.escape(str(ROOT)))
SHOOT = {"rgb16.png", "bomb.png", "drawing.svg", "strip_4000x1.png", "cmyk.jpg"}


def _result_or_error(page) -> tuple[int, list[str]]:
    images = len(page.query_selector_all("[data-testid=stMain] [data-testid=stImage]"))
    errors = [e.inner_text() for e in page.query_selector_all(ERROR)]
    errors += [e.inner_text() for e in page.query_selector_all(f"{CHIP_ERROR} [role=alert]")]
    return images, errors


@pytest.mark.timeout(600)
def test_every_corpus_file_gives_a_result_or_a_clear_message(page, server, tmp_path):
    open_page(page, server, "/images")
    assert exceptions(page) == []
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    before = rss_mb(server.pid)
    problems: list[str] = []
    peak = before
    for case in build_corpus(tmp_path):
        count = runs(page)
        page.set_input_files(UPLOAD_INPUT, str(case.path))
        took = settle_after(
            page, count, timeout_s=30, also=f"{CHIP_ERROR}[aria-label^='{case.name}']"
        )
        images, errors = _result_or_error(page)
        text = page.locator("[data-testid=stMain]").inner_text()
        peak = max(peak, rss_mb(server.pid))
        print(f"{case.name}: {took:.1f} s, {images} images, errors {[e[:70] for e in errors]}")
        where = f"{case.name} (expect {case.expect})"
        if exceptions(page):
            problems.append(f"{where}: exception box {exceptions(page)[0][:200]!r}")
        if LEAKS.search(text):
            problems.append(f"{where}: leaks {LEAKS.search(text).group(0)!r}")
        if case.expect == "error":
            refused = any(case.hint.lower() in e.lower() or "not allowed" in e for e in errors)
            if not refused:
                problems.append(f"{where}: no st.error containing {case.hint!r}; errors {errors}")
        else:
            if errors:
                problems.append(f"{where}: unexpected error {errors}")
            if images < 1:
                problems.append(f"{where}: no result image shown")
            if case.hint and case.hint.lower() not in text.lower():
                problems.append(f"{where}: the note {case.hint!r} is not on the page")
        if health(server.url) is None:
            problems.append(f"{where}: server stopped answering /_stcore/health")
            break
        if case.name in SHOOT or any(p.startswith(case.name) for p in problems):
            shoot(page, "upload_" + case.name.replace(".", "_"))
        # A refused file stays on the uploader as an invalid chip next to later files: remove it.
        refused_chip = page.locator(f"{CHIP_ERROR} [data-testid=stFileChipDeleteBtn] button")
        if refused_chip.count():
            refused_chip.first.click()
            expect(page.locator(CHIP_ERROR)).to_have_count(0)
    # Clear the upload (the file chip's remove button): the page goes back to its sample.
    remove = page.locator(".st-key-img_upload [data-testid=stFileChipDeleteBtn] button")
    if remove.count():
        count = runs(page)
        remove.first.click()
        settle_after(page, count)
    expect(page.locator(".st-key-img_upload [data-testid=stFileChip]")).to_have_count(0)
    after = rss_mb(server.pid)
    print(
        f"\nserver RSS: before uploads {before:.0f} MB, peak {peak:.0f} MB, after clearing "
        f"{after:.0f} MB (growth {after - before:+.0f} MB, bound {RSS_GROWTH_MB:.0f} MB)"
    )
    assert not problems, "\n".join(problems)
    assert health(server.url) is not None
    assert after - before < RSS_GROWTH_MB


HOSTILE_NAMES = [
    "**bold**.png",
    "$\\href{https://example.com}{x}$.png",
    "[link](https://example.com).png",
    "<b>x</b>.png",
]
# Elements that Markdown, HTML or LaTeX would have made of the name: none may appear.
MADE = "a, b, em, i, code, del, img, .katex, .katex-error, [data-testid=stIconMaterial]"


def test_a_files_name_is_shown_literally(page, server):
    # Issue 12: a name was rendered as Markdown and LaTeX (**x** bold, $\href..$ typeset,
    # [a](b) a link). Now the page shows the characters of the name, nothing made of them.
    from normviz.literal import JOINER

    open_page(page, server, "/images")
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    buf = pyio.BytesIO()
    Image.fromarray(np.full((30, 40, 3), 120, np.uint8)).save(buf, format="PNG")
    problems = []
    for name in HOSTILE_NAMES:
        count = runs(page)
        page.set_input_files(
            UPLOAD_INPUT, files=[{"name": name, "mimeType": "image/png", "buffer": buf.getvalue()}]
        )
        settle_after(page, count, timeout_s=30)
        caption = page.locator("[data-testid=stCaptionContainer]", has_text="40 × 30 px").first
        text = caption.inner_text().replace(JOINER, "")
        if not text.startswith(f"{name}: 40 × 30 px"):
            problems.append(f"{name!r} shown as {text[:80]!r}")
        made = caption.evaluate(f"e => [...e.querySelectorAll({MADE!r})].map(x => x.outerHTML)")
        if made:
            problems.append(f"{name!r} made {made}")
        bold = caption.locator("strong").all_inner_texts()  # the page's own bold: the whole name
        if [b.replace(JOINER, "") for b in bold] != [name]:
            problems.append(f"{name!r}: bold parts {bold}")
        if name == HOSTILE_NAMES[2]:
            shoot(page, "upload_literal_name")
    assert problems == [], "\n".join(problems)
