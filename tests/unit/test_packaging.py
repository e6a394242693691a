"""Packaging rules that need no build: the ``normviz`` command's command line, the build
configuration in pyproject.toml, and the lint rule that keeps Streamlit out of ``normviz/``.

The wheel itself is built, installed into a fresh virtual environment and served by
``tests/e2e/test_install.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from normviz import cli
from tests.conftest import APP, ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUFF = Path(sys.executable).with_name("ruff")


def test_command_runs_streamlit_on_the_app_with_the_users_options_last():
    args = ["--server.port", "8600", "--server.address", "127.0.0.1", "--theme.base=dark"]
    cmd = cli.command(args)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(APP.with_name("serve.py"))]
    assert cmd[5:] == args  # unchanged and after the script: Streamlit parses them as its own


def test_from_a_clone_the_command_serves_the_repositorys_app():
    # normviz_app is only installed by the wheel; in the checkout the app is beside it.
    assert cli.app_script() == APP.with_name("serve.py")
    assert cli.app_script("app.py") == APP


class Replaced(Exception):
    """Raised by the fake ``os.execv``: the real one never returns."""


def test_main_replaces_the_process_with_streamlit(monkeypatch):
    seen = []

    def execv(path, argv):
        seen.append((path, argv))
        raise Replaced

    def call(cmd):  # pragma: no cover - only reached if main did not exec
        raise AssertionError(f"main ran a child process instead of exec: {cmd}")

    monkeypatch.setattr(cli.os, "name", "posix")
    monkeypatch.setattr(cli.os, "execv", execv)
    monkeypatch.setattr(cli.subprocess, "call", call)
    monkeypatch.setattr(cli.sys, "argv", ["normviz", "--server.port", "8611"])
    with pytest.raises(Replaced):
        cli.main()
    assert seen == [(sys.executable, cli.command(["--server.port", "8611"]))]


def test_the_console_script_is_declared():
    assert PYPROJECT["project"]["scripts"] == {"normviz": "normviz.cli:main"}
    assert PYPROJECT["build-system"]["build-backend"] == "setuptools.build_meta"


def test_runtime_dependencies_come_from_requirements_txt():
    # One list of runtime pins: the wheel's dependencies are read from requirements.txt (the
    # installed metadata is compared with it in tests/e2e/test_install.py).
    assert "dependencies" not in PYPROJECT["project"]
    assert "dependencies" in PYPROJECT["project"]["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["dependencies"]
    assert dynamic == {"file": ["requirements.txt"]}


def test_every_normviz_subpackage_is_packaged():
    # packages are listed by hand (the app package is mapped from the root): a new subpackage
    # of normviz must be added there or the wheel would lack it.
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "normviz").rglob("__init__.py")
    }
    assert on_disk <= listed


def _ruff_codes(filename: str, source: str) -> list[str]:
    out = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--output-format", "concise", "--quiet",
         "--stdin-filename", filename, "-"],
        input=source, capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    return [line.split()[1] for line in out.stdout.splitlines() if ": " in line]


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed by requirements-dev.txt")
@pytest.mark.parametrize(
    "source",
    [
        "import streamlit\n\nstreamlit.write(1)\n",
        "import streamlit.components.v1 as c\n\nc.html('')\n",
        "from streamlit.testing.v1 import AppTest\n\nAppTest.from_file('x')\n",
    ],
)
def test_ruff_bans_streamlit_inside_normviz_only(source):
    source = '"""A probe module (normviz requires a docstring)."""\n\n' + source
    assert _ruff_codes("normviz/probe.py", source) == ["TID251"]
    assert _ruff_codes("normviz/figures/probe.py", source) == ["TID251"]
    assert _ruff_codes("pages/probe.py", source) == []  # the app's scripts may use it
    assert _ruff_codes("tests/app/probe.py", source) == []
