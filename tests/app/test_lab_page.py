"""The regularization lab page (Streamlit AppTest from app.py)."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from normviz import lab_text
from normviz.lab_status import status_line
from normviz.lab_studies import study_rows
from normviz.lab_text import control_help, l1_code
from normviz.lab_text import stacked_latex as stacked
from normviz.presets import preset_text
from normviz.train_config import FIELDS
from normviz.training import X_AXES, TrainConfig, pytorch_code
from pages import _lab_lessons as lessons
from pages import _lab_studies as studies
from pages import _lab_widgets as w
from tests.app._code_boxes import code_boxes
from tests.app._fresh import STATE_WIDGETS, mounted_fresh
from tests.conftest import APP
from tests.live_browser import LiveBrowser, component_payload


def _lab(
    params: dict[str, str] | None = None, *, first_view: bool = False, lesson: str = "maths"
) -> AppTest:
    """The lab page after its first run; with the charts drawn unless ``first_view``.

    ``lesson`` names the lessons' tab open (:data:`pages._lab_lessons.TABS`).
    """
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("pages/lab.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if not first_view:  # AppTest does not fire run_every timers: skip the newcomer's first tick
        at.session_state["lab_drawn"] = True
    at.session_state[lessons.LESSON] = lessons.TABS[lesson]
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, lesson: str) -> AppTest:
    """Open the lessons' tab ``lesson`` (a name of :data:`pages._lab_lessons.TABS`), as a click
    on its header does; rerun."""
    at.session_state[lessons.LESSON] = lessons.TABS[lesson]
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
    feed = component_payload(at)  # one live chart surface: boundary, curves, weights
    (run,) = feed["runs"]
    assert run["base"] == 0 and len(run["rows"]["epoch"]) == 1  # the whole history: epoch 0
    assert run["points"]["train"]["label"] == _trainers(at)[0].train.y.tolist()
    assert run["grid"]["n"] == w.BOUNDARY_RESOLUTION
    assert not at.get("plotly_chart")  # the live view sends no Plotly figure
    assert len(at.get("latex")) >= 3
    assert not code_boxes(at)  # both code expanders are lazy: nothing is sent until one opens
    at.session_state["lab_l1_bug"] = True
    boxes = code_boxes(at.run())
    at.session_state["lab_code"] = True  # open "PyTorch code for the current settings"
    boxes |= code_boxes(_open(at, "home"))
    assert boxes["lab_code_box"] == pytorch_code(_trainers(at)[0].config)
    # Defect 8: the correct-L1 snippet penalizes what the lab penalizes (linear layers' weights),
    # not every parameter whose name ends in "weight" (the normalization layers' too).
    assert boxes["lab_l1_sub_box"] == l1_code("subgradient")
    assert boxes["lab_l1_prox_box"] == l1_code("proximal")
    assert not any("endswith('weight')" in c for c in boxes.values())
    assert not at.session_state.lab_running
    assert len(_trainers(at)[0].history) == 1  # epoch 0 only: nothing trains until Start


def test_first_view_sends_the_live_view_before_the_lessons():
    at = _lab(first_view=True)
    assert len(component_payload(at)["runs"]) == 1  # the live view at once (no Plotly in it)
    assert _args(at)["drawn"] is False  # ... which asks for a page run once it has mounted
    assert any(c.value == w.LESSONS_PENDING for c in at.caption)
    assert at.button(key="lab_start") is not None
    assert at.session_state.lab_drawn is False
    assert not at.subheader and not at.latex  # the sections below the fold follow
    # ... and so do the controls, their place held by a caption (w.controls_in_state)
    assert not at.slider and not at.select_slider and not at.number_input and not at.text_input
    assert any(c.value == w.CONTROLS_PENDING for c in at.caption)
    at.session_state["lab_live"] = {"frame": "f" * 16, "ready": 1}  # what the view sends
    at.run()
    assert at.session_state.lab_drawn is True
    assert _args(at.run())["drawn"] is True
    assert "What the controls do" in [h.value for h in at.subheader]  # the first lesson's tab
    assert not any(c.value in (w.LESSONS_PENDING, w.CONTROLS_PENDING) for c in at.caption)
    assert at.slider(key="lab_dropout").value == 0.0 and at.button(key="lab_defaults")


def _args(at: AppTest) -> dict:
    """The live chart's arguments in an AppTest's last run."""
    (element,) = at.get("component_instance")
    return json.loads(element.proto.json_args)


def _wait(at: AppTest, done, timeout_s: float = 20.0) -> None:
    """Run the page until ``done()`` (the worker trains between runs, in real time)."""
    end = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < end, "the worker did not train in time"
        time.sleep(0.05)
    at.run()


def test_start_trains_in_the_worker_and_pause_stops():
    at = _lab({"batch_size": "256"})  # one update per epoch: every update adds epochs
    at.button(key="lab_start").click().run()
    assert at.session_state.lab_running
    assert _args(at)["running"] is True and _args(at)["stream"] == "/_nv/live/" + (
        at.session_state.lab_sid
    )
    (trainer,) = _trainers(at)
    _wait(at, lambda: trainer.steps > 0)
    first = trainer.steps
    _wait(at, lambda: trainer.steps > first)  # no page run needed: the worker trains
    assert len(trainer.history) > 1
    at.button(key="lab_pause").click().run()
    assert not at.session_state.lab_running and _args(at)["running"] is False
    paused = trainer.steps
    time.sleep(0.5)
    at.run()
    assert trainer.steps == paused
    assert not w.lease_table().holds(at.session_state.lab_sid, time.monotonic())
    # The view drawn by the earlier runs holds what they and its stream sent: the page's payload
    # continues from there to the last epoch, with each run's status line.
    run = component_payload(at)["runs"][0]
    assert 0 < run["base"] <= len(trainer.history)
    assert run["rows"]["epoch"] == [r.epoch for r in trainer.history[run["base"] :]]
    assert run["status"] == status_line(trainer.history[-1])
    # Back from another lesson, a new view: the page's payload holds the whole history.
    at.switch_page("pages/images.py").run()
    at.switch_page("pages/lab.py").run()
    run = component_payload(at)["runs"][0]
    assert run["base"] == 0 and run["rows"]["epoch"] == [r.epoch for r in trainer.history]


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
    at.run()  # a setting reruns only the live panel and lessons (AppTest then shows only those)
    at.text_input(key="lab_hidden").input("8-x").run()
    assert any("hidden" in e.value for e in at.error)
    assert _trainers(at)[0].config.hidden == (16, 16)  # the last valid config stays


@pytest.mark.parametrize("preset", list(w.PRESETS))
def test_every_compare_preset_renders_two_runs(preset):
    at = _lab({"mode": "compare", "preset": preset})
    a, b = _trainers(at)
    assert a.config != b.config or preset == "Custom"
    assert a.train.x.tobytes() == b.train.x.tobytes()  # same data and seed
    feed = component_payload(at)  # one surface draws both runs
    assert [r["label"] for r in feed["runs"]] == at.session_state.lab_labels == ["A", "B"]
    assert feed["runs"][0]["points"] == feed["runs"][1]["points"]  # same data
    if preset == "Custom":
        at.slider(key="lab_b_dropout").set_value(0.5).run()
        assert _trainers(at)[1].config.dropout == 0.5
    at.button(key="lab_step").click().run()
    assert all(t.epoch == 1 for t in _trainers(at))


def test_busy_message_when_the_lease_table_is_full():
    table = w.lease_table()
    fakes = [f"fake-{i}" for i in range(table.capacity)]
    at = _lab()  # first: a first page run can take longer than the leases live
    now = time.monotonic()
    try:
        for owner in fakes:
            table.acquire(owner, now)
        at.button(key="lab_start").click().run()
        assert not at.session_state.lab_running
        assert any("The server is busy" in m.value for m in at.warning)
        assert _trainers(at)[0].steps == 0
    finally:
        for owner in fakes:
            table.release(owner)


def _table(at: AppTest, label: str) -> dict[str, list[str]]:
    """The HTML table named ``label`` on the page: its cells' texts by column (its header)."""
    import xml.etree.ElementTree as ET

    [body] = [h.proto.body for h in at.get("html") if f'aria-label="{label}"' in h.proto.body]
    head, *rows = [[c.text for c in tr] for tr in ET.fromstring(body).iter("tr")]
    return {c: [r[i] for r in rows] for i, c in enumerate(head)}


