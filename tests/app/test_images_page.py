"""The image page renders for every sample and technique, takes uploads, and reports bad ones."""

from __future__ import annotations

import io as pyio
import json
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from normviz import image_alt
from normviz.figures.images import GRID_CLASS, display_bar_html
from normviz.intensity import TECHNIQUES, apply_technique
from normviz.literal import JOINER, literal, unescape
from normviz.samples import SAMPLES, load_sample
from tests.app._code_boxes import code_boxes
from tests.app._fresh import shown
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


CHART_KEYS = ("img_hist_before", "img_hist_after", "img_curve")


def _charts(at: AppTest) -> dict[str, str]:
    """The page's charts (HTML pictures, ``st.html``) by their container's key.

    In page order: the input's histogram, the output's, then the transfer curve.
    """
    bodies = [h.proto.body for h in at.get("html") if 'class="nv-chart"' in h.proto.body]
    hists = [b for b in bodies if 'data-chart="histogram"' in b]
    curves = [b for b in bodies if 'data-chart="transfer"' in b]
    assert len(hists) == 2 and len(curves) == 1, (len(hists), len(curves))
    return dict(zip(CHART_KEYS, [*hists, *curves], strict=True))


def _table(at: AppTest) -> pd.DataFrame:
    """The statistics table (``st.html``), its numbers read back as floats."""
    body = next(h.proto.body for h in at.get("html") if 'class="nv-table"' in h.proto.body)
    table = ET.fromstring(body).find("table")
    columns = [th.text for th in table.iter("th")]
    rows = [[td.text for td in tr.iter("td")] for tr in table.find("tbody")]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: float for c in columns if c != "channel"})


@pytest.fixture(scope="module")
def page() -> AppTest:
    return _page()


def _code(at: AppTest) -> str:
    """The code on screen: the text its box shows, which is what its Copy button copies."""
    code = code_boxes(at)["img_code_box"]
    [box] = [c for c in at.get("bidi_component") if c.proto.id.endswith("img_code_box")]
    shown = "".join(ET.fromstring(json.loads(box.proto.json)["html"]).itertext())
    assert shown == code
    return code


def test_the_code_box_is_highlighted_html_not_a_code_element():
    # A code element (st.code), even in the closed box, made the first view load the browser's
    # code highlighter (~1.5 MB of JavaScript).
    at = _page()
    assert not at.exception
    assert not at.code and at.expander[0].label == "Code for what is on screen"
    assert "Image.open('chalkboard.png')" in _code(at)


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
    # Pooled: the formula divides by the pooled std (74.08), not the mean of the stds (58.96)
    page.toggle(key="img_param_per_channel").set_value(False).run()
    latex = page.latex[0].value
    coffee = load_sample("coffee").pixels.astype(np.float64)
    assert f"{coffee.std():.2f}" == "74.08" and "74.08" in latex and "58.96" not in latex
    assert f"{coffee.mean():.2f}" in latex
    page.toggle(key="img_param_per_channel").set_value(True).run()
    latex = page.latex[0].value
    for c, name in enumerate("RGB"):
        x = coffee[..., c]
        assert rf"z_{{\mathrm{{{name}}}}} = \frac{{x - {x.mean():.4g}}}{{{x.std():.4g}}}" in latex
    code = _code(page)
    assert "transforms.Normalize(mean, std)" in code and "divides by 65535" not in code
    # Unbounded output: the display mapping is stated, with a grey bar (HTML, no chart).
    assert any(c.value.startswith("Shown with -3..3 → black..white.") for c in page.caption)
    alt = image_alt.display_bar_alt(-3.0, 3.0, "z")
    assert _bars(page) == [display_bar_html(-3.0, 3.0, unit="z", alt=alt)]
    assert not page.get("plotly_chart")  # no Plotly chart on the page at all


def test_equalize_formula_is_what_is_computed(page):
    # equalize computes (cdf - cdf_min) / (N - cdf_min); the page used to show cdf / N
    page.selectbox(key="img_sample").set_value("coffee").run()
    page.selectbox(key="img_technique").set_value("equalize").run()
    blue = load_sample("coffee").pixels[..., 2]
    cdf_min = int(np.count_nonzero(blue == blue.min()))
    assert cdf_min == 2878
    assert rf"\mathrm{{cdf}}_{{\mathrm{{B}}}}(x) - {cdf_min}}}{{{blue.size} - {cdf_min}}}" in (
        page.latex[0].value
    )


