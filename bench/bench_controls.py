"""Benchmark: how long each control of each lesson takes to answer in Chromium, and first views.

Run: ``.venv/bin/python -m bench.bench_controls [--pages /images /layers /lab] [--fresh [N]]
[--repeats R] [--passes P]``.

Starts its own Streamlit server on 127.0.0.1 (``bench.support.server``) and Debian's Chromium
(``/usr/bin/chromium``, loopback only). For each lesson it opens the page, then drives every
control once (``--passes P``: P times, each pass from a new tab, and prints each control's
median), as ``tests/e2e/test_every_control.py`` finds them (its page scan is reused): sliders
by a keyboard arrow, selects, radios, toggles, segmented controls, number and text inputs,
buttons, tabs, expanders. The lab is measured paused (its Start and Pause buttons, which run the
live view, are left alone), so its live fragment's ticks are not counted. Uploaders, downloads,
page links and custom components are not timed (they do not rerun to show a new state).
A control that starts seconds of work (the lab's "Run the study": it trains networks, its
progress bar at once) is timed until it answered, its answer shown (:data:`ANSWERS`); the note
says when the page settled.

What one control's time is: from the input event in the page (the key press or pointer down, as
the page timed it) until the app settled: script state ``notRunning``, no status widget, every
Plotly chart drawn, and then nothing left to do: the end of the last script run, the last DOM
change in the app and the end of the last long task (main thread busy > 50 ms, which is where
Plotly draws), whichever is latest, with 0.6 s of quiet after it. Not counted as a DOM change:
the style of an expander's ``<details>`` while Streamlit animates its height for 500 ms as it
opens (its content is drawn when the animation starts; the animation is a fixed transition, not
work).

A lesson's first view: from navigation start until *usable* (the first moment the page is idle
after its first script run with everything it drew so far drawn, the lab's live view included),
until its *controls* are all drawn (the lab draws them with its lessons, once its live view has
mounted; the other lessons in their first run) and until *settled* as above (later page runs
included, such as the lab's lessons); on a warm server (opened once before, median of
``--repeats``) and, with ``--fresh [N]``, as the first page a newly started server serves (the
median of N new servers per lesson, 3 by default: one such view varies by ~0.5 s here).

Reference, measured in the same run: Streamlit's bare rerun, a page with one slider served by
the same Streamlit (its own server), driven the same way, and that page's first view. Each
control's time is printed with its ratio to that reference. Goals (issue 12): every control
<= 500 ms, first view usable <= 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.support.server import CHROMIUM, FLAGS, free_port, start_server, stop_server, wait_ready
from pages._warm_widgets import SERVED_AT
from tests.e2e.conftest import VALUE_AFTER_JS
from tests.e2e.test_every_control import (
    ACTIONS,
    CHROME,
    KINDS,
    SCAN,
    Widget,
    is_open_tab,
    walk_order,
)

GOAL_CONTROL_S = 0.5
GOAL_FIRST_S = 3.0
QUIET_S = 0.6
TIMEOUT_S = 45.0
PAGES = ("/images", "/layers", "/lab")
# Controls not timed: they start the lab's live view (measured paused), or are no rerun at all.
SKIP_KEYS = {"lab_start", "lab_pause"}
SKIP_KINDS = {"download", "uploader", "pagelink", "livechart"}
ANSWERS = {"lab_study_run": "[data-testid=stProgress], .st-key-lab_fig_study"}
"""Controls that start seconds of work, and what shows they answered (CSS selector): the study's
progress bar, or the study when it was ready. Timed until it shows; the note says when settled."""

# Timestamps (performance.now()) of what the page did: the last input event, script state
# changes, DOM changes in the app, long tasks. Installed before the app's own scripts.
PROBE_JS = """
(() => {
  if (window !== window.top) return;
  const p = (window.__probe = {input: 0, runEnd: 0, runStart: 0, mutation: 0, longEnd: 0,
                                runs: 0, answer: "", answered: 0});
  for (const type of ['keydown', 'pointerdown', 'mousedown', 'click']) {
    window.addEventListener(type, (e) => {
      if (e.isTrusted && (type !== 'click' || !p.input)) p.input = performance.now();
    }, true);
  }
  const inTip = (n) => n.nodeType === 1 && !!n.closest(
      '[data-floating-ui-portal], [role=tooltip], [data-testid=stTooltipHoverTarget], ' +
      '[data-live-announcer]');
  const valueAfter = %VALUE_AFTER%;
  const tip = (c) => {
    const nodes = [...c.addedNodes, ...c.removedNodes];
    return inTip(c.target) || (c.type === 'childList' && nodes.length > 0 && nodes.every(inTip));
  };
  // The observer runs on the page's main thread, inside what it measures: it must stay cheap.
  // A React commit brings thousands of records, so the script state is read off each (a
  // compare) and only the newest records are looked at for work: from the last one back,
  // until one that is not a tooltip's (one closest() per callback, as a rule).
  new MutationObserver((changes) => {
    const now = performance.now();
    // (A short run can start and end within one batch: see tests/e2e/conftest.py.)
    const states = changes.filter(
        (c) => c.type === 'attributes' && c.attributeName === 'data-test-script-state');
    states.forEach((c, i) => {
      const v = valueAfter(states, i);
      if (v === 'running' && c.oldValue !== 'running') { p.runs += 1; p.runStart = now; }
      else if (v !== 'running' && c.oldValue === 'running') p.runEnd = now;
    });
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i];
      if (c.type === 'attributes' && c.attributeName === 'data-test-script-state') continue;
      // (An expander's <details> gets its height animated for 500 ms as it opens, its
      // content already drawn; that animation's style changes are not work to wait for.
      // Nor is a hover tooltip: it shows ~0.3 s after the pointer came to rest on a control
      // with a help text, whatever the click did. Nor the screen reader's announcer, a
      // hidden region a select writes "4 options available." in and empties 7 s later,
      // during whatever control is driven then.)
      if (!(c.type === 'attributes' && c.target.tagName === 'DETAILS') && !tip(c)) {
        p.mutation = now;
        break;
      }
    }
    if (p.answer && !p.answered && document.querySelector(p.answer)) p.answered = now;
  }).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                        childList: true, characterData: true});
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) p.longEnd = Math.max(p.longEnd, e.startTime + e.duration);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
})();
""".replace("%VALUE_AFTER%", VALUE_AFTER_JS)

# Idle now? Script state, status widget, every Plotly chart drawn (as tests/e2e/conftest.py).
STATE_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
  // The lab's live view (a same-origin component iframe) counts once it applied a payload.
  const live = Array.from(document.querySelectorAll(
      "iframe[data-testid=stCustomComponentV1][src*='live_chart']"));
  const drawn = Array.from(charts).every(c => c.querySelector('.js-plotly-plot .main-svg'))
      && live.every(f => { try { return f.contentWindow.liveStats.renders > 0; }
                           catch (e) { return false; } })
      && !document.querySelector('[data-testid=stSkeleton], [data-testid=stSkeletonElement]');
  const p = window.__probe || {};
  return {state: app && app.getAttribute('data-test-script-state'),
          status: !!document.querySelector('[data-testid=stStatusWidget]'), drawn,
          now: performance.now(), input: p.input || 0, runEnd: p.runEnd || 0,
          mutation: p.mutation || 0, longEnd: p.longEnd || 0, runs: p.runs || 0};
}"""

