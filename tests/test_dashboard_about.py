"""The About the data page (Streamlit AppTest): sources, completeness, samples, method."""

from __future__ import annotations

from bundled import bundled_public
from dashboard_pages import dashboard_at

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.network import DATA_SNAPSHOTS


def test_sources_snapshots_completeness_and_method_are_shown() -> None:
    at = dashboard_at("about").run()
    complete = run_analysis(bundled_public(), CampaignRule()).completeness
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open centres"] == str(complete.open_centres)
    assert metrics["Placed on the map"] == str(complete.placed_open_centres)
    assert metrics["Sample records"] == str(complete.sample_centres)
    text = " ".join(m.value for m in at.markdown)
    assert complete.describe() in text
    assert "held-out MAPE" in text and "great-circle (straight-line)" in text
    assert "# Sources of the bundled data" in text
    assert list(at.dataframe[-1].value["Snapshot"]) == list(DATA_SNAPSHOTS.values())
    assert at.get("download_button")[0].label == "Download the provenance of the current view (JSON)"


def test_the_method_follows_the_rule_in_the_sidebar() -> None:
    at = dashboard_at("about", threshold="50mi").run()
    assert "within 50 miles (straight line)" in " ".join(m.value for m in at.markdown)


def test_needs_checking_and_per_nation_counts_with_their_sources() -> None:
    at = dashboard_at("about").run()
    complete = run_analysis(bundled_public(), CampaignRule()).completeness
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open centres needing checking"] == str(complete.needs_checking) == "123"
    assert metrics["Verified in the last 12 months"] == "0"
    assert complete.describe_checking() in " ".join(m.value for m in at.markdown)
    nations = at.dataframe[0].value.set_index("Nation")
    assert nations.loc["Northern Ireland", "Count the source states"] == 16
    assert nations.loc["Northern Ireland", "Open centres in this directory"] == 9
    assert nations.loc["Wales", "Count the source states"] == 23
    assert nations["Source"].str.contains("cited in the reference compilation").all()
