"""The lessons' code box (pages/_code_view.py): what it is sent."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from normviz.figures.code_html import COLOURS
from pages._code_view import code_data


def test_the_box_is_sent_the_code_exactly_and_its_highlighting():
    code = "import torch\nx = torch.ones(3) * 2.5  # <b> & \"q\"\nprint(f'{x!r}')\n"
    data = code_data(code, "PyTorch code for the current settings")
    assert data["code"] == code  # what Copy puts on the clipboard
    pre = ET.fromstring(data["html"])
    assert "".join(pre.itertext()) == code  # the text shown is the code, escaped only
    assert pre.get("aria-label") == data["label"] == "PyTorch code for the current settings"
    spans = {s.text: s.get("style") for s in pre.iter("span")}
    assert spans["import"] == f"color:{COLOURS['keyword']}"
    assert spans["2.5"] == f"color:{COLOURS['number']}"
    assert spans['# <b> & "q"'] == f"color:{COLOURS['comment']}"
    assert data["language"] == "Python"
