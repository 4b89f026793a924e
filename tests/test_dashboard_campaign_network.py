"""The dashboard's "The campaign's network" page (Streamlit AppTest): scenario, coverage over time, Jersey."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import map_layers
import pytest
from bundled import bundled_public
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import FAR_MILES, CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.history import lost_since
from millis_network.engine.scenario import (
    readable_people_comparison,
    statutory_network,
    statutory_network_summary,
)
from millis_network.places import format_people, round_people
from millis_network.store.database import database_url, default_database_url
from millis_network.wording import POPULATION_NOTE


@pytest.fixture(scope="module")
def page(module_dashboard_database: Path) -> AppTest:
    assert default_database_url() == database_url(module_dashboard_database)
    return dashboard_at("campaign_network", timeout_s=120).run()


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    """The library's figures for the page's default view (the statutory network at every court)."""
    return statutory_network_summary(statutory_network(run_analysis(bundled_public(), CampaignRule())))


def table_with(at: AppTest, column: str) -> Any:
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _elements(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _elements(child)


def folium_script(at: AppTest) -> str:
    """The script of the page's one folium map (AppTest cannot draw it; the browser test does)."""
    (fmap,) = (e for e in _elements(at._tree) if getattr(e, "type", "") == "component_instance")
    assert fmap.proto.component_name == "streamlit_folium.st_folium"
    return str(json.loads(fmap.proto.json_args)["script"])


def test_scenario_headline_and_side_by_side_table(page: AppTest) -> None:
    assert not page.exception
    assert page.title[0].value == "The campaign's network"
    headline = page.markdown[1].value
    assert headline.startswith("**If every family court centre had a supported and a supervised contact venue")
    assert "today, from the centres in this directory, it is" in headline
    shown = metrics(page)
    assert shown["Courts meeting the rule"].startswith("167 vs ")
    table = page.dataframe[0].value
    assert list(table["Network"][:3]) == [
        "statutory network (scenario)",
        "centres in this directory today: supported",
        "centres in this directory today: supervised",
    ]
    assert any(info.value.startswith("**Incomplete directory.**") for info in page.info)
    assert any(caption.value.startswith("Method: Venues placed at each court") for caption in page.caption)
    script = folium_script(page)
    assert "Gap: statutory network minus this directory, within 30 min" in script
    assert "deck" not in script.lower() and "webgl" not in script.lower()


def test_the_scenario_counts_people_beside_lsoas(page: AppTest, summary: dict[str, Any]) -> None:
    national, far = summary["national"], summary["beyond_50_miles"]
    assert national["scenario"]["people_share_covered"] > national["directory_people_share_covered"]
    shown = metrics(page)
    assert shown["Both services within reach: statutory network"] == (
        f"{round_people(national['scenario']['people_covered'])} ({national['scenario']['people_share_covered']:.1%})")
    assert shown["Both services within reach: centres in this directory today"] == (
        f"{round_people(national['directory_people_covered'])} ({national['directory_people_share_covered']:.1%})")
    assert shown[f"People still beyond {FAR_MILES:g} miles"] == (
        f"{round_people(far['people'])} ({far['share_people']:.1%})")
    captions = [c.value for c in page.caption]
    assert f"{national['scenario']['covered']:.1%} of LSOAs" in captions
    assert f"{national['directory_covered']:.1%} of LSOAs" in captions
    assert f"{far['lsoas']:,} LSOAs ({far['share_lsoas']:.1%})" in captions
    assert POPULATION_NOTE in captions
    assert any(m.value == summary["headline_beyond"] for m in page.markdown)
    people = table_with(page, "People")
    expected = readable_people_comparison(summary).round(0)
    assert list(people["Network"]) == list(expected["network"])
    assert list(people["Within 30 min"]) == list(expected["within_30_min"])
    assert list(people[f"Over {FAR_MILES:g} miles"]) == list(expected["beyond_50_miles"])
    beyond = table_with(page, "People beyond")
    assert list(beyond["People beyond"]) == [round(row["people_beyond"]) for row in far["local_authorities"]]
    assert beyond["People beyond"].sum() == pytest.approx(far["people"], abs=len(beyond))


def test_spoe_variant_changes_the_figures(page: AppTest) -> None:
    before = metrics(page)["Courts meeting the rule"]
    page.radio(key="variant").set_value("spoe").run()
    assert not page.exception
    assert page.markdown[1].value.startswith("**If every single point of entry family court had")
    assert metrics(page)["Courts meeting the rule"] != before
    page.radio(key="variant").set_value("all").run()


def test_map_view_and_band_are_described(page: AppTest) -> None:
    page.radio(key="map_view").set_value("directory").run()
    page.select_slider(key="band").set_value(45).run()
    assert not page.exception
    assert any(c.value.startswith("Centres in this directory today, supported contact, within 45 minutes")
               for c in page.caption)
    script = folium_script(page)
    assert "Centres in this directory today, within 45 min" in script
    assert all(json.dumps(label)[1:-1] in script for label in map_layers.SHARE_SCALE.labels)


def test_lost_since_lists_courts_and_closures(page: AppTest) -> None:
    page.selectbox(key="lost_since").set_value("2019").run()
    assert not page.exception
    courts = table_with(page, "Service lost")
    assert "Royal Court of Jersey" in set(courts["Court"])
    closures = table_with(page, "Closed by")
    assert "Milli's Child Contact Centre" in set(closures["Centre"])
    assert any("presumed open" in caption.value for caption in page.caption)
    network = bundled_public()
    counts = lost_since(network.courts, network.centres, network.lsoas, start="2019", rule=CampaignRule(),
                        model=network.model, settlements=network.settlements).summary()
    assert any(f"**{format_people(counts['people_lost_supported'])}** ({counts['lsoas_lost_supported']:,} LSOAs) lost"
               in m.value for m in page.markdown)


def test_timeline_for_a_local_authority(page: AppTest) -> None:
    page.radio(key="timeline_kind").set_value("area").run()
    page.selectbox(key="timeline_area").set_value("E06000014").run()
    assert not page.exception
    assert any(c.value.startswith("Centres within reach of York") for c in page.caption)
    page.radio(key="timeline_kind").set_value("court").run()


def test_jersey_transition_with_sources(page: AppTest) -> None:
    lineage = next(frame.value for frame in page.dataframe if "Organisation" in frame.value.columns)
    assert list(lineage["Centre"]) == ["Milli's Child Contact Centre", "Centrepoint child contact centre (Jersey)"]
    assert lineage["Sources"].str.contains("wq.5-2023").all()
    history = next(frame.value for frame in page.dataframe if list(frame.value.columns) == ["Date", "Event", "Source"])
    assert list(history["Date"])[-1] == "2023-07"
    reach = next(m.value for m in page.markdown if m.value.startswith("**Reach from the Royal Court of Jersey**"))
    assert "2023-01: closed (by this date)" in reach
