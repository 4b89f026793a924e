"""An analysis limited to one jurisdiction: the dashboard's jurisdiction control."""

from __future__ import annotations

import math

import pytest
from bundled import bundled_public

from millis_network.config import CampaignRule
from millis_network.directory import completeness
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.errors import NotFoundError


@pytest.fixture(scope="module")
def national() -> Analysis:
    return run_analysis(bundled_public(), CampaignRule())


@pytest.mark.parametrize("jurisdiction", ["England", "Wales"])
def test_courts_and_areas_are_limited_and_centres_kept(national: Analysis, jurisdiction: str) -> None:
    part = national.in_jurisdiction(jurisdiction)
    assert set(part.court_coverage["jurisdiction"]) == {jurisdiction}
    assert set(part.courts["jurisdiction"]) == {jurisdiction}
    assert set(part.area_reach["nation"]) == {jurisdiction}
    assert len(part.lsoas) == len(part.area_reach) == int((national.lsoas["nation"] == jurisdiction).sum())
    assert part.centres is national.centres
    assert part.headline()["courts"] == int((national.courts["jurisdiction"] == jurisdiction).sum())


def test_the_parts_add_up_to_the_whole(national: Analysis) -> None:
    parts = [national.in_jurisdiction(name) for name in ("England", "Wales", "Jersey")]
    assert sum(p.headline()["courts"] for p in parts) == national.headline()["courts"]
    assert sum(p.headline()["courts_meeting_rule"] for p in parts) == national.headline()["courts_meeting_rule"]
    assert sum(len(p.gaps()) for p in parts) == len(national.gaps())
    assert sum(len(p.area_reach) for p in parts) == len(national.area_reach)


def test_jersey_has_one_court_and_no_lsoa_population(national: Analysis) -> None:
    jersey = national.in_jurisdiction("Jersey")
    headline = jersey.headline()
    assert headline["courts"] == 1
    assert math.isnan(headline["share_lsoas_beyond_50_miles_supported"])
    assert math.isnan(headline["share_lsoas_covered"])


def test_an_unknown_jurisdiction_is_named_with_the_choices(national: Analysis) -> None:
    with pytest.raises(NotFoundError, match="no family court centre in 'Scotland'; choose one of England, Jersey, Wales"):
        national.in_jurisdiction("Scotland")


def test_a_jurisdiction_keeps_the_completeness_of_the_directory_it_shares() -> None:
    network = bundled_public()
    whole = network.completeness
    wales = run_analysis(network, CampaignRule()).in_jurisdiction("Wales")
    assert wales.completeness is whole  # the same centres: carried, not worked out again
    assert wales.completeness == completeness(wales.centres)
