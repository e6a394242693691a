"""Thirty students at once: a bounded load test of the normviz server and browsers on this machine.

Run from the project root (loopback only; stops by itself; the default run takes ~8-10 minutes,
so run it under ``nice``)::

    nice .venv/bin/python -m bench.load_classroom              # 30 Chromium learners, 300 s
    nice .venv/bin/python -m bench.load_classroom --sessions 5 --duration 30 --cycles 10
    .venv/bin/python -m bench.load_classroom --learners protocol   # 30 protocol clients
    .venv/bin/python -m bench.load_classroom --learners protocol --replicas 2   # HAProxy

The default learners are real: one Debian Chromium (``bench.support.server.FLAGS``: headless,
loopback only) with one browser context per learner, on the same 2 cores as the server. Each opens
``/lab?max_epochs=100000`` (so training never stops during the class; early stopping is off by
default), clicks Start and keeps the tab open. An init script
(``bench.support.browser_probe.RECORDER_JS``) timestamps every chart update inside each tab's
live chart iframe (each increment of ``window.liveStats.renders``, no polling in the page); the
bench collects the times every ``--poll`` seconds. ``--learners protocol`` replaces them by
protocol-level clients (``bench.support.client``: the websocket and protobuf messages a tab sends,
and the lab's live stream read as its EventSource would, no rendering), whose chart update is an
event of that stream arriving: it measures the server alone.

With ``--replicas N`` the class runs on ``scripts/run-class.sh --replicas N`` (N processes behind
HAProxy with sticky sessions, on free loopback ports) instead of one bare server: every client
goes through the proxy, each process is warmed up directly, CPU and RSS are summed over the
processes (and CPU printed per process), and the proxy's own counters show how the sessions
spread. Compare ``--replicas 1`` with ``--replicas 2`` to see what a second process buys.

What it does, against its own ``streamlit run serve.py`` on a free 127.0.0.1 port:

1. warm-up: one session per page (imports torch etc.), closed; then the *idle* RSS once the
   disconnected-session TTL has passed (the reference for every memory figure); the unloaded
   references: a protocol newcomer's first run, ``/_stcore/health``, a Chromium newcomer;
2. memory per idle session: ``--idle`` lab sessions opened and left alone;
3. the class: ``--sessions`` learners open the lab (``--arrive`` at a time) and press Start;
   once every learner's page has loaded (lessons and their charts drawn), they train together
   for ``--duration`` s, with ``--viewers`` protocol sessions on /images and /layers rerunning
   every few seconds as if someone moved a slider. Meanwhile: server CPU and RSS every second,
   ``/_stcore/health`` latency every second, a protocol newcomer on /lab every 5 s, and
   ``--browsers`` Chromium newcomers (time until the lab's Start button is usable, in a new
   context of the same Chromium);
4. everyone leaves; RSS after the TTL;
5. ``--cycles`` open-train-close cycles (protocol clients, 10 at a time); RSS after the TTL again.

Printed, each figure next to its reference measured in the same run: per learner the chart
updates and the largest gap between two updates (the class's edges included), the time each
learner took to get a usable Start while the others trained, the newcomers' times, the tick
latency (protocol mode), health, the CPU split of the class (server, Chromium, Playwright's
driver, this load generator, the rest of the machine: other jobs share the cores, so the load
average is printed too), memory; then the goals: every learner's chart updates at least every
2 s, a newcomer's Start usable within 5 s, no error (page errors and exception elements in the
learners' tabs, protocol errors, tracebacks in the server's log), RSS back within 150 MB of
idle after everyone left.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.support.browser_probe import (
    DRAIN_JS,
    RECORDER_JS,
    CpuSplit,
    descendants,
    is_chromium,
    live_frame,
    log_failures,
    rss_of,
)
from bench.support.client import ProtocolSession, StreamLog, max_gap, read_stream
from bench.support.profiler import top
from bench.support.server import (
    CHROMIUM,
    FLAGS,
    cpu_seconds,
    free_port,
    haproxy_stat,
    health,
    machine_busy_seconds,
    median,
    percentile,
    rss_mb,
    start_class,
    start_server,
    stop_server,
    wait_class_ready,
    wait_ready,
)

GOAL_GAP_S = 2.0
GOAL_NEWCOMER_S = 5.0
GOAL_RSS_MB = 150.0
WARMUP_S = 3.0  # ignore chart gaps in the first seconds after every learner's page loaded
LAB_QUERY = "max_epochs=100000"  # the learners train for the whole class
VIEWPORT = {"width": 1280, "height": 800}
START = ".st-key-lab_start button:not([disabled])"
PAUSE = ".st-key-lab_pause button:not([disabled])"
NOT_RUNNING = (
    "document.querySelector('[data-testid=stApp]')"
    ".getAttribute('data-test-script-state') !== 'running'"
)


async def open_session(ws: str, page: str, query: str = "", timeout_s: float = 60.0):
    s = ProtocolSession(ws, page, query)
    await s.open()
    if not await s.wait_finished(timeout_s):
        s.log.errors.append(f"first run of /{page} did not finish in {timeout_s:.0f} s")
    return s


async def newcomer_time(ws: str, page: str = "lab") -> tuple[float, list[str]]:
    """Seconds from connecting to the end of the first run of ``page`` (protocol client)."""
    s = await open_session(ws, page)
    took = (s.log.first_finished_at or time.monotonic()) - s.log.connected_at
    await s.close()
    return took, s.log.errors


async def browser_newcomer(browser, url: str, delay_s: float = 0.0) -> tuple[float, str | None]:
    """A Chromium newcomer in a new context: seconds from opening /lab to a usable Start."""
    await asyncio.sleep(delay_s)
    ctx = await browser.new_context(viewport=VIEWPORT)
    page = await ctx.new_page()
    start = time.monotonic()
    try:
        await page.goto(url + "/lab", timeout=30_000)
        await page.wait_for_selector(START, timeout=30_000)
        await page.wait_for_function(NOT_RUNNING, timeout=30_000)
        return time.monotonic() - start, None
    except Exception as exc:  # a timeout is a finding, not a crash of the bench
        return time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:200]
    finally:
        await ctx.close()


@dataclass
class Learner:
    """A real Chromium learner: one browser context with the lab, Start pressed."""

    index: int
    context: Any = None
    page: Any = None
    ready_s: float = float("nan")  # from opening /lab to a usable Start
    started_at: float | None = None  # monotonic time Start was clicked
    visible: bool = True  # document.visibilityState (live.js draws only in a visible tab)
    times: list[float] = field(default_factory=list)  # monotonic times of chart updates
    errors: list[str] = field(default_factory=list)


async def open_learner(browser, url: str, query: str, index: int) -> Learner:
    """Open /lab in a new context, wait for a usable Start, click it, wait for Pause."""
    me = Learner(index)
    me.context = await browser.new_context(viewport=VIEWPORT)
    await me.context.add_init_script(RECORDER_JS)
    me.page = await me.context.new_page()
    me.page.on("pageerror", lambda exc: me.errors.append(f"page error: {exc}"[:300]))
    me.page.on("crash", lambda _: me.errors.append(f"learner #{index}'s tab crashed"))
    start = time.monotonic()
    try:
        await me.page.goto(f"{url}/lab?{query}", timeout=180_000)
        await me.page.wait_for_selector(START, timeout=180_000)
        await me.page.wait_for_function(NOT_RUNNING, timeout=180_000)
        me.ready_s = time.monotonic() - start
        await me.page.click(START, timeout=60_000)
        me.started_at = time.monotonic()
        await me.page.wait_for_selector(PAUSE, timeout=60_000)
        me.visible = await me.page.evaluate("document.visibilityState") == "visible"
    except Exception as exc:
        me.errors.append(f"learner #{index} could not start: {type(exc).__name__}: {exc}"[:300])
    return me


PAGE_LOADED = (
    "() => { const app = document.querySelector('[data-testid=stApp]');"
    " return app && app.getAttribute('data-test-script-state') !== 'running'"
    " && !document.body.innerText.includes('Drawing the charts of the lessons')"
    " && Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
    ".every(c => c.querySelector('.main-svg')); }"
)


async def page_loaded(me: Learner, timeout_s: float = 120.0) -> None:
    """Wait until the learner's page has loaded its lessons and drawn their charts."""
    try:
        await me.page.wait_for_function(PAGE_LOADED, timeout=timeout_s * 1000, polling=250)
    except Exception as exc:
        me.errors.append(f"learner #{me.index}'s page did not load: {type(exc).__name__}"[:300])


