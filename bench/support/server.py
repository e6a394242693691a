"""The server under test, shared by the benchmarks and the e2e suite (``tests/e2e/conftest.py``,
``tests/e2e/test_install.py``): start it on loopback with its output in a log file
(:func:`spawn`, :func:`start_server`, :class:`Server`, :func:`serve`; or a class of processes
behind HAProxy via ``scripts/run-class.sh``), wait for ``/_stcore/health``, stop it, sample its
CPU, RSS and health; the headless Chromium every browser run launches (loopback only)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
]
"""Debian's Chromium and its flags: headless, and no traffic beyond 127.0.0.1."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def streamlit_command(
    port: int, script: Path | None = None, launcher: list[str] | None = None
) -> list[str]:
    """The command line of ``streamlit run serve.py`` (or ``script``) on 127.0.0.1:port.

    ``serve.py`` is the app (``app.py``) as Streamlit's ASGI ``st.App`` with the lab's live
    stream route; Streamlit's server flags apply to it as to ``app.py``.

    Headless, no usage statistics, no file watcher; the project's ``.streamlit/config.toml``
    applies when run from :data:`ROOT`. ``launcher`` replaces ``python -m streamlit`` (a timing
    or profiling wrapper that takes Streamlit's arguments).

    Examples
    --------
    >>> streamlit_command(8600)[1:5] == ["-m", "streamlit", "run", str(ROOT / "serve.py")]
    True
    >>> streamlit_command(8600)[-6:-4]
    ['--server.port', '8600']
    """
    return [
        *(launcher or [sys.executable, "-m", "streamlit"]),
        "run",
        str(script or ROOT / "serve.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def spawn(
    command: list[str], log: Path, cwd: Path = ROOT, env: Mapping[str, str] | None = None
) -> subprocess.Popen:
    """Start ``command`` in ``cwd`` with its stdout and stderr written, unbuffered, to ``log``.

    ``env`` defaults to this process's environment; ``PYTHONUNBUFFERED=1`` is added so that a
    traceback reaches the log as it happens. Stop the process with :func:`stop_server`.
    """
    env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
    with log.open("w") as handle:  # the child has its own copy of the descriptor
        return subprocess.Popen(command, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env)


def start_server(
    port: int, log: Path, profile: Path | None = None, script: Path | None = None
) -> subprocess.Popen:
    """Start ``streamlit run serve.py`` (or ``script``) on 127.0.0.1:port with the project's config.

    With ``profile``, every server thread runs under cProfile (``bench.support.profiler``) and the
    merged stats are written to that file when the server stops.
    """
    launcher = None
    if profile is not None:
        launcher = [sys.executable, "-m", "bench.support.profiler", str(profile)]
    return spawn(streamlit_command(port, script, launcher), log)


@dataclass
class Server:
    """A server process on 127.0.0.1: its port, process and log file (stdout and stderr)."""

    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        """Wait for ``/_stcore/health``; RuntimeError with the log's end if it never answers."""
        wait_ready(self.url, timeout_s, self.proc, self.log)

    def stop(self) -> None:
        stop_server(self.proc)


@contextlib.contextmanager
def serve(
    log: Path,
    command: list[str] | None = None,
    port: int | None = None,
    timeout_s: float = 90.0,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """Run a server for the block: started, answering its health check, stopped at the end.

    ``command`` defaults to ``streamlit run serve.py`` (:func:`streamlit_command`) on ``port``
    (default: a free one); a custom command must listen on ``port``. The process is stopped
    however the block ends; its output stays in ``log``.
    """
    port = free_port() if port is None else port
    server = Server(port, spawn(command or streamlit_command(port), log, cwd, env), log)
    try:
        server.wait_ready(timeout_s)
        yield server
    finally:
        server.stop()


def start_class(
    replicas: int, port: int, backend_ports: list[int], run_dir: Path, log: Path
) -> subprocess.Popen:
    """Start ``scripts/run-class.sh``: ``replicas`` app processes behind HAProxy on 127.0.0.1.

    The proxy listens on ``port``, the processes on ``backend_ports``; pid files, logs and the
    admin socket go to ``run_dir``. Stop it with :func:`stop_server` (SIGTERM; the script stops
    every process it started).
    """
    return spawn(
        ["bash", str(ROOT / "scripts" / "run-class.sh"), "--replicas", str(replicas),
         "--port", str(port), "--address", "127.0.0.1",
         "--backend-ports", ",".join(map(str, backend_ports)), "--run-dir", str(run_dir)],
        log,
    )  # fmt: skip


def haproxy_stat(run_dir: Path) -> dict[str, dict[str, str]]:
    """``show stat`` of the class's processes from HAProxy's admin socket: {"s1": {...}}."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(run_dir / "haproxy.sock"))
        s.sendall(b"show stat\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    lines = b"".join(chunks).decode().strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {r["svname"]: r for r in rows if r["pxname"] == "normviz" and r["svname"][0] == "s"}


def wait_class_ready(
    url: str, run_dir: Path, proc: subprocess.Popen, replicas: int, timeout_s: float = 180.0
) -> list[int]:
    """Wait until the proxy answers and every process is UP; return the processes' pids."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"run-class.sh exited with {proc.returncode}")
        if health(url, 2.0) is not None and (run_dir / "haproxy.sock").exists():
            stat = haproxy_stat(run_dir)
            if len(stat) == replicas and all(r["status"] == "UP" for r in stat.values()):
                return [int((run_dir / f"s{i}.pid").read_text()) for i in range(1, replicas + 1)]
        time.sleep(0.5)
    raise RuntimeError(f"the class did not come up on {url}")


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if the process has not exited after 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def health(url: str, timeout_s: float = 5.0) -> float | None:
    """Latency in seconds of ``GET /_stcore/health``; None if it failed."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout_s) as r:
            return time.perf_counter() - start if r.status == 200 else None
    except OSError:
        return None


def wait_ready(
    url: str, timeout_s: float = 90.0, proc: subprocess.Popen | None = None, log: Path | None = None
) -> None:
    """Wait until ``url`` answers ``/_stcore/health``.

    Raises RuntimeError after ``timeout_s``, or as soon as ``proc`` (the server's process, if
    given) has exited; the message ends with the last 3000 characters of ``log`` if given.
    """
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited early ({proc.returncode}){_tail(log)}")
        if health(url, 2.0) is not None:
            return
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer on {url} in {timeout_s:.0f} s{_tail(log)}")


def _tail(log: Path | None, chars: int = 3000) -> str:
    return f":\n{log.read_text(errors='replace')[-chars:]}" if log is not None else ""


def rss_mb(pid: int) -> float:
    """VmRSS of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores of this machine have spent busy since boot (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def median(values: list[float]) -> float:
    """Median of ``values`` (NaN-free; 0.0 for an empty list).

    Examples
    --------
    >>> median([3.0, 1.0, 2.0]), median([1.0, 2.0]), median([])
    (2.0, 1.5, 0.0)
    """
    if not values:
        return 0.0
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` in [0, 100] of ``values`` (0.0 when empty).

    Examples
    --------
    >>> percentile([1.0, 2.0, 3.0, 4.0], 95)
    4.0
    """
    if not values:
        return 0.0
    s = sorted(values)
    rank = max(1, min(len(s), round(q / 100 * len(s) + 0.5)))
    return s[rank - 1]
