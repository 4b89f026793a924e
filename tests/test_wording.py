"""Plain words in one place: missing values, shared phrases, named sites and PDF tables that wrap at spaces.

Every output reads its phrase for a shared fact from ``millis_network.wording``;
these tests check the phrases themselves, that the briefing, the information
sheet and the exports say the same fact with the same constant, that no output
shows ``None`` or ``nan`` to a reader, that recommended sites carry the name
of a place (hand-checked against the GeoNames coordinates the project ships),
and that the PDF tables break lines between words, never inside one.
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hand_checked import KM_PER_DEGREE
from pypdf import PdfReader

from millis_network.cli import main
from millis_network.cli.options import print_table
from millis_network.config import CampaignRule
from millis_network.directory import PRECISIONS
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.whatif import candidate_sites
from millis_network.evidence.briefings import (
    Briefing,
    BriefingInputs,
    BriefingTable,
    _column_widths,
    briefing_inputs,
    court_briefing,
    local_authority_briefing,
    national_briefing,
    render_html,
    render_pdf,
)
from millis_network.evidence.exports import (
    column_notes,
    export_provenance,
    export_tables,
    to_csv_files,
)
from millis_network.evidence.information_sheet import (
    InformationSheet,
    information_sheet,
    render_information_sheet_html,
    render_information_sheet_pdf,
)
from millis_network.places import nearest_places
from millis_network.wording import (
    ACROSS_THE_SEA,
    NO_CENTRE_IN_DIRECTORY,
    NO_ROAD,
    NOT_STATED,
    PRECISION_LABELS,
    SERVING_COURT_NOTE,
    WITHHELD_PHRASES,
    centre_drive_text,
    display_value,
    drive_text,
    is_missing,
    missing_phrase,
    site_near,
)

#: A word a reader should never see: a missing value printed by Python or pandas.
LEAKED = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|<NA>|inf)(?![A-Za-z])")

#: St Mary's, Isles of Scilly: every centre in this directory is across the sea from it.
SCILLY = "TR21 0LW"


def leaks(text: str) -> list[str]:
    return LEAKED.findall(text)


class _Text(HTMLParser):
    """The text a reader sees in an HTML page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style")
        self.parts += [value or "" for name, value in attrs if name in ("alt", "title")]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return run_analysis(bundled_public(), CampaignRule())


@pytest.fixture(scope="module")
def inputs(analysis: Analysis) -> BriefingInputs:
    return briefing_inputs(analysis)


@pytest.fixture(scope="module")
def scilly_sheet() -> InformationSheet:
    return information_sheet(SCILLY, bundled_public(), service="supported", rule=CampaignRule())


# ---------------------------------------------------------------- the phrases themselves


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT"),
                                   float("inf"), -np.inf, "", "   "])
def test_every_kind_of_missing_value_reads_as_its_phrase(value: object) -> None:
    assert is_missing(value)
    assert display_value(value) == NOT_STATED
    assert display_value(value, missing=NO_ROAD) == NO_ROAD


@pytest.mark.parametrize(("value", "shown"), [(3.0, "3"), (2.5, "2.5"), (0, "0"), (np.int64(7), "7"), (False, "False"),
                                              ("Cardiff", "Cardiff"), (np.float64(12.0), "12")])
def test_a_present_value_is_shown_as_itself(value: object, shown: str) -> None:
    assert not is_missing(value)
    assert display_value(value) == shown


def test_a_missing_value_takes_the_phrase_of_its_unit() -> None:
    assert missing_phrase("worst_minutes") == NO_ROAD and missing_phrase("nearest_supported_minutes") == NO_ROAD
    assert missing_phrase("nearest_supported_km") == NO_CENTRE_IN_DIRECTORY
    assert missing_phrase("distance_miles") == NO_CENTRE_IN_DIRECTORY
    assert missing_phrase("services") == NOT_STATED


def test_drive_minutes_in_words() -> None:
    assert drive_text(47.6) == "48 min" and drive_text(float("nan")) == NO_ROAD and drive_text(math.inf) == NO_ROAD
    assert centre_drive_text(22.2) == "22 min" and centre_drive_text(float("nan")) == ACROSS_THE_SEA


