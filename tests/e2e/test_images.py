"""The image lesson in a real browser: a result and histograms, for a sample and for an upload."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.e2e.conftest import check_page, open_page, runs, settle_after, shoot

MAIN = "[data-testid=stMain]"


def _counts(page) -> tuple[int, int]:
    images = len(page.query_selector_all(f"{MAIN} [data-testid=stImage]"))
    charts = len(page.query_selector_all(f"{MAIN} [data-testid=stPlotlyChart]"))
    return images, charts


def test_sample_and_upload_show_result_and_histograms(page, server, tmp_path):
    took = open_page(page, server, "/images")
    print(f"\n/images settled in {took:.1f} s")
    check_page(page)
    images, charts = _counts(page)
    assert images >= 2, "expected the sample before and after"
    assert charts >= 2, "expected histograms before and after"
    shoot(page, "images_sample")

    rng = np.random.default_rng(5)
    photo = tmp_path / "my photo.png"
    Image.fromarray(rng.integers(40, 200, (90, 120, 3), dtype=np.uint8)).save(photo)
    before = runs(page)
    page.set_input_files(".st-key-img_upload input[type=file]", str(photo))
    settle_after(page, before)
    check_page(page)
    assert page.query_selector_all("[data-testid=stAlertContentError]") == []
    images, charts = _counts(page)
    assert images >= 2 and charts >= 2
    shoot(page, "images_upload")
