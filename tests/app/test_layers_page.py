"""The normalization-layers page under Streamlit's AppTest: every kind and control renders."""

from __future__ import annotations

import json
from html import escape

import pytest
from streamlit.testing.v1 import AppTest

from normviz.layer_links import TABS
from normviz.layers import KIND_NAMES
from tests.app._code_boxes import code_boxes
from tests.app._fresh import shown
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


def _cubes(app: AppTest) -> dict[str, dict]:
    """The animated cubes drawn (SVG players, pages/_cube_view.py): key -> their payload."""
    players = [c for c in app.get("bidi_component") if c.proto.component_name == "normviz_cube"]
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.json) for c in players}


def _code(app: AppTest) -> str:
    """The code the "PyTorch code" tab shows (and copies)."""
    return code_boxes(app)["lay_code_box"]


def _open(app: AppTest, tab: str) -> AppTest:
    """Select the tab ``tab`` (its URL name) as a click on its header does; rerun."""
    app.session_state["lay_tab"] = TABS[tab]
    app.run()
    assert not app.exception
    return app


def _tables(app: AppTest) -> list[str]:
    """The moments' HTML heatmaps drawn (not the frame's own style element)."""
    return [h.proto.body for h in app.get("html") if "<table" in h.proto.body]


def _scenes(app: AppTest) -> int:
    """3D scenes drawn (each is one WebGL context in the browser)."""
    return sum(k.startswith("scene") for spec in _specs(app) for k in spec["layout"])


def test_page_renders_with_animated_cube(at):
    from normviz import layer_studies as studies
    from normviz.figures.layers_cube_svg import cube_payload, cube_svg

    assert at.title[0].value == "Normalization layers"
    cube = _cubes(at)["lay_cube_chart"]
    assert len(cube["frames"]) == 6  # BatchNorm over C = 6 channels by default
    # What the player gets is the page's batch's cube, as normviz draws it (tested there).
    assert cube == cube_payload(cube_svg(studies.cube_info(_page_batch(), "batch", None)))
    assert cube["ms"] == 700 and "<svg" in cube["svg"]
    assert not at.get("plotly_chart")  # the first view loads no Plotly
    assert len(at.tabs) == 7


def test_intro_says_batchnorm_also_differs_in_train_and_eval(at):
    intro = at.markdown[0].value
    assert "only in which elements" not in intro
    assert "**BatchNorm** also differs between training and evaluation" in intro


@pytest.mark.parametrize(
    ("kind", "frames"), [("layer", 4), ("instance", 24), ("group", 8), ("rms", 4)]
)
def test_every_kind(at, kind, frames):
    _open(at, "cube")
    at.selectbox(key="lay_kind").set_value(kind).run()
    assert not at.exception
    cube = _cubes(at)["lay_cube_chart"]
    assert len(cube["frames"]) == frames
    assert cube["frames"][0]["title"][0].startswith(f"{KIND_NAMES[kind]} · set 1")
    assert any(KIND_NAMES[kind] in m.value for m in at.markdown)
    _open(at, "moments")
    text = " ".join(m.value for m in at.markdown)
    assert "exactly zero-mean" not in text and " up to $\\epsilon$, " in text.replace(":", ",")
    _open(at, "code")
    assert "nn.RMSNorm([6, 4, 4], eps=1e-05)" in _code(at)


def test_groups_slider_and_equivalence_metrics(at):
    _open(at, "groupnorm")
    at.select_slider(key="lay_groups").set_value(3).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["max |GN(G=1) − LayerNorm|"]) < 1e-5
    assert float(metrics["max |GN(G=6) − InstanceNorm|"]) < 1e-5
    assert float(metrics["max |GN(G=1) − BatchNorm|"]) > 0.1
    _open(at, "code")  # the groups set on their tab hold on the others
    assert "nn.GroupNorm(3, 6)" in _code(at)


def test_shape_and_data_controls(at):
    _open(at, "cube")
    at.slider(key="lay_n").set_value(8).run()
    at.select_slider(key="lay_c").set_value(16).run()
    at.slider(key="lay_side").set_value(8).run()
    assert not at.exception
    assert all(len(c.proto.json) < 1_000_000 for c in at.get("bidi_component"))
    at.slider(key="lay_ch_offset").set_value(5.0).run()
    at.get("segmented_control")[0].set_value("crops").run()
    assert not at.exception
    at.select_slider(key="lay_c").set_value(6).run()
    at.get("segmented_control")[0].set_value("synthetic").run()
    assert not at.exception


