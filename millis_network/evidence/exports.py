"""Exports: the coverage tables as CSV, XLSX, GeoJSON and GeoPackage, each carrying its provenance.

Five tables leave the project (:func:`export_tables`): the court coverage
table, the gap list, the population-reach summaries for supported and for
supervised contact (national, per nation, per local authority) and the public
directory of contact centres. Every format carries the same rows and the same
provenance (:func:`export_provenance`: generation time, software version,
sources and snapshot dates, rule and thresholds, directory completeness,
whether sample records took part):

- CSV: one file per table plus a JSON sidecar ``<table>.provenance.json``
  holding the provenance, the column meanings and the CSV's SHA-256;
- XLSX: one sheet per table plus an "About this data" sheet;
- GeoJSON: one FeatureCollection per table with a ``provenance`` foreign member
  (RFC 7946 §6.1); rows with no place (national figures, unplaced centres)
  are features with a null geometry;
- GeoPackage: one layer per table, an ``about_this_data`` table and the
  provenance JSON in the dataset metadata.

Privacy: every export is computed from an analysis of the public network
(:meth:`millis_network.network.Network.public`, checked by
:func:`~millis_network.engine.analysis.require_public`), in which a centre whose
address is withheld sits at its district's centroid or coarser, so neither its
coordinates nor distances measured to it reveal the venue; the
directory table holds only the published schema's columns
(:data:`millis_network.directory.CENTRE_COLUMNS`), so fields such as volunteer
names or DBS details can never be carried into an export.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from millis_network._geo import WGS84
from millis_network._text import spreadsheet_text
from millis_network.directory import CENTRE_COLUMNS
from millis_network.engine.analysis import Analysis, provenance, require_public
from millis_network.places import local_authority_boundaries
from millis_network.wording import NO_ROAD, POPULATION_NOTE

Format = Literal["csv", "xlsx", "geojson", "gpkg"]

#: Export formats, in the order the CLI and dashboard offer them.
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "geojson", "gpkg")

#: Reach summary levels, in export order.
REACH_LEVELS: tuple[str, ...] = ("national", "nation", "local_authority")

#: What every export says about personal data and withheld addresses.
PRIVACY_STATEMENT = (
    "No personal data: the directory table holds only the published directory columns (no volunteer or staff "
    "names, no DBS details). A centre whose address is withheld for safety is shown only at its postcode "
    "district (on Jersey, Guernsey and the Isle of Man, only the island): its postcode is cut to the district, "
    "its coordinates are the district's centroid (or the island's main town), its opening, referral and note "
    "text are left out, its sources are cut to their websites, and every distance and drive time given for it "
    "is measured to that public point."
)

#: Meanings of columns that are not explained by their suffix (see :func:`column_notes`).
COLUMN_NOTES: dict[str, str] = {
    "court_id": "family court centre id (HMCTS Find a Court or Tribunal slug)",
    "court_name": "family court centre name (HMCTS)",
    "children_spoe": "the court is a single point of entry for children cases",
    "meets_rule": "a supported and a supervised centre in this directory both lie within the threshold",
    "status": "meets rule / supported only / supervised only / neither",
    "threshold": "the campaign rule applied",
    "method": "how reach is measured: estimated_drive (minutes) or straight_line (miles)",
    "rule_version": "version of the campaign rule",
    "worst_minutes": f"the longer of the two nearest drives (blank: {NO_ROAD})",
    "level": "national, nation or local_authority",
    "area_code": "ONS code of the area (nation name for nations; E+W for the national row)",
    "area_name": "name of the area",
    "lsoas": "number of LSOAs (population units of ~1,000-3,000 residents)",
    "location_precision": "how exactly lat/lon place the centre: postcode, district, town or none",
    "address_withheld": "yes: the venue is kept private for safety and shown at postcode-district level only",
    "sample": "yes: an illustrative record, not a real centre",
    "source_urls": "public pages the record's facts come from",
    "postcode": "venue postcode (district only where the address is withheld)",
}


@dataclass(frozen=True)
class ExportTable:
    """One exported table.

    Attributes:
        name: file, sheet and layer name.
        title: a heading for people.
        description: what one row is and where it comes from.
        frame: the rows (infinite values already blanked).
        geometry: how rows are placed on a map: ``point`` (``lat``/``lon``),
            ``local_authority`` (the boundary of ``area_code``) or
            ``constituency`` (the hexagon of ``gss_code`` in the boundaries given).
    """

    name: str
    title: str
    description: str
    frame: pd.DataFrame
    geometry: Literal["point", "local_authority", "constituency"]


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    numeric = out.select_dtypes(include="number").columns
    out[numeric] = out[numeric].replace([np.inf, -np.inf], np.nan)
    return out.reset_index(drop=True)


def reach_table(analysis: Analysis, *, service: Literal["supported", "supervised"]) -> pd.DataFrame:
    """Population-reach summaries at every level, stacked.

    Returns:
        ``level`` followed by the columns of
        :func:`millis_network.engine.coverage.reach_summary` for ``service``; one row
        for England and Wales, one per nation, one per local authority.
    """
    parts = [analysis.summary(service=service, by=level).assign(level=level) for level in REACH_LEVELS]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["level", *[c for c in frame.columns if c != "level"]]]


def export_tables(analysis: Analysis) -> tuple[ExportTable, ...]:
    """The tables every export holds, computed from a public analysis (:func:`~millis_network.engine.analysis.require_public`)."""
    public = require_public(analysis)
    rule = public.rule.describe()
    return (
        ExportTable(
            "court_coverage", "Court coverage",
            f"One row per family court centre: nearest supported and supervised centre in this directory, "
            f"great-circle distance, estimated drive time, and whether both lie within reach ({rule}).",
            _finite(public.court_coverage), "point",
        ),
        ExportTable(
            "gaps", "Courts failing the rule",
            "The courts of court_coverage that fail the rule, worst first (longest drive to the missing service).",
            _finite(public.gaps()), "point",
        ),
        ExportTable(
            "reach_supported", "Population reach: supported contact",
            "Shares of LSOAs (population units) by drive time to the nearest supported centre in this directory: "
            "England and Wales, each nation, each local authority.",
            _finite(reach_table(public, service="supported")), "local_authority",
        ),
        ExportTable(
            "reach_supervised", "Population reach: supervised contact",
            "As reach_supported, for supervised contact.",
            _finite(reach_table(public, service="supervised")), "local_authority",
        ),
        ExportTable(
            "public_directory", "Contact centres (public directory)",
            "Every centre the directory holds, open and closed, with sources; withheld addresses at district level.",
            _finite(public.centres[list(CENTRE_COLUMNS)]), "point",
        ),
    )


def column_notes(columns: list[str] | pd.Index) -> dict[str, str]:
    """Meaning and unit of each column, for the About sheet and CSV sidecars."""
    notes: dict[str, str] = {}
    for column in columns:
        if column in COLUMN_NOTES:
            notes[column] = COLUMN_NOTES[column]
        elif column in ("lat", "lon"):
            notes[column] = "WGS84 degrees"
        elif column.endswith("_km"):
            notes[column] = "great-circle distance, kilometres"
        elif column.endswith("_miles"):
            notes[column] = "great-circle distance, miles"
        elif column.endswith("_minutes"):
            notes[column] = f"estimated drive time one way, minutes (blank: {NO_ROAD})"
        elif column.endswith("_within"):
            notes[column] = "number of suitable centres within the threshold"
        elif column.startswith("share_"):
            notes[column] = "fraction of LSOAs (0-1); LSOAs hold similar populations, so ~ fraction of people"
        elif "share" in column.split("_"):
            notes[column] = f"fraction of the area's people (0-1). {POPULATION_NOTE}"
        elif "people" in column.split("_"):
            notes[column] = f"number of people. {POPULATION_NOTE}"
        else:
            notes[column] = ""
    return notes


def export_provenance(analysis: Analysis, tables: tuple[ExportTable, ...]) -> dict[str, Any]:
    """Provenance for an export: :func:`millis_network.engine.analysis.provenance` plus privacy and table list."""
    return provenance(
        require_public(analysis),
        extra={
            "privacy": PRIVACY_STATEMENT,
            "directory_needs_checking": analysis.completeness.describe_checking(),
            "directory_by_nation": [
                {"jurisdiction": n.stated.jurisdiction, "open_centres_in_directory": n.open_centres,
                 "count_stated": n.stated.count, "what": n.stated.what, "source": n.stated.source}
                for n in analysis.completeness.nations
            ],
            "population": POPULATION_NOTE,
            "tables": [
                {"name": t.name, "title": t.title, "description": t.description, "rows": int(len(t.frame))}
                for t in tables
            ],
        },
    )


def _flatten(info: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in info.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += _flatten(value, f"{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            continue
        elif isinstance(value, list):
            rows.append((name, ", ".join(str(v) for v in value)))
        else:
            rows.append((name, "" if value is None else str(value)))
    return rows


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells can never run as formulas in Excel, LibreOffice or Sheets.

    Every text value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` (:func:`millis_network._text.spreadsheet_text`);
    numbers are untouched. Every CSV and XLSX this project writes for people
    goes through it, the dashboard's downloads included.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: spreadsheet_text(v) if isinstance(v, str) else v)
    return out


def to_csv_files(tables: tuple[ExportTable, ...], info: dict[str, Any]) -> dict[str, bytes]:
    """``<table>.csv`` (UTF-8) and ``<table>.provenance.json`` for every table."""
    files: dict[str, bytes] = {}
    for table in tables:
        body = spreadsheet_safe(table.frame).to_csv(index=False).encode("utf-8")
        files[f"{table.name}.csv"] = body
        files[f"{table.name}.provenance.json"] = _json_bytes(
            {
                "file": f"{table.name}.csv",
                "sha256": hashlib.sha256(body).hexdigest(),
                "table": table.name,
                "title": table.title,
                "description": table.description,
                "rows": int(len(table.frame)),
                "columns": column_notes(table.frame.columns),
                "provenance": info,
            }
        )
    return files


#: Name of the XLSX provenance sheet.
ABOUT_SHEET = "About this data"


def about_rows(tables: tuple[ExportTable, ...], info: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The About sheet's rows: provenance fields, then the tables, then every column's meaning."""
    rows: list[tuple[str, str, str]] = [("Child contact centres and family court centres: coverage export", "", "")]
    rows += [(key, value, "") for key, value in _flatten(info)]
    rows += [("", "", ""), ("Table (sheet)", "Rows", "What it holds")]
    rows += [(t.name, str(len(t.frame)), t.description) for t in tables]
    rows += [("", "", ""), ("Table", "Column", "Meaning and unit")]
    for table in tables:
        rows += [(table.name, column, note) for column, note in column_notes(table.frame.columns).items()]
    rows += [("", "", ""), ("provenance_json", json.dumps(info, ensure_ascii=False), "")]
    return rows


