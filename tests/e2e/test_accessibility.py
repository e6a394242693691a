"""Accessibility in a real Chromium: axe-core and text alternatives on every page, the sidebar.

axe-core (vendored from its npm package, see ``vendor/axe-core/README.md``) is injected from disk
into each page once it has settled and runs every rule it ships enabled. A violation of impact
"critical" or "serious" fails the test, unless it is one of :data:`STREAMLIT_OWN`: markup that
Streamlit's own components produce and the app cannot change. Each of those is matched by its
rule id *and* a selector pattern, carries the reason it is Streamlit's, and is printed, so an
exclusion can never hide a violation in what the app controls. No rule is disabled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    LIVE_CHART,
    check_page,
    log_size,
    open_page,
    settle,
    shoot,
    status_lines,
)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("critical", "serious")

RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.flatMap(v => v.nodes.map(n => ({
        id: v.id, impact: n.impact || v.impact, help: v.help,
        target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | '),
        html: n.html.slice(0, 240), summary: (n.failureSummary || '').slice(0, 400),
    })));
}"""


class Exclusion(NamedTuple):
    """A violation that Streamlit's own widget markup produces: rule id + target pattern."""

    rule: str
    target: re.Pattern[str]
    why: str


# Each entry must name one axe rule and a selector pattern narrow enough to match only markup
# that Streamlit renders by itself (its components' internals), never an element the app builds.
STREAMLIT_OWN: tuple[Exclusion, ...] = ()


class Finding(NamedTuple):
    id: str
    impact: str
    help: str
    target: str
    html: str
    summary: str

    def __str__(self) -> str:
        return f"[{self.impact}] {self.id} at {self.target}: {self.help}\n    {self.html}"


def audit(page) -> tuple[list[Finding], list[tuple[Finding, Exclusion]]]:
    """Run axe on the page; return (failing findings, excluded findings with their exclusion).

    axe audits an iframe's content only when it runs in that frame too: it is injected into the
    app's own frames (the lab's live chart component) as well as the page.
    """
    page.add_script_tag(path=str(AXE))
    origin = "/".join(page.url.split("/")[:3]) + "/"
    frames = [f for f in page.frames[1:] if f.url.startswith(origin)]
    for frame in frames:
        frame.add_script_tag(path=str(AXE))
    found = [Finding(**v) for v in page.evaluate(RUN_AXE)]
    failing, excluded = [], []
    for f in found:
        if f.impact not in FAILING:
            continue
        rule = next(
            (e for e in STREAMLIT_OWN if e.rule == f.id and e.target.search(f.target)), None
        )
        if rule is None:
            failing.append(f)
        else:
            excluded.append((f, rule))
    minor = [f for f in found if f.impact not in FAILING]
    print(f"\naxe on {page.url} and {len(frames)} frames: {len(failing)} failing, "
          f"{len(excluded)} excluded (Streamlit's), {len(minor)} minor/moderate")  # fmt: skip
    for f, rule in excluded:
        print(f"  excluded: {f}\n    because: {rule.why}")
    for f in minor:
        print(f"  minor: {f}")
    for f in failing:
        print(f"  FAILING: {f}\n    {f.summary}")
    return failing, excluded


# axe cannot see that a chart lacks a description (Streamlit gives a chart role="figure" and an
# aria-label only when it has ``alt=``), so this checks every chart and picture directly.
WITHOUT_TEXT = """() => {
    const where = e => (
        e.closest('[class*="st-key-"]')?.className.match(/st-key-\\S+/) || ['?'])[0];
    const charts = Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))
        .filter(c => !(c.getAttribute('aria-label') || '').trim()).map(c => 'chart ' + where(c));
    const images = Array.from(document.querySelectorAll('[data-testid=stMain] img'))
        .filter(i => !i.hasAttribute('alt') && i.getAttribute('role') !== 'presentation')
        .map(i => 'image ' + where(i));
    return charts.concat(images);
}"""


# Inside the lab's live chart component (docs/live-view.md): every chart's container is an image
# for assistive technology, named by the payload's alt texts.
LIVE_TEXTS = """() => Array.from(document.querySelectorAll('[role=img]')).map(
    e => [e.id, (e.getAttribute('aria-label') || '').trim()])"""
# The charts each mode of the live view describes (the containers' ids).
LIVE_FIGURES = ({"boundary", "hist", "norm", "curves"}, {"boundary-A", "boundary-B", "hist",
                                                         "norm", "curves"})  # fmt: skip


