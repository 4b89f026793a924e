"""A centre's records: its people and their dated evidence, read from records YAML or a roster sheet.

Records hold pseudonymous ids only (``V01``), never names, and only the
dates of checks, never certificate numbers. They come from a records YAML
file (``records.schema.json``) or from the one-sheet roster template (CSV or
XLSX, :mod:`millis_network.standards.templates`). Uploads are parsed from
bytes in memory, within :data:`millis_network._sheets.ROSTER_LIMITS`;
nothing here writes records anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from millis_network._sheets import (
    ROSTER_LIMITS,
    Sheet,
    SheetLimitError,
    SheetLimits,
    read_sheet,
    read_text,
)
from millis_network.config import default_data_dir
from millis_network.standards._parsing import Checker, as_date, display_name, load_yaml
from millis_network.standards.model import EvidenceKind, Standards
from millis_network.standards.rules import (
    PERSON_ROLES,
    SERVICES,
    Centre,
    Event,
    Person,
    Subject,
    field_name,
)
from millis_network.standards.templates import (
    ROSTER_SHEET,
    TemplateColumn,
    template_columns,
)
from millis_network.validation import ValidationReport

__all__ = [
    "RECORDS_FORMAT",
    "SAMPLE_LABEL",
    "Records",
    "default_sample_path",
    "load_records",
    "parse_records",
    "read_records",
]

RECORDS_FORMAT = "millis-network-centre-records/1"
#: How illustrative records are labelled wherever they are shown.
SAMPLE_LABEL = "Sample (illustrative) roster"

_PERSON_ID = re.compile(r"^[A-Za-z]{1,4}[0-9]{1,4}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Words in an evidence cell saying the evidence is not held.
_NONE_WORDS = {"none", "not held"}


def default_sample_path() -> Path:
    """The bundled Milli's sample (illustrative) roster."""
    return default_data_dir() / "standards" / "millis_sample.yaml"


@dataclass(frozen=True)
class Records:
    """One centre's records: the centre and its people.

    Attributes:
        centre: the centre's facts and evidence.
        people: everyone recorded, including people who have left.
        sample: True for illustrative records (labelled :data:`SAMPLE_LABEL`).
        sample_note: what the sample is and what it rests on.
        as_of: the date the records describe, when they say (the checker's
            default as-of date); None for records kept current.
        source: the file name, for display.
    """

    centre: Centre
    people: tuple[Person, ...]
    sample: bool = False
    sample_note: str = ""
    as_of: date | None = None
    source: str = ""

    @property
    def label(self) -> str:
        """:data:`SAMPLE_LABEL` for sample records, else the centre's name."""
        return SAMPLE_LABEL if self.sample else (self.centre.name or self.centre.id)


def load_records(path: Path | str, standards: Standards) -> Records:
    """Read a centre's records from a ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` file.

    Raises:
        DataFileError: listing every problem as ``file:row: field: message``.
    """
    file = Path(path)
    return read_records(file.read_bytes(), name=display_name(file), standards=standards)


def read_records(data: bytes, *, name: str, standards: Standards) -> Records:
    """Read a centre's records from the bytes of a file called ``name`` (e.g. an upload).

    Raises:
        DataFileError: listing every problem as ``file:row: field: message``.
    """
    records, report = parse_records(data, name=name, standards=standards)
    report.raise_if_any()
    assert records is not None
    return records


