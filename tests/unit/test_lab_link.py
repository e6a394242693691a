"""normviz.lab_link: the lab's shared link <-> its state, and the controls' state <-> config."""

from __future__ import annotations

import pytest

from normviz.lab_link import (
    MODES,
    config_from_controls,
    control_values,
    lab_query,
    parse_link,
)
from normviz.presets import PRESETS, preset_settings
from normviz.train_config import FIELDS, TrainConfig
from normviz.training import X_AXES

STATES = [
    (TrainConfig(), "one", next(iter(PRESETS)), "epoch"),
    (TrainConfig(hidden=(8, 4), lr=0.3, early_stopping_patience=7), "one", "L1 vs L2", "step"),
    (TrainConfig(seed=4, dropout=0.2), "compare", "Custom", "samples_seen"),
]


@pytest.mark.parametrize(("config", "mode", "preset", "axis"), STATES)
def test_a_link_reopens_the_same_state(config, mode, preset, axis):
    link = parse_link(lab_query(config, mode, preset, axis))
    assert link.notes == []
    assert (link.config, link.mode, link.x_axis) == (config, mode, axis)
    assert link.preset == (preset if mode == "compare" else next(iter(PRESETS)))


def test_defaults_write_an_empty_query():
    assert lab_query(TrainConfig(), "one", next(iter(PRESETS)), next(iter(X_AXES))) == {}


def test_bad_values_keep_their_defaults_and_say_which():
    link = parse_link(
        {"dropout": "2", "mode": "sideways", "preset": "nope", "x_axis": "time", "other": "1"}
    )
    assert (link.config, link.mode, link.x_axis) == (TrainConfig(), "one", "epoch")
    assert link.notes == [
        "Ignored dropout='2' from the URL: dropout must be a number in [0, 0.9] (got 2.0); "
        "using the default 0.0.",
        "Ignored mode='sideways' from the URL: mode must be one of 'one', 'compare' (got "
        "'sideways'); using the default 'one'.",
        "Ignored preset='nope' from the URL: preset must be one of "
        + ", ".join(repr(p) for p in PRESETS)
        + f" (got 'nope'); using the default {next(iter(PRESETS))!r}.",
        "Ignored x_axis='time' from the URL: x_axis must be one of 'epoch', 'step', "
        "'samples_seen' (got 'time'); using the default 'epoch'.",
    ]


def test_each_fields_default_is_named_as_a_link_writes_it():
    link = parse_link({"hidden": "x", "early_stopping_patience": "-1"})
    assert link.notes[0].endswith("; using the default 16-16.")
    assert link.notes[1].endswith("; using the default off.")


def test_a_preset_alone_sets_its_settings_and_only_in_compare_mode():
    named = "Batch size 8 vs 256"
    link = parse_link({"mode": "compare", "preset": named, "seed": "3"})
    want = TrainConfig(seed=3, **preset_settings(named))
    assert link.config == want and link.notes == []
    mixed = parse_link({"mode": "compare", "preset": named, "lr": "0.3"})
    assert mixed.config == TrainConfig(lr=0.3)  # the link's own settings win
    one = parse_link({"preset": named})
    assert one.config == TrainConfig() and "applies only when mode is 'compare'" in one.notes[0]


def test_controls_state_shows_the_patience_while_off_and_round_trips():
    values = control_values(TrainConfig())
    assert values["lab_es_on"] is False
    assert values["lab_early_stopping_patience"] == FIELDS["early_stopping_patience"].off_value
    assert set(values) == {f"lab_{n}" for n in FIELDS} | {"lab_es_on"}
    assert config_from_controls({**values, "lab_es_on": True}).early_stopping_patience == 20
    with pytest.raises(ValueError, match=r"hidden must be widths joined by '-'"):
        config_from_controls({**values, "lab_hidden": "16-x"})


def test_modes_name_the_controls_labels():
    assert set(MODES) == {"one", "compare"}
