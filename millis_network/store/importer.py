"""Imports from the spreadsheets people have: CSV in any common encoding, and XLSX.

A coordinator's or campaign's spreadsheet becomes a :class:`ImportPlan`: for
every row, whether it would add a centre (``new``), change one (``updated``,
with each field's old and new value), change nothing (``unchanged``) or is
``rejected`` (with file, row, field and reason). Nothing is written until
:func:`apply_import`, which writes every accepted row in one transaction or,
on any problem, none. The dashboard's edit form goes through the same steps
(:func:`plan_edit`), so a typed-in record is held to the same rules.

What is accepted:

* CSV as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
  mark, or Windows-1252 ("Milli’s" survives all of them); comma, semicolon or
  tab separated. XLSX: the first worksheet. Files are read by the project's
  one spreadsheet reader (:mod:`millis_network._sheets`), within
  :data:`~millis_network._sheets.IMPORT_LIMITS` (size, rows, columns, cell
  length, a workbook's unpacked size); a file beyond them is one file problem.
* Column headings in any case and punctuation, and the alternative names in
  :data:`COLUMN_ALIASES` ("Post Code", "Centre name", "Town/City" ...); the
  mapping is documented in ``network_data/centres/README.md``. Unknown
  columns are ignored and reported.
* Postcodes in any spelling ("cf101aa", "CF10  1AA"); yes/no in the usual
  spellings; UK dates (``23/11/2026``) as well as ISO ones.

How rows meet the store: a row with an ``id`` is that centre; a row without
one is matched by name and postcode (name and town when there is no
postcode). Two rows of one file naming the same centre are duplicates: the
first is used, the later ones rejected. A blank cell never erases a stored
value (edit the centre to clear a field). ``last_updated`` is stamped by the
store; ``last_verified`` is never taken from a file or form: only an editor's
verification (:meth:`Store.verify_centre`) sets it.
New and moved centres are placed from their postcode (ONS Postcode
Directory), or their town (GeoNames) when there is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
from tqdm import tqdm

from millis_network import _sheets
from millis_network._geo import in_bounds
from millis_network._sheets import (
    IMPORT_LIMITS,
    Sheet,
    SheetLimitError,
    SheetLimits,
    parse_date,
)
from millis_network._text import fold, slug
from millis_network.directory import (
    ACCREDITATIONS,
    CENTRE_COLUMNS,
    JURISDICTIONS,
    PRECISIONS,
    SERVICES,
    check_centre_rows,
)
from millis_network.errors import PostcodeError
from millis_network.places import locate_town, nation_of_code
from millis_network.postcodes import crown_dependency, geocode, normalise_postcode
from millis_network.store.database import CENTRE_FIELDS, PlannedWrite, WriteSummary
from millis_network.validation import Issue

if TYPE_CHECKING:
    from millis_network.store.database import Store

#: Outcomes of a row, in report order.
OUTCOMES: tuple[str, ...] = ("new", "updated", "unchanged", "rejected")

#: Spreadsheet headings accepted for each directory field. Headings are
#: compared after folding: lower case, accents removed, anything but letters
#: and digits turned into single spaces ("Town/City" → "town city").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "centre id", "center id", "directory id"),
    "name": ("name", "centre", "center", "centre name", "center name", "name of centre", "contact centre",
             "child contact centre", "venue", "venue name"),
    "organisation": ("organisation", "organization", "run by", "provider", "operator", "organisation name"),
    "charity_number": ("charity number", "charity no", "registered charity number", "registered charity no",
                       "charity registration number"),
    "jurisdiction": ("jurisdiction", "country", "nation"),
    "town": ("town", "city", "town city", "town or city"),
    "postcode": ("postcode", "post code", "postal code", "venue postcode"),
    "location_precision": ("location precision", "precision"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "services": ("services", "services offered", "contact types", "type of contact", "types of contact",
                 "contact offered"),
    "accreditation": ("accreditation", "naccc accreditation", "accreditation status", "accredited"),
    "opening": ("opening", "opening times", "opening hours", "sessions", "session times", "when open"),
    "referral": ("referral", "referrals", "how to refer", "referral route", "referral process"),
    "address_withheld": ("address withheld", "address private", "confidential address", "address confidential",
                         "withheld address"),
    "status": ("status", "open or closed", "open closed"),
    "opened": ("opened", "year opened", "date opened", "established"),
    "closed": ("closed", "date closed", "year closed", "closure date"),
    "successor_id": ("successor id", "successor", "taken over by"),
    "source_urls": ("source urls", "source url", "sources", "source", "website", "web site", "url", "web address"),
    "page_date": ("page date", "source date"),
    "last_verified": ("last verified", "verified", "date verified", "verified on", "last checked", "date checked"),
    "sample": ("sample", "illustrative"),
    "notes": ("notes", "note", "comments", "comment", "other information"),
    "doubt": ("doubt", "doubts", "needs checking", "to check"),
}

#: Headings recognised but ignored because the store sets these itself.
STORE_STAMPED_HEADINGS: tuple[str, ...] = ("last updated", "updated", "date updated", "version")

#: Longest value accepted in any cell, in characters.
MAX_FIELD_CHARS = 4000

_GEOCODE_CHUNK = 500
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_DEFAULTS = {"accreditation": "not stated", "address_withheld": "unknown", "status": "open", "sample": "no",
             "location_precision": "none"}
_LOCATION_FIELDS = ("postcode", "town", "lat", "lon", "location_precision")


_HEADING_TO_FIELD: dict[str, str] = {
    fold(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in (name, *aliases)
}


def _shown(value: str) -> str:
    return value if len(value) <= 80 else value[:79] + "…"


# reading --------------------------------------------------------------------


def read_sheet(data: bytes, *, name: str, limits: SheetLimits = IMPORT_LIMITS) -> Sheet:
    """Read a CSV or XLSX file's cells as text with :func:`millis_network._sheets.read_sheet`.

    XLSX is recognised by content, not name; the first worksheet is read.
    Never raises for bad content: problems, a file beyond ``limits``
    included, are returned in ``problems``.
    """
    try:
        return _sheets.read_sheet(data, name=name, limits=limits)
    except SheetLimitError as exc:
        return Sheet(name, "", "", 0, (), (), (exc.issue,))


# column mapping ---------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Which spreadsheet column feeds which directory field.

    Attributes:
        fields: directory field → column position.
        headings: directory field → the heading as written.
        problems: whole-file problems (two columns for one field; neither name nor id).
        notices: columns ignored, and why.
    """

    fields: Mapping[str, int]
    headings: Mapping[str, str]
    problems: tuple[Issue, ...]
    notices: tuple[str, ...]