def test_batch_calculator_reproduces_the_notes_table():
    at = _lab(lesson="calculator")
    assert not at.dataframe  # HTML tables: the lab draws no data grid
    rows = _table(at, "Updates per batch size")
    assert rows["batch size"] == ["128", "256", "2,048"]
    assert rows["updates per epoch"] == ["31,250", "15,625", "1,954"]
    assert rows["times fewer updates"] == ["1.00", "2.00", "15.99"]  # 31,250 / 1,954
    at.toggle(key="lab_calc_drop_last").set_value(True).run()
    rows = _table(at, "Updates per batch size")
    assert rows["updates per epoch"] == ["31,250", "15,625", "1,953"]
    assert rows["total updates"][:2] == ["12,500,000", "6,250,000"]


def test_code_panel_shows_each_current_run():
    at = _lab({"mode": "compare", "preset": "High learning rate: no norm vs BatchNorm"},
              lesson="home")  # fmt: skip
    at.session_state["lab_code"] = True
    at.run()
    codes = [code_boxes(at)[f"lab_code_box_{label}"] for label in "AB"]
    assert len(code_boxes(at)) == 2  # one tab per run, from the current configs
    assert "BatchNorm1d" not in codes[0] and "nn.BatchNorm1d(16)" in codes[1]
    assert all("BATCH_SIZE, LR = 32, 0.2\n" in c for c in codes)
    # The preset set the controls (learning rate 0.2): one network trains what they show.
    assert at.select_slider(key="lab_lr").value == 0.2
    at.segmented_control(key="lab_mode").set_value("One network").run()
    codes = list(code_boxes(at).values())
    assert len(codes) == 1 and "BATCH_SIZE, LR = 32, 0.2\n" in codes[0]
    assert at.select_slider(key="lab_lr").value == _trainers(at)[0].config.lr == 0.2


def test_back_to_compare_keeps_the_preset_chosen():
    """Defect: Compare A and B, then One network, then Compare A and B again raised a KeyError.

    The preset's selectbox is drawn only in compare mode; Streamlit dropped its state in the
    one-network run, and the mode's callback (which applies the preset) read it.
    """
    preset = "High learning rate: no norm vs BatchNorm"
    at = _lab({"mode": "compare"})
    at.selectbox(key="lab_preset").select(preset).run()
    for mode in ("One network", "Compare A and B", "One network", "Compare A and B"):
        at.segmented_control(key="lab_mode").set_value(mode).run()
        assert not at.exception, at.exception
    assert at.selectbox(key="lab_preset").value == preset
    assert _param(at, "preset") == preset and _param(at, "mode") == "compare"
    assert [label for label, _ in at.session_state.lab_runs] == ["A", "B"]
    assert _trainers(at)[1].config.norm == "batch" != _trainers(at)[0].config.norm


def test_custom_runs_b_controls_survive_a_round_trip_through_a_preset_and_one_network():
    """Run B's own controls (drawn only with the Custom preset): changed, then a named preset,
    One network, Custom again and changed again: no exception at any step, and run B trains
    what its controls show each time (they start from the shared controls when drawn again)."""
    at = _lab({"mode": "compare", "preset": "Custom"})
    at.slider(key="lab_b_dropout").set_value(0.3).run()
    assert not at.exception and _trainers(at)[1].config.dropout == 0.3
    for step in ("preset", "one", "custom"):
        if step == "preset":
            at.selectbox(key="lab_preset").select(next(iter(w.PRESETS))).run()
        elif step == "one":
            at.segmented_control(key="lab_mode").set_value("One network").run()
            at.segmented_control(key="lab_mode").set_value("Compare A and B").run()
        else:
            at.selectbox(key="lab_preset").select("Custom").run()
        assert not at.exception, (step, at.exception)
    b_dropout = at.slider(key="lab_b_dropout").value
    assert _trainers(at)[1].config.dropout == b_dropout
    l2 = at.select_slider(key="lab_b_l2")
    l2.set_value(float(l2.options[-1])).run()  # the strongest L2 on offer
    assert not at.exception
    b = _trainers(at)[1].config
    assert b.l2 == at.select_slider(key="lab_b_l2").value == float(l2.options[-1]) > 0
    assert b.dropout == at.slider(key="lab_b_dropout").value


def test_a_wrongly_typed_setting_shows_an_error_not_a_traceback(monkeypatch):
    # TrainConfig raises TypeError (not ValueError) for a field of the wrong type.
    from normviz.presets import Preset

    typed_wrong = Preset("Typed wrong", {}, {}, {"seed": "7"}, lambda a, b: "B's seed is text.")
    monkeypatch.setitem(w.PRESETS, "Typed wrong", typed_wrong)
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
    at = _lab(params, lesson="home")
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


def _help(at: AppTest, kind: str, key: str) -> str:
    return getattr(at, kind)(key=key).proto.help


