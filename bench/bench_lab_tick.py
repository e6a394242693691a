"""Bytes on the wire and server-side cost of one steady-state tick of the lab's live view.

Run from the project root (loopback only, ~2 min):
``nice .venv/bin/python -m bench.bench_lab_tick`` (``--seconds 20 --warmup 8`` by default).

1. Wire. One server (``bench.support.server``); one protocol session (``bench.support.client``)
   at a time opens the lab, presses Start and, after ``--warmup`` seconds, records every
   fragment run for ``--seconds``: the sum of the websocket messages (serialized ``ForwardMsg``) of
   each run, from its ``new_session`` to its ``script_finished``. Done for one network (the default
   link) and for compare mode (``?mode=compare&preset=L1+vs+L2``), each session alone on the server
   (a lone learner: a tick every 0.1 s). Printed: median and p90 bytes per tick, against the goals
   of issue 10 (10 kB one network, 20 kB compare), the live component's share, and updates a second.

   Reference, measured in the same run: the previous design's bytes per tick (commit 290d36d,
   ``pages/_lab_widgets.py`` ``draw``): four Plotly figures (five in compare mode: a boundary per
   run) built by ``normviz.figures.lab``'s ``plot_*`` with their alt texts, from trainers of the
   same configs replayed in this process to the epochs the session's status lines showed at
   evenly spaced ticks of the window, each serialized as ``st.plotly_chart`` does
   (``plotly.tools.return_figure_from_figure_or_data`` then ``plotly.io.to_json(validate=False)``
   into a ``PlotlyChart`` element of a ``ForwardMsg``), plus the tick's other messages as measured
   (status line, caption, run bookkeeping). Printed: its median and the ratio new / old.

2. Server-side cost, in this process (CPU time of this thread, so a busy machine's waits do not
   count): a steady tick's ``LiveFeed.payload`` plus ``json.dumps`` (what ``components.v1``
   sends), against the old tick's four figures, alt texts and their ``st.plotly_chart``
   serialization, on the same trainers (400 epochs of history, a few updates
   between repeats). Printed: medians of ``REPEATS`` and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path

import plotly.io as pio
import plotly.tools
import torch
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.support.client import ProtocolSession, StreamLog, read_stream
from bench.support.server import free_port, percentile, start_server, stop_server, wait_ready
from normviz.figures import lab as figs
from normviz.presets import preset_configs
from normviz.serving.live_feed import LiveFeed, LiveRun
from normviz.training import TrainConfig, Trainer, updates_per_epoch

ROOT = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)
REPEATS = 30
RESOLUTION = 64  # pages/_lab_widgets.py BOUNDARY_RESOLUTION
PRESET = "L1 vs L2"
GOALS = {"one": 10_000, "compare": 20_000}  # bytes per steady tick, issue 10

QUERIES = {  # one network trains through the window (the default stops at its epoch limit)
    "one": "max_epochs=100000",
    "compare": urllib.parse.urlencode({"mode": "compare", "preset": PRESET}),
}
OLD_CHART = {"theme": None, "config": {"displayModeBar": False, "staticPlot": True}}
STATUS = re.compile(r"^(?:\*\*(A|B)\*\* · )?epoch \*\*(\d+)\*\*")


def configs(mode: str) -> list[tuple[str, TrainConfig]]:
    """The lab's runs for a link with no settings: the default config, or the preset's A and B."""
    one = [("", TrainConfig(max_epochs=100_000))]  # as QUERIES["one"]
    return one if mode == "one" else preset_configs(PRESET, TrainConfig())


# -- the previous design's tick (commit 290d36d) ----------------------------------------------


def old_figures(trainers: list[Trainer], labels: list[str], axis: str = "epoch") -> list[tuple]:
    """The figures, keys and alt texts the old ``draw`` sent: ``[(key, figure, alt), ...]``."""
    curves = [
        figs.curves_info(t.history, lab, t.stopped, x_axis=axis)
        for t, lab in zip(trainers, labels, strict=True)
    ]
    weights = [t.weights() for t in trainers]
    limit = figs.weight_limit(*weights)
    hists = [figs.weight_histogram_info(w, limit) for w in weights]
    out = []
    if len(trainers) == 1:
        t = trainers[0]
        grid = t.boundary(RESOLUTION)
        fig = figs.plot_boundary(grid, t.train, t.test, title="Decision boundary", height=400,
                                 show_scale=False, show_legend=False)  # fmt: skip
        alt = figs.boundary_alt(grid, t.train, t.test, "Decision boundary")
        out.append(("lab_fig_boundary", fig, alt))
        fig = figs.plot_weight_histograms(hists, ["Weights"], height=190)
        out.append(("lab_fig_hist", fig, figs.weight_histograms_alt(hists, ["Weights"])))
        fig = figs.plot_weight_norm(curves, height=250)
        out.append(("lab_fig_norm", fig, figs.weight_norm_alt(curves)))
        out.append(("lab_fig_curves", figs.plot_training_curves(curves), figs.curves_alt(curves)))
        return out
    for t, lab in zip(trainers, labels, strict=True):
        grid = t.boundary(RESOLUTION)
        fig = figs.plot_boundary(grid, t.train, t.test, title=f"Run {lab}", height=380,
                                 show_scale=False, show_legend=False)  # fmt: skip
        alt = figs.boundary_alt(grid, t.train, t.test, f"Run {lab}, decision boundary")
        out.append((f"lab_fig_boundary_{lab}", fig, alt))
    out.append(("lab_fig_curves", figs.plot_training_curves(curves), figs.curves_alt(curves)))
    names = [f"Run {lab}" for lab in labels]
    fig = figs.plot_weight_histograms(hists, names, height=290)
    out.append(("lab_fig_hist", fig, figs.weight_histograms_alt(hists, names)))
    fig = figs.plot_weight_norm(curves, height=290)
    out.append(("lab_fig_norm", fig, figs.weight_norm_alt(curves)))
    return out


def plotly_message(key: str, fig, alt: str) -> bytes:
    """The ``ForwardMsg`` of ``st.plotly_chart(fig, key=key, alt=alt, **OLD_CHART)``, serialized.

    As ``streamlit/elements/plotly_chart.py`` (1.67) fills it: the figure through
    ``return_figure_from_figure_or_data(validate_figure=True)``, ``spec`` its
    ``plotly.io.to_json(validate=False)``, ``config`` the JSON of the config, the alt text, and an
    element id of the form Streamlit computes (``$$ID-`` + 32 hex digits + ``-`` + key).
    """
    figure = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, 1, 4, 0, 2])
    chart = msg.delta.new_element.plotly_chart
    chart.theme = ""
    chart.spec = pio.to_json(figure, validate=False)
    chart.config = json.dumps(OLD_CHART["config"])
    chart.alt = alt
    chart.id = f"$$ID-{'0' * 32}-{key}"
    return msg.SerializeToString()


def old_chart_bytes(trainers: list[Trainer], labels: list[str]) -> int:
    """Bytes of the old tick's Plotly chart messages."""
    return sum(len(plotly_message(*item)) for item in old_figures(trainers, labels))


