"""Streamlit helpers of the image page: caches around :mod:`normviz.image_view` per upload.

The computing is :mod:`normviz.image_view` (and the text :mod:`normviz.image_text`); this module
only caches it (``st.cache_data`` / ``st.cache_resource`` with hashable keys), reads the upload
and the bundled samples, and keeps an upload's hash in the session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from normviz import image_alt, image_text, image_view, intensity, io
from normviz.figures import images as figures
from normviz.figures.images import channel_names, mini_histogram_svg
from normviz.image_links import DEFAULT_SAMPLE
from normviz.image_view import Prepared, Result
from normviz.samples import SAMPLES, load_sample
from normviz.serving import media

__all__ = ["Prepared", "Result"]  # re-exported for the page's type hints


@st.cache_resource(max_entries=256, show_spinner=False)
def cached_html(cache_key: tuple, _build: Callable[[], str]) -> str:
    """Build a chart's HTML once per ``cache_key`` (~5-10 ms a chart, its alt text included).

    A string is immutable and shared by every session showing the same image and state, so it
    is kept as is (``st.cache_resource``) rather than copied out of a pickle on each rerun.
    """
    return _build()


def _decode(data: bytes | None, sample: str | None) -> io.DecodedImage:
    return load_sample(sample) if sample is not None else io.read_image(data)


@st.cache_data(max_entries=6, show_spinner=False)
def prepare(key: str, name: str, _data: bytes | None, sample: str | None) -> Prepared:
    """Decode once, compute full-resolution statistics and the previews (cached by ``key``)."""
    return image_view.prepare_image(name, _decode(_data, sample))


@st.cache_data(max_entries=8, show_spinner=False)
def prepare_reference(sample: str, grey: bool) -> Prepared:
    """A sample as a matching reference; ``grey`` turns a colour sample into its luminance."""
    decoded = load_sample(sample)
    return image_view.prepare_image(sample, image_view.grey_reference(decoded) if grey else decoded)


def reference_of(params: dict[str, Any]) -> Prepared | None:
    """Return the prepared reference sample of a histogram match, if any."""
    ref = params.get("reference")
    return prepare_reference(ref, params.get("_grey", False)) if ref else None


@st.cache_data(max_entries=48, show_spinner=False)
def result(hkey: str, key: str, frozen: tuple, _prep: Prepared, _params: dict[str, Any]) -> Result:
    """Apply the technique on the preview with full-resolution stats (cached per parameters)."""
    return image_view.compute_result(key, _prep, _params, reference_of(_params))


def references(prep: Prepared) -> list[str]:
    """Samples usable as a histogram-matching reference for ``prep`` (not itself)."""
    channels = {k: prepare_reference(k, False).stats.n_channels for k in SAMPLES}
    return image_view.references(prep, channels)


def match_params(prep: Prepared, ref: str) -> dict[str, Any]:
    """Parameters of a histogram match of ``prep`` onto sample ``ref``."""
    return image_view.match_params(prep, ref)


def default_params(key: str, prep: Prepared) -> dict[str, Any]:
    """Parameters of the comparison grid: each technique's defaults (clip: its percentiles)."""
    refs = references(prep) if intensity.TECHNIQUES[key].needs_reference else None
    return image_view.default_params(key, prep, refs)


@st.cache_data(max_entries=6, show_spinner=False)
def grid(hkey: str, _prep: Prepared) -> list[tuple[str, bytes, intensity.Histogram, str]]:
    """Every technique with default parameters on the thumbnail.

    Returns (title, jpeg, histogram, its small histogram as an SVG picture) per tile.
    """
    names = channel_names(_prep.stats.n_channels)
    tiles = []
    for key, tech in intensity.TECHNIQUES.items():
        params = default_params(key, _prep)
        if tech.needs_reference and not params:  # no sample to match this image against
            continue
        shown, _, hist = image_view.grid_tile(key, _prep, params, reference_of(params))
        ref = SAMPLES[params["reference"]].title.split(" (")[0] if tech.needs_reference else ""
        title = image_text.grid_title(key, params, ref)
        svg = mini_histogram_svg(hist, names=names)
        tiles.append((title, io.encode_jpeg(shown, quality=85), hist, svg))
    return tiles


