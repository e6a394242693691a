"""normviz.image_text: every formula, code snippet and sentence checked against real pixels.

Oracles are independent of normviz: numpy (bincount, percentile, std, lstsq), Pillow's luminance
and scikit-image. A formula is evaluated with the numbers it shows, rounded as shown, and compared
with ``apply_technique``; the tolerance is what that rounding can explain (each shown number moved
by half a unit of its last digit), plus float32 rounding.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from normviz import image_text as it
from normviz import intensity as ni
from normviz import io
from normviz.figures.images import channel_names
from normviz.image_links import BOUNDS, IMAGE_LINKS
from normviz.samples import SAMPLES, load_sample

F32 = 2e-6  # float32 rounding of outputs of magnitude <= ~10


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    from skimage import data

    out = {k: load_sample(k).pixels for k in ("coffee", "hdr", "chalkboard", "rocket")}
    out["astronaut"] = data.astronaut()
    out["camera"] = data.camera()
    return out


def _half(text: str) -> float:
    """Half a unit of the last digit shown in ``text`` (exact integers count as rounded too)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def _evaluate(f, numbers: dict[str, float], x: np.ndarray, key: str) -> np.ndarray:
    """Evaluate technique ``key``'s formula with ``numbers`` on one channel ``x`` (float64)."""
    n = numbers
    if key == "scale":
        if "hi" not in n:
            return np.full_like(x, n["lo"])
        return n["lo"] + (n["hi"] - n["lo"]) * (x - n["min"]) / (n["max"] - n["min"])
    if key == "clip":
        return np.minimum(np.maximum(x, n["low"]), n["high"])
    if key == "log":
        return np.log1p(x - n.get("shift", 0.0)) / np.log1p(n["top"])
    if key == "zscore":
        return (x - n["mean"]) / n["std"] if n else np.zeros_like(x)
    if key == "autocontrast":
        return np.clip((x - n["lo"]) / (n["hi"] - n["lo"]), 0.0, 1.0)
    if key == "equalize":  # integer images: cdf(v) = pixels <= v, counted by numpy
        v = x.astype(np.int64)
        cdf = np.cumsum(np.bincount(v.ravel()))
        return (cdf[v] - n["cdf_min"]) / (n["N"] - n["cdf_min"])
    raise AssertionError(key)


def _check_formula(key: str, img: np.ndarray, params: dict) -> float:
    """Evaluate the shown formula on every channel; return the worst error / tolerance ratio."""
    stats = ni.image_stats(img, luma=True)
    names = channel_names(stats.n_channels)
    f = it.formula(key, params, stats, names)
    out = np.atleast_3d(ni.apply_technique(key, img, stats=stats, **params)).astype(np.float64)
    x3 = np.atleast_3d(img).astype(np.float64)
    worst = 0.0
    for ch, shown in zip(f.channels, f.numbers, strict=True):
        for text in shown.values():  # the numbers are the ones written in the LaTeX
            assert re.search(rf"(?<![\d.]){re.escape(text)}(?![\d.])", f.latex), (text, f.latex)
        nums = {k: float(v) for k, v in shown.items()}
        idx = range(x3.shape[2]) if ch == "all" else [names.index(ch)]
        for c in idx:
            x, got = x3[..., c], out[..., c]
            want = _evaluate(f, nums, x, key)
            # tolerance: each shown number moved by half its last digit, one at a time, summed
            tol = np.full(x.shape, F32)
            if key != "equalize":
                for k, v in shown.items():
                    for sign in (-1, 1):
                        moved = {**nums, k: nums[k] + sign * _half(v)}
                        tol = np.maximum(tol, F32 + np.abs(_evaluate(f, moved, x, key) - want))
                tol = tol * len(shown)
            worst = max(worst, float(np.max(np.abs(got - want) / tol)))
    return worst


# ---------------------------------------------------------------- formulas


CASES = [
    ("scale", {}),
    ("scale", {"lo": -1.0, "hi": 1.0, "per_channel": True}),
    ("clip", {}),
    ("clip", {"per_channel": True}),
    ("clip", {"low": 30.5, "high": 200.0}),
    ("log", {}),
    ("zscore", {}),
    ("zscore", {"per_channel": False}),
    ("autocontrast", {}),
    ("autocontrast", {"cutoff": (2.0, 97.5), "per_channel": True}),
    ("equalize", {}),
]


@pytest.mark.parametrize(("key", "params"), CASES)
@pytest.mark.parametrize("sample", ["coffee", "hdr", "chalkboard", "astronaut", "signed"])
def test_formula_with_its_shown_numbers_gives_the_output(images, key, params, sample):
    if sample == "signed":  # float data with negative values (log shifts it)
        if key == "equalize":
            pytest.skip("the float formula interpolates a binned CDF: see the snippet tests")
        img = (images["coffee"].astype(np.float32) - 100.0) / 7.0
    else:
        img = images[sample]
    assert _check_formula(key, img, params) <= 1.0


