"""Bundled sample images: a small registry of real photographs, each with its licence.

The files are package data, ``normviz/_samples/``, read through :mod:`importlib.resources` so
they load wherever normviz is installed (a clone, a wheel in a virtual environment);
``normviz/_samples/LICENSES.md`` beside them gives the full attribution. Every sample is chosen
to make one technique's point on the image page:

========== ========================================= =======================
key        what it is                                good for
========== ========================================= =======================
chalkboard greyscale photo, low contrast (10..197)   min-max scaling, equalization
rocket     colour photo at dusk, a few bright lamps  percentile clipping
hdr        16-bit linear deep-field image, ~1000:1   log scaling
coffee     colour photo, strong reds                 per-channel vs luminance
========== ========================================= =======================

Examples
--------
>>> sorted(SAMPLES)
['chalkboard', 'coffee', 'hdr', 'rocket']
>>> SAMPLES["hdr"].path.name
'hubble_hdr16.png'
>>> (SAMPLES_DIR / "LICENSES.md").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import NamedTuple

from normviz._checks import check_choice
from normviz.io import DecodedImage, read_image

SAMPLES_DIR: Traversable = files("normviz") / "_samples"
"""The installed folder of the sample files and their ``LICENSES.md`` (package data)."""


class Sample(NamedTuple):
    """One bundled sample image and where it comes from.

    Attributes
    ----------
    key : str
        Registry key (also the value of the page's sample selector).
    title : str
        Short display name.
    path : importlib.resources.abc.Traversable
        The file in :data:`SAMPLES_DIR` (a :class:`pathlib.Path` when the package is installed
        as plain files; read it with ``read_bytes()`` so a zipped install works too).
    licence : str
        The licence, quoted from the source.
    source : str
        Where the file comes from and whether it was modified.
    good_for : str
        One sentence: which technique it illustrates and why.
    technique : str
        Key of the technique (``normviz.intensity.TECHNIQUES``) that makes its point best.
    """

    key: str
    title: str
    path: Traversable
    licence: str
    source: str
    good_for: str
    technique: str


_SKIMAGE = "scikit-image 0.26 sample data (skimage/data/{}), {}"

SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            key="chalkboard",
            title="Chalkboard (low contrast)",
            path=SAMPLES_DIR / "chalkboard.png",
            licence="Public domain (no known copyright restrictions)",
            source=_SKIMAGE.format("text.png", "unchanged"),
            good_for=(
                "A grey photo whose values fill only 10..197 of 0..255: min-max scaling stretches "
                "it to the full range; equalization flattens its histogram."
            ),
            technique="scale",
        ),
        Sample(
            key="rocket",
            title="Rocket at dusk (bright outliers)",
            path=SAMPLES_DIR / "rocket_night.jpg",
            licence="Public domain (released by SpaceX)",
            source=_SKIMAGE.format("rocket.jpg", "unchanged"),
            good_for=(
                "A dark scene with a few floodlights: the lamps pin the maximum, so min-max "
                "scaling barely changes anything while percentile clipping brightens the scene."
            ),
            technique="clip",
        ),
        Sample(
            key="hdr",
            title="Deep field, 16-bit HDR (derived)",
            path=SAMPLES_DIR / "hubble_hdr16.png",
            licence="Public domain (NASA Hubble eXtreme Deep Field); derived file CC0",
            source=(
                "Derived by assets/make_hdr.py from scikit-image's hubble_deep_field.jpg: "
                "the inverse of an asinh display stretch, saved as linear 16-bit. Not an "
                "original telescope frame."
            ),
            good_for=(
                "Linear 16-bit data spanning about 1000:1: shown linearly it is almost black "
                "with a few dots; log scaling reveals the faint galaxies."
            ),
            technique="log",
        ),
        Sample(
            key="coffee",
            title="Coffee (colour)",
            path=SAMPLES_DIR / "coffee.png",
            licence="CC0 (photographer Rachel Michetti)",
            source=_SKIMAGE.format("coffee.png", "unchanged; courtesy of Pikolo Espresso Bar"),
            good_for=(
                "Strong reds: equalizing R, G and B separately shifts the hues, equalizing the "
                "luminance keeps them; z-score per channel shows the mean/std of each channel."
            ),
            technique="zscore",
        ),
    )
}


def load_sample(key: str) -> DecodedImage:
    """Return the decoded bundled sample ``key`` (see :data:`SAMPLES`).

    Parameters
    ----------
    key : str
        One of the keys of :data:`SAMPLES`.

    Returns
    -------
    DecodedImage
        As returned by :func:`normviz.io.read_image`: pixels (H, W) or (H, W, 3) in the file's
        own bit depth (uint8, or uint16 for ``"hdr"``).

    Raises
    ------
    ValueError
        If ``key`` is not a sample key.

    Examples
    --------
    >>> img = load_sample("hdr")
    >>> img.pixels.shape, str(img.pixels.dtype)
    ((436, 500), 'uint16')
    >>> load_sample("moon")
    Traceback (most recent call last):
    ...
    ValueError: sample must be one of 'chalkboard', 'rocket', 'hdr', 'coffee' (got 'moon')
    """
    check_choice(key, SAMPLES, "sample")
    return read_image(SAMPLES[key].path.read_bytes())
