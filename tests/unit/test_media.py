"""The pictures' store and route (normviz.serving.media), served by a real uvicorn server on
127.0.0.1 (in a thread) and read over HTTP."""

from __future__ import annotations

import hashlib

import pytest
from starlette.applications import Starlette

from normviz.serving.media import HEADERS, PATH, MediaStore, routes
from tests.unit._loopback import LoopbackServer


def test_a_name_is_the_contents_hash_and_its_type():
    store = MediaStore()
    name = store.put(b"\xff\xd8 a jpeg", "image/jpeg")
    assert name == hashlib.sha256(b"\xff\xd8 a jpeg").hexdigest()[:32] + ".jpg"
    assert store.put(b"<svg/>", "image/svg+xml").endswith(".svg")
    assert store.get(name) == (b"\xff\xd8 a jpeg", "image/jpeg")
    assert store.get("0" * 32 + ".jpg") is None
    with pytest.raises(ValueError, match="image/gif"):
        store.put(b"GIF89a", "image/gif")


def test_the_store_keeps_its_bound_and_drops_the_least_recently_put():
    store = MediaStore(max_bytes=300)
    a, b, c = (store.put(bytes([i]) * 100, "image/png") for i in range(3))
    assert store.put(bytes([0]) * 100, "image/png") == a  # put again: now the most recent
    d = store.put(bytes([3]) * 100, "image/png")  # 400 bytes > 300: b (the oldest) goes
    assert [store.get(n) is not None for n in (a, b, c, d)] == [True, False, True, True]
    # one picture larger than the bound is still kept (alone): a page never links to nothing
    big = store.put(bytes(1000), "image/png")
    assert [store.get(n) is not None for n in (a, c, d, big)] == [False, False, False, True]


def test_links_come_only_once_a_route_serves_the_store():
    store = MediaStore()
    assert store.url(b"x", "image/png") is None  # streamlit run app.py: data URLs instead
    routes("", store)
    link = store.url(b"x", "image/png")
    assert link == "/_nv/media/" + store.put(b"x", "image/png")


@pytest.mark.parametrize("base", ["", "class", "/class/"])
def test_the_route_serves_each_picture_by_its_link_with_a_years_cache(base, request):
    store = MediaStore()
    client = LoopbackServer(Starlette(routes=routes(base, store)))
    request.addfinalizer(client.close)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"></svg>'
    link = store.url(svg, "image/svg+xml")
    assert link.startswith("/class/_nv/media/" if base else "/_nv/media/")
    got = client.get(link)
    assert got.status_code == 200 and got.content == svg
    assert got.headers["content-type"] == "image/svg+xml"
    for header, value in HEADERS.items():
        assert got.headers[header] == value
    assert "immutable" in got.headers["cache-control"]
    # the bare path is served too (the proxy may strip the base path), a name not kept is 404
    assert client.get(PATH.format(name=link.rsplit("/", 1)[1])).content == svg
    missing = client.get(PATH.format(name="0" * 32 + ".svg"))
    assert missing.status_code == 404 and "reload the page" in missing.text
    assert client.post(link).status_code == 405