def test_histogram_payload_small_for_16_bit(page):
    page.selectbox(key="img_sample").set_value("hdr").run()
    page.selectbox(key="img_technique").set_value("log").run()
    charts = _charts(page)
    assert max(len(s) for s in charts.values()) < 60_000


def test_clip_modes(page):
    page.selectbox(key="img_sample").set_value("rocket").run()
    page.selectbox(key="img_technique").set_value("clip").run()
    for mode in ("mean_std", "manual", "percentiles"):
        page.button_group(key="img_param_clip_mode").set_value(mode).run()
        assert not page.exception, page.exception


def test_upload_is_processed():
    at = _page()
    rng = np.random.default_rng(0)
    arr = rng.integers(60, 120, size=(90, 120, 3), dtype=np.uint8)
    at.file_uploader(key="img_upload").set_value(("noise.png", _png(arr), "image/png")).run()
    assert not at.exception, at.exception
    assert not at.error
    assert any("noise.png" in unescape(c.value) and "120 × 90" in c.value for c in at.caption)
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


@pytest.mark.parametrize(("sample", "technique"), [("hdr", "log"), ("coffee", "zscore")])
def test_download_is_full_resolution_16_bit_png(sample, technique):
    from normviz.samples import load_sample
    from pages import _image_widgets as w

    decoded = load_sample(sample)
    prep = w.prepare(w.sample_key(sample), sample, None, sample)
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
    from normviz import image_text, intensity

    stats = intensity.image_stats(np.full((1, 40), 77, np.uint8))
    scale = image_text.formula("scale", {"lo": 0.0, "hi": 1.0}, stats, ["grey"]).latex
    zscore = image_text.formula("zscore", {"per_channel": True}, stats, ["grey"]).latex
    assert "77 - 77" not in scale and "constant image" in scale
    assert r"\frac" not in zscore and "= 0" in zscore


@pytest.mark.parametrize("technique", list(TECHNIQUES))
def test_code_on_screen_runs_and_gives_the_result(page, technique, tmp_path, monkeypatch):
    # Exactly as shown, in a fresh namespace, in a folder holding only the files it names: the
    # code reads the image itself (the CLAHE code once used np and img without defining them,
    # and this test passed because it handed the code its img).
    page.selectbox(key="img_sample").set_value("coffee").run()
    page.selectbox(key="img_technique").set_value(technique).run()
    assert not page.exception, page.exception
    img = load_sample("coffee").pixels
    (tmp_path / SAMPLES["coffee"].path.name).write_bytes(SAMPLES["coffee"].path.read_bytes())
    extra = {}
    if technique == "match":
        ref = page.selectbox(key="img_param_reference").value
        src = SAMPLES[ref].path
        (tmp_path / src.name).write_bytes(src.read_bytes())
        extra["reference"] = load_sample(ref).pixels
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_code(page), "<on screen>", "exec"), namespace)
    expected = apply_technique(technique, img, **extra)
    atol = 2e-4 if technique == "clahe" else 1e-6  # CLAHE: float32 inside
    np.testing.assert_allclose(namespace["out"], expected, atol=atol, rtol=1e-6)


def test_definition_kind_notes_and_home(page):
    from normviz import image_text

    page.selectbox(key="img_sample").set_value("coffee").run()
    intro = page.markdown[0].value
    assert "shape of the histogram stays" not in intro
    assert intro == image_text.definition()
    for technique, t in TECHNIQUES.items():
        page.selectbox(key="img_technique").set_value(technique).run()
        boxes = [b.value for b in (page.warning if t.kind == "cdf" else page.info)]
        assert image_text.kind_note(technique).text in boxes
    home = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not home.exception
    assert any(image_text.home_blurb() == m.value for m in home.markdown)


