"""The image lesson's text, built from data: formulas, code, notes and captions (no streamlit).

Every sentence here that states a number or a behaviour is built from the objects that computed
the result: the technique's entry in :data:`normviz.intensity.TECHNIQUES` (its ``kind`` says what
it does to the histogram), its parameters, and the :class:`~normviz.intensity.ImageStats` it was
fitted on. Each technique's formula and code builders and its texts are linked from its table
entry (``Technique.formula``, ``Technique.snippet``, ``use``, ``short``, ``bar_unit``,
``map_note``, ``no_curve``); this module assembles them and never tests a technique's key.
A formula is returned as a :class:`Formula`: the LaTeX and, term by term, the numbers it shows,
so a test can evaluate it with the shown numbers and compare with ``apply_technique``. Every
code snippet runs as shown once ``img`` (and, for matching, ``reference``) is a numpy array, and
leaves its result in ``out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from normviz import io
from normviz.figures.images import line_legend
from normviz.image_numbers import num
from normviz.intensity import KINDS, TECHNIQUES, Z_DISPLAY, ImageStats
from normviz.literal import literal
from normviz.samples import Sample

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
    "image_caption",
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
    """Return what technique ``key``'s kind of map does to the histogram (warning for "cdf").

    A "cdf" technique's note ends with its entry's ``map_note`` (what its map is).
    """
    t = TECHNIQUES[key]
    text = f"**{t.title}** {_KIND_EFFECT[t.kind]}. {_KIND_DETAIL[t.kind]}"
    if t.kind != "cdf":
        return Note("info", text)
    return Note("warning", f"**Not a normalization.** {text} {t.map_note}")


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


def formula(key: str, params: dict[str, Any], stats: ImageStats, names: Sequence[str]) -> Formula:
    r"""Return the formula of technique ``key`` with the numbers it used on this image.

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
    >>> import numpy as np
    >>> from normviz.intensity import image_stats
    >>> s = image_stats(np.array([[10, 20], [30, 50]], np.uint8))
    >>> f = formula("scale", {}, s, ["grey"])
    >>> f.latex
    "x' = 0 + (1 - 0)\\,\\frac{x - 10}{50 - 10}"
    >>> f.numbers
    ({'lo': '0', 'hi': '1', 'min': '10', 'max': '50'},)
    """
    t = TECHNIQUES[key]
    parts, tail = t.formula({**t.params, **params}, stats, names)
    latex = r",\qquad ".join(t for _, t, _ in parts) + tail
    return Formula(latex, tuple(c for c, _, _ in parts), tuple(n for _, _, n in parts))


# --- code snippets ------------------------------------------------------------------------------


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
    """Return the line reading ``f`` into ``var`` as the page does (:func:`normviz.io.read_image`).

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
    ``file`` (and, for a technique that ``needs_reference`` such as "match", the ``reference``
    file): it imports what it uses, reads
    ``img`` (dtype ``dtype``, ``stats.n_channels`` channels) as the page does, and leaves the
    result in ``out`` (float64, ``img``'s shape; z-score also ``out_t``, a (C, H, W) tensor).
    ``params`` may carry the page's ``_how``/``_arg`` (how clip bounds were chosen:
    "percentiles" with q, "mean ± k·std" with k, or "manual") and ``_grey`` (matching a grey
    image to a colour reference's luminance).

    Examples
    --------
    >>> import numpy as np
    >>> from normviz.intensity import image_stats
    >>> img = np.array([[10, 20], [30, 50]], np.uint8)
    >>> code = snippet("scale", {}, image_stats(img), "uint8", file="tiny.png")
    >>> print(code.split(chr(10))[3])
    img = np.asarray(ImageOps.exif_transpose(Image.open('tiny.png')).convert("L"))   # (H, W) uint8
    """
    t = TECHNIQUES[key]
    c = stats.n_channels
    if t.needs_reference and reference is None:
        reference = ImageFile("reference.png", "uint8", c)
    head = _header(ImageFile(file, dtype, c), reference if t.needs_reference else None)
    return head + t.snippet({**t.params, **params}, stats, dtype)


# --- use, pitfalls and captions -----------------------------------------------------------------


def use_and_pitfalls(key: str) -> tuple[str, str]:
    """Return ("when to use it", "pitfalls") of technique ``key`` (its entry's ``use``)."""
    return TECHNIQUES[key].use


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
    """Text of the empty transfer-curve figure: why technique ``key`` has no curve here.

    The entry's ``no_curve`` (e.g. CLAHE is local).
    """
    return TECHNIQUES[key].no_curve


def bar_unit(key: str) -> str:
    """Return the unit of a technique's unbounded output, for the colour bar (``bar_unit``)."""
    return TECHNIQUES[key].bar_unit


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


def image_caption(name: str, shape: Sequence[int], dtype: str, sample: Sample | None = None) -> str:
    r"""Return the caption under the image picker: its name, size, channels and dtype.

    For a sample, also what it is good for, its licence and its source. ``name`` is escaped (it
    may be an upload's).

    Examples
    --------
    >>> print(image_caption("a*b.png", (48, 64, 3), "uint16"))
    **a\*b\.png**: 64 × 48 px, 3 channel(s), uint16.
    """
    h, w = shape[:2]
    n = shape[2] if len(shape) == 3 else 1
    text = f"**{literal(name)}**: {w} × {h} px, {n} channel(s), {dtype}."
    if sample is not None:
        s = sample
        text += f" {s.good_for} *Licence: {s.licence}. Source: {s.source.rstrip('.')}.*"
    return text


def npy_note() -> str:
    """Caption of the float32 download: what the ``.npy`` file holds and how to read it."""
    return (
        "The technique's output values themselves, unclipped, as float32 at full resolution "
        "(no display mapping): `np.load(path)` gives the array, shape (height, width[, channels])."
    )


def grid_title(key: str, params: dict[str, Any], reference_title: str = "") -> str:
    """Short title of a comparison-grid tile, with the numbers of its parameters.

    The entry's ``short(p, reference_title)``, else its title up to the first " (".
    """
    t = TECHNIQUES[key]
    if t.short is None:
        return t.title.split(" (")[0]
    return t.short({**t.params, **params}, reference_title)
