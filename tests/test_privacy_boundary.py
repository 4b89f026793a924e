"""Where the public network shows a withheld centre, hand-checked, and what it refuses.

One case per rule of :mod:`millis_network.privacy`: a full postcode goes to its
district's centroid; coordinates without a postcode go to the nearest
district's centroid; a Jersey postcode or jurisdiction goes to Saint Helier
(island precision); a record that no rule can place is refused by the store's
import and by ``validate``, naming file, row and field.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled

from millis_network.cli import main
from millis_network.directory import CENTRE_COLUMNS, check_centre_rows
from millis_network.errors import PostcodeError
from millis_network.places import locate_town
from millis_network.postcodes import district_centroid, locate
from millis_network.privacy import (
    nearest_district,
    public_centres,
    public_place,
    public_sources,
)
from millis_network.store.database import open_store


def withheld(**values: str) -> dict[str, str]:
    row = {column: "" for column in CENTRE_COLUMNS}
    row.update(id="sample-withheld", name="SAMPLE withheld centre", jurisdiction="England", services="supported",
               accreditation="not stated", address_withheld="yes", status="open", sample="yes",
               location_precision="none", opening="Mondays at 12 Hidden Road", referral="ring the back door",
               notes="Venue: 12 Hidden Road", source_urls="https://example.org/centres/hidden-road; javascript:alert(1)")
    row.update(values)
    return row


def test_a_full_postcode_is_shown_at_its_district_centroid() -> None:
    place = public_place(postcode="CF24 4HQ", lat=51.49, lon=-3.16, jurisdiction="Wales")
    assert (place.precision, place.postcode, place.area) == ("district", "CF24", "Cardiff")
    assert (place.lat, place.lon) == pytest.approx(district_centroid("CF24"))


def test_coordinates_without_a_postcode_are_shown_at_the_nearest_district() -> None:
    venue = locate("B4 6DS")
    place = public_place(postcode="", lat=venue.lat, lon=venue.lon, jurisdiction="England")
    assert place.precision == "district" and place.postcode == nearest_district(venue.lat, venue.lon)
    assert (place.lat, place.lon) == pytest.approx(district_centroid(place.postcode))
    assert (place.lat, place.lon) != pytest.approx((venue.lat, venue.lon))


@pytest.mark.parametrize("postcode, jurisdiction", [("JE2 4LG", "Jersey"), ("", "Jersey"), ("JE3 8AB", "")])
def test_a_jersey_centre_is_shown_only_as_on_the_island(postcode: str, jurisdiction: str) -> None:
    place = public_place(postcode=postcode, lat=49.2, lon=-2.1, jurisdiction=jurisdiction)
    st_helier = locate_town("St Helier", jurisdiction="Jersey")
    assert st_helier is not None
    assert (place.precision, place.postcode, place.lat, place.lon) == ("island", "", st_helier.lat, st_helier.lon)
    assert place.area == "Jersey"


def test_a_village_named_by_a_withheld_record_becomes_its_district_authority_or_island() -> None:
    frame = pd.DataFrame([
        withheld(id="sample-village", town="Wenvoe", jurisdiction="Wales", postcode="CF5 6AA",
                 location_precision="postcode", lat="51.447", lon="-3.266"),
        withheld(id="sample-parish", town="St Ouen", jurisdiction="Jersey", location_precision="town",
                 lat="49.235", lon="-2.205"),
    ])
    shown = bundled().with_centres(frame).public().centres.set_index("id")
    assert shown.at["sample-village", "town"] == "Cardiff"  # CF5 is mostly Cardiff; Wenvoe itself is in the Vale
    assert shown.at["sample-parish", "town"] == "Jersey"


def test_an_unplaceable_record_is_refused_with_what_to_add() -> None:
    with pytest.raises(PostcodeError, match="postcode district"):
        public_place(postcode="ZZ99 9ZZ", lat=math.nan, lon=math.nan, jurisdiction="")
    frame = pd.DataFrame([withheld(postcode="ZZ99 9ZZ")])
    issues = check_centre_rows(frame, file="centres.csv")
    assert [(i.file, i.row, i.field, i.rule) for i in issues] == [
        ("centres.csv", 2, "address_withheld", "withheld-placeable")]


def test_a_withheld_record_with_no_place_at_all_stays_unplaced_and_is_accepted() -> None:
    frame = pd.DataFrame([withheld()])
    assert check_centre_rows(frame, file="centres.csv") == []
    shown = bundled().with_centres(frame).public().centres.iloc[0]
    assert shown["location_precision"] == "none" and math.isnan(shown["lat"])


def test_private_fields_never_reach_the_public_view_and_sources_keep_only_their_site() -> None:
    frame = pd.DataFrame([withheld(postcode="B4 6DS", location_precision="postcode", lat="52.4834", lon="-1.8932")])
    private = bundled().with_centres(frame)
    shown = private.public().centres.iloc[0]
    assert (shown["opening"], shown["referral"], shown["notes"]) == ("", "", "")
    assert shown["source_urls"] == "https://example.org/"
    assert private.centres.iloc[0]["notes"] == "Venue: 12 Hidden Road"
    assert public_sources("data:text/html,x; http://a.example/x; http://a.example/y") == "http://a.example/"


def test_the_public_view_is_idempotent() -> None:
    frame = pd.DataFrame([withheld(postcode="B4 6DS", location_precision="postcode", lat="52.4834", lon="-1.8932")])
    once = bundled().with_centres(frame).public()
    pd.testing.assert_frame_equal(public_centres(once.centres), once.centres)
    assert once.public() is once


def test_the_importer_accepts_a_jersey_withheld_row_and_refuses_an_unplaceable_one(
    tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "directory.sqlite"
    open_store(database, seed_from=network_data).close()
    sheet = tmp_path / "withheld.csv"
    sheet.write_text(
        "Name,Town,Postcode,Jurisdiction,Latitude,Longitude,Address withheld,Services,Sample,Source\n"
        "SAMPLE island refuge,St Helier,JE2 4LG,Jersey,49.1858,-2.1077,yes,supported,yes,https://example.org/a\n"
        "SAMPLE nowhere refuge,,ZZ99 9ZZ,,,,yes,supported,yes,https://example.org/b\n",
        encoding="utf-8",
    )
    main(["import", str(sheet), "--db", str(database), "--json"])
    rows = {row["row"]: row for row in json.loads(capsys.readouterr().out)["rows"]}
    assert rows[2]["outcome"] == "new"
    assert rows[3]["outcome"] == "rejected" and rows[3]["problems"].startswith("postcode: ")
    with open_store(database) as store:
        shown = store.network().public().centres.set_index("id").loc["sample-island-refuge"]
    st_helier = locate_town("St Helier", jurisdiction="Jersey")
    assert st_helier is not None
    assert (shown["location_precision"], shown["postcode"], shown["lat"]) == ("island", "", st_helier.lat)


def test_validate_refuses_a_withheld_record_that_cannot_be_shown_publicly(
    tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "network_data"
    shutil.copytree(network_data, data)
    centres = data / "centres" / "centres.csv"
    frame = pd.read_csv(centres, dtype=str, keep_default_na=False)
    frame = pd.concat([frame, pd.DataFrame([withheld(postcode="ZZ99 9ZZ", source_urls="https://example.org/")])])
    frame.to_csv(centres, index=False)
    assert main(["validate", "--data-dir", str(data)]) == 1
    lines = capsys.readouterr().out.splitlines()
    line = len(frame) + 1
    assert any(f"centres.csv:{line}: address_withheld: cannot be shown publicly" in text for text in lines)
