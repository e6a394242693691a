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

from bench.support.client import ProtocolSession
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
QUERIES = {"one": "", "compare": urllib.parse.urlencode({"mode": "compare", "preset": PRESET})}
OLD_CHART = {"theme": None, "config": {"displayModeBar": False, "staticPlot": True}}
STATUS = re.compile(r"^(?:\*\*(A|B)\*\* · )?epoch \*\*(\d+)\*\*")


def configs(mode: str) -> list[tuple[str, TrainConfig]]:
    """The lab's runs for a link with no settings: the default config, or the preset's A and B."""
    return [("", TrainConfig())] if mode == "one" else preset_configs(PRESET, TrainConfig())


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


class LabSession(ProtocolSession):
    """A protocol session that also reads the epoch off the lab's status lines."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.epochs: list[tuple[float, str, int]] = []  # (arrival, run label, epoch)

    def _handle_delta(self, msg: ForwardMsg, now: float, size: int = 0) -> None:
        super()._handle_delta(msg, now, size)
        element = msg.delta.new_element
        if msg.delta.WhichOneof("type") == "new_element" and element.HasField("markdown"):
            match = STATUS.match(element.markdown.body)
            if match:
                self.epochs.append((now, match.group(1) or "", int(match.group(2))))


async def wire(ws: str, mode: str, warmup: float, seconds: float) -> dict:
    """One session of ``mode`` alone on the server: its steady ticks' bytes, and the reference."""
    s = LabSession(ws, "lab", QUERIES[mode])
    await s.open()
    if not await s.click_when_shown("lab_start", 90):
        raise RuntimeError(f"the lab's Start did not show ({mode}): {s.log.errors}")
    await asyncio.sleep(warmup)
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    t1 = time.monotonic()
    await s.close()
    ticks = [r for r in s.log.runs if r.fragment and t0 <= r.finished_at <= t1]
    if not ticks:
        raise RuntimeError(f"no tick finished in the window ({mode}); errors: {s.log.errors}")
    sizes = [r.bytes for r in ticks]
    window = [e for at, _, e in s.epochs if t0 <= at <= t1]
    component = [r.by_kind.get("component_instance", 0) for r in ticks]
    other = [b - c for b, c in zip(sizes, component, strict=True)]
    # The reference: the old tick's charts at the epochs of evenly spaced ticks of the window.
    labels = [lab for lab, _ in configs(mode)]
    trainers = [Trainer(cfg) for _, cfg in configs(mode)]
    old = []
    samples = ticks[:: max(1, len(ticks) // 8)]
    for tick in samples:
        shown = {lab: ep for at, lab, ep in s.epochs if tick.started_at <= at <= tick.finished_at}
        advance_to(trainers, shown, labels)
        old.append(old_chart_bytes(trainers, labels) + statistics.median(other))
    return {
        "ticks": len(ticks),
        "rate": len(ticks) / (t1 - t0),
        "median": statistics.median(sizes),
        "p90": percentile(sizes, 90),
        "component": statistics.median(component),
        "other": statistics.median(other),
        "epochs": (min(window or [0]), max(window or [0])),
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
    url, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    log = Path(tempfile.gettempdir()) / f"normviz-lab-tick-{port}.log"
    proc = start_server(port, log)
    try:
        wait_ready(url, proc=proc, log=log)
        measured = {mode: await wire(ws, mode, args.warmup, args.seconds) for mode in GOALS}
    finally:
        stop_server(proc)
    print(f"1. bytes per steady tick on the wire (one session alone, {args.seconds:.0f} s "
          f"after {args.warmup:.0f} s of training)")  # fmt: skip
    for mode, m in measured.items():
        goal = GOALS[mode]
        ok = "meets" if m["median"] <= goal else "MISSES"
        print(
            f"  {mode:<8} median {m['median'] / 1e3:5.1f} kB, p90 {m['p90'] / 1e3:5.1f} kB a tick "
            f"({ok} the goal {goal / 1e3:.0f} kB); component {m['component'] / 1e3:.1f} kB + "
            f"other {m['other'] / 1e3:.1f} kB; {m['ticks']} ticks, {m['rate']:.1f} updates/s, "
            f"epochs {m['epochs'][0]}-{m['epochs'][1]}"
        )
        print(
            f"  {'':<8} reference (old tick, Plotly figures at the same epochs, "
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
