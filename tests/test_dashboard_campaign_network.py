"""The dashboard's "The campaign's network" page (Streamlit AppTest): scenario, coverage over time, Jersey."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import map_layers
import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest


@pytest.fixture(scope="module")
def page() -> AppTest:
    return dashboard_at("campaign_network", timeout_s=120).run()


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
    scenario_share = float(shown["Both services within reach: statutory network"].rstrip("%"))
    directory_share = float(shown["Both services within reach: centres in this directory today"].rstrip("%"))
    assert scenario_share > directory_share
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
    courts = page.dataframe[3].value
    assert "Royal Court of Jersey" in set(courts["Court"])
    closures = page.dataframe[4].value
    assert "Milli's Child Contact Centre" in set(closures["Centre"])
    assert any("presumed open" in caption.value for caption in page.caption)


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