def map_columns(header: Sequence[str], *, file: str, header_row: int = 1, keep_dates: bool = False) -> ColumnMap:
    """Match headings to directory fields with :data:`COLUMN_ALIASES`.

    ``last_updated`` and ``last_verified`` columns are ignored (with a notice)
    unless ``keep_dates``: a directory's own export being restored.
    """
    fields: dict[str, int] = {}
    headings: dict[str, str] = {}
    problems: list[Issue] = []
    notices: list[str] = []
    stamped = {fold(h) for h in STORE_STAMPED_HEADINGS}
    for position, heading in enumerate(header):
        folded = fold(heading)
        if not folded:
            continue
        target = _HEADING_TO_FIELD.get(folded)
        if keep_dates and (target == "last_verified" or folded == "last updated"):
            fields[target or "last_updated"] = position
            headings[target or "last_updated"] = heading
        elif target == "last_updated" or folded in stamped:
            notices.append(f"column {heading!r} ignored: the store records when each centre last changed")
        elif target == "last_verified":
            notices.append(f"column {heading!r} ignored: a centre is verified only by an editor confirming it "
                           "against a source (Directory page)")
        elif target is None:
            notices.append(f"column {heading!r} not recognised and ignored (recognised headings: network_data/centres/README.md)")
        elif target in fields:
            problems.append(Issue(file, header_row, target, heading, "column-duplicate",
                                  f"columns {headings[target]!r} and {heading!r} both give {target}; keep one of them"))
        else:
            fields[target] = position
            headings[target] = heading
    if header and "name" not in fields and "id" not in fields:
        problems.append(Issue(file, header_row, "name", "", "columns-missing",
                              "no column gives the centre's name (or id); add a 'Name' column"))
    return ColumnMap(fields, headings, tuple(problems), tuple(notices))


