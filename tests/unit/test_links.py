"""The link tables: URL query <-> values, exact round trips, and a warning for every bad link."""

from __future__ import annotations

import inspect
import itertools

import pytest

from normviz.image_links import BOUNDS, DEFAULT_SAMPLE, IMAGE_LINKS, param_for_key
from normviz.intensity import TECHNIQUES, mean_std_bounds
from normviz.links import LinkTable, Param
from normviz.samples import SAMPLES

T = IMAGE_LINKS


def _non_default(p: Param, default):
    """A valid value of ``p`` different from ``default`` (an interior, not-round one)."""
    if p.kind == "choice":
        return next(c for c in p.choices if c != default)
    if p.kind == "bool":
        return not default
    if p.kind == "int":
        return p.hi if default != p.hi else p.lo
    lo = -3.0 if p.lo is None else p.lo
    hi = 7.0 if p.hi is None else p.hi
    if p.kind == "pair":
        return (lo + (hi - lo) * 0.1234567, lo + (hi - lo) * 0.8765431)
    return lo + (hi - lo) * 0.3141592653589793


def _settings() -> list[dict]:
    """Every technique (and clip bounds mode) with defaults, and with each parameter changed."""
    out = []
    for technique in TECHNIQUES:
        modes = list(BOUNDS) if technique == "clip" else [None]
        for mode in modes:
            fixed = {"sample": "coffee", "technique": technique}
            if mode:
                fixed["bounds"] = mode
            base = T.defaults(fixed)
            out.append(base)
            for p in T.active(base):
                if p.name in ("source", "sample", "technique", "bounds"):
                    continue
                default = base[p.name] if base[p.name] is not None else 0.5
                out.append({**base, p.name: _non_default(p, default)})
    return out


SETTINGS = _settings()


@pytest.mark.parametrize("values", SETTINGS, ids=lambda v: "-".join(f"{k}={v[k]}" for k in v))
def test_every_technique_and_parameter_round_trips_exactly(values):
    query = T.to_query(values)
    assert all(isinstance(v, str) for v in query.values())
    parsed = T.parse(query)
    assert parsed.warnings == []
    assert parsed.values == values
    # only non-defaults are written, in table order
    assert list(query) == [n for n in T.names if n in query]
    for name in query:
        assert values[name] != T.param(name, values).default_for(values)
    # and every non-default is written
    for p in T.active(values):
        assert (p.name in query) == (values[p.name] != p.default_for(values))


def test_settings_cover_every_parameter_of_every_technique():
    changed = {
        (v["technique"], p.name) for v in SETTINGS for p in T.active(v)
        if v[p.name] != p.default_for(v)
    }  # fmt: skip
    for p in T.params:
        for technique in p.when.get("technique", ()):
            assert (technique, p.name) in changed


def test_defaults_come_from_the_technique_registry():
    """One home for each default: TECHNIQUES (and mean_std_bounds for k)."""
    for technique, t in TECHNIQUES.items():
        values = T.defaults({"technique": technique, "bounds": "percentiles"})
        for name, default in t.params.items():
            if name in values:
                assert values[name] == default, (technique, name)
    assert T.defaults({"technique": "clip", "bounds": "mean_std"})["k"] == (
        inspect.signature(mean_std_bounds).parameters["k"].default
    )
    # a sample opens with its own technique: nothing more in its link
    for key, s in SAMPLES.items():
        assert T.parse({"sample": key}).values["technique"] == s.technique
        assert T.to_query(T.defaults({"sample": key})) == (
            {"sample": key} if key != DEFAULT_SAMPLE else {}
        )


def test_empty_query_is_the_default_view():
    parsed = T.parse({})
    assert parsed.warnings == []
    assert parsed.values == {
        "source": "sample", "sample": DEFAULT_SAMPLE,
        "technique": SAMPLES[DEFAULT_SAMPLE].technique, "lo": 0.0, "hi": 1.0, "log_counts": False,
    }  # fmt: skip
    assert T.to_query(parsed.values) == {}


