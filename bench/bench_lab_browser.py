"""One lab tab training in headless Chromium: chart updates a second, main-thread time per update,
the tab's memory over the run, against a bare Streamlit fragment measured in the same Chromium.

Run from the project root (loopback only; about ``--minutes`` + 4 minutes)::

    nice .venv/bin/python -m bench.bench_lab_browser              # 5 minutes of training
    nice .venv/bin/python -m bench.bench_lab_browser --minutes 1  # a quick run
    nice .venv/bin/python -m bench.bench_lab_browser --query mode=compare --breakdown 0

One Debian Chromium (``bench.support.server.FLAGS``: headless, no traffic beyond 127.0.0.1), one
tab at a time, each on its own ``streamlit run`` on a free loopback port
(``bench.support.server.start_server``):

1. reference: a bare page whose ``st.fragment(run_every=0.1)`` draws one markdown line with a
   counter (:data:`REFERENCE_APP`, written to a temp file), watched for ``--ref-seconds``: what
   Streamlit's own frontend costs the browser's main thread per fragment rerun;
2. the lab: ``/lab?max_epochs=100000`` (early stopping is off by default, so it trains for the
   whole run), Start clicked, watched for ``--minutes``.

Every ``--sample`` seconds it reads, for the tab: the live chart's ``window.liveStats`` inside
its iframe (``renders`` = payloads applied, ``totalRenderMs`` = time live.js spent applying
them), Chromium's ``Performance.getMetrics`` on the page's CDP session (``TaskDuration`` minus
``DevToolsCommandDuration`` = the page's main-thread time without the benchmark's own CDP
calls, measured in thread CPU time, ``timeDomain=threadTicks``; ``ScriptDuration``;
``JSHeapUsedSize``) and the RSS of the tab's renderer process (the Chromium renderer whose CPU
time grows while the tab runs a busy loop, ``/proc/<pid>/status``). The live chart's iframe is
same-origin: it runs in the page's renderer on the page's main thread, in the page's CDP target
(the benchmark prints what a busy loop inside the iframe adds to the page's ``TaskDuration``, and
adds the iframe's own target's metrics if it ever runs out of process).

Printed: a line per sample (updates a second, main-thread ms per update, live.js ms per update,
JS heap, renderer RSS, renderer CPU); then the figures against the issue's goals: updates a
second (>= 10), main-thread ms per update (<= 10; and the share live.js spends applying
payloads, from ``liveStats.totalRenderMs``), the tab's memory at minute 1 and at the end (within
50 MB: the renderer's RSS right after a forced GC at both points; also the JS heap, and both as
sampled), the reference's ms per rerun and the ratio lab / reference. A second reference,
``--page-elements`` (default 72, the lab page's element count; 0 skips it), puts the same
fragment beside that many static widgets and markdown lines: Streamlit's frontend re-renders the
page on every fragment rerun, so this is the floor for a page of the lab's size.
``--breakdown S`` (default 10) then traces each tab for S seconds (CDP Tracing with DevTools'
timeline categories, plus the V8 CPU profiler) and prints where the main thread's time goes per
update: script by file and frame (Streamlit's frontend, live.js, uPlot), style, layout, paint,
GC, IPC, task overhead; inclusive time per script file; the costliest functions. ``--save DIR``
keeps the traces and profiles (they open in Chromium's DevTools).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.support.browser_probe import (
    BUSY_JS,
    STATS_JS,
    TRACE_CATEGORIES,
    cpu_of,
    find_renderer,
    live_frame,
    log_failures,
    main_thread_ms,
    metrics,
    profile_by_url,
    rss_of,
    trace_breakdown,
)
from bench.support.server import (
    CHROMIUM,
    FLAGS,
    cpu_seconds,
    free_port,
    start_server,
    stop_server,
    wait_ready,
)

GOAL_UPDATES_S = 10.0
GOAL_MS_PER_UPDATE = 10.0
GOAL_MEMORY_MB = 50.0
LAB_QUERY = "max_epochs=100000"  # trains for the whole run (early stopping is off by default)
VIEWPORT = {"width": 1400, "height": 900}

REFERENCE_APP = """
import streamlit as st

