"""Where one control of a lesson spends its time: server run, then the browser.

Run: ``nice .venv/bin/python -m bench.profile_control --path /lab --key lab_mode [--repeats R]``.

Starts its own server and Chromium (loopback only), opens the lesson, finds the control by its
key as ``bench.bench_controls`` does (its scan, reveal and action are reused), drives it once
untraced (a warm-up, as the benchmark's own first pass is not), then once more under a CDP trace
and CPU profile, and prints that interaction's timeline and the main thread's costliest work
(``bench.profile_layers.report``).
"""

from __future__ import annotations

import argparse

from bench.bench_controls import ACTIONS, reveal, scan, wait_settled
from bench.profile_layers import report, served_app, traced


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", default="/lab", help="the lesson: /layers, /images or /lab")
    ap.add_argument("--key", required=True, help="the control's key (or scan id), e.g. lab_mode")
    ap.add_argument("--query", default="")
    ap.add_argument("--wait", type=float, default=0.0, help="seconds to wait after the view")
    ap.add_argument("--cold", action="store_true", help="trace the first action too")
    ap.add_argument("--before", help="a control's key driven (untraced) before each action")
    ap.add_argument("--repeats", type=int, default=1, help="traced actions after the warm-up")
    args = ap.parse_args()
    with served_app() as (url, ctx):
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{url}{args.path}{args.query}")
        wait_settled(page, 0.0, timeout_s=90.0)
        page.wait_for_timeout(args.wait * 1000)  # background work (a study)
        for i in range(args.repeats + 1):
            if args.before:
                b = next(x for x in scan(page) if args.before in (x.key, x.id))
                bel = page.locator(f"[data-walk='{b.walk}']").first
                ACTIONS[b.kind](page, bel, b)
                wait_settled(page, page.evaluate("() => window.__probe.input"))
            w = next(x for x in scan(page) if args.key in (x.key, x.id))
            reveal(page, w)
            w = next(x for x in scan(page) if x.id == w.id)
            el = page.locator(f"[data-walk='{w.walk}']").first
            el.evaluate("e => e.scrollIntoView({block: 'center'})")
            wait_settled(page, 0.0, quiet_s=0.3)
            if not i and not args.cold:  # warm-up, untraced
                page.evaluate("() => { window.__probe.input = 0; }")
                ACTIONS[w.kind](page, el, w)
                since = page.evaluate("() => window.__probe.input")
                end, _ = wait_settled(page, since)
                took = float("nan") if end is None else end - since
                print(f"{args.path} {w.id} ({w.kind}), warm-up untraced: {took:.0f} ms")
                continue
            probe, events, profile = traced(page, lambda el=el, w=w: ACTIONS[w.kind](page, el, w))
            print(f"\n{args.path} {w.id} ({w.kind}), run {i}")
            report(probe, events, profile)


if __name__ == "__main__":
    main()
