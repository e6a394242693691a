"""normviz.image_view: the image page's pure logic, against closed forms, NumPy and Pillow."""

from __future__ import annotations

import hashlib
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from normviz import image_view as iv
from normviz import intensity, io


def _decoded(px: np.ndarray) -> io.DecodedImage:
    return io.read_image(io.encode_png(px))


@pytest.fixture(scope="module")
def rgb() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def prep_rgb(rgb) -> iv.Prepared:
    return iv.prepare_image("rgb.png", _decoded(rgb))


def test_content_hash_is_blake2b_128():
    assert iv.content_hash(b"normviz") == hashlib.blake2b(b"normviz", digest_size=16).hexdigest()
    assert len(iv.content_hash(b"")) == 32 and iv.content_hash(b"a") != iv.content_hash(b"b")


@pytest.mark.parametrize(
    ("dtype", "expected"), [("uint8", (0.0, 255.0)), ("uint16", (0.0, 65535.0))]
)
def test_input_range_of_integer_images_is_the_dtype_range(dtype, expected):
    px = np.array([[3, 7]], dtype)
    assert iv.input_range(px.dtype, intensity.image_stats(px)) == expected


def test_input_range_of_float_images_is_min_max_never_empty():
    px = np.array([[-0.5, 2.25], [1.0, 0.0]], np.float32)
    assert iv.input_range(px.dtype, intensity.image_stats(px)) == (-0.5, 2.25)
    const = np.full((2, 2), 4.0, np.float32)
    assert iv.input_range(const.dtype, intensity.image_stats(const)) == (4.0, 5.0)


def test_to_display_is_a_clipped_linear_map():
    x = np.linspace(-20.0, 120.0, 57).reshape(3, 19).astype(np.float32)
    expected = np.rint(np.clip((x.astype(np.float64) - 10.0) / 90.0, 0, 1) * 255).astype(np.uint8)
    out = iv.to_display(x, 10.0, 100.0)
    assert out.dtype == np.uint8 and out.shape == x.shape
    assert np.abs(out.astype(int) - expected).max() <= 1  # float32 vs float64 at .5 ties
    nan = iv.to_display(np.array([[np.nan, np.inf, -np.inf]]), 0.0, 1.0)
    assert nan.tolist() == [[0, 255, 0]]


def test_prepare_image(rgb, prep_rgb):
    assert prep_rgb.shape == rgb.shape and prep_rgb.dtype == "uint8"
    assert prep_rgb.input_range == (0.0, 255.0)
    np.testing.assert_array_equal(prep_rgb.preview, rgb)  # smaller than WORK_SIDE: as is
    assert max(prep_rgb.thumb.shape[:2]) <= iv.THUMB_SIDE
    np.testing.assert_allclose(prep_rgb.stats.mean, rgb.reshape(-1, 3).mean(axis=0))
    shown = np.asarray(Image.open(BytesIO(prep_rgb.jpeg)))
    assert shown.shape == rgb.shape  # a JPEG of the preview
    big = iv.prepare_image("big", _decoded(np.zeros((iv.WORK_SIDE * 2 + 2, 10), np.uint8)))
    assert max(big.preview.shape) == iv.WORK_SIDE and big.shape == (iv.WORK_SIDE * 2 + 2, 10)


def test_grey_reference_is_rec601_luminance(rgb):
    grey = iv.grey_reference(_decoded(rgb)).pixels
    assert grey.shape == rgb.shape[:2] and grey.dtype == np.uint8
    # closed form with the BT.601 weights written out (float64), and Pillow's fixed point
    closed = np.round(rgb.astype(np.float64) @ [0.299, 0.587, 0.114])
    assert np.abs(grey - closed).max() <= 1 and np.mean(grey == closed) > 0.99
    pillow = np.asarray(Image.fromarray(rgb).convert("L"))
    assert np.abs(grey.astype(int) - pillow).max() <= 1
    flat = _decoded(rgb[..., 0])
    assert iv.grey_reference(flat) is flat


def test_summarize_against_numpy():
    rng = np.random.default_rng(1)
    out = rng.normal(3.0, 2.0, (30, 20, 3)).astype(np.float32)
    s = iv.summarize(out)
    flat = out.reshape(-1, 3).astype(np.float64)
    np.testing.assert_array_equal(s.minimum, flat.min(axis=0))
    np.testing.assert_array_equal(s.maximum, flat.max(axis=0))
    np.testing.assert_allclose(s.mean, flat.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s.std, flat.std(axis=0), rtol=1e-9)
    grey = iv.summarize(out[..., 0])
    assert grey.mean.shape == (1,)
    assert iv.summarize(np.full((3, 3), 2.0, np.float32)).std.tolist() == [0.0]


