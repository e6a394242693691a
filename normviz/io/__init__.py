"""Upload bytes -> validated image array: formats, modes, EXIF, limits, clear errors.

:func:`read_image` is the one door through which a user's file enters the app. It accepts JPEG,
PNG (8 and 16 bit), TIFF (including 32-bit float), WebP, BMP, GIF and AVIF (when Pillow was built
with libavif, see :data:`FORMATS`), refuses HEIC/HEIF with a message that says what to do instead,
checks the byte size and
the pixel count *before* anything is decoded, forces the full decode inside its error handling,
and turns every problem into a :class:`~normviz.ImageError` whose message a page shows as is.

Output dtype rule: the file's own bit depth is kept. 8-bit data is ``uint8``, 16-bit data
(``I;16*`` modes, 16-bit PNG of any colour type) is ``uint16``, Pillow mode ``"I"`` (32-bit
integer) is ``uint16`` when every value lies in [0, 65535] and ``float32`` otherwise, mode
``"F"`` is ``float32``. Returned arrays are read-only; copy them before writing in place.
"""

from __future__ import annotations

import os
import warnings
from io import BytesIO
from typing import NamedTuple

import numpy as np
from PIL import Image, UnidentifiedImageError, features

from normviz._checks import ImageError, check_int, check_ndim
from normviz.io import _decode, _png

__all__ = [
    "MAX_BYTES",
    "MAX_PIXELS",
    "PREVIEW_MAX_SIDE",
    "UPLOAD_EXTENSIONS",
    "DecodedImage",
    "encode_jpeg",
    "encode_png",
    "load_image",
    "make_preview",
    "read_image",
    "to_display_uint8",
]

MAX_PIXELS = 24_000_000
MAX_BYTES = 25 * 1024 * 1024
PREVIEW_MAX_SIDE = 1600
AVIF = bool(features.check("avif"))
"""Whether this Pillow reads AVIF (Pillow >= 11.2 built with libavif)."""
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF") + (("AVIF",) if AVIF else ())
"""Pillow formats :func:`read_image` decodes; any other file is explained, never guessed."""
UPLOAD_EXTENSIONS = (
    ("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp")
    + (("avif",) if AVIF else ())
    + ("heic", "heif")
)
"""File name extensions an upload control should accept. HEIC/HEIF are listed so that such a
file reaches :func:`read_image`, whose message says to export it as JPEG or PNG, instead of the
upload control's bare "file type not allowed"."""

_ORIENTATION_TAG = 0x0112
_MULTI_FRAME = {"GIF", "PNG", "WEBP", "TIFF", "MPO", "AVIF"}


class DecodedImage(NamedTuple):
    """A decoded upload: pixels in the file's own bit depth, alpha aside, and what was done."""

    pixels: np.ndarray
    """(H, W) or (H, W, 3) array, uint8, uint16 or float32; finite."""
    alpha: np.ndarray | None
    """(H, W) array of the same dtype as ``pixels``, or None. Never normalized."""
    format: str
    """Pillow's format name, e.g. "PNG", "JPEG", "MPO"."""
    mode: str
    """The original Pillow mode, e.g. "P", "CMYK", "I;16"."""
    notes: tuple[str, ...]
    """User-facing sentences about what was done to the file."""
    n_nonfinite: int
    """How many NaN or infinite values were replaced (0 for integer images)."""


def _mp(n_pixels: float) -> str:
    return f"{n_pixels / 1e6:.1f} MP"


