"""The Coverage map page (Streamlit AppTest): headline, controls, court selection and tables.

AppTest cannot draw the folium map (it is a custom component); the real map is
checked in ``test_dashboard_browser.py``. Expected figures come from the same
library call the page makes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import loaders
import map_layers
import pytest
import shared
import tables
from bundled import bundled_public
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.coverage import centres_near, people_headline
from millis_network.places import round_people
from millis_network.store.database import database_url, default_database_url
from millis_network.wording import (
    BY_ROAD_AND_FERRY,
    NO_ROAD,
    POPULATION_NOTE,
    centre_drive_text,
    drive_text,
)

#: The court reached only by road and ferry (``network_data/courts/family_court_centres.csv``).
WIGHT = "isle-of-wight-combined-court"


def open_page(**query: str) -> AppTest:
    return dashboard_at("coverage_map", **query).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def folium_script(at: AppTest) -> str:
    """The arguments of the page's one folium map as text (AppTest cannot draw it; the browser test does)."""
    def elements(node: Any) -> Iterator[Any]:
        for child in getattr(node, "children", {}).values():
            yield child
            yield from elements(child)

    (fmap,) = (e for e in elements(at._tree) if getattr(e, "type", "") == "component_instance")
    return json.dumps(json.loads(fmap.proto.json_args))


@pytest.fixture(scope="module")
def default_page(module_dashboard_database: Path) -> AppTest:
    assert default_database_url() == database_url(module_dashboard_database)
    return open_page()


def test_headline_map_and_tables_show_the_national_analysis(default_page: AppTest) -> None:
    at = default_page
    analysis = run_analysis(bundled_public(), CampaignRule())
    headline = analysis.headline()
    assert not at.exception
    assert at.title[0].value == "Family courts and child contact centres"
    assert metric(at, "Courts meeting the rule") == f"{headline['courts_meeting_rule']} of {headline['courts']}"
    assert at.info[0].value.startswith("**Incomplete directory.** This directory holds")
    gaps = analysis.gaps()
    # Jersey's nearest suitable centres are across the sea with no car ferry: no journey, so it is worst served.
    # The Isle of Wight's are reached by road and ferry: a journey time, no longer infinite.
    assert gaps["court_id"].iloc[0] == "royal-court-of-jersey"
    assert gaps["worst_minutes"].iloc[0] == float("inf") and gaps["worst_minutes"].iloc[1] < float("inf")
    wight = gaps.set_index("court_id").loc[WIGHT]
    assert 70 < wight["worst_minutes"] < 150 and wight["worst_journey"] == BY_ROAD_AND_FERRY
    # Wherever the Isle of Wight's longest journey is written (this list, the Gaps page's table) it says how.
    assert drive_text(wight["worst_minutes"], wight["worst_journey"]) == (
        f"{wight['worst_minutes']:.0f} min {BY_ROAD_AND_FERRY}")
    ranked = tables.gaps(gaps).set_index("Court id")
    assert ranked.at[WIGHT, "Longest drive: journey"] == BY_ROAD_AND_FERRY
    assert ranked.at[WIGHT, "Longest drive to a missing service (min)"] == round(wight["worst_minutes"])
    expected = "\n".join(f"{i}. {row.court_name}: {drive_text(row.worst_minutes, row.worst_journey)}"
                         for i, row in enumerate(gaps.head(3).itertuples(), 1))
    assert expected.startswith(f"1. {gaps['court_name'].iloc[0]}: {NO_ROAD}\n2. {gaps['court_name'].iloc[1]}: ")
    assert any(m.value == expected for m in at.markdown)
    assert at.radio(key="coverage_view").value == "map" and not at.dataframe
    assert any("Circles: family court centres coloured by the rule" in c.value for c in at.caption)
    assert at.query_params["threshold"] == "30min" and "view" not in at.query_params


def test_the_headline_counts_people_beside_lsoas(default_page: AppTest) -> None:
    at = default_page
    analysis = run_analysis(bundled_public(), CampaignRule())
    headline = analysis.headline()
    national = analysis.summary(service="supported").iloc[0]
    # The headline's people agree with the library's reach summary and its one people sentence.
    assert headline["people"] == national["people"] > 0
    assert headline["people_beyond_50_miles_supported"] == national["people_beyond_50_miles"]
    assert headline["people_headline"] == people_headline(analysis.area_reach, analysis.rule)
    beyond = headline["people_beyond_threshold_supported"]
    assert 0 < beyond < headline["people"]
    assert headline["people_share_beyond_threshold_supported"] == pytest.approx(beyond / headline["people"])
    assert any(m.value == f"**{headline['people_headline']}** By neighbourhood: "
                          f"{headline['share_lsoas_beyond_threshold_supported']:.1%} of LSOAs." for m in at.markdown)
    assert metric(at, "People beyond 50 miles of a supported centre") == (
        f"{round_people(headline['people_beyond_50_miles_supported'])} "
        f"({headline['people_share_beyond_50_miles_supported']:.1%})")
    assert any(c.value == f"{headline['share_lsoas_beyond_50_miles_supported']:.1%} of LSOAs. {POPULATION_NOTE}"
               for c in at.caption)