def test_pooled_zscore_formula_shows_the_pooled_std(images):
    # Issue 9 defect 4: the formula showed the mean of the channel stds (58.96 on coffee) while
    # the image is divided by the pooled std (74.08).
    coffee = images["coffee"]
    stats = ni.image_stats(coffee)
    f = it.formula("zscore", {"per_channel": False}, stats, ("R", "G", "B"))
    assert f.numbers == ({"mean": it.num(coffee.mean()), "std": it.num(coffee.std())},)
    assert f.numbers[0]["std"] == "74.08"
    assert "58.96" not in f.latex  # the old number
    # the old number cannot pass the evaluation above: it is off by far more than its rounding
    z = ni.z_score(coffee, per_channel=False).astype(np.float64)
    old = (coffee - float(f.numbers[0]["mean"])) / np.mean(stats.std)
    assert np.abs(old - z).max() > 100 * 5e-4


def test_equalize_formula_is_what_equalize_computes(images):
    # Issue 9 defect 12: the page showed cdf / N, equalize computes (cdf - cdf_min) / (N - cdf_min).
    coffee = images["coffee"]
    f = it.formula("equalize", {}, ni.image_stats(coffee), ("R", "G", "B"))
    blue = coffee[..., 2]
    cdf = np.cumsum(np.bincount(blue.ravel()))
    assert f.numbers[2] == {"N": str(blue.size), "cdf_min": str(cdf[blue.min()])}
    assert r"\mathrm{cdf}_{\mathrm{B}}(x) - 2878" in f.latex
    out = ni.equalize(coffee)[..., 2].astype(np.float64)
    np.testing.assert_allclose(out, (cdf[blue] - 2878) / (blue.size - 2878), atol=F32)
    assert np.abs(out - cdf[blue] / blue.size).max() > 0.01  # the old formula is visibly off


def test_luminance_equalize_formula(images):
    coffee = images["coffee"]
    f = it.formula("equalize", {"mode": "luminance"}, ni.image_stats(coffee, luma=True), "RGB")
    assert f.channels == ("Y",) and "Y'" in f.latex
    y = np.asarray(Image.fromarray(coffee).convert("L"), np.int64)  # Pillow's luminance
    cdf = np.cumsum(np.bincount(y.ravel()))
    n = f.numbers[0]
    assert n == {"N": str(y.size), "cdf_min": str(cdf[y.min()])}
    y_eq = (cdf[y] - int(n["cdf_min"])) / (int(n["N"]) - int(n["cdf_min"]))
    want = np.minimum(
        1.0, coffee * np.divide(y_eq, y, out=np.zeros(y.shape), where=y > 0)[..., None]
    )
    want[y == 0] = y_eq[y == 0][:, None]
    got = ni.equalize(coffee, mode="luminance")
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_clahe_and_match_formulas_state_their_parameters(images):
    s = ni.image_stats(images["chalkboard"])
    f = it.formula("clahe", {"tiles": 5, "clip_limit": 0.03}, s, ("grey",))
    assert f.numbers == ({"tiles": "5", "clip_limit": "0.03"},)
    assert r"5 \times 5" in f.latex and "0.03" in f.latex
    assert r"\mathrm{cdf}_{\mathrm{ref}}^{-1}" in it.formula("match", {}, s, ("grey",)).latex


def test_num_is_latex_safe_and_rounds_as_documented():
    assert [it.num(v) for v in (0.0, 65535.0, 74.080565, 98.6159, 1e-7, 123456.7)] == [
        "0", "65535", "74.08", "98.62", "0.0000001", "123457",
    ]  # fmt: skip
    assert all("e" not in it.num(v) for v in (1e-9, 3.3e-5, 1e9 + 0.5))


# ---------------------------------------------------------------- code snippets
#
# Every snippet the page can show runs exactly as shown, in a fresh namespace, in a folder that
# holds only the image files it opens (it reads ``img`` itself: the CLAHE code once used np and
# img without defining them, and the old test handed every snippet its ``img``, so a snippet that
# never defined it passed). Its ``out`` is compared with normviz's own output on the pixels the
# page decodes from the same file (normviz.io.read_image); the snippet is numpy/scikit-image code,
# independent of normviz's implementation.


def _write_files(folder: Path, images: dict[str, np.ndarray]) -> dict[str, str]:
    """Write the test images as files; return image name -> file name."""
    files = {}
    for key, s in SAMPLES.items():  # the real sample files, as the page opens them
        (folder / s.path.name).write_bytes(s.path.read_bytes())
        files[key] = s.path.name
    Image.fromarray(images["astronaut"]).save(folder / "astronaut.png")
    files["astronaut"] = "astronaut.png"
    luma = np.asarray(Image.fromarray(images["coffee"]).convert("L"), np.float32) / 255.0
    Image.fromarray((luma**2.2).astype(np.float32), mode="F").save(folder / "linear light.tif")
    files["float"] = "linear light.tif"
    signed = (images["coffee"][..., 0].astype(np.float32) - 100.0) / 7.0
    Image.fromarray(signed, mode="F").save(folder / "signed.tif")
    files["signed"] = "signed.tif"
    return files


