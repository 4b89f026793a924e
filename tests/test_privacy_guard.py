"""Privacy guard: no export or briefing places a withheld address beyond its postcode district or carries personal data.

A sample centre with a withheld address and a real full postcode (CF24 4HQ,
near the Cardiff Civil and Family Justice Centre, whose own postcode CF10 1ET
is public) is added to the bundled directory with fields a roster might hold
(volunteer names, DBS certificate numbers) and a private note. Every export
format and every briefing format (court, local authority, national; HTML and
PDF) is generated from that table and scanned.
"""

from __future__ import annotations

import io
import re
import sqlite3
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled
from pypdf import PdfReader

from millis_network._geo import great_circle_km
from millis_network.config import KM_PER_MILE, CampaignRule
from millis_network.directory import contact_centres
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.coverage import court_row
from millis_network.errors import PrivacyError
from millis_network.evidence import briefings
from millis_network.evidence.exports import FORMATS, export_files
from millis_network.network import Network
from millis_network.postcodes import district_centroid, locate
from millis_network.wording import PRECISION_LABELS

POSTCODE = "CF24 4HQ"
NAME = "SAMPLE withheld-address centre (privacy test fixture)"
VOLUNTEER = "Zebedee Quartermaine-Testvolunteer"
DBS_NUMBER = "009988776655"
PRIVATE_NOTE = "Venue entrance round the back of the test building"
COURT = "cardiff-civil-and-family-justice-centre"
PERSONAL = (VOLUNTEER, DBS_NUMBER, PRIVATE_NOTE, "volunteer_names", "dbs_certificate_numbers")


@pytest.fixture(scope="module")
def venue() -> tuple[float, float]:
    """The withheld venue's exact (lat, lon): its postcode's ONS grid reference."""
    location = locate(POSTCODE)
    return location.lat, location.lon


@pytest.fixture(scope="module")
def private(venue: tuple[float, float]) -> Network:
    centres = contact_centres().assign(volunteer_names="", dbs_certificate_numbers="")
    row = {column: "" for column in centres.columns}
    row.update(
        id="sample-withheld-address-centre", name=NAME, jurisdiction="Wales", town="Cardiff", postcode=POSTCODE,
        location_precision="postcode", lat=venue[0], lon=venue[1], services="supported; supervised",
        supported=True, supervised=True, accreditation="not stated", address_withheld="yes", status="open",
        sample="yes", notes=PRIVATE_NOTE, volunteer_names=VOLUNTEER, dbs_certificate_numbers=DBS_NUMBER,
    )
    table = pd.concat([centres, pd.DataFrame([row])], ignore_index=True)
    return bundled().with_centres(table)


RULE = CampaignRule(include_sample=True)


@pytest.fixture(scope="module")
def analysis(private: Network) -> Analysis:
    """What every public output is computed from: the public network's analysis."""
    return run_analysis(private.public(), RULE)


@pytest.fixture(scope="module")
def outputs(analysis: Analysis) -> dict[str, bytes]:
    """Every export file and every briefing, by name."""
    found: dict[str, bytes] = {}
    for fmt in FORMATS:
        found |= export_files(analysis, fmt=fmt)
    inputs = briefings.briefing_inputs(analysis)
    for briefing in (
        briefings.court_briefing(inputs, COURT),
        briefings.local_authority_briefing(inputs, "W06000015"),
        briefings.national_briefing(inputs),
    ):
        for fmt in briefings.BRIEFING_FORMATS:
            found[f"{briefing.file_stem}.{fmt}"] = briefings.render(briefing, fmt=fmt)
    return found


def readable_text(name: str, body: bytes, tmp_path: Path) -> str:
    """Everything a reader of the file could see, as text."""
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(part).decode("utf-8") for part in archive.namelist())
    if name.endswith(".pdf"):
        reader = PdfReader(io.BytesIO(body))
        metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
        return metadata + "\n" + "\n".join(page.extract_text() for page in reader.pages)
    if name.endswith(".gpkg"):
        path = tmp_path / name
        path.write_bytes(body)
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            parts = []
            for table in tables:
                parts.append(" ".join(r[1] for r in db.execute(f'PRAGMA table_info("{table}")')))
                parts += [" ".join(str(v) for v in row) for row in db.execute(f'SELECT * FROM "{table}"')]
        return "\n".join(parts)
    return body.decode("utf-8")


