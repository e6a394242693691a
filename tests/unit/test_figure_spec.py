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

from normviz.figures._spec import FigureSpec, typed_array


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


def test_attributes_read_the_validated_figure():
    spec = _example()
    z = spec.data[0].z
    assert isinstance(z, np.ndarray) and z.dtype == np.uint8 and z.shape == (2, 3)
    assert spec.layout.height == 200
    assert spec.frames[0].name == "f0"
    assert spec["layout.height"] == 200
    assert spec.full() is spec.full()  # built once
    assert "heatmap" in repr(spec)


def test_read_only_and_loud_about_plotly_internals():
    spec = _example()
    with pytest.raises(AttributeError, match="read-only"):
        spec.anything = 1
    with pytest.raises(AttributeError, match="full"):
        _ = spec._data_objs


def test_pickle_and_deepcopy_round_trip():
    spec = _example()
    for clone in (pickle.loads(pickle.dumps(spec)), copy.deepcopy(spec)):
        assert isinstance(clone, FigureSpec)
        assert clone.to_dict() == spec.to_dict()
        assert clone == spec


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
