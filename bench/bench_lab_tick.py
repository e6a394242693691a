"""Server-side cost of one live tick of the regularization lab (training slice + figures).

Run from the project root: ``.venv/bin/python bench/bench_lab_tick.py``

A tick does ``Trainer.run_for(budget)``, a boundary grid, the figures and their JSON (what
``st.plotly_chart`` serializes). Reference, measured in the same run: the same figures built the
naive way (validated ``go.Figure`` objects, float32 heatmap, full history), which is what a first
version of such a page does. Printed: medians of several repeats, and ratios.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import plotly.graph_objects as go
import plotly.io as pio
import torch

from normviz.figures import lab as figs
from normviz.training import TrainConfig, Trainer

torch.set_num_threads(1)
REPEATS = 15


def lean_figures(t: Trainer) -> int:
    curves = [figs.curves_info(t.history, "", t.stopped)]
    w = t.weights()
    out = [
        figs.plot_boundary(t.boundary(64), t.train, t.test),
        figs.plot_training_curves(curves),
        figs.plot_weight_histograms([figs.weight_histogram_info(w)], ["w"]),
        figs.plot_weight_norm(curves),
    ]
    return sum(len(pio.to_json(f.to_dict(), validate=False)) for f in out)


def naive_figures(t: Trainer) -> int:
    g = t.boundary(80)
    h = t.history
    ep = [r.epoch for r in h]
    out = [
        go.Figure([go.Heatmap(x=g.xs, y=g.ys, z=g.prob), go.Scatter(x=t.train.x[:, 0],
                   y=t.train.x[:, 1], mode="markers", marker={"color": t.train.y})]),
        go.Figure([go.Scatter(x=ep, y=[getattr(r, f) for r in h]) for f in
                   ("train_loss", "test_loss", "train_acc", "test_acc")]),
        go.Figure([go.Histogram(x=t.weights())]),
        go.Figure([go.Scatter(x=ep, y=[r.weight_norm for r in h])]),
    ]  # fmt: skip
    return sum(len(pio.to_json(f, validate=True)) for f in out)


def median_ms(fn, *args) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        size = fn(*args)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), size


def main() -> None:
    t = Trainer(TrainConfig(max_epochs=100_000))
    t.step(7 * 400)  # 400 epochs of history
    budget = 0.002  # the per-tick training budget with 30 trainings (fairshare floor)
    train_ms, _ = median_ms(lambda: t.run_for(budget, 500) and 0)
    lean_ms, lean_bytes = median_ms(lean_figures, t)
    naive_ms, naive_bytes = median_ms(naive_figures, t)
    print(f"history: {len(t.history)} epochs; repeats: {REPEATS}; medians")
    print(f"reference (naive figures): {naive_ms:7.1f} ms, {naive_bytes / 1e3:6.1f} kB JSON")
    print(f"lean figures:              {lean_ms:7.1f} ms, {lean_bytes / 1e3:6.1f} kB JSON")
    print(f"training slice (2 ms budget): {train_ms:5.1f} ms")
    tick = lean_ms + train_ms
    print(f"tick (lean figures + training): {tick:.1f} ms")
    print(f"ratio lean/naive figures time: {lean_ms / naive_ms:.2f}; bytes: "
          f"{lean_bytes / naive_bytes:.2f}")  # fmt: skip
    print(f"ticks of 30 sessions per second of one core at this cost: {1000 / tick / 30:.2f}")


if __name__ == "__main__":
    main()
