"""Load the JavaScript of the elements a lesson shows only later, while its first view idles.

Streamlit's frontend loads each kind of element's module the first time one is drawn. A
lesson's first view draws most kinds, but some come only with a later choice: the first
technique with parameters brings a slider and a button group (the Slider module pulls in
moment and numbro: ~130 kB to fetch and compile), a layers tab a radio or a metric, the lab's
expanders a code box (Streamlit's component module and its Arrow readers), its study a progress
bar, its lessons' tabs a multiselect (the study's batch sizes) and download buttons. That
choice then waited for the download and compile: the first technique change took ~630 ms where
the next took ~260 ms on this kind of machine.

:func:`warm_widgets` mounts an invisible inline component (``assets/warm/``) that imports those
modules, one per idle moment, once the page has drawn; later element mounts find them loaded.
"""

from __future__ import annotations

import functools

import streamlit as st

from normviz.serving.static_files import frontend_dir
from pages._inline_component import inline_component

WIDGET_MODULES = ("Slider", "ButtonGroup", "Radio", "Metric", "BidiComponent", "Progress",
                  "ProgressBar", "Multiselect", "DownloadButton")  # fmt: skip
"""Streamlit's element modules the lessons load only after their first view (each lesson's
controls driven in Chromium, the files fetched recorded: tests/e2e/test_warm_widgets.py)."""
FONTS = ("KaTeX_Size1",)
"""Fonts of the formulas drawn only later (a technique's clipped formula's big brackets)."""
STATIC_JS = frontend_dir() / "static" / "js"
"""Streamlit's built frontend modules: ``<Name>.<hash>.js``."""
SERVED_AT = "/static/js/"
"""Where the browser fetches them (under the base path): the entry module ``index.<hash>.js``
and every module it loads later."""

_mount = inline_component("normviz_warm", "warm")  # assets/warm/warm.html, .css, .js


@functools.cache
def module_files(names: tuple[str, ...] = WIDGET_MODULES) -> tuple[str, ...]:
    """Return the file names of the modules ``names`` in this Streamlit's build, in their order.

    A name matches ``<name>.<hash>.js`` (a build may split one into several files: all are
    returned). A name that matches nothing returns nothing for it: the tests require each.
    """
    return tuple(
        file for name in names
        for file in sorted(p.name for p in STATIC_JS.glob(f"{name}.*.js") if p.name.count(".") == 2)
    )  # fmt: skip


def warm_widgets() -> None:
    """Mount the warm-up: it imports :func:`module_files` once the page idles, once per tab.

    Call it at the end of a page run whose elements are drawn (it adds one hidden element).
    """
    with st.container(key="nv_warm"):
        data = {"files": list(module_files()), "fonts": list(FONTS), "at": SERVED_AT}
        _mount(key="nv_warm_modules", data=data)
