"""Private helpers of :mod:`normviz.io`: explain unreadable files, convert Pillow modes.

Everything here works on an already opened, size-checked Pillow image or on the first bytes of a
file; :func:`normviz.io.read_image` decides when each step runs.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, features

from normviz._checks import ImageError
from normviz.io import _png

AVIF = bool(features.check("avif"))
SUPPORTED = (
    "JPEG, PNG, TIFF, WebP, BMP, GIF or AVIF" if AVIF else "JPEG, PNG, TIFF, WebP, BMP or GIF"
)
HEIC_MESSAGE = (
    "HEIC/HEIF images (iPhone photos) can't be read here: export as JPEG or PNG and upload that. "
    "(On an iPhone: Settings > Camera > Formats > Most Compatible, or share the photo as JPEG.)"
)
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"mif1", b"msf1"}  # the container: HEIC or AVIF inside, the other brands say


def iso_brands(head: bytes) -> set[bytes]:
    r"""Return the major and compatible brands of an ISO-BMFF ``ftyp`` box (empty if none).

    Examples
    --------
    >>> sorted(iso_brands(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"))
    [b'heic', b'mif1']
    >>> iso_brands(b"\x89PNG")
    set()
    """
    if len(head) < 12 or head[4:8] != b"ftyp":
        return set()
    size = int.from_bytes(head[:4], "big")
    end = min(max(size, 16), len(head))
    return {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}


def not_an_image(raw: bytes) -> ImageError:
    """Explain, from the first bytes, why Pillow could not identify the file."""
    head = raw[:1024]
    low = head.lower()
    if b"<svg" in low or (low.lstrip().startswith(b"<?xml") and b"svg" in low):
        return ImageError("SVG is a vector format; export it as PNG and upload that.")
    if head.startswith(b"%PDF"):
        return ImageError("PDF is a document, not an image; export the page as PNG.")
    brands = iso_brands(head)
    if brands & _HEIC_BRANDS or (brands & _HEIF_BRANDS and not brands & _AVIF_BRANDS):
        return ImageError(HEIC_MESSAGE)
    if brands & _AVIF_BRANDS:
        if not AVIF:
            return ImageError(
                "AVIF images can't be read on this server (its Pillow has no AVIF support): "
                "export as JPEG or PNG and upload that."
            )
        return ImageError(
            "The file starts like an AVIF image but is damaged and cannot be read. "
            "Re-export or re-download it."
        )
    signatures = {
        b"\x89PNG": "PNG",
        b"\xff\xd8\xff": "JPEG",
        b"GIF8": "GIF",
        b"BM": "BMP",
        b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF",
    }
    header = _png.read_header(raw)
    if header is not None and (header.width == 0 or header.height == 0):
        return ImageError(
            f"The image has zero size ({header.width} x {header.height} pixels): nothing to show."
        )
    for magic, fmt in signatures.items():
        if head.startswith(magic):
            return ImageError(
                f"The file starts like a {fmt} image but is damaged and cannot be read. "
                "Re-export or re-download it."
            )
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return ImageError(
                "This file is text, not an image, whatever its name says. "
                f"Upload a {SUPPORTED} image."
            )
    return ImageError(f"This file is not an image in a supported format ({SUPPORTED}).")


def damaged(fmt: str, exc: BaseException) -> ImageError:
    if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
        return ImageError(
            f"The {fmt} file is truncated: it ends before the image data does. "
            "Re-export or re-download it."
        )
    return ImageError(f"The {fmt} file is damaged and could not be decoded. Re-export it.")


def orient(a: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) to an (H, W[, C]) array, as ImageOps.exif_transpose."""
    if orientation in (5, 6, 7, 8):  # the ones that swap height and width
        a = a.swapaxes(0, 1)
    flip_rows = orientation in (3, 4, 7, 8)
    flip_cols = orientation in (2, 3, 6, 7)
    return a[:: -1 if flip_rows else 1, :: -1 if flip_cols else 1]


def to_arrays(im: Image.Image, notes: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Convert a loaded Pillow image to (pixels, alpha) in its own bit depth."""
    mode = im.mode
    if mode in ("P", "PA"):
        grey = im.getpalette("RGB") or []
        is_grey = all(grey[i] == grey[i + 1] == grey[i + 2] for i in range(0, len(grey), 3))
        has_alpha = mode == "PA" or "transparency" in im.info
        target = ("LA" if has_alpha else "L") if is_grey else ("RGBA" if has_alpha else "RGB")
        im = im.convert(target)
        notes.append(f"Palette image converted to {'grey' if is_grey else 'RGB'}.")
    elif mode == "1":
        im = im.convert("L")
        notes.append("Black-and-white (1-bit) image shown as 8-bit grey: 0 and 255.")
    elif mode == "CMYK":
        im = im.convert("RGB")
        notes.append("CMYK converted to RGB (without colour management).")
    elif mode == "YCbCr":
        im = im.convert("RGB")
    elif mode in ("La", "RGBa", "RGBX"):
        im = im.convert({"La": "LA", "RGBa": "RGBA", "RGBX": "RGB"}[mode])
    elif mode in ("L", "RGB") and "transparency" in im.info:
        im = im.convert(mode[0] + "A" if mode == "L" else "RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA", "I", "F") and not mode.startswith("I;16"):
        raise ImageError(
            f"Images in Pillow mode {mode!r} are not supported. Save it as an 8- or 16-bit "
            "RGB or grey PNG and upload that."
        )
    a = np.asarray(im)
    if im.mode in ("LA", "RGBA"):
        return np.ascontiguousarray(a[..., :-1].squeeze(-1) if im.mode == "LA" else a[..., :3]), (
            np.ascontiguousarray(a[..., -1])
        )
    if im.mode.startswith("I;16"):
        return a.astype(np.uint16, copy=False), None
    if im.mode == "I":
        if a.size and a.min() >= 0 and a.max() <= 65535:
            notes.append("32-bit integer image stored as 16-bit (all values fit 0..65535).")
            return a.astype(np.uint16), None
        notes.append("32-bit integer image converted to float32 (values outside 0..65535).")
        return a.astype(np.float32), None
    return a, None


def replace_nonfinite(a: np.ndarray, notes: list[str]) -> tuple[np.ndarray, int]:
    """Replace NaN and +-inf as the contract says; an all-non-finite image is an ImageError."""
    finite = np.isfinite(a)
    if finite.all():
        return a, 0
    if not finite.any():
        raise ImageError("Every pixel of this float image is NaN or infinite: nothing to show.")
    n_nan = int(np.isnan(a).sum())
    n_inf = a.size - int(finite.sum()) - n_nan
    lo, hi = a[finite].min(), a[finite].max()
    out = np.where(finite, a, np.where(a == np.inf, hi, lo)).astype(a.dtype, copy=False)
    notes.append(
        f"{n_nan} NaN and {n_inf} inf pixels replaced (NaN -> the finite minimum, "
        "+inf -> finite maximum, -inf -> finite minimum)."
    )
    return out, n_nan + n_inf
