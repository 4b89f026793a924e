"""The standards file, the records formats and the roster templates: reading, schemas, errors."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml

from millis_network import standards as std
from millis_network.errors import DataFileError

FIXTURES = Path(__file__).resolve().parent / "data" / "standards"


@pytest.fixture(scope="module")
def bundled(network_data: Path) -> std.Standards:
    return std.load_standards(network_data / "standards" / "standards.yaml")


def _schema_errors(data_file: Path, schema_file: Path) -> list[str]:
    instance = json.loads(json.dumps(yaml.safe_load(data_file.read_text(encoding="utf-8")), default=str))
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_file.read_text(encoding="utf-8")), format_checker=jsonschema.FormatChecker()
    )
    return [error.message for error in validator.iter_errors(instance)]


# ---------------------------------------------------------------- the bundled standards


def test_bundled_standards_cover_the_campaign_asks(bundled: std.Standards) -> None:
    ids = {r.id for r in bundled.requirements}
    assert {
        "DBS-1",
        "FA-1",
        "CP-1",
        "NACCC-1",
        "PARTNER-1",
        "FJS-1",
        "SAFE-1",
        "SUP-1",
        "SUP-2",
        "POL-1",
        "ACC-1",
        "ACC-2",
        "STAFF-1",
    } <= ids
    dbs = next(r for r in bundled.requirements if r.id == "DBS-1")
    assert set(dbs.applies_to) == {"volunteer", "contact_supervisor", "coordinator", "trustee"}
    assert {r.id for r in bundled.requirements if r.applies_if_service == "supervised"} == {"SUP-1", "SUP-2", "ACC-2"}


def test_every_requirement_reads_clearly_with_sources(bundled: std.Standards) -> None:
    frame = std.requirements_frame(bundled)
    assert list(frame["requirement_id"]) == [r.id for r in bundled.requirements]
    assert frame["rationale"].str.len().min() > 40
    assert all(frame["sources"].str.len() > 0)
    napo = frame.set_index("requirement_id").loc["FJS-1", "sources"]
    assert (
        napo == "Simpson Millar LLP press release, 13 November 2013 "
        "(Children Need Contact Centres campaign, NAPO Family Court Section)"
    )
    assert "P.119/2014" in frame.set_index("requirement_id").loc["NACCC-1", "sources"]


def test_unsourced_periods_are_stated_defaults(bundled: std.Standards) -> None:
    params = std.parameters_frame(bundled).set_index("name")
    assert params.loc["naccc_modules_required", ["value", "stated_default"]].tolist() == [11, False]
    assert params.loc["accreditation_valid_months", ["value", "stated_default"]].tolist() == [36, False]
    for name in ("naccc_modules_within_months", "induction_within_months", "first_aid_valid_months"):
        assert params.loc[name, "stated_default"], name
        assert "default" in params.loc[name, "note"]


def test_should_requirements_are_the_good_practice_ones(bundled: std.Standards) -> None:
    assert {r.id for r in bundled.requirements if r.level == "should"} == {"FA-2", "POL-2", "VOL-1", "STAFF-1"}


def test_staffing_requirement_counts_the_same_roles_as_staffing(bundled: std.Standards) -> None:
    staff = next(r for r in bundled.requirements if r.id == "STAFF-1")
    assert set(staff.rule.roles) == set(std.STAFFING_ROLES)


@pytest.mark.parametrize(
    ("data", "schema"),
    [("standards.yaml", "standards.schema.json"), ("millis_sample.yaml", "records.schema.json")],
)
def test_bundled_files_match_their_json_schemas(network_data: Path, data: str, schema: str) -> None:
    folder = network_data / "standards"
    assert _schema_errors(folder / data, folder / schema) == []


# ---------------------------------------------------------------- malformed standards

MALFORMED_STANDARDS = [
    ("standards_unknown_rule_kind.yaml", 43, "requirements[1].rule.rule.kind", "rule-kind-unknown"),
    ("standards_unknown_role.yaml", 39, "requirements[1].applies_to[0]", "role-unknown"),
    ("standards_unknown_evidence_kind.yaml", 50, "requirements[2].rule.evidence", "evidence-kind-unknown"),
    ("standards_unknown_parameter.yaml", 42, "requirements[1].rule.months.param", "parameter-unknown"),
    ("standards_unknown_level.yaml", 48, "requirements[2].level", "level-unknown"),
    ("standards_unknown_source.yaml", 52, "requirements[2].sources[0]", "source-unknown"),
    ("standards_unknown_rule_key.yaml", 50, "requirements[2].rule.within", "rule-key-unknown"),
    ("standards_evidence_subject_mismatch.yaml", 33, "requirements[0].rule.evidence", "evidence-subject-mismatch"),
    ("standards_count_exceeds_items.yaml", 43, "requirements[1].rule.rule.n", "count-exceeds-items"),
    ("standards_duplicate_id.yaml", 46, "requirements[2].id", "requirement-id-duplicate"),
    ("standards_centre_rule_uses_start_date.yaml", 50, "requirements[2].rule.kind", "rule-needs-person"),
    ("standards_yaml_syntax.yaml", 45, "", "yaml-syntax"),
]


def test_minimal_standards_fixture_is_valid() -> None:
    standards = std.load_standards(FIXTURES / "standards_minimal.yaml")
    assert [r.id for r in standards.requirements] == ["DBS-1", "MOD-1", "POL-1"]


@pytest.mark.parametrize(("name", "line", "field", "rule"), MALFORMED_STANDARDS)
def test_malformed_standards_name_file_line_and_field(name: str, line: int, field: str, rule: str) -> None:
    standards, report = std.parse_standards((FIXTURES / name).read_text(encoding="utf-8"), file=name)
    assert standards is None
    assert [(i.file, i.row, i.field, i.rule) for i in report] == [(name, line, field, rule)]
    with pytest.raises(DataFileError, match=re.escape(f"{name}:{line}: {field}")):
        std.load_standards(FIXTURES / name)


@pytest.mark.parametrize(
    "name",
    [
        "standards_unknown_rule_kind.yaml",
        "standards_unknown_role.yaml",
        "standards_unknown_level.yaml",
        "standards_unknown_rule_key.yaml",
    ],
)
def test_json_schema_also_rejects_structural_mistakes(name: str, network_data: Path) -> None:
    assert _schema_errors(FIXTURES / name, network_data / "standards" / "standards.schema.json")


def test_parameter_overrides_are_checked(bundled: std.Standards) -> None:
    changed = std.with_parameters(bundled, {"naccc_modules_within_months": 18})
    assert changed.parameter_values()["naccc_modules_within_months"] == 18
    assert bundled.parameter_values()["naccc_modules_within_months"] == 12  # the original is untouched
    with pytest.raises(ValueError, match="unknown parameter 'naccc_months'"):
        std.with_parameters(bundled, {"naccc_months": 18})
    with pytest.raises(ValueError, match="at least 1"):
        std.with_parameters(bundled, {"naccc_modules_within_months": 0})


# ---------------------------------------------------------------- malformed records

MALFORMED_RECORDS = [
    ("records_unknown_evidence_kind.yaml", 14, "people[0].evidence[0].kind", "evidence-kind-unknown"),
    ("records_invalid_date.yaml", 14, "people[0].evidence[0].date", "date-invalid"),
    ("records_name_as_id.yaml", 16, "people[1].id", "person-id-invalid"),
    ("records_unknown_role.yaml", 17, "people[1].role", "role-unknown"),
    ("records_centre_evidence_on_person.yaml", 14, "people[0].evidence[0].kind", "evidence-subject-mismatch"),
    ("records_unknown_item.yaml", 15, "people[0].evidence[1].item", "item-unknown"),
    ("records_duplicate_person_id.yaml", 16, "people[1].id", "person-id-duplicate"),
    ("records_leaving_before_start.yaml", 19, "people[1].leaving_on", "leaving-before-start"),
    ("roster_unknown_column.csv", 1, "name", "column-unknown"),
    ("roster_invalid_date.csv", 3, "dbs_enhanced", "date-invalid"),
    ("roster_centre_column_on_person_row.csv", 3, "policy_complaints", "column-wrong-row"),
    ("roster_no_centre_row.csv", 0, "role", "centre-missing"),
]


@pytest.mark.parametrize(("name", "line", "field", "rule"), MALFORMED_RECORDS)
def test_malformed_records_name_file_row_and_field(
    bundled: std.Standards, name: str, line: int, field: str, rule: str
) -> None:
    records, report = std.parse_records((FIXTURES / name).read_bytes(), name=name, standards=bundled)
    assert records is None
    assert [(i.file, i.row, i.field, i.rule) for i in report] == [(name, line, field, rule)]


def test_a_name_column_is_refused_with_advice(bundled: std.Standards) -> None:
    with pytest.raises(DataFileError, match=r"roster_unknown_column\.csv:1: name: .*remove names"):
        std.load_records(FIXTURES / "roster_unknown_column.csv", bundled)


def test_records_in_yaml_and_csv_read_the_same(bundled: std.Standards) -> None:
    from_yaml = std.load_records(FIXTURES / "records_minimal.yaml", bundled)
    from_csv = std.load_records(FIXTURES / "roster_valid.csv", bundled)
    assert from_csv.centre == from_yaml.centre
    # The CSV's V2 is recorded as holding no DBS check ("none"), and its module date is DD/MM/YYYY.
    assert from_csv.people[0] == from_yaml.people[0]
    assert from_csv.people[1].not_held == frozenset({"dbs_enhanced"})


def test_unsupported_files_are_refused(bundled: std.Standards) -> None:
    _, report = std.parse_records(b"x", name="roster.txt", standards=bundled)
    assert [i.rule for i in report] == ["format-unknown"]
    _, report = std.parse_records(b"not a workbook", name="roster.xlsx", standards=bundled)
    assert [i.rule for i in report] == ["file-unreadable"]
    # 0x81, 0x8d and 0x8f are neither UTF-8 nor Windows-1252, and there is no UTF-16 byte-order mark.
    _, report = std.parse_records(b"person_id,role\n\x81\x8d\x8f", name="roster.csv", standards=bundled)
    assert [i.rule for i in report] == ["file-encoding"]
    _, report = std.parse_records(b"", name="roster.csv", standards=bundled)
    assert [i.rule for i in report] == ["file-empty"]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "date_separator"),
    [("utf-8-sig", ",", "/"), ("utf-16", ";", "."), ("cp1252", "\t", "-"), ("utf-8", ";", "/")],
)
def test_rosters_are_read_as_imports_are(
    bundled: std.Standards, encoding: str, delimiter: str, date_separator: str
) -> None:
    """Every encoding, separator and UK date spelling the directory import accepts, a roster upload accepts."""
    text = (FIXTURES / "roster_valid.csv").read_text(encoding="utf-8").replace("Small Centre", "Milli’s Centre")
    text = text.replace(",", delimiter).replace("01/02/2024", f"1{date_separator}2{date_separator}2024")
    records, report = std.parse_records(text.encode(encoding), name="roster.csv", standards=bundled)
    assert report.lines() == []
    assert records is not None
    expected = std.load_records(FIXTURES / "roster_valid.csv", bundled)
    assert records.centre == dataclasses.replace(expected.centre, name="Milli’s Centre")
    assert records.people == expected.people


# ---------------------------------------------------------------- templates


def test_shipped_templates_match_the_generator(network_data: Path, bundled: std.Standards) -> None:
    folder = network_data / "standards"
    assert (folder / "roster_template.csv").read_text(encoding="utf-8") == std.template_csv(bundled)
    shipped = openpyxl.load_workbook(folder / "roster_template.xlsx")
    generated = openpyxl.load_workbook(io.BytesIO(std.template_xlsx(bundled)))
    assert shipped.sheetnames == generated.sheetnames == ["Roster", "Instructions"]
    for name in shipped.sheetnames:
        assert list(shipped[name].values) == list(generated[name].values)


def test_bundled_folder_validates(network_data: Path) -> None:
    assert std.validate_bundled(network_data).lines() == []


def test_stale_template_is_reported(network_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "standards"
    folder.mkdir()
    for name in ("standards.yaml", "millis_sample.yaml", "roster_template.xlsx"):
        (folder / name).write_bytes((network_data / "standards" / name).read_bytes())
    (folder / "roster_template.csv").write_text("person_id,role\n", encoding="utf-8")
    assert [(i.file, i.rule) for i in std.validate_bundled(tmp_path)] == [
        ("standards/roster_template.csv", "template-stale")
    ]


def test_template_columns_follow_the_standards(bundled: std.Standards) -> None:
    names = [c.name for c in std.template_columns(bundled)]
    assert names[:4] == ["person_id", "role", "start_date", "leaving_on"]
    assert [n for n in names if n.startswith("naccc_module_")] == [f"naccc_module_{i}" for i in range(1, 12)]
    assert names.index("centre_name") > names.index("level3_qualification")


def test_filled_xlsx_template_reads_back(bundled: std.Standards, tmp_path: Path) -> None:
    path = std.write_template(tmp_path / "roster.xlsx", standards=bundled)
    book = openpyxl.load_workbook(path)
    sheet = book["Roster"]
    header = [cell.value for cell in sheet[1]]

    def row(**values: object) -> list[object]:
        return [values.get(name) for name in header]

    sheet.append(
        row(
            person_id="my-centre",
            role="centre",
            centre_name="My Centre",
            services="supported; supervised",
            establishment=4,
        )
    )
    sheet.append(
        row(
            person_id="V01",
            role="volunteer",
            start_date=date(2025, 1, 6),
            dbs_enhanced=date(2024, 12, 2),
            naccc_module_3=date(2025, 2, 1),
            first_aid="none",
        )
    )
    book.save(path)
    records = std.load_records(path, bundled)
    assert records.centre.services == ("supported", "supervised")
    assert records.centre.establishment == 4
    volunteer = records.people[0]
    assert (volunteer.id, volunteer.start_date) == ("V01", date(2025, 1, 6))
    assert {(e.kind, e.item, e.date) for e in volunteer.events} == {
        ("dbs_enhanced", "", date(2024, 12, 2)),
        ("naccc_module", "3", date(2025, 2, 1)),
    }
    assert volunteer.not_held == frozenset({"first_aid"})


def test_workbook_without_a_roster_sheet_is_refused(bundled: std.Standards) -> None:
    book = openpyxl.Workbook()
    book.active.title = "People"
    out = io.BytesIO()
    book.save(out)
    _, report = std.parse_records(out.getvalue(), name="mine.xlsx", standards=bundled)
    assert [str(i) for i in report] == [
        "mine.xlsx: the workbook needs a sheet named 'Roster' (it has: People); rename the sheet that holds the data"
    ]


def test_write_template_refuses_other_suffixes(bundled: std.Standards, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.csv or \.xlsx"):
        std.write_template(tmp_path / "roster.ods", standards=bundled)
