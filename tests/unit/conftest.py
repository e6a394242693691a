"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from normviz.serving import live_stream as ls


@pytest.fixture
def reg():
    """A live-session registry of its own; every lease its sessions took is freed afterwards."""
    r = ls.Registry()
    yield r
    for s in r.sessions():
        r.drop(s.token)
