"""Streamlit helpers of the image page: cached work per upload and the comparison grid.

The page's text (formulas, code, notes, captions) is built in ``normviz.image_text``.

Heavy work runs once per image (content hash -> decode, full-resolution statistics, a work
preview of at most ``WORK_SIDE`` pixels, its JPEG); each interaction applies the technique to the
preview with the full-resolution statistics (``stats=``), so it costs the same at 0.3 or 24 MP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import BytesIO
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from normviz import image_text, intensity, io
from normviz.samples import SAMPLES, load_sample

WORK_SIDE = 1024  # longest side of the preview the page computes on and shows
THUMB_SIDE = 240  # longest side of the comparison-grid thumbnails
Z_DISPLAY = image_text.Z_DISPLAY  # z-scores in [-Z_DISPLAY, Z_DISPLAY] are shown black..white


class Prepared(NamedTuple):
    """What the page keeps of one image: everything but the full-resolution pixels."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    notes: tuple[str, ...]
    stats: intensity.ImageStats
    preview: np.ndarray  # (h, w[, C]) same dtype, max side WORK_SIDE
    thumb: np.ndarray  # (h, w[, C]) same dtype, max side THUMB_SIDE
    jpeg: bytes  # the preview shown with the input's natural display range
    input_range: tuple[float, float]  # display range of the input (dtype range or [min, max])


