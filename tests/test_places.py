"""LSOAs, local authorities and the town gazetteer."""

from __future__ import annotations

import pytest

from millis_network.places import local_authorities, locate_town, lsoas


def test_lsoas_cover_england_and_wales() -> None:
    frame = lsoas()
    assert len(frame) == 34_753 and frame["lsoa_code"].is_unique
    assert frame["nation"].value_counts().to_dict() == {"England": 32_844, "Wales": 1_909}
    assert frame["local_authority_code"].str.match(r"^[EW]0[6-9]\d{6}$").all()


def test_every_lsoa_names_its_2011_district_inside_its_local_authority() -> None:
    frame = lsoas()
    city = frame[frame["lsoa_name"].str.startswith("Birmingham ")]
    assert set(city["local_authority_name"]) == {"Birmingham"}
    mendip = frame[frame["lsoa_name"].str.startswith("Mendip ")]
    assert set(mendip["local_authority_name"]) == {"Somerset"}


def test_local_authorities_count_and_sources() -> None:
    table = local_authorities()
    assert len(table) == 318 and table["lsoa_count"].sum() == 34_753
    assert table.set_index("local_authority_code").loc["E06000064", "local_authority_name"] == "Westmorland and Furness"


@pytest.mark.parametrize(
    ("name", "jurisdiction", "lat", "lon"),
    [
        ("Hindley, Wigan", "England", 53.53333, -2.58333),
        ("St Helier", "Jersey", 49.18804, -2.10491),
        ("Withington (Manchester)", "England", None, None),
    ],
)
def test_locate_town(name: str, jurisdiction: str, lat: float | None, lon: float | None) -> None:
    place = locate_town(name, jurisdiction=jurisdiction)
    assert place is not None
    if lat is not None:
        assert (place.lat, place.lon) == pytest.approx((lat, lon))
    else:
        assert place.name == "Manchester"


def test_ambiguous_town_is_left_unplaced_unless_a_nearby_town_is_given() -> None:
    assert locate_town("Hook", jurisdiction="England") is None
    basingstoke = locate_town("Basingstoke", jurisdiction="England")
    hook = locate_town("Hook", jurisdiction="England", near=(basingstoke.lat, basingstoke.lon))
    assert hook is not None and hook.lat == pytest.approx(51.28425)


def test_unknown_town_is_none() -> None:
    assert locate_town("Nowhere-on-Nothing") is None
    assert locate_town("") is None
