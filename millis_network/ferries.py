"""Scheduled car-ferry crossings as data: a reader of ``network_data/travel/ferries.csv``.

Each route joins a port on one landmass (:data:`millis_network.landmasses.LANDMASSES`)
to a port on another, with the crossing's minutes and an allowance for
check-in, each with its source (operators' statements, as published or as
quoted; the file says which figures are assumed). A journey from one landmass
to another is then a drive to a port, the allowance, the crossing and a drive
from the other port (:func:`millis_network.engine.travel.ferry_journey_minutes`):
"by road and ferry" (:data:`millis_network.wording.BY_ROAD_AND_FERRY`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from millis_network._geo import Floats
from millis_network.config import default_data_dir
from millis_network.errors import DataFileError
from millis_network.landmasses import LANDMASSES

#: Columns of ``ferries.csv``, in order.
FERRY_COLUMNS: tuple[str, ...] = (
    "route_id", "route", "operator",
    "port_a", "port_a_landmass", "port_a_lat", "port_a_lon", "port_a_place_source",
    "port_b", "port_b_landmass", "port_b_lat", "port_b_lon", "port_b_place_source",
    "crossing_minutes", "crossing_source", "allowance_minutes", "allowance_basis", "allowance_source",
)

#: Longest crossing or allowance the reader accepts, minutes (a day: anything longer is a typing error).
MAX_MINUTES = 24 * 60


@dataclass(frozen=True, eq=False)
class FerryLinks:
    """Car-ferry routes, each usable both ways, as arrays (one entry per *direction*).

    Attributes:
        route_id: the route of each direction.
        from_landmass, to_landmass: landmass codes (positions in :data:`LANDMASSES`).
        from_port, to_port: ``(k, 2)`` (lon, lat) of the ports, WGS84 degrees.
        fixed_minutes: crossing plus allowance, minutes.
    """

    route_id: tuple[str, ...]
    from_landmass: np.ndarray
    to_landmass: np.ndarray
    from_port: Floats
    to_port: Floats
    fixed_minutes: Floats

    def __len__(self) -> int:
        return len(self.route_id)

    def between(self, origin_landmass: int, destination_landmass: int) -> np.ndarray:
        """Positions of the directions from one landmass to another (empty when no ferry joins them)."""
        return np.flatnonzero((self.from_landmass == origin_landmass) & (self.to_landmass == destination_landmass))

    def without(self, route_id: str) -> FerryLinks:
        """The same links less one route (both directions), e.g. to see what a route adds."""
        keep = np.array([r != route_id for r in self.route_id], dtype=bool)
        return FerryLinks(
            route_id=tuple(r for r, k in zip(self.route_id, keep, strict=True) if k),
            from_landmass=self.from_landmass[keep], to_landmass=self.to_landmass[keep],
            from_port=self.from_port[keep], to_port=self.to_port[keep], fixed_minutes=self.fixed_minutes[keep],
        )


def default_ferries_path(data_dir: Path | None = None) -> Path:
    """``network_data/travel/ferries.csv``."""
    return Path(data_dir or default_data_dir()) / "travel" / "ferries.csv"


def load_ferries(path: Path | None = None) -> FerryLinks:
    """The car-ferry routes of ``ferries.csv`` (each usable both ways).

    Raises:
        DataFileError: the file is missing or has other columns, or a row has
            an unknown landmass, coordinates out of range, a route joining a
            landmass to itself, minutes that are not a positive number (at most
            a day), or a missing source; the message names file, row and field.
    """
    return _load_ferries(Path(path or default_ferries_path()))


@lru_cache(maxsize=4)
def _load_ferries(path: Path) -> FerryLinks:
    if not path.is_file():
        raise DataFileError(f"{path}: ferry routes not found")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or tuple(rows[0]) != FERRY_COLUMNS:
        raise DataFileError(f"{path}:1: columns: expected {', '.join(FERRY_COLUMNS)}")
    routes, lands, ports, minutes = [], [], [], []
    for line, values in enumerate(rows[1:], start=2):
        if len(values) != len(FERRY_COLUMNS):
            raise DataFileError(f"{path}:{line}: expected {len(FERRY_COLUMNS)} fields, got {len(values)}")
        row = dict(zip(FERRY_COLUMNS, values, strict=True))
        ends = []
        for port in ("port_a", "port_b"):
            landmass = row[f"{port}_landmass"]
            if landmass not in LANDMASSES:
                raise DataFileError(f"{path}:{line}: {port}_landmass: {landmass!r} is not one of {', '.join(LANDMASSES)}")
            lat = _number(path, line, row, f"{port}_lat", -90, 90)
            lon = _number(path, line, row, f"{port}_lon", -180, 180)
            ends.append((LANDMASSES.index(landmass), (lon, lat)))
        if ends[0][0] == ends[1][0]:
            raise DataFileError(f"{path}:{line}: port_b_landmass: a ferry route must join two landmasses")
        for field in ("route_id", "operator", "crossing_source", "allowance_basis", "allowance_source"):
            if not row[field].strip():
                raise DataFileError(f"{path}:{line}: {field}: required (every figure carries its source)")
        fixed = (_number(path, line, row, "crossing_minutes", 1, MAX_MINUTES)
                 + _number(path, line, row, "allowance_minutes", 0, MAX_MINUTES))
        for (start, start_port), (end, end_port) in (ends, ends[::-1]):
            routes.append(row["route_id"])
            lands.append((start, end))
            ports.append((start_port, end_port))
            minutes.append(fixed)
    land = np.array(lands, dtype=np.int8).reshape(-1, 2)
    coordinates = np.array(ports, dtype=np.float64).reshape(-1, 2, 2)
    return FerryLinks(
        route_id=tuple(routes), from_landmass=land[:, 0], to_landmass=land[:, 1],
        from_port=coordinates[:, 0], to_port=coordinates[:, 1], fixed_minutes=np.array(minutes, dtype=np.float64),
    )


def _number(path: Path, line: int, row: dict[str, str], field: str, low: float, high: float) -> float:
    try:
        value = float(row[field])
    except ValueError:
        raise DataFileError(f"{path}:{line}: {field}: expected a number, got {row[field]!r}") from None
    if not low <= value <= high:
        raise DataFileError(f"{path}:{line}: {field}: {value:g} is outside {low:g}..{high:g}")
    return value
