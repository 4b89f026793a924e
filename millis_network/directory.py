"""The directory: child contact centres and family court centres as checked tables.

Both live in ``network_data/`` as CSV (schemas in ``network_data/*/README.md``).
Loading validates every row against the schema below; :func:`validate_network_data`
adds the cross-file rules (unique ids, successors that exist, coordinates inside
the jurisdiction, postcodes known to the ONS Postcode Directory).

Coordinates are WGS84 degrees. A centre's ``location_precision`` says how
exactly it is placed: ``postcode`` (the ONS grid reference of its postcode),
``district`` (its postcode district), ``town`` (a GeoNames town centre) or
``none`` (not placed; such centres cannot take part in distance analyses).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from millis_network._geo import great_circle_km, in_bounds
from millis_network.config import default_data_dir
from millis_network.errors import DataFileError, PostcodeError
from millis_network.postcodes import (
    crown_dependency,
    geocode,
    normalise_postcode,
)
from millis_network.privacy import public_place
from millis_network.validation import Issue, ValidationReport

#: Contact services a centre may offer (the DESIGN's domain facts).
SERVICES: tuple[str, ...] = (
    "supported",
    "supervised",
    "handover",
    "indirect",
    "escorted",
    "supervised assessment",
)
ACCREDITATIONS: tuple[str, ...] = ("NACCC enhanced accredited", "NACCC accredited", "not stated")
JURISDICTIONS: tuple[str, ...] = (
    "England",
    "Wales",
    "Scotland",
    "Northern Ireland",
    "Jersey",
    "Guernsey",
    "Isle of Man",
)
PRECISIONS: tuple[str, ...] = ("postcode", "district", "town", "island", "none")
STATUSES: tuple[str, ...] = ("open", "closed")
ADDRESS_WITHHELD: tuple[str, ...] = ("yes", "no", "unknown")
YES_NO: tuple[str, ...] = ("yes", "no")

#: Where a person finds a centre's id, for every "no centre with id" message.
CENTRE_ID_HINT = (
    "ids are in the id column of network_data/centres/centres.csv "
    "(or the centres of `millis-network history as-of YYYY --json`)"
)

#: Columns of ``network_data/centres/centres.csv``, in file order.
CENTRE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "organisation",
    "charity_number",
    "jurisdiction",
    "town",
    "postcode",
    "location_precision",
    "lat",
    "lon",
    "services",
    "accreditation",
    "opening",
    "referral",
    "address_withheld",
    "status",
    "opened",
    "closed",
    "successor_id",
    "source_urls",
    "page_date",
    "last_verified",
    "last_updated",
    "sample",
    "notes",
    "doubt",
)

#: Columns of ``network_data/courts/family_court_centres.csv``, in file order.
COURT_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "postcode",
    "town",
    "lat",
    "lon",
    "location_precision",
    "jurisdiction",
    "region",
    "court_types",
    "areas_of_law",
    "children_spoe",
    "fact_id",
    "address",
    "source",
)

#: How many child contact centres the directory would hold if complete. NACCC
#: described itself as "the supporting membership body for around 350 child
#: contact centres and services" (States of Jersey P.119/2014, Appendix 2);
#: published figures range from about 240 accredited centres to just over 400.
NACCC_CENTRES_ESTIMATE = 350
NACCC_CENTRES_RANGE = (240, 400)

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PARTIAL_DATE_RE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2]))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


#: Centre columns added after the first schema: a centres file written before them reads them as blank.
LATER_CENTRE_COLUMNS: tuple[str, ...] = ("doubt",)


def with_later_centre_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each of :data:`LATER_CENTRE_COLUMNS` it lacks added, blank (a copy when any is added)."""
    missing = [c for c in LATER_CENTRE_COLUMNS if c not in frame.columns]
    return frame.assign(**dict.fromkeys(missing, "")) if missing else frame


def _read_centre_table(path: Path) -> pd.DataFrame:
    return with_later_centre_columns(_read_text_table(path))