REFERENCE_APP = """import streamlit as st

st.title("Bare rerun")
st.slider("value", 0, 100, 50, key="ref_slider")
"""


@dataclass
class Timing:
    """One measured interaction: what was done and how long the page took to settle."""

    page: str
    control: str
    kind: str
    seconds: float
    note: str = ""


def wait_settled(page, since: float, timeout_s: float = TIMEOUT_S, quiet_s: float = QUIET_S):
    """Wait until the app is idle and quiet; return (end timestamp, probe) in page milliseconds.

    ``since`` is the page time the measured action started; the end is the latest of the last
    run's end, DOM change and long task after it.
    """
    start = time.monotonic()
    quiet_from = None
    last = None
    while time.monotonic() - start < timeout_s:
        s = page.evaluate(STATE_JS)
        idle = s["state"] == "notRunning" and not s["status"] and s["drawn"]
        end = max(since, s["runEnd"], s["mutation"], s["longEnd"])
        if idle and last is not None and end == last:
            quiet_from = quiet_from or time.monotonic()
            if time.monotonic() - quiet_from >= quiet_s and s["now"] - end >= quiet_s * 1000:
                return end, s
        else:
            quiet_from = None
        last = end if idle else None
        page.wait_for_timeout(50)
    return None, page.evaluate(STATE_JS)


