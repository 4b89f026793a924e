"""Court coverage, population reach and what-ifs on tiny hand-checked fixtures.

The fixtures use a drive-time model whose minutes are exactly ``1 + km`` so
every expected number can be worked out by hand: along a meridian one degree
of latitude is 2πR/360 = 111.195 km (R = 6371.0088 km).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hand_checked import KM_PER_DEGREE, ONE_PLUS_KM, SETTLEMENTS
from hypothesis import given, settings
from hypothesis import strategies as st

from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_COLUMNS
from millis_network.drive_model import load_drive_time_model
from millis_network.engine.coverage import (
    CentreIndex,
    area_reach,
    court_coverage,
    reach_radius_km,
    reach_summary,
    suitable_centres,
)
from millis_network.engine.travel import distance_matrix_km
from millis_network.engine.whatif import closure_impact, recommend_sites
from millis_network.errors import NotFoundError


def centres_frame(*rows: dict) -> pd.DataFrame:
    """Centres with every directory column; unspecified fields get harmless defaults."""
    records = []
    for row in rows:
        record = {column: "" for column in CENTRE_COLUMNS}
        record.update(status="open", sample="no", accreditation="not stated", address_withheld="no",
                      location_precision="town")
        record.update(row)
        services = [s.strip() for s in record["services"].split(";") if s.strip()]
        record["supported"] = "supported" in services
        record["supervised"] = "supervised" in services
        records.append(record)
    frame = pd.DataFrame(records, columns=[*CENTRE_COLUMNS, "supported", "supervised"])
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    return frame


def courts_frame(*rows: tuple[str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"id": cid, "name": cid.title(), "jurisdiction": "England", "town": "", "postcode": "",
          "lat": lat, "lon": lon, "children_spoe": False} for cid, lat, lon in rows]
    )


def run(courts, centres, **rule) -> pd.DataFrame:
    return court_coverage(courts, centres, rule=CampaignRule(**rule), model=ONE_PLUS_KM, settlements=SETTLEMENTS)


COURT = courts_frame(("court-a", 52.0, -1.0))
NEAR_SUPPORTED = {"id": "near-supported", "name": "Near", "lat": 52.1, "lon": -1.0, "services": "supported"}
FAR_SUPERVISED = {"id": "far-supervised", "name": "Far", "lat": 52.3, "lon": -1.0, "services": "supervised"}


def test_nearest_distances_and_minutes_match_hand_calculation() -> None:
    row = run(COURT, centres_frame(NEAR_SUPPORTED, FAR_SUPERVISED), threshold_minutes=30).iloc[0]
    assert row["nearest_supported_id"] == "near-supported"
    assert row["nearest_supported_km"] == pytest.approx(0.1 * KM_PER_DEGREE, rel=1e-6)  # 11.12 km
    assert row["nearest_supported_miles"] == pytest.approx(0.1 * KM_PER_DEGREE / 1.609344, rel=1e-6)
    assert row["nearest_supported_minutes"] == pytest.approx(1 + 0.1 * KM_PER_DEGREE, rel=1e-6)
    assert row["nearest_supervised_km"] == pytest.approx(0.3 * KM_PER_DEGREE, rel=1e-6)  # 33.36 km
    assert (row["supported_within"], row["supervised_within"]) == (1, 0)
    assert row["status"] == "supported only" and not row["meets_rule"]
    assert row["method"] == "estimated_drive" and "30 min" in row["threshold"]


def test_threshold_decides_the_rule() -> None:
    centres = centres_frame(NEAR_SUPPORTED, FAR_SUPERVISED)
    assert run(COURT, centres, threshold_minutes=34.0).iloc[0]["status"] == "supported only"  # 34.36 needed
    assert run(COURT, centres, threshold_minutes=35.0).iloc[0]["meets_rule"]
    assert run(COURT, centres, threshold_miles=20.0).iloc[0]["status"] == "supported only"  # 32.19 km
    by_miles = run(COURT, centres, threshold_miles=21.0).iloc[0]  # 33.80 km
    assert by_miles["meets_rule"] and by_miles["method"] == "straight_line"


def test_closed_unplaced_and_sample_centres_do_not_count_unless_asked() -> None:
    centres = centres_frame(
        {"id": "closed-close", "name": "Closed", "lat": 52.01, "lon": -1.0, "services": "supported; supervised", "status": "closed"},
        {"id": "sample-close", "name": "Sample", "lat": 52.02, "lon": -1.0, "services": "supported; supervised", "sample": "yes"},
        {"id": "unplaced", "name": "Unplaced", "lat": float("nan"), "lon": float("nan"), "services": "supported; supervised",
         "location_precision": "none"},
        FAR_SUPERVISED,
    )
    without = run(COURT, centres, threshold_minutes=30).iloc[0]
    assert without["nearest_supervised_id"] == "far-supervised" and without["nearest_supported_id"] == ""
    assert math.isnan(without["nearest_supported_km"]) and without["status"] == "neither"
    with_sample = run(COURT, centres, threshold_minutes=30, include_sample=True).iloc[0]
    assert with_sample["nearest_supported_id"] == "sample-close" and with_sample["meets_rule"]


def test_accredited_only_needs_enhanced_accreditation_for_supervised() -> None:
    centres = centres_frame(
        {**NEAR_SUPPORTED, "accreditation": "NACCC accredited"},
        {**FAR_SUPERVISED, "id": "plain-supervised", "lat": 52.05, "accreditation": "NACCC accredited"},
        {**FAR_SUPERVISED, "accreditation": "NACCC enhanced accredited"},
    )
    rule = CampaignRule(accreditation="accredited")
    assert list(suitable_centres(centres, rule=rule, service="supervised")["id"]) == ["far-supervised"]
    assert list(suitable_centres(centres, rule=rule, service="supported")["id"]) == ["near-supported"]
    assert len(suitable_centres(centres, rule=CampaignRule(), service="supervised")) == 2


def test_unstated_services_count_as_supported_only_when_asked() -> None:
    centres = centres_frame({"id": "unstated", "name": "U", "lat": 52.1, "lon": -1.0, "services": ""})
    assert suitable_centres(centres, rule=CampaignRule(), service="supported").empty
    assert len(suitable_centres(centres, rule=CampaignRule(unstated_services_as_supported=True), service="supported")) == 1


def test_count_within_counts_every_centre_in_reach() -> None:
    centres = centres_frame(*[{"id": f"c{i}", "name": f"C{i}", "lat": 52.0 + 0.05 * i, "lon": -1.0,
                               "services": "supported"} for i in range(1, 6)])
    # distances 5.56, 11.12, 16.68, 22.24, 27.80 km -> minutes 6.6 .. 28.8
    row = run(COURT, centres, threshold_minutes=20).iloc[0]
    assert row["supported_within"] == 3


def lsoa_frame(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"lsoa_code": code, "lsoa_name": code, "local_authority_code": la, "local_authority_name": la.upper(),
          "nation": "England", "lat": lat, "lon": lon, "easting_m": lon * 1e5, "northing_m": lat * 1e5}
         for code, la, lat, lon in rows]
    )


def test_reach_summary_shares_by_band_and_area() -> None:
    centres = centres_frame({"id": "hub", "name": "Hub", "lat": 52.0, "lon": -1.0, "services": "supported; supervised"})
    # LSOAs at 0.1, 0.2, 0.5 and 1.0 degrees north: 11.1, 22.2, 55.6, 111.2 km (the last beyond 50 miles).
    lsoas = lsoa_frame([("L1", "a", 52.1, -1.0), ("L2", "a", 52.2, -1.0), ("L3", "b", 52.5, -1.0), ("L4", "b", 53.0, -1.0)])
    reach = area_reach(lsoas, centres, rule=CampaignRule(threshold_minutes=30), model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    assert list(reach["covered"]) == [True, True, False, False]
    national = reach_summary(reach, by="national").iloc[0]
    assert national["share_within_15_min"] == 0.25 and national["share_within_30_min"] == 0.5
    assert national["share_within_60_min"] == 0.75 and national["share_beyond_50_miles"] == 0.25
    per_la = reach_summary(reach, by="local_authority").set_index("area_code")
    assert per_la.loc["a", "share_covered"] == 1.0 and per_la.loc["b", "share_covered"] == 0.0
    assert per_la.loc["b", "median_supported_minutes"] == pytest.approx(1 + (0.5 + 1.0) / 2 * KM_PER_DEGREE, rel=1e-6)


def test_closure_lists_courts_and_areas_that_lose_cover() -> None:
    centres = centres_frame(
        {"id": "local", "name": "Local", "lat": 52.05, "lon": -1.0, "services": "supported; supervised"},
        {"id": "distant", "name": "Distant", "lat": 53.0, "lon": -1.0, "services": "supported; supervised"},
    )
    lsoas = lsoa_frame([("L1", "a", 52.0, -1.0), ("L2", "b", 53.0, -1.0)])
    impact = closure_impact("local", COURT, centres, lsoas, rule=CampaignRule(threshold_minutes=30),
                            model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    assert impact.courts_losing_rule == 1 and list(impact.courts["court_id"]) == ["court-a"]
    assert impact.courts.loc[0, "extra_minutes"] == pytest.approx(0.95 * KM_PER_DEGREE, rel=1e-6)
    assert impact.lsoas_losing_cover == 1 and list(impact.areas["lsoa_code"]) == ["L1"]
    with pytest.raises(NotFoundError, match="no centre with id 'nowhere'"):
        closure_impact("nowhere", COURT, centres, lsoas, rule=CampaignRule(), model=ONE_PLUS_KM, settlements=SETTLEMENTS)


def test_recommend_picks_the_site_covering_most_then_reports_marginal_gains() -> None:
    courts = courts_frame(("north", 54.0, -1.0), ("south", 51.0, -1.0))
    lsoas = lsoa_frame([("N1", "n", 54.01, -1.0), ("N2", "n", 54.02, -1.0), ("N3", "n", 54.03, -1.0), ("S1", "s", 51.01, -1.0)])
    picks = recommend_sites(courts, centres_frame(), lsoas, sites=3, rule=CampaignRule(threshold_minutes=30),
                            model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    assert list(picks["new_courts_meeting_rule"]) == [1, 1]  # stops when nothing is left to gain
    assert picks.loc[0, "new_lsoas_covered"] == 3 and picks.loc[0, "local_authority_name"] in ("", "N")
    assert list(picks["cumulative_courts_meeting_rule"]) == [1, 2]
    assert picks.loc[1, "cumulative_share_lsoas_covered"] == 1.0


coordinates = st.tuples(st.floats(50.0, 55.5), st.floats(-5.5, 1.5))


def _columns(origins: list[tuple[float, float]], centres: list[tuple[float, float]]) -> tuple[np.ndarray, ...]:
    """lat and lon arrays of origins, then of centres."""
    return tuple(np.array([point[axis] for point in points]) for points in (origins, centres) for axis in (0, 1))


@settings(max_examples=40, deadline=None)
@given(st.lists(coordinates, min_size=1, max_size=25), st.lists(coordinates, min_size=1, max_size=15), coordinates)
def test_nearest_matches_brute_force_and_adding_a_centre_never_lengthens(origins, centres, extra) -> None:
    lat, lon, c_lat, c_lon = _columns(origins, centres)
    index = CentreIndex(c_lat, c_lon, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    result = index.nearest(lat, lon)
    brute = distance_matrix_km(np.column_stack([lon, lat]), np.column_stack([c_lon, c_lat])).min(axis=1)
    assert np.allclose(result.distance_km, brute, atol=1e-6)
    assert (result.distance_km >= 0).all()
    bigger = CentreIndex(np.append(c_lat, extra[0]), np.append(c_lon, extra[1]), model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    assert (bigger.nearest(lat, lon).distance_km <= result.distance_km + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(coordinates, min_size=1, max_size=20), st.lists(coordinates, min_size=1, max_size=12),
       st.floats(5.0, 120.0))
def test_within_counts_match_brute_force(origins, centres, threshold) -> None:
    lat, lon, c_lat, c_lon = _columns(origins, centres)
    index = CentreIndex(c_lat, c_lon, model=ONE_PLUS_KM, settlements=SETTLEMENTS)
    counted = index.nearest(lat, lon, rule=CampaignRule(threshold_minutes=threshold)).within
    minutes = 1 + distance_matrix_km(np.column_stack([lon, lat]), np.column_stack([c_lon, c_lat]))
    assert np.array_equal(counted, (minutes <= threshold).sum(axis=1))


def test_the_reach_radius_is_the_farthest_a_drive_within_the_threshold_can_span() -> None:
    model = load_drive_time_model()
    densities = np.expm1(np.linspace(0.0, model.density_sum_max, 41))

    def fastest_minutes(km: float) -> float:
        minutes = min(float(model.drive_minutes(np.array([km]), origin_lsoa_count=0.0, destination_lsoa_count=d)[0])
                      for d in densities)
        assert model.correction is not None
        return float(model.correction.apply(np.array([minutes]), model.correction.min_log_factor)[0])

    radii = {minutes: reach_radius_km(model, minutes) for minutes in (60.0, 15.0, 45.0, 30.0)}
    for minutes, radius in radii.items():
        assert fastest_minutes(radius - 0.05) <= minutes < fastest_minutes(radius)
    assert radii[15.0] < radii[30.0] < radii[45.0] < radii[60.0]
