"""normviz.layer_kinds: every entry of the layer-kind table checked against torch.

The table is the one home of each kind's facts; these tests walk it, so a kind added to it is
checked as written: its torch functional and module (named after its label) against
normviz.layers, the set each output element is taken over (found by poking an input with torch,
not read from normviz), its smallest rank and its parameters' ranges. Then the readers: the link
table, the widgets' ranges and the text take what they state from the table.
"""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from normviz import layer_studies as studies
from normviz import layers
from normviz.layer_kinds import AXES, KINDS, LAYER_KINDS, SPATIAL, formulas, kinds_for
from normviz.layer_links import CHANNELS, LAYER_LINKS

CASES = [(kind, layout) for kind, spec in LAYER_KINDS.items() for layout in spec.pooled]
SHAPES = {"nct": [(3, 6, 4, 5), (2, 6, 7), (2, 6, 2, 3, 2), (5, 6)], "ntd": [(2, 5, 6)]}


def _groups(kind: str) -> int | None:
    return 3 if LAYER_KINDS[kind].params else None


def _functional(kind: str, layout: str, x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    code = LAYER_KINDS[kind].functional[layout]
    return eval(code, {"F": F, "x": x, "groups": _groups(kind), "eps": eps})


def test_the_table_lists_the_kinds_in_order():
    assert KINDS == ("batch", "layer", "instance", "group", "rms")
    assert layers.KINDS == KINDS
    assert {k: s.label for k, s in LAYER_KINDS.items()} == layers.KIND_NAMES


@pytest.mark.parametrize(("kind", "layout"), CASES)
def test_functional_is_torchs_function_of_the_label_and_equals_normalize(kind, layout):
    spec = LAYER_KINDS[kind]
    name = re.match(r"F\.(\w+)\(", spec.functional[layout]).group(1)
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", spec.label).lower()
    assert name == snake  # BatchNorm: batch_norm, RMSNorm: rms_norm
    for shape in SHAPES[layout]:
        if len(shape) < spec.min_ndim:
            continue
        x = torch.randn(shape, generator=torch.Generator().manual_seed(len(shape))) * 3 + 1
        expected = _functional(kind, layout, x)
        got = layers.normalize(x, kind, _groups(kind), layout=layout)
        assert got.shape == expected.shape == x.shape
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
        mean, var = layers.statistics(x, kind, _groups(kind), layout)
        torch.testing.assert_close((x - mean) / (var + 1e-5).sqrt(), expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_module_of_the_code_tab_is_torchs_module_of_the_label(kind):
    spec = LAYER_KINDS[kind]
    code = spec.module.format(c=6, side=4, groups=3, e="", eps=1e-5)
    module = eval(code, {"nn": nn})
    assert type(module).__name__ in (spec.label, f"{spec.label}2d")
    x = torch.randn(3, 6, 4, 4, generator=torch.Generator().manual_seed(0)) * 2 + 1
    with torch.no_grad():
        torch.testing.assert_close(
            layers.normalize(x, kind, _groups(kind)), module.train()(x), atol=1e-5, rtol=0
        )
        differs = not torch.allclose(module.train()(x), module.eval()(x), atol=1e-4)
    assert differs == spec.train_eval_differs


def _names(layout: str, ndim: int) -> tuple[str, ...]:
    return ("N", "C", *[f"S{i}" for i in range(ndim - 2)]) if layout == "nct" else AXES["ntd"]


@pytest.mark.parametrize(("kind", "layout"), CASES)
def test_pooled_axes_are_where_torchs_output_moves_when_one_input_moves(kind, layout):
    """The set of element 0: the outputs torch changes when it changes, spread over exactly the
    table's pooled axes (C/G: some channels but not all)."""
    spec = LAYER_KINDS[kind]
    shape = (3, 6, 4, 5) if layout == "nct" else (3, 4, 6)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(3))
    poked = x.clone()
    poked[(0,) * len(shape)] += 5.0
    moved = (_functional(kind, layout, poked) - _functional(kind, layout, x)).abs() > 1e-6
    where = moved.nonzero().T
    names = _names(layout, len(shape))
    spread = {n for n, idx in zip(names, where, strict=True) if len(set(idx.tolist())) > 1}
    pooled = set(spec.pooled[layout])
    if SPATIAL in pooled:
        pooled = (pooled - {SPATIAL}) | {n for n in names if n.startswith("S")}
    if "C/G" in pooled:  # a group: more than one channel, fewer than all
        assert 1 < len(set(where[1].tolist())) < shape[1]
        pooled = (pooled - {"C/G"}) | {"C"}
    assert spread == pooled
    assert spec.pools_samples == ("N" in spread)


@pytest.mark.parametrize("kind", KINDS)
def test_smallest_rank_is_where_torch_stops_raising(kind):
    """InstanceNorm needs spatial axes: torch raises on (N, C), and so does normviz."""
    spec = LAYER_KINDS[kind]
    for ndim in (2, 3, 4):
        x = torch.randn((4, 6, 3, 3)[:ndim], generator=torch.Generator().manual_seed(ndim))
        try:
            _functional(kind, "nct", x)
            torch_ok = True
        except ValueError:
            torch_ok = False
        assert torch_ok == (ndim >= spec.min_ndim), (kind, ndim)
        if not torch_ok:
            with pytest.raises(ValueError, match=f"expected a {spec.min_ndim}D to 5D"):
                layers.normalize(x, kind, _groups(kind))


@pytest.mark.parametrize("c", CHANNELS)
def test_groups_range_is_what_torch_groupnorm_accepts(c):
    for kind, spec in LAYER_KINDS.items():
        for param in spec.params:
            accepted = []
            for g in range(0, c + 2):
                try:
                    nn.GroupNorm(g, c)
                    accepted.append(g)
                except (ValueError, ZeroDivisionError):
                    pass
            assert param.choices(c) == tuple(accepted)
            assert param.default(c) in accepted
            for g in set(range(0, c + 2)) - set(accepted):
                # refused with the layer's own words (the range, or C's divisors)
                with pytest.raises(ValueError, match=rf"{param.name}|divisible"):
                    layers.normalize(torch.zeros(2, c, 2), kind, **{param.name: g})
            with pytest.raises(TypeError, match=f"{param.name} must be an int"):
                layers.normalize(torch.zeros(2, c, 2), kind, **{param.name: 1.0})


def test_links_and_widgets_take_their_choices_and_ranges_from_the_table():
    assert LAYER_LINKS.param("kind", {}).choices == KINDS
    assert LAYER_LINKS.param("tokens", {}).choices == kinds_for("ntd")
    for c in CHANNELS:
        for spec in LAYER_KINDS.values():
            for param in spec.params:
                p = LAYER_LINKS.param(param.name, {"c": c})
                assert p.choices == param.choices(c) and p.default == param.default(c)
                assert p.label == param.label and (p.lo, p.hi) == (param.lo, c)


@pytest.mark.parametrize("kind", KINDS)
def test_formulas_follow_the_table(kind):
    sets, _, out = formulas(kind)
    assert sets == LAYER_KINDS[kind].set_tex
    assert ("\\mu_S" in out) == LAYER_KINDS[kind].centered


# Where KaTeX may end a display line: after a top-level relation (the app lets display formulas
# wrap, app.py's style), or at an explicit \allowbreak. Relations inside a brace group never break.
RELATION = re.compile(r"=|<|>|:|\\(?:in|leftarrow|to|approx|le|ge)(?![A-Za-z])")


def _top_level_relations(tex: str) -> list[str]:
    """Return the relations of ``tex`` outside every brace group (``\\{`` is no group)."""
    depth, found, i = 0, [], 0
    while i < len(tex):
        if tex.startswith(("\\{", "\\}"), i):
            i += 2
            continue
        if tex[i] in "{}":
            depth += 1 if tex[i] == "{" else -1
            assert depth >= 0, tex
            i += 1
            continue
        match = RELATION.match(tex, i)
        if match and depth == 0:
            found.append(match.group())
        i += match.end() - i if match else 1
    assert depth == 0, f"unbalanced braces in {tex!r}"
    return found


def test_top_level_relations_finds_the_break_points():
    assert _top_level_relations(r"\mu_S = \frac{1}{2},\quad {x = 1}") == ["="]
    assert _top_level_relations(r"{S = \{(h, w) : c \in g\}}\ \allowbreak\text{a}") == []
    assert _top_level_relations(r"a \in b \leftarrow c") == [r"\in", r"\leftarrow"]


@pytest.mark.parametrize("kind", KINDS)
def test_formulas_never_break_inside_an_equation(kind):
    """Issue 12: on a phone and at 1280x720 at 150 % the statistics formula broke right after
    "mu_S =" (KaTeX may end a line after any top-level relation). Every equation the cube tab
    shows is one brace group; a formula breaks only at its \\allowbreak, between equations."""
    for tex in formulas(kind):
        assert _top_level_relations(tex) == [], tex


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(1, 6, 1, 1), (2, 6, 1, 1), (1, 6, 1, 2)])
def test_one_element_rule_is_torchs(kind, shape):
    """The table says where torch refuses a set of one element in training, and in what words."""
    spec = LAYER_KINDS[kind]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    groups = 6 if spec.params else None  # GroupNorm with one channel per group
    code = spec.functional["nct"]
    try:
        eval(code, {"F": F, "x": x, "groups": groups, "eps": 1e-5})
        raised = ""
    except ValueError as exc:
        raised = str(exc)
    behaviour = studies.set_behaviour(shape, kind, groups)
    assert behaviour.torch_message == raised
    assert bool(raised) <= bool(spec.torch_one_element)
    if raised:
        template = re.escape(spec.torch_one_element).replace(r"\{size\}", ".*")
        assert re.fullmatch(template, raised)


