"""Payloads of the lab's live view: what changed since the browser's last update.

The live view (``docs/live-view.md``) is one chart surface that stays mounted in the browser.
Each tick, :class:`LiveFeed` turns the session's trainers into a small JSON-ready dict: the
history rows the browser does not hold yet, the newest decision-boundary grid (quantized to one
byte a cell), the weight histogram counts and the stop mark. The browser keeps everything it has
received; when it cannot apply a payload (a lost update, a remounted frame, a reload) it says how
many rows it holds, and :meth:`LiveFeed.answer` makes the next payload start from there. The
trainers' full history is always the source: deltas are an optimization, never the only copy.

No streamlit: a trainer is read by attribute (``history``, ``train``, ``test``, ``stopped``,
``changes``, ``boundary(resolution)``, ``weights()``), so tests can feed it stand-ins.
"""

from __future__ import annotations

import base64
import operator
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np

from normviz.figures import lab as figs
from normviz.lab_changes import change_text
from normviz.train_config import SPARSITY_THRESHOLD

ROW_FIELDS = (
    "epoch",
    "step",
    "samples_seen",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "weight_norm",
    "sparsity",
)
"""History columns sent to the browser: the x axes first (integers), then the metrics."""

_INT_FIELDS = frozenset(ROW_FIELDS[:3])
SIGNIFICANT_DIGITS = 5
"""Significant digits kept for metric values on the wire (the status line shows at most 3)."""

GRID_NOT_FINITE = 255
"""Grid byte of a cell whose probability is not finite; finite ones are ``round(254 * p)``."""

MAX_ROWS_PER_PAYLOAD = 20_000
"""Most history rows in one payload; a longer catch-up continues on the next ticks."""

OVERLAP_PAYLOADS = 3
"""A payload's rows start where the browser stood this many payloads ago (it repeats the new
rows of the previous ``OVERLAP_PAYLOADS - 1`` payloads).

The browser may never see a payload: when two ticks arrive within one frame of its event loop,
Streamlit posts only the newest arguments to the component. The overlap lets the next payloads
fill the hole without a round trip (the browser skips the rows it holds); only a longer loss
asks for a resend.
"""

GRID_REFRESH_PAYLOADS = 8
"""A boundary grid that has not changed is still resent after this many payloads."""

GHOST_ROWS = 400
"""Most rows of a previous run's history drawn faint (evenly thinned, first and last kept)."""

MAX_MARKS = 20
"""Most change marks sent per run (the newest)."""

ALT_EVERY = 10
"""While a run trains, the charts' text alternatives are rebuilt every this many payloads (and
with a run's first, and whenever nothing moved): a screen reader reads them on demand, and ten
a second would cost ~0.5 ms a tick for nothing."""


class TrainerLike(Protocol):
    """What the feed reads of a :class:`normviz.training.Trainer`."""

    history: Sequence[Any]
    train: Any
    test: Any
    stopped: Any

    def boundary(self, resolution: int = ...) -> Any:
        """Return P(class 1) on a ``resolution x resolution`` grid (a ``BoundaryGrid``)."""
        ...

    def weights(self) -> np.ndarray:
        """Return all weights as a 1-D float32 array (a copy)."""
        ...


class Ghost(NamedTuple):
    """A previous run of the same label, drawn faint until the next restart.

    Attributes
    ----------
    history : sequence of EpochRecord
        Its history (thinned to :data:`GHOST_ROWS` rows when sent).
    note : str
        What it was, for the legend (e.g. "previous run: hidden layers 16-16").
    """

    history: Sequence[Any]
    note: str


class LiveRun(NamedTuple):
    """One run of the live view.

    Attributes
    ----------
    label : str
        "" for a single run, "A" or "B" when comparing.
    token : str
        Identifies this training run: a new token (a reset, a new setting) makes the browser
        replace what it holds for the label.
    trainer : TrainerLike
        The run's trainer (its ``changes``, if any, are drawn as marks).
    ghost : Ghost or None
        The run this one replaced, when a setting forced a restart.
    """

    label: str
    token: str
    trainer: TrainerLike
    ghost: Ghost | None = None


