"""``pip install`` of the wheel into a fresh virtual environment gives a working ``normviz``.

What is built and installed, and why this is both honest and fast (about a minute in all):

1. **The wheel** is built by pip with the project's own pyproject.toml, from a copy of the source
   tree in a temporary folder (setuptools writes ``build/`` and ``*.egg-info`` into the tree it
   builds; the shared checkout stays clean and no stale build output can leak in). The build
   uses ``--no-build-isolation`` with the setuptools pinned in requirements-dev.txt, so it needs
   no network.
2. **A fresh virtual environment** (``python -m venv --without-pip``, a new ``sys.prefix`` with an
   empty site-packages) gets the wheel with ``pip install --no-deps --no-index``: exactly what a
   user's ``pip install`` puts there, the ``normviz`` console script included.
3. **Its dependencies** are not downloaded and copied again (torch alone is hundreds of MB):
   a ``.pth`` file in the new site-packages appends the project venv's site-packages to the
   path. They come *after* the new environment's own site-packages, so ``normviz`` itself is
   imported from the installed wheel, never from the repository (which is not on the path: the
   command runs from an empty temporary directory). That this stand-in is faithful is checked,
   not assumed: the wheel's ``Requires-Dist`` must equal requirements.txt's pins, and the new
   environment must hold each of them in a version its specifier accepts.

Then the ``normviz`` command is started there with Streamlit options, ``/_stcore/health`` is
awaited, and Chromium opens the image lesson: the sample image (read by
``importlib.resources`` from the installed package) is drawn, the upload limit is the one of
the packaged ``.streamlit/config.toml`` (Streamlit's default is 200 MB), and the tab icon is served.
A second run with ``--server.maxUploadSize 24`` shows that the user's options override that file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import site
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from packaging.requirements import Requirement

from bench.support.server import Server, free_port, serve
from normviz.samples import SAMPLES
from tests.conftest import ROOT
from tests.e2e.conftest import LESSONS, SHOTS, exceptions, settle, shoot

# What is not part of the source a user builds from (and must never reach the wheel).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".ruff_cache",
    ".pytest_cache", "screenshots", "results", "shots",
)  # fmt: skip
START_S = 90.0


class Installed(NamedTuple):
    """A wheel built from the checkout and a fresh virtual environment holding it."""

    wheel: Path
    venv: Path
    python: Path
    site_packages: Path
    workdir: Path
    """An empty directory to run from (not the repository)."""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert out.returncode == 0, f"{cmd[:4]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    return out


def _clean_env() -> dict[str, str]:
    """The environment without anything that would put the repository on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PYTHONUNBUFFERED": "1", "PYTHONNOUSERSITE": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    src, dist, venv, workdir = base / "src", base / "dist", base / "venv", base / "run"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    workdir.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "-w", str(dist)])
    (wheel,) = dist.glob("normviz-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=workdir, env=_clean_env(),
    ).stdout.strip()  # fmt: skip
    deps = "\n".join(site.getsitepackages())  # the project venv's, appended after the wheel's
    (Path(purelib) / "_normviz_test_dependencies.pth").write_text(deps + "\n")
    return Installed(wheel, venv, python, Path(purelib), workdir)