def test_display_range_per_technique(prep_rgb):
    p = prep_rgb
    assert iv.display_range("scale", {"lo": -2.0, "hi": 5.0}, p) == (-2.0, 5.0)
    assert iv.display_range("clip", {"low": np.array([3.0, 1.0]), "high": 9.0}, p) == (1.0, 9.0)
    assert iv.display_range("zscore", {}, p) == (-3.0, 3.0)
    for key in ("log", "equalize", "autocontrast", "clahe"):
        assert iv.display_range(key, {}, p) == intensity.TECHNIQUES[key].output_range
    assert iv.display_range("match", {}, p) == p.input_range  # no reference prepared
    ref = p._replace(input_range=(0.0, 65535.0))
    assert iv.display_range("match", {}, p, ref) == (0.0, 65535.0)
    assert iv.display_range("scale", {"lo": 1.0, "hi": 1.0}, p) == (1.0, 2.0)  # never empty


def test_technique_kwargs_drop_the_page_notes(prep_rgb):
    params = {"q": (1.0, 99.0), "_how": "percentiles", "_arg": (1.0, 99.0), "reference": "x"}
    assert iv.technique_kwargs(params) == {"q": (1.0, 99.0)}
    kw = iv.technique_kwargs({"reference": "x", "_grey": False}, prep_rgb)
    assert set(kw) == {"reference", "reference_stats"} and kw["reference"] is prep_rgb.preview


def test_references_and_match_params(prep_rgb):
    channels = {"grey1": 1, "rgb.png": 3, "colour": 3, "grey2": 1}
    assert iv.references(prep_rgb, channels) == ["colour"]  # not itself, same channels
    grey = prep_rgb._replace(name="grey1", stats=intensity.image_stats(np.zeros((2, 2), np.uint8)))
    assert iv.references(grey, channels) == ["rgb.png", "colour", "grey2"]
    assert iv.match_params(prep_rgb, "colour") == {"reference": "colour", "_grey": False}
    assert iv.match_params(grey, "colour") == {"reference": "colour", "_grey": True}


def test_default_params(rgb, prep_rgb):
    clip = iv.default_params("clip", prep_rgb)
    # integer images: the percentiles are exact (NumPy's linear method, all channels pooled)
    np.testing.assert_allclose([clip["low"], clip["high"]], np.percentile(rgb, [1.0, 99.0]))
    assert clip["_how"] == "percentiles" and clip["_arg"] == (1.0, 99.0)
    assert iv.default_params("clahe", prep_rgb) == {"clip_limit": 0.01, "tiles": 8}
    assert iv.default_params("match", prep_rgb, ["hdr", "coffee"])["reference"] == "coffee"
    assert iv.default_params("match", prep_rgb, ["hdr"])["reference"] == "hdr"
    assert iv.default_params("match", prep_rgb, []) == {}


def test_compute_result_scale_matches_closed_form(rgb, prep_rgb):
    res = iv.compute_result("scale", prep_rgb, {"lo": 0.0, "hi": 1.0, "per_channel": False})
    expected = (rgb.astype(np.float64) - rgb.min()) / (rgb.max() - rgb.min())
    np.testing.assert_allclose(res.stats.mean, expected.reshape(-1, 3).mean(axis=0), atol=1e-6)
    assert res.display == (0.0, 1.0)
    assert res.hist.counts.shape == (3, 256) and res.hist.counts.sum() == rgb.size
    np.testing.assert_allclose(res.curve.y[0, [0, -1]], [0.0, 1.0])
    assert iv.compute_result("clahe", prep_rgb, {}).curve is None


def test_full_png_is_the_16_bit_display_mapping():
    px = np.array([[0, 50, 100, 200]], np.uint8)
    prep = iv.prepare_image("g", _decoded(px))
    png = iv.full_png(px, "clip", prep, {"low": 50.0, "high": 150.0})
    back = np.asarray(Image.open(BytesIO(png)))  # Pillow reads 16-bit grey PNG as I;16 / I
    expected = np.round(np.clip((px - 50.0) / 100.0, 0, 1) * 65535.0)  # [50, 150] -> 0..65535
    np.testing.assert_array_equal(back.astype(np.int64), expected.astype(np.int64))
    assert back.astype(np.int64).tolist() == [[0, 0, 32768, 65535]]