def split_services(text: str) -> tuple[str, ...]:
    """The services named in a ``; ``-joined field, in canonical order."""
    named = {part.strip().lower() for part in str(text).split(";") if part.strip()}
    return tuple(s for s in SERVICES if s in named)


def _check_partial_date(value: str) -> bool:
    return not value or bool(_PARTIAL_DATE_RE.match(value))


def _check_date(value: str) -> bool:
    if not value:
        return True
    if not _DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _rows_with_ids(
    frame: pd.DataFrame, columns: tuple[str, ...], file: str, report: ValidationReport
) -> Iterator[tuple[dict[str, str], Callable[[str, str, str], None]]]:
    """Check the header, then yield each row with a reporter for it, after checking its id and name.

    Yields nothing when columns are missing (reported once, on line 1).
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        report.add(file, 1, ", ".join(missing), "", "columns-missing",
                   f"missing column(s) {', '.join(missing)}; the header must list {', '.join(columns)}")
        return
    seen: dict[str, int] = {}
    # pandas-stubs types record keys as Hashable; these tables are read as text, keyed by their header.
    for offset, row in enumerate(cast("list[dict[str, str]]", frame.to_dict("records"))):
        line = offset + 2

        def bad(field: str, rule: str, message: str, *, line: int = line, row: dict[str, str] = row) -> None:
            report.add(file, line, field, row[field], rule, message)

        if not _ID_RE.match(row["id"]):
            bad("id", "id-format", f"id {row['id']!r} must be lower-case letters, digits and single hyphens")
        elif row["id"] in seen:
            bad("id", "id-unique", f"id {row['id']!r} is already used on line {seen[row['id']]}")
        else:
            seen[row["id"]] = line
        if not row["name"].strip():
            bad("name", "required", "name is empty")
        yield row, bad


def check_centre_rows(frame: pd.DataFrame, *, file: str) -> list[Issue]:
    """Schema problems in a centres table, one :class:`Issue` per bad field.

    Row numbers are file line numbers (header = 1). Checks value sets,
    formats and within-row consistency, and that no successor chain in the
    table goes round in a circle (A → B → A; A → A is refused as a self-successor);
    cross-file rules are in :func:`validate_network_data`.
    """
    report = ValidationReport()
    for row, bad in _rows_with_ids(frame, CENTRE_COLUMNS, file, report):
        if row["jurisdiction"] and row["jurisdiction"] not in JURISDICTIONS:
            bad("jurisdiction", "value-set", f"jurisdiction {row['jurisdiction']!r} is not one of {', '.join(JURISDICTIONS)} (or blank when unknown)")
        if row["postcode"]:
            try:
                if normalise_postcode(row["postcode"]) != row["postcode"]:
                    bad("postcode", "postcode-format", f"postcode {row['postcode']!r} is not in canonical form {normalise_postcode(row['postcode'])!r}")
            except PostcodeError as exc:
                bad("postcode", "postcode-format", str(exc))
        if row["location_precision"] not in PRECISIONS:
            bad("location_precision", "value-set", f"location_precision {row['location_precision']!r} is not one of {', '.join(PRECISIONS)}")
        has_coords = bool(row["lat"]) and bool(row["lon"])
        for axis, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
            if row[axis]:
                try:
                    value = float(row[axis])
                except ValueError:
                    bad(axis, "number", f"{axis} {row[axis]!r} is not a number")
                    has_coords = False
                    continue
                if not low <= value <= high:
                    bad(axis, "range", f"{axis} {value} is outside {low}..{high}")
                    has_coords = False
        if row["location_precision"] in ("postcode", "district", "town", "island") and not has_coords:
            bad("lat", "coordinates-required", f"location_precision is {row['location_precision']!r} but lat/lon are missing")
        if row["location_precision"] == "none" and (row["lat"] or row["lon"]):
            bad("location_precision", "precision-none", "lat/lon are given but location_precision is 'none'; say how precise they are")
        if row["location_precision"] == "postcode" and not row["postcode"]:
            bad("postcode", "required", "location_precision is 'postcode' but postcode is empty")
        unknown_services = [s.strip() for s in row["services"].split(";") if s.strip() and s.strip().lower() not in SERVICES]
        if unknown_services:
            bad("services", "value-set", f"unknown service(s) {', '.join(unknown_services)}; use {', '.join(SERVICES)} separated by '; '")
        if row["accreditation"] not in ACCREDITATIONS:
            bad("accreditation", "value-set", f"accreditation {row['accreditation']!r} is not one of {', '.join(ACCREDITATIONS)}")
        if row["address_withheld"] not in ADDRESS_WITHHELD:
            bad("address_withheld", "value-set", f"address_withheld {row['address_withheld']!r} is not one of {', '.join(ADDRESS_WITHHELD)}")
        if row["status"] not in STATUSES:
            bad("status", "value-set", f"status {row['status']!r} is not one of {', '.join(STATUSES)}")
        for field in ("opened", "closed"):
            if not _check_partial_date(row[field]):
                bad(field, "date-format", f"{field} {row[field]!r} must be YYYY or YYYY-MM (or blank when unknown)")
        if row["closed"] and row["status"] != "closed":
            bad("closed", "status-closed", f"closed date {row['closed']!r} is given but status is {row['status']!r}")
        if row["opened"] and row["closed"] and _check_partial_date(row["opened"]) and _check_partial_date(row["closed"]) and row["closed"] < row["opened"]:
            bad("closed", "date-order", f"closed {row['closed']} is before opened {row['opened']}")
        if row["successor_id"] and row["status"] != "closed":
            bad("successor_id", "status-closed", "only a closed centre has a successor")
        if row["successor_id"] and row["successor_id"] == row["id"]:
            bad("successor_id", "successor-not-self", f"centre {row['id']!r} names itself as its successor; "
                "name the centre that took over, or leave it blank")
        for field in ("page_date",):
            if not _check_partial_date(row[field]) and not _check_date(row[field]):
                bad(field, "date-format", f"{field} {row[field]!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
        for field in ("last_verified", "last_updated"):
            if not _check_date(row[field]):
                bad(field, "date-format", f"{field} {row[field]!r} must be a date YYYY-MM-DD (or blank)")
        if row["address_withheld"] == "yes" and (has_coords or row["postcode"]):
            lat, lon = (float(row[a]) if has_coords else float("nan") for a in ("lat", "lon"))
            try:
                public_place(postcode=row["postcode"], lat=lat, lon=lon, jurisdiction=row["jurisdiction"])
            except PostcodeError as exc:
                bad("address_withheld", "withheld-placeable", f"cannot be shown publicly: {exc}")
        if row["sample"] not in YES_NO:
            bad("sample", "value-set", f"sample {row['sample']!r} must be 'yes' or 'no'")
        if not row["source_urls"].strip() and row["sample"] != "yes":
            bad("source_urls", "required", "a real centre needs at least one source")
    if "successor_id" in frame.columns and "id" in frame.columns:
        successors: dict[str, str] = {}
        for identifier, successor in zip(frame["id"], frame["successor_id"]):
            successors.setdefault(str(identifier), str(successor))
        for offset, (identifier, successor) in enumerate(zip(frame["id"], frame["successor_id"])):
            chain = [str(identifier)]
            while successor and successor != chain[0] and successor not in chain and len(chain) <= len(successors):
                chain.append(successor)
                successor = successors.get(successor, "")
            if successor and successor == chain[0] and len(chain) > 1:
                report.add(file, offset + 2, "successor_id", chain[1], "successor-cycle",
                           f"successors go round in a circle ({' → '.join([*chain, chain[0]])}); "
                           "a centre cannot take over from a centre that took over from it")
    return report.issues


def check_court_rows(frame: pd.DataFrame, *, file: str) -> list[Issue]:
    """Schema problems in a courts table, one :class:`Issue` per bad field."""
    report = ValidationReport()
    for row, bad in _rows_with_ids(frame, COURT_COLUMNS, file, report):
        if row["jurisdiction"] not in JURISDICTIONS:
            bad("jurisdiction", "value-set", f"jurisdiction {row['jurisdiction']!r} is not one of {', '.join(JURISDICTIONS)}")
        for axis in ("lat", "lon"):
            try:
                float(row[axis])
            except ValueError:
                bad(axis, "number", f"{axis} {row[axis]!r} is not a number; every court needs coordinates")
        if row["location_precision"] not in ("postcode", "district", "town"):
            bad("location_precision", "value-set", f"location_precision {row['location_precision']!r} is not one of postcode, district, town")
        if row["postcode"]:
            try:
                if normalise_postcode(row["postcode"]) != row["postcode"]:
                    bad("postcode", "postcode-format", "postcode is not in canonical form")
            except PostcodeError as exc:
                bad("postcode", "postcode-format", str(exc))
        if row["children_spoe"] not in ("True", "False"):
            bad("children_spoe", "value-set", "children_spoe must be True or False")
        if not row["source"].strip():
            bad("source", "required", "every court needs a source")
    return report.issues


def _centres_path(data_dir: Path) -> Path:
    return data_dir / "centres" / "centres.csv"


def _courts_path(data_dir: Path) -> Path:
    return data_dir / "courts" / "family_court_centres.csv"


#: Columns of the canonical centres frame (:func:`check_centres`).
TYPED_CENTRE_COLUMNS: tuple[str, ...] = (*CENTRE_COLUMNS, "supported", "supervised")


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{what} table lacks column(s) {', '.join(missing)}; it needs {', '.join(columns)} "
            f"(read it with {'contact_centres' if what == 'centres' else 'family_court_centres'}() or Store.network())"
        )


def _degrees(column: pd.Series, what: str) -> pd.Series:
    values = pd.to_numeric(column.replace("", np.nan), errors="coerce").astype(float)
    bad = values.isna() & column.notna() & (column.astype(str).str.strip() != "") & (column.astype(str) != "nan")
    if bad.any():
        raise DataFileError(f"{what} table: {column.name} {column[bad].iloc[0]!r} is not a number (WGS84 degrees)")
    return values


def _is_canonical(frame: pd.DataFrame) -> bool:
    """Whether a frame already has exactly the gate's columns and types (it passed the gate)."""
    return (
        tuple(frame.columns) == TYPED_CENTRE_COLUMNS
        and all(frame[c].dtype == np.float64 for c in ("lat", "lon"))
        and all(frame[c].dtype == np.bool_ for c in ("supported", "supervised"))
    )


