"""Server CPU per streamed lab update, against Streamlit's bare fragment-rerun floor (same run).

Run from the project root (loopback only, ~2 min):
``nice .venv/bin/python -m bench.bench_stream_tick`` (``--sessions 30 --seconds 20`` by default;
``--sessions 1`` for a learner alone).

1. normviz: one server (``streamlit run serve.py``); ``--sessions`` protocol sessions
   (``bench.support.client.ProtocolSession``) open the lab and press Start, and each one's live
   stream (``/_nv/live/<token>``, the path the page sent its component) is read as the browser's
   EventSource would (``bench.support.client.read_stream``). After a 5 s warm-up, the server
   process's CPU seconds over ``--seconds`` are divided by the streamed updates received in
   that window (every payload of every session; training included). Also printed: updates a
   second per session, the largest gap between two updates of one session, the median bytes of
   an update, and the page runs during the window (there should be none: no timer).
2. The floor, measured right after on a fresh server: ``bench.bench_tick_floor``'s "live
   elements" reference, a bare ``st.fragment(run_every=<the measured period>)`` that draws a
   status line, the lab's component fed a steady payload of the same size, and a caption, and
   does nothing else; ms of server CPU per finished fragment run.

Printed: both, and their ratio (issue 10: <= 1.5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_tick_floor import LIVE_ELEMENTS_APP, measure, steady_payload
from bench.support.client import ProtocolSession, StreamLog, read_stream
from bench.support.server import cpu_seconds, free_port, start_server, stop_server, wait_ready

ROOT = Path(__file__).resolve().parents[1]


async def measure_stream(sessions: int, seconds: float, query: str = "") -> dict:
    """Run ``sessions`` training lab sessions that follow their streams; return the figures."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"normviz-stream-{port}.log"
    proc = start_server(port, log)
    stop = asyncio.Event()
    try:
        wait_ready(url, proc=proc, log=log)
        clients, logs, readers = [], [], []
        for _ in range(sessions):
            c = ProtocolSession(f"ws://127.0.0.1:{port}/_stcore/stream", "lab", query)
            await c.open()
            if not await c.click_when_shown("lab_start", 90):
                raise RuntimeError(f"the lab's Start did not show: {c.log.errors}")
            await c.wait_finished(60)
            if not c.stream_path:
                raise RuntimeError("the lab sent its live view no stream path")
            slog = StreamLog()
            readers.append(asyncio.create_task(read_stream(url + c.stream_path, slog, stop)))
            clients.append(c)
            logs.append(slog)
        await asyncio.sleep(5)
        runs0 = sum(len(c.log.runs) for c in clients)
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        await asyncio.sleep(seconds)
        c1, t1 = cpu_seconds(proc.pid), time.monotonic()
        runs1 = sum(len(c.log.runs) for c in clients)
        stop.set()
        await asyncio.gather(*readers, return_exceptions=True)
        for c in clients:
            await c.close()
        inside = [[t for t in sl.times if t0 <= t <= t1] for sl in logs]
        updates = sum(len(ts) for ts in inside)
        gaps = [max(b - a for a, b in zip([t0, *ts], [*ts, t1], strict=True)) for ts in inside]
        sizes = [s for sl in logs for t, s in zip(sl.times, sl.sizes, strict=True) if t >= t0]
        running = [bool(sl.last and sl.last.get("running")) for sl in logs]
        return {
            "ms": 1000 * (c1 - c0) / max(updates, 1),
            "updates": updates,
            "per_session": updates / (t1 - t0) / sessions,
            "period": sessions * (t1 - t0) / max(updates, 1),
            "max_gap": max(gaps),
            "bytes": statistics.median(sizes) if sizes else 0,
            "page_runs": runs1 - runs0,
            "still_running": sum(running),
            "errors": [e for c in clients for e in c.log.errors],
            "statuses": sorted({sl.status for sl in logs}),
        }
    finally:
        stop.set()
        stop_server(proc)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--query", default="max_epochs=100000", help="the lab's link query")
    args = ap.parse_args()

    lab = await measure_stream(args.sessions, args.seconds, args.query)
    payload = steady_payload()
    with tempfile.TemporaryDirectory() as tmp:
        live_app, payload_path = Path(tmp) / "live_elements.py", Path(tmp) / "payload.json"
        payload_path.write_text(json.dumps(payload))
        live_app.write_text(
            LIVE_ELEMENTS_APP.replace("INTERVAL", repr(lab["period"]))
            .replace("ASSETS_PATH", repr(str(ROOT / "assets" / "live_chart")))
            .replace("PAYLOAD_PATH", repr(str(payload_path)))
        )
        floor = await measure(live_app, args.sessions, args.seconds, "")
    print(f"{args.sessions} sessions training, {args.seconds:.0f} s window; server CPU")
    print(
        f"streamed lab update (training + payload + SSE): {lab['ms']:5.2f} ms per update "
        f"({lab['updates']} updates, {lab['per_session']:.1f}/s a session, largest gap "
        f"{lab['max_gap']:.2f} s, median {lab['bytes'] / 1e3:.1f} kB, "
        f"{lab['page_runs']} page runs, {lab['still_running']}/{args.sessions} still running)"
    )
    print(
        f"floor, bare fragment rerun (md + component + caption) every {lab['period']:.2f} s: "
        f"{floor['ms']:5.2f} ms per run ({floor['rate']:.1f} runs/s)"
    )
    print(f"ratio streamed update / fragment-rerun floor: {lab['ms'] / floor['ms']:.2f}  (<= 1.5)")
    if lab["errors"] or floor["errors"] or lab["statuses"] != [200]:
        print(f"errors: {lab['errors'][:3]} {floor['errors'][:3]} statuses {lab['statuses']}")


if __name__ == "__main__":
    asyncio.run(main())
