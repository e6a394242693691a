"""The regularization lab page (Streamlit AppTest from app.py)."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from pages import _lab_widgets as w
from tests.conftest import APP


def _lab(params: dict[str, str] | None = None, *, first_view: bool = False) -> AppTest:
    """The lab page after its first run; with the charts drawn unless ``first_view``."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("pages/lab.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if not first_view:  # AppTest does not fire run_every timers: skip the newcomer's first tick
        at.session_state["lab_drawn"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _trainers(at: AppTest) -> list:
    return at.session_state.lab_trainers


def test_page_renders_controls_and_charts():
    at = _lab()
    assert at.title[0].value == "Regularization lab"
    for key in ("lab_start", "lab_pause", "lab_step", "lab_reset"):
        assert at.button(key=key) is not None
    for key in ("lab_dataset", "lab_activation", "lab_norm", "lab_optimizer"):
        assert at.selectbox(key=key) is not None
    for key in ("lab_noise", "lab_n_samples", "lab_dropout", "lab_augmentation"):
        assert at.slider(key=key) is not None
    for key in ("lab_l1", "lab_l2", "lab_lr", "lab_batch_size"):
        assert at.select_slider(key=key) is not None
    assert at.text_input(key="lab_hidden").value == "16-16"
    assert at.toggle(key="lab_es_on").value is False
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # boundary, weight histogram, weight norm, curves
    assert '"heatmap"' in charts[0].proto.spec
    assert len(at.get("latex")) >= 3
    assert not at.code  # both code expanders are lazy: nothing is sent until one opens
    at.session_state["lab_code"] = True  # open "PyTorch code for the current settings"
    at.session_state["lab_l1_bug"] = True
    at.run()
    assert any("import torch" in c.value for c in at.code)
    assert any("p.abs().sum()" in c.value for c in at.code)
    assert not at.session_state.lab_running
    assert len(_trainers(at)[0].history) == 1  # epoch 0 only: nothing trains until Start


def test_first_view_sends_the_page_before_the_charts():
    at = _lab(first_view=True)
    assert not at.get("plotly_chart")  # plotly.js would hold the whole page in a slow browser
    assert any("Drawing the charts" in c.value for c in at.caption)
    assert at.button(key="lab_start") is not None
    assert at.session_state.lab_drawn is False
    assert not at.subheader and not at.latex  # the sections below the fold follow too
    at.session_state["lab_drawn"] = True  # what the first tick of the live view does
    at.run()
    assert len(at.get("plotly_chart")) == 4
    assert "Batch size: how many updates?" in [h.value for h in at.subheader]
    assert not any("Drawing the charts" in c.value for c in at.caption)


def test_start_trains_on_each_tick_and_pause_stops():
    at = _lab({"batch_size": "256"})  # one update per epoch: every tick adds epochs
    at.button(key="lab_start").click().run()
    assert at.session_state.lab_running
    first = _trainers(at)[0].steps
    assert first > 0
    at.run()  # the next tick of the run_every fragment
    second = _trainers(at)[0].steps
    assert second > first
    assert len(_trainers(at)[0].history) > 1
    at.button(key="lab_pause").click().run()
    assert not at.session_state.lab_running
    paused = _trainers(at)[0].steps
    at.run()
    assert _trainers(at)[0].steps == paused
    assert not w.lease_table().holds(at.session_state.lab_sid, time.monotonic())


def test_step_adds_one_epoch_and_reset_clears():
    at = _lab({"batch_size": "50", "n_samples": "200"})
    at.button(key="lab_step").click().run()
    trainer = _trainers(at)[0]
    assert trainer.steps == 2  # 100 training points / batch 50
    assert trainer.epoch == 1 and len(trainer.history) == 2
    at.button(key="lab_reset").click().run()
    assert _trainers(at)[0].steps == 0
    assert len(_trainers(at)[0].history) == 1


def test_url_opens_that_configuration_and_warns_about_bad_values():
    at = _lab({"dataset": "xor", "hidden": "8-4", "dropout": "0.2", "seed": "7", "lr": "fast"})
    cfg = _trainers(at)[0].config
    assert (cfg.dataset, cfg.hidden, cfg.dropout, cfg.seed, cfg.lr) == ("xor", (8, 4), 0.2, 7, 0.01)
    assert at.selectbox(key="lab_dataset").value == "xor"
    assert any("lr" in m.value for m in at.warning)
    assert _param(at, "hidden") == "8-4"
    assert _param(at, "lr") is None  # the ignored value is dropped from the address


def test_changing_a_control_rebuilds_the_run_and_updates_the_url():
    at = _lab()
    at.slider(key="lab_dropout").set_value(0.3).run()
    assert _trainers(at)[0].config.dropout == 0.3
    assert _param(at, "dropout") == "0.3"
    at.text_input(key="lab_hidden").input("8-x").run()
    assert any("hidden" in e.value for e in at.error)
    assert _trainers(at)[0].config.hidden == (16, 16)  # the last valid config stays


@pytest.mark.parametrize("preset", list(w.PRESETS))
def test_every_compare_preset_renders_two_runs(preset):
    at = _lab({"mode": "compare", "preset": preset})
    a, b = _trainers(at)
    assert a.config != b.config or preset == "Custom"
    assert a.train.x.tobytes() == b.train.x.tobytes()  # same data and seed
    assert len(at.get("plotly_chart")) == 5  # two boundaries, curves, histograms, norms
    assert at.session_state.lab_labels == ["A", "B"]
    if preset == "Custom":
        at.slider(key="lab_b_dropout").set_value(0.5).run()
        assert _trainers(at)[1].config.dropout == 0.5
    at.button(key="lab_step").click().run()
    assert all(t.epoch == 1 for t in _trainers(at))


def test_busy_message_when_the_lease_table_is_full():
    table = w.lease_table()
    fakes = [f"fake-{i}" for i in range(table.capacity)]
    now = time.monotonic()
    try:
        for owner in fakes:
            table.acquire(owner, now)
        at = _lab()
        at.button(key="lab_start").click().run()
        assert not at.session_state.lab_running
        assert any("The server is busy" in m.value for m in at.warning)
        assert _trainers(at)[0].steps == 0
    finally:
        for owner in fakes:
            table.release(owner)


def test_batch_calculator_reproduces_the_notes_table():
    at = _lab()
    rows = at.dataframe[0].value
    assert rows["updates per epoch"].tolist() == [31_250, 15_625, 1_954]
    at.toggle(key="lab_calc_drop_last").set_value(True).run()
    rows = at.dataframe[0].value
    assert rows["updates per epoch"].tolist() == [31_250, 15_625, 1_953]
    assert rows["total updates"].tolist()[:2] == [12_500_000, 6_250_000]


def test_code_panel_shows_each_current_run():
    at = _lab({"mode": "compare", "preset": "High learning rate: no norm vs BatchNorm"})
    at.session_state["lab_code"] = True
    at.run()
    codes = [c.value for c in at.code if "nn.Sequential" in c.value]
    assert len(codes) == 2  # one tab per run, from the current configs
    assert "BatchNorm1d" not in codes[0] and "nn.BatchNorm1d(16)" in codes[1]
    assert all("BATCH_SIZE, LR = 32, 0.2\n" in c for c in codes)
    at.segmented_control(key="lab_mode").set_value("One network").run()
    codes = [c.value for c in at.code if "nn.Sequential" in c.value]
    assert len(codes) == 1 and "BATCH_SIZE, LR = 32, 0.01\n" in codes[0]


def test_a_wrongly_typed_setting_shows_an_error_not_a_traceback(monkeypatch):
    # TrainConfig raises TypeError (not ValueError) for a field of the wrong type.
    monkeypatch.setitem(w.PRESETS, "Typed wrong", ({}, {}, {"seed": "7"}, "B's seed is text."))
    at = _lab({"mode": "compare", "preset": "Typed wrong"})
    assert not at.exception
    assert any("Run B not applied" in e.value and "seed" in e.value for e in at.error)
    assert len(_trainers(at)) == 1


def _capture_downloads(monkeypatch) -> dict[str, object]:
    """Record the ``data`` of every download button the page makes, by key.

    AppTest has no media file manager, so a deferred ``data`` callable is never registered or
    called; the test calls it the way Streamlit does on a click: on a thread of its own,
    outside any script run.
    """
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    seen: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        seen[kwargs.get("key")] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: spy(st._main, *a, **k))
    return seen


def _off_thread(fn) -> object:
    """Call ``fn`` on a new thread (no script run context there) and return its result."""
    import threading

    out: dict[str, object] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except Exception as err:  # reported by the assertion below
            out["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert "error" not in out, f"the download's data callable failed: {out.get('error')!r}"
    return out["value"]


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"batch_size": "256"}, ["lab_download"]),
        ({"mode": "compare", "preset": "L1 vs L2"}, ["lab_download_A", "lab_download_B"]),
    ],
)
def test_history_download_works_off_the_script_thread(monkeypatch, params, keys):
    import csv
    import io

    from normviz.training import EpochRecord

    seen = _capture_downloads(monkeypatch)
    at = _lab(params)
    at.button(key="lab_step").click().run()
    at.button(key="lab_step").click().run()
    assert [k for k in seen if str(k).startswith("lab_download")] == keys
    for key, trainer in zip(keys, _trainers(at), strict=True):
        data = seen[key]
        text = _off_thread(data) if callable(data) else data
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == list(EpochRecord._fields)
        assert len(rows) - 1 == len(trainer.history) == 3  # epochs 0, 1 and 2
        assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
        assert float(rows[-1][rows[0].index("test_loss")]) == trainer.history[-1].test_loss
