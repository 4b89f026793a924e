"""Which landmass a place is on, so that no drive is estimated across the sea.

The drive-time model knows distances and settlement density, not coastlines.
Places on different landmasses with no road between them (Great Britain,
Ireland, Jersey, Guernsey, the Isle of Man, the Isle of Wight, the Isles of
Scilly) are never within a drive of each other: coverage counts no such pair,
and a nearest centre across the sea has no drive time
(:class:`millis_network.engine.coverage.CentreIndex`).

A place's landmass comes from facts the data already holds: its jurisdiction
(Jersey, Guernsey, Isle of Man, Northern Ireland) and, in England, the local
authority it lies in, given as a code (LSOAs) or found from the shipped local
authority boundaries (courts, centres, a postcode's location).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from millis_network._geo import BRITISH_NATIONAL_GRID, JURISDICTION_BOUNDS, WGS84
from millis_network.places import local_authority_boundaries

#: Every landmass, by code: :func:`landmasses` returns positions in this tuple.
LANDMASSES: tuple[str, ...] = (
    "Great Britain", "Ireland", "Jersey", "Guernsey", "Isle of Man", "Isle of Wight", "Isles of Scilly",
)
#: The landmass of every place not otherwise placed.
GREAT_BRITAIN = LANDMASSES[0]

#: Jurisdictions that are landmasses of their own (Northern Ireland shares Ireland's).
JURISDICTION_LANDMASSES: dict[str, str] = {
    "Jersey": "Jersey",
    "Guernsey": "Guernsey",
    "Isle of Man": "Isle of Man",
    "Northern Ireland": "Ireland",
}

#: English local authorities that are islands without a road link (ONS codes).
ISLAND_AUTHORITIES: dict[str, str] = {"E06000046": "Isle of Wight", "E06000053": "Isles of Scilly"}

#: How far outside an island authority's simplified boundary a place still counts as on it (metres):
#: the boundaries are simplified to about 100 m, and the narrowest crossing (the Solent at Hurst) is over 1 km.
COAST_MARGIN_M = 500.0

_TO_BNG = Transformer.from_crs(WGS84, BRITISH_NATIONAL_GRID, always_xy=True)


class _ProjThread:
    """The one long-lived thread :data:`_TO_BNG` transforms on, started again in a forked child.

    pyproj keeps a PROJ transformer per thread and builds it on each thread's
    first use (about 75 ms), and the dashboard runs every script run on a new
    thread, so each run that placed a point built it again; on one thread it
    is built once. A process forked from this one (``multiprocessing``) gets a
    thread of its own: the parent's does not exist there.
    """

    def __init__(self) -> None:
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landmasses-proj")

    def to_bng(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees to British National Grid metres (easting, northing)."""
        return self._executor.submit(_TO_BNG.transform, lon, lat).result()


_PROJ_THREAD = _ProjThread()


def _lonlat_to_bng(lonlat: np.ndarray) -> np.ndarray:
    """WGS84 lon/lat pairs ``(n, 2)`` to British National Grid metres."""
    return np.column_stack(_PROJ_THREAD.to_bng(lonlat[:, 0], lonlat[:, 1]))


@lru_cache(maxsize=1)
def _island_shapes() -> tuple[tuple[int, shapely.Geometry], ...]:
    """Each island authority's landmass code and boundary in British National Grid metres, widened by :data:`COAST_MARGIN_M`."""
    boundaries = local_authority_boundaries()
    islands = boundaries[boundaries["local_authority_code"].isin(list(ISLAND_AUTHORITIES))]
    shapes = []
    for code, geometry in zip(islands["local_authority_code"], islands.geometry):
        shape = shapely.transform(geometry, _lonlat_to_bng).buffer(COAST_MARGIN_M)
        shapely.prepare(shape)
        shapes.append((LANDMASSES.index(ISLAND_AUTHORITIES[code]), shape))
    return tuple(shapes)


def landmasses(
    lat: np.ndarray | Sequence[float],
    lon: np.ndarray | Sequence[float],
    *,
    jurisdiction: pd.Series | Sequence[str] | None = None,
    local_authority_code: pd.Series | Sequence[str] | None = None,
) -> np.ndarray:
    """The landmass of each place, as codes into :data:`LANDMASSES` (0 = Great Britain).

    Args:
        lat, lon: WGS84 degrees (NaN for an unplaced record: it gets
            :data:`GREAT_BRITAIN`, and has no drives anyway).
        jurisdiction: per place, where known ("" otherwise); a jurisdiction
            in :data:`JURISDICTION_LANDMASSES` decides.
        local_authority_code: per place, where known (LSOAs); it decides:
            an island authority in :data:`ISLAND_AUTHORITIES` is that island,
            any other is Great Britain. Places with neither are placed by
            the rough boxes of Jersey, Guernsey and the Isle of Man
            (:data:`~millis_network._geo.JURISDICTION_BOUNDS`), then looked
            up in the island authorities' boundaries.

    Returns:
        An ``int8`` array of landmass codes, one per place; names with
        :func:`landmass_names`.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    out = np.zeros(lat.size, dtype=np.int8)
    decided = np.zeros(lat.size, dtype=bool)
    if local_authority_code is not None:
        codes = pd.Series(local_authority_code).reset_index(drop=True).fillna("")
        for code, island in ISLAND_AUTHORITIES.items():
            out[(codes == code).to_numpy(dtype=bool)] = LANDMASSES.index(island)
        decided |= (codes != "").to_numpy(dtype=bool)
    if jurisdiction is not None:
        names = pd.Series(jurisdiction).reset_index(drop=True).fillna("")
        for name, landmass in JURISDICTION_LANDMASSES.items():
            here = (names == name).to_numpy(dtype=bool)
            out[here] = LANDMASSES.index(landmass)
            decided |= here
    unknown = ~decided & np.isfinite(lat) & np.isfinite(lon)
    for island in ("Jersey", "Guernsey", "Isle of Man") if unknown.any() else ():
        west, south, east, north = JURISDICTION_BOUNDS[island]
        inside = unknown & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        out[inside] = LANDMASSES.index(JURISDICTION_LANDMASSES[island])
        unknown &= ~inside
    if unknown.any():
        x, y = _PROJ_THREAD.to_bng(lon[unknown], lat[unknown])
        looked_up = out[unknown]
        for landmass_code, shape in _island_shapes():
            looked_up[shapely.contains_xy(shape, x, y)] = landmass_code
        out[unknown] = looked_up
    return out


def landmass_names(codes: np.ndarray) -> list[str]:
    """The names of landmass codes from :func:`landmasses`."""
    return [LANDMASSES[int(code)] for code in codes]


def landmasses_of(places: pd.DataFrame) -> np.ndarray:
    """:func:`landmasses` of table rows with ``lat``/``lon`` and, when present, ``jurisdiction`` or ``local_authority_code``."""
    return landmasses(
        places["lat"].to_numpy(dtype=float),
        places["lon"].to_numpy(dtype=float),
        jurisdiction=places["jurisdiction"] if "jurisdiction" in places else None,
        local_authority_code=places["local_authority_code"] if "local_authority_code" in places else None,
    )
