"""Open Referral UK / HSDS JSON coming in: the export read back byte for byte, the standard's lists, bad files.

Every test taking ``store`` or ``new_database`` runs on SQLite and on PostgreSQL (see ``conftest.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from millis_network.cli import main
from millis_network.directory import check_centres
from millis_network.network import Network
from millis_network.store.database import Store, open_store
from millis_network.store.importer import apply_import
from millis_network.store.open_referral import plan_hsds_import, services_page

WITHHELD = "blossom-family-contact-services"

#: A hand-written file in the published standard's separate lists: one organisation,
#: one location with its address, and two services offered there.
STANDARD = {
    "organizations": [{
        "id": "org-1", "name": "Severn Valley Families", "description": "A family charity.",
        "organization_identifiers": [{"id": "oi-1", "identifier_type": "Charity number", "identifier": "1234567",
                                      "identifier_scheme": "GB-CHC"}],
    }],
    "locations": [{
        "id": "loc-1", "name": "Severn Valley Family Centre", "latitude": 52.7077, "longitude": -2.7541,
        "addresses": [{"id": "ad-1", "address_1": "1 Riverside", "city": "Shrewsbury", "state_province": "England",
                       "postal_code": "", "country": "GB", "address_type": "physical"}],
    }],
    "services": [
        {"id": "svc-1", "organization_id": "org-1", "name": "Severn Valley Supported Contact", "status": "active",
         "url": "https://example.org/severn/supported", "description": "Saturday mornings in the church hall.",
         "accreditations": "NACCC accredited"},
        {"id": "svc-2", "organization_id": "org-1", "name": "Severn Valley Supervised Contact", "status": "active",
         "url": "https://example.org/severn/supervised"},
    ],
    "service_at_locations": [{"id": "sal-1", "service_id": "svc-1", "location_id": "loc-1"},
                             {"id": "sal-2", "service_id": "svc-2", "location_id": "loc-1"}],
    "attributes": [
        {"id": "at-1", "link_id": "svc-1", "link_type": "service_type", "link_entity": "service",
         "taxonomy_term": {"id": "tt-1", "code": "supported", "name": "Supported contact"}},
        {"id": "at-2", "link_id": "svc-1", "link_type": "service_type", "link_entity": "service",
         "taxonomy_term": {"id": "tt-3", "name": "Handover"}},
        {"id": "at-3", "link_id": "svc-2", "link_type": "service_type", "link_entity": "service",
         "taxonomy_term": {"id": "tt-2", "code": "supervised", "name": "Supervised contact"}},
    ],
}


def hsds_bytes(page: object) -> bytes:
    """JSON as ``db export --hsds`` writes it."""
    return (json.dumps(page, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def exported(store: Store) -> bytes:
    return hsds_bytes(services_page(store.network().public()))


def test_export_import_into_an_empty_database_export_is_byte_identical(
    store: Store, new_database: Callable[[], str]
) -> None:
    centre = store.centre(WITHHELD)
    store.update_centre(WITHHELD, {"postcode": "SY23 1AS", "location_precision": "postcode", "lat": "52.409069",
                                   "lon": "-4.087114"}, expected_version=int(centre["version"]), who="setup")
    store.verify_centre("abingdon-contact-centre", source="https://example.org/abingdon",
                        expected_version=int(store.centre("abingdon-contact-centre")["version"]), who="alice")
    first = exported(store)
    with open_store(new_database()) as empty:
        assert empty.centres().empty
        plan = plan_hsds_import(empty, first, name="directory.json")
        assert plan.counts() == {"new": len(store.centres()), "updated": 0, "unchanged": 0, "rejected": 0}
        apply_import(empty, plan, who="restore")
        # The empty database holds no courts; the export needs only its centres (courts from the seeded store).
        again = hsds_bytes(services_page(Network.with_centres(store.network(), check_centres(empty.centres())).public()))
        restored = empty.centres().set_index("id")
    assert again == first
    assert restored.loc[WITHHELD, "address_withheld"] == "yes"
    assert restored.loc[WITHHELD, "postcode"] == "" and restored.loc[WITHHELD, "location_precision"] == "district"
    assert restored.loc["abingdon-contact-centre", "last_verified"] != ""


def test_a_hand_written_file_with_an_organisation_a_location_and_two_services(store: Store) -> None:
    plan = plan_hsds_import(store, hsds_bytes(STANDARD), name="severn.json")
    assert plan.counts() == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    apply_import(store, plan, who="alice")
    centres = store.centres().set_index("name", drop=False)
    supported = centres.loc["Severn Valley Supported Contact"]
    supervised = centres.loc["Severn Valley Supervised Contact"]
    assert (supported["services"], supervised["services"]) == ("supported; handover", "supervised")
    for centre in (supported, supervised):
        assert (centre["organisation"], centre["charity_number"]) == ("Severn Valley Families", "1234567")
        assert (centre["town"], centre["jurisdiction"], centre["lat"], centre["lon"]) == (
            "Shrewsbury", "England", "52.707700", "-2.754100")
        assert centre["location_precision"] == "town"
    assert supported["source_urls"] == "https://example.org/severn/supported"
    assert supported["accreditation"] == "NACCC accredited" and supervised["accreditation"] == "not stated"
    assert supported["notes"] == "Saturday mornings in the church hall."
    history = store.history(str(supported["id"]))
    assert set(history["who"]) == {"alice"} and set(history["action"]) == {"import"}


def test_a_malformed_service_is_rejected_with_file_row_and_field(store: Store) -> None:
    bad = json.loads(json.dumps(STANDARD))
    bad["locations"][0]["latitude"] = "north-ish"
    bad["services"].append({"id": "svc-3", "name": "Third", "status": "maybe"})
    plan = plan_hsds_import(store, hsds_bytes(bad), name="bad.json")
    assert plan.counts()["rejected"] == 3
    issues = [(i.file, i.row, i.field) for i in plan.issues()]
    assert issues == [("bad.json", 1, "lat"), ("bad.json", 2, "lat"), ("bad.json", 3, "status")]
    assert "services[0].service_at_locations[0].location.latitude" in plan.issues()[0].message
    assert "must be one of active" in plan.issues()[2].message


def test_a_field_the_directory_refuses_names_its_service(store: Store) -> None:
    bad = json.loads(json.dumps(STANDARD))
    bad["services"][1]["accreditations"] = "accredited by my aunt"
    plan = plan_hsds_import(store, hsds_bytes(bad), name="bad.json")
    assert plan.counts() == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    [issue] = plan.issues()
    assert (issue.row, issue.field) == (2, "accreditation")


@pytest.mark.parametrize(("content", "rule", "row"), [
    (b'{"services": [', "json", 1),
    (b'{"courts": []}', "hsds-shape", 0),
    (b"\xff\xfe{}", "encoding", 0),
    (b"[" * 100_000 + b"]" * 100_000, "json", 0),
])
def test_a_file_that_is_not_open_referral_is_refused_whole(store: Store, content: bytes, rule: str, row: int) -> None:
    plan = plan_hsds_import(store, content, name="x.json")
    [problem] = plan.problems
    assert (problem.file, problem.rule, problem.row) == ("x.json", rule, row)
    assert not plan.writes


def test_the_cli_dry_runs_then_imports_json_in_one_transaction(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "severn.json"
    path.write_bytes(hsds_bytes(STANDARD))
    with open_store(seeded_url) as store:
        before = len(store.centres())
    assert main(["import", str(path), "--dry-run", "--db", seeded_url]) == 0
    out = capsys.readouterr().out
    assert "severn.json: 2 new, 0 updated, 0 unchanged, 0 rejected" in out and "dry run: nothing written" in out
    with open_store(seeded_url) as store:
        assert len(store.centres()) == before
    bad = json.loads(json.dumps(STANDARD))
    bad["services"][1]["name"] = ["not", "text"]
    path.write_bytes(hsds_bytes(bad))
    assert main(["import", str(path), "--db", seeded_url, "--who", "alice"]) == 0
    captured = capsys.readouterr()
    assert f"{path}:2: name: services[1].name: must be text" in captured.out
    assert "1 row(s) of" in captured.err
    with open_store(seeded_url) as store:
        assert len(store.centres()) == before + 1
        assert pd.Series(store.centres()["name"]).str.startswith("Severn Valley").sum() == 1
