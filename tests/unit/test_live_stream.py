"""Live sessions outside Streamlit: pacing, channels, the registry, the worker thread."""

from __future__ import annotations

import gc
import itertools
import json
import threading
import time

import pytest
import torch

from normviz.lab_status import status_line
from normviz.serving import live_stream as ls
from normviz.serving.fairshare import MAX_BUDGET, MIN_BUDGET
from normviz.serving.live_feed import ROW_FIELDS
from normviz.training import TrainConfig, Trainer, updates_per_epoch
from tests.live_browser import LiveBrowser

torch.set_num_threads(1)


def _trainer(**kw) -> Trainer:
    return Trainer(TrainConfig(**{"n_samples": 120, "hidden": (8,), "seed": 3, **kw}))


def _session(reg: ls.Registry, *trainers: Trainer, labels=None) -> ls.LiveSession:
    s = reg.create()
    trainers = trainers or (_trainer(),)
    labels = labels or ([""] if len(trainers) == 1 else ["A", "B"][: len(trainers)])
    s.replace(list(trainers), labels, [f"run{i}" for i in range(len(trainers))])
    return s


# -- pacing -----------------------------------------------------------------------------------


def test_a_learner_alone_gets_ten_updates_a_second_with_a_bounded_slice():
    p = ls.plan_tick(1)
    assert p.interval <= 0.1 + 1e-12  # >= 10 updates a second
    assert MIN_BUDGET <= p.budget <= p.interval / 2  # training is at most half of each period
    assert ls.plan_tick(0) == p  # nobody else: the same


@pytest.mark.parametrize("runs", [1, 2])
def test_a_class_of_thirty_updates_within_two_seconds_and_shares_the_cpu(runs):
    p = ls.plan_tick(30, runs)
    assert p.interval <= 2.0  # every chart updates at least every 2 s, compare mode included
    # All thirty together train for at most the class's share of a core (or the floor).
    per_second = 30 * p.budget * runs / p.interval
    assert per_second <= max(ls.CLASS_CORE_SHARE, 30 * MIN_BUDGET / p.interval) + 1e-9


def test_the_budget_never_grows_with_the_class():
    budgets = [ls.plan_tick(k).budget for k in range(1, 80)]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(budgets))
    assert all(MIN_BUDGET <= b <= MAX_BUDGET for b in budgets)
    intervals = [ls.plan_tick(k).interval for k in range(1, 80)]
    assert all(a <= b for a, b in itertools.pairwise(intervals))
    assert max(intervals) == ls.SLOWEST_S


# -- channel ----------------------------------------------------------------------------------


def test_a_channel_resumes_from_the_last_event_it_still_keeps():
    ch = ls.Channel(keep=3)
    assert ch.latest() is None and ch.since(0) == []
    for seq in range(1, 6):
        ch.publish(seq, f"p{seq}")
    assert ch.since(4) == [(5, "p5")]
    assert ch.since(2) == [(3, "p3"), (4, "p4"), (5, "p5")]  # 3..5 kept: a full resume
    assert ch.since(1) is None  # 2 is gone: the browser must say what it holds
    assert ch.since(5) == []
    assert ch.latest() == (5, "p5")


def test_a_waiter_is_woken_by_a_publish_from_another_thread():
    ch = ls.Channel()
    woken = threading.Event()
    ch.add_waiter(woken.set)
    assert ch.wait(0, timeout=0.05) == []  # nothing yet: the timeout
    threading.Timer(0.05, ch.publish, args=(1, "x")).start()
    t0 = time.monotonic()
    assert ch.wait(0, timeout=5) == [(1, "x")]
    assert time.monotonic() - t0 < 2 and woken.is_set()
    ch.remove_waiter(woken.set)
    woken.clear()
    ch.publish(2, "y")
    assert not woken.is_set()


