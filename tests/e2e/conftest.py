"""Real-browser fixtures: one Streamlit server and one headless Chromium per test session.

The server is started with the project's own interpreter on a free loopback port and stopped
after the session, by the helper the benchmarks use too (:mod:`bench.support.server`, which also
holds :func:`free_port`, :func:`health`, :func:`rss_mb` and the Chromium flags re-exported here);
Chromium is Debian's ``/usr/bin/chromium`` (never a downloaded browser) with every flag that keeps
it offline. If Chromium is missing the suite fails (CI installs it). Screenshots go to
``tests/e2e/screenshots/`` (git-ignored) for developers to look at, with the server's log
(``server-<pid>.log``): a test that uses ``page`` fails if the server logged a traceback while it
ran (see :func:`server_errors`), even when the page showed nothing wrong.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bench.support import server as serving
from bench.support.server import Server, serve
from bench.support.server import free_port as free_port
from bench.support.server import health as health
from bench.support.server import rss_mb as rss_mb

CHROMIUM = Path(serving.CHROMIUM)
CHROMIUM_FLAGS = serving.FLAGS
SHOTS = Path(__file__).resolve().parent / "screenshots"
SERVER_START_S = 90.0
SETTLE_S = 45.0
# How long an action may take to start its script run before the page is settled as it is.
RUN_START_S = 8.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this directory ``e2e`` (deselect with ``-m 'not e2e'``)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item, so the page fixture can see a failure."""
    report = yield
    setattr(item, "report_" + report.when, report)
    return report


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One Streamlit server for the whole e2e session, on a free loopback port."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    # One log per test session (the tests read it back, so two sessions at once on one machine
    # must not write into the same file); logs of sessions that have ended are removed.
    for old in SHOTS.glob("server-*.log"):
        pid = old.stem.removeprefix("server-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            old.unlink(missing_ok=True)
    with serve(SHOTS / f"server-{os.getpid()}.log", timeout_s=SERVER_START_S) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (fails if it is not installed)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def context(browser, server):
    """One browser context for the session: its HTTP cache keeps the app's scripts (Plotly's
    bundle is large), while every page (tab) still gets its own Streamlit session."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(SETTLE_S * 1000)
    # Belt and braces: the browser may only ever talk to our loopback server. Anything else is
    # refused and remembered: the app must not make its visitors' browsers call third parties
    # (a class server may be offline, and students' browsers should not be tracked).
    ctx.third_party = []

    def loopback_only(route) -> None:
        url = route.request.url
        if url.startswith(server.url) or url.startswith("data:"):
            route.continue_()
        else:
            ctx.third_party.append(url)
            route.abort()

    ctx.route("**/*", loopback_only)
    try:
        yield ctx
    finally:
        ctx.close()


# What a failure looks like in the server's log: a Python traceback (a script run's
# "Uncaught app execution", a deferred download callable's "Error executing deferred callable",
# a callback's or a thread's), a log record at level ERROR/CRITICAL, an exception's last line,
# or Streamlit's warning that a widget got both a value and a Session State write (the pages pass
# held values as defaults except in the run that wrote them: pages/_held.py).
SERVER_ERROR = re.compile(
    r"Traceback \(most recent call last\)|Uncaught app (?:execution|exception)"
    r"|^\S+ \S+ (?:ERROR|CRITICAL)\b|^\s*(?:\w+\.)*\w*(?:Error|Exception)\b(?::|$)"
    r"|created with a default value but also had its value set via the Session State API",
    re.MULTILINE,
)
# Lines a clean run writes too, which are not failures (checked on a clean run of the suite).
SERVER_NOISE = re.compile(
    r"Uvicorn server started|You can now view your Streamlit app|URL: http://127\.0\.0\.1"
)
# How long the log is given to receive a failure's last lines before it is read.
LOG_FLUSH_S = 0.5


def log_size(server: Server) -> int:
    """Return the server log's size in bytes now (an offset for :func:`server_errors`)."""
    return server.log.stat().st_size


def server_errors(server: Server, since: int, flush_s: float = LOG_FLUSH_S) -> str:
    """Return the part of the server log after byte ``since`` if it shows a failure, else "".

    Waits ``flush_s`` first so that a failure's traceback, written by another thread a moment
    after the browser saw its effect, has arrived. Lines matching :data:`SERVER_NOISE` are never
    a failure on their own; anything matching :data:`SERVER_ERROR` is.
    """
    if flush_s:
        time.sleep(flush_s)
    with server.log.open("rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    failing = [
        line
        for line in text.splitlines()
        if SERVER_ERROR.search(line) and not SERVER_NOISE.search(line)
    ]
    return text if failing else ""


def excerpt(log_text: str, limit: int = 4000) -> str:
    """The first ``limit`` characters of a failing log part, from its first failing line."""
    lines = log_text.splitlines()
    first = next(
        (
            i
            for i, line in enumerate(lines)
            if SERVER_ERROR.search(line) and not SERVER_NOISE.search(line)
        ),
        0,
    )
    text = "\n".join(lines[max(first - 2, 0) :])
    return text[:limit] + ("\n[...]" if len(text) > limit else "")


@pytest.fixture
def page(request, context, server):
    """A fresh tab (its own Streamlit session) per test; a failure leaves a screenshot.

    The test also fails (an error at teardown) when the server logged a traceback or an error
    while it ran, even if the page showed nothing: a failed download or a crashed callback only
    shows in the server's log.
    """
    pg = context.new_page()
    pg.add_init_script(RUN_COUNTER)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    pg.third_party = context.third_party
    since = log_size(server)
    try:
        yield pg
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            # Every failure leaves a picture of what the page showed at that moment.
            name = "FAILED_" + re.sub(r"[^\w.-]+", "_", request.node.name)
            with contextlib.suppress(Exception):
                print(f"\nfailure screenshot: {shoot(pg, name)}")
    finally:
        pg.close()
    logged = server_errors(server, since)
    if logged:
        pytest.fail(
            f"the server logged a failure during {request.node.name}:\n{excerpt(logged)}",
            pytrace=False,
        )


# The value an attribute took in the change a MutationObserver record reports: a record holds
# only the value before; the value after is the next record's old value on the same element
# (the attribute as it is now for the last one). Reading the attribute now instead missed a run
# short enough to start and end within one observer batch. (A JavaScript function of the
# batch's records and an index; the benchmark's probe uses it too.)
VALUE_AFTER_JS = """(records, i) => {
    const c = records[i];
    const next = records.slice(i + 1).find((d) => d.target === c.target);
    return next ? next.oldValue : c.target.getAttribute(c.attributeName);
}"""

# Counts the script runs the page has seen (each "running" transition of the app root), so a
# test can wait for the run its own action caused instead of sleeping.
RUN_COUNTER = (
    """
window.__stRuns = 0;
((valueAfter) => new MutationObserver((changes) => {
    changes.forEach((c, i) => {
        if (valueAfter(changes, i) === 'running' && c.oldValue !== 'running') window.__stRuns += 1;
    });
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                      attributeFilter: ['data-test-script-state']}))("""
    + VALUE_AFTER_JS
    + """);
"""
)

# The lab's live view: a components.v1 iframe served from the app's own /component/ route
# (assets/live_chart). It has drawn once its document has applied a payload: the component's test
# hook ``window.liveStats.renders`` (docs/live-view.md) is above 0. The iframe is same-origin.
LIVE_CHART = "iframe[data-testid=stCustomComponentV1][src*='live_chart']"
# What the lab shows in its lessons' and its controls' places until the live view has mounted and
# asked for the page run that draws them (pages/_lab_widgets.LESSONS_PENDING, CONTROLS_PENDING).
LIVE_PENDING = ("Drawing the charts", "Drawing the controls")


def status_lines(page) -> list[str]:
    """The live view's status lines (one per run), as its frame shows them; [] without one.

    The status lines travel in the live view's payloads (``normviz.lab_status.status_line``)
    and the component draws them, so a training update needs no page run.
    """
    handle = page.query_selector(LIVE_CHART)
    frame = handle.content_frame() if handle else None
    if frame is None:
        return []
    return frame.locator("#status .live-status-line").all_inner_texts()


# Script state, whether a run is in progress, and whether every chart has been drawn: every
# Plotly chart (no loading skeleton left: the chart component is loaded lazily) and every live
# chart component (its iframe applied a payload), and no live view is still pending.
APP_STATE = """([liveChart, livePending]) => {
    const app = document.querySelector('[data-testid=stApp]');
    const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
    const plotly = Array.from(charts).every(c => c.querySelector('.js-plotly-plot .main-svg'))
        && !document.querySelector('[data-testid=stSkeleton], [data-testid=stSkeletonElement]');
    const live = Array.from(document.querySelectorAll(liveChart)).every(f => {
        try {
            const s = f.contentWindow && f.contentWindow.liveStats;
            return !!s && s.renders > 0;
        } catch (e) {
            return false;  // not same-origin: not the app's own component
        }
    });
    const pending = Array.from(document.querySelectorAll(
        '[data-testid=stMain] [data-testid=stCaptionContainer]'))
        .some(c => livePending.some(p => (c.innerText || '').startsWith(p)));
    return [app && app.getAttribute('data-test-script-state'),
            !!document.querySelector('[data-testid=stStatusWidget]'), plotly && live && !pending];
}"""
# Titles of the lessons, as the sidebar navigation lists them on every page.
LESSONS = ("Image normalization", "Normalization layers", "Regularization lab")


def settle(page, timeout_s: float = SETTLE_S, quiet_s: float = 0.5) -> float:
    """Wait until the script run finished and the app stayed idle ``quiet_s``; return seconds.

    Streamlit marks the app root with ``data-test-script-state`` ("running"/"notRunning") and
    shows ``stStatusWidget`` while a script runs; Plotly charts are drawn by a lazily loaded
    component after the run, so every ``stPlotlyChart`` must also hold a drawn graph, and every
    live chart component (:data:`LIVE_CHART`) must have applied a payload. Live pages (a
    training fragment) may never go quiet: then this returns after ``timeout_s`` and the caller
    checks what it needs.
    """
    start = time.monotonic()
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_s * 1000)
    quiet_since = None
    while time.monotonic() - start < timeout_s:
        state, running, drawn = page.evaluate(APP_STATE, [LIVE_CHART, LIVE_PENDING])
        if state == "notRunning" and not running and drawn:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > quiet_s:
                break
        else:
            quiet_since = None
        page.wait_for_timeout(100)
    return time.monotonic() - start


