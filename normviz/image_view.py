"""What the image page shows, computed without Streamlit: prepared images, results, the grid.

The page (``pages/images.py`` with ``pages/_image_widgets.py``) only caches these functions and
places what they return. Heavy work runs once per image (:func:`prepare_image`: full-resolution
statistics, a work preview of at most :data:`WORK_SIDE` pixels, its JPEG); each interaction
applies the technique to the preview with the full-resolution statistics (``stats=``,
:func:`compute_result`), so it costs the same at 0.3 or 24 MP.

The page's parameters of a technique are the keyword arguments of
:func:`normviz.intensity.apply_technique` plus notes whose names start with ``_`` (how clip
bounds were chosen, ``_grey`` for matching a grey image) and ``reference``, a sample key, whose
prepared image is passed separately as ``ref``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any, NamedTuple

import numpy as np

from normviz import intensity, io
from normviz.figures.images import stats_rows
from normviz.image_text import ImageFile

__all__ = [
    "THUMB_SIDE",
    "WORK_SIDE",
    "Prepared",
    "Result",
    "Summary",
    "apply",
    "clip_marks",
    "code_files",
    "compute_result",
    "content_hash",
    "curve_of",
    "curve_y_range",
    "default_params",
    "display_range",
    "frozen_params",
    "full_png",
    "grey_reference",
    "grid_tile",
    "image_defaults",
    "input_range",
    "match_params",
    "npy_bytes",
    "prepare_image",
    "references",
    "stats_table",
    "summarize",
    "technique_kwargs",
    "technique_params",
    "to_display",
]

WORK_SIDE = 1024
"""Longest side of the preview the page computes on and shows."""
THUMB_SIDE = 240
"""Longest side of the comparison-grid thumbnails."""


class Prepared(NamedTuple):
    """What the page keeps of one image: everything but the full-resolution pixels.

    Attributes
    ----------
    name : str
        The file name or sample key.
    shape : tuple of int
        The full image's shape, (H, W) or (H, W, C).
    dtype : str
        "uint8", "uint16" or "float32".
    notes : tuple of str
        What decoding changed (from :class:`normviz.io.DecodedImage`).
    stats : ImageStats
        Full-resolution statistics.
    preview : (h, w[, C]) array, the image's dtype
        At most :data:`WORK_SIDE` pixels on its longest side.
    thumb : (h, w[, C]) array, the image's dtype
        At most :data:`THUMB_SIDE` pixels on its longest side.
    jpeg : bytes
        The preview shown with the input's natural display range.
    input_range : (float, float)
        That display range (:func:`input_range`).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    notes: tuple[str, ...]
    stats: intensity.ImageStats
    preview: np.ndarray
    thumb: np.ndarray
    jpeg: bytes
    input_range: tuple[float, float]


class Summary(NamedTuple):
    """Per-channel min, max, mean and population std of an output.

    Attributes
    ----------
    minimum, maximum, mean, std : (C,) float64 arrays
    """

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray


class Result(NamedTuple):
    """One technique applied to the preview, ready to show.

    Attributes
    ----------
    jpeg : bytes
        The output mapped ``display`` -> black..white.
    hist : Histogram
        Of the output, 256 bins over ``display``.
    stats : Summary
        Of the output preview.
    display : (float, float)
        Output values shown black..white (``lo < hi``).
    curve : TransferCurve or None
        The technique's map on this image (None for CLAHE).
    """

    jpeg: bytes
    hist: intensity.Histogram
    stats: Summary
    display: tuple[float, float]
    curve: intensity.TransferCurve | None