def test_subscribers_are_counted_and_the_unwatched_time_starts_when_the_last_leaves():
    ch = ls.Channel()
    ch.subscribe()
    ch.subscribe()
    assert ch.unwatched_for(time.monotonic() + 100) == 0
    ch.unsubscribe(now=10.0)
    assert ch.unwatched_for(50.0) == 0  # one is still open
    ch.unsubscribe(now=10.0)
    assert ch.unwatched_for(25.0) == 15.0


# -- registry ---------------------------------------------------------------------------------


def test_tokens_are_unguessable_and_the_registry_is_bounded(reg):
    small = ls.Registry(capacity=3)
    made = [small.create() for _ in range(5)]
    assert len(small) == 3
    assert [small.get(s.token) for s in made[:2]] == [None, None]  # the oldest went
    assert all(small.get(s.token) is s for s in made[2:])
    tokens = {s.token for s in made}
    assert len(tokens) == 5 and all(len(t) >= 32 for t in tokens)
    assert small.get(made[0].token[:-1]) is None and small.get(None) is None


def test_a_session_goes_when_its_owner_is_freed(reg):
    class Owner:
        pass

    owner = Owner()
    s = reg.create(owner)
    assert reg.get(s.token) is s
    del owner
    gc.collect()
    assert reg.get(s.token) is None


def test_an_idle_session_is_dropped_and_a_watched_one_is_kept():
    reg = ls.Registry(idle_s=60)
    idle, watched = reg.create(), reg.create()
    watched.channel.subscribe()
    now = time.monotonic() + 61
    reg.sweep(now)
    assert reg.get(idle.token) is None and reg.get(watched.token) is watched


# -- sessions ---------------------------------------------------------------------------------


def test_a_session_whose_stream_never_opened_gets_a_longer_grace(reg):
    s = _session(reg)
    t0 = time.monotonic()
    assert s.start(t0)
    reg.sweep(t0 + ls.NO_SUBSCRIBER_STOP_S + 5)
    assert s.running  # a frame slow to load (a saturated machine) is not a closed tab
    reg.sweep(t0 + ls.FIRST_STREAM_S + 0.5)
    assert not s.running and s.stopped_by == "no_stream"


def test_a_running_session_without_a_stream_stops_after_ten_seconds(reg):
    s = _session(reg)
    t0 = time.monotonic()
    assert s.start(t0)
    s.channel.subscribe()  # its stream opened, then the tab closed
    s.channel.unsubscribe(now=t0)
    assert ls.leases().holds(s.token, t0)
    reg.sweep(t0 + ls.NO_SUBSCRIBER_STOP_S - 1)
    assert s.running  # the browser has 10 s to open its stream
    reg.sweep(t0 + ls.NO_SUBSCRIBER_STOP_S + 0.5)
    assert not s.running and s.stopped_by == "no_stream"
    assert not ls.leases().holds(s.token, t0)  # its place is free


def test_a_watched_session_keeps_training(reg):
    s = _session(reg)
    s.channel.subscribe()
    s.start()
    reg.sweep(time.monotonic() + 3600)
    assert s.running and s.stopped_by is None


def test_no_start_beyond_the_capacity(reg):
    table = ls.leases()
    now = time.monotonic()
    fakes = [f"fake-{i}" for i in range(table.capacity)]
    try:
        for f in fakes:
            table.acquire(f, now)
        s = _session(reg)
        assert not s.start(now) and not s.running
    finally:
        for f in fakes:
            table.release(f)


def test_step_trains_one_epoch_and_pauses(reg):
    t = _trainer(batch_size=20)
    s = _session(reg, t)
    s.start()
    s.step(lambda tr: updates_per_epoch(len(tr.train.y), tr.config.batch_size))
    assert not s.running and t.epoch == 1 and [r.epoch for r in t.history] == [0, 1]


