"""The lessons' code boxes in an AppTest run (pages/_code_view.py)."""

from __future__ import annotations

import json

from pages._code_view import NAME


def code_boxes(at) -> dict[str, str]:
    """The code boxes drawn in ``at``'s last run: key -> the code each shows (and copies)."""
    boxes = [c for c in at.get("bidi_component") if c.proto.component_name == NAME]
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.json)["code"] for c in boxes}
