"""The lease table that caps concurrent trainings and splits a CPU budget between them."""

from __future__ import annotations

import itertools
import threading

import pytest

from normviz.serving import fairshare
from normviz.serving.fairshare import MAX_BUDGET, MIN_BUDGET, LeaseTable


def test_capacity_refuses_the_extra_owner():
    table = LeaseTable(capacity=3, ttl=10.0)
    got = [table.acquire(f"s{i}", now=0.0) for i in range(5)]
    assert got == [True, True, True, False, False]
    assert table.active(now=0.0) == 3


def test_renewal_keeps_a_lease_and_does_not_take_a_second_place():
    table = LeaseTable(capacity=1, ttl=2.0)
    assert table.acquire("a", now=0.0)
    assert table.acquire("a", now=1.5)  # renewed until 3.5
    assert table.active(now=3.0) == 1
    assert not table.acquire("b", now=3.0)
    assert table.holds("a", now=3.4)
    assert not table.holds("a", now=3.5)


def test_expired_leases_are_dropped_and_free_their_place():
    table = LeaseTable(capacity=2, ttl=1.0)
    table.acquire("closed-tab", now=0.0)
    table.acquire("live", now=0.0)
    assert not table.acquire("newcomer", now=0.5)
    table.acquire("live", now=0.9)
    assert table.active(now=1.0) == 1  # "closed-tab" expired at exactly 1.0
    assert table.acquire("newcomer", now=1.0)


def test_release_frees_a_place_and_is_idempotent():
    table = LeaseTable(capacity=1, ttl=5.0)
    table.acquire("a", now=0.0)
    table.release("a")
    table.release("a")
    table.release("never-held")
    assert table.active(now=0.0) == 0
    assert table.acquire("b", now=0.0)


def test_budget_exact_values():
    table = LeaseTable(capacity=10, ttl=5.0)
    assert table.budget(now=0.0, total_seconds_per_tick=0.03) == pytest.approx(0.03)  # no lease
    for i in range(3):
        table.acquire(str(i), now=0.0)
    assert table.budget(now=0.0, total_seconds_per_tick=0.03) == pytest.approx(0.01)
    assert table.budget(now=0.0, total_seconds_per_tick=1.0) == MAX_BUDGET
    assert table.budget(now=0.0, total_seconds_per_tick=0.0) == MIN_BUDGET


@pytest.mark.parametrize("total", [0.0, 0.01, 0.05, 0.2, 1.0, 5.0])
def test_budget_is_monotone_in_active_count_and_clamped(total):
    table = LeaseTable(capacity=64, ttl=5.0)
    budgets = []
    for i in range(64):
        table.acquire(f"s{i}", now=0.0)
        budgets.append(table.budget(now=0.0, total_seconds_per_tick=total))
    assert all(b2 <= b1 for b1, b2 in itertools.pairwise(budgets))
    assert all(MIN_BUDGET <= b <= MAX_BUDGET for b in budgets)
    assert isinstance(budgets[0], float)


def test_thread_safety_never_exceeds_capacity():
    table = LeaseTable(capacity=7, ttl=100.0)
    granted: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker(k: int) -> None:
        barrier.wait()
        for j in range(200):
            owner = f"t{k}-{j % 3}"
            if table.acquire(owner, now=float(j) * 1e-3):
                with lock:
                    granted.append(owner)
            if j % 5 == 0:
                table.release(owner)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert table.active(now=0.0) <= 7
    assert len(table._expiry) <= 7
    assert granted  # somebody got in


def test_integer_times_and_ttl_are_accepted():
    table = LeaseTable(capacity=1, ttl=3)
    assert table.acquire("a", now=0)
    assert table.active(now=2) == 1
    assert table.active(now=3) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"capacity": 0, "ttl": 1.0}, ValueError, r"capacity must be >= 1 \(got 0\)"),
        ({"capacity": 2.0, "ttl": 1.0}, TypeError, r"capacity must be an int \(got float\)"),
        ({"capacity": True, "ttl": 1.0}, TypeError, r"capacity must be an int \(got bool\)"),
        ({"capacity": 2, "ttl": 0.0}, ValueError, r"ttl must be > 0 seconds \(got 0.0\)"),
        ({"capacity": 2, "ttl": "5"}, TypeError, r"ttl must be a number of seconds \(got str\)"),
    ],
)
def test_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        LeaseTable(**kwargs)


def test_bad_calls():
    table = LeaseTable(capacity=1, ttl=1.0)
    with pytest.raises(ValueError, match=r"owner must be a non-empty string \(got ''\)"):
        table.acquire("", now=0.0)
    with pytest.raises(ValueError, match=r"total_seconds_per_tick must be >= 0 \(got -1\)"):
        table.budget(now=0.0, total_seconds_per_tick=-1)
    with pytest.raises(ValueError, match="total_seconds_per_tick must be >= 0"):
        table.budget(now=0.0, total_seconds_per_tick=float("nan"))


