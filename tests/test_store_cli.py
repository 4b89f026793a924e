"""``millis-network db ...`` and ``millis-network import``: the same store functions from the command line.

Each test runs on SQLite (``--db`` a file path) and on PostgreSQL (``--db`` a URL).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from millis_network.cli import main
from millis_network.store.auth import verify_password
from millis_network.store.database import open_store

FIXTURES = Path(__file__).resolve().parent / "data" / "store"


@pytest.fixture
def db(db_url: str) -> str:
    """An empty database on the test's backend, as given to ``--db``."""
    return db_url


def test_init_export_and_hsds(db: str, tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["db", "init", "--db", db]) == 0
    assert "schema version 1; 114 centres, 167 courts" in capsys.readouterr().out
    out = tmp_path / "exported"
    assert main(["db", "export", "--db", db, "--out", str(out), "--hsds", str(tmp_path / "oruk.json")]) == 0
    assert (out / "centres" / "centres.csv").read_bytes() == (network_data / "centres" / "centres.csv").read_bytes()
    page = json.loads((tmp_path / "oruk.json").read_text(encoding="utf-8"))
    assert page["total_items"] == len(page["contents"]) > 100


def test_import_dry_run_then_real_then_history_and_revert(db: str, capsys: pytest.CaptureFixture) -> None:
    path = FIXTURES / "sample_centres_windows1252.csv"
    assert main(["import", str(path), "--db", db, "--dry-run", "--who", "Alice"]) == 0
    out = capsys.readouterr().out
    assert "2 new, 0 updated, 0 unchanged, 0 rejected, read as cp1252" in out
    assert "dry run: nothing written" in out
    with open_store(db) as store:
        assert "millis-sample-centre" not in set(store.centres()["id"])
    assert main(["import", str(path), "--db", db, "--who", "Alice"]) == 0
    assert "wrote 2 new and 0 updated centre(s) in one transaction" in capsys.readouterr().out
    with open_store(db) as store:
        assert store.centre("millis-sample-centre")["name"] == "Milli’s Sample Centre"
    assert main(["db", "history", "millis-sample-centre", "--db", db]) == 0
    history = capsys.readouterr().out
    assert "Alice  import centre — import" in history and "name: '' → 'Milli’s Sample Centre'" in history
    assert main(["db", "history", "millis-sample-centre", "--db", db, "--json"]) == 0
    change_id = json.loads(capsys.readouterr().out)[0]["change_id"]
    assert main(["db", "revert", str(change_id), "--db", db, "--who", "Bob"]) == 0
    assert "by Bob (revert centre 'millis-sample-centre'" in capsys.readouterr().out
    assert main(["db", "history", "no-such-centre", "--db", db]) == 2


def test_rejected_rows_are_listed_and_the_exit_code_says_so(db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(FIXTURES / "malformed_postcodes.csv"), "--db", db, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert [(i["row"], i["field"], i["rule"]) for i in report["issues"]] == [
        (3, "postcode", "postcode-format"), (4, "postcode", "postcode-format"), (5, "postcode", "postcode-unknown")]
    assert report["written"]["created"] == 1


def test_hash_password_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("open sesame\n"))
    assert main(["db", "hash-password"]) == 0
    captured = capsys.readouterr()
    assert verify_password("open sesame", captured.out.strip())
    assert "MILLIS_NETWORK_EDITOR_PASSWORD_HASH" in captured.err