def test_fixture_really_holds_the_exact_venue(private: Network, venue: tuple[float, float]) -> None:
    """The private network holds the exact venue, so the guard has something to hide, and no public output takes it."""
    row = private.centres[private.centres["id"] == "sample-withheld-address-centre"].iloc[0]
    assert (row["lat"], row["lon"]) == venue
    measured = run_analysis(private, RULE)
    assert court_row(measured.court_coverage, COURT)["nearest_supported_id"] == "sample-withheld-address-centre"
    with pytest.raises(PrivacyError):
        export_files(measured, fmt="csv")
    with pytest.raises(PrivacyError):
        briefings.briefing_inputs(measured)


def test_every_format_was_generated(outputs: dict[str, bytes]) -> None:
    suffixes = {name.rsplit(".", 1)[1] for name in outputs}
    assert suffixes == {"csv", "json", "xlsx", "geojson", "gpkg", "html", "pdf"}
    assert sum(name.startswith("briefing-") for name in outputs) == 6


def test_no_output_holds_the_full_postcode_exact_coordinates_or_personal_data(
    outputs: dict[str, bytes], venue: tuple[float, float], tmp_path: Path
) -> None:
    lat, lon = venue
    lat4, lon4 = (re.escape(f"{value:.6f}"[:-2]) for value in (lat, lon))  # ~10 m, as a lat/lon pair
    exact = [re.compile(rf"{lat4}\d*\D{{1,30}}{lon4}"), re.compile(rf"{lon4}\d*\D{{1,30}}{lat4}")]
    packed = [struct.pack("<d", value) for value in (lat, lon)]
    mentioned = []
    for name, body in outputs.items():
        text = readable_text(name, body, tmp_path)
        assert POSTCODE not in text and POSTCODE.replace(" ", "") not in text, name
        assert not any(pattern.search(text) for pattern in exact), name
        assert not any(value in body for value in packed), name
        assert not any(secret in text for secret in PERSONAL), name
        mentioned += [name] if NAME in " ".join(text.split()) else []
    assert {"court_coverage.csv", "public_directory.csv", f"briefing-court-{COURT}.html",
            f"briefing-court-{COURT}.pdf"} <= set(mentioned)


def test_withheld_centre_is_placed_at_its_district(outputs: dict[str, bytes]) -> None:
    directory = pd.read_csv(io.BytesIO(outputs["public_directory.csv"]), dtype=str, keep_default_na=False)
    row = directory[directory["id"] == "sample-withheld-address-centre"].iloc[0]
    assert (row["postcode"], row["location_precision"], row["notes"]) == ("CF24", "district", "")
    assert (float(row["lat"]), float(row["lon"])) == pytest.approx(district_centroid("CF24"))


def test_distances_are_measured_to_the_district_not_the_venue(
    private: Network, analysis: Analysis, outputs: dict[str, bytes], venue: tuple[float, float]
) -> None:
    court = court_row(run_analysis(private, RULE).court_coverage, COURT)
    district_lat, district_lon = district_centroid("CF24")
    to_district = float(great_circle_km(court["lon"], court["lat"], district_lon, district_lat))
    to_venue = float(great_circle_km(court["lon"], court["lat"], venue[1], venue[0]))
    assert court["nearest_supported_km"] == pytest.approx(to_venue)
    assert court_row(analysis.court_coverage, COURT)["nearest_supported_km"] == pytest.approx(to_district)
    exported = pd.read_csv(io.BytesIO(outputs["court_coverage.csv"])).set_index("court_id").loc[COURT]
    assert exported["nearest_supported_km"] == pytest.approx(to_district)
    assert f"{to_venue / KM_PER_MILE:.1f}" != f"{to_district / KM_PER_MILE:.1f}"
    html = outputs[f"briefing-court-{COURT}.html"].decode("utf-8")
    assert f"{to_district / KM_PER_MILE:.1f} miles" in html
    assert f"{to_venue / KM_PER_MILE:.1f} miles" not in html
    assert "(SAMPLE record, not a real centre)" in html
    assert f"Cardiff ({PRECISION_LABELS['district']})" in html
