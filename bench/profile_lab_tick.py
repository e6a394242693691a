"""Where a live lab tick's server CPU goes: a class on a profiled server, per call of each part.

Run from the project root (loopback only, ~2 min):
``nice .venv/bin/python bench/profile_lab_tick.py`` (``--sessions 30 --seconds 20`` by default;
``--out FILE.prof`` keeps the merged profile for ``python -m pstats``).

The server runs under ``load_profile.py`` (every thread under cProfile, thread CPU time);
``--sessions`` protocol sessions (``load_client.py``) open the lab and press Start, and train for
``--seconds``; then the profile's cumulative time of each part of a tick is divided by its
calls. Profiling slows Python about 2x: read the shares, not the absolute ms.
There is no reference: this is the breakdown behind ``bench_tick_floor.py``'s figure.

Printed: for each part, profiled CPU ms per call, the number of calls and its time as a share
of the lab's ``live`` fragment: the script run (Streamlit's ``exec_func_with_error_handling``;
the full page runs of the joining sessions are among its calls), ``live``, its training slice
(``train_tick``, ``Trainer.run_for``), the live view (``draw``: status line, ``live_chart``,
its ``declare_component``, ``LiveFeed.payload`` and what it calls, the component call and its
``json.dumps``), the rerun check, Streamlit's cache key hashing. A part also called
outside the fragment (``_enqueue``, cache lookups in full page runs) has a share above its
share of a tick.
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_client import ProtocolSession
from load_server import free_port, start_server, stop_server, wait_ready

PARTS = [
    # (name, file suffix, function name): cumulative CPU time of each, per tick
    ("script run (all of Streamlit's rerun)", "exec_code.py", "exec_func_with_error_handling"),
    ("  lab fragment live()", "pages/lab.py", "live"),
    ("    tick_lock: TakeTurns.__enter__", "normviz/fairshare.py", "__enter__"),
    ("    train_tick", "pages/_lab_widgets.py", "train_tick"),
    ("      Trainer.run_for", "normviz/training.py", "run_for"),
    ("      lease_table (st.cache_resource, 2 args)", "pages/_lab_widgets.py", "lease_table"),
    ("      session_id", "pages/_lab_widgets.py", "session_id"),
    ("    draw", "pages/_lab_widgets.py", "draw"),
    ("      st.markdown (status, caption)", "streamlit/elements/markdown.py", "markdown"),
    ("      live_chart", "pages/_live_chart.py", "live_chart"),
    ("        declare_component", "component_registry.py", "declare_component"),
    ("        LiveFeed.payload", "normviz/live_feed.py", "payload"),
    ("          Trainer.boundary", "normviz/training.py", "boundary"),
    ("          Trainer.weights", "normviz/training.py", "weights"),
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


async def run(sessions: int, seconds: float, out: Path) -> tuple[int, float]:
    port = free_port()
    url, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-profile-{port}.log"
    proc = start_server(port, log, profile=out)
    try:
        wait_ready(url)
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
        # SIGTERM: load_profile.py merges every thread's profile at exit, which takes a while
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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "lab.prof"
        ticks, full = await run(args.sessions, args.seconds, out)
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