def check_centres(frame: pd.DataFrame) -> pd.DataFrame:
    """The one gate into the engine for centres: any centres table in, the canonical typed frame out.

    Accepts the text of ``centres.csv`` or the store, or a frame that already
    passed this gate (returned as it is: the engine never changes its inputs).
    Extra columns are dropped, so nothing outside the published schema (a
    roster's names, say) travels further.

    Returns:
        A frame with :data:`TYPED_CENTRE_COLUMNS`: ``lat``/``lon`` float
        WGS84 degrees (NaN when not placed), ``services`` canonical, and
        boolean ``supported`` and ``supervised`` (supervised assessment counts
        as supervised).

    Raises:
        DataFileError: a column is missing, or a coordinate is not a number.
    """
    if _is_canonical(frame):
        return frame
    frame = with_later_centre_columns(frame)
    _require_columns(frame, CENTRE_COLUMNS, "centres")
    out = frame[list(CENTRE_COLUMNS)].copy().reset_index(drop=True)
    text = [c for c in CENTRE_COLUMNS if c not in ("lat", "lon")]
    out[text] = out[text].fillna("").astype(str)
    out["lat"] = _degrees(out["lat"], "centres")
    out["lon"] = _degrees(out["lon"], "centres")
    services = out["services"].map(split_services)
    out["services"] = services.map("; ".join)
    out["supported"] = services.map(lambda s: "supported" in s).astype(bool)
    out["supervised"] = services.map(lambda s: "supervised" in s or "supervised assessment" in s).astype(bool)
    return out