async def poll_learner(me: Learner) -> None:
    """Collect the chart update times recorded in the learner's iframe; look for exceptions."""
    try:
        frame = live_frame(me.page)
        if frame is not None:
            stamps = await frame.evaluate(DRAIN_JS)
            offset = time.time() - time.monotonic()
            me.times.extend(ms / 1000 - offset for ms in stamps)
        shown = await me.page.locator("[data-testid=stException]").count()
        if shown and not any("exception element" in e for e in me.errors):
            me.errors.append(f"{shown} exception element(s) on learner #{me.index}'s page")
    except Exception as exc:  # a frame that navigates or reloads is read at the next poll
        if not any(w in str(exc) for w in ("destroyed", "detached", "navigat")):
            me.errors.append(f"learner #{me.index}: {type(exc).__name__}: {exc}"[:300])


async def view_state(me: Learner) -> dict | str:
    """The learner's live view: its stream (EventSource state, times opened) and counters."""
    try:
        frame = live_frame(me.page)
        if frame is None:
            return "no live frame"
        return await frame.evaluate(
            "() => ({state: window.liveStream.source && window.liveStream.source.readyState, "
            "opened: window.liveStream.opened, streamed: window.liveStats.streamed, "
            "renders: window.liveStats.renders, requests: window.liveStats.requests, "
            "pageRuns: window.liveStats.pageRuns, stale: window.liveStats.stale || 0, "
            "rows: window.liveStats.rows, "
            "streamRunning: window.liveStats.running, stoppedBy: window.liveStats.stoppedBy, "
            "running: !!window.parent.document"
            ".querySelector('.st-key-lab_pause button:not([disabled])'), "
            "notices: Array.from(window.parent.document.querySelectorAll("
            "'.st-key-lab_layout [data-testid=stAlert]')).map(e => e.innerText.slice(0, 160))})"
        )
    except Exception as exc:  # a diagnostic only
        return f"{type(exc).__name__}: {exc}"[:120]