BAD = [
    # (query, the parameter, the warning's words, the value used)
    ({"technique": "clahe", "tiles": "40"}, "tiles",
     "tiles='40' from the URL: tiles must be an integer in [2, 16] (got '40'); "
     "using the default 8", 8),
    ({"technique": "clahe", "tiles": "4.5"}, "tiles", "an integer in [2, 16] (got '4.5')", 8),
    ({"technique": "clahe", "clip_limit": "nan"}, "clip_limit",
     "clip_limit must be a number in [0.001, 0.1] (got 'nan'); using the default 0.01", 0.01),
    ({"technique": "clahe", "clip_limit": "0"}, "clip_limit", "(got '0')", 0.01),
    ({"technique": "scale", "hi": "inf"}, "hi", "a number in [-1000000.0, 1000000.0]", 1.0),
    ({"technique": "scale", "lo": ""}, "lo", "(got '')", 0.0),
    ({"technique": "zscore", "per_channel": "maybe"}, "per_channel",
     "per_channel must be 'on' or 'off' (got 'maybe'); using the default on", True),
    ({"technique": "equalize", "mode": "hsv"}, "mode",
     "mode must be one of 'per_channel', 'luminance' (got 'hsv'); using the default 'per_channel'",
     "per_channel"),
    ({"technique": "autocontrast", "cutoff": "60,40"}, "cutoff",
     "two numbers 'a,b' with 0.0 <= a <= b <= 100.0 (got '60,40'); using the default 1.0,99.0",
     (1.0, 99.0)),
    ({"technique": "autocontrast", "cutoff": "5"}, "cutoff", "(got '5')", (1.0, 99.0)),
    ({"technique": "autocontrast", "cutoff": "-1,50"}, "cutoff", "(got '-1,50')", (1.0, 99.0)),
    ({"technique": "clip", "bounds": "mean_std", "k": "9"}, "k",
     "k must be a number in [0.5, 5.0] (got '9'); using the default 2.0", 2.0),
    ({"technique": "clip", "bounds": "manual", "low": "x"}, "low",
     "using the default the image's lowest display value", None),
    ({"sample": "lena"}, "sample",
     "sample must be one of 'chalkboard', 'rocket', 'hdr', 'coffee' (got 'lena'); "
     "using the default 'chalkboard'", "chalkboard"),
    ({"technique": "wavelet"}, "technique",
     "(got 'wavelet'); using the default 'scale'", "scale"),
    ({"sample": "rocket", "technique": "wavelet"}, "technique",
     "using the default 'clip'", "clip"),  # the default follows the sample
    ({"technique": "match", "reference": "moon"}, "reference",
     "using the default the first sample with as many channels", None),
]  # fmt: skip


@pytest.mark.parametrize(("query", "name", "words", "used"), BAD, ids=[b[1] for b in BAD])
def test_each_kind_of_bad_value_gives_a_warning_and_the_default(query, name, words, used):
    parsed = T.parse(query)
    assert len(parsed.warnings) == 1, parsed.warnings
    warning = parsed.warnings[0]
    assert warning.startswith(f"Ignored {name}={query[name]!r} from the URL: ")
    assert words in warning
    assert parsed.values[name] == used
    # the rest of the link still counts
    for k, v in query.items():
        if k != name:
            assert T.param(k, parsed.values).format(parsed.values[k]) == v


def test_unknown_and_stale_parameters_are_reported():
    parsed = T.parse({"technique": "zscore", "dropout": "2", "tiles": "4", "embed": "true"})
    assert parsed.values["technique"] == "zscore"
    assert parsed.warnings == [
        "Ignored dropout='2' from the URL: the image lesson has no setting 'dropout' (its "
        "settings: source, sample, technique, lo, hi, bounds, q, k, low, high, per_channel, mode, "
        "cutoff, clip_limit, tiles, reference, log_counts).",
        "Ignored tiles='4' from the URL: tiles applies only when technique is 'clahe' (here "
        "technique is 'zscore').",
    ]
    assert T.parse({"dropout": "2"}, unknown="ignore").warnings == []
    # a parameter of another clip mode is stale too
    w = T.parse({"technique": "clip", "k": "3"}).warnings
    assert w == [
        "Ignored k='3' from the URL: k applies only when bounds is 'mean_std' (here bounds is "
        "'percentiles')."
    ]


def test_upload_link_carries_no_sample_and_a_list_value_counts_last():
    parsed = T.parse({"source": "upload", "technique": ["scale", "log"]})
    assert parsed.warnings == []
    assert parsed.values == {"source": "upload", "technique": "log", "log_counts": False}
    assert T.to_query(parsed.values) == {"source": "upload", "technique": "log"}
    assert (
        "sample applies only when source is 'sample'"
        in T.parse({"source": "upload", "sample": "coffee"}).warnings[0]
    )


def test_shared_name_has_a_default_per_technique():
    assert T.defaults({"technique": "zscore"})["per_channel"] is True
    assert T.defaults({"technique": "clip"})["per_channel"] is False
    assert T.to_query(T.defaults({"technique": "zscore"}) | {"per_channel": False}) == {
        "technique": "zscore", "per_channel": "off"
    }  # fmt: skip
    assert param_for_key("img_param_ac_per_channel").when == {"technique": ("autocontrast",)}


def test_to_query_refuses_an_out_of_range_value():
    values = T.defaults({"technique": "clahe"}) | {"tiles": 99}
    with pytest.raises(ValueError, match=r"tiles must be an integer in \[2, 16\] \(got 99\)"):
        T.to_query(values)


def test_table_checks_its_own_declaration():
    with pytest.raises(ValueError, match="'when' names 'b', not an earlier parameter"):
        LinkTable("x", (Param("a", "int", 1, when={"b": (1,)}), Param("b", "int", 1)))
    with pytest.raises(ValueError, match="kind must be one of"):
        Param("a", "str", "x")
    with pytest.raises(ValueError, match=r"a must be an integer in \[0, 3\] \(got 5\)"):
        Param("a", "int", 5, lo=0, hi=3)


@pytest.mark.parametrize(
    ("kind", "texts"),
    [("bool", ["on", "off"]), ("int", ["0", "-7", "12"]), ("float", ["0.1", "-2.5", "1e-07"]),
     ("pair", ["0.1,0.2", "-1.0,-1.0"])],
)  # fmt: skip
def test_format_parse_are_inverse(kind, texts):
    p = Param("x", kind, None)
    for text in texts:
        value = p.parse(text)
        assert p.parse(p.format(value)) == value
    for a, b in itertools.pairwise(texts):
        assert p.parse(a) != p.parse(b)
