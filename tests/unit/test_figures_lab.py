"""Structure of the lab's figures: traces, fixed axes, stop markers, degenerate input."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from normviz.figures import lab as F
from normviz.figures._spec import FigureSpec
from normviz.toydata import Dataset as Data
from normviz.training import BoundaryGrid as Grid
from normviz.training import EpochRecord as Rec
from normviz.training import StopInfo as Stop


def _history(n: int, diverge_at: int | None = None) -> list[Rec]:
    out = []
    for e in range(n):
        loss = 0.7 / (1 + e)
        if diverge_at is not None and e >= diverge_at:
            loss = math.inf if e == diverge_at else math.nan
        out.append(Rec(e, 10 * e, loss, loss + 0.1, 0.5 + e / (2 * n), 0.5, 0.0, 2.0 + e, 0.01 * e))
    return out


def _valid(fig: go.Figure) -> dict:
    """Re-validate with Plotly (the builders skip validation for speed) and return the dict.

    Validation must not change a thing: the validated figure serializes to the same JSON (its
    template aside, which validation expands from ``{}`` to Plotly's empty template, and empty
    layout lists such as ``shapes=[]``, which it drops).
    """
    if not isinstance(fig, FigureSpec):  # a plain go.Figure: Plotly validated it already
        return json.loads(pio.to_json(fig))
    d = fig.to_dict()
    checked = json.loads(pio.to_json(go.Figure(fig.full().to_dict())))
    ours = json.loads(pio.to_json(d, validate=False))
    assert ours["layout"].pop("template") == {}
    checked["layout"].pop("template")
    ours["layout"] = {k: v for k, v in ours["layout"].items() if v != []}
    assert ours == checked
    return d


def _numbers(trace_value) -> np.ndarray:
    """Decode a value of a figure dict: a list, or Plotly's base64 typed-array spec."""
    if isinstance(trace_value, dict):
        flat = np.frombuffer(base64.b64decode(trace_value["bdata"]), dtype=trace_value["dtype"])
        shape = trace_value.get("shape")
        if shape:
            flat = flat.reshape([int(n) for n in str(shape).split(",")])
        return flat.astype(np.float64)
    return np.asarray(trace_value, dtype=np.float64)


# -- curves_info ---------------------------------------------------------------------------


def test_curves_info_exact_and_dtypes():
    c = F.curves_info(_history(3), "A")
    assert c.label == "A"
    assert c.epoch.tolist() == [0, 1, 2] and c.epoch.dtype == np.int64
    np.testing.assert_allclose(c.train_loss, [0.7, 0.35, 0.7 / 3])
    for name in ("train_loss", "test_loss", "train_acc", "test_acc", "weight_norm", "sparsity"):
        assert getattr(c, name).dtype == np.float64
    assert c.stop is None


def test_curves_info_downsamples_long_histories_keeping_ends():
    c = F.curves_info(_history(1001), max_points=300)
    assert len(c.epoch) <= 300
    assert c.epoch[0] == 0 and c.epoch[-1] == 1000
    assert np.all(np.diff(c.epoch) > 0)


def test_curves_info_empty_and_bad_points():
    c = F.curves_info([])
    assert c.epoch.size == 0 and c.train_loss.size == 0
    with pytest.raises(ValueError, match=r"max_points must be >= 2 \(got 1\)"):
        F.curves_info(_history(3), max_points=1)


# -- training curves -----------------------------------------------------------------------


def test_training_curves_structure_and_fixed_axes():
    a = F.curves_info(_history(20), "A")
    b = F.curves_info(_history(30), "B")
    d = _valid(F.plot_training_curves([a, b]))
    names = [t["name"] for t in d["data"]]
    assert names == ["A train", "A test"] * 2 + ["B train", "B test"] * 2
    dashes = [t["line"]["dash"] for t in d["data"]]
    assert dashes == ["solid"] * 4 + ["dash"] * 4
    colours = {t["name"]: t["line"]["color"] for t in d["data"]}
    assert colours["A train"] == colours["B train"] == F.SPLIT_COLOURS["train"]
    assert colours["A test"] == colours["B test"] == F.SPLIT_COLOURS["test"]
    lay = d["layout"]
    assert lay["xaxis"]["range"] == [0.0, pytest.approx(29 * 1.02)]
    assert lay["xaxis2"]["range"] == lay["xaxis"]["range"]
    assert lay["yaxis2"]["range"] == [0.0, 1.02]
    assert lay["yaxis"]["range"] == [0.0, pytest.approx(0.8 * 1.08)]
    assert lay["yaxis"]["autorange"] is False
    assert lay["height"] == 320 and lay["template"] == {}


