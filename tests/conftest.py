"""Shared fixtures: paths to the bundled data and small hand-made files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from millis_network.store.database import Store, open_store

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


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, network_data: Path) -> Path:
    """A database loaded from the bundled network_data, copied for each test."""
    path = tmp_path_factory.mktemp("seeded") / "directory.sqlite"
    open_store(path, seed_from=network_data).close()
    return path


@pytest.fixture
def store(seeded: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the seeded database, open for one test."""
    shutil.copy(seeded, tmp_path / "directory.sqlite")
    with open_store(tmp_path / "directory.sqlite") as opened:
        yield opened
