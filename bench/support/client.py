"""A protocol-level Streamlit session: what a browser tab does to the server, without a browser.

It speaks the app's websocket at ``/_stcore/stream`` with the protobuf messages of the installed
Streamlit (``BackMsg`` up, ``ForwardMsg`` down), exactly like the web frontend:

- on connect it asks for a script run of one page (``rerun_script`` with ``page_name`` and the
  URL's ``query_string``), then reruns with the ``page_script_hash`` of the page that the
  server's ``navigation`` message says is shown;
- it remembers widget ids from the deltas, so it can click a button by its ``key``
  (a ``trigger_value`` widget state, which the server forgets after the run);
- it honours ``auto_rerun`` messages (``st.fragment(run_every=...)``): a timer per fragment sends
  ``rerun_script`` with ``fragment_id`` and ``is_auto_rerun`` every interval, whether or not the
  last tick finished, as the browser's ``setInterval`` does (a repeated message with the same
  interval keeps the timer); a full-app run clears the timers and ``stop_auto_rerun`` cancels
  them; the time from a tick to its ``script_finished`` is recorded;
- it records when each live chart arrived (a ``plotly_chart`` element, or a
  ``component_instance``: the lab's live view, one custom component fed a payload a tick), each
  run finished, and any exception element;
- per script run (from its ``new_session`` message to its ``script_finished``, both included) it
  records the bytes of the websocket messages received, in all and by element kind
  (:class:`RunRecord`), so a benchmark can print the bytes a fragment tick puts on the wire.

Widgets it does not mention keep their previous values on the server (Streamlit keeps a widget's
last value when a rerun's widget states omit it), so clicking a button needs no other state.
It costs the load generator almost nothing next to a real Chromium rendering the charts.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

CHART_KINDS = frozenset({"plotly_chart", "component_instance"})
"""Element kinds counted as a chart update in ``SessionLog.chart_times``: a Plotly chart (the
static lessons) or a custom component (the lab's live view, ``pages/_live_chart.py``)."""


@dataclass
class RunRecord:
    """One script run as the session received it: times are ``time.monotonic()`` seconds.

    Attributes
    ----------
    started_at, finished_at : float
        Arrival of the run's ``new_session`` and of its ``script_finished``.
    fragment : bool
        True for a fragment run (a live tick), False for a full run of the page.
    bytes : int
        Sum of the sizes of the websocket messages (serialized ``ForwardMsg``) of the run,
        ``new_session`` and ``script_finished`` included.
    by_kind : dict of str to int
        Bytes of the run's ``new_element`` deltas by element kind ("component_instance",
        "plotly_chart", "markdown", ...); ``bytes`` minus their sum is the run's other messages.
    """

    started_at: float
    finished_at: float
    fragment: bool
    bytes: int
    by_kind: dict[str, int]


@dataclass
class SessionLog:
    """What one session saw: times are ``time.monotonic()`` seconds."""

    connected_at: float = 0.0
    first_finished_at: float | None = None
    chart_times: list[float] = field(default_factory=list)
    finished_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: int = 0
    bytes_in: int = 0
    reruns_sent: int = 0
    tick_latencies: list[float] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)


