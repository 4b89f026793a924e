"""Constituency tables as exports: CSV, XLSX, GeoJSON (hexagons) and GeoPackage, each with its provenance.

The same formats and provenance as :mod:`millis_network.evidence.exports`
(sources and snapshot dates, rule and thresholds, directory completeness,
sample records), plus what a constituency figure needs said: the population
caveat (:data:`~millis_network.wording.POPULATION_NOTE`), how an LSOA split
between constituencies is counted, how the serving court is chosen, the hex
map's credit and, when a petition took part, where and when its figures
were read and how the join treated missing and unknown codes.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from millis_network.engine.analysis import require_public
from millis_network.engine.constituencies import NETWORK_LABELS, PetitionJoin
from millis_network.engine.scenario import VARIANT_LABELS, StatutoryNetwork
from millis_network.evidence.exports import (
    FORMATS,
    PRIVACY_STATEMENT,
    ExportTable,
    Format,
    export_provenance,
    to_csv_files,
    to_geojson_files,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from millis_network.places import HEX_MAP_CREDIT, constituency_hexes
from millis_network.wording import POPULATION_NOTE, SERVING_COURT_NOTE

#: How a constituency's people are added up, for every export and briefing.
CONSTITUENCY_METHOD = (
    "Each constituency's figures add up its LSOAs (2011): an LSOA split between constituencies counts towards "
    "each in proportion to the share of its people living there (mySociety's overlaps of 2011 LSOAs with the "
    "2024 constituencies). An LSOA counts as within a drive time when its centroid's nearest suitable centre in "
    "this directory (or scenario venue) is; 'beyond 50 miles' is one-way great-circle distance."
)


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    """Infinite minutes (no centre by road) blanked, as every export writes them."""
    return frame.replace([np.inf, -np.inf], np.nan).reset_index(drop=True)


def constituency_export_tables(
    statutory: StatutoryNetwork, table: pd.DataFrame, *, petition: PetitionJoin | None = None,
    name: str = "constituencies",
) -> tuple[ExportTable, ...]:
    """The constituency table (and the petition join, when given) as export tables placed on the hex map.

    Args:
        statutory: the statutory network scenario of a public analysis.
        table: :func:`millis_network.engine.constituencies.constituency_coverage` of it.
        petition: :func:`millis_network.engine.constituencies.join_petition`, if a petition took part.
        name: the table's file, sheet and layer name (the petition's is ``<name>_petition``).
    """
    require_public(statutory.directory)
    rule = statutory.rule.describe()
    tables = [
        ExportTable(
            name, "Coverage by constituency, in people",
            f"One row per Westminster constituency of England and Wales (2024 boundaries): people within 15/30/45/60 "
            f"minutes' estimated drive of a {NETWORK_LABELS['supported']}, of a {NETWORK_LABELS['supervised']} and "
            f"of a {NETWORK_LABELS['scenario']}; beyond the threshold ({rule}) and beyond 50 miles; the family court "
            "centres serving its people and the centres nearest most of them.",
            _finite(table), "constituency",
        )
    ]
    if petition is not None:
        tables.append(ExportTable(
            f"{name}_petition", "Petition signatures by constituency",
            f"Signatures per 10,000 people beside the people beyond reach. {petition.describe()}",
            _finite(petition.table), "constituency",
        ))
    return tuple(tables)


def constituency_provenance(
    statutory: StatutoryNetwork, tables: tuple[ExportTable, ...], *, petition_source: str = "",
    petition: PetitionJoin | None = None,
) -> dict[str, Any]:
    """:func:`~millis_network.evidence.exports.export_provenance` with what constituency figures need said."""
    info = export_provenance(statutory.directory, tables)
    info.update(
        population=POPULATION_NOTE,
        constituency_method=CONSTITUENCY_METHOD,
        serving_court=SERVING_COURT_NOTE,
        scenario=VARIANT_LABELS[statutory.variant],
        hex_map=HEX_MAP_CREDIT,
        privacy=PRIVACY_STATEMENT,
    )
    if petition is not None:
        info["petition"] = {"source": petition_source, "join": petition.describe()}
    return info


def constituency_export_files(
    statutory: StatutoryNetwork, table: pd.DataFrame, *, fmt: Format, petition: PetitionJoin | None = None,
    petition_source: str = "", hexes: gpd.GeoDataFrame | None = None, name: str = "constituencies",
) -> dict[str, bytes]:
    """Every file of one export format, by file name (as :func:`~millis_network.evidence.exports.export_files`).

    Returns:
        For CSV a ``<name>.csv`` and ``<name>.provenance.json`` per table; for
        GeoJSON a ``<name>.geojson`` per table (hexagons); otherwise
        ``<name>.xlsx`` or ``<name>.gpkg``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    tables = constituency_export_tables(statutory, table, petition=petition, name=name)
    info = constituency_provenance(statutory, tables, petition_source=petition_source, petition=petition)
    if fmt == "csv":
        return to_csv_files(tables, info)
    if fmt == "xlsx":
        return {f"{name}.xlsx": to_xlsx_bytes(tables, info)}
    shapes = constituency_hexes() if hexes is None else hexes
    if fmt == "geojson":
        return to_geojson_files(tables, info, shapes)
    return {f"{name}.gpkg": to_gpkg_bytes(tables, info, shapes)}
