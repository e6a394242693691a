"""normviz.toydata: seeded generators, the stratified split and the points CSV parser."""

from __future__ import annotations

import numpy as np
import pytest

from normviz.toydata import (
    DATASETS,
    NOISE_SCALE,
    Dataset,
    PointsError,
    circles,
    gaussians,
    make_dataset,
    moons,
    parse_points_csv,
    spiral,
    train_test_split,
    xor,
)

NAMES = ["spiral", "circles", "xor", "gaussians", "moons"]


# -- generators -------------------------------------------------------------------------------


def test_registry_keys_and_functions():
    assert list(DATASETS) == NAMES
    assert DATASETS["spiral"] is spiral and DATASETS["moons"] is moons


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [10, 11, 401])
def test_generator_shapes_dtypes_balance(name, n):
    d = DATASETS[name](n, 0.2, 7)
    assert isinstance(d, Dataset) and d.name == name
    assert d.x.shape == (n, 2) and d.x.dtype == np.float32
    assert d.y.shape == (n,) and d.y.dtype == np.int64
    assert set(d.y.tolist()) == {0, 1}
    assert (d.y == 0).sum() == n // 2
    assert np.isfinite(d.x).all() and np.abs(d.x).max() <= 1.5


@pytest.mark.parametrize("name", NAMES)
def test_noise_free_points_in_unit_square(name):
    d = DATASETS[name](500, 0.0, 3)
    assert np.abs(d.x).max() <= 1.0 + 1e-6
    # the points use the range, not a corner of it
    assert np.abs(d.x).max() > 0.6


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_points_other_seed_differs(name):
    a, b, c = (DATASETS[name](200, 0.1, s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", NAMES)
def test_noise_moves_points_by_its_std(name):
    clean, noisy = DATASETS[name](2000, 0.0, 1), DATASETS[name](2000, 0.5, 1)
    # same seed, same draws before the noise: the difference is the clipped noise itself
    delta = (noisy.x - clean.x).astype(np.float64)
    assert abs(delta.std() - NOISE_SCALE * 0.5) < 0.01
    assert abs(delta.mean()) < 0.01


def test_circles_radii_oracle():
    d = circles(400, 0.0, 0)
    r = np.hypot(d.x[:, 0].astype(np.float64), d.x[:, 1])
    assert r[d.y == 0].max() <= 0.5 + 1e-6
    assert r[d.y == 1].min() >= 0.7 - 1e-6 and r[d.y == 1].max() <= 1.0 + 1e-6


def test_xor_labels_follow_the_sign_of_the_product():
    d = xor(300, 0.0, 0)
    np.testing.assert_array_equal(d.y, (d.x[:, 0] * d.x[:, 1] > 0).astype(np.int64))
    assert np.abs(d.x).min() >= 0.05 - 1e-6


def test_gaussians_centres_and_spread():
    d = gaussians(4000, 0.0, 0)
    np.testing.assert_allclose(d.x[d.y == 0].mean(axis=0), [-0.5, -0.5], atol=0.02)
    np.testing.assert_allclose(d.x[d.y == 1].mean(axis=0), [0.5, 0.5], atol=0.02)
    np.testing.assert_allclose(d.x[d.y == 1].std(axis=0), [0.2, 0.2], atol=0.02)


def test_spiral_radius_range_and_two_arms():
    d = spiral(1000, 0.0, 0)
    r = np.hypot(d.x[:, 0].astype(np.float64), d.x[:, 1])
    assert r.min() >= 0.05 - 1e-6 and r.max() <= 1.0 + 1e-6
    # arm 1 is arm 0 rotated by pi: the class means are near the origin and opposite
    np.testing.assert_allclose(d.x[d.y == 0].mean(0), -d.x[d.y == 1].mean(0), atol=0.1)


def test_moons_matches_the_scaled_half_circles():
    d = moons(200, 0.0, 0)
    upper = d.x[d.y == 0].astype(np.float64) * 1.5 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-5)
    lower = d.x[d.y == 1].astype(np.float64) * 1.5 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-5)


