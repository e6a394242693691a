"""Where one control of the layers lesson spends its time: server run, then the browser.

Run: ``nice .venv/bin/python -m bench.profile_layers [--path /layers] [--tab "Before and after"]
[--first]``.

Starts its own server and Chromium (loopback only), opens ``/layers``, then clicks the named tab
(or, with ``--first``, times only the first view) as ``bench.bench_controls`` does, and prints
the timeline of that interaction in page milliseconds from the input event: script run start
and end, last DOM change, last long task; then, from a CDP trace and CPU profile of the same
interaction, the main thread's self time by kind and the costliest functions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.bench_controls import STATE_JS, loopback_context, wait_settled
from bench.support.browser_probe import TRACE_CATEGORIES, profile_by_url, trace_breakdown
from bench.support.server import CHROMIUM, FLAGS, free_port, start_server, stop_server, wait_ready


def traced(page, action) -> tuple[dict, list[dict], dict]:
    """Run ``action`` under a CDP trace and CPU profile; return (probe, events, profile)."""
    cdp = page.context.new_cdp_session(page)
    events: list[dict] = []
    done: list[bool] = []
    cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    cdp.on("Tracing.tracingComplete", lambda p: done.append(True))
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
    cdp.send("Profiler.start")
    if page.url.startswith("http"):
        page.evaluate("() => { window.__probe.input = 0; window.__probe.longEnd = 0; }")
    action()
    s = page.evaluate(STATE_JS)
    end, _ = wait_settled(page, s["input"])
    probe = page.evaluate("() => ({...window.__probe})")
    profile = cdp.send("Profiler.stop")["profile"]
    cdp.send("Tracing.end")
    stop = time.monotonic() + 60
    while not done and time.monotonic() < stop:
        page.wait_for_timeout(100)
    return {**probe, "end": end, "input": s["input"]}, events, profile


def report(probe: dict, events: list[dict], profile: dict) -> None:
    t0 = probe["input"]
    print(
        f"from input: run {probe['runStart'] - t0:.0f}..{probe['runEnd'] - t0:.0f} ms, "
        f"last DOM change {probe['mutation'] - t0:.0f} ms, last long task end "
        f"{probe['longEnd'] - t0:.0f} ms, settled at {probe['end'] - t0:.0f} ms"
    )
    thread, task_ms, kinds = trace_breakdown(events)
    print(f"main thread {thread}: tasks {task_ms:.0f} ms (traced, so slowed)")
    for kind, ms in sorted(kinds.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {kind:50s} {ms:7.1f} ms")
    owners, funcs, files = profile_by_url(profile, top=25)
    ranked = sorted(owners.items(), key=lambda kv: -kv[1])
    print("  self time by owner: " + ", ".join(f"{k} {v:.0f}" for k, v in ranked if v >= 1))
    print("  inclusive by file: " + ", ".join(f"{f} {ms:.0f}" for ms, f in files[:10]))
    for ms, name, file, line in funcs:
        if name != "(idle)":
            print(f"    {ms:6.1f}  {name} {file}:{line}")


@contextmanager
def served_app() -> Iterator[tuple[str, object]]:
    """Serve the app on a free loopback port and open Chromium on it; yield (url, context).

    The context sends traffic to 127.0.0.1 only; the browser and the server stop on exit.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        port = free_port()
        log = Path(tmp) / "server.log"
        proc = start_server(port, log)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, proc=proc, log=log)
            yield url, loopback_context(browser)
        finally:
            browser.close()
            stop_server(proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tab", default="Before and after")
    ap.add_argument("--path", default="/layers", help="the lesson: /layers, /images or /lab")
    ap.add_argument("--query", default="")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--first", action="store_true", help="profile the first view instead")
    ap.add_argument("--then", help="with the tab open (not traced), click this text (traced)")
    args = ap.parse_args()
    with served_app() as (url, ctx):
        for _ in range(args.repeats):
            page = ctx.new_page()
            if args.first:
                page.goto(f"{url}{args.path}{args.query}")  # warm the server
                wait_settled(page, 0.0, timeout_s=90.0)
                page.goto("about:blank")
                probe, events, profile = traced(
                    page,
                    lambda p=page: p.goto(f"{url}{args.path}{args.query}", wait_until="commit"),
                )
                print("\nfirst view (from navigation start: input = 0)")
                report({**probe, "input": 0.0}, events, profile)
                page.close()
                continue
            page.goto(f"{url}{args.path}{args.query}")
            wait_settled(page, 0.0, timeout_s=90.0)
            tab = page.get_by_role("tab", name=args.tab)
            if args.then:
                tab.click()
                wait_settled(page, 0.0)
                tab = page.get_by_text(args.then, exact=True).first
            probe, events, profile = traced(page, lambda t=tab: t.click())
            print(f"\ntab {args.tab!r}, then {args.then!r}")
            report(probe, events, profile)
            page.close()


if __name__ == "__main__":
    main()
