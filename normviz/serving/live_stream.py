r"""Live training outside Streamlit's reruns: sessions, their channels and one worker thread.

The lab's live view (``docs/live-view.md``) is fed by a stream, not by page reruns. A
:class:`LiveSession` holds one browser session's trainers, its running flag and its
:class:`~normviz.serving.live_feed.LiveFeed`; Streamlit's callbacks (Start, Pause, Step, Reset,
a changed setting) change it under its lock. One process-wide :class:`Worker` thread trains the
running sessions in turn, each for its budget (:func:`plan_tick`), builds each payload with the
session's feed and publishes it, JSON-encoded once, on the session's :class:`Channel`; the
Server-Sent Events route (:mod:`normviz.serving.sse`) sends it to the browser. Sessions are
found by an unguessable token in a bounded :class:`Registry`.

The EventSource connection is the lease: a running session with no subscriber for
:data:`NO_SUBSCRIBER_STOP_S` seconds stops training (a closed tab stops its training; before its
first stream since Start, :data:`FIRST_STREAM_S`), and a
session idle for :data:`IDLE_DROP_S` seconds with no subscriber is dropped from the registry.

No streamlit: trainers are read and driven by attribute (``history``, ``stopped``,
``run_for(seconds, max_steps)``, ``step(n)``), so tests can use stand-ins.

Notes
-----
With ``k`` running sessions, each gets an update every

.. math:: \Delta(k) = \operatorname{clip}(k / R,\; \Delta_{min},\; \Delta_{max})

seconds (:func:`~normviz.serving.fairshare.tick_interval`, ``R`` updates a second for the whole
server; x1.5 when comparing) and trains for

.. math:: b(k) = \operatorname{clip}(s\,\Delta(k) / k,\; b_{min},\; b_{max}) / \text{runs}

seconds of it, ``s`` the share of a core given to training (more for a learner alone). One
learner alone: an update every 0.1 s with 20 ms of training; thirty: every 0.75 s with 3 ms.
"""

from __future__ import annotations

import heapq
import json
import logging
import secrets
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from normviz.lab_status import status_line
from normviz.serving.fairshare import (
    MAX_BUDGET,
    MIN_BUDGET,
    LeaseTable,
    TakeTurns,
    phase_spread,
    tick_interval,
)
from normviz.serving.live_feed import Ghost, LiveFeed, LiveRun

CAPACITY = 32
"""Most sessions training at once in one process; a Start beyond it is told the server is busy."""

NO_SUBSCRIBER_STOP_S = 10.0
"""A running session with no open stream for this long stops training (a closed tab)."""

FIRST_STREAM_S = 60.0
"""... but a session whose stream has not opened since Start gets this long: on a saturated
machine a newcomer's frame can take more than 10 s to load (measured: a class of 30 Chromium
tabs on the server's own 2 cores)."""

IDLE_DROP_S = 30 * 60.0
"""A session with no stream and no page run for this long is dropped from the registry."""

MAX_SESSIONS = 512
"""Most sessions a registry holds; beyond it the least recently used idle one is dropped."""

KEEP_PAYLOADS = 16
"""Payloads a channel keeps for a reconnecting browser to resume from (``Last-Event-ID``)."""

SERVER_UPDATES_PER_SECOND = 40.0
"""Live updates a second for the whole process, all sessions together."""

FASTEST_S = 0.1
"""Seconds between one learner's updates when alone: ten updates a second."""

SLOWEST_S = 1.3
"""Seconds between updates with a full class (compare mode x1.5: within 2 s)."""

LONE_CORE_SHARE = 0.2
"""CPU seconds of training per second for one session training alone."""

CLASS_CORE_SHARE = 0.12
"""CPU seconds of training per second shared by the sessions of a class."""

MAX_STEPS_PER_UPDATE = 500
"""Most optimizer steps of one run per update (a bound on a fast machine)."""

LEASE_TTL = 8.0
"""Seconds a training place lives without renewal (the worker renews it every update)."""

_LOG = logging.getLogger(__name__)
_LEASES = LeaseTable(CAPACITY, LEASE_TTL)
_TURNS = TakeTurns(patience=5.0)