def _latex(at: AppTest) -> list[str]:
    """The LaTeX sources on the page (AppTest shows them wrapped in $$ lines)."""
    return [x.value.removeprefix("$$\n").removesuffix("\n$$") for x in at.latex]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_setting_reruns_only_the_live_panel_and_the_lessons_it_changes():
    """Dropout keeps the controls' look: its callback applies it (trainers, runs, address) and
    reruns the live panel and the sections whose text changed, not the controls nor the
    calculator. So do the noise and the hidden widths (no help quotes them). The L1 method
    changes L1's help: the page runs."""
    at = _lab({"seed": "3"})
    assert at.slider(key="lab_dropout") is not None and at.subheader
    at.slider(key="lab_dropout").set_value(0.3).run()
    assert not at.exception, at.exception
    (trainer,) = _trainers(at)
    assert trainer.config.dropout == 0.3 and at.session_state.lab_runs == [("", trainer.config)]
    assert (_param(at, "dropout"), _param(at, "seed")) == ("0.3", "3")
    keys = {getattr(e, "key", None) for e in at.get("slider") + at.get("number_input")}
    assert "lab_dropout" not in keys  # the controls: not sent
    assert component_payload(at)["runs"]  # the live panel ran, with the new run
    assert lab_text.dropout_text(trainer.config) in _markdown(at)  # "What the controls do"
    assert not any("Dropout check" in h.value for h in at.subheader)  # its tab is closed
    at.run()  # the whole page shows what the keyed run applied
    assert at.slider(key="lab_dropout").value == 0.3
    # Another tab open: its section reruns, the one of the tab closed (its stamp gone) does not.
    _open(at, "dropout").slider(key="lab_dropout").set_value(0.4).run()
    assert not at.exception, at.exception
    assert any("Dropout check" in h.value for h in at.subheader)
    assert lab_text.dropout_text(_trainers(at)[0].config) not in _markdown(at)
    _open(at, "home").slider(key="lab_dropout").set_value(0.2).run()
    assert not any(h.value == "Take it home" for h in at.subheader)  # code closed, same trainer
    # The noise's help quotes no live level: a noise change keeps the controls' look too.
    _open(at, "calculator").slider(key="lab_noise").set_value(0.5).run()
    keys = {getattr(e, "key", None) for e in at.get("slider") + at.get("number_input")}
    assert "lab_noise" not in keys and "lab_calc_n" not in keys
    assert _trainers(at)[0].config.noise == 0.5 and _param(at, "noise") == "0.5"
    _open(at, "maths").text_input(key="lab_hidden").input("8-6").run()  # no help quotes widths
    keys = {getattr(e, "key", None) for e in at.get("slider") + at.get("number_input")}
    assert "lab_dropout" not in keys and _trainers(at)[0].config.hidden == (8, 6)
    assert lab_text.groups_text((8, 6)) in _markdown(at)  # the math section was rerun
    at.run()
    at.radio(key="lab_l1_method").set_value("proximal").run()  # L1's help changes: page runs
    assert at.slider(key="lab_dropout") is not None
    assert at.select_slider(key="lab_l1").help == control_help(_trainers(at)[0].config)["l1"]


def test_l1_method_control_and_its_texts():
    # Defect 3: subgradient L1 gives near-zero weights, proximal exact zeros; the page says so.
    at = _lab({"l1": "0.01"})
    radio = at.radio(key="lab_l1_method")
    assert radio.value == "subgradient" and list(radio.options) == ["subgradient", "proximal"]
    help_l1 = _help(at, "select_slider", "lab_l1")
    assert "near zero" in help_l1 and "exactly zero" not in help_l1
    assert l1_text(_trainers(at)[0].config) in _markdown(at)
    assert "drives weights to exactly zero" not in _markdown(at) + help_l1
    radio.set_value("proximal").run()
    cfg = _trainers(at)[0].config
    assert cfg.l1_method == "proximal"
    assert _param(at, "l1_method") == "proximal"
    assert "exactly zero" in _help(at, "select_slider", "lab_l1")
    assert lab_text.l1_text(cfg) in _markdown(at)
    assert lab_text.l1_latex(cfg) in _latex(at)


def l1_text(cfg: TrainConfig) -> str:
    return lab_text.l1_text(cfg)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw"])
def test_l2_rule_is_the_selected_optimizers(optimizer):
    # Defect 10: the L2 update rule shown is the optimizer's, not SGD's whatever is selected.
    at = _lab({"optimizer": optimizer, "l2": "0.01"})
    rule = lab_text.l2_rule(_trainers(at)[0].config)
    assert rule.optimizer == optimizer
    assert stacked(rule.latex) in _latex(at)  # the same rule, its steps on separate lines
    assert rule.text in _markdown(at)
    sgd_rule = lab_text.l2_rule(TrainConfig(optimizer="sgd")).latex
    assert (sgd_rule in _latex(at)) == (optimizer == "sgd")


def test_stacked_rule_keeps_every_step_in_order():
    rule = lab_text.l2_rule(TrainConfig(optimizer="adam")).latex
    lines = stacked(rule).removeprefix(r"\begin{gathered}").removesuffix(r"\end{gathered}")
    assert ",\\quad ".join(lines.split(r" \\ ")) == rule.replace(r",\ \ ", r",\quad ")
    assert len(lines.split(r" \\ ")) == 4
    plain = lab_text.l2_rule(TrainConfig(optimizer="sgd")).latex
    assert stacked(plain) == plain


def test_early_stopping_texts_say_when_the_best_weights_return():
    # Defect 9: toggle help and lesson come from lab_text, as the trainer and script behave.
    at = _lab({"patience": "7"})
    at.toggle(key="lab_es_on").set_value(True).run()
    cfg = _trainers(at)[0].config
    assert cfg.early_stopping_patience is not None
    assert _help(at, "toggle", "lab_es_on") == control_help(cfg)["early_stopping_patience"]
    assert lab_text.early_stopping_text(cfg) in _markdown(at)
    at.toggle(key="lab_es_on").set_value(False).run()
    assert lab_text.early_stopping_text(_trainers(at)[0].config) in _markdown(at)


@pytest.mark.parametrize("preset", ["Dropout: off vs 0.4", "Adam + L2 vs AdamW"])
def test_what_to_look_for_comes_from_the_preset_registry(preset):
    # Defect 16 and issue 9 section 3: the registry's presets and texts, on the runs trained.
    at = _lab({"mode": "compare", "preset": preset, "seed": "0"})
    assert preset in at.selectbox(key="lab_preset").options
    base = at.session_state.lab_cfg
    assert any(preset_text(preset, base) in c.value for c in at.caption)
    a, b = (t.config for t in _trainers(at))
    if preset == "Adam + L2 vs AdamW":
        assert (a.optimizer, b.optimizer, a.l2, b.l2) == ("adam", "adamw", 0.01, 0.01)
    else:
        assert "A smaller gap is not the same as better generalization" in preset_text(preset)