def test_statistics_table_is_what_its_caption_says(page):
    page.selectbox(key="img_sample").set_value("coffee").run()
    page.selectbox(key="img_technique").set_value("log").run()
    img = load_sample("coffee").pixels
    assert any(
        c.value == "Before: all 600 × 400 pixels. After: the same pixels (the preview is the full "
        "image)."
        for c in page.caption
    )
    assert not page.dataframe  # a plain HTML table: no grid component to load
    table = _table(page)
    out = np.log1p(img.astype(np.float64)) / np.log1p(255.0)  # closed form, coffee spans 0..255
    for c, name in enumerate("RGB"):
        before = table[table["channel"] == f"{name} before"].iloc[0]
        after = table[table["channel"] == f"{name} after"].iloc[0]
        x, y = img[..., c].astype(np.float64), out[..., c]
        np.testing.assert_allclose([before["mean"], before["std"]], [x.mean(), x.std()], atol=6e-5)
        np.testing.assert_allclose([after["mean"], after["std"]], [y.mean(), y.std()], atol=6e-5)
        assert before["min"] == x.min() and before["max"] == x.max()
    caption = [c.value for c in page.caption if c.value.startswith("Shown with 0..1")]
    assert caption == [
        "Shown with 0..1 → black..white. Every output value (0..1) lies in this range."
    ]


# --- every view is a link --------------------------------------------------------------------


def _linked(query: dict[str, str]) -> AppTest:
    """Open the image page as a shared link ``/images?<query>`` would (a new session)."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params.update(query)
    at.switch_page("pages/images.py")
    return at.run()


def _link_warnings(at: AppTest) -> list[str]:
    """The link's warnings as they read on screen (the page writes them literally)."""
    return [unescape(w.value) for w in at.warning if w.value.startswith("From the link: ")]


@pytest.mark.parametrize(
    ("query", "widgets"),
    [
        ({"sample": "coffee", "technique": "clahe", "clip_limit": "0.02", "tiles": "4"},
         {"img_sample": "coffee", "img_technique": "clahe", "img_param_clip_limit": 0.02,
          "img_param_tiles": 4}),
        ({"sample": "rocket", "bounds": "mean_std", "k": "3.25", "per_channel": "on"},
         {"img_sample": "rocket", "img_technique": "clip", "img_param_clip_mode": "mean_std",
          "img_param_k": 3.25, "img_param_clip_per_channel": True}),
        ({"sample": "coffee", "technique": "autocontrast", "cutoff": "2.5,97.0"},
         {"img_param_cutoff": (2.5, 97.0), "img_param_ac_per_channel": False}),
        ({"sample": "coffee", "technique": "equalize", "mode": "luminance"},
         {"img_param_mode": "luminance"}),
        ({"lo": "-1.0", "hi": "2.5"},
         {"img_sample": "chalkboard", "img_param_lo": -1.0, "img_param_hi": 2.5}),
        ({"sample": "hdr", "technique": "match", "reference": "rocket"},
         {"img_param_reference": "rocket"}),
    ],
)  # fmt: skip
def test_a_link_opens_its_view_and_the_url_stays_the_same(query, widgets):
    at = _linked(query)
    assert not at.exception, at.exception
    assert _link_warnings(at) == []
    for key, value in widgets.items():
        got = at.session_state[key]
        assert (tuple(got) if isinstance(got, list) else got) == value, key
    # The page writes back exactly the link it was opened with (only non-defaults).
    assert at.query_params == query


def test_changing_a_control_updates_the_url():
    at = _linked({"sample": "coffee"})
    assert at.query_params == {"sample": "coffee"}
    at.selectbox(key="img_technique").set_value("clahe").run()
    at.slider(key="img_param_tiles").set_value(12).run()
    assert at.query_params == {"sample": "coffee", "technique": "clahe", "tiles": "12"}
    again = _linked(at.query_params)  # the copied URL, in a new session
    assert again.slider(key="img_param_tiles").value == 12
    assert again.query_params == at.query_params


def test_a_bad_link_warns_renders_and_the_warning_stays_until_dismissed():
    at = _linked({"sample": "coffee", "technique": "clahe", "tiles": "40", "dropout": "2"})
    assert not at.exception, at.exception
    assert at.latex and at.get("image"), "the page must still render"
    expected = [
        "From the link: Ignored tiles='40' from the URL: tiles must be an integer in [2, 16] "
        "(got '40'); using the default 8.",
        "From the link: Ignored dropout='2' from the URL: the image lesson has no setting "
        "'dropout' (its settings: source, sample, technique, lo, hi, bounds, q, k, low, high, "
        "per_channel, mode, cutoff, clip_limit, tiles, reference, log_counts).",
    ]
    assert _link_warnings(at) == expected
    assert at.slider(key="img_param_tiles").value == 8
    # The URL is rewritten to the view shown; the warning survives that and more reruns.
    assert at.query_params == {"sample": "coffee", "technique": "clahe"}
    at.run()
    at.run()
    assert _link_warnings(at) == expected
    at.button(key="img_link_dismiss").click().run()
    assert _link_warnings(at) == []