class ProtocolSession:
    """One simulated browser tab on ``page`` (a URL path such as "lab") of the app at ``ws_url``.

    Parameters
    ----------
    ws_url : str
        ``ws://127.0.0.1:<port>/_stcore/stream`` (loopback only).
    page : str
        The page's URL path ("" for the default page).
    query : str
        The URL query string without "?", sent with every run (e.g. "dropout=0.3&seed=7").
    """

    def __init__(self, ws_url: str, page: str, query: str = "") -> None:
        if not ws_url.startswith(("ws://127.0.0.1:", "ws://localhost:")):
            raise ValueError(f"expected a loopback websocket URL (got {ws_url!r})")
        self.ws_url = ws_url
        self.page = page
        self.query = query
        self.log = SessionLog()
        self.page_script_hash = ""
        self.widget_ids: dict[str, str] = {}
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._intervals: dict[str, float] = {}
        self._finished = asyncio.Event()
        self._tick_sent_at: float | None = None
        self._run: RunRecord | None = None  # the run being received, if any
        self.stream_path: str | None = None  # the lab's live stream (/_nv/live/<token>)

    async def open(self) -> None:
        """Connect and request the first run of the page (like loading the URL)."""
        self.log.connected_at = time.monotonic()
        self._ws = await connect(
            self.ws_url, subprotocols=["streamlit"], max_size=2**27, open_timeout=60
        )
        self._reader = asyncio.create_task(self._read())
        await self.rerun(first=True)

    async def rerun(
        self,
        widgets: list[WidgetState] | None = None,
        fragment_id: str = "",
        *,
        first: bool = False,
    ) -> None:
        """Send ``rerun_script``: a full run, a widget interaction, or a fragment tick."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if first or not self.page_script_hash:
            state.page_name = self.page
        else:
            state.page_script_hash = self.page_script_hash
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        state.widget_states.SetInParent()
        for w in widgets or []:
            state.widget_states.widgets.append(w)
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = f"http://127.0.0.1/{self.page}" + (
            f"?{self.query}" if self.query else ""
        )
        self._finished.clear()
        self.log.reruns_sent += 1
        if fragment_id and self._tick_sent_at is None:
            self._tick_sent_at = time.monotonic()
        try:
            await self._ws.send(msg.SerializeToString())
        except ConnectionClosed as exc:
            self.log.errors.append(f"send failed: {exc}")

    async def click(self, key: str) -> bool:
        """Click the button whose widget key is ``key``; False if the page has no such button."""
        widget_id = self.widget_ids.get(key)
        if widget_id is None:
            return False
        await self.rerun([WidgetState(id=widget_id, trigger_value=True)])
        return True

    async def click_when_shown(self, key: str, timeout_s: float) -> bool:
        """Wait (script run after script run) until the page shows button ``key``, then click it.

        The first run of a session may be the app's router, which draws no widget of the page;
        the page's own run follows. False if the button did not appear within ``timeout_s``.
        """
        end = time.monotonic() + timeout_s
        while key not in self.widget_ids:
            left = end - time.monotonic()
            self._finished.clear()  # wait for the next run, not one that already finished
            if left <= 0 or not await self.wait_finished(left):
                return False
        return await self.click(key)

    async def wait_finished(self, timeout_s: float) -> bool:
        """Wait for the next ``script_finished``; False on timeout."""
        try:
            await asyncio.wait_for(self._finished.wait(), timeout_s)
            return True
        except TimeoutError:
            return False

    async def close(self) -> None:
        """Stop the timers and close the websocket, like closing the tab."""
        for task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await self._reader

    # -- incoming messages -------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                self.log.messages += 1
                self.log.bytes_in += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, time.monotonic(), len(data))
        except ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code not in (1000, 1001):
                self.log.errors.append(f"connection closed: {exc}")

    def _handle(self, msg: ForwardMsg, now: float, size: int = 0) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # every run starts with one (a fragment run too)
            fragment = bool(msg.metadata.run.fragment_ids)
            self._run = RunRecord(now, now, fragment, 0, {})
        if self._run is not None:
            self._run.bytes += size
        if kind == "navigation":  # with st.navigation, the page actually shown
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the frontend drops its timers
                for task in self._timers.values():
                    task.cancel()
                self._timers.clear()
        elif kind == "delta":
            self._handle_delta(msg, now, size)
        elif kind == "auto_rerun":
            # Like the browser: a timer with the same interval keeps running (setInterval), a
            # new interval replaces it.
            fid, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if self._intervals.get(fid) == interval and fid in self._timers:
                return
            old = self._timers.pop(fid, None)
            if old is not None:
                old.cancel()
            self._intervals[fid] = interval
            self._timers[fid] = asyncio.create_task(self._tick(fid, interval))
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                task = self._timers.pop(fid, None)
                if task is not None:
                    task.cancel()
        elif kind == "script_finished":
            self.log.finished_times.append(now)
            if self.log.first_finished_at is None:
                self.log.first_finished_at = now
            if self._tick_sent_at is not None:
                self.log.tick_latencies.append(now - self._tick_sent_at)
                self._tick_sent_at = None
            if self._run is not None:
                self._run.finished_at = now
                self.log.runs.append(self._run)
                self._run = None
            self._finished.set()
        elif kind == "page_not_found":
            self.log.errors.append(f"page not found: {self.page!r}")

    def _handle_delta(self, msg: ForwardMsg, now: float, size: int = 0) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if self._run is not None and kind is not None:
            self._run.by_kind[kind] = self._run.by_kind.get(kind, 0) + size
        if kind in CHART_KINDS:
            self.log.chart_times.append(now)
            if kind == "component_instance":  # the lab's live view: its stream's path
                with contextlib.suppress(ValueError):
                    args = json.loads(element.component_instance.json_args)
                    self.stream_path = args.get("stream") or self.stream_path
        elif kind == "exception":
            self.log.errors.append(
                f"exception element: {element.exception.type}: {element.exception.message}"
            )
        elif kind is not None:
            widget = getattr(element, kind)
            widget_id = getattr(widget, "id", "")
            if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                self.widget_ids[widget_id.split("-", 2)[-1]] = widget_id

    async def _tick(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.rerun(fragment_id=fragment_id)


def max_gap(times: list[float], start: float, end: float) -> float:
    """Largest gap between consecutive events in [start, end], edges included.

    Examples
    --------
    >>> max_gap([1.0, 1.5, 3.5], 0.5, 4.0)
    2.0
    >>> max_gap([], 0.0, 2.0)
    2.0
    """
    points = [start, *[t for t in times if start <= t <= end], end]
    return max(b - a for a, b in itertools.pairwise(points))


@dataclass
class StreamLog:
    """What one Server-Sent Events reader received: event times and sizes, the last payload."""

    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    last: dict | None = None
    status: int = 0
    keep: bool = False  # keep every payload in ``payloads`` (parallel to ``times``)
    payloads: list[dict] = field(default_factory=list)


async def read_stream(url: str, log: StreamLog, stop: asyncio.Event) -> None:
    """Read the SSE stream at ``url`` (``http://127.0.0.1:<port>/_nv/live/<token>``) until
    ``stop`` is set, recording each event's arrival time and ``data`` size in ``log``.

    A plain HTTP/1.1 GET over asyncio streams (loopback only), like a browser's EventSource
    without its reconnection: the benchmarks' windows are shorter than a response (300 s).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise ValueError(f"expected a loopback URL (got {url!r})")
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    writer.write(
        # HTTP/1.0: the response is delimited by the connection's end, not chunked.
        f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    status = await reader.readline()
    log.status = int(status.split()[1])
    while (await reader.readline()).strip():  # headers
        pass
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            read = asyncio.create_task(reader.readline())
            done, _ = await asyncio.wait({read, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                break
            line = read.result()
            if not line:
                break
            text = line.decode().rstrip("\r\n")
            if text.startswith("data: "):
                log.times.append(time.monotonic())
                log.sizes.append(len(text) - 6)
                with contextlib.suppress(ValueError):
                    log.last = json.loads(text[6:])
                if log.keep:
                    log.payloads.append(log.last or {})
    finally:
        stopping.cancel()
        writer.close()