def parse_records(
    data: bytes, *, name: str, standards: Standards, limits: SheetLimits = ROSTER_LIMITS
) -> tuple[Records | None, ValidationReport]:
    """Parse records from bytes; the format follows the file name's suffix.

    ``.yaml``/``.yml`` files are records YAML; ``.csv`` and ``.xlsx`` files
    are rosters (the template's one sheet, ``Roster`` in a workbook), read
    by :func:`millis_network._sheets.read_sheet`: CSV in UTF-8, UTF-16 or
    Windows-1252, comma, semicolon or tab separated; dates ISO or UK.

    Args:
        data: the file's bytes.
        name: the file's name, used in every issue.
        standards: the evidence kinds and items the records may use.
        limits: the most a file may hold (size, rows, columns, cell length,
            an XLSX's unpacked size); a file beyond them is refused with one
            issue whose rule names the limit (``limit-rows`` ...).

    Returns:
        The records (None when there are problems) and the report of every
        problem, each naming file, row (line) and field.
    """
    report = ValidationReport()
    suffix = Path(name).suffix.lower()
    records: Records | None = None
    try:
        if suffix in (".yaml", ".yml"):
            text = read_text(data, name=name, limits=limits)
            report.extend(text.problems)
            if not text.problems:
                records = _records_from_yaml(text.text, name, standards, report)
        elif suffix in (".csv", ".xlsx"):
            sheet = read_sheet(data, name=name, limits=limits, sheet=ROSTER_SHEET)
            report.extend(sheet.problems)
            if not sheet.problems:
                records = _records_from_sheet(sheet, standards, report)
        else:
            report.add(name, 0, "", suffix, "format-unknown", "records must be a .yaml, .yml, .csv or .xlsx file")
    except SheetLimitError as exc:
        report.extend([exc.issue])
    return (records if report.ok else None), report


class _RecordChecks:
    """Evidence checks shared by the YAML and roster readers."""

    def __init__(self, standards: Standards) -> None:
        self.kinds = {k.id: k for k in standards.evidence_kinds}

    def event_kind(self, kind: object, subject: Subject, bad: _Bad) -> EvidenceKind | None:
        declared = self.kinds.get(kind) if isinstance(kind, str) else None
        if declared is None:
            bad(kind, "evidence-kind-unknown", f"unknown evidence kind {kind!r}; use one of: {', '.join(self.kinds)}")
            return None
        if declared.subject != subject:
            where = "the centre's" if declared.subject == "centre" else "a person's"
            bad(
                kind,
                "evidence-subject-mismatch",
                f"{kind} is {declared.subject} evidence; record it in {where} evidence",
            )
            return None
        return declared

    def item(self, kind: EvidenceKind, item: str, bad: _Bad) -> bool:
        if kind.items and item not in kind.items:
            bad(item, "item-unknown", f"{kind.id} needs an item, one of: {', '.join(kind.items)}")
            return False
        return True


@dataclass(frozen=True)
class _Bad:
    """Report a problem at one place: ``bad(value, rule, message)``."""

    report: ValidationReport
    file: str
    row: int
    field_label: str

    def __call__(self, value: object, rule: str, message: str) -> None:
        self.report.add(self.file, self.row, self.field_label, value, rule, message)


def _person_id_ok(value: object, bad: _Bad) -> bool:
    if not isinstance(value, str) or not _PERSON_ID.match(value):
        bad(
            value,
            "person-id-invalid",
            f"{value!r} is not a pseudonymous id: use 1-4 letters then 1-4 digits such as V01 or C1, never a name",
        )
        return False
    return True


def _records_from_yaml(text: str, file: str, standards: Standards, report: ValidationReport) -> Records | None:
    data, where = load_yaml(text, file, report)
    if not report.ok:
        return None
    reader = _YamlRecords(Checker(where, report), _RecordChecks(standards))
    top = reader.check.keys(
        data,
        (),
        required=("format", "centre", "people"),
        optional=("sample", "sample_note", "as_of"),
        what="a records file",
    )
    if top is None:
        return None
    check = reader.check
    if "format" in top and top["format"] != RECORDS_FORMAT:
        check.bad(("format",), top["format"], "format-unknown", f"format must be {RECORDS_FORMAT!r}")
    sample = top.get("sample", False)
    if not isinstance(sample, bool):
        check.bad(("sample",), sample, "not-boolean", "sample must be true or false")
        sample = False
    sample_note = check.text(top, "sample_note", (), required=sample)
    as_of = _optional_date(top, "as_of", (), check)
    centre = reader.centre(top["centre"]) if "centre" in top else None
    people = reader.people(top.get("people", []))
    if not report.ok or centre is None:
        return None
    return Records(centre, people, sample, sample_note, as_of, file)


