"""Warm a server process before it serves: the imports and first uses that cost seconds once.

A fresh process pays, on its first lesson, for ``import torch`` (1.5-2 s), the first
``torch.optim`` optimizer (it imports ``torch._dynamo``, 1.5-3.5 s), pandas (imported by
Streamlit the first time a custom component is drawn, :data:`FIRST_USE_IMPORTS`) and the
lessons' own modules (no lesson draws a Plotly figure: Plotly's validators are not warmed).
``serve.py`` calls :func:`warm_process` before the server accepts a connection, so the first
visitor of a new server gets the same first view as the next one.

The modules come from the pages' own import statements (:func:`page_imports`): a page that
imports something new is warmed with it, with no list to keep.
"""

from __future__ import annotations

import ast
import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

WARM_ROOTS = ("normviz", "torch", "plotly", "PIL", "numpy")
"""Top-level packages whose modules a page imports that are warmed (not Streamlit, not pages)."""
FIRST_USE_IMPORTS = ("pandas",)
"""Modules no page imports that a page's first run imports all the same: Streamlit's custom
components (v2: the layers' cube, every code box) look for data frames in the data they are
given (``dataframe_util.determine_data_format``), which imports pandas, ~0.65 s of a fresh
process's first /layers run."""


def page_imports(pages: Iterable[Path]) -> list[str]:
    """Return the modules the page scripts import under :data:`WARM_ROOTS`, sorted, no repeats.

    Parameters
    ----------
    pages : iterable of Path
        Python files (the app's pages and their helpers); imports anywhere in them count,
        inside functions and ``try`` blocks too.

    Returns
    -------
    list of str
        Dotted module names. For ``from package import name`` both ``package`` and
        ``package.name`` are listed: ``name`` may be a submodule (:func:`warm_imports` skips
        it when it is not).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = Path(d) / "p.py"
    ...     _ = page.write_text("import json; from normviz import layers")
    ...     page_imports([page])
    ['normviz', 'normviz.layers']
    """
    found: set[str] = set()
    for path in pages:
        for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(name for name in found if name.split(".")[0] in WARM_ROOTS)


def warm_imports(modules: Iterable[str]) -> list[str]:
    """Import each module; return those imported (a ``package.name`` that is no module is not).

    Raises
    ------
    ImportError
        When a module that exists cannot be imported: the page would fail the same way.
    """
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            parent = name.rpartition(".")[0]
            if err.name != name or not parent:  # a missing dependency, not an attribute
                raise
            continue
        done.append(name)
    return done


def warm_optimizers() -> None:
    """Build and step one small trainer per optimizer the lab offers (dynamo, fused kernels)."""
    from normviz.training import OPTIMIZERS, TrainConfig, Trainer

    for name in OPTIMIZERS:
        Trainer(TrainConfig(n_samples=20, hidden=(2,), optimizer=name, max_epochs=1)).step(1)


def warm_first_views() -> None:
    """Build what a lesson's first view at its defaults draws and a fresh process builds slowly.

    The layers lesson's five cube tiles (:func:`~normviz.figures.layers_cube_row.row_tiles`,
    kept per shape): ~0.1 s alone, ~0.4 s of a fresh server's first /layers run beside the
    browser that boots the page.
    """
    from normviz.figures.layers_cube_row import row_tiles
    from normviz.layer_links import LAYER_LINKS

    values, _ = LAYER_LINKS.parse({})
    row_tiles((values["n"], values["c"], values["side"], values["side"]), values["groups"])


def warm_process(
    pages: Iterable[Path], more: Mapping[str, Callable[[], object]] | None = None
) -> dict[str, float]:
    """Import what ``pages`` import and run the costly first uses once; return seconds per step.

    ``more``: further steps by name, run last (the server's own: the caches a page's first
    view reads that belong to the page, such as the image lesson's default sample).

    Returns
    -------
    dict
        ``{"imports": s, "optimizers": s, "first views": s, **{name: s for name in more}}``,
        wall-clock seconds of each step.
    """
    times = {}
    start = time.perf_counter()
    warm_imports([*page_imports(pages), *FIRST_USE_IMPORTS])
    times["imports"] = time.perf_counter() - start
    steps = {"optimizers": warm_optimizers, "first views": warm_first_views, **(more or {})}
    for name, step in steps.items():
        start = time.perf_counter()
        step()
        times[name] = time.perf_counter() - start
    return times