def check_courts(frame: pd.DataFrame) -> pd.DataFrame:
    """The gate for courts: a courts table (text or typed) in, the canonical frame out.

    Returns:
        A new frame with :data:`COURT_COLUMNS`, ``lat``/``lon`` float WGS84
        degrees and ``children_spoe`` bool.

    Raises:
        DataFileError: a column is missing, or a court has no coordinates.
    """
    _require_columns(frame, COURT_COLUMNS, "courts")
    out = frame[list(COURT_COLUMNS)].copy().reset_index(drop=True)
    out["lat"] = _degrees(out["lat"], "courts")
    out["lon"] = _degrees(out["lon"], "courts")
    if out[["lat", "lon"]].isna().any().any():
        raise DataFileError("courts table: every family court centre needs lat and lon (WGS84 degrees)")
    out["children_spoe"] = out["children_spoe"].map(lambda v: v is True or str(v) == "True").astype(bool)
    return out


def read_centres(path: Path) -> pd.DataFrame:
    """Read and check a centres CSV; raise listing every problem.

    Returns:
        The columns of :data:`CENTRE_COLUMNS` (``lat``/``lon`` as floats, NaN
        when not placed; ``services`` canonicalised) plus boolean
        ``supported`` and ``supervised`` (supervised assessment counts as
        supervised).

    Raises:
        DataFileError: any row breaks the schema; the message lists each
            problem as ``file:row: field: message``.
    """
    frame = _read_centre_table(path)
    report = ValidationReport(check_centre_rows(frame, file=_relative(path)))
    report.raise_if_any()
    return check_centres(frame)