@dataclass(frozen=True)
class _YamlRecords:
    """Reads the centre and the people of a records YAML file, reporting at key paths."""

    check: Checker
    shared: _RecordChecks

    def at(self, path: tuple[object, ...]) -> _Bad:
        where = self.check.where
        return _Bad(self.check.report, where.file, where.line(path), field_name(path))

    def centre(self, data: object) -> Centre | None:
        check = self.check
        path: tuple[object, ...] = ("centre",)
        raw = check.keys(
            data,
            path,
            required=("id",),
            optional=("name", "services", "establishment", "evidence", "not_held"),
            what="the centre",
        )
        if raw is None:
            return None
        centre_id = raw.get("id")
        if not isinstance(centre_id, str) or not _SLUG.match(centre_id):
            check.bad(
                (*path, "id"),
                centre_id,
                "centre-id-invalid",
                "the centre id is a lower-case slug such as millis-jersey",
            )
        services = raw.get("services", [])
        if not isinstance(services, list):
            check.bad((*path, "services"), services, "not-list", "services must be a list")
            services = []
        for j, service in enumerate(services):
            if service not in SERVICES:
                check.bad(
                    (*path, "services", j),
                    service,
                    "service-unknown",
                    f"unknown service {service!r}; use one of: {', '.join(SERVICES)}",
                )
        establishment = raw.get("establishment")
        if establishment is not None and (
            isinstance(establishment, bool) or not isinstance(establishment, int) or establishment < 0
        ):
            check.bad(
                (*path, "establishment"), establishment, "establishment-invalid", "establishment must be a whole number"
            )
            establishment = None
        events, not_held = _yaml_evidence(raw, path, "centre", self.shared, self.at)
        return Centre(
            str(centre_id),
            check.text(raw, "name", path, required=False),
            tuple(str(s) for s in services),
            establishment,
            events,
            not_held,
        )

    def people(self, data: object) -> tuple[Person, ...]:
        check = self.check
        if not isinstance(data, list):
            check.bad(("people",), data, "not-list", "people must be a list (it may be empty: [])")
            return ()
        people: list[Person] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(data):
            path: tuple[object, ...] = ("people", i)
            entry = check.keys(
                raw,
                path,
                required=("id", "role"),
                optional=("start_date", "leaving_on", "evidence", "not_held"),
                what="a person",
            )
            if entry is None:
                continue
            person_id = str(entry.get("id"))
            if _person_id_ok(entry.get("id"), self.at((*path, "id"))):
                if person_id in seen:
                    check.bad(
                        (*path, "id"),
                        person_id,
                        "person-id-duplicate",
                        f"{person_id} is already used on line {seen[person_id]}; ids are unique",
                    )
                seen[person_id] = check.where.line((*path, "id"))
            role = entry.get("role")
            if role not in PERSON_ROLES:
                check.bad(
                    (*path, "role"),
                    role,
                    "role-unknown",
                    f"unknown role {role!r}; use one of: {', '.join(PERSON_ROLES)}",
                )
            start, leaving = (_optional_date(entry, key, path, check) for key in ("start_date", "leaving_on"))
            if start and leaving and leaving < start:
                check.bad((*path, "leaving_on"), leaving, "leaving-before-start", "leaving_on is before start_date")
            events, not_held = _yaml_evidence(entry, path, "person", self.shared, self.at)
            people.append(Person(person_id, str(role), start, leaving, events, not_held))
        return tuple(people)


def _optional_date(entry: Mapping[object, object], key: str, path: tuple[object, ...], check: Checker) -> date | None:
    if entry.get(key) is None:
        return None
    value = as_date(entry[key])
    if value is None:
        check.bad((*path, key), entry[key], "date-invalid", f"{entry[key]!r} is not a real date; write YYYY-MM-DD")
    return value


