"""Code on screen as highlighted HTML: no code-highlighter chunk in the browser.

``st.code`` draws with Streamlit's lazily loaded highlighter (~1.5 MB of JavaScript that the
browser fetches and compiles the first time a code box is drawn, even a closed one). The lessons'
code boxes (``pages/_code_view.py``) show short Python snippets, so they are highlighted here, with
the standard library's :mod:`tokenize`: keywords, strings, numbers and comments get a colour
(each at least 4.5:1 against the box's background), the rest stays as written. The text is
exactly the code (only escaped), so it is selected and copied as is.
"""

from __future__ import annotations

import io
import keyword
import tokenize
from xml.sax.saxutils import escape

from normviz.figures._theme import INK

_Q = {'"': "&quot;"}
BACKGROUND = "#f0f2f6"
"""The box's background (Streamlit's light code background)."""
COLOURS = {
    "keyword": "#6d28d9",
    "string": "#047857",
    "number": "#9a3412",
    "comment": "#4b5563",
}
"""Colour of each kind of token (contrast >= 4.5:1 on :data:`BACKGROUND`)."""


def _kind(tok: tokenize.TokenInfo) -> str | None:
    if tok.type == tokenize.NAME and keyword.iskeyword(tok.string):
        return "keyword"
    return {tokenize.STRING: "string", tokenize.NUMBER: "number", tokenize.COMMENT: "comment"}.get(
        tok.type
    )


def code_html(code: str, *, label: str) -> str:
    """Return Python ``code`` as a highlighted ``<pre>`` block in HTML.

    Parameters
    ----------
    code : str
        Python source. Code that :mod:`tokenize` cannot read is shown without colours.
    label : str
        The block's accessible name (it is a focusable region: it scrolls sideways when a line
        is wider than its column).

    Returns
    -------
    str
        ``<pre class="nv-code" role="region" tabindex="0" ...><code>...</code></pre>`` whose text
        is ``code`` exactly; each keyword, string, number and comment is a ``<span>`` coloured by
        :data:`COLOURS`.

    Examples
    --------
    >>> html = code_html("x = 1  # one", label="Code")
    >>> '<span style="color:#9a3412">1</span>' in html, "# one</span>" in html
    (True, True)
    """
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    out: list[str] = []
    pos = 0
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for tok in tokens:
        kind = _kind(tok)
        if kind is None:
            continue
        begin = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        out.append(escape(code[pos:begin]))
        out.append(f'<span style="color:{COLOURS[kind]}">{escape(code[begin:end])}</span>')
        pos = end
    out.append(escape(code[pos:]))
    style = (
        f"background:{BACKGROUND};color:{INK};border-radius:0.5rem;padding:0.75rem 1rem;"
        "margin:0;overflow-x:auto;font-family:'Source Code Pro',monospace;font-size:14px;"
        "line-height:1.5;white-space:pre"
    )
    return (
        f'<pre class="nv-code" role="region" tabindex="0" aria-label="{escape(label, _Q)}" '
        f'style="{style}"><code>{"".join(out)}</code></pre>'
    )