def test_court_markers_label_the_isle_of_wight_journey_by_road_and_ferry(default_page: AppTest) -> None:
    coverage = run_analysis(bundled_public(), CampaignRule()).court_coverage.set_index("court_id")
    wight = coverage.loc[WIGHT]
    assert wight["nearest_supported_journey"] == wight["nearest_supervised_journey"] == BY_ROAD_AND_FERRY
    tooltip = map_layers.court_tooltip(wight)
    assert tooltip == (
        f"{wight['court_name']} ({wight['status']}); "
        f"nearest supported: {wight['nearest_supported_minutes']:.0f} min {BY_ROAD_AND_FERRY}; "
        f"nearest supervised: {wight['nearest_supervised_minutes']:.0f} min {BY_ROAD_AND_FERRY}")
    assert json.dumps(tooltip)[1:-1] in folium_script(default_page)
    mainland = coverage.loc["truro-county-court-and-family-court"]
    assert f"nearest supported: {mainland['nearest_supported_minutes']:.0f} min;" in map_layers.court_tooltip(mainland)


def test_the_tables_view_holds_every_court_and_local_authority() -> None:
    at = open_page()
    at.radio(key="coverage_view").set_value("tables").run()
    courts_table, areas_table = (d.value for d in at.dataframe)
    analysis = run_analysis(bundled_public(), CampaignRule())
    assert len(courts_table) == analysis.headline()["courts"] and len(areas_table) == 318
    shown = courts_table.set_index("Court")
    expected = analysis.court_coverage.set_index("court_name").loc[shown.index]
    for service in ("supported", "supervised"):
        assert list(shown[f"{service.capitalize()} journey"]) == list(expected[f"nearest_{service}_journey"])
    isle = shown.loc[analysis.court_coverage.set_index("court_id").at[WIGHT, "court_name"]]
    assert isle["Supported journey"] == isle["Supervised journey"] == BY_ROAD_AND_FERRY
    assert math.isfinite(isle["Supported drive (min)"])
    summary = analysis.summary(service="supported", by="local_authority").set_index("area_code")
    areas = areas_table.set_index("Code")
    assert (areas["People"] == summary.loc[areas.index, "people"].round(0)).all()
    assert (areas["Beyond 50 miles (people)"] == summary.loc[areas.index, "people_beyond_50_miles"].round(0)).all()
    assert (areas["Within 30 min (share of people)"]
            == summary.loc[areas.index, "people_share_within_30_min"].round(3)).all()
    assert any(POPULATION_NOTE in c.value for c in at.caption)
    assert not any("Circles: family court centres" in c.value for c in at.caption)
    assert at.query_params["view"] == "tables"
    at.radio(key="coverage_view").set_value("map").run()
    assert not at.dataframe and "view" not in at.query_params


def test_a_new_visitor_gets_the_settings_the_server_prepares() -> None:
    # dashboard/serve.py fills the caches under shared.default_settings() before anyone asks.
    at = open_page()
    settings = shared.default_settings()
    assert {key: at.session_state[key] for key in settings} == settings
    assert shared.rule_for(settings) == CampaignRule() and shared.jurisdiction_for(settings) == ""


def test_a_wider_threshold_counts_more_courts(default_page: AppTest) -> None:
    at = default_page
    at.sidebar.selectbox(key="sidebar_threshold").set_value("60min").run()
    headline = run_analysis(bundled_public(), CampaignRule(threshold_minutes=60)).headline()
    assert metric(at, "Courts meeting the rule") == f"{headline['courts_meeting_rule']} of {headline['courts']}"
    assert headline["courts_meeting_rule"] > run_analysis(bundled_public(), CampaignRule()).headline()["courts_meeting_rule"]
    assert "within 60 min (estimated drive)" in at.markdown[0].value
    assert at.query_params["threshold"] == "60min"