def test_changing_a_setting_answers_the_link_warning():
    at = _linked({"technique": "clahe", "clip_limit": "9"})
    assert len(_link_warnings(at)) == 1
    at.slider(key="img_param_tiles").set_value(6).run()
    assert _link_warnings(at) == []


def test_a_link_stale_for_this_image_is_reported():
    # chalkboard is grey: luminance equalization does not exist for it
    at = _linked({"technique": "equalize", "mode": "luminance"})
    assert not at.exception, at.exception
    assert _link_warnings(at) == [
        "From the link: Ignored mode='luminance' from the URL: luminance equalization needs a "
        "colour image; using 'per_channel'."
    ]
    assert at.query_params == {"technique": "equalize"}
    # pooling and per-channel are the same on one channel: the toggle is not shown
    at = _linked({"technique": "autocontrast", "per_channel": "on"})
    assert not at.exception, at.exception
    assert _link_warnings(at) == [
        "From the link: Ignored per_channel='on' from the URL: a grey image has one channel: "
        "nothing to pool; using 'off'."
    ]
    assert at.query_params == {"technique": "autocontrast"}
    # a colour reference with a colour image is fine; a grey one is not
    at = _linked({"sample": "coffee", "technique": "match", "reference": "chalkboard"})
    assert not at.exception, at.exception
    [warning] = _link_warnings(at)
    assert "Ignored reference='chalkboard' from the URL: the reference must be another" in warning
    assert at.selectbox(key="img_param_reference").value in ("rocket",)


def test_a_link_to_an_upload_opens_the_default_sample_with_a_note():
    at = _linked({"source": "upload", "technique": "log"})
    assert not at.exception, at.exception
    assert at.selectbox(key="img_sample").value == "chalkboard"
    assert at.selectbox(key="img_technique").value == "log"
    assert any("an upload cannot travel in a link" in unescape(i.value) for i in at.info)
    at.run()
    assert any("an upload cannot travel in a link" in unescape(i.value) for i in at.info)
    # An upload is written as such: its pixels are not in the URL.
    arr = np.random.default_rng(3).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    at.file_uploader(key="img_upload").set_value(("mine.png", _png(arr), "image/png")).run()
    assert at.query_params == {"source": "upload", "technique": "log"}
    assert not any("an upload cannot travel" in unescape(i.value) for i in at.info)


def test_reset_restores_defaults_and_clears_the_url():
    at = _linked({"sample": "coffee", "technique": "clahe", "tiles": "40"})
    at.slider(key="img_param_clip_limit").set_value(0.05).run()
    assert at.query_params == {"sample": "coffee", "technique": "clahe", "clip_limit": "0.05"}
    at.button(key="img_reset").click().run()
    assert not at.exception, at.exception
    assert at.query_params == {}
    assert at.selectbox(key="img_sample").value == "chalkboard"
    assert at.selectbox(key="img_technique").value == SAMPLES["chalkboard"].technique
    assert _link_warnings(at) == []
    # and a reset CLAHE starts from the registry's defaults
    at.selectbox(key="img_technique").set_value("clahe").run()
    assert at.slider(key="img_param_tiles").value == TECHNIQUES["clahe"].params["tiles"]


def test_manual_clip_bounds_follow_a_new_image():
    at = _linked({"sample": "chalkboard", "technique": "clip", "bounds": "manual"})
    assert at.number_input(key="img_param_high").value == 255.0
    at.selectbox(key="img_sample").set_value("hdr").run()
    at.selectbox(key="img_technique").set_value("clip").run()
    at.button_group(key="img_param_clip_mode").set_value("manual").run()
    assert not at.exception, at.exception
    assert at.number_input(key="img_param_high").value == 65535.0
    assert at.query_params == {"sample": "hdr", "technique": "clip", "bounds": "manual"}


def test_coming_back_to_the_lesson_keeps_its_view():
    at = _linked({"sample": "rocket", "bounds": "manual", "low": "5.0", "high": "200.0"})
    assert at.number_input(key="img_param_low").value == 5.0
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/images.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="img_param_low").value == 5.0
    assert at.query_params == {
        "sample": "rocket",
        "bounds": "manual",
        "low": "5.0",
        "high": "200.0",
    }


