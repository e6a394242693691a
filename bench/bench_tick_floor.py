"""Server CPU per live lab tick, against Streamlit's own floor for a fragment rerun.

Since issue 10 the lab has no fragment ticks (its live view follows a Server-Sent Events
stream): ``bench.bench_stream_tick`` measures a streamed update against the floor measured
here ("live elements"), in one run. This benchmark still measures the two references.

Run from the project root (loopback only, ~3 min):
``nice .venv/bin/python -m bench.bench_tick_floor`` (``--sessions 30 --seconds 20`` by default).

Three servers run one after the other, each with ``--sessions`` protocol sessions
(``bench.support.client``) whose fragments rerun on their own timers; the server process's CPU
seconds over ``--seconds`` (after a 5 s warm-up) are divided by the script runs it finished:

- normviz: the lab, every session pressed Start (training slice, live view payload, status line).
  Measured first: its sessions' actual tick period (median over sessions of the measured seconds
  between fragment runs) becomes the references' ``run_every`` (each session off by up to 10 %,
  as the lab's ``phase_spread``), so all three tick at the rate the lab actually ticks;
- reference "old elements": a page whose ``st.fragment(run_every=...)`` draws what the lab's tick
  drew before the live view (commit 290d36d): a status line, two columns, four charts of one
  cached 300-point Plotly figure, a caption; and does nothing else;
- reference "live elements": a fragment that draws exactly what a lab tick draws now: a status
  ``st.markdown`` line, the lab's ``components.v1`` component (declared from
  ``assets/live_chart`` like ``pages/_live_chart.py``, same key) fed a constant payload of a
  steady tick's size (a real :class:`normviz.serving.live_feed.LiveFeed` delta, built here, only its
  ``seq`` changes), and the caption; and does nothing else: Streamlit's floor for this tick.

Printed: ms of server CPU per finished run for each, the ticks per second, the ratios (the goal
of issue 10: lab <= 1.5x the live-elements floor), and the training slice (``Trainer.run_for``
with the lab's per-tick budget at this class size, CPU ms measured in this process) with the
lab's tick minus that slice against the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

from bench.support.client import ProtocolSession
from bench.support.server import cpu_seconds, free_port, start_server, stop_server, wait_ready

ROOT = Path(__file__).resolve().parents[1]

OLD_ELEMENTS_APP = """
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

LIVE_ELEMENTS_APP = """
import json
import random
import streamlit as st
from streamlit.components.v1 import declare_component

ASSETS = ASSETS_PATH
PAYLOAD = PAYLOAD_PATH

@st.cache_resource
def payload():
    return json.loads(open(PAYLOAD).read())

@st.fragment(run_every=INTERVAL * (0.9 + 0.2 * random.random()))
def live():
    st.markdown(f"epoch **{random.randint(0, 999)}** · loss {random.random():.3f}")
    component = declare_component("live_chart", path=ASSETS)
    seq = st.session_state["seq"] = st.session_state.get("seq", 0) + 1
    component(feed={**payload(), "seq": seq}, key="lab_live", default=None)
    st.caption("key")

live()
"""


def steady_payload() -> dict:
    """A steady tick's payload of the lab's default run: 400 epochs held, one tick's new rows."""
    from normviz.serving.live_feed import LiveFeed, LiveRun
    from normviz.training import TrainConfig, Trainer

    t = Trainer(TrainConfig(max_epochs=100_000))
    t.step(7 * 400)
    feed = LiveFeed()
    run = LiveRun("", "bench", t)
    feed.payload([run])  # the first payload: the whole history and the points
    t.step(3)  # about one tick of training: a few updates, at most one new epoch
    return feed.payload([run])


def training_slice_ms(budget: float, repeats: int = 40) -> float:
    """Median CPU ms of ``Trainer.run_for(budget, MAX_STEPS_PER_TICK)`` on the default run."""
    import torch

    from normviz.training import TrainConfig, Trainer

    torch.set_num_threads(1)
    t = Trainer(TrainConfig(max_epochs=100_000))
    t.step(7 * 50)
    times = []
    for _ in range(repeats):
        start = time.process_time()
        t.run_for(budget, 500)
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


