"""Real-browser fixtures: one Streamlit server and one headless Chromium per test session.

The server is started with the project's own interpreter on a free loopback port and stopped
after the session; Chromium is Debian's ``/usr/bin/chromium`` (never a downloaded browser) with
every flag that keeps it offline. If Chromium is missing the suite fails (CI installs it).
Screenshots go to ``tests/e2e/screenshots/`` (git-ignored) for developers to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import APP, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
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
SHOTS = Path(__file__).resolve().parent / "screenshots"
SERVER_START_S = 90.0
SETTLE_S = 45.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this directory ``e2e`` (deselect with ``-m 'not e2e'``)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health(url: str, timeout_s: float = 5.0) -> float | None:
    """Return the latency in seconds of ``GET /_stcore/health``, or None if it did not answer."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout_s) as r:
            return time.perf_counter() - start if r.status == 200 else None
    except OSError:
        return None


def rss_mb(pid: int) -> float:
    """Return the resident set size (VmRSS) of process ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Server:
    """A running ``streamlit run app.py`` on 127.0.0.1: its URL, process and log file."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_handle = log.open("w")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
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
            ],
            cwd=ROOT,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            env=env,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout_s: float) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()[-3000:]}")
            if health(self.url, 2.0) is not None:
                return
            time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer on {self.url} in {timeout_s:.0f} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log_handle.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One Streamlit server for the whole e2e session, on a free loopback port."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    srv = Server(free_port(), SHOTS / "server.log")
    try:
        srv.wait_ready(SERVER_START_S)
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (fails if it is not installed)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser page (own context: own cookies, own Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(SETTLE_S * 1000)
    # Belt and braces: the browser may only ever talk to our loopback server.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(server.url) or route.request.url.startswith("data:")
            else route.abort()
        ),
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    try:
        yield pg
    finally:
        context.close()


def settle(page, timeout_s: float = SETTLE_S, quiet_s: float = 0.8) -> float:
    """Wait until the script run finished and the app stayed idle ``quiet_s``; return seconds.

    Streamlit marks the app root with ``data-test-script-state`` ("running"/"notRunning") and
    shows ``stStatusWidget`` while a script runs. Live pages (a training fragment) may never
    go quiet: then this returns after ``timeout_s`` and the caller checks what it needs.
    """
    start = time.monotonic()
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_s * 1000)
    quiet_since = None
    while time.monotonic() - start < timeout_s:
        state = page.get_attribute("[data-testid=stApp]", "data-test-script-state")
        running = page.query_selector("[data-testid=stStatusWidget]")
        if state == "notRunning" and running is None:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > quiet_s:
                break
        else:
            quiet_since = None
        page.wait_for_timeout(100)
    return time.monotonic() - start


def open_page(page, server: Server, path: str, timeout_s: float = SETTLE_S) -> float:
    """Navigate to ``path`` (e.g. "/images?x=1"), wait for the app to settle; return seconds."""
    page.goto(server.url + path)
    return settle(page, timeout_s)


def exceptions(page) -> list[str]:
    """Texts of the exception boxes (st.exception / uncaught errors) on the page."""
    return [e.inner_text() for e in page.query_selector_all("[data-testid=stException]")]


def shoot(page, name: str) -> Path:
    """Write a full-page screenshot to tests/e2e/screenshots/<name>.png and return its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out
