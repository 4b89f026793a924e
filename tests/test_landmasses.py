"""No drive across the sea: landmasses of places, journeys by road and ferry, and what coverage makes of them."""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from bundled import bundled_public

from millis_network.config import CampaignRule
from millis_network.directory import contact_centres, family_court_centres
from millis_network.drive_model import load_drive_time_model
from millis_network.engine.analysis import run_analysis
from millis_network.engine.coverage import (
    centre_index,
    centres_near,
    court_coverage,
    suitable_centres,
)
from millis_network.landmasses import (
    GREAT_BRITAIN,
    landmass_names,
    landmasses,
    landmasses_of,
)

ISLE_OF_WIGHT_COURT = "isle-of-wight-combined-court"
PORTSMOUTH_CENTRE = "roberts-centre-child-contact-service"
WIDE = CampaignRule(threshold_minutes=45)


def test_places_get_the_landmass_their_facts_say() -> None:
    courts = family_court_centres().set_index("id")
    wight = courts.loc[ISLE_OF_WIGHT_COURT]
    lymington = (50.7583, -1.5421)  # mainland, across the narrowest part of the Solent from the island
    found = landmass_names(landmasses(
        [wight["lat"], lymington[0], 51.5, 54.6, 49.9],
        [wight["lon"], lymington[1], -0.1, -5.9, -6.3],
        jurisdiction=["England", "", "England", "Northern Ireland", ""],
        local_authority_code=["", "", "", "", "E06000053"],
    ))
    assert found == ["Isle of Wight", GREAT_BRITAIN, GREAT_BRITAIN, "Ireland", "Isles of Scilly"]
    assert landmass_names(landmasses_of(courts.loc[["royal-court-of-jersey"]])) == ["Jersey"]


def test_the_bundled_centres_and_courts_sit_where_their_jurisdictions_say() -> None:
    centres = contact_centres()
    placed = centres[centres["lat"].notna()]
    by_centre = dict(zip(placed["id"], landmass_names(landmasses_of(placed))))
    assert by_centre["centrepoint-child-contact-centre-jersey"] == "Jersey"
    assert {by_centre[i] for i in placed.loc[placed["jurisdiction"] == "Northern Ireland", "id"]} == {"Ireland"}
    courts = family_court_centres()
    assert sorted(set(landmass_names(landmasses_of(courts)))) == ["Great Britain", "Isle of Wight", "Jersey"]


def test_a_centre_across_the_solent_is_reached_by_road_and_ferry_never_by_road() -> None:
    courts = family_court_centres()
    centres = contact_centres()
    wight = courts[courts["id"] == ISLE_OF_WIGHT_COURT]
    coverage = court_coverage(wight, centres, rule=WIDE).iloc[0]
    assert coverage["nearest_supported_id"] == PORTSMOUTH_CENTRE
    # A crossing takes at least 40 minutes plus 30 of check-in: never within 45 minutes.
    assert 70 < coverage["nearest_supported_minutes"] < 150 and coverage["supported_within"] == 0
    assert coverage["status"] == "neither"
    # Ignoring the sea, the same centre would count: the straight drive estimate is well under 45 minutes.
    chosen = suitable_centres(centres, rule=WIDE, service="supported").reset_index(drop=True)
    model = load_drive_time_model()
    index = centre_index(chosen, model=model)
    lat, lon = wight["lat"].to_numpy(dtype=float), wight["lon"].to_numpy(dtype=float)
    assert index.within_pairs(lat, lon, rule=WIDE).sum() > 0
    assert index.within_pairs(lat, lon, rule=WIDE, origin_landmass=landmasses_of(wight)).sum() == 0
    # Within two hours by road and ferry it counts, unless the rule leaves ferry journeys out.
    two_hours = CampaignRule(threshold_minutes=120)
    assert index.within_pairs(lat, lon, rule=two_hours, origin_landmass=landmasses_of(wight)).sum() > 0
    no_ferries = CampaignRule(threshold_minutes=120, count_ferry_journeys=False)
    assert index.within_pairs(lat, lon, rule=no_ferries, origin_landmass=landmasses_of(wight)).sum() == 0
    # Without the ferry data, the island has no journey to the mainland at all.
    stranded = court_coverage(wight, centres, rule=WIDE, model=model.with_ferries(None)).iloc[0]
    assert math.isnan(stranded["nearest_supported_minutes"])


