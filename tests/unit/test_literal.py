"""normviz.literal: user-supplied text shown literally in Streamlit's Markdown.

The rendering itself is checked in Chromium (tests/e2e/test_uploads.py); here, the escaping
rules: no Markdown, HTML, LaTeX or autolink syntax survives unescaped, and nothing is lost.
"""

from __future__ import annotations

import re
import string

import pytest

from normviz.literal import JOINER, literal, unescape

NAMES = [
    "**bold**.png",
    "$\\href{https://example.com}{x}$.png",
    "[link](https://example.com).png",
    "<b>x</b>.png",
    ":red[x] :smile: :material/home:.png",
    "a_b_c*d*~~e~~`f`.png",
    "&lt; &amp; &#36;.png",
    "www.example.com me@example.com HTTP://x.org",
    "# 1. - > | table |",
    "back\\slash\\$.png",
    "line\nbreak\r\n\ttab.png",
    string.punctuation,
]


@pytest.mark.parametrize("name", NAMES)
def test_every_punctuation_mark_is_escaped_and_nothing_is_lost(name):
    out = literal(name)
    # read left to right, every ASCII punctuation mark is the second half of an escape pair
    i = 0
    while i < len(out):
        if out[i] in string.punctuation:
            assert out[i] == "\\" and i + 1 < len(out) and out[i + 1] in string.punctuation, out
            i += 2
        else:
            assert out[i] not in "\r\n\t"  # a name never starts a paragraph, list or heading
            i += 1
    flat = re.sub(r"[\r\n\t]+", " ", name)
    assert unescape(out) == flat


def test_autolinks_are_broken_by_an_invisible_joiner():
    # GFM makes links of bare URLs and addresses after parsing, whatever the escapes
    out = literal("see https://a.org, www.b.org or c@d.org")
    plain = out.replace("\\", "")
    assert "https://" not in plain and "www." not in plain and "c@" not in plain
    assert plain.replace(JOINER, "") == "see https://a.org, www.b.org or c@d.org"