def style() -> dict[str, Any]:
    """Return the colours and names the browser draws with (their one home: ``figures.lab``).

    Examples
    --------
    >>> s = style()
    >>> s["split"]["train"], s["classes"]
    ('#4f46e5', ['#f97316', '#2563eb'])
    """
    return {
        "split": dict(figs.SPLIT_COLOURS),
        "dashes": list(figs.RUN_DASHES),
        "runs": list(figs.RUN_COLOURS),
        "classes": list(figs.CLASS_COLOURS),
        "boundary": [list(stop) for stop in figs.BOUNDARY_SCALE],
        "norm": figs.NORM_LINE_COLOUR,
        "sparsity": figs.SPARSITY_COLOUR,
        "sparse_threshold": SPARSITY_THRESHOLD,
        "x_titles": dict(figs.X_AXIS_TITLES),
    }


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> list:
    """Return ``values`` rounded to ``digits`` significant digits as a list, None where not finite.

    Parameters
    ----------
    values : (N,) float array
    digits : int
        Significant digits kept (>= 1).

    Returns
    -------
    list of float or None

    Examples
    --------
    >>> round_significant(np.array([0.123456789, 12345.678, -0.000123456, 0.0, np.nan, np.inf]))
    [0.12346, 12346.0, -0.00012346, 0.0, None, None]
    """
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    safe = np.where(finite & (x != 0), np.abs(x), 1.0)
    exponent = digits - 1 - np.floor(np.log10(safe)).astype(np.int64)
    out = np.where(finite, x, 0.0)
    up = exponent >= 0  # scale up by an exact power of ten, round, scale back
    scale = 10.0 ** np.abs(exponent)
    out = np.where(up, np.round(out * scale) / scale, np.round(out / scale) * scale)
    return [v if ok else None for v, ok in zip(out.tolist(), finite.tolist(), strict=True)]


def history_columns(history: Sequence[Any], start: int, stop: int | None = None) -> dict:
    """Return records ``history[start:stop]`` as columns named by :data:`ROW_FIELDS`.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> rows = [R(epoch=e, step=3 * e, samples_seen=90 * e, train_loss=1 / (e + 1),
    ...           test_loss=float("nan"), train_acc=0.5, test_acc=0.25, weight_norm=2.0,
    ...           sparsity=0.0) for e in range(3)]
    >>> cols = history_columns(rows, 1)
    >>> cols["epoch"], cols["step"], cols["train_loss"], cols["test_loss"]
    ([1, 2], [3, 6], [0.5, 0.33333], [None, None])
    """
    rows = history[start:stop]
    if not rows:
        return {f: [] for f in ROW_FIELDS}
    get = operator.attrgetter(*ROW_FIELDS)
    table = list(zip(*map(get, rows), strict=True))  # one tuple per field
    columns = {f: [int(v) for v in table[i]] for i, f in enumerate(ROW_FIELDS) if f in _INT_FIELDS}
    floats = [i for i, f in enumerate(ROW_FIELDS) if f not in _INT_FIELDS]
    rounded = round_significant(np.array([table[i] for i in floats], dtype=np.float64).ravel())
    n = len(rows)
    for k, i in enumerate(floats):
        columns[ROW_FIELDS[i]] = rounded[k * n : (k + 1) * n]
    return {f: columns[f] for f in ROW_FIELDS}


