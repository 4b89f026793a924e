"""The directory database: migrations, round trips, edits, optimistic locking, the audit log and undo.

Every test taking ``store``, ``db_url``, ``seeded_url`` or ``new_database`` runs
twice: on SQLite and on PostgreSQL (see ``conftest.py``).
"""

from __future__ import annotations

import filecmp
import shutil
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import Backend
from sqlalchemy import inspect

from millis_network.directory import CENTRE_COLUMNS, COURT_COLUMNS
from millis_network.errors import (
    ConflictError,
    DataFileError,
    MillisNetworkError,
    NotFoundError,
)
from millis_network.store import migrations as _migrations
from millis_network.store.database import (
    AUDIT_LOG,
    CENTRE_RECORDS,
    CENTRES,
    COURTS,
    PlannedWrite,
    Store,
    database_url,
    default_database_url,
    open_store,
    search_centres,
)

CENTRE = "abingdon-contact-centre"
NETWORK_FILES = ("centres/centres.csv", "courts/family_court_centres.csv")




def new_centre(**values: str) -> dict[str, str]:
    return {
        "id": "sample-bath-centre", "name": "Bath Sample Centre", "town": "Bath", "location_precision": "none",
        "accreditation": "not stated", "address_withheld": "unknown", "status": "open", "sample": "yes",
    } | values


