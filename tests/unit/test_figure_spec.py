"""FigureSpec: Plotly's JSON without Plotly's object tree, and exactly what Plotly would send."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from normviz.figures._spec import FigureSpec, FigureSpecError, typed_array


def _example() -> FigureSpec:
    return FigureSpec(
        [
            {"type": "heatmap", "z": np.arange(6, dtype=np.uint8).reshape(2, 3)},
            {"type": "scatter", "x": np.arange(3), "y": np.array([0.1, np.nan, 2.0])},
            {"type": "bar", "x": np.array(["a", "b"]), "y": [np.float32(1.5), 2]},
        ],
        {"template": {}, "height": 200, "xaxis": {"range": np.array([0.0, 1.0])}},
        frames=[{"name": "f0", "data": [{"type": "heatmap", "z": np.ones((2, 3), np.float32)}]}],
    )


@pytest.mark.parametrize(
    "values",
    [
        np.arange(5, dtype=np.uint8),
        np.linspace(-1, 1, 7),
        np.linspace(-1, 1, 7).astype(np.float32),
        np.array([0, 200, -3]),  # int64 -> int16, as Plotly narrows it
        np.array([2**40, 1]),  # int64 that fits no narrower type stays a list
        np.arange(12, dtype=np.int32).reshape(3, 4),
        np.array([1.0, np.nan, np.inf]),
        np.array([True, False]),
        np.array(["a", "b"]),
        np.zeros(0),
    ],
)
def test_typed_array_matches_plotly(values):
    ours = json.loads(json.dumps({"v": typed_array(values)}))
    theirs = json.loads(pio.to_json(go.Figure({"data": [{"type": "scatter", "x": values}]})))
    assert ours["v"] == theirs["data"][0]["x"]


def test_spec_serializes_like_the_validated_figure():
    spec = _example()
    ours = json.loads(pio.to_json(spec.to_dict(), validate=False))
    theirs = json.loads(pio.to_json(go.Figure(spec.full().to_dict())))
    assert ours["layout"].pop("template") == {}
    theirs["layout"].pop("template")
    assert ours == theirs
    assert ours["layout"]["xaxis"]["range"] == [0.0, 1.0]  # ranges stay plain lists
    assert ours["data"][0]["z"]["shape"] == "2, 3"


def test_streamlit_path_uses_the_spec_without_validation():
    """``st.plotly_chart`` calls this Plotly helper; for a figure it must hand back our dict."""
    spec = _example()
    assert plotly.tools.return_figure_from_figure_or_data(spec, True) is spec.to_dict()


def test_full_is_a_new_validated_figure_that_leaves_the_spec_alone():
    spec = _example()
    full = spec.full()
    z = full.data[0].z
    assert isinstance(z, np.ndarray) and z.dtype == np.uint8 and z.shape == (2, 3)
    assert full.layout.height == 200
    assert full.frames[0].name == "f0"
    assert "heatmap" in repr(spec)
    full.update_layout(height=999, title="changed")
    assert spec.full() is not full
    assert spec.full().layout.height == 200
    assert spec.to_dict()["layout"]["height"] == 200
    assert "title" not in spec.to_dict()["layout"]


# Each of these worked on this morning's FigureSpec (a go.Figure subclass whose attributes read a
# hidden validated copy): update_layout, layout.title = ... and fig["layout"] changed that copy
# while spec.to_dict(), what st.plotly_chart sends, kept the old dict.
MUTATIONS = {
    "update_layout": lambda s: s.update_layout(title="new"),
    "layout.title": lambda s: setattr(s.layout, "title", "new"),
    "layout.height": lambda s: setattr(s.layout, "height", 300),
    "add_trace": lambda s: s.add_trace(go.Scatter(x=[1], y=[1])),
    "update_traces": lambda s: s.update_traces(name="x"),
    "add_annotation": lambda s: s.add_annotation(text="x"),
    "add_vline": lambda s: s.add_vline(x=0.5),
    "data[0].name": lambda s: setattr(s.data[0], "name", "x"),
    "frames": lambda s: s.frames,
    "for_each_trace": lambda s: s.for_each_trace(lambda t: t),
    "item read": lambda s: s["layout"],
    "item write": lambda s: s.__setitem__("layout", {"height": 1}),
    "plotly_relayout": lambda s: s.plotly_relayout({"height": 1}),
    "attribute": lambda s: setattr(s, "anything", 1),
    "del attribute": lambda s: delattr(s, "_spec"),
    "iterate": lambda s: list(s),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_every_change_or_plotly_object_is_refused_loudly(name):
    spec = _example()
    before = json.dumps(spec.to_dict(), sort_keys=True)
    with pytest.raises(FigureSpecError, match=r"read-only figure.*\.full\(\)"):
        MUTATIONS[name](spec)
    assert json.dumps(spec.to_dict(), sort_keys=True) == before
    assert issubclass(FigureSpecError, AttributeError)


def test_loud_about_plotly_internals():
    spec = _example()
    with pytest.raises(AttributeError, match="full"):
        _ = spec._data_objs
    assert not hasattr(spec, "layout")


def test_pickle_and_deepcopy_round_trip():
    spec = _example()
    for clone in (pickle.loads(pickle.dumps(spec)), copy.deepcopy(spec)):
        assert isinstance(clone, FigureSpec)
        assert clone.to_dict() == spec.to_dict()
        assert clone == spec
    other = FigureSpec([{"type": "scatter", "x": [1]}], {"template": {}})
    assert spec != other


def test_builds_much_cheaper_than_a_figure():
    """Not a timing test: counts Python function calls, which do not depend on machine load."""
    import cProfile
    import pstats

    data = [{"type": "scatter", "x": np.arange(300.0), "y": np.arange(300.0)}] * 6
    layout = {"template": {}, "xaxis": {"range": [0, 1], "title": {"text": "x"}}}

    def calls(fn) -> int:
        prof = cProfile.Profile()
        prof.runcall(fn)
        return pstats.Stats(prof).total_calls

    spec = FigureSpec
    ours = calls(lambda: plotly.tools.return_figure_from_figure_or_data(spec(data, layout), 1))
    theirs = calls(
        lambda: plotly.tools.return_figure_from_figure_or_data(
            go.Figure({"data": data, "layout": layout}, _validate=False), True
        )
    )
    assert ours * 10 < theirs


def test_figure_spec_only_where_it_pays():
    """FigureSpec for the lab's tick figures, the only Plotly figures left in normviz (the
    layers lesson's animation, the first FigureSpec, is SVG now: figures.layers_running_svg)."""
    from normviz.figures import lab as F

    specs = [F.plot_weight_norm([]), F.plot_training_curves([])]
    assert all(isinstance(f, FigureSpec) for f in specs)
