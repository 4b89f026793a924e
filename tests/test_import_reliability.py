"""An import killed part-way leaves the database exactly as it was, on SQLite and on PostgreSQL.

A real ``millis-network import`` of a large generated file runs in a child
process; part-way through writing, it is killed with SIGKILL. On SQLite
"part-way" means its rollback journal exists and the database file has
already grown by megabytes of its pages; on PostgreSQL, that its transaction
is open and the tables' files have grown by megabytes of its uncommitted
rows. The database must then hold exactly what it held before: no partial
rows, no audit entries, a clean integrity check, and no lock left behind to
stop the next writer.
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
from conftest import Backend
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from millis_network.postcodes import load_index
from millis_network.store.database import open_store

ROWS = 20_000
#: Kill once the database has grown this much inside the import's transaction (about a quarter
#: of what 20,000 rows and their audit entries take), so a writer that committed in pieces would
#: be caught with rows already committed.
GROWTH_BEFORE_KILL_BYTES = 5_000_000
RUN_CLI = "import sys; from millis_network.cli import main; sys.exit(main(sys.argv[1:]))"
#: The killed import's connection name on PostgreSQL, to find its server process.
CHILD_APPLICATION = "millis-kill-test"


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


class SqliteWatch:
    """Sees a SQLite import mid-write: its rollback journal exists and the file has grown."""

    def __init__(self, location: str) -> None:
        self.database = Path(location)
        self.journal = Path(location + "-journal")
        self.size_before = self.database.stat().st_size
        self.child_location = location

    def mid_write(self) -> bool:
        return self.journal.exists() and self.database.stat().st_size > self.size_before + GROWTH_BEFORE_KILL_BYTES

    def wait_until_child_is_gone(self) -> None:
        """Nothing to wait for: the next connection rolls back the hot journal."""

    def check_integrity(self) -> None:
        with sqlite3.connect(self.database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    def close(self) -> None:
        pass


class PostgresWatch:
    """Sees a PostgreSQL import mid-write: its transaction is open and the tables' files have grown."""

    def __init__(self, location: str) -> None:
        self.engine = create_engine(location, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.conn = self.engine.connect()
        self.size_before = self.size()
        self.child_location = make_url(location).update_query_dict(
            {"application_name": CHILD_APPLICATION}).render_as_string(hide_password=False)

    def size(self) -> int:
        """Bytes of the centres and audit tables with their indexes (uncommitted rows included)."""
        return int(self.conn.execute(
            text("SELECT pg_total_relation_size('centres') + pg_total_relation_size('audit_log')")).scalar_one())

    def child_transactions(self) -> int:
        return int(self.conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = :name AND xact_start IS NOT NULL"), {"name": CHILD_APPLICATION}).scalar_one())

    def child_connections(self) -> int:
        return int(self.conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = :name"),
            {"name": CHILD_APPLICATION}).scalar_one())

    def mid_write(self) -> bool:
        return self.size() > self.size_before + GROWTH_BEFORE_KILL_BYTES and self.child_transactions() == 1

    def wait_until_child_is_gone(self) -> None:
        """Until the server has noticed the dead client and rolled its transaction back."""
        deadline = time.monotonic() + 60
        while self.child_connections() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.child_connections() == 0, "the server still holds the killed import's connection after 60 s"

    def check_integrity(self) -> None:
        """The killed writer's lock went with its transaction (the rows were compared already)."""
        locks = self.conn.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE d.datname = current_database() AND l.locktype = 'advisory'")).scalar_one()
        assert locks == 0

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_an_import_killed_mid_write_leaves_the_database_as_it_was(
    backend: Backend, seeded_url: str, tmp_path: Path
) -> None:
    before = backend.dump(seeded_url)
    spreadsheet = tmp_path / "many.csv"
    write_sample_file(spreadsheet, ROWS)
    watch = PostgresWatch(seeded_url) if backend.name == "postgresql" else SqliteWatch(seeded_url)
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, "import", str(spreadsheet), "--db", watch.child_location, "--who", "kill-test"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        caught_mid_write = False
        deadline = time.monotonic() + 300
        while child.poll() is None and time.monotonic() < deadline:
            if watch.mid_write():
                os.kill(child.pid, signal.SIGKILL)
                caught_mid_write = True
                break
            time.sleep(0.0005)
        child.wait(timeout=60)
        assert caught_mid_write, "the import finished before it could be killed part-way; make ROWS larger"
        assert child.returncode == -signal.SIGKILL
        watch.wait_until_child_is_gone()

        assert backend.dump(seeded_url) == before
        watch.check_integrity()
    finally:
        watch.close()
    with open_store(seeded_url) as store:
        assert not store.centres()["name"].str.startswith("Reliability Sample Centre").any()
        assert all(c.who != "kill-test" for c in store.changes())
        centre = store.centres()["id"].iloc[0]
        assert store.update_centre(centre, {"opening": "after the kill"}, expected_version=store.centre(centre)["version"],
                                   who="next writer") is not None
