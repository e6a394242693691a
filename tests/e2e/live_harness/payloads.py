"""Synthetic live-view payloads (docs/live-view.md) for the component's browser tests.

The rows follow closed forms of the row index, so a test knows every value the browser holds;
the boundary grid is P(class 1) = sigmoid(sign * 3 * (x + y)) on [-2, 2]^2, so its top right
corner is class 1 (blue) for ``sign=1`` and class 0 (orange) for ``sign=-1``.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from normviz.serving.live_feed import style

STYLE: dict[str, Any] = style()
"""The style record the lab sends (``live_feed.style``: colours of figures/lab.py)."""

BATCH = 8
"""Updates per epoch of the synthetic runs: ``step = 8 * epoch``."""
SAMPLES = 256
"""Samples per epoch: ``samples_seen = 256 * epoch``."""
BINS = 21
"""Bins of the weight histograms."""


def rows(a: int, b: int, null_from: int | None = None) -> dict[str, list]:
    """Return history rows ``a`` to ``b - 1`` (epoch = row index) as payload columns.

    Parameters
    ----------
    a, b : int
        First and one-past-last row (``0 <= a <= b``).
    null_from : int, optional
        From this row on, the losses and the weight norm are null (a diverged run).
    """
    i = np.arange(a, b, dtype=np.float64)
    loss = 0.7 * np.exp(-i / 400.0) + 0.05
    cols: dict[str, list] = {
        "epoch": [int(v) for v in i],
        "step": [int(v) * BATCH for v in i],
        "samples_seen": [int(v) * SAMPLES for v in i],
        "train_loss": loss.tolist(),
        "test_loss": (loss * 1.1).tolist(),
        "train_acc": (1.0 - 0.5 * np.exp(-i / 300.0)).tolist(),
        "test_acc": (0.98 - 0.5 * np.exp(-i / 300.0)).tolist(),
        "weight_norm": (3.0 + np.log1p(i)).tolist(),
        "sparsity": np.clip(i / 4000.0, 0.0, 1.0).tolist(),
    }
    if null_from is not None:
        for name in ("train_loss", "test_loss", "weight_norm"):
            cols[name] = [None if a + k >= null_from else v for k, v in enumerate(cols[name])]
    return cols


def grid(n: int = 40, sign: float = 1.0) -> dict[str, Any]:
    """Return a quantized boundary grid on [-2, 2]^2 (``q``: base64 of n*n bytes, row 0 at y0)."""
    xs = np.linspace(-2.0, 2.0, n)
    xx, yy = np.meshgrid(xs, xs)  # yy[i, j] = xs[i]: row i at y = xs[i]
    p = 1.0 / (1.0 + np.exp(-sign * 3.0 * (xx + yy)))
    q = np.round(254 * p).astype(np.uint8)
    return {
        "n": n,
        "x0": -2.0,
        "x1": 2.0,
        "y0": -2.0,
        "y1": 2.0,
        "q": base64.b64encode(q.tobytes()).decode("ascii"),
    }


def points(seed: int = 0, n: int = 60) -> dict[str, Any]:
    """Return train and test points of two classes split by the line x + y = 0."""
    rng = np.random.default_rng(seed)

    def one(k: int) -> dict[str, list]:
        xy = rng.uniform(-1.8, 1.8, size=(k, 2))
        return {
            "x": xy[:, 0].tolist(),
            "y": xy[:, 1].tolist(),
            "label": [int(v) for v in (xy.sum(axis=1) > 0)],
        }

    return {"train": one(n), "test": one(n // 2)}


def hist(scale: float = 1.0) -> dict[str, Any]:
    """Return weight-histogram counts of a bell over :data:`BINS` bins."""
    c = np.round(scale * 100 * np.exp(-(np.linspace(-2, 2, BINS) ** 2))).astype(int)
    return {"counts": c.tolist(), "n": int(c.sum()), "sparsity": 0.05}


def run(
    token: str,
    base: int,
    end: int,
    label: str = "",
    sign: float = 1.0,
    stop: dict[str, Any] | None = None,
    null_from: int | None = None,
) -> dict[str, Any]:
    """Return one run of a payload: rows ``base`` to ``end - 1`` (points when ``base == 0``)."""
    r: dict[str, Any] = {
        "label": label,
        "run": token,
        "base": base,
        "rows": rows(base, end, null_from),
        "grid": grid(sign=sign),
        "hist": hist(1.0 if label != "B" else 0.6),
        "stop": stop,
        "alt_boundary": f"Decision boundary of run {label or token}: class 1 at the top right.",
    }
    if base == 0:
        r["points"] = points()
    return r


def feed(
    stream: str, seq: int, runs: list[dict[str, Any]], x_axis: str = "epoch"
) -> dict[str, Any]:
    """Return a payload ``args["feed"]`` holding ``runs``."""
    titles = {"epoch": "epoch", "step": "updates", "samples_seen": "samples seen"}
    return {
        "v": 1,
        "stream": stream,
        "seq": seq,
        "x_axis": x_axis,
        "x_title": titles[x_axis],
        "hist_limit": 1.5,
        "style": STYLE,
        "alt": {
            "curves": "Loss and accuracy of the run so far.",
            "norm": "Weight norm and share of weights near zero.",
            "hist": "Histogram of the network's weights.",
        },
        "runs": runs,
    }


def stop_at(epoch: int, reason: str = "early_stopping") -> dict[str, Any]:
    """Return a ``stop`` record at ``epoch`` (x on each axis from the closed forms above)."""
    return {
        "reason": reason,
        "epoch": epoch,
        "x": {
            "epoch": float(epoch),
            "step": float(epoch * BATCH),
            "samples_seen": float(epoch * SAMPLES),
        },
        "text": "early stop" if reason == "early_stopping" else "diverged",
    }