# --- full-precision export -------------------------------------------------------------------


def _deferred_downloads(monkeypatch) -> dict[str, object]:
    """Capture the page's deferred download callables by file name."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def spy(self, data, mimetype, coordinates, file_name=None, **kw):
        captured[file_name] = data
        return real(self, data, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


@pytest.mark.parametrize(
    ("sample", "technique"), [("coffee", "zscore"), ("hdr", "log"), ("rocket", "clahe")]
)
def test_npy_download_is_the_full_resolution_float32_output(monkeypatch, sample, technique):
    import threading

    captured = _deferred_downloads(monkeypatch)
    at = _linked({"sample": sample, "technique": technique})
    assert not at.exception, at.exception
    helps = {b.proto.label: b.proto.help for b in at.get("download_button")}
    (label,) = [label for label in helps if label.startswith("NumPy, ")]
    make = captured[f"{sample}-{technique}.npy"]
    result: dict[str, bytes] = {}
    # Run as Streamlit does: on another thread, after the script run is over.
    worker = threading.Thread(target=lambda: result.setdefault("npy", make()))
    worker.start()
    worker.join(120)
    out = np.load(pyio.BytesIO(result["npy"]), allow_pickle=False)
    full = load_sample(sample).pixels
    assert out.shape == full.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, apply_technique(technique, full))
    # The button states the file it gives: its shape and dtype, from the array itself.
    assert label == f"NumPy, {' × '.join(map(str, out.shape))}, float32", label
    assert f"shape ({', '.join(map(str, out.shape))}) in a float32 .npy" in helps[label]


def test_npy_download_of_an_upload_is_full_resolution_not_the_preview(monkeypatch):
    captured = _deferred_downloads(monkeypatch)
    rng = np.random.default_rng(21)
    big = rng.integers(0, 256, (1100, 1500, 3), dtype=np.uint8)  # larger than the preview
    at = _linked({"technique": "zscore"})
    at.file_uploader(key="img_upload").set_value(("big.png", _png(big), "image/png")).run()
    assert not at.exception, at.exception
    assert at.query_params == {"source": "upload", "technique": "zscore"}
    out = np.load(pyio.BytesIO(captured["big-zscore.npy"]()), allow_pickle=False)
    assert out.shape == big.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, apply_technique("zscore", big))


# --- alternative text -------------------------------------------------------------------------


def _bars(at: AppTest) -> list[str]:
    """The display bars on the page: HTML pictures (``st.html``)."""
    return [h.proto.body for h in at.get("html") if 'aria-label="Grey bar' in h.proto.body]


def _alts(at: AppTest) -> tuple[list[str], dict[str, str]]:
    """The alt texts of the page's pictures, and of its charts by key."""
    pictures = [img.alt for el in at.get("image") for img in el.proto.imgs]
    # the comparison grid: one HTML block of pictures (fig.grid_html), after the two images
    grid = [h.proto.body for h in at.get("html") if f'class="{GRID_CLASS}"' in h.proto.body]
    assert len(grid) == 1
    pictures += [e.get("alt") for e in ET.fromstring(f"<p>{grid[0]}</p>").iter("img")]
    charts = {k: ET.fromstring(body).get("aria-label") for k, body in _charts(at).items()}
    return pictures, charts


@pytest.mark.parametrize("technique", list(TECHNIQUES))
def test_every_picture_and_chart_has_alt_text(page, technique):
    page.selectbox(key="img_technique").set_value(technique).run()
    assert not page.exception
    pictures, charts = _alts(page)
    assert len(pictures) >= 2 and all(pictures), pictures
    assert charts and all(charts.values()), charts
    sample = SAMPLES[page.selectbox(key="img_sample").value].title
    assert pictures[1].startswith(f"{sample} after {TECHNIQUES[technique].title}:")
    assert charts["img_curve"].startswith("Transfer curve")
    tiles = [a for a in pictures[2:] if a.endswith("(thumbnail).")]
    # each tile's histogram is a picture (an SVG), described like the page's histograms
    minis = [a for a in pictures[2:] if a.startswith("Histogram of the output of ")]
    assert len(tiles) == len(minis) == (len(pictures) - 2) / 2 >= 6
    # an unbounded output's display bar is a picture in HTML, named for screen readers
    bars = _bars(page)
    assert len(bars) == (TECHNIQUES[technique].output_range is None)
    assert all('role="img" aria-label="Grey bar: output values from ' in b for b in bars)
    assert not [k for k in charts if k.startswith("img_grid_")]  # no Plotly chart in the grid
    assert len(page.get("image")) == 2  # before and after; the grid's pictures are in its HTML


