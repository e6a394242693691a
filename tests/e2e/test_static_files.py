"""The real server answers Streamlit's own script, style and font files from memory
(normviz.serving.static_files, wired in serve.py): a lesson's first view in Chromium gets every
one of them from there, each the file Streamlit ships, cached for a year.

The middleware's answer is the one without an ``ETag`` (Streamlit's own handler sends one:
``tests/unit/test_static_files.py`` compares the two answers file by file).
"""

from __future__ import annotations

from normviz.serving.static_files import frontend_dir
from tests.e2e.conftest import open_page

STATIC = frontend_dir()


def test_a_first_view_gets_streamlits_files_from_memory(page, server):
    answers = []
    page.on("response", lambda r: answers.append(r) if "/static/" in r.url else None)
    open_page(page, server, "/images")
    files = [r for r in answers if r.url.split("/static/", 1)[1].startswith(("js/", "css/"))]
    assert len(files) > 50, [r.url for r in answers]
    for answer in files:
        headers = answer.all_headers()
        assert answer.status == 200, answer.url
        assert "etag" not in headers, f"{answer.url} was answered by Streamlit's handler"
        assert "immutable" in headers["cache-control"]
    entry = next(r for r in files if "/static/js/index." in r.url)
    name = entry.url.split("/static/", 1)[1]
    assert entry.body() == (STATIC / "static" / name).read_bytes()
