"""MP briefings: a constituency's headline in people, its courts and centres, the scenario, the petition; both formats."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled_public
from pypdf import PdfReader

from millis_network.cli import main
from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.constituencies import (
    constituency_coverage,
    constituency_profile,
    join_petition,
)
from millis_network.engine.scenario import statutory_network
from millis_network.errors import NotFoundError
from millis_network.evidence.briefings import (
    CAMPAIGN_ASKS,
    BriefingInputs,
    briefing_inputs,
    national_briefing,
    render,
)
from millis_network.evidence.constituency_briefing import (
    constituency_briefing,
    write_constituency_briefings,
)
from millis_network.sources._http import Snapshot
from millis_network.sources.petitions import PetitionFigures, parse_petition
from millis_network.wording import POPULATION_NOTE

RULE = CampaignRule()
RECORDED = Path(__file__).resolve().parent / "data" / "evidence" / "petition_999002.json"


class Headings(HTMLParser):
    """The h1, h2 and image count of a rendered briefing."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[str] = []
        self.h1, self.h2, self.images = "", [], 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.images += tag == "img"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "h1":
            self.h1 += data
        elif self.open and self.open[-1] == "h2":
            self.h2.append(data)


@pytest.fixture(scope="module")
def evidence() -> tuple[BriefingInputs, pd.DataFrame]:
    analysis = run_analysis(bundled_public(), RULE)
    return briefing_inputs(analysis), constituency_coverage(statutory_network(analysis))


def petition() -> PetitionFigures:
    snapshot = Snapshot(name="petition-999002", url="http://127.0.0.1/petitions/999002.json",
                        fetched_at="2026-02-20T09:00:00+00:00", data=json.loads(RECORDED.read_text()), from_cache=True)
    return parse_petition(snapshot, petition_id=999002)


def test_the_briefing_leads_with_people_and_names_its_courts(evidence) -> None:
    inputs, table = evidence
    briefing = constituency_briefing(inputs, table, "e14001063", with_map=False)
    profile = constituency_profile(table, "E14001063", rule=RULE)
    assert briefing.title == "Aldershot" and briefing.headline == profile.headline
    assert briefing.file_stem == "briefing-constituency-e14001063"
    assert [s.heading for s in briefing.sections] == [
        "What the campaign's network would change here", "Family court centres serving its people",
        "Nearest contact centres in this directory"]
    change = briefing.sections[0]
    assert change.paragraphs[0] == profile.scenario
    assert [row[0] for row in change.table.rows] == [
        "Supported centre in this directory", "Supervised centre in this directory",
        "Venue of the statutory network (scenario)"]
    assert briefing.sections[1].bullets[0].startswith("Aldershot Justice Centre: ")
    assert dict(briefing.key_facts)["People"] == "111,000"
    assert POPULATION_NOTE in briefing.notes and briefing.asks == CAMPAIGN_ASKS
    assert any("mySociety" in source for source in briefing.sources)
    labels = [source.split(":")[0] for source in briefing.sources]
    assert len(labels) == len(set(labels)), "each source is listed once"
    assert briefing.provenance["briefing"] == {"kind": "constituency", "gss_code": "E14001063"}
    with pytest.raises(NotFoundError, match="no constituency of England and Wales"):
        constituency_briefing(inputs, table, "S14000083")


def test_a_petition_adds_its_signatures_here(evidence) -> None:
    inputs, table = evidence
    joined = join_petition(table, petition().by_constituency, constituencies=inputs.analysis.network.constituencies)
    briefing = constituency_briefing(inputs, table, "E14001063", petition=joined, petition_source="a stored copy",
                                     with_map=False)
    section = briefing.sections[-1]
    assert section.heading == "Petition" and section.paragraphs[0].startswith("300 signatures here: ")
    assert "per 10,000 people" in section.paragraphs[0] and section.paragraphs[1] == joined.describe()
    assert dict(briefing.key_facts)["Petition signatures"] == "300"
    unlisted = constituency_briefing(inputs, table, "E14001064", petition=joined, with_map=False)
    assert "does not list this constituency: counted as zero" in unlisted.sections[-1].paragraphs[0]


