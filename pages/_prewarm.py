"""Compile Streamlit's lazily loaded element code in the browser's idle time after a first view.

Streamlit's frontend fetches and compiles the code of some elements only when the first one is
drawn: Plotly charts (``PlotlyChart.*.js``, 4.7 MB), code boxes
(``StreamlitSyntaxHighlighter.*.js``, 1.5 MB) and data grids (``DataFrame.*.js``). On a page whose
first view draws none of them, the first control that draws one (the lab's study, its L1 code)
waited for that load and compile: 0.4-1.3 s measured by ``bench/bench_controls.py``.

:func:`prewarm` adds, once per page, a script that imports those modules one at a time when the
browser is idle after the page's runs, and never while a script run is drawing. It imports the
very files Streamlit imports (resolved against Streamlit's own entry script), so the browser
evaluates each once: the first control that needs one finds it ready. Nothing leaves the app's
origin. ``window.__normvizPrewarm.done`` lists the modules loaded (read by the browser tests).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

LAZY_MODULES = ("PlotlyChart", "StreamlitSyntaxHighlighter", "DataFrame")
"""Streamlit's lazily loaded element modules the lessons draw, in the order they are loaded."""
START_DELAY_MS = 1500
"""Idle time after the script is added before the first import: the first view settles first."""

_SCRIPT = """<script>
(() => {
  if (window.__normvizPrewarm) return;
  const state = (window.__normvizPrewarm = {done: [], files: %(files)s});
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry || !state.files.length) return;
  const idle = (f) => window.requestIdleCallback
    ? window.requestIdleCallback(f, {timeout: 4000}) : window.setTimeout(f, 200);
  const busy = () => document.hidden || !!document.querySelector(
    '[data-test-script-state="running"]');
  let i = 0;
  const next = () => {
    if (i >= state.files.length) return;
    if (busy()) { window.setTimeout(() => idle(next), 500); return; }
    const url = new URL(state.files[i++], entry.src).href;
    import(url).then(() => state.done.push(url), () => {})
      .finally(() => window.setTimeout(() => idle(next), 300));
  };
  window.setTimeout(() => idle(next), %(delay)d);
})();
</script>"""


@cache
def lazy_files() -> tuple[str, ...]:
    """File names (no directory) of :data:`LAZY_MODULES` in this Streamlit's frontend build.

    A module whose name does not match exactly one file (another Streamlit version) is left out:
    the app then loads it as Streamlit does, on first use.
    """
    js = Path(st.__file__).parent / "static" / "static" / "js"
    files = []
    for name in LAZY_MODULES:
        found = sorted(js.glob(f"{name}.*.js"))
        if len(found) == 1:
            files.append(found[0].name)
    return tuple(files)


def prewarm_script() -> str:
    """The ``<script>`` element that imports :func:`lazy_files` in the browser's idle time."""
    return _SCRIPT % {"files": json.dumps(list(lazy_files())), "delay": START_DELAY_MS}


def prewarm() -> None:
    """Add the idle-time import script to the page (in the current container; it draws nothing)."""
    st.html(prewarm_script(), unsafe_allow_javascript=True)