def test_take_turns_serves_threads_in_arrival_order():
    import threading
    import time

    from normviz.serving.fairshare import TakeTurns

    turns = TakeTurns(patience=10.0)
    order: list[int] = []
    started = threading.Event()

    def work(i: int) -> None:
        with turns:
            order.append(i)
            time.sleep(0.01)

    with turns:  # hold the turn while the others queue up in a known order
        threads = []
        for i in range(6):
            t = threading.Thread(target=work, args=(i,))
            t.start()
            threads.append(t)
            deadline = time.monotonic() + 5
            while turns.waiting < i + 1 and time.monotonic() < deadline:
                time.sleep(0.001)
        started.set()
    for t in threads:
        t.join(10)
    assert order == list(range(6))


def test_take_turns_goes_ahead_after_patience_instead_of_deadlocking():
    import threading
    import time

    from normviz.serving.fairshare import TakeTurns

    turns = TakeTurns(patience=0.05)
    done = threading.Event()

    def late() -> None:
        with turns:
            done.set()

    with turns:
        t = threading.Thread(target=late)
        start = time.monotonic()
        t.start()
        assert done.wait(5), "a waiter must go ahead after its patience"
        assert time.monotonic() - start < 2
    t.join(5)
    assert turns.waiting == 0


def test_take_turns_rejects_bad_patience():
    import pytest

    from normviz.serving.fairshare import TakeTurns

    with pytest.raises(ValueError, match="patience must be > 0"):
        TakeTurns(patience=0)


# -- tick intervals ---------------------------------------------------------------------------


def test_tick_interval_keeps_the_class_within_the_server_rate():
    rate = 24.0
    for active in range(1, 200):
        interval = fairshare.tick_interval(active, rate)
        assert 0.5 <= interval <= 1.9
        if 0.5 < interval < 1.9:  # unclipped: the class together ticks exactly at the rate
            assert active / interval == pytest.approx(rate)
    intervals = [fairshare.tick_interval(k, rate) for k in range(0, 60)]
    assert intervals == sorted(intervals)  # more sessions never tick faster
    assert fairshare.tick_interval(30, rate, runs=2) == 1.5 * fairshare.tick_interval(30, rate)
    with pytest.raises(ValueError, match="ticks_per_second"):
        fairshare.tick_interval(3, 0.0)


def test_interval_is_stale_only_beyond_the_tolerance():
    assert not fairshare.interval_is_stale(1.0, 1.0)
    assert not fairshare.interval_is_stale(1.0, 1.29)
    assert not fairshare.interval_is_stale(1.0, 1 / 1.29)
    assert fairshare.interval_is_stale(1.0, 1.31)
    assert fairshare.interval_is_stale(1.0, 1 / 1.31)
    # A session that started alone re-tunes a bounded number of times as 30 classmates join.
    current, retunes = fairshare.tick_interval(1, 24.0), 0
    for active in range(1, 31):
        wanted = fairshare.tick_interval(active, 24.0)
        if fairshare.interval_is_stale(current, wanted):
            current, retunes = wanted, retunes + 1
    assert 1 <= retunes <= 4 and current == pytest.approx(1.25, rel=0.3)
    with pytest.raises(ValueError, match=r"need current > 0"):
        fairshare.interval_is_stale(0.0, 1.0)


def test_phase_spread_is_fixed_per_owner_bounded_and_centred():
    factors = [fairshare.phase_spread(f"session-{i}") for i in range(2000)]
    assert all(0.9 <= f <= 1.1 for f in factors)
    assert sum(factors) / len(factors) == pytest.approx(1.0, abs=0.01)
    assert max(factors) - min(factors) > 0.18  # they really differ
    assert fairshare.phase_spread("x") == fairshare.phase_spread("x")
    assert fairshare.phase_spread("x", width=0.0) == 1.0
    with pytest.raises(ValueError, match=r"width must be in \[0, 1\) \(got 1.0\)"):
        fairshare.phase_spread("x", width=1.0)


def test_numpy_capacity_is_an_int_and_nan_ttl_is_rejected():
    """Shared checks (normviz._checks): a NumPy int is an int; a NaN ttl is not a duration."""
    import numpy as np

    assert LeaseTable(np.int64(2), 1.0).capacity == 2
    with pytest.raises(ValueError, match=r"ttl must be > 0 seconds \(got nan\)"):
        LeaseTable(2, float("nan"))


def test_result_board_drops_the_least_recently_used_and_gates_one_at_a_time():
    board = fairshare.ResultBoard(2)
    board.put("a", 1)
    board.put("b", 2)
    assert board.get("a") == 1  # "a" is now the most recent
    board.put("c", 3)
    assert (board.get("b"), board.get("a"), board.get("c"), len(board)) == (None, 1, 3, 2)
    assert board.gate.acquire(blocking=False) and not board.gate.acquire(blocking=False)
    board.gate.release()
    with pytest.raises(ValueError, match=r"entries must be >= 1 \(got 0\)"):
        fairshare.ResultBoard(0)
