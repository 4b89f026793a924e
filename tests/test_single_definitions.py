"""One definition per concept, hand-checked: the court serving an area, and *within reach*.

The court serving an area is the nearest family court centre in the area's
own nation (``serving_courts``), used alike by information sheets and briefing
catchments. A centre is *within reach* when its journey is within the rule's
threshold (``within_reach``), and a court and an LSOA at the same spot count
the same centres, not only the nearest one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hand_checked import KM_PER_DEGREE

from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_COLUMNS, check_centres
from millis_network.drive_model import DriveTimeModel, SettlementIndex
from millis_network.engine.coverage import area_reach, court_coverage, serving_court, serving_courts
from millis_network.evidence.briefings import serving_court_ids
from millis_network.evidence.information_sheet import information_sheet


def courts(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"id": court_id, "name": court_id, "jurisdiction": nation, "lat": lat, "lon": lon, "town": "", "postcode": ""}
         for court_id, nation, lat, lon in rows]
    )


def test_the_court_serving_a_point_is_the_nearest_in_its_own_nation() -> None:
    # A point in England 0.2° from a Welsh court and 0.3° from an English one (along a meridian):
    # the Welsh court is nearer in a straight line, the English court serves it.
    two = courts(("welsh-court", "Wales", 51.2, -3.0), ("english-court", "England", 51.7, -3.0))
    lat, lon = np.array([51.4, 51.4]), np.array([-3.0, -3.0])
    assert serving_courts(lat, lon, np.array(["England", "Wales"]), two).tolist() == [1, 0]
    row = serving_court(51.4, -3.0, two, nation="England")
    assert row["id"] == "english-court"
    assert row["distance_km"] == pytest.approx(0.3 * KM_PER_DEGREE)


def test_a_point_whose_nation_has_no_court_is_served_by_the_nearest_anywhere() -> None:
    two = courts(("welsh-court", "Wales", 51.2, -3.0), ("english-court", "England", 51.7, -3.0))
    assert serving_courts(np.array([51.4]), np.array([-3.0]), np.array(["Scotland"]), two).tolist() == [0]


def test_weston_super_mare_is_served_by_an_english_court_on_the_sheet_and_in_briefings() -> None:
    network = bundled_public()
    sheet = information_sheet("BS23 1UJ", network, service="supported", rule=CampaignRule())
    assert "Cardiff" not in sheet.court_name
    weston = network.lsoas[network.lsoas["lsoa_name"].str.startswith("North Somerset")]
    served = set(serving_court_ids(network.courts, weston))
    by_id = network.courts.set_index("id")
    assert {by_id.at[court, "jurisdiction"] for court in served} == {"England"}
    assert sheet.court_name in {by_id.at[court, "name"] for court in served}


#: minutes = (1 + km) · exp(-0.5 · s), s = ln(1 + LSOAs near the origin) + ln(1 + LSOAs near the destination).
DENSITY_HELPS = DriveTimeModel(
    intercept=0.0, linear=1.0, knots_x=(1.0, 2.0, 3.0), cubic=(0.0, 0.0, 0.0), density=(-0.5, 0.0),
    density_radius_km=1.0, density_sum_max=10.0, holdout_mape_percent=0.0,
)


def centre(centre_id: str, lon: float) -> dict[str, object]:
    row: dict[str, object] = {column: "" for column in CENTRE_COLUMNS}
    row.update(id=centre_id, name=centre_id, jurisdiction="England", location_precision="postcode", lat=51.0,
               lon=lon, services="supported; supervised", accreditation="not stated", address_withheld="no",
               status="open", sample="no", source_urls="https://example.org/")
    return row


def test_a_farther_centre_within_reach_counts_for_an_lsoa_as_for_a_court() -> None:
    # From (51.0, 0.0): A is 0.1° of longitude east in empty country, B 0.15° east beside 7 LSOA centroids.
    east_km = KM_PER_DEGREE * math.cos(math.radians(51.0))
    settlements = SettlementIndex.from_lonlat([0.15] * 7, [51.0] * 7)
    minutes_a = 1 + 0.1 * east_km
    minutes_b = (1 + 0.15 * east_km) * math.exp(-0.5 * math.log(8))
    assert minutes_a > 6 > minutes_b  # the nearest is out of reach at 6 minutes; the farther one is within it
    centres = check_centres(pd.DataFrame([centre("a-nearest", 0.1), centre("b-farther", 0.15)]))
    rule = CampaignRule(threshold_minutes=6)
    place = {"lat": [51.0], "lon": [0.0]}
    reach = area_reach(
        pd.DataFrame(place | {"lsoa_code": ["E01000001"], "lsoa_name": ["test"], "local_authority_code": ["E06000001"],
                              "local_authority_name": ["test"], "nation": ["England"]}),
        centres, rule=rule, model=DENSITY_HELPS, settlements=settlements,
    ).iloc[0]
    court = court_coverage(
        pd.DataFrame(place | {"id": ["test-court"], "name": ["Test"], "jurisdiction": ["England"], "town": [""],
                              "postcode": [""], "children_spoe": [False]}),
        centres, rule=rule, model=DENSITY_HELPS, settlements=settlements,
    ).iloc[0]
    assert reach["nearest_supported_id"] == court["nearest_supported_id"] == "a-nearest"
    assert reach["nearest_supported_minutes"] == pytest.approx(minutes_a)
    assert court["supported_within"] == court["supervised_within"] == 1
    assert court["meets_rule"] and reach["covered"]