def leases() -> LeaseTable:
    """Return the process-wide table of training places (owners: session tokens)."""
    return _LEASES


def turns() -> TakeTurns:
    """Return the process-wide turn that live updates and other long CPU work take in order."""
    return _TURNS


class Pacing(NamedTuple):
    """How one session trains while ``active`` sessions train.

    Attributes
    ----------
    interval : float
        Seconds between its updates.
    budget : float
        Seconds of training per update for each of its runs.
    """

    interval: float
    budget: float


def plan_tick(active: int, runs: int = 1) -> Pacing:
    """Return the pacing of one session while ``active`` sessions train (itself included).

    Parameters
    ----------
    active : int
        Sessions training now (0 counts as 1).
    runs : int
        Trainers of this session (2 when comparing).

    Returns
    -------
    Pacing
        ``interval`` from :func:`~normviz.serving.fairshare.tick_interval` (0.1 s alone, at most
        1.3 s, x1.5 for two runs) and ``budget`` the session's fair share of
        :data:`CLASS_CORE_SHARE` (or :data:`LONE_CORE_SHARE` alone) over one interval, clipped
        to the fair-share bounds and split between its runs.

    Examples
    --------
    >>> p = plan_tick(1)
    >>> round(p.interval, 3), round(p.budget, 4)
    (0.1, 0.02)
    >>> p = plan_tick(30)
    >>> round(p.interval, 3), round(p.budget, 4)
    (0.75, 0.003)
    >>> p = plan_tick(30, runs=2)
    >>> round(p.interval, 3), round(p.budget, 4)
    (1.125, 0.0023)
    """
    k = max(int(active), 1)
    interval = tick_interval(
        k, SERVER_UPDATES_PER_SECOND, fastest=FASTEST_S, slowest=SLOWEST_S, runs=runs
    )
    share = LONE_CORE_SHARE if k <= 1 else CLASS_CORE_SHARE
    budget = min(max(share * interval / k, MIN_BUDGET), MAX_BUDGET) / max(int(runs), 1)
    return Pacing(interval, budget)


def encode(payload: Mapping[str, Any]) -> str:
    """Return ``payload`` as compact JSON (no NaN: the feed sends null for a non-finite value).

    Examples
    --------
    >>> encode({"a": [1, None], "b": "x"})
    '{"a":[1,null],"b":"x"}'
    """
    return json.dumps(payload, separators=(",", ":"), allow_nan=False)