def test_custom_b_l1_method():
    at = _lab({"mode": "compare", "preset": "Custom"})
    at.selectbox(key="lab_b_l1_method").set_value("proximal").run()
    a, b = (t.config for t in _trainers(at))
    assert (a.l1_method, b.l1_method) == ("subgradient", "proximal")


def _numbers(value) -> list[float]:
    """A figure value as floats: a list, or Plotly's base64 typed array."""
    import base64

    import numpy as np

    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return [float(v) for v in value]


def _spec(at: AppTest, title: str) -> dict:
    import json

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts = [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        if any(title in t for t in texts):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def test_x_axis_control_switches_every_curve():
    # Defect 7: curves against epochs, updates or samples seen. The browser holds every x column
    # of every row it received; the payload says which one is on the axis and its title.
    at = _lab({"batch_size": "64", "n_samples": "200"})  # 100 training points: 2 updates/epoch
    browser = LiveBrowser()
    assert browser.apply(component_payload(at)) == []
    for _ in range(3):
        at.button(key="lab_step").click().run()
        assert browser.apply(component_payload(at)) == []
    radio = at.radio(key="lab_x_axis")
    assert radio.value == "epoch"
    assert list(radio.options) == ["Epoch", "Updates (optimizer steps)", "Samples seen"]
    hist = _trainers(at)[0].history
    (token,) = at.session_state.lab_tokens
    for axis, title in (("step", "updates"), ("samples_seen", "samples seen"), ("epoch", "epoch")):
        at.radio(key="lab_x_axis").set_value(axis).run()
        feed = component_payload(at)
        assert browser.apply(feed) == []
        assert (feed["x_axis"], feed["x_title"]) == (axis, title)
        xs = [getattr(r, axis) for r in hist]
        assert xs[-1] == {"step": 6, "samples_seen": 300, "epoch": 3}[axis]
        assert browser.rows[token][axis] == xs


def test_dropout_check_on_screen_matches_normviz():
    from normviz.lab_studies import dropout_check

    at = _lab({"dropout": "0.3"}, lesson="dropout")
    rows = _table(at, "Dropout check per mask count")
    check = dropout_check(_trainers(at)[0].config, ks=studies.DROPOUT_KS)
    assert rows["masks K"] == [f"{k:,}" for k in check.ks]
    for column, values in [
        ("max |mean − eval|", check.max_abs_diff),
        ("RMS of mean − eval", check.rms_diff),
        ("RMS predicted √(p/(1−p)·mean h²/K)", check.predicted_rms),
    ]:
        assert [float(v) for v in rows[column]] == pytest.approx(values.tolist(), abs=5e-5)
    assert any(f"{check.unscaled_ratio:.3f} times" in c.value for c in at.caption)
    assert any("p = 0.3" in m.value for m in at.markdown)


def _studies_shown(at: AppTest) -> list[str]:
    """The HTML bodies of the batch-size study's charts on the page."""
    return [h.proto.body for h in at.get("html") if 'data-chart="batch-size-study"' in h.proto.body]


def _study_chart(at: AppTest, title: str):
    """The batch-size study's HTML (parsed) titled ``title``."""
    import xml.etree.ElementTree as ET

    for body in _studies_shown(at):
        if title in body:
            return ET.fromstring(body)
    raise AssertionError(f"no study titled {title!r}")


def _study_table(at: AppTest) -> list[list[str]]:
    """The study's HTML table as rows of cell texts, its header first."""
    import xml.etree.ElementTree as ET

    [body] = [
        h.proto.body for h in at.get("html") if "Test accuracy per batch size" in h.proto.body
    ]
    return [[c.text for c in tr] for tr in ET.fromstring(body).iter("tr")]


def test_batch_size_study_runs_on_request_and_is_cached():
    at = _lab({"n_samples": "80", "hidden": "8"}, lesson="study")
    assert not _studies_shown(at)
    from normviz.lab_studies import STUDY_CONFIG, STUDY_EPOCHS

    radio = at.radio(key="lab_study_base")
    assert radio.value == "study"  # the moons base, where the paper's pattern was measured
    assert at.number_input(key="lab_study_epochs").value == STUDY_EPOCHS
    assert STUDY_CONFIG.dataset in radio.help
    radio.set_value("controls").run()
    at.multiselect(key="lab_study_batches").set_value([4, 16]).run()
    at.number_input(key="lab_study_epochs").set_value(2).run()
    at.button(key="lab_study_run").click().run()
    assert not at.exception, at.exception
    chart = _study_chart(at, "Test accuracy after 2 epochs")
    legend = [e for e in chart.iter() if e.get("class") == "nv-legend-item"]
    assert ["".join(e.itertext()) for e in legend] == ["BatchNorm", "GroupNorm", "LayerNorm"]
    key = studies.study_key(at.session_state.lab_cfg, [4, 16], 2)
    study = studies.study_board().get(key)
    titles = [e.get("title") for e in chart.iter() if e.get("class") == "nv-point"]
    assert titles == [  # each point's hover from the study's record
        f"{name}: batch {b}, test accuracy {study.test_acc[i, j]:.1%}"
        for i, name in enumerate(["BatchNorm", "GroupNorm", "LayerNorm"])
        for j, b in enumerate([4, 16])
    ]
    rows = _study_table(at)
    assert rows[0] == ["normalization", "batch 4", "batch 16"]
    assert rows[1:] == [
        [r["normalization"], r["batch 4"], r["batch 16"]] for r in study_rows(study)
    ]
    assert any(m.value.startswith("Test accuracy after 2 epochs at") for m in at.markdown)
    assert at.button(key="lab_study_run").disabled  # cached: nothing to run again
    # A second visitor with the same settings sees the cached result at once.
    other = _lab({"n_samples": "80", "hidden": "8"}, lesson="study")
    other.radio(key="lab_study_base").set_value("controls").run()
    other.multiselect(key="lab_study_batches").set_value([16, 4]).run()
    other.number_input(key="lab_study_epochs").set_value(2).run()
    assert other.button(key="lab_study_run").disabled
    _study_chart(other, "Test accuracy after 2 epochs")


def _study_rerun(at: AppTest) -> bool:
    """Whether the last run sent the study section (its batch sizes' multiselect)."""
    return any(m.key == "lab_study_batches" for m in at.get("multiselect"))


def test_a_setting_reruns_the_study_of_the_controls_network_only_when_its_study_changes():
    """The study of the controls' network follows the settings, but shows the same controls
    and button for any settings until a study is run: a setting's change reruns the section
    (a multiselect, a number input, a radio: ~0.1 s of the browser's time) only when it brings
    the study shown in or takes it away."""
    at = _lab({"n_samples": "80", "hidden": "8", "seed": "5"}, lesson="study")
    at.radio(key="lab_study_base").set_value("controls").run()
    at.multiselect(key="lab_study_batches").set_value([4, 16]).run()
    at.number_input(key="lab_study_epochs").set_value(2).run()
    at.slider(key="lab_dropout").set_value(0.1).run()  # no study shown before or after
    assert _trainers(at)[0].config.dropout == 0.1 and not _study_rerun(at)
    at.run()
    at.button(key="lab_study_run").click().run()
    assert _studies_shown(at) and at.button(key="lab_study_run").disabled
    at.slider(key="lab_dropout").set_value(0.2).run()  # the study shown is of dropout 0.1
    assert _study_rerun(at) and not _studies_shown(at)  # ... so it goes
    assert not at.button(key="lab_study_run").disabled
    at.run()
    at.slider(key="lab_dropout").set_value(0.3).run()  # none shown before or after
    assert not _study_rerun(at)
    at.run()
    at.slider(key="lab_dropout").set_value(0.1).run()  # the studied settings: it comes back
    assert _study_rerun(at) and _studies_shown(at)


def test_batch_size_study_is_bounded():
    board = studies.study_board()
    at = _lab({"n_samples": "1000"}, lesson="study")
    at.radio(key="lab_study_base").set_value("controls").run()
    at.multiselect(key="lab_study_batches").set_value([2]).run()
    at.number_input(key="lab_study_epochs").set_value(200).run()
    at.button(key="lab_study_run").click().run()
    assert any("more than 100,000" in e.value for e in at.error)  # too big: refused
    at.number_input(key="lab_study_epochs").set_value(1).run()
    # Another visitor's study is running (the default study prepared in the background holds
    # the gate only for one slice at a time).
    assert board.gate.acquire(timeout=10)
    try:
        at.button(key="lab_study_run").click().run()
        assert any("Another visitor's study is running" in i.value for i in at.info)
        assert not _studies_shown(at)
    finally:
        board.gate.release()


def test_the_default_study_is_prepared_in_the_background_and_shown_on_request(monkeypatch):
    from normviz.lab_studies import batch_size_study

    at = _lab(lesson="study")
    job = studies.prepared_study()
    assert job.key == studies.study_key(
        studies.STUDY_CONFIG, studies.STUDY_DEFAULT_BATCHES, studies.STUDY_EPOCHS
    )
    job.hurry()
    assert job.done.wait(180) and job.error is None
    # Not shown before it is asked for: the button is there to press.
    assert not at.button(key="lab_study_run").disabled
    assert not _studies_shown(at)

    def no_training(key):
        raise AssertionError("the page trained a study that was prepared")

    monkeypatch.setattr(studies, "run_study", no_training)
    studies.study_board()._done.pop(job.key, None)  # as on a fresh server: only prepared
    at.button(key="lab_study_run").click().run()
    assert not at.exception, at.exception
    _study_chart(at, f"Test accuracy after {studies.STUDY_EPOCHS} epochs")
    assert at.button(key="lab_study_run").disabled
    assert studies.study_board().get(job.key) is job.result
    base, sizes, epochs = job.key
    direct = batch_size_study(base, sizes, studies.STUDY_NORMS, epochs=epochs)
    assert job.result.test_acc.tolist() == direct.test_acc.tolist()  # what the page computes


def test_study_board_keeps_a_bounded_number_of_results():
    board = studies.StudyBoard(2)
    for k in range(3):
        board.put((TrainConfig(seed=k), (2,), 1), object())
    assert len(board) == 2
    assert board.get((TrainConfig(seed=0), (2,), 1)) is None


def test_data_and_norm_help_say_what_the_generator_and_model_do():
    import numpy as np

    from normviz.toydata import DATASETS, make_dataset

    at = _lab({"noise": "0.5", "hidden": "8-6-5", "dataset": "xor"})
    noise = _help(at, "slider", "lab_noise")
    # The level is not the standard deviation: a noise-free copy shows the real one.
    cfg = _trainers(at)[0].config
    noisy = make_dataset(cfg.dataset, 2000, 0.5, 1).x
    clean = make_dataset(cfg.dataset, 2000, 0.0, 1).x
    std = float(np.std(noisy - clean))
    assert abs(std - 0.15) < 0.01 and "level 0.5: 0.15," in noise
    assert str(len(DATASETS)) in _help(at, "selectbox", "lab_dataset")
    groups = "With these widths: 4 for 8 units, 2 for 6 units, 1 for 5 units."
    assert groups in _markdown(at)  # in "What the controls do", not the help: it follows them
    assert _help(at, "selectbox", "lab_norm") == FIELDS["norm"].help


def test_batch_size_study_takes_turns_on_the_tick_lock(monkeypatch):
    # Each slice of at most STUDY_SLICE_UPDATES updates is one turn on the process-wide lock
    # the live ticks use, so waiting ticks go between two slices.
    from normviz.lab_studies import iter_batch_size_study

    turns = w.tick_lock()
    entered: list[int] = []

    class Counting:
        def __enter__(self):
            turns.__enter__()
            entered.append(1)
            return self

        def __exit__(self, *exc):
            return turns.__exit__(*exc)

    monkeypatch.setattr(w, "tick_lock", Counting)
    at = _lab({"n_samples": "60", "hidden": "4", "seed": "11"}, lesson="study")
    at.radio(key="lab_study_base").set_value("controls").run()
    at.multiselect(key="lab_study_batches").set_value([2, 8]).run()
    at.number_input(key="lab_study_epochs").set_value(3).run()
    entered.clear()  # the page's own tick before the click does not count
    at.button(key="lab_study_run").click().run()
    base, sizes, epochs = studies.study_key(at.session_state.lab_cfg, [2, 8], 3)
    slices = list(
        iter_batch_size_study(
            base, sizes, studies.STUDY_NORMS, epochs=epochs,
            slice_updates=studies.STUDY_SLICE_UPDATES,
        )
    )  # fmt: skip
    assert len(slices) > 3
    assert len(entered) >= len(slices)  # one turn per slice (plus this page's live tick)
    assert len(entered) <= len(slices) + 1


# --- the link's messages, reset to defaults, the curves' axis, the script download ----------


def _link_warnings(at: AppTest) -> list[str]:
    """The link warnings as the reader sees them (their quoted values are escaped Markdown)."""
    from normviz.literal import unescape

    return [unescape(m.value) for m in at.warning if m.value.startswith("From the link: ")]


def test_a_bad_link_warning_stays_after_the_url_is_rewritten_until_dismissed():
    # This morning the warning was popped on the first run: the rerun that follows the URL's
    # rewrite (any rerun) showed nothing.
    at = _lab({"dropout": "2"})
    expected = [
        "From the link: Ignored dropout='2' from the URL: dropout must be a number in [0, 0.9] "
        "(got 2.0); using the default 0.0."
    ]
    assert _link_warnings(at) == expected
    assert _param(at, "dropout") is None  # the URL was rewritten
    at.run()
    at.run()
    assert _link_warnings(at) == expected
    at.button(key="lab_link_dismiss").click().run()
    assert _link_warnings(at) == []
    at.run()
    assert _link_warnings(at) == []


def test_changing_a_setting_answers_the_link_warning():
    at = _lab({"dropout": "2", "mode": "sideways", "x_axis": "time"})
    assert len(_link_warnings(at)) == 3
    assert (
        "Ignored mode='sideways' from the URL: mode must be one of 'one', 'compare'"
        in (_link_warnings(at)[1])
    )
    at.button(key="lab_step").click().run()  # training is not a setting
    assert len(_link_warnings(at)) == 3
    at.slider(key="lab_noise").set_value(0.3).run()
    assert _link_warnings(at) == []


def test_reset_to_defaults_restores_trainconfig_defaults_and_clears_the_url():
    at = _lab({"dataset": "xor", "dropout": "0.3", "hidden": "8", "mode": "compare",
               "preset": "L1 vs L2", "x_axis": "step", "lr": "fast"})  # fmt: skip
    at.button(key="lab_start").click().run()
    assert at.session_state.lab_running
    assert len(_link_warnings(at)) == 1
    at.button(key="lab_defaults").click().run()
    assert not at.exception
    assert dict(at.query_params) == {}
    assert _link_warnings(at) == []
    assert not at.session_state.lab_running
    [trainer] = _trainers(at)
    assert trainer.config == TrainConfig() and trainer.steps == 0
    assert at.session_state.lab_cfg == TrainConfig()
    assert at.selectbox(key="lab_dataset").value == TrainConfig().dataset
    assert at.text_input(key="lab_hidden").value == "16-16"
    assert at.radio(key="lab_x_axis").value == "epoch"
    assert at.session_state.lab_mode == "One network"


def test_reset_to_defaults_sends_each_control_its_default_value_even_the_widgets_own():
    """Reset to defaults sends each control its value with ``set_value``, so the browser shows
    it: also a value that is the widget's own default (a seed of 0 is the number input's
    minimum, "epoch" the radio's first option). A widget sent without ``set_value`` keeps what
    the browser shows (a typed seed), whatever the session's state holds."""
    at = _lab({"seed": "4", "x_axis": "samples_seen"})
    at.button(key="lab_defaults").click().run()
    assert not at.exception
    protos = {e.key: e.proto for kind in ("number_input", "radio", "slider") for e in at.get(kind)}
    seed, axis = protos["lab_seed"], protos["lab_x_axis"]
    assert (seed.value, seed.set_value) == (TrainConfig().seed, True) and TrainConfig().seed == 0
    first = next(iter(X_AXES))  # "epoch": the radio's first option
    assert (axis.raw_value, axis.set_value) == (X_AXES[first], True) and first == "epoch"


def test_x_axis_is_in_the_link():
    at = _lab({"x_axis": "samples_seen"})
    assert at.radio(key="lab_x_axis").value == "samples_seen"
    assert _param(at, "x_axis") == "samples_seen"
    at.radio(key="lab_x_axis").set_value("step").run()
    assert _param(at, "x_axis") == "step"
    at.radio(key="lab_x_axis").set_value("epoch").run()
    assert _param(at, "x_axis") is None  # the default is not written
    bad = _lab({"x_axis": "time"})
    assert bad.radio(key="lab_x_axis").value == "epoch"
    assert _link_warnings(bad) == [
        "From the link: Ignored x_axis='time' from the URL: x_axis must be one of 'epoch', "
        "'step', 'samples_seen' (got 'time'); using the default 'epoch'."
    ]


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"max_epochs": "3"}, ["lab_script"]),
        ({"mode": "compare", "preset": "L1 vs L2"}, ["lab_script_A", "lab_script_B"]),
    ],
)
def test_script_download_is_each_runs_code_built_off_the_script_thread(monkeypatch, params, keys):
    import functools

    from normviz.training import pytorch_code

    seen = _capture_downloads(monkeypatch)
    at = _lab(params, lesson="home")
    assert [k for k in seen if str(k).startswith("lab_script")] == keys
    for key, trainer in zip(keys, _trainers(at), strict=True):
        data = seen[key]
        assert isinstance(data, functools.partial)  # deferred: built when clicked
        assert _off_thread(data) == pytorch_code(trainer.config)
    if len(keys) == 2:
        assert _off_thread(seen[keys[0]]) != _off_thread(seen[keys[1]])


