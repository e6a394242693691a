"""The live view's payloads: deltas that rebuild the trainers' history exactly, and stay small."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

from normviz.serving.live_feed import (
    GRID_REFRESH_PAYLOADS,
    MAX_ROWS_PER_PAYLOAD,
    OVERLAP_PAYLOADS,
    ROW_FIELDS,
    LiveFeed,
    LiveRun,
    history_columns,
    round_significant,
)
from normviz.training import TrainConfig, Trainer
from tests.live_browser import LiveBrowser

torch.set_num_threads(1)


def _trainer(**kw) -> Trainer:
    return Trainer(TrainConfig(**{"n_samples": 200, "hidden": (16, 16), "seed": 3, **kw}))


def _expected(t: Trainer) -> dict[str, list]:
    cols = {f: [getattr(r, f) for r in t.history] for f in ROW_FIELDS}
    return cols


def _assert_same_history(held: dict[str, list], t: Trainer) -> None:
    want = _expected(t)
    assert held["epoch"] == want["epoch"] and held["step"] == want["step"]
    assert held["samples_seen"] == want["samples_seen"]
    for f in ROW_FIELDS[3:]:
        got = np.array([np.nan if v is None else v for v in held[f]])
        np.testing.assert_allclose(got, want[f], rtol=1e-4, atol=0)


def test_deltas_rebuild_the_trainers_history_exactly():
    t = _trainer()
    feed, browser = LiveFeed(), LiveBrowser()
    sizes = []
    for _ in range(12):
        t.step(7)  # 100 training points, batch 32: 4 updates an epoch
        payload = feed.payload([LiveRun("", "run1", t)])
        sizes.append(len(payload["runs"][0]["rows"]["epoch"]))
        assert browser.apply(payload) == []
    _assert_same_history(browser.rows["run1"], t)
    assert sizes[0] == 1 + 1  # epoch 0 and the first epoch
    # Later payloads carry the new rows and those of the OVERLAP_PAYLOADS - 1 payloads before:
    # 7 updates are under 2 epochs, so at most 2 * OVERLAP_PAYLOADS rows, never the history.
    assert max(sizes) <= 2 * OVERLAP_PAYLOADS < len(t.history)


def test_a_lost_payload_is_filled_by_the_overlap_without_a_request():
    t = _trainer()
    feed, browser = LiveFeed(), LiveBrowser()
    for k in range(10):
        t.step(5)
        payload = feed.payload([LiveRun("", "r", t)])
        if k in (3, 6, 7):  # lost: Streamlit posted only the newer arguments
            continue
        assert browser.apply(payload) == []
    _assert_same_history(browser.rows["r"], t)


def test_a_gap_is_answered_from_what_the_browser_holds():
    t = _trainer()
    feed, browser = LiveFeed(), LiveBrowser()
    t.step(14)
    browser.apply(feed.payload([LiveRun("", "r", t)]))
    for _ in range(OVERLAP_PAYLOADS):  # more lost on the way than the overlap covers
        t.step(14)
        feed.payload([LiveRun("", "r", t)])
    t.step(14)
    lost_after = feed.payload([LiveRun("", "r", t)])
    assert browser.apply(lost_after) == ["r"]
    reply = {"stream": feed.stream, "frame": "f1", "have": browser.have(), "ask": 1}
    assert feed.answer(reply)
    assert not feed.answer(reply)  # the same request twice is answered once
    resend = feed.payload([LiveRun("", "r", t)])
    assert resend["runs"][0]["base"] == browser.have()["r"]
    assert browser.apply(resend) == []
    _assert_same_history(browser.rows["r"], t)


def test_a_new_frame_gets_the_whole_history_and_the_points():
    t = _trainer()
    feed = LiveFeed()
    t.step(30)
    feed.payload([LiveRun("", "r", t)])
    fresh = LiveBrowser()  # a reloaded iframe holds nothing
    gap = feed.payload([LiveRun("", "r", t)])
    assert fresh.apply(gap) == ["r"]
    assert feed.answer({"stream": feed.stream, "frame": "new", "have": {}, "ask": 1})
    full = feed.payload([LiveRun("", "r", t)])
    assert full["runs"][0]["base"] == 0 and "points" in full["runs"][0]
    fresh.apply(full)
    _assert_same_history(fresh.rows["r"], t)
    pts = fresh.points["r"]["train"]
    np.testing.assert_allclose(np.c_[pts["x"], pts["y"]], t.train.x, rtol=1e-3, atol=1e-4)
    assert pts["label"] == t.train.y.tolist()


def test_replies_of_another_stream_are_ignored():
    feed = LiveFeed("mine")
    feed.sent = {"r": 9}
    assert not feed.answer({"stream": "other", "frame": "f", "have": {"r": 0}, "ask": 1})
    assert not feed.answer(None) and not feed.answer({"stream": "mine", "have": [], "ask": 1})
    assert feed.sent == {"r": 9}


def test_a_new_token_replaces_the_run_and_old_tokens_are_forgotten():
    feed = LiveFeed()
    a, b = _trainer(), _trainer(dropout=0.2)
    a.step(10)
    feed.payload([LiveRun("", "old", a)])
    p = feed.payload([LiveRun("", "new", b)])
    assert p["runs"][0]["base"] == 0 and p["runs"][0]["run"] == "new"
    assert list(feed.sent) == ["new"]


def test_grid_bytes_decode_to_the_trainers_boundary():
    t = _trainer()
    t.step(20)
    grid = LiveFeed().payload([LiveRun("", "r", t)], resolution=32)["runs"][0]["grid"]
    q = np.frombuffer(base64.b64decode(grid["q"]), np.uint8).reshape(grid["n"], grid["n"])
    want = t.boundary(32)
    np.testing.assert_allclose(q / 254.0, want.prob, atol=0.5 / 254 + 1e-6)
    assert (grid["x0"], grid["x1"], grid["y0"], grid["y1"]) == (
        want.xs[0], want.xs[-1], want.ys[0], want.ys[-1],
    )  # fmt: skip


def test_the_held_grid_is_always_within_one_level_of_the_boundary():
    t = _trainer()
    feed, browser = LiveFeed(), LiveBrowser()
    sent = []
    for k in range(3 * GRID_REFRESH_PAYLOADS):
        if k < 4:
            t.step(20)  # training moves the boundary; later the run is paused
        payload = feed.payload([LiveRun("", "r", t)], resolution=16)
        sent.append("grid" in payload["runs"][0])
        browser.apply(payload)
        g = browser.grids["r"]
        q = np.frombuffer(base64.b64decode(g["q"]), np.uint8).reshape(16, 16)
        assert np.abs(q / 254.0 - t.boundary(16).prob).max() <= 1.5 / 254 + 1e-6
    assert all(sent[:4])  # every change is sent
    # Paused: an unchanged grid is resent only every GRID_REFRESH_PAYLOADS payloads.
    assert sum(sent[4:]) == len(
        range(4 + GRID_REFRESH_PAYLOADS - 1, len(sent), GRID_REFRESH_PAYLOADS)
    )


def test_histogram_counts_match_numpy_on_the_shared_limit():
    a, b = _trainer(), _trainer(l2=0.01, seed=4)
    a.step(40)
    b.step(40)
    p = LiveFeed().payload([LiveRun("A", "a", a), LiveRun("B", "b", b)])
    limit = p["hist_limit"]
    assert limit >= max(np.abs(a.weights()).max(), np.abs(b.weights()).max())
    for run, t in zip(p["runs"], (a, b), strict=True):
        bins = len(run["hist"]["counts"])
        want, _ = np.histogram(t.weights(), bins=bins, range=(-limit, limit))
        assert run["hist"]["counts"] == want.tolist()
        assert run["hist"]["n"] == t.weights().size


def test_stop_mark_sits_on_the_best_epochs_record():
    t = Trainer(TrainConfig(n_samples=100, hidden=(64, 64), seed=0, early_stopping_patience=5))
    while t.stopped is None:
        t.step(50)
    stop = LiveFeed().payload([LiveRun("", "r", t)])["runs"][0]["stop"]
    assert stop["reason"] == t.stopped.reason == "early_stopping"
    best = t.history[t.stopped.best_epoch]
    assert stop["x"] == {"epoch": best.epoch, "step": best.step, "samples_seen": best.samples_seen}
    assert stop["text"] == t.stopped.message


@pytest.mark.parametrize(("runs", "limit"), [(1, 10_000), (2, 20_000)])
def test_a_steady_tick_is_small(runs, limit):
    trainers = [_trainer(seed=s) for s in range(runs)]
    feed = LiveFeed()
    labels = ["A", "B"] if runs == 2 else [""]
    live = [LiveRun(lab, f"t{lab}", t) for lab, t in zip(labels, trainers, strict=True)]
    for t in trainers:
        t.step(200)
    feed.payload(live)
    for t in trainers:
        t.step(30)  # a few epochs, as in a tick
    size = len(json.dumps(feed.payload(live)))
    assert size <= limit


def test_catch_up_is_chunked():
    rows = [type("R", (), {f: 1 for f in ROW_FIELDS})() for _ in range(MAX_ROWS_PER_PAYLOAD + 5)]
    assert len(history_columns(rows, 0, MAX_ROWS_PER_PAYLOAD)["epoch"]) == MAX_ROWS_PER_PAYLOAD


def test_round_significant_keeps_five_digits_of_any_magnitude():
    x = np.array([123456.7, 0.000987654321, -3.14159265, 1e-30, 9.99999e5])
    got = np.array(round_significant(x))
    np.testing.assert_allclose(got, x, rtol=5e-5)
    assert all(len(json.dumps(v)) <= 12 for v in got.tolist()), got.tolist()


def test_change_marks_and_the_previous_run_travel_with_the_run():
    import dataclasses

    from normviz.lab_changes import change_text
    from normviz.serving.live_feed import GHOST_ROWS, Ghost

    old = _trainer(max_epochs=5000)
    old.step(4 * 2 * GHOST_ROWS)  # 4 updates an epoch: twice the epochs a ghost keeps
    t = _trainer()
    t.step(10)
    mark = t.reconfigure(dataclasses.replace(t.config, lr=0.1))
    feed = LiveFeed()
    ghost = Ghost(old.history, "previous run: hidden layers 16-16")
    first = feed.payload([LiveRun("", "new", t, ghost)])["runs"][0]
    assert first["marks"] == [
        {"x": {"epoch": mark.epoch, "step": mark.step, "samples_seen": mark.samples_seen},
         "text": change_text(mark)}
    ]  # fmt: skip
    rows = first["ghost"]["rows"]
    assert len(rows["epoch"]) == GHOST_ROWS < len(old.history)
    assert rows["epoch"][0] == 0 and rows["epoch"][-1] == old.history[-1].epoch
    by_epoch = {r.epoch: r for r in old.history}
    for e, loss in zip(rows["epoch"], rows["test_loss"], strict=True):
        assert loss == pytest.approx(by_epoch[e].test_loss, rel=1e-4)
    assert first["ghost"]["note"] == ghost.note
    t.step(4)
    later = feed.payload([LiveRun("", "new", t, ghost)])["runs"][0]
    assert "ghost" not in later and later["marks"] == first["marks"]  # the ghost is sent once


def test_text_alternatives_come_with_a_runs_first_payload_and_every_tenth():
    from normviz.figures import lab as figs
    from normviz.serving.live_feed import ALT_EVERY

    t = _trainer()
    feed = LiveFeed()
    seen = []
    for _ in range(2 * ALT_EVERY + 1):
        t.step(4)  # one epoch (100 training points, batch 32): a new row every payload
        p = feed.payload([LiveRun("", "r", t)])
        seen.append("alt" in p)
        assert ("alt" in p) == ("alt_boundary" in p["runs"][0])
        if "alt" in p:  # the numbers of this very payload's run
            assert p["alt"]["curves"] == figs.curves_alt([figs.curves_info(t.history)])
    assert seen[0] and sum(seen) == 3  # the first (the browser has nothing yet), then every 10th
    paused = feed.payload([LiveRun("", "r", t)])  # nothing moved: exact texts at once
    assert paused["alt"]["curves"] == figs.curves_alt([figs.curves_info(t.history)])
    fresh = feed.payload([LiveRun("", "new-run", t)])
    assert "alt" in fresh  # a new run's first payload always carries them
