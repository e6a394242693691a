"""16-bit colour PNG: the part Pillow cannot do on its own.

Pillow 13 opens a 16-bit RGB or RGBA PNG as an 8-bit ``"RGB"`` / ``"RGBA"`` image, keeping only
the high byte of every sample, and it cannot write such a file at all. This module fills both gaps:

- :func:`decode_png16` lets Pillow's own C decoder (zlib and PNG unfiltering) run twice with two
  rawmodes: ``"RGB;16B"`` keeps the high byte of each big-endian sample, ``"RGB;16L"`` reads the
  same bytes as little-endian and so keeps the low byte. ``(high << 8) | low`` is the exact value.
  16-bit grey+alpha is read in one pass as raw 4-byte ``"RGBA"`` pixels ``(Lhi, Llo, Ahi, Alo)``.
- :func:`encode_png` is a minimal PNG writer in NumPy + zlib (Sub filter on every row).
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from typing import NamedTuple

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# PNG colour types by channel count: grey, grey+alpha, truecolour, truecolour+alpha.
_COLOUR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}


class PngHeader(NamedTuple):
    """The IHDR fields that decide how a PNG is decoded."""

    width: int
    height: int
    bit_depth: int
    colour_type: int


def read_header(data: bytes) -> PngHeader | None:
    """Return the IHDR of PNG bytes, or None if ``data`` does not start like a PNG.

    Examples
    --------
    >>> import numpy as np
    >>> read_header(encode_png(np.zeros((2, 3, 3), np.uint16)))
    PngHeader(width=3, height=2, bit_depth=16, colour_type=2)
    >>> read_header(b"GIF89a") is None
    True
    """
    if len(data) < 26 or data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        return None
    width, height, bit_depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return PngHeader(width, height, bit_depth, colour_type)


def needs_own_decoder(header: PngHeader | None) -> bool:
    """Return True for the 16-bit colour PNGs that Pillow alone would reduce to 8 bits.

    Examples
    --------
    >>> needs_own_decoder(PngHeader(3, 2, 16, 2)), needs_own_decoder(PngHeader(3, 2, 16, 0))
    (True, False)
    """
    return header is not None and header.bit_depth == 16 and header.colour_type in (2, 4, 6)


def read_exif(im: Image.Image) -> Image.Exif:
    """Return the image's EXIF, or an empty one if it is broken (it must not cost the picture)."""
    try:
        return im.getexif()
    except Exception:
        return Image.Exif()


def _decode_as(data: bytes, rawmode: str) -> tuple[np.ndarray, Image.Exif]:
    """Decode PNG ``data`` with Pillow, unpacking the unfiltered bytes with ``rawmode``.

    Also returns the EXIF, read after the decode (an eXIf chunk may follow the image data).
    """
    im = Image.open(BytesIO(data), formats=["PNG"])
    try:
        (tile,) = im.tile
        im.tile = [tile._replace(args=rawmode)]
        im.load()
        return np.asarray(im), read_exif(im)
    finally:
        im.close()


def decode_png16(data: bytes, colour_type: int) -> tuple[np.ndarray, np.ndarray | None, Image.Exif]:
    """Return the exact 16-bit samples of a 16-bit colour PNG.

    Parameters
    ----------
    data : bytes
        A whole PNG file whose IHDR says bit depth 16 and colour type 2, 4 or 6. The caller has
        already checked its dimensions.
    colour_type : {2, 4, 6}
        Truecolour, grey+alpha or truecolour+alpha.

    Returns
    -------
    pixels : (H, W, 3) or (H, W) uint16 array
        RGB for colour types 2 and 6, grey for colour type 4.
    alpha : (H, W) uint16 array or None
        None for colour type 2.
    exif : PIL.Image.Exif
        The file's EXIF (empty if none), so the caller need not decode the file again for it.

    Examples
    --------
    >>> import numpy as np
    >>> rgb = np.array([[[0, 1, 65535], [256, 4660, 43981]]], np.uint16)
    >>> pixels, alpha, exif = decode_png16(encode_png(rgb), 2)
    >>> pixels.dtype, bool((pixels == rgb).all()), alpha
    (dtype('uint16'), True, None)
    """
    if colour_type == 4:
        raw, exif = _decode_as(data, "RGBA")  # (Lhi, Llo, Ahi, Alo) per pixel
        raw = raw.astype(np.uint16)
        return (raw[..., 0] << 8) | raw[..., 1], (raw[..., 2] << 8) | raw[..., 3], exif
    mode = {2: "RGB", 6: "RGBA"}[colour_type]
    high, exif = _decode_as(data, f"{mode};16B")
    out = high.astype(np.uint16)
    del high
    out <<= 8
    out |= _decode_as(data, f"{mode};16L")[0]
    if colour_type == 2:
        return out, None, exif
    return np.ascontiguousarray(out[..., :3]), np.ascontiguousarray(out[..., 3]), exif


def _chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def encode_png(img: np.ndarray, compress_level: int = 6) -> bytes:
    """Return a lossless PNG of an 8- or 16-bit image, written with NumPy and zlib.

    Parameters
    ----------
    img : (H, W) or (H, W, C) uint8 or uint16 array, C in {1, 2, 3, 4}
        Grey, grey+alpha, RGB or RGBA. H and W at least 1 (checked by the caller).
    compress_level : int
        zlib level, 0 (none) to 9 (smallest).

    Returns
    -------
    bytes
        A PNG with one IDAT chunk; every row uses the Sub filter.

    Examples
    --------
    >>> import numpy as np
    >>> png = encode_png(np.array([[0, 65535]], np.uint16))
    >>> png[:8] == PNG_SIGNATURE, read_header(png)
    (True, PngHeader(width=2, height=1, bit_depth=16, colour_type=0))
    """
    h, w = img.shape[:2]
    channels = 1 if img.ndim == 2 else img.shape[2]
    size = img.dtype.itemsize
    bpp = channels * size  # bytes per complete pixel, the PNG filter's stride
    raw = np.ascontiguousarray(img, dtype=f">u{size}").view(np.uint8).reshape(h, w * bpp)
    rows = np.empty((h, 1 + w * bpp), np.uint8)
    rows[:, 0] = 1  # filter type Sub: each byte minus the byte one pixel to the left
    rows[:, 1 : 1 + bpp] = raw[:, :bpp]
    np.subtract(raw[:, bpp:], raw[:, :-bpp], out=rows[:, 1 + bpp :])
    header = struct.pack(">IIBBBBB", w, h, 8 * size, _COLOUR_TYPE[channels], 0, 0, 0)
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), compress_level)),
            _chunk(b"IEND", b""),
        )
    )