def runs(page) -> int:
    """How many script runs this page has started so far (see ``RUN_COUNTER``)."""
    return int(page.evaluate("() => window.__stRuns || 0"))


def settle_after(page, runs_before: int, timeout_s: float = SETTLE_S, also: str = "") -> float:
    """Wait for a run to start after ``runs_before`` (or for selector ``also``), then settle.

    Use it after an action that causes a rerun (an upload, a click): unlike a plain
    :func:`settle`, it cannot mistake the idle state *before* the rerun for the state after it.
    """
    start = time.monotonic()
    # A run that ends within one frame (an instant error message) may never show the
    # "running" state to the observer; after RUN_START_S, settling on what the page shows is right.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "([n, sel]) => (window.__stRuns || 0) > n || (sel && !!document.querySelector(sel))",
            arg=[runs_before, also],
            timeout=min(timeout_s, RUN_START_S) * 1000,
        )
    settle(page, max(timeout_s - (time.monotonic() - start), 1.0), quiet_s=0.5)
    return time.monotonic() - start


def open_page(page, server: Server, path: str, timeout_s: float = SETTLE_S) -> float:
    """Navigate to ``path`` (e.g. "/images?x=1"), wait for the app to settle; return seconds."""
    page.goto(server.url + path)
    return settle(page, timeout_s)