def _requirements_txt() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_wheel_holds_the_package_the_app_and_the_samples_only(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    samples = {f"normviz/_samples/{s.path.name}" for s in SAMPLES.values()}
    assert samples | {"normviz/_samples/LICENSES.md"} <= names  # images travel with licences
    # Every module of the package and every script of the app, nothing else of the repository.
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "normviz").rglob("*.py")}
    assert {n for n in names if n.startswith("normviz/") and n.endswith(".py")} == package
    pages = {f"normviz_app/pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    app = {n for n in names if n.startswith("normviz_app/")}
    # The components, served by the installed app itself: every folder of assets/ with a page
    # (the lab's live chart, the frame player, the code box, the module loader), each file of it.
    folders = {p.parent for p in (ROOT / "assets").glob("*/*.html")}
    components = {
        f"normviz_app/{p.relative_to(ROOT).as_posix()}"
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file()
    }
    assert {f"normviz_app/assets/{d}/" for d in ("live_chart", "cube", "code", "warm")} <= {
        n.rsplit("/", 1)[0] + "/" for n in components
    }
    assert app == pages | components | {
        "normviz_app/app.py",
        "normviz_app/serve.py",
        "normviz_app/assets/favicon.png",
        "normviz_app/.streamlit/config.toml",
    }
    dist_info = "-".join(installed.wheel.name.split("-")[:2]) + ".dist-info"
    assert {n.split("/")[0] for n in names} == {"normviz", "normviz_app", dist_info}
    with zipfile.ZipFile(installed.wheel) as whl:
        config = whl.read("normviz_app/.streamlit/config.toml")
        entry_points = whl.read(f"{dist_info}/entry_points.txt")
    assert config == (ROOT / ".streamlit" / "config.toml").read_bytes()
    assert "normviz = normviz.cli:main" in entry_points.decode()


def test_wheel_requires_requirements_txt_and_the_venv_satisfies_it(installed):
    code = "import importlib.metadata as m; print('\\n'.join(m.requires('normviz')))"
    out = _run([str(installed.python), "-c", code], cwd=installed.workdir, env=_clean_env())
    requires = [str(Requirement(r)) for r in out.stdout.split("\n") if r]
    assert requires == [str(Requirement(r)) for r in _requirements_txt()]
    # What pip would check, asked in the new environment: each requirement of normviz is
    # installed there in a version its specifier accepts (torch's "2.13.0+cpu" for "==2.13.0").
    code = (
        "import importlib.metadata as m\n"
        "from packaging.requirements import Requirement\n"
        "for r in map(Requirement, m.requires('normviz')):\n"
        "    v = m.version(r.name)\n"
        "    print(r.name, v, r.specifier.contains(v, prereleases=True))\n"
    )
    out = _run([str(installed.python), "-c", code], cwd=installed.workdir, env=_clean_env())
    found = [line.split() for line in out.stdout.splitlines()]
    assert [name for name, _, _ in found] == [Requirement(r).name for r in _requirements_txt()]
    assert all(ok == "True" for _, _, ok in found), found


def test_installed_package_reads_its_samples_from_itself(installed):
    code = (
        "import normviz, normviz.samples as s\n"
        "print(normviz.__file__)\n"
        "print(s.SAMPLES_DIR)\n"
        "for k in s.SAMPLES: print(k, s.load_sample(k).pixels.shape)\n"
    )
    out = _run([str(installed.python), "-c", code], cwd=installed.workdir, env=_clean_env())
    module, folder, *shapes = out.stdout.splitlines()
    assert Path(module).is_relative_to(installed.site_packages)  # the wheel's copy, not ROOT
    assert Path(folder) == installed.site_packages / "normviz" / "_samples"
    assert len(shapes) == len(SAMPLES)


@contextlib.contextmanager
def _serve(installed: Installed, *options: str) -> Iterator[Server]:
    """Run ``normviz --server.port P --server.address 127.0.0.1 *options`` from an empty
    directory until the block ends; its output goes to the screenshots folder."""
    port = free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = SHOTS / f"installed-server-{port}.log"
    command = [
        str(installed.venv / "bin" / "normviz"),
        "--server.port", str(port), "--server.address", "127.0.0.1", *options,
    ]  # fmt: skip
    with serve(log, command, port, START_S, installed.workdir, _clean_env()) as srv:
        yield srv
    assert "Traceback" not in log.read_text()


@pytest.fixture(scope="module")
def served(installed) -> Iterator[Server]:
    """The installed command with only the options a user needs to pick a port."""
    with _serve(installed) as srv:
        yield srv


@contextlib.contextmanager
def _lesson(browser, served: Server, shot: str, path: str = "/images"):
    """Open the lesson ``path`` of ``served`` in a fresh context (loopback only) once it settled;
    yield the page after checking it shows no exception, no JavaScript error, every lesson."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(60_000)
    third_party: list[str] = []

    def loopback_only(route) -> None:
        if route.request.url.startswith((served.url, "data:")):
            route.continue_()
        else:
            third_party.append(route.request.url)
            route.abort()

    ctx.route("**/*", loopback_only)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(served.url + path)
        settle(page, 60.0)
        with contextlib.suppress(Exception):
            shoot(page, shot)
        assert exceptions(page) == [] and errors == [] and third_party == []
        nav = page.locator("[data-testid=stSidebarNav]").inner_text()
        assert all(title in nav for title in LESSONS)
        yield page
    finally:
        ctx.close()


def _upload_limit(page) -> str:
    """The limit Streamlit's own uploader states (from ``server.maxUploadSize``), e.g. "25MB"."""
    text = page.locator("[data-testid=stFileUploaderDropzoneInstructions]").first.inner_text()
    found = re.search(r"(\d+)\s*MB per file", text)
    assert found, text
    return found.group(1) + "MB"


def test_normviz_command_is_streamlit_on_the_installed_app(installed, served):
    # The console script replaced itself with Streamlit (one process, signals reach it).
    argv = Path(f"/proc/{served.proc.pid}/cmdline").read_text().split("\0")[:-1]
    script = installed.site_packages / "normviz_app" / "serve.py"
    port = served.url.rsplit(":", 1)[1]
    assert argv[1:] == [
        "-m", "streamlit", "run", str(script),
        "--server.port", port, "--server.address", "127.0.0.1",
    ]  # fmt: skip
    with urllib.request.urlopen(served.url + "/", timeout=10) as r:
        assert r.status == 200 and b'id="root"' in r.read()


def test_installed_app_serves_the_image_lesson(browser, served):
    with _lesson(browser, served, "installed-images") as page:
        # The sample (read from the installed package) is drawn: a decoded, non-empty image.
        sizes = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-testid=stImage] img'))"
            ".map(i => [i.complete, i.naturalWidth])"
        )
        assert sizes and all(done and width > 0 for done, width in sizes), sizes
        # The packaged config.toml is in force from another directory (Streamlit's default
        # limit is 200MB).
        assert _upload_limit(page) == "25MB"
        # The tab icon is the packaged favicon, served by the app itself.
        icon = page.locator("link[rel~=icon]").first.get_attribute("href") or ""
        with urllib.request.urlopen(urllib.parse.urljoin(served.url, icon), timeout=10) as r:
            assert r.status == 200 and r.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("path", "drawn"), [
    ("/layers", ".nv-cube-draw svg"),  # the frame player (assets/cube)
    ("/lab", "iframe[src*='live_chart']"),  # the live view (assets/live_chart)
])  # fmt: skip
def test_installed_app_serves_the_other_lessons_with_their_components(browser, served, path, drawn):
    with _lesson(browser, served, f"installed{path.replace('/', '-')}", path) as page:
        assert page.locator(drawn).count() >= 1


def test_streamlit_options_override_the_packaged_config(browser, installed):
    with (
        _serve(installed, "--server.maxUploadSize", "24") as served,
        _lesson(browser, served, "installed-images-24mb") as page,
    ):
        assert _upload_limit(page) == "24MB"