def content_hash(data: bytes) -> str:
    """Return a 32-hex-digit BLAKE2b content hash of an upload's bytes.

    Examples
    --------
    >>> content_hash(b"abc") == hashlib.blake2b(b"abc", digest_size=16).hexdigest()
    True
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def input_range(dtype: np.dtype | str, stats: intensity.ImageStats) -> tuple[float, float]:
    """Return the natural display range of an input: its dtype range, or [min, max] for floats.

    A constant float image gets ``[min, min + 1]`` (never an empty range).

    Examples
    --------
    >>> s = intensity.image_stats(np.array([[0.5, 2.0]], np.float32))
    >>> input_range("uint8", s), input_range("uint16", s), input_range("float32", s)
    ((0.0, 255.0), (0.0, 65535.0), (0.5, 2.0))
    """
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return 0.0, 255.0
    if dtype == np.uint16:
        return 0.0, 65535.0
    lo, hi = float(np.min(stats.minimum)), float(np.max(stats.maximum))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def to_display(img: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map ``[lo, hi]`` linearly to uint8 ``[0, 255]``; values beyond saturate, NaN is 0.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array, any real dtype
    lo, hi : float
        The values shown black and white.

    Returns
    -------
    uint8 array of ``img``'s shape, ``round(255 * clip((x - lo) / (hi - lo), 0, 1))``

    Examples
    --------
    >>> to_display(np.array([[-1.0, 0.0, 0.5, 1.0, 9.0, np.nan]]), 0.0, 1.0)
    array([[  0,   0, 128, 255, 255,   0]], dtype=uint8)
    """
    scaled = (np.asarray(img, dtype=np.float32) - np.float32(lo)) / np.float32(max(hi - lo, 1e-12))
    # clip maps -inf/+inf to 0/1; NaN set to 0 in place (np.nan_to_num took 3x longer here)
    np.clip(scaled, 0.0, 1.0, out=scaled)
    np.copyto(scaled, 0.0, where=np.isnan(scaled))
    return io.to_display_uint8(scaled)


def prepare_image(name: str, decoded: io.DecodedImage, quality: int = 88) -> Prepared:
    """Return the :class:`Prepared` form of a decoded image (statistics, previews, JPEG).

    Examples
    --------
    >>> px = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> p = prepare_image("ramp", io.read_image(io.encode_png(px)))
    >>> p.shape, p.dtype, p.input_range, p.preview.shape
    ((3, 4), 'uint8', (0.0, 255.0), (3, 4))
    """
    pixels = decoded.pixels
    stats = intensity.image_stats(pixels)
    preview = io.make_preview(pixels, WORK_SIDE)
    lo, hi = input_range(pixels.dtype, stats)
    jpeg = io.encode_jpeg(to_display(preview, lo, hi), quality=quality)
    return Prepared(
        name, pixels.shape, str(pixels.dtype), decoded.notes, stats, preview,
        io.make_preview(preview, THUMB_SIDE), jpeg, (lo, hi),
    )  # fmt: skip


def grey_reference(decoded: io.DecodedImage) -> io.DecodedImage:
    """Return a colour image as its Rec. 601 luminance, rounded, in its own dtype.

    ``round(R, G, B @ LUMA_WEIGHTS)`` in float32 (:data:`normviz.intensity.LUMA_WEIGHTS`), alpha
    dropped; a grey image is returned as is. The grey reference a grey image is matched to.

    Examples
    --------
    >>> d = io.read_image(io.encode_png(np.array([[[255, 0, 0], [0, 0, 255]]], np.uint8)))
    >>> grey_reference(d).pixels
    array([[76, 29]], dtype=uint8)
    """
    px = decoded.pixels
    if px.ndim != 3:
        return decoded
    y = px[..., :3].astype(np.float32) @ np.array(intensity.LUMA_WEIGHTS, np.float32)
    return decoded._replace(pixels=np.round(y).astype(px.dtype))


def summarize(out: np.ndarray) -> Summary:
    """Return the :class:`Summary` of a finite float output (cheaper than ``image_stats``).

    Parameters
    ----------
    out : (H, W) or (H, W, C) float array, finite

    Examples
    --------
    >>> summarize(np.array([[0.0, 2.0], [4.0, 6.0]], np.float32))
    Summary(minimum=array([0.]), maximum=array([6.]), mean=array([3.]), std=array([2.23606798]))
    """
    # One contiguous row per channel: NumPy reduces (N, 3) along axis 0 ~30x slower (70 ms on a
    # 600 x 400 colour preview, most of a setting change's server time).
    rows = np.ascontiguousarray(np.moveaxis(out, -1, 0)) if out.ndim == 3 else out[None]
    rows = rows.reshape(rows.shape[0], -1)
    mean = rows.mean(axis=1, dtype=np.float64)
    std = np.sqrt(np.maximum(np.mean(np.square(rows, dtype=np.float64), axis=1) - mean**2, 0.0))
    return Summary(rows.min(axis=1).astype(np.float64), rows.max(axis=1).astype(np.float64),
                   mean, std)  # fmt: skip