def read_courts(path: Path) -> pd.DataFrame:
    """Read and check a family court centres CSV; raise listing every problem.

    Returns:
        The columns of :data:`COURT_COLUMNS`, ``lat``/``lon`` as floats
        (WGS84 degrees) and ``children_spoe`` as bool.
    """
    frame = _read_text_table(path)
    report = ValidationReport(check_court_rows(frame, file=_relative(path)))
    report.raise_if_any()
    return check_courts(frame)


@lru_cache(maxsize=8)
def _cached_centres(path: Path, mtime_ns: int) -> pd.DataFrame:
    return read_centres(path)


@lru_cache(maxsize=8)
def _cached_courts(path: Path, mtime_ns: int) -> pd.DataFrame:
    return read_courts(path)


def contact_centres(data_dir: Path | None = None) -> pd.DataFrame:
    """The bundled directory of child contact centres (open and closed).

    Returns:
        See :func:`read_centres`. A fresh copy each call.
    """
    path = _centres_path(Path(data_dir or default_data_dir()))
    return _cached_centres(path, path.stat().st_mtime_ns).copy()


def family_court_centres(data_dir: Path | None = None) -> pd.DataFrame:
    """Open family court centres: every court hearing Children cases, plus Jersey's Royal Court.

    Returns:
        See :func:`read_courts`. A fresh copy each call.
    """
    path = _courts_path(Path(data_dir or default_data_dir()))
    return _cached_courts(path, path.stat().st_mtime_ns).copy()


def millis_profile(data_dir: Path | None = None) -> dict[str, Any]:
    """Milli's Child Contact Centre as P.119/2014 described it: caseload, staffing, budget, funders.

    Returns:
        The parsed ``network_data/centres/millis.yaml`` (amounts in pounds).
    """
    import yaml

    path = Path(data_dir or default_data_dir()) / "centres" / "millis.yaml"
    with open(path, encoding="utf-8") as handle:
        profile: dict[str, Any] = yaml.safe_load(handle)
        return profile


