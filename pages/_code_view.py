"""A lesson's code box: the code highlighted on the server, with a Copy button, no highlighter.

One Streamlit custom component (``st.components.v2``, mounted in the page, no iframe): its HTML,
styles and script are ``assets/code/`` (vanilla JavaScript, no library). The code is highlighted
by :func:`normviz.figures.code_html.code_html`; Copy puts it on the clipboard exactly as written.

``st.code`` draws with Streamlit's lazily loaded highlighter: ~1.5 MB of JavaScript that a
browser fetches and compiles the first time a code box is drawn (a third of a second or more on
this kind of machine, landing on whatever the reader clicked). This box is a few kilobytes.
"""

from __future__ import annotations

from normviz.figures.code_html import code_html
from pages._inline_component import inline_component

NAME = "normviz_code"

_mount = inline_component(NAME, "code")  # assets/code/code.html, .css, .js


def code_data(code: str, label: str, language: str = "Python") -> dict[str, str]:
    """Return what the box is sent: the highlighted ``html``, the ``code`` Copy puts on the
    clipboard, its ``label`` (the accessible name of the code and of its Copy button) and the
    ``language`` shown above it.

    Examples
    --------
    >>> d = code_data("x = 1", "Code")
    >>> d["code"], d["label"], d["language"], d["html"].startswith("<pre")
    ('x = 1', 'Code', 'Python', True)
    """
    return {"html": code_html(code, label=label), "code": code, "label": label,
            "language": language}  # fmt: skip


def code_view(code: str, *, key: str, label: str, language: str = "Python") -> None:
    """Show Python ``code`` highlighted, with a Copy button.

    ``key`` keeps the box mounted across reruns (a changed snippet is swapped in place);
    ``label`` names the code for a screen reader ("PyTorch code for the current settings").
    """
    _mount(key=key, data=code_data(code, label, language), width="stretch", height="content")