def display_range(
    key: str, params: Mapping[str, Any], prep: Prepared, ref: Prepared | None = None
) -> tuple[float, float]:
    """Return the output interval shown black..white for technique ``key`` (``lo < hi``).

    The technique's ``display`` rule (:data:`~normviz.intensity.DISPLAYS`) picks it:
    "params_lo_hi" (min-max scaling) its ``[lo, hi]``; "clip_bounds" (clipping)
    ``[min low, max high]``; "z_display" (z-score) ``[-Z_DISPLAY, Z_DISPLAY]``; "reference"
    (matching) the reference's input range; otherwise the technique's ``output_range``, or the
    input's range for an output in input units.

    Examples
    --------
    >>> p = prepare_image("x", io.read_image(io.encode_png(np.array([[0, 9]], np.uint8))))
    >>> display_range("scale", {"lo": -1.0, "hi": 1.0}, p), display_range("zscore", {}, p)
    ((-1.0, 1.0), (-3.0, 3.0))
    >>> display_range("clip", {"low": 5.0, "high": 5.0}, p)  # a constant image: widened
    (5.0, 6.0)
    """
    lo, hi = _display_range(key, params, prep, ref)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def _display_range(key, params, prep, ref) -> tuple[float, float]:
    t = intensity.TECHNIQUES[key]
    if t.display == "params_lo_hi":
        return float(params["lo"]), float(params["hi"])
    if t.display == "clip_bounds":
        return float(np.min(params["low"])), float(np.max(params["high"]))
    if t.display == "z_display":
        return -intensity.Z_DISPLAY, intensity.Z_DISPLAY
    if t.display == "reference" and ref is not None:
        return ref.input_range
    out = t.output_range
    return (float(out[0]), float(out[1])) if out is not None else prep.input_range


def curve_y_range(key: str, display: tuple[float, float]) -> tuple[float, float] | None:
    """Return the transfer curve's output axis range for technique ``key``, or None (free).

    None when the technique's ``display`` rule is "clip_bounds" or "z_display" (outputs in input
    units or unbounded: the axis follows the curve); else ``display`` padded by 3 % each side.

    Examples
    --------
    >>> curve_y_range("scale", (0.0, 1.0)), curve_y_range("clip", (5.0, 9.0))
    ((-0.03, 1.03), None)
    """
    if intensity.TECHNIQUES[key].display in ("clip_bounds", "z_display"):
        return None
    lo, hi = display
    pad = 0.03 * (hi - lo)
    return lo - pad, hi + pad


def frozen_params(params: Mapping[str, Any]) -> tuple:
    """Return a hashable copy of the page's params, numbers rounded to 9 decimals (a cache key).

    Examples
    --------
    >>> frozen_params({"q": (1.0, 99.0), "_how": "percentiles", "low": np.array([0.1 + 0.2])})
    (('_how', 'percentiles'), ('low', (0.3,)), ('q', (1.0, 99.0)))
    """
    return tuple((k, v if isinstance(v, str) else _rounded(v)) for k, v in sorted(params.items()))


def _rounded(v: Any) -> float | tuple:
    r = np.round(np.asarray(v, dtype=float), 9).tolist()
    return tuple(r) if isinstance(r, list) else r


def stats_table(
    before: intensity.ImageStats | Summary, after: Summary, names: Sequence[str]
) -> list[dict[str, Any]]:
    """Return the page's statistics table: per channel a "before" row, then an "after" row.

    Each row has ``channel`` ("R before", "R after", ...) and min, max, mean and std rounded to
    4 decimals (``-0.0`` shown as ``0.0``).

    Examples
    --------
    >>> s = summarize(np.array([[0.0, 2.0]], np.float32))
    >>> stats_table(s, s._replace(maximum=np.array([1.23456])), ["grey"])[1]
    {'channel': 'grey after', 'min': 0.0, 'max': 1.2346, 'mean': 1.0, 'std': 1.0}
    """
    return [
        {"channel": f"{b['channel']} {when}",
         **{k: round(v, 4) + 0.0 for k, v in r.items() if k != "channel"}}
        for b, a in zip(stats_rows(before, None, names), stats_rows(after, None, names),
                        strict=True)
        for when, r in (("before", b), ("after", a))
    ]  # fmt: skip


def clip_marks(key: str, params: Mapping[str, Any]) -> dict[str, float] | None:
    """Return the clip bounds to mark on the input histogram, ``{"low": ..., "high": ...}``.

    The lowest ``low`` and highest ``high`` over the channels, for a technique whose display
    rule is "clip_bounds"; None for another technique.

    Examples
    --------
    >>> clip_marks("clip", {"low": np.array([3.0, 1.0]), "high": np.array([9.0, 8.0])})
    {'low': 1.0, 'high': 9.0}
    >>> clip_marks("scale", {"lo": 0.0, "hi": 1.0}) is None
    True
    """
    if intensity.TECHNIQUES[key].display != "clip_bounds":
        return None
    return {"low": float(np.min(params["low"])), "high": float(np.max(params["high"]))}