def grid_html(hkey: str, prep: Prepared, title: str) -> str:
    """The comparison grid of :func:`grid` as one HTML block, its pictures linked.

    Served by ``serve.py``, each picture is a link to the process's media store (the block is
    ~6 kB instead of ~120-220 kB of data URLs: see :mod:`normviz.serving.media`); they are put
    there again on every draw, so a block cached here never links to a dropped picture. Without
    that route (``streamlit run app.py``, a test's ``AppTest``) the pictures are data URLs.
    ``title`` names the image in the alt texts.
    """
    tiles = grid(hkey, prep)
    names = channel_names(prep.stats.n_channels)
    for _title, jpeg, _hist, svg in tiles:  # the block's pictures, kept while it is shown
        media.STORE.url(jpeg, "image/jpeg")
        media.STORE.url(svg.encode(), "image/svg+xml")
    return cached_html(("grid", hkey, title), lambda: figures.grid_html([
        figures.GridTile(tile, jpeg, image_alt.tile_alt(tile, title), svg, image_alt.histogram_alt(
            hist, names=names, what=f"the output of {tile}", cumulative=False,
        ))
        for tile, jpeg, hist, svg in tiles
    ], link=media.STORE.url))  # fmt: skip


WARM_AFTER_S = 5.0
"""Seconds the samples' warm-up waits after the page run that starts it: that run's first view
is drawn by then (its messages sent, its pictures fetched: the warm-up's ~0.5 s of CPU, mostly
under the GIL, held them back on a fresh server)."""


def warm_samples() -> threading.Thread:
    """Prepare every bundled sample and its comparison grid ahead, once per process.

    Called at the end of the page's full run: a background thread waits :data:`WARM_AFTER_S`,
    then fills the caches the page reads for each sample (:func:`prepare_samples`), so picking
    another sample later draws at once instead of decoding it, computing its full-resolution
    statistics and its eight grid tiles first (~0.1-0.5 s a sample). Returns the thread (the
    same one on every call).
    """
    return _warm_thread()


@st.cache_resource(show_spinner=False)
def _warm_thread() -> threading.Thread:
    thread = threading.Thread(target=_warm, name="normviz-warm-samples", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())  # the caches need a script context
    thread.start()
    return thread


def _warm() -> None:
    time.sleep(WARM_AFTER_S)
    prepare_samples()


def sample_key(sample: str) -> str:
    """The cache key of a bundled sample's view (an upload's is its hash: :func:`upload_key`)."""
    return f"sample:{sample}"


def prepare_sample(sample: str) -> Prepared:
    """Fill the computed caches of a bundled sample's view; return its preparation.

    Its decoding and full-resolution statistics (:func:`prepare`), the samples its comparison
    grid matches it against (:func:`prepare_reference`) and the grid's tiles (:func:`grid`).
    """
    hkey = sample_key(sample)
    prep = prepare(hkey, sample, None, sample)
    grid(hkey, prep)
    return prep


def prepare_samples() -> None:
    """Fill the computed caches of every bundled sample (:func:`prepare_sample`)."""
    for k in SAMPLES:
        prepare_sample(k)


def prepare_first_view() -> None:
    """Fill the caches of the lesson's first view at its defaults, before the server serves.

    Its default sample's (:func:`prepare_sample`) and its grid's HTML block (:func:`grid_html`,
    its pictures put in the media store): ~0.1 s alone, ~0.25 s of a fresh server's first
    /images run beside the browser booting the page. ``serve.py`` calls it before any script
    runs. (The background warm-up of the other samples, which runs beside the page's runs,
    leaves the blocks to them, as it did before: a block is cheap once its tiles are made.)
    """
    prep = prepare_sample(DEFAULT_SAMPLE)
    grid_html(sample_key(DEFAULT_SAMPLE), prep, SAMPLES[DEFAULT_SAMPLE].title)


def full_output(
    data: bytes | None, sample: str | None, key: str, prep: Prepared, params: dict[str, Any]
) -> tuple[io.DecodedImage, np.ndarray]:
    """Decode the full-resolution image again and apply the technique to it (float32)."""
    decoded = _decode(data, sample)
    out = image_view.apply(key, decoded.pixels, params, reference_of(params), stats=prep.stats)
    return decoded, out


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
    return image_view.npy_bytes(full_output(data, sample, key, prep, params)[1])


def full_png(decoded: io.DecodedImage, key: str, prep: Prepared, params: dict[str, Any]) -> bytes:
    """Apply the technique at full resolution and return a 16-bit PNG of its display mapping."""
    return image_view.full_png(decoded.pixels, key, prep, params, reference_of(params))


def upload_key(upload) -> str:
    """Return ``upload:<content hash>``, hashing each upload's bytes only once per session."""
    seen = st.session_state.setdefault("img_hashes", {})
    if upload.file_id not in seen:
        seen.clear()
        seen[upload.file_id] = image_view.content_hash(upload.getvalue())
    return "upload:" + seen[upload.file_id]


def code_files(prep: Prepared, file: str, params: dict[str, Any]):
    """The files the code on screen opens: this image (``file``) and a matching reference."""
    ref = params.get("reference")
    # the file as it is (colour kept): the code takes its luminance itself
    r = (SAMPLES[ref].path.name, prepare_reference(ref, False)) if ref else None
    return image_view.code_files(prep, file, r)