st.session_state.setdefault("n", 0)


@st.fragment(run_every=0.1)
def live():
    st.session_state.n += 1
    st.markdown(f"tick **{st.session_state.n}**")


live()
"""
"""Streamlit's floor: a fragment rerun every 0.1 s that draws one markdown line."""

PAGE_ELEMENTS = 72  # the lab page's element containers before Start, counted in Chromium


def page_sized_app(elements: int) -> str:
    """:data:`REFERENCE_APP` with ``elements`` static elements around the fragment.

    A left column of sliders, select boxes, number inputs, checkboxes and markdown lines (one
    element each, in turn) and the fragment on the right, as the lab puts its controls beside
    its live view: what Streamlit's frontend costs per fragment rerun on a page of that size.
    """
    kinds = [
        'st.slider("s{i}", 0, 100, 50, key="s{i}")',
        'st.selectbox("b{i}", ["a", "b", "c"], key="b{i}")',
        'st.number_input("n{i}", 0, 100, 5, key="n{i}")',
        'st.checkbox("c{i}", key="c{i}")',
        'st.markdown("Some **markdown** text, line {i}.")',
    ]
    body = "\n".join("    " + kinds[i % len(kinds)].format(i=i) for i in range(elements - 1))
    return REFERENCE_APP.replace(
        "\n\nlive()\n",
        f"\n\nleft, right = st.columns([1, 3])\nwith left:\n{body}\nwith right:\n    live()\n",
    )


REF_COUNT_JS = """() => {
  for (const m of document.querySelectorAll('[data-testid=stMarkdown]')) {
    const found = /^tick (\\d+)/.exec(m.textContent.trim());
    if (found) return Number(found[1]);
  }
  return 0;
}"""


@dataclass
class Sample:
    """What one tab showed at one moment (``t`` in seconds since the watch started)."""

    t: float
    updates: float  # chart updates (lab: liveStats.renders; reference: the counter)
    render_ms: float  # lab: liveStats.totalRenderMs; reference: 0
    main_ms: float  # main_thread_ms of the page
    script_s: float  # ScriptDuration
    heap_mb: float  # JSHeapUsedSize
    rss_mb: float  # the renderer's VmRSS
    renderer_cpu_s: float  # the renderer process's CPU seconds (all its threads)
    server_cpu_s: float
    rows: int  # history rows the live chart holds (lab)


class Tab:
    """One page in its own browser context, with a CDP session and its renderer's pid."""

    def __init__(self, browser, server_pid: int) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.extra_cdp = None  # the iframe's own session, if it ever runs out of process
        self.server_pid = server_pid
        self.renderer = 0
        self.lab = False

    def find_renderer(self) -> None:
        self.renderer = find_renderer(lambda ms: self.page.evaluate(BUSY_JS, ms))

    def metrics(self) -> dict[str, float]:
        m = metrics(self.cdp.send("Performance.getMetrics"))
        if self.extra_cdp is not None:
            extra = metrics(self.extra_cdp.send("Performance.getMetrics"))
            for k in ("TaskDuration", "DevToolsCommandDuration", "ScriptDuration"):
                m[k] = m.get(k, 0.0) + extra.get(k, 0.0)
        return m

    def sample(self, t0: float) -> Sample:
        m = self.metrics()
        if self.lab:
            frame = live_frame(self.page)
            stats = (frame.evaluate(STATS_JS) if frame is not None else None) or {}
            updates, render_ms = stats.get("renders", 0), stats.get("totalRenderMs", 0.0)
            rows = int(stats.get("rows", 0))
        else:
            updates, render_ms, rows = self.page.evaluate(REF_COUNT_JS), 0.0, 0
        return Sample(
            t=time.monotonic() - t0,
            updates=float(updates),
            render_ms=float(render_ms),
            main_ms=main_thread_ms(m),
            script_s=m["ScriptDuration"],
            heap_mb=m["JSHeapUsedSize"] / 2**20,
            rss_mb=rss_of(self.renderer),
            renderer_cpu_s=cpu_of(self.renderer),
            server_cpu_s=cpu_seconds(self.server_pid),
            rows=rows,
        )

    def gc_heap_mb(self) -> tuple[float, float]:
        """(JS heap MB, renderer RSS MB) right after a forced garbage collection."""
        self.cdp.send("HeapProfiler.collectGarbage")
        m = self.metrics()
        return m["JSHeapUsedSize"] / 2**20, rss_of(self.renderer)

    def close(self) -> None:
        self.context.close()


