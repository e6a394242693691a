"""The notice for a tab that reconnected to a server which no longer had its session."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages import _reconnect
from tests.conftest import APP


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("streamlit", None),
        ("streamlit, 2|1f|2e|1796043795", None),  # a page's first connection
        ("streamlit, 2|1f|2e|1796043795, ", None),
        ("streamlit, 2|1f|2e|1796043795, 0935bed1-b88e-45a2", "0935bed1-b88e-45a2"),
        ("streamlit,,0935bed1", "0935bed1"),  # an empty token keeps the id in third place
    ],
)
def test_previous_session_id_is_the_third_subprotocol(header, expected):
    # The format Chromium sent through the proxy in tests/e2e/test_proxy.py.
    assert _reconnect.previous_session_id(header) == expected


def _notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "fresh session" in w.value]


def test_a_first_visit_shows_no_notice():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert _notices(at) == []


def test_a_lost_session_is_told_until_dismissed(monkeypatch):
    # AppTest has no websocket headers: stand in for a browser that asked to resume a session.
    monkeypatch.setattr(_reconnect, "previous_session_id", lambda header: "0935bed1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert _notices(at) == [_reconnect.LOST_SESSION_MESSAGE]
    at.run()  # any later run of the page keeps it
    assert _notices(at) == [_reconnect.LOST_SESSION_MESSAGE]
    at.button(key="lost_session_ok").click().run()
    assert _notices(at) == []
    at.run()  # checked once per session: never comes back
    assert _notices(at) == []