class Channel:
    """The latest payloads of one session, numbered, with a condition to wait on.

    Parameters
    ----------
    keep : int
        Payloads kept for a browser that resumes (>= 1).

    Attributes
    ----------
    subscribers : int
        Streams open on this channel now.
    seen : float
        ``time.monotonic()`` when the last stream closed (or the channel was made).

    Examples
    --------
    >>> ch = Channel(keep=2)
    >>> [ch.publish(7, str(k)) for k in range(3)]
    [7, 7, 7]
    >>> ch.publish(8, "x"), ch.publish(9, "y"), ch.latest()
    (8, 9, (9, 'y'))
    >>> ch.since(8), ch.since(6) is None, ch.since(9)
    ([(9, 'y')], True, [])
    """

    def __init__(self, keep: int = KEEP_PAYLOADS) -> None:
        if keep < 1:
            raise ValueError(f"keep must be >= 1 (got {keep})")
        self._cond = threading.Condition()
        self._kept: deque[tuple[int, str]] = deque(maxlen=keep)
        self._waiters: set[Callable[[], None]] = set()
        self.subscribers = 0
        self.opened = 0  # streams opened so far
        self.seen = time.monotonic()

    def publish(self, seq: int, data: str) -> int:
        """Keep payload ``data`` (JSON text) numbered ``seq`` and wake every waiter; return seq.

        A payload with the same number as the newest replaces it.
        """
        with self._cond:
            if self._kept and self._kept[-1][0] == seq:
                self._kept.pop()
            self._kept.append((int(seq), data))
            self._cond.notify_all()
            waiters = list(self._waiters)
        for wake in waiters:
            wake()
        return seq

    def latest(self) -> tuple[int, str] | None:
        """Return the newest payload and its number, or None before the first."""
        with self._cond:
            return self._kept[-1] if self._kept else None

    def since(self, seq: int) -> list[tuple[int, str]] | None:
        """Return the kept payloads numbered above ``seq``, oldest first.

        None when some of them are no longer kept (the browser must say what it holds).
        """
        with self._cond:
            if not self._kept:
                return []
            if self._kept[0][0] > seq + 1 and self._kept[-1][0] > seq:
                return None
            return [(s, d) for s, d in self._kept if s > seq]

    def wait(self, seq: int, timeout: float) -> list[tuple[int, str]] | None:
        """Block until a payload numbered above ``seq`` is kept or ``timeout`` s pass.

        Returns what :meth:`since` returns then (an empty list on timeout).
        """
        end = time.monotonic() + timeout
        with self._cond:
            while not (self._kept and self._kept[-1][0] > seq):
                left = end - time.monotonic()
                if left <= 0:
                    return []
                self._cond.wait(left)
        return self.since(seq)

    def add_waiter(self, wake: Callable[[], None]) -> None:
        """Call ``wake()`` (from the publishing thread) on every publish until removed."""
        with self._cond:
            self._waiters.add(wake)

    def remove_waiter(self, wake: Callable[[], None]) -> None:
        """Stop calling ``wake``."""
        with self._cond:
            self._waiters.discard(wake)

    def subscribe(self) -> None:
        """Count one more open stream."""
        with self._cond:
            self.subscribers += 1
            self.opened += 1

    def unsubscribe(self, now: float | None = None) -> None:
        """Count one stream fewer; the time is kept as :attr:`seen`."""
        with self._cond:
            self.subscribers = max(self.subscribers - 1, 0)
            self.seen = time.monotonic() if now is None else now

    def unwatched_for(self, now: float) -> float:
        """Seconds without any open stream at ``now`` (0 while one is open)."""
        with self._cond:
            return 0.0 if self.subscribers else max(now - self.seen, 0.0)


