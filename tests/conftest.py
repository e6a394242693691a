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


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run a module's tiny models on one torch thread (a second one only adds contention)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