def test_migrations_build_the_current_schema(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store.schema_version() == _migrations.LATEST_VERSION
        inspector = inspect(store.engine)
        for table in (CENTRES, COURTS, CENTRE_RECORDS, AUDIT_LOG):
            assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
        assert store.migrate() == []
        assert store.centres().columns.tolist() == [*CENTRE_COLUMNS, "version"]
        assert store.courts().columns.tolist() == [*COURT_COLUMNS, "version"]


def test_a_database_from_a_newer_version_is_refused(backend: Backend, db_url: str) -> None:
    open_store(db_url).close()
    backend.execute(db_url, "INSERT INTO schema_migrations VALUES (99, 'from the future', '2099-01-01')")
    with pytest.raises(MillisNetworkError, match="schema version 99, newer than this package"):
        open_store(db_url)


def test_opening_twice_migrates_once(db_url: str) -> None:
    with open_store(db_url) as first, open_store(db_url) as second:
        assert first.migrate() == second.migrate() == []
        assert second.schema_version() == _migrations.LATEST_VERSION


def test_database_location_from_path_url_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert database_url(tmp_path / "a.sqlite") == f"sqlite:///{tmp_path / 'a.sqlite'}"
    assert database_url("postgresql://user@host/db") == "postgresql://user@host/db"
    monkeypatch.setenv("MILLIS_NETWORK_DB", str(tmp_path / "b.sqlite"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'b.sqlite'}"
    monkeypatch.delenv("MILLIS_NETWORK_DB")
    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    assert default_database_url() == f"sqlite:///{tmp_path / 'directory.sqlite'}"


def test_export_import_export_round_trips_network_data_byte_for_byte(
    tmp_path: Path, network_data: Path, new_database: Callable[[], str]
) -> None:
    with open_store(new_database(), seed_from=network_data) as first:
        first.export_network_data(tmp_path / "once")
    for name in NETWORK_FILES:
        assert filecmp.cmp(network_data / name, tmp_path / "once" / name, shallow=False)
    with open_store(new_database()) as second:
        counts = second.import_network_data(tmp_path / "once", who="test")
        assert counts["centres"]["created"] == len(pd.read_csv(network_data / NETWORK_FILES[0]))
        second.export_network_data(tmp_path / "twice")
        assert second.import_network_data(tmp_path / "twice", who="test")["centres"]["unchanged"] == counts["centres"]["created"]
    for name in NETWORK_FILES:
        assert (tmp_path / "once" / name).read_bytes() == (tmp_path / "twice" / name).read_bytes()


def test_importing_network_data_updates_keeps_or_prunes(store: Store, tmp_path: Path, network_data: Path) -> None:
    store.add_centre(new_centre(), who="Alice")
    edited = tmp_path / "edited"
    shutil.copytree(network_data / "centres", edited / "centres")
    shutil.copytree(network_data / "courts", edited / "courts")
    frame = pd.read_csv(edited / NETWORK_FILES[0], dtype=str, keep_default_na=False)
    frame.loc[frame["id"] == CENTRE, "opening"] = "Saturdays"
    frame.to_csv(edited / NETWORK_FILES[0], index=False)
    counts = store.import_network_data(edited, who="Bob")["centres"]
    assert (counts["updated"], counts["kept"], counts["deleted"]) == (1, 1, 0)
    assert store.centre(CENTRE)["opening"] == "Saturdays"
    assert store.centre(CENTRE)["last_updated"] == frame.loc[frame["id"] == CENTRE, "last_updated"].item()
    assert store.import_network_data(edited, who="Bob", prune=True)["centres"]["deleted"] == 1
    with pytest.raises(NotFoundError, match="no centre with id 'sample-bath-centre'"):
        store.centre("sample-bath-centre")
    deletion = store.changes(entity="centre", entity_id="sample-bath-centre")[-1]
    assert deletion.action == "delete" and deletion.old["name"] == "Bath Sample Centre" and deletion.new is None


def test_a_network_data_file_breaking_its_schema_writes_nothing(store: Store, tmp_path: Path, network_data: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(network_data / "centres", broken / "centres")
    shutil.copytree(network_data / "courts", broken / "courts")
    frame = pd.read_csv(broken / NETWORK_FILES[0], dtype=str, keep_default_na=False)
    frame.loc[0, "status"] = "perhaps"
    frame.loc[1, "opening"] = "changed"
    frame.to_csv(broken / NETWORK_FILES[0], index=False)
    before = store.centres()
    with pytest.raises(DataFileError, match=r"centres.csv:2: status: status 'perhaps' is not one of open, closed"):
        store.import_network_data(broken, who="Bob")
    pd.testing.assert_frame_equal(store.centres(), before)


def test_an_edit_is_audited_with_old_and_new_values(store: Store) -> None:
    before = store.centre(CENTRE)
    change = store.update_centre(CENTRE, {"opening": "Saturdays 10:00-12:00"}, expected_version=before["version"],
                                 who="Alice", reason="phoned the coordinator")
    after = store.centre(CENTRE)
    assert after["version"] == before["version"] + 1
    assert change.who == "Alice" and change.action == "update" and change.reason == "phoned the coordinator"
    assert change.old["opening"] == before["opening"] and change.new["opening"] == "Saturdays 10:00-12:00"
    assert after["last_updated"] == change.at[:10]
    assert after["last_verified"] == before["last_verified"]
    history = store.history(CENTRE)
    newest = history[history["change_id"] == change.change_id]
    assert set(newest["field"]) <= {"opening", "last_updated"} and "opening" in set(newest["field"])
    assert store.update_centre(CENTRE, {"opening": "Saturdays 10:00-12:00"}, expected_version=after["version"], who="Alice") is None


def test_verifying_is_separate_from_updating(store: Store) -> None:
    centre = store.centre(CENTRE)
    with pytest.raises(ValueError, match="only by verify_centre"):
        store.update_centre(CENTRE, {"last_verified": "2026-11-20"}, expected_version=centre["version"], who="Alice")
    with pytest.raises(MillisNetworkError, match="verified against"):
        store.verify_centre(CENTRE, source="  ", expected_version=centre["version"], who="Alice")
    change = store.verify_centre(CENTRE, source="https://example.org/abingdon", expected_version=centre["version"],
                                 who="Alice", on=date(2026, 11, 20))
    assert (change.action, change.who, change.reason) == ("verify", "Alice", "verified against https://example.org/abingdon")
    assert change.new["last_verified"] == "2026-11-20"
    assert store.centre(CENTRE)["last_verified"] == "2026-11-20"
    edit = store.update_centre(CENTRE, {"referral": "self-referral"}, expected_version=centre["version"] + 1, who="Bob")
    assert "last_verified" not in edit.new
    assert store.centre(CENTRE)["last_verified"] == "2026-11-20"


def test_the_second_writer_gets_a_conflict_showing_the_first_change(store: Store) -> None:
    read_by_both = store.centre(CENTRE)["version"]
    store.update_centre(CENTRE, {"opening": "Saturdays"}, expected_version=read_by_both, who="Alice")
    with pytest.raises(ConflictError, match=r"(?s)changed by someone else.*by Alice.*opening: .* → 'Saturdays'") as caught:
        store.update_centre(CENTRE, {"opening": "Sundays"}, expected_version=read_by_both, who="Bob")
    assert [c.who for c in caught.value.changes] == ["Alice"]
    assert store.centre(CENTRE)["opening"] == "Saturdays"
    assert [c.who for c in store.changes(entity="centre", entity_id=CENTRE)][-1] == "Alice"


def test_rows_come_back_in_code_point_order(store: Store) -> None:
    # A linguistic collation (PostgreSQL's usual) would put "middlesbrough" before "mid-ulster".
    store.add_centre(new_centre(id="sample-middlesbrough-centre", name="Middlesbrough Sample Centre"), who="Alice")
    store.add_centre(new_centre(id="sample-mid-ulster-centre", name="Mid Ulster Sample Centre"), who="Alice")
    ids = store.centres()["id"].tolist()
    assert ids == sorted(ids)
    assert ids.index("sample-mid-ulster-centre") < ids.index("sample-middlesbrough-centre")
    assert store.courts()["id"].tolist() == sorted(store.courts()["id"])


def test_two_simultaneous_writers_one_conflict_no_lost_update(seeded_url: str) -> None:
    stores = [open_store(seeded_url), open_store(seeded_url)]
    version = stores[0].centre(CENTRE)["version"]
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(store: Store, who: str) -> None:
        start.wait()
        try:
            outcomes[who] = store.update_centre(CENTRE, {"opening": f"{who}'s hours"}, expected_version=version, who=who)
        except ConflictError as exc:
            outcomes[who] = exc

    threads = [threading.Thread(target=edit, args=(s, who)) for s, who in zip(stores, ("Alice", "Bob"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conflicts = [who for who, outcome in outcomes.items() if isinstance(outcome, ConflictError)]
    winners = [who for who in outcomes if who not in conflicts]
    assert len(conflicts) == 1 and len(winners) == 1
    assert stores[0].centre(CENTRE)["opening"] == f"{winners[0]}'s hours"
    assert stores[0].centre(CENTRE)["version"] == version + 1
    assert [c.who for c in stores[0].changes(entity="centre", entity_id=CENTRE) if c.version > version] == winners
    for store in stores:
        store.close()


def test_two_simultaneous_creations_of_one_centre_one_conflict(seeded_url: str) -> None:
    stores = [open_store(seeded_url), open_store(seeded_url)]
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def create(store: Store, who: str) -> None:
        start.wait()
        try:
            outcomes[who] = store.add_centre(new_centre(notes=f"added by {who}"), who=who)
        except Exception as exc:  # noqa: BLE001 - the test checks which kind
            outcomes[who] = exc

    threads = [threading.Thread(target=create, args=(s, who)) for s, who in zip(stores, ("Alice", "Bob"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [outcome for outcome in outcomes.values() if isinstance(outcome, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], ConflictError), failures
    assert "already exists" in str(failures[0])
    winner = next(who for who, outcome in outcomes.items() if not isinstance(outcome, Exception))
    assert stores[0].centre("sample-bath-centre")["notes"] == f"added by {winner}"
    assert [c.who for c in stores[1].changes(entity="centre", entity_id="sample-bath-centre")] == [winner]
    for store in stores:
        store.close()


def test_a_rolled_back_write_leaves_no_gap_in_what_an_import_reports(store: Store) -> None:
    # On PostgreSQL the rolled-back insert still uses up an id of the audit log's sequence.
    with pytest.raises(RuntimeError, match="changed my mind"), store.engine.begin() as conn:
        conn.execute(AUDIT_LOG.insert().values(at="2026-01-01T00:00:00.000Z", who="nobody", action="update",
                                               entity="centre", entity_id=CENTRE, version=99))
        raise RuntimeError("changed my mind")
    summary = store.write_centres([PlannedWrite("sample-bath-centre", None, new_centre())], who="Alice", reason="test")
    written = store.changes(after=summary.first_change_id - 1)
    assert [(c.change_id, c.entity_id, c.who) for c in written] == [(summary.last_change_id, "sample-bath-centre", "Alice")]
    assert summary.first_change_id == summary.last_change_id


def test_rows_stored_with_their_ids_are_not_numbered_over(backend: Backend, seeded_url: str) -> None:
    # As when an audit log is restored from a backup or copied over from another database.
    with open_store(seeded_url) as store:
        last = store.changes()[-1].change_id
    backend.execute(seeded_url, "INSERT INTO audit_log (change_id, at, who, action, entity, entity_id, version, reason) "
                                f"VALUES ({last + 100}, '2026-01-01T00:00:00.000Z', 'restore', 'update', 'centre', "
                                f"'{CENTRE}', 99, 'restored')")
    with open_store(seeded_url) as store:
        change = store.add_centre(new_centre(), who="Alice")
        assert change.change_id == last + 101
        summary = store.write_centres([PlannedWrite("sample-leeds-centre", None, new_centre(name="Leeds Sample Centre"))],
                                      who="Alice", reason="test")
        assert summary.first_change_id == summary.last_change_id == last + 102


def test_invalid_edits_are_refused_listing_every_problem(store: Store) -> None:
    version = store.centre(CENTRE)["version"]
    with pytest.raises(DataFileError, match=r"(?s)postcode: postcode 'nonsense'.*status: status 'maybe'"):
        store.update_centre(CENTRE, {"postcode": "nonsense", "status": "maybe"}, expected_version=version, who="Alice")
    with pytest.raises(DataFileError, match="successor 'no-such-centre' is not a centre in the directory"):
        store.close_centre(CENTRE, closed="2026-11", successor_id="no-such-centre", expected_version=version, who="Alice")
    with pytest.raises(ValueError, match="not centre fields: colour"):
        store.update_centre(CENTRE, {"colour": "blue"}, expected_version=version, who="Alice")
    assert store.centre(CENTRE)["version"] == version


def test_close_and_reopen_are_audited_and_reversible(store: Store) -> None:
    version = store.centre(CENTRE)["version"]
    closed = store.close_centre(CENTRE, closed="2026-10", expected_version=version, who="Alice", reason="funding ended")
    assert closed.action == "close" and store.centre(CENTRE)["status"] == "closed"
    reopened = store.reopen_centre(CENTRE, expected_version=version + 1, who="Bob")
    assert reopened.action == "reopen" and store.centre(CENTRE)["closed"] == ""
    undo = store.revert(reopened.change_id, who="Carol")
    assert undo.action == "revert" and undo.reverts == reopened.change_id
    assert (store.centre(CENTRE)["status"], store.centre(CENTRE)["closed"]) == ("closed", "2026-10")


def test_revert_refuses_when_a_later_change_touched_the_same_field(store: Store) -> None:
    version = store.centre(CENTRE)["version"]
    first = store.update_centre(CENTRE, {"opening": "Saturdays"}, expected_version=version, who="Alice")
    second = store.update_centre(CENTRE, {"opening": "Sundays"}, expected_version=version + 1, who="Bob")
    with pytest.raises(ConflictError, match=rf"cannot revert change {first.change_id}: opening .* changed again") as caught:
        store.revert(first.change_id, who="Carol")
    assert [c.change_id for c in caught.value.changes] == [second.change_id]
    store.revert(second.change_id, who="Carol")
    store.revert(first.change_id, who="Carol")
    assert store.centre(CENTRE)["opening"] == store.changes(entity="centre", entity_id=CENTRE)[0].new["opening"]


def test_creating_deleting_and_recreating_through_the_audit_log(store: Store) -> None:
    created = store.add_centre(new_centre(), who="Alice")
    assert created.action == "create" and created.old is None and created.version == 1
    with pytest.raises(ConflictError, match="already exists"):
        store.add_centre(new_centre(), who="Bob")
    deleted = store.revert(created.change_id, who="Bob")
    assert deleted.new is None and deleted.old["name"] == "Bath Sample Centre"
    with pytest.raises(NotFoundError):
        store.centre("sample-bath-centre")
    restored = store.revert(deleted.change_id, who="Carol")
    assert restored.version == 3
    assert store.centre("sample-bath-centre")["name"] == "Bath Sample Centre"


def test_a_successor_cannot_be_deleted_from_under_its_predecessor(store: Store) -> None:
    created = store.add_centre(new_centre(), who="Alice")
    store.close_centre(CENTRE, closed="2026-10", successor_id="sample-bath-centre",
                       expected_version=store.centre(CENTRE)["version"], who="Alice")
    with pytest.raises(DataFileError, match=f"named as the successor of {CENTRE}"):
        store.revert(created.change_id, who="Bob")


def test_centre_records_are_versioned_documents(store: Store) -> None:
    first = store.save_centre_record(CENTRE, "centre:\n  id: x\npeople: []\n", expected_version=None, who="Alice")
    assert first.action == "create" and store.centre_record(CENTRE).version == 1
    with pytest.raises(ConflictError, match="already exists"):
        store.save_centre_record(CENTRE, "people: []\n", expected_version=None, who="Bob")
    store.save_centre_record(CENTRE, '{"people": [1]}', format="json", expected_version=1, who="Bob")
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.save_centre_record(CENTRE, "people: []\n", expected_version=1, who="Carol")
    with pytest.raises(DataFileError, match="must be a YAML mapping"):
        store.save_centre_record(CENTRE, "- just\n- a list\n", expected_version=2, who="Carol")
    assert store.centre_record(CENTRE).document == '{"people": [1]}'
    assert set(store.history(CENTRE)["entity"]) >= {"centre_record"}
    with pytest.raises(NotFoundError, match="no standards records stored for centre 'nowhere'"):
        store.centre_record("nowhere")


def test_every_change_is_in_the_audit_log_in_order(store: Store) -> None:
    start = len(store.changes())
    version = store.centre(CENTRE)["version"]
    store.update_centre(CENTRE, {"opening": "Saturdays"}, expected_version=version, who="Alice")
    store.add_centre(new_centre(), who="Bob")
    store.close_centre(CENTRE, closed="2026-10", expected_version=version + 1, who="Carol")
    log = store.changes()[start:]
    assert [(c.who, c.action) for c in log] == [("Alice", "update"), ("Bob", "create"), ("Carol", "close")]
    assert [c.change_id for c in log] == sorted(c.change_id for c in log)


def test_search_ignores_case_accents_and_punctuation(store: Store) -> None:
    centres = store.centres()
    assert search_centres(centres, "MILLIS")["id"].tolist() == ["millis-child-contact-centre"]
    assert search_centres(centres, "st helier", status="open")["id"].tolist() == ["centrepoint-child-contact-centre-jersey"]
    assert len(search_centres(centres, "")) == len(centres)
    with pytest.raises(ValueError, match="status must be"):
        search_centres(centres, status="shut")


def test_the_public_view_hides_withheld_addresses(store: Store) -> None:
    version = store.centre(CENTRE)["version"]
    store.update_centre(CENTRE, {"postcode": "OX14 3JD", "location_precision": "postcode", "lat": "51.667", "lon": "-1.283",
                                 "address_withheld": "yes", "notes": "rear door"},
                        expected_version=version, who="Alice")
    public = store.network().public().centres.set_index("id").loc[CENTRE]
    assert (public["postcode"], public["location_precision"], public["notes"]) == ("OX14", "district", "")
    assert store.centre(CENTRE)["postcode"] == "OX14 3JD"


def test_a_bulk_write_with_any_invalid_record_writes_nothing(store: Store) -> None:
    good = PlannedWrite("sample-bath-centre", None, new_centre())
    bad = PlannedWrite("sample-leeds-centre", None, new_centre(name="Leeds Sample Centre", successor_id="nowhere",
                                                               status="closed"))
    before = store.centres()
    with pytest.raises(DataFileError, match="successor 'nowhere' is not a centre in the directory or this import"):
        store.write_centres([good, bad], who="Alice", reason="test")
    pd.testing.assert_frame_equal(store.centres(), before)
    summary = store.write_centres([good], who="Alice", reason="test")
    assert (summary.created, summary.first_change_id) == (1, summary.last_change_id)