def test_training_curves_marks_the_early_stop_at_the_best_epoch():
    stop = Stop("early_stopping", 15, 9, "stopped")
    d = _valid(F.plot_training_curves([F.curves_info(_history(16), "A", stop)]))
    star = [t for t in d["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert len(star) == 1
    assert _numbers(star[0]["x"]).tolist() == [9.0]
    assert _numbers(star[0]["y"])[0] == pytest.approx(0.7 / 10 + 0.1)
    lines = d["layout"]["shapes"]
    assert [s["x0"] for s in lines] == [9, 9]
    assert {s["xref"] for s in lines} == {"x", "x2"}
    assert any("best epoch 9" in a["text"] for a in d["layout"]["annotations"])


def test_training_curves_divergence_is_marked_and_nonfinite_points_dropped():
    stop = Stop("diverged", 5, None, "diverged")
    d = _valid(F.plot_training_curves([F.curves_info(_history(7, diverge_at=5), "", stop)]))
    train_loss = d["data"][0]
    assert np.isfinite(_numbers(train_loss["y"])).all()
    assert len(_numbers(train_loss["y"])) == 5
    assert d["layout"]["shapes"][0]["x0"] == 5
    assert any("diverged at epoch 5" in a["text"] for a in d["layout"]["annotations"])
    assert math.isfinite(d["layout"]["yaxis"]["range"][1])


def test_training_curves_max_epochs_stop_draws_no_marker():
    stop = Stop("max_epochs", 9, None, "done")
    d = _valid(F.plot_training_curves([F.curves_info(_history(10), "", stop)]))
    assert d["layout"]["shapes"] == []


def test_training_curves_empty_input_is_a_labelled_empty_figure():
    d = _valid(F.plot_training_curves([]))
    assert d["data"] == []
    assert d["layout"]["xaxis"]["title"]["text"] == "epoch"
    assert d["layout"]["yaxis"]["range"] == [0.0, 1.0]
    d = _valid(F.plot_training_curves([F.curves_info([])]))
    assert len(d["data"]) == 4


def test_curve_payload_does_not_grow_with_history_length():
    short = pio.to_json(F.plot_training_curves([F.curves_info(_history(300))]).to_dict())
    long = pio.to_json(F.plot_training_curves([F.curves_info(_history(5000))]).to_dict())
    assert len(long) < 1.2 * len(short)


def test_weight_norm_figure():
    d = _valid(F.plot_weight_norm([F.curves_info(_history(5), "A"), F.curves_info([], "B")]))
    assert [t["name"] for t in d["data"]] == ["A ‖w‖₂", "A % of |w| < 0.001", "B ‖w‖₂",
                                              "B % of |w| < 0.001"]  # fmt: skip
    np.testing.assert_allclose(_numbers(d["data"][1]["y"]), [0, 1, 2, 3, 4])
    assert d["layout"]["yaxis"]["range"] == [0.0, pytest.approx(6.0 * 1.08)]
    assert d["layout"]["yaxis2"]["range"] == [0.0, 100.0]


# -- weight histograms ---------------------------------------------------------------------


def test_weight_histogram_exact():
    h = F.weight_histogram_info(np.array([0.0, 0.0, 0.5, -0.9, 3.0]), limit=1.0, bins=5)
    assert h.counts.tolist() == [1, 0, 2, 1, 1]
    assert h.counts.dtype == np.int64
    assert h.sparsity == pytest.approx(0.4) and h.n == 5 and h.limit == 1.0


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_weight_histogram_counts_every_weight_and_agrees_with_numpy(dtype):
    w = np.random.default_rng(0).normal(0, 0.4, 500).astype(dtype)
    h = F.weight_histogram_info(w, limit=2.0, bins=41)
    assert h.counts.sum() == 500
    assert len(h.edges) == 42 and h.edges[20] < 0 < h.edges[21]  # a bin centred on zero
    ref, _ = np.histogram(np.clip(w.astype(np.float64), -2.0, 2.0 - 1e-12), bins=h.edges)
    np.testing.assert_array_equal(h.counts, ref)


def test_weight_histogram_ignores_nonfinite_and_handles_empty():
    h = F.weight_histogram_info(np.array([np.nan, np.inf, 0.1]))
    assert h.n == 1 and h.counts.sum() == 1
    e = F.weight_histogram_info(np.zeros(0, dtype=np.float32))
    assert e.n == 0 and e.sparsity == 0.0 and e.counts.sum() == 0 and e.limit == 0.25


def test_weight_histogram_bad_input():
    with pytest.raises(ValueError, match=r"bins must be odd and >= 3 \(got 4\)"):
        F.weight_histogram_info(np.zeros(3), bins=4)
    with pytest.raises(ValueError, match=r"limit must be > 0 \(got 0.0\)"):
        F.weight_histogram_info(np.zeros(3), limit=0.0)


def test_weight_limit_is_shared_and_rounded():
    assert F.weight_limit(np.array([0.3, -1.2]), np.array([0.7])) == 1.25
    assert F.weight_limit(np.array([np.inf])) == 0.25


def test_l1_spike_visible_in_the_middle_bin():
    rng = np.random.default_rng(1)
    l1 = np.where(rng.random(300) < 0.6, 0.0, rng.normal(0, 0.5, 300))
    l2 = rng.normal(0, 0.2, 300)
    lim = F.weight_limit(l1, l2)
    h1, h2 = F.weight_histogram_info(l1, lim), F.weight_histogram_info(l2, lim)
    assert h1.sparsity > 0.5 > h2.sparsity
    d = _valid(F.plot_weight_histograms([h1, h2], ["A: L1", "B: L2"]))
    assert [t["type"] for t in d["data"]] == ["bar", "bar"]
    assert d["layout"]["xaxis"]["range"] == d["layout"]["xaxis2"]["range"] == [-lim, lim]
    assert d["layout"]["yaxis"]["range"] == d["layout"]["yaxis2"]["range"]
    assert d["layout"]["xaxis"]["domain"][1] < d["layout"]["xaxis2"]["domain"][0]
    assert "A: L1" in d["layout"]["annotations"][0]["text"]
    assert f"{h1.sparsity:.0%}" in d["layout"]["annotations"][0]["text"]


def test_weight_histograms_bad_labels_and_empty():
    h = F.weight_histogram_info(np.zeros(3))
    with pytest.raises(ValueError, match=r"expected one label per histogram \(got 1 and 2\)"):
        F.plot_weight_histograms([h], ["a", "b"])
    assert _valid(F.plot_weight_histograms([], []))["data"] == []


# -- decision boundary ---------------------------------------------------------------------


def _data(n: int, seed: int = 0) -> Data:
    rng = np.random.default_rng(seed)
    return Data(rng.uniform(-1, 1, (n, 2)).astype(np.float32), rng.integers(0, 2, n), "t")


def test_boundary_structure_quantized_and_fixed_axes():
    xs = np.linspace(-1.5, 1.5, 4)
    prob = np.array([[0.0, 0.25, 0.5, 1.0]] * 4, dtype=np.float32)
    d = _valid(F.plot_boundary(Grid(xs, xs, prob), _data(30), _data(20, 1), title="A"))
    heat, train, test = d["data"]
    assert heat["type"] == "heatmap" and heat["hoverinfo"] == "skip"
    z = np.asarray(F.plot_boundary(Grid(xs, xs, prob), None, None).full().data[0].z)
    assert z.dtype == np.uint8
    assert z[0].tolist() == [0, 64, 128, 255]
    assert (heat["zmin"], heat["zmax"]) == (0, 255)
    assert train["marker"]["line"]["color"] == "white"
    assert test["marker"]["line"]["color"] == "#111827"
    assert len(_numbers(train["x"])) == 30 and len(_numbers(test["x"])) == 20
    lay = d["layout"]
    assert lay["xaxis"]["range"] == [-1.5, 1.5] == lay["yaxis"]["range"]
    assert lay["yaxis"]["scaleanchor"] == "x"
    assert lay["annotations"][0]["text"] == "<b>A</b>"


def test_boundary_nan_probabilities_become_one_half_and_points_keep_classes():
    xs = np.linspace(-1, 1, 2)
    fig = F.plot_boundary(Grid(xs, xs, np.full((2, 2), np.nan, np.float32)), _data(5), None).full()
    assert np.asarray(fig.data[0].z).tolist() == [[128, 128], [128, 128]]
    np.testing.assert_array_equal(np.asarray(fig.data[1].marker.color), _data(5).y)


def test_boundary_without_grid_or_points():
    d = _valid(F.plot_boundary(None, None, Data(np.zeros((0, 2)), np.zeros(0, int), "e")))
    assert [t["type"] for t in d["data"]] == ["scatter", "scatter"]


def test_boundary_payload_is_independent_of_resolution_cost_bound():
    xs = np.linspace(-1.5, 1.5, 80)
    prob = np.random.default_rng(0).random((80, 80)).astype(np.float32)
    spec = pio.to_json(F.plot_boundary(Grid(xs, xs, prob), _data(200), _data(200)).to_dict())
    assert len(spec) < 25_000  # uint8 heatmap: 6.4 kB of data, base64-encoded


def test_legends_sit_under_the_axis_titles_and_titles_inside_the_top_margin():
    runs = [F.curves_info(_history(5), "A"), F.curves_info(_history(5), "B")]
    for fig in (F.plot_training_curves(runs), F.plot_weight_norm(runs)):
        lay = _valid(fig)["layout"]
        legend = lay["legend"]
        assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
        assert lay["margin"]["b"] >= 40 + 22  # axis title plus at least one legend row
        title = next(a for a in lay["annotations"] if a["text"].startswith("<b>"))
        assert title["yshift"] + 13 + 8 <= lay["margin"]["t"]  # text height fits, not clipped
    assert _valid(F.plot_weight_norm(runs))["layout"]["yaxis2"]["dtick"] == 25
    h = F.weight_histogram_info(np.zeros(3))
    assert _valid(F.plot_weight_histograms([h], ["w"]))["layout"]["margin"]["t"] >= 28
    xs = np.linspace(-1, 1, 2)
    grid = Grid(xs, xs, np.zeros((2, 2), np.float32))
    d = _valid(F.plot_boundary(grid, None, None, title="A", show_scale=False, show_legend=False))
    assert d["layout"]["showlegend"] is False and d["data"][0]["showscale"] is False


# -- x axis: epochs, updates, samples seen -------------------------------------------------


def _history_with_work(n: int, batch: int = 32, per_epoch: int = 7, n_train: int = 200) -> list:
    """Records whose updates and samples seen differ from the epoch (7 updates an epoch)."""
    return [r._replace(step=per_epoch * r.epoch, samples_seen=n_train * r.epoch) for r in
            _history(n)]  # fmt: skip


@pytest.mark.parametrize(
    ("axis", "title"), [("epoch", "epoch"), ("step", "updates"), ("samples_seen", "samples seen")]
)
def test_curves_use_the_chosen_x_axis(axis, title):
    hist = _history_with_work(12)
    c = F.curves_info(hist, "A", x_axis=axis)
    assert c.x.tolist() == [float(getattr(r, axis)) for r in hist]
    for fig in (F.plot_training_curves([c]), F.plot_weight_norm([c])):
        d = _valid(fig)
        for trace in d["data"]:
            assert _numbers(trace["x"]).tolist() == c.x.tolist()
        assert d["layout"]["xaxis"]["title"]["text"] == title
        assert d["layout"]["xaxis"]["range"][1] == pytest.approx(max(c.x[-1], 10) * 1.02)


def test_updates_axis_x_values_are_the_records_steps():
    hist = _history_with_work(40)
    d = _valid(F.plot_training_curves([F.curves_info(hist, x_axis="step")]))
    steps = [float(r.step) for r in hist]
    assert steps[-1] == 7 * 39  # not the epoch: the test tells the axes apart
    assert all(_numbers(t["x"]).tolist() == steps for t in d["data"])
    assert d["layout"]["xaxis2"]["title"]["text"] == "updates"


def test_stop_marks_follow_the_x_axis():
    stop = Stop("early_stopping", 15, 9, "stopped")
    c = F.curves_info(_history_with_work(16), "A", stop, x_axis="samples_seen")
    assert c.stop_x == 200 * 9
    d = _valid(F.plot_training_curves([c]))
    star = [t for t in d["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert _numbers(star[0]["x"]).tolist() == [1800.0]
    assert [s["x0"] for s in d["layout"]["shapes"]] == [1800.0, 1800.0]
    assert any("best epoch 9" in a["text"] for a in d["layout"]["annotations"])


def test_x_axis_keys_are_the_training_tables_and_mixed_axes_are_refused():
    from normviz.training import X_AXES

    assert set(F.X_AXIS_TITLES) == set(X_AXES)
    with pytest.raises(ValueError, match="x_axis must be one of"):
        F.curves_info(_history(3), x_axis="time")
    a = F.curves_info(_history(3), "A", x_axis="step")
    b = F.curves_info(_history(3), "B")
    with pytest.raises(ValueError, match="share one x axis"):
        F.plot_training_curves([a, b])


# -- batch-size study ----------------------------------------------------------------------


# -- batch-size study as HTML (what the page draws) -------------------------------------------


def _study_html(study, **kw):
    """Return (chart root, plot picture SVG, point boxes, legend items) of the study's HTML."""
    import re
    import xml.etree.ElementTree as ET
    from urllib.parse import unquote

    root = ET.fromstring(F.batch_size_study_html(study, **kw))
    [chart] = [e for e in root.iter() if e.get("class") == "nv-chart"]
    src = next(e for e in chart.iter("img")).get("src")
    svg = ET.fromstring(unquote(src.split(",", 1)[1]))
    points = [e for e in chart.iter() if e.get("class") == "nv-point"]
    legend = [e for e in root.iter() if e.get("class") == "nv-legend-item"]
    pos = [
        {k: float(v) for k, v in re.findall(r"(left|bottom):([-\d.]+)%", e.get("style"))}
        for e in points
    ]
    return root, chart, svg, points, pos, legend


def _real_study():
    from normviz.lab_studies import BatchSizeStudy

    acc = np.array([[0.55, 0.7, 0.9], [0.85, 0.86, 0.88], [0.8, 0.82, 0.84]])
    return BatchSizeStudy(
        (2, 8, 32), ("batch", "group", "layer"), 5, (0,), acc, acc, acc,
        np.ones((3, 3), dtype=np.int64), "budget",
    )  # fmt: skip


def test_batch_size_study_html_draws_the_study_record():
    import re

    study = _real_study()
    alt = F.batch_size_study_alt(study)
    root, chart, svg, points, pos, legend = _study_html(study, alt=alt)
    assert chart.get("role") == "img" and chart.get("aria-label") == alt
    assert "Test accuracy after 5 epochs at each batch size" in "".join(root.itertext())
    names = ["BatchNorm", "GroupNorm", "LayerNorm"]
    assert ["".join(e.itertext()) for e in legend] == names
    # log-2 batch axis as the Plotly figure's: log10(size * dodge) over [lo - pad, hi + pad]
    lo, hi = math.log10(2), math.log10(32)
    pad = (hi - lo) * 0.05
    assert len(points) == 9
    for k, (e, p) in enumerate(zip(points, pos, strict=True)):
        i, j = divmod(k, 3)
        norm, size, acc = study.norms[i], study.batch_sizes[j], study.test_acc[i, j]
        assert e.get("data-norm") == norm
        x = (math.log10(size * F.NORM_DODGE[norm]) - lo + pad) / (hi - lo + 2 * pad)
        assert p["left"] == pytest.approx(100 * x, abs=0.006)
        assert p["bottom"] == pytest.approx(100 * acc / 1.02, abs=0.006)  # accuracy axis 0..102 %
        assert e.get("title") == f"{names[i]}: batch {size}, test accuracy {acc:.1%}"
        assert F.NORM_COLOURS[norm] in e[0].get("style")  # the marker in the norm's colour
    # one line per norm in its colour and dash, through its points
    paths = list(svg.iter("{http://www.w3.org/2000/svg}path"))
    assert [p.get("stroke") for p in paths] == [F.NORM_COLOURS[n] for n in study.norms]
    assert len({p.get("stroke") for p in paths}) == 3
    # GroupNorm and LayerNorm often coincide (both 100 %): dashes and markers keep both visible
    dashes = [p.get("stroke-dasharray") for p in paths]
    assert len(set(dashes)) == 3 and dashes[0] is None  # solid, dash, dot as NORM_STYLES
    shapes = {e[0].get("class") for e in points}
    assert shapes == {f"nv-marker-{F.NORM_STYLES[n][1]}" for n in study.norms}
    assert len(shapes) == 3
    for i, path in enumerate(paths):
        pts = np.array(re.findall(r"(-?\d+),(-?\d+)", path.get("d")), dtype=float)
        np.testing.assert_allclose(1.02 * (1000 - pts[:, 1]) / 1000, study.test_acc[i], atol=6e-4)
    ticks = [e.text for e in chart.iter() if e.get("class") == "nv-tick"]
    assert ticks[:3] == ["2", "8", "32"] and ticks[3:] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    with pytest.raises(ValueError, match="shape"):
        F.batch_size_study_html(study._replace(test_acc=study.test_acc[:2]))


def test_batch_size_study_html_one_size_and_a_missing_value():
    from types import SimpleNamespace as S

    study = S(batch_sizes=(16,), norms=("layer",), epochs=1, test_acc=np.array([[0.75]]))
    _, _, svg, points, pos, _ = _study_html(study)
    assert len(points) == 1 and 0 < pos[0]["left"] < 100  # a single size is still on the axis
    gap = S(batch_sizes=(2, 4, 8), norms=("batch",), epochs=1,
            test_acc=np.array([[0.5, np.nan, 0.7]]))  # fmt: skip
    _, _, svg, points, _, _ = _study_html(gap)
    assert len(points) == 2 and list(svg.iter("{http://www.w3.org/2000/svg}path")) == []


# --- alternative text: from the same records, checked against a real lab run ----------------


def test_alt_texts_of_a_real_run_state_its_numbers():
    from normviz.training import TrainConfig, Trainer

    t = Trainer(TrainConfig(n_samples=100, hidden=(8,), max_epochs=5, l1=0.01))
    t.step(20)
    h = t.history[-1]
    curves = [F.curves_info(t.history, "", t.stopped)]
    text = F.curves_alt(curves)
    assert text.startswith("Training curves, loss and accuracy against epoch: after ")
    assert f"after {h.epoch} epochs train loss {h.train_loss:.3f}" in text
    assert f"test loss {h.test_loss:.3f}, test accuracy {h.test_acc:.0%}" in text
    norm = F.weight_norm_alt(curves)
    w = t.weights()
    oracle = float(np.sqrt(sum(float((v.astype(np.float64) ** 2).sum()) for v in [w])))
    assert f"weight norm {oracle:.3g}" in norm
    hist = F.weight_histogram_info(w)
    alt = F.weight_histograms_alt([hist], ["Weights"])
    assert f"Weights {w.size} weights, {np.mean(np.abs(w) < 1e-3):.0%} within 0.001" in alt
    grid = t.boundary(16)
    b = F.boundary_alt(grid, t.train, t.test, "Decision boundary")
    share = float(np.mean(grid.prob > 0.5))
    assert f"{share:.0%} of it on the class-1 side" in b
    assert f"{len(t.train.y)} training points ({int(t.train.y.sum())} of class 1)" in b
    assert f"{len(t.test.y)} test points" in b


def test_curves_alt_compare_mode_and_stops():
    a = F.curves_info(_history(4), "A", Stop("early_stopping", 3, 2, "stopped"))
    b = F.curves_info(_history(4, diverge_at=2), "B", Stop("diverged", 2, None, "diverged"))
    text = F.curves_alt([a, b])
    assert "run A after 3 epochs" in text and "(early stopping)" in text
    assert "run B after 1 epoch train" in text and "(diverged)" in text  # last finite record


def test_batch_size_study_alt_reads_the_study():
    from types import SimpleNamespace as S

    s = S(batch_sizes=(2, 8, 64), norms=("batch", "layer"), epochs=12,
          test_acc=np.array([[0.51, 0.7, 0.93], [0.88, 0.89, 0.9]]))  # fmt: skip
    assert F.batch_size_study_alt(s) == (
        "Test accuracy against batch size after 12 epochs: BatchNorm 51% at batch 2, 93% at "
        "batch 64; LayerNorm 88% at batch 2, 90% at batch 64."
    )


def test_batch_size_study_keeps_coinciding_layernorm_and_groupnorm_lines_apart():
    from types import SimpleNamespace as S

    same = [0.9, 0.92, 0.91]
    study = S(batch_sizes=(2, 16, 128), norms=("batch", "group", "layer"), epochs=5,
              test_acc=np.array([[0.5, 0.8, 0.9], same, same]))  # fmt: skip
    _, _, svg, points, pos, _ = _study_html(study)
    by_norm = {}
    for e, p in zip(points, pos, strict=True):
        by_norm.setdefault(e.get("data-norm"), []).append((e, p))
    group, layer = by_norm["group"], by_norm["layer"]
    # equal accuracies, markers side by side on the log axis (dodged apart by > 5 %)
    lo, hi = math.log10(2), math.log10(128)
    span = (hi - lo) * 1.1
    for (_, g), (_, la) in zip(group, layer, strict=True):
        assert g["bottom"] == la["bottom"]
        assert (la["left"] - g["left"]) / 100 * span > math.log10(1.05)
    paths = list(svg.iter("{http://www.w3.org/2000/svg}path"))
    assert paths[1].get("stroke-dasharray") != paths[2].get("stroke-dasharray")
    assert group[0][0][0].get("class") != layer[0][0][0].get("class")  # marker shapes
    # the hover names the true batch size, not the dodged position
    sizes = (2, 16, 128)
    titles = [
        f"LayerNorm: batch {b}, test accuracy {a:.1%}" for b, a in zip(sizes, same, strict=True)
    ]
    assert [e.get("title") for e, _ in layer] == titles


def test_boundary_info_quantizes_what_the_heatmap_draws():
    xs = np.linspace(-1.5, 1.5, 7, dtype=np.float32)
    prob = np.random.default_rng(3).uniform(-0.1, 1.1, (7, 7)).astype(np.float32)
    prob[2, 3] = np.nan
    info = F.boundary_info(Grid(xs, xs, prob))
    assert info.z.dtype == np.uint8 and info.z.shape == (7, 7)
    expected = np.rint(np.clip(np.where(np.isnan(prob), 0.5, prob), 0, 1) * 255)
    np.testing.assert_array_equal(info.z, expected)
    sent = _valid(F.plot_boundary(Grid(xs, xs, prob), None, None))["data"][0]
    np.testing.assert_array_equal(_numbers(sent["z"]), info.z)
    np.testing.assert_array_equal(_numbers(sent["x"]), xs)


# --- the dropout check's and the calculator's HTML tables -------------------------------------


def _cells(html: str) -> list[list[str]]:
    """An HTML table's rows of cell texts, its header first."""
    import xml.etree.ElementTree as ET

    return [[c.text for c in tr] for tr in ET.fromstring(html).iter("tr")]


def test_dropout_check_table_shows_the_check_s_rows():
    from normviz.lab_studies import DROPOUT_COLUMNS, dropout_check, dropout_check_rows
    from normviz.training import TrainConfig

    check = dropout_check(TrainConfig(n_samples=40, hidden=(8,), dropout=0.3), ks=(1, 10, 1000))
    head, *rows = _cells(F.dropout_check_table_html(dropout_check_rows(check)))
    assert head == list(DROPOUT_COLUMNS)
    assert [r[0] for r in rows] == ["1", "10", "1,000"]
    for j, values in enumerate((check.max_abs_diff, check.rms_diff, check.predicted_rms), 1):
        assert [r[j] for r in rows] == [f"{v:.4f}" for v in values]  # 4 decimals, fixed
        assert [float(r[j]) for r in rows] == pytest.approx(values.tolist(), abs=5e-5)


def test_batch_plan_table_shows_the_plans():
    from normviz.batchplan import batch_plan, plan_rows

    plans = batch_plan(1000, [10, 30, 1000], 3, drop_last=True)
    head, *rows = _cells(F.batch_plan_table_html(plan_rows(plans)))
    assert head == ["batch size", "updates per epoch", "total updates", "times fewer updates"]
    assert rows == [  # 100 / 33 = 3.03 times fewer updates than batch 10
        ["10", "100", "300", "1.00"],
        ["30", "33", "99", "3.03"],
        ["1,000", "1", "3", "100.00"],
    ]


def test_a_table_column_without_a_format_is_refused():
    from normviz.figures.lab._tables_html import formatted_rows

    with pytest.raises(ValueError, match=r"no format for the columns \['b'\]"):
        formatted_rows([{"a": 1, "b": 2.0}], {"a": ","})
