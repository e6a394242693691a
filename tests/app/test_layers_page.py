"""The normalization-layers page under Streamlit's AppTest: every kind and control renders."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from normviz.layers import KIND_NAMES
from tests.conftest import APP


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.switch_page("pages/layers.py")
    app.run()
    assert not app.exception
    return app


def _specs(app: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def test_page_renders_with_animated_cube(at):
    assert at.title[0].value == "Normalization layers"
    specs = _specs(at)
    cube = specs[0]
    assert len(cube["frames"]) == 6  # BatchNorm over C = 6 channels by default
    buttons = cube["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == ["▶ Play", "❚❚ Pause"]
    assert all(len(c.proto.spec) < 1_000_000 for c in at.get("plotly_chart"))
    assert len(at.tabs) == 7


def test_intro_says_batchnorm_also_differs_in_train_and_eval(at):
    intro = at.markdown[0].value
    assert "only in which elements" not in intro
    assert "**BatchNorm** also differs between training and evaluation" in intro


@pytest.mark.parametrize(
    ("kind", "frames"), [("layer", 4), ("instance", 24), ("group", 8), ("rms", 4)]
)
def test_every_kind(at, kind, frames):
    at.selectbox(key="lay_kind").set_value(kind).run()
    assert not at.exception
    spec = _specs(at)[0]
    assert len(spec["frames"]) == frames
    assert spec["frames"][0]["layout"]["title"]["text"].startswith(f"{KIND_NAMES[kind]} · set 1")
    assert any(KIND_NAMES[kind] in m.value for m in at.markdown)
    text = " ".join(m.value for m in at.markdown)
    assert "exactly zero-mean" not in text and " up to $\\epsilon$, " in text.replace(":", ",")
    assert "nn.RMSNorm([6, 4, 4], eps=1e-05)" in at.code[0].value


def test_groups_slider_and_equivalence_metrics(at):
    at.select_slider(key="lay_groups").set_value(3).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["max |GN(G=1) − LayerNorm|"]) < 1e-5
    assert float(metrics["max |GN(G=6) − InstanceNorm|"]) < 1e-5
    assert float(metrics["max |GN(G=1) − BatchNorm|"]) > 0.1
    assert "nn.GroupNorm(3, 6)" in at.code[0].value


def test_shape_and_data_controls(at):
    at.slider(key="lay_n").set_value(8).run()
    at.select_slider(key="lay_c").set_value(16).run()
    at.slider(key="lay_side").set_value(8).run()
    assert not at.exception
    assert all(len(c.proto.spec) < 3_000_000 for c in at.get("plotly_chart"))
    at.slider(key="lay_ch_offset").set_value(5.0).run()
    at.get("segmented_control")[0].set_value("image crops").run()
    assert not at.exception
    at.select_slider(key="lay_c").set_value(6).run()
    at.get("segmented_control")[0].set_value("synthetic").run()
    assert not at.exception


def test_running_statistics_controls(at):
    at.radio(key="lay_conv").set_value("keras").run()
    at.slider(key="lay_momentum_keras").set_value(0.9).run()
    at.radio(key="lay_mode").set_value("eval").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Keras momentum **0.90** = PyTorch momentum **0.10**" in text
    assert "the running statistics" in text and "running_var" in text
    assert "Time constant $\\tau = 1/(1 - \\alpha)$ = 10 batches" in text
    at.radio(key="lay_mode").set_value("train").run()
    text = " ".join(m.value for m in at.markdown)
    assert "the **biased** variance" in text and "Keras' moving variance" in text
    at.radio(key="lay_conv").set_value("pytorch").run()
    at.slider(key="lay_momentum").set_value(0.3).run()
    at.select_slider(key="lay_stream_batch").set_value(64).run()
    assert not at.exception


def test_tokens_and_batch_size(at):
    at.get("segmented_control")[1].set_value("batch").run()
    at.select_slider(key="lay_trials").set_value(8).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**256 means**" in text and "**2 means**" in text
    assert "Xiong et al. 2020" in text and "padding tokens" in text
    assert "inside 8 random batches" in text and "its spread is" in text
    at.get("segmented_control")[1].set_value("rms").run()
    assert not at.exception


def test_one_element_sets_say_what_pytorch_does(at):
    at.selectbox(key="lay_kind").set_value("batch").run()
    at.slider(key="lay_n").set_value(1).run()
    at.slider(key="lay_side").set_value(1).run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Expected more than 1 value per channel when training" in warnings
    assert "raises here" in at.code[0].value
    text = " ".join(m.value for m in at.markdown)
    assert "unit-variance up to" not in text and "not 1" in text
    at.slider(key="lay_n").set_value(4).run()
    at.slider(key="lay_side").set_value(4).run()
    assert not at.exception
