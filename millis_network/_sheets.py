"""The one spreadsheet reader: a CSV or XLSX file's bytes in, its cells as text out, within limits.

Both the directory import (:mod:`millis_network.store.importer`) and the
roster upload (:mod:`millis_network.standards`) read spreadsheets through
:func:`read_sheet`, so both accept the same files:

* CSV as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
  mark, or Windows-1252; comma, semicolon or tab separated (whichever the
  first non-blank line holds most of);
* XLSX: the first worksheet, or the one named by ``sheet``. A workbook is
  recognised by its content, not its name; a file named ``.xlsx`` that is not
  one is refused.

Dates written in cells are read by :func:`parse_date` (ISO ``2026-11-23`` or
UK ``23/11/2026``, ``23.11.2026``, ``23-11-2026``).

Files come from anonymous visitors, so every read is bounded by a
:class:`SheetLimits`: the file's size, its rows, columns and longest cell,
and for a workbook the number of its zip members and their unpacked size
(declared and actual, measured by streaming every member before openpyxl
parses any of it, which also refuses XML nested or repeated far beyond what
Excel writes and worksheets declaring cells beyond the limits). A file beyond
a limit raises :class:`SheetLimitError` (a
:class:`~millis_network.errors.DataFileError`) naming the file, the limit and
what to do; problems of content (empty, unreadable, wrong encoding) are
returned in :attr:`Sheet.problems`, never raised.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from pathlib import PurePath
from xml.parsers import expat

import openpyxl

from millis_network.errors import DataFileError
from millis_network.validation import Issue

__all__ = [
    "IMPORT_LIMITS",
    "ROSTER_LIMITS",
    "Sheet",
    "SheetLimitError",
    "SheetLimits",
    "Text",
    "cell_text",
    "parse_date",
    "read_sheet",
    "read_text",
]

_MIB = 2**20


@dataclass(frozen=True)
class SheetLimits:
    """How much of a file the reader takes before refusing it.

    Attributes:
        max_file_bytes: the file as uploaded, in bytes.
        max_rows: rows of the sheet, in file rows from the first (headings
            and blank rows count).
        max_columns: columns of a row up to its last non-empty cell; also the
            most cells a worksheet row may hold.
        max_cell_chars: characters in any one cell.
        max_unzipped_bytes: an XLSX's zip members unpacked, in bytes: both
            the sum of the sizes the zip declares and the sum of the sizes
            its members really unpack to.
        max_zip_members: members (parts) of an XLSX zip.
    """

    max_file_bytes: int = 20 * _MIB
    max_rows: int = 50_000
    max_columns: int = 256
    max_cell_chars: int = 1_000_000
    max_unzipped_bytes: int = 64 * _MIB
    max_zip_members: int = 1_000

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"SheetLimits.{limit.name} must be a whole number of at least 1, got {value!r}")


#: Limits for directory imports: room for a legitimate import of 10,000 centres and more.
IMPORT_LIMITS = SheetLimits()

#: Limits for roster uploads, which anyone may make: no real centre has more than a few hundred people.
ROSTER_LIMITS = SheetLimits(
    max_file_bytes=2 * _MIB,
    max_rows=1_000,
    max_columns=200,
    max_cell_chars=10_000,
    max_unzipped_bytes=8 * _MIB,
    max_zip_members=100,
)


class SheetLimitError(DataFileError):
    """A file goes beyond one of its :class:`SheetLimits`.

    Attributes:
        issue: the refusal as an :class:`~millis_network.validation.Issue`;
            its ``rule`` names the limit (``limit-rows``, ``limit-unzipped-bytes`` ...).
    """

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet's cells as text, before any meaning is given to them.

    Attributes:
        file: the name the person knows the file by.
        format: ``csv`` or ``xlsx`` (``xls`` for an old workbook, which is refused).
        encoding: how the CSV text was decoded ("" for XLSX).
        header_row: the file row number of the headings (0 when none).
        header: the headings as written.
        rows: ``(file row number, cells)`` for every row after the headings,
            blank rows included; row numbers count from 1 as a spreadsheet shows them.
        problems: whole-file problems (empty, unreadable, wrong encoding, sheet missing).
    """

    file: str
    format: str
    encoding: str
    header_row: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Text:
    """A text file's bytes decoded.

    Attributes:
        file: the name the person knows the file by.
        encoding: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be`` or ``cp1252`` ("" when unreadable).
        text: the text ("" when unreadable).
        problems: why the bytes cannot be read as text (empty otherwise).
    """

    file: str
    encoding: str
    text: str
    problems: tuple[Issue, ...] = ()