def test_npy_bytes_round_trip():
    x = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    back = np.load(BytesIO(iv.npy_bytes(x)), allow_pickle=False)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, x.astype(np.float32))


def test_code_files(prep_rgb):
    image, ref = iv.code_files(prep_rgb, "photo.jpg")
    assert image == ("photo.jpg", "uint8", 3) and ref is None
    grey = iv.prepare_image("g", _decoded(np.zeros((2, 2), np.uint16)))
    image, ref = iv.code_files(grey, "g.png", ("rgb.png", prep_rgb))
    assert image == ("g.png", "uint16", 1) and ref == ("rgb.png", "uint8", 3)


def test_frozen_params_is_a_hashable_rounded_cache_key():
    a = iv.frozen_params({"low": np.array([1.0, 2.0]), "q": (1.0, 99.0), "_how": "percentiles"})
    b = iv.frozen_params({"_how": "percentiles", "q": [1.0, 99.0 + 1e-12], "low": [1.0, 2.0]})
    assert hash(a) == hash(b) and a == b  # order, container and float noise do not matter
    assert iv.frozen_params({"q": (1.0, 98.0)}) != iv.frozen_params({"q": (1.0, 99.0)})


def test_stats_table_rows(rgb):
    before = intensity.image_stats(rgb)
    after = iv.summarize(rgb.astype(np.float32) / 255)
    rows = iv.stats_table(before, after, ["R", "G", "B"])
    assert [r["channel"] for r in rows[:2]] == ["R before", "R after"] and len(rows) == 6
    g = rgb[..., 1].astype(np.float64)
    assert rows[2] == {"channel": "G before", "min": g.min(), "max": g.max(),
                       "mean": round(g.mean(), 4), "std": round(g.std(), 4)}  # fmt: skip
    assert rows[3]["mean"] == round(g.mean() / 255, 4)


def test_image_defaults(prep_rgb):
    assert iv.image_defaults(prep_rgb) == {"low": 0.0, "high": 255.0, "reference": None}
    assert iv.image_defaults(prep_rgb, ["a", "b"])["reference"] == "a"


def test_technique_params_clip_bounds_against_numpy(rgb, prep_rgb):
    flat = rgb.reshape(-1, 3).astype(np.float64)
    pct = iv.technique_params("clip", {"bounds": "percentiles", "q": [5.0, 95.0]}, prep_rgb)
    np.testing.assert_allclose([pct["low"], pct["high"]], np.percentile(rgb, [5.0, 95.0]))
    assert (pct["_how"], pct["_arg"]) == ("percentiles", (5.0, 95.0))
    per = iv.technique_params(
        "clip", {"bounds": "percentiles", "q": [5.0, 95.0], "per_channel": True}, prep_rgb
    )
    np.testing.assert_allclose(per["low"], np.percentile(flat, 5.0, axis=0))
    ms = iv.technique_params("clip", {"bounds": "mean_std", "k": 1.5}, prep_rgb)
    m, s = flat.mean(), flat.std()
    np.testing.assert_allclose([ms["low"], ms["high"]], [m - 1.5 * s, m + 1.5 * s])
    assert (ms["_how"], ms["_arg"]) == ("mean ± k·std", 1.5)
    manual = iv.technique_params("clip", {"bounds": "manual", "low": 9.0, "high": 3.0}, prep_rgb)
    assert float(manual["low"]) == 9.0 and float(manual["high"]) == pytest.approx(9.0 + 1e-6)
    assert "_arg" not in manual and manual["per_channel"] is False


def test_technique_params_other_techniques(prep_rgb):
    assert iv.technique_params("scale", {"lo": -1.0, "hi": 4.0}, prep_rgb) == {
        "lo": -1.0,
        "hi": 4.0,
    }
    assert iv.technique_params("clahe", {"clip_limit": 0.02, "tiles": 4}, prep_rgb) == {
        "clip_limit": 0.02, "tiles": 4,
    }  # fmt: skip
    assert iv.technique_params("match", {"reference": "coffee"}, prep_rgb) == {
        "reference": "coffee", "_grey": False,
    }  # fmt: skip
    assert iv.technique_params("log", {}, prep_rgb) == {}


@pytest.mark.parametrize("key", list(intensity.TECHNIQUES))
def test_curve_y_range_is_free_exactly_where_the_page_left_it_free(key):
    """The page's former rule (pages/images.py): free for "zscore" and "clip", else padded 3 %."""
    got = iv.curve_y_range(key, (-1.0, 3.0))
    if key in ("zscore", "clip"):
        assert got is None
    else:
        assert got == pytest.approx((-1.12, 3.12))
