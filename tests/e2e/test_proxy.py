"""A class on two processes behind HAProxy, driven through the proxy by real Chromium tabs.

``scripts/run-class.sh`` starts two app processes and HAProxy on free loopback ports (its own run
directory under pytest's tmp dir). Which process served a request is read three independent
ways: the stickiness cookie ``NVSRV`` the proxy gave the browser, the ``X-Normviz-Server`` header
the proxy adds to every response (seen on HTTP responses and on the websocket's handshake via
the Chrome DevTools protocol), and the proxy's own counters (``show stat`` on its admin socket).

The tests run in order on one class (module-scoped fixtures): sessions spread over both
processes; one session's upload and websocket reach the same process; killing that process
sends its student to a fresh session on the other with the app's notice, no exception box and
no traceback in any server log, while the health check marks it DOWN and the other students
carry on; after a reload the student uploads again, to the live process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.e2e.conftest import (
    RUN_COUNTER,
    SETTLE_S,
    check_page,
    excerpt,
    free_port,
    health,
    server_errors,
    settle,
    settle_after,
    shoot,
)

REPLICAS = 2
START_S = 150.0
UPLOAD_INPUT = ".st-key-img_upload input[type=file]"
NOTICE = "[data-testid=stAlert]:has-text('You are in a fresh session')"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


@dataclass
class Class:
    """The running class: the proxy's URL, the run directory and the script's process."""

    url: str
    run_dir: Path
    proc: subprocess.Popen
    log: Path

    def sock_cmd(self, command: str) -> str:
        """Send one command to HAProxy's admin socket; return its answer."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.run_dir / "haproxy.sock"))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stat(self) -> dict[str, dict[str, str]]:
        """``show stat`` of the backend's processes: {"s1": {"status": "UP", "stot": ...}}."""
        lines = self.sock_cmd("show stat").strip().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
        return {r["svname"]: r for r in rows if r["pxname"] == "normviz" and r["svname"][0] == "s"}

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def server_log(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"


@dataclass
class Student:
    """One browser (its own context: its own cookies) with one tab on the class."""

    context: object
    page: object
    ws_servers: list[str] = field(default_factory=list)
    http_servers: list[tuple[str, str, int]] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    def cookie(self) -> str | None:
        values = [c["value"] for c in self.context.cookies() if c["name"] == "NVSRV"]
        return values[0] if values else None


def _wait(predicate, timeout_s: float, what: str, step_s: float = 0.25, page=None):
    """Poll ``predicate`` until truthy; with ``page``, wait through Playwright so that its
    events (the websocket handshakes recorded by the students) keep being delivered."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        if page is None:
            time.sleep(step_s)
        else:
            page.wait_for_timeout(step_s * 1000)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Iterator[Class]:
    """``scripts/run-class.sh --replicas 2`` on free loopback ports; stopped with SIGTERM."""
    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"{HAPROXY} is missing: install Debian's haproxy (apt-get install haproxy)")
    run_dir = tmp_path_factory.mktemp("class")
    port, ports = free_port(), [free_port() for _ in range(REPLICAS)]
    log = run_dir / "run-class.out"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run-class.sh", "--replicas", str(REPLICAS), "--port", str(port),
             "--address", "127.0.0.1", "--backend-ports", ",".join(map(str, ports)),
             "--run-dir", str(run_dir)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    klass = Class(f"http://127.0.0.1:{port}", run_dir, proc, log)
    try:

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"run-class.sh exited:\n{log.read_text()[-3000:]}")
            if health(klass.url, 2.0) is None or not (run_dir / "haproxy.sock").exists():
                return False
            return all(r["status"] == "UP" for r in klass.stat().values())

        _wait(up, START_S, "the proxy and both processes to be UP", 0.5)
        yield klass
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            # The script did not stop its children: stop them by the pids it wrote.
            for pid_file in run_dir.glob("*.pid"):
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text()), signal.SIGKILL)
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def students(browser, klass) -> Iterator[list[Student]]:
    """Three students, each in a fresh browser context, on the class's welcome page."""
    made: list[Student] = []
    try:
        for _ in range(3):
            ctx = browser.new_context(viewport={"width": 1300, "height": 900})
            ctx.set_default_timeout(SETTLE_S * 1000)
            page = ctx.new_page()
            page.add_init_script(RUN_COUNTER)
            student = Student(ctx, page)
            # Only the proxy may be reached: anything else is refused and remembered.
            page.third_party = []

            def proxy_only(route, pg=page) -> None:
                url = route.request.url
                if url.startswith(klass.url) or url.startswith("data:"):
                    route.continue_()
                else:
                    pg.third_party.append(url)
                    route.abort()

            ctx.route("**/*", proxy_only)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.on(
                "Network.webSocketHandshakeResponseReceived",
                lambda ev, s=student: s.ws_servers.append(
                    {k.lower(): v for k, v in ev["response"]["headers"].items()}.get(
                        "x-normviz-server", "?"
                    )
                ),
            )
            page.on(
                "response",
                lambda r, s=student: s.http_servers.append(
                    (r.url, r.headers.get("x-normviz-server", "?"), r.status)
                ),
            )
            page.on("pageerror", lambda exc, s=student: s.js_errors.append(str(exc)))
            page.js_errors = student.js_errors
            page.goto(klass.url + "/")
            settle(page)
            made.append(student)
        yield made
    finally:
        for s in made:
            with contextlib.suppress(Exception):
                s.context.close()


def _upload(student: Student, folder: Path) -> list[tuple[str, int]]:
    """Upload a small PNG on the image lesson; return (process, status) of its upload requests."""
    page = student.page
    picture = folder / "proxy-upload.png"
    rng = np.random.default_rng(13)
    Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(picture)
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    count = page.evaluate("() => window.__stRuns || 0")
    seen = len(student.http_servers)
    page.set_input_files(UPLOAD_INPUT, str(picture))
    settle_after(page, count, timeout_s=40)
    page.get_by_text("proxy-upload.png: 64 × 48 px").wait_for()
    uploads = [(srv, st) for url, srv, st in student.http_servers[seen:] if "upload_file" in url]
    assert uploads, "no request to /_stcore/upload_file went through the proxy"
    return uploads


def test_sessions_spread_over_both_processes(klass, students):
    cookies = [s.cookie() for s in students]
    assert set(cookies) == {"s1", "s2"}, f"stickiness cookies {cookies}: one process got all"
    for s, cookie in zip(students, cookies, strict=True):
        # The websocket went where the cookie says, and every HTTP response too.
        assert s.ws_servers == [cookie], f"websocket handshakes {s.ws_servers}, cookie {cookie}"
        # Every sticky response (the page, /_stcore/, /media/) came from there too; frontend
        # files (/static/) may come from either process or the proxy's cache.
        sticky = {srv for url, srv, _ in s.http_servers if "/static/" not in url}
        strays = [(url, srv, st) for url, srv, st in s.http_servers
                  if "/static/" not in url and srv != cookie]  # fmt: skip
        assert sticky == {cookie}, (sticky, cookie, strays)  # which requests went elsewhere
        check_page(s.page)
    stat = klass.stat()
    # Each process holds the open websockets of exactly the students pinned to it.
    for name in ("s1", "s2"):
        assert int(stat[name]["scur"]) == cookies.count(name), (name, stat[name], cookies)
        assert stat[name]["status"] == "UP"


def test_the_processes_share_the_cookie_secret_and_nothing_shows_it(klass):
    secret_file = klass.run_dir / "cookie_secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) == 64
    for name in ("s1", "s2"):
        pid = klass.pid(name)
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"STREAMLIT_SERVER_COOKIE_SECRET={secret}".encode() in env, name
        # Not on the command line, which every user of the machine can read with ps.
        assert secret.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes(), name


def test_upload_and_websocket_reach_the_same_process(klass, students, tmp_path):
    student = students[0]
    page, home = student.page, student.cookie()
    # Through the app's own navigation: same session, same websocket.
    count = page.evaluate("() => window.__stRuns || 0")
    page.locator("[data-testid=stSidebarNav] a", has_text="Image normalization").click()
    settle_after(page, count)
    # The upload passed the XSRF check and landed where the session lives.
    uploads = _upload(student, tmp_path)
    assert all(st < 300 and srv == home for srv, st in uploads), (uploads, home)
    assert student.ws_servers == [home] and student.cookie() == home
    check_page(page)


def test_killing_a_process_moves_its_students_to_a_fresh_session(klass, students, tmp_path):
    victim = students[0]  # on /images with its upload
    dead = victim.cookie()
    alive = "s2" if dead == "s1" else "s1"
    others = [s for s in students[1:] if s.cookie() == alive]
    moved = [s for s in students if s.cookie() == dead]
    os.kill(klass.pid(dead), signal.SIGKILL)

    # The proxy's health check sees it.
    _wait(
        lambda: klass.stat()[dead]["status"].startswith("DOWN"),
        20,
        f"{dead} DOWN",
        page=victim.page,
    )
    assert klass.stat()[alive]["status"] == "UP"

    # Its students' tabs reconnect by themselves, through the proxy, to the live process, which
    # starts a fresh session there. Streamlit's page asks for no script run after a reconnect
    # (unless a timer, like the lab's training, runs): the student's next action runs the page
    # in the fresh session, and the app says what happened, with no exception.
    for s in moved:
        _wait(lambda s=s: s.ws_servers[-1] == alive, 30, "the reconnect", page=s.page)
        count = s.page.evaluate("() => window.__stRuns || 0")
        nav = s.page.locator("[data-testid=stSidebarNav] a", has_text="Image normalization")
        nav.click()
        settle_after(s.page, count)
        s.page.locator(NOTICE).wait_for(timeout=30_000)
        assert s.ws_servers[-1] == alive and s.cookie() == alive, (s.ws_servers, s.cookie())
        text = s.page.locator(NOTICE).inner_text()
        assert "uploaded image has to be uploaded again" in text, text
        check_page(s.page)
    shoot(victim.page, "proxy_after_kill")
    # The notice stays until dismissed; OK removes it.
    count = victim.page.evaluate("() => window.__stRuns || 0")
    victim.page.locator(".st-key-lost_session_ok button").click()
    settle_after(victim.page, count)
    assert victim.page.locator(NOTICE).count() == 0

    # A student reloading gets a fresh page from the live process, without the notice (a reload
    # is a new session anyway), and can upload again.
    victim.page.reload()
    settle(victim.page)
    assert victim.cookie() == alive and victim.page.locator(NOTICE).count() == 0
    uploads = _upload(victim, tmp_path)
    assert all(st < 300 and srv == alive for srv, st in uploads), (uploads, alive)
    assert victim.ws_servers[-1] == alive
    check_page(victim.page)

    # The other process's students were not disturbed: same websocket, no notice.
    for s in others:
        assert s.ws_servers == [alive] and s.page.locator(NOTICE).count() == 0
        check_page(s.page)

    # No traceback or error in either process's log, before or after the kill.
    for name in ("s1", "s2"):
        logged = server_errors(type("Log", (), {"log": klass.server_log(name)})(), 0)
        assert not logged, f"{name} logged a failure:\n{excerpt(logged)}"
