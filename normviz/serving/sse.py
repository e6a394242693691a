"""The live view's stream: Server-Sent Events at ``GET /_nv/live/{token}`` (no streamlit).

The lab's component opens an ``EventSource`` on this route with its session's token
(:mod:`normviz.serving.live_stream`). Each event is one payload of the live view
(``docs/live-view.md``)::

    id: <seq>
    data: <payload as JSON>

- an unknown token answers HTTP 204, on which an EventSource stops reconnecting;
- ``?have={"<run token>": rows, ...}`` (JSON) says what the browser holds when it opens the
  stream: the first event sends only what it lacks (``{}``: everything);
- a browser that reconnects by itself sends ``Last-Event-ID``: the events after it are replayed
  from the channel when it still keeps them, else it is sent what ``have`` lacks;
- a comment line (``: ping``) every :data:`PING_S` seconds keeps proxies from closing a quiet
  stream; each response ends after :data:`MAX_RESPONSE_S` seconds and the browser reconnects.

Waiting never blocks the event loop: the publishing thread wakes the response through
``loop.call_soon_threadsafe``, and the first payload is built in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from normviz.serving import route_paths
from normviz.serving.live_stream import LiveSession, Registry, registry

PATH = "/_nv/live/{token}"
"""The stream's route (outside Streamlit's reserved prefixes)."""

PING_S = 15.0
"""Seconds between comment pings on a quiet stream."""

MAX_RESPONSE_S = 300.0
"""Seconds a response lasts; the browser then reconnects (with ``Last-Event-ID``)."""

RETRY_MS = 1000
"""The browser's reconnection delay, sent as the stream's ``retry:`` field."""

HEADERS = {
    "Cache-Control": "no-cache, no-store",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}


def parse_have(text: str | None) -> dict[str, int]:
    """Return the browser's holdings from ``?have=``: {run token: rows}; bad entries dropped.

    Examples
    --------
    >>> parse_have('{"a": 12, "b": -1, "c": "x", "d": true}')
    {'a': 12}
    >>> parse_have("not json"), parse_have(None), parse_have("[1]")
    ({}, {}, {})
    """
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {
        str(k): v
        for k, v in value.items()
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0
    }


def parse_last_id(text: str | None) -> int | None:
    """Return ``Last-Event-ID`` as an int, or None when absent or not a number.

    Examples
    --------
    >>> parse_last_id("17"), parse_last_id(""), parse_last_id("x"), parse_last_id(None)
    (17, None, None, None)
    """
    try:
        return int(text) if text else None
    except ValueError:
        return None


def event(seq: int, data: str) -> str:
    r"""Return one SSE event (``data`` is single-line JSON).

    Examples
    --------
    >>> event(3, '{"a":1}')
    'id: 3\ndata: {"a":1}\n\n'
    """
    return f"id: {seq}\ndata: {data}\n\n"


async def stream(
    session: LiveSession,
    have: dict[str, int],
    last_id: int | None,
    *,
    ping_s: float = PING_S,
    max_s: float = MAX_RESPONSE_S,
) -> AsyncIterator[str]:
    """Yield the SSE text of one response: the first payload, then each one published.

    Parameters
    ----------
    session : LiveSession
        Whose channel to follow.
    have : dict
        What the browser holds ({run token: rows}).
    last_id : int or None
        The last event the browser received (a reconnect), if any.
    ping_s, max_s : float
        Seconds between pings on a quiet stream, and the response's length.
    """
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()

    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed (the server is stopping)
            loop.call_soon_threadsafe(ready.set)

    channel = session.channel
    channel.add_waiter(wake)
    channel.subscribe()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        backlog = channel.since(last_id) if last_id is not None else None
        if backlog is None:  # a first connection, or events no longer kept: what it lacks
            seq = await anyio.to_thread.run_sync(session.resume, have)
            backlog = channel.since(seq - 1) or []
        end = loop.time() + max_s
        sent = last_id if last_id is not None else -1
        while True:
            for seq, data in backlog:
                yield event(seq, data)
                sent = seq
            left = end - loop.time()
            if left <= 0:
                return
            ready.clear()
            backlog = channel.since(sent)
            if backlog is None:  # it fell behind what the channel keeps: reconnect
                return
            if backlog:
                continue
            try:
                await asyncio.wait_for(ready.wait(), min(ping_s, left))
            except TimeoutError:
                yield ": ping\n\n"
            backlog = channel.since(sent)
            if backlog is None:
                return
    finally:
        channel.remove_waiter(wake)
        channel.unsubscribe()


def endpoint(reg: Registry | None = None, **options: Any):
    """Return the route's handler for ``reg`` (default: the process-wide registry).

    ``options`` go to :func:`stream` (``ping_s``, ``max_s``: tests shorten them).
    """

    async def live(request: Request) -> Response:
        session = (reg or registry()).get(request.path_params["token"])
        if session is None:
            return Response(status_code=204)
        have = parse_have(request.query_params.get("have"))
        last_id = parse_last_id(request.headers.get("last-event-id"))
        body = stream(session, have, last_id, **options)
        return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)

    return live


def routes(base_url: str = "", reg: Registry | None = None, **options: Any) -> list[Route]:
    """Return the stream's routes: :data:`PATH`, and under ``base_url`` when one is set.

    Examples
    --------
    >>> [r.path for r in routes("class/")]
    ['/_nv/live/{token}', '/class/_nv/live/{token}']
    """
    handler = endpoint(reg, **options)
    return [Route(p, handler, methods=["GET"]) for p in route_paths(PATH, base_url)]
