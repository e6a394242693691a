"""Streamlit's built frontend files answered from memory (normviz.serving.static_files).

The oracle is Streamlit's own static files handler (the one ``serve.py``'s app mounts), served
alone on 127.0.0.1: through the middleware, every one of its files is answered with the same
bytes and headers, and everything the middleware does not answer gets Streamlit's answer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

from normviz.serving.static_files import StaticFiles, frontend_dir, index_files
from tests.unit._loopback import LoopbackServer

STATIC_DIR = frontend_dir()
HEADERS = ("content-type", "content-length", "cache-control")


def test_the_frontend_found_without_importing_streamlit_is_the_one_streamlit_serves():
    import streamlit

    assert frontend_dir() == Path(streamlit.__file__).resolve().parent / "static"
    assert (frontend_dir() / "index.html").is_file()


def _streamlit(static_dir: Path, base: str) -> Starlette:
    """Streamlit's static files handler, mounted as its server mounts it (under the base)."""
    mount = "/" + base.strip("/") if base.strip("/") else "/"
    handler = create_streamlit_static_handler(str(static_dir), base)
    return Starlette(routes=[Mount(mount, app=handler)])


@pytest.fixture(scope="module")
def servers():
    """(Streamlit's handler alone, the same behind the middleware), no base path."""
    alone = LoopbackServer(_streamlit(STATIC_DIR, ""))
    wrapped = LoopbackServer(StaticFiles(_streamlit(STATIC_DIR, ""), STATIC_DIR))
    yield alone, wrapped
    alone.close()
    wrapped.close()


def test_every_file_is_answered_from_memory_as_streamlit_answers_it(servers):
    alone, wrapped = servers
    paths = sorted(index_files(STATIC_DIR))
    assert len(paths) > 300 and any(p.startswith("/static/js/index.") for p in paths)
    for path in paths:
        want, got = alone.get(path), wrapped.get(path)
        assert want.status_code == got.status_code == 200, path
        assert got.content == want.content, path
        for header in HEADERS:
            assert got.headers[header] == want.headers[header], (path, header)
        # Streamlit's answer carries an ETag; the middleware's does not: it answered this one.
        assert "etag" in want.headers and "etag" not in got.headers, path


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", {}),  # the page itself (index.html)
        ("GET", "/images", {}),  # a lesson's path: index.html too (Streamlit's fallback)
        ("GET", "/static/js/no-such-file.js", {}),
        ("GET", "/static/js/../../index.html", {}),  # not a file of the index: Streamlit's rules
        ("GET", "/static/js", {}),
        ("HEAD", "/static/css/{css}", {}),
        ("GET", "/static/css/{css}", {"Range": "bytes=0-9"}),
        ("POST", "/static/css/{css}", {}),
    ],
)
def test_anything_else_gets_streamlits_own_answer(servers, method, path, headers):
    alone, wrapped = servers
    css = next(p.name for p in (STATIC_DIR / "static" / "css").iterdir())
    path = path.format(css=css)
    want = alone.request(method, path, headers=headers)
    got = wrapped.request(method, path, headers=headers)
    assert got.status_code == want.status_code
    assert got.content == want.content
    assert got.headers.get("etag") == want.headers.get("etag")


@pytest.mark.parametrize("base", ["class", "/class/"])
def test_under_a_base_path_and_at_the_root(base, request):
    alone = LoopbackServer(_streamlit(STATIC_DIR, base))
    wrapped = LoopbackServer(StaticFiles(_streamlit(STATIC_DIR, base), STATIC_DIR, base))
    request.addfinalizer(alone.close)
    request.addfinalizer(wrapped.close)
    entry = next(p for p in index_files(STATIC_DIR) if p.startswith("/static/js/index."))
    want = alone.get("/class" + entry)
    assert want.status_code == 200
    for path in ("/class" + entry, entry):  # a proxy may strip the base path, or not
        got = wrapped.get(path)
        assert got.status_code == 200 and got.content == want.content
        assert "etag" not in got.headers


def test_a_file_is_read_once_and_kept(tmp_path, request):
    # Hashed names never change content; a copy of one file shows that the first read is kept.
    src = next((STATIC_DIR / "static" / "css").iterdir())
    (tmp_path / "static" / "css").mkdir(parents=True)
    copy = tmp_path / "static" / "css" / src.name
    shutil.copy(src, copy)
    shutil.copy(STATIC_DIR / "index.html", tmp_path / "index.html")
    wrapped = LoopbackServer(StaticFiles(_streamlit(tmp_path, ""), tmp_path))
    request.addfinalizer(wrapped.close)
    first = wrapped.get(f"/static/css/{src.name}").content
    copy.write_bytes(b"changed")
    assert first == src.read_bytes()
    assert wrapped.get(f"/static/css/{src.name}").content == first