def to_xlsx_bytes(tables: tuple[ExportTable, ...], info: dict[str, Any]) -> bytes:
    """One workbook: the "About this data" sheet first, then one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        about_frame = spreadsheet_safe(pd.DataFrame(about_rows(tables, info)))
        about_frame.to_excel(writer, sheet_name=ABOUT_SHEET, index=False, header=False)
        for table in tables:
            spreadsheet_safe(table.frame).to_excel(writer, sheet_name=table.name, index=False)
        book = writer.book
        about = book[ABOUT_SHEET]
        about.column_dimensions["A"].width = 38
        about.column_dimensions["B"].width = 60
        about.column_dimensions["C"].width = 90
        book.properties.title = "Child contact centres and family court centres: coverage export"
        book.properties.description = f"Generated {info['generated_at']} by {info['software']}; see '{ABOUT_SHEET}'."
        for table in tables:
            book[table.name].freeze_panes = "A2"
    return buffer.getvalue()


def geo_frame(table: ExportTable, boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A table with geometry (WGS84): points from lat/lon, or local authority outlines; None where unplaced."""
    frame = table.frame
    if table.geometry == "point":
        placed = frame["lat"].notna() & frame["lon"].notna()
        points = gpd.points_from_xy(frame["lon"].fillna(0.0), frame["lat"].fillna(0.0))
        geometry = [point if ok else None for point, ok in zip(points, placed, strict=True)]
    elif table.geometry == "constituency":
        hexes = boundaries.set_index("gss_code").geometry
        geometry = [hexes.get(code) for code in frame["gss_code"]]
    else:
        outlines = boundaries.set_index("local_authority_code").geometry
        geometry = [
            outlines.get(code) if level == "local_authority" else None
            for code, level in zip(frame["area_code"], frame["level"], strict=True)
        ]
    # types-geopandas omits None (a missing geometry) from the sequences GeoSeries accepts.
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84))  # type: ignore[arg-type]