def _yaml_evidence(
    entry: Mapping[object, object],
    path: tuple[object, ...],
    subject: Subject,
    shared: _RecordChecks,
    at: Callable[[tuple[object, ...]], _Bad],
) -> tuple[tuple[Event, ...], frozenset[str]]:
    events: list[Event] = []
    raw_events = entry.get("evidence", [])
    if not isinstance(raw_events, list):
        at((*path, "evidence"))(raw_events, "not-list", "evidence must be a list of {kind, date, item} entries")
        raw_events = []
    for j, raw in enumerate(raw_events):
        epath = (*path, "evidence", j)
        if not isinstance(raw, Mapping):
            at(epath)(raw, "not-mapping", "each evidence entry is a mapping {kind, date, item}")
            continue
        for key in raw:
            if key not in ("kind", "date", "item"):
                at((*epath, key))(key, "key-unknown", f"evidence entries take kind, date and item only, not {key!r}")
        kind = shared.event_kind(raw.get("kind"), subject, at((*epath, "kind")))
        day = as_date(raw.get("date"))
        if day is None:
            at((*epath, "date"))(
                raw.get("date"), "date-invalid", f"{raw.get('date')!r} is not a real date; write YYYY-MM-DD"
            )
        item = raw.get("item", "")
        item = str(item) if isinstance(item, str | int) and not isinstance(item, bool) else ""
        if kind is not None and day is not None and shared.item(kind, item, at((*epath, "item"))):
            events.append(Event(kind.id, day, item))
    not_held_raw = entry.get("not_held", [])
    if not isinstance(not_held_raw, list):
        at((*path, "not_held"))(not_held_raw, "not-list", "not_held must be a list of evidence kinds")
        not_held_raw = []
    not_held = set()
    for j, kind_id in enumerate(not_held_raw):
        kind = shared.event_kind(kind_id, subject, at((*path, "not_held", j)))
        if kind is None:
            continue
        if any(e.kind == kind.id for e in events):
            at((*path, "not_held", j))(
                kind_id, "not-held-contradiction", f"{kind_id} is listed as not held but also has evidence; keep one"
            )
        not_held.add(kind.id)
    return tuple(events), frozenset(not_held)


# --------------------------------------------------------------------------- the one-sheet roster (CSV / XLSX)