def test_payloads_carry_the_status_lines_and_rebuild_the_history(reg):
    a, b = _trainer(), _trainer(l2=1e-2)
    s = _session(reg, a, b)
    browser = LiveBrowser()
    for _ in range(4):
        s.start()
        assert s.train_once(0.01)
        payload = json.loads(s.channel.latest()[1]) if s.publish() else None
        assert browser.apply(payload) == []
    assert [r["status"] for r in payload["runs"]] == [
        status_line(a.history[-1], "A"),
        status_line(b.history[-1], "B"),
    ]
    for token, t in (("run0", a), ("run1", b)):
        assert browser.rows[token]["epoch"] == [r.epoch for r in t.history]
    assert payload["running"] is True and payload["token"] == s.token
    # The page's payload: the whole history again, whatever the browser held.
    full = s.payload(full=True)
    assert all(r["base"] == 0 for r in full["runs"])
    assert full["runs"][0]["rows"]["epoch"] == [r.epoch for r in a.history]


def test_a_reconnect_sends_only_what_the_browser_lacks(reg):
    t = _trainer(batch_size=20)
    s = _session(reg, t)
    s.start()
    for _ in range(3):
        s.train_once(0.02)
        s.publish()
    n = len(t.history)
    seq = s.resume({"run0": 2})
    (run,) = json.loads(s.channel.latest()[1])["runs"]
    assert s.channel.latest()[0] == seq
    assert run["base"] == 2 and run["rows"]["epoch"] == [r.epoch for r in t.history[2:n]]
    s.resume({})  # a new frame holds nothing: everything, with the points
    (run,) = json.loads(s.channel.latest()[1])["runs"]
    assert run["base"] == 0 and "points" in run and len(run["rows"]["epoch"]) == n


def test_a_run_that_stops_by_itself_pauses_the_session_and_says_so(reg):
    t = _trainer(max_epochs=2, batch_size=60)
    s = _session(reg, t)
    s.start()
    while s.running:
        s.train_once(0.05)
    assert t.stopped is not None and t.stopped.reason == "max_epochs"
    assert s.stopped_by == "stopped" and not ls.leases().holds(s.token, time.monotonic())
    s.publish()
    payload = json.loads(s.channel.latest()[1])
    assert payload["running"] is False and payload["stopped_by"] == "stopped"
    assert payload["runs"][0]["stop"]["reason"] == "max_epochs"


# -- the worker -------------------------------------------------------------------------------


def test_the_worker_trains_running_sessions_and_publishes_their_payloads(reg):
    worker = ls.Worker(reg).start()
    try:
        t, idle = _trainer(max_epochs=100_000), _trainer()
        s, paused = _session(reg, t), _session(reg, idle)
        s.channel.subscribe()
        s.start()
        worker.wake()
        got, browser, seq = [], LiveBrowser(), 0  # payloads are numbered from 1
        end = time.monotonic() + 20
        while len(got) < 10 and time.monotonic() < end:
            events = s.channel.wait(seq, timeout=1.0)
            assert events is not None, "the reader fell behind what the channel keeps"
            for n, data in events:
                got.append(json.loads(data))
                assert browser.apply(got[-1]) == [], "a published payload did not fit"
                seq = n
        took = time.monotonic() - (end - 20)
        assert len(got) >= 10, got
        s.pause()
        time.sleep(0.3)
        done = len(t.history)
        held = browser.rows["run0"]
        assert held["epoch"] == [r.epoch for r in t.history[: len(held["epoch"])]]
        assert set(held) == set(ROW_FIELDS)
        assert idle.steps == 0 and paused.channel.latest() is None  # paused: no work, no payload
        time.sleep(0.3)
        assert len(t.history) == done  # paused: the worker leaves it alone
        print(f"\n10 payloads in {took:.2f} s")
        assert took < 10
    finally:
        worker.stop()
        assert not worker.thread.is_alive()


def test_ensure_worker_starts_one_daemon_thread():
    w1 = ls.ensure_worker()
    assert ls.ensure_worker() is w1 and w1.thread.daemon and w1.thread.is_alive()
