"""The image lesson in a real browser: a result and histograms, for a sample and for an upload."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.e2e.conftest import check_page, open_page, runs, settle_after, shoot
from tests.e2e.screens import CLIPPED, chart_text_problems

MAIN = "[data-testid=stMain]"


def _counts(page) -> tuple[int, int]:
    images = len(page.query_selector_all(f"{MAIN} [data-testid=stImage]"))
    charts = len(page.query_selector_all(f"{MAIN} .nv-chart[role=img][aria-label]"))
    assert page.query_selector_all("[data-testid=stPlotlyChart]") == []  # no Plotly on the page
    return images, charts


GRID_PICTURES = f"{MAIN} .nv-grid img"


def _grid_pictures_loaded(page) -> int:
    """Wait for the comparison grid's pictures; check each is a link the app served; count them.

    The served app links them (``/_nv/media/<hash>``, normviz.serving.media) rather than
    sending them as data URLs in the page's HTML; they load lazily, once scrolled near.
    """
    lazy = page.eval_on_selector_all(GRID_PICTURES, "im => im.map(i => i.loading)")
    assert lazy and set(lazy) == {"lazy"}, lazy
    page.locator(f"{MAIN} .nv-grid").scroll_into_view_if_needed()
    page.wait_for_function(
        f"""() => {{ const im = [...document.querySelectorAll("{GRID_PICTURES}")];
            return im.length > 0 && im.every(i => i.complete); }}"""
    )
    pictures = page.eval_on_selector_all(
        GRID_PICTURES, "im => im.map(i => [i.getAttribute('src'), i.naturalWidth])"
    )
    assert all(src.startswith("/_nv/media/") for src, _ in pictures), pictures[0][0][:80]
    assert all(width > 0 for _, width in pictures), "a grid picture did not load"
    return len(pictures)


def test_sample_and_upload_show_result_and_histograms(page, server, tmp_path):
    took = open_page(page, server, "/images")
    print(f"\n/images settled in {took:.1f} s")
    check_page(page)
    images, charts = _counts(page)
    assert images >= 2, "expected the sample before and after"
    assert charts == 3, "expected histograms before and after, and the transfer curve"
    assert _grid_pictures_loaded(page) >= 12  # a thumbnail and a histogram per technique
    shoot(page, "images_sample")

    rng = np.random.default_rng(5)
    photo = tmp_path / "my photo.png"
    Image.fromarray(rng.integers(40, 200, (90, 120, 3), dtype=np.uint8)).save(photo)
    before = runs(page)
    page.set_input_files(".st-key-img_upload input[type=file]", str(photo))
    settle_after(page, before)
    check_page(page)
    assert page.query_selector_all("[data-testid=stAlertContentError]") == []
    images, charts = _counts(page)
    assert images >= 2 and charts == 3
    assert _grid_pictures_loaded(page) >= 12
    shoot(page, "images_upload")


# The element at the centre of the selectbox ``key`` (after a tooltip's hover delay): the select
# itself unless something (a tooltip, a popover) covers it.
ON_TOP = """key => {
    const box = document.querySelector(`.st-key-${key} [role=combobox]`);
    const r = box.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return box.closest(`.st-key-${key}`).contains(top) ? "" : top.outerHTML.slice(0, 200);
}"""


def _choose(page, key: str, label: str, *, check_cover: bool = True) -> None:
    """Pick the option whose text starts with ``label`` in the selectbox ``key``.

    First (unless ``check_cover`` is False) checks that nothing covers the select where the
    pointer was left (the last option clicked): the Reset button's tooltip once opened over the
    Technique select there.
    """
    page.locator(f".st-key-{key} [role=combobox]").first.scroll_into_view_if_needed()
    if check_cover:
        page.wait_for_timeout(1000)  # longer than a tooltip's hover delay
        covered = page.evaluate(ON_TOP, key)
        assert not covered, f"the {key} select is covered by {covered}"
    before = runs(page)
    page.locator(f".st-key-{key} [role=combobox]").first.click()
    page.locator("[role=listbox] [role=option]:visible", has_text=label).first.click()
    settle_after(page, before)


def _formula_text(page) -> str:
    katex = page.locator(f"{MAIN} .katex-html")
    assert katex.count() >= 1, "the formula did not render"
    assert page.locator(f"{MAIN} .katex-error").count() == 0, "KaTeX could not parse the formula"
    return katex.first.inner_text()


def test_formulas_render_with_the_numbers_used(page, server):
    open_page(page, server, "/images")
    _choose(page, "img_sample", "Coffee")
    _choose(page, "img_technique", "Z-score")
    before = runs(page)
    page.locator(".st-key-img_param_per_channel label").first.click()  # pooled
    settle_after(page, before)
    check_page(page)
    text = _formula_text(page)
    assert "74.08" in text and "58.96" not in text  # the pooled std the image is divided by
    shoot(page, "images_zscore_pooled")
    _choose(page, "img_technique", "Histogram equalization")
    check_page(page)
    text = _formula_text(page)
    assert "2878" in text and "240000" in text  # (cdf - cdf_min) / (N - cdf_min), blue channel
    shoot(page, "images_equalize")


def test_every_formula_renders(page, server):
    from normviz.intensity import TECHNIQUES

    open_page(page, server, "/images")
    _choose(page, "img_sample", "Coffee")
    for t in TECHNIQUES.values():
        _choose(page, "img_technique", t.title)
        check_page(page)
        assert _formula_text(page), t.key
        if t.key == "clahe":  # the longest formula, with text inside
            shoot(page, "images_clahe")
    _choose(page, "img_technique", "Histogram equalization")
    before = runs(page)
    page.locator(".st-key-img_param_mode button", has_text="luminance").first.click()
    settle_after(page, before)
    assert "Y" in _formula_text(page)
    shoot(page, "images_equalize_luminance")


# The text of the Technique select's chosen value is cut when it is wider than its box.
CUT_VALUE = """() => {
    const box = document.querySelector('.st-key-img_technique');
    const cut = [...box.querySelectorAll('*')].filter(e => e.children.length === 0
        && (e.textContent.trim() || e.value) && e.scrollWidth > e.clientWidth + 1);
    return cut.map(e => e.value || e.textContent);
}"""


def test_chart_labels_fit_and_technique_names_show_whole(page, server):
    # Issue 12: the colour bar's tick labels were cut in half, the histogram's "output" title
    # ran into a tick label, and long technique names were cut in their select.
    from normviz.intensity import TECHNIQUES

    problems: list[str] = []
    for width in (1400, 853, 390):  # desktop, 1280x720 at 150 % zoom, phone
        page.set_viewport_size({"width": width, "height": 1000})
        open_page(page, server, "/images?sample=coffee")
        for i, t in enumerate(TECHNIQUES.values()):
            _choose(page, "img_technique", t.title, check_cover=i == 0)  # one check a width
            check_page(page)
            problems += [f"{width}px {t.key}: {p}" for p in chart_text_problems(page)]
            cut = page.evaluate(CUT_VALUE)
            problems += [f"{width}px: technique name cut: {c!r}" for c in cut]
            problems += [f"{width}px {t.key}: clipped {c!r}" for c in page.evaluate(CLIPPED)]
            if t.key == "zscore":
                shoot(page, f"images_zscore_{width}")
    # 16-bit: wider tick labels ("8000", "60k") on the colour bar and the axes
    page.set_viewport_size({"width": 853, "height": 1000})
    open_page(page, server, "/images?sample=hdr&log_counts=on")
    for t in TECHNIQUES.values():
        _choose(page, "img_technique", t.title, check_cover=False)
        problems += [f"853px hdr {t.key}: {p}" for p in chart_text_problems(page)]
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert problems == [], "\n".join(problems)


def test_code_box_shows_its_code_when_opened(page, server):
    from playwright.sync_api import expect

    open_page(page, server, "/images")
    # HTML, not a code element: no code highlighter loaded for the first view
    assert page.locator("[data-testid=stCode]").count() == 0
    code = page.locator(".st-key-img_code .nv-code").first
    expect(code).to_be_hidden()
    page.locator(".st-key-img_code summary").first.click()
    expect(code).to_be_visible()
    expect(code).to_contain_text("Image.open('chalkboard.png')")
    check_page(page)
