"""The Constituencies page (Streamlit AppTest): a shared link opens a constituency, search, table, petition.

AppTest cannot draw the folium hex map (a custom component); what it draws is
checked through :func:`map_layers.hex_features`. Expected figures come from
the same library calls the page makes.
"""

from __future__ import annotations

from pathlib import Path

import map_layers
import pytest
from bundled import bundled_public
from dashboard_pages import dashboard_at
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.constituencies import (
    constituency_coverage,
    constituency_profile,
)
from millis_network.engine.scenario import statutory_network
from millis_network.places import constituency_hexes
from millis_network.sources import HttpSettings
from millis_network.sources.petitions import fetch_petition

RULE = CampaignRule()
PETITION = (Path(__file__).resolve().parent / "data" / "evidence" / "petition_999002.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def table():
    return constituency_coverage(statutory_network(run_analysis(bundled_public(), RULE)))


def open_page(**query: str) -> AppTest:
    return dashboard_at("constituencies", timeout_s=180, **query).run()


def test_a_shared_link_opens_the_constituency_panel(table) -> None:
    at = open_page(constituency="E14001063")
    assert not at.exception
    assert at.title[0].value == "Constituencies"
    assert at.selectbox(key="constituency").value == "E14001063"
    assert at.subheader[0].value == "Aldershot (England, South East)"
    profile = constituency_profile(table, "E14001063", rule=RULE)
    assert any(m.value == f"**{profile.headline}**" for m in at.markdown)
    assert any(m.value == profile.scenario for m in at.markdown)
    assert any("Aldershot Justice Centre" in m.value for m in at.markdown)
    assert at.query_params["constituency"] == "E14001063"
    assert at.info[0].value.startswith("**Incomplete directory.**")
    assert any("mid-2019" in c.value for c in at.caption)
    every = at.dataframe[0].value
    assert len(every) == 575 and "Constituency" in every.columns
    assert every.set_index("Constituency").at["Aldershot", "People"] == round(profile.row["people"])
    assert {b.label for b in at.get("download_button")} >= {
        "Download the table with its provenance (CSV, ZIP)", "Download the table with its provenance (Excel)",
        "Briefing for the MP of Aldershot (PDF)", "Briefing for the MP of Aldershot (HTML)"}


def test_an_unknown_code_in_the_link_opens_no_panel_and_choosing_one_writes_the_link() -> None:
    at = open_page(constituency="S14000083")
    assert not at.exception and at.selectbox(key="constituency").value is None
    assert [s.value for s in at.subheader] == ["Every constituency"]
    at.selectbox(key="constituency").set_value("W07000081").run()
    assert at.query_params["constituency"] == "W07000081"
    assert at.subheader[0].value.startswith("Aberafan Maesteg (Wales")


def test_a_postcode_finds_its_constituency_and_stays_out_of_the_address() -> None:
    at = open_page()
    at.text_input(key="constituency_postcode_text").input("gu11 1aa")
    at.button[0].click().run()
    assert not at.exception
    assert at.selectbox(key="constituency").value == "E14001063"
    assert at.query_params["constituency"] == "E14001063"
    assert all("GU11" not in str(value) for value in at.query_params.values())
    at.text_input(key="constituency_postcode_text").input("EH1 1YZ")
    at.button[0].click().run()
    assert any("outside England and Wales" in w.value for w in at.warning)


def test_the_hex_map_colours_each_constituency_by_its_gap(table) -> None:
    values = table.assign(value=table["supported_share_beyond_threshold"], value_text="x")
    features = map_layers.hex_features(constituency_hexes(), values, value_column="value", scale=map_layers.BEYOND_SCALE)
    assert len(features["features"]) == 575  # Scotland and Northern Ireland hold no LSOAs here
    by_code = {f["properties"]["gss_code"]: f["properties"]["fill"] for f in features["features"]}
    share = float(values.set_index("gss_code").at["E14001063", "value"])
    assert by_code["E14001063"] == map_layers.BEYOND_SCALE.colour(share)
    assert map_layers.BEYOND_SCALE.colours == map_layers.VIRIDIS_5  # colour-blind-safe: lightness rises with the gap


def test_a_stored_petition_shows_signatures_per_10000_people(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table
) -> None:
    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    httpserver.expect_request("/petitions/999002.json").respond_with_data(PETITION, content_type="application/json")
    fetch_petition(999002, base_url=httpserver.url_for("/"), cache_dir=tmp_path, settings=HttpSettings(retries=0))
    httpserver.clear()
    at = open_page(constituency="E14001063")
    at.text_input(key="constituency_petition").input("999002").run()
    assert not at.exception and httpserver.log == []
    people = float(table.set_index("gss_code").at["E14001063", "people"])
    assert any(m.value.startswith(f"**Petition signatures here:** 300, {300 / people * 10_000:.1f} per 10,000 people")
               for m in at.markdown)
    assert any("572 constituencies of England and Wales are not listed by the petition" in c.value for c in at.caption)
    every = at.dataframe[0].value.set_index("Constituency")
    assert every.at["Aldershot", "Petition signatures"] == 300 and every.at["Leeds South", "Petition signatures"] == 0


def test_find_a_centre_names_the_postcodes_constituency_with_a_link_to_it() -> None:
    at = dashboard_at("find_a_centre", timeout_s=180)
    at.run()
    at.text_input(key="postcode").set_value("GU11 1AA")
    at.button[0].click().run()
    assert not at.exception
    links = [link for link in at.get("page_link") if link.proto.label.startswith("Constituency: ")]
    assert [link.proto.label.split(" (")[0] for link in links] == ["Constituency: Aldershot"]
    assert (links[0].proto.page, links[0].proto.query_string) == ("constituencies", "constituency=E14001063")


@pytest.mark.parametrize("text", ["0", "9" * 199, "not a petition"])
def test_a_petition_number_that_is_none_gets_a_message(text: str) -> None:
    at = open_page()
    at.text_input(key="constituency_petition").input(text).run()
    assert not at.exception
    assert any("is not a petition number" in e.value or "No stored copy" in e.value for e in [*at.error, *at.warning])
