"""The Coverage map page (Streamlit AppTest): headline, controls, court selection and tables.

AppTest cannot draw the folium map (it is a custom component); the real map is
checked in ``test_dashboard_browser.py``. Expected figures come from the same
library call the page makes.
"""

from __future__ import annotations

import loaders
import pytest
import shared
from bundled import bundled_public
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.wording import NO_ROAD


def open_page(**query: str) -> AppTest:
    return dashboard_at("coverage_map", **query).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


def test_headline_map_and_tables_show_the_national_analysis(default_page: AppTest) -> None:
    at = default_page
    headline = run_analysis(bundled_public(), CampaignRule()).headline()
    assert not at.exception
    assert at.title[0].value == "Family courts and child contact centres"
    assert metric(at, "Courts meeting the rule") == f"{headline['courts_meeting_rule']} of {headline['courts']}"
    assert metric(at, "Population beyond 50 miles of a supported centre") == (
        f"{headline['share_lsoas_beyond_50_miles_supported']:.1%}")
    assert at.info[0].value.startswith("**Incomplete directory.** This directory holds")
    gaps = run_analysis(bundled_public(), CampaignRule()).gaps()
    # Jersey's nearest suitable centres are across the sea with no car ferry: no journey, so it is worst served.
    # The Isle of Wight's are reached by road and ferry: a journey time, no longer infinite.
    assert gaps["court_id"].iloc[0] == "royal-court-of-jersey"
    assert gaps["worst_minutes"].iloc[0] == float("inf") and gaps["worst_minutes"].iloc[1] < float("inf")
    wight = gaps.set_index("court_id").loc["isle-of-wight-combined-court"]
    assert 70 < wight["worst_minutes"] < 150 and wight["nearest_supported_journey"] == "by road and ferry"
    second = gaps.iloc[1]
    assert any(m.value.startswith(f"1. {gaps['court_name'].iloc[0]}: {NO_ROAD}\n"
                                  f"2. {second['court_name']}: {second['worst_minutes']:.0f} min") for m in at.markdown)
    assert at.radio(key="coverage_view").value == "map" and not at.dataframe
    assert any("Circles: family court centres coloured by the rule" in c.value for c in at.caption)
    assert at.query_params["threshold"] == "30min" and "view" not in at.query_params


def test_the_tables_view_holds_every_court_and_local_authority() -> None:
    at = open_page()
    at.radio(key="coverage_view").set_value("tables").run()
    courts_table, areas_table = (d.value for d in at.dataframe)
    assert len(courts_table) == run_analysis(bundled_public(), CampaignRule()).headline()["courts"] and len(areas_table) == 318
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
    assert metric(at, "Population beyond 50 miles of a supported centre") == "no LSOA data"


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