def advance_to(trainers: list[Trainer], epochs: dict[str, int], labels: list[str]) -> None:
    """Train each trainer until its last history row is at ``epochs[label]`` (or it stopped)."""
    for t, lab in zip(trainers, labels, strict=True):
        per_epoch = updates_per_epoch(len(t.train.y), t.config.batch_size)
        while t.history[-1].epoch < epochs.get(lab, 0) and t.stopped is None:
            t.step(per_epoch)


# -- 1. the wire -----------------------------------------------------------------------------


async def wire(url: str, mode: str, warmup: float, seconds: float) -> dict:
    """One session of ``mode`` alone on the server: its steady updates' bytes, and the reference.

    The session opens the lab, presses Start and reads its live stream (what the browser's
    EventSource receives); the page's websocket carries nothing while it trains.
    """
    s = ProtocolSession(url.replace("http://", "ws://") + "/_stcore/stream", "lab", QUERIES[mode])
    await s.open()
    if not await s.click_when_shown("lab_start", 90):
        raise RuntimeError(f"the lab's Start did not show ({mode}): {s.log.errors}")
    await s.wait_finished(60)
    stop, slog = asyncio.Event(), StreamLog(keep=True)
    reader = asyncio.create_task(read_stream(url + s.stream_path, slog, stop))
    await asyncio.sleep(warmup)
    runs0 = len(s.log.runs)
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    t1 = time.monotonic()
    page_runs = len(s.log.runs) - runs0
    stop.set()
    await reader
    await s.close()
    window = [(t, n, p) for t, n, p in zip(slog.times, slog.sizes, slog.payloads, strict=True)]
    window = [(t, n, p) for t, n, p in window if t0 <= t <= t1]
    if not window:
        raise RuntimeError(f"no update arrived in the window ({mode}); errors: {s.log.errors}")
    # An event on the wire: "id: <seq>\ndata: <json>\n\n".
    sizes = [n + len(f"id: {p.get('seq', 0)}\ndata: \n\n") for _, n, p in window]

    def epochs(p: dict) -> dict[str, int]:
        return {r["label"]: (r["rows"]["epoch"] or [0])[-1] for r in p.get("runs", [])}

    shown = [e for _, _, p in window for e in epochs(p).values()]
    labels = [lab for lab, _ in configs(mode)]
    trainers = [Trainer(cfg) for _, cfg in configs(mode)]
    old = []
    for _, _, p in window[:: max(1, len(window) // 8)]:
        advance_to(trainers, epochs(p), labels)
        old.append(old_chart_bytes(trainers, labels))  # its charts only: a lower bound
    return {
        "ticks": len(window),
        "rate": len(window) / (t1 - t0),
        "median": statistics.median(sizes),
        "p90": percentile(sizes, 90),
        "page_runs": page_runs,
        "epochs": (min(shown or [0]), max(shown or [0])),
        "old": statistics.median(old),
        "old_samples": len(old),
        "errors": s.log.errors,
    }


# -- 2. server-side cost in-process ------------------------------------------------------------


def interleaved_ms(fns: list, repeats: int, between) -> list[float]:
    """Median CPU ms of each of ``fns`` (``time.thread_time``: a busy machine's waits excluded),
    timed in turn after each ``between()`` (so both see the same trainer state)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        between()
        for fn, out in zip(fns, times, strict=True):
            start = time.thread_time()
            fn()
            out.append(time.thread_time() - start)
    return [1000 * statistics.median(t) for t in times]


def server_cost(mode: str) -> tuple[float, float]:
    """Medians (ms) of a steady tick's payload + JSON and of the old tick's figures + JSON."""
    runs_cfg = configs(mode)
    labels = [lab for lab, _ in runs_cfg]
    endless = {"max_epochs": 100_000, "early_stopping_patience": None}
    trainers = [Trainer(dataclasses.replace(cfg, **endless)) for _, cfg in runs_cfg]
    for t in trainers:
        t.step(updates_per_epoch(len(t.train.y), t.config.batch_size) * 400)
    feed = LiveFeed()
    runs = [LiveRun(lab, f"run{lab}", t) for lab, t in zip(labels, trainers, strict=True)]
    feed.payload(runs)  # the browser now holds the history

    def between() -> None:
        for t in trainers:
            t.step(3)  # a tick's few updates

    new_ms, old_ms = interleaved_ms(
        [lambda: json.dumps(feed.payload(runs)), lambda: old_chart_bytes(trainers, labels)],
        REPEATS,
        between,
    )
    return new_ms, old_ms


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=8.0)
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"normviz-lab-tick-{port}.log"
    proc = start_server(port, log)
    try:
        wait_ready(url, proc=proc, log=log)
        measured = {mode: await wire(url, mode, args.warmup, args.seconds) for mode in GOALS}
    finally:
        stop_server(proc)
    print(f"1. bytes per steady update on the wire (one session alone, its live stream, "
          f"{args.seconds:.0f} s after {args.warmup:.0f} s of training)")  # fmt: skip
    for mode, m in measured.items():
        goal = GOALS[mode]
        ok = "meets" if m["median"] <= goal else "MISSES"
        print(
            f"  {mode:<8} median {m['median'] / 1e3:5.1f} kB, p90 {m['p90'] / 1e3:5.1f} kB an "
            f"update ({ok} the goal {goal / 1e3:.0f} kB); {m['ticks']} updates, "
            f"{m['rate']:.1f} updates/s, {m['page_runs']} page runs, "
            f"epochs {m['epochs'][0]}-{m['epochs'][1]}"
        )
        print(
            f"  {'':<8} reference (old tick's Plotly figures alone at the same epochs, "
            f"{m['old_samples']} ticks): median {m['old'] / 1e3:5.1f} kB; "
            f"ratio new/old {m['median'] / m['old']:.2f}"
        )
        if m["errors"]:
            print(f"  {'':<8} errors: {m['errors'][:3]}")
    print(f"2. server-side CPU in-process (400 epochs of history, medians of {REPEATS})")
    for mode in GOALS:
        new_ms, old_ms = server_cost(mode)
        print(
            f"  {mode:<8} LiveFeed.payload + json.dumps {new_ms:5.2f} ms; reference (old "
            f"figures + st.plotly_chart JSON) {old_ms:5.2f} ms; ratio {new_ms / old_ms:.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
