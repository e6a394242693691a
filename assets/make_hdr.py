"""Build ``normviz/_samples/hubble_hdr16.png``: a 16-bit, linear HDR version of a real photo.

No real 16-bit HDR image ships on this machine, so this script derives one, reproducibly, from a
public-domain photograph: the Hubble eXtreme Deep Field (NASA; shipped with scikit-image as
``skimage/data/hubble_deep_field.jpg``; NASA images "may be freely used in the public domain").

What it does, and why it is a fair stand-in for real telescope data:

1. Take the published 8-bit colour image and its luminance Y = 0.2126 R + 0.7152 G + 0.0722 B
   (on sRGB-decoded values), downscaled 2x by area averaging (to keep the asset small).
2. The published image is a *display* image: astronomers show raw counts through a strongly
   compressive stretch (asinh, log). Undo an asinh stretch, v = asinh(a L) / asinh(a), so that
   L = sinh(asinh(a) v) / a. With a = 400 the result spans three decades (about 1000:1): the sky
   background sits near 10^-3 of the brightest star cores, as in real deep-field frames.
3. Add a seeded half-step uniform dither before inverting, so the 16-bit values are continuous
   rather than 256 spikes; add a small sky pedestal; scale to 0..65535 and round to uint16.

Shown linearly the result is almost black with a few white dots: exactly the case log scaling
is for. Run from the project root: ``python assets/make_hdr.py`` (needs numpy and Pillow only).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SEED = 20240601
ASINH_A = 400.0
PEDESTAL = 2e-4  # sky background level, as a fraction of the brightest value
HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "normviz" / "_samples" / "hubble_hdr16.png"  # package data, beside its licence


def _source() -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data" / "hubble_deep_field.jpg"


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def make_hdr(src: Path, seed: int = SEED) -> np.ndarray:
    """Return the (H/2, W/2) uint16 linear HDR image derived from the 8-bit photo ``src``."""
    rgb = np.asarray(Image.open(src).convert("RGB"), dtype=np.float64)
    h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    rng = np.random.default_rng(seed)
    dithered = np.clip(rgb[:h, :w] + rng.uniform(-0.5, 0.5, size=(h, w, 3)), 0.0, 255.0) / 255.0
    lin = _srgb_to_linear(dithered)
    y = lin @ np.array([0.2126, 0.7152, 0.0722])
    y = y.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))  # 2x2 area average
    # The display value of the linear luminance, then undo the asinh display stretch.
    v = y ** (1 / 2.2)
    radiance = np.sinh(np.arcsinh(ASINH_A) * v) / ASINH_A + PEDESTAL
    radiance /= radiance.max()
    return np.round(radiance * 65535.0).astype(np.uint16)


def main() -> None:
    img = make_hdr(_source())
    Image.fromarray(img).save(OUT, optimize=True)
    nz = img[img > 0]
    print(
        f"wrote {OUT.name}: {img.shape} {img.dtype}, min {img.min()}, median {np.median(img):.0f}, "
        f"max {img.max()}, dynamic range {img.max() / max(nz.min(), 1):.0f}:1"
    )


if __name__ == "__main__":
    main()
