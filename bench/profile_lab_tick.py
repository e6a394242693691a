"""Where a live lab tick's server CPU goes: a class on an instrumented server, per part.

Run from the project root (loopback only, ~4 min):
``nice .venv/bin/python -m bench.profile_lab_tick`` (``--sessions 30 --seconds 20`` by default;
``--out FILE`` keeps the raw output; ``--cprofile`` profiles every thread instead).

``--sessions`` protocol sessions (``bench.support.client``) open the lab, press Start and train for
``--seconds``. There is no reference: this is the breakdown behind ``bench_tick_floor.py``'s
figure (whose floor is Streamlit's own fragment rerun).

- Default: the server runs under ``bench.support.timer``, which wraps only the tick's parts (its
  ``TIMED`` list) with ``time.thread_time``, so nothing else is slowed. Printed: CPU ms per call,
  calls, and ms per lab tick (the part's total over the fragment runs the sessions saw; the full
  page runs of joining sessions call some parts too, e.g. ``st.markdown``, ``script run``).
- ``--cprofile``: the server runs under ``bench.support.profiler`` (every thread under cProfile,
  thread CPU time), which also sees Streamlit's internals (cache key hashing,
  ``is_dataframe_like`` per component argument, ``_enqueue``) but inflates code made of many small
  calls (2x to 10x), so read it for what is called, not for ms. Printed: profiled ms per call,
  calls, and each part's total as a share of the lab's ``live`` fragment (a part also called outside
  the fragment shows a share above its share of a tick).

Since issue 10 the lab's updates run in the worker thread (``normviz.serving.live_stream``), not
in a fragment: the fragment parts below find nothing; ``bench.support.timer`` times the
worker's parts (``LiveSession.train_once``, ``LiveSession.publish``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.support.client import ProtocolSession
from bench.support.server import (
    free_port,
    spawn,
    start_server,
    stop_server,
    streamlit_command,
    wait_ready,
)

PARTS = [
    # (name, file suffix, function name): cumulative CPU time of each, per tick
    ("script run (all of Streamlit's rerun)", "exec_code.py", "exec_func_with_error_handling"),
    ("  lab fragment live()", "pages/lab.py", "live"),
    ("    tick_lock: TakeTurns.__enter__", "normviz/serving/fairshare.py", "__enter__"),
    ("    train_tick", "pages/_lab_widgets.py", "train_tick"),
    ("      Trainer.run_for", "normviz/training/__init__.py", "run_for"),
    ("      lease_table (st.cache_resource, 2 args)", "pages/_lab_widgets.py", "lease_table"),
    ("      session_id", "pages/_lab_widgets.py", "session_id"),
    ("    draw", "pages/_lab_widgets.py", "draw"),
    ("      st.markdown (status, caption)", "streamlit/elements/markdown.py", "markdown"),
    ("      live_chart", "pages/_live_chart.py", "live_chart"),
    ("        declare_component", "component_registry.py", "declare_component"),
    ("        LiveFeed.payload", "normviz/serving/live_feed.py", "payload"),
    ("          Trainer.boundary", "normviz/training/__init__.py", "boundary"),
    ("          Trainer.weights", "normviz/training/__init__.py", "weights"),
    ("          figures.lab.curves_info", "normviz/figures/lab.py", "curves_info"),
    ("        component call", "custom_component.py", "__call__"),
    ("          json.dumps", "json/__init__.py", "dumps"),
    ("          is_dataframe_like (per arg)", "dataframe_util.py", "is_dataframe_like"),
    ("          DeltaGenerator._enqueue", "streamlit/delta_generator.py", "_enqueue"),
    ("    retune_if_stale", "pages/_lab_widgets.py", "retune_if_stale"),
    ("st.cache_* key hashing (any cached call)", "caching/cache_utils.py", "_make_value_key"),
]


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> tuple[float, int]:
    """Cumulative seconds and primitive calls of function ``name`` of a file ending ``suffix``."""
    total, calls = 0.0, 0
    for (file, _line, func), (cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and file.endswith(suffix):
            total += ct
            calls += cc
    return total, calls


def start_timed_server(port: int, log: Path, out: Path) -> subprocess.Popen:
    """``start_server``'s command under ``bench.support.timer`` instead of ``-m streamlit``."""
    timer = [sys.executable, "-m", "bench.support.timer", str(out)]
    return spawn(streamlit_command(port, launcher=timer), log)


async def run(sessions: int, seconds: float, out: Path, cprofile: bool) -> tuple[int, int]:
    port = free_port()
    url, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-profile-{port}.log"
    start = start_server if cprofile else start_timed_server
    proc = start(port, log, profile=out) if cprofile else start(port, log, out)
    try:
        wait_ready(url, proc=proc, log=log)
        clients = [ProtocolSession(ws, "lab") for _ in range(sessions)]
        for c in clients:
            await c.open()
            if not await c.click_when_shown("lab_start", 120):
                raise RuntimeError(f"the lab's Start did not show: {c.log.errors}")
        await asyncio.sleep(seconds)
        for c in clients:
            await c.close()
        ticks = sum(r.fragment for c in clients for r in c.log.runs)
        return ticks, sum(not r.fragment for c in clients for r in c.log.runs)
    finally:
        # SIGTERM: bench.support.profiler merges every thread's profile at exit, which takes a while
        # (a thread per script run); stop_server would kill it after 15 s.
        proc.terminate()
        try:
            proc.wait(300)
        except subprocess.TimeoutExpired:
            stop_server(proc)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cprofile", action="store_true", help="cProfile every thread instead")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / ("lab.prof" if args.cprofile else "lab.json")
        ticks, full = await run(args.sessions, args.seconds, out, args.cprofile)
        if not args.cprofile:
            timed = json.loads(out.read_text())
            print(
                f"{args.sessions} sessions: {ticks} lab ticks (fragment runs) and {full} full page "
                f"runs seen; CPU ms per call (thread time, unprofiled), calls, ms per tick"
            )
            for name, (seconds, calls) in timed.items():
                print(
                    f"{name:<28} {1000 * seconds / max(calls, 1):6.2f} ms  x{calls:<6} "
                    f"{1000 * seconds / ticks:6.2f} ms/tick"
                )
            return
        stats = pstats.Stats(str(out))
    print(
        f"{args.sessions} sessions: {ticks} lab ticks (fragment runs) and {full} full page runs "
        f"seen; profiled CPU ms per call (thread time), calls, and share of live()"
    )
    base, _ = cumulative(stats, "pages/lab.py", "live")
    for name, suffix, func in PARTS:
        seconds, calls = cumulative(stats, suffix, func)
        print(
            f"{name:<44} {1000 * seconds / max(calls, 1):6.2f} ms  x{calls:<6} "
            f"{seconds / base:6.0%}"
        )


if __name__ == "__main__":
    asyncio.run(main())