def check_iframe_counted(tab: Tab) -> str:
    """Make sure the iframe's main-thread work shows in the page target's metrics.

    Runs a 300 ms busy loop inside the live chart's iframe and compares the growth of the page's
    TaskDuration (thread CPU time) with the CPU time the tab's renderer gained. If the iframe
    has a CDP target of its own (an out-of-process iframe), its metrics are added to the page's.
    """
    frame = live_frame(tab.page)
    if frame is None:
        raise RuntimeError("the lab has no live chart iframe")

    def task_ms() -> float:
        return 1000 * tab.metrics()["TaskDuration"]

    before, cpu = task_ms(), cpu_of(tab.renderer)
    frame.evaluate(BUSY_JS, 300)
    grew, cpu_grew = task_ms() - before, 1000 * (cpu_of(tab.renderer) - cpu)
    try:
        session = tab.context.new_cdp_session(frame)
    except Exception as exc:  # Playwright: a same-process frame has no session of its own
        if "part of the parent frame's session" not in str(exc):
            raise
        session = None
    where = (
        f"a 300 ms busy loop in it added {grew:.0f} ms to the page's TaskDuration (thread "
        f"time) while the tab's renderer (pid {tab.renderer}) gained {cpu_grew:.0f} ms of CPU"
    )
    if session is None:
        return f"the live chart's iframe runs in the page's CDP target and main thread: {where}"
    tab.extra_cdp = session
    session.send("Performance.enable", {"timeDomain": "threadTicks"})
    return f"the live chart's iframe has its own CDP target, its metrics are added: {where}"


def watch(tab: Tab, seconds: float, every: float, label: str, gc_at: float | None) -> tuple:
    """Sample ``tab`` every ``every`` s for ``seconds``; force a GC reading at ``gc_at`` s.

    Returns (samples, {"first": (t, heap, rss), "end": (t, heap, rss)}) with the forced-GC
    readings at ``gc_at`` and at the end.
    """
    t0 = time.monotonic()
    samples = [tab.sample(t0)]
    gc: dict[str, tuple[float, float, float]] = {}
    print(f"{label}: {'s':>5s} {'upd/s':>6s} {'main ms/upd':>11s} {'live.js ms/upd':>14s} "
          f"{'JS heap MB':>10s} {'RSS MB':>7s} {'renderer %':>10s} {'rows':>7s}")  # fmt: skip
    while samples[-1].t < seconds - 1e-6:
        wake = t0 + min(seconds, samples[-1].t + every)
        tab.page.wait_for_timeout(max(0.0, wake - time.monotonic()) * 1000)
        s = tab.sample(t0)
        a = samples[-1]
        samples.append(s)
        n = s.updates - a.updates
        per = (s.main_ms - a.main_ms) / n if n else float("nan")
        live = (s.render_ms - a.render_ms) / n if n else float("nan")
        cpu = 100 * (s.renderer_cpu_s - a.renderer_cpu_s) / (s.t - a.t)
        pad = " " * (len(label) + 1)
        print(f"{pad} {s.t:5.0f} {n / (s.t - a.t):6.1f} {per:11.2f} {live:14.2f} "
              f"{s.heap_mb:10.1f} {s.rss_mb:7.0f} {cpu:10.0f} {s.rows:7d}")  # fmt: skip
        if gc_at is not None and "first" not in gc and s.t >= gc_at - every / 2:
            gc["first"] = (s.t, *tab.gc_heap_mb())
    if gc_at is not None:
        gc["end"] = (samples[-1].t, *tab.gc_heap_mb())
    return samples, gc