def test_alt_text_states_the_images_own_numbers():
    # An RGB sample: the numbers the alt texts state are checked against its pixels.
    at = _page()
    at.selectbox(key="img_sample").set_value("coffee").run()
    at.selectbox(key="img_technique").set_value("scale").run()
    assert not at.exception
    pixels = load_sample("coffee").pixels
    pictures, charts = _alts(at)
    h, w = pixels.shape[:2]
    means = pixels.reshape(-1, 3).mean(axis=0)
    assert pictures[0] == (
        f"The input image, {SAMPLES['coffee'].title}: {w} × {h} pixels, colour (R, G, B), mean "
        + ", ".join(f"{c} {image_alt.short(m)}" for c, m in zip("RGB", means, strict=True))
        + ", shown from 0 (black) to 255 (white)."
    )
    before = charts["img_hist_before"]
    assert before.startswith("Histogram of the input, 3 channels: R, G, B, with cumulative curves")
    lo, hi = (float(v) for v in before.split("80 % of the pixels between ")[1][:-1].split(" and "))
    q10, q90 = np.percentile(pixels, [10, 90])
    assert abs(lo - q10) <= 1.0 and abs(hi - q90) <= 1.0  # one uint8 level per bin
    # min-max scaling over the whole image: min -> 0, max -> 1, one curve for all channels
    assert charts["img_curve"] == (
        "Transfer curve, output against input: the same for every channel: rising from input "
        f"{pixels.min()} to {pixels.max()}, output 0 to 1."
    )


@pytest.mark.parametrize(
    "query",
    [
        {"sample": "coffee", "technique": "clahe", "clip_limit": "0.02", "tiles": "4"},
        {"sample": "rocket", "bounds": "mean_std", "k": "3.25", "per_channel": "on"},
        {"sample": "rocket", "bounds": "manual", "low": "20.0",
         "high": "200.0"},
        {"sample": "coffee", "technique": "autocontrast", "cutoff": "2.5,97.0"},
        {"sample": "coffee", "technique": "equalize", "mode": "luminance"},
        {"lo": "-1.0", "hi": "2.5"},
        {"sample": "hdr", "technique": "match", "reference": "rocket"},
    ],
)  # fmt: skip
def test_a_browser_that_mounts_the_controls_late_still_shows_the_links_settings(query):
    """Defect: a quick second run made a late browser show (and send back) every default.

    Streamlit sends a widget's value only in the run that writes it into session state; the
    controls were created without ``value=``, so a second run soon after (another click, a
    reconnect) sent them with Streamlit's defaults (the slider's minimum, the first sample and
    technique). A browser that had not mounted the controls yet showed those. Every element
    must carry the value it holds (pages._held, as the lab does).
    """
    at = _linked(query)
    assert not at.exception, at.exception
    assert _link_warnings(at) == []
    first = shown(at, "img_")
    assert {"img_sample", "img_technique"} <= first.keys()
    at.run()  # a second run, nothing changed
    assert not at.exception, at.exception
    again = shown(at, "img_")
    assert again.keys() == first.keys()
    wrong = {k: (again[k], first[k]) for k in first if again[k] != first[k]}
    assert not wrong, f"controls a late browser shows as (this, not the link's): {wrong}"
    assert at.query_params == query  # the link, unchanged


# ---------------------------------------------------------------- issue 12


def _yaxis_types(at: AppTest) -> tuple[str, str]:
    charts = _charts(at)
    return tuple(
        ET.fromstring(charts[k]).get("data-y-scale") for k in ("img_hist_before", "img_hist_after")
    )


