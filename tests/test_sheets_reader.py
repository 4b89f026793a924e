"""The one spreadsheet reader: encodings, separators, workbooks, headings, row numbers, cell text and dates."""

from __future__ import annotations

import ast
import io
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from millis_network._sheets import IMPORT_LIMITS, ROSTER_LIMITS, Sheet, cell_text, parse_date, read_sheet, read_text

TEXT = "Name,Town\nMilli’s Sample Centre,St Helier\n"


def read(data: bytes, name: str = "x.csv", sheet: str | None = None) -> Sheet:
    return read_sheet(data, name=name, limits=IMPORT_LIMITS, sheet=sheet)


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        page = book.create_sheet(title)
        for row in rows:
            page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "windows-1252"],
)
def test_every_common_encoding_reads_the_same(data: bytes, encoding: str) -> None:
    sheet = read(data)
    assert (sheet.format, sheet.encoding, sheet.problems) == ("csv", encoding, ())
    assert (sheet.header_row, sheet.header, sheet.rows) == (1, ("Name", "Town"), ((2, ("Milli’s Sample Centre", "St Helier")),))


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_separator_is_the_one_the_first_line_uses_most(delimiter: str) -> None:
    sheet = read(f"\n a{delimiter}b{delimiter}c\n1{delimiter}2,5{delimiter}3\n".encode())
    assert sheet.header == (" a", "b", "c")
    assert sheet.rows[0][1] == (("1", "2,5", "3") if delimiter != "," else ("1", "2", "5", "3"))


def test_rows_keep_their_file_numbers_and_blank_rows() -> None:
    sheet = read(b"\n\nName\nA\n\nB\n")
    assert (sheet.header_row, sheet.rows) == (3, ((4, ("A",)), (5, ()), (6, ("B",))))


@pytest.mark.parametrize(
    ("data", "name", "rule", "fmt"),
    [
        (b"", "x.csv", "file-empty", "csv"),
        (b" \n,,\n", "x.csv", "file-empty", "csv"),
        (b"Name\n\x81\x8d\x8f", "x.csv", "file-encoding", "csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.xls", "file-format", "xls"),
        (b"Name\nA\n", "named.xlsx", "file-unreadable", "xlsx"),
        (b"PK\x03\x04 not really a workbook", "x.csv", "file-unreadable", "xlsx"),
    ],
)
def test_unreadable_files_are_problems_not_exceptions(data: bytes, name: str, rule: str, fmt: str) -> None:
    sheet = read(data, name)
    assert sheet.format == fmt
    assert [p.rule for p in sheet.problems] == [rule]
    assert all(p.file == name and p.row == 0 and p.message for p in sheet.problems)


def test_a_workbook_is_known_by_its_content_and_its_sheet_by_name() -> None:
    data = workbook(("Instructions", [["read me"]]), ("Roster", [["person_id", "role"], ["V1", "volunteer"]]))
    first = read(data, name="upload.csv")
    assert (first.format, first.header, first.rows) == ("xlsx", ("read me",), ())
    roster = read(data, name="roster.xlsx", sheet="Roster")
    assert (roster.header_row, roster.header, roster.rows) == (1, ("person_id", "role"), ((2, ("V1", "volunteer")),))
    missing = read(data, name="roster.xlsx", sheet="People")
    assert [(p.rule, p.value, p.message) for p in missing.problems] == [(
        "sheet-missing",
        "Instructions, Roster",
        "the workbook needs a sheet named 'People' (it has: Instructions, Roster); rename the sheet that holds the data",
    )]


def test_workbook_cells_of_every_type_become_text() -> None:
    row = [None, True, False, 1234567.0, 2.5, datetime(2026, 11, 2), datetime(2026, 11, 2, 10, 30), date(2019, 3, 1),
           time(10, 30), 7, " text "]
    sheet = read(workbook(("Sheet", [["h"] * len(row), row])), name="types.xlsx")
    assert sheet.rows == ((2, ("", "yes", "no", "1234567", "2.5", "2026-11-02", "2026-11-02 10:30:00", "2019-03-01",
                               "10:30:00", "7", " text ")),)
    assert [cell_text(v) for v in (1e16, 0.1, date(2026, 1, 2))] == ["1e+16", "0.1", "2026-01-02"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", date(2026, 11, 23)),
        ("2026-1-5", date(2026, 1, 5)),
        ("2026-11-23 00:00:00", date(2026, 11, 23)),
        ("2026-11-23T10:30", date(2026, 11, 23)),
        (" 23/11/2026 ", date(2026, 11, 23)),
        ("3/2/2026", date(2026, 2, 3)),
        ("23.11.2026", date(2026, 11, 23)),
        ("23-11-2026", date(2026, 11, 23)),
        ("31/02/2026", None),
        ("2026-13-01", None),
        ("23/11/26", None),
        ("11/2026", None),
        ("next spring", None),
        ("", None),
    ],
)
def test_dates_are_iso_or_uk_day_first(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_text_files_decode_as_sheets_do() -> None:
    assert read_text("Milli’s".encode("cp1252"), name="r.yaml", limits=ROSTER_LIMITS).text == "Milli’s"
    broken = read_text(b"\x81", name="r.yaml", limits=ROSTER_LIMITS)
    assert (broken.text, [p.rule for p in broken.problems]) == ("", ["file-encoding"])


def test_the_reader_imports_only_errors_validation_and_config_of_ours() -> None:
    """The brief's rule for this module, stricter than its layer's (tests/test_package_boundaries.py)."""
    tree = ast.parse((Path(__file__).resolve().parent.parent / "millis_network" / "_sheets.py").read_text(encoding="utf-8"))
    ours = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            ours |= {alias.name for alias in node.names if alias.name.startswith("millis_network")}
        elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("millis_network")):
            ours |= {f"{node.module}.{alias.name}" if node.module == "millis_network" else str(node.module)
                     for alias in node.names}
    assert "millis_network.errors" in ours
    assert ours <= {"millis_network.errors", "millis_network.validation", "millis_network.config"}



@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_as_utf16(encoding: str) -> None:
    data = "Name,Town\nMilli’s Sample Centre,St Helier\n".encode(encoding)
    sheet = read_sheet(data, name="no-bom.csv", limits=IMPORT_LIMITS)
    assert sheet.encoding == encoding
    assert sheet.header == ("Name", "Town")
    assert sheet.rows[0][1] == ("Milli’s Sample Centre", "St Helier")
