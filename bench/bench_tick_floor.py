"""Server CPU per live lab tick, against Streamlit's own floor for a fragment rerun.

Run from the project root (loopback only, ~1 min): ``.venv/bin/python bench/bench_tick_floor.py``

Both servers get ``--sessions`` protocol sessions (``load_client.py``) whose fragments rerun on
their own timers, and the server process's CPU seconds are divided by the ticks it finished in
``--seconds``:

- reference: a page whose ``st.fragment(run_every=...)`` draws the same number of elements as a
  lab tick (status line, two columns, four charts of one cached 300-point figure, a caption)
  and does nothing else: what Streamlit itself costs per fragment rerun;
- normviz: the lab, every session pressed Start (training slice, boundary grid, four figures).

Printed: ms of server CPU per tick for each, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_client import ProtocolSession
from load_server import cpu_seconds, free_port, start_server, stop_server, wait_ready

FLOOR_APP = """
import random
import numpy as np
import streamlit as st
from normviz.figures._spec import FigureSpec

@st.cache_resource
def spec():
    x = np.linspace(0, 1, 300)
    return FigureSpec([{"type": "scatter", "x": x, "y": x ** 2}], {"template": {}, "height": 200})

@st.fragment(run_every=INTERVAL * (0.9 + 0.2 * random.random()))
def live():
    st.markdown(f"epoch **{random.randint(0, 999)}** · loss {random.random():.3f}")
    left, right = st.columns(2)
    for i in range(4):
        (left if i % 2 == 0 else right).plotly_chart(
            spec(), key=f"c{i}", theme=None, config={"staticPlot": True})
    st.caption("key")

live()
"""


async def cpu_per_tick(script: Path | None, sessions: int, seconds: float, page: str) -> tuple:
    port = free_port()
    url, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-floor-{port}.log"
    proc = start_server(port, log, script=script)
    try:
        wait_ready(url)
        clients = [ProtocolSession(ws, page) for _ in range(sessions)]
        for c in clients:
            await c.open()
            await c.wait_finished(60)
            await c.click("lab_start")  # the lab's Start; the reference page has no button
        await asyncio.sleep(5)  # past the first ticks and the interval re-tuning
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        n0 = sum(len(c.log.finished_times) for c in clients)
        await asyncio.sleep(seconds)
        c1, t1 = cpu_seconds(proc.pid), time.monotonic()
        n1 = sum(len(c.log.finished_times) for c in clients)
        for c in clients:
            await c.close()
        return 1000 * (c1 - c0) / max(n1 - n0, 1), (n1 - n0) / (t1 - t0)
    finally:
        stop_server(proc)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=1.25, help="reference fragment period (s)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor_app = Path(tmp) / "floor_app.py"
        floor_app.write_text(FLOOR_APP.replace("INTERVAL", repr(args.interval)))
        floor_ms, floor_rate = await cpu_per_tick(floor_app, args.sessions, args.seconds, "")
    lab_ms, lab_rate = await cpu_per_tick(None, args.sessions, args.seconds, "lab")
    print(f"{args.sessions} sessions, {args.seconds:.0f} s each; server CPU per finished tick")
    print(f"reference (Streamlit fragment, same elements, no work): {floor_ms:5.1f} ms "
          f"({floor_rate:.1f} ticks/s)")  # fmt: skip
    print(f"normviz lab tick (training + figures):                 {lab_ms:5.1f} ms "
          f"({lab_rate:.1f} ticks/s)")  # fmt: skip
    print(f"ratio lab/reference: {lab_ms / floor_ms:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