def technique_kwargs(params: Mapping[str, Any], ref: Prepared | None = None) -> dict[str, Any]:
    """Return the keyword arguments of ``apply_technique``: the page's params without its notes.

    Notes (``_*``) and the sample key ``reference`` are dropped; a prepared ``ref`` adds its
    preview and full-resolution statistics.

    Examples
    --------
    >>> technique_kwargs({"q": (1.0, 99.0), "_how": "percentiles", "reference": "coffee"})
    {'q': (1.0, 99.0)}
    """
    kwargs = {k: v for k, v in params.items() if k != "reference" and not k.startswith("_")}
    if ref is not None:
        kwargs.update(reference=ref.preview, reference_stats=ref.stats)
    return kwargs


def apply(
    key: str,
    img: np.ndarray,
    params: Mapping[str, Any],
    ref: Prepared | None = None,
    stats: intensity.ImageStats | None = None,
) -> np.ndarray:
    """Apply technique ``key`` with the page's params to ``img``: a float32 array of its shape."""
    return intensity.apply_technique(key, img, stats=stats, **technique_kwargs(params, ref))


def curve_of(
    key: str, prep: Prepared, params: Mapping[str, Any], ref: Prepared | None = None
) -> intensity.TransferCurve | None:
    """Return the technique's transfer curve on this image, or None (CLAHE, or not available)."""
    kwargs = technique_kwargs(params)
    if ref is not None:
        kwargs["reference_stats"] = ref.stats
    try:
        return intensity.transfer_curve(key, prep.stats, **kwargs)
    except (ValueError, TypeError, KeyError):
        return None


def compute_result(
    key: str, prep: Prepared, params: Mapping[str, Any], ref: Prepared | None = None
) -> Result:
    """Apply the technique on the preview with the full-resolution statistics: a :class:`Result`."""
    out = apply(key, prep.preview, params, ref, stats=prep.stats)
    lo, hi = display_range(key, params, prep, ref)
    hist = intensity.histogram(out, bins=256, value_range=(lo, hi))
    return Result(
        io.encode_jpeg(to_display(out, lo, hi), quality=88), hist, summarize(out), (lo, hi),
        curve_of(key, prep, params, ref),
    )  # fmt: skip


def references(prep: Prepared, channels: Mapping[str, int]) -> list[str]:
    """Return the samples usable as a histogram-matching reference for ``prep`` (not itself).

    A grey image can match any sample (colour ones through their luminance, see
    :func:`match_params`); a colour image only the samples with as many channels.

    Parameters
    ----------
    prep : Prepared
    channels : mapping of str to int
        Each sample's number of channels, in the samples' order.
    """
    n_ch = prep.stats.n_channels
    return [k for k, c in channels.items() if k != prep.name and (n_ch == 1 or c == n_ch)]


def match_params(prep: Prepared, ref: str) -> dict[str, Any]:
    """Return the parameters of a histogram match of ``prep`` onto sample ``ref``.

    ``_grey`` says a grey image is matched to the reference's luminance.
    """
    return intensity.TECHNIQUES["match"].from_controls({"reference": ref}, prep)


def image_defaults(prep: Prepared, refs: list[str] | None = None) -> dict[str, Any]:
    """Return the defaults the image decides: manual clip bounds and the matching reference.

    ``low``/``high`` are the input's display range (:func:`input_range`), ``reference`` the
    first of ``refs`` (None without one).

    Examples
    --------
    >>> p = prepare_image("x", io.read_image(io.encode_png(np.array([[0, 9]], np.uint16))))
    >>> image_defaults(p, ["coffee"])
    {'low': 0.0, 'high': 65535.0, 'reference': 'coffee'}
    """
    lo, hi = prep.input_range
    return {"low": lo, "high": hi, "reference": refs[0] if refs else None}


