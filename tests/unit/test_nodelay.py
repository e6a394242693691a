"""Every connection the server accepts sends small writes at once (normviz.serving.nodelay).

The oracle is the kernel: the accepted socket's ``TCP_NODELAY`` option, read back through the
connection uvicorn made, on a listening socket bound by Streamlit's own code.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket

import uvicorn
from streamlit.web.server.starlette import starlette_server
from uvicorn.protocols.http.h11_impl import H11Protocol

from normviz.serving import nodelay


async def _ok(scope, receive, send) -> None:
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def _run(coro_fn) -> int:
    """Run ``coro_fn()`` in an event loop of its own thread (a browser test's sync Playwright
    may hold a running loop in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result(timeout=60)


async def _accepted_nodelay() -> int:
    """Serve one request on a socket bound as Streamlit binds it; return the accepted
    connection's TCP_NODELAY as the server's side of it has it."""
    sock = starlette_server._bind_socket("127.0.0.1", 0, 8)
    config = uvicorn.Config(_ok, http="h11", lifespan="off", log_level="error")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # as Server.serve sets it up
    await server.startup(sockets=[sock])
    try:
        reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await reader.readuntil(b"ok")
        (conn,) = server.server_state.connections
        flag = conn.transport.get_extra_info("socket").getsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY
        )
        writer.close()
        return flag
    finally:
        await server.shutdown()
        sock.close()


def test_streamlits_socket_leaves_nagle_on_and_enable_turns_it_off(monkeypatch):
    # Streamlit binds with protocol 0, so asyncio does not set the option itself: the premise.
    made = H11Protocol.connection_made
    # Unpatched for this test (serve.py may have been imported by another one); restored after.
    monkeypatch.setattr(H11Protocol, "connection_made", getattr(made, "nv_original", made))
    assert _run(_accepted_nodelay) == 0
    assert "uvicorn.protocols.http.h11_impl.H11Protocol" in nodelay.enable()
    assert _run(_accepted_nodelay) != 0


def test_enable_wraps_once(monkeypatch):
    monkeypatch.setattr(H11Protocol, "connection_made", H11Protocol.connection_made)
    nodelay.enable()
    wrapped = H11Protocol.connection_made
    assert nodelay.enable() and H11Protocol.connection_made is wrapped


class _Transport:
    def __init__(self, sock) -> None:
        self.sock = sock

    def get_extra_info(self, name: str):
        return self.sock if name == "socket" else None


def test_set_nodelay_leaves_non_tcp_sockets_alone():
    assert nodelay.set_nodelay(_Transport(None)) is False
    a, b = socket.socketpair()  # AF_UNIX
    with a, b:
        assert nodelay.set_nodelay(_Transport(a)) is False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert nodelay.set_nodelay(_Transport(s)) is True
        assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
