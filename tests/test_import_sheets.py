"""Spreadsheet imports: encodings, column names, postcodes, duplicates, rejections, dry runs and transactions."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from millis_network._text import slug
from millis_network.errors import ConflictError
from millis_network.store.database import Store
from millis_network.store.importer import (
    COLUMN_ALIASES,
    ImportPlan,
    apply_import,
    normalise_value,
    plan_edit,
    plan_import,
    read_sheet,
)

FIXTURES = Path(__file__).resolve().parent / "data" / "store"
README = Path(__file__).resolve().parent.parent / "network_data" / "centres" / "README.md"
CENTRE = "abingdon-contact-centre"




def plan_file(store: Store, name: str) -> ImportPlan:
    return plan_import(store, (FIXTURES / name).read_bytes(), name=name)


def outcomes(plan: ImportPlan) -> list[tuple[int, str, str]]:
    return [(r.row, r.outcome, r.centre_id) for r in plan.rows]


def rules(plan: ImportPlan) -> list[tuple[int, str, str]]:
    return [(i.row, i.field, i.rule) for i in plan.issues()]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_windows_1252_keeps_milli_s_and_maps_the_headings(store: Store) -> None:
    plan = plan_file(store, "sample_centres_windows1252.csv")
    assert plan.encoding == "cp1252"
    assert plan.headings == {"name": "Centre name", "town": "Town/City", "postcode": "Post Code",
                             "services": "Services offered", "accreditation": "Accreditation", "sample": "Sample",
                             "notes": "Notes"}
    assert outcomes(plan) == [(2, "new", "millis-sample-centre"), (3, "new", "barnet-sample-centre")]
    record = plan.writes[0].values
    assert record["name"] == "Milli’s Sample Centre"
    assert record["notes"] == "Café “sample” row – illustrative"
    assert (record["postcode"], record["location_precision"], record["jurisdiction"]) == ("SY23 1AS", "postcode", "Wales")
    assert abs(float(record["lat"]) - 52.409) < 0.01 and abs(float(record["lon"]) + 4.087) < 0.01
    assert record["services"] == "supported; supervised"
    assert record["accreditation"] == "NACCC accredited"
    assert plan.writes[1].values["postcode"] == "N3 1BQ"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_unicode_with_a_byte_order_mark(store: Store, encoding: str) -> None:
    text = (FIXTURES / "sample_centres_utf8_bom.csv").read_bytes().decode("utf-8-sig")
    plan = plan_import(store, text.encode(encoding), name="bom.csv")
    assert plan.encoding == encoding
    names = [w.values["name"] for w in plan.writes]
    assert names == ["Milli’s Sample Centre", "Zoë’s Sample Centre"]
    assert plan.writes[0].values["last_verified"] == ""  # only an editor's verification sets it
    assert any("'Last verified' ignored" in n for n in plan.notices)
    assert plan.writes[1].values["postcode"] == "GU11 1NY"
    assert [w.centre_id for w in plan.writes] == ["millis-sample-centre", "zoes-sample-centre"]


def test_xlsx_cells_of_every_type(store: Store) -> None:
    data = xlsx([
        ["Name", "Town", "Post code", "Charity No.", "Address withheld", "Last verified", "Opened", "Latitude", "Longitude", "Sample"],
        ["Milli’s Sample Centre", "St Helier", "JE2 3AB", 1234567, False, datetime(2026, 11, 2), date(2019, 3, 1), 49.18804, -2.10491, True],
    ])
    plan = plan_import(store, data, name="centres.xlsx")
    assert plan.format == "xlsx"
    record = plan.writes[0].values
    assert (record["charity_number"], record["address_withheld"], record["last_verified"], record["opened"]) == (
        "1234567", "no", "", "2019-03")  # a spreadsheet never verifies a centre
    assert (record["lat"], record["lon"], record["location_precision"]) == ("49.188040", "-2.104910", "postcode")
    assert record["sample"] == "yes"


def test_crown_dependency_postcodes_fall_back_to_the_town(store: Store) -> None:
    plan = plan_import(store, b"Name,Town,Postcode,Sample\nJersey Sample Centre,St Helier,je2 3ab,yes\n", name="je.csv")
    record = plan.writes[0].values
    assert (record["postcode"], record["jurisdiction"], record["location_precision"]) == ("JE2 3AB", "Jersey", "town")
    assert "Jersey postcodes have no ONS coordinates" in plan.rows[0].notes[0]


def test_an_island_postcode_with_no_known_town_is_placed_at_island_precision(store: Store) -> None:
    plan = plan_import(store, b"Name,Town,Postcode,Sample\nGuernsey Sample Centre,,gy1 1aa,yes\n", name="gy.csv")
    record = plan.writes[0].values
    # Hand-checked: St Peter Port in GeoNames, 49.45981 N 2.53527 W; never postcode precision.
    assert (record["jurisdiction"], record["location_precision"]) == ("Guernsey", "island")
    assert (record["lat"], record["lon"]) == ("49.459810", "-2.535270")
    assert "placed at St Peter Port, the island's main town (island precision" in plan.rows[0].notes[-1]


def test_duplicates_within_the_file_are_rejected_naming_the_first(store: Store) -> None:
    plan = plan_file(store, "duplicate_rows.csv")
    assert outcomes(plan) == [(2, "new", "sample-bedford"), (3, "rejected", ""), (4, "new", "basildon-sample-centre"),
                              (5, "rejected", "")]
    messages = [i.message for i in plan.issues()]
    assert messages == ["same id as row 2; only the first is imported", "same name and postcode as row 4; only the first is imported"]
    assert {i.rule for i in plan.issues()} == {"duplicate-in-file"}


def test_a_row_matching_a_stored_centre_updates_it(store: Store) -> None:
    plan = plan_import(store, b"Name,Town,Opening times\nAbingdon Contact Centre,Abingdon,Saturdays\n", name="a.csv")
    row = plan.rows[0]
    assert (row.outcome, row.centre_id) == ("updated", CENTRE)
    assert row.notes == (f"matches stored centre {CENTRE} (same name and postcode)",)
    assert row.changes == (("opening", "2nd and 4th Saturday of each month 10:30-12:30", "Saturdays"),)
    assert plan.writes[0].base_version == store.centre(CENTRE)["version"]


def test_an_id_contradicting_the_name_and_postcode_is_rejected(store: Store) -> None:
    plan = plan_import(store, b"id,Name,Town\nalton-child-contact-centre,Abingdon Contact Centre,Abingdon\n", name="a.csv")
    assert rules(plan) == [(2, "id", "identity-conflict")]


def test_a_blank_cell_keeps_the_stored_value(store: Store) -> None:
    before = store.centre(CENTRE)
    plan = plan_import(store, f"id,Name,Opening,Notes\n{CENTRE},,,\n".encode(), name="blank.csv")
    assert outcomes(plan) == [(2, "unchanged", CENTRE)]
    assert plan.writes == ()
    assert store.centre(CENTRE) == before


def test_every_bad_value_is_reported_with_row_field_and_reason(store: Store) -> None:
    plan = plan_file(store, "bad_values.csv")
    assert plan.counts()["rejected"] == 1
    assert rules(plan) == [
        (2, "services", "value-set"), (2, "accreditation", "value-set"), (2, "address_withheld", "value-set"),
        (2, "opened", "date-format"),
    ]  # last_verified is ignored, not checked: only an editor's verification sets it
    assert [str(i) for i in plan.issues()][0] == (
        "bad_values.csv:2: services: service 'flying' not understood; use supported, supervised, handover, "
        "indirect, escorted, supervised assessment separated by ';'")


def test_malformed_and_unknown_postcodes(store: Store) -> None:
    plan = plan_file(store, "malformed_postcodes.csv")
    assert [r.outcome for r in plan.rows] == ["new", "rejected", "rejected", "rejected"]
    assert rules(plan) == [(3, "postcode", "postcode-format"), (4, "postcode", "postcode-format"), (5, "postcode", "postcode-unknown")]


@pytest.mark.parametrize(("name", "rule"), [("no_name_column.csv", "columns-missing"), ("two_columns_for_town.csv", "column-duplicate")])
def test_file_problems_reject_every_row(store: Store, name: str, rule: str) -> None:
    plan = plan_file(store, name)
    assert [p.rule for p in plan.problems] == [rule]
    assert plan.rows and all(r.outcome == "rejected" and r.issues[0].rule == "file-problem" for r in plan.rows)
    assert plan.writes == ()


def test_semicolons_and_a_row_with_too_many_cells(store: Store) -> None:
    assert outcomes(plan_file(store, "semicolon_separated.csv")) == [(2, "new", "beverley-sample-centre")]
    assert plan_file(store, "semicolon_separated.csv").writes[0].values["services"] == "supported; supervised"
    plan = plan_file(store, "unquoted_comma_shifts_cells.csv")
    assert outcomes(plan) == [(2, "rejected", ""), (3, "new", "bedford-sample-centre")]
    assert rules(plan)[0] == (2, "", "row-extra-cells")


@pytest.mark.parametrize(("data", "rule"), [
    (b"", "file-empty"),
    (b"\n\n", "file-empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file-format"),
    (b"PK\x03\x04 not really a workbook", "file-unreadable"),
    (b"Name\n\x81\x8d\x8f", "file-encoding"),
])
def test_unreadable_files_are_reported_not_raised(store: Store, data: bytes, rule: str) -> None:
    plan = plan_import(store, data, name="bad")
    assert [p.rule for p in plan.problems] == [rule]
    assert plan.writes == ()


def test_unknown_columns_are_ignored_and_reported(store: Store) -> None:
    plan = plan_import(store, b"Name,Town,Favourite colour,Last updated\nBath Sample Centre,Bath,blue,2020-01-01\n", name="x.csv")
    assert plan.notices == (
        "column 'Favourite colour' not recognised and ignored (recognised headings: network_data/centres/README.md)",
        "column 'Last updated' ignored: the store records when each centre last changed",
    )
    assert plan.writes[0].values["source_urls"].startswith("spreadsheet x.csv (imported ")


def test_dry_run_writes_nothing_and_the_real_import_writes_all_in_one_transaction(store: Store) -> None:
    before = store.centres()
    plan = plan_file(store, "malformed_postcodes.csv")
    assert store.centres().equals(before)
    first_free = len(store.changes()) + 1
    summary = apply_import(store, plan, who="Alice")
    assert (summary.created, summary.updated) == (1, 0)
    assert summary.first_change_id == summary.last_change_id
    change = store.changes()[-1]
    assert (change.change_id, change.who, change.action, change.entity_id) == (first_free, "Alice", "import", "bath-sample-centre")
    assert change.new["postcode"] == "BA1 5AF"
    assert store.centre("bath-sample-centre")["last_updated"] == change.at[:10]


def test_a_store_change_after_the_preview_stops_the_whole_import(store: Store) -> None:
    plan = plan_import(store, b"Name,Town,Opening\nAbingdon Contact Centre,Abingdon,Saturdays\nBath Sample Centre,Bath,Mondays\n",
                       name="two.csv")
    assert [r.outcome for r in plan.rows] == ["updated", "new"]
    store.update_centre(CENTRE, {"referral": "by phone"}, expected_version=store.centre(CENTRE)["version"], who="Bob")
    before = store.centres()
    with pytest.raises(ConflictError, match=f"changed since this import was previewed; nothing was written.*{CENTRE}"):
        apply_import(store, plan, who="Alice")
    assert store.centres().equals(before)


def test_importing_the_exported_directory_changes_nothing(store: Store, tmp_path: Path) -> None:
    store.export_network_data(tmp_path)
    plan = plan_import(store, (tmp_path / "centres" / "centres.csv").read_bytes(), name="centres.csv")
    assert plan.counts() == {"new": 0, "updated": 0, "unchanged": len(store.centres()), "rejected": 0}


def test_an_edit_form_clears_fields_but_never_verifies(store: Store) -> None:
    current = store.centre(CENTRE)
    plan = plan_edit(store.centres(), {"id": CENTRE, "notes": "", "postcode": "ox14 3jd", "last_verified": "2026-11-23"},
                     today=date(2026, 11, 23))
    changes = {field: (old, new) for field, old, new in plan.rows[0].changes}
    assert changes["notes"] == (current["notes"], "")
    assert "last_verified" not in changes
    assert changes["postcode"] == ("", "OX14 3JD")
    assert changes["location_precision"][1] in ("postcode", "district")


def test_an_added_centre_gets_an_id_and_is_checked_against_the_store(store: Store) -> None:
    new = plan_edit(store.centres(), {"name": "Milli’s Sample Centre", "town": "Bath", "sample": "yes"})
    assert (new.rows[0].outcome, new.rows[0].centre_id) == ("new", "millis-sample-centre")
    again = plan_edit(store.centres(), {"name": "Abingdon Contact Centre", "town": "Abingdon", "postcode": ""})
    assert (again.rows[0].outcome, again.rows[0].centre_id) == ("unchanged", CENTRE)
    real = plan_edit(store.centres(), {"name": "Real Centre Without Sources", "town": "Bath", "sample": "no"},
                     label="dashboard", today=date(2026, 11, 23))
    assert real.writes[0].values["source_urls"] == "entered in the dashboard (2026-11-23)"


def test_values_in_any_spelling() -> None:
    assert normalise_value("postcode", " b46ds ") == "B4 6DS"
    assert normalise_value("services", "Supervised assessments / handover") == "handover; supervised assessment"
    assert normalise_value("accreditation", "NACCC Enhanced") == "NACCC enhanced accredited"
    assert normalise_value("opened", "March 2019") == "2019-03"
    assert normalise_value("closed", "2023-01-15") == "2023-01"
    assert normalise_value("last_verified", "3/2/2026") == "2026-02-03"
    assert normalise_value("jurisdiction", "cymru") == "Wales"
    assert normalise_value("source_urls", "https://a.example\nhttps://b.example") == "https://a.example ; https://b.example"
    with pytest.raises(ValueError, match="the most a cell may hold is 4,000"):
        normalise_value("notes", "x" * 4001)
    with pytest.raises(ValueError, match="control characters"):
        normalise_value("name", "a\x00b")
    assert slug("Milli’s Child & Family Centre") == "millis-child-and-family-centre"


def test_the_column_mapping_is_documented() -> None:
    text = README.read_text(encoding="utf-8").split("## Importing spreadsheets")[1]
    for field, aliases in COLUMN_ALIASES.items():
        line = next(line for line in text.splitlines() if line.startswith(f"| `{field}` |"))
        assert re.findall(r"`([^`]+)`", line)[1:] == list(aliases)


def test_sheets_are_read_as_text_cells() -> None:
    sheet = read_sheet("\n\nName,Town\r\n\"Multi\nline\",Bath\r\n".encode(), name="x.csv")
    assert (sheet.header_row, sheet.header) == (3, ("Name", "Town"))
    assert sheet.rows == ((4, ("Multi\nline", "Bath")),)


def test_a_postcode_outside_the_stated_jurisdiction_is_rejected(store: Store) -> None:
    plan = plan_import(store, b"Name,Postcode,Country,Sample\nBath Sample Centre,BA1 5AF,Wales,yes\n", name="x.csv")
    assert rules(plan) == [(2, "jurisdiction", "coordinates-in-jurisdiction")]
    assert "outside Wales; check the postcode and the jurisdiction" in plan.issues()[0].message