def test_every_precision_has_words_and_absence_always_names_this_directory() -> None:
    assert set(PRECISION_LABELS) == set(PRECISIONS)
    assert set(WITHHELD_PHRASES) == set(PRECISIONS) - {"postcode", "town"}
    assert "in this directory" in NO_ROAD and "in this directory" in NO_CENTRE_IN_DIRECTORY


def test_the_command_line_prints_a_missing_value_as_its_phrase(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(pd.DataFrame({"court_name": ["Isle of Wight", "Cardiff"], "nearest_supported_minutes": [np.nan, 12.34]}),
                ["court_name", "nearest_supported_minutes"])
    out = capsys.readouterr().out
    assert NO_ROAD in out and "12.3" in out and leaks(out) == []


# ---------------------------------------------------------------- the same fact, the same words

ROOT = Path(__file__).resolve().parent.parent
#: Phrases only ``wording.py`` may spell out, and the variants they replaced.
OWN_PHRASES = (
    NO_ROAD, NO_CENTRE_IN_DIRECTORY, ACROSS_THE_SEA, SERVING_COURT_NOTE, *WITHHELD_PHRASES.values(),
    *(label for label in PRECISION_LABELS.values() if ":" in label),
    "no suitable centre by road", "none reachable by road", "with no road to it", "none in this directory",
)


def spelled_out(path: Path) -> list[str]:
    """The string constants of a source file, docstrings left out (f-strings give their literal parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_shared_phrases_are_spelled_out_only_in_the_wording_module() -> None:
    sources = [p for folder in ("millis_network", "dashboard") for p in sorted((ROOT / folder).rglob("*.py"))
               if p.name != "wording.py"]
    templates = sorted((ROOT / "millis_network" / "evidence" / "templates").iterdir())
    found = [f"{path.relative_to(ROOT)}: {phrase!r}" for path in sources for text in spelled_out(path)
             for phrase in OWN_PHRASES if phrase in text]
    found += [f"{path.relative_to(ROOT)}: {phrase!r}" for path in templates
              for phrase in OWN_PHRASES if phrase in path.read_text(encoding="utf-8")]
    assert found == []



def test_a_centre_across_the_sea_reads_the_same_on_the_sheet_and_in_the_briefing(
    scilly_sheet: InformationSheet, inputs: BriefingInputs
) -> None:
    nearest = scilly_sheet.centres[0]
    assert math.isnan(nearest.drive_minutes)
    assert nearest.reach_text == f"{nearest.distance_miles:.1f} miles, {ACROSS_THE_SEA}"
    assert ACROSS_THE_SEA in html_text(render_information_sheet_html(scilly_sheet))
    court = inputs.analysis.court_coverage.set_index("court_id").loc["royal-court-of-jersey"]
    briefing = court_briefing(inputs, "royal-court-of-jersey", with_map=False)
    assert f"{court['nearest_supported_miles']:.1f} miles away, {ACROSS_THE_SEA}" in briefing.headline
    nearest_table = briefing.sections[0].table
    assert nearest_table is not None and all(row[4] == ACROSS_THE_SEA for row in nearest_table.rows if row[3])


def test_no_suitable_centre_by_road_reads_the_same_in_the_briefing_and_the_exports(
    inputs: BriefingInputs, analysis: Analysis
) -> None:
    national = national_briefing(inputs, with_map=False)
    courts = next(s.table for s in national.sections if s.heading == "Courts furthest from a contact centre")
    assert courts is not None
    jersey = next(row for row in courts.rows if row[0] == "Royal Court of Jersey")
    assert jersey[2] == NO_ROAD
    notes = column_notes(["worst_minutes", "nearest_supported_minutes"])
    assert all(note.endswith(f"(blank: {NO_ROAD})") for note in notes.values())


def test_a_town_centre_reads_the_same_on_the_sheet_and_in_the_briefing(
    scilly_sheet: InformationSheet, inputs: BriefingInputs
) -> None:
    town = PRECISION_LABELS["town"]
    assert town == "approximate: town centre"
    assert any(centre.location_note == town for centre in scilly_sheet.centres)
    briefing = court_briefing(inputs, "royal-court-of-jersey", with_map=False)
    table = briefing.sections[0].table
    assert table is not None and any(row[2].endswith(f"({town})") for row in table.rows)


# ---------------------------------------------------------------- nothing missing shows as None or nan


def briefings(inputs: BriefingInputs) -> list[Briefing]:
    return [court_briefing(inputs, "royal-court-of-jersey"), court_briefing(inputs, "isle-of-wight-combined-court"),
            local_authority_briefing(inputs, "E06000053"), national_briefing(inputs)]


def test_no_briefing_shows_a_missing_value_as_none_or_nan(inputs: BriefingInputs) -> None:
    for briefing in briefings(inputs):
        assert leaks(html_text(render_html(briefing))) == [], briefing.title
        assert leaks(pdf_text(render_pdf(briefing))) == [], briefing.title


def test_no_information_sheet_shows_a_missing_value_as_none_or_nan(scilly_sheet: InformationSheet) -> None:
    supervised = information_sheet("CF10 1EP", bundled_public(), service="supervised", rule=CampaignRule(), n=5)
    for sheet in (scilly_sheet, supervised):
        assert leaks(html_text(render_information_sheet_html(sheet))) == []
        assert leaks(pdf_text(render_information_sheet_pdf(sheet))) == []


def test_no_exported_csv_shows_a_missing_value_as_none_or_nan(analysis: Analysis) -> None:
    tables = export_tables(analysis)
    files = to_csv_files(tables, export_provenance(analysis, tables))
    csvs = {name: body.decode("utf-8") for name, body in files.items() if name.endswith(".csv")}
    assert len(csvs) == len(tables)
    for name, body in csvs.items():
        cells = {cell for line in body.splitlines() for cell in line.split(",")}
        assert cells.isdisjoint({"None", "nan", "NaN", "NaT", "inf", "<NA>"}), name


# ---------------------------------------------------------------- sites named by their nearest place


def test_the_nearest_place_is_hand_checked_and_stays_in_the_local_authority() -> None:
    # LSOA E01002840 (Kensington and Chelsea 021A), centroid 51.48249 N 0.17577 W; GeoNames' Chelsea is at
    # 51.48755 N 0.16936 W: 0.00506° north (0.563 km) and 0.00641° east (0.444 km at this latitude), 0.717 km.
    # From GeoNames' Fulham (51.48026 N 0.19930 W), in Hammersmith and Fulham, the nearest place in Kensington
    # and Chelsea is Earls Court (51.49159 N 0.19801 W): 0.01133° north, 0.00129° east, 1.263 km; Chelsea is 2.226 km.
    # A point at GeoNames' Saint Helier (Jersey: no local authority) is at Saint Helier.
    found = nearest_places([51.48249, 51.48026, 51.48026, 49.18804], [-0.17577, -0.19930, -0.19930, -2.10491],
                           local_authority_code=["E09000020", "E09000020", "E09000013", ""])
    assert found["place_name"].tolist() == ["Chelsea", "Earls Court", "Fulham", "Saint Helier"]
    kensington = math.cos(math.radians(51.485)) * KM_PER_DEGREE
    assert found["place_km"].iloc[0] == pytest.approx(math.hypot(0.00506 * KM_PER_DEGREE, 0.00641 * kensington), rel=2e-3)
    assert found["place_km"].iloc[1] == pytest.approx(math.hypot(0.01133 * KM_PER_DEGREE, 0.00129 * kensington), rel=2e-3)
    assert found["place_km"].iloc[2] == pytest.approx(0.0, abs=1e-6) and found["place_km"].iloc[3] == pytest.approx(0.0, abs=1e-6)
    anywhere = nearest_places([51.48026], [-0.19930])
    assert anywhere["place_name"].tolist() == ["Fulham"]


def test_a_recommended_lsoa_site_is_named_by_its_nearest_place_with_the_lsoa_as_detail() -> None:
    lsoas = pd.DataFrame({
        "lsoa_code": ["E01002840", "W01001755"], "lsoa_name": ["Kensington and Chelsea 021A", "Cardiff 025A"],
        "lat": [51.48249, 51.50064], "lon": [-0.17577, -3.19052], "easting_m": [526767, 317460],
        "northing_m": [177526, 178640], "local_authority_code": ["E09000020", "W06000015"],
        "local_authority_name": ["Kensington and Chelsea", "Cardiff"], "nation": ["England", "Wales"],
    })
    courts = pd.DataFrame({"id": ["court-a"], "name": ["Court A"], "town": ["Cardiff"], "jurisdiction": ["Wales"],
                           "lat": [51.48], "lon": [-3.18], "postcode": [""]})
    sites = candidate_sites(courts, lsoas).set_index("site_id")["site_name"]
    # Cardiff 025A's centroid is 0.42 km from GeoNames' Llandaff (51.49314 N 3.21980 W), in Cardiff.
    assert sites["E01002840"] == "near Chelsea, Kensington and Chelsea (LSOA E01002840)"
    assert sites["W01001755"] == "near Llandaff, Cardiff (LSOA W01001755)"
    assert sites["court-a"] == "Cardiff"


def test_the_recommend_command_names_its_picks_for_a_funder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--sites", "3", "--json"]) == 0
    picks = json.loads(capsys.readouterr().out)
    lsoa_picks = [pick for pick in picks if pick["site_kind"] == "lsoa"]
    assert lsoa_picks, "the bundled directory's best sites include neighbourhoods"
    for pick in lsoa_picks:
        assert re.fullmatch(rf"near [^()]+ \(LSOA {pick['site_id']}\)", pick["site_name"]), pick["site_name"]


def test_a_site_named_for_its_area_says_the_name_once() -> None:
    assert site_near("Cardiff", "Cardiff", "W01001939") == "near Cardiff (LSOA W01001939)"
    assert site_near("", "", "E01000001") == "LSOA E01000001"


# ---------------------------------------------------------------- PDF tables wrap between words


def cell_words(briefing: Briefing) -> set[str]:
    tables = [s.table for s in briefing.sections if s.table is not None]
    return {word for table in tables for cell in [*table.columns, *(c for row in table.rows for c in row)]
            for word in cell.split()}


def test_pdf_briefing_tables_break_lines_between_words(inputs: BriefingInputs) -> None:
    for briefing in briefings(inputs):
        shown = set(pdf_text(render_pdf(briefing)).split())
        assert cell_words(briefing) - shown == set(), briefing.title
        if briefing.kind == "court":
            assert {"Supported", "Supervised", "Within", "reach", "Distance", "Service"} <= shown


def test_information_sheet_pdf_tables_break_lines_between_words(scilly_sheet: InformationSheet) -> None:
    cardiff = information_sheet("CF10 1EP", bundled_public(), service="supervised", rule=CampaignRule(), n=5)
    for sheet in (scilly_sheet, cardiff):
        shown = set(pdf_text(render_information_sheet_pdf(sheet)).split())
        cells = [text for c in sheet.centres for text in (
            c.name, c.location + (f" ({c.location_note})" if c.location_note else ""), c.reach_text,
            f"Services: {c.services}. {c.accreditation}.", f"Opening: {c.opening}. Referral: {c.referral}.")]
        assert {word for cell in cells for word in cell.split()} - shown == set()


def test_column_widths_fit_the_longest_word_and_fill_the_page() -> None:
    table = BriefingTable(("Service", "Within reach"), (("Supported", "no"), ("Supervised", "yes")))
    widths = _column_widths(table, 100.0, measure=lambda text, bold: 5.0 * len(text) + (1.0 if bold else 0.0))
    # Longest words 50 ("Supervised") and 31 ("Within", bold); longest lines 50 and 61 ("Within reach", bold):
    # with 7 of padding, 57 + 38 = 95 fit; the 5 over is given to the second column, which lacks 30 of its line.
    assert widths == pytest.approx([57.0, 43.0])
    roomy = _column_widths(table, 200.0, measure=lambda text, bold: 5.0 * len(text) + (1.0 if bold else 0.0))
    assert roomy == pytest.approx([200.0 * 57 / 125, 200.0 * 68 / 125])
