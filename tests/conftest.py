"""Shared test configuration: paths and a fixed seed."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


@pytest.fixture
def root() -> Path:
    """The project root."""
    return ROOT
