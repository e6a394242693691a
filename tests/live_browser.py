"""A model of what the live chart component does with payloads (``docs/live-view.md``).

It appends the rows it lacks when ``base`` is at most what it holds for that token (payloads
overlap), replaces the run on ``base == 0``, keeps the last grid when a payload has none, and
reports the tokens it cannot apply (a gap), as ``live.js`` does. Unit
tests and AppTests feed it the payloads the server built and compare what it holds with the
trainers' history.
"""

from __future__ import annotations

import json


class LiveBrowser:
    """Rows and points held per run token, built only from payloads."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list]] = {}
        self.points: dict[str, dict] = {}
        self.grids: dict[str, dict] = {}
        self.last: dict | None = None

    def apply(self, payload: dict) -> list[str]:
        """Apply one payload; return the tokens whose rows did not fit (gaps)."""
        self.last = payload
        gaps = []
        for run in payload["runs"]:
            token, base = run["run"], run["base"]
            held = self.rows.get(token)
            if base == 0:
                self.rows[token] = {f: list(v) for f, v in run["rows"].items()}
                self.points[token] = run["points"]
            elif held is None or len(held["epoch"]) < base:
                gaps.append(token)
                continue
            else:
                skip = len(held["epoch"]) - base  # rows of earlier payloads, held already
                for f, v in run["rows"].items():
                    held[f].extend(v[skip:])
            if "grid" in run:
                self.grids[token] = run["grid"]
        return gaps

    def have(self) -> dict[str, int]:
        """Rows held per token: the ``have`` of the component's reply."""
        return {t: len(r["epoch"]) for t, r in self.rows.items()}


def component_payload(at) -> dict:
    """The live chart's payload in an AppTest's last run (the ``feed`` argument)."""
    (element,) = at.get("component_instance")
    return json.loads(element.proto.json_args)["feed"]