def test_the_national_briefing_petition_section_reads_per_10000_people(evidence) -> None:
    inputs, table = evidence
    figures = petition()
    joined = join_petition(table, figures.by_constituency, constituencies=inputs.analysis.network.constituencies)
    briefing = national_briefing(inputs, petition=figures, petition_join=joined, with_map=False)
    section = next(s for s in briefing.sections if s.heading.startswith("Petition 999002"))
    assert section.paragraphs[1] == joined.describe()
    assert section.table.columns[2] == "Per 10,000 people"
    best = joined.table.sort_values("signatures_per_10000_people", ascending=False).iloc[0]
    assert section.table.rows[0][:2] == (best["name"], f"{best['signatures']:,}")


def test_both_formats_render_and_say_it(evidence) -> None:
    inputs, table = evidence
    briefing = constituency_briefing(inputs, table, "W07000081")
    page = Headings(render(briefing, fmt="html").decode("utf-8"))
    assert page.h1 == "Aberafan Maesteg" and page.images == 1
    assert "What the campaign's network would change here" in page.h2
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render(briefing, fmt="pdf"))).pages).split())
    assert "Aberafan Maesteg" in text and " ".join(briefing.headline.split()[:6]) in text
    assert "mid-2019" in text


def test_the_pdf_is_one_a4_page_even_for_the_longest_briefings(evidence) -> None:
    inputs, table = evidence
    joined = join_petition(table, petition().by_constituency, constituencies=inputs.analysis.network.constituencies)
    courts = table["serving_courts"].str.split("; ").str.len()
    signed = joined.table.set_index("gss_code")["signatures"]
    chosen = {
        "longest name": table.loc[table["name"].str.len().idxmax(), "gss_code"],
        "most serving courts": table.loc[courts.idxmax(), "gss_code"],
        "most signatures": signed.idxmax(),
        "Welsh, most people": table.loc[table["people"].where(table["nation"] == "Wales").idxmax(), "gss_code"],
    }
    assert courts.max() >= 5, "the bundled data has a constituency served by many courts"
    for why, code in chosen.items():
        briefing = constituency_briefing(inputs, table, code, petition=joined, petition_source="a stored copy")
        reader = PdfReader(io.BytesIO(render(briefing, fmt="pdf")))
        assert len(reader.pages) == 1, f"{why}: {briefing.title} runs to {len(reader.pages)} pages"
        width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (595, 842), "A4"
        text = " ".join(reader.pages[0].extract_text().split())
        for heading in ("What the campaign's network would change here", "Family court centres serving its people",
                        "Nearest contact centres in this directory", "Petition", "What the campaign asks", "Sources"):
            assert heading in text, f"{why}: {heading!r} missing"
        assert all(court in text for court in constituency_profile(table, code, rule=RULE).courts)
        assert briefing.sources[-1].split()[0] in text and len(reader.pages[0].images) == 1


def test_batch_and_cli_write_one_file_per_constituency(evidence, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    inputs, table = evidence
    paths = write_constituency_briefings(inputs, table, tmp_path / "batch", fmt="html",
                                         gss_codes=["E14001063", "W07000081"], progress=False)
    assert [p.name for p in paths] == ["briefing-constituency-e14001063.html", "briefing-constituency-w07000081.html"]
    assert main(["brief", "--constituency", "e14001063", "--format", "html", "--out", str(tmp_path / "one")]) == 0
    assert (tmp_path / "one" / "briefing-constituency-e14001063.html").exists()
    assert main(["brief", "--constituency", "X14000001", "--format", "html", "--out", str(tmp_path / "bad")]) == 2
    assert "no constituency of England and Wales with code 'X14000001'" in capsys.readouterr().err