def check_millis_profile(data_dir: Path | None = None) -> list[Issue]:
    """Arithmetic checks of ``centres/millis.yaml``: stated totals equal the sums of their parts."""
    profile = millis_profile(data_dir)
    file = "network_data/centres/millis.yaml"
    report = ValidationReport()
    caseload = profile["caseload"]
    for part, total in (("children", "total_children"), ("parents", "total_parents")):
        summed = sum(int(r[part]) for r in caseload["referrals"])
        if summed != caseload[total]:
            report.add(file, 0, f"caseload.{total}", caseload[total], "total-matches", f"referrals add up to {summed}, not {caseload[total]}")
    budget = profile["proposed_budget"]
    summed = sum(int(line["gbp"]) for line in budget["lines"])
    if summed != budget["total_gbp"]:
        report.add(file, 0, "proposed_budget.total_gbp", budget["total_gbp"], "total-matches", f"budget lines add up to {summed}")
    staffing = profile["staffing"]
    if staffing["full_establishment"] - staffing["current"] != staffing["leaving"]:
        report.add(file, 0, "staffing.leaving", staffing["leaving"], "total-matches",
                   "full establishment minus current staffing should equal staff leaving, as P.119/2014 states")
    return report.issues


def validate_network_data(data_dir: Path | None = None) -> ValidationReport:
    """Check every directory file in ``network_data/`` against schema and cross-file rules.

    Cross-file rules: ids unique across courts and centres; successor ids
    name a centre in the file; coordinates fall inside the jurisdiction;
    postcodes are in the ONS Postcode Directory (Crown Dependency postcodes
    excepted, which carry explicit coordinates); a centre placed at postcode
    precision sits within 1 km of its postcode's grid reference.
    """
    root = Path(data_dir or default_data_dir())
    report = ValidationReport()
    tables: dict[str, tuple[pd.DataFrame, str]] = {}
    for kind, path, check, read in (
        ("centres", _centres_path(root), check_centre_rows, _read_centre_table),
        ("courts", _courts_path(root), check_court_rows, _read_text_table),
    ):
        name = _relative(path)
        if not path.exists():
            report.add(name, 0, "", "", "file-missing", "file is missing")
            continue
        try:
            frame = read(path)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            report.add(name, 0, "", "", "file-unreadable", f"cannot be read as UTF-8 CSV: {exc}")
            continue
        report.extend(check(frame, file=name))
        tables[kind] = (frame, name)

    ids: dict[str, str] = {}
    for kind, (frame, name) in tables.items():
        for offset, row in enumerate(frame.to_dict("records")):
            line = offset + 2
            if row.get("id") in ids and ids[row["id"]] != name:
                report.add(name, line, "id", row["id"], "id-unique", f"id {row['id']!r} is also used in {ids[row['id']]}")
            ids.setdefault(row.get("id", ""), name)
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (KeyError, ValueError):
                continue
            if not in_bounds(row.get("jurisdiction", ""), lat, lon):
                report.add(name, line, "lat", f"{lat},{lon}", "coordinates-in-jurisdiction",
                           f"coordinates {lat:.5f},{lon:.5f} lie outside {row['jurisdiction']}")
        postcodes = [p for p in frame["postcode"] if p] if "postcode" in frame else []
        located = geocode(postcodes) if postcodes else None
        if located is None:
            continue
        by_postcode = located.set_index("input")
        for offset, row in enumerate(frame.to_dict("records")):
            if not row.get("postcode"):
                continue
            line = offset + 2
            hit = by_postcode.loc[row["postcode"]]
            if isinstance(hit, pd.DataFrame):
                hit = hit.iloc[0]
            if crown_dependency(row["postcode"]):
                continue
            if hit["precision"] != "postcode":
                report.add(name, line, "postcode", row["postcode"], "postcode-unknown",
                           f"postcode {row['postcode']!r} not found in the ONS Postcode Directory")
                continue
            if row.get("location_precision") == "postcode" and row.get("lat") and row.get("lon"):
                offset_km = float(great_circle_km(float(row["lon"]), float(row["lat"]), hit["lon"], hit["lat"]))
                if offset_km > 1.5:
                    report.add(name, line, "lat", f"{row['lat']},{row['lon']}", "postcode-offset",
                               f"coordinates are {offset_km:.1f} km from postcode {row['postcode']}'s grid reference")
    if "centres" in tables:
        frame, name = tables["centres"]
        known = set(frame["id"])
        for offset, row in enumerate(frame.to_dict("records")):
            if row["successor_id"] and row["successor_id"] not in known:
                report.add(name, offset + 2, "successor_id", row["successor_id"], "successor-exists",
                           f"successor {row['successor_id']!r} is not a centre in this file")
    return report


