"""The statutory network scenario on hand-checked fixtures and on the bundled data.

Fixtures (``tests/data/scenario/``, not real places): three courts and five
LSOAs on the meridian 1°W, where one degree of latitude is 111.195 km. The
drive-time model gives minutes = 1 + km, so 0.1° is 12.12 min.

    courts   North 53.0 (SPOE), Middle 52.0, South 51.0 (SPOE)
    LSOAs    L1 52.1, L2 52.5, L5 52.95 (Area A, England); L3 51.2, L4 50.2 (Area B, Wales)

Scenario "all", nearest venue: L1 0.1° (12.12 min), L2 0.5° (56.6), L5 0.05°
(6.56), L3 0.2° (23.24), L4 0.8° (89.96; 55.3 miles, beyond 50).
Scenario "spoe" (North and South only): L1 0.9° (101.08; 62.2 miles, beyond 50), L2 56.6,
L5 6.56, L3 23.24, L4 89.96 (beyond).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hand_checked import KM_PER_DEGREE, ONE_PLUS_KM, SETTLEMENTS

from millis_network.cli import main
from millis_network.config import CampaignRule
from millis_network.directory import (
    CENTRE_COLUMNS,
    read_centres,
    read_courts,
)
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.coverage import area_reach, reach_summary
from millis_network.engine.scenario import (
    beyond_far_by_area,
    compare_reach,
    comparison_columns,
    comparison_map_frame,
    readable_comparison,
    statutory_network,
    statutory_network_summary,
    statutory_network_venues,
)
from millis_network.engine.travel import distance_matrix_km
from millis_network.evidence.briefings import scenario_section
from millis_network.landmasses import landmasses_of
from millis_network.network import Network, Provenance

RULE = CampaignRule(threshold_minutes=30)


@pytest.fixture(scope="module")
def fixtures(test_data: Path) -> dict[str, pd.DataFrame]:
    folder = test_data / "scenario"
    return {
        "courts": read_courts(folder / "courts.csv"),
        "centres": read_centres(folder / "centres.csv"),
        "lsoas": pd.read_csv(folder / "lsoas.csv", dtype={"lsoa_code": str}),
    }


def directory_analysis(fixtures: dict[str, pd.DataFrame]) -> Analysis:
    directory = Network(
        courts=fixtures["courts"], centres=fixtures["centres"], lsoas=fixtures["lsoas"], model=ONE_PLUS_KM,
        settlements=SETTLEMENTS, provenance=Provenance("bundled snapshot", as_of="hand-made fixtures"),
    )
    return run_analysis(directory, RULE)


def network(fixtures: dict[str, pd.DataFrame], variant: str):
    return statutory_network(directory_analysis(fixtures), variant=variant)  # type: ignore[arg-type]


def minutes(degrees: float) -> float:
    return 1 + degrees * KM_PER_DEGREE


def test_venues_are_one_supported_and_one_supervised_per_court_flagged_as_scenario(fixtures) -> None:
    venues = statutory_network_venues(fixtures["courts"], variant="all")
    assert list(venues["id"]) == [
        "scenario-court-north-supported", "scenario-court-north-supervised",
        "scenario-court-middle-supported", "scenario-court-middle-supervised",
        "scenario-court-south-supported", "scenario-court-south-supervised",
    ]
    assert set(CENTRE_COLUMNS) <= set(venues.columns)
    assert venues["scenario"].all() and (venues["status"] == "open").all()
    assert venues["notes"].str.startswith("Scenario, not a real centre").all()
    assert list(venues["supported"]) == [True, False] * 3
    assert list(venues["supervised"]) == [False, True] * 3
    assert list(venues["lat"]) == [53.0, 53.0, 52.0, 52.0, 51.0, 51.0]


def test_spoe_variant_places_venues_only_at_single_points_of_entry(fixtures) -> None:
    venues = statutory_network_venues(fixtures["courts"], variant="spoe")
    assert sorted(set(venues["id"].str.rsplit("-", n=1).str[0])) == ["scenario-court-north", "scenario-court-south"]


def test_unknown_variant_is_refused(fixtures) -> None:
    with pytest.raises(ValueError, match="variant must be one of all, spoe"):
        statutory_network_venues(fixtures["courts"], variant="every")  # type: ignore[arg-type]


def test_scenario_reach_matches_hand_calculation(fixtures) -> None:
    reach = network(fixtures, "all").reach.set_index("lsoa_code")
    expected = {"L1": minutes(0.1), "L2": minutes(0.5), "L5": minutes(0.05), "L3": minutes(0.2), "L4": minutes(0.8)}
    for code, value in expected.items():
        assert reach.at[code, "nearest_supported_minutes"] == pytest.approx(value, rel=1e-6)
        assert reach.at[code, "nearest_supervised_minutes"] == pytest.approx(value, rel=1e-6)
    assert reach.at["L1", "nearest_supported_id"] == "scenario-court-middle-supported"
    assert reach.at["L3", "nearest_supervised_id"] == "scenario-court-south-supervised"


def test_comparison_side_by_side_matches_hand_calculation(fixtures) -> None:
    table = network(fixtures, "all").comparison(by="national")
    assert list(table.columns) == comparison_columns()
    supported = table[table["service"] == "supported"].iloc[0]
    # Scenario: L1 12.1, L5 6.6 ≤15; + L3 23.2 ≤30; L2 56.6 ≤60; L4 beyond 50 miles.
    assert supported["lsoas"] == 5
    assert supported[["scenario_within_15_min", "scenario_within_30_min", "scenario_within_45_min",
                      "scenario_within_60_min"]].tolist() == pytest.approx([0.4, 0.6, 0.6, 0.8])
    assert supported["scenario_beyond_50_miles"] == pytest.approx(0.2)
    # Directory today, supported: only open-known (52.2) counts; L1 0.1° 12.1; L2 0.3° 34.4;
    # L5 0.75° = 83.4 km (beyond 50 miles), L3 1.0°, L4 2.0°.
    assert supported[["directory_within_15_min", "directory_within_30_min", "directory_within_45_min",
                      "directory_within_60_min"]].tolist() == pytest.approx([0.2, 0.2, 0.4, 0.4])
    assert supported["directory_beyond_50_miles"] == pytest.approx(0.6)
    assert supported["directory_median_minutes"] == pytest.approx(minutes(0.75), rel=1e-6)
    supervised = table[table["service"] == "supervised"].iloc[0]
    # Supervised adds presumed (53.2): L5 0.25° = 28.8 min.
    assert supervised["directory_within_30_min"] == pytest.approx(0.4)
    # Both services within 30 min: scenario L1, L3, L5; directory L1 only.
    assert supported["scenario_covered"] == pytest.approx(0.6)
    assert supported["directory_covered"] == pytest.approx(0.2)


def test_comparison_by_nation_and_area(fixtures) -> None:
    table = network(fixtures, "all").comparison(by="nation").set_index(["area_code", "service"])
    assert table.at[("England", "supported"), "scenario_within_30_min"] == pytest.approx(2 / 3)
    assert table.at[("Wales", "supported"), "scenario_within_30_min"] == pytest.approx(0.5)
    assert table.at[("Wales", "supported"), "scenario_beyond_50_miles"] == pytest.approx(0.5)
    by_area = network(fixtures, "all").comparison(by="local_authority")
    assert sorted(set(by_area["area_name"])) == ["Area A", "Area B"]


def test_spoe_variant_matches_hand_calculation(fixtures) -> None:
    scenario = network(fixtures, "spoe")
    national = scenario.comparison(by="national").iloc[0]
    assert national[["scenario_within_15_min", "scenario_within_30_min", "scenario_within_60_min"]].tolist() == \
        pytest.approx([0.2, 0.4, 0.6])
    assert national["scenario_beyond_50_miles"] == pytest.approx(0.4)
    # Middle Court is 1.0° (112 min) from the nearest single point of entry.
    assert scenario.court_coverage.set_index("court_id")["meets_rule"].to_dict() == {
        "court-north": True, "court-middle": False, "court-south": True,
    }


def test_readable_comparison_has_one_row_per_area_and_network(fixtures) -> None:
    table = readable_comparison(statutory_network_summary(network(fixtures, "all")))
    assert table["area"].tolist() == ["England and Wales"] * 3 + ["England"] * 3 + ["Wales"] * 3
    national = table.iloc[:3].set_index("network")
    assert national["within_30_min"].tolist() == pytest.approx([0.6, 0.2, 0.4])
    # Supervised: L5 has presumed 0.25° away, so only L3 and L4 are beyond 50 miles.
    assert national["beyond_50_miles"].tolist() == pytest.approx([0.2, 0.6, 0.4])


def test_beyond_50_miles_is_listed_by_area(fixtures) -> None:
    beyond = network(fixtures, "spoe").beyond_far()
    # One LSOA beyond in each area; Area A first, its farthest LSOA (L1, 0.9°) being farther than L4 (0.8°).
    assert beyond[["local_authority_name", "lsoas", "lsoas_beyond"]].values.tolist() == [["Area A", 3, 1], ["Area B", 2, 1]]
    area_a = beyond.set_index("local_authority_name").loc["Area A"]
    assert area_a["max_miles"] == pytest.approx(0.9 * KM_PER_DEGREE / 1.609344, rel=1e-6)
    assert area_a["share_beyond"] == pytest.approx(1 / 3)


def test_nobody_beyond_means_an_empty_list(fixtures) -> None:
    reach = network(fixtures, "all").reach
    near = reach[reach["lsoa_code"] != "L4"]
    assert beyond_far_by_area(near).empty


def test_summary_states_figures_method_threshold_and_dates(fixtures) -> None:
    summary = statutory_network_summary(network(fixtures, "all"))
    json.dumps(summary)
    assert summary["venues"] == 6 and summary["venue_sites"] == 3 and summary["distinct_locations"] == 3
    assert summary["courts_meeting_rule"] == {"scenario": 3, "directory": 1}
    assert summary["national"]["scenario"]["covered"] == pytest.approx(0.6)
    assert summary["national"]["directory_covered"] == pytest.approx(0.2)
    assert summary["national"]["directory_supervised"]["share_within_30_min"] == pytest.approx(0.4)
    assert "5,500 people in England and Wales (55%; 60% of neighbourhoods)" in summary["headline"]
    assert "it is 1,000 people (10%; 20% of neighbourhoods) (this directory is incomplete" in summary["headline"]
    assert summary["headline_beyond"] == "If every family court centre had a venue, 2,500 people would still be more than 50 miles from one."
    assert "within 30 min (estimated drive)" in summary["headline"]
    assert summary["threshold"].startswith("within 30 min")
    assert "great-circle" in summary["method"]
    assert "family court centres" in summary["data_dates"]
    assert summary["provenance"]["scenario"].startswith("one supported and one supervised venue")
    assert [row["local_authority_name"] for row in summary["beyond_50_miles"]["local_authorities"]] == ["Area B"]


def test_briefing_section_states_figures_method_and_dates(fixtures) -> None:
    section = scenario_section(statutory_network_summary(network(fixtures, "all")))
    assert section.heading == "What the campaign's network would achieve"
    assert section.paragraphs[0].startswith("If every family court centre had a supported and a supervised")
    assert any(p.startswith("Method: ") and "Threshold: within 30 min (estimated drive)" in p for p in section.paragraphs)
    assert any(p.startswith("Data: family court centres: HMCTS FaCT data") for p in section.paragraphs)
    assert section.table.columns[2:] == ("Within 15 min", "Within 30 min", "Within 45 min", "Within 60 min", "Over 50 miles")
    assert section.table.rows[0] == (
        "England and Wales", "statutory network (scenario)", "40.0%", "60.0%", "60.0%", "80.0%", "20.0%",
    )
    assert section.bullets[0].startswith("Courts meeting the rule: 3 of 3 with the statutory network; 1 from")
    assert section.bullets[-1] == "Area B: 1 of 2 neighbourhoods (up to 55 miles)"  # L4, 0.8° = 55.3 miles


def test_map_frame_joins_one_row_per_area_and_service(fixtures) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    boundaries = gpd.GeoDataFrame(
        {"local_authority_code": ["E06000001", "W06000001"], "local_authority_name": ["Area A", "Area B"]},
        geometry=[box(-1.5, 51.8, -0.5, 53.5), box(-1.5, 50.0, -0.5, 51.8)], crs="EPSG:4326",
    )
    frame = comparison_map_frame(network(fixtures, "all").comparison(by="local_authority"), boundaries, band=30)
    assert len(frame) == 4 and frame.crs.to_epsg() == 4326
    row = frame[(frame["local_authority_name"] == "Area A") & (frame["service"] == "supported")].iloc[0]
    assert row["scenario_share"] == pytest.approx(2 / 3)
    assert row["directory_share"] == pytest.approx(1 / 3)
    assert row["gap"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="band must be one of"):
        comparison_map_frame(network(fixtures, "all").comparison(by="local_authority"), boundaries, band=20)


def test_compare_reach_never_lets_scenario_fall_below_itself(fixtures) -> None:
    """Adding the directory's centres to the scenario never lowers a scenario share."""
    scenario = network(fixtures, "all")
    combined = pd.concat([scenario.venues, fixtures["centres"]], ignore_index=True)
    more = area_reach(fixtures["lsoas"], combined, rule=RULE, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    table = compare_reach(scenario.reach, more, by="national")
    for band in (15, 30, 45, 60):
        assert (table[f"directory_within_{band}_min"] >= table[f"scenario_within_{band}_min"]).all()


# Bundled data: the scenario reproduces a brute-force nearest-court computation.


@pytest.fixture(scope="module")
def bundled_network():
    return statutory_network(run_analysis(bundled_public(), CampaignRule()))


def test_bundled_scenario_nearest_venue_is_the_brute_force_nearest_court(bundled_network) -> None:
    # Nearest on the same landmass when it has a court (Isle of Wight LSOAs look to the island's own court,
    # not across the Solent); the Isles of Scilly have none, so their nearest is across the sea.
    courts = bundled_network.directory.courts
    reach = bundled_network.reach
    court_lonlat = courts[["lon", "lat"]].to_numpy(dtype=float)
    lsoa_lonlat = reach[["lon", "lat"]].to_numpy(dtype=float)
    apart = landmasses_of(reach)[:, None] != landmasses_of(courts)[None, :]
    assert apart[reach["local_authority_name"].eq("Isle of Wight").to_numpy()].sum(axis=1).min() == len(courts) - 1
    assert apart[reach["local_authority_name"].eq("Isles of Scilly").to_numpy()].all()
    km = np.concatenate([distance_matrix_km(chunk, court_lonlat) for chunk in np.array_split(lsoa_lonlat, 8)])
    same_landmass = np.where(apart, np.inf, km).min(axis=1)
    brute = np.where(np.isfinite(same_landmass), same_landmass, km.min(axis=1))
    np.testing.assert_allclose(reach["nearest_supported_km"].to_numpy(), brute, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(reach["nearest_supervised_km"].to_numpy(), brute, rtol=1e-9, atol=1e-6)
    by_id = dict(zip("scenario-" + courts["id"] + "-supported", range(len(courts))))
    chosen = reach["nearest_supported_id"].map(by_id).to_numpy()
    np.testing.assert_allclose(
        distance_matrix_km(lsoa_lonlat[:500], court_lonlat)[np.arange(500), chosen[:500]], brute[:500], atol=1e-6
    )


def test_bundled_scenario_uses_the_same_engine_as_the_directory(bundled_network) -> None:
    directory = bundled_network.directory
    same = reach_summary(directory.area_reach, service="supported", by="national").iloc[0]
    table = bundled_network.comparison(by="national").set_index("service")
    assert table.at["supported", "directory_within_30_min"] == pytest.approx(same["share_within_30_min"])
    assert len(bundled_network.reach) == len(directory.lsoas) == 34753
    assert (table["scenario_within_30_min"] > table["directory_within_30_min"]).all()
    assert bundled_network.court_coverage["meets_rule"].all()


def test_cli_statutory_network_json(capsys) -> None:
    assert main(["scenario", "statutory-network", "--variant", "spoe", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["variant"] == "spoe"
    assert payload["venues"] == 2 * payload["venue_sites"]
    assert payload["threshold"].startswith("within 30 min")
    assert 0 < payload["national"]["scenario"]["share_within_30_min"] <= 1
    assert payload["national"]["area_name"] == "England and Wales"


def test_cli_statutory_network_table_and_csv(capsys, tmp_path: Path) -> None:
    out = tmp_path / "side_by_side.csv"
    assert main(["scenario", "statutory-network", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("If every family court centre had a supported and a supervised contact venue")
    assert "centres in this directory today: supervised" in text and "Data: family court centres" in text
    table = pd.read_csv(out)
    assert set(table["level"]) == {"national", "nation", "local_authority"}
    assert set(comparison_columns()) <= set(table.columns)


def test_comparison_in_people_matches_hand_calculation(fixtures) -> None:
    # People: L1 1,000, L2 2,000, L5 3,000 (Area A); L3 1,500, L4 2,500 (Area B); 10,000 in all.
    supported = network(fixtures, "all").comparison(by="national").set_index("service").loc["supported"]
    assert supported["people"] == 10_000
    # Scenario: L1 + L5 within 15 min, + L3 within 30, + L2 within 60; L4 beyond 50 miles.
    assert supported[[f"scenario_people_within_{band}_min" for band in (15, 30, 45, 60)]].tolist() == \
        [4_000, 5_500, 5_500, 7_500]
    assert supported["scenario_people_beyond_50_miles"] == 2_500
    assert supported["scenario_people_share_within_30_min"] == pytest.approx(0.55)
    # Directory: only L1 within 30 min; L5, L3, L4 beyond 50 miles.
    assert supported["directory_people_within_30_min"] == 1_000
    assert supported["directory_people_beyond_50_miles"] == 7_000
    assert supported["directory_people_covered"] == 1_000


def test_people_table_and_beyond_list_count_people(fixtures) -> None:
    from millis_network.engine.scenario import readable_people_comparison

    summary = statutory_network_summary(network(fixtures, "all"))
    table = readable_people_comparison(summary).set_index(["area", "network"])
    assert table.at[("England and Wales", "statutory network (scenario)"), "within_30_min"] == 5_500
    assert table.at[("Wales", "statutory network (scenario)"), "beyond_50_miles"] == 2_500
    assert summary["beyond_50_miles"]["people"] == 2_500
    assert "mid-2019" in summary["population_note"] and "mid-2019" in summary["method"]
    beyond = network(fixtures, "spoe").beyond_far().set_index("local_authority_name")
    assert beyond.loc["Area A", ["people", "people_beyond"]].tolist() == [6_000, 1_000]  # L1 beyond