@pytest.fixture(scope="module")
def folder(tmp_path_factory, images):
    path = tmp_path_factory.mktemp("snippets")
    files = _write_files(path, images)
    decoded = {k: io.read_image(path / f).pixels for k, f in files.items()}
    return path, files, decoded


def _run(code: str, where: Path) -> dict:
    """Run ``code`` as shown: a fresh namespace, ``where`` as the working folder."""
    assert "import torchvision" not in code and "from torchvision" not in code  # not installed
    here = os.getcwd()
    os.chdir(where)
    try:
        ns: dict = {"__name__": "__snippet__"}
        exec(compile(code, "<snippet>", "exec"), ns)
    finally:
        os.chdir(here)
    return ns


def _file(name: str, files, decoded) -> it.ImageFile:
    px = decoded[name]
    return it.ImageFile(files[name], str(px.dtype), 1 if px.ndim == 2 else px.shape[2])


def _grey_reference(px: np.ndarray) -> np.ndarray:
    """A colour reference's luminance, as the page matches a grey image (prepare_reference)."""
    if px.ndim == 2:
        return px
    y = px[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.round(y).astype(px.dtype)


# The choices each technique's snippet depends on: every value of every choice and bool
# setting of the page's link table (IMAGE_LINKS), plus a non-default number where it is written.
_NUMBERS = {"lo": -1.0, "hi": 2.5, "q": (2.0, 97.5), "k": 1.5, "low": 30.5, "high": 180.0,
            "cutoff": (5.0, 90.0), "clip_limit": 0.02, "tiles": 4}  # fmt: skip


def _variants(key: str, colour: bool, references: list[str]) -> list[dict]:
    """Every combination of the link table's choices for technique ``key`` (link values)."""
    out = []
    modes = list(BOUNDS) if key == "clip" else [None]
    for mode in modes:
        base = IMAGE_LINKS.defaults({"technique": key, "bounds": mode or "percentiles"})
        axes = []
        for p in IMAGE_LINKS.active(base):
            if p.name in ("source", "sample", "technique", "bounds", "log_counts"):
                continue
            if p.kind == "bool":
                axes.append([(p.name, v) for v in (False, True)] if colour else [(p.name, False)])
            elif p.name == "reference":
                axes.append([(p.name, r) for r in references])
            elif p.kind == "choice":
                allowed = [c for c in p.choices if colour or c != "luminance"]
                axes.append([(p.name, c) for c in allowed])
            else:  # a number: its default and another value
                axes.append([(p.name, base[p.name]), (p.name, _NUMBERS[p.name])])
        for combo in itertools.product(*axes):
            out.append({**base, **dict(combo)})
    return out


def _page_params(key: str, values: dict, img: np.ndarray) -> dict:
    """The technique's parameters as the page builds them from its controls' values."""
    if key == "log":
        return {}
    if key == "scale":
        return {"lo": values["lo"], "hi": values["hi"]}
    if key == "clip":
        per, mode = values["per_channel"], values["bounds"]
        if mode == "percentiles":
            b, arg = ni.percentiles(img, values["q"], per_channel=per), values["q"]
        elif mode == "mean_std":
            b, arg = ni.mean_std_bounds(img, values["k"], per_channel=per), values["k"]
        else:
            low = values["low"] if values["low"] is not None else float(img.min())
            high = values["high"] if values["high"] is not None else float(img.max())
            b, arg = np.array([low, max(high, low + 1e-6)]), None
        b = np.asarray(b, np.float64)
        b[..., 1] = np.maximum(b[..., 1], b[..., 0] + 1e-6)  # as the page: never empty
        extra = {"_arg": arg} if arg is not None else {}
        return {"low": b[..., 0], "high": b[..., 1], "per_channel": per,
                "_how": BOUNDS[mode], **extra}  # fmt: skip
    if key == "zscore":
        return {"per_channel": values["per_channel"]}
    if key == "equalize":
        return {"mode": values["mode"]}
    if key == "autocontrast":
        return {"cutoff": tuple(values["cutoff"]), "per_channel": values["per_channel"]}
    if key == "clahe":
        return {"clip_limit": values["clip_limit"], "tiles": values["tiles"]}
    return {"reference": values["reference"], "_grey": img.ndim == 2}


def _cases() -> list[tuple[str, str, dict]]:
    """(image, technique, link values): every snippet variant on every kind of image."""
    kinds = {"coffee": True, "rocket": True, "chalkboard": False, "hdr": False, "float": False,
             "signed": False}  # fmt: skip
    cases = []
    for name, colour in kinds.items():
        refs = [k for k in SAMPLES if k != name and (not colour or k in ("coffee", "rocket"))]
        for key in ni.TECHNIQUES:
            if key == "match" and name in ("float", "signed"):
                refs_here = ["coffee", "hdr"]
            else:
                refs_here = refs
            for values in _variants(key, colour, refs_here):
                cases.append((name, key, values))
    return cases


CASES_SHOWN = _cases()


def test_the_cases_cover_every_technique_and_every_choice():
    seen = {(key, p, repr(v)) for _, key, values in CASES_SHOWN for p, v in values.items()}
    for key in ni.TECHNIQUES:
        assert any(k == key for _, k, _ in CASES_SHOWN), key
    for p in IMAGE_LINKS.params:
        if p.kind in ("choice", "bool") and p.name not in ("source", "sample", "technique"):
            for key in p.when.get("technique", ()):
                for v in p.choices or (False, True):
                    assert (key, p.name, repr(v)) in seen, (key, p.name, v)


@pytest.mark.parametrize(
    ("name", "key", "values"), CASES_SHOWN, ids=[f"{n}-{k}" for n, k, _ in CASES_SHOWN]
)
def test_every_snippet_runs_as_shown_and_gives_the_output(folder, name, key, values):
    path, files, decoded = folder
    img = decoded[name]
    params = _page_params(key, values, img)
    stats = ni.image_stats(img, luma=True)
    kwargs = {k: v for k, v in params.items() if not k.startswith("_") and k != "reference"}
    ref_file = None
    if key == "match":
        ref_file = _file(params["reference"], files, decoded)
        ref = decoded[params["reference"]]
        kwargs["reference"] = _grey_reference(ref) if params["_grey"] else ref
    code = it.snippet(key, params, stats, str(img.dtype), files[name], ref_file)
    assert code.startswith("import numpy as np\nfrom PIL import Image, ImageOps\n\n")
    ns = _run(code, path)
    want = ni.apply_technique(key, img, stats=stats, **kwargs)
    assert ns["out"].shape == img.shape
    # float percentiles are exact to one of 4096 fine bins; CLAHE is float32 inside
    floating = img.dtype.kind == "f"
    span = float(img.max() - img.min()) if floating else 1.0
    atol = {"clip": 2e-3 * span, "autocontrast": 2e-3, "clahe": 2e-4}.get(key, 1e-6)
    atol = atol if floating or key == "clahe" else 1e-6
    # normviz interpolates a float image's map in float32: a weight off by ~1e-7 * |x| / bin
    # width, times a step of the reference's levels (up to thousands for 16-bit)
    rtol = 5e-5 if floating and key == "match" else 1e-6
    np.testing.assert_allclose(ns["out"], want, atol=atol, rtol=rtol)  # float32 output


def test_a_snippet_opens_any_file_name_as_a_python_string(folder, tmp_path):
    path, files, decoded = folder
    odd = 'it\'s a "photo" \\ $x$ **b**.png'
    (tmp_path / odd).write_bytes((path / files["coffee"]).read_bytes())
    stats = ni.image_stats(decoded["coffee"])
    code = it.snippet("log", {}, stats, "uint8", odd)
    assert f"Image.open({odd!r})" in code
    np.testing.assert_allclose(_run(code, tmp_path)["out"], ni.log_scale(decoded["coffee"]),
                               atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("key", list(ni.TECHNIQUES))
def test_snippets_of_a_16_bit_colour_png_read_it_at_16_bits(key, images, tmp_path):
    # Pillow reads 16-bit colour PNG at 8 bits: the code reads it with OpenCV, as the page's
    # own decoder does at full depth
    pytest.importorskip("cv2")
    rgb16 = (images["coffee"].astype(np.uint16) * 257 + np.arange(3, dtype=np.uint16))[::4, ::4]
    (tmp_path / "deep.png").write_bytes(io.encode_png(rgb16))
    img = io.read_image(tmp_path / "deep.png").pixels
    np.testing.assert_array_equal(img, rgb16)
    (tmp_path / SAMPLES["coffee"].path.name).write_bytes(SAMPLES["coffee"].path.read_bytes())
    stats = ni.image_stats(img, luma=True)
    extra, ref_file = {}, None
    if key == "match":
        extra["reference"] = load_sample("coffee").pixels
        ref_file = it.ImageFile(SAMPLES["coffee"].path.name, "uint8", 3)
    code = it.snippet(key, {}, stats, "uint16", "deep.png", ref_file)
    if key == "clip":  # the page always passes its bounds
        b = ni.percentiles(img, (1.0, 99.0), stats=stats)
        code = it.snippet(key, {"low": b[0], "high": b[1]}, stats, "uint16", "deep.png")
        extra = {"low": b[0], "high": b[1]}
    assert "cv2.imread('deep.png', cv2.IMREAD_UNCHANGED)" in code
    want = ni.apply_technique(key, img, stats=stats, **extra)
    atol = 2e-4 if key == "clahe" else 1e-6
    np.testing.assert_allclose(_run(code, tmp_path)["out"], want, atol=atol, rtol=1e-6)


@pytest.mark.parametrize(("how", "arg"), [("percentiles", (2.0, 97.0)), ("mean ± k·std", 1.5)])
@pytest.mark.parametrize("per_channel", [False, True])
def test_clip_snippet_computes_the_bounds_the_page_used(folder, how, arg, per_channel):
    path, files, decoded = folder
    img = decoded["rocket"]
    s = ni.image_stats(img)
    if how == "percentiles":
        b = ni.percentiles(img, arg, per_channel=per_channel, stats=s)
    else:
        b = ni.mean_std_bounds(img, arg, per_channel=per_channel, stats=s)
    params = {"low": b[..., 0], "high": b[..., 1], "per_channel": per_channel}
    code = it.snippet("clip", {**params, "_how": how, "_arg": arg}, s, "uint8", files["rocket"])
    want = ni.apply_technique("clip", img, **params)
    np.testing.assert_allclose(_run(code, path)["out"], want, rtol=1e-6)
    manual = it.snippet(
        "clip", {"low": 20.0, "high": 180.5, "_how": "manual"}, s, "uint8", files["rocket"]
    )
    assert "20.0, 180.5" in manual
    np.testing.assert_array_equal(_run(manual, path)["out"], np.clip(img, 20.0, 180.5))


@pytest.mark.parametrize("sample", ["coffee", "hdr", "chalkboard", "float"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_zscore_torch_code_scales_as_stated(folder, sample, per_channel):
    # Issue 9 defect 11: "ToTensor divides by 65535" was false (ToTensor rescales only uint8).
    torch = pytest.importorskip("torch")
    path, files, decoded = folder
    img = decoded[sample]
    stats = ni.image_stats(img)
    code = it.snippet("zscore", {"per_channel": per_channel}, stats, str(img.dtype), files[sample])
    assert "divides by 65535" not in code
    if img.dtype == np.uint16:
        assert "/ 65535.0" in code and "ToTensor() rescales only uint8" in code
    elif img.dtype == np.uint8:
        assert "/ 255.0" in code and "as torchvision's ToTensor() does for uint8" in code
    else:
        assert "/ 255.0" not in code and "does not rescale floats" in code
    ns = _run(code, path)
    z = np.atleast_3d(ni.z_score(img, per_channel=per_channel)).astype(np.float64)
    got = ns["out_t"].permute(1, 2, 0).numpy().astype(np.float64)
    assert isinstance(ns["out_t"], torch.Tensor)
    # mean and std are shown with 4 significant digits in [0, 1] units, so each is within
    # 5e-5 of the truth: |dz| <= 5e-5 (1 + |z|) / std
    full = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(img.dtype, 1.0)
    sd = np.atleast_1d(ni.image_stats(img).std if per_channel else img.std()) / full
    np.testing.assert_array_less(np.abs(got - z), 5e-5 * (1 + np.abs(z)) / sd + 1e-5)


def test_luminance_equalize_and_match_snippets(folder):
    path, files, decoded = folder
    coffee, grey, ref = decoded["coffee"], decoded["chalkboard"], decoded["astronaut"]
    s = ni.image_stats(coffee, luma=True)
    code = it.snippet("equalize", {"mode": "luminance"}, s, "uint8", files["coffee"])
    np.testing.assert_allclose(
        _run(code, path)["out"], ni.equalize(coffee, mode="luminance"), atol=1e-6
    )
    ref_file = _file("astronaut", files, decoded)
    code = it.snippet("match", {}, s, "uint8", files["coffee"], ref_file)
    np.testing.assert_allclose(_run(code, path)["out"], ni.match_histogram(coffee, ref), rtol=1e-6)
    # a grey image is matched to the colour reference's luminance, as the page does
    code = it.snippet("match", {"_grey": True}, ni.image_stats(grey), "uint8", files["chalkboard"],
                      ref_file)  # fmt: skip
    want = ni.match_histogram(grey, _grey_reference(ref))
    np.testing.assert_allclose(_run(code, path)["out"], want, atol=1e-6)


def test_snippets_define_what_they_use():
    # every snippet imports what it uses and reads img itself: CLAHE used np and img without
    # defining them; names a snippet uses but never binds (np, img, reference) are caught here
    import ast
    import builtins

    s = ni.image_stats(np.zeros((4, 4, 3), np.uint8))
    for key in ni.TECHNIQUES:
        code = it.snippet(key, {}, s, "uint8", "photo.png", it.ImageFile("ref.png", "uint8", 3))
        tree = ast.parse(code)
        bound = set(dir(builtins))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
        used = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        assert used <= bound, (key, used - bound)
        assert "img = np.asarray(" in code and "Image.open('photo.png')" in code


# ---------------------------------------------------------------- kinds: a claim per technique


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares y = a x + b; return (a, b, max residual)."""
    a, b = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)[0]
    return float(a), float(b), float(np.abs(a * x + b - y).max())


def _level_map(img: np.ndarray, out: np.ndarray) -> dict[int, float]:
    """Integer level -> output, checking that the map is pointwise (one output per level)."""
    levels, idx = np.unique(img.ravel(), return_inverse=True)
    vals = np.zeros(levels.size)
    vals[idx] = out.ravel()
    np.testing.assert_array_equal(vals[idx], out.ravel())
    return dict(zip(levels.tolist(), vals.tolist(), strict=True))


def _claim_affine(key, images):
    for name in ("coffee", "hdr", "chalkboard"):
        img = images[name]
        for params in ({}, {"per_channel": not ni.TECHNIQUES[key].params["per_channel"]}):
            out = np.atleast_3d(ni.apply_technique(key, img, **params)).astype(np.float64)
            x3 = np.atleast_3d(img).astype(np.float64)
            for c in range(x3.shape[2]):
                x, y = x3[..., c].ravel(), out[..., c].ravel()
                a, _, resid = _fit(x, y)
                assert a > 0 and resid <= 1e-6 * max(1.0, np.abs(y).max())
                # the histogram keeps its shape: the same counts, level for level, in order
                _, n_in = np.unique(x, return_counts=True)
                _, n_out = np.unique(y, return_counts=True)
                np.testing.assert_array_equal(n_in, n_out)


def _claim_clipping(key, images):
    q = ni.TECHNIQUES[key].params.get("q") or ni.TECHNIQUES[key].params["cutoff"]
    for name in ("coffee", "hdr", "rocket"):
        img = images[name]
        x = img.astype(np.float64).ravel()
        out = ni.apply_technique(key, img).astype(np.float64).ravel()
        lo, hi = np.percentile(x, q)  # exact for integer images, pooled over channels
        bottom, top = out.min(), out.max()
        # the values at each bound are exactly those at or beyond it in the input
        assert np.count_nonzero(out == bottom) == np.count_nonzero(x <= lo)
        assert np.count_nonzero(out == top) == np.count_nonzero(x >= hi)
        assert np.count_nonzero(x <= lo) > 1 and np.count_nonzero(x >= hi) > 1  # they pile up
        inside = (x > lo) & (x < hi)
        a, b, resid = _fit(x[inside], out[inside])
        assert a > 0 and resid <= 1e-6 * max(1.0, np.abs(out).max())
        np.testing.assert_allclose([a * lo + b, a * hi + b], [bottom, top], rtol=1e-5, atol=1e-6)


def _claim_log(key, images):
    maps = []
    for name in ("coffee", "astronaut"):  # two different photos with the same range 0..255
        img = images[name]
        assert (img.min(), img.max()) == (0, 255)
        out = ni.apply_technique(key, img).astype(np.float64)
        m = _level_map(img, out)
        levels = np.array(sorted(m))
        y = np.array([m[v] for v in levels])
        assert (np.diff(y) > 0).all()  # monotone
        assert _fit(levels.astype(np.float64), y)[2] > 0.05  # not affine
        assert (np.diff(y, 2) < 0).all()  # concave: dark values spread, bright ones crowd
        maps.append(m)
    common = sorted(set(maps[0]) & set(maps[1]))
    assert len(common) > 200
    np.testing.assert_array_equal([maps[0][v] for v in common], [maps[1][v] for v in common])


def _cdf_map(v: np.ndarray) -> np.ndarray:
    """(cdf - cdf_min) / (N - cdf_min) of a uint8 plane, by numpy."""
    cdf = np.cumsum(np.bincount(v.ravel(), minlength=256)).astype(np.float64)
    return (cdf - cdf[v.min()]) / (v.size - cdf[v.min()])


def _claim_cdf(key, images):
    grey = images["camera"]
    other = images["chalkboard"]
    # B: the same bottom rows as `grey`, other content above: a CDF-built map changes
    h = min(grey.shape[0], other.shape[0]) // 2
    w = min(grey.shape[1], other.shape[1])
    a = grey[: 2 * h, :w].copy()
    b = a.copy()
    b[:h] = other[:h, :w]
    if key == "equalize":
        np.testing.assert_allclose(ni.equalize(a), _cdf_map(a)[a], atol=1e-6)
        np.testing.assert_allclose(ni.equalize(b), _cdf_map(b)[b], atol=1e-6)
        out_a, out_b = ni.equalize(a), ni.equalize(b)
    elif key == "match":
        from skimage.exposure.histogram_matching import _match_cumulative_cdf

        ref = images["coffee"][..., 0]
        np.testing.assert_allclose(
            ni.match_histogram(a, ref), _match_cumulative_cdf(a, ref), rtol=1e-6
        )
        out_a, out_b = ni.match_histogram(a, ref), ni.match_histogram(b, ref)
    elif key == "clahe":
        # one tile and no clipping: the map is the (binned) CDF of the whole image
        out_a = ni.clahe(a, tiles=1, clip_limit=1.0)
        t = (a.astype(np.float64) - a.min()) / (int(a.max()) - int(a.min()))
        bins = np.minimum((t * 256).astype(np.int64), 255)
        cdf = np.cumsum(np.bincount(bins.ravel(), minlength=256)) / bins.size
        np.testing.assert_allclose(out_a, cdf[bins], atol=1e-3)
        out_b = ni.clahe(b, tiles=1, clip_limit=1.0)
    else:
        raise AssertionError(key)
    # identical pixels (the bottom half) map differently in the two images
    diff = np.abs(out_a[h:].astype(np.float64) - out_b[h:])
    assert diff.max() > 0.05


CLAIMS = {
    "affine": _claim_affine,
    "clipping": _claim_clipping,
    "log": _claim_log,
    "cdf": _claim_cdf,
}


@pytest.mark.parametrize("key", list(ni.TECHNIQUES))
def test_each_technique_does_what_its_kind_says(images, key):
    kind = ni.TECHNIQUES[key].kind
    assert kind in ni.KINDS
    CLAIMS[kind](key, images)


def test_every_kind_has_a_claim_and_a_sentence():
    assert set(CLAIMS) == set(ni.KINDS)
    for key, t in ni.TECHNIQUES.items():
        assert t.is_normalization == (t.kind != "cdf")
        note = it.kind_note(key)
        assert (
            (note.level == "warning") == (t.kind == "cdf") == ("Not a normalization" in note.text)
        )
        assert ("keeps the histogram's shape" in note.text) == (t.kind == "affine")
        assert ("pile up at the bounds" in note.text) == (t.kind == "clipping")


# ---------------------------------------------------------------- sentences


def _titles(kind: str) -> list[str]:
    return [t.title.split(" (")[0] for t in ni.TECHNIQUES.values() if t.kind == kind]


def test_definition_says_only_affine_maps_keep_the_shape():
    # Issue 9 defect 5: "the shape of the histogram stays" was said of log scaling and clipping.
    text = it.definition()
    assert "shape of the histogram stays" not in text
    sentences = {s for s in re.split(r"(?<=\.) ", text)}
    (keep,) = [s for s in sentences if "histogram's shape" in s]
    assert all(t in keep for t in _titles("affine"))
    others = _titles("clipping") + _titles("log") + _titles("cdf")
    assert not any(t in keep for t in others)
    (notnorm,) = [s for s in sentences if "not normalizations" in s]
    assert all(t in notnorm for t in _titles("cdf"))
    blurb = it.home_blurb()
    assert f"apply {len(ni.TECHNIQUES)} techniques" in blurb
    assert all(t in blurb for t in _titles("affine") + _titles("cdf"))


def test_log_pitfall_on_an_8_bit_photo(images):
    pitfall = it.use_and_pitfalls("log")[1]
    assert "brightens the mid-tones and squeezes the bright half" in pitfall
    for name in ("coffee", "rocket", "astronaut"):
        x = images[name] / 255.0
        y = ni.log_scale(images[name]).astype(np.float64)
        mid = (x > 0.25) & (x < 0.75)
        assert (y[mid] > x[mid]).all()
        bright = x >= 0.5
        assert y[bright].max() - y[bright].min() < 0.15  # a narrow band at the top


def test_display_notes_state_the_output_range(images):
    coffee = images["coffee"]
    z = ni.z_score(coffee)
    note = it.output_display_note((-it.Z_DISPLAY, it.Z_DISPLAY), float(z.min()), float(z.max()))
    assert note.startswith("Shown with -3..3 → black..white.")
    assert f"spans {it.num(z.min())}..{it.num(z.max())}" in note and "saturated" in note
    eq = ni.equalize(coffee)
    inside = it.output_display_note((0.0, 1.0), float(eq.min()), float(eq.max()))
    assert "Every output value (0..1) lies in this range." in inside
    # clipping: the float32 output at a bound is that bound rounded, still "in the range"
    b = ni.mean_std_bounds(images["chalkboard"], 2.0)
    clipped = ni.clip(images["chalkboard"], b[0], b[1])
    assert clipped.min() != b[0]  # float32 rounding of a float64 bound
    note = it.output_display_note((b[0], b[1]), float(clipped.min()), float(clipped.max()))
    assert "Every output value" in note and "saturated" not in note
    assert it.input_display_note(0.0, 65535.0) == "Shown linearly: 0..65535 → black..white."
    assert it.bar_unit("zscore") == "z" and it.bar_unit("match") == "reference units"
    assert it.download_note(-3.0, 3.0).startswith("The PNG stores the display mapping -3..3")
    assert it.stats_caption((400, 600, 3), (400, 600, 3)).startswith("Before: all 600 × 400")
    assert "1024 × 683 screen preview" in it.stats_caption((2000, 3000), (683, 1024))


def test_grid_titles_come_from_the_parameters():
    assert it.grid_title("clip", {}) == "Clip 1–99 %"
    assert it.grid_title("clip", {"_arg": (2.0, 97.5)}) == "Clip 2–97.5 %"
    assert it.grid_title("zscore", {}) == "Z-score, ±3 shown"
    assert it.grid_title("match", {}, "Coffee") == "Match → Coffee"


def test_no_curve_note_only_blames_locality_for_clahe():
    from xml.sax.saxutils import escape

    from normviz.figures.images import transfer_html

    s = ni.image_stats(np.arange(64, dtype=np.uint8).reshape(8, 8))
    for key in ni.TECHNIQUES:
        extra = {"reference_stats": s} if key == "match" else {}
        has_curve = ni.transfer_curve(key, s, **extra) is not None
        assert ("local" in it.no_curve_note(key)) == (key == "clahe") == (not has_curve)
    html = transfer_html(None, empty_message=it.no_curve_note("clahe"))  # the chart says it
    assert f"<div>{escape(it.no_curve_note('clahe'))}</div>" in html


def test_upload_label_states_the_limits_that_apply():
    from pathlib import Path

    from normviz import io

    mb = io.MAX_BYTES // 2**20
    assert it.upload_label().endswith(f"up to {mb} MB") and mb * 2**20 == io.MAX_BYTES
    config = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    assert f"maxUploadSize = {mb}" in config.read_text()  # Streamlit's own limit agrees


def test_equalize_pitfall_per_channel_shifts_hues(images):
    assert "per-channel equalization shifts hues" in it.use_and_pitfalls("equalize")[1]
    coffee = images["coffee"].astype(np.float64)
    ok = coffee.min(axis=2) > 20
    before = coffee[ok] / coffee[ok].sum(axis=1, keepdims=True)
    out = ni.equalize(images["coffee"]).astype(np.float64)[ok]
    after = out / np.maximum(out.sum(axis=1, keepdims=True), 1e-9)
    assert np.abs(after - before).mean() > 0.05  # the red cast of the photo is gone
    lum = ni.equalize(images["coffee"], mode="luminance").astype(np.float64)[ok]
    kept = (lum.max(axis=1) < 0.99) & (lum.min(axis=1) > 0)
    ratio = lum[kept] / lum[kept].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ratio, before[kept], atol=1e-5)


def test_sample_captions_shown_on_the_page_are_true(images):
    from normviz.samples import SAMPLES

    board = images["chalkboard"]
    assert f"{board.min()}..{board.max()} of 0..255" in SAMPLES["chalkboard"].good_for
    # rocket: the lamps pin the maximum (min-max is almost the identity on 0..255), percentile
    # clipping shown black..white brightens the scene
    rocket = images["rocket"]
    assert "barely changes anything" in SAMPLES["rocket"].good_for
    assert rocket.max() == 255 and rocket.min() <= 2
    scaled = ni.scale_to_range(rocket)
    assert np.abs(scaled - rocket / 255.0).max() < 0.01
    low, high = ni.percentiles(rocket, (1.0, 99.0))
    shown = np.clip((ni.clip(rocket, low, high) - low) / (high - low), 0, 1)
    assert shown.mean() > 1.1 * scaled.mean()
    # hdr: about 1000:1, almost black shown linearly, log scaling lifts it
    hdr = images["hdr"].astype(np.float64)
    assert "about 1000:1" in SAMPLES["hdr"].good_for
    assert 800 < hdr.max() / hdr.min() < 1250
    assert (hdr / 65535).mean() < 0.02 and ni.log_scale(images["hdr"]).mean() > 0.4


def test_image_caption_states_the_decoded_size_and_the_sample_facts():
    decoded = load_sample("hdr")
    h, w = decoded.pixels.shape[:2]
    s = SAMPLES["hdr"]
    text = it.image_caption("hdr", decoded.pixels.shape, str(decoded.pixels.dtype), s)
    assert text.startswith(f"**hdr**: {w} × {h} px, 1 channel(s), uint16.")
    assert s.good_for in text and f"Licence: {s.licence}." in text
    upload = it.image_caption("[x](y).png", (2, 3, 3), "uint8")
    assert upload == r"**\[x\]\(y\)\.png**: 3 × 2 px, 3 channel(s), uint8."
