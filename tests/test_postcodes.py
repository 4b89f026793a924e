"""Postcode normalisation and offline geocoding."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from millis_network.cli import main
from millis_network.errors import PostcodeError
from millis_network.postcodes import (
    district_authority,
    district_centroid,
    geocode,
    is_district,
    load_index,
    locate,
    locate_district,
    normalise_postcode,
    postcode_district,
    read_index,
    save_index,
)

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
outward = st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?\Z")
inward = st.builds(lambda d, a, b: f"{d}{a}{b}", st.sampled_from("0123456789"),
                   st.sampled_from(INWARD_LETTERS), st.sampled_from(INWARD_LETTERS))


@pytest.mark.parametrize("spelling", ["b46ds", " B4  6DS ", "b4 6ds", "B4\t6DS", "B46DS"])
def test_any_spelling_normalises_to_canonical(spelling: str) -> None:
    assert normalise_postcode(spelling) == "B4 6DS"


@given(outward, inward, st.sampled_from(["", " ", "  ", "\t"]), st.booleans())
def test_normalisation_is_canonical_and_idempotent(out: str, inw: str, gap: str, lower: bool) -> None:
    text = f"{out}{gap}{inw}"
    text = text.lower() if lower else text
    canonical = normalise_postcode(text)
    assert canonical == f"{out} {inw}"
    assert normalise_postcode(canonical) == canonical


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("B4-6DS", "characters other than letters and digits"),
        ("B4", "5 to 7"),
        ("B4 6DSXXX", "5 to 7"),
        ("B4 6CS", "not shaped like a UK postcode"),
        ("44 6DS", "not shaped like a UK postcode"),
    ],
)
def test_malformed_postcodes_say_why(text: str, reason: str) -> None:
    with pytest.raises(PostcodeError, match=reason):
        normalise_postcode(text)


def test_postcode_district_accepts_full_postcodes_and_bare_districts() -> None:
    assert postcode_district("sw1a 1aa") == "SW1A"
    assert postcode_district("cf10") == "CF10"


# Coordinates published with the HMCTS court list (shared/reference/courts README
# spot checks), each 0 m from its postcode's ONS grid reference.
COURT_SPOT_CHECKS = [
    ("B4 6DS", 52.481652, -1.895662),
    ("BS1 6GR", 51.452423, -2.590510),
    ("M60 9DJ", 53.480902, -2.252673),
    ("WC1V 6NP", 51.518436, -0.114516),
    ("CF10 1ET", 51.478158, -3.179875),
    ("LS1 3BG", 53.800376, -1.551755),
]


@pytest.mark.parametrize(("postcode", "lat", "lon"), COURT_SPOT_CHECKS)
def test_geocode_matches_published_court_coordinates(postcode: str, lat: float, lon: float) -> None:
    place = locate(postcode.lower().replace(" ", ""))
    assert place.precision == "postcode"
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    east, north = to_bng.transform(lon, lat)
    assert np.hypot(place.easting_m - east, place.northing_m - north) < 2.0


def test_geocode_round_trips_grid_reference_to_wgs84() -> None:
    place = locate("B4 6DS")
    assert (place.easting_m, place.northing_m) == (407183.0, 287086.0)
    assert place.local_authority_code == "E08000025"


def test_unknown_inward_code_falls_back_to_district_centroid() -> None:
    row = geocode(["B4 6XX"]).iloc[0]
    assert row["precision"] == "district"
    assert "placed at the centre of district B4" in row["error"]
    assert (row["lat"], row["lon"]) == pytest.approx(district_centroid("B4"))


def test_island_postcodes_are_placed_at_their_island_main_town_never_finer() -> None:
    rows = geocode(["JE2 3AA", "GY1 1AA", "IM1 1AA", "GY9 3AA", "GY10 1SA"])
    # Hand-checked: GeoNames places St Helier at 49.18804 N 2.10491 W, St Peter Port at 49.45981 N 2.53527 W,
    # Douglas at 54.15 N 4.48333 W; no citable source gives the islands' postcode districts coordinates.
    assert list(rows["precision"]) == ["island", "island", "island", "none", "none"]
    assert rows.loc[0, ["lat", "lon"]].tolist() == pytest.approx([49.18804, -2.10491])
    assert rows.loc[1, ["lat", "lon"]].tolist() == pytest.approx([49.45981, -2.53527])
    assert rows.loc[2, ["lat", "lon"]].tolist() == pytest.approx([54.15, -4.48333])
    assert "placed at St Helier, the island's main town (island precision" in rows.loc[0, "error"]
    assert "an Isle of Man postcode" in rows.loc[2, "error"]
    # Alderney (GY9) and Sark (GY10) are other islands: not pretended to be in St Peter Port.
    assert "on Alderney" in rows.loc[3, "error"] and "on Sark" in rows.loc[4, "error"]
    assert rows.loc[3:, "lat"].isna().all()


def test_island_postcode_and_district_locate_on_the_island() -> None:
    place = locate("je2 4lg")
    assert (place.precision, place.island, place.local_authority_code) == ("island", "Jersey", "")
    district = locate_district("IM2")
    assert (district.precision, district.island) == ("island", "Isle of Man")
    assert (district.lat, district.lon) == pytest.approx((54.15, -4.48333))


def test_geocode_keeps_input_order_and_reports_each_problem() -> None:
    rows = geocode(["nonsense", "SW1A1AA", "ZZ9 9ZZ"])
    assert list(rows["input"]) == ["nonsense", "SW1A1AA", "ZZ9 9ZZ"]
    assert list(rows["precision"]) == ["none", "postcode", "none"]
    assert "neither is its district ZZ9" in rows.loc[2, "error"]


def test_locate_raises_for_unplaceable_postcode() -> None:
    with pytest.raises(PostcodeError, match="Alderney"):
        locate("GY9 3AA")


def test_index_cache_round_trips(tmp_path) -> None:
    index = load_index()
    path = tmp_path / "index"
    save_index(index, path)
    again = read_index(path)
    assert len(again) == len(index) > 2_600_000
    assert again.source_version == index.source_version
    assert np.array_equal(again.keys[:1000], index.keys[:1000])


def test_cli_geocode_json(capsys) -> None:
    code = main(["geocode", "b46ds", "JE2 3AA", "GY9 3AA", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    note = out[0].pop("constituency_note")
    assert out[0] == {"input": "b46ds", "postcode": "B4 6DS", "lat": 52.481652, "lon": -1.895661,
                      "precision": "postcode", "error": None, "constituency": "Birmingham Ladywood",
                      "constituency_code": "E14001096"}
    assert "nearest neighbourhood" in note
    assert out[1]["precision"] == "island" and out[1]["lat"] == 49.18804 and "Jersey" in out[1]["error"]
    assert out[1]["constituency"] is None
    assert out[2]["precision"] == "none" and out[2]["lat"] is None and "Alderney" in out[2]["error"]


def test_northern_ireland_postcodes_use_irish_grid() -> None:
    # BT1 5GS is Belfast City Hall's postcode; Belfast centre is at about 54.597 N, 5.930 W.
    place = locate("BT1 5GS")
    assert place.lat == pytest.approx(54.597, abs=0.01) and place.lon == pytest.approx(-5.930, abs=0.01)


def test_a_district_is_located_at_its_centre_in_its_main_authority() -> None:
    location = locate_district(" bs23 ")
    assert (location.postcode, location.precision) == ("BS23", "district")
    assert (location.lat, location.lon) == pytest.approx(district_centroid("BS23"))
    assert location.local_authority_code == district_authority("BS23") == "E06000024"  # North Somerset
    assert is_district("sw1a") and not is_district("SW1A 1AA") and not is_district("hello")


def test_a_postcode_unknown_to_the_directory_keeps_its_districts_authority() -> None:
    assert locate("B4 9ZZ").local_authority_code == "E08000025"  # Birmingham
