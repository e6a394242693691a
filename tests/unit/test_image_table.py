"""The table of image techniques (normviz.intensity.TECHNIQUES) is the one home of each control.

Walks every technique's ``controls``: the defaults are the compute functions' own keyword
defaults (read from their signatures, an independent source), and the link parser's ranges,
steps, labels and defaults are the table's. A mismatch injected into a spec is caught.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from normviz import intensity as ni
from normviz import io
from normviz.image_links import IMAGE_LINKS, PREFIX, link_param
from normviz.image_numbers import num
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
    """Every entry carries its texts (use, short title, bar unit), which image_text returns."""
    from normviz import image_text

    use, pitfalls = image_text.use_and_pitfalls(key)
    assert use and pitfalls
    assert image_text.grid_title(key, {}) and image_text.bar_unit(key)
    assert image_text.kind_note(key).text.startswith(("**", "**Not"))


# --- the generic code reads the table: no technique key is tested outside it --------------------

# The modules whose generic code must read the table, never branch on a technique's key: the
# image lesson's modules and the intensity package (its table's per-technique builders compare
# no key either).
GENERIC = (
    "normviz/image_view.py", "normviz/image_text.py", "normviz/image_alt.py",
    "normviz/image_links.py", "normviz/image_numbers.py", "normviz/intensity/__init__.py",
    "normviz/intensity/_transfer.py", "normviz/intensity/_lesson.py",
    "normviz/intensity/_formulas.py", "normviz/intensity/_snippets.py",
    "normviz/intensity/_techniques.py", "pages/images.py", "pages/_image_widgets.py",
    "pages/_image_controls.py", "pages/_image_links.py",
)  # fmt: skip


def key_branches(source: str, keys: set[str]) -> list[str]:
    """Where ``source`` tests a technique key or keeps a dict keyed by technique keys.

    A comparison (``==``, ``!=``, ``in``, ``not in``) with a string literal that is a key (or a
    tuple/list/set of literals holding one), and a dict literal with two or more keys that are
    technique keys. Returns ``"line N: ..."`` findings.
    """
    import ast

    def literals(node: ast.AST) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return {e.value for e in node.elts if isinstance(e, ast.Constant)} - {None}
        return set()

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            hit = set().union(*(literals(n) for n in (node.left, *node.comparators))) & keys
            if hit:
                found.append(f"line {node.lineno}: compares with {sorted(hit)}")
        elif isinstance(node, ast.Dict):
            hit = {k.value for k in node.keys if isinstance(k, ast.Constant)} & keys
            if len(hit) >= 2:
                found.append(f"line {node.lineno}: dict keyed by {sorted(hit)}")
    return found


def test_the_key_branch_finder_sees_each_pattern():
    keys = {"clip", "match", "scale"}
    src = (
        "if key == 'clip': pass\n"
        "x = 'match' != key\n"
        "y = key in ('scale', 'z')\n"
        "d = {'scale': 1, 'clip': 2}\n"
        "ok = {'scale': 1, 'other': 2}; t.kind == 'cdf'; t.display == 'clip_bounds'\n"
    )
    assert [f.split(":")[0] for f in key_branches(src, keys)] == [
        "line 1", "line 2", "line 3", "line 4",
    ]  # fmt: skip


@pytest.mark.parametrize("path", GENERIC)
def test_generic_code_never_branches_on_a_technique_key(path):
    """Adding a technique touches only its table entry: no ``key == "clip"``, no per-key dict.

    This morning's code failed here: ``_display_range``, ``clip_marks``, ``_PARAMS`` and
    ``default_params`` (image_view), ``_USE``, ``kind_note``, ``no_curve_note``, ``bar_unit``,
    ``grid_title`` and ``snippet`` (image_text), ``apply_technique`` and ``transfer_curve``
    (intensity) and ``technique_map`` (_transfer) all tested keys.
    """
    from pathlib import Path

    source = (Path(__file__).parents[2] / path).read_text(encoding="utf-8")
    assert key_branches(source, set(TECHNIQUES)) == []


# --- a technique defined only here flows through every generic function -------------------------


def _gamma(img, *, stats=None, gamma=1.0):
    """Gamma correction on the image's own range: ``((x - min) / (max - min)) ** gamma``."""
    s = ni.image_stats(img) if stats is None else stats
    lo, hi = float(s.minimum.min()), float(s.maximum.max())
    x = (np.asarray(img, np.float64) - lo) / max(hi - lo, 1e-12)
    return (x**gamma).astype(np.float32)


def _gamma_formula(p, stats, names):
    g = num(p["gamma"])
    return [("all", rf"x' = \left(\frac{{x - min}}{{max - min}}\right)^{{{g}}}", {"gamma": g})], ""


