"""The layers lesson and the lab as links, their exports and shortcuts, in a real browser.

Each test records the size of the server log first and fails if a traceback was written after:
a failed download or callback only shows there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from normviz.training import TrainConfig, Trainer, updates_per_epoch
from tests.e2e.conftest import (
    LIVE_CHART,
    check_page,
    open_page,
    runs,
    settle,
    settle_after,
    shoot,
    status_lines,
)

LAY_WARNING = "[data-testid=stMain] .st-key-lay_link_box [data-testid=stAlertContentWarning]"
LAB_WARNING = "[data-testid=stMain] .st-key-lab_link_box [data-testid=stAlertContentWarning]"


def _log_size(server) -> int:
    return Path(server.log).stat().st_size


def _no_traceback(server, since: int) -> None:
    page_log = Path(server.log).read_bytes()[since:].decode("utf-8", "replace")
    assert "Traceback" not in page_log, page_log[page_log.find("Traceback") :][:3000]


def _query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def _texts(page, selector: str) -> list[str]:
    """The texts of the alerts ``selector`` (without the icon's ligature name)."""
    return [e.inner_text().strip().splitlines()[-1] for e in page.query_selector_all(selector)]


def _selected_tab(page) -> str:
    return page.locator("[data-testid=stTab][aria-selected=true]").first.inner_text().strip()


def test_layers_link_restores_the_view_and_tab_and_keeps_its_warnings(page, server):
    since = _log_size(server)
    open_page(page, server, "/layers?c=12&groups=4&kind=group&tab=running&convention=keras"
                            "&momentum=0.9&n=99&dropout=2")  # fmt: skip
    check_page(page)
    warnings = _texts(page, LAY_WARNING)
    assert len(warnings) == 2, warnings
    assert "Ignored n='99' from the URL: n must be an integer in [1, 8]" in warnings[0]
    assert "the layers lesson has no setting 'dropout'" in warnings[1]
    assert _selected_tab(page) == "Running statistics"
    assert _query(page) == {"c": "12", "kind": "group", "tab": "running", "groups": "4",
                            "convention": "keras", "momentum": "0.9"}  # fmt: skip
    shoot(page, "links_layers_bad_link")
    # The warnings outlive the rerun that rewrote the URL and later page runs.
    page.wait_for_timeout(2500)
    assert len(_texts(page, LAY_WARNING)) == 2
    # Switching tabs is a setting: it answers the warnings and goes into the address.
    before = runs(page)
    page.locator("[data-testid=stTab]", has_text="PyTorch code").click()
    settle_after(page, before)
    assert _texts(page, LAY_WARNING) == []
    assert _query(page)["tab"] == "code"
    assert "nn.GroupNorm(4, 12)" in page.locator(".st-key-lay_code_box pre").first.inner_text()
    # Reset to defaults: the first tab, the default view, an address without settings.
    before = runs(page)
    page.locator(".st-key-lay_reset button").first.click()
    settle_after(page, before)
    assert _query(page) == {}
    assert _selected_tab(page) == "The cube"
    check_page(page)
    _no_traceback(server, since)


def test_layers_warning_is_dismissed(page, server):
    since = _log_size(server)
    open_page(page, server, "/layers?groups=4")
    assert len(_texts(page, LAY_WARNING)) == 1
    before = runs(page)
    page.locator(".st-key-lay_link_dismiss button").first.click()
    settle_after(page, before)
    assert _texts(page, LAY_WARNING) == []
    _no_traceback(server, since)


def test_lab_link_warning_stays_until_dismissed(page, server):
    """This morning `/lab?dropout=2` showed its warning for about a second."""
    since = _log_size(server)
    open_page(page, server, "/lab?dropout=2&x_axis=step")
    check_page(page)
    page.wait_for_timeout(3000)  # the charts' first tick and the URL rewrite have happened
    settle(page)
    warnings = _texts(page, LAB_WARNING)
    assert warnings == [
        "From the link: Ignored dropout='2' from the URL: dropout must be a number in [0, 0.9] "
        "(got 2.0); using the default 0.0."
    ]
    assert _query(page) == {"x_axis": "step"}
    shoot(page, "links_lab_bad_link")
    before = runs(page)
    page.locator(".st-key-lab_link_dismiss button").first.click()
    settle_after(page, before)
    assert _texts(page, LAB_WARNING) == []
    _no_traceback(server, since)


def _status_epoch(page) -> int:
    text = " ".join(status_lines(page))
    found = re.search(r"epoch (\d+) · ", text)
    return int(found.group(1)) if found else -1


def test_lab_keyboard_shortcuts_start_pause_and_step(page, server):
    since = _log_size(server)
    open_page(page, server, "/lab?seed=5")
    page.wait_for_timeout(1500)
    settle(page)
    start = page.locator(".st-key-lab_start button")
    pause = page.locator(".st-key-lab_pause button")
    # A shortcut key typed into a text field is text, not a click.
    hidden = page.locator(".st-key-lab_hidden input").first
    hidden.click()
    page.keyboard.press("End")
    page.keyboard.press("s")
    page.wait_for_timeout(1000)
    expect(pause).to_be_disabled()
    page.keyboard.press("Backspace")
    assert hidden.input_value() == "16-16"
    page.locator("h1").first.click()  # focus on the page, not in a text field
    settle(page)
    assert _status_epoch(page) == 0
    before = runs(page)
    page.keyboard.press("n")  # Step: one epoch
    settle_after(page, before)
    assert _status_epoch(page) == 1
    expect(pause).to_be_disabled()
    page.keyboard.press("s")  # Start
    expect(pause).to_be_enabled(timeout=20_000)
    expect(start).to_be_disabled()
    page.wait_for_timeout(1500)
    page.keyboard.press("p")  # Pause
    expect(start).to_be_enabled(timeout=20_000)
    settle(page, timeout_s=20)
    assert _status_epoch(page) > 1
    _no_traceback(server, since)


def _click_the_loss_chart(page) -> None:
    """Click in the middle of the live view's loss chart: the keyboard focus goes to its frame."""
    frame = page.locator(LIVE_CHART).element_handle().content_frame()
    over = frame.locator("#loss .u-over").first
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"


def test_lab_shortcuts_work_after_a_click_in_the_charts(page, server):
    """A click in the live view (to zoom, to read a value) puts the keyboard focus in its iframe,
    a document of its own: the lab's shortcut keys must still reach the page's buttons (with the
    Plotly charts of this morning, the focus stayed in the page)."""
    since = _log_size(server)
    open_page(page, server, "/lab?seed=5")
    assert _status_epoch(page) == 0
    _click_the_loss_chart(page)
    before = runs(page)
    page.keyboard.press("n")  # Step: one epoch
    settle_after(page, before)
    assert _status_epoch(page) == 1
    start = page.locator(".st-key-lab_start button")
    pause = page.locator(".st-key-lab_pause button")
    _click_the_loss_chart(page)
    page.keyboard.press("s")  # Start
    expect(pause).to_be_enabled(timeout=20_000)
    _click_the_loss_chart(page)
    page.keyboard.press("p")  # Pause
    expect(start).to_be_enabled(timeout=20_000)
    check_page(page)
    _no_traceback(server, since)


def _home(page) -> None:
    """Open the lab's lessons' tab that holds the downloads."""
    from tests.e2e.test_lab import _lesson

    _lesson(page, "home")


def test_lab_script_download_runs_and_reproduces_the_lab(page, server, tmp_path):
    since = _log_size(server)
    cfg = TrainConfig(n_samples=100, max_epochs=5, seed=3)
    open_page(page, server, "/lab?" + "&".join(f"{k}={v}" for k, v in cfg.to_query().items()))
    page.wait_for_timeout(1500)
    settle(page)
    _home(page)
    button = page.locator(".st-key-lab_script button").first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "normviz_lab.py"
    script = tmp_path / download.suggested_filename
    download.save_as(script)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    # Oracle: the lab's own Trainer, trained to the end with the same config.
    t = Trainer(cfg)
    while t.stopped is None:
        t.step(updates_per_epoch(len(t.train.y), cfg.batch_size))
    h = t.history[-1]
    assert last == (
        f"epoch 5: train loss {h.train_loss:.4f} acc {h.train_acc:.3f} | "
        f"test loss {h.test_loss:.4f} acc {h.test_acc:.3f}"
    ), done.stdout
    _no_traceback(server, since)


def test_compare_mode_has_one_script_per_run(page, server):
    since = _log_size(server)
    open_page(page, server, "/lab?mode=compare&preset=L1+vs+L2")
    page.wait_for_timeout(1500)
    settle(page)
    _home(page)
    names = []
    for key in ("lab_script_A", "lab_script_B"):
        button = page.locator(f".st-key-{key} button").first
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=30_000) as info:
            button.click()
        assert info.value.failure() is None
        names.append(info.value.suggested_filename)
    assert names == ["normviz_lab_A.py", "normviz_lab_B.py"]
    _no_traceback(server, since)