def quantize_grid(grid: Any) -> dict[str, Any]:
    """Return a boundary grid as one byte a cell, base64-encoded.

    Parameters
    ----------
    grid : BoundaryGrid
        ``prob`` (R, R) in [0, 1], ``prob[i, j]`` at ``(xs[j], ys[i])``; ``xs`` and ``ys``
        increasing.

    Returns
    -------
    dict
        ``n`` (R), the extent ``x0, x1, y0, y1`` and ``q``: base64 of R*R bytes, row-major,
        row 0 at ``y0``; a byte is ``round(254 * p)``, :data:`GRID_NOT_FINITE` where p is not
        finite.

    Examples
    --------
    >>> from types import SimpleNamespace as G
    >>> g = G(xs=np.array([-1.0, 1.0]), ys=np.array([-1.0, 1.0]),
    ...       prob=np.array([[0.0, 0.5], [1.0, np.nan]], dtype=np.float32))
    >>> q = quantize_grid(g)
    >>> list(base64.b64decode(q["q"])), q["n"], q["x0"], q["y1"]
    ([0, 127, 254, 255], 2, -1.0, 1.0)
    """
    prob = np.asarray(grid.prob, dtype=np.float32)
    finite = np.isfinite(prob)
    q = np.where(finite, np.rint(np.clip(np.where(finite, prob, 0.0), 0, 1) * 254), GRID_NOT_FINITE)
    data = np.ascontiguousarray(q.astype(np.uint8)).tobytes()
    xs, ys = np.asarray(grid.xs), np.asarray(grid.ys)
    return {
        "n": int(prob.shape[0]),
        "x0": float(xs[0]),
        "x1": float(xs[-1]),
        "y0": float(ys[0]),
        "y1": float(ys[-1]),
        "q": base64.b64encode(data).decode("ascii"),
    }


def points(data: Any) -> dict[str, list]:
    """Return a dataset's points: ``x``, ``y`` coordinates (4 significant digits) and labels.

    Examples
    --------
    >>> from types import SimpleNamespace as D
    >>> points(D(x=np.array([[0.123456, -1.0]]), y=np.array([1])))
    {'x': [0.1235], 'y': [-1.0], 'label': [1]}
    """
    if data is None:
        return {"x": [], "y": [], "label": []}
    xy = np.asarray(data.x, dtype=np.float64).reshape(-1, 2)
    return {
        "x": round_significant(xy[:, 0], 4),
        "y": round_significant(xy[:, 1], 4),
        "label": [int(v) for v in np.asarray(data.y).ravel().tolist()],
    }


def thinned(n: int, most: int) -> list[int]:
    """Return at most ``most`` evenly spaced indices of ``range(n)``, first and last kept.

    Examples
    --------
    >>> thinned(10, 4), thinned(3, 4), thinned(0, 4)
    ([0, 3, 6, 9], [0, 1, 2], [])
    """
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


def change_marks(changes: Sequence[Any]) -> list[dict[str, Any]]:
    """Return the newest :data:`MAX_MARKS` change marks: where on each x axis, and what changed.

    Examples
    --------
    >>> from normviz.training import ChangeMark
    >>> change_marks([ChangeMark(3, 12, 300, (("lr", "0.01", "0.1"),))])
    [{'x': {'epoch': 3, 'step': 12, 'samples_seen': 300}, 'text': 'learning rate 0.01 → 0.1'}]
    """
    return [
        {
            "x": {"epoch": m.epoch, "step": m.step, "samples_seen": m.samples_seen},
            "text": change_text(m),
        }
        for m in list(changes)[-MAX_MARKS:]
    ]


def stop_mark(history: Sequence[Any], stop: Any) -> dict[str, Any] | None:
    """Return where and why a run stopped, on each x axis, or None while it trains.

    ``x`` holds the mark's position on each x axis (the best epoch of an early stop, the epoch
    of a divergence); it is None when there is nothing to mark (the epoch limit).

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> rows = [R(epoch=e, step=2 * e, samples_seen=20 * e) for e in range(5)]
    >>> stop = R(reason="early_stopping", epoch=4, best_epoch=2, message="Stopped.")
    >>> stop_mark(rows, stop)["x"]
    {'epoch': 2.0, 'step': 4.0, 'samples_seen': 40.0}
    """
    if stop is None:
        return None
    at = figs.stop_mark_epoch(stop)
    record = None
    if at is not None:
        if 0 <= at < len(history) and history[at].epoch == at:
            record = history[at]
        else:
            record = next((r for r in history if r.epoch == at), None)
    x = None if record is None else {f: float(getattr(record, f)) for f in ROW_FIELDS[:3]}
    return {"reason": stop.reason, "epoch": int(stop.epoch), "x": x, "text": str(stop.message)}