class LiveSession:
    """One browser session's live training: trainers, running flag, labels, feed and channel.

    Every method takes the session's lock: Streamlit's callbacks and the worker never change a
    trainer at the same time.

    Parameters
    ----------
    token : str
        The session's unguessable id (the stream's address).
    resolution : int
        Side of the decision-boundary grid sent.

    Attributes
    ----------
    lock : threading.RLock
        Held while the trainers are read or changed.
    running : bool
        Whether the worker trains it.
    stopped_by : str or None
        Why training stopped without a user action: "stopped" (every run stopped by itself),
        "no_stream" (no browser for :data:`NO_SUBSCRIBER_STOP_S`), or None.
    """

    def __init__(self, token: str, resolution: int = 48) -> None:
        self.token = token
        self.resolution = int(resolution)
        self.lock = threading.RLock()
        self.channel = Channel()
        self.feed = LiveFeed(token[:12])
        self.trainers: list[Any] = []
        self.labels: list[str] = []
        self.run_tokens: list[str] = []
        self.ghosts: dict[str, Ghost] = {}
        self.x_axis = "epoch"
        self.running = False
        self.stopped_by: str | None = None
        self.touched = time.monotonic()
        self.next_at = 0.0
        self.opened_at_start = 0
        self.spread = phase_spread(token)

    # -- changed by Streamlit's callbacks --------------------------------------------------

    def replace(
        self,
        trainers: Sequence[Any],
        labels: Sequence[str],
        run_tokens: Sequence[str],
        ghosts: Mapping[str, Ghost] | None = None,
    ) -> None:
        """Train ``trainers`` from now on (new runs: the browser replaces what it holds)."""
        with self.lock:
            self.trainers = list(trainers)
            self.labels = list(labels)
            self.run_tokens = list(run_tokens)
            self.ghosts = dict(ghosts or {})

    def start(self, now: float | None = None) -> bool:
        """Train from the next update on, if a training place is free; return whether it is.

        The stream has :data:`NO_SUBSCRIBER_STOP_S` seconds from now to open.
        """
        now = time.monotonic() if now is None else now
        if not _LEASES.acquire(self.token, now):
            return False
        with self.lock:
            self.running = True
            self.stopped_by = None
            self.next_at = 0.0
            # Streams opened before this Start: one open now counts as watched.
            self.opened_at_start = self.channel.opened - self.channel.subscribers
        self.channel.seen = max(self.channel.seen, now)
        worker = _WORKER
        if worker is not None:
            worker.wake()
        return True

    def pause(self) -> None:
        """Stop training after the update in progress; free the training place."""
        with self.lock:
            self.running = False
        _LEASES.release(self.token)

    def step(self, updates: Callable[[Any], int]) -> None:
        """Pause, then train every run for ``updates(trainer)`` optimizer steps."""
        self.pause()
        with self.lock:
            for t in self.trainers:
                t.step(updates(t))

    def touch(self) -> None:
        """Record that the session's page ran (it is not idle)."""
        self.touched = time.monotonic()

    # -- payloads ------------------------------------------------------------------------

    def runs(self) -> list[LiveRun]:
        """Return the live runs the feed reads (under the lock)."""
        return [
            LiveRun(lab, tok, t, self.ghosts.get(lab))
            for lab, tok, t in zip(self.labels, self.run_tokens, self.trainers, strict=True)
        ]

    def payload(self, *, full: bool = False, alt: bool = False) -> dict[str, Any]:
        """Build the next payload: what changed, or everything when ``full``.

        The payload carries the run's status lines (``runs[i]["status"]``), whether the session
        trains (``running``) and why it stopped (``stopped_by``).
        """
        with self.lock:
            if full:
                self.feed.forget()
            payload = self.feed.payload(self.runs(), self.x_axis, self.resolution, alt=alt)
            for item, t, lab in zip(payload["runs"], self.trainers, self.labels, strict=True):
                if t.history:
                    item["status"] = status_line(t.history[-1], lab)
            payload["running"] = self.running
            payload["stopped_by"] = self.stopped_by
            payload["token"] = self.token
            return payload

    def publish(self, *, full: bool = False, alt: bool = False) -> int:
        """Build the next payload and publish it on the channel; return its number."""
        with self.lock:
            payload = self.payload(full=full, alt=alt)
        return self.channel.publish(payload["seq"], encode(payload))

    def resume(self, have: Mapping[str, Any] | None) -> int:
        """Publish what a browser (re)connecting with ``have`` ({run token: rows}) lacks."""
        with self.lock:
            self.feed.hold(have or {})
            return self.publish(alt=not self.running)

    # -- the worker's part ---------------------------------------------------------------

    def train_once(self, budget: float, max_steps: int = MAX_STEPS_PER_UPDATE) -> bool:
        """Train each run for ``budget`` seconds; stop when every run has stopped.

        Returns
        -------
        bool
            Whether it trained (it was running).
        """
        with self.lock:
            if not self.running or not self.trainers:
                return False
            if not _LEASES.acquire(self.token, time.monotonic()):  # renewal; lost if expired
                self.running = False
                self.stopped_by = "busy"
                return True
            for t in self.trainers:
                if t.stopped is None:
                    t.run_for(budget, max_steps)
            if all(t.stopped is not None for t in self.trainers):
                self.running = False
                self.stopped_by = "stopped"
        if not self.running:
            _LEASES.release(self.token)
        return True


