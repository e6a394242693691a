"""Pictures a page's HTML links to, served by content hash: ``GET /_nv/media/{name}``.

A page that draws many small pictures in one ``st.html`` block (the image lesson's comparison
grid: 16 thumbnails and 16 histograms) would send each as a data URL inside the block: ~120-220
kB of text that the browser receives, sanitizes (DOMPurify) and parses on its main thread at
every change of image. Put here instead, each picture is a short link; the browser fetches and
decodes them off its main thread, and keeps them (their names are their content's hash, so an
answer never changes: it is cached for a year), so a picture seen before costs nothing.

- :data:`STORE` holds the pictures: at most :data:`MAX_BYTES` in all, the least recently put
  dropped first. A page puts its pictures again each time it draws them (a put of a kept
  picture only marks it used), so a picture on a page is never one dropped long ago.
- :func:`routes` makes the route, and from then on :func:`STORE.url <MediaStore.url>` answers
  links: a page run by ``streamlit run app.py`` alone (no route) gets ``None`` and keeps its
  data URLs.
- A name is the SHA-256 of the bytes (128 bits of it): a picture can be fetched only by
  someone who knows it, as with Streamlit's own media files. No streamlit here.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from normviz.serving import route_paths

PATH = "/_nv/media/{name}"
"""The route (outside Streamlit's reserved prefixes); ``name`` is ``<hash>.<extension>``."""

MAX_BYTES = 64 * 1024 * 1024
"""Bytes the store keeps at most (~400 comparison grids)."""

TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/svg+xml": "svg"}
"""The media types a picture may have, and the extension its name ends with."""

HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",  # a name is its content
    "X-Content-Type-Options": "nosniff",
    # an SVG opened on its own (not as an <img>) runs nothing and loads nothing
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


class MediaStore:
    """Pictures by name, at most ``max_bytes`` in all, least recently put dropped first.

    Thread-safe: script threads put, the server's event loop gets.

    Examples
    --------
    >>> store = MediaStore(max_bytes=10)
    >>> store.url(b"abc", "image/png") is None  # no route serves it yet
    True
    >>> store.served_at("/_nv/media/")
    >>> name = store.put(b"abcdef", "image/png")
    >>> name.endswith(".png"), len(name), store.get(name)
    (True, 36, (b'abcdef', 'image/png'))
    >>> other = store.put(b"123456", "image/jpeg")  # 12 bytes > 10: the oldest goes
    >>> store.get(name) is None, store.url(b"123456", "image/jpeg") == "/_nv/media/" + other
    (True, True)
    """

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._prefix: str | None = None

    def served_at(self, prefix: str) -> None:
        """Say that a route serves the store under ``prefix`` (e.g. ``"/class/_nv/media/"``)."""
        self._prefix = prefix

    def put(self, data: bytes, media_type: str) -> str:
        """Keep ``data`` (a picture of ``media_type``, one of :data:`TYPES`); return its name.

        Raises
        ------
        ValueError
            If ``media_type`` is not one of :data:`TYPES`.
        """
        if media_type not in TYPES:
            raise ValueError(f"media type {media_type!r} is not one of {sorted(TYPES)}")
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.{TYPES[media_type]}"
        with self._lock:
            if name in self._items:
                self._items.move_to_end(name)
                return name
            self._items[name] = (data, media_type)
            self._bytes += len(data)
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (old, _type) = self._items.popitem(last=False)
                self._bytes -= len(old)
        return name

    def get(self, name: str) -> tuple[bytes, str] | None:
        """Return the picture called ``name`` and its media type; None if not kept."""
        with self._lock:
            return self._items.get(name)

    def url(self, data: bytes, media_type: str) -> str | None:
        """Keep ``data`` and return its link (under the app's base path); None if not served."""
        if self._prefix is None:
            return None
        return self._prefix + self.put(data, media_type)


STORE = MediaStore()
"""The process's store: what :func:`routes` serves."""


def endpoint(store: MediaStore):
    """Return the route's handler: the picture with :data:`HEADERS`, or 404 if it is not kept."""

    async def media(request: Request) -> Response:
        found = store.get(request.path_params["name"])
        if found is None:
            return Response("No such picture (it may have been dropped: reload the page).", 404)
        data, media_type = found
        return Response(data, media_type=media_type, headers=HEADERS)

    return media


def routes(base_url: str = "", store: MediaStore = STORE) -> list[Route]:
    """Return the route at :data:`PATH` (under ``base_url`` too) and make ``store`` give links.

    Links carry the base path when one is set (the browser asks for it through a proxy that
    serves the app there).

    Examples
    --------
    >>> store = MediaStore()
    >>> [r.path for r in routes("class/", store)]
    ['/_nv/media/{name}', '/class/_nv/media/{name}']
    >>> store.url(b"x", "image/png").startswith("/class/_nv/media/")
    True
    """
    paths = route_paths(PATH, base_url)
    store.served_at(paths[-1].split("{", 1)[0])
    handler = endpoint(store)
    return [Route(p, handler, methods=["GET"]) for p in paths]
