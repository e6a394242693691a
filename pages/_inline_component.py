"""The app's inline custom components: one folder of ``assets/`` each, mounted in the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

ASSETS = Path(__file__).resolve().parents[1] / "assets"
"""The folder of every component's ``<name>.html``, ``<name>.css`` and ``<name>.js``."""


def inline_component(name: str, folder: str) -> Any:
    """Register the ``st.components.v2`` component ``name`` from ``assets/<folder>/<folder>.*``.

    Vanilla HTML, CSS and JavaScript, mounted in the page's DOM (no iframe, no isolated styles),
    so the browser tests, axe-core and the control walker see its parts. Returns the mount
    function Streamlit makes (call it with ``key=``, ``data=``, ``width=``, ``height=``).
    """
    files = {kind: (ASSETS / folder / f"{folder}.{kind}").read_text(encoding="utf-8")
             for kind in ("html", "css", "js")}  # fmt: skip
    return st.components.v2.component(name, **files, isolate_styles=False)