def rates(samples: list[Sample], since: float = 0.0) -> dict[str, float]:
    """Figures over the samples from ``since`` s to the end."""
    a = next(s for s in samples if s.t >= since - 1e-6)
    b = samples[-1]
    n = max(b.updates - a.updates, 1e-9)
    span = b.t - a.t
    return {
        "seconds": span,
        "updates": b.updates - a.updates,
        "updates_s": (b.updates - a.updates) / span,
        "main_ms": (b.main_ms - a.main_ms) / n,
        "script_ms": 1000 * (b.script_s - a.script_s) / n,
        "live_ms": (b.render_ms - a.render_ms) / n,
        "renderer_pct": 100 * (b.renderer_cpu_s - a.renderer_cpu_s) / span,
        "renderer_ms": 1000 * (b.renderer_cpu_s - a.renderer_cpu_s) / n,
        "server_pct": 100 * (b.server_cpu_s - a.server_cpu_s) / span,
    }


def breakdown(tab: Tab, seconds: float, label: str, save: Path | None = None) -> None:
    """Trace ``tab`` for ``seconds`` and print where its main thread's time goes per update.

    With ``save`` (a directory), the trace and the CPU profile are written there as
    ``<label>.trace.json`` and ``<label>.cpuprofile`` (both open in Chromium's DevTools).
    """
    events: list[dict] = []
    done: list[bool] = []
    tab.cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    tab.cdp.on("Tracing.tracingComplete", lambda p: done.append(True))
    t0 = time.monotonic()
    before = tab.sample(t0)
    tab.cdp.send("Profiler.enable")
    tab.cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    tab.cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
    tab.cdp.send("Profiler.start")
    tab.page.wait_for_timeout(seconds * 1000)
    profile = tab.cdp.send("Profiler.stop")["profile"]
    after = tab.sample(t0)
    tab.cdp.send("Tracing.end")
    end = time.monotonic() + 60
    while not done and time.monotonic() < end:
        tab.page.wait_for_timeout(100)
    tab.cdp.send("Profiler.disable")
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        stem = "-".join(w for w in label.split() if w.isalnum())
        (save / f"{stem}.trace.json").write_text(json.dumps({"traceEvents": events}))
        (save / f"{stem}.cpuprofile").write_text(json.dumps(profile))
    n = max(after.updates - before.updates, 1)
    thread, task_ms, kinds = trace_breakdown(events)
    print(
        f"\n{label}: where the main thread's time goes, {seconds:.0f} s traced "
        f"({len(events)} trace events, {n:.0f} updates, {n / (after.t - before.t):.1f} a second; "
        f"tracing slows the page, so trust the shares): main thread {thread}, tasks "
        f"{task_ms / n:.2f} ms per update"
    )
    total = sum(kinds.values()) or 1.0
    for kind, ms in sorted(kinds.items(), key=lambda kv: -kv[1]):
        if ms / n >= 0.01:
            print(f"  {kind:42s} {ms / n:7.2f} ms per update {100 * ms / total:5.1f} %")
    owners, funcs, files = profile_by_url(profile)
    busy = {k: v for k, v in owners.items() if k != "(idle)"}
    print("  V8 CPU profile, self time per update by script: " + ", ".join(
        f"{k} {v / n:.2f} ms" for k, v in sorted(busy.items(), key=lambda kv: -kv[1])
        if v / n >= 0.01))  # fmt: skip
    print("  inclusive time per update by script file (a file counts the calls it makes): "
          + ", ".join(f"{f} {ms / n:.2f} ms" for ms, f in files[:10]))  # fmt: skip
    print("  costliest functions (self ms per update, file:line):")
    for ms, name, file, line in funcs:
        if name != "(idle)":
            print(f"    {ms / n:6.2f}  {name} {file}:{line}")


def server_log_errors(log: Path) -> list[str]:
    """Lines of the server log that show a failure (a traceback, an uncaught app exception)."""
    return log_failures([log])