def to_geojson_files(
    tables: tuple[ExportTable, ...], info: dict[str, Any], boundaries: gpd.GeoDataFrame
) -> dict[str, bytes]:
    """``<table>.geojson`` for every table, each with a ``provenance`` foreign member."""
    files: dict[str, bytes] = {}
    for table in tables:
        collection = json.loads(geo_frame(table, boundaries).to_json(na="null", drop_id=True))
        collection["name"] = table.name
        collection["description"] = table.description
        collection["provenance"] = info
        files[f"{table.name}.geojson"] = _json_bytes(collection)
    return files


def to_gpkg_bytes(tables: tuple[ExportTable, ...], info: dict[str, Any], boundaries: gpd.GeoDataFrame) -> bytes:
    """One GeoPackage: a layer per table, an ``about_this_data`` table, provenance in the dataset metadata."""
    about = pd.DataFrame(about_rows(tables, info), columns=["field", "value", "note"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        for table in tables:
            pyogrio.write_dataframe(
                geo_frame(table, boundaries), path, layer=table.name, promote_to_multi=table.geometry != "point",
                layer_metadata={"DESCRIPTION": table.description},
                dataset_metadata={"provenance": json.dumps(info, ensure_ascii=False)},
            )
        pyogrio.write_dataframe(about, path, layer="about_this_data")
        return path.read_bytes()


def export_files(
    analysis: Analysis, *, fmt: Format, boundaries: gpd.GeoDataFrame | None = None
) -> dict[str, bytes]:
    """Every file of one export format, by file name.

    Args:
        analysis: the national analysis (made public with :func:`public_analysis`).
        fmt: ``csv``, ``xlsx``, ``geojson`` or ``gpkg``.
        boundaries: local authority outlines for geo formats (bundled by default).

    Returns:
        ``{file name: bytes}``: for CSV a ``.csv`` and a ``.provenance.json``
        per table; for GeoJSON a ``.geojson`` per table; otherwise one file
        (:func:`bundle_name`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    tables = export_tables(analysis)
    info = export_provenance(analysis, tables)
    if fmt == "csv":
        return to_csv_files(tables, info)
    if fmt == "xlsx":
        return {bundle_name(fmt): to_xlsx_bytes(tables, info)}
    outlines = local_authority_boundaries() if boundaries is None else boundaries
    if fmt == "geojson":
        return to_geojson_files(tables, info, outlines)
    return {bundle_name(fmt): to_gpkg_bytes(tables, info, outlines)}


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """The files in one ZIP archive (for a single download)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def bundle_name(fmt: Format) -> str:
    """File name of :func:`export_bundle`'s download for ``fmt``."""
    if fmt in ("csv", "geojson"):
        return f"millis_network_export_{fmt}.zip"
    return f"millis_network_export.{fmt}"


def export_bundle(
    analysis: Analysis, *, fmt: Format, boundaries: gpd.GeoDataFrame | None = None
) -> tuple[str, bytes]:
    """One export format as a single download: the file itself, or a ZIP of the format's files.

    Returns:
        ``(file name, bytes)``: :func:`bundle_name` and the XLSX or GeoPackage
        file, or a ZIP of the CSV (with sidecars) or GeoJSON files.
    """
    files = export_files(analysis, fmt=fmt, boundaries=boundaries)
    if fmt in ("csv", "geojson"):
        return bundle_name(fmt), zip_bytes(files)
    return bundle_name(fmt), next(iter(files.values()))


def write_export(
    analysis: Analysis, out_dir: Path, *, fmt: Format, boundaries: gpd.GeoDataFrame | None = None
) -> list[Path]:
    """Write one export format into ``out_dir`` (created if needed).

    Returns:
        The paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in export_files(analysis, fmt=fmt, boundaries=boundaries).items():
        path = out_dir / name
        path.write_bytes(body)
        written.append(path)
    return written