def _records_from_sheet(sheet: Sheet, standards: Standards, report: ValidationReport) -> Records | None:
    file, header_row = sheet.file, sheet.header_row
    header = [cell.strip() for cell in sheet.header]
    while header and not header[-1]:  # spreadsheets often carry blank cells after the last column
        header.pop()
    rows = [(n, [cell.strip() for cell in cells]) for n, cells in sheet.rows if any(cell.strip() for cell in cells)]
    columns = {c.name: c for c in template_columns(standards)}
    for name in ("person_id", "role"):
        if name not in header:
            report.add(file, header_row, name, "", "column-missing", f"the header needs a {name!r} column")
    seen_headers: set[str] = set()
    for name in header:
        if name in seen_headers:
            report.add(file, header_row, name, name, "column-duplicate", f"the column {name!r} appears twice")
        seen_headers.add(name)
        if name not in columns:
            hint = " The roster holds pseudonymous ids only: remove names." if "name" in name.lower() else ""
            report.add(
                file,
                header_row,
                name or "(blank)",
                name,
                "column-unknown",
                f"unknown column {name!r}; use the template's columns.{hint}",
            )
    if not report.ok:
        return None
    shared = _RecordChecks(standards)
    centre: Centre | None = None
    people: list[Person] = []
    seen_ids: dict[str, int] = {}
    for row_number, cells in rows:
        values = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        if len(cells) > len(header) and any(cells[len(header) :]):
            report.add(
                file, row_number, "", "", "cells-beyond-header", "this row has values beyond the last named column"
            )

        def at(column: str, row: int = row_number) -> _Bad:
            return _Bad(report, file, row, column)

        role = values.get("role", "")
        is_centre = role == "centre"
        if not is_centre and role not in PERSON_ROLES:
            at("role")(
                role, "role-unknown", f"unknown role {role!r}; use one of: {', '.join((*PERSON_ROLES, 'centre'))}"
            )
            continue
        subject: Subject = "centre" if is_centre else "person"
        for name, value in values.items():
            column = columns[name]
            if value and column.rows not in ("all", subject):
                at(name)(
                    value, "column-wrong-row", f"{name} is for {column.rows} rows; leave it blank on a {subject} row"
                )
        events, not_held = _row_evidence(values, columns, subject, shared, at)
        row_id = values.get("person_id", "")
        if is_centre:
            if centre is not None:
                at("role")(role, "centre-duplicate", "only one row can have role 'centre'")
                continue
            if not _SLUG.match(row_id):
                at("person_id")(
                    row_id, "centre-id-invalid", "on the centre row, person_id is the centre's slug such as my-centre"
                )
            services = [s.strip() for s in values.get("services", "").split(";") if s.strip()]
            for service in services:
                if service not in SERVICES:
                    at("services")(
                        service, "service-unknown", f"unknown service {service!r}; use one of: {', '.join(SERVICES)}"
                    )
            establishment = None
            if values.get("establishment"):
                if values["establishment"].isdigit():
                    establishment = int(values["establishment"])
                else:
                    at("establishment")(
                        values["establishment"], "establishment-invalid", "establishment must be a whole number"
                    )
            centre = Centre(row_id, values.get("centre_name", ""), tuple(services), establishment, events, not_held)
            continue
        if _person_id_ok(row_id, at("person_id")):
            if row_id in seen_ids:
                at("person_id")(
                    row_id, "person-id-duplicate", f"{row_id} is already used on row {seen_ids[row_id]}; ids are unique"
                )
            seen_ids[row_id] = row_number
        start, leaving = (_cell_date(values.get(key, ""), at(key)) for key in ("start_date", "leaving_on"))
        if start and leaving and leaving < start:
            at("leaving_on")(leaving, "leaving-before-start", "leaving_on is before start_date")
        people.append(Person(row_id, role, start, leaving, events, not_held))
    if centre is None:
        report.add(file, 0, "role", "", "centre-missing", "add one row with role 'centre' for the centre's own facts")
    if not report.ok or centre is None:
        return None
    return Records(centre, tuple(people), source=file)


def _cell_date(text: str, bad: _Bad) -> date | None:
    if not text:
        return None
    value = as_date(text)
    if value is None:
        bad(text, "date-invalid", f"{text!r} is not a real date; write YYYY-MM-DD (or DD/MM/YYYY)")
    return value


def _row_evidence(
    values: Mapping[str, str],
    columns: Mapping[str, TemplateColumn],
    subject: Subject,
    shared: _RecordChecks,
    at: Callable[[str], _Bad],
) -> tuple[tuple[Event, ...], frozenset[str]]:
    events: list[Event] = []
    not_held: set[str] = set()
    for name, value in values.items():
        column = columns[name]
        if not value or not column.evidence_kind or column.rows != subject:
            continue
        bad = at(name)
        if value.strip().lower() in _NONE_WORDS:
            if column.item:
                bad(value, "none-on-item", f"leave {name} blank when the item is not done; 'none' is for whole kinds")
            else:
                not_held.add(column.evidence_kind)
            continue
        for part in (p.strip() for p in value.split(";")):
            day = as_date(part)
            if day is None:
                bad(
                    part,
                    "date-invalid",
                    f"{part!r} is not a real date; write YYYY-MM-DD (or DD/MM/YYYY), several separated by ';'",
                )
                continue
            events.append(Event(column.evidence_kind, day, column.item))
    return tuple(events), frozenset(not_held)
