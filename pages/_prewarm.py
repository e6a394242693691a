"""Compile the lazily loaded element code a page draws later, in the browser's idle time.

Streamlit's frontend fetches and compiles the code of some elements only when the first one is
drawn: Plotly charts (``PlotlyChart.*.js``, 4.7 MB), code boxes
(``StreamlitSyntaxHighlighter.*.js``, 1.5 MB) and data grids (``DataFrame.*.js``). When a page's
first view draws none of a kind, the first control that draws one (the lab's study, its L1 code
box, the layers lesson's running-statistics tab) waited for that load and compile: 0.4-1.3 s
measured by ``bench/bench_controls.py``.

:func:`prewarm` adds a script that imports, one at a time, when the browser is idle and no
script run is drawing, the modules of the kinds the page can draw (:func:`page_modules`, read
from the page's own source and the ``pages`` helpers it imports: no list to keep). A page that
draws none, such as the image lesson, imports nothing: the compile would only delay the first
control. It imports the very files Streamlit imports (resolved against Streamlit's own entry
script), so the browser evaluates each once: the first control that needs one finds it ready.
Nothing leaves the app's origin. ``window.__normvizPrewarm.done`` lists the modules loaded (read
by the browser tests).
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

import streamlit as st

ELEMENT_MODULES = {
    "plotly_chart": "PlotlyChart",
    "code": "StreamlitSyntaxHighlighter",
    "dataframe": "DataFrame",
    "data_editor": "DataFrame",
}
"""Streamlit commands whose element code is loaded lazily, and the module that holds it."""
START_DELAY_MS = 1500
"""Idle time after the script is added before the first import: the first view settles first."""

_SCRIPT = """<script>
(() => {
  const state = (window.__normvizPrewarm = window.__normvizPrewarm || {done: [], queued: []});
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) return;
  const urls = %(files)s.map((f) => new URL(f, entry.src).href)
    .filter((url) => !state.queued.includes(url));
  if (!urls.length) return;
  state.queued.push(...urls);
  const idle = (f) => window.requestIdleCallback
    ? window.requestIdleCallback(f, {timeout: 4000}) : window.setTimeout(f, 200);
  const busy = () => document.hidden || !!document.querySelector(
    '[data-test-script-state="running"]');
  const next = () => {
    if (!urls.length) return;
    if (busy()) { window.setTimeout(() => idle(next), 500); return; }
    const url = urls.shift();
    import(url).then(() => state.done.push(url), () => {})
      .finally(() => window.setTimeout(() => idle(next), 300));
  };
  window.setTimeout(() => idle(next), %(delay)d);
})();
</script>"""


def _helpers(tree: ast.Module, folder: Path) -> list[Path]:
    """The files in ``folder`` of the ``pages`` modules a syntax tree imports (``pages._x``)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pages":
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pages."):
            names.append(node.module.split(".", 1)[1])
        elif isinstance(node, ast.Import):
            names += [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("pages.")]
    return [folder / f"{name}.py" for name in names if (folder / f"{name}.py").is_file()]


@cache
def page_modules(script: Path) -> tuple[str, ...]:
    """The lazy modules (values of :data:`ELEMENT_MODULES`) that ``script`` can draw, sorted.

    Read from the calls in the page script and in every ``pages`` helper it imports (from the
    script's folder), directly or through another helper: ``st.plotly_chart(...)``,
    ``tab.code(...)`` and the like.
    """
    seen: set[Path] = set()
    todo, found = [Path(script).resolve()], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in ELEMENT_MODULES:
                found.add(ELEMENT_MODULES[node.func.attr])
        todo += [p.resolve() for p in _helpers(tree, path.parent)]
    return tuple(sorted(found))


@cache
def lazy_files(modules: tuple[str, ...]) -> tuple[str, ...]:
    """File names (no directory) of ``modules`` in this Streamlit's frontend build.

    A module whose name does not match exactly one file (another Streamlit version) is left out:
    the app then loads it as Streamlit does, on first use.
    """
    js = Path(st.__file__).parent / "static" / "static" / "js"
    files = []
    for name in modules:
        found = sorted(js.glob(f"{name}.*.js"))
        if len(found) == 1:
            files.append(found[0].name)
    return tuple(files)


def prewarm_script(script: Path) -> str:
    """The ``<script>`` element that imports the lazy modules ``script`` draws, while idle."""
    files = lazy_files(page_modules(script))
    return _SCRIPT % {"files": json.dumps(list(files)), "delay": START_DELAY_MS}


def prewarm(script: Path) -> None:
    """Add the idle-time import script for the page ``script`` (in the current container).

    Nothing is added for a page that draws no lazily loaded element.
    """
    if lazy_files(page_modules(script)):
        st.html(prewarm_script(script), unsafe_allow_javascript=True)