async def poll_learners(learners: list[Learner], every: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.gather(*(poll_learner(me) for me in learners))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, every - (time.monotonic() - t)))
    await asyncio.gather(*(poll_learner(me) for me in learners))


def total_rss(pids: list[int]) -> float:
    """RSS of all the server processes together, in MB."""
    return sum(rss_mb(p) for p in pids)


def total_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by all the server processes together."""
    return sum(cpu_seconds(p) for p in pids)


def chromium_rss() -> float:
    """RSS of every Chromium process this bench started, summed (shared pages counted twice)."""
    return sum(rss_of(pid) for pid, comm in descendants().items() if is_chromium(comm))


async def wait_ttl(pids: list[int], ttl: float, label: str) -> float:
    await asyncio.sleep(ttl + 5)
    rss = total_rss(pids)
    print(f"  RSS {label}: {rss:.0f} MB")
    return rss


async def run(args: argparse.Namespace) -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ws = f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-load-{port}.log"
    run_dir = Path(tempfile.mkdtemp(prefix="normviz-class-"))
    if args.replicas:
        backends = [free_port() for _ in range(args.replicas)]
        proc = start_class(args.replicas, port, backends, run_dir, log)
    else:
        backends = [port]
        proc = start_server(port, log, args.profile)
    chromium = args.learners == "chromium"
    ok = True
    playwright = browser = None
    load0 = os.getloadavg()
    try:
        if chromium or args.browsers:
            from playwright.async_api import async_playwright

            playwright = await async_playwright().start()
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        if args.replicas:
            pids = wait_class_ready(url, run_dir, proc, args.replicas)
            print(
                f"class: {args.replicas} processes (pids {pids}) behind HAProxy on {url} "
                f"(logs in {run_dir}, proxy output {log}); RSS at start {total_rss(pids):.0f} MB"
            )
        else:
            await asyncio.to_thread(wait_ready, url, 90.0, proc, log)
            pids = [proc.pid]
            rss0 = total_rss(pids)
            print(f"server pid {pids[0]} on {url} (log {log}); RSS at start {rss0:.0f} MB")
        print(f"load average at the start: {load0[0]:.2f} (2 cores; other jobs share them)")

        # 1. warm-up (each process directly) and idle reference ---------------------------------
        for b in backends:
            warm = [
                await open_session(f"ws://127.0.0.1:{b}/_stcore/stream", p)
                for p in ("", "images", "layers", "lab")
            ]
            for s in warm:
                if s.log.errors:
                    print(f"  warm-up errors on /{s.page}: {s.log.errors}")
                await s.close()
        ref_new = [(await newcomer_time(ws))[0] for _ in range(3)]
        ref_health = [health(url) or float("nan") for _ in range(5)]
        print(
            f"reference (unloaded): newcomer /lab first run median {median(ref_new):.2f} s, "
            f"health median {median(ref_health) * 1000:.1f} ms"
        )
        ref_browser = (float("nan"), None)
        if browser is not None:
            await browser_newcomer(browser, url)  # Chromium's first page loads its caches
            ref_browser = await browser_newcomer(browser, url)
            print(f"reference (unloaded): newcomer /lab in Chromium, Start usable after "
                  f"{ref_browser[0]:.2f} s {ref_browser[1] or ''}")  # fmt: skip
        idle = await wait_ttl(pids, args.ttl, "idle after warm-up (reference)")

        # 2. memory per idle session -----------------------------------------------------------
        idles = await asyncio.gather(*(open_session(ws, "lab") for _ in range(args.idle)))
        await asyncio.sleep(1)
        per = (total_rss(pids) - idle) / max(args.idle, 1)
        print(f"memory per idle lab session: {per:.1f} MB ({args.idle} sessions)")
        for s in idles:
            await s.close()

        # 3. the class -------------------------------------------------------------------------
        kind = "Chromium learners (one context each)" if chromium else "protocol learners"
        print(
            f"class: {args.sessions} {kind} + {args.viewers} viewers, "
            f"{args.duration:.0f} s of training together"
        )
        learners: list[Learner] = []
        trainers: list[ProtocolSession] = []
        streams: list[asyncio.Task] = []  # protocol learners: their live streams' readers
        streams_stop = asyncio.Event()
        arrive0 = time.monotonic()
        if chromium:
            gate = asyncio.Semaphore(args.arrive)

            async def arrive(i: int) -> Learner:
                async with gate:
                    return await open_learner(browser, url, args.query, i)

            learners = list(await asyncio.gather(*(arrive(i) for i in range(args.sessions))))
            ready = [me.ready_s for me in learners if me.started_at is not None]
            print(
                f"  {len(ready)} of {args.sessions} learners training after "
                f"{time.monotonic() - arrive0:.0f} s ({args.arrive} arriving at a time); their "
                f"Start usable after median {median(ready):.2f} s, worst "
                f"{max(ready, default=float('nan')):.2f} s (the earlier ones training meanwhile); "
                f"{sum(me.visible for me in learners)} tabs visible (document.visibilityState)"
            )
            # The arrival ends when every learner's page has loaded: its lessons drawn (they
            # follow the live view) and their charts with them. Until then the last ones to
            # arrive load Plotly and the lessons on the same cores (newcomers, measured below).
            settled0 = time.monotonic()
            await asyncio.gather(*(page_loaded(me) for me in learners))
            print(f"  every learner's page loaded {time.monotonic() - settled0:.1f} s later")
        else:
            trainers = await asyncio.gather(
                *(open_session(ws, "lab", args.query) for _ in range(args.sessions))
            )
            missing = 0
            for s in trainers:
                if not await s.click_when_shown("lab_start", 30.0):
                    missing += 1
                    continue
                await s.wait_finished(30.0)
                if s.stream_path:  # its chart updates: the events of its live stream
                    streams.append(
                        asyncio.create_task(
                            read_stream(url + s.stream_path, StreamLog(times=s.log.chart_times),
                                        streams_stop)
                        )
                    )  # fmt: skip
            if missing:
                print(f"  {missing} sessions found no button with key 'lab_start' (not ready?)")
        pages = ["images", "layers"]
        viewers = await asyncio.gather(
            *(open_session(ws, pages[i % 2]) for i in range(args.viewers))
        )
        await asyncio.sleep(WARMUP_S)
        start = time.monotonic()
        end = start + args.duration
        cpu0, samples, healths, newcomers = total_cpu(pids), [], [], []
        cpu0_each = [cpu_seconds(p) for p in pids]
        busy0 = machine_busy_seconds()
        split = CpuSplit([proc.pid, *pids])
        split.start()
        offsets = [args.duration * (i + 1) / (args.browsers + 1) for i in range(args.browsers)]
        browser_tasks = [
            asyncio.create_task(browser_newcomer(browser, url, o)) for o in offsets if browser
        ]
        stop_poll = asyncio.Event()
        poller = asyncio.create_task(poll_learners(learners, args.poll, stop_poll))
        chromium_mb = []
        next_newcomer, next_view, next_mem = start + 2.5, start + 3.0, start + 10.0
        while time.monotonic() < end:
            t = time.monotonic()
            c = total_cpu(pids)
            samples.append((t, c, total_rss(pids)))
            lat = await asyncio.to_thread(health, url)
            healths.append(lat if lat is not None else float("inf"))
            if t >= next_newcomer:
                next_newcomer += 5.0
                newcomers.append(asyncio.create_task(newcomer_time(ws)))
            if t >= next_view:
                next_view += 4.0
                for v in viewers:
                    await v.rerun()
            if t >= next_mem and chromium:
                next_mem += 30.0
                chromium_mb.append(await asyncio.to_thread(chromium_rss))
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
        stop_at = time.monotonic()
        cpu_pct = 100 * (total_cpu(pids) - cpu0) / (stop_at - start)
        cpu_each = [
            100 * (cpu_seconds(p) - c0) / (stop_at - start)
            for p, c0 in zip(pids, cpu0_each, strict=True)
        ]
        busy_pct = 100 * (machine_busy_seconds() - busy0) / (stop_at - start)
        shares = split.stop()
        load1 = os.getloadavg()
        stop_poll.set()
        await poller
        new_times = [await n for n in newcomers]
        browser_out = [await b for b in browser_tasks]

        gaps = []
        if chromium:
            print("per Chromium learner: chart updates / max gap (s) / Start usable after (s)")
            for me in learners:
                g = max_gap(me.times, start, stop_at)
                n = sum(start <= t <= stop_at for t in me.times)
                gaps.append(g)
                if args.verbose or g > GOAL_GAP_S or me.errors:
                    print(f"  #{me.index:02d} {n:5d} updates ({n / (stop_at - start):4.1f}/s), "
                          f"max gap {g:5.2f} s, Start after {me.ready_s:5.2f} s, "
                          f"errors {me.errors[:2]}; view {await view_state(me)}")  # fmt: skip
            counts = [sum(start <= t <= stop_at for t in me.times) for me in learners]
            rates_s = [n / (stop_at - start) for n in counts]
            print(
                f"chart updates a second per learner: median {median(rates_s):.2f}, lowest "
                f"{min(rates_s, default=0):.2f}, {sum(counts)} updates in all"
            )
        else:
            print("per training session: charts updated / max gap (s) / errors")
            for i, s in enumerate(trainers):
                t0 = s.log.connected_at
                g = max_gap(s.log.chart_times, start, stop_at)
                n = sum(start <= t <= stop_at for t in s.log.chart_times)
                gaps.append(g)
                if args.verbose or g > GOAL_GAP_S or s.log.errors:
                    print(
                        f"  #{i:02d} {n:4d} updates, max gap {g:5.2f} s, first run "
                        f"{(s.log.first_finished_at or t0) - t0:.2f} s, errors {s.log.errors[:2]}"
                    )
        errors = [f"/{s.page}: {e}" for s in [*trainers, *viewers] for e in s.log.errors]
        errors += [e for me in learners for e in me.errors]
        errors += [e for _, errs in new_times for e in errs]
        nt = [t for t, _ in new_times]
        rss_during = [r for _, _, r in samples]
        finite_health = [h for h in healths if h != float("inf")]
        times_of = [me.times for me in learners] or [s.log.chart_times for s in trainers]
        when = ""
        if gaps:
            worst = times_of[max(range(len(gaps)), key=gaps.__getitem__)]
            pts = [start, *[t for t in worst if start < t < stop_at], stop_at]
            a, _ = max(itertools.pairwise(pts), key=lambda ab: ab[1] - ab[0])
            when = f", the worst from {a - start:.1f} s into the class"
        print(
            f"chart max gap over learners: median {median(gaps):.2f} s, worst "
            f"{max(gaps, default=float('nan')):.2f} s (goal <= {GOAL_GAP_S} s){when}"
        )
        steps = [
            (a, b - a)
            for ts in times_of
            for a, b in itertools.pairwise(sorted(t for t in ts if start <= t <= stop_at))
        ]
        if steps:
            sizes = [d for _, d in steps]
            # Stalls shared by many learners at one moment point at the server (or the whole
            # machine); stalls at scattered moments point at each learner's own tab.
            long = sorted(round(a - start) for a, d in steps if d > GOAL_GAP_S * 0.75)
            print(
                f"gaps between consecutive updates, all learners: median {median(sizes):.2f} s, "
                f"p90 {percentile(sizes, 90):.2f} s, p99 {percentile(sizes, 99):.2f} s; "
                f"{len(long)} over {GOAL_GAP_S * 0.75:.1f} s, starting at (s into the class) "
                f"{long[:24]}"
            )
        if not chromium:
            lat = [x for s in trainers for x in s.log.tick_latencies]
            sent = sum(s.log.reruns_sent for s in trainers)
            print(
                f"tick (fragment run) from timer to script_finished: median {median(lat):.2f} s, "
                f"p95 {percentile(lat, 95):.2f} s, max {max(lat, default=0):.2f} s over "
                f"{len(lat)} ticks; {sent} reruns sent by the trainers"
            )
        print(
            f"newcomer /lab first run (protocol) under load: median {median(nt):.2f} s, worst "
            f"{max(nt, default=0):.2f} s = {max(nt, default=0) / max(median(ref_new), 1e-9):.1f}x "
            f"the unloaded median (goal <= {GOAL_NEWCOMER_S} s)"
        )
        for o, (took, err) in zip(offsets, browser_out, strict=False):
            print(
                f"newcomer /lab in Chromium at {o:.0f} s, Start usable after {took:.2f} s = "
                f"{took / ref_browser[0]:.1f}x the unloaded one (goal <= {GOAL_NEWCOMER_S} s) "
                f"{err or ''}"
            )
        print(
            f"health under load: median {median(finite_health) * 1000:.0f} ms, p95 "
            f"{percentile(finite_health, 95) * 1000:.0f} ms, failures "
            f"{len(healths) - len(finite_health)} = "
            f"{median(finite_health) / max(median(ref_health), 1e-9):.0f}x unloaded"
        )
        print(
            f"server CPU during the class: {cpu_pct:.0f} % of one core (2 cores = 200 %); RSS "
            f"max {max(rss_during):.0f} MB = idle + {max(rss_during) - idle:.0f} MB"
        )
        ours = sum(shares.values())
        print(
            "CPU split of the class (% of one core, of 200 %): "
            + ", ".join(f"{k} {v:.0f} %" for k, v in sorted(shares.items(), key=lambda kv: -kv[1]))
            + f"; the rest of the machine (other jobs) {max(busy_pct - ours, 0):.0f} %; whole "
            f"machine busy {busy_pct:.0f} %; load average {load1[0]:.2f} at the end"
        )
        if chromium_mb:
            print(
                "Chromium RSS, all processes summed (shared pages counted in each), every 30 s: "
                + " ".join(f"{m:.0f}" for m in chromium_mb)
                + " MB"
            )
        if args.replicas:
            stat = haproxy_stat(run_dir)
            print(
                "per process: "
                + ", ".join(
                    f"{name} {pct:.0f} % CPU, {stat[name]['scur']} open connections now, "
                    f"{stat[name]['stot']} in all, {stat[name]['status']}"
                    for name, pct in zip(sorted(stat), cpu_each, strict=True)
                )
            )
        failures = log_failures([log, *run_dir.glob("*.log")])
        errors += [f"server log: {line}" for line in failures]
        print(f"errors: {len(errors)}" + "".join(
            f"\n  {n} x {text[:240]}" for text, n in Counter(errors).most_common(8)))  # fmt: skip

        streams_stop.set()
        await asyncio.gather(*streams, return_exceptions=True)
        for s in [*trainers, *viewers]:
            await s.close()
        for me in learners:
            await me.context.close()
        after = await wait_ttl(pids, args.ttl, "after everyone left")
        print(f"  = idle + {after - idle:.0f} MB (goal < {GOAL_RSS_MB:.0f} MB)")

        # 5. open-and-close cycles -------------------------------------------------------------
        rss_cycles = []
        for batch in range(0, args.cycles, 10):
            group = await asyncio.gather(
                *(open_session(ws, "lab", args.query) for _ in range(min(10, args.cycles - batch)))
            )
            for s in group:
                await s.click_when_shown("lab_start", 30.0)
            await asyncio.sleep(1.5)
            for s in group:
                errors += s.log.errors
                await s.close()
            rss_cycles.append(total_rss(pids))
        if args.cycles:
            print(
                f"RSS over {args.cycles} open-train-close cycles (per 10): "
                + " ".join(f"{r:.0f}" for r in rss_cycles)
            )
            cyc = await wait_ttl(pids, args.ttl, f"after {args.cycles} cycles")
            print(f"  = idle + {cyc - idle:.0f} MB (goal < {GOAL_RSS_MB:.0f} MB)")
        else:
            cyc = idle
        late = log_failures([log, *run_dir.glob("*.log")])[len(failures) :]
        errors += [f"server log: {line}" for line in late]

        newcomer_times = nt + [t for t, _ in browser_out]
        verdict = {
            "chart gap": max(gaps, default=float("inf")) <= GOAL_GAP_S,
            "newcomer": max(newcomer_times, default=0) <= GOAL_NEWCOMER_S,
            "no errors": not errors and not any(e for _, e in browser_out),
            "memory": after - idle < GOAL_RSS_MB and cyc - idle < GOAL_RSS_MB,
        }
        print("goals: " + ", ".join(f"{k} {'MET' if v else 'MISSED'}" for k, v in verdict.items()))
        ok = all(verdict.values())
    finally:
        if browser is not None:
            await browser.close()
        if playwright is not None:
            await playwright.stop()
        stop_server(proc)
    if args.profile is not None and args.profile.exists():
        print(f"\nserver profile (all threads, cProfile) in {args.profile}:")
        top(str(args.profile), 30, "tottime")
    return 0 if ok else 1


def config_ttl() -> float:
    """``server.disconnectedSessionTTL`` from .streamlit/config.toml (else 120 s)."""
    path = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
        return float(
            tomllib.loads(path.read_text()).get("server", {}).get("disconnectedSessionTTL", 120)
        )
    return 120.0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sessions", type=int, default=30, help="training learners")
    ap.add_argument(
        "--learners",
        choices=("chromium", "protocol"),
        default="chromium",
        help="chromium: one Chromium context per learner (default); protocol: protocol clients",
    )
    ap.add_argument("--arrive", type=int, default=5, help="Chromium learners opening at a time")
    ap.add_argument("--poll", type=float, default=2.0, help="seconds between collections")
    ap.add_argument("--viewers", type=int, default=4, help="sessions on /images and /layers")
    ap.add_argument("--duration", type=float, default=300.0, help="seconds of class")
    ap.add_argument("--browsers", type=int, default=3, help="Chromium newcomers during the class")
    ap.add_argument("--idle", type=int, default=20, help="idle sessions for memory per session")
    ap.add_argument("--cycles", type=int, default=100, help="open-train-close cycles")
    ap.add_argument(
        "--ttl", type=float, default=config_ttl(), help="server.disconnectedSessionTTL (s)"
    )
    ap.add_argument(
        "--query",
        default=LAB_QUERY,
        help=f"the learners' lab URL query (default {LAB_QUERY!r}: training never stops)",
    )
    ap.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="run the class on scripts/run-class.sh with this many processes behind HAProxy "
        "(default 0: one bare server, no proxy)",
    )
    ap.add_argument("--verbose", action="store_true", help="print every learner's line")
    ap.add_argument(
        "--profile",
        type=Path,
        help="profile every server thread (cProfile, ~2x slower) into this file; prints the top",
    )
    args = ap.parse_args()
    if min(args.sessions, args.duration, args.arrive) <= 0 or args.duration > 900:
        ap.error("need --sessions >= 1, --arrive >= 1 and 0 < --duration <= 900")
    if args.replicas < 0 or (args.replicas and args.profile is not None):
        ap.error("--replicas must be >= 0, and --profile needs the bare server (--replicas 0)")
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