def test_make_dataset_dispatches():
    np.testing.assert_array_equal(make_dataset("xor", 50, 0.1, 2).x, xor(50, 0.1, 2).x)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        (("swirl", 100, 0.1, 0), ValueError, r"dataset must be one of .*got 'swirl'"),
        (("xor", 9, 0.1, 0), ValueError, r"n_samples must be in \[10, 5000\] \(got 9\)"),
        (("xor", 5001, 0.1, 0), ValueError, r"got 5001"),
        (("xor", 100, -0.1, 0), ValueError, r"noise must be in \[0.0, 1.0\] \(got -0.1\)"),
        (("xor", 100, float("nan"), 0), ValueError, r"noise must be a finite number \(got nan\)"),
        (("xor", 100, 0.1, -1), ValueError, r"seed must be >= 0 \(got -1\)"),
        (("xor", "100", 0.1, 0), TypeError, r"n_samples must be an int \(got str\)"),
        (("xor", 100.0, 0.1, 0), TypeError, r"n_samples must be an int \(got float\)"),
        (("xor", True, 0.1, 0), TypeError, r"n_samples must be an int \(got bool\)"),
        (("xor", 100, "0.1", 0), TypeError, r"noise must be a number \(got str\)"),
        (("xor", 100, 0.1, 1.5), TypeError, r"seed must be an int \(got float\)"),
    ],
)
def test_make_dataset_rejects_bad_arguments(args, exc, match):
    with pytest.raises(exc, match=match):
        make_dataset(*args)


# -- split ------------------------------------------------------------------------------------


def test_split_exact_counts():
    tr, te = train_test_split(xor(20, 0.0, 0), 0.25, seed=0)
    assert (len(tr.y), len(te.y)) == (14, 6)
    assert (te.y == 0).sum() == 3 and (te.y == 1).sum() == 3


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.9])
def test_split_is_a_stratified_partition(fraction):
    d = spiral(301, 0.1, 4)
    tr, te = train_test_split(d, fraction, seed=9)
    both = np.concatenate([tr.x, te.x])
    order_all, order_both = np.lexsort(d.x.T), np.lexsort(both.T)
    np.testing.assert_array_equal(d.x[order_all], both[order_both])
    for label in (0, 1):
        n_c = (d.y == label).sum()
        assert (te.y == label).sum() == min(max(int(n_c * fraction + 0.5), 1), n_c - 1)
    assert tr.name == te.name == "spiral"


def test_split_deterministic_and_seeded():
    d = moons(100, 0.1, 0)
    a, b, c = (train_test_split(d, 0.5, s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a[1].x, b[1].x)
    assert not np.array_equal(a[1].x, c[1].x)


def test_split_keeps_both_classes_on_tiny_data():
    d = Dataset(np.zeros((4, 2), np.float32), np.array([0, 0, 1, 1]), "tiny")
    tr, te = train_test_split(d, 0.1, 0)
    assert sorted(tr.y.tolist()) == [0, 1] and sorted(te.y.tolist()) == [0, 1]


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match=r"test_fraction must be in \(0, 1\)"):
        train_test_split(xor(20, 0.0, 0), fraction, 0)


def test_split_rejects_a_lonely_class_and_wrong_type():
    d = Dataset(np.zeros((5, 2), np.float32), np.array([0, 0, 0, 0, 1]), "x")
    with pytest.raises(ValueError, match=r"class 1 has 1"):
        train_test_split(d, 0.5, 0)
    with pytest.raises(TypeError, match=r"data must be a Dataset \(got tuple\)"):
        train_test_split((d.x, d.y), 0.5, 0)


# -- CSV points -------------------------------------------------------------------------------


def _csv(rows, header="x,y,label"):
    lines = ([header] if header else []) + [",".join(map(str, r)) for r in rows]
    return "\n".join(lines) + "\n"


def test_csv_exact_scaling_and_labels():
    rows = [(i, 10 * i, "red" if i % 2 else "blue") for i in range(11)]
    d = parse_points_csv(_csv(rows))
    assert d.name == "uploaded" and d.x.dtype == np.float32 and d.y.dtype == np.int64
    np.testing.assert_allclose(d.x[:, 0], np.linspace(-1, 1, 11), atol=1e-6)
    np.testing.assert_allclose(d.x[:, 1], np.linspace(-1, 1, 11), atol=1e-6)
    assert d.y.tolist() == [i % 2 for i in range(11)]  # "blue" -> 0, "red" -> 1


def test_csv_round_trip_of_a_generated_dataset_oracle():
    d = moons(300, 0.1, 0)
    rows = [
        (repr(float(a)), repr(float(b)), ["no", "yes"][c]) for (a, b), c in zip(*d[:2], strict=True)
    ]
    text = _csv(rows)
    got = parse_points_csv(text.encode())
    x = d.x.astype(np.float64)
    lo, hi = x.min(0), x.max(0)
    expected = 2 * (x - lo) / (hi - lo) - 1  # independent formula for per-axis min-max
    np.testing.assert_allclose(got.x, expected, atol=1e-6)
    np.testing.assert_array_equal(got.y, d.y)
    assert got.x.min() == -1.0 and got.x.max() == 1.0


def test_csv_without_header_numeric_labels_sorted_numerically():
    rows = [(i, i % 3, 10 if i % 2 else 2) for i in range(10)]
    d = parse_points_csv(_csv(rows, header=None))
    assert d.y.tolist() == [i % 2 for i in range(10)]  # 2 -> 0, 10 -> 1 (not "10" < "2")


