"""The image page renders for every sample and technique, takes uploads, and reports bad ones."""

from __future__ import annotations

import io as pyio
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from normviz.intensity import TECHNIQUES
from normviz.samples import SAMPLES
from tests.conftest import APP


def _page(**state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page("pages/images.py")
    return at.run()


def _png(arr: np.ndarray) -> bytes:
    buf = pyio.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _specs(at: AppTest) -> dict[str, dict]:
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


@pytest.fixture(scope="module")
def page() -> AppTest:
    return _page()


def test_default_render(page):
    assert not page.exception
    assert page.title[0].value == "Image normalization"
    assert page.selectbox(key="img_sample").value == "chalkboard"
    assert page.selectbox(key="img_technique").value == SAMPLES["chalkboard"].technique
    # before/after images and the thumbnails of the comparison grid
    assert len(page.get("image")) >= 2
    assert page.get("download_button")
    assert len(page.latex) == 1


@pytest.mark.parametrize("technique", list(TECHNIQUES))
def test_every_technique_renders(page, technique):
    page.selectbox(key="img_technique").set_value(technique).run()
    assert not page.exception, page.exception
    assert not page.error
    assert page.latex[0].value  # the formula
    if not TECHNIQUES[technique].is_normalization:
        assert any("Not a normalization" in w.value for w in page.warning)


@pytest.mark.parametrize("sample", [k for k in SAMPLES if k != "chalkboard"])
def test_every_sample_renders(page, sample):
    page.selectbox(key="img_sample").set_value(sample).run()
    assert not page.exception, page.exception
    # Choosing a sample selects the technique that makes its point.
    assert page.selectbox(key="img_technique").value == SAMPLES[sample].technique


def test_zscore_formula_has_this_images_numbers(page):
    page.selectbox(key="img_sample").set_value("coffee").run()
    page.selectbox(key="img_technique").set_value("zscore").run()
    latex = page.latex[0].value
    assert r"z_{\mathrm{R}}" in latex and r"z_{\mathrm{B}}" in latex
    code = page.code[0].value
    assert "transforms.Normalize(mean=[" in code
    # Unbounded output: the display mapping is stated, with a colour bar.
    assert any("-3..3" in c.value for c in page.caption)


def test_histogram_payload_small_for_16_bit(page):
    page.selectbox(key="img_sample").set_value("hdr").run()
    page.selectbox(key="img_technique").set_value("log").run()
    specs = [c.proto.spec for c in page.get("plotly_chart")]
    assert specs and max(len(s) for s in specs) < 60_000


def test_clip_modes(page):
    page.selectbox(key="img_sample").set_value("rocket").run()
    page.selectbox(key="img_technique").set_value("clip").run()
    for mode in ("mean ± k·std", "manual", "percentiles"):
        page.button_group(key="img_param_clip_mode").set_value(mode).run()
        assert not page.exception, page.exception


def test_upload_is_processed():
    at = _page()
    rng = np.random.default_rng(0)
    arr = rng.integers(60, 120, size=(90, 120, 3), dtype=np.uint8)
    at.file_uploader(key="img_upload").set_value(("noise.png", _png(arr), "image/png")).run()
    assert not at.exception, at.exception
    assert not at.error
    assert any("noise.png" in c.value and "120 × 90" in c.value for c in at.caption)
    at.selectbox(key="img_technique").set_value("scale").run()
    assert not at.exception


def test_uint16_upload_and_bad_upload():
    at = _page()
    arr = (np.arange(64 * 48, dtype=np.uint16).reshape(48, 64) * 20).astype(np.uint16)
    at.file_uploader(key="img_upload").set_value(("ramp16.png", _png(arr), "image/png")).run()
    assert not at.exception and not at.error
    assert any("uint16" in c.value for c in at.caption)
    at.file_uploader(key="img_upload").set_value(("broken.png", b"not an image", "image/png"))
    at.run()
    assert not at.exception
    assert at.error, "a bad upload must show st.error"


@pytest.mark.parametrize("sample, technique", [("hdr", "log"), ("coffee", "zscore")])
def test_download_is_full_resolution_16_bit_png(sample, technique):
    from normviz.samples import load_sample
    from pages import _image_widgets as w

    decoded = load_sample(sample)
    prep = w.prepare(f"sample:{sample}", sample, None, sample)
    png = w.full_png(decoded, technique, prep, {})
    # OpenCV as the decoder: Pillow reads 16-bit RGB PNGs as 8-bit.
    cv2 = pytest.importorskip("cv2")
    out = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    out = out[..., ::-1] if out.ndim == 3 else out
    assert out.shape == decoded.pixels.shape and out.dtype == np.uint16
    if technique == "log":  # log1p(x) / log1p(max): the maximum maps to 65535 exactly
        assert out.max() == 65535
        expected = np.log1p(decoded.pixels.astype(np.float64)) / np.log1p(65535.0)
        np.testing.assert_allclose(out / 65535.0, expected, atol=2e-5)
    else:  # z in [-3, 3] -> [0, 65535]: the channel means sit at mid-grey
        z_mean = (out / 65535.0 * 6.0 - 3.0).reshape(-1, 3).mean(axis=0)
        np.testing.assert_allclose(z_mean, 0.0, atol=0.05)


def test_formula_of_a_constant_image_has_no_division_by_zero():
    import numpy as np

    from normviz import intensity
    from pages import _image_widgets as widgets

    stats = intensity.image_stats(np.full((1, 40), 77, np.uint8))
    scale = widgets.formula("scale", {"lo": 0.0, "hi": 1.0}, stats, ["grey"])
    zscore = widgets.formula("zscore", {"per_channel": True}, stats, ["grey"])
    assert "77 - 77" not in scale and "constant image" in scale
    assert r"\frac" not in zscore and "= 0" in zscore