def _read_bytes(data: bytes | bytearray | memoryview | str | os.PathLike) -> bytes:
    """Return the file's bytes, refusing empty and oversized files before reading them."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        size = len(raw)
    elif isinstance(data, (str, os.PathLike)):
        name = os.path.basename(os.fspath(data))
        try:
            size = os.stat(data).st_size
            raw = b"" if size == 0 or size > MAX_BYTES else open(data, "rb").read()  # noqa: SIM115
        except OSError:
            raise ImageError(f"Could not read the file {name!r}. Check that it exists.") from None
    else:
        raise TypeError(f"expected bytes or a path (got {type(data).__name__})")
    if size == 0:
        raise ImageError("The file is empty (0 bytes). Choose an image file such as PNG or JPEG.")
    if size > MAX_BYTES:
        raise ImageError(
            f"The file is {size / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB. "
            "Save it smaller (e.g. as JPEG, or at a lower resolution) and upload it again."
        )
    return raw


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"The image has zero size ({width} x {height} pixels): nothing to show.")
    n = width * height
    if n > max_pixels:
        scale = (max_pixels / n) ** 0.5
        raise ImageError(
            f"The image is {width} x {height} pixels ({_mp(n)}), above the limit of "
            f"{_mp(max_pixels)} ({max_pixels:,} pixels). Downscale it to at most "
            f"{int(width * scale)} x {int(height * scale)} and upload it again."
        )


def read_image(data: bytes | str | os.PathLike, *, max_pixels: int = MAX_PIXELS) -> DecodedImage:
    """Return an uploaded image decoded, validated and upright, in its own bit depth.

    Parameters
    ----------
    data : bytes or path
        The file's content (as uploaded) or a path to it. The content decides the format, never
        the name. At most ``MAX_BYTES`` (25 MB).
    max_pixels : int
        Pixel budget; larger images are refused before they are decoded.

    Returns
    -------
    DecodedImage
        ``pixels`` (H, W) or (H, W, 3) uint8 / uint16 / float32, finite; ``alpha`` (H, W) or
        None; the format, the original mode, notes and the count of replaced non-finite values.

    Raises
    ------
    ImageError
        For every problem with the file (empty, too big, not an image, truncated, damaged,
        decompression bomb, unsupported mode, all pixels non-finite), with a message fit to show.
    TypeError
        If ``data`` is neither bytes nor a path.

    Notes
    -----
    Multi-frame files (GIF, APNG, animated WebP, multi-page TIFF) give their first frame. EXIF
    orientation is applied. Palette, 1-bit, CMYK and YCbCr images become grey or RGB. NaN is
    replaced by the finite minimum, +inf by the finite maximum and -inf by the finite minimum.

    Examples
    --------
    >>> import numpy as np
    >>> decoded = read_image(encode_png(np.array([[0, 1000, 65535]], np.uint16)))
    >>> decoded.pixels, decoded.format, decoded.mode
    (array([[    0,  1000, 65535]], dtype=uint16), 'PNG', 'I;16')
    >>> read_image(b"")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    normviz._checks.ImageError: The file is empty (0 bytes). Choose an image file ...
    """
    check_int(max_pixels, "max_pixels", 1)
    raw = _read_bytes(data)
    notes: list[str] = []
    with warnings.catch_warnings():
        # Pillow only warns between its two bomb limits and would decode anyway: make it fail.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(BytesIO(raw), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                "This image's header claims far more pixels than any photo: it looks like a "
                "decompression bomb (a small file that expands to gigabytes). It was not "
                f"decoded. Upload an image of at most {_mp(max_pixels)}."
            ) from None
        except UnidentifiedImageError:
            raise _decode.not_an_image(raw) from None
        except Exception as exc:  # untrusted input: any parser failure is a damaged file
            raise _decode.damaged("image", exc) from None
    with im:
        fmt, mode = im.format or "image", im.mode
        _check_pixels(im.width, im.height, max_pixels)
        header = _png.read_header(raw) if fmt == "PNG" else None
        try:
            n_frames = getattr(im, "n_frames", 1) if fmt in _MULTI_FRAME else 1
            if n_frames > 1:
                im.seek(0)
                notes.append(f"{fmt}: showing the first of {n_frames} frames.")
            if header is not None and _png.needs_own_decoder(header):
                pixels, alpha, exif = _png.decode_png16(raw, header.colour_type)
                notes.append("16-bit colour PNG read at its full 16-bit depth.")
            else:
                im.load()  # the full decode, inside the try: truncation is found here
                exif = _png.read_exif(
                    im
                )  # after load: reading a PNG's EXIF may need the whole file
                pixels, alpha = _decode.to_arrays(im, notes)
        except ImageError:
            raise
        except Exception as exc:  # untrusted input: any decoder failure is a damaged file
            raise _decode.damaged(fmt, exc) from None
    try:
        orientation = int(exif.get(_ORIENTATION_TAG, 1))
    except (TypeError, ValueError):  # a broken EXIF value must not cost the picture
        orientation = 1
    if alpha is not None:
        notes.append("Alpha (transparency) kept aside, not normalized.")
    if orientation in range(2, 9):
        pixels, alpha = (
            _decode.orient(pixels, orientation),
            alpha if alpha is None else _decode.orient(alpha, orientation),
        )
        notes.append(f"Rotated upright from EXIF orientation {orientation}.")
    n_nonfinite = 0
    if pixels.dtype.kind == "f":
        pixels, n_nonfinite = _decode.replace_nonfinite(
            pixels.astype(np.float32, copy=False), notes
        )
    pixels = np.ascontiguousarray(pixels)
    pixels.flags.writeable = False
    if alpha is not None:
        alpha = np.ascontiguousarray(alpha)
        alpha.flags.writeable = False
    return DecodedImage(pixels, alpha, fmt, mode, tuple(notes), n_nonfinite)


def load_image(data: bytes | str | os.PathLike, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Return only the pixels of :func:`read_image`.

    Examples
    --------
    >>> import numpy as np
    >>> load_image(encode_png(np.full((2, 2), 7, np.uint8))).tolist()
    [[7, 7], [7, 7]]
    """
    return read_image(data, max_pixels=max_pixels).pixels


