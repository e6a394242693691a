"""Odd and hostile image files, generated at run time (no binaries in the repository).

``build_corpus(directory)`` writes every case into ``directory`` and lists them. The unit tests
feed each file to :func:`normviz.io.read_image`; the e2e tests upload the same files through a
real browser. Each case says whether the app must take it ("ok") or refuse it ("error"), and a
substring (``hint``) that the error message, or for "ok" one of the notes, must contain.

The raw PNG writer here is deliberately independent of ``normviz.io._png`` (filter type 0 on every
row, hand-built chunks), so it can serve as an oracle for it and can write files Pillow refuses
to write (a decompression bomb's header, 16-bit colour).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, features

SEED = 20240607
AVIF = bool(features.check("avif"))  # this Pillow reads and writes AVIF (libavif)
HEIC_HINT = "HEIC/HEIF images (iPhone photos) can't be read here: export as JPEG or PNG"


class CorpusFile(NamedTuple):
    """One generated file: the name a user would upload it as, and what must happen."""

    name: str
    path: Path
    expect: str  # "ok" or "error"
    hint: str  # substring of the error message (error) or of one of the notes (ok), or ""


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """Return one PNG chunk: length, type, payload, CRC."""
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def raw_png(
    width: int, height: int, bit_depth: int, colour_type: int, rows: Iterable[bytes]
) -> bytes:
    """Return a PNG whose IDAT is ``rows`` (each already prefixed by its filter byte)."""
    z = zlib.compressobj(6)
    idat = b"".join(z.compress(r) for r in rows) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            png_chunk(b"IHDR", ihdr),
            png_chunk(b"IDAT", idat),
            png_chunk(b"IEND", b""),
        )
    )


def png_from_array(img: np.ndarray) -> bytes:
    """Return a PNG of a uint8/uint16 (H, W) or (H, W, C) array, written without Pillow."""
    h, w = img.shape[:2]
    channels = 1 if img.ndim == 2 else img.shape[2]
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    data = img.astype(f">u{img.dtype.itemsize}").reshape(h, -1).view(np.uint8)
    rows = (b"\x00" + row.tobytes() for row in data)
    return raw_png(w, h, 8 * img.dtype.itemsize, colour_type, rows)


def _constant_png(width: int, height: int, channels: int) -> bytes:
    """A large PNG of a horizontal ramp, cheap to write: every row after the first is 'Up'."""
    ramp = (np.arange(width * channels) // channels % 256).astype(np.uint8).tobytes()
    up = b"\x02" + bytes(width * channels)
    rows = (b"\x00" + ramp if y == 0 else up for y in range(height))
    return raw_png(width, height, 8, {1: 0, 3: 2}[channels], rows)


def _pillow(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def _noise(rng: np.random.Generator, h: int, w: int, c: int = 3) -> np.ndarray:
    return rng.integers(0, 256, (h, w, c), dtype=np.uint8)


def _exif_rotated_jpeg() -> bytes:
    """A 40x20 (W x H) JPEG, red block top-left as stored, EXIF orientation 6.

    Shown upright it is 20 wide and 40 high with the red block at the top-right.
    """
    img = np.full((20, 40, 3), 255, np.uint8)
    img[:8, :8] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    return _pillow(Image.fromarray(img), "JPEG", quality=95, exif=exif.tobytes())


def _animated_gif() -> bytes:
    frames = [Image.new("P", (32, 32), i) for i in range(12)]
    for f in frames:
        f.putpalette([v for i in range(256) for v in (i * 20 % 256, 40, 255 - i * 20 % 256)])
    return _pillow(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=80)


def _float_tiff() -> bytes:
    img = np.linspace(-1.0, 3.0, 24 * 32, dtype=np.float32).reshape(24, 32)
    img[0, :3] = np.nan
    img[1, 0] = np.inf
    img[1, 1] = -np.inf
    return _pillow(Image.fromarray(img, mode="F"), "TIFF")


def _palette_png() -> bytes:
    img = Image.new("P", (16, 8), 0)
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * (253 * 3))
    img.paste(1, (0, 0, 8, 8))
    img.paste(2, (8, 0, 16, 8))
    return _pillow(img, "PNG", transparency=2)  # the right (blue) half is transparent


def minimal_heic() -> bytes:
    """The start of an iPhone photo: an ISO-BMFF ``ftyp`` box (brand heic) and a ``meta`` box.

    Enough for any reader to recognize HEIC; Pillow has no HEIC decoder without a plugin.
    """
    ftyp = b"ftyp" + b"heic" + (0).to_bytes(4, "big") + b"mif1" + b"heic"
    meta = b"meta" + bytes(4) + b"\x00\x00\x00\x21hdlr" + bytes(8) + b"pict" + bytes(13)
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 4 + len(meta)) + meta


def _avif(img: np.ndarray) -> bytes:
    """An AVIF written by Pillow (libavif), lossless so its pixels can be compared."""
    return _pillow(Image.fromarray(img), "AVIF", lossless=True)


def corpus_bytes() -> dict[str, tuple[bytes, str, str]]:
    """Return {upload name: (content, expect, hint)} for every case."""
    rng = np.random.default_rng(SEED)
    noise_png = _pillow(Image.fromarray(_noise(rng, 64, 64)), "PNG")
    noise_jpg = _pillow(Image.fromarray(_noise(rng, 128, 128)), "JPEG", quality=90)
    grey16 = (np.arange(24 * 40, dtype=np.uint32).reshape(24, 40) * 68).astype(np.uint16)
    rgb16 = rng.integers(0, 65536, (20, 30, 3), dtype=np.uint16)
    cmyk = Image.new("CMYK", (32, 24), (0, 255, 255, 0))  # pure red in CMYK
    la = np.dstack([np.tile(np.arange(32, dtype=np.uint8) * 8, (16, 1)), np.full((16, 32), 128)])
    rgba = np.dstack([_noise(rng, 16, 24), np.tile(np.arange(24, dtype=np.uint8) * 10, (16, 1))])
    gradient = np.dstack(
        [*np.meshgrid(np.arange(48) * 5, np.arange(32) * 8), np.full((32, 48), 90)]
    )
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    return {
        "empty.png": (b"", "error", "empty"),
        "notes.png": (b"These are my notes, not a picture.\n", "error", "text, not an image"),
        "truncated.jpg": (noise_jpg[: len(noise_jpg) // 2], "error", "truncated"),
        "truncated.png": (noise_png[: len(noise_png) * 3 // 5], "error", "truncated"),
        "bomb.png": (
            raw_png(100_000, 100_000, 8, 0, [zlib.compress(bytes(1000))]),
            "error",
            "decompression bomb",
        ),
        "huge_6000x4500.png": (_constant_png(6000, 4500, 1), "error", "above the limit of 24.0 MP"),
        "large_5000x4000.png": (_constant_png(5000, 4000, 1), "ok", ""),
        "one_pixel.png": (_pillow(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG"), "ok", ""),
        "constant.png": (_pillow(Image.new("RGB", (64, 48), (90, 140, 200)), "PNG"), "ok", ""),
        "grey16.png": (png_from_array(grey16), "ok", ""),
        "rgb16.png": (png_from_array(rgb16), "ok", "16-bit"),
        "float_nan_inf.tif": (_float_tiff(), "ok", "3 NaN and 2 inf pixels replaced"),
        "cmyk.jpg": (_pillow(cmyk, "JPEG", quality=95), "ok", "CMYK converted to RGB"),
        "palette_transparent.png": (_palette_png(), "ok", "Alpha"),
        "grey_alpha.png": (
            _pillow(Image.fromarray(la.astype(np.uint8), "LA"), "PNG"),
            "ok",
            "Alpha",
        ),
        "rgba.png": (_pillow(Image.fromarray(rgba, "RGBA"), "PNG"), "ok", "Alpha"),
        "animated.gif": (_animated_gif(), "ok", "GIF: showing the first of 12 frames."),
        "exif_rotated.jpg": (_exif_rotated_jpeg(), "ok", "EXIF orientation 6"),
        "photo.webp": (_pillow(Image.fromarray(gradient.astype(np.uint8)), "WEBP"), "ok", ""),
        "image.bmp": (_pillow(Image.fromarray(_noise(rng, 10, 13)), "BMP"), "ok", ""),
        "drawing.svg": (svg, "error", "SVG is a vector format"),
        "png_named.jpg": (noise_png, "ok", ""),
        "strip_4000x1.png": (_pillow(Image.new("L", (4000, 1), 77), "PNG"), "ok", ""),
        "zero_width.png": (raw_png(0, 10, 8, 0, [b""]), "error", "zero size"),
        "iphone.heic": (minimal_heic(), "error", HEIC_HINT),
    } | ({"photo.avif": (_avif(gradient.astype(np.uint8)), "ok", "")} if AVIF else {})


def build_corpus(directory: Path) -> list[CorpusFile]:
    """Write every corpus case into ``directory`` and return them, in a stable order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for name, (content, expect, hint) in corpus_bytes().items():
        path = directory / name
        path.write_bytes(content)
        files.append(CorpusFile(name, path, expect, hint))
    return files