def live_texts(page) -> list[dict[str, str]]:
    """Each live chart component's iframe title and its charts' accessible names, by id.

    Fails when a component's iframe has no title, or a chart container has no name or one that
    states no number (the texts come from the run: its epoch, losses, weights, points).
    """
    out = []
    for i, frame_el in enumerate(page.locator(LIVE_CHART).all()):
        title = (frame_el.get_attribute("title") or "").strip()
        assert title, f"live chart component {i}: its iframe has no title"
        frame = frame_el.element_handle().content_frame()
        texts = dict(frame.evaluate(LIVE_TEXTS))
        assert set(texts) in LIVE_FIGURES, f"live chart component {i} describes {sorted(texts)}"
        mute = sorted(k for k, t in texts.items() if not re.search(r"\d", t))
        assert not mute, f"live chart component {i}: no text with a number on {mute}: {texts}"
        out.append(texts)
    return out


def assert_text_alternatives(page) -> None:
    """Every chart has an accessible name and every picture an ``alt`` in the lesson's area; the
    live chart component has a title and names each of its charts."""
    missing = page.evaluate(WITHOUT_TEXT)
    n = page.locator("[data-testid=stPlotlyChart]").count()
    live = live_texts(page)
    print(f"  text alternatives: {n} charts, {len(live)} live views, missing on "
          f"{missing or 'none'}")  # fmt: skip
    assert missing == [], f"charts or pictures without a text alternative: {missing}"


def _no_traceback_since(server, since: int) -> None:
    with Path(server.log).open("rb") as f:
        f.seek(since)
        added = f.read().decode("utf-8", "replace")
    assert "Traceback" not in added, f"the server logged a traceback:\n{added[-3000:]}"


@pytest.mark.parametrize(
    "path", ["/", "/images", "/layers", "/layers?tab=running", "/layers?tab=batch", "/lab"]
)
def test_no_serious_axe_violation(page, server, path):
    since = log_size(server)
    open_page(page, server, path)
    check_page(page)
    failing, _ = audit(page)
    _no_traceback_since(server, since)
    assert failing == [], "axe found serious or critical violations:\n" + "\n".join(
        map(str, failing)
    )
    assert_text_alternatives(page)


def test_no_serious_axe_violation_in_the_lab_with_charts(page, server):
    """The lab after Start and Pause: the training charts and the paused controls exist."""
    since = log_size(server)
    open_page(page, server, "/lab?seed=3")
    start = page.locator(".st-key-lab_start button")
    pause = page.locator(".st-key-lab_pause button")
    start.click()
    expect(pause).to_be_enabled(timeout=30_000)
    page.wait_for_timeout(2500)  # a few live ticks: the charts hold training history
    pause.click()
    expect(start).to_be_enabled(timeout=30_000)
    settle(page, timeout_s=30)
    check_page(page)
    failing, _ = audit(page)
    _no_traceback_since(server, since)
    assert failing == [], "axe found serious or critical violations:\n" + "\n".join(
        map(str, failing)
    )
    assert_text_alternatives(page)
    # The live view's texts state this run's numbers, as its status line shows them.
    (line,) = [t for t in status_lines(page) if re.match(r"^epoch \d+ · ", t)]
    m = re.search(r"epoch (\d+) · .* train loss ([\d.]+) · test loss ([\d.]+)", line)
    assert m, line
    epoch, train_loss, test_loss = m.groups()
    assert int(epoch) > 0, line  # it trained
    (texts,) = live_texts(page)
    for number in (f"{epoch} epoch", f"train loss {train_loss}", f"test loss {test_loss}"):
        assert number in texts["curves"], (number, texts["curves"])
    assert f"epoch {epoch}" in texts["norm"], (epoch, texts["norm"])


# Streamlit 1.67 marks its sidebar with data-collapsed="true" / "false".
SIDEBAR_COLLAPSED = """() => {
    const s = document.querySelector('[data-testid=stSidebar]');
    return s ? s.getAttribute('data-collapsed') : null;
}"""


def _main_visible(page) -> bool:
    """The lesson's title is inside the window and not under the sidebar."""
    title = page.locator("[data-testid=stMain] h1").first.bounding_box()
    side = page.locator("[data-testid=stSidebar]").bounding_box()
    width = page.viewport_size["width"]
    if title is None or title["width"] <= 0 or title["x"] >= width:
        return False
    covered = side is not None and side["x"] + side["width"] > title["x"] + 1 and side["x"] < 1
    return not covered


@pytest.mark.parametrize(
    ("width", "height", "collapsed"), [(390, 844, "true"), (1400, 1000, "false")]
)
def test_sidebar_collapsed_on_a_phone_open_on_a_desktop(page, server, width, height, collapsed):
    since = log_size(server)
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, server, "/images")
    assert page.evaluate(SIDEBAR_COLLAPSED) == collapsed, f"sidebar at {width}x{height}"
    assert _main_visible(page), f"the lesson is hidden at {width}x{height}"
    shoot(page, f"images_{width}x{height}")
    _no_traceback_since(server, since)