# values -----------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _choice(text: str, field_name: str, options: Mapping[str, str]) -> str:
    folded = fold(text)
    if folded in options:
        return options[folded]
    raise _Bad("value-set", f"{field_name} {text!r} not understood; use one of {', '.join(sorted(set(options.values())))}")


def _yes_no(text: str, field_name: str) -> str:
    return _choice(text, field_name, {**dict.fromkeys(_YES, "yes"), **dict.fromkeys(_NO, "no")})


def _services(text: str) -> str:
    named = []
    for part in re.split(r"[;,/|+&\n]|\band\b", text.lower()):
        words = fold(re.sub(r"\b(contacts?|services?)\b", " ", part))
        if not words:
            continue
        service = words[:-1] if words.endswith("s") and words[:-1] in SERVICES else words
        if service not in SERVICES:
            raise _Bad("value-set", f"service {part.strip()!r} not understood; use {', '.join(SERVICES)} separated by ';'")
        named.append(service)
    return "; ".join(s for s in SERVICES if s in named)


def _accreditation(text: str) -> str:
    folded = fold(text)
    if folded in ("not stated", "unknown", "not known"):
        return "not stated"
    if "enhanced" in folded:
        return "NACCC enhanced accredited"
    if folded in ("naccc accredited", "accredited", "naccc", "yes", "y", "naccc accreditation", "standard"):
        return "NACCC accredited"
    raise _Bad("value-set", f"accreditation {text!r} not understood; use {', '.join(ACCREDITATIONS)}")


def _month_year(year: str, month: int) -> str:
    if not 1 <= month <= 12:
        raise ValueError
    return f"{int(year):04d}-{month:02d}"


def _partial_date(text: str, field_name: str) -> str:
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return value
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2}(?:[ T].*)?)?", value):
            return _month_year(match.group(1), int(match.group(2)))
        if match := re.fullmatch(r"(?:\d{1,2}[/.-])?(\d{1,2})[/.-](\d{4})", value):
            return _month_year(match.group(2), int(match.group(1)))
        if match := re.fullmatch(r"([A-Za-z]+)\.? (\d{4})", value):
            return _month_year(match.group(2), _MONTHS[match.group(1).lower()])
    except (ValueError, KeyError):
        pass
    raise _Bad("date-format", f"{field_name} {text!r} is not a year or month; write it as YYYY or YYYY-MM (e.g. 2019-03)")


def _full_date(text: str, field_name: str) -> str:
    day = parse_date(text)
    if day is None:
        raise _Bad("date-format", f"{field_name} {text!r} is not a date; write it as YYYY-MM-DD or DD/MM/YYYY")
    return day.isoformat()


def _page_date(text: str, field_name: str) -> str:
    try:
        return _full_date(text, field_name)
    except _Bad:
        return _partial_date(text, field_name)


def _coordinate(text: str, field_name: str) -> str:
    low, high = (-90.0, 90.0) if field_name == "lat" else (-180.0, 180.0)
    try:
        number = float(text)
    except ValueError:
        raise _Bad("number", f"{field_name} {text!r} is not a number (decimal degrees, e.g. 51.481)") from None
    if not low <= number <= high:
        raise _Bad("range", f"{field_name} {text!r} is outside {low:g}..{high:g} degrees")
    return f"{number:.6f}"


def _identifier(text: str, field_name: str) -> str:
    value = text.strip().lower()
    if not _ID_PATTERN.match(value):
        raise _Bad("id-format", f"{field_name} {text!r} must be lower-case letters, digits and single hyphens")
    return value


_JURISDICTION_NAMES = {fold(j): j for j in JURISDICTIONS} | {
    "ni": "Northern Ireland", "iom": "Isle of Man", "cymru": "Wales"}
_WITHHELD = {**dict.fromkeys(_YES | {"withheld", "private", "confidential"}, "yes"),
             **dict.fromkeys(_NO | {"public"}, "no"), "unknown": "unknown", "not known": "unknown"}