@st.cache_resource(max_entries=256, show_spinner=False)
def cached_figure(cache_key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    """Build a figure once per ``cache_key`` (Plotly's validation costs 20-150 ms a figure).

    A figure is an immutable value shared by every session showing the same image and state
    (``st.plotly_chart`` only reads it), so it is kept as is rather than unpickled on each
    rerun (~6 ms a figure with ``st.cache_data``). Never mutate a returned figure.
    """
    return _build()


def content_hash(data: bytes) -> str:
    """Return a short content hash of an upload (computed once per upload, see ``upload_key``)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def input_range(pixels: np.ndarray, stats: intensity.ImageStats) -> tuple[float, float]:
    """Return the natural display range of an input: its dtype range, or [min, max] for floats."""
    if pixels.dtype == np.uint8:
        return 0.0, 255.0
    if pixels.dtype == np.uint16:
        return 0.0, 65535.0
    lo, hi = float(np.min(stats.minimum)), float(np.max(stats.maximum))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def to_display(img: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map ``[lo, hi]`` linearly to uint8 ``[0, 255]``; values beyond saturate (never NaN)."""
    scaled = (np.asarray(img, dtype=np.float32) - np.float32(lo)) / np.float32(max(hi - lo, 1e-12))
    return io.to_display_uint8(np.nan_to_num(scaled, nan=0.0, posinf=1.0, neginf=0.0))


def _decode(data: bytes | None, sample: str | None) -> io.DecodedImage:
    return load_sample(sample) if sample is not None else io.read_image(data)


def _prepared(name: str, decoded: io.DecodedImage) -> Prepared:
    pixels = decoded.pixels
    stats = intensity.image_stats(pixels)
    preview = io.make_preview(pixels, WORK_SIDE)
    lo, hi = input_range(pixels, stats)
    jpeg = io.encode_jpeg(to_display(preview, lo, hi), quality=88)
    return Prepared(
        name, pixels.shape, str(pixels.dtype), decoded.notes, stats, preview,
        io.make_preview(preview, THUMB_SIDE), jpeg, (lo, hi),
    )  # fmt: skip


@st.cache_data(max_entries=6, show_spinner=False)
def prepare(key: str, name: str, _data: bytes | None, sample: str | None) -> Prepared:
    """Decode once, compute full-resolution statistics and the previews (cached by ``key``)."""
    return _prepared(name, _decode(_data, sample))


@st.cache_data(max_entries=8, show_spinner=False)
def prepare_reference(sample: str, grey: bool) -> Prepared:
    """A sample as a matching reference; ``grey`` turns a colour sample into its luminance."""
    decoded = load_sample(sample)
    if grey and decoded.pixels.ndim == 3:
        y = decoded.pixels[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        decoded = decoded._replace(pixels=np.round(y).astype(decoded.pixels.dtype))
    return _prepared(sample, decoded)


class Summary(NamedTuple):
    """Per-channel min, max, mean and population std (float64) of an output preview."""

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def summarize(out: np.ndarray) -> Summary:
    """Return the :class:`Summary` of a finite float output (cheaper than ``image_stats``)."""
    flat = out.reshape(-1, 1 if out.ndim == 2 else out.shape[-1])
    mean = flat.mean(axis=0, dtype=np.float64)
    std = np.sqrt(np.maximum(np.mean(np.square(flat, dtype=np.float64), axis=0) - mean**2, 0.0))
    return Summary(flat.min(axis=0).astype(np.float64), flat.max(axis=0).astype(np.float64),
                   mean, std)  # fmt: skip


class Result(NamedTuple):
    """One technique applied to the preview, ready to show."""

    jpeg: bytes
    hist: intensity.Histogram  # of the output, 256 bins over the display range
    stats: Summary  # of the output preview
    display: tuple[float, float]  # output values shown black..white
    curve: Any  # intensity.TransferCurve or None


def display_range(key: str, params: dict[str, Any], prep: Prepared, ref: Prepared | None):
    """Return the output interval shown black..white for technique ``key`` (never empty)."""
    lo, hi = _display_range(key, params, prep, ref)
    # A constant image gives equal percentiles (clip) or an empty input range: widen it.
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def _display_range(key: str, params: dict[str, Any], prep: Prepared, ref: Prepared | None):
    if key == "scale":
        return float(params["lo"]), float(params["hi"])
    if key == "clip":
        return float(np.min(params["low"])), float(np.max(params["high"]))
    if key == "zscore":
        return -Z_DISPLAY, Z_DISPLAY
    if key == "match" and ref is not None:
        return ref.input_range
    out = intensity.TECHNIQUES[key].output_range
    return tuple(map(float, out)) if out is not None else prep.input_range


def reference_of(params: dict[str, Any]) -> Prepared | None:
    """Return the prepared reference sample of a histogram match, if any."""
    ref = params.get("reference")
    return prepare_reference(ref, params.get("_grey", False)) if ref else None


def _kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The technique's keyword arguments: the page's params without its notes (``_*``)."""
    return {k: v for k, v in params.items() if k != "reference" and not k.startswith("_")}


def apply(key: str, img: np.ndarray, prep: Prepared, params: dict[str, Any], stats=None):
    """Apply technique ``key`` with the page's params to ``img`` (float32 output)."""
    kwargs = _kwargs(params)
    ref = reference_of(params)
    if ref is not None:
        kwargs.update(reference=ref.preview, reference_stats=ref.stats)
    return intensity.apply_technique(key, img, stats=stats, **kwargs)


def curve_of(key: str, prep: Prepared, params: dict[str, Any]):
    """Return the technique's transfer curve on this image, or None (CLAHE, or not available)."""
    kwargs = _kwargs(params)
    ref = reference_of(params)
    if ref is not None:
        kwargs["reference_stats"] = ref.stats
    try:
        return intensity.transfer_curve(key, prep.stats, **kwargs)
    except (ValueError, TypeError, KeyError):
        return None


@st.cache_data(max_entries=48, show_spinner=False)
def result(hkey: str, key: str, frozen: tuple, _prep: Prepared, _params: dict[str, Any]) -> Result:
    """Apply the technique on the preview with full-resolution stats (cached per parameters)."""
    out = apply(key, _prep.preview, _prep, _params, stats=_prep.stats)
    lo, hi = display_range(key, _params, _prep, reference_of(_params))
    hist = intensity.histogram(out, bins=256, value_range=(lo, hi))
    curve = curve_of(key, _prep, _params)
    return Result(
        io.encode_jpeg(to_display(out, lo, hi), quality=88), hist, summarize(out),
        (lo, hi), curve,
    )  # fmt: skip


def default_params(key: str, prep: Prepared) -> dict[str, Any]:
    """Parameters of the comparison grid: each technique's defaults (clip: its percentiles)."""
    params: dict[str, Any] = dict(intensity.TECHNIQUES[key].params)
    if key == "clip":
        q = params["q"]
        b = intensity.percentiles(prep.thumb, q, stats=prep.stats)
        params.update(low=float(b[0]), high=float(b[1]), _how="percentiles", _arg=q)
    if key == "match":
        refs = sorted(references(prep), key=lambda k: k == "hdr")  # an 8-bit one first
        params = match_params(prep, refs[0]) if refs else {}
    return params


def references(prep: Prepared) -> list[str]:
    """Samples usable as a histogram-matching reference for ``prep`` (not itself).

    A grey image can match any sample (colour ones through their luminance, see
    :func:`match_params`); a colour image only the colour samples.
    """
    n_ch = prep.stats.mean.size
    return [
        k for k in SAMPLES
        if k != prep.name and (n_ch == 1 or prepare_reference(k, False).stats.mean.size == n_ch)
    ]  # fmt: skip


def match_params(prep: Prepared, ref: str) -> dict[str, Any]:
    """Parameters of a histogram match of ``prep`` onto sample ``ref``."""
    return {"reference": ref, "_grey": prep.stats.mean.size == 1}


@st.cache_data(max_entries=6, show_spinner=False)
def grid(hkey: str, _prep: Prepared) -> list[tuple[str, bytes, intensity.Histogram]]:
    """Every technique with default parameters on the thumbnail: (title, jpeg, histogram)."""
    tiles = []
    for key in intensity.TECHNIQUES:
        params = default_params(key, _prep)
        if key == "match" and not params:
            continue
        out = apply(key, _prep.thumb, _prep, params, stats=_prep.stats)
        lo, hi = display_range(key, params, _prep, reference_of(params))
        hist = intensity.histogram(out, bins=64, value_range=(lo, hi))
        ref = SAMPLES[params["reference"]].title.split(" (")[0] if key == "match" else ""
        title = image_text.grid_title(key, params, ref)
        tiles.append((title, io.encode_jpeg(to_display(out, lo, hi), quality=85), hist))
    return tiles


def full_output(
    data: bytes | None, sample: str | None, key: str, prep: Prepared, params: dict[str, Any]
) -> tuple[io.DecodedImage, np.ndarray]:
    """Decode the full-resolution image again and apply the technique to it (float32)."""
    decoded = _decode(data, sample)
    return decoded, apply(key, decoded.pixels, prep, params, stats=prep.stats)


def png_download(
    data: bytes | None, sample: str | None, key: str, prep: Prepared, params: dict[str, Any]
) -> bytes:
    """The 16-bit PNG download, computed on click from the arguments bound when drawn."""
    return full_png(_decode(data, sample), key, prep, params)


def npy_download(
    data: bytes | None, sample: str | None, key: str, prep: Prepared, params: dict[str, Any]
) -> bytes:
    """The float32 ``.npy`` download of the full-resolution output, computed on click.

    Everything it needs is bound as arguments when the button is drawn: it runs outside the
    script thread and never reads ``st.session_state``.
    """
    _, out = full_output(data, sample, key, prep, params)
    buf = BytesIO()
    np.save(buf, np.ascontiguousarray(out, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def full_png(decoded: io.DecodedImage, key: str, prep: Prepared, params: dict[str, Any]) -> bytes:
    """Apply the technique at full resolution and return a 16-bit PNG of its display mapping."""
    out = apply(key, decoded.pixels, prep, params, stats=prep.stats)
    lo, hi = display_range(key, params, prep, reference_of(params))
    scaled = np.clip((out - np.float32(lo)) / np.float32(max(hi - lo, 1e-12)), 0.0, 1.0)
    return io.encode_png(np.round(np.nan_to_num(scaled) * 65535.0).astype(np.uint16))


def upload_key(upload) -> str:
    """Return ``upload:<content hash>``, hashing each upload's bytes only once per session."""
    seen = st.session_state.setdefault("img_hashes", {})
    if upload.file_id not in seen:
        seen.clear()
        seen[upload.file_id] = content_hash(upload.getvalue())
    return "upload:" + seen[upload.file_id]


def code_files(
    prep: Prepared, file: str, params: dict[str, Any]
) -> tuple[image_text.ImageFile, image_text.ImageFile | None]:
    """The files the code on screen opens: this image (``file``) and a matching reference."""
    image = image_text.ImageFile(file, prep.dtype, int(prep.stats.mean.size))
    ref = params.get("reference")
    if not ref:
        return image, None
    r = prepare_reference(ref, False)  # the file as it is: the code takes its luminance itself
    return image, image_text.ImageFile(SAMPLES[ref].path.name, r.dtype, int(r.stats.mean.size))


def sample_options() -> dict[str, str]:
    """Sample keys -> titles, for the sample selector."""
    return {k: s.title for k, s in SAMPLES.items()}