def test_start_pause_step_have_keyboard_shortcuts():
    at = _lab()
    shortcuts = {k: at.button(key=f"lab_{k}").proto.shortcut for k in ("start", "pause", "step")}
    assert shortcuts == {k: v.lower() for k, v in w.SHORTCUTS.items()}  # Streamlit's form
    assert len(set(shortcuts.values())) == 3
    assert not {"c", "r"} & set(shortcuts.values())  # reserved by Streamlit


@pytest.mark.parametrize("params", [{}, {"mode": "compare", "preset": "L1 vs L2"}])
def test_every_live_chart_has_alternative_text_from_normviz(params):
    from normviz.figures import lab as figs

    at = _lab(params)
    at.button(key="lab_step").click().run()
    feed = component_payload(at)
    trainers = _trainers(at)
    labels = at.session_state.lab_labels
    pairs = zip(trainers, labels, strict=True)
    curves = [figs.curves_info(t.history, lab, t.stopped) for t, lab in pairs]
    assert feed["alt"]["curves"] == figs.curves_alt(curves)
    assert feed["alt"]["norm"] == figs.weight_norm_alt(curves)
    for run, t in zip(feed["runs"], trainers, strict=True):
        title = f"Run {run['label']}" if run["label"] else "Decision boundary"
        assert run["alt_boundary"] == figs.boundary_alt(t.boundary(64), t.train, t.test, title)
    h = trainers[0].history[-1]
    assert f"after 1 epoch train loss {h.train_loss:.3f}" in figs.curves_alt(curves)


