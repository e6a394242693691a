"""The table of image techniques (normviz.intensity.TECHNIQUES) is the one home of each control.

Walks every technique's ``controls``: the defaults are the compute functions' own keyword
defaults (read from their signatures, an independent source), and the link parser's ranges,
steps, labels and defaults are the table's. A mismatch injected into a spec is caught.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from normviz import intensity as ni
from normviz.image_links import IMAGE_LINKS, PREFIX, link_param
from normviz.intensity import TECHNIQUES, ParamSpec
from normviz.intensity._params import KINDS, WIDGETS

CONTROLS = [(t.key, spec) for t in TECHNIQUES.values() for spec in t.controls]
IDS = [f"{key}-{spec.name}" for key, spec in CONTROLS]

# The public function whose keywords each technique's "arg" controls are.
PUBLIC = {
    "scale": ni.scale_to_range,
    "clip": ni.percentiles,  # q and per_channel: the percentiles the bounds come from
    "zscore": ni.z_score,
    "equalize": ni.equalize,
    "autocontrast": ni.autocontrast,
    "clahe": ni.clahe,
}


def _when_values(key: str, spec: ParamSpec) -> dict[str, Any]:
    """Values of the earlier parameters under which ``spec`` applies."""
    return {"source": "sample", "technique": key, **{k: v[0] for k, v in spec.when.items()}}


def mismatches(spec: ParamSpec, got: dict[str, Any]) -> list[str]:
    """The fields of ``got`` (a widget's or a URL parameter's) that differ from ``spec``."""
    want = {
        "label": spec.label, "lo": spec.lo, "hi": spec.hi, "step": spec.step,
        "default": spec.default, "help": spec.help,
    }  # fmt: skip
    return [f"{k}: {got[k]!r} != {want[k]!r}" for k in got if got[k] != want[k]]


def _link_fields(p) -> dict[str, Any]:
    return {"label": p.label, "lo": p.lo, "hi": p.hi, "step": p.step, "default": p.default}


def test_every_technique_has_its_controls_and_every_control_is_well_formed():
    assert set(PUBLIC) | {"log", "match"} == set(TECHNIQUES)
    for key, spec in CONTROLS:
        assert spec.kind in KINDS and spec.widget in WIDGETS, (key, spec.name)
        assert spec.label and spec.help.endswith("."), (key, spec.name)
        if spec.widget in ("slider", "number"):
            assert spec.lo is not None and spec.hi is not None and spec.lo < spec.hi
        if spec.kind in ("int", "float", "pair") and spec.default is not None:
            values = spec.default if spec.kind == "pair" else (spec.default,)
            assert all(spec.lo <= v <= spec.hi for v in values), (key, spec.name)
        if spec.colour_only and spec.colour_only is not True:
            assert set(spec.colour_only) <= set(spec.choices)
        assert spec.when.keys() <= {s.name for s in TECHNIQUES[key].controls}


@pytest.mark.parametrize("key", list(PUBLIC))
def test_defaults_are_the_functions_own(key):
    sig = inspect.signature(PUBLIC[key]).parameters
    t = TECHNIQUES[key]
    for spec in t.controls:
        if spec.arg:
            assert spec.name in sig, (key, spec.name)
            assert spec.default == sig[spec.name].default, (key, spec.name)
            assert t.params[spec.name] == spec.default
    # every keyword the registry passes is a keyword of the function
    assert set(t.params) <= set(sig)


@pytest.mark.parametrize(("key", "spec"), CONTROLS, ids=IDS)
def test_link_parser_takes_range_default_and_label_from_the_table(key, spec):
    values = _when_values(key, spec)
    p = IMAGE_LINKS.param(spec.name, values)
    assert p.kind == spec.kind and p.key == PREFIX + spec.widget_key
    assert mismatches(spec, _link_fields(p)) == []
    if spec.kind in ("int", "float") and spec.hi is not None:
        top = str(spec.hi) if spec.kind == "float" else str(int(spec.hi))
        parsed = IMAGE_LINKS.parse({**values, spec.name: top})
        assert parsed.values[spec.name] == spec.hi and not parsed.warnings
        beyond = spec.hi + (spec.step or 1) if spec.kind == "int" else spec.hi * 2 + 1
        parsed = IMAGE_LINKS.parse({**values, spec.name: str(beyond)})
        assert parsed.values[spec.name] == spec.default and parsed.warnings


RANGED = [(key, spec) for key, spec in CONTROLS if spec.lo is not None]


@pytest.mark.parametrize(("key", "spec"), RANGED, ids=[f"{k}-{s.name}" for k, s in RANGED])
def test_an_injected_mismatch_is_caught(key, spec):
    wrong = spec._replace(hi=spec.hi + 1, label=spec.label + "!")
    p = link_param(key, wrong)  # the URL parameter follows the table...
    assert (p.hi, p.label) == (wrong.hi, wrong.label)
    assert len(mismatches(spec, _link_fields(p))) == 2  # ...and the check sees the change


def test_the_link_table_holds_exactly_the_controls():
    page = {"source", "sample", "technique", "log_counts"}
    linked = [(p.when["technique"][0], p.name) for p in IMAGE_LINKS.params if p.name not in page]
    assert linked == [(key, spec.name) for key, spec in CONTROLS]


def test_every_technique_links_its_formula_and_code_builders():
    for t in TECHNIQUES.values():
        assert callable(t.formula) and callable(t.snippet), t.key
        assert t.formula.__name__ == f"{t.key}_formula" and t.snippet.__name__ == f"{t.key}_snippet"


def test_image_text_reads_formula_and_code_from_the_table(monkeypatch):
    import numpy as np

    from normviz import image_text

    stats = ni.image_stats(np.array([[10, 20], [30, 50]], np.uint8))
    t = TECHNIQUES["log"]
    fake = t._replace(
        formula=lambda p, s, names: ([("all", r"x' = \star", {"n": "7"})], ""),
        snippet=lambda p, s, dtype: "out = img  # from the table\n",
    )
    monkeypatch.setitem(TECHNIQUES, "log", fake)
    f = image_text.formula("log", {}, stats, ["grey"])
    assert f.latex == r"x' = \star" and f.numbers == ({"n": "7"},)
    code = image_text.snippet("log", {}, stats, "uint8", file="a.png")
    assert code.endswith("out = img  # from the table\n") and "a.png" in code


@pytest.mark.parametrize("key", list(TECHNIQUES))
def test_every_technique_has_its_texts(key):
    """The prose kept beside the table (image_text) covers every technique of the table."""
    from normviz import image_text

    use, pitfalls = image_text.use_and_pitfalls(key)
    assert use and pitfalls
    assert image_text.grid_title(key, {}) and image_text.bar_unit(key)
    assert image_text.kind_note(key).text.startswith(("**", "**Not"))
