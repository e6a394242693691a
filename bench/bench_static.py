"""Benchmark: Streamlit's own script, style and font files, as a first view fetches them.

Run from the project root (loopback only, ~1 min): ``nice .venv/bin/python -m bench.bench_static
[--repeats R] [--clients 1 10]``.

Two servers, started here, one after the other:

- normviz: ``streamlit run serve.py``, whose :mod:`normviz.serving.static_files` answers these
  files from memory;
- reference: the same app (``app.py`` as Streamlit's ASGI ``st.App``, with ``serve.py``'s
  ``TCP_NODELAY``) without that middleware: Streamlit's own static files handler answers.

A "first view" is what a browser fetches before anything of the app: the page (a lesson's
path), then its script, module preloads and style sheet as the page names them (~60 files,
~2.4 MB), six at a time over six keep-alive connections, as Chromium does. With ``--clients
N``, N such first views at once (a class opening a lesson together). Printed per case: the
median wall time of one first view, and the server process's CPU seconds per first view, with
the ratio normviz / reference for each.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.support.server import cpu_seconds, free_port, start_server, stop_server, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 6
"""Connections a browser opens to one host over HTTP/1.1."""
LESSON = "/images"
REFERENCE_SCRIPT = """
import streamlit as st
from normviz.serving import nodelay

nodelay.enable()
app = st.App({app!r})
"""
"""The reference server's script: the app as serve.py serves it, without its static files."""


def page_files(port: int, path: str = LESSON) -> list[str]:
    """The files the page at ``path`` names in its HTML (script, module preloads, style)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    html = conn.getresponse().read().decode()
    conn.close()
    return [m.removeprefix("./") for m in re.findall(r'(?:src|href)="(\./static/[^"]+)"', html)]


def first_view(port: int, files: list[str]) -> float:
    """Fetch the page and ``files`` over :data:`CONNECTIONS` connections; return seconds."""
    start = time.perf_counter()
    errors: list[str] = []

    def fetch(part: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for name in part:
            conn.request("GET", "/" + name)
            answer = conn.getresponse()
            answer.read()
            if answer.status != 200:
                errors.append(f"{name}: {answer.status}")
        conn.close()

    page_files(port)
    threads = [
        threading.Thread(target=fetch, args=(files[i::CONNECTIONS],)) for i in range(CONNECTIONS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"not served: {errors[:5]}")
    return time.perf_counter() - start


def _timed(port: int, files: list[str], walls: list[float]) -> None:
    walls.append(first_view(port, files))


def measure(script: Path, clients: list[int], repeats: int) -> dict[int, tuple[float, float]]:
    """Per class size: (median seconds of one first view, server CPU seconds per first view)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        log = Path(tmp) / "server.log"
        proc = start_server(port, log, script=script)
        try:
            wait_ready(f"http://127.0.0.1:{port}", proc=proc, log=log)
            files = page_files(port)
            first_view(port, files)  # warm: both servers read each file once
            out = {}
            for n in clients:
                walls: list[float] = []
                cpu0 = cpu_seconds(proc.pid)
                for _ in range(repeats):
                    threads = [
                        threading.Thread(target=_timed, args=(port, files, walls)) for _ in range(n)
                    ]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                cpu = (cpu_seconds(proc.pid) - cpu0) / (n * repeats)
                out[n] = (statistics.median(walls), cpu)
            print(f"  {script.name}: {len(files)} files per first view", flush=True)
            return out
        finally:
            stop_server(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    ours = measure(ROOT / "serve.py", args.clients, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "reference.py"
        script.write_text(REFERENCE_SCRIPT.format(app=str(ROOT / "app.py")))
        ref = measure(script, args.clients, args.repeats)
    print("first views at once | wall ms: normviz / Streamlit's handler | server CPU ms per view")
    for n in args.clients:
        (w, c), (rw, rc) = ours[n], ref[n]
        print(
            f"  {n:3d}               | {w * 1000:6.0f} / {rw * 1000:6.0f} = {w / rw:4.2f}x"
            f"          | {c * 1000:5.0f} / {rc * 1000:5.0f} = {c / rc:4.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