def test_csv_header_names_any_order_bom_crlf_blank_lines():
    body = "".join(f"{'ab'[i % 2]},{i},{-i}\r\n\r\n" for i in range(10))
    d = parse_points_csv(("\ufefflabel, X ,y\r\n" + body).encode("utf-8"))
    np.testing.assert_allclose(d.x[:, 0], np.linspace(-1, 1, 10), atol=1e-6)
    np.testing.assert_allclose(d.x[:, 1], np.linspace(1, -1, 10), atol=1e-6)
    assert d.y.tolist() == [i % 2 for i in range(10)]


def test_csv_constant_axis_maps_to_zero_not_nan():
    d = parse_points_csv(_csv([(3, i, i % 2) for i in range(10)]))
    assert np.isfinite(d.x).all() and (d.x[:, 0] == 0).all()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            _csv([(1, 2, "a")] * 5 + [(1, "oops", "b")] * 5),
            r"^line 7: y is not a number \(got 'oops'\)",
        ),
        (_csv([("zz", 2, "a")] + [(1, 2, "b")] * 10), r"^line 2: x is not a number"),
        (_csv([(1, 2, "a")] * 5 + [("nan", 2, "b")] * 5), r"^line 7: x must be a finite number"),
        (_csv([(1, 2, "a")] * 5 + [(1, "inf", "b")] * 5), r"^line 7: y must be a finite number"),
        (_csv([(1, 2, "a")] * 3 + [(1, 2)] + [(1, 2, "b")] * 6), r"^line 5: expected 3 .*got 2"),
        (_csv([(1, 2, "a"), (1, 2, "b"), (1, 2, "c")] * 4), r"^line 4: a third class 'c'"),
        (_csv([(1, 2, "a")] * 10), r"only one class \('a'\)"),
        (_csv([(1, 2, "a")] * 10 + [(3, 4, "b")]), r"class 'b' has only 1 point \(line 12\)"),
        (
            _csv([(1, 2, "a"), (1, 2, "b")] * 4),
            r"too few points: at least 10 rows needed \(got 8\)",
        ),
        (_csv([(1, 2, "a")] * 5 + [(1, 2, " ")] * 5), r"^line 7: the label is empty"),
        ("a,b,c,d\n" + _csv([(1, 2, "a", 0)] * 10, header=None), r"^line 1: the header must name"),
        ("", r"too few points"),
        (_csv([(i, i, i % 2) for i in range(5001)]), r"^line 5002: too many points, at most 5000"),
    ],
)
def test_csv_errors_name_the_line(text, match):
    with pytest.raises(PointsError, match=match):
        parse_points_csv(text)


def test_csv_rejects_binary_and_huge_and_wrong_type():
    with pytest.raises(PointsError, match="not UTF-8 text"):
        parse_points_csv(b"\xff\xfe\x00\x89PNG")
    with pytest.raises(PointsError, match="too large: at most 1 MB"):
        parse_points_csv(b"1,2,a\n" * 200_000)
    with pytest.raises(TypeError, match=r"data must be bytes or str \(got int\)"):
        parse_points_csv(5)
    assert issubclass(PointsError, ValueError)


def test_toydata_and_config_do_not_import_torch():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys, normviz.toydata, normviz.train_config, normviz.batchplan; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_numpy_arguments_are_accepted_and_the_batch_plan_takes_them_too():
    """One set of checks (normviz._checks): NumPy ints and floats are ints and numbers."""
    from normviz.batchplan import batch_plan, updates_per_epoch

    d = make_dataset("xor", np.int64(20), np.float32(0.1), np.int64(3))
    assert d.x.shape == (20, 2)
    assert updates_per_epoch(np.int64(10), np.int64(4)) == 3
    assert batch_plan(np.int64(10), [np.int64(5)], np.int64(2))[0].total_updates == 4


def test_generator_source_makes_the_same_points_standalone():
    """The script's copy of a generator (no normviz import) gives make_dataset's points."""
    from normviz.toydata import generator_source

    for name in DATASETS:
        src = generator_source(name)
        ns = {"np": np}
        exec(src.source + "\n" + src.finish, ns)  # what the generated script holds
        rng = np.random.default_rng(7)
        x, y = ns["_finish_xy"](*ns[src.function](15, 16, rng), 0.2, rng)
        d = make_dataset(name, 31, 0.2, 7)
        np.testing.assert_array_equal(x, d.x)
        np.testing.assert_array_equal(y, d.y)
    with pytest.raises(ValueError, match=r"dataset must be one of .*\(got 'swirl'\)"):
        generator_source("swirl")
