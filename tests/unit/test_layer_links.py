"""The layers lesson's URL table: every view round-trips, bad and stale values are reported."""

from __future__ import annotations

import itertools

import pytest
import torch

from normviz.layer_links import (
    CHANNELS,
    LAYER_LINKS,
    TABS,
    WIDGET_KEYS,
    default_groups,
    divisors,
    from_widget,
    holds_valid,
    param_for_key,
    to_widget,
    values_from_state,
)
from normviz.links import Param

T = LAYER_LINKS


def test_defaults_are_the_lessons_opening_view():
    d = T.defaults()
    assert d["source"] == "synthetic" and (d["n"], d["c"], d["side"]) == (4, 6, 4)
    assert d["kind"] == "batch" and d["tab"] == "cube" and d["groups"] == 2
    assert (d["convention"], d["momentum"]) == ("pytorch", 0.1)
    assert T.to_query(d) == {}


@pytest.mark.parametrize("c", CHANNELS)
def test_groups_allowed_are_exactly_what_torch_groupnorm_accepts(c):
    """Oracle: torch.nn.GroupNorm raises unless the groups divide the channels."""
    accepted = []
    for g in range(1, c + 1):
        try:
            torch.nn.GroupNorm(g, c)
            accepted.append(g)
        except ValueError:
            pass
    assert divisors(c) == tuple(accepted)
    p = T.param("groups", {"c": c})
    assert p.choices == tuple(accepted) and p.default == default_groups(c)
    for g in range(1, 17):
        parsed = T.parse({"c": str(c), "groups": str(g)})
        if g in accepted:
            assert parsed.values["groups"] == g and parsed.warnings == []
        else:
            assert parsed.values["groups"] == default_groups(c)
            assert parsed.warnings == [
                f"Ignored groups='{g}' from the URL: groups must be one of "
                f"{', '.join(map(str, accepted))} (got '{g}'); using the default "
                f"{default_groups(c)}."
            ]


def test_a_stale_groups_follows_the_c_of_the_link_not_the_default_c():
    # 4 divides 8 but not the default C = 6: the link's C decides.
    assert T.parse({"c": "8", "groups": "4"}).warnings == []
    # A bad C falls back to 6, and groups=4 is then reported against C = 6.
    values, warnings = T.parse({"c": "5", "groups": "4"})
    assert values["c"] == 6 and values["groups"] == 2
    assert warnings[0].startswith("Ignored c='5' from the URL: c must be one of 1, 2, 3, 4, 6")
    assert "groups must be one of 1, 2, 3, 6 (got '4')" in warnings[1]


def test_momentum_range_follows_the_convention():
    assert T.parse({"convention": "keras", "momentum": "0.9"}).values["momentum"] == 0.9
    values, warnings = T.parse({"momentum": "0.9"})
    assert values["momentum"] == 0.1
    assert warnings == ["Ignored momentum='0.9' from the URL: momentum must be a number in "
                        "[0.01, 0.5] (got '0.9'); using the default 0.1."]  # fmt: skip
    assert T.defaults({"convention": "keras"})["momentum"] == 0.99


def test_offsets_apply_only_to_synthetic_data():
    values, warnings = T.parse({"source": "crops", "ch_offset": "2.5"})
    assert "ch_offset" not in values
    assert warnings == ["Ignored ch_offset='2.5' from the URL: ch_offset applies only when "
                        "source is 'synthetic' (here source is 'crops')."]  # fmt: skip


@pytest.mark.parametrize(
    "junk", ["", " ", "nan", "inf", "-1", "1e309", "4,4", "0x10", "é", "None", "[]", "8" * 400]
)
def test_parse_never_raises_and_always_gives_valid_values(junk):
    query = dict.fromkeys(T.names, junk) | {"zzz": junk}
    values, warnings = T.parse(query)
    for p in T.active(values):
        p.check(values[p.name])
    assert T.parse(T.to_query(values)).values == values
    assert warnings  # something was reported


def test_every_combination_of_choices_round_trips():
    names = ("source", "kind", "tab", "tokens", "convention", "mode")
    for combo in itertools.product(*(T.param(n, {"source": "synthetic", "convention": "pytorch"})
                                     .choices for n in names)):  # fmt: skip
        values = T.defaults(dict(zip(names, combo, strict=True)))
        assert T.parse(T.to_query(values)) == (values, [])


def test_tabs_are_the_pages_and_keys_are_unique_per_name():
    assert list(TABS) == list(T.param("tab", {}).choices)
    assert len(TABS) == 7
    assert param_for_key("lay_momentum_keras").when == {"convention": ("keras",)}
    keys = {}
    for p in T.params:
        keys.setdefault(p.key, set()).add(p.name)
    assert all(len(names) == 1 for names in keys.values())


def test_int_choices_of_a_param():
    """links.Param: an int with choices accepts only them (new in this change)."""
    p = Param("c", "int", 6, lo=1, hi=16, choices=CHANNELS)
    assert p.parse("12") == 12
    with pytest.raises(ValueError, match=r"c must be one of 1, 2, 3, 4, 6, 8, 12, 16 \(got '5'\)"):
        p.parse("5")
    with pytest.raises(ValueError, match=r"g must be one of 1, 2, 3, 6 \(got 4\)"):
        Param("g", "int", 4, lo=1, hi=6, choices=(1, 2, 3, 6))


def test_widget_state_round_trips_every_view():
    """Issue 11: the state <-> value logic of pages/_layer_links is pure and tested here."""
    names = ("source", "kind", "tab", "convention", "mode")
    for combo in itertools.product(*(T.param(n, {"source": "synthetic", "convention": "pytorch"})
                                     .choices for n in names)):  # fmt: skip
        values = T.defaults(dict(zip(names, combo, strict=True)))
        state = {p.key: to_widget(p, values[p.name]) for p in T.active(values)}
        assert state["lay_tab"] == TABS[values["tab"]]
        assert values_from_state(state) == values
        assert all(holds_valid(p, state) for p in T.active(values))
    assert values_from_state({}) == T.defaults()
    assert set(WIDGET_KEYS) == {p.key for p in T.params} and len(WIDGET_KEYS) == len(
        set(WIDGET_KEYS)
    )


def test_state_a_widget_no_longer_allows_falls_back_to_the_default():
    state = {"lay_c": 8, "lay_groups": 3, "lay_tab": "not a tab", "lay_n": 99}
    values = values_from_state(state)
    assert (values["c"], values["groups"], values["tab"], values["n"]) == (8, 2, "cube", 4)
    groups = T.param("groups", {"c": 8})
    assert not holds_valid(groups, state) and holds_valid(groups, state | {"lay_groups": 4})
    tab = T.param("tab", {})
    assert from_widget(tab, TABS["code"]) == "code" and from_widget(tab, "code") is None
    assert not holds_valid(tab, {"lay_tab": "code"})  # the tabs hold their label
    # crops: the synthetic offsets do not apply, whatever the state holds
    assert "ch_offset" not in values_from_state({"lay_source": "crops", "lay_ch_offset": 2.0})