# A shared link that moves every control of the lab off its default (and off its minimum).
EVERY_SETTING = {
    "dataset": "moons",
    "n_samples": "600",
    "noise": "0.3",
    "test_fraction": "0.3",
    "seed": "7",
    "hidden": "32-8",
    "activation": "tanh",
    "norm": "layer",
    "norm_position": "after_activation",
    "dropout": "0.3",
    "l1": "0.001",
    "l1_method": "proximal",
    "l2": "0.01",
    "optimizer": "sgd",
    "lr": "0.1",
    "batch_size": "64",
    "early_stopping_patience": "30",
    "augmentation": "0.1",
    "max_epochs": "500",
    "x_axis": "step",
    "mode": "compare",
    "preset": "Custom",
}
# The keys init_from_url and custom_b fill from the link: every field, the toggle, mode,
# preset, x axis and run B's controls.
STATE_KEYS = (
    {f"lab_{f.name}" for f in dataclasses.fields(TrainConfig)}
    | {"lab_es_on", "lab_mode", "lab_preset", "lab_x_axis"}
    | {f"lab_b_{name}" for name in w.CUSTOM_FIELDS}
)


def _shown(at: AppTest) -> dict[str, str]:
    return {
        w_.key: mounted_fresh(w_)
        for kind in STATE_WIDGETS
        for w_ in getattr(at, kind)
        if w_.key in STATE_KEYS
    }