_STATUS = {**dict.fromkeys(("open", "active", "operating", "running"), "open"),
           **dict.fromkeys(("closed", "defunct", "inactive", "ceased"), "closed")}

_NORMALISERS: dict[str, Callable[[str, str], str]] = {
    "id": _identifier,
    "successor_id": _identifier,
    "postcode": lambda text, _: _postcode(text),
    "services": lambda text, _: _services(text),
    "accreditation": lambda text, _: _accreditation(text),
    "jurisdiction": lambda text, name: _choice(text, name, _JURISDICTION_NAMES),
    "address_withheld": lambda text, name: _choice(text, name, _WITHHELD),
    "status": lambda text, name: _choice(text, name, _STATUS),
    "sample": _yes_no,
    "location_precision": lambda text, name: _choice(text, name, {p: p for p in PRECISIONS}),
    "opened": _partial_date,
    "closed": _partial_date,
    "page_date": _page_date,
    "last_verified": _full_date,
    "last_updated": _full_date,
    "lat": _coordinate,
    "lon": _coordinate,
    "source_urls": lambda text, _: " ; ".join(p.strip() for p in re.split(r"\s+;\s+|;|\n|\s\|\s", text) if p.strip()),
}
_ONE_LINE = ("name", "organisation", "charity_number", "town")


def _postcode(text: str) -> str:
    try:
        return normalise_postcode(text)
    except PostcodeError as exc:
        raise _Bad("postcode-format", str(exc)) from None


def normalise_value(field_name: str, text: str) -> str:
    """One cell as the directory writes it (canonical postcode, ``; ``-joined services, ISO dates ...).

    Raises:
        ValueError: the value cannot be understood; the message says how to write it.
    """
    value = text.strip()
    if len(value) > MAX_FIELD_CHARS:
        raise _Bad("too-long", f"{field_name} has {len(value):,} characters; the most a cell may hold is {MAX_FIELD_CHARS:,}")
    if _CONTROL.search(value):
        raise _Bad("control-character", f"{field_name} contains control characters; retype the cell")
    if not value:
        return ""
    if field_name in _ONE_LINE:
        value = re.sub(r"\s+", " ", value)
    normaliser = _NORMALISERS.get(field_name)
    return normaliser(value, field_name) if normaliser else value