@dataclass
class FirstView:
    """A new tab's first view of a page, in seconds from navigation start.

    ``usable``: the first moment the page was idle after its first script run, everything it
    had drawn so far drawn (charts, the lab's live view): the reader can read it and use what
    is there (the lab's Start). ``controls``: when its last control was drawn too (the lab's
    come with its lessons, in the page run its live view asks for once it has mounted; on the
    other lessons, the first run draws them). ``settled``: when nothing was left to do (later
    page runs included), as a control's time ends.
    """

    usable: float
    controls: float
    settled: float


MAIN = {
    "/images": "[data-testid=stImage] img",
    "/layers": ".nv-cube-draw svg",
    "/lab": "iframe[data-testid=stCustomComponentV1][src*='live_chart']",
}
"""Each lesson's main element: its first view is not usable before one is there (and drawn)."""

LAST_CONTROL = {"/lab": ".st-key-lab_max_epochs input"}
"""An element drawn with the lab's controls (its last one): they are all there. The other lessons
draw their controls in their first run: they are there once the view is usable."""

SHOWN_JS = """sel => Array.from(document.querySelectorAll(sel)).some(
    e => e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0))"""


def first_view(context, url: str, main: str | None = None, last: str | None = None) -> FirstView:
    """Open ``url`` in a new tab; return when it became usable, had its controls and settled.

    ``main``: a CSS selector of the lesson's main element; the view is usable only once one
    exists (a picture: loaded), so a page still building its first run is not taken as idle.
    ``last``: a selector of an element drawn with the lesson's controls (None: none to wait for).
    """
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector("[data-testid=stApp]", timeout=TIMEOUT_S * 1000)
        usable = controls = float("nan")
        start = time.monotonic()
        while time.monotonic() - start < 90.0 and (usable != usable or controls != controls):
            s = page.evaluate(STATE_JS)
            idle = s["runs"] and s["state"] == "notRunning" and not s["status"] and s["drawn"]
            if usable != usable and idle and (main is None or page.evaluate(SHOWN_JS, main)):
                usable = s["now"] / 1000
            if controls != controls and (last is None or page.query_selector(last)):
                controls = s["now"] / 1000
            page.wait_for_timeout(25)
        end, _ = wait_settled(page, 0.0, timeout_s=90.0)
        controls = max(controls, usable)  # drawn before the first run ended: usable then
        return FirstView(usable, controls, float("nan") if end is None else end / 1000)
    finally:
        page.close()


def median_view(views: list[FirstView]) -> FirstView:
    """The medians of several first views' times."""
    return FirstView(
        statistics.median(v.usable for v in views),
        statistics.median(v.controls for v in views),
        statistics.median(v.settled for v in views),
    )


def scan(page) -> list[Widget]:
    found = page.evaluate(SCAN, [KINDS, CHROME])
    return [Widget(**w) for w in found["widgets"]]


def act(page, w: Widget) -> float | None:
    """Drive ``w`` once; return the seconds from its input event until settled (None: stuck)."""
    return act_answered(page, w)[0]


def act_answered(page, w: Widget) -> tuple[float | None, float | None]:
    """Drive ``w`` once; return (seconds until it answered, seconds until settled), None: stuck.

    A control answers when the page settled, or for one of :data:`ANSWERS` when its answer
    showed (both times are then the same for the others).
    """
    el = page.locator(f"[data-walk='{w.walk}']").first
    el.evaluate("e => e.scrollIntoView({block: 'center'})")
    wait_settled(page, 0.0, quiet_s=0.3)
    page.evaluate(
        "a => { Object.assign(window.__probe, {input: 0, answer: a, answered: 0}); }",
        ANSWERS.get(w.key, ""),
    )
    ACTIONS[w.kind](page, el, w)
    s = page.evaluate(STATE_JS)
    if not s["input"]:
        return None, None
    end, _ = wait_settled(page, s["input"])
    if end is None:
        return None, None
    settled = (end - s["input"]) / 1000
    if w.key not in ANSWERS:
        return settled, settled
    answered = page.evaluate("() => window.__probe.answered")
    return (None if not answered else (answered - s["input"]) / 1000), settled


def reveal(page, w: Widget) -> None:
    """Open the tabs and expanders around ``w`` (not timed)."""
    for r in w.reveal:
        page.locator(f"[data-walk-reveal='{r}']").first.click()
        wait_settled(page, 0.0)


