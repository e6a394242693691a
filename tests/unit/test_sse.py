"""The live stream's route: Server-Sent Events from a session's channel, served by a real
uvicorn server on 127.0.0.1 (in a thread) and read over HTTP."""

from __future__ import annotations

import json
import time

import pytest
import torch
from starlette.applications import Starlette

from normviz.serving import live_stream as ls
from normviz.serving.sse import PATH, routes
from normviz.training import TrainConfig, Trainer
from tests.unit._loopback import LoopbackServer

torch.set_num_threads(1)


def _events(text: str) -> list[dict]:
    """Parse an SSE body into events: {"id": int | None, "data": dict | None, "comment": str}."""
    out = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        ev = {"id": None, "data": None, "comment": None, "retry": None}
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "":
                ev["comment"] = value
            elif field == "id":
                ev["id"] = int(value)
            elif field == "data":
                ev["data"] = json.loads(value)
            elif field == "retry":
                ev["retry"] = int(value)
        out.append(ev)
    return out


@pytest.fixture
def client_of():
    made = []

    def make(reg, **options) -> LoopbackServer:
        made.append(LoopbackServer(Starlette(routes=routes(reg=reg, **options))))
        return made[-1]

    yield make
    for c in made:
        c.close()


def _session(reg) -> tuple[ls.LiveSession, Trainer]:
    t = Trainer(TrainConfig(n_samples=120, hidden=(8,), seed=3, batch_size=20))
    s = reg.create()
    s.replace([t], [""], ["run0"])
    return s, t


def test_an_unknown_token_gets_204_so_the_browser_stops(reg, client_of):
    r = client_of(reg).get("/_nv/live/nope")
    assert r.status_code == 204 and r.content == b""


def test_the_first_event_is_everything_the_browser_lacks(reg, client_of):
    s, t = _session(reg)
    t.step(12)  # two epochs
    r = client_of(reg, max_s=0.3, ping_s=10).get(f"/_nv/live/{s.token}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in r.headers["cache-control"]
    events = _events(r.text)
    assert events[0]["retry"] > 0
    (first,) = [e for e in events if e["data"] is not None]
    (run,) = first["data"]["runs"]
    assert first["id"] == first["data"]["seq"]
    assert run["base"] == 0 and "points" in run
    assert run["rows"]["epoch"] == [r.epoch for r in t.history] == [0, 1, 2, 3, 4]
    assert first["data"]["running"] is False and first["data"]["token"] == s.token


def test_have_in_the_query_sends_only_the_rows_it_lacks(reg, client_of):
    s, t = _session(reg)
    client = client_of(reg, max_s=0.3)
    client.get(f"/_nv/live/{s.token}")  # the feed has sent rows 0..0
    t.step(12)
    r = client.get(f"/_nv/live/{s.token}", params={"have": json.dumps({"run0": 2})})
    (run,) = next(e for e in _events(r.text) if e["data"])["data"]["runs"]
    # The feed had sent 1 row; the browser says it holds 2: it sends from the smaller (1).
    assert run["base"] == 1 and "points" not in run
    assert run["rows"]["epoch"] == [r.epoch for r in t.history[1:]] == [1, 2, 3, 4]


def test_last_event_id_replays_what_the_channel_kept(reg, client_of):
    s, t = _session(reg)
    for _ in range(ls.KEEP_PAYLOADS + 4):
        t.step(3)
        s.publish()
    latest = s.channel.latest()[0]
    r = client_of(reg, max_s=0.3).get(
        f"/_nv/live/{s.token}", headers={"Last-Event-ID": str(latest - 2)}
    )
    ids = [e["id"] for e in _events(r.text) if e["data"]]
    assert ids == [latest - 1, latest]  # replayed, no new payload built
    # Too old for the channel: a payload built for what ``have`` says.
    r = client_of(reg, max_s=0.3).get(
        f"/_nv/live/{s.token}", headers={"Last-Event-ID": "2"}, params={"have": "{}"}
    )
    (ev,) = [e for e in _events(r.text) if e["data"]]
    assert ev["id"] == latest + 1 and ev["data"]["runs"][0]["base"] == 0


def test_a_quiet_stream_is_pinged_and_ends_after_its_time(reg, client_of):
    s, _ = _session(reg)
    t0 = time.monotonic()
    r = client_of(reg, max_s=0.5, ping_s=0.1).get(f"/_nv/live/{s.token}")
    took = time.monotonic() - t0
    pings = [e for e in _events(r.text) if e["comment"] == "ping"]
    assert len(pings) >= 2 and 0.4 < took < 5


def test_published_payloads_reach_the_open_stream_and_subscribers_are_counted(reg, client_of):
    s, t = _session(reg)
    s.start()
    seen = []

    def trainer_thread():
        import threading

        def go():
            # Wait for the stream's first payload (the resume, published from a worker thread
            # of the server): publishing before it would fold into it on a loaded machine.
            while s.channel.subscribers == 0 or s.channel.latest() is None:
                time.sleep(0.01)
            seen.append(s.channel.subscribers)
            for _ in range(3):
                s.train_once(0.005)
                s.publish()
                time.sleep(0.05)

        th = threading.Thread(target=go)
        th.start()
        return th

    th = trainer_thread()
    r = client_of(reg, max_s=2.0, ping_s=5).get(f"/_nv/live/{s.token}")
    th.join()
    data = [e for e in _events(r.text) if e["data"]]
    assert len(data) == 4  # the first, then the three published while it was open
    assert [e["id"] for e in data] == sorted(e["id"] for e in data)
    assert seen == [1] and s.channel.subscribers == 0  # counted while open, not after
    rows = data[-1]["data"]["runs"][0]
    assert rows["rows"]["epoch"][-1] == t.history[-1].epoch
    s.pause()


def test_the_route_is_outside_streamlits_reserved_prefixes_and_follows_the_base_path():
    assert not PATH.startswith(("/_stcore/", "/media/", "/component/", "/static/"))
    assert [r.path for r in routes("/class/")] == [PATH, "/class" + PATH]
