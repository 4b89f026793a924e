"""The live directory drives every output: an accepted import or edit shows at once, with no export step.

A CLI import into a database is seen by ``coverage courts --json`` reading that
database; an editor's save on the Directory page changes the court's status on
the coverage map and the gaps page at the next rerun. The court used is
Oxford Combined Court Centre, which in the bundled directory has neither
service within 30 minutes: Abingdon Contact Centre, 9 km away, states no services.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.cli import main
from millis_network.config import DATABASE_ENV
from millis_network.store.database import open_store
from millis_network.store.editors import add_editor

COURT = "oxford-combined-court-centre"
CENTRE = "abingdon-contact-centre"
PASSWORD = "the live directory test's passphrase"


def court_status(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    assert main(["coverage", "courts", "--json", *args]) == 0
    rows = json.loads(capsys.readouterr().out)
    return {row["court_id"]: row["status"] for row in rows}


def test_an_imported_spreadsheet_is_seen_by_coverage_without_an_export(
    tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    database = tmp_path / "directory.sqlite"
    open_store(database, seed_from=network_data).close()
    assert court_status(capsys, "--db", str(database), "--include-sample")[COURT] == "neither"
    sheet = tmp_path / "new centres.csv"
    sheet.write_text(
        "Name,Town,Postcode,Services,Sample,Source\n"
        "SAMPLE Oxford test centre,Oxford,OX1 1TL,supported; supervised,yes,https://example.org/test\n",
        encoding="utf-8",
    )
    assert main(["import", str(sheet), "--db", str(database), "--who", "test"]) == 0
    capsys.readouterr()
    assert court_status(capsys, "--db", str(database), "--include-sample")[COURT] == "meets rule"
    assert court_status(capsys, "--include-sample")[COURT] == "neither", "the bundled snapshot is untouched"


def test_the_database_named_by_the_environment_is_read_and_named_in_the_output(
    tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "directory.sqlite"
    with open_store(database, seed_from=network_data) as store:
        store.update_centre(CENTRE, {"services": "supported; supervised"}, expected_version=store.centre(CENTRE)["version"],
                            who="test")
        revision, _ = store.revision()
    monkeypatch.setenv(DATABASE_ENV, str(database))
    assert court_status(capsys)[COURT] == "meets rule"
    assert main(["coverage", "courts"]) == 0
    assert f"Directory: directory database, revision {revision}, as of " in capsys.readouterr().out
    monkeypatch.delenv(DATABASE_ENV)
    assert main(["coverage", "courts"]) == 0
    assert "Directory: bundled snapshot of " in capsys.readouterr().out


@pytest.fixture
def database(tmp_path: Path, network_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "live.sqlite"
    with open_store(path, seed_from=network_data) as store:
        add_editor(store, "alice", PASSWORD, display_name="Alice Editor")
    monkeypatch.setenv(DATABASE_ENV, str(path))
    return path


def court_statuses_on_the_map() -> dict[str, str]:
    at = dashboard_at("coverage_map", view="tables").run()
    assert not at.exception
    with open_store(os.environ[DATABASE_ENV]) as store:
        revision, _ = store.revision()
    assert f"Read from the directory database, revision {revision}, as of " in at.info[0].value
    table = at.dataframe[0].value
    return dict(zip(table["Court"], table["Status"], strict=True))


def failing_courts() -> set[str]:
    at = dashboard_at("gaps").run()
    assert not at.exception
    return set(at.dataframe[0].value["Court id"])


def test_an_editors_save_changes_the_map_and_the_gaps_at_the_next_rerun(database: Path) -> None:
    assert court_statuses_on_the_map()["Oxford Combined Court Centre"] == "neither"
    assert COURT in failing_courts()
    at: AppTest = dashboard_at("directory", timeout_s=120).run()
    at.text_input(key="directory_sign_in_user").set_value("alice")
    at.text_input(key="directory_sign_in_password").set_value(PASSWORD)
    at = at.button(key="directory_sign_in_button").click().run()
    pattern = re.compile(rf"directory_edit_{CENTRE}_\d+_services")
    next(w for w in at.multiselect if w.key and pattern.fullmatch(w.key)).set_value(["supported", "supervised"])
    at.button(key="directory_save").click().run()
    assert not at.exception and any(s.value.startswith("Saved.") for s in at.success)
    with open_store(database) as store:
        assert store.changes(entity="centre", entity_id=CENTRE)[-1].who == "alice"
    assert court_statuses_on_the_map()["Oxford Combined Court Centre"] == "meets rule"
    assert COURT not in failing_courts()
