"""An import killed part-way leaves the database exactly as it was.

A real ``millis-network import`` of a large generated file runs in a child
process; part-way through writing (its rollback journal exists and the
database file has already grown by megabytes of its pages), it is killed
with SIGKILL. The database must then hold exactly what it held
before: no partial rows, no audit entries, and a clean integrity check.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from millis_network.postcodes import load_index
from millis_network.store.database import open_store

ROWS = 20_000
#: Kill once the database file has grown this much inside the import's transaction (about a
#: quarter of what 20,000 rows and their audit entries take), so a writer that committed in
#: pieces would be caught with rows already committed.
GROWTH_BEFORE_KILL_BYTES = 5_000_000
RUN_CLI = "import sys; from millis_network.cli import main; sys.exit(main(sys.argv[1:]))"


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def write_sample_file(path: Path, rows: int) -> None:
    """Illustrative centres (flagged sample) at real postcodes spread over the ONS directory."""
    index = load_index()
    located = np.flatnonzero(~np.isnan(index.lat))
    keys = index.keys[located[:: max(1, located.size // rows)][:rows]]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Postcode", "Services", "Sample"])
        for number, key in enumerate(keys):
            writer.writerow([f"Reliability Sample Centre {number}", key.decode("ascii"), "supported", "yes"])


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_an_import_killed_mid_write_leaves_the_database_as_it_was(tmp_path: Path, network_data: Path) -> None:
    database = tmp_path / "directory.sqlite"
    journal = tmp_path / "directory.sqlite-journal"
    open_store(database, seed_from=network_data).close()
    before = dump(database)
    size_before = database.stat().st_size
    spreadsheet = tmp_path / "many.csv"
    write_sample_file(spreadsheet, ROWS)

    child = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "import", str(spreadsheet), "--db", str(database), "--who", "kill-test"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    caught_mid_write = False
    deadline = time.monotonic() + 300
    while child.poll() is None and time.monotonic() < deadline:
        if journal.exists() and database.stat().st_size > size_before + GROWTH_BEFORE_KILL_BYTES:
            os.kill(child.pid, signal.SIGKILL)
            caught_mid_write = True
            break
        time.sleep(0.0005)
    child.wait(timeout=60)
    assert caught_mid_write, "the import finished before it could be killed part-way; make ROWS larger"
    assert child.returncode == -signal.SIGKILL

    assert dump(database) == before
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_store(database) as store:
        assert not store.centres()["name"].str.startswith("Reliability Sample Centre").any()
        assert all(c.who != "kill-test" for c in store.changes())
