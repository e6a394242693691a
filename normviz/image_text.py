"""The image lesson's text, built from data: formulas, code, notes and captions (no streamlit).

Every sentence here that states a number or a behaviour is built from the objects that computed
the result: the technique's entry in :data:`normviz.intensity.TECHNIQUES` (its ``kind`` says what
it does to the histogram), its parameters, and the :class:`~normviz.intensity.ImageStats` it was
fitted on, through the same fitting functions the technique uses (``intensity._transfer``). A
formula is returned as a :class:`Formula`: the LaTeX and, term by term, the numbers it shows, so
a test can evaluate it with the shown numbers and compare with ``apply_technique``. Every code
snippet runs as shown once ``img`` (and, for matching, ``reference``) is a numpy array, and leaves
its result in ``out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from normviz import io
from normviz.figures.images import line_legend
from normviz.intensity import KINDS, TECHNIQUES, ImageStats
from normviz.intensity._transfer import (
    cutoff_bounds,
    log_constants,
    luma_stats,
    scale_bounds,
    stretch_bounds,
    zscore_moments,
)

__all__ = [
    "Z_DISPLAY",
    "Formula",
    "ImageFile",
    "Note",
    "bar_unit",
    "definition",
    "download_note",
    "formula",
    "grid_title",
    "home_blurb",
    "input_display_note",
    "kind_note",
    "no_curve_note",
    "num",
    "output_display_note",
    "snippet",
    "stats_caption",
    "upload_label",
    "use_and_pitfalls",
]

Z_DISPLAY = 3.0
"""Z-scores in ``[-Z_DISPLAY, Z_DISPLAY]`` are shown black..white on the page."""

DTYPE_FULL = {"uint8": 255.0, "uint16": 65535.0}


class Formula(NamedTuple):
    """A formula as shown, with the numbers it shows.

    Attributes
    ----------
    latex : str
        What ``st.latex`` renders.
    channels : tuple of str
        The channel each term applies to: a channel name, "all" (one map for every channel) or
        "Y" (the luminance, for luminance equalization).
    numbers : tuple of dict
        One dict per term: name -> the number exactly as written in ``latex`` (see :func:`num`).
    """

    latex: str
    channels: tuple[str, ...]
    numbers: tuple[dict[str, str], ...]


class Note(NamedTuple):
    """A box of text: ``level`` is "info" or "warning"."""

    level: str
    text: str


def num(v: float) -> str:
    """Return ``v`` as shown on the page: integers exactly, ``|v| >= 1000`` rounded to an
    integer, else 4 significant digits; never in exponent notation (LaTeX-safe).

    Examples
    --------
    >>> num(255.0), num(74.0805), num(12345.67), num(0.000123456), num(-0.5)
    ('255', '74.08', '12346', '0.0001235', '-0.5')
    """
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 1000:
        return str(round(v))
    return np.format_float_positional(v, precision=4, unique=False, fractional=False, trim="-")


# --- what each kind of map does to the histogram ------------------------------------------------

_KIND_EFFECT = {  # what one map of each kind does; a singular verb phrase
    "affine": "keeps the histogram's shape: every bin moves and stretches alike",
    "clipping": (
        "is affine between two bounds and sets every value beyond a bound to it: the tails pile "
        "up at the bounds"
    ),
    "log": (
        "is a fixed monotone curve, the same for every image with the same range: it keeps the "
        "order of intensities but bends the histogram"
    ),
    "cdf": "builds its map from the image's own cumulative histogram (CDF)",
}
_KIND_DETAIL = {
    "affine": "x' = a·x + b with a > 0 on every channel.",
    "clipping": "Between the bounds x' = a·x + b; the histogram gets a spike at each bound.",
    "log": "Dark values spread out, bright ones crowd together.",
    "cdf": "Every image gets its own map, which reshapes the histogram.",
}
assert set(_KIND_EFFECT) == set(KINDS) == set(_KIND_DETAIL)


def _titles(kind: str) -> str:
    names = [t.title.split(" (")[0] for t in TECHNIQUES.values() if t.kind == kind]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def definition() -> str:
    """Return the page's definition of normalization, built from the registry's kinds."""
    return (
        "A **normalization** maps intensities with a formula fixed in advance, whose few "
        "parameters (min and max, mean and std, percentiles) come from the image or a dataset. "
        f"Only the affine ones ({_titles('affine')}) "
        f"{_KIND_EFFECT['affine'].replace('keeps', 'keep', 1)}. "
        f"Clipping ({_titles('clipping')}) {_KIND_EFFECT['clipping']}. "
        f"Log scaling {_KIND_EFFECT['log']}. **Equalization-type** methods ({_titles('cdf')}) "
        f"are not normalizations: each {_KIND_EFFECT['cdf']}, so every image gets its own map. "
        "Pick an image and a technique, and compare the picture, the per-channel histograms "
        "(dotted: cumulative) and the transfer curve before and after. Each channel's curves "
        f"carry its name and a line style of their own ({line_legend(('R', 'G', 'B'))})."
    )


def kind_note(key: str) -> Note:
    """Return what technique ``key``'s kind of map does to the histogram (warning for "cdf")."""
    t = TECHNIQUES[key]
    text = f"**{t.title}** {_KIND_EFFECT[t.kind]}. {_KIND_DETAIL[t.kind]}"
    if t.kind != "cdf":
        return Note("info", text)
    if key == "clahe":
        more = (
            "It is local: each tile gets its own map, so one input value maps to different "
            "outputs in different places."
        )
    else:
        more = "The map is monotone but not affine."
    return Note("warning", f"**Not a normalization.** {text} {more}")