def test_a_kind_added_to_the_table_works_without_touching_layers(monkeypatch):
    """Adding a layer kind touches the table: an RMS norm over each (sample, channel) (torch:
    F.rms_norm over the spatial axes) normalizes, names its sets and is noted from its entry."""
    import dataclasses

    from normviz import layer_text

    new = dataclasses.replace(
        LAYER_KINDS["instance"], key="instance_rms", label="InstanceRMSNorm", centered=False,
        functional={"nct": "F.rms_norm(x, x.shape[2:], eps=eps)"}, min_ndim=3,
    )  # fmt: skip
    monkeypatch.setitem(LAYER_KINDS, "instance_rms", new)
    x = torch.randn(3, 4, 5, 2, generator=torch.Generator().manual_seed(0)) * 2 + 1
    expected = _functional("instance_rms", "nct", x)
    torch.testing.assert_close(layers.normalize(x, "instance_rms"), expected, atol=1e-5, rtol=0)
    assert layers.reduction_axes("instance_rms", 4) == (2, 3)
    assert layers.group_index(x.shape, "instance_rms").unique().numel() == 12
    mean, ms = layers.statistics(x, "instance_rms")
    assert mean.abs().max() == 0 and ms.shape == (3, 4, 1, 1)
    assert layer_text.layer_note("instance_rms").startswith("InstanceRMSNorm normalizes **each")
    assert "no mean subtracted" in layer_text.layer_note("instance_rms")


def test_an_entry_the_layers_cannot_compute_is_refused():
    import dataclasses

    spec = LAYER_KINDS["layer"]
    with pytest.raises(ValueError, match="pools the spatial axes"):
        dataclasses.replace(spec, pooled={"nct": ("C",), "ntd": ("D",)})
    with pytest.raises(ValueError, match=r"pooled axes \('G',\) not in"):
        dataclasses.replace(spec, pooled={"nct": ("G",), "ntd": ("D",)})
    with pytest.raises(ValueError, match="a torch functional for each layout"):
        dataclasses.replace(spec, functional={"nct": spec.functional["nct"]})
