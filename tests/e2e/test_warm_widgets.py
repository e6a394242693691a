"""The modules of elements a lesson shows only later are loaded while its first view idles
(pages/_warm_widgets.py): the first slider, radio or code box to appear waits for no download.

Each test records what the page fetches. The warm-up fetched the module after the first view
(the premise: the first view did not need it); the control that shows such an element then
fetches no module of Streamlit's at all.
"""

from __future__ import annotations

import pytest

from pages._lab_lessons import TABS as LAB_TABS
from pages._warm_widgets import SERVED_AT, STATIC_JS, WIDGET_MODULES, module_files
from tests.e2e.conftest import open_page, runs, settle, settle_after
from tests.e2e.test_images import _choose

# Each lesson, a control that first shows an element of a later module, and that element.
LATER = {
    "/images": (
        lambda page: _choose(page, "img_technique", "Percentile clipping", check_cover=False),
        ".st-key-img_param_q [data-testid=stSlider]",
        "Slider.",
    ),
    "/layers": (
        lambda page: _click(page, page.get_by_role("tab", name="Running statistics")),
        "[data-testid=stTabPanel] [data-testid=stRadio]",
        "Radio.",
    ),
    "/lab": (
        lambda page: _click(page, page.locator(".st-key-lab_l1_bug summary")),
        ".st-key-lab_l1_bug .nv-codebox",
        "BidiComponent.",
    ),
    # The lab's lessons are tabs, built when opened ("#...": another case of the same page).
    "/lab#study": (
        lambda page: _click(page, page.get_by_role("tab", name=LAB_TABS["study"])),
        ".st-key-lab_study_batches [data-testid=stMultiSelect]",
        "Multiselect.",
    ),
    "/lab#home": (
        lambda page: _click(page, page.get_by_role("tab", name=LAB_TABS["home"])),
        ".st-key-lab_script [data-testid=stDownloadButton]",
        "DownloadButton.",
    ),
}


def _click(page, locator) -> None:
    before = runs(page)
    locator.first.click()
    settle_after(page, before)


def test_every_module_named_is_in_this_streamlit_build():
    files = module_files()
    for name in WIDGET_MODULES:
        assert any(f.startswith(f"{name}.") for f in files), f"no {name}.<hash>.js in {STATIC_JS}"
    assert all((STATIC_JS / f).is_file() for f in files)


@pytest.mark.parametrize("path", list(LATER))
def test_a_later_element_waits_for_no_module_download(page, server, path):
    show, element, module = LATER[path]
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    open_page(page, server, path.split("#")[0])
    page.wait_for_function("() => window.__nvWarm && window.__nvWarm.done", timeout=30_000)
    settle(page)
    warmed = [u for u in fetched if SERVED_AT in u and u.rsplit("/", 1)[1].startswith(module)]
    assert warmed, f"the warm-up did not fetch {module}*.js"
    assert page.locator(element).count() == 0, "the first view showed the element already"
    fetched.clear()
    show(page)
    assert page.locator(element).first.is_visible()
    loaded = [u.rsplit("/", 1)[1] for u in fetched if SERVED_AT in u]
    assert loaded == [], f"showing {element} fetched {loaded}"
