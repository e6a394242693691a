"""The compute package stays free of the UI and of heavy imports it does not need."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_normviz_does_not_import_streamlit():
    mods = _modules_after("import normviz, normviz.io, normviz.intensity")
    assert "normviz.intensity" in mods
    assert not any(m == "streamlit" or m.startswith("streamlit.") for m in mods)


def test_image_modules_do_not_import_torch():
    mods = _modules_after("import normviz.io, normviz.intensity")
    assert "normviz.io" in mods
    assert "torch" not in mods


def test_no_streamlit_import_in_package_source():
    offenders = [
        p.relative_to(ROOT)
        for p in (ROOT / "normviz").rglob("*.py")
        if "import streamlit" in p.read_text() or "from streamlit" in p.read_text()
    ]
    assert offenders == []
