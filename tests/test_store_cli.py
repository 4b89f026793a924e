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
from millis_network.store.database import open_store
from millis_network.store.editors import SignInThrottle
from millis_network.store.migrations import LATEST_VERSION

FIXTURES = Path(__file__).resolve().parent / "data" / "store"


@pytest.fixture
def db(db_url: str) -> str:
    """An empty database on the test's backend, as given to ``--db``."""
    return db_url


def test_init_export_and_hsds(db: str, tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["db", "init", "--db", db]) == 0
    assert f"schema version {LATEST_VERSION}; 130 centres, 167 courts" in capsys.readouterr().out
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


def test_rejected_rows_are_listed_and_stderr_says_so(db: str, capsys: pytest.CaptureFixture) -> None:
    # Some rows accepted: exit 0, one line on stderr counting the rejected (nothing accepted exits 1: test_cli_misuse).
    assert main(["import", str(FIXTURES / "malformed_postcodes.csv"), "--db", db, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"millis-network: 3 row(s) of {FIXTURES / 'malformed_postcodes.csv'} rejected (listed in the output); "
        "the other 1 imported"]
    report = json.loads(captured.out)
    assert report["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert [(i["row"], i["field"], i["rule"]) for i in report["issues"]] == [
        (3, "postcode", "postcode-format"), (4, "postcode", "postcode-format"), (5, "postcode", "postcode-unknown")]
    assert report["written"]["created"] == 1


def test_editor_accounts_added_listed_and_disabled(db: str, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture) -> None:
    password = "a long editors' passphrase"
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert main(["db", "editor", "add", "Alice", "--display-name", "Alice Example", "--password-stdin", "--db", db]) == 0
    assert "added editor alice (Alice Example)" in capsys.readouterr().out
    with open_store(db) as store:
        signed_in = SignInThrottle(store).sign_in("alice", password, client="")
        assert signed_in is not None and signed_in.display_name == "Alice Example"
    assert main(["db", "editor", "disable", "alice", "--db", db]) == 0
    assert "disabled editor alice" in capsys.readouterr().out
    assert main(["db", "editor", "list", "--json", "--db", db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["user_name"], e["disabled"]) for e in listed] == [("alice", True)]
    assert password not in json.dumps(listed)


def test_editor_add_refuses_a_taken_name_or_differing_passwords_and_list_shows_no_hash(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import getpass

    typed = iter(["first long passphrase here", "second long passphrase here"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    assert main(["db", "editor", "add", "bob", "--db", db]) == 2
    assert "the two passwords differ" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long editors' passphrase\n"))
    assert main(["db", "editor", "add", "bob", "--password-stdin", "--db", db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("another long passphrase\n"))
    assert main(["db", "editor", "add", "BOB", "--password-stdin", "--db", db]) == 2
    assert "there is an editor 'bob' already" in capsys.readouterr().err
    assert main(["db", "editor", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bob\t-\tadded ") and out.rstrip().endswith("enabled")
    assert "scrypt" not in out
    assert main(["db", "editor", "disable", "nobody", "--db", db]) == 2
    assert "no editor 'nobody'" in capsys.readouterr().err


def test_verify_records_who_and_the_source_and_leaves_the_checking_list(db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["db", "needs-checking", "--db", db, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert "abingdon-contact-centre" in {row["id"] for row in before}
    assert main(["db", "verify", "abingdon-contact-centre", "--db", db, "--who", "alice",
                 "--source", "https://www.abingdonfamilymediation.co.uk/abingdon-child-contact-centre/"]) == 0
    assert "by alice (verify" in capsys.readouterr().out
    assert main(["db", "needs-checking", "--db", db, "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert {row["id"] for row in before} - {row["id"] for row in after} == {"abingdon-contact-centre"}
    assert main(["db", "verify", "abingdon-contact-centre", "--db", db, "--source", " "]) == 2
    assert "verified against" in capsys.readouterr().err