def test_jurisdiction_limits_courts_and_areas() -> None:
    at = open_page(jurisdiction="Wales", view="tables")
    wales = run_analysis(bundled_public(), CampaignRule()).in_jurisdiction("Wales").headline()
    assert metric(at, "Courts meeting the rule") == f"{wales['courts_meeting_rule']} of {wales['courts']}"
    courts_table, areas_table = (d.value for d in at.dataframe)
    assert set(courts_table["Jurisdiction"]) == {"Wales"} and len(areas_table) == 22
    at.sidebar.selectbox(key="sidebar_jurisdiction").set_value("Jersey").run()
    assert not at.exception
    jersey = run_analysis(bundled_public(), CampaignRule()).in_jurisdiction("Jersey").headline()
    assert metric(at, "Courts meeting the rule") == f"{jersey['courts_meeting_rule']} of 1"
    assert metric(at, "People beyond 50 miles of a supported centre") == "no LSOA data"
    assert jersey["people_headline"] == "" and not any("live more than" in m.value for m in at.markdown)


def test_service_switches_the_drive_time_layer_and_tables() -> None:
    at = open_page(service="supervised", view="tables")
    areas_table = at.dataframe[1].value
    assert "Median drive to supervised (min)" in areas_table.columns
    assert any("nearest supervised centre" in c.value for c in at.caption)


def test_a_court_in_the_link_shows_its_nearest_centres() -> None:
    at = open_page(court="truro-county-court-and-family-court", threshold="15min")
    assert not at.exception
    assert at.main.selectbox[0].value == "truro-county-court-and-family-court"
    status = run_analysis(bundled_public(), CampaignRule(threshold_minutes=15)).court_coverage.set_index("court_id").at[
        "truro-county-court-and-family-court", "status"]
    assert any(m.value.startswith(f"**Truro Combined Court**, Truro TR1 2PB: **{status}**") for m in at.markdown)
    supported, supervised = (d.value for d in at.dataframe[:2])
    assert len(supported) == len(supervised) == 5
    assert supported["Miles"].is_monotonic_increasing
    assert at.query_params["court"] == "truro-county-court-and-family-court"


def test_the_isle_of_wight_court_shows_its_nearest_centres_by_road_and_ferry() -> None:
    at = open_page(court=WIGHT)
    assert not at.exception
    analysis = run_analysis(bundled_public(), CampaignRule())
    court = analysis.court_coverage.set_index("court_id").loc[WIGHT]
    for kind, table in zip(("supported", "supervised"), at.dataframe[:2], strict=True):
        near = centres_near(court["lat"], court["lon"], analysis.centres, rule=analysis.rule, service=kind, n=5,
                            jurisdiction=court["jurisdiction"], model=analysis.network.model,
                            settlements=analysis.network.settlements)
        expected = [centre_drive_text(m, j) for m, j in zip(near["drive_minutes"], near["journey"], strict=True)]
        assert table.value["Drive (est.)"].tolist() == expected
        assert (near["journey"] == BY_ROAD_AND_FERRY).any()
        assert any(text.endswith(f"min {BY_ROAD_AND_FERRY}") for text in expected)


def test_an_unknown_court_in_the_link_is_ignored() -> None:
    at = open_page(court="no-such-court")
    assert not at.exception
    assert at.main.selectbox[0].value is None
    assert "court" not in at.query_params


def test_sample_and_accreditation_switches_change_the_rule() -> None:
    at = open_page()
    at.sidebar.toggle(key="sidebar_accredited").set_value(True).run()
    at.sidebar.toggle(key="sidebar_sample").set_value(True).run()
    assert "NACCC-accredited centres, sample records included" in at.markdown[0].value
    accredited = run_analysis(bundled_public(), CampaignRule(accreditation="accredited", include_sample=True)).headline()
    assert metric(at, "Courts meeting the rule") == f"{accredited['courts_meeting_rule']} of {accredited['courts']}"
    assert at.query_params["accredited"] == "yes" and at.query_params["sample"] == "yes"


def test_a_court_sharing_its_building_names_the_other_court() -> None:
    courts = run_analysis(bundled_public(), CampaignRule()).court_coverage
    gateshead = courts[courts["postcode"] == "NE8 1DT"].sort_values("court_name")
    at = open_page(court=gateshead["court_id"].iloc[0])
    assert any(c.value.startswith(f"Same building, same point on the map: {gateshead['court_name'].iloc[1]}.")
               for c in at.caption)
    at = open_page(court="truro-county-court-and-family-court")
    assert not any(c.value.startswith("Same building") for c in at.caption)


def test_the_dashboard_shows_withheld_addresses_only_at_district_level() -> None:
    centres = loaders.analysis(CampaignRule()).centres
    withheld = centres[centres["address_withheld"] == "yes"]
    assert len(withheld) and (withheld["notes"] == "").all()
    assert withheld["location_precision"].isin(["district", "none"]).all()