class LiveFeed:
    """The server's side of one browser session's live view.

    Parameters
    ----------
    stream : str or None
        The feed's id (a new random one when None). The browser treats a new stream as a new
        session and asks for what it lacks.

    Attributes
    ----------
    sent : dict of str to list of int
        Per run token, the history rows the browser holds after each of the last
        :data:`OVERLAP_PAYLOADS` payloads (as far as the feed knows), oldest first.
    seq : int
        Payloads built so far.
    """

    def __init__(self, stream: str | None = None) -> None:
        self.stream = stream or uuid.uuid4().hex[:12]
        self.sent: dict[str, list[int]] = {}
        self.seq = 0
        self._grids: dict[str, tuple[np.ndarray, int]] = {}  # token -> last grid sent, its seq
        self._answered: tuple | None = None

    def answer(self, reply: Mapping[str, Any] | None) -> bool:
        """Take the browser's reply into account; return True if it was a new request.

        Parameters
        ----------
        reply : mapping or None
            The component's value: ``{"stream", "frame", "have": {token: rows}, "ask"}``
            (``frame`` identifies one load of the browser's frame, ``ask`` counts its requests).
            A reply to another stream, or one already answered (same frame and ask), changes
            nothing.

        Examples
        --------
        >>> feed = LiveFeed("s1")
        >>> feed.sent = {"t": [30, 35, 40]}
        >>> feed.answer({"stream": "s1", "frame": "f", "have": {"t": 12}, "ask": 1}), feed.sent
        (True, {'t': [12]})
        >>> feed.answer({"stream": "s1", "frame": "f", "have": {"t": 0}, "ask": 1})  # answered
        False
        """
        if not isinstance(reply, Mapping) or reply.get("stream") != self.stream:
            return False
        ask, have = reply.get("ask"), reply.get("have")
        key = (str(reply.get("frame")), ask)
        if not isinstance(ask, int) or key == self._answered or not isinstance(have, Mapping):
            return False
        self._answered = key
        for token, ends in self.sent.items():
            held = have.get(token, 0)
            ok = isinstance(held, int) and not isinstance(held, bool) and held >= 0
            self.sent[token] = [min(ends[-1], held) if ok else 0]
            self._grids.pop(token, None)
        return True

    def forget(self) -> None:
        """Believe the browser holds nothing: the next payload sends every run whole.

        Examples
        --------
        >>> feed = LiveFeed("s1")
        >>> feed.sent = {"t": [30, 35, 40]}
        >>> feed.forget(); feed.sent
        {}
        """
        self.sent = {}
        self._grids = {}

    def hold(self, have: Mapping[str, Any]) -> None:
        """Believe the browser holds ``have`` ({run token: rows}): the next payload starts there.

        A token it does not name (or names with something other than a count >= 0) starts from
        row 0, with its points; a count above what was sent is taken as what was sent.

        Examples
        --------
        >>> feed = LiveFeed("s1")
        >>> feed.sent = {"t": [30, 35, 40], "u": [5]}
        >>> feed.hold({"t": 12, "u": "x"}); feed.sent
        {'t': [12], 'u': [0]}
        """
        for token, ends in self.sent.items():
            held = have.get(token, 0) if isinstance(have, Mapping) else 0
            ok = isinstance(held, int) and not isinstance(held, bool) and held >= 0
            self.sent[token] = [min(ends[-1], held) if ok else 0]
            self._grids.pop(token, None)

    def payload(
        self,
        runs: Sequence[LiveRun],
        x_axis: str = "epoch",
        resolution: int = 64,
        *,
        alt: bool = False,
    ) -> dict[str, Any]:
        """Return the next payload for ``runs`` and record what it sends.

        Parameters
        ----------
        runs : sequence of LiveRun
            One run, or two when comparing.
        x_axis : {"epoch", "step", "samples_seen"}
            The history column on the curves' x axis.
        resolution : int
            Side of the boundary grid (2 to 400).
        alt : bool
            Build the text alternatives now (say so when no tick follows, e.g. paused);
            otherwise they come every :data:`ALT_EVERY` payloads and whenever nothing moved.

        Returns
        -------
        dict
            JSON-ready, as ``docs/live-view.md`` specifies.
        """
        if x_axis not in figs.X_AXIS_TITLES:
            raise ValueError(f"x_axis must be one of {', '.join(figs.X_AXIS_TITLES)}")
        # Text alternatives every ALT_EVERY payloads, and whenever nothing moved since the last
        # payload (paused, stopped): what a screen reader reads then is exact.
        still = all(self.sent.get(r.token, [-1])[-1] == len(r.trainer.history) for r in runs)
        with_alt = alt or self.seq % ALT_EVERY == 0 or still
        weights = [r.trainer.weights() for r in runs]
        limit = figs.weight_limit(*weights)
        hists = [figs.weight_histogram_info(w, limit) for w in weights]
        curves, out_runs = [], []
        for run, hist in zip(runs, hists, strict=True):
            t = run.trainer
            history = t.history
            ends = self.sent.get(run.token, [0])
            base = min(ends[0], len(history))
            end = min(len(history), ends[-1] + MAX_ROWS_PER_PAYLOAD)
            grid = t.boundary(resolution)
            title = f"Run {run.label}" if run.label else "Decision boundary"
            item = {
                "label": run.label,
                "run": run.token,
                "base": base,
                "rows": history_columns(history, base, end),
                "hist": {
                    "counts": hist.counts.tolist(),
                    "n": hist.n,
                    "sparsity": round(hist.sparsity, 4),
                },
                "stop": stop_mark(history, t.stopped),
                "marks": change_marks(getattr(t, "changes", ())),
            }
            if with_alt or base == 0:
                item["alt_boundary"] = figs.boundary_alt(grid, t.train, t.test, title)
            if base == 0:
                item["points"] = {"train": points(t.train), "test": points(t.test)}
                if run.ghost is not None:
                    rows = [
                        run.ghost.history[i] for i in thinned(len(run.ghost.history), GHOST_ROWS)
                    ]
                    item["ghost"] = {"rows": history_columns(rows, 0), "note": run.ghost.note}
            if self._grid_changed(run.token, grid.prob, base == 0):
                item["grid"] = quantize_grid(grid)
            out_runs.append(item)
            self.sent[run.token] = [*ends, end][-OVERLAP_PAYLOADS:] if base else [end]
            with_alt = with_alt or base == 0
            if with_alt:
                curves.append(figs.curves_info(history, run.label, t.stopped, x_axis=x_axis))
        live = {r.token for r in runs}
        self.sent = {k: v for k, v in self.sent.items() if k in live}
        self._grids = {k: v for k, v in self._grids.items() if k in live}
        names = [f"Run {r.label}" if r.label else "" for r in runs]
        self.seq += 1
        payload = {
            "v": 1,
            "stream": self.stream,
            "seq": self.seq,
            "x_axis": x_axis,
            "x_title": figs.X_AXIS_TITLES[x_axis],
            "hist_limit": limit,
            "style": style(),
            "runs": out_runs,
        }
        if with_alt:
            if len(curves) < len(runs):  # a first payload of one run: the alt texts of all
                curves = [
                    figs.curves_info(r.trainer.history, r.label, r.trainer.stopped, x_axis=x_axis)
                    for r in runs
                ]
            payload["alt"] = {
                "curves": figs.curves_alt(curves),
                "norm": figs.weight_norm_alt(curves),
                "hist": figs.weight_histograms_alt(hists, names),
            }
        return payload

    def _grid_changed(self, token: str, prob: np.ndarray, force: bool) -> bool:
        """Whether to send this grid: it moved by more than one level, or it is due anyway."""
        level = np.rint(np.nan_to_num(np.asarray(prob, np.float32), nan=2.0) * 254)
        last = self._grids.get(token)
        due = force or last is None or self.seq - last[1] >= GRID_REFRESH_PAYLOADS
        if due or last[0].shape != level.shape or np.abs(level - last[0]).max() > 1:
            self._grids[token] = (level, self.seq)
            return True
        return False
