"""No page draws an element whose code Streamlit's browser loads lazily and heavily.

Streamlit's frontend fetches and compiles the code of some elements only when the first one is
drawn: Plotly charts (``PlotlyChart.*.js``, 4.7 MB), code boxes (``StreamlitSyntaxHighlighter``,
1.5 MB) and data grids (``DataFrame``). The first control that drew one waited 0.4-1.3 s for
that load and compile (``bench/bench_controls.py``). The lessons draw their charts as SVG/HTML,
their tables as HTML and their code in ``pages/_code_view.py``: this guard keeps it so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from normviz.serving.static_files import frontend_dir

ROOT = Path(__file__).resolve().parents[2]
LAZY = {
    "plotly_chart": "PlotlyChart",
    "code": "StreamlitSyntaxHighlighter",
    "echo": "StreamlitSyntaxHighlighter",
    "dataframe": "DataFrame",
    "data_editor": "DataFrame",
}
"""Streamlit commands whose element code is loaded lazily, and the module that holds it."""


def lazy_calls(folder: Path, *extra: Path) -> list[str]:
    """Every call ``x.<command>(...)`` of a :data:`LAZY` command in ``folder``'s Python files
    (and ``extra`` files), as ``file:line command``."""
    found = []
    for path in sorted([*folder.glob("*.py"), *extra]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in LAZY:
                found.append(f"{path.name}:{node.lineno} {node.func.attr}")
    return found


def test_the_guard_finds_every_kind_of_call(tmp_path):
    (tmp_path / "page.py").write_text(
        "import streamlit as st\nst.plotly_chart({})\nst.markdown('x')\nst.code\n"
        "def f(tab):\n    tab.code('x')\n    return tab.dataframe([])\n",
        encoding="utf-8",
    )
    (tmp_path / "_helper.py").write_text("def g(c):\n    c.data_editor([])\n", encoding="utf-8")
    assert lazy_calls(tmp_path) == [
        "_helper.py:2 data_editor", "page.py:2 plotly_chart", "page.py:6 code",
        "page.py:7 dataframe",
    ]  # fmt: skip


def test_no_page_draws_a_lazily_loaded_element():
    assert lazy_calls(ROOT / "pages", ROOT / "app.py") == []


@pytest.mark.parametrize("module", sorted(set(LAZY.values())))
def test_each_lazy_module_is_one_file_of_this_streamlit(module):
    """The browser tests look for these files' names in what a page fetched: they must exist."""
    js = frontend_dir() / "static" / "js"
    assert len(list(js.glob(f"{module}.*.js"))) == 1
