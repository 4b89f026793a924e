"""``millis-network standards check | list | template``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from millis_network.cli import main

FIXTURES = Path(__file__).resolve().parent / "data" / "standards"


@pytest.fixture(scope="module")
def sample_path(network_data: Path) -> str:
    return str(network_data / "standards" / "millis_sample.yaml")


def test_check_prints_a_labelled_readable_report(sample_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "check", sample_path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sample (illustrative) roster: Milli's Child Contact Centre (millis-jersey)")
    assert "checked as of 2014-09-30" in out
    assert "Staffing: 13 in post of an establishment of 18 (5 vacant); 5 leaving, 8 after they go" in out
    assert "V12 NACCC-1 [pending]" in out


def test_check_json_matches_the_library(sample_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "check", sample_path, "--json", "--as-of", "2015-01-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["label"] == "Sample (illustrative) roster"
    assert data["as_of"] == "2015-01-01"
    assert data["staffing"]["in_post"] == 8
    assert {row["status"] for row in data["results"]} <= {"pass", "fail", "warn", "pending", "unknown"}


def test_strict_exits_1_only_when_something_fails(sample_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "check", sample_path, "--strict"]) == 0  # a warning is not a failure
    assert main(["standards", "check", str(FIXTURES / "centre_known_answers.yaml"), "--strict"]) == 1
    assert main(["standards", "check", str(FIXTURES / "centre_known_answers.yaml")]) == 0


def test_parameter_override(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "centre_known_answers.yaml")
    assert main(["standards", "check", path, "--json", "--set", "naccc_modules_within_months=9"]) == 0
    data = json.loads(capsys.readouterr().out)
    v1 = next(r for r in data["results"] if (r["person_id"], r["requirement_id"]) == ("V1", "NACCC-1"))
    assert v1["status"] == "fail"
    assert main(["standards", "check", path, "--set", "nope=3"]) == 2
    assert "unknown parameter 'nope'" in capsys.readouterr().err


def test_malformed_records_exit_2_with_file_row_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "check", str(FIXTURES / "roster_invalid_date.csv")]) == 2
    err = capsys.readouterr().err
    assert "roster_invalid_date.csv:3: dbs_enhanced: '2024-13-02' is not a real date" in err


def test_list_shows_rules_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "list"]) == 0
    out = capsys.readouterr().out
    assert "NACCC-1 [must] NACCC training modules completed within the set period" in out
    assert "States of Jersey P.119/2014 (Deputy G.P. Southern), Appendix 2 (Training)" in out
    assert main(["standards", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["requirements"]) == 16


def test_template_writes_csv_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "template", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").startswith("person_id,role,start_date,leaving_on,")
    assert main(["standards", "template", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"
    assert main(["standards", "template", str(tmp_path / "t.ods")]) == 2
    assert "must end in .csv or .xlsx" in capsys.readouterr().err
