"""Thirty students at once: a bounded load test of the normviz server on this machine.

Run from the project root (loopback only; stops by itself after a fixed time):

    .venv/bin/python bench/load_classroom.py                  # 30 trainers, 60 s
    .venv/bin/python bench/load_classroom.py --sessions 10 --duration 20 --cycles 20
    .venv/bin/python bench/load_classroom.py --replicas 2    # 2 processes behind HAProxy

With ``--replicas N`` the class runs on ``scripts/run-class.sh --replicas N`` (N processes behind
HAProxy with sticky sessions, on free loopback ports) instead of one bare server: every client
goes through the proxy, each process is warmed up directly, CPU and RSS are summed over the
processes (and CPU printed per process), and the proxy's own counters show how the sessions
spread. Compare ``--replicas 1`` with ``--replicas 2`` to see what a second process buys.

What it does, against its own ``streamlit run app.py`` on a free 127.0.0.1 port:

1. warm-up: one session per page (imports torch etc.), closed; then the *idle* RSS once the
   disconnected-session TTL has passed (the reference for every memory figure);
2. memory per idle session: ``--idle`` lab sessions opened and left alone;
3. the class: ``--sessions`` lab sessions press Start (key ``lab_start``) and keep training for
   ``--duration`` s, with ``--viewers`` sessions on /images and /layers rerunning every few
   seconds as if someone moved a slider. Meanwhile: server CPU and RSS every second,
   ``/_stcore/health`` latency every second, a protocol newcomer on /lab every 5 s, and
   ``--browsers`` real Chromium newcomers (time until the lab's Start button is usable);
4. everyone leaves; RSS after the TTL;
5. ``--cycles`` open-train-close cycles (10 at a time); RSS after the TTL again.

Sessions are protocol-level clients (``bench/load_client.py``): the websocket and protobuf
messages a browser tab sends, including the ``run_every`` fragment timer, but no rendering. 30 real
Chromium tabs rendering Plotly would take the 2 cores the server needs and measure the browser,
not the server. A few real Chromium pages measure what a newcomer actually waits for.

Every figure is printed next to its reference measured in the same run (idle RSS, the
unloaded newcomer and health times), and checked against the goals: every training session's
charts update at least every 2 s, a newcomer's page is interactive within 5 s, no errors, RSS
back within 150 MB of idle after everyone left.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_client import ProtocolSession, max_gap
from load_profile import top
from load_server import (
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
WARMUP_S = 3.0  # ignore chart gaps in the first seconds after pressing Start


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


def browser_newcomers(url: str, times: list[float], out: list, stop: threading.Event) -> None:
    """Real Chromium newcomers opening /lab at the given offsets (seconds) from now."""
    from playwright.sync_api import sync_playwright

    t0 = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for at in times:
            while time.monotonic() - t0 < at and not stop.is_set():
                time.sleep(0.1)
            if stop.is_set():
                break
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            start = time.monotonic()
            try:
                page.goto(url + "/lab", timeout=20_000)
                page.wait_for_selector(".st-key-lab_start button:not([disabled])", timeout=20_000)
                page.wait_for_function(
                    "document.querySelector('[data-testid=stApp]')"
                    ".getAttribute('data-test-script-state') !== 'running'",
                    timeout=20_000,
                )
                out.append((time.monotonic() - start, None))
            except Exception as exc:  # a timeout is a finding, not a crash of the bench
                out.append((time.monotonic() - start, f"{type(exc).__name__}: {exc}"[:200]))
            ctx.close()
        browser.close()


def total_rss(pids: list[int]) -> float:
    """RSS of all the server processes together, in MB."""
    return sum(rss_mb(p) for p in pids)


def total_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by all the server processes together."""
    return sum(cpu_seconds(p) for p in pids)


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
    ok = True
    try:
        if args.replicas:
            pids = wait_class_ready(url, run_dir, proc, args.replicas)
            print(
                f"class: {args.replicas} processes (pids {pids}) behind HAProxy on {url} "
                f"(logs in {run_dir}, proxy output {log}); RSS at start {total_rss(pids):.0f} MB"
            )
        else:
            wait_ready(url)
            pids = [proc.pid]
            rss0 = total_rss(pids)
            print(f"server pid {pids[0]} on {url} (log {log}); RSS at start {rss0:.0f} MB")

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
        ref_browser: list = []
        if args.browsers:
            await asyncio.to_thread(browser_newcomers, url, [0.0], ref_browser, threading.Event())
            print(f"reference (unloaded): newcomer /lab in Chromium, Start usable after "
                  f"{ref_browser[0][0]:.2f} s {ref_browser[0][1] or ''}")  # fmt: skip
        idle = await wait_ttl(pids, args.ttl, "idle after warm-up (reference)")

        # 2. memory per idle session -----------------------------------------------------------
        idles = await asyncio.gather(*(open_session(ws, "lab") for _ in range(args.idle)))
        await asyncio.sleep(1)
        per = (total_rss(pids) - idle) / max(args.idle, 1)
        print(f"memory per idle lab session: {per:.1f} MB ({args.idle} sessions)")
        for s in idles:
            await s.close()

        # 3. the class -------------------------------------------------------------------------
        print(f"class: {args.sessions} training + {args.viewers} viewers for {args.duration:.0f} s")
        trainers = await asyncio.gather(
            *(open_session(ws, "lab", args.query) for _ in range(args.sessions))
        )
        missing = 0
        for s in trainers:
            if not await s.click("lab_start"):
                missing += 1
        if missing:
            print(f"  {missing} sessions found no button with key 'lab_start' (page not ready?)")
        pages = ["images", "layers"]
        viewers = await asyncio.gather(
            *(open_session(ws, pages[i % 2]) for i in range(args.viewers))
        )
        start = time.monotonic()
        end = start + args.duration
        cpu0, samples, healths, newcomers = total_cpu(pids), [], [], []
        cpu0_each = [cpu_seconds(p) for p in pids]
        busy0 = machine_busy_seconds()
        browser_out: list = []
        stop = threading.Event()
        offsets = [args.duration * (i + 1) / (args.browsers + 1) for i in range(args.browsers)]
        thread = threading.Thread(
            target=browser_newcomers, args=(url, offsets, browser_out, stop), daemon=True
        )
        if args.browsers:
            thread.start()
        next_newcomer, next_view = start + 2.5, start + 3.0
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
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
        stop_at = time.monotonic()
        cpu_pct = 100 * (total_cpu(pids) - cpu0) / (stop_at - start)
        cpu_each = [
            100 * (cpu_seconds(p) - c0) / (stop_at - start)
            for p, c0 in zip(pids, cpu0_each, strict=True)
        ]
        busy_pct = 100 * (machine_busy_seconds() - busy0) / (stop_at - start)
        new_times = [await n for n in newcomers]
        stop.set()
        if args.browsers:
            thread.join(120)

        gaps = []
        print("per training session: charts updated / max gap (s) / errors")
        for i, s in enumerate(trainers):
            t0 = s.log.connected_at
            g = max_gap(s.log.chart_times, start + WARMUP_S, stop_at)
            n = sum(start <= t <= stop_at for t in s.log.chart_times)
            gaps.append(g)
            if args.verbose or g > GOAL_GAP_S or s.log.errors:
                print(
                    f"  #{i:02d} {n:4d} updates, max gap {g:5.2f} s, first run "
                    f"{(s.log.first_finished_at or t0) - t0:.2f} s, errors {s.log.errors[:2]}"
                )
        errors = [e for s in trainers + viewers for e in s.log.errors]
        errors += [e for _, errs in new_times for e in errs]
        nt = [t for t, _ in new_times]
        rss_during = [r for _, _, r in samples]
        finite_health = [h for h in healths if h != float("inf")]
        worst = trainers[max(range(len(gaps)), key=gaps.__getitem__)] if gaps else None
        when = ""
        if worst is not None:
            pts = [start + WARMUP_S, *[t for t in worst.log.chart_times if start < t < stop_at]]
            pts.append(stop_at)
            a, _ = max(itertools.pairwise(pts), key=lambda ab: ab[1] - ab[0])
            when = f", the worst from {a - start:.1f} s into the class"
        print(
            f"chart max gap over sessions: median {median(gaps):.2f} s, worst {max(gaps):.2f} s "
            f"(goal <= {GOAL_GAP_S} s){when}"
        )
        if args.browsers:
            print("Chromium newcomers started at " + ", ".join(f"{o:.1f}" for o in offsets) + " s")
        lat = [x for s in trainers for x in s.log.tick_latencies]
        sent = sum(s.log.reruns_sent for s in trainers)
        print(
            f"tick (fragment run) from timer to script_finished: median {median(lat):.2f} s, "
            f"p95 {percentile(lat, 95):.2f} s, max {max(lat, default=0):.2f} s over {len(lat)} "
            f"ticks; {sent} reruns sent by the trainers"
        )
        print(
            f"newcomer /lab first run (protocol) under load: median {median(nt):.2f} s, worst "
            f"{max(nt, default=0):.2f} s = {max(nt, default=0) / max(median(ref_new), 1e-9):.1f}x "
            f"the unloaded median (goal <= {GOAL_NEWCOMER_S} s)"
        )
        ref_b = ref_browser[0][0] if ref_browser else float("nan")
        for took, err in browser_out:
            print(
                f"newcomer /lab in Chromium, Start usable after {took:.2f} s = "
                f"{took / ref_b:.1f}x the unloaded one {err or ''}"
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
        print(
            f"whole machine busy: {busy_pct:.0f} % of one core (of 200 %): the server's "
            f"{cpu_pct:.0f} % + {busy_pct - cpu_pct:.0f} % for everything else (this load "
            "generator's sessions, Playwright and Chromium, other jobs on the machine)"
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
        print(f"errors: {len(errors)} {errors[:5]}")

        for s in trainers + viewers:
            await s.close()
        after = await wait_ttl(pids, args.ttl, "after everyone left")
        print(f"  = idle + {after - idle:.0f} MB (goal < {GOAL_RSS_MB:.0f} MB)")

        # 5. open-and-close cycles -------------------------------------------------------------
        rss_cycles = []
        for batch in range(0, args.cycles, 10):
            group = await asyncio.gather(
                *(open_session(ws, "lab", args.query) for _ in range(min(10, args.cycles - batch)))
            )
            for s in group:
                await s.click("lab_start")
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

        verdict = {
            "chart gap": max(gaps, default=float("inf")) <= GOAL_GAP_S,
            "newcomer": max(nt + [t for t, _ in browser_out], default=0) <= GOAL_NEWCOMER_S,
            "no errors": not errors and not any(e for _, e in browser_out),
            "memory": after - idle < GOAL_RSS_MB and cyc - idle < GOAL_RSS_MB,
        }
        print("goals: " + ", ".join(f"{k} {'MET' if v else 'MISSED'}" for k, v in verdict.items()))
        ok = all(verdict.values())
    finally:
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
    ap.add_argument("--sessions", type=int, default=30, help="training lab sessions")
    ap.add_argument("--viewers", type=int, default=4, help="sessions on /images and /layers")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of class")
    ap.add_argument("--browsers", type=int, default=3, help="real Chromium newcomers")
    ap.add_argument("--idle", type=int, default=20, help="idle sessions for memory per session")
    ap.add_argument("--cycles", type=int, default=100, help="open-train-close cycles")
    ap.add_argument(
        "--ttl", type=float, default=config_ttl(), help="server.disconnectedSessionTTL (s)"
    )
    ap.add_argument("--query", default="", help="lab URL query, e.g. 'norm=batch&dropout=0.2'")
    ap.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="run the class on scripts/run-class.sh with this many processes behind HAProxy "
        "(default 0: one bare server, no proxy)",
    )
    ap.add_argument("--verbose", action="store_true", help="print every session's line")
    ap.add_argument(
        "--profile",
        type=Path,
        help="profile every server thread (cProfile, ~2x slower) into this file; prints the top",
    )
    args = ap.parse_args()
    if min(args.sessions, args.duration) <= 0 or args.duration > 600:
        ap.error("need --sessions >= 1 and 0 < --duration <= 600")
    if args.replicas < 0 or (args.replicas and args.profile is not None):
        ap.error("--replicas must be >= 0, and --profile needs the bare server (--replicas 0)")
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