def _gamma_snippet(p, stats, dtype):
    return (
        "x = img.astype(np.float64)\n"
        f"out = ((x - x.min()) / max(x.max() - x.min(), 1e-12)) ** {p['gamma']!r}\n"
    )


GAMMA = ni.Technique(
    "gamma", "Gamma correction (power law)", _gamma, {"gamma": 0.5}, (0.0, 1.0), "log",
    (ParamSpec("gamma", "float", 0.5, lo=0.1, hi=5.0, step=0.1, label="gamma",
               help="The power the scaled intensities are raised to."),),
    _gamma_formula, _gamma_snippet,
    use=("Brighten (gamma < 1) or darken (gamma > 1) the mid-tones.",
         "It acts on the image's own range: one hot pixel flattens it."),
    short=lambda p, reference_title="": f"Gamma {num(p['gamma'])}",
    from_controls=lambda values, prep: {"gamma": float(values["gamma"])},
)  # fmt: skip


@pytest.fixture
def with_gamma(monkeypatch):
    """TECHNIQUES with a gamma technique that only this test module defines."""
    monkeypatch.setitem(TECHNIQUES, "gamma", GAMMA)
    return GAMMA


def test_a_technique_added_to_the_table_needs_no_other_code(with_gamma, tmp_path, monkeypatch):
    """Params, display range, result, formula, code and every text come from its entry alone.

    On this morning's code ``use_and_pitfalls`` raised KeyError (texts in a per-key dict) and
    ``grid_title`` ignored the entry ("Gamma correction" instead of the numbers).
    """
    from normviz import image_text as it
    from normviz import image_view as iv

    px = np.array([[0, 64, 128], [192, 255, 32]], np.uint8)
    (tmp_path / "g.png").write_bytes(io.encode_png(px))
    prep = iv.prepare_image("g.png", io.read_image(io.encode_png(px)))
    params = iv.technique_params("gamma", {"gamma": 2}, prep)
    assert params == {"gamma": 2.0}
    assert iv.default_params("gamma", prep) == {"gamma": 0.5}
    assert iv.display_range("gamma", params, prep) == (0.0, 1.0)
    assert iv.clip_marks("gamma", params) is None

    expected = (px / 255.0) ** 2.0  # closed form: min 0, max 255
    res = iv.compute_result("gamma", prep, params)
    assert res.display == (0.0, 1.0) and res.curve is None  # no ``fit``: no transfer curve
    np.testing.assert_allclose(res.stats.maximum, [1.0])
    np.testing.assert_allclose(res.stats.mean, [expected.mean()], rtol=1e-6)
    np.testing.assert_allclose(ni.apply_technique("gamma", px, gamma=2.0), expected, rtol=1e-6)

    f = it.formula("gamma", params, prep.stats, ["grey"])
    assert f.numbers == ({"gamma": "2"},) and f.channels == ("all",)
    assert f.latex.endswith("^{2}")
    code = it.snippet("gamma", params, prep.stats, prep.dtype, file="g.png")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(code, scope)  # the code as shown, in the folder holding the file
    np.testing.assert_allclose(scope["out"], expected, rtol=1e-6)

    note = it.kind_note("gamma")
    assert note.level == "info"
    assert note.text.startswith("**Gamma correction (power law)** is a fixed monotone curve")
    assert it.use_and_pitfalls("gamma") == GAMMA.use
    assert it.grid_title("gamma", params) == "Gamma 2"
    assert it.bar_unit("gamma") == "input units"
    assert it.no_curve_note("gamma") == "No transfer curve for these parameters."


@pytest.mark.parametrize(
    ("display", "params", "expected"),
    [
        ("output", {}, (0.0, 1.0)),
        ("params_lo_hi", {"lo": -2.0, "hi": 4.0}, (-2.0, 4.0)),
        ("clip_bounds", {"low": np.array([3.0, 1.0]), "high": np.array([5.0, 9.0])}, (1.0, 9.0)),
        ("z_display", {}, (-3.0, 3.0)),
        ("reference", {}, (0.0, 1.0)),  # no reference given: the output range
    ],
)
def test_display_range_follows_the_entrys_display_rule(monkeypatch, display, params, expected):
    from normviz import image_view as iv

    monkeypatch.setitem(TECHNIQUES, "gamma", GAMMA._replace(display=display))
    prep = iv.prepare_image("x", io.read_image(io.encode_png(np.array([[0, 9]], np.uint8))))
    assert iv.display_range("gamma", params, prep) == expected
    marks = iv.clip_marks("gamma", params)
    assert (marks is not None) == (display == "clip_bounds")


def test_an_entry_with_an_unknown_display_rule_is_refused():
    with pytest.raises(ValueError, match="display"):
        ni._technique("x", "X", _gamma, {}, None, "log", _gamma_formula, _gamma_snippet,
                      display="zscores")  # fmt: skip
