"""User-supplied text shown literally in Streamlit's Markdown (no streamlit import).

Streamlit renders the text of ``st.markdown``, ``st.caption``, ``st.info``, ``st.warning``,
``st.error``, widget labels and ``help`` as Markdown with LaTeX (``$...$``), colour and icon
directives (``:red[...]``, ``:material/...:``) and emoji shortcodes. A file name or a URL value
put there as is can turn bold, become a link or be typeset: the page would show text the user
never wrote. :func:`literal` makes any string render as exactly its characters.

Every page that shows a string it did not write (an upload's name, a value read from the URL)
passes it through :func:`literal` first.
"""

from __future__ import annotations

import re

__all__ = ["JOINER", "literal", "unescape"]

# Every ASCII punctuation character: CommonMark lets a backslash escape each one, so the
# escaped text renders as the character itself (never as emphasis, a link, HTML, an entity, a
# table cell, a list marker, a heading); Streamlit's LaTeX ($), directives and shortcodes (:)
# respect the same escapes.
_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
_ESCAPED = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
JOINER = "\u2060"
"""WORD JOINER: invisible, zero width; put where GFM would otherwise see a link (see below)."""
# GFM turns bare URLs and e-mail addresses in text into links *after* parsing, on the text that
# escapes leave: "https://", "www." and "@" are broken by an invisible joiner instead.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def literal(text: object) -> str:
    r"""Return ``text`` escaped so Streamlit's Markdown shows exactly its characters.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str`` first (a URL value, a file name).

    Returns
    -------
    str
        Every ASCII punctuation character preceded by a backslash; line breaks and tabs become
        one space (a name never starts a new paragraph or a list); an invisible
        :data:`JOINER` inside ``://``, ``www.`` and before ``@``, where GFM would make a link of
        plain text. Shown, it reads as ``str(text)`` (the joiner has no width).

    Examples
    --------
    >>> print(literal("**bold**.png"))
    \*\*bold\*\*\.png
    >>> print(literal(r"$\href{y}{x}$ <b>x</b> [a](b)"))
    \$\\href\{y\}\{x\}\$ \<b\>x\<\/b\> \[a\]\(b\)
    >>> literal("a@b.org http://x").split(JOINER)
    ['a', '\\@b\\.org http\\:', '\\/\\/x']
    >>> print(literal("my photo\n# 2"))
    my photo \# 2
    """
    flat = _AUTOLINK.sub(JOINER, _BREAKS.sub(" ", str(text)))
    return _PUNCT.sub(r"\\\1", flat)


def unescape(markdown: str) -> str:
    r"""Return the characters that Markdown made by :func:`literal` shows (its inverse).

    For tests: compare what a page wrote through :func:`literal` with the text it quotes.

    Examples
    --------
    >>> name = "$x$ [a](http://b) **c**\\d"
    >>> unescape(literal(name)) == name
    True
    """
    return _ESCAPED.sub(r"\1", markdown).replace(JOINER, "")