# --------------------------------------------------------------------------- cells and dates

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date(text: str) -> date | None:
    """The date a cell's text gives, or None when it gives none.

    Accepted: ISO ``YYYY-MM-DD`` (a time after it is ignored) and UK
    day-first ``DD/MM/YYYY`` with ``/``, ``.`` or ``-`` between the parts;
    single-digit days and months are fine. Impossible dates (``31/02/2026``) give None.
    """
    value = text.strip()
    try:
        if match := _ISO_DATE.fullmatch(value):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _UK_DATE.fullmatch(value):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return None


def cell_text(value: object) -> str:
    """A workbook cell's value as text: dates ISO, whole numbers without ``.0``, booleans ``yes``/``no``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0, 0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- limits


def _refuse(file: str, rule: str, message: str, *, row: int = 0, field: str = "") -> SheetLimitError:
    return SheetLimitError(Issue(file, row, field, "", rule, message))


def _check_size(data: bytes, name: str, limits: SheetLimits) -> None:
    if len(data) > limits.max_file_bytes:
        raise _refuse(
            name,
            "limit-file-bytes",
            f"the file is {len(data):,} bytes; the most accepted is {limits.max_file_bytes:,} "
            "(limit max_file_bytes): save only the sheet with the data, without images, or split it into smaller files",
        )


class _Rows:
    """Collects a sheet's rows, holding each to the row, column and cell limits."""

    def __init__(self, file: str, limits: SheetLimits) -> None:
        self.file = file
        self.limits = limits
        self.records: list[tuple[int, tuple[str, ...]]] = []
        self.header: tuple[str, ...] = ()
        self.header_at = -1  # position in records of the first non-blank row, the headings

    def add(self, number: int, cells: tuple[str, ...]) -> None:
        limits = self.limits
        if number > limits.max_rows:
            raise _refuse(
                self.file,
                "limit-rows",
                f"the sheet has more than {limits.max_rows:,} rows (limit max_rows): delete the empty rows "
                f"at its end, or split it into files of at most {limits.max_rows:,} rows",
                row=number,
            )
        if len(cells) > limits.max_columns:
            beyond = next((i for i in range(len(cells) - 1, limits.max_columns - 1, -1) if cells[i].strip()), None)
            if beyond is not None:
                raise _refuse(
                    self.file,
                    "limit-columns",
                    f"the row has a value in column {beyond + 1:,}, beyond the {limits.max_columns:,} columns "
                    "accepted (limit max_columns): delete the unused columns, or move the data into the first "
                    f"{limits.max_columns:,}",
                    row=number,
                )
            cells = cells[: limits.max_columns]
        if max(map(len, cells), default=0) > limits.max_cell_chars:
            longest = max(range(len(cells)), key=lambda i: len(cells[i]))
            heading = self.header[longest].strip() if longest < len(self.header) else ""
            raise _refuse(
                self.file,
                "limit-cell-chars",
                f"the cell holds {len(cells[longest]):,} characters; the most accepted is {limits.max_cell_chars:,} "
                "(limit max_cell_chars): shorten it, or check that this is the file you meant",
                row=number,
                field=heading or f"column {longest + 1}",
            )
        if self.header_at < 0 and any(c.strip() for c in cells):
            self.header, self.header_at = cells, len(self.records)
        self.records.append((number, cells))

    def sheet(self, fmt: str, encoding: str) -> Sheet:
        """The headings (the first non-blank row) and the rows after them."""
        if self.header_at < 0:
            return _unreadable(
                self.file, fmt, "file-empty", "the file has no headings and no rows; export the sheet with a heading row"
            )
        header_row = self.records[self.header_at][0]
        return Sheet(self.file, fmt, encoding, header_row, self.header, tuple(self.records[self.header_at + 1 :]))


