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
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from millis_network.importer import OUTCOMES, apply_import, plan_import
from millis_network.store import Store, open_store

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
HUGE = [4_001, 140_000]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]

cells = st.one_of(
    st.sampled_from(VALUES),
    st.text(max_size=25),
    st.sampled_from(HUGE).map(lambda n: "x" * n),
)


@st.composite
def spreadsheets(draw: st.DrawFn) -> tuple[bytes, int | None]:
    """A file's bytes and how many rows follow its headings (None when that is not knowable)."""
    kind = draw(st.sampled_from(["csv"] * 6 + ["xlsx"] * 2 + ["bytes"]))
    if kind == "bytes":
        prefix = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]))
        return prefix + draw(st.binary(max_size=200)), None
    header = draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=7))
    if draw(st.booleans()):
        header = ["Name", *header]
    if not any(h for h in header):
        header.append("Name")
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 1), max_size=6))
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        for row in [header, *rows]:
            padded = [*row, *[""] * (len(header) - len(row))]
            workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000] for value in padded])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), len(rows)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.getvalue().encode(encoding, errors="replace"), len(rows)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, network_data: Path) -> Store:
    with open_store(tmp_path_factory.mktemp("fuzz") / "directory.sqlite", seed_from=network_data) as opened:
        yield opened


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spreadsheets())
def test_every_row_of_every_file_is_accounted_for(store: Store, spreadsheet: tuple[bytes, int | None]) -> None:
    data, expected_rows = spreadsheet
    plan = plan_import(store, data, name="fuzzed.csv")
    if expected_rows is not None and not any(p.rule == "file-encoding" for p in plan.problems):
        assert len(plan.rows) == expected_rows
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
