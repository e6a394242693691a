"""Send every small write at once: ``TCP_NODELAY`` on each connection the server accepts.

Streamlit 1.67 binds its listening socket itself (``socket.socket(family)``: protocol number
0), and asyncio disables Nagle's algorithm only on sockets whose protocol is ``IPPROTO_TCP``.
So each connection Streamlit's uvicorn accepts keeps Nagle on, and a small write that follows
another one still unacknowledged waits for the browser's delayed ACK, ~40 ms on Linux:

- a static file on a reused keep-alive connection (headers written, then the body): ~40 ms a
  file instead of ~2, and a lesson's first view fetches ~120 scripts, six connections at a time;
- a script run's many small WebSocket frames, and the lab's Server-Sent Events.

:func:`enable` makes uvicorn's HTTP protocols set ``TCP_NODELAY`` as a connection is made (a
WebSocket is an upgraded HTTP connection: it keeps the option). ``serve.py`` calls it before the
server accepts a connection. Measured with curl fetching one static file four times over one
connection of ``streamlit run serve.py``: 42-44 ms each reused request before, 1.3-1.9 ms after.
``tests/unit/test_nodelay.py`` reads the option back from an accepted socket.
"""

from __future__ import annotations

import contextlib
import importlib
import socket
from typing import Any

PROTOCOLS = (
    ("uvicorn.protocols.http.h11_impl", "H11Protocol"),
    ("uvicorn.protocols.http.httptools_impl", "HttpToolsProtocol"),
)
"""uvicorn's HTTP protocol classes (module, class): whichever is installed serves."""


def set_nodelay(transport: Any) -> bool:
    """Set ``TCP_NODELAY`` on ``transport``'s TCP socket; return whether it is now set.

    A transport without a TCP socket (a Unix socket, a test double) is left alone.
    """
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    with contextlib.suppress(OSError):  # the peer may already be gone
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return True
    return False


def enable() -> list[str]:
    """Make uvicorn's HTTP protocols set ``TCP_NODELAY`` on each new connection; idempotent.

    Returns
    -------
    list of str
        The protocol classes patched now or before ("module.Class"); a protocol whose module
        is not installed (httptools is optional) is skipped.
    """
    done = []
    for module_name, class_name in PROTOCOLS:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except ImportError:
            continue
        made = cls.connection_made
        if not hasattr(made, "nv_original"):

            def connection_made(self: Any, transport: Any, _made: Any = made) -> None:
                set_nodelay(transport)
                _made(self, transport)

            connection_made.nv_original = made  # type: ignore[attr-defined]  # (undo, tests)
            cls.connection_made = connection_made
        done.append(f"{module_name}.{class_name}")
    return done
