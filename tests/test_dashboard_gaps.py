"""The Gaps page (Streamlit AppTest): failing courts ranked, filters, downloads."""

from __future__ import annotations

from bundled import bundled_public
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis


def open_page(**query: str) -> AppTest:
    return dashboard_at("gaps", **query).run()


def test_every_failing_court_is_ranked_worst_first() -> None:
    at = open_page()
    analysis = run_analysis(bundled_public(), CampaignRule())
    gaps = analysis.gaps()
    assert not at.exception
    assert at.metric[0].value == f"{len(gaps)} of {len(analysis.court_coverage)}"
    table = at.dataframe[0].value
    assert list(table["Court id"]) == list(gaps["court_id"])
    assert list(table["Rank"]) == list(range(1, len(gaps) + 1))
    assert table["Longest drive to a missing service (min)"].fillna(float("inf")).is_monotonic_decreasing
    assert set(table["Status"]) <= {"supported only", "supervised only", "neither"}
    assert {b.label for b in at.get("download_button")} == {
        "Download this table (CSV)", "Where these numbers come from (JSON)"}
    assert at.info[0].value.startswith("**Incomplete directory.**")


def test_status_and_search_filters_narrow_the_table_and_the_link() -> None:
    at = open_page()
    at.multiselect(key="gap_status").set_value(["supervised only"]).run()
    table = at.dataframe[0].value
    expected = run_analysis(bundled_public(), CampaignRule()).gaps()
    assert len(table) == int((expected["status"] == "supervised only").sum())
    assert set(table["Status"]) == {"supervised only"}
    assert at.query_params["status"] == "supervised only"
    at.multiselect(key="gap_status").set_value(["supported only", "supervised only", "neither"])
    at.text_input(key="gap_search").set_value("truro").run()
    assert list(at.dataframe[0].value["Court"]) == ["Truro Combined Court"]
    assert at.caption[0].value.startswith(f"1 of {len(expected)} failing courts shown")
    assert at.query_params["q"] == "truro" and "status" not in at.query_params


def test_filters_and_rule_come_from_the_link() -> None:
    at = open_page(status="neither", threshold="60min", jurisdiction="Wales")
    wales = run_analysis(bundled_public(), CampaignRule(threshold_minutes=60)).in_jurisdiction("Wales")
    table = at.dataframe[0].value
    assert at.multiselect(key="gap_status").value == ["neither"]
    assert len(table) == int((wales.gaps()["status"] == "neither").sum())
    assert set(table["Jurisdiction"]) <= {"Wales"}
    assert set(table["Rule"]) == {CampaignRule(threshold_minutes=60).describe()}
