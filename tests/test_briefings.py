"""Briefings: the right answer per court, area and nation; HTML that parses; PDFs that open and say it."""

from __future__ import annotations

import base64
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled_public
from pypdf import PdfReader

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.errors import NotFoundError
from millis_network.evidence.briefings import (
    CAMPAIGN_ASKS,
    Briefing,
    BriefingInputs,
    BriefingSection,
    BriefingTable,
    add_sections,
    briefing_inputs,
    court_briefing,
    local_authority_briefing,
    national_briefing,
    render,
    render_html,
    render_pdf,
    serving_court_ids,
    write_court_briefings,
)
from millis_network.evidence.funding import (
    FundingAssumptions,
    estimate_cost,
    millis_budget,
)
from millis_network.sources._http import Snapshot
from millis_network.sources.petitions import PetitionFigures, parse_petition
from millis_network.wording import ACROSS_THE_SEA, SERVING_COURT_NOTE

FIXTURES = Path(__file__).resolve().parent / "data" / "evidence"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """What a briefing page holds: headings, the headline, table cells, images and the provenance script."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.h1 = ""
        self.h2: list[str] = []
        self.headline = ""
        self.cells: list[str] = []
        self.images: list[str] = []
        self.provenance = ""
        self.feed(html)
        self.close()
        assert self.stack == [], f"unclosed elements: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(attributes["src"])
        elif tag not in ("meta", "br"):
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> does not close {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.stack:
            return
        tag, attributes = self.stack[-1]
        if tag == "h1":
            self.h1 += data
        elif tag == "h2":
            self.h2.append(data)
        elif attributes.get("id") == "headline":
            self.headline += data
        elif tag in ("td", "th"):
            self.cells.append(data)
        elif tag == "script" and attributes.get("id") == "provenance":
            self.provenance += data


@pytest.fixture(scope="module")
def inputs() -> BriefingInputs:
    return briefing_inputs(run_analysis(bundled_public(), CampaignRule()))


def court_with_status(inputs: BriefingInputs, status: str) -> pd.Series:
    return inputs.analysis.court_coverage[inputs.analysis.court_coverage["status"] == status].iloc[0]


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_court_meeting_the_rule_says_yes(inputs: BriefingInputs) -> None:
    court = court_with_status(inputs, "meets rule")
    briefing = court_briefing(inputs, court["court_id"], with_map=False)
    assert briefing.headline.startswith(f"Yes. {court['court_name']} has a supported and a supervised contact centre")
    assert "in this directory" in briefing.headline
    facts = dict(briefing.key_facts)
    assert facts["Supported centres within reach"] == str(court["supported_within"])
    assert facts["Nearest supported"].startswith(f"{court['nearest_supported_name']}: "
                                                 f"{court['nearest_supported_miles']:.1f} miles")


def test_court_failing_names_the_missing_service_and_nearest_centre(inputs: BriefingInputs) -> None:
    court = court_with_status(inputs, "supported only")
    briefing = court_briefing(inputs, court["court_id"], with_map=False)
    assert briefing.headline.startswith(f"No. {court['court_name']} has no supervised contact centre in this directory")
    assert (f"the nearest supervised centre, {court['nearest_supervised_name']}, is "
            f"{court['nearest_supervised_minutes']:.0f} min ({court['nearest_supervised_miles']:.1f} miles) away"
            ) in briefing.headline


def test_an_island_court_is_told_its_nearest_centre_is_by_road_and_ferry(inputs: BriefingInputs) -> None:
    briefing = court_briefing(inputs, "isle-of-wight-combined-court", with_map=False)
    court = inputs.analysis.court_coverage.set_index("court_id").loc["isle-of-wight-combined-court"]
    assert court["nearest_supported_journey"] == "by road and ferry"
    assert (f"the nearest supported centre, {court['nearest_supported_name']}, is "
            f"{court['nearest_supported_minutes']:.0f} min by road and ferry "
            f"({court['nearest_supported_miles']:.1f} miles) away") in briefing.headline


def test_a_court_with_no_road_or_ferry_is_told_its_nearest_centre_is_across_the_sea(inputs: BriefingInputs) -> None:
    briefing = court_briefing(inputs, "royal-court-of-jersey", with_map=False)
    court = inputs.analysis.court_coverage.set_index("court_id").loc["royal-court-of-jersey"]
    # Jersey has no car ferry in the data, and no supported centre on the island in this directory.
    assert (court["status"], court["nearest_supported_journey"]) == ("neither", ACROSS_THE_SEA)
    assert f"{court['nearest_supported_miles']:.1f} miles away, {ACROSS_THE_SEA}" in briefing.headline


def test_court_population_is_its_catchment(inputs: BriefingInputs) -> None:
    court_id = "cardiff-civil-and-family-justice-centre"
    briefing = court_briefing(inputs, court_id, with_map=False)
    catchment = inputs.analysis.area_reach[inputs.catchment_court == court_id]
    section = next(s for s in briefing.sections if s.heading == "The court's local population")
    assert f"the {len(catchment):,} neighbourhoods" in section.paragraphs[0]
    assert SERVING_COURT_NOTE in section.paragraphs[0]
    rows = {row[0]: row[1:] for row in section.table.rows}
    assert rows["Both services within the threshold"][0] == f"{catchment['covered'].mean():.0%}"
    supervised_beyond = (catchment["nearest_supervised_minutes"] > 30).mean()
    assert rows["Beyond the threshold (30 minutes' estimated drive)"][1] == f"{supervised_beyond:.0%}"


def test_catchment_is_the_nearest_court_in_the_same_nation() -> None:
    courts = pd.DataFrame([
        {"id": "welsh-court", "jurisdiction": "Wales", "lat": 51.48, "lon": -3.18},
        {"id": "english-court", "jurisdiction": "England", "lat": 51.45, "lon": -2.58},
        {"id": "island-court", "jurisdiction": "Jersey", "lat": 49.19, "lon": -2.10},
    ])
    lsoas = pd.DataFrame([
        {"nation": "England", "lat": 51.35, "lon": -2.98},  # Weston-super-Mare: Cardiff is nearer, across the water
        {"nation": "Wales", "lat": 51.60, "lon": -3.00},
        {"nation": "England", "lat": 51.46, "lon": -2.60},
    ])
    assert serving_court_ids(courts, lsoas).tolist() == ["english-court", "welsh-court", "english-court"]


def test_court_outside_the_population_data_says_so(inputs: BriefingInputs) -> None:
    briefing = court_briefing(inputs, "royal-court-of-jersey", with_map=False)
    section = next(s for s in briefing.sections if s.heading == "The court's local population")
    assert section.table is None
    assert "England and Wales only" in section.paragraphs[0]


def test_unknown_court_and_area_are_named(inputs: BriefingInputs) -> None:
    with pytest.raises(NotFoundError, match="no family court centre with id 'nowhere'"):
        court_briefing(inputs, "nowhere", with_map=False)
    with pytest.raises(NotFoundError, match="no local authority with code 'X99'"):
        local_authority_briefing(inputs, "X99", with_map=False)


def test_local_authority_headline_matches_the_reach_summary(inputs: BriefingInputs) -> None:
    summary = inputs.analysis.summary(service="supported", by="local_authority").set_index("area_code").loc["W06000015"]
    briefing = local_authority_briefing(inputs, "W06000015", with_map=False)
    assert briefing.title == "Cardiff"
    assert briefing.headline.startswith(f"{summary['share_covered']:.0%} of Cardiff's neighbourhoods have both")
    assert f"{summary['share_beyond_50_miles']:.0%} are more than 50 miles from a supported centre" in briefing.headline
    courts = next(s for s in briefing.sections if s.heading == "Family court centres serving the area")
    assert sum(int(row[1].replace(",", "")) for row in courts.table.rows) == int(summary["lsoas"])


def fixture_petition() -> PetitionFigures:
    data = json.loads((FIXTURES / "petition_999001.json").read_text(encoding="utf-8"))
    snapshot = Snapshot(name="petition-999001", url="http://127.0.0.1/petitions/999001.json",
                        fetched_at="2026-02-01T12:00:00+00:00", data=data, from_cache=True)
    return parse_petition(snapshot, petition_id=999001)


def test_national_briefing_takes_funding_petition_and_extra_sections(inputs: BriefingInputs) -> None:
    sites = pd.DataFrame({"rank": [1], "site_kind": ["lsoa"], "site_id": ["E01000001"], "site_name": ["x"],
                          "local_authority_name": ["City of London"], "lat": [51.5], "lon": [-0.1],
                          "new_courts_meeting_rule": [1], "new_lsoas_covered": [1],
                          "cumulative_courts_meeting_rule": [167], "cumulative_lsoas_covered": [1],
                          "cumulative_share_lsoas_covered": [0.0], "new_people_covered": [1500.0],
                          "cumulative_people_covered": [1500.0], "nation": ["England"],
                          "local_authority_code": ["E09000001"]})
    budget = millis_budget()
    assumptions = FundingAssumptions(annual_cost_per_centre_gbp=budget.total_gbp, budget=budget)
    funding = estimate_cost(sites, assumptions=assumptions, courts=167, courts_failing=1, rule="test rule",
                            completeness="c")
    scenario = BriefingSection("Statutory network scenario", paragraphs=("Added by another module.",))
    briefing = national_briefing(inputs, funding=funding, petition=fixture_petition(), extra_sections=[scenario],
                                 with_map=False)
    headline = inputs.analysis.headline()
    assert briefing.headline.startswith(f"{headline['courts_meeting_rule']} of {headline['courts']} family court centres")
    headings = [s.heading for s in briefing.sections]
    assert headings == ["By nation", "Courts furthest from a contact centre", "Worst-served local authorities",
                        "The cost of closing the gaps", f"Petition 999001: {fixture_petition().title}",
                        "Statutory network scenario"]
    cost = briefing.sections[3]
    assert cost.paragraphs[0] == funding.headline()
    assert cost.bullets == funding.assumptions
    petition = briefing.sections[4]
    assert petition.paragraphs[0] == "1,000 signatures (petition open)."
    assert petition.paragraphs[1] == ("Source: UK Parliament petitions, stored copy of "
                                      "http://127.0.0.1/petitions/999001.json, fetched 01 February 2026 12:00 UTC.")
    assert petition.table.rows[0] == ("Fixture Constituency A", "Fixture MP A", "480")
    assert any("Petition figures: UK Parliament petitions" in source for source in briefing.sources)
    more = add_sections(briefing, [BriefingSection("Later", table=BriefingTable(("a",), (("1",),)))])
    assert [s.heading for s in more.sections][-2:] == ["Statutory network scenario", "Later"]


@pytest.fixture(scope="module")
def cardiff(inputs: BriefingInputs) -> Briefing:
    return court_briefing(inputs, "cardiff-civil-and-family-justice-centre")


def test_html_parses_and_carries_map_asks_sources_and_provenance(cardiff: Briefing) -> None:
    page = Page(render_html(cardiff))
    assert page.h1 == "Cardiff Civil and Family Justice Centre"
    assert page.headline == cardiff.headline
    assert page.h2 == ["Nearest contact centres", "The court's local population", "What the campaign asks",
                       "How to read these figures", "Sources"]
    assert "Supported centres within reach" in page.cells
    assert len(page.images) == 1 and page.images[0].startswith("data:image/png;base64,")
    assert base64.b64decode(page.images[0].split(",", 1)[1]).startswith(PNG_SIGNATURE)
    embedded = json.loads(page.provenance)
    assert embedded == json.loads(json.dumps(cardiff.provenance))
    assert embedded["briefing"] == {"kind": "court", "court_id": "cardiff-civil-and-family-justice-centre"}
    assert embedded["rule"]["description"] == "within 30 min (estimated drive); all open centres; rule v2026.2"
    html = render_html(cardiff)
    assert all(ask in html for ask in CAMPAIGN_ASKS)


def test_pdf_opens_and_says_the_same(cardiff: Briefing) -> None:
    body = render_pdf(cardiff)
    reader = PdfReader(io.BytesIO(body))
    assert 1 <= len(reader.pages) <= 3
    text = " ".join(pdf_text(body).split())
    for expected in ("Cardiff Civil and Family Justice Centre", "Nearest contact centres", "What the campaign asks",
                     "Sources", cardiff.provenance["generated_at"], "the court serving an area is taken to be",
                     "statutory obligation to provide at least one venue"):
        assert expected in text
    assert " ".join(cardiff.headline.split()[:8]) in text
    assert reader.metadata.title == "Briefing: Cardiff Civil and Family Justice Centre"
    assert json.loads(reader.metadata.get("/Keywords"))["generated_at"] == cardiff.provenance["generated_at"]
    assert len(reader.pages[0].images) == 1


def test_local_authority_and_national_render_in_both_formats(inputs: BriefingInputs) -> None:
    for briefing in (local_authority_briefing(inputs, "E06000052"), national_briefing(inputs)):
        page = Page(render(briefing, fmt="html").decode("utf-8"))
        assert page.h1 == briefing.title and len(page.images) == 1
        assert briefing.title in pdf_text(render(briefing, fmt="pdf"))
    with pytest.raises(ValueError, match="fmt must be one of html, pdf"):
        render(briefing, fmt="docx")  # type: ignore[arg-type]


def test_batch_writes_one_file_per_court(inputs: BriefingInputs, tmp_path: Path) -> None:
    ids = ["royal-court-of-jersey", "central-family-court"]
    paths = write_court_briefings(inputs, tmp_path, fmt="html", court_ids=ids, progress=False)
    assert [p.name for p in paths] == [f"briefing-court-{i}.html" for i in ids]
    assert all(Page(p.read_text(encoding="utf-8")).h1 for p in paths)


def test_cli_writes_court_and_national_briefings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from millis_network.cli import main

    assert main(["brief", "--court", "central-family-court", "--format", "html", "--out", str(tmp_path)]) == 0
    assert main(["brief", "--national", "--no-funding", "--format", "pdf", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "briefing-court-central-family-court.html"),
                                               str(tmp_path / "briefing-national-england-and-wales.pdf")]
    national = (tmp_path / "briefing-national-england-and-wales.pdf").read_bytes()
    assert "The cost of closing the gaps" not in pdf_text(national)
    assert main(["brief", "--court", "nowhere", "--format", "html", "--out", str(tmp_path)]) == 2
    assert "no family court centre with id 'nowhere'" in capsys.readouterr().err


def test_a_briefing_says_what_needs_checking_and_the_per_nation_counts(inputs: BriefingInputs) -> None:
    court = court_with_status(inputs, "meets rule")
    notes = " ".join(court_briefing(inputs, court["court_id"]).notes)
    assert inputs.analysis.completeness.describe_checking() in notes
    assert "Northern Ireland: 9 of the 16 centres (in 23 locations)" in notes
