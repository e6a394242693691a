"""The lab's field table (normviz.train_config.FIELDS) against every use of its facts.

Validation, error texts, the URL form, the widgets' spans and options, the sentence names and
the generated PyTorch script all read one row per setting; these tests walk the table and check
each use agrees. The page's own widgets are checked in tests/app/test_lab_page.py.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re

import pytest

from normviz.lab_changes import SETTING_NAMES
from normviz.lab_link import config_from_controls, control_values
from normviz.lab_text import control_help
from normviz.toydata import DATASETS, MAX_SAMPLES, MIN_SAMPLES
from normviz.toydata._points import MAX_ROWS, MIN_ROWS
from normviz.train_config import FIELDS, MOMENTUM, Field, TrainConfig
from normviz.training import _codegen, _model, pytorch_code

NUMERIC = [f for f in FIELDS.values() if f.kind != "choice"]


def _valid(f: Field) -> list:
    """Every edge a row allows: its choices, or its bounds (a widths row at both lengths)."""
    if f.kind == "choice":
        return list(f.choices)
    lo = math.nextafter(f.lo, math.inf) if f.lo_open else f.lo
    ends = [type(f.default)(lo) if f.kind == "float" else lo, f.hi]
    if f.kind == "widths":
        return [(f.lo,) * f.layers[0], (f.hi,) * f.layers[1]]
    if f.kind == "patience":
        return [None, *ends]
    return ends


def _invalid(f: Field) -> list:
    """Values just outside the row's range or choices (valid types)."""
    if f.kind == "choice":
        return [f.choices[0] + "x"]
    if f.kind == "widths":
        return [(f.hi + 1,), (f.lo,) * (f.layers[1] + 1), ()]
    step = 1 if f.kind in ("int", "patience") else 1e-3
    return [f.lo if f.lo_open else f.lo - step, f.hi + step]


def test_the_table_is_trainconfig():
    fields = dataclasses.fields(TrainConfig)
    for f in FIELDS.values():  # each control suits its kind
        kinds = {"choice": ("selectbox", "radio"), "widths": ("text",)}
        assert f.widget in kinds.get(f.kind, ("slider", "select_slider", "number")), f.name
        assert (f.widget == "select_slider") == bool(f.options), f.name
        assert (f.widget == "slider") <= (f.step is not None), f.name
    assert list(FIELDS) == [f.name for f in fields]
    assert {f.name: f.default for f in fields} == {n: f.default for n, f in FIELDS.items()}
    assert all(f.label and f.noun and f.help for f in FIELDS.values())


@pytest.mark.parametrize("f", FIELDS.values(), ids=list(FIELDS))
def test_every_edge_validates_and_round_trips_through_the_link(f):
    for value in _valid(f):
        config = TrainConfig(**{f.name: value})
        assert getattr(config, f.name) == value
        back, warnings = TrainConfig.from_query({f.name: f.format(value)})
        assert warnings == [] and getattr(back, f.name) == value


@pytest.mark.parametrize("f", FIELDS.values(), ids=list(FIELDS))
def test_error_texts_come_from_the_row(f):
    for value in _invalid(f):
        text = f"{f.name} must be {f.expected()} (got {value!r})"
        with pytest.raises(ValueError, match=re.escape(text)) as err:
            TrainConfig(**{f.name: value})
        assert str(err.value) == text  # the whole message, not only its start
        if f.kind != "widths" or value:  # the URL cannot write an empty tuple
            back, [warning] = TrainConfig.from_query({f.name: f.format(value)})
            assert getattr(back, f.name) == f.default
            assert f"{f.name} must be {f.expected()}" in warning
    with pytest.raises(TypeError, match=f"{f.name} must be {re.escape(f.expected())}"):
        TrainConfig(**{f.name: object()})


def test_the_expected_texts_read_as_before():
    assert FIELDS["n_samples"].expected() == "an int in [10, 5000]"
    assert FIELDS["seed"].expected() == "an int in [0, 2147483647]"
    assert FIELDS["lr"].expected() == "a number in (0, 1e6]"
    assert FIELDS["test_fraction"].expected() == "a number in [0.1, 0.9]"
    assert FIELDS["hidden"].expected() == "1 to 6 layer widths, each an int in [1, 256]"