def home_blurb() -> str:
    """Return the home page's description of the image lesson, built from the registry."""
    return (
        f"Upload a photo (or pick a sample) and apply {len(TECHNIQUES)} techniques to it. See the "
        "picture, per-channel histograms and the transfer curve before and after: which maps keep "
        f"the histogram's shape ({_titles('affine')}), which pile values at bounds "
        f"({_titles('clipping')}), which bend it ({_titles('log')}), and why the ones built from "
        f"the image's own CDF ({_titles('cdf')}) are **not** normalizations."
    )


# --- formulas -----------------------------------------------------------------------------------


def _lhs(channel: str, var: str = "x'") -> str:
    return var if channel == "all" else rf"{var}_{{\mathrm{{{channel}}}}}"


def _terms(values: np.ndarray, names: Sequence[str]) -> list[tuple[str, np.ndarray]]:
    """One term for all channels if every row of ``values`` (C, k) is the same, else one each."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape[0] == 1 or np.all(values == values[0]):
        return [("all", values[0])]
    return list(zip(names, values, strict=True))


def _bounds_param(params: dict[str, Any], stats: ImageStats) -> np.ndarray:
    """(C, 2) clip bounds: ``low``/``high`` if given, else from the ``q`` percentiles."""
    c = stats.n_channels
    q = params.get("q", TECHNIQUES["clip"].params["q"])
    b = np.array(cutoff_bounds(stats, q, params.get("per_channel", False)), dtype=np.float64)
    for i, name in enumerate(("low", "high")):
        if params.get(name) is not None:
            b[:, i] = np.broadcast_to(np.asarray(params[name], np.float64).ravel(), (c,))
    return b


def formula(key: str, params: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Formula:
    """Return the formula of technique ``key`` with the numbers it used on this image.

    Parameters
    ----------
    key : str
        A key of :data:`~normviz.intensity.TECHNIQUES`.
    params : dict
        The technique's parameters (defaults filled in from the registry).
    stats : ImageStats
        The statistics the technique was fitted on (the page's full-resolution ones).
    names : sequence of str
        Channel names, one per channel of ``stats``.

    Returns
    -------
    Formula

    Examples
    --------
    >>> from normviz.intensity import image_stats
    >>> s = image_stats(np.array([[10, 20], [30, 50]], np.uint8))
    >>> f = formula("scale", {}, s, ["grey"])
    >>> f.latex
    "x' = 0 + (1 - 0)\\\\,\\\\frac{x - 10}{50 - 10}"
    >>> f.numbers
    ({'lo': '0', 'hi': '1', 'min': '10', 'max': '50'},)
    """
    p = {**TECHNIQUES[key].params, **params}
    parts: list[tuple[str, str, dict[str, str]]] = []  # (channel, latex, numbers)
    tail = ""
    if key == "scale":
        lo, hi = num(p["lo"]), num(p["hi"])
        mins, maxs = scale_bounds(stats, p["per_channel"])
        for ch, (mn, mx) in _terms(np.stack([mins, maxs], axis=1), names):
            if mx <= mn:  # a constant image: no range to stretch; the result is defined as lo
                nums = {"lo": lo, "min": num(mn)}
                tex = rf"{_lhs(ch)} = {lo}\quad(\text{{constant image: }} \max = \min = {num(mn)})"
            else:
                nums = {"lo": lo, "hi": hi, "min": num(mn), "max": num(mx)}
                tex = (
                    rf"{_lhs(ch)} = {lo} + ({hi} - {lo})\,\frac{{x - {num(mn)}}}"
                    rf"{{{num(mx)} - {num(mn)}}}"
                )
            parts.append((ch, tex, nums))
    elif key == "clip":
        for ch, (low, high) in _terms(_bounds_param(p, stats), names):
            nums = {"low": num(low), "high": num(high)}
            tex = rf"{_lhs(ch)} = \min\big(\max(x,\ {nums['low']}),\ {nums['high']}\big)"
            parts.append((ch, tex, nums))
    elif key == "log":
        shift, top = log_constants(stats)
        if top <= 0:
            parts.append(("all", r"x' = 0\quad(\text{maximum} \le 0)", {}))
        else:
            nums = {"top": num(top)} | ({"shift": num(shift)} if shift < 0 else {})
            arg = f"x - ({nums['shift']})" if shift < 0 else "x"
            tex = rf"x' = \frac{{\ln(1 + {arg})}}{{\ln(1 + {nums['top']})}}"
            parts.append(("all", tex, nums))
    elif key == "zscore":
        mean, std = zscore_moments(stats, p["per_channel"])
        chans = list(names) if p["per_channel"] else ["all"]
        for ch, mu, sd in zip(chans, mean, std, strict=True):
            if sd > 0:
                nums = {"mean": num(mu), "std": num(sd)}
                tex = rf"{_lhs(ch, 'z')} = \frac{{x - {nums['mean']}}}{{{nums['std']}}}"
            else:
                nums, tex = {}, rf"{_lhs(ch, 'z')} = 0\ (\text{{std}} = 0)"
            parts.append((ch, tex, nums))
        if not p["per_channel"] and len(names) > 1:
            tail = r"\qquad(\text{mean and std of all channels pooled})"
    elif key == "equalize":
        luma = p["mode"] == "luminance" and stats.n_channels != 1
        s = luma_stats(stats) if luma else stats
        chans = ["Y"] if luma else list(names)
        for ch, row in zip(chans, s.fine.counts, strict=True):
            nz = np.flatnonzero(row)
            var = "Y" if luma else "x"
            lhs = _lhs("all" if len(chans) == 1 else ch, var + "'")
            cdf = (
                rf"\mathrm{{cdf}}_{{\mathrm{{{ch}}}}}({var})"
                if len(chans) > 1
                else (rf"\mathrm{{cdf}}({var})")
            )
            n = str(int(row.sum()))
            if nz.size <= 1:
                parts.append((ch, rf"{lhs} = 0\quad(\text{{constant}})", {}))
            elif s.is_integer:
                h = str(int(row[nz[0]]))
                tex = rf"{lhs} = \frac{{{cdf} - {h}}}{{{n} - {h}}}"
                parts.append((ch, tex, {"N": n, "cdf_min": h}))
            else:
                tex = rf"{lhs} = \frac{{{cdf}}}{{{n}}}"
                parts.append((ch, tex, {"N": n}))
        what = (
            r"\mathrm{cdf}(v) = \#\{\text{pixels} \le v\}"
            if s.is_integer
            else r"\mathrm{cdf}\ \text{interpolated between "
            + str(s.fine.counts.shape[1])
            + r" bins}"
        )
        tail = rf",\qquad {what}"
        if luma:
            tail += r",\qquad x'_c = \min\big(1,\ x_c\,Y'/Y\big)"
    elif key == "autocontrast":
        cut = tuple(float(c) for c in p["cutoff"])
        b = stretch_bounds(stats, cutoff_bounds(stats, cut, p["per_channel"]))
        for ch, (lo, hi) in _terms(b, names):
            if hi <= lo:
                parts.append((ch, rf"{_lhs(ch)} = 0\quad(\text{{constant}})", {}))
                continue
            nums = {"lo": num(lo), "hi": num(hi)}
            tex = (
                rf"{_lhs(ch)} = \mathrm{{clip}}\Big(\frac{{x - {nums['lo']}}}"
                rf"{{{nums['hi']} - {nums['lo']}}},\ 0,\ 1\Big)"
            )
            parts.append((ch, tex, nums))
        tail = rf"\qquad(p_{{{num(cut[0])}\%}},\ p_{{{num(cut[1])}\%}})"
    elif key == "clahe":
        nums = {"tiles": str(int(p["tiles"])), "clip_limit": num(p["clip_limit"])}
        tex = (
            r"x' = \sum_{t\,\in\,\text{4 nearest of }" + rf"{nums['tiles']} \times {nums['tiles']}"
            r"\text{ tiles}} w_t(\mathbf{p})\,\mathrm{cdf}_t(x),\quad \text{each tile's histogram "
            rf"clipped at }} {nums['clip_limit']} \times \text{{its pixels}}"
        )
        parts.append(("all", tex, nums))
    else:
        tex = r"x' = \mathrm{cdf}_{\mathrm{ref}}^{-1}\big(\mathrm{cdf}(x)\big)"
        parts.append(("all", tex, {}))
    latex = r",\qquad ".join(t for _, t, _ in parts) + tail
    return Formula(latex, tuple(c for c, _, _ in parts), tuple(n for _, _, n in parts))


# --- code snippets ------------------------------------------------------------------------------


def _py(v: float) -> str:
    """A float as Python source, at most 6 significant digits."""
    return np.format_float_positional(
        float(v), precision=6, unique=True, fractional=False, trim="0"
    )


class ImageFile(NamedTuple):
    """An image file as a snippet opens it: its name and what the page decoded from it.

    Attributes
    ----------
    name : str
        The file name the code opens (an upload's own name, a sample's file name).
    dtype : str
        The dtype the page decoded: "uint8", "uint16" or "float32".
    channels : int
        1 (grey) or 3 (colour): alpha is kept aside by the page, and dropped here too.
    """

    name: str
    dtype: str
    channels: int


def _load(var: str, f: ImageFile) -> str:
    """The line that reads ``f`` as the page does (:func:`normviz.io.read_image`), into ``var``.

    Pillow's modes are brought to the page's arrays: palette, 1-bit, CMYK and alpha images to
    RGB or L (``convert``), 16-bit grey to uint16, 32-bit float to float32; the EXIF
    orientation is applied (``exif_transpose``). Pillow reads 16-bit colour PNG at 8 bits only,
    so that case reads it with OpenCV (``cv2``, BGR order reversed).
    """
    src = repr(f.name)
    shape = "(H, W)" if f.channels == 1 else f"(H, W, {f.channels})"
    note = f"   # {shape} {f.dtype}"
    opened = f"ImageOps.exif_transpose(Image.open({src}))"
    if f.dtype == "uint8":
        mode = "RGB" if f.channels == 3 else "L"
        return f'{var} = np.asarray({opened}.convert("{mode}")){note}\n'
    if f.dtype == "uint16" and f.channels == 1:
        return f"{var} = np.asarray({opened}).astype(np.uint16){note}\n"
    if f.dtype == "uint16":
        return (
            "import cv2   # Pillow reads 16-bit colour PNG at 8 bits only\n"
            f"{var} = cv2.imread({src}, cv2.IMREAD_UNCHANGED)[..., 2::-1]{note}\n"
        )
    return f"{var} = np.asarray({opened}, dtype=np.float32){note}\n"


def _header(f: ImageFile, reference: ImageFile | None = None) -> str:
    head = "import numpy as np\nfrom PIL import Image, ImageOps\n\n" + _load("img", f)
    return head + (_load("reference", reference) if reference is not None else "") + "\n"


def _clip_bounds_code(p: dict[str, Any], n_channels: int) -> str:
    per = bool(p.get("per_channel", False)) and n_channels > 1
    how = p.get("_how", "percentiles")
    if how == "percentiles":
        q = p.get("_arg", p.get("q", (1.0, 99.0)))
        qs = f"[{_py(q[0])}, {_py(q[1])}]"
        if per:
            return f"low, high = np.percentile(img.reshape(-1, {n_channels}), {qs}, axis=0)\n"
        return f"low, high = np.percentile(img, {qs})\n"
    if how == "mean ± k·std":
        k = _py(p["_arg"])
        if per:
            return (
                f"m, s = img.mean(axis=(0, 1)), img.std(axis=(0, 1))   # per channel\n"
                f"low, high = m - {k} * s, m + {k} * s\n"
            )
        return f"m, s = img.mean(), img.std()\nlow, high = m - {k} * s, m + {k} * s\n"
    low = np.atleast_1d(np.asarray(p["low"], np.float64))
    high = np.atleast_1d(np.asarray(p["high"], np.float64))
    if np.all(low == low[0]) and np.all(high == high[0]):
        return f"low, high = {_py(low[0])}, {_py(high[0])}\n"
    lows = ", ".join(_py(v) for v in low)
    highs = ", ".join(_py(v) for v in high)
    return f"low, high = np.array([{lows}]), np.array([{highs}])\n"


def _sig4(v: float) -> str:
    """4 significant digits, positional (0.6218, 0.005510)."""
    return np.format_float_positional(float(v), precision=4, unique=False, fractional=False)


def _torch_part(mean: np.ndarray, std: np.ndarray, dtype: str) -> str:
    full = DTYPE_FULL.get(dtype)
    if dtype == "uint8":
        note, scale = "# to [0, 1], as torchvision's ToTensor() does for uint8", " / 255.0"
    elif full is not None:
        note = f"# to [0, 1]: ToTensor() rescales only uint8, so divide {dtype} yourself"
        scale = f" / {full:.1f}"
    else:
        note, scale = "# float data used as it is (ToTensor() does not rescale floats)", ""
        full = 1.0
    means = ", ".join(_sig4(m / full) for m in mean)
    stds = ", ".join(_sig4(s / full) for s in std)
    return (
        "\n# The same in PyTorch on a (C, H, W) tensor, with this image's statistics:\n"
        "import torch\n\n"
        f"{note}\n"
        f"t = torch.from_numpy(np.atleast_3d(img).astype(np.float32)).permute(2, 0, 1){scale}\n"
        f"mean = torch.tensor([{means}])\n"
        f"std = torch.tensor([{stds}])\n"
        "out_t = (t - mean[:, None, None]) / std[:, None, None]"
        "   # = transforms.Normalize(mean, std)(t)\n"
    )


def _match_loop(dtype: str, stats: ImageStats) -> str:
    """The per-channel matching loop: exact levels for integer images; for float ones the
    binned distribution the page fits (``stats.fine``: its bins over [min, max]), each occupied
    bin's centre mapped, values in between interpolated (``intensity._transfer.match_map``)."""
    ref = (
        "    ref, n_ref = np.unique(r[..., c % r.shape[2]], return_counts=True)\n"
        "    q_ref = np.cumsum(n_ref) / n_ref.sum()\n"
    )
    if dtype in DTYPE_FULL:
        return (
            "out = np.empty(x.shape)\n"
            "for c in range(x.shape[2]):\n"
            "    src, idx, n_src = np.unique(x[..., c].ravel(), return_inverse=True, "
            "return_counts=True)\n" + ref + "    q_src = np.cumsum(n_src) / n_src.sum()\n"
            "    out[..., c] = np.interp(q_src, q_ref, ref)[idx].reshape(x.shape[:2])\n"
        )
    bins = stats.fine.counts.shape[1]
    return (
        "lo, hi = x.min(), x.max()\n"
        "out = np.empty(x.shape)\n"
        "for c in range(x.shape[2]):\n"
        f"    counts, edges = np.histogram(x[..., c], bins={bins}, range=(lo, hi))\n"
        "    nz = np.flatnonzero(counts)   # occupied bins, mapped at their centres\n"
        "    centres = (edges[nz] + edges[nz + 1]) / 2\n"
        "    q_src = (np.cumsum(counts) / counts.sum())[nz]\n"
        + ref
        + "    out[..., c] = np.interp(x[..., c], centres, np.interp(q_src, q_ref, ref))\n"
    )


def snippet(
    key: str,
    params: dict[str, Any],
    stats: ImageStats,
    dtype: str,
    file: str = "image.png",
    reference: ImageFile | None = None,
) -> str:
    """Return runnable NumPy (and, for z-scores, PyTorch) code for technique ``key``.

    The code runs as shown in a fresh interpreter, in the folder that holds the image file
    ``file`` (and, for "match", the ``reference`` file): it imports what it uses, reads
    ``img`` (dtype ``dtype``, ``stats.n_channels`` channels) as the page does, and leaves the
    result in ``out`` (float64, ``img``'s shape; z-score also ``out_t``, a (C, H, W) tensor).
    ``params`` may carry the page's ``_how``/``_arg`` (how clip bounds were chosen:
    "percentiles" with q, "mean ± k·std" with k, or "manual") and ``_grey`` (matching a grey
    image to a colour reference's luminance).

    Examples
    --------
    >>> from normviz.intensity import image_stats
    >>> img = np.array([[10, 20], [30, 50]], np.uint8)
    >>> code = snippet("scale", {}, image_stats(img), "uint8", file="tiny.png")
    >>> print(code.split(chr(10))[3])
    img = np.asarray(ImageOps.exif_transpose(Image.open('tiny.png')).convert("L"))   # (H, W) uint8
    """
    p = {**TECHNIQUES[key].params, **params}
    c = stats.n_channels
    if key == "match" and reference is None:
        reference = ImageFile("reference.png", "uint8", c)
    head = _header(ImageFile(file, dtype, c), reference if key == "match" else None)
    if key == "scale":
        axis = "axis=(0, 1)" if p["per_channel"] and c > 1 else ""
        return head + (
            "x = img.astype(np.float64)\n"
            f"lo, hi = {_py(p['lo'])}, {_py(p['hi'])}\n"
            f"mn, mx = x.min({axis}), x.max({axis})\n"
            "span = np.where(mx > mn, mx - mn, 1.0)   # a constant image maps to lo\n"
            "out = lo + (hi - lo) * (x - mn) / span"
        )
    if key == "clip":
        return head + _clip_bounds_code(p, c) + "out = np.clip(img.astype(np.float64), low, high)"
    if key == "log":
        return head + (
            "x = img.astype(np.float64)\n"
            "x = x - min(0.0, x.min())   # shift negative data to start at 0\n"
            "out = np.log1p(x) / np.log1p(x.max())"
        )
    if key == "zscore":
        mean, std = zscore_moments(stats, p["per_channel"])
        axis, what = ("axis=(0, 1)", "per channel") if p["per_channel"] else ("", "all pooled")
        return (
            head
            + (
                "x = img.astype(np.float64)\n"
                f"mean, std = x.mean({axis}), x.std({axis})   # {what}; population std (ddof=0)\n"
                "std = np.where(std > 0, std, 1.0)   # a constant channel gives zeros\n"
                "out = (x - mean) / std\n"
            )
            + _torch_part(mean, std, dtype)
        )
    if key == "equalize":
        if p["mode"] == "luminance" and c == 3 and dtype in DTYPE_FULL:
            return head + (
                "r, g, b = (img[..., i].astype(np.int64) for i in range(3))\n"
                "y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16"
                "   # Rec. 601 luminance, as Pillow's convert('L')\n"
                "cdf = np.cumsum(np.bincount(y.ravel()))   # cdf[v] = pixels with Y <= v\n"
                "cdf_min = cdf[y.min()]\n"
                "y_eq = (cdf[y] - cdf_min) / max(cdf[-1] - cdf_min, 1)\n"
                "ratio = np.divide(y_eq, y, out=np.zeros(y.shape), where=y > 0)\n"
                "out = np.clip(img * ratio[..., None], 0.0, 1.0)   # every channel scaled alike\n"
                "out[y == 0] = y_eq[y == 0][:, None]"
            )
        if dtype in DTYPE_FULL:
            return head + (
                "x = np.atleast_3d(img)\n"
                "out = np.empty(x.shape)\n"
                "for c in range(x.shape[2]):\n"
                "    v = x[..., c]\n"
                "    cdf = np.cumsum(np.bincount(v.ravel()))   # cdf[k] = pixels <= k\n"
                "    cdf_min = cdf[v.min()]   # pixels at the darkest level\n"
                "    out[..., c] = (cdf[v] - cdf_min) / max(cdf[-1] - cdf_min, 1)\n"
                "out = out.reshape(img.shape)"
            )
        bins = stats.fine.counts.shape[1]
        return head + (
            "x = np.atleast_3d(img).astype(np.float64)\n"
            "lo, hi = np.nanmin(x), np.nanmax(x)\n"
            "out = np.empty(x.shape)\n"
            "for c in range(x.shape[2]):\n"
            f"    counts, edges = np.histogram(x[..., c], bins={bins}, range=(lo, hi))\n"
            "    cdf = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()\n"
            "    out[..., c] = np.interp(x[..., c], edges, cdf)\n"
            "out = out.reshape(img.shape)"
        )
    if key == "autocontrast":
        q = f"[{_py(p['cutoff'][0])}, {_py(p['cutoff'][1])}]"
        per = p["per_channel"] and c > 1
        pct = (
            f"np.percentile(x.reshape(-1, {c}), {q}, axis=0)   # per channel"
            if per
            else f"np.percentile(x, {q})"
        )
        return head + (
            "x = img.astype(np.float64)\n"
            f"lo, hi = {pct}\n"
            "out = np.clip((x - lo) / (hi - lo), 0.0, 1.0)"
        )
    if key == "clahe":
        t = int(p["tiles"])
        scaled = (
            "x = np.atleast_3d(img).astype(np.float64)\n"
            "lo, hi = x.min(axis=(0, 1)), x.max(axis=(0, 1))\n"
            "x = (x - lo) / np.where(hi > lo, hi - lo, 1.0)   # floats must lie in [0, 1]\n"
            if dtype not in DTYPE_FULL
            else "x = np.atleast_3d(img)\n"
        )
        return head + (
            "from skimage import exposure   # pip install scikit-image\n\n"
            + scaled
            + f"kernel = (x.shape[0] // {t}, x.shape[1] // {t})   # {t} x {t} tiles\n"
            "# channel by channel: on an RGB array equalize_adapthist would equalize HSV's V only\n"
            "out = np.stack([\n"
            f"    exposure.equalize_adapthist(x[..., c], kernel_size=kernel, "
            f"clip_limit={_py(p['clip_limit'])})\n"
            "    for c in range(x.shape[2])\n"
            "], axis=-1).reshape(img.shape)"
        )
    grey = ""
    if p.get("_grey"):
        grey = (
            "# a grey image is matched to the reference's luminance\n"
            "if reference.ndim == 3:\n"
            "    w = np.array([0.299, 0.587, 0.114], np.float32)\n"
            "    y = reference[..., :3].astype(np.float32) @ w\n"
            "    reference = np.round(y).astype(reference.dtype)\n"
        )
    return (
        head
        + grey
        + (
            "x, r = np.atleast_3d(img), np.atleast_3d(reference)\n"
            + _match_loop(dtype, stats)
            + "out = out.reshape(img.shape)\n"
            "# scikit-image's exposure.match_histograms(img, reference, channel_axis=-1) computes\n"
            "# the same map but converts the result back to img's dtype (uint8 values truncated)"
        )
    )


# --- use, pitfalls and captions -----------------------------------------------------------------

_USE: dict[str, tuple[str, str]] = {
    "scale": (
        "Stretch the range so the darkest value becomes `lo` and the brightest `hi`. Use it to "
        "bring images of different bit depths to one range (e.g. [0, 1] before a network).",
        "One hot pixel or a black border sets min or max, and then the stretch barely changes "
        "the picture: clip percentiles first. A constant image has max = min: it maps to `lo`, "
        "never NaN.",
    ),
    "clip": (
        "Cap outliers at bounds from percentiles, mean ± k·std or by hand. The result stays in "
        "input units; on screen [low, high] is stretched to black..white.",
        "Everything beyond the bounds becomes the bound (the detail there is lost). Bounds from "
        "mean ± k·std are pulled by the very outliers you want to remove; percentiles are robust.",
    ),
    "log": (
        "Compress a high dynamic range (linear sensor data, astronomy, spectra) so faint detail "
        "and bright peaks are visible together.",
        "Negative data is shifted to start at 0 first. On an ordinary 8-bit photo it brightens "
        "the mid-tones and squeezes the bright half of the range into a narrow band at the top: "
        "the image looks washed out.",
    ),
    "zscore": (
        "Subtract the mean and divide by the standard deviation (per channel, or pooled over "
        "the channels): what `transforms.Normalize(mean, std)` does before a network, with the "
        "dataset's statistics.",
        f"The output is unbounded: it is not an image any more, so the page shows z in "
        f"[{num(-Z_DISPLAY)}, {num(Z_DISPLAY)}] as black..white and saturates beyond. Use the "
        "training set's mean/std, not each image's own, or you erase real brightness "
        "differences.",
    ),
    "equalize": (
        "Map each value to its share of pixels at or below it (the CDF, shifted so the darkest "
        "level maps to 0): the histogram becomes as flat as the discrete input allows, which "
        "maximizes global contrast.",
        "Amplifies noise in flat regions; per-channel equalization shifts hues, luminance mode "
        "keeps them.",
    ),
    "autocontrast": (
        "A percentile stretch: values between the two percentiles spread over [0, 1], the tails "
        "are clipped (ImageJ's *auto contrast*, Pillow's `ImageOps.autocontrast`).",
        "Like clipping, the tails are lost. Per-channel mode changes the colour balance (it acts "
        "as an automatic white balance).",
    ),
    "clahe": (
        "Equalize each tile of the image with a clipped histogram and blend the tiles: local "
        "contrast in shadows and highlights at once (microscopy, X-rays, fundus images).",
        "Local: the same input value maps to different outputs in different places, so there "
        "is no transfer curve. A high clip limit amplifies noise; tiles too small create halos.",
    ),
    "match": (
        "Reshape this image's histogram into the reference's: same distribution of intensities, "
        "e.g. to make scans from two scanners look alike.",
        "It needs a sensible reference; it transfers global tone, not local content.",
    ),
}


def use_and_pitfalls(key: str) -> tuple[str, str]:
    """Return ("when to use it", "pitfalls") of technique ``key``."""
    return _USE[key]


def input_display_note(lo: float, hi: float) -> str:
    """Caption of the input picture: its display mapping."""
    return f"Shown linearly: {num(lo)}..{num(hi)} → black..white."


def output_display_note(
    display: tuple[float, float], out_min: float, out_max: float, where: str = "preview"
) -> str:
    """Caption of the output picture: its display mapping and whether any value lies beyond.

    ``out_min``/``out_max`` are the output's extremes (on the ``where`` image).
    """
    lo, hi = display
    text = f"Shown with {num(lo)}..{num(hi)} → black..white."
    eps = 1e-6 * max(1.0, abs(lo), abs(hi))  # outputs are float32: a bound is rounded to it
    if out_min >= lo - eps and out_max <= hi + eps:
        return text + f" Every output value ({num(out_min)}..{num(out_max)}) lies in this range."
    return text + (
        f" The output spans {num(out_min)}..{num(out_max)} on the {where}: values beyond the "
        "range show saturated (shaded in the plots); the data keeps them."
    )


def no_curve_note(key: str) -> str:
    """Text of the empty transfer-curve figure: why technique ``key`` has no curve here."""
    if key == "clahe":
        return "CLAHE is local: no single transfer curve."
    return "No transfer curve for these parameters."


def bar_unit(key: str) -> str:
    """Unit of a technique's unbounded output, for the colour bar."""
    if key == "zscore":
        return "z"
    return "reference units" if key == "match" else "input units"


def stats_caption(full_shape: Sequence[int], preview_shape: Sequence[int]) -> str:
    """Caption of the statistics table: what each half was measured on."""
    fh, fw = full_shape[:2]
    ph, pw = preview_shape[:2]
    after = (
        "the same pixels (the preview is the full image)"
        if (ph, pw) == (fh, fw)
        else f"the {pw} × {ph} screen preview"
    )
    return f"Before: all {fw} × {fh} pixels. After: {after}."


def download_note(lo: float, hi: float) -> str:
    """Caption of the full-resolution download: the mapping its 16-bit PNG stores."""
    return (
        f"The PNG stores the display mapping {num(lo)}..{num(hi)} → 0..65535 (16-bit, values "
        "beyond saturate), computed at full resolution only when you click."
    )


def upload_label() -> str:
    """Label of the file uploader: the formats and the size limit that ``normviz.io`` enforces.

    AVIF is named only where this Pillow reads it (``normviz.io.FORMATS``).
    """
    formats = "BMP, GIF, WebP or AVIF" if "AVIF" in io.FORMATS else "BMP, GIF or WebP"
    return (
        f"Upload an image: PNG, JPEG, TIFF (8/16-bit, float), {formats}, up to "
        f"{io.MAX_BYTES // 2**20} MB"
    )


def npy_note() -> str:
    """Caption of the float32 download: what the ``.npy`` file holds and how to read it."""
    return (
        "The technique's output values themselves, unclipped, as float32 at full resolution "
        "(no display mapping): `np.load(path)` gives the array, shape (height, width[, channels])."
    )


def grid_title(key: str, params: dict[str, Any], reference_title: str = "") -> str:
    """Short title of a comparison-grid tile, with the numbers of its parameters."""
    p = {**TECHNIQUES[key].params, **params}
    if key == "clip":
        q = p.get("_arg", p["q"])
        return f"Clip {num(q[0])}–{num(q[1])} %"
    if key == "zscore":
        return f"Z-score, ±{num(Z_DISPLAY)} shown"
    if key == "autocontrast":
        return f"Auto contrast {num(p['cutoff'][0])}–{num(p['cutoff'][1])} %"
    short = {"scale": "Min-max", "log": "Log", "equalize": "Equalize", "clahe": "CLAHE"}
    if key == "match":
        return "Match" + (f" → {reference_title}" if reference_title else "")
    return short[key]
