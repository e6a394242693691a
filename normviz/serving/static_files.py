"""Streamlit's built frontend files, answered from memory: ``GET {base}/static/...``.

A lesson's first view fetches ~110 of Streamlit's script, style and font files (~3.7 MB), six
at a time; ~60 of them are named by the page itself. Streamlit answers each through its whole
middleware stack (sessions, path checks, selective gzip), Starlette's routing and its static
files handler (a ``stat`` and reads in a thread pool), on the server's one event loop that also
sends the page's messages: ~170 ms of the process's CPU for those ~60 files, and ten browsers
arriving at once waited ~2 s for them (``python -m bench.bench_static``).

:class:`StaticFiles` answers those files before all that: every file under Streamlit's
``static/static`` directory is indexed at start (its names carry their content's hash: an answer
never changes), read on its first request and kept (at most the whole directory: 25 MB in
Streamlit 1.67, of which a lesson's first view reads ~3.7 MB), and sent with Streamlit's own
headers for it: its type and a year of immutable caching (no ``ETag``: a browser that holds a
file never asks again). ~26 ms of CPU for the same ~60 files; ten browsers at once get them in
~0.3 s. Anything else, a ``Range`` or a method other than GET, goes on to Streamlit unchanged.
No streamlit import here: :func:`frontend_dir` finds Streamlit's built frontend without one, and
``serve.py`` passes it and the base path.
"""

from __future__ import annotations

import importlib.util
import mimetypes
from pathlib import Path
from typing import Any

CACHE_CONTROL = b"public, immutable, max-age=31536000"
"""Streamlit's caching of its hashed files (``STATIC_ASSET_CACHE_MAX_AGE_SECONDS``: a year)."""


def frontend_dir() -> Path:
    """Return Streamlit's built frontend: the directory of its ``index.html``.

    Its files are under ``static/`` there (``static/js/<Name>.<hash>.js``, ``static/css``,
    ``static/media``). Found from the installed package's location, without importing it.
    """
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("streamlit is not installed")
    return Path(spec.origin).resolve().parent / "static"


def index_files(static_dir: Path, base_url: str = "") -> dict[str, Path]:
    """Return each file under ``static_dir / "static"`` by the request path that names it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "static" / "js").mkdir(parents=True)
    ...     _ = (Path(d) / "static" / "js" / "a.1.js").write_text("x")
    ...     sorted(index_files(Path(d), "class/"))
    ['/class/static/js/a.1.js', '/static/js/a.1.js']
    """
    root = static_dir / "static"
    base = base_url.strip("/")
    prefixes = ["/"] + ([f"/{base}/"] if base else [])
    return {
        prefix + path.relative_to(static_dir).as_posix(): path
        for path in root.rglob("*")
        if path.is_file()
        for prefix in prefixes
    }


def content_type(path: Path) -> bytes:
    """Return the ``Content-Type`` Streamlit sends for ``path``.

    Its extension's type as :mod:`mimetypes` knows it, with ``charset=utf-8`` for a text type
    (Starlette's rule).

    Examples
    --------
    >>> content_type(Path("a.css")), content_type(Path("b.svg"))
    (b'text/css; charset=utf-8', b'image/svg+xml')
    """
    kind = mimetypes.guess_type(path.name)[0] or "text/plain"
    return (kind + "; charset=utf-8" if kind.startswith("text/") else kind).encode()


class StaticFiles:
    """ASGI middleware: a GET of one of Streamlit's static files is answered from memory.

    ``static_dir`` is Streamlit's built frontend (the directory of its ``index.html``);
    ``base_url`` its ``server.baseUrlPath`` (files are answered under it and at the root, as a
    proxy may strip it or not).
    """

    def __init__(self, app: Any, static_dir: Path, base_url: str = "") -> None:
        self.app = app
        self.paths = index_files(static_dir, base_url)
        self._kept: dict[Path, tuple[bytes, list[tuple[bytes, bytes]]]] = {}

    def read(self, path: Path) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """Return the bytes of ``path`` and its answer's headers, made on its first request.

        Both are kept. Read on the server's event loop: the largest file, Plotly's, is 4.7 MB,
        read from the page cache in ~0.3 ms.
        """
        kept = self._kept.get(path)
        if kept is None:
            data = path.read_bytes()
            headers = [
                (b"content-type", content_type(path)),
                (b"content-length", str(len(data)).encode()),
                (b"cache-control", CACHE_CONTROL),
            ]
            kept = self._kept[path] = (data, headers)
        return kept

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Answer a GET of an indexed file (no ``Range``) from memory; pass anything else on."""
        path = self.paths.get(scope.get("path", "")) if scope["type"] == "http" else None
        if (
            path is None
            or scope.get("method") != "GET"
            or any(k == b"range" for k, _ in scope.get("headers", ()))
        ):
            await self.app(scope, receive, send)
            return
        data, headers = self.read(path)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data, "more_body": False})