def exceptions(page) -> list[str]:
    """Texts of the exception boxes (st.exception / uncaught errors) on the page."""
    return [e.inner_text() for e in page.query_selector_all("[data-testid=stException]")]


def check_page(page) -> None:
    """What every page must show: no exception box, no JavaScript error, no request to a third
    party, the lessons' sidebar."""
    assert exceptions(page) == [], f"exception box: {exceptions(page)[0][:300]}"
    assert page.js_errors == [], f"JavaScript errors: {page.js_errors}"
    assert page.third_party == [], f"requests beyond the app's server: {page.third_party}"
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    missing = [title for title in LESSONS if title not in nav]
    assert not missing, f"the sidebar navigation lacks {missing}"


def shoot(page, name: str, max_height: int = 7000) -> Path:
    """Write a screenshot of the whole app to tests/e2e/screenshots/<name>.png; return its path.

    Streamlit scrolls inside its own container, so a "full page" screenshot would only show the
    window: the window is made as tall as the content (up to ``max_height``) for the picture.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...Array.from(document.querySelectorAll(
            '[data-testid=stMain], [data-testid=stAppViewContainer]')).map(e => e.scrollHeight),
            window.innerHeight)"""
    )
    tall = min(int(height) + 40, max_height)
    if size and tall > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
        page.wait_for_timeout(400)  # let Plotly redraw at the new size
    try:
        page.screenshot(path=str(out), full_page=True)
    finally:
        if size and tall > size["height"]:
            page.set_viewport_size(size)
    return out