def test_running_statistics_controls(at):
    _open(at, "running")
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
    _open(at, "tokens")
    at.get("segmented_control")[1].set_value("batch").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**256 means**" in text and "**2 means**" in text
    assert "Xiong et al. 2020" in text and "padding tokens" in text
    at.get("segmented_control")[1].set_value("rms").run()
    assert not at.exception
    _open(at, "batch")
    at.select_slider(key="lay_trials").set_value(8).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "inside 8 random batches" in text and "its spread is" in text


def test_one_element_sets_say_what_pytorch_does(at):
    _open(at, "cube")
    at.selectbox(key="lay_kind").set_value("batch").run()
    at.slider(key="lay_n").set_value(1).run()
    at.slider(key="lay_side").set_value(1).run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Expected more than 1 value per channel when training" in warnings
    _open(at, "moments")
    text = " ".join(m.value for m in at.markdown)
    assert "unit-variance up to" not in text and "not 1" in text
    _open(at, "code")
    assert "raises here" in _code(at)
    at.slider(key="lay_n").set_value(4).run()
    at.slider(key="lay_side").set_value(4).run()
    assert not at.exception


# --- every view is a link --------------------------------------------------------------------


def _linked(query: dict[str, str]) -> AppTest:
    """Open the layers page as a shared link ``/layers?<query>`` would (a new session)."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.switch_page("pages/layers.py")
    app.query_params.update(query)
    app.run()
    assert not app.exception
    return app


def _link_warnings(app: AppTest) -> list[str]:
    """The link warnings as the reader sees them (their quoted values are escaped Markdown)."""
    from normviz.literal import unescape

    return [unescape(w.value) for w in app.warning if w.value.startswith("From the link: ")]


def test_a_links_values_are_shown_literally():
    from normviz.literal import unescape

    app = _linked({"kind": "**bold** [x](https://example.com) $\\href{https://e.com}{y}$"})
    (note,) = [w.value for w in app.warning if "kind" in w.value]
    assert "**bold**" not in note and "](https" not in note and "$\\href" not in note
    assert "**bold** [x](https://example.com)" in unescape(note).replace("\u2060", "")


def _tab_index(app: AppTest) -> int:
    """The tab the page opens on (the tab container's default index)."""
    found = []

    def walk(node) -> None:
        if getattr(node, "type", None) == "tab_container":
            found.append(node.proto.tab_container.default_tab_index)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return found[0]


LINK = {"source": "crops", "n": "2", "c": "12", "side": "3", "kind": "group", "tab": "running",
        "groups": "4", "tokens": "rms", "convention": "keras", "momentum": "0.9",
        "stream_batch": "64", "mode": "eval", "trials": "8"}  # fmt: skip


def test_a_link_opens_its_view_and_the_url_stays_the_same():
    app = _linked(LINK)
    assert _link_warnings(app) == []
    assert app.get("segmented_control")[0].value == "crops"
    assert app.slider(key="lay_n").value == 2
    assert app.select_slider(key="lay_c").value == 12
    assert app.slider(key="lay_side").value == 3
    assert app.selectbox(key="lay_kind").value == "group"
    assert app.radio(key="lay_conv").value == "keras"
    assert app.slider(key="lay_momentum_keras").value == 0.9
    assert app.select_slider(key="lay_stream_batch").value == 64
    assert app.radio(key="lay_mode").value == "eval"
    assert _tab_index(app) == 4  # Running statistics
    assert app.query_params == LINK | {}  # written back exactly
    # Settings of tabs not open (not drawn) hold, in the address too, across tab switches.
    assert _open(app, "batch").select_slider(key="lay_trials").value == 8
    assert "nn.GroupNorm(4, 12)" in _code(_open(app, "code"))
    assert _open(app, "groupnorm").select_slider(key="lay_groups").value == 4
    assert app.query_params == LINK | {"tab": "groupnorm"}
    # A control changes the address; the copied address reopens the same view.
    app.select_slider(key="lay_groups").set_value(6).run()
    assert app.query_params["groups"] == "6"
    _open(app, "running")
    again = _linked(dict(app.query_params))
    assert _open(again, "groupnorm").select_slider(key="lay_groups").value == 6
    again = _linked(dict(app.query_params))
    assert _tab_index(again) == 4


def test_default_view_has_an_empty_link():
    app = _linked({})
    assert app.query_params == {}
    assert _tab_index(app) == 0
    assert _link_warnings(app) == []


def test_a_bad_link_warns_renders_defaults_and_the_warning_stays_until_dismissed():
    app = _linked({"c": "6", "groups": "4", "n": "99", "momentum": "0.9", "tab": "nope",
                   "dropout": "2"})  # fmt: skip
    assert _link_warnings(app) == [
        "From the link: Ignored n='99' from the URL: n must be an integer in [1, 8] (got '99'); "
        "using the default 4.",
        "From the link: Ignored tab='nope' from the URL: tab must be one of 'cube', 'moments', "
        "'groupnorm', 'tokens', 'running', 'batch', 'code' (got 'nope'); using the default "
        "'cube'.",
        "From the link: Ignored groups='4' from the URL: groups must be one of 1, 2, 3, 6 "
        "(got '4'); using the default 2.",
        "From the link: Ignored momentum='0.9' from the URL: momentum must be a number in "
        "[0.01, 0.5] (got '0.9'); using the default 0.1.",
        "From the link: Ignored dropout='2' from the URL: the layers lesson has no setting "
        "'dropout' (its settings: source, n, c, side, kind, ch_offset, ch_scale, s_offset, "
        "s_scale, tab, groups, tokens, convention, momentum, stream_batch, mode, trials).",
    ]
    assert app.slider(key="lay_n").value == 4
    assert app.session_state["lay_groups"] == 2
    assert app.query_params == {}  # the defaults' link
    app.run()  # the rerun that rewrote the URL keeps the messages
    assert len(_link_warnings(app)) == 5
    app.button(key="lay_link_dismiss").click().run()
    assert _link_warnings(app) == []


def test_changing_a_setting_answers_the_link_warning():
    app = _linked({"trials": "7"})
    assert len(_link_warnings(app)) == 1
    app.slider(key="lay_side").set_value(2).run()
    assert _link_warnings(app) == []
    assert app.query_params == {"side": "2"}


def test_reset_to_defaults_clears_settings_messages_and_url():
    app = _linked({"c": "8", "kind": "rms", "tab": "code", "convention": "keras", "n": "0"})
    assert len(_link_warnings(app)) == 1
    app.button(key="lay_reset").click().run()
    assert not app.exception
    assert _link_warnings(app) == []
    assert app.query_params == {}
    assert app.select_slider(key="lay_c").value == 6
    assert app.selectbox(key="lay_kind").value == "batch"
    assert _tab_index(app) == 0
    assert _open(app, "running").radio(key="lay_conv").value == "pytorch"


def test_a_new_c_replaces_groups_that_no_longer_divide_it():
    app = _linked({"c": "12", "groups": "6"})
    app.select_slider(key="lay_c").set_value(8).run()
    assert not app.exception
    assert app.query_params == {"c": "8"}  # 6 does not divide 8: groups back to the default
    assert _open(app, "groupnorm").select_slider(key="lay_groups").value == 2


def test_widgets_take_their_ranges_from_the_link_table():
    from normviz.layer_links import LAYER_LINKS

    app = _linked({})
    for p in LAYER_LINKS.params:
        if p.name in ("groups", "tab", "source", "tokens") or not p.applies({}):
            continue
        if p.key in ("lay_conv", "lay_momentum", "lay_stream_batch", "lay_mode", "lay_trials"):
            _open(app, "batch" if p.key == "lay_trials" else "running")
        if p.kind == "float" or (p.kind == "int" and not p.choices):
            w = app.slider(key=p.key)
            assert (w.min, w.max, w.step) == (p.lo, p.hi, p.step), p.name
        elif p.kind == "int":
            w = app.select_slider(key=p.key)
            assert list(w.options) == [str(v) for v in p.choices], p.name
        else:
            w = app.get("radio" if p.key in ("lay_conv", "lay_mode") else "selectbox")
            w = next(x for x in w if x.key == p.key)
            assert len(w.options) == len(p.choices), p.name
        assert w.label == p.label, p.name
        assert w.value == p.default, p.name


def test_every_chart_has_alternative_text_from_normviz():
    from normviz import layer_studies as studies
    from normviz.figures.layers import moments_alt, running_alt
    from normviz.figures.layers_cube import cube_alt

    app = _linked({"convention": "keras", "momentum": "0.9"})
    charts = [c for tab in TABS for c in _open(app, tab).get("plotly_chart")]
    assert len(charts) == 2  # the running statistics' and the batch sizes'
    cubes = [c for tab in TABS for c in _cubes(_open(app, tab)).values()]
    assert len(cubes) == 3  # the cube's, GroupNorm's range's and the tokens' tabs
    alts = [c.proto.alt for c in charts] + [c["label"] for c in cubes]
    for c in cubes:  # the SVG is an image labelled by the same text
        assert f'role="img" aria-label="{escape(c["label"])}"' in c["svg"].replace("&#x27;", "'")
    _open(app, "moments")  # the moments' tables carry their summary as the figure's label
    study = studies.moments_study(_page_batch(), "batch", None)
    (table,) = _tables(app)
    assert f'aria-label="{escape(moments_alt(*study))}"' in table
    from normviz.figures.layers_cube_row import tile_alt

    _open(app, "cube")
    pictures = [i.alt for image in app.get("image") for i in image.proto.imgs]
    x = _page_batch()
    infos = [studies.cube_info(x, k, 2 if k == "group" else None) for k in KIND_NAMES]
    assert pictures == [tile_alt(i) for i in infos]
    assert all(len(a) > 40 for a in alts), alts
    assert cube_alt(studies.cube_info(_page_batch(), "batch", None)) in alts
    assert cube_alt(studies.cube_info(_page_batch(), "group", 2)) in alts
    trace = studies.running_study(0.9, "keras", 8, seed=0)
    assert running_alt(trace, *studies.POPULATION, tau=studies.time_constant(0.9, "keras")) in alts


def _page_batch():
    from normviz.tensors import synthetic_batch

    return synthetic_batch(4, 6, 4, 4, channel_offset=3.0, channel_scale=1.0, sample_offset=1.0,
                           sample_scale=0.0, seed=0)  # fmt: skip


# --- only the open tab draws ---------------------------------------------------------------

# The charts each tab draws, by their alternative text's start (what a screen reader reads).
TAB_CHARTS = {"cube": 1, "moments": 0, "groupnorm": 1, "tokens": 1, "running": 1, "batch": 1,
              "code": 0}  # fmt: skip
PLOTLY_TABS = {"running", "batch"}
"""Tabs whose charts are Plotly's: the others load no Plotly (the cubes are SVG players)."""


def test_only_the_open_tabs_charts_are_drawn():
    """Only the open tab's body runs: a browser mounts only the charts the reader looks at, and
    no chart is a 3D scene (a WebGL context, drawn in software without a GPU: seconds a change).
    """
    app = _linked({})
    assert len(app.tabs) == 7  # every tab keeps its header
    seen = []
    for tab, count in TAB_CHARTS.items():
        _open(app, tab)
        plotly = [c.proto.alt for c in app.get("plotly_chart")]
        assert bool(plotly) == (tab in PLOTLY_TABS), tab
        alts = plotly + [c["label"] for c in _cubes(app).values()]
        assert len(alts) == count, (tab, alts)
        assert len(_tables(app)) == (tab == "moments"), tab  # the moments' four tables
        assert not set(alts) & {a for other in seen for a in other}, tab  # not drawn twice
        seen.append(alts)
        assert _scenes(app) == 0, (tab, _scenes(app))
    _open(app, "cube")
    assert len(app.get("image")) == 5  # the five small cubes: pictures, no chart to mount
    # Sent as the PNG the cache holds: "auto" re-encoded each line drawing as a JPEG every run.
    urls = [i.url for image in app.get("image") for i in image.proto.imgs]
    assert len(urls) == 5 and all(u.endswith(".png") for u in urls), urls
    assert [m.label for m in app.metric] == []  # the GroupNorm tab's body did not run
    assert _open(app, "groupnorm").metric


@pytest.mark.parametrize("kind", list(KIND_NAMES))
def test_the_info_box_describes_the_chosen_layer(kind):
    """Issue 12: the box beside the cube said "LayerNorm normalizes all features of one sample"
    whatever layer was chosen. It describes the chosen layer (normviz.layer_text.layer_note)."""
    from normviz import layer_text

    app = _linked({"kind": kind})
    boxes = [i.value for i in app.info]
    groups = 2 if kind == "group" else None  # the default G for C = 6
    assert boxes == [layer_text.layer_note(kind, groups)]
    assert boxes[0].startswith(KIND_NAMES[kind])
    if kind != "layer":
        assert "LayerNorm" not in boxes[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (LINK, {"lay_source": "image crops", "lay_n": "2", "lay_c": "12", "lay_side": "3",
                "lay_kind": "GroupNorm", "lay_conv": "Keras", "lay_momentum_keras": "0.9",
                "lay_stream_batch": "64", "lay_mode": "eval"}),
        ({"ch_offset": "1.5", "ch_scale": "0.5", "s_offset": "4.0", "s_scale": "1.25", "c": "12",
          "groups": "4", "tab": "groupnorm", "kind": "instance"},
         {"lay_source": "synthetic", "lay_n": "4", "lay_c": "12", "lay_side": "4",
          "lay_kind": "InstanceNorm", "lay_ch_offset": "1.5", "lay_ch_scale": "0.5",
          "lay_s_offset": "4", "lay_s_scale": "1.25", "lay_groups": "4"}),
        ({"n": "7", "tab": "tokens", "tokens": "rms", "source": "crops"},
         {"lay_tok_kind": "RMSNorm", "lay_n": "7", "lay_source": "image crops"}),
        ({"side": "6", "tab": "batch", "trials": "8"}, {"lay_side": "6", "lay_trials": "8"}),
    ],
)  # fmt: skip
def test_a_browser_that_mounts_the_controls_late_still_shows_the_links_settings(query, expected):
    """Defect: a quick second run made a late browser show (and send back) every default.

    Streamlit sends a widget's value only in the run that writes it into session state; the
    controls were created without ``value=``, so a second run soon after (another click, a
    reconnect) sent them with Streamlit's defaults (minimums, first options). A browser that had
    not mounted the controls yet showed those. Every element must carry the value it holds
    (pages._held, as the lab does).
    """
    app = _linked(query)
    assert _link_warnings(app) == []
    first = shown(app, "lay_")
    assert {k: first.get(k) for k in expected} == expected
    app.run()  # a second run, nothing changed
    assert not app.exception, app.exception
    again = shown(app, "lay_")
    assert again.keys() == first.keys()
    wrong = {k: (again[k], first[k]) for k in first if again[k] != first[k]}
    assert not wrong, f"controls a late browser shows as (this, not the link's): {wrong}"
    assert app.query_params == query  # the link, unchanged


@pytest.mark.parametrize("c", ["4", "12"])
def test_kind_widgets_take_their_choices_from_the_layer_kind_table(c):
    """Issue 11: the layer select box, the token layout's control and GroupNorm's groups slider
    show what normviz.layer_kinds.LAYER_KINDS says (kinds, labels, the groups allowed for C)."""
    from normviz.layer_kinds import KINDS, LAYER_KINDS, kinds_for

    app = _linked({"c": c, "tab": "groupnorm"})
    layer = app.selectbox(key="lay_kind")
    assert list(layer.options) == [LAYER_KINDS[k].label for k in KINDS]
    (groups_param,) = LAYER_KINDS["group"].params
    groups = app.select_slider(key="lay_groups")
    assert list(groups.options) == [str(g) for g in groups_param.choices(int(c))]
    assert groups.label == groups_param.label and groups.value == groups_param.default(int(c))
    tokens = next(w for w in _open(app, "tokens").get("segmented_control") if w.key ==
                  "lay_tok_kind")  # fmt: skip
    assert list(tokens.options) == [LAYER_KINDS[k].label for k in kinds_for("ntd")]
