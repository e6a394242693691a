r"""Fair sharing of one server's CPU between live trainings.

A Streamlit server runs every browser session in one process. Each training session asks for
a bounded slice of work on every tick of its live view; this module decides who may train at
all (a capped table of leases) and how much work each tick may do (a CPU budget split between
the active leases). It is pure Python, thread-safe and holds only opaque owner ids: no user
data.

A lease is renewed on every tick. A closed browser tab sends no more ticks, so its lease
expires after ``ttl`` seconds and frees its place without any explicit release.

Notes
-----
With ``k`` active leases and a per-tick CPU budget ``T`` (seconds of work all sessions together
may do per tick), each session gets

.. math:: b(k) = \operatorname{clip}(T / \max(k, 1),\; b_{min},\; b_{max})

which never grows as ``k`` grows. The floor ``b_min`` keeps a crowded class moving (a few
optimizer steps per tick); the ceiling ``b_max`` keeps a lone session's ticks short, so a
newcomer's first page is never queued behind a long tick.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from normviz._checks import check_int, is_real

MIN_BUDGET = 0.002
"""Smallest per-tick work budget, in seconds."""

MAX_BUDGET = 0.100
"""Largest per-tick work budget, in seconds."""


class LeaseTable:
    """A thread-safe table of at most ``capacity`` training leases that expire after ``ttl``.

    Parameters
    ----------
    capacity : int
        Most trainings allowed at once (>= 1).
    ttl : float
        Seconds a lease lives without renewal (> 0).

    Examples
    --------
    >>> table = LeaseTable(capacity=2, ttl=5.0)
    >>> table.acquire("a", now=0.0), table.acquire("b", now=0.0), table.acquire("c", now=0.0)
    (True, True, False)
    >>> table.active(now=1.0)
    2
    >>> table.acquire("a", now=4.0)  # renewal: "a" now lives until 9.0
    True
    >>> table.active(now=6.0)  # "b" expired at 5.0
    1
    >>> table.acquire("c", now=6.0)
    True
    >>> round(table.budget(now=6.0, total_seconds_per_tick=0.05), 3)
    0.025
    """

    def __init__(self, capacity: int, ttl: float) -> None:
        check_int(capacity, "capacity", 1)
        if not is_real(ttl):
            raise TypeError(f"ttl must be a number of seconds (got {type(ttl).__name__})")
        if not ttl > 0:  # also rejects nan
            raise ValueError(f"ttl must be > 0 seconds (got {ttl})")
        self.capacity = int(capacity)
        self.ttl = float(ttl)
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def _drop_expired(self, now: float) -> None:
        expired = [owner for owner, until in self._expiry.items() if until <= now]
        for owner in expired:
            del self._expiry[owner]

    def acquire(self, owner: str, now: float) -> bool:
        """Take or renew ``owner``'s lease until ``now + ttl``.

        Parameters
        ----------
        owner : str
            An opaque id of the session (non-empty).
        now : float
            The current time in seconds (e.g. ``time.monotonic()``).

        Returns
        -------
        bool
            True if ``owner`` holds a lease now; False if the table is full.
        """
        if not isinstance(owner, str) or not owner:
            raise ValueError(f"owner must be a non-empty string (got {owner!r})")
        with self._lock:
            self._drop_expired(now)
            if owner not in self._expiry and len(self._expiry) >= self.capacity:
                return False
            self._expiry[owner] = now + self.ttl
            return True

    def release(self, owner: str) -> None:
        """Drop ``owner``'s lease if it holds one (a no-op otherwise)."""
        with self._lock:
            self._expiry.pop(owner, None)

    def holds(self, owner: str, now: float) -> bool:
        """Return whether ``owner`` holds an unexpired lease at ``now``."""
        with self._lock:
            until = self._expiry.get(owner)
            return until is not None and until > now

    def active(self, now: float) -> int:
        """Return the number of unexpired leases at ``now`` (expired ones are dropped)."""
        with self._lock:
            self._drop_expired(now)
            return len(self._expiry)

    def budget(self, now: float, total_seconds_per_tick: float) -> float:
        """Return one session's work budget for a tick, in seconds.

        Parameters
        ----------
        now : float
            The current time in seconds.
        total_seconds_per_tick : float
            CPU seconds all trainings together may spend per tick (>= 0).

        Returns
        -------
        float
            ``total_seconds_per_tick / max(active, 1)`` clipped to
            [:data:`MIN_BUDGET`, :data:`MAX_BUDGET`]; non-increasing in the active count.
        """
        if not total_seconds_per_tick >= 0:
            raise ValueError(f"total_seconds_per_tick must be >= 0 (got {total_seconds_per_tick})")
        share = total_seconds_per_tick / max(self.active(now), 1)
        return min(max(share, MIN_BUDGET), MAX_BUDGET)


