"""The checker on whole centres: hand-made known answers and the Milli's sample roster."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from millis_network import standards as std

FIXTURES = Path(__file__).resolve().parent / "data" / "standards"


@pytest.fixture(scope="module")
def bundled(network_data: Path) -> std.Standards:
    return std.load_standards(network_data / "standards" / "standards.yaml")


@pytest.fixture(scope="module")
def known(bundled: std.Standards) -> std.ComplianceReport:
    return std.check(std.load_records(FIXTURES / "centre_known_answers.yaml", bundled), bundled)


@pytest.fixture(scope="module")
def sample(bundled: std.Standards, network_data: Path) -> std.Records:
    return std.load_records(network_data / "standards" / "millis_sample.yaml", bundled)


def status(report: std.ComplianceReport, person_id: str, requirement_id: str) -> str:
    rows = report.results[
        (report.results["person_id"] == person_id) & (report.results["requirement_id"] == requirement_id)
    ]
    assert len(rows) == 1, (person_id, requirement_id)
    return str(rows["status"].iloc[0])


# ---------------------------------------------------------------- hand-made known answers

KNOWN = [
    ("test-centre", "ACC-1", "pass"),  # valid until 2025-06-30, the as-of date
    ("test-centre", "ACC-2", "fail"),  # valid until 2025-06-29
    ("test-centre", "POL-1", "unknown"),  # six of seven policies recorded
    ("test-centre", "SAFE-1", "pass"),
    ("test-centre", "SUP-2", "pass"),
    ("test-centre", "STAFF-1", "warn"),  # 4 in post of 6: a should, so a warning
    ("C1", "DBS-1", "pass"),
    ("C1", "FJS-1", "pass"),
    ("C1", "FA-1", "pass"),
    ("S1", "DBS-1", "pass"),  # dated on the start day
    ("S1", "FA-2", "warn"),  # first aid expired: a should
    ("S1", "SUP-1", "fail"),  # Level 3 recorded as not held
    ("V1", "DBS-1", "fail"),  # the day after starting
    ("V1", "CP-1", "pass"),  # on the 3-month deadline
    ("V1", "NACCC-1", "pass"),  # 11th module on the 12-month deadline
    ("V1", "VOL-1", "unknown"),
    ("V2", "NACCC-1", "pending"),
    ("V2", "FA-1", "pending"),
    ("V2", "FA-2", "unknown"),
    ("V4", "DBS-1", "pending"),  # starts 2025-08-01
    ("T1", "DBS-1", "fail"),  # recorded as not held
]


@pytest.mark.parametrize(("person_id", "requirement_id", "expected"), KNOWN)
def test_known_answers(known: std.ComplianceReport, person_id: str, requirement_id: str, expected: str) -> None:
    assert status(known, person_id, requirement_id) == expected


def test_report_shape_and_people_checked(known: std.ComplianceReport) -> None:
    assert list(known.results.columns) == std.RESULT_COLUMNS
    assert known.as_of == date(2025, 6, 30)  # the records' own as_of
    assert "V3" not in set(known.results["person_id"])  # left on 2025-03-31
    assert set(known.results.loc[known.results["person_id"] == "T1", "requirement_id"]) == {"DBS-1"}
    assert not known.results.duplicated(["person_id", "requirement_id"]).any()


def test_reasons_explain_with_the_evidence_used(known: std.ComplianceReport) -> None:
    row = known.results.set_index(["person_id", "requirement_id"]).loc[("V1", "DBS-1")]
    assert (
        row["reason"]
        == "Enhanced DBS check dated 2024-01-16, after the start date 2024-01-15; it must be on or before it."
    )
    assert row["evidence"] == "dbs_enhanced 2024-01-16"
    acc = known.results.set_index(["person_id", "requirement_id"]).loc[("test-centre", "ACC-2")]
    assert acc["valid_until"] == date(2025, 6, 29)
    assert "expired" in acc["reason"]


def test_summary_counts_and_not_applicable(known: std.ComplianceReport, bundled: std.Standards) -> None:
    summary = known.summary.set_index("requirement_id")
    assert list(known.summary.columns) == std.SUMMARY_COLUMNS
    assert summary.loc["DBS-1", ["checked", "pass", "fail", "pending"]].tolist() == [6, 3, 2, 1]
    assert summary["applicable"].all()  # the centre offers supported and supervised contact
    assert known.totals["fail"] == 4
    assert not known.ok


def test_expiries_and_projections(known: std.ComplianceReport) -> None:
    expiries = known.expiries.set_index(["person_id", "requirement_id"])["days_left"].to_dict()
    assert expiries == {("S1", "FA-2"): -478, ("test-centre", "ACC-2"): -1, ("test-centre", "ACC-1"): 0}
    projection = known.projections.set_index(["person_id", "requirement_id"]).loc[("V2", "NACCC-1")]
    # 2 modules in the 60 days since 2025-05-01: 9 more take 270 days.
    assert projection["projected_date"] == date(2025, 6, 30) + timedelta(days=270)
    assert projection["due_date"] == date(2026, 5, 1)
    assert bool(projection["on_track"])


def test_parameters_change_the_outcome(bundled: std.Standards) -> None:
    records = std.load_records(FIXTURES / "centre_known_answers.yaml", bundled)
    shorter = std.with_parameters(bundled, {"naccc_modules_within_months": 9})
    report = std.check(records, shorter)
    assert status(report, "V1", "NACCC-1") == "fail"  # the 11th module came after nine months
    assert report.parameters["naccc_modules_within_months"] == 9


def test_no_supervised_contact_no_supervised_requirements(bundled: std.Standards) -> None:
    records = std.load_records(FIXTURES / "records_minimal.yaml", bundled)
    report = std.check(records, bundled, as_of=date(2024, 6, 1))
    assert not {"SUP-1", "SUP-2", "ACC-2"} & set(report.results["requirement_id"])
    note = report.summary.set_index("requirement_id").loc["SUP-1", "note"]
    assert note == "The centre does not offer supervised contact."


def test_matrix_and_json(known: std.ComplianceReport) -> None:
    matrix = std.compliance_matrix(known)
    assert matrix.index[0] == "test-centre"
    assert matrix.loc["V1", "DBS-1"] == "fail"
    assert matrix.loc["T1", "NACCC-1"] == ""
    data = json.loads(json.dumps(known.to_dict()))
    assert data["as_of"] == "2025-06-30"
    assert data["label"] == std.SAMPLE_LABEL  # the fixture is flagged sample
    assert len(data["results"]) == len(known.results)
    exported = known.export_frame()
    assert set(exported["records"]) == {std.SAMPLE_LABEL}


# ---------------------------------------------------------------- the Milli's sample roster


def test_sample_reproduces_the_public_staffing_figures(sample: std.Records) -> None:
    """P.119/2014: full staffing 18, current staffing level 13, staff leaving 5."""
    figures = std.staffing(sample, as_of=sample.as_of)
    assert (figures.establishment, figures.in_post, figures.leaving) == (18, 13, 5)
    assert (figures.vacancies, figures.after_leavers) == (5, 8)


def test_sample_is_flagged_and_pseudonymous(sample: std.Records) -> None:
    assert sample.sample
    assert sample.label == "Sample (illustrative) roster"
    assert "Illustrative, not real people" in sample.sample_note
    assert [p.id for p in sample.people] == ["C01", *(f"V{i:02d}" for i in range(1, 13))]


def test_sample_follows_the_training_in_appendix_2(sample: std.Records, bundled: std.Standards) -> None:
    report = std.check(sample, bundled)
    assert report.as_of == date(2014, 9, 30)
    assert report.totals["fail"] == 0
    people = report.results[report.results["role"] != "centre"]
    assert set(people.loc[people["requirement_id"].isin(["DBS-1", "FA-1", "CP-1", "PARTNER-1"]), "status"]) == {"pass"}
    assert status(report, "V12", "NACCC-1") == "pending"
    assert status(report, "C01", "FJS-1") == "unknown"
    assert status(report, "millis-jersey", "ACC-1") == "unknown"
    assert status(report, "millis-jersey", "STAFF-1") == "warn"
    projection = report.projections.iloc[0]
    assert (projection["person_id"], projection["done"], projection["required"]) == ("V12", 4, 11)


def test_sample_after_the_leavers_go(sample: std.Records, bundled: std.Standards) -> None:
    report = std.check(sample, bundled, as_of=date(2015, 1, 1))
    assert (report.staffing.in_post, report.staffing.left) == (8, 5)
    assert "V01" not in set(report.results["person_id"])