@pytest.mark.parametrize("technique", list(TECHNIQUES))
def test_histograms_before_and_after_share_one_count_scale(page, technique):
    # Clipping and log scaling drew the input's counts on a log axis and the output's on a
    # linear one: the two shapes could not be compared. One "Log counts" toggle sets both.
    page.selectbox(key="img_sample").set_value("coffee").run()
    page.selectbox(key="img_technique").set_value(technique).run()
    assert not page.exception, page.exception
    assert _yaxis_types(page) == ("linear", "linear")
    page.toggle(key="img_log_counts").set_value(True).run()
    assert _yaxis_types(page) == ("log", "log")
    assert page.query_params["log_counts"] == "on"  # kept in the link like every setting
    page.toggle(key="img_log_counts").set_value(False).run()
    assert _yaxis_types(page) == ("linear", "linear")
    assert "log_counts" not in page.query_params


def test_log_counts_comes_from_the_link():
    at = _linked({"sample": "rocket", "log_counts": "on"})
    assert not at.exception, at.exception
    assert at.toggle(key="img_log_counts").value is True
    assert _yaxis_types(at) == ("log", "log")
    assert at.query_params == {"sample": "rocket", "log_counts": "on"}


HOSTILE_NAMES = [
    "**bold**.png",
    "$\\href{https://example.com}{x}$.png",
    "[link](https://example.com).png",
    "<b>x</b>.png",
]


def _markdown_texts(at: AppTest) -> list[str]:
    """Every text element Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    return [e.value for kind in kinds for e in at.get(kind)]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_uploaded_files_name_is_shown_literally(name):
    # The name was put in st.caption as Markdown: **x** turned bold, $\href{..}{x}$ was typeset,
    # [a](b) became a link. Now every punctuation mark is escaped (normviz.literal).
    at = _page()
    arr = np.random.default_rng(4).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    at.file_uploader(key="img_upload").set_value((name, _png(arr), "image/png")).run()
    assert not at.exception and not at.error, (at.exception, at.error)
    [about] = [c.value for c in at.caption if "40 × 30 px" in c.value]
    assert about.startswith(f"**{literal(name)}**: 40 × 30 px")
    assert unescape(about).startswith(f"**{name}**: 40 × 30 px")
    for text in _markdown_texts(at):  # nowhere as Markdown
        assert name not in text and name.split(".")[0] not in text.replace(JOINER, "")
    # the code on screen opens the file by its own name, as a Python string
    assert f"Image.open({name!r})" in _code(at)


def test_a_url_value_quoted_in_a_warning_is_shown_literally():
    bad = "[x](https://example.com) **y** $\\href{https://example.com}{z}$"
    at = _linked({"technique": bad})
    assert not at.exception, at.exception
    [warning] = [w.value for w in at.warning if w.value.startswith("From the link: ")]
    assert f"Ignored technique={bad!r} from the URL" in unescape(warning)
    assert "](" not in warning and "**" not in warning and "{z}$" not in warning


def _widget_fields(at: AppTest, spec) -> dict:
    """What the page's widget of ``spec`` shows: label, help, range, step and value."""
    from normviz.image_links import PREFIX

    key = PREFIX + spec.widget_key
    for kind in ("slider", "number_input", "toggle", "button_group", "selectbox"):
        found = [e for e in at.get(kind) if getattr(e, "key", None) == key]
        if found:
            break
    else:
        raise AssertionError(f"no widget {key}")
    el = found[0]
    got = {"label": el.proto.label, "help": el.proto.help}
    if kind in ("slider", "number_input"):
        got |= {"lo": el.proto.min, "hi": el.proto.max, "step": el.proto.step}
        value = el.value
        got["default"] = tuple(value) if isinstance(value, tuple | list) else value
    if kind == "toggle":
        got["default"] = el.value
    if kind == "button_group":
        got["default"] = el.value[0] if isinstance(el.value, list) else el.value
    return got


@pytest.mark.parametrize("technique", [k for k, t in TECHNIQUES.items() if t.controls])
def test_widgets_take_label_help_range_step_and_default_from_the_table(technique):
    """Each control's widget shows its ParamSpec (a colour sample: every control is shown)."""
    from tests.unit.test_image_table import mismatches

    at = _page()
    at.selectbox(key="img_sample").set_value("coffee").run()
    at.selectbox(key="img_technique").set_value(technique).run()
    bounds = [None]
    if technique == "clip":
        bounds = list(TECHNIQUES["clip"].controls[0].choices)
    for how in bounds:
        if how is not None:
            at.button_group(key="img_param_clip_mode").set_value(how).run()
        assert not at.exception
        values = {"bounds": how}
        for spec in TECHNIQUES[technique].controls:
            if not spec.applies(values):
                continue
            got = _widget_fields(at, spec)
            if spec.default is None or spec.name == "bounds":  # image decides; set here
                got.pop("default", None)
            if spec.lo is not None and spec.widget == "number":
                got |= {"lo": float(got["lo"]), "hi": float(got["hi"])}
            assert mismatches(spec, got) == [], (technique, spec.name)
            # an injected mismatch is caught by the same comparison
            assert mismatches(spec._replace(label=spec.label + "!"), got)