def technique_params(key: str, values: dict[str, Any], prep: Prepared) -> dict[str, Any]:
    """Return the page's params of technique ``key`` from its controls' ``values``.

    Lists (a slider's pair) become tuples; a technique with ``from_controls`` in its table entry
    turns them into its params, the others take them as they are. Min-max scaling keeps
    ``hi > lo`` (``hi = lo + 1`` otherwise); clipping turns its bounds choice into
    ``low``/``high`` in input units (percentiles or ``mean ± k·std`` fitted on the
    full-resolution statistics, or the typed values, with ``high >= low + 1e-6``) and notes how
    (``_how``, ``_arg``); matching adds ``_grey``.

    Parameters
    ----------
    key : str
        A key of :data:`~normviz.intensity.TECHNIQUES`.
    values : dict
        Each shown control's value, by ``ParamSpec.name``.
    prep : Prepared
        The image they apply to.

    Examples
    --------
    >>> p = prepare_image("x", io.read_image(io.encode_png(np.arange(101, dtype=np.uint8)[None])))
    >>> technique_params("scale", {"lo": 2.0, "hi": 1.0}, p)
    {'lo': 2.0, 'hi': 3.0}
    >>> c = technique_params("clip", {"bounds": "percentiles", "q": [5.0, 95.0]}, p)
    >>> float(c["low"]), float(c["high"]), c["_how"], c["_arg"]
    (5.0, 95.0, 'percentiles', (5.0, 95.0))
    >>> technique_params("autocontrast", {"cutoff": [2.0, 98.0], "per_channel": False}, p)
    {'cutoff': (2.0, 98.0), 'per_channel': False}
    """
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    build = intensity.TECHNIQUES[key].from_controls
    return build(values, prep) if build is not None else values


def default_params(key: str, prep: Prepared, refs: list[str] | None = None) -> dict[str, Any]:
    """Return the comparison grid's parameters of technique ``key``: its registry defaults.

    A technique's ``grid_defaults`` adjusts them: clip gets its default percentiles as
    ``low``/``high`` bounds; match the first of ``refs`` that is not "hdr" (an 8-bit one), or
    ``{}`` when no sample fits.

    Examples
    --------
    >>> p = prepare_image("x", io.read_image(io.encode_png(np.arange(101, dtype=np.uint8)[None])))
    >>> d = default_params("clip", p)
    >>> d["low"], d["high"], d["_arg"]
    (1.0, 99.0, (1.0, 99.0))
    >>> default_params("match", p, ["hdr", "coffee"])
    {'reference': 'coffee', '_grey': True}
    """
    t = intensity.TECHNIQUES[key]
    params: dict[str, Any] = dict(t.params)
    return t.grid_defaults(params, prep, refs) if t.grid_defaults is not None else params


def grid_tile(
    key: str, prep: Prepared, params: Mapping[str, Any], ref: Prepared | None = None
) -> tuple[np.ndarray, tuple[float, float], intensity.Histogram]:
    """Return one comparison-grid tile: the output on the thumbnail, its range, its histogram.

    The output as uint8, its display range, and its 64-bin histogram over that range.
    """
    out = apply(key, prep.thumb, params, ref, stats=prep.stats)
    lo, hi = display_range(key, params, prep, ref)
    return to_display(out, lo, hi), (lo, hi), intensity.histogram(out, 64, value_range=(lo, hi))


def full_png(
    pixels: np.ndarray,
    key: str,
    prep: Prepared,
    params: Mapping[str, Any],
    ref: Prepared | None = None,
) -> bytes:
    """Apply the technique at full resolution; return a 16-bit PNG of its display mapping.

    ``round(65535 * clip((out - lo) / (hi - lo), 0, 1))`` with ``(lo, hi)`` of
    :func:`display_range`, NaN as 0.
    """
    out = apply(key, pixels, params, ref, stats=prep.stats)
    lo, hi = display_range(key, params, prep, ref)
    scaled = np.clip((out - np.float32(lo)) / np.float32(max(hi - lo, 1e-12)), 0.0, 1.0)
    return io.encode_png(np.round(np.nan_to_num(scaled) * 65535.0).astype(np.uint16))


def npy_bytes(out: np.ndarray) -> bytes:
    """Return ``out`` as the bytes of a float32 ``.npy`` file (no pickle).

    Examples
    --------
    >>> np.load(BytesIO(npy_bytes(np.array([[1, 2]])))).dtype
    dtype('float32')
    """
    buf = BytesIO()
    np.save(buf, np.ascontiguousarray(out, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def code_files(
    prep: Prepared, file: str, ref: tuple[str, Prepared] | None = None
) -> tuple[ImageFile, ImageFile | None]:
    """Return the files the code on screen opens: this image (``file``) and a reference.

    ``ref`` is the reference's file name and its prepared form as a file (colour kept: the
    code takes its luminance itself).
    """
    image = ImageFile(file, prep.dtype, prep.stats.n_channels)
    if ref is None:
        return image, None
    name, r = ref
    return image, ImageFile(name, r.dtype, r.stats.n_channels)
