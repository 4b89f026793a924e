"""Hostile values from the directory stay data: markup is escaped, formulas stay text, only web links are links.

Names, towns and sources reach the map, spreadsheets and information sheets as
typed by whoever filled in a spreadsheet; each output must neutralise them
(OWASP: XSS output encoding; CSV injection; unvalidated link schemes).
"""

from __future__ import annotations

import io
import zipfile

import map_layers
import pandas as pd
import pytest
from bundled import bundled

from millis_network._text import safe_link, spreadsheet_text
from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_COLUMNS
from millis_network.engine.analysis import run_analysis
from millis_network.evidence.exports import export_files, spreadsheet_safe
from millis_network.evidence.information_sheet import information_sheet, render_information_sheet_html

SCRIPT = "<img src=x onerror=alert(1)>"
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def hostile_centre(**values: str) -> dict[str, str]:
    row = {column: "" for column in CENTRE_COLUMNS}
    row.update(id="sample-hostile", name=SCRIPT, town="=HYPERLINK(\"http://evil.example\")", jurisdiction="England",
               postcode="B4 6DS", location_precision="postcode", lat="52.4834", lon="-1.8932",
               services="supported; supervised", accreditation="not stated", address_withheld="no", status="open",
               sample="yes", source_urls="javascript:alert(1); data:text/html,<script>alert(1)</script>")
    row.update(values)
    return row


@pytest.fixture(scope="module")
def analysis():
    centres = pd.concat([bundled().centres, pd.DataFrame([hostile_centre()])], ignore_index=True)
    return run_analysis(bundled().with_centres(centres).public(), CampaignRule(include_sample=True))


def test_map_tooltips_hold_escaped_text(analysis) -> None:
    row = analysis.centres[analysis.centres["id"] == "sample-hostile"].iloc[0]
    tooltip = map_layers._centre_tooltip(row)
    assert SCRIPT not in tooltip and "&lt;img src=x onerror=alert(1)&gt;" in tooltip
    court = analysis.court_coverage.iloc[0].copy()
    court["court_name"] = SCRIPT
    assert "<img" not in map_layers.court_tooltip(court)
    fmap = map_layers.coverage_map(
        map_layers.drawable_centres(analysis.centres, include_sample=True),
        map_layers.coverage_areas({"type": "FeatureCollection", "features": []}), service="supported",
        bounds=map_layers.bounds_of(analysis.court_coverage),
    )
    assert SCRIPT not in fmap.get_root().render()


TEMPLATE_CODE = "{{ 6 * 7 }}{% for x in range(2) %}Q{% endfor %}{# hidden #}"


def test_template_syntax_in_a_name_is_never_run_on_the_server(analysis) -> None:
    """folium renders maps with Jinja: a centre or court name written as template code must stay text."""
    centres = map_layers.drawable_centres(analysis.centres, include_sample=True).copy()
    centres.loc[centres["id"] == "sample-hostile", "name"] = TEMPLATE_CODE
    coverage = analysis.court_coverage.copy()
    coverage.loc[coverage.index[0], "court_name"] = TEMPLATE_CODE
    no_areas = map_layers.coverage_areas({"type": "FeatureCollection", "features": []})
    fmap = map_layers.coverage_map(centres, no_areas, service="supported", bounds=map_layers.bounds_of(coverage))
    for layer in map_layers.court_layers(coverage):
        layer.add_to(fmap)
    page = fmap.get_root().render()
    assert page.count(TEMPLATE_CODE) == 2  # the centre's tooltip and the court's, as typed
    assert "QQ" not in page


@pytest.mark.parametrize("value", FORMULAS)
def test_every_formula_trigger_is_made_text(value: str) -> None:
    assert spreadsheet_text(value) == "'" + value
    assert spreadsheet_text("Milli's centre") == "Milli's centre"


def test_exports_write_no_live_formula(analysis) -> None:
    files = export_files(analysis, fmt="csv") | export_files(analysis, fmt="xlsx")
    directory = files["public_directory.csv"].decode("utf-8")
    assert "\"'=HYPERLINK(\"\"http://evil.example\"\")\"" in directory
    with zipfile.ZipFile(io.BytesIO(next(body for name, body in files.items() if name.endswith(".xlsx")))) as book:
        sheets = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/"))
    assert "<f>" not in sheets, "a cell holds a formula"
    frame = spreadsheet_safe(pd.DataFrame({"text": FORMULAS, "number": range(len(FORMULAS))}))
    assert frame["text"].str.startswith("'").all() and frame["number"].tolist() == list(range(len(FORMULAS)))


def test_only_web_addresses_become_links(analysis) -> None:
    assert safe_link("javascript:alert(1)") == safe_link("data:text/html,x") == safe_link("file:///etc/passwd") == ""
    assert safe_link(" https://example.org/a ") == "https://example.org/a"
    network = bundled().with_centres(pd.DataFrame([hostile_centre()])).public()
    sheet = information_sheet("B4 6DS", network, service="supported", rule=CampaignRule(include_sample=True))
    page = render_information_sheet_html(sheet)
    assert "javascript:" not in page and "data:text/html" not in page
    assert SCRIPT not in page