def test_a_browser_that_mounts_the_controls_late_still_shows_the_links_settings():
    """Defect: a shared link, opened on a busy machine, showed every slider at its minimum.

    Streamlit sends a widget's value only in the run that writes it into session state; a later
    run sends the element with its default (minimums, empty text). A browser that had not
    mounted a control before that run showed the defaults and sent them back: Dropout 0.00,
    Points 20, Seed 0, Hidden "". A newcomer's first run now draws no shared control at all
    (they follow with the lessons once the live view has mounted), so the run that draws them
    is not the run that wrote them: every element of it, and of the runs after, must carry the
    link's value itself (tests/e2e/test_lab.py::test_shared_url_under_a_slow_browser sees it in
    Chromium). The oracle: the same link on a page whose first run draws the controls (the
    writing run, whose elements carry the values Streamlit sets).
    """
    written = _shown(_lab(EVERY_SETTING))
    at = _lab(EVERY_SETTING, first_view=True)
    assert at.session_state[w.NOTES] == []  # every value of the link is valid
    first = _shown(at)
    assert "lab_dropout" not in first and any(c.value == w.CONTROLS_PENDING for c in at.caption)
    assert first["lab_x_axis"] == "Updates (optimizer steps)" and first["lab_preset"] == "Custom"
    assert first["lab_b_dropout"] == "0.3"
    assert _trainers(at)[0].config.dropout == 0.3  # trained as the link says, controls or not
    at.session_state["lab_drawn"] = True  # what the live view's "ready" does
    for _ in range(2):  # the run that draws the controls, and one more
        at.run()
        assert not at.exception, at.exception
        assert _trainers(at)[0].config.dropout == 0.3
        again = _shown(at)
        assert len(again) == len(written) == len(STATE_KEYS) == 31
        wrong = {k: (again[k], written[k]) for k in written if again[k] != written[k]}
        assert not wrong, f"controls a late browser shows as (this, not the link's): {wrong}"
    assert again["lab_dropout"] == "0.3" and again["lab_seed"] == "7"
    assert again["lab_hidden"] == "32-8" and again["lab_n_samples"] == "600"
    assert again["lab_l1_method"] == "proximal"
    after_reset = at.button(key="lab_defaults").click().run()
    assert _shown(after_reset)["lab_dropout"] == "0" and _shown(after_reset)["lab_seed"] == "0"
    assert _shown(after_reset.run())["lab_hidden"] == "16-16"


def _written(at: AppTest) -> set[str]:
    """The enabled controls whose element carries ``set_value``: the ones the run wrote.

    Streamlit discards the value a browser sends for a disabled widget and sends the widget's
    own with ``set_value`` in every run, written or not: disabled ones tell nothing here.
    """
    return {
        w_.key
        for kind in STATE_WIDGETS
        for w_ in getattr(at, kind)
        if w_.key in STATE_KEYS and w_.proto.set_value and not w_.proto.disabled
    }


def test_a_whole_page_control_writes_only_the_controls_whose_value_it_changes():
    """The mode, a preset and Reset to defaults set many controls at once. A written control's
    element carries ``set_value``, and the browser draws such an element anew, while one whose
    message is as in the last run keeps its drawn form: so each writes exactly the controls it
    changes (pages._held.put_in_callback), not all ~25 of them. Each control drawn in both runs
    is compared by what a browser mounting it would show (tests/app/_fresh.py), so a change
    left unwritten fails too."""
    at = _lab({"dropout": "0.3", "seed": "4", "hidden": "8"})
    steps = [  # the control, its action, whether it changes other controls
        ("lab_mode", lambda: at.segmented_control(key="lab_mode").set_value("Compare A and B"), 1),
        ("lab_preset", lambda: at.selectbox(key="lab_preset").select("L1 vs L2"), 1),
        ("lab_mode", lambda: at.segmented_control(key="lab_mode").set_value("One network"), 0),
        ("lab_defaults", lambda: at.button(key="lab_defaults").click(), 1),
    ]
    before = _shown(at)
    for clicked, act, changes in steps:
        act().run()
        assert not at.exception, at.exception
        after = _shown(at)
        changed = {k for k in after.keys() & before.keys() if after[k] != before[k]} - {clicked}
        assert bool(changed) == changes, (clicked, changed)
        enabled = {w_.key for kind in STATE_WIDGETS for w_ in getattr(at, kind) if not w_.disabled}
        assert _written(at) & before.keys() == changed & enabled, clicked
        assert len(after.keys() & before.keys()) - len(changed) >= 10, clicked  # most stay
        before = after
    assert at.session_state.lab_cfg == TrainConfig() and after["lab_seed"] == "0"


def _train_a_little(at: AppTest) -> None:
    at.button(key="lab_start").click().run()
    (trainer,) = _trainers(at)
    _wait(at, lambda: len(trainer.history) > 1)  # the worker trains it
    assert at.session_state.lab_running


def test_a_live_setting_changes_the_running_model_and_is_marked():
    from normviz.lab_changes import change_text

    at = _lab({"batch_size": "256"})
    _train_a_little(at)
    (trainer,) = _trainers(at)
    (token,) = at.session_state.lab_tokens
    epochs = trainer.epoch
    at.slider(key="lab_dropout").set_value(0.2).run()
    assert _trainers(at)[0] is trainer  # the same run goes on: weights, history, optimizer
    assert trainer.config.dropout == 0.2 and trainer.epoch >= epochs
    assert at.session_state.lab_running  # still training
    assert not at.session_state.lab_notices
    (mark,) = trainer.changes
    assert mark.changes == (("dropout", "0", "0.2"),)
    run = component_payload(at)["runs"][0]
    assert run["marks"][0]["text"] == change_text(mark) == "dropout 0 → 0.2"
    assert run["run"] == at.session_state.lab_tokens[0] == token  # the same run: no restart
    assert "ghost" not in run