async def measure(script: Path | None, sessions: int, seconds: float, page: str) -> dict:
    """Run ``sessions`` sessions of ``page`` on a fresh server; return CPU and tick figures."""
    port = free_port()
    url, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-floor-{port}.log"
    proc = start_server(port, log, script=script)
    try:
        wait_ready(url, proc=proc, log=log)
        clients = [ProtocolSession(ws, page) for _ in range(sessions)]
        for c in clients:
            await c.open()
            if page == "lab" and not await c.click_when_shown("lab_start", 90):
                raise RuntimeError(f"the lab's Start did not show: {c.log.errors}")
            await c.wait_finished(60)
        await asyncio.sleep(5)  # past the first ticks and the interval re-tuning
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        await asyncio.sleep(seconds)
        c1, t1 = cpu_seconds(proc.pid), time.monotonic()
        for c in clients:
            await c.close()
        runs = [[r for r in c.log.runs if t0 <= r.finished_at <= t1] for c in clients]
        finished = sum(len(rs) for rs in runs)
        ticks = [[r for r in rs if r.fragment] for rs in runs]
        periods = [(t1 - t0) / len(ts) for ts in ticks if ts]
        component = [r.by_kind.get("component_instance", 0) for ts in ticks for r in ts]
        errors = [e for c in clients for e in c.log.errors]
        return {
            "ms": 1000 * (c1 - c0) / max(finished, 1),
            "rate": finished / (t1 - t0),
            "full": finished - sum(len(ts) for ts in ticks),
            "period": statistics.median(periods) if periods else float("nan"),
            "component_bytes": statistics.median(component) if component else 0,
            "tick_bytes": statistics.median([r.bytes for ts in ticks for r in ts] or [0]),
            "errors": errors,
        }
    finally:
        stop_server(proc)


def line(name: str, m: dict) -> str:
    return (
        f"{name:<44} {m['ms']:5.1f} ms  ({m['rate']:5.1f} runs/s, {m['full']} full-page runs, "
        f"median period {m['period']:.2f} s, {m['tick_bytes'] / 1e3:.1f} kB a tick)"
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()

    from streamlit.logger import get_logger

    # pages/_lab_widgets.py (read for its constants) declares caches outside a Streamlit runtime
    get_logger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from normviz.serving.fairshare import MAX_BUDGET, MIN_BUDGET
    from normviz.serving.live_stream import CLASS_CORE_SHARE as TRAIN_CORE_SHARE
    from normviz.serving.live_stream import MAX_STEPS_PER_UPDATE as MAX_STEPS_PER_TICK
    from normviz.serving.live_stream import plan_tick

    lab = await measure(None, args.sessions, args.seconds, "lab")
    period = lab["period"]
    if period != period:  # NaN: the lab streams now (no fragment runs): its planned period
        period = plan_tick(args.sessions).interval
        print("the lab has no fragment ticks any more: see bench.bench_stream_tick")
    payload = steady_payload()
    with tempfile.TemporaryDirectory() as tmp:
        old_app, live_app = Path(tmp) / "old_elements.py", Path(tmp) / "live_elements.py"
        payload_path = Path(tmp) / "payload.json"
        payload_path.write_text(json.dumps(payload))
        old_app.write_text(OLD_ELEMENTS_APP.replace("INTERVAL", repr(period)))
        live_app.write_text(
            LIVE_ELEMENTS_APP.replace("INTERVAL", repr(period))
            .replace("ASSETS_PATH", repr(str(ROOT / "assets" / "live_chart")))
            .replace("PAYLOAD_PATH", repr(str(payload_path)))
        )
        old = await measure(old_app, args.sessions, args.seconds, "")
        live = await measure(live_app, args.sessions, args.seconds, "")

    budget = min(max(TRAIN_CORE_SHARE * period / args.sessions, MIN_BUDGET), MAX_BUDGET)
    assert MAX_STEPS_PER_TICK == 500, "training_slice_ms assumes the lab's 500-step cap"
    train_ms = training_slice_ms(budget)
    print(f"{args.sessions} sessions, {args.seconds:.0f} s each; server CPU per finished run")
    print(f"lab period measured: {period:.3f} s a session -> the references' run_every")
    print(line("normviz lab tick (training + live view):", lab))
    print(line("reference, live elements (md + component):", live))
    print(line("reference, old elements (md + 4 Plotly):", old))
    print(
        f"reference payload: {len(json.dumps(payload)) / 1e3:.1f} kB JSON; the lab's component "
        f"message: median {lab['component_bytes'] / 1e3:.1f} kB"
    )
    print(f"ratio lab / live-elements floor: {lab['ms'] / live['ms']:.2f}  (goal <= 1.5)")
    print(f"ratio lab / old-elements floor:  {lab['ms'] / old['ms']:.2f}")
    print(
        f"training slice: budget {1000 * budget:.1f} ms a tick, run_for takes "
        f"{train_ms:.1f} ms CPU in-process ({train_ms / lab['ms']:.0%} of a lab tick); "
        f"lab tick without it: {lab['ms'] - train_ms:.1f} ms = "
        f"{(lab['ms'] - train_ms) / live['ms']:.2f}x the live-elements floor"
    )
    for name, m in (("lab", lab), ("live elements", live), ("old elements", old)):
        if m["errors"]:
            print(f"errors ({name}): {m['errors'][:3]}")


if __name__ == "__main__":
    asyncio.run(main())