# --- the samples are prepared ahead ----------------------------------------------------------


def test_every_sample_is_prepared_ahead_and_equals_the_computation(page, monkeypatch):
    # The page's full run starts one background thread a process that fills the caches of every
    # sample (statistics, previews, the comparison grid), once the first view is drawn (after
    # WARM_AFTER_S): picking one later computes nothing.
    from normviz import image_view
    from pages import _image_widgets as w

    thread = w.warm_samples()  # the one the page's full run started
    assert w.warm_samples() is thread  # one a process
    thread.join(120)
    assert not thread.is_alive()
    # Other tests' uploads may have evicted samples since: that thread's work, done again here.
    w.prepare.clear()
    w.grid.clear()
    w.prepare_samples()
    expected = {k: image_view.prepare_image(k, load_sample(k)) for k in SAMPLES}

    def recomputed(*args, **kwargs):
        raise AssertionError("computed again: not prepared ahead")

    monkeypatch.setattr(w.image_view, "prepare_image", recomputed)
    monkeypatch.setattr(w.image_view, "grid_tile", recomputed)
    for k, want in expected.items():
        got = w.prepare(w.sample_key(k), k, None, k)
        assert got.shape == want.shape and got.jpeg == want.jpeg
        np.testing.assert_array_equal(got.preview, want.preview)
        np.testing.assert_array_equal(got.stats.mean, want.stats.mean)
        tiles = w.grid(w.sample_key(k), got)
        assert len(tiles) == len(TECHNIQUES)
        assert all(t[1][:2] == b"\xff\xd8" and t[3].startswith("<svg") for t in tiles)


PARAM_KINDS = ("slider", "number_input", "toggle", "segmented_control", "selectbox")


def _change_params(at: AppTest) -> dict[str, object]:
    """Change every parameter control of the technique shown to another value; return them."""
    changed = {}
    for kind in PARAM_KINDS:
        for el in at.get(kind):
            if not (el.key or "").startswith("img_param_"):
                continue
            if kind == "slider":
                lo, hi = el.min, el.max
                el.set_value(hi if el.value != hi else lo)
            elif kind == "number_input":
                el.set_value(el.value + el.step if el.value + el.step <= el.max else el.min)
            elif kind == "toggle":
                el.set_value(not el.value)
            else:
                el.set_value(next(o for o in el.options if o != el.value))
            at.run()
            assert not at.exception, (el.key, at.exception)
            changed[el.key] = at.session_state[el.key]
    return changed


@pytest.mark.parametrize("technique", [k for k in TECHNIQUES if k != "log"])
def test_a_techniques_settings_survive_a_round_trip_through_another_technique_and_sample(
    technique,
):
    """Every parameter changed, then another technique (its parameters changed too), another
    sample and back: no exception at any step, and each control's callback (it reads the
    state of controls that were not drawn meanwhile) keeps working when changed again."""
    at = _page()
    other = "clahe" if technique != "clahe" else "clip"
    at.selectbox(key="img_technique").set_value(technique).run()
    assert _change_params(at), f"{technique} shows no parameter control"
    at.selectbox(key="img_technique").set_value(other).run()
    assert not at.exception
    _change_params(at)
    samples = at.selectbox(key="img_sample").options
    at.selectbox(key="img_sample").set_value(samples[-1]).run()
    assert not at.exception
    at.selectbox(key="img_technique").set_value(technique).run()
    assert not at.exception
    again = _change_params(at)
    assert again and not at.exception
    assert at.selectbox(key="img_technique").value == technique
    shown = [e for kind in PARAM_KINDS for e in at.get(kind) if e.key in again]
    assert shown  # (a mode may hide a control changed before it: the clip's percentile)
    for el in shown:  # what each control shows is what the state holds
        assert el.value == at.session_state[el.key] == again[el.key], el.key
