"""The dashboard's maps (dashboard/map_layers.py): what is drawn, and that it needs no network."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import dashboard_pages  # noqa: F401  (first: it puts dashboard/ on sys.path)
import folium
import geopandas as gpd
import map_layers
import pandas as pd
import pytest
from bundled import bundled_public
from streamlit_folium import _get_map_string

from millis_network._geo import WGS84
from millis_network.config import CampaignRule
from millis_network.directory import read_centres
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.coverage import COURT_STATUSES
from millis_network.engine.scenario import (
    comparison_map_frame,
    format_share,
    statutory_network,
)
from millis_network.places import local_authority_boundaries
from millis_network.wording import NO_ROAD

CENTRES = Path(__file__).resolve().parent / "data" / "information_sheet" / "centres.csv"


@pytest.fixture(scope="module")
def national() -> Analysis:
    return run_analysis(bundled_public(), CampaignRule())


@pytest.fixture(scope="module")
def areas() -> dict:
    return map_layers.simplified_areas(local_authority_boundaries())


@pytest.fixture(scope="module")
def fmap(national: Analysis, areas: dict) -> folium.Map:
    return map_layers.coverage_map(
        map_layers.drawable_centres(national.centres, include_sample=False),
        map_layers.coverage_areas(
            map_layers.area_features(areas, national.summary(by="local_authority"), service="supported")),
        service="supported",
        bounds=map_layers.bounds_of(national.court_coverage),
    )


def test_every_court_is_drawn_once_in_its_status_layer(national: Analysis) -> None:
    counts = national.court_coverage["status"].value_counts()
    layers = map_layers.court_layers(national.court_coverage)
    assert [layer.layer_name for layer in layers] == [f"Family courts: {s} ({counts[s]})" for s in COURT_STATUSES]
    points = [len(child.data["features"]) for layer in layers for child in layer._children.values()]
    assert sum(points) == len(national.court_coverage)


def test_a_status_with_no_court_gets_no_layer(national: Analysis) -> None:
    jersey = national.court_coverage[national.court_coverage["jurisdiction"] == "Jersey"]
    assert [layer.layer_name for layer in map_layers.court_layers(jersey)] == ["Family courts: neither (1)"]


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def test_the_map_loads_nothing_from_the_internet_but_optional_tiles(fmap: folium.Map) -> None:
    links = [url for element in _walk(fmap) for _, url in getattr(element, "default_js", []) + getattr(element, "default_css", [])]
    assert links and all(url.startswith(("../map_layers.leaflet/", "../map_layers.leaflet_markercluster/")) for url in links)
    script = _get_map_string(fmap)
    assert set(re.findall(r"https?://[^\"'\s)\\]+", script)) == {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",  # the optional street map
        "https://www.openstreetmap.org/copyright",  # its attribution link
    }
    assert len(script.encode()) < 3_000_000


def test_local_authority_areas_are_simplified_but_all_present(areas: dict) -> None:
    assert len(areas["features"]) == 318
    assert len(json.dumps(areas)) < 600_000
    assert all(feature["geometry"]["coordinates"] for feature in areas["features"])


def test_area_features_colour_each_district_by_its_median_drive(areas: dict) -> None:
    codes = [f["properties"]["local_authority_code"] for f in areas["features"]][:3]
    summary = pd.DataFrame({"area_code": codes, "median_supported_minutes": [10.0, 50.0, math.inf]})
    features = map_layers.area_features(areas, summary, service="supported")["features"]
    assert [f["properties"]["local_authority_code"] for f in features] == codes
    assert [f["properties"]["fill"] for f in features] == [
        map_layers.REACH_COLOURS["up to 15 min"],
        map_layers.REACH_COLOURS["45–60 min"],
        map_layers.REACH_COLOURS[NO_ROAD],
    ]
    assert features[1]["properties"]["median_drive"] == "50 min (45–60 min)"


@pytest.mark.parametrize("rule", [CampaignRule(threshold_minutes=15.0), CampaignRule(threshold_minutes=60.0),
                                  CampaignRule(threshold_miles=50.0),
                                  CampaignRule(threshold_minutes=45.0, accreditation="accredited")])
def test_the_drive_layer_is_the_same_under_every_threshold(national: Analysis, areas: dict, rule: CampaignRule) -> None:
    """The dashboard draws one area layer for all thresholds (``CampaignRule.at_default_threshold``): it must not change."""
    assert rule.at_default_threshold() == CampaignRule(accreditation=rule.accreditation)
    shared = run_analysis(national.network, rule.at_default_threshold())
    own = run_analysis(national.network, rule)
    for service in ("supported", "supervised"):
        assert map_layers.area_features(areas, own.summary(service=service, by="local_authority"), service=service) == \
            map_layers.area_features(areas, shared.summary(service=service, by="local_authority"), service=service)


@pytest.mark.parametrize(
    ("minutes", "label"),
    [(0.0, "up to 15 min"), (15.0, "up to 15 min"), (15.5, "15–30 min"), (60.0, "45–60 min"), (61.0, "over 60 min"),
     (math.nan, NO_ROAD), (math.inf, NO_ROAD)],
)
def test_reach_classes_follow_the_reach_bands(minutes: float, label: str) -> None:
    assert map_layers.reach_class(minutes) == label


def test_a_click_on_a_court_names_it_and_a_click_elsewhere_does_not(national: Analysis) -> None:
    coverage = national.court_coverage
    truro = coverage[coverage["court_id"] == "truro-county-court-and-family-court"].iloc[0]
    assert map_layers.courts_at(coverage, round(truro["lat"], 5), round(truro["lon"], 5)) == [truro["court_id"]]
    assert map_layers.courts_at(coverage, truro["lat"] + 0.01, truro["lon"]) == []


def test_a_click_on_a_shared_building_names_every_court_there_by_name(national: Analysis) -> None:
    coverage = national.court_coverage
    gateshead = coverage[coverage["postcode"] == "NE8 1DT"].sort_values("court_name")
    assert len(gateshead) == 2
    here = map_layers.courts_at(coverage, gateshead["lat"].iloc[0], gateshead["lon"].iloc[0])
    assert here == gateshead["court_id"].tolist()


def test_only_open_placed_centres_are_drawn_and_samples_only_on_request() -> None:
    centres = read_centres(CENTRES)
    assert set(map_layers.drawable_centres(centres, include_sample=False)["id"]) == {
        "walsall-centre", "dudley-centre", "wolverhampton-centre"}
    assert "coventry-sample" in set(map_layers.drawable_centres(centres, include_sample=True)["id"])


def test_centre_types_cover_both_single_services_and_neither() -> None:
    kinds = [map_layers.centre_type(pd.Series({"supported": a, "supervised": b}))
             for a, b in ((True, True), (True, False), (False, True), (False, False))]
    assert kinds == list(map_layers.CENTRE_TYPES)


@pytest.fixture(scope="module")
def comparison(national: Analysis, areas: dict) -> gpd.GeoDataFrame:
    network = statutory_network(national)
    shapes = gpd.GeoDataFrame.from_features(areas, crs=WGS84)
    frame = comparison_map_frame(network.comparison(by="local_authority"), shapes, band=30)
    return frame[frame["service"] == "supported"]


def test_the_campaign_map_colours_every_local_authority_on_its_scale(comparison: gpd.GeoDataFrame) -> None:
    features = map_layers.comparison_features(comparison, value_column="gap", scale=map_layers.GAP_SCALE)["features"]
    assert len(features) == len(comparison) > 300
    fills = [feature["properties"]["fill"] for feature in features]
    assert fills == [map_layers.GAP_SCALE.colour(gap) for gap in comparison["gap"]]
    assert set(fills) <= {*map_layers.GAP_SCALE.colours, map_layers.NO_DATA_COLOUR} and len(set(fills)) > 2
    first = comparison.iloc[0]
    assert features[0]["properties"]["scenario_text"] == format_share(first["scenario_share"])


def test_the_campaign_map_needs_no_webgl_and_loads_only_optional_tiles(comparison: gpd.GeoDataFrame) -> None:
    areas = map_layers.comparison_features(comparison, value_column="scenario_share", scale=map_layers.SHARE_SCALE)
    fmap = map_layers.comparison_map(areas, scale=map_layers.SHARE_SCALE, title="Statutory network",
                                     bounds=map_layers.frame_bounds(comparison))
    links = [url for element in _walk(fmap) for _, url in getattr(element, "default_js", []) + getattr(element, "default_css", [])]
    assert links and all(url.startswith("../map_layers.leaflet/") for url in links)
    script = _get_map_string(fmap)
    assert "webgl" not in script.lower() and "deck" not in script.lower()
    assert set(re.findall(r"https?://[^\"'\s)\\]+", script)) == {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://www.openstreetmap.org/copyright"}
    assert all(json.dumps(label)[1:-1] in script for label in map_layers.SHARE_SCALE.labels)
    assert len(script.encode()) < 1_000_000


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.0, "up to 20%"), (0.2, "up to 20%"), (0.21, "20–40%"), (0.8, "60–80%"), (1.0, "over 80%"),
     (math.nan, "no data")],
)
def test_share_classes_have_upper_bounds(value: float, label: str) -> None:
    assert map_layers.SHARE_SCALE.label(value) == label


def test_a_negative_gap_is_the_directory_ahead_and_missing_is_grey() -> None:
    assert map_layers.GAP_SCALE.label(-0.1) == "directory level or ahead"
    assert map_layers.GAP_SCALE.colour(math.nan) == map_layers.NO_DATA_COLOUR
    assert map_layers.SHARE_SCALE.colours == tuple(reversed(map_layers.VIRIDIS_5))


def test_the_legend_in_words_names_every_status_and_band() -> None:
    text = map_layers.legend_text(service="supervised")
    assert all(status in text for status in COURT_STATUSES)
    assert all(label in text for label in map_layers.REACH_CLASSES)
    assert "nearest supervised centre" in text
