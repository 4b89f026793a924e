"""Shared fixtures: paths to the bundled data and small hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def network_data() -> Path:
    """The bundled network_data folder."""
    return ROOT / "network_data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    """tests/data: small hand-made inputs."""
    return DATA
