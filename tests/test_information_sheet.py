"""The family information sheet: nearest centres for a postcode, rendered as HTML and PDF.

Fixtures: ``tests/data/information_sheet/centres.csv`` holds invented centres
placed at the postcodes of West Midlands family courts. From the family's
postcode B15 2TT: Dudley (supported and supervised, address withheld, so
measured from the DY1 district centre, about 13 km), Walsall (supported, about
15 km), Wolverhampton (supervised only), Coventry (a sample record, town
precision) and a closed Birmingham centre.
"""

from __future__ import annotations

import dataclasses
import io
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled
from pypdf import PdfReader

from millis_network.config import CampaignRule
from millis_network.directory import family_court_centres, read_centres
from millis_network.errors import PostcodeError
from millis_network.evidence.information_sheet import (
    InformationSheet,
    information_sheet,
    render_information_sheet_html,
    render_information_sheet_pdf,
)

DATA = Path(__file__).resolve().parent / "data" / "information_sheet"
FAMILY = "B15 2TT"  # a real Birmingham postcode, not a court's


@pytest.fixture(scope="module")
def centres() -> pd.DataFrame:
    return read_centres(DATA / "centres.csv")


@pytest.fixture(scope="module")
def courts() -> pd.DataFrame:
    wanted = ["birmingham-civil-and-family-justice-centre", "coventry-combined-court-centre"]
    all_courts = family_court_centres()
    return all_courts[all_courts["id"].isin(wanted)].reset_index(drop=True)


def sheet_for(postcode: str, centres: pd.DataFrame, courts: pd.DataFrame, **options) -> InformationSheet:
    options.setdefault("service", "supported")
    options.setdefault("rule", CampaignRule())
    network = dataclasses.replace(bundled(), courts=courts).with_centres(centres).public()
    return information_sheet(postcode, network, **options)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_nearest_open_real_supported_centres_nearest_first(centres, courts) -> None:
    sheet = sheet_for("b152tt", centres, courts)
    assert sheet.district == "B15"
    assert sheet.service == "supported"
    assert [c.name for c in sheet.centres] == ["Dudley Safe Contact", "Walsall Family & Child <Centre>"]
    assert sheet.centres[0].distance_miles < sheet.centres[1].distance_miles
    assert not sheet.sample_included
    assert sheet.court_name == "Birmingham Civil and Family Justice Centre"
    assert sheet.court_note == ""
    assert sheet.centres[0].opening == "not stated: ask the centre"
    assert sheet.centres[1].referral == "Self-referral by either parent"


def test_supervised_service_lists_supervised_centres(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres, courts, service="supervised")
    assert [c.name for c in sheet.centres] == ["Dudley Safe Contact", "Wolverhampton Supervised Contact"]
    assert sheet.service_explained.startswith("Supervised contact")


def test_sample_records_take_part_only_when_the_rule_says_and_are_labelled(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres, courts, rule=CampaignRule(include_sample=True), n=5)
    sample = [c for c in sheet.centres if c.sample]
    assert [c.name for c in sample] == ["Coventry Sample Centre"]
    assert sample[0].location_note == "approximate: town centre"
    assert sheet.sample_included
    html = render_information_sheet_html(sheet)
    assert "SAMPLE" in " ".join(parsed(html).text)
    _, text = pdf_text(render_information_sheet_pdf(sheet))
    assert "This sheet includes SAMPLE records" in text


def test_withheld_address_and_family_postcode_are_never_printed(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres, courts)
    dudley = next(c for c in sheet.centres if c.name == "Dudley Safe Contact")
    assert dudley.location == "DY1 (address given on referral)"
    html = render_information_sheet_html(sheet)
    _, text = pdf_text(render_information_sheet_pdf(sheet))
    for document in (html, text):
        assert "DY1 1RY" not in document
        assert "private entrance" not in document
        assert FAMILY not in document and "B152TT" not in document
        assert "B15" in document


def test_html_is_one_escaped_page_with_a_row_per_centre(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres, courts)
    html = render_information_sheet_html(sheet)
    page = parsed(html)
    assert page.tags.count("html") == 1 and page.tags.count("title") == 1
    assert page.tags.count("tr") == len(sheet.centres) + 1
    assert "Walsall Family &amp; Child &lt;Centre&gt;" in html
    text = " ".join(page.text)
    assert "Walsall Family & Child <Centre>" in text
    assert "Birmingham Civil and Family Justice Centre" in text
    assert "Absence from this directory does not mean absence of a centre." in text


def test_pdf_is_one_page_with_the_centres_and_the_court(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres, courts, rule=CampaignRule(include_sample=True), n=5)
    pages, text = pdf_text(render_information_sheet_pdf(sheet))
    assert pages == 1
    flat = " ".join(text.split())
    assert "Child contact centres near postcode district B15" in flat
    assert "Walsall Family & Child <Centre>" in flat
    assert "Birmingham Civil and Family Justice Centre" in flat
    assert "Self-referral by either parent" in flat


def test_postcode_outside_the_directory_falls_back_to_its_district(centres, courts) -> None:
    sheet = sheet_for("B15 9ZZ", centres, courts)
    assert sheet.location_note == "placed at the centre of postcode district B15"


def test_a_scottish_postcode_is_told_its_courts_are_not_in_the_data(centres, courts) -> None:
    sheet = sheet_for("EH1 1YZ", centres, courts)
    assert "Scotland, which has its own courts" in sheet.court_text


def test_no_suitable_centre_gives_an_empty_list(centres, courts) -> None:
    sheet = sheet_for(FAMILY, centres[centres["supervised"] == False], courts, service="supervised")  # noqa: E712
    assert sheet.centres == ()
    assert not sheet.any_within_threshold
    assert "No centre offering supervised contact is in this directory." in render_information_sheet_html(sheet)


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("hello", "not shaped like a UK postcode"),
        ("", "postcode is empty"),
        ("GY9 3AA", "is on Alderney"),
        ("ZZ1 1ZZ", "not found in the ONS Postcode Directory"),
    ],
)
def test_unusable_postcodes_raise_a_friendly_error(centres, courts, postcode: str, message: str) -> None:
    with pytest.raises(PostcodeError, match=message):
        sheet_for(postcode, centres, courts)
