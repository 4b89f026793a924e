"""The bundled directory: schema checks, cross-file validation and privacy."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from millis_network.cli import main
from millis_network.directory import (
    completeness,
    contact_centres,
    family_court_centres,
    millis_profile,
    needs_checking,
    read_centres,
    validate_network_data,
)
from millis_network.errors import DataFileError
from millis_network.postcodes import district_centroid
from millis_network.privacy import public_centres


def test_bundled_data_is_valid(network_data: Path) -> None:
    report = validate_network_data(network_data)
    assert report.ok, "\n".join(report.lines())


def test_valid_fixture_reads_typed(test_data: Path) -> None:
    centres = read_centres(test_data / "directory" / "centres_valid.csv")
    assert list(centres["id"]) == ["alpha-centre", "beta-centre"]
    assert centres.loc[0, "lat"] == pytest.approx(52.481652)
    assert list(centres["supported"]) == [True, True] and list(centres["supervised"]) == [True, False]


def test_every_problem_is_reported_with_file_row_and_field(test_data: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        read_centres(test_data / "directory" / "centres_many_problems.csv")
    message = str(caught.value)
    expected = [
        "centres_many_problems.csv:2: postcode: postcode 'b4 6ds' is not in canonical form 'B4 6DS'",
        "centres_many_problems.csv:2: services: unknown service(s) babysitting",
        "centres_many_problems.csv:3: lat: location_precision is 'town' but lat/lon are missing",
        "centres_many_problems.csv:3: accreditation: accreditation 'gold star' is not one of",
        "centres_many_problems.csv:3: closed: closed date '2023-01' is given but status is 'open'",
        "centres_many_problems.csv:3: successor_id: only a closed centre has a successor",
        "centres_many_problems.csv:3: sample: sample 'maybe' must be 'yes' or 'no'",
        "centres_many_problems.csv:4: id: id 'alpha-centre' is already used on line 2",
        "centres_many_problems.csv:4: name: name is empty",
        "centres_many_problems.csv:4: opened: opened '23/01/2000' must be YYYY or YYYY-MM",
    ]
    for line in expected:
        assert line in message
    assert message.startswith("10 problem(s) found")


def test_missing_columns_named(test_data: Path) -> None:
    with pytest.raises(DataFileError, match=r"centres_missing_columns.csv:1: .*organisation.*missing column"):
        read_centres(test_data / "directory" / "centres_missing_columns.csv")


@pytest.fixture
def broken_copy(tmp_path: Path, network_data: Path) -> Path:
    """A copy of network_data with four deliberate faults."""
    shutil.copytree(network_data, tmp_path, dirs_exist_ok=True)
    profile = tmp_path / "centres" / "millis.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("total_children: 39", "total_children: 40"), encoding="utf-8")
    centres_path = tmp_path / "centres" / "centres.csv"
    centres = pd.read_csv(centres_path, dtype=str, keep_default_na=False)
    row = centres.index[centres["postcode"] == "WN2 3HY"][0]
    centres.loc[row, "postcode"] = "B4 6XX"
    jersey = centres.index[centres["id"] == "millis-child-contact-centre"][0]
    centres.loc[jersey, "lat"] = "52.0"
    centres.to_csv(centres_path, index=False)
    courts_path = tmp_path / "courts" / "family_court_centres.csv"
    courts = pd.read_csv(courts_path, dtype=str, keep_default_na=False)
    courts.loc[3, "id"] = courts.loc[2, "id"]
    courts.to_csv(courts_path, index=False)
    return tmp_path


def test_validate_cli_fails_informatively_on_broken_copy(broken_copy: Path, capsys) -> None:
    code = main(["validate", "--data-dir", str(broken_copy)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    centres = pd.read_csv(broken_copy / "centres" / "centres.csv", dtype=str, keep_default_na=False)
    wigan_line = int(centres.index[centres["postcode"] == "B4 6XX"][0]) + 2
    jersey_line = int(centres.index[centres["id"] == "millis-child-contact-centre"][0]) + 2
    assert any(l.endswith(f"centres.csv:{wigan_line}: postcode: postcode 'B4 6XX' not found in the ONS Postcode Directory") for l in out)
    assert any(f"centres.csv:{jersey_line}: lat: coordinates 52.00000,-2.10491 lie outside Jersey" in l for l in out)
    assert any("family_court_centres.csv:5: id: id" in l and "already used on line 4" in l for l in out)
    assert "network_data/centres/millis.yaml: caseload.total_children: referrals add up to 39, not 40" in out
    assert len(out) == 4


def test_validate_cli_passes_on_bundled_data(capsys) -> None:
    assert main(["validate"]) == 0


def test_courts_cover_england_wales_and_jersey() -> None:
    courts = family_court_centres()
    assert len(courts) == 167
    assert courts["jurisdiction"].value_counts().to_dict() == {"England": 149, "Wales": 17, "Jersey": 1}
    central = courts.set_index("id").loc["central-family-court"]
    assert (central["postcode"], central["lat"], central["lon"]) == ("WC1V 6NP", 51.518436, -0.114516)


def test_millis_is_closed_with_its_successor_and_sources() -> None:
    centres = contact_centres().set_index("id")
    millis = centres.loc["millis-child-contact-centre"]
    assert (millis["status"], millis["opened"], millis["closed"]) == ("closed", "2000", "2023-01")
    successor = centres.loc[millis["successor_id"]]
    assert successor["jurisdiction"] == "Jersey" and successor["status"] == "open"
    assert "P.119/2014" in millis["source_urls"]


def test_millis_profile_totals_add_up() -> None:
    profile = millis_profile()
    referrals = profile["caseload"]["referrals"]
    assert sum(r["children"] for r in referrals) == profile["caseload"]["total_children"] == 39
    assert sum(r["parents"] for r in referrals) == profile["caseload"]["total_parents"] == 33
    budget = profile["proposed_budget"]
    assert sum(line["gbp"] for line in budget["lines"]) == budget["total_gbp"] == 17600
    staffing = profile["staffing"]
    assert staffing["full_establishment"] - staffing["current"] == staffing["leaving"] == 5


def test_public_view_moves_withheld_address_to_its_district(test_data: Path) -> None:
    centres = read_centres(test_data / "directory" / "centres_valid.csv")
    centres.loc[0, "address_withheld"] = "yes"
    centres.loc[0, "notes"] = "Venue: 1 Secret Street"
    public = public_centres(centres)
    assert public.loc[0, "postcode"] == "B4" and public.loc[0, "location_precision"] == "district"
    assert (public.loc[0, "lat"], public.loc[0, "lon"]) == pytest.approx(district_centroid("B4"))
    assert public.loc[0, "notes"] == ""
    assert public.loc[1].equals(centres.loc[1])
    assert centres.loc[0, "postcode"] == "B4 6DS"


def test_completeness_states_share_of_naccc_estimate() -> None:
    summary = completeness(contact_centres())
    # The second pass of public facts (2026-12-01) brought 16 more centres: 123 of about 350.
    assert summary.open_centres == 123 and summary.closed_centres == 7
    assert "about 35% of the roughly 350 NACCC member centres" in summary.describe()
    assert "does not mean absence of a centre" in summary.describe()


def test_needs_checking_lists_each_reason_and_not_fresh_or_closed_centres() -> None:
    centres = contact_centres().iloc[:6].copy()
    centres["status"], centres["sample"], centres["doubt"], centres["page_date"] = "open", "no", "", ""
    centres["last_verified"] = ["", "2025-11-30", "2025-12-02", "2026-06-01", "2026-06-01", "2026-06-01"]
    centres.iloc[3, centres.columns.get_loc("page_date")] = "2023-11"  # ends 2023-11-30: more than 3 years ago
    centres.iloc[4, centres.columns.get_loc("page_date")] = "2023-12"  # ends 2023-12-31: not yet
    centres.iloc[5, centres.columns.get_loc("doubt")] = "may be the same service as another"
    listed = needs_checking(centres, today=date(2026, 12, 1)).set_index("id")
    ids = centres["id"].tolist()
    assert list(listed.index) == [ids[0], ids[1], ids[3], ids[5]]
    assert listed.loc[ids[0], "why"] == "never verified by a person"
    assert listed.loc[ids[1], "why"] == "verified more than 12 months ago"
    assert listed.loc[ids[3], "why"] == "with a source page dated more than 3 years ago"
    assert listed.loc[ids[5], "why"] == "with a doubt flagged"
    centres["status"] = "closed"
    assert needs_checking(centres, today=date(2026, 12, 1)).empty


def test_second_pass_doubts_are_flagged_in_the_bundled_directory() -> None:
    centres = contact_centres().set_index("id")
    assert "Australian" in centres.loc["hope-contact-centre", "doubt"]
    assert centres.loc["hope-contact-centre", "location_precision"] == "none"
    assert "loose wording" in centres.loc["uxbridge-child-contact-centre-uccc", "doubt"]
    portland = centres.loc["portland-child-contact-centre"]
    assert (portland["town"], portland["location_precision"]) == ("Bishop's Stortford", "town")
    assert 51.8 < portland["lat"] < 51.95  # Hertfordshire, not Portland in Dorset (50.55)
    assert "DL14 7EH" not in centres.loc["bishop-auckland-family-contact-centre", "postcode"]
    assert (centres["doubt"] != "").sum() == 12
