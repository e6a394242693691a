"""Bundled samples: each loads with the expected dtype, has its licence, stays small, and is
read as package data (importlib.resources), not from the repository's layout."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from normviz.io import DecodedImage
from normviz.samples import SAMPLES, SAMPLES_DIR, Sample, load_sample
from tests.conftest import ROOT

EXPECTED = {  # key: (shape, dtype)
    "chalkboard": ((172, 448), np.uint8),
    "rocket": ((427, 640, 3), np.uint8),
    "hdr": ((436, 500), np.uint16),
    "coffee": ((400, 600, 3), np.uint8),
}


def test_registry_is_the_expected_four():
    assert set(SAMPLES) == set(EXPECTED)
    for key, s in SAMPLES.items():
        assert isinstance(s, Sample) and s.key == key
        assert s.title and s.good_for and s.source and s.licence


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_sample_loads_with_expected_shape_and_dtype(key):
    img = load_sample(key)
    shape, dtype = EXPECTED[key]
    assert isinstance(img, DecodedImage)
    assert img.pixels.shape == shape and img.pixels.dtype == dtype
    assert img.alpha is None and img.n_nonfinite == 0


@pytest.mark.parametrize("key", list(EXPECTED))
def test_pixels_match_pillow_oracle(key):
    oracle = np.asarray(Image.open(SAMPLES[key].path))
    np.testing.assert_array_equal(load_sample(key).pixels, oracle)


def test_each_sample_has_a_licence_entry():
    text = (SAMPLES_DIR / "LICENSES.md").read_text(encoding="utf-8")
    for s in SAMPLES.values():
        assert s.path.is_file()
        assert f"`{s.path.name}`" in text, f"{s.path.name} missing from _samples/LICENSES.md"
    assert "make_hdr.py" in text and "not** an original" in text  # the derived HDR is declared


def test_suggested_techniques_exist():
    from normviz.intensity import TECHNIQUES

    assert {s.technique for s in SAMPLES.values()} <= set(TECHNIQUES)


def test_samples_make_their_point():
    low = load_sample("chalkboard").pixels
    assert low.min() > 0 and low.max() < 255  # low contrast: min-max scaling has work to do
    rocket = load_sample("rocket").pixels
    assert (rocket >= 250).mean() < 0.01 < (rocket < 100).mean()  # a few very bright outliers
    hdr = load_sample("hdr").pixels
    assert hdr.max() / np.median(hdr) > 100  # high dynamic range
    assert np.median(hdr) < 65535 * 0.01  # shown linearly it is almost black


def test_samples_stay_small():
    total = sum(len(p.read_bytes()) for p in SAMPLES_DIR.iterdir() if p.is_file())
    assert total < 1_500_000


def test_samples_are_package_data():
    # The files sit inside the normviz package (so a wheel carries them) and nothing else does:
    # every file in the folder is a registered sample or the licences, and every sample is there.
    import normviz

    package = Path(normviz.__file__).resolve().parent
    assert Path(str(SAMPLES_DIR)).resolve() == package / "_samples"
    names = {p.name for p in SAMPLES_DIR.iterdir() if p.is_file()}
    assert names == {s.path.name for s in SAMPLES.values()} | {"LICENSES.md"}


def test_load_sample_reads_the_resource(monkeypatch):
    # load_sample goes through the Traversable's bytes, so a zipped install would work too.
    calls = []
    real = type(SAMPLES["coffee"].path).read_bytes

    def spy(self):
        calls.append(self.name)
        return real(self)

    monkeypatch.setattr(type(SAMPLES["coffee"].path), "read_bytes", spy)
    load_sample("coffee")
    assert calls == ["coffee.png"]


def test_make_hdr_is_reproducible():
    pytest.importorskip("skimage")
    mod = runpy.run_path(str(ROOT / "assets" / "make_hdr.py"), run_name="make_hdr")
    assert Path(mod["OUT"]) == Path(str(SAMPLES["hdr"].path))  # it writes the packaged file
    rebuilt = mod["make_hdr"](mod["_source"]())
    np.testing.assert_array_equal(rebuilt, load_sample("hdr").pixels)


def test_bad_key():
    with pytest.raises(ValueError, match=r"sample must be one of .*\(got 'moon'\)"):
        load_sample("moon")
    with pytest.raises(ValueError, match="sample must be one of"):
        load_sample("")
