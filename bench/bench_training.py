"""Benchmark the lab's Trainer against a minimal hand-written PyTorch loop.

References: the plainest correct loop for the same model (2-16-16-2 MLP, ReLU, Adam, lr 0.01,
batch 32, 1000 points, half held out), index slicing of in-memory tensors, one thread, with
torch's default Adam ("minimal loop") and with the fused Adam kernel the Trainer itself uses
("minimal loop, fused"; the fair reference for the Trainer's own overhead). All start from the
same weights; rounds alternate between them so machine noise hits all alike. Goal: Trainer.step
reaches at least 0.8 of the fused reference's steps per second (it does more: epoch-end
evaluation on both splits, history records, stop checks).

Also prints the cost of boundary(80), weights() and history_csv() against one training step.

Run: .venv/bin/python -m bench.bench_training [--repeats 7] [--steps 1500]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from normviz.training import TrainConfig, Trainer

CONFIG = TrainConfig(n_samples=1000, max_epochs=100_000)


def _reference_rate(steps: int, fused: bool) -> float:
    """Steps per second of the minimal loop (same model, data, optimizer)."""
    trainer = Trainer(CONFIG)  # only to borrow identical data and initial weights
    model, x, y = trainer.model, trainer._xtr, trainer._ytr
    opt = torch.optim.Adam(model.parameters(), lr=CONFIG.lr, fused=fused or None)
    gen = torch.Generator().manual_seed(0)
    model.train()
    done = 0
    start = time.perf_counter()
    while done < steps:
        for idx in torch.randperm(len(y), generator=gen).split(CONFIG.batch_size):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            done += 1
            if done == steps:
                break
    return steps / (time.perf_counter() - start)


def _trainer_rate(steps: int) -> float:
    trainer = Trainer(CONFIG)
    start = time.perf_counter()
    trainer.step(steps)
    return steps / (time.perf_counter() - start)


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    torch.set_num_threads(1)

    _reference_rate(200, False), _reference_rate(200, True), _trainer_rate(200)  # warm up
    ref, fused, ours = [], [], []
    for _ in range(args.repeats):
        ref.append(_reference_rate(args.steps, fused=False))
        fused.append(_reference_rate(args.steps, fused=True))
        ours.append(_trainer_rate(args.steps))
    ref_rate, fused_rate = statistics.median(ref), statistics.median(fused)
    our_rate = statistics.median(ours)
    step_s = 1.0 / our_rate
    print(f"config: hidden {CONFIG.hidden}, batch {CONFIG.batch_size}, {CONFIG.n_samples} points,")
    print(f"  {CONFIG.optimizer}, 1 thread, {args.steps} steps x {args.repeats} repeats (medians)")
    print(f"minimal loop (default Adam) : {ref_rate:8.0f} steps/s")
    print(f"minimal loop (fused Adam)   : {fused_rate:8.0f} steps/s")
    print(f"Trainer.step                : {our_rate:8.0f} steps/s")
    print(f"ratio Trainer / minimal     : {our_rate / ref_rate:8.2f}")
    print(f"ratio Trainer / min. fused  : {our_rate / fused_rate:8.2f}   (goal >= 0.80)")

    trainer = Trainer(CONFIG)
    trainer.step(2000)
    for name, fn in (
        ("boundary(80)", lambda: trainer.boundary(80)),
        ("weights()", trainer.weights),
        ("history_csv()", trainer.history_csv),
    ):
        t = _median_time(fn, args.repeats * 3)
        print(f"{name:<28}: {t * 1e3:7.3f} ms = {t / step_s:6.2f} training steps")
    print(f"  (history_csv over {len(trainer.history)} records)")


if __name__ == "__main__":
    main()