class Registry:
    """Sessions by unguessable token, bounded, dropped when their page goes or idles.

    Parameters
    ----------
    capacity : int
        Most sessions kept (the least recently touched idle one goes first).
    idle_s : float
        A session with no stream and no page run for this long is dropped.

    Examples
    --------
    >>> reg = Registry(capacity=2)
    >>> a, b = reg.create(), reg.create()
    >>> reg.get(a.token) is a, len(reg)
    (True, 2)
    >>> c = reg.create()
    >>> reg.get(b.token) is None, reg.get(a.token) is a  # the least recently used went
    (True, True)
    >>> reg.get("no such token") is None
    True
    """

    def __init__(self, capacity: int = MAX_SESSIONS, idle_s: float = IDLE_DROP_S) -> None:
        self.capacity = int(capacity)
        self.idle_s = float(idle_s)
        self._sessions: OrderedDict[str, LiveSession] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, owner: object | None = None, resolution: int = 48) -> LiveSession:
        """Make a session with a new token; with ``owner``, drop it when ``owner`` is freed."""
        session = LiveSession(secrets.token_urlsafe(24), resolution)
        with self._lock:
            self._sessions[session.token] = session
            while len(self._sessions) > self.capacity:
                victim = next(
                    (s for s in self._sessions.values() if not s.channel.subscribers),
                    next(iter(self._sessions.values())),
                )
                self._drop_locked(victim.token)
        if owner is not None:
            weakref.finalize(owner, self.drop, session.token)
        return session

    def get(self, token: str) -> LiveSession | None:
        """Return the session of ``token`` (now the most recently used), or None."""
        if not isinstance(token, str):
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is not None:
                self._sessions.move_to_end(token)
            return session

    def drop(self, token: str) -> None:
        """Forget the session of ``token`` (it stops training)."""
        with self._lock:
            self._drop_locked(token)

    def _drop_locked(self, token: str) -> None:
        session = self._sessions.pop(token, None)
        if session is not None:
            session.running = False  # a plain flag: the worker reads it under the lock
            _LEASES.release(token)

    def sessions(self) -> list[LiveSession]:
        """Return every session (a copy of the list)."""
        with self._lock:
            return list(self._sessions.values())

    def running(self) -> list[LiveSession]:
        """Return the sessions that train now."""
        return [s for s in self.sessions() if s.running]

    def sweep(self, now: float | None = None) -> None:
        """Stop sessions nobody watches and drop idle ones (the worker calls it)."""
        now = time.monotonic() if now is None else now
        for s in self.sessions():
            unwatched = s.channel.unwatched_for(now)
            watched = s.channel.opened > s.opened_at_start  # a stream since Start
            if s.running and unwatched >= (NO_SUBSCRIBER_STOP_S if watched else FIRST_STREAM_S):
                with s.lock:
                    s.running = False
                    s.stopped_by = "no_stream"
                _LEASES.release(s.token)
            if unwatched >= self.idle_s and now - s.touched >= self.idle_s:
                self.drop(s.token)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


class Worker:
    """One daemon thread that trains the running sessions of a registry in turn.

    Each running session is due every :func:`plan_tick` interval (spread by a few percent per
    session, so a class that pressed Start together does not update in lockstep); when due it
    trains for its budget and publishes a payload. Paused sessions cost nothing.

    Parameters
    ----------
    registry : Registry
        Whose sessions it trains.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.updates = 0
        self.thread = threading.Thread(target=self._loop, name="normviz-live", daemon=True)

    def start(self) -> Worker:
        """Start the thread; return self."""
        self.thread.start()
        return self

    def wake(self) -> None:
        """Look at the sessions now (a session started)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (tests)."""
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            delay = self.run_due(time.monotonic())
            self._wake.wait(delay)
            self._wake.clear()

    def run_due(self, now: float) -> float:
        """Update every session due at ``now``; return seconds until the next is due."""
        self.registry.sweep(now)
        running = self.registry.running()
        if not running:
            return 1.0
        active = len(running)
        due = [(s.next_at, i, s) for i, s in enumerate(running) if s.next_at <= now]
        heapq.heapify(due)
        while due:
            _, _, s = heapq.heappop(due)
            pace = plan_tick(active, len(s.trainers))
            try:
                with _TURNS:
                    trained = s.train_once(pace.budget)
                    if trained:
                        s.publish(alt=not s.running)
            except Exception:  # one broken session must not stop the others
                with s.lock:
                    s.running = False
                    s.stopped_by = "error"
                _LEASES.release(s.token)
                _LOG.exception("live session update failed")
                continue
            self.updates += 1
            s.next_at = max(s.next_at + pace.interval * s.spread, time.monotonic())
        soonest = min((s.next_at for s in running if s.running), default=now + 1.0)
        return max(soonest - time.monotonic(), 0.0)


_REGISTRY = Registry()
_WORKER: Worker | None = None
_WORKER_LOCK = threading.Lock()


def registry() -> Registry:
    """Return the process-wide registry of live sessions."""
    return _REGISTRY


def ensure_worker() -> Worker:
    """Return the process-wide worker, starting its thread on the first call."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None or not _WORKER.thread.is_alive():
            _WORKER = Worker(_REGISTRY).start()
        return _WORKER