#: A record verified longer ago than this needs checking again (days).
VERIFIED_FRESH_DAYS = 365
#: A source page dated longer ago than this needs checking (years).
SOURCE_PAGE_FRESH_YEARS = 3
#: Why an open centre is on the editors' "needs checking" list, in the order reported.
CHECKING_REASONS: dict[str, str] = {
    "never_verified": "never verified by a person",
    "verified_long_ago": "verified more than 12 months ago",
    "old_source_page": f"with a source page dated more than {SOURCE_PAGE_FRESH_YEARS} years ago",
    "doubt_flagged": "with a doubt flagged",
}


@dataclass(frozen=True)
class StatedCount:
    """How many centres a source says a nation has, with the source."""

    jurisdiction: str
    count: int
    what: str
    source: str


#: Counts of centres per nation that a source states (only figures the reference compilation cites).
STATED_NATION_COUNTS: tuple[StatedCount, ...] = (
    StatedCount("Northern Ireland", 16, "centres (in 23 locations) the NI Network of Child Contact Centres states",
                "childcontactni.org/about, cited in the reference compilation of public pages, 2026-11-23"),
    StatedCount("Wales", 23, "NACCC-accredited centres BBC Wales reported in 2014",
                "BBC Wales, 2014, cited in the reference compilation of public pages, 2026-11-23"),
)


@dataclass(frozen=True)
class NationCompleteness:
    """Open centres this directory holds in a nation beside the count a source states there."""

    stated: StatedCount
    open_centres: int

    def describe(self) -> str:
        """E.g. "Northern Ireland: 9 of the 16 centres ... (source)"."""
        return f"{self.stated.jurisdiction}: {self.open_centres} of the {self.stated.count} {self.stated.what} ({self.stated.source})"


def _period_end(value: str) -> date | None:
    """The last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date can mean (None when blank or unreadable)."""
    try:
        if _DATE_RE.match(value):
            return date.fromisoformat(value)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            return date(year, month, calendar.monthrange(year, month)[1])
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 12, 31)
    except ValueError:
        return None
    return None


