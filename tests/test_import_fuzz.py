"""Property-based fuzz of the importer: over a thousand generated files, nothing raises and no row goes missing.

Files vary in kind (CSV, XLSX, raw bytes), encoding, separator, headings
(known, unknown, duplicated, missing), row width, and cell content (valid and
malformed postcodes, bad dates, control characters, fields far past every
limit). Every row must come back as new, updated, unchanged or rejected, a
rejection must name the file and row, and every accepted row must land in the
audit log when the plan is applied.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from millis_network.store.database import Store, open_store
from millis_network.store.importer import OUTCOMES, apply_import, plan_import

HEADINGS = [
    "Name", "NAME", "Centre name", "id", "Town/City", "Town", "Post Code", "postcode", "Services offered",
    "Accreditation", "Address withheld", "Last verified", "Opened", "Closed", "Status", "Successor",
    "Latitude", "Longitude", "Sample", "Notes", "Charity No.", "Jurisdiction", "Last updated",
    "Favourite colour", "",
]
VALUES = [
    "", "Bath Sample Centre", "Milli’s Sample Centre", "Abingdon Contact Centre", "abingdon-contact-centre",
    "Bath", "St Helier", "Hook", "SY23 1AS", "sy231as", "GU11 1NY", "je2 3ab", "BA1", "ZZ9 9ZZ", "B4-6DS!", "12345",
    "supported", "Supported contact & supervised", "flying", "NACCC enhanced", "gold star", "yes", "no", "maybe",
    "2019", "03/2019", "31/02/2026", "2026-11-23", "next spring", "51.5", "-2.1", "95", "abc", "open", "closed",
    "Wales", "Atlantis", "Upper-Case ID",
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


@dataclass(frozen=True)
class Huge:
    """A cell of ``length`` characters, named briefly so a failing example prints briefly."""

    length: int

    def text(self) -> str:
        return "x" * self.length


@dataclass(frozen=True)
class FileSpec:
    """What to write: ``kind`` (csv, xlsx or bytes), encoding, separator, headings and rows."""

    kind: str
    encoding: str = ""
    delimiter: str = ","
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str | Huge, ...], ...] = ()
    raw: bytes = b""

    def data(self) -> bytes:
        if self.kind == "bytes":
            return self.raw
        rows = [[cell.text() if isinstance(cell, Huge) else cell for cell in row] for row in self.rows]
        if self.kind == "xlsx":
            workbook = openpyxl.Workbook()
            for row in [list(self.header), *rows]:
                padded = [*row, *[""] * (len(self.header) - len(row))]
                workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000] for value in padded])
            out = io.BytesIO()
            workbook.save(out)
            return out.getvalue()
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.delimiter)
        writer.writerow(self.header)
        writer.writerows(rows)
        return text.getvalue().encode(self.encoding, errors="replace")


cells = st.one_of(st.sampled_from(VALUES), st.text(max_size=25), st.sampled_from([Huge(4_001), Huge(140_000)]))


@st.composite
def spreadsheets(draw: st.DrawFn) -> FileSpec:
    """A file to import: mostly CSV, some XLSX, some arbitrary bytes."""
    kind = draw(st.sampled_from(["csv"] * 6 + ["xlsx"] * 2 + ["bytes"]))
    if kind == "bytes":
        prefix = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]))
        return FileSpec("bytes", raw=prefix + draw(st.binary(max_size=200)))
    header = draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=7))
    if draw(st.booleans()):
        header = ["Name", *header]
    if not any(header):
        header.append("Name")
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 1).map(tuple), max_size=6))
    # The separator is detected from the headings; one heading has none to detect, so it must be the default.
    delimiter = draw(st.sampled_from([",", ";", "\t"])) if len(header) > 1 else ","
    return FileSpec(kind, draw(st.sampled_from(ENCODINGS)), delimiter, tuple(header), tuple(rows))


@pytest.fixture(scope="module")
def store(network_data: Path) -> Store:
    """One in-memory database for the whole run, loaded from the bundled network_data."""
    with open_store("sqlite://", seed_from=network_data) as opened:
        yield opened


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spreadsheets())
def test_every_row_of_every_file_is_accounted_for(store: Store, spec: FileSpec) -> None:
    plan = plan_import(store, spec.data(), name="fuzzed.csv")
    if spec.kind != "bytes" and not any(p.rule == "file-encoding" for p in plan.problems):
        assert len(plan.rows) == len(spec.rows)
    for row in plan.rows:
        assert row.outcome in OUTCOMES
        if row.outcome == "rejected":
            assert row.issues and all(i.file == "fuzzed.csv" and i.row == row.row and i.message for i in row.issues)
        else:
            assert not row.issues
    counts = plan.counts()
    assert len(plan.writes) == counts["new"] + counts["updated"]
    summary = apply_import(store, plan, who="fuzz")
    assert (summary.created, summary.updated) == (counts["new"], counts["updated"])
    if plan.writes:
        audited = store.changes(after=summary.first_change_id - 1)
        assert [(c.entity_id, c.who, c.action) for c in audited] == [(w.centre_id, "fuzz", "import") for w in plan.writes]
