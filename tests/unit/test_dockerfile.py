"""The Dockerfile has what hosting needs (parsed, not built: CI has no container registry).

CPU torch from PyTorch's CPU index before requirements.txt (the default index brings the CUDA
build), a non-root user, a health check on /_stcore/health at the exposed port, the app started
with the project's config; and .dockerignore keeps the venv, git and the class's cookie secret
(.run-class/) out of the build context.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest

from tests.conftest import ROOT

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, comments dropped, continuations joined.

    >>> instructions("# c\\nFROM a:b\\nRUN x \\\\\\n    && y\\n")
    [('FROM', 'a:b'), ('RUN', 'x && y')]
    """
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def words(args: str) -> list[str]:
    """A shell-form or exec-form (JSON array) argument list as words."""
    return json.loads(args) if args.startswith("[") else shlex.split(args)


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text())


def _index(docker, pred) -> int:
    found = [i for i, (op, args) in enumerate(docker) if pred(op, args)]
    assert found, "instruction not found"
    return found[0]


def test_base_is_python_311_slim(docker):
    assert docker[0] == ("FROM", "python:3.11-slim")


def test_cpu_torch_is_installed_first_at_the_pinned_version(docker):
    pinned = re.search(r"^torch==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned, "requirements.txt pins torch"
    torch = _index(docker, lambda op, a: op == "RUN" and "torch==" in a)
    cmd = words(docker[torch][1])
    assert cmd[:2] == ["pip", "install"] and f"torch=={pinned.group(1)}" in cmd
    assert cmd[cmd.index("--index-url") + 1] == CPU_INDEX
    reqs = _index(docker, lambda op, a: op == "RUN" and "-r requirements.txt" in a)
    assert torch < reqs, "CPU torch must be installed before requirements.txt"


def test_runs_as_a_non_root_user(docker):
    users = [args for op, args in docker if op == "USER"]
    assert users, "no USER: the app would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    user = _index(docker, lambda op, a: op == "USER")
    cmd = _index(docker, lambda op, a: op == "CMD")
    assert user < cmd


def test_health_check_hits_stcore_health_on_the_exposed_port(docker):
    exposed = [args for op, args in docker if op == "EXPOSE"]
    assert exposed == ["8501"]
    check = [args for op, args in docker if op == "HEALTHCHECK"]
    assert len(check) == 1
    assert "http://127.0.0.1:8501/_stcore/health" in check[0]
    assert re.search(r"--timeout=(\d+)s", check[0]) and "CMD" in check[0]


def test_serves_the_app_on_the_exposed_port_with_the_project_config(docker):
    cmd = words(docker[_index(docker, lambda op, a: op == "CMD")][1])
    assert cmd[:5] == ["python", "-m", "streamlit", "run", "serve.py"]
    assert "--server.port=8501" in cmd and "--server.address=0.0.0.0" in cmd
    # The project's settings are read from .streamlit/config.toml under WORKDIR.
    workdir = [args for op, args in docker if op == "WORKDIR"][-1]
    assert workdir == "/app"
    assert not any(re.search(r"\.streamlit", line) for line in
                   (ROOT / ".dockerignore").read_text().splitlines())  # fmt: skip


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".run-class"} <= ignored
