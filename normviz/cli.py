"""The ``normviz`` command: serve the app with Streamlit, passing Streamlit's options through.

``pip install`` puts the app's Streamlit scripts in the ``normviz_app`` package (the repository's
``app.py``, ``serve.py`` and ``pages/``, with the tab icon and ``.streamlit/config.toml`` beside
them). This command runs ``python -m streamlit run <that serve.py>`` (the app as Streamlit's ASGI
``st.App``, with the lab's live stream route) with the same interpreter, followed by the user's
arguments unchanged::

    normviz                                    # http://localhost:8501
    normviz --server.port 8600 --server.address 127.0.0.1

Streamlit 1.67 reads the ``.streamlit/config.toml`` that sits beside the main script, after the
global and the current directory's ones, so the project's settings (upload limit, no error
details, XSRF, cache bound, no file watcher, theme) apply from any working directory; a command
line option or a ``STREAMLIT_*`` environment variable still overrides any of them.

This module never imports Streamlit: it only starts it (``normviz/`` stays pure Python).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

APP_PACKAGE = "normviz_app"
"""The installed package that holds ``app.py`` and ``pages/``."""


def app_script(name: str = "serve.py") -> Path:
    """Return the path of the app's script ``name``: ``serve.py`` (what is run) or ``app.py``.

    Parameters
    ----------
    name : str
        ``"serve.py"`` (the ASGI app with the live stream route) or ``"app.py"`` (the router).

    Returns
    -------
    pathlib.Path
        ``name`` in the installed ``normviz_app`` package, or, when that package is not
        installed (running from a clone), the repository's one beside ``normviz/``.

    Raises
    ------
    FileNotFoundError
        If neither exists.

    Examples
    --------
    >>> app_script().name, app_script("app.py").name
    ('serve.py', 'app.py')
    """
    spec = importlib.util.find_spec(APP_PACKAGE)
    places = list(spec.submodule_search_locations or []) if spec else []
    places.append(str(Path(__file__).resolve().parents[1]))  # a clone: app.py beside normviz/
    for place in places:
        script = Path(place) / name
        if script.is_file():
            return script
    raise FileNotFoundError(f"normviz: no {name} in {APP_PACKAGE!r} nor beside the package")


def command(args: Sequence[str], python: str | None = None) -> list[str]:
    """Return the command line that serves the app with the user's arguments ``args``.

    Parameters
    ----------
    args : sequence of str
        Streamlit options (e.g. ``["--server.port", "8600"]``), passed after the script so that
        Streamlit parses them as its own; the app itself takes no arguments.
    python : str, optional
        The interpreter; by default the one running this command (whose environment has
        Streamlit, a dependency of normviz).

    Returns
    -------
    list of str
        ``[python, "-m", "streamlit", "run", <serve.py>, *args]``.

    Examples
    --------
    >>> cmd = command(["--server.port", "8600"], python="python3")
    >>> cmd[:4], Path(cmd[4]).name, cmd[5:]
    (['python3', '-m', 'streamlit', 'run'], 'serve.py', ['--server.port', '8600'])
    """
    return [python or sys.executable, "-m", "streamlit", "run", str(app_script()), *args]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``normviz`` console script: replace this process with Streamlit.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments for Streamlit; by default ``sys.argv[1:]``.

    Returns
    -------
    int
        Streamlit's exit status (only where the process cannot be replaced, i.e. not on POSIX).
    """
    cmd = command(sys.argv[1:] if argv is None else argv)
    if os.name == "posix":
        # Streamlit becomes this process: signals (Ctrl+C, a service manager's SIGTERM) reach it
        # directly and its exit status is the command's.
        os.execv(cmd[0], cmd)
    return subprocess.call(cmd)  # pragma: no cover - Windows
