"""The lab's controls show what is trained: an uploaded CSV replaces the dataset controls."""

from __future__ import annotations

import numpy as np

from normviz.lab_data import points_in_use_text
from normviz.toydata import parse_points_csv
from tests.e2e.conftest import check_page, open_page, runs, settle_after, shoot

UPLOAD = ".st-key-lab_csv input[type=file]"
DATASET_CONTROLS = (".st-key-lab_dataset", ".st-key-lab_noise", ".st-key-lab_n_samples")


def _csv(tmp_path) -> tuple[str, bytes]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    text = "x,y,label\n" + "".join(f"{a:.4f},{b:.4f},{c}\n" for (a, b), c in zip(x, y, strict=True))
    path = tmp_path / "my points.csv"
    path.write_text(text)
    return str(path), text.encode()


def test_an_uploaded_csv_replaces_the_dataset_controls_and_can_be_dropped(page, server, tmp_path):
    open_page(page, server, "/lab")
    for sel in DATASET_CONTROLS:
        assert page.locator(sel).count() == 1
    path, data = _csv(tmp_path)
    count = runs(page)
    page.set_input_files(UPLOAD, path)
    settle_after(page, count)
    # The dataset, noise and points controls give way to what is in use: the file's points.
    for sel in DATASET_CONTROLS:
        assert page.locator(sel).count() == 0, sel
    want = points_in_use_text(parse_points_csv(data), 0.5, 0)  # the lab's default split, seed
    shown = page.locator("[data-testid=stMarkdownContainer]", has_text="In use: your").inner_text()
    assert " ".join(shown.split()) == " ".join(want.replace("**", "").split())
    shoot(page, "lab-csv-in-use")
    check_page(page)
    # The way back: a new, empty uploader and the dataset controls again.
    count = runs(page)
    page.get_by_role("button", name="Use a generated dataset").click()
    settle_after(page, count)
    for sel in DATASET_CONTROLS:
        assert page.locator(sel).count() == 1, sel
    assert page.locator("[data-testid=stMarkdownContainer]", has_text="In use: your").count() == 0
    assert page.locator("[data-testid=stFileUploaderFile]").count() == 0
    check_page(page)