def _unreadable(file: str, fmt: str, rule: str, message: str, *, value: str = "") -> Sheet:
    return Sheet(file, fmt, "", 0, (), (), (Issue(file, 0, "", value, rule, message),))


# --------------------------------------------------------------------------- CSV

#: The csv module's process-wide cell limit is raised to this (from 131,072), always to this one value,
#: so an over-long cell reaches :class:`SheetLimits` ``max_cell_chars`` rather than breaking the parse.
_CSV_FIELD_LIMIT = 2**31 - 1
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def _utf16_without_bom(data: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when text without a byte-order mark is plainly UTF-16, else "".

    Text of this kind is mostly ASCII, so in UTF-16 every other byte is NUL,
    which UTF-8 and Windows-1252 text never hold: at least 40% NUL bytes on one
    side of the first 4 KB and none on the other.
    """
    head = data[:4096]
    if len(head) < 4:
        return ""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.4 * len(head[1::2]) and even == 0:
        return "utf-16-le"
    if even >= 0.4 * len(head[0::2]) and odd == 0:
        return "utf-16-be"
    return ""


def read_text(data: bytes, *, name: str, limits: SheetLimits) -> Text:
    """Decode a text file: UTF-8 (with or without a byte-order mark), UTF-16 (with one, or plainly UTF-16), else Windows-1252.

    Raises:
        SheetLimitError: the file is larger than ``limits.max_file_bytes``.
    """
    _check_size(data, name, limits)
    try:
        if data.startswith(codecs.BOM_UTF8):
            return Text(name, "utf-8-sig", data[len(codecs.BOM_UTF8) :].decode("utf-8"))
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return Text(name, "utf-16", data.decode("utf-16"))
        unmarked = _utf16_without_bom(data)
        if unmarked:
            return Text(name, unmarked, data.decode(unmarked))
        try:
            return Text(name, "utf-8", data.decode("utf-8"))
        except UnicodeDecodeError:
            return Text(name, "cp1252", data.decode("cp1252"))
    except UnicodeDecodeError as exc:
        return Text(name, "", "", (Issue(
            name, 0, "", "", "file-encoding",
            f"byte {exc.start} cannot be read as UTF-8, UTF-16 or Windows-1252 text; save the file as 'CSV UTF-8'"),))


def _read_csv(data: bytes, name: str, limits: SheetLimits) -> Sheet:
    decoded = read_text(data, name=name, limits=limits)
    if decoded.problems:
        return Sheet(name, "csv", "", 0, (), (), decoded.problems)
    text = decoded.text
    first_line = next((m.group() for m in _LINE.finditer(text) if m.group().strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    rows = _Rows(name, limits)
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False), start=1
        ):
            rows.add(number, tuple(cells))
    except csv.Error as exc:
        return _unreadable(name, "csv", "file-unreadable", f"cannot be read as CSV ({exc}); check its quotes")
    return rows.sheet("csv", decoded.encoding)


# --------------------------------------------------------------------------- XLSX

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_DIRECTORY_ENTRY = b"PK\x01\x02"
#: A zip member's local header (zipfile's ``structFileHeader``); its last two fields are the name's and extra's lengths.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_CHUNK_BYTES = 64 * 1024
#: Deepest XML nesting accepted in a workbook part (Excel's own parts nest about ten deep).
_MAX_XML_DEPTH = 64
#: Most XML elements, workbook-wide, outside worksheet rows and shared strings: styles, themes,
#: column widths, merged cells ... (Excel writes at most tens of thousands; openpyxl holds them all at once).
_MAX_XML_ELEMENTS = 200_000
#: Most XML elements inside one worksheet row or one shared string (openpyxl holds one of each at a time).
_MAX_ITEM_ELEMENTS = 100_000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_ROW, _CELL, _DIMENSION, _STRING = (f"{_MAIN}{tag}" for tag in ("row", "c", "dimension", "si"))
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_NOT_AS_EXCEL_WRITES = "copy the data into a new workbook, or save it as CSV"


class _Unreadable(Exception):
    """A workbook part is not what Excel writes; the message says so."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _XmlScan:
    """Streams a workbook's XML parts, refusing what would make openpyxl run away.

    Rules: no document type declaration (entity expansion); nesting at most
    :data:`_MAX_XML_DEPTH`; at most :data:`_MAX_XML_ELEMENTS` elements
    outside worksheet rows and shared strings, and :data:`_MAX_ITEM_ELEMENTS`
    inside any one of those; in a worksheet at most ``max_rows`` rows, none
    numbered beyond it, at most ``max_columns`` cells a row, and a declared
    dimension within both.
    """

    def __init__(self, file: str, limits: SheetLimits) -> None:
        self.file = file
        self.limits = limits
        self.elements = 0
        self.part = ""
        self.parser: expat.XMLParserType | None = None
        self.depth = 0
        self.item_depth = 0
        self.item_elements = 0
        self.rows = 0
        self.cells = 0

    def start_part(self, part: str) -> None:
        """Begin scanning the zip member ``part``."""
        self.part = part
        self.depth = self.item_depth = self.rows = 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        """Parse the part's next bytes; a part that is not XML (an image) stops being scanned at its first byte."""
        if self.parser is None:
            return
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError:  # not XML, or damaged: openpyxl reports it if it reads this part
            self.parser = None

    def _refuse(self, rule: str, message: str) -> SheetLimitError:
        return _refuse(self.file, rule, f"the workbook part {self.part} {message}")

    def _doctype(self, *_: object) -> None:
        raise _Unreadable(
            f"the workbook part {self.part} declares an XML document type, which Excel never writes; "
            + _NOT_AS_EXCEL_WRITES
        )

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > _MAX_XML_DEPTH:
            raise self._refuse(
                "limit-xml-depth", f"nests XML more than {_MAX_XML_DEPTH} deep, which Excel never writes: "
                + _NOT_AS_EXCEL_WRITES,
            )
        if self.item_depth:
            self.item_elements += 1
            if self.item_elements > _MAX_ITEM_ELEMENTS:
                raise self._refuse(
                    "limit-xml-elements", f"has a row or shared string of more than {_MAX_ITEM_ELEMENTS:,} XML "
                    "elements, which Excel never writes: " + _NOT_AS_EXCEL_WRITES,
                )
        elif tag in (_ROW, _STRING):
            self.item_depth, self.item_elements = self.depth, 0
        else:
            self.elements += 1
            if self.elements > _MAX_XML_ELEMENTS:
                raise self._refuse(
                    "limit-xml-elements", f"brings the workbook's XML beyond {_MAX_XML_ELEMENTS:,} elements "
                    "outside its rows and strings, which Excel never writes: " + _NOT_AS_EXCEL_WRITES,
                )
        if tag == _ROW:
            self._row(attributes.get("r", ""))
        elif tag == _CELL:
            self.cells += 1
            if self.cells > self.limits.max_columns:
                raise self._refuse(
                    "limit-columns",
                    f"(a worksheet) has a row of more than {self.limits.max_columns:,} cells (limit max_columns): "
                    "delete the unused columns, or " + _NOT_AS_EXCEL_WRITES,
                )
        elif tag == _DIMENSION:
            self._dimension(attributes.get("ref", ""))

    def _end(self, _tag: str) -> None:
        if self.depth == self.item_depth:
            self.item_depth = 0
        self.depth -= 1

    def _row(self, number: str) -> None:
        limits = self.limits
        self.rows += 1
        self.cells = 0
        if self.rows > limits.max_rows or (number.isdigit() and int(number) > limits.max_rows):
            raise self._refuse(
                "limit-rows",
                f"(a worksheet) has more than {limits.max_rows:,} rows (limit max_rows): delete the empty "
                f"rows at its end, or split it into files of at most {limits.max_rows:,} rows",
            )

    def _dimension(self, ref: str) -> None:
        match = _CELL_REF.fullmatch(ref.rpartition(":")[2])
        if match is None:
            return
        columns, rows = _column_number(match.group(1)), int(match.group(2))
        limits = self.limits
        if rows > limits.max_rows or columns > limits.max_columns:
            raise self._refuse(
                "limit-dimension",
                f"(a worksheet) declares cells up to {match.group(0).upper()} ({rows:,} rows by {columns:,} columns); "
                f"the most accepted is {limits.max_rows:,} rows by {limits.max_columns:,} columns (limits max_rows "
                "and max_columns): delete the unused rows and columns, or copy the data into a new workbook, "
                "and save it again",
            )


def _member_bytes(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A zip member's bytes as they really unpack, in chunks of at most :data:`_CHUNK_BYTES`.

    Read from the member's compressed bytes, not through :mod:`zipfile`
    (which stops at the size the zip declares), so a member that lies about
    its size is measured as it is. The caller stops reading at its limit.
    """
    if member.flag_bits & 0x1:
        raise _Unreadable(f"the workbook part {member.filename} is encrypted; save the workbook without a password")
    header = data[member.header_offset : member.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or not header.startswith(_ZIP_MAGIC):
        raise _Unreadable(f"the workbook's zip directory points outside it ({member.filename}); re-save it as .xlsx or CSV")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        for position in range(0, len(raw), _CHUNK_BYTES):
            yield bytes(raw[position : position + _CHUNK_BYTES])
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise _Unreadable(
            f"the workbook part {member.filename} is compressed in a way Excel never uses "
            f"(method {member.compress_type}); re-save it as .xlsx or CSV"
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for position in range(0, len(raw), _CHUNK_BYTES):
        pending: bytes | memoryview = raw[position : position + _CHUNK_BYTES]
        while pending and not inflater.eof:
            yield inflater.decompress(pending, _CHUNK_BYTES)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    yield inflater.flush()


def _vet_workbook(data: bytes, name: str, limits: SheetLimits) -> Issue | None:
    """Hold a workbook's zip to the limits before openpyxl parses any of it.

    Every member is unpacked once, chunk by chunk, counting the bytes and
    streaming its XML through :class:`_XmlScan`; nothing unpacked is kept.

    Returns:
        A ``file-unreadable`` issue when the zip is damaged, else None.

    Raises:
        SheetLimitError: too many members, members that declare or really
            unpack to more than ``limits.max_unzipped_bytes`` between them, or
            XML beyond what :class:`_XmlScan` accepts.
    """
    too_many = (
        f"; the most accepted is {limits.max_zip_members:,} (limit max_zip_members): copy the data into a new "
        "workbook, or save it as CSV"
    )
    # Counting directory entries first keeps zipfile from building one record per entry of a huge directory.
    if data.count(_ZIP_DIRECTORY_ENTRY) > limits.max_zip_members:
        raise _refuse(name, "limit-zip-members", f"the workbook has more than {limits.max_zip_members:,} parts{too_many}")
    too_big = (
        f"the most accepted is {limits.max_unzipped_bytes:,} bytes (limit max_unzipped_bytes): save only "
        "the sheet with the data, without images, or save it as CSV"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise _refuse(name, "limit-zip-members", f"the workbook has {len(members):,} parts{too_many}")
        declared = sum(member.file_size for member in members)
        if declared > limits.max_unzipped_bytes:
            raise _refuse(name, "limit-unzipped-bytes", f"the workbook declares {declared:,} bytes unpacked; {too_big}")
        unpacked = 0
        scan = _XmlScan(name, limits)
        for member in members:
            scan.start_part(member.filename)
            size = 0
            for chunk in _member_bytes(data, member):
                size += len(chunk)
                if unpacked + size > limits.max_unzipped_bytes:
                    raise _refuse(
                        name, "limit-unzipped-bytes",
                        f"the workbook unpacks to more than {unpacked + size:,} bytes (more than it declares); {too_big}",
                    )
                scan.feed(chunk)
            scan.feed(b"", final=True)
            if size != member.file_size:
                raise _Unreadable(
                    f"the workbook part {member.filename} unpacks to {size:,} bytes but its zip entry says "
                    f"{member.file_size:,}; re-save it as .xlsx or CSV"
                )
            unpacked += size
    except SheetLimitError:
        raise
    except _Unreadable as exc:
        return Issue(name, 0, "", "", "file-unreadable", str(exc))
    except Exception as exc:  # zipfile and zlib raise many types for a damaged zip
        return Issue(
            name, 0, "", "", "file-unreadable",
            f"cannot be opened as an Excel workbook ({type(exc).__name__}); re-save it as .xlsx or CSV",
        )
    return None


def _read_xlsx(data: bytes, name: str, limits: SheetLimits, sheet: str | None) -> Sheet:
    problem = _vet_workbook(data, name, limits)
    if problem is not None:
        return Sheet(name, "xlsx", "", 0, (), (), (problem,))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        return _unreadable(
            name, "xlsx", "file-unreadable",
            f"cannot be opened as an Excel workbook ({type(exc).__name__}); re-save it as .xlsx or CSV",
        )
    what = "the first worksheet" if sheet is None else f"the worksheet {sheet!r}"
    rows = _Rows(name, limits)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            return _unreadable(
                name, "xlsx", "sheet-missing",
                f"the workbook needs a sheet named {sheet!r} (it has: {names}); rename the sheet that holds the data",
                value=names,
            )
        worksheet = workbook.worksheets[0] if sheet is None else workbook[sheet]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            rows.add(number, tuple(cell_text(v) for v in values))
    except SheetLimitError:
        raise
    except Exception as exc:  # as above: damaged sheet XML
        return _unreadable(
            name, "xlsx", "file-unreadable",
            f"{what} cannot be read ({type(exc).__name__}); re-save it as .xlsx or CSV",
        )
    finally:
        workbook.close()
    return rows.sheet("xlsx", "")


# --------------------------------------------------------------------------- the reader


def read_sheet(data: bytes, *, name: str, limits: SheetLimits, sheet: str | None = None) -> Sheet:
    """Read a CSV or XLSX file's cells as text.

    Args:
        data: the file's bytes.
        name: the file's name as the person knows it; it names the file in
            every problem. A name ending ``.xlsx`` must hold a workbook;
            otherwise the content decides (a workbook is recognised by its zip signature).
        limits: the most the reader accepts (:data:`IMPORT_LIMITS`, :data:`ROSTER_LIMITS` ...).
        sheet: the worksheet to read; default the first.

    Returns:
        The :class:`Sheet`; problems of content are in its ``problems``.

    Raises:
        SheetLimitError: the file goes beyond ``limits``; the message names
            the file, the limit and what to do.
    """
    if not data:
        return _unreadable(name, "csv", "file-empty", "the file is empty (0 bytes)")
    _check_size(data, name, limits)
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, name, limits, sheet)
    if data.startswith(_OLE_MAGIC):
        return _unreadable(name, "xls", "file-format", "this is an old Excel .xls workbook; save it as .xlsx or CSV UTF-8")
    if PurePath(name).suffix.lower() in _WORKBOOK_SUFFIXES:
        return _unreadable(
            name, "xlsx", "file-unreadable",
            "the file is named as an Excel workbook but is not one; re-save it as .xlsx or CSV",
        )
    return _read_csv(data, name, limits)