def tick_interval(
    active: int,
    ticks_per_second: float,
    *,
    fastest: float = 0.5,
    slowest: float = 1.9,
    runs: int = 1,
) -> float:
    """Return the seconds between one session's live ticks when ``active`` sessions train.

    The whole server completes about ``ticks_per_second`` ticks a second, so ``active``
    sessions ticking every ``active / ticks_per_second`` seconds keep it just within that rate
    instead of queueing behind each other. The result is clipped to [``fastest``,
    ``slowest``] and multiplied by 1.5 when ``runs > 1`` (two networks side by side: two
    trainings and one more chart a tick).

    Examples
    --------
    >>> tick_interval(1, 24.0), tick_interval(30, 24.0), tick_interval(100, 24.0)
    (0.5, 1.25, 1.9)
    >>> tick_interval(30, 24.0, runs=2)
    1.875
    """
    if not ticks_per_second > 0:
        raise ValueError(f"ticks_per_second must be > 0 (got {ticks_per_second})")
    base = min(max(fastest, max(active, 1) / ticks_per_second), slowest)
    return base * (1.5 if runs > 1 else 1.0)


def phase_spread(owner: str, width: float = 0.2) -> float:
    """Return a factor in [1 - width/2, 1 + width/2] fixed for ``owner`` (its tick period).

    Thirty students who press Start together would otherwise tick in lockstep: every period
    the server gets thirty ticks at once and the last waits for the other twenty-nine. With
    periods that differ by a few percent, the sessions drift apart within a few ticks and
    their ticks spread evenly over time; the mean factor is 1, so the total rate is kept.

    Examples
    --------
    >>> phase_spread("a") == phase_spread("a"), 0.9 <= phase_spread("b") <= 1.1
    (True, True)
    """
    if not 0 <= width < 1:
        raise ValueError(f"width must be in [0, 1) (got {width})")
    digest = hashlib.sha256(owner.encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    return 1.0 + width * (unit - 0.5)


def interval_is_stale(current: float, wanted: float, tolerance: float = 1.3) -> bool:
    """Whether a session ticking every ``current`` s should re-set its interval to ``wanted``.

    A live view's interval is fixed when its page runs, so a session that started alone keeps
    ticking fast after the class has joined. Re-setting costs a full page run, so it happens
    only when the two differ by more than the factor ``tolerance``.

    Examples
    --------
    >>> interval_is_stale(0.5, 0.6), interval_is_stale(0.5, 1.25), interval_is_stale(1.9, 0.5)
    (False, True, True)
    """
    if not (current > 0 and wanted > 0 and tolerance >= 1):
        got = (current, wanted, tolerance)
        raise ValueError(f"need current > 0, wanted > 0, tolerance >= 1 (got {got})")
    return not current / tolerance <= wanted <= current * tolerance


class TakeTurns:
    """A first-come, first-served turn for CPU-bound work of many threads.

    Streamlit runs each session's script in its own thread of one process. When thirty live
    ticks build figures at once, the server's event-loop thread waits for the GIL behind all
    of them and stops sending messages. Taking turns leaves it one competitor at a time; first
    come, first served keeps any one session from being passed over (``threading.Lock`` makes
    no such promise).

    The turn guards no data, so a thread that has waited ``patience`` seconds goes ahead
    anyway: a stuck holder slows the server down but can never deadlock it.

    Parameters
    ----------
    patience : float
        Seconds a thread waits for its turn before it goes ahead regardless.

    Examples
    --------
    >>> turns = TakeTurns(patience=1.0)
    >>> with turns:
    ...     turns.waiting
    0
    """

    def __init__(self, patience: float = 5.0) -> None:
        if not patience > 0:
            raise ValueError(f"patience must be > 0 (got {patience})")
        self._patience = patience
        self._lock = threading.Lock()
        self._queue: list[threading.Event] = []  # one event per waiting thread, in arrival order
        self._holders = 0

    @property
    def waiting(self) -> int:
        """Threads waiting for their turn."""
        with self._lock:
            return len(self._queue)

    def __enter__(self) -> TakeTurns:
        me = threading.Event()
        deadline = time.monotonic() + self._patience
        with self._lock:
            self._queue.append(me)
        while True:
            with self._lock:
                mine = not self._holders and self._queue[0] is me
                if mine or time.monotonic() >= deadline:
                    self._queue.remove(me)
                    self._holders += 1
                    return self
                me.clear()
            me.wait(max(deadline - time.monotonic(), 0.0))

    def __exit__(self, *exc: object) -> None:
        # Wake only the thread whose turn it is (waking all thirty costs ~0.6 ms a tick).
        with self._lock:
            self._holders -= 1
            if self._queue and not self._holders:
                self._queue[0].set()


class ResultBoard:
    """Process-wide results of long computations, bounded, with a gate for one computation.

    Bounded: the least recently used result is dropped. The gate lets one computation run at a
    time (the others are told to wait).

    It holds results (the lab's batch-size studies), never a session's data.

    Examples
    --------
    >>> board = ResultBoard(2)
    >>> for k in range(3):
    ...     board.put(k, str(k))
    >>> len(board), board.get(0), board.get(2)
    (2, None, '2')
    >>> board.gate.acquire(blocking=False), board.gate.acquire(blocking=False)
    (True, False)
    """

    def __init__(self, entries: int) -> None:
        check_int(entries, "entries", 1)
        self.entries = int(entries)
        self.gate = threading.Lock()
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        """Return the result kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
            return self._done.get(key)

    def put(self, key: Hashable, result: Any) -> None:
        """Keep ``result`` for ``key``; drop the least recently used beyond ``entries``."""
        with self._lock:
            self._done[key] = result
            self._done.move_to_end(key)
            while len(self._done) > self.entries:
                self._done.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)
