"""What pages/_prewarm.py imports in the browser: the lazy modules a page can draw, no others."""

from __future__ import annotations

from pathlib import Path

import pytest

from pages._prewarm import ELEMENT_MODULES, lazy_files, page_modules, prewarm_script

ROOT = Path(__file__).resolve().parents[2]


def _pages(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, source in files.items():
        (folder / name).write_text(source, encoding="utf-8")
    return folder


def test_a_page_draws_the_kinds_its_helpers_draw(tmp_path):
    folder = _pages(tmp_path, {
        "page.py": "from pages import _a\nfrom pages._b import thing\nimport streamlit as st\n"
                   "st.markdown('x')\n",
        "_a.py": "def f(st):\n    st.plotly_chart({})\n",
        "_b.py": "from pages import _c\n\ndef thing(tab):\n    tab.code('x')\n",
        "_c.py": "import pages._a\n\ndef g(st):\n    st.data_editor([])\n",
        "_unused.py": "st.dataframe([])\n",
    })  # fmt: skip
    assert page_modules(folder / "page.py") == ("DataFrame", "PlotlyChart",
                                               "StreamlitSyntaxHighlighter")  # fmt: skip


def test_a_page_that_draws_no_lazy_element_gets_no_script(tmp_path):
    folder = _pages(tmp_path, {"page.py": "import streamlit as st\nst.image('x')\nst.code\n"})
    assert page_modules(folder / "page.py") == ()
    text = prewarm_script(folder / "page.py")
    assert not [name for name in lazy_files(tuple(set(ELEMENT_MODULES.values()))) if name in text]


def test_every_lazy_module_is_one_file_of_this_streamlit():
    modules = tuple(sorted(set(ELEMENT_MODULES.values())))
    files = lazy_files(modules)
    assert [f.split(".", 1)[0] for f in files] == list(modules)
    import streamlit as st

    js = Path(st.__file__).parent / "static" / "static" / "js"
    assert all((js / f).is_file() for f in files)


@pytest.mark.parametrize("page", ["home", "images", "layers", "lab"])
def test_the_script_names_the_files_of_the_page_s_own_modules(page):
    script = ROOT / "pages" / f"{page}.py"
    text = prewarm_script(script)
    for module in set(ELEMENT_MODULES.values()):
        (name,) = lazy_files((module,))
        assert (name in text) == (module in page_modules(script)), (page, module)


def test_the_lessons_prewarm_no_plotly():
    """No lesson draws a Plotly chart any more (the layers lesson's running statistics and batch
    noise are SVG/HTML now): no lesson's idle time is spent compiling Plotly's 4.7 MB chunk."""
    for page in ("images", "layers", "lab"):
        assert "PlotlyChart" not in page_modules(ROOT / "pages" / f"{page}.py"), page
    assert page_modules(ROOT / "pages" / "layers.py") == ()  # its code box is HTML too


def test_the_lab_prewarms_nothing():
    """The lab's tables and study are HTML and its code boxes need no highlighter: it draws no
    lazily loaded element, so the browser compiles no data grid, highlighter nor Plotly for it."""
    assert page_modules(ROOT / "pages" / "lab.py") == ()