@pytest.mark.parametrize("f", NUMERIC, ids=[f.name for f in NUMERIC])
def test_widgets_span_the_row_or_say_why_not(f):
    lo, hi = f.widget_bounds()
    if f.widget_range is None:  # the widget offers the whole range, no more, no less
        assert (lo, hi) == (f.lo, f.hi) or (f.lo_open and hi == f.hi)
    else:
        assert f.why_narrower and f.lo <= lo < hi <= f.hi and (lo, hi) != (f.lo, f.hi)
    for v in f.options:
        f.check(v)
        assert lo <= v <= hi
    if f.options:  # a select slider: its options reach both ends of its span
        assert (min(f.options), max(f.options)) == (lo, hi)
    if f.widget == "slider":  # its steps land on both ends and on the default
        for end in (hi, f.default if f.default is not None else f.off_value):
            n = (end - lo) / f.step
            assert abs(n - round(n)) < 1e-9, (f.name, end)


@pytest.mark.parametrize("f", NUMERIC, ids=[f.name for f in NUMERIC])
def test_a_links_value_outside_the_widgets_options_is_offered(f):
    if not f.options:
        return
    for value in _valid(f):
        assert value in f.widget_options(value)


def test_dataset_sizes_have_one_home():
    f = FIELDS["n_samples"]
    assert (f.lo, f.hi) == (MIN_SAMPLES, MAX_SAMPLES) == (MIN_ROWS, MAX_ROWS)
    assert FIELDS["batch_size"].hi == MAX_SAMPLES  # a batch holds at most every point
    assert FIELDS["dataset"].choices == tuple(DATASETS)


def test_sentences_and_helps_name_every_field_from_the_table():
    assert {n: f.noun for n, f in FIELDS.items()} == SETTING_NAMES
    helps = control_help(TrainConfig())
    assert set(helps) == set(FIELDS)
    assert helps["seed"] == FIELDS["seed"].help


@pytest.mark.parametrize(
    "config",
    [TrainConfig(), TrainConfig(hidden=(8, 4), early_stopping_patience=5, lr=0.3, l1=1e-4)],
)
def test_controls_state_round_trips(config):
    assert config_from_controls(control_values(config)) == config


# -- the generated script states every field as the table allows it ----------------------------

_CONSTANTS = {
    "max_epochs": "EPOCHS",
    "seed": "SEED",
    "n_samples": "N_SAMPLES",
    "noise": "NOISE",
    "test_fraction": "TEST_FRACTION",
    "batch_size": "BATCH_SIZE",
    "lr": "LR",
    "l1": "L1",
    "l2": "L2",
    "l1_method": "L1_METHOD",
    "augmentation": "JITTER",
    "early_stopping_patience": "PATIENCE",
}


def _script_constants(code: str) -> dict:
    out = {}
    for line in code.splitlines():
        m = re.match(r"^([A-Z0-9_, ]+) = (.+?)(?:  #.*)?$", line)
        if not m:
            continue
        names = [n.strip() for n in m.group(1).split(",")]
        text = m.group(2).split(" else ")[-1]  # EPOCHS = int(sys.argv[1]) if ... else 1000
        try:
            values = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        values = values if len(names) > 1 else (values,)
        out.update(zip(names, values, strict=True))
    return out


def test_codegen_knows_every_choice():
    assert set(_codegen._OPTIMIZERS) == set(FIELDS["optimizer"].choices)
    assert set(_codegen._ACTIVATIONS) == set(FIELDS["activation"].choices)
    assert set(_model._ACTIVATIONS) == set(FIELDS["activation"].choices)
    assert f"momentum={MOMENTUM!r}" in _codegen._OPTIMIZERS["momentum"]


@pytest.mark.parametrize("f", FIELDS.values(), ids=list(FIELDS))
def test_generated_script_states_each_edge_value(f):
    for value in _valid(f):
        if f.name == "batch_size" and value == 1:
            continue  # valid, and stated like any other; keeps the loop short
        config = TrainConfig(**{f.name: value})
        code = pytorch_code(config)
        compile(code, "lab.py", "exec")
        if f.name in _CONSTANTS:
            assert _script_constants(code)[_CONSTANTS[f.name]] == value
        elif f.name == "dataset":
            assert f'"{value}" points' in code
        elif f.name == "hidden":
            widths = [int(w) for w in re.findall(r"nn\.Linear\(\d+, (\d+)\)", code)]
            assert tuple(widths[:-1]) == value and widths[-1] == 2
        elif f.name == "activation":
            assert code.count(_codegen._ACTIVATIONS[value]) == len(config.hidden)
        elif f.name == "optimizer":
            assert f"optimizer = {_codegen._OPTIMIZERS[value]}" in code
        elif f.name == "dropout":
            assert (f"nn.Dropout({value!r})" in code) == (value > 0)
        elif f.name in ("norm", "norm_position"):
            pass  # the layer order is checked against the trainer in test_training_config.py
        else:
            raise AssertionError(f"no check of the script for {f.name}: add one")