# planning ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    """What an import would do with one row.

    Attributes:
        row: spreadsheet row number (headings are the row before the first).
        outcome: ``new``, ``updated``, ``unchanged`` or ``rejected``.
        centre_id: the centre the row is (or would become); "" when rejected before one was known.
        name: the centre's name as the row gives it.
        changes: ``(field, old, new)`` for each field that would change.
        notes: what else a person should know (matched a stored centre, placed at district level ...).
        issues: why the row is rejected (empty unless rejected).
    """

    row: int
    outcome: str
    centre_id: str
    name: str
    changes: tuple[tuple[str, str, str], ...] = ()
    notes: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()


#: Columns of :meth:`ImportPlan.frame`.
PLAN_COLUMNS = ["row", "outcome", "centre_id", "name", "changes", "notes", "problems"]


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would do, before it does it.

    Attributes:
        file: the file's name.
        format: ``csv``, ``xlsx`` (or ``form`` for a dashboard edit).
        encoding: how a CSV was decoded.
        headings: directory field → the heading that fed it.
        notices: file-level remarks (ignored columns).
        problems: file-level problems; when present every row is rejected.
        rows: one outcome per row after the headings, in file order.
        writes: the centres :func:`apply_import` would write.
    """

    file: str
    format: str
    encoding: str
    headings: Mapping[str, str]
    notices: tuple[str, ...]
    problems: tuple[Issue, ...]
    rows: tuple[RowOutcome, ...]
    writes: tuple[PlannedWrite, ...]

    def counts(self) -> dict[str, int]:
        """Rows per outcome, every outcome present (``new``, ``updated``, ``unchanged``, ``rejected``)."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def issues(self) -> list[Issue]:
        """Every problem: the file's, then each rejected row's, in row order."""
        return [*self.problems, *(issue for row in self.rows for issue in row.issues)]

    def summary(self) -> str:
        """One line, e.g. ``centres.csv: 3 new, 1 updated, 10 unchanged, 2 rejected``."""
        return f"{self.file}: " + ", ".join(f"{n} {outcome}" for outcome, n in self.counts().items())

    def frame(self) -> pd.DataFrame:
        """One row per spreadsheet row (columns :data:`PLAN_COLUMNS`), texts joined for display."""
        return pd.DataFrame(
            [
                [
                    r.row, r.outcome, r.centre_id, r.name,
                    "; ".join(f"{f}: {_shown(o)!r} → {_shown(n)!r}" for f, o, n in r.changes),
                    "; ".join(r.notes),
                    "; ".join(f"{i.field}: {i.message}" if i.field else i.message for i in r.issues),
                ]
                for r in self.rows
            ],
            columns=PLAN_COLUMNS,
        )


@dataclass
class _Row:
    number: int
    given: dict[str, str]
    centre_id: str = ""
    current: dict[str, Any] | None = None
    record: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    place_by: str = ""


#: How a row is known within one file: ``("id", centre id)`` or ``("identity", (name, postcode, town))``.
_FileKey = tuple[str, str | tuple[str, str, str]]


def _identity(name: str, postcode: str, town: str) -> tuple[str, str, str]:
    return (fold(name), postcode, "" if postcode else fold(town))


def _new_id(row: _Row, taken: set[str]) -> str:
    for base in (slug(row.record["name"]), slug(f"{row.record['name']} {row.record['town']}")):
        if base not in taken:
            return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _geocode_in_chunks(postcodes: list[str], *, progress: bool) -> pd.DataFrame:
    frames = []
    with tqdm(total=len(postcodes), desc="geocoding", unit="postcode", disable=not progress) as bar:
        for start in range(0, len(postcodes), _GEOCODE_CHUNK):
            chunk = postcodes[start:start + _GEOCODE_CHUNK]
            frames.append(geocode(chunk))
            bar.update(len(chunk))
    return pd.concat(frames, ignore_index=True)


def _place_by_town(row: _Row, why: str) -> None:
    record = row.record
    town = locate_town(record["town"], jurisdiction=record["jurisdiction"]) if record["town"] else None
    if town is None:
        record.update(lat="", lon="", location_precision="none")
        row.notes.append(f"{why}not placed on the map (town not found in the gazetteer, or ambiguous)")
        return
    record.update(lat=f"{town.lat:.6f}", lon=f"{town.lon:.6f}", location_precision="town")
    row.notes.append(f"{why}placed at the centre of {town.name} (GeoNames), precision town")


def _place(rows: list[_Row], *, file: str, progress: bool) -> None:
    by_postcode = [r for r in rows if r.place_by == "postcode"]
    located = _geocode_in_chunks([r.record["postcode"] for r in by_postcode], progress=progress) if by_postcode else None
    for row, hit in zip(by_postcode, located.to_dict("records") if located is not None else []):
        record = row.record
        dependency = crown_dependency(record["postcode"])
        if hit["precision"] in ("postcode", "district"):
            record.update(lat=f"{hit['lat']:.6f}", lon=f"{hit['lon']:.6f}", location_precision=hit["precision"])
            if not record["jurisdiction"]:
                record["jurisdiction"] = nation_of_code(hit["local_authority_code"])
            if hit["precision"] == "district":
                row.notes.append(hit["error"])
        elif dependency is not None:
            record["jurisdiction"] = record["jurisdiction"] or dependency
            _place_by_town(row, f"{dependency} postcodes have no ONS coordinates; ")
            if record["location_precision"] == "none" and hit["precision"] == "island":
                record.update(lat=f"{hit['lat']:.6f}", lon=f"{hit['lon']:.6f}", location_precision="island")
                row.notes[-1] = hit["error"]
        else:
            row.issues.append(Issue(file, row.number, "postcode", record["postcode"], "postcode-unknown", hit["error"]))
    for row in rows:
        if row.place_by == "town":
            _place_by_town(row, "no postcode; ")


def _merge(row: _Row, *, blank_erases: bool, file: str) -> None:
    current = row.current or {}
    record = {}
    for name in CENTRE_FIELDS:
        given = row.given.get(name)
        if given or (blank_erases and given is not None):
            record[name] = given
        else:
            record[name] = str(current.get(name, _DEFAULTS.get(name, "")))
    if row.given.get("closed") and "status" not in row.given:
        record["status"] = "closed"
    row.record = record
    lat, lon = row.given.get("lat", ""), row.given.get("lon", "")
    if bool(lat) != bool(lon):
        row.issues.append(Issue(file, row.number, "lat" if not lat else "lon", "", "coordinates-pair",
                                "give both lat and lon, or neither"))
        return
    explicit = bool(lat) and (not current or (lat, lon) != (current.get("lat"), current.get("lon")))
    if explicit:
        record["location_precision"] = row.given.get("location_precision") or ("postcode" if record["postcode"] else "town")
        return
    record["location_precision"] = str(current.get("location_precision", "none"))
    moved = not current or record["postcode"] != current.get("postcode") or (
        not record["postcode"] and record["town"] != current.get("town"))
    if not moved:
        return
    record.update(lat="", lon="", location_precision="none")
    if row.given.get("location_precision") != "none":
        row.place_by = "postcode" if record["postcode"] else "town" if record["town"] else ""


def _reject_all(rows: Sequence[tuple[int, tuple[str, ...]]], problems: Sequence[Issue], file: str) -> tuple[RowOutcome, ...]:
    reason = problems[0].message if problems else "the file cannot be read"
    return tuple(
        RowOutcome(number, "rejected", "", "", issues=(Issue(file, number, "", "", "file-problem",
                                                             f"not imported: {reason}"),))
        for number, _ in rows
    )


def plan_sheet(
    sheet: Sheet,
    centres: pd.DataFrame,
    *,
    blank_erases: bool = False,
    source_label: str | None = None,
    today: date | None = None,
    progress: bool = False,
    keep_dates: bool = False,
) -> ImportPlan:
    """Decide, row by row, what importing a sheet into a directory holding ``centres`` would do.

    Args:
        sheet: from :func:`read_sheet`.
        centres: the stored centres (:meth:`Store.centres`: text columns plus ``version``).
        blank_erases: a blank cell clears the stored value (edit forms) instead
            of keeping it (spreadsheets).
        source_label: the source recorded for a real centre whose row names
            none; default ``spreadsheet FILE (imported DATE)``.
        today: the date used in that label (default: today).
        progress: show a geocoding progress bar on stderr.
        keep_dates: take ``last_updated`` and ``last_verified`` from the sheet
            (restoring a directory's own export) instead of ignoring them.

    Returns:
        The plan; nothing is written.
    """
    file = sheet.file
    day = (today or date.today()).isoformat()
    columns = (map_columns(sheet.header, file=file, header_row=sheet.header_row, keep_dates=keep_dates)
               if sheet.header else ColumnMap({}, {}, (), ()))
    problems = (*sheet.problems, *columns.problems)
    if problems:
        return ImportPlan(file, sheet.format, sheet.encoding, columns.headings, columns.notices, tuple(problems),
                          _reject_all(sheet.rows, problems, file), ())
    stored = {str(r["id"]): r for r in cast(list[dict[str, Any]], centres.to_dict("records"))}
    by_identity: dict[tuple[str, str, str], list[str]] = {}
    for key, record in stored.items():
        by_identity.setdefault(_identity(record["name"], record["postcode"], record["town"]), []).append(key)
    width = len(sheet.header)
    rows: list[_Row] = []
    for number, cells in sheet.rows:
        row = _Row(number, {})
        rows.append(row)
        if not any(c.strip() for c in cells):
            row.issues.append(Issue(file, number, "", "", "row-empty", "the row is empty; nothing to import"))
            continue
        if any(c.strip() for c in cells[width:]):
            row.issues.append(Issue(file, number, "", "", "row-extra-cells",
                                    f"the row has {len(cells)} cells but there are {width} headings; "
                                    "check for a separator inside an unquoted cell"))
            continue
        for name, position in columns.fields.items():
            raw = cells[position] if position < len(cells) else ""
            try:
                row.given[name] = normalise_value(name, raw)
            except _Bad as exc:
                row.issues.append(Issue(file, number, name, _shown(raw), exc.rule, str(exc)))

    seen: dict[_FileKey, int] = {}
    for row in rows:
        if row.issues:
            continue
        given = row.given
        centre_id = given.get("id", "")
        matches = []
        if given.get("name"):
            fallback = stored.get(centre_id, {})
            postcode = given.get("postcode") or ("" if "postcode" in given else fallback.get("postcode", ""))
            town = given.get("town") or fallback.get("town", "")
            matches = by_identity.get(_identity(given["name"], postcode, town), [])
        if centre_id and matches and centre_id not in matches:
            row.issues.append(Issue(file, row.number, "id", centre_id, "identity-conflict",
                                    f"the name and postcode are those of stored centre {matches[0]!r}, but the id is "
                                    f"{centre_id!r}; correct the id or the name"))
            continue
        if not centre_id and len(matches) > 1:
            row.issues.append(Issue(file, row.number, "name", given["name"], "identity-ambiguous",
                                    f"stored centres {', '.join(matches)} share this name and postcode; give the id"))
            continue
        if not centre_id and matches:
            centre_id = matches[0]
            row.notes.append(f"matches stored centre {centre_id} (same name and postcode)")
        if not centre_id and not given.get("name"):
            row.issues.append(Issue(file, row.number, "name", "", "required", "a new centre needs a name"))
            continue
        if centre_id and centre_id not in stored and not given.get("name"):
            row.issues.append(Issue(file, row.number, "name", "", "required",
                                    f"no stored centre has id {centre_id!r}; a new centre needs a name"))
            continue
        keys: list[_FileKey] = []
        if centre_id:
            keys.append(("id", centre_id))
        if given.get("name"):
            keys.append(("identity", _identity(given["name"], given.get("postcode", ""), given.get("town", ""))))
        repeated = next((k for k in keys if k in seen), None)
        if repeated is not None:
            what = "id" if repeated[0] == "id" else "name and postcode"
            row.issues.append(Issue(file, row.number, "name", given.get("name", centre_id), "duplicate-in-file",
                                    f"same {what} as row {seen[repeated]}; only the first is imported"))
            continue
        for file_key in keys:
            seen[file_key] = row.number
        row.centre_id = centre_id
        row.current = stored.get(centre_id)
        _merge(row, blank_erases=blank_erases, file=file)

    live = [r for r in rows if not r.issues]
    _place(live, file=file, progress=progress)
    taken = set(stored) | {r.centre_id for r in live if r.centre_id}
    for row in live:
        if row.issues:
            continue
        if not row.centre_id:
            row.centre_id = _new_id(row, taken)
            taken.add(row.centre_id)
        record = row.record
        if not record["source_urls"] and record["sample"] != "yes":
            record["source_urls"] = source_label or f"spreadsheet {file} (imported {day})"
    _validate(rows, stored, file=file, day=day)

    outcomes = []
    writes = []
    for row in rows:
        name = row.given.get("name", "") or (row.current or {}).get("name", "")
        if row.issues:
            outcomes.append(RowOutcome(row.number, "rejected", row.centre_id, name, notes=tuple(row.notes),
                                       issues=tuple(row.issues)))
            continue
        current = row.current
        changes = tuple(
            (f, str(current[f]) if current else "", row.record[f])
            for f in CENTRE_FIELDS
            if f != "last_updated" and (str(current[f]) if current else "") != row.record[f]
        )
        outcome = "new" if current is None else "updated" if changes else "unchanged"
        outcomes.append(RowOutcome(row.number, outcome, row.centre_id, name, changes, tuple(row.notes)))
        if outcome != "unchanged":
            writes.append(PlannedWrite(row.centre_id, None if current is None else int(current["version"]), dict(row.record)))
    return ImportPlan(file, sheet.format, sheet.encoding, columns.headings, columns.notices, (), tuple(outcomes), tuple(writes))


def _validate(rows: list[_Row], stored: Mapping[str, Mapping[str, Any]], *, file: str, day: str) -> None:
    """Check accepted rows against the directory schema; a rejected successor rejects the rows naming it.

    Successor chains are followed through the stored directory too, so a row
    that would close a circle with stored centres (A → B → A) is rejected.
    """
    live = [r for r in rows if not r.issues]
    if live:
        frame = pd.DataFrame(
            [{"id": r.centre_id, **r.record, "last_updated": day} for r in live], columns=list(CENTRE_COLUMNS), dtype=object
        )
        for issue in check_centre_rows(frame, file=file):
            row = live[issue.row - 2]
            row.issues.append(Issue(file, row.number, issue.field, _shown(issue.value), issue.rule, issue.message))
        for row in live:
            record = row.record
            if not row.issues and record["lat"] and not in_bounds(record["jurisdiction"], float(record["lat"]), float(record["lon"])):
                row.issues.append(Issue(file, row.number, "jurisdiction", record["jurisdiction"], "coordinates-in-jurisdiction",
                                        f"the centre is placed at {record['lat']},{record['lon']}, outside {record['jurisdiction']}; "
                                        "check the postcode and the jurisdiction"))
    successors = {key: str(record.get("successor_id", "")) for key, record in stored.items()}
    successors |= {r.centre_id: r.record["successor_id"] for r in rows if not r.issues}
    for row in rows:
        if row.issues or not row.record["successor_id"]:
            continue
        chain = [row.centre_id]
        successor = row.record["successor_id"]
        while successor and successor not in chain:
            chain.append(successor)
            successor = successors.get(successor, "")
        if successor == row.centre_id and len(chain) > 1:
            row.issues.append(Issue(file, row.number, "successor_id", row.record["successor_id"], "successor-cycle",
                                    f"successors would go round in a circle ({' → '.join([*chain, chain[0]])}); "
                                    "a centre cannot take over from a centre that took over from it"))
    while True:
        accepted = {r.centre_id for r in rows if not r.issues} | set(stored)
        broken = [r for r in rows if not r.issues and r.record["successor_id"] and r.record["successor_id"] not in accepted]
        if not broken:
            return
        for row in broken:
            row.issues.append(Issue(file, row.number, "successor_id", row.record["successor_id"], "successor-exists",
                                    f"successor {row.record['successor_id']!r} is not a centre in the directory "
                                    "or accepted from this file"))


def plan_import(store: Store, data: bytes, *, name: str, progress: bool = False) -> ImportPlan:
    """Read a spreadsheet's bytes and plan its import into ``store`` (nothing is written).

    See :func:`plan_sheet` for what each row becomes.
    """
    return plan_sheet(read_sheet(data, name=name), store.centres(), progress=progress)


def plan_edit(
    centres: pd.DataFrame,
    values: Mapping[str, str],
    *,
    label: str = "dashboard",
    today: date | None = None,
) -> ImportPlan:
    """Plan one edit (``values`` has an ``id`` of a stored centre) or one new centre (no ``id``).

    Every field in ``values`` is taken as typed, a blank clearing the stored
    value; fields not in ``values`` keep theirs (``last_verified`` is
    ignored: see :meth:`Store.verify_centre`).

    Returns:
        A plan with one row (row number 1).
    """
    day = today or date.today()
    given = {k: str(v) for k, v in values.items() if k in CENTRE_COLUMNS and k not in ("last_updated", "last_verified")}
    header = tuple(given)
    sheet = Sheet(label, "form", "", 0, header, ((1, tuple(given[h] for h in header)),))
    return plan_sheet(sheet, centres, blank_erases=True, source_label=f"entered in the {label} ({day.isoformat()})", today=day)


def apply_import(store: Store, plan: ImportPlan, *, who: str, progress: bool = False) -> WriteSummary:
    """Write a plan's accepted rows in one transaction (all or none), audited as ``import`` by ``who``.

    Raises:
        ConflictError: a centre changed since the plan was made; nothing is written.
    """
    return store.write_centres(plan.writes, who=who, reason=f"import {plan.file}", progress=progress,
                               stamp=plan.format != "hsds")
