"""A real uvicorn server of an ASGI app on a free 127.0.0.1 port (in a thread), read over HTTP.

Used by the tests of the app's own routes (``tests/unit/test_sse.py``, ``test_media.py``).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import NamedTuple

import uvicorn


class Reply(NamedTuple):
    """One response: its status, headers (case-insensitive) and body."""

    status_code: int
    headers: Message
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


class LoopbackServer:
    """Serve ``app`` on a free loopback port until :meth:`close`; ask it with :meth:`request`."""

    def __init__(self, app) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        end = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < end, "uvicorn did not start"
            time.sleep(0.02)

    def request(self, method: str, path: str, headers=None, params=None) -> Reply:
        """The response to ``method path?params`` (an error status is a reply, not raised)."""
        url = f"http://127.0.0.1:{self.port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.headers, err.read())

    def get(self, path: str, headers=None, params=None) -> Reply:
        return self.request("GET", path, headers, params)

    def post(self, path: str) -> Reply:
        return self.request("POST", path)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