def _resize_channel(channel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-average one (H, W) channel to ``size`` = (width, height) through Pillow mode F."""
    im = Image.fromarray(np.asarray(channel, dtype=np.float32))
    return np.asarray(im.resize(size, Image.Resampling.BOX, reducing_gap=2.0))


def make_preview(img: np.ndarray, max_side: int = PREVIEW_MAX_SIDE) -> np.ndarray:
    """Return the image downscaled by area averaging so that max(H, W) <= ``max_side``.

    Parameters
    ----------
    img : (H, W) or (H, W, C) array
        Any integer or float dtype (not bool). Float input should be finite.
    max_side : int
        Longest side of the preview, at least 1.

    Returns
    -------
    numpy.ndarray
        Same dtype and channel count; the long side is exactly ``max_side`` and the short side
        is scaled by the same factor (rounded, at least 1). ``img`` itself (the same object) when
        it is already small enough. Integer outputs are rounded half up.

    Notes
    -----
    uint8 grey and RGB images go through Pillow's BOX resize (a true area average) with
    ``reducing_gap=2`` (an exact integer box reduction first); other dtypes and channel counts
    are resized channel by channel in Pillow's 32-bit float mode.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.arange(16, dtype=np.uint16).reshape(4, 4)
    >>> make_preview(img, max_side=2)
    array([[ 3,  5],
           [11, 13]], dtype=uint16)
    >>> make_preview(img, max_side=4) is img
    True
    """
    if not isinstance(img, np.ndarray):
        raise TypeError(f"expected a numpy array (got {type(img).__name__})")
    check_ndim(img.ndim, (2, 3), "image")
    if img.dtype.kind not in "uif":
        raise TypeError(f"expected an integer or float image (got {img.dtype})")
    if isinstance(max_side, bool) or not isinstance(max_side, (int, np.integer)) or max_side < 1:
        raise ValueError(f"max_side must be a positive int (got {max_side!r})")
    h, w = img.shape[:2]
    if max(h, w) <= max_side:
        return img
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if img.dtype == np.uint8 and (img.ndim == 2 or img.shape[2] == 3):
        im = Image.fromarray(np.ascontiguousarray(img))
        return np.asarray(im.resize(size, Image.Resampling.BOX, reducing_gap=2.0))
    channels = [img] if img.ndim == 2 else [img[..., i] for i in range(img.shape[2])]
    out = np.stack([_resize_channel(c, size) for c in channels], axis=-1)
    out = out[..., 0] if img.ndim == 2 else out
    if img.dtype.kind in "ui":
        info = np.iinfo(img.dtype)
        return np.clip(np.floor(out + 0.5), info.min, info.max).astype(img.dtype)
    return out.astype(img.dtype, copy=False)


def to_display_uint8(img_float01: np.ndarray) -> np.ndarray:
    """Return a float image in [0, 1] as uint8 in [0, 255]: scaled, clipped and rounded.

    Parameters
    ----------
    img_float01 : (H, W) or (H, W, C) float array
        Values outside [0, 1] are clipped; NaN becomes 0.

    Returns
    -------
    numpy.ndarray
        uint8 array of the same shape, ``round(255 * clip(x, 0, 1))``.

    Examples
    --------
    >>> import numpy as np
    >>> to_display_uint8(np.array([[-0.5, 0.0, 0.5, 0.999, 1.0, 2.0, np.nan]]))
    array([[  0,   0, 128, 255, 255, 255,   0]], dtype=uint8)
    """
    if not isinstance(img_float01, np.ndarray):
        raise TypeError(f"expected a numpy array (got {type(img_float01).__name__})")
    if img_float01.dtype.kind != "f":
        raise TypeError(f"expected a float image in [0, 1] (got {img_float01.dtype})")
    out = np.multiply(img_float01, 255.0, dtype=np.float32)
    np.clip(out, 0.0, 255.0, out=out)
    np.rint(out, out=out)
    np.nan_to_num(out, copy=False, nan=0.0)
    return out.astype(np.uint8)


def _check_encodable(img: np.ndarray, dtypes: tuple[type, ...], channels: tuple[int, ...]) -> None:
    if not isinstance(img, np.ndarray):
        raise TypeError(f"expected a numpy array (got {type(img).__name__})")
    if img.dtype not in dtypes:
        names = " or ".join(np.dtype(d).name for d in dtypes)
        raise TypeError(f"expected a {names} image (got {img.dtype})")
    check_ndim(img.ndim, (2, 3), "image")
    if img.ndim == 3 and img.shape[2] not in channels:
        raise ValueError(f"expected {channels} channels (got {img.shape[2]})")
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f"expected a non-empty image (got shape {img.shape})")


def encode_png(img: np.ndarray) -> bytes:
    """Return a lossless PNG of a uint8 or uint16 image; 16-bit stays 16-bit.

    Parameters
    ----------
    img : (H, W), (H, W, 3) or (H, W, 4) uint8 or uint16 array

    Returns
    -------
    bytes
        PNG file content. uint8 is written by Pillow; uint16 by :mod:`normviz.io._png` (Pillow
        cannot write 16-bit colour PNGs).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.array([[[1, 2, 3], [65535, 0, 300]]], np.uint16)
    >>> bool((read_image(encode_png(img)).pixels == img).all())
    True
    """
    _check_encodable(img, (np.uint8, np.uint16), (3, 4))
    if img.dtype == np.uint16:
        return _png.encode_png(img)
    buf = BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def encode_jpeg(img_uint8: np.ndarray, quality: int = 90) -> bytes:
    r"""Return a JPEG of a uint8 grey or RGB image, for fast previews.

    Parameters
    ----------
    img_uint8 : (H, W) or (H, W, 3) uint8 array
    quality : int
        JPEG quality, 1 to 95.

    Examples
    --------
    >>> import numpy as np
    >>> jpeg = encode_jpeg(np.zeros((8, 8, 3), np.uint8))
    >>> jpeg[:3] == b"\xff\xd8\xff", read_image(jpeg).pixels.shape
    (True, (8, 8, 3))
    """
    _check_encodable(img_uint8, (np.uint8,), (3,))
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
        raise TypeError(f"quality must be an int (got {type(quality).__name__})")
    if not 1 <= quality <= 95:
        raise ValueError(f"quality must be in [1, 95] (got {quality})")
    buf = BytesIO()
    Image.fromarray(np.ascontiguousarray(img_uint8)).save(buf, format="JPEG", quality=int(quality))
    return buf.getvalue()