def run_reference(browser, args, tmp: Path, elements: int = 0) -> tuple[dict[str, float], list]:
    """Watch the reference page (with ``elements`` static elements around it if > 0)."""
    script = tmp / f"floor_app_{elements}.py"
    script.write_text(page_sized_app(elements) if elements else REFERENCE_APP)
    label = f"reference on a page of {elements} elements" if elements else "reference"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / f"reference-{elements}.log"
    server = start_server(port, log, script=script)
    try:
        wait_ready(url, proc=server, log=log)
        tab = Tab(browser, server.pid)
        tab.page.goto(url, timeout=60_000)
        tab.page.wait_for_function(f"({REF_COUNT_JS})() > 0", timeout=60_000)
        tab.find_renderer()
        tab.page.wait_for_timeout(3000)  # warm up
        counted = tab.page.locator("[data-testid=stElementContainer]").count()
        samples, _ = watch(tab, args.ref_seconds, args.sample, label, None)
        if args.breakdown:
            breakdown(tab, args.breakdown, label, args.save)
        errors = tab.errors
        tab.close()
    finally:
        stop_server(server)
    return {**rates(samples), "elements": counted}, errors + server_log_errors(log)


def run_lab(browser, args, tmp: Path) -> tuple:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "lab.log"
    server = start_server(port, log)
    try:
        wait_ready(url, proc=server, log=log)
        tab = Tab(browser, server.pid)
        tab.lab = True
        query = "&".join(q for q in (LAB_QUERY, args.query) if q)
        tab.page.goto(f"{url}/lab?{query}", timeout=90_000)
        tab.page.wait_for_selector(".st-key-lab_start button:not([disabled])", timeout=90_000)
        tab.page.wait_for_function(
            "document.querySelector('[data-testid=stApp]')"
            ".getAttribute('data-test-script-state') !== 'running'",
            timeout=90_000,
        )
        tab.page.wait_for_selector(".st-key-lab_live iframe", timeout=90_000)
        tab.page.wait_for_function(
            "() => [...document.querySelectorAll('.st-key-lab_live iframe')].some("
            "f => f.contentWindow && f.contentWindow.liveStats)",
            timeout=90_000,
        )
        tab.find_renderer()
        print(check_iframe_counted(tab))
        tab.page.click(".st-key-lab_start button")
        tab.page.wait_for_selector(".st-key-lab_pause button:not([disabled])", timeout=30_000)
        tab.page.wait_for_timeout(2000)  # the first ticks (a first full payload)
        elements = tab.page.locator("[data-testid=stElementContainer]").count()
        seconds = args.minutes * 60
        first = 60.0 if seconds >= 120 else seconds / 2
        samples, gc = watch(tab, seconds, args.sample, "lab", first)
        if args.breakdown:
            breakdown(tab, args.breakdown, "lab", args.save)
        errors = tab.errors
        exceptions = tab.page.locator("[data-testid=stException]").count()
        if exceptions:
            errors.append(f"{exceptions} exception element(s) on the page")
        tab.close()
    finally:
        stop_server(server)
    return samples, gc, first, elements, errors + server_log_errors(log)