def needs_checking(centres: pd.DataFrame, *, today: date | None = None) -> pd.DataFrame:
    """The open real centres an editor should check, with why.

    A centre is listed when it was never verified, verified more than
    :data:`VERIFIED_FRESH_DAYS` ago, its ``page_date`` is more than
    :data:`SOURCE_PAGE_FRESH_YEARS` years ago (a partial date counts from the
    end of its month or year), or it has a ``doubt``.

    Returns:
        Columns ``id``, ``name``, ``last_verified``, ``page_date``, ``doubt``,
        one boolean column per key of :data:`CHECKING_REASONS`, and ``why``
        (the reasons in words, ``; ``-joined); in the order of ``centres``.
    """
    day = today or date.today()
    real = centres[(centres["status"] == "open") & (centres["sample"] != "yes")]
    frame = with_later_centre_columns(real)
    verified = frame["last_verified"].map(lambda v: _period_end(str(v)))
    page = frame["page_date"].map(lambda v: _period_end(str(v)))
    stale_page = date(day.year - SOURCE_PAGE_FRESH_YEARS, day.month, min(day.day, 28 if day.month == 2 else day.day))
    flags = pd.DataFrame({
        "never_verified": verified.isna(),
        "verified_long_ago": verified.map(lambda d: d is not None and (day - d).days > VERIFIED_FRESH_DAYS),
        "old_source_page": page.map(lambda d: d is not None and d < stale_page),
        "doubt_flagged": frame["doubt"].astype(str).str.strip() != "",
    }, index=frame.index).astype(bool)
    listed = flags.any(axis=1)
    out = frame.loc[listed, ["id", "name", "last_verified", "page_date", "doubt"]].copy()
    out[list(CHECKING_REASONS)] = flags[listed]
    out["why"] = ["; ".join(CHECKING_REASONS[k] for k in CHECKING_REASONS if row[k])
                  for row in flags[listed].to_dict("records")]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Completeness:
    """How complete the centre directory is, for captions and exports."""

    open_centres: int
    closed_centres: int
    placed_open_centres: int
    open_with_services_stated: int
    sample_centres: int
    estimate_total: int
    estimate_range: tuple[int, int]
    needs_checking: int = 0
    checking_reasons: tuple[tuple[str, int], ...] = ()
    verified_recently: int = 0
    nations: tuple[NationCompleteness, ...] = ()

    def describe_checking(self) -> str:
        """How many open centres need checking, and why (one sentence)."""
        reasons = ", ".join(f"{n} {CHECKING_REASONS[k]}" for k, n in self.checking_reasons if n)
        return (f"{self.needs_checking} of the {self.open_centres} open centres need checking"
                + (f" ({reasons})" if reasons else "")
                + f"; {self.verified_recently} verified by an editor in the last 12 months.")

    def describe_nations(self) -> str:
        """The per-nation figures where a source states a count (one sentence; "" when none)."""
        if not self.nations:
            return ""
        return "Where a source states a nation's count: " + "; ".join(n.describe() for n in self.nations) + "."

    @property
    def share_of_estimate(self) -> float:
        """Open centres held as a share of NACCC's ~350 (0..1, may exceed 1)."""
        return self.open_centres / self.estimate_total

    def describe(self) -> str:
        """One sentence for every page and export."""
        return (
            f"This directory holds {self.open_centres} open centres, about "
            f"{self.share_of_estimate:.0%} of the roughly {self.estimate_total} NACCC member centres "
            f"(published figures range {self.estimate_range[0]}–{self.estimate_range[1]}); "
            f"{self.placed_open_centres} can be placed on a map and {self.open_with_services_stated} "
            "state which services they offer. Absence from this directory does not mean absence of a centre."
        )


def completeness(centres: pd.DataFrame, *, today: date | None = None) -> Completeness:
    """Summarise how complete a centres table is against NACCC's published size, per nation where a source
    states a count, and how many of its open centres need checking (:func:`needs_checking`) on ``today``."""
    open_ = centres[centres["status"] == "open"]
    day = today or date.today()
    checking = needs_checking(centres, today=day)
    verified = open_[open_["sample"] != "yes"]["last_verified"].map(lambda v: _period_end(str(v)))
    return Completeness(
        needs_checking=len(checking),
        checking_reasons=tuple((k, int(checking[k].astype(bool).sum())) for k in CHECKING_REASONS),
        verified_recently=int(
            verified.map(lambda d: d is not None and (day - d).days <= VERIFIED_FRESH_DAYS).astype(bool).sum()
        ),
        nations=tuple(
            NationCompleteness(stated, int((open_["jurisdiction"] == stated.jurisdiction).sum()))
            for stated in STATED_NATION_COUNTS
        ),
        open_centres=int(len(open_)),
        closed_centres=int((centres["status"] == "closed").sum()),
        placed_open_centres=int(open_["lat"].notna().sum()),
        open_with_services_stated=int((open_["services"] != "").sum()),
        sample_centres=int((centres["sample"] == "yes").sum()),
        estimate_total=NACCC_CENTRES_ESTIMATE,
        estimate_range=NACCC_CENTRES_RANGE,
    )