def test_a_model_setting_restarts_with_a_notice_and_keeps_the_old_run_faint():
    from normviz.lab_changes import restart_notice

    at = _lab({"batch_size": "256"})
    _train_a_little(at)
    (old,) = _trainers(at)
    session = w.registry().get(at.session_state.lab_sid)
    before = session.feed.seq  # the payloads numbered above it follow the change
    at.text_input(key="lab_hidden").input("8-8").run()
    (new,) = _trainers(at)
    assert new is not old and new.config.hidden == (8, 8)
    assert new.history[0].epoch == 0  # from epoch 0 (the worker may have trained it since)
    assert at.session_state.lab_running  # it keeps training
    want = restart_notice(old.config, new.config)
    assert [i.value for i in at.info if "restarted" in i.value] == [want]
    # The first payload naming the new run sends it whole with the old run faint. That is the
    # page run's, or the stream's when the worker published one in between (it trains on).
    streamed = session.channel.since(before)
    assert streamed is not None, "the stream dropped payloads the test reads"
    sent = sorted([json.loads(d) for _, d in streamed] + [component_payload(at)], key=_seq)
    (token,) = at.session_state.lab_tokens
    run = next(r for p in sent for r in p["runs"] if r["run"] == token)
    assert token != "" and run["base"] == 0
    assert run["ghost"]["rows"]["epoch"] == [r.epoch for r in old.history]
    assert run["ghost"]["note"] == "previous run (hidden layers 16-16)"
    at.button(key="lab_reset").click().run()  # a deliberate reset starts clean
    assert not at.session_state.lab_notices and not at.session_state.lab_ghosts
    assert not [i for i in at.info if "restarted" in i.value]
    assert "ghost" not in component_payload(at)["runs"][0]


def _seq(payload: dict) -> int:
    return payload["seq"]


def _in_order(node) -> list:
    """The page's elements depth-first, in the order the browser lays them out."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    out = []
    for key in sorted(children):
        out += _in_order(children[key])
    return out


def test_an_invalid_entry_shows_its_error_right_under_its_field():
    at = _lab()
    at.text_input(key="lab_hidden").input("16-x").run()
    order = _in_order(at._tree)
    where = next(i for i, e in enumerate(order) if getattr(e, "key", None) == "lab_hidden")
    after = order[where + 1]
    assert after.type == "error" and "hidden must be widths" in after.value  # not below the fold
    assert _trainers(at)[0].config.hidden == (16, 16)  # the last valid config trains


@pytest.mark.parametrize("preset", [p for p in w.PRESETS if p != "Custom"])
def test_a_preset_sets_the_controls_to_what_both_runs_train(preset):
    from normviz.presets import per_run_fields, preset_configs

    at = _lab()
    at.segmented_control(key="lab_mode").set_value("Compare A and B").run()
    at.selectbox(key="lab_preset").set_value(preset).run()
    a, b = (t.config for t in _trainers(at))
    seed = at.session_state.lab_cfg.seed
    assert [a, b] == [c for _, c in preset_configs(preset, TrainConfig(seed=seed))]  # checked
    shared = {
        "lab_hidden": "-".join(map(str, a.hidden)),
        "lab_n_samples": a.n_samples,
        "lab_noise": a.noise,
        "lab_dataset": a.dataset,
        "lab_lr": a.lr,
        "lab_max_epochs": a.max_epochs,
    }
    for key, value in shared.items():  # every visible shared control shows what both train
        widget = next(x for kind in STATE_WIDGETS for x in getattr(at, kind) if x.key == key)
        assert widget.value == value, key
    for field in per_run_fields(preset):  # the per-run setting's shared control is disabled
        widget = next(
            x for kind in STATE_WIDGETS for x in getattr(at, kind) if x.key == f"lab_{field}"
        )
        assert widget.disabled, field
    caption = next(c.value for c in at.caption if "What to look for" in c.value)
    assert "A and B differ only in" in caption and "You changed" not in caption
    # A shared control changed afterwards changes both runs, and the text says it was checked
    # without that change.
    noise = 0.5 if a.noise != 0.5 else 0.4
    at.slider(key="lab_noise").set_value(noise).run()
    a2, b2 = (t.config for t in _trainers(at))
    assert a2.noise == b2.noise == noise
    caption = next(c.value for c in at.caption if "What to look for" in c.value)
    assert "You changed noise" in caption


def test_a_links_values_are_shown_literally():
    from normviz.literal import unescape

    at = _lab({"dataset": "**bold** [x](https://example.com) $\\href{https://e.com}{y}$"})
    (note,) = [w_.value for w_ in at.warning if "dataset" in w_.value]
    assert "**bold**" not in note and "](https" not in note and "$\\href" not in note
    assert "**bold** [x](https://example.com)" in unescape(note).replace("\u2060", "")


# --- the field table drives the controls ------------------------------------------------------


def _shown_options(f) -> list[str]:
    options = f.widget_options(f.default)
    return [str(o).replace("_", " ") if f.widget == "radio" else str(o) for o in options]


def test_every_control_shows_its_field_table_row():
    """Each control's label, span, step, options and choices are its row's in FIELDS.

    This morning the Points slider spanned 20-1000 while the config (and a link) allowed
    10-5000, and the jitter slider 0-0.5 while the config allowed 0-1.
    """
    at = _lab()
    for name, f in FIELDS.items():
        key = f"lab_{name}"
        if f.widget in ("slider", "number"):
            el = at.slider(key=key) if f.widget == "slider" else at.number_input(key=key)
            assert (el.min, el.max) == f.widget_bounds(), name
            assert f.step is None or el.step == f.step, name
        elif f.widget == "select_slider":
            el = at.select_slider(key=key)
            assert el.options == _shown_options(f), name
        elif f.widget in ("selectbox", "radio"):
            el = at.selectbox(key=key) if f.widget == "selectbox" else at.radio(key=key)
            assert el.options == _shown_options(f), name
        else:
            el = at.text_input(key=key)
            assert el.value == f.format(f.default)
        assert el.label == f.label, name


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if f.kind != "choice"])
def test_a_link_at_the_top_of_a_fields_range_opens_the_lab_with_it(name):
    """Any value the config accepts, a link may carry and the controls show.

    This morning ``?n_samples=5000`` (valid) stopped the page: the slider's maximum was 1000.
    """
    f = FIELDS[name]
    value = (f.hi,) * f.layers[1] if f.kind == "widths" else f.hi
    at = _lab({name: f.format(value)})  # asserts no exception
    assert getattr(at.session_state.lab_cfg, name) == value
    assert at.session_state[w.NOTES] == []
