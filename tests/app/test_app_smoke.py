"""The app and its landing page render without exception (Streamlit AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def test_home_renders():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "normviz"
    # The landing page links each lesson.
    assert len(at.get("page_link")) == 3