def at(samples: list[Sample], t: float) -> Sample:
    """The first sample at or after ``t`` seconds (the last one if none)."""
    return next((s for s in samples if s.t >= t - 1e-6), samples[-1])


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=5.0, help="minutes the lab trains")
    ap.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    ap.add_argument("--ref-seconds", type=float, default=60.0, help="seconds of reference")
    ap.add_argument("--query", default="", help="more lab URL query, e.g. 'mode=compare'")
    ap.add_argument(
        "--breakdown", type=float, default=10.0, help="seconds traced per tab at the end (0: no)"
    )
    ap.add_argument(
        "--page-elements",
        type=int,
        default=PAGE_ELEMENTS,
        help="elements of the page-sized reference (0: skip it)",
    )
    ap.add_argument("--save", type=Path, help="directory for the breakdown's trace and profile")
    args = ap.parse_args()
    if not (0 < args.minutes <= 60 and args.sample >= 1 and args.ref_seconds >= args.sample):
        ap.error("need 0 < --minutes <= 60, --sample >= 1 and --ref-seconds >= --sample")
    from playwright.sync_api import sync_playwright

    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="normviz-lab-browser-") as tmp_name:
        tmp = Path(tmp_name)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            print(f"Chromium {browser.version}, load average {load0[0]:.2f} at the start")
            ref, ref_errors = run_reference(browser, args, tmp)
            wide, wide_errors = ({}, [])
            if args.page_elements:
                wide, wide_errors = run_reference(browser, args, tmp, args.page_elements)
            samples, gc, first, elements, errors = run_lab(browser, args, tmp)
            browser.close()
    load1 = os.getloadavg()

    lab = rates(samples, since=0.0)
    steady = rates(samples, since=first)
    a, b = at(samples, first), samples[-1]
    print(f"\nload average: {load0[0]:.2f} at the start, {load1[0]:.2f} at the end "
          f"(2 cores; other jobs share them)")  # fmt: skip
    print(
        f"reference (bare st.fragment(run_every=0.1), one markdown line), {ref['seconds']:.0f} s: "
        f"{ref['updates_s']:.1f} reruns a second, main thread {ref['main_ms']:.2f} ms per rerun "
        f"(script {ref['script_ms']:.2f} ms), renderer CPU {ref['renderer_ms']:.2f} ms per "
        f"rerun ({ref['renderer_pct']:.0f} % of a core), server {ref['server_pct']:.0f} %"
    )
    print(
        f"lab ({LAB_QUERY}{'&' + args.query if args.query else ''}), {lab['seconds']:.0f} s of "
        f"training: {lab['updates']:.0f} chart updates, {lab['updates_s']:.1f} a second "
        f"(goal >= {GOAL_UPDATES_S:.0f}); main thread {lab['main_ms']:.2f} ms per update "
        f"(goal <= {GOAL_MS_PER_UPDATE:.0f}; script {lab['script_ms']:.2f} ms, of which live.js "
        f"applying payloads {lab['live_ms']:.2f} ms = {100 * lab['live_ms'] / lab['main_ms']:.0f} "
        f"%); renderer CPU {lab['renderer_ms']:.2f} ms per update ({lab['renderer_pct']:.0f} % "
        f"of a core); server {lab['server_pct']:.0f} %"
    )
    print(
        f"  from minute {first / 60:.1f} to the end: {steady['updates_s']:.1f} updates a second, "
        f"main thread {steady['main_ms']:.2f} ms per update, live.js {steady['live_ms']:.2f} ms"
    )
    if wide:
        print(
            f"page-sized reference (the same fragment beside {wide['elements']} element "
            f"containers, as many as the lab's page; the lab shows "
            f"{elements}), {wide['seconds']:.0f} s: {wide['updates_s']:.1f} reruns "
            f"a second, main thread {wide['main_ms']:.2f} ms per rerun (script "
            f"{wide['script_ms']:.2f} ms)"
        )
    ratio = lab["main_ms"] / ref["main_ms"]
    print(f"ratio lab / reference, main-thread ms per update: {ratio:.2f}", end="")
    if wide:
        print(f"; lab / page-sized reference {lab['main_ms'] / wide['main_ms']:.2f}", end="")
    print()
    growth = gc["end"][2] - gc["first"][2]
    print(
        f"tab memory at {gc['first'][0] / 60:.1f} min -> {gc['end'][0] / 60:.1f} min, right "
        f"after a forced GC: renderer RSS {gc['first'][2]:.0f} -> {gc['end'][2]:.0f} MB "
        f"({growth:+.0f} MB, goal within {GOAL_MEMORY_MB:.0f}), JS heap {gc['first'][1]:.1f} -> "
        f"{gc['end'][1]:.1f} MB; as sampled (GC when V8 chose): RSS {a.rss_mb:.0f} -> "
        f"{b.rss_mb:.0f} MB, JS heap {a.heap_mb:.1f} -> {b.heap_mb:.1f} MB, max RSS "
        f"{max(s.rss_mb for s in samples):.0f} MB; the chart holds {b.rows} rows"
    )
    all_errors = ref_errors + wide_errors + errors
    print(f"errors (page errors, exception elements, server tracebacks): {len(all_errors)} "
          f"{all_errors[:5]}")  # fmt: skip
    verdict = {
        "updates a second": lab["updates_s"] >= GOAL_UPDATES_S,
        "main-thread ms per update": lab["main_ms"] <= GOAL_MS_PER_UPDATE,
        "memory flat": abs(growth) <= GOAL_MEMORY_MB,
        "no errors": not all_errors,
    }
    print("goals: " + ", ".join(f"{k} {'MET' if v else 'MISSED'}" for k, v in verdict.items()))
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