def test_a_straight_line_rule_still_measures_across_the_sea() -> None:
    courts = family_court_centres()
    wight = courts[courts["id"] == ISLE_OF_WIGHT_COURT]
    coverage = court_coverage(wight, contact_centres(), rule=CampaignRule(threshold_miles=50)).iloc[0]
    assert coverage["supported_within"] > 0 and coverage["nearest_supported_km"] < 50 * 1.609344


def test_island_neighbourhoods_have_journeys_by_road_and_ferry_to_mainland_centres() -> None:
    reach = run_analysis(bundled_public(), WIDE).area_reach
    wight = reach[reach["local_authority_name"] == "Isle of Wight"]
    assert len(wight) == 89
    assert (wight["nearest_supported_minutes"] > 70).all() and not wight["covered"].any()
    mainland = reach[reach["local_authority_name"] == "Portsmouth"]
    assert mainland["nearest_supported_minutes"].notna().all() and mainland["covered"].any()
    two_hours = run_analysis(bundled_public(), CampaignRule(threshold_minutes=150)).area_reach
    assert two_hours.loc[two_hours["local_authority_name"] == "Isle of Wight", "covered"].any()
    left_out = run_analysis(bundled_public(), CampaignRule(threshold_minutes=150, count_ferry_journeys=False)).area_reach
    assert not left_out.loc[left_out["local_authority_name"] == "Isle of Wight", "covered"].any()


def test_a_family_on_the_island_sees_the_mainland_centre_by_road_and_ferry() -> None:
    courts = family_court_centres().set_index("id")
    wight = courts.loc[ISLE_OF_WIGHT_COURT]
    near = centres_near(wight["lat"], wight["lon"], contact_centres(), rule=WIDE, service="supported", n=3)
    assert near["id"].iloc[0] == PORTSMOUTH_CENTRE
    assert (near["journey"] == "by road and ferry").all() and (near["drive_minutes"] > 70).all()
    assert not near["within_threshold"].any()
    portsmouth = contact_centres().set_index("id").loc[PORTSMOUTH_CENTRE]
    ashore = centres_near(portsmouth["lat"] + 0.01, portsmouth["lon"], contact_centres(), rule=WIDE,
                          service="supported", n=1)
    assert np.isfinite(ashore["drive_minutes"].iloc[0]) and bool(ashore["within_threshold"].iloc[0])
    assert ashore["journey"].iloc[0] == "by road"


def test_jersey_has_no_road_or_ferry_link_in_the_data() -> None:
    courts = family_court_centres().set_index("id")
    jersey = courts.loc["royal-court-of-jersey"]
    near = centres_near(jersey["lat"], jersey["lon"], contact_centres(), rule=WIDE, service="supported", n=8,
                        jurisdiction="Jersey")
    ashore = near[near["journey"] != "by road"]
    assert len(ashore) > 0 and ashore["drive_minutes"].isna().all()
    assert (ashore["journey"] == "across the sea (no road)").all()


def test_places_are_put_on_the_same_landmass_from_many_threads_at_once() -> None:
    # The dashboard runs each script run on a new thread, several at a time: every thread must get the
    # answer one thread gets, the Isle of Wight and the Isles of Scilly found by their boundaries.
    courts = family_court_centres()
    centres = contact_centres()
    places = {"courts": courts, "centres": centres}
    expected = {name: landmasses_of(frame) for name, frame in places.items()}
    assert {"Isle of Wight", GREAT_BRITAIN} <= set(landmass_names(expected["courts"]))
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda item: (item[0], landmasses_of(item[1])), list(places.items()) * 8))
    assert all(np.array_equal(codes, expected[name]) for name, codes in found)


def _isle_of_wight_court_landmass() -> list[str]:
    courts = family_court_centres()
    return landmass_names(landmasses_of(courts[courts["id"] == ISLE_OF_WIGHT_COURT]))


def test_a_process_forked_after_use_still_places_points() -> None:
    # The transforms run on one long-lived thread, which a forked child does not inherit: it needs its own.
    assert _isle_of_wight_court_landmass() == ["Isle of Wight"]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_isle_of_wight_court_landmass).get(timeout=60) == ["Isle of Wight"]
