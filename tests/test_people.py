"""People: the bundled populations and constituency split, their checks, and reach summaries in people.

Hand-made LSOAs on the meridian 1°W (one degree of latitude is 111.195 km; the
hand-checked model's minutes are 1 + km) carry populations chosen so every
count can be added up by eye.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hand_checked import ONE_PLUS_KM, SETTLEMENTS

from millis_network.build.derive_people import derive_people
from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_COLUMNS, check_centres
from millis_network.engine.analysis import run_analysis
from millis_network.engine.coverage import area_reach, reach_summary
from millis_network.engine.whatif import closure_impact, recommend_sites
from millis_network.errors import DataFileError
from millis_network.places import (
    check_places_files,
    constituencies,
    constituency_hexes,
    format_people,
    lsoa_constituencies,
    lsoa_population,
    lsoas,
)

RULE = CampaignRule(threshold_minutes=30)
ENGLAND_AND_WALES_PEOPLE = 59_439_840


def centres_frame(*rows: dict[str, object]) -> pd.DataFrame:
    """Open centres with every directory column; unspecified text fields are blank."""
    base = {column: "" for column in CENTRE_COLUMNS} | {
        "status": "open", "location_precision": "town", "jurisdiction": "England", "sample": "no",
        "address_withheld": "no", "accreditation": "not stated"}
    frame = pd.DataFrame([base | row for row in rows], columns=list(CENTRE_COLUMNS))
    return check_centres(frame.astype({"lat": float, "lon": float}))


def lsoa_frame(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """LSOAs (code, local authority, lat, population) on 1°W."""
    return pd.DataFrame(
        [{"lsoa_code": code, "lsoa_name": code, "local_authority_code": la, "local_authority_name": la.upper(),
          "nation": "England", "lat": lat, "lon": -1.0, "easting_m": -1e5, "northing_m": lat * 1e5, "population": people}
         for code, la, lat, people in rows]
    )


HUB = {"id": "hub", "name": "Hub", "lat": 52.0, "lon": -1.0, "services": "supported; supervised"}


def test_bundled_people_cover_every_lsoa_once() -> None:
    people = lsoa_population()
    assert len(people) == 34_753 and people["population"].sum() == ENGLAND_AND_WALES_PEOPLE
    assert lsoas()["population"].sum() == ENGLAND_AND_WALES_PEOPLE
    assert set(people["lsoa_code"]) == set(lsoas()["lsoa_code"])


def test_bundled_split_shares_sum_to_one_and_name_575_constituencies() -> None:
    split = lsoa_constituencies()
    assert split.groupby("lsoa_code")["share"].sum().sub(1).abs().max() < 1e-4
    assert (split.groupby("lsoa_code").size() > 1).sum() == 1_607
    table = constituencies()
    assert len(table) == 650 and table["nation"].value_counts().to_dict() == {
        "England": 543, "Scotland": 57, "Wales": 32, "Northern Ireland": 18}
    assert set(split["gss_code"]) == set(table.loc[table["nation"].isin(["England", "Wales"]), "gss_code"])
    assert table.set_index("gss_code").at["E14001063", "name"] == "Aldershot"
    hexes = constituency_hexes()
    assert len(hexes) == 650 and set(hexes["gss_code"]) == set(table["gss_code"]) and hexes.crs.to_epsg() == 4326


@pytest.fixture
def places_copy(tmp_path: Path) -> Path:
    shutil.copytree(Path(__file__).resolve().parent.parent / "network_data" / "places", tmp_path / "places")
    return tmp_path


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_population_that_is_not_a_number_is_named_by_file_row_and_field(places_copy: Path) -> None:
    path = places_copy / "places" / "lsoa_population.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].split(",")[0] + ",many"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError, match=r"lsoa_population\.csv:3: population: population must be a whole number"):
        lsoa_population(places_copy)
    assert any(issue.row == 3 and issue.field == "population" for issue in check_places_files(places_copy))


def test_shares_that_do_not_sum_to_one_and_unknown_codes_are_reported(places_copy: Path) -> None:
    path = places_copy / "places" / "lsoa_constituencies.csv"
    _rewrite(path, "E01000159,E14001238,0.236843", "E01000159,E14009999,0.5")
    issues = check_places_files(places_copy)
    rules = {(issue.rule, issue.field) for issue in issues if issue.file.endswith("lsoa_constituencies.csv")}
    assert ("known-code", "gss_code") in rules and ("shares-sum-to-one", "lsoa_code") in rules
    with pytest.raises(DataFileError, match=r"lsoa_constituencies\.csv:\d+: gss_code: constituency code is not in"):
        lsoa_constituencies(places_copy)


def test_a_missing_people_file_is_reported_with_the_command_that_rebuilds_it(places_copy: Path) -> None:
    (places_copy / "places" / "lsoa_population.csv").unlink()
    assert any(issue.rule == "file-missing" and "derive-people" in issue.message and "lsoa_population" in issue.file
               for issue in check_places_files(places_copy))


def test_reach_summary_counts_people_beside_lsoas() -> None:
    # 0.1°, 0.2°, 0.5°, 1.0° north of the hub: 12.1, 23.2, 56.6 and 112.2 minutes; the last beyond 50 miles.
    frame = lsoa_frame([("L1", "a", 52.1, 1_000), ("L2", "a", 52.2, 3_000), ("L3", "b", 52.5, 2_000),
                        ("L4", "b", 53.0, 4_000)])
    reach = area_reach(frame, centres_frame(HUB), rule=RULE, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    national = reach_summary(reach, by="national").iloc[0]
    assert national["people"] == 10_000
    assert [national[f"people_within_{band}_min"] for band in (15, 30, 45, 60)] == [1_000, 4_000, 4_000, 6_000]
    assert national["people_share_within_30_min"] == pytest.approx(0.4)
    assert national["share_within_30_min"] == pytest.approx(0.5)  # LSOAs: 2 of 4
    assert national["people_beyond_50_miles"] == 4_000 and national["people_share_beyond_50_miles"] == 0.4
    assert national["people_covered"] == 4_000
    by_area = reach_summary(reach, by="local_authority").set_index("area_code")
    assert by_area.at["b", "people"] == 6_000 and by_area.at["b", "people_share_within_60_min"] == pytest.approx(1 / 3)


def test_reach_summary_gives_each_area_its_own_90th_percentile_drive() -> None:
    # Minutes are 1 + km: 0.1° and 0.2° north of the hub for area a; 0.5° north and one with no journey for b.
    frame = lsoa_frame([("L1", "a", 52.1, 1_000), ("L2", "a", 52.2, 3_000), ("L3", "b", 52.5, 2_000),
                        ("L4", "b", 53.0, 4_000), ("L5", "c", 52.3, 500)])
    reach = area_reach(frame, centres_frame(HUB), rule=RULE, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    reach.loc[reach["lsoa_code"] == "L4", "nearest_supported_minutes"] = np.nan
    p90 = reach_summary(reach, by="local_authority").set_index("area_code")["p90_supported_minutes"]
    near, far = 1 + 0.1 * 111.195, 1 + 0.2 * 111.195
    assert p90["a"] == pytest.approx(near + 0.9 * (far - near), abs=0.01)  # linear interpolation: 22.1 minutes
    assert p90["b"] == np.inf  # the 90th percentile falls among LSOAs with no journey
    assert p90["c"] == pytest.approx(1 + 0.3 * 111.195, abs=0.01)  # one LSOA: its own drive


def test_people_are_unknown_not_zero_when_the_lsoas_carry_no_population() -> None:
    frame = lsoa_frame([("L1", "a", 52.1, 1_000)]).drop(columns="population")
    reach = area_reach(frame, centres_frame(HUB), rule=RULE, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    national = reach_summary(reach).iloc[0]
    assert np.isnan(national["people"]) and np.isnan(national["people_within_30_min"])
    assert national["share_within_30_min"] == 1.0


def test_closure_and_recommendations_count_people() -> None:
    local = {"id": "local", "name": "Local", "lat": 52.05, "lon": -1.0, "services": "supported; supervised"}
    frame = lsoa_frame([("L1", "a", 52.0, 1_500), ("L2", "a", 52.1, 2_500), ("L3", "b", 54.0, 700)])
    impact = closure_impact("local", pd.DataFrame(columns=["id", "name", "jurisdiction", "town", "postcode", "lat",
                                                           "lon", "children_spoe"]),
                            centres_frame(local), frame, rule=RULE, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    assert impact.lsoas_losing_cover == 2 and impact.people_losing_cover == 4_000
    courts = pd.DataFrame({"id": ["north"], "name": ["North"], "town": ["North"], "jurisdiction": ["England"],
                           "postcode": [""], "lat": [54.0], "lon": [-1.0], "children_spoe": [True]})
    picks = recommend_sites(courts, centres_frame(), frame, sites=2, rule=RULE, model=ONE_PLUS_KM,
                            settlements=SETTLEMENTS)
    assert picks.loc[0, "new_people_covered"] == 700  # the court's site covers L3 only
    assert picks["cumulative_people_covered"].iloc[-1] == 4_700


@pytest.mark.parametrize(
    ("count", "said"),
    [(5_234_000, "5.2 million people"), (999_600, "1.0 million people"), (830_412, "830,000 people"),
     (1_234, "1,234 people"), (1, "1 person"), (float("nan"), "an unknown number of people"), (0, "0 people")],
)
def test_people_are_said_as_a_person_would(count: float, said: str) -> None:
    assert format_people(count) == said


def test_people_shares_nationally_agree_with_lsoa_shares_within_a_few_points() -> None:
    summary = run_analysis(bundled_public(), RULE).summary(by="national").iloc[0]
    for band in (15, 30, 45, 60):
        assert abs(summary[f"people_share_within_{band}_min"] - summary[f"share_within_{band}_min"]) < 0.03
    assert summary["people"] == ENGLAND_AND_WALES_PEOPLE


def test_derive_people_recomputes_shares_that_sum_to_one(tmp_path: Path) -> None:
    source = tmp_path / "reference" / "constituencies"
    source.mkdir(parents=True)
    (source / "lsoa11_population_mid_2019.csv").write_text("lsoa_code,population_mid_2019\nE01000002,900\nE01000001,1500\n")
    # mySociety's shares are rounded to two decimals (0.33 + 0.66 = 0.99); the populations give 1/3 and 2/3.
    (source / "lsoa11_to_constituency_2024.csv").write_text(
        "lsoa_code,gss_code,constituency_code3,population_in_constituency,lsoa_population,share_of_lsoa_population\n"
        "E01000001,E14000002,BBB,1000.0,1500.0,0.66\nE01000001,E14000001,AAA,500.0,1500.0,0.33\n"
        "E01000002,E14000001,AAA,880.0,880.0,1.0\n")
    (source / "constituencies_2024.csv").write_text(
        "code3,gss_code,name,nation,region\nBBB,E14000002,Bee,England,Test\nAAA,E14000001,Aye,England,Test\n")
    (source / "constituency_hexes_2024.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    counts = derive_people(tmp_path / "reference", tmp_path / "out")
    assert counts == {"lsoas": 2, "lsoa_constituency_rows": 3, "constituencies": 2, "population": 2_400}
    split = pd.read_csv(tmp_path / "out" / "lsoa_constituencies.csv")
    assert split.values.tolist() == [["E01000001", "E14000001", 0.333333], ["E01000001", "E14000002", 0.666667],
                                     ["E01000002", "E14000001", 1.0]]
    assert (tmp_path / "out" / "lsoa_population.csv").read_text() == "lsoa_code,population\nE01000001,1500\nE01000002,900\n"
    assert (tmp_path / "out" / "constituencies.csv").read_text().splitlines()[1] == "E14000001,AAA,Aye,England,Test"
