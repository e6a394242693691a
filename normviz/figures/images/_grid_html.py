"""The comparison grid as one HTML block: every technique's thumbnail, title and histogram.

Drawn as ``st.columns`` of ``st.image`` it was 26 elements (two rows of four columns, two
pictures in each), each picture's height unknown to the browser until it loaded, so the page's
layout moved once per picture. As one ``st.html`` block it is one element; every picture carries
its size (``width`` / ``height`` attributes, scaled to the column with ``height:auto``), so the
browser lays the grid out once. The pictures (a JPEG thumbnail and the small SVG histogram of
:func:`~normviz.figures.images.mini_histogram_svg`, each with its alt text) are links the caller
makes (the served app: :mod:`normviz.serving.media`), else data URLs.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple
from xml.sax.saxutils import escape

from PIL import Image

from normviz.figures._chart_html import escape_attr

GRID_CLASS = "nv-grid"
"""Class of the grid's outer box (the tests find it by it)."""
COLUMNS = 4
"""Tiles per row; one per row below 640 px of viewport width, as Streamlit's columns stack."""
CAPTION = "font-size:14px;color:rgba(49, 51, 63, 0.6);text-align:center;margin:0.5rem 0 1rem"
"""A tile title's style: as ``st.image``'s caption."""


class GridTile(NamedTuple):
    """One tile of the comparison grid.

    Attributes
    ----------
    title : str
        The technique and its settings (the caption under the thumbnail).
    jpeg : bytes
        The thumbnail, a JPEG file.
    alt : str
        The thumbnail's alt text.
    histogram_svg : str
        The tile's histogram, an SVG document with ``width`` and ``height`` attributes.
    histogram_alt : str
        The histogram's alt text.
    """

    title: str
    jpeg: bytes
    alt: str
    histogram_svg: str
    histogram_alt: str


def _svg_size(svg: str) -> tuple[int, int]:
    m = re.search(r'<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"', svg)
    if m is None:
        raise ValueError(f"expected an <svg> with width and height attributes (got {svg[:60]!r})")
    return int(m[1]), int(m[2])


def _img(src: str, alt: str, size: tuple[int, int], cls: str) -> str:
    return (
        f'<img class="{cls}" alt="{escape_attr(alt)}" width="{size[0]}" height="{size[1]}" '
        f'src="{escape_attr(src)}" loading="lazy" decoding="async" '
        'style="display:block;width:100%;height:auto;border-radius:0.5rem" />'
    )


Link = Callable[[bytes, str], "str | None"]
"""Turns a picture (its bytes and media type) into the address an ``<img>`` loads, or None."""


def _src(data: bytes, media_type: str, link: Link | None) -> str:
    url = link(data, media_type) if link is not None else None
    return url or f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def grid_html(
    tiles: Sequence[GridTile], *, columns: int = COLUMNS, link: Link | None = None
) -> str:
    """Return the comparison grid: one ``<figure>`` per tile, ``columns`` to a row.

    Parameters
    ----------
    tiles : sequence of GridTile
        The tiles in order (title, JPEG thumbnail and alt text, SVG histogram and alt text).
    columns : int
        Tiles per row on a screen at least 640 px wide (one per row below).
    link : callable, optional
        ``link(data, media_type)``: the address of a picture (``"image/jpeg"`` or
        ``"image/svg+xml"``), e.g. :meth:`normviz.serving.media.MediaStore.url`; a picture it
        gives None for, or every picture without it, is a data URL.

    Returns
    -------
    str
        ``<div class="nv-grid">`` holding, per tile, a ``<figure class="nv-tile">`` with the
        thumbnail (``<img class="nv-thumb">``, its pixel size as ``width`` / ``height``), the
        title (``<figcaption>``) and the histogram (``<img class="nv-mini">``); every picture
        with its alt text.

    Raises
    ------
    ValueError
        If a thumbnail is not a readable image, or a histogram has no width and height.

    Examples
    --------
    >>> from normviz.io import encode_jpeg
    >>> import numpy as np
    >>> jpeg = encode_jpeg(np.zeros((3, 4), dtype=np.uint8))
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="7"></svg>'
    >>> html = grid_html([GridTile("Min-max", jpeg, "Thumb", svg, "Histogram")])
    >>> html.count('class="nv-tile"'), 'width="4" height="3"' in html
    (1, True)
    """
    cells = []
    for t in tiles:
        try:
            with Image.open(io.BytesIO(t.jpeg)) as im:
                size = im.size
        except Exception as err:
            raise ValueError(f"tile {t.title!r}: the thumbnail is not a readable image") from err
        jpeg = _src(t.jpeg, "image/jpeg", link)
        svg = _src(t.histogram_svg.encode(), "image/svg+xml", link)
        cells.append(
            '<figure class="nv-tile" style="margin:0;min-width:0">'
            + _img(jpeg, t.alt, size, "nv-thumb")
            + f'<figcaption style="{CAPTION}">{escape(t.title)}</figcaption>'
            + _img(svg, t.histogram_alt, _svg_size(t.histogram_svg), "nv-mini")
            + "</figure>"
        )
    style = (
        f"<style>.{GRID_CLASS}{{display:grid;gap:1rem;"
        f"grid-template-columns:repeat({columns}, minmax(0, 1fr))}}"
        f"@media (max-width: 640px){{.{GRID_CLASS}{{grid-template-columns:minmax(0, 1fr)}}}}"
        "</style>"
    )
    return f'{style}<div class="{GRID_CLASS}">{"".join(cells)}</div>'