def drive_page(context, url: str, path: str) -> list[Timing]:
    """Drive every control of ``path`` once; return their timings."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Streamlit's modules fetched during the control driven now: it waited for them (the note
    # names them)
    modules: list[str] = []
    page.on("request", lambda r: modules.append(r.url) if SERVED_AT in r.url else None)
    page.goto(url + path)
    wait_settled(page, 0.0, timeout_s=90.0)
    done: set[str] = set()
    seen: dict[str, tuple[int, int]] = {}  # control -> (step first seen at, position then)
    open_first: set[str] = set()  # tabs open when first seen
    out: list[Timing] = []
    for step in range(200):
        widgets = scan(page)
        for w in widgets:
            if w.id not in seen:
                seen[w.id] = (step, len(seen))
                if is_open_tab(w.kind, w.value):
                    open_first.add(w.id)
        todo = [
            w for w in widgets
            if w.id not in done and not w.disabled and w.key not in SKIP_KEYS
            and w.kind not in SKIP_KINDS and w.kind in ACTIONS
        ]  # fmt: skip
        if not todo:
            break
        # The e2e walker's order (test_every_control.walk_order): newest first, then tabs and
        # expanders (the tab open when first seen after the others), the rest bottom up.
        w = min(todo, key=lambda w: walk_order(w.kind, *seen[w.id], open_first=w.id in open_first))
        done.add(w.id)
        try:
            reveal(page, w)
            w = next((x for x in scan(page) if x.id == w.id), w)
            modules.clear()
            took, settled = act_answered(page, w)
        except Exception as err:  # a benchmark reports and goes on
            out.append(Timing(path, w.id, w.kind, float("nan"), f"failed: {str(err)[:80]}"))
            continue
        note = "" if w.key not in ANSWERS or settled is None else f"settled {settled:.1f} s"
        if modules:  # it waited for their download and compile (pages/_warm_widgets.py)
            names = ", ".join(sorted({u.rsplit("/", 1)[1].split(".")[0] for u in modules}))
            note = f"{note}; fetched {names}" if note else f"fetched {names}"
        out.append(Timing(path, w.id, w.kind, float("nan") if took is None else took, note))
    page.close()
    return out


def merge_passes(passes: list[list[Timing]]) -> list[Timing]:
    """One timing per control over several passes of :func:`drive_page`: the median of its times.

    Each pass drives the page from a new tab in the same order, so a control meets the same
    state each time; the median drops a pass disturbed by the machine (a shared machine's load
    comes in bursts). The note lists every pass's time when there was more than one. The
    server's caches are warm after the first pass (a sample decoded, a study trained): a later
    pass may meet a control in another state (the lab's "Run the study" runs a new study).
    """
    if len(passes) == 1:
        return passes[0]
    each: dict[tuple[str, str, str], list[Timing]] = {}
    for timing in (t for run in passes for t in run):
        each.setdefault((timing.page, timing.control, timing.kind), []).append(timing)
    out = []
    for (page, control, kind), timings in each.items():
        values = [t.seconds for t in timings]
        ok = [v for v in values if v == v]
        note = "passes " + " ".join("n/a" if v != v else f"{v * 1000:.0f}" for v in values)
        settled = [t.note for t in timings if t.note]
        note += f" ({', '.join(settled)})" if settled else ""
        out.append(Timing(page, control, kind, statistics.median(ok) if ok else float("nan"), note))
    return out


def reference(context, tmp: Path, repeats: int = 3) -> tuple[float, FirstView]:
    """Streamlit's bare page: median seconds of a rerun (one slider, arrow key, settled) and
    the median first view of that page (a new tab each, on a warm server)."""
    script = tmp / "bare_rerun.py"
    script.write_text(REFERENCE_APP)
    port = free_port()
    proc = start_server(port, tmp / "reference.log", script=script)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, proc=proc, log=tmp / "reference.log")
        page = context.new_page()
        page.goto(url)
        wait_settled(page, 0.0, timeout_s=90.0)
        times = []
        for i in range(9):
            w = Widget("ref_slider", "slider", "value", "ref_slider", "", False, [], True, "")
            page.locator(".st-key-ref_slider").first.evaluate(
                "e => e.setAttribute('data-walk', 'ref')"
            )
            w.walk = "ref"
            took = act(page, w)
            if took is not None and i:  # the first one warms up
                times.append(took)
        page.close()
        view = median_view([first_view(context, url) for _ in range(repeats)])
        return statistics.median(times), view
    finally:
        stop_server(proc)


def fresh_view(browser, tmp: Path, path: str) -> FirstView:
    """The first view of lesson ``path`` as the first page a newly started server serves (in a
    new browser context: nothing cached)."""
    port = free_port()
    log = tmp / f"fresh{port}.log"
    proc = start_server(port, log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, proc=proc, log=log)
        ctx = loopback_context(browser)
        try:
            return first_view(ctx, url + path, MAIN.get(path), LAST_CONTROL.get(path))
        finally:
            ctx.close()
    finally:
        stop_server(proc)


def loopback_context(browser, viewport=(1400, 1000)):
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    ctx.route(
        "**/*",
        lambda r: (
            r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort()
        ),
    )
    ctx.add_init_script(PROBE_JS)
    return ctx


def fmt(seconds: float, ref: float) -> str:
    if seconds != seconds:  # NaN
        return "   n/a"
    return f"{seconds * 1000:6.0f} ms  {seconds / ref:5.1f}x"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    ap.add_argument("--repeats", type=int, default=3, help="warm first views per lesson")
    ap.add_argument(
        "--fresh", type=int, nargs="?", const=3, default=0, metavar="N",
        help="also first views on fresh servers: N per lesson, median (3 if N is not given)",
    )  # fmt: skip
    ap.add_argument("--no-controls", action="store_true", help="first views only")
    ap.add_argument(
        "--passes", type=int, default=1, help="drive every control this many times (median)"
    )
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp_dir, sync_playwright() as pw:
        tmp = Path(tmp_dir)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        ctx = loopback_context(browser)
        ref, ref_view = reference(ctx, tmp, args.repeats)
        print(f"reference: Streamlit's bare rerun (one slider) {ref * 1000:.0f} ms (median of 8)")
        print(
            f"reference: the bare page's first view usable {ref_view.usable:.2f} s, settled "
            f"{ref_view.settled:.2f} s (median of {args.repeats})"
        )
        fresh_views: dict[str, list[FirstView]] = {path: [] for path in args.pages}
        for _ in range(args.fresh):  # one round over the lessons at a time: noise spreads
            for path in args.pages:
                fresh_views[path].append(fresh_view(browser, tmp, path))
        fresh = {path: median_view(views) for path, views in fresh_views.items() if views}
        port = free_port()
        proc = start_server(port, tmp / "server.log")
        timings: list[Timing] = []
        warm: dict[str, FirstView] = {}
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, proc=proc, log=tmp / "server.log")
            for path in args.pages:
                first_view(
                    ctx, url + path, MAIN.get(path), LAST_CONTROL.get(path)
                )  # warm the server's imports and caches
                warm[path] = median_view(
                    [
                        first_view(ctx, url + path, MAIN.get(path), LAST_CONTROL.get(path))
                        for _ in range(args.repeats)
                    ]
                )
                if not args.no_controls:
                    passes = [drive_page(ctx, url, path) for _ in range(args.passes)]
                    timings += merge_passes(passes)
        finally:
            stop_server(proc)
            with contextlib.suppress(Exception):
                browser.close()
    width = max((len(t.control) for t in timings), default=10)
    for path in args.pages:
        rows = [t for t in timings if t.page == path]
        print(f"\n{path}: {len(rows)} controls")
        for t in rows:
            flag = "  OVER" if t.seconds > GOAL_CONTROL_S else ""
            print(f"  {t.control:<{width}} {t.kind:<10} {fmt(t.seconds, ref)}{flag} {t.note}")
    print("\nsummary (goals: controls <= 500 ms, first view usable <= 3 s)")
    for path in args.pages:
        rows = [t for t in timings if t.page == path and t.seconds == t.seconds]
        slow = max(rows, key=lambda t: t.seconds, default=None)
        worst = f"slowest {slow.control} {fmt(slow.seconds, ref)}" if slow else "no controls"
        over = sum(t.seconds > GOAL_CONTROL_S for t in rows)
        print(f"  {path:8s} {worst}; {over} over 500 ms")
        for name, view in (
            (f"warm, median of {args.repeats}", warm.get(path)),
            (f"fresh server, median of {args.fresh}", fresh.get(path)),
        ):
            if view is not None:
                print(
                    f"  {'':8s} first view ({name}) usable {view.usable:.2f} s = "
                    f"{view.usable / ref_view.usable:.1f}x the bare page's, controls "
                    f"{view.controls:.2f} s, settled {view.settled:.2f} s"
                )
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
