"""Benchmark: normviz.layers.normalize against torch.nn.functional, per kind.

Run: ``.venv/bin/python -m bench.bench_layers [--threads T] [--repeats R]``.
Input (32, 64, 56, 56) float32.
Prints, per kind, the median time of each and the ratio ours / reference (goal: <= 1.5x), both
measured in this run with the same ``torch.set_num_threads``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from normviz.layers import normalize

GROUPS = 8
REFERENCES = {
    "batch": ("F.batch_norm(training=True)", lambda x: F.batch_norm(x, None, None, training=True)),
    "layer": ("F.layer_norm", lambda x: F.layer_norm(x, x.shape[1:])),
    "instance": ("F.instance_norm", F.instance_norm),
    "group": (f"F.group_norm(G={GROUPS})", lambda x: F.group_norm(x, GROUPS)),
}


def median_ms(fns, x: torch.Tensor, repeats: int) -> list[float]:
    """Median milliseconds of each of ``fns``, run interleaved so they share the machine's noise."""
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn(x)  # warm up
    for _ in range(repeats):
        for fn, ts in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn(x)
            ts.append(time.perf_counter() - start)
    return [statistics.median(ts) * 1e3 for ts in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x = torch.randn(32, 64, 56, 56, generator=torch.Generator().manual_seed(0)) * 3 + 2
    print(f"normalize vs torch.nn.functional on {tuple(x.shape)} float32, "
          f"{args.threads} thread(s), median of {args.repeats}")  # fmt: skip
    for kind, (name, ref) in REFERENCES.items():
        ours_fn = lambda t, k=kind: normalize(t, k, GROUPS if k == "group" else None)  # noqa: E731
        ours_ms, ref_ms = median_ms((ours_fn, ref), x, args.repeats)
        err = (ours_fn(x) - ref(x)).abs().max().item()
        print(f"{kind:9s} ours {ours_ms:7.1f} ms  {name:28s} {ref_ms:7.1f} ms  "
              f"ratio {ours_ms / ref_ms:4.2f}x  max|diff| {err:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
