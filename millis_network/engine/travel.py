"""Journeys between points: great-circle kilometres and estimated (or routed) journey minutes.

Coordinates at every edge are WGS84 longitude/latitude degrees, longitude
first; distances come from :mod:`millis_network._geo` and drive minutes from
the model in :mod:`millis_network.drive_model` (with its local road speed).
Points on different landmasses go by road and scheduled car ferry
(:func:`ferry_journey_minutes`, the routes of :mod:`millis_network.ferries`)
or not at all (:func:`journeys`). A routed answer comes from a
``router`` the caller passes in (for example an OSRM client from
:mod:`millis_network.sources.osrm`), so the engine itself never opens a
connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from millis_network._geo import Floats, great_circle_km, km_to_miles
from millis_network.config import Method
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    load_drive_time_model,
    settlement_index,
)
from millis_network.landmasses import LANDMASSES, landmass_names, landmasses
from millis_network.wording import BY_ROAD, BY_ROAD_AND_FERRY, NO_ROAD_OR_FERRY

#: A router: (origins, destinations, fallback estimator) -> one row per pair with
#: ``minutes``, ``method`` and ``note`` (see :func:`millis_network.sources.osrm.table_minutes`).
Router = Callable[[Floats, Floats, Callable[[Floats, Floats], Floats]], pd.DataFrame]

#: Columns of :func:`place_features`: what the journey-time model needs of each end of a trip.
PLACE_FEATURES: tuple[str, ...] = ("lsoa_count", "place_log_factor", "lon", "lat")


def place_features(lon: ArrayLike, lat: ArrayLike, *, model: DriveTimeModel, settlements: SettlementIndex) -> Floats:
    """The model's inputs at each point: ``(n, 4)`` floats, columns :data:`PLACE_FEATURES`.

    LSOA centroids within the model's density radius, ln(local road speed
    factor) of the place (0 without a correction), and the point's lon/lat
    (WGS84 degrees). Memoised: the same points (every LSOA, every centre)
    recur on every rerun; the result is read-only.
    """
    lon_a = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    lat_a = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if lon_a.size == 0:
        return np.zeros((0, len(PLACE_FEATURES)))
    return _place_features(settlements, model, lat_a.tobytes(), lon_a.tobytes())


@lru_cache(maxsize=32)
def _place_features(settlements: SettlementIndex, model: DriveTimeModel, lat: bytes, lon: bytes) -> Floats:
    lon_a, lat_a = np.frombuffer(lon), np.frombuffer(lat)
    counts = settlements.lsoa_count_within(lon_a, lat_a, radius_km=model.density_radius_km)
    local = np.zeros(lon_a.size) if model.correction is None else model.correction.place_log_factor(lon_a, lat_a)
    features = np.column_stack([counts.astype(np.float64), local, lon_a, lat_a])
    features.setflags(write=False)
    return features


def pair_minutes(km: ArrayLike, origin: Floats, destination: Floats, *, model: DriveTimeModel) -> Floats:
    """Drive minutes by road for pairs whose ends have :func:`place_features` ``origin`` and ``destination`` (row by row)."""
    return model.journey_minutes(
        km,
        origin_lsoa_count=origin[:, 0],
        destination_lsoa_count=destination[:, 0],
        origin_lonlat=(origin[:, 2], origin[:, 3]),
        destination_lonlat=(destination[:, 2], destination[:, 3]),
        origin_place_log=origin[:, 1],
        destination_place_log=destination[:, 1],
    )


def ferry_journey_minutes(
    origin: Floats,
    origin_landmass: ArrayLike,
    destination: Floats,
    destination_landmass: ArrayLike,
    *,
    model: DriveTimeModel,
    settlements: SettlementIndex,
) -> tuple[Floats, NDArray[np.intp]]:
    """Minutes by road and ferry for pairs on different landmasses (row by row), and the direction used.

    A journey is a drive to a port, the crossing and its allowance
    (:class:`millis_network.ferries.FerryLinks`), and a drive from the other
    port; the quickest of the routes joining the two landmasses is taken.
    Only one crossing is made: no route chains two ferries.

    Args:
        origin, destination: ``(n, 4)`` :func:`place_features` of each end.
        origin_landmass, destination_landmass: landmass codes (:mod:`millis_network.landmasses`).

    Returns:
        ``(minutes, direction)``: float64 minutes, NaN where the landmasses are
        the same or no ferry joins them; the position of the ferry direction
        used in ``model.ferries`` (-1 where none).
    """
    origin_land = np.asarray(origin_landmass, dtype=np.int8)
    destination_land = np.asarray(destination_landmass, dtype=np.int8)
    minutes = np.full(origin_land.size, np.nan)
    used = np.full(origin_land.size, -1, dtype=np.intp)
    ferries = model.ferries
    if ferries is None or len(ferries) == 0:
        return minutes, used
    port_from = place_features(ferries.from_port[:, 0], ferries.from_port[:, 1], model=model, settlements=settlements)
    port_to = place_features(ferries.to_port[:, 0], ferries.to_port[:, 1], model=model, settlements=settlements)
    journeys_between = np.unique(origin_land.astype(np.int64) * len(LANDMASSES) + destination_land)
    candidate_rows, candidate_directions = [], []
    for direction in range(len(ferries)):
        key = int(ferries.from_landmass[direction]) * len(LANDMASSES) + int(ferries.to_landmass[direction])
        if key in journeys_between:
            rows = np.flatnonzero((origin_land == ferries.from_landmass[direction])
                                  & (destination_land == ferries.to_landmass[direction]))
            candidate_rows.append(rows)
            candidate_directions.append(np.full(rows.size, direction, dtype=np.intp))
    if not candidate_rows:
        return minutes, used
    # Every (pair, route) candidate at once: two drives each, then the quickest route per pair.
    rows, directions = np.concatenate(candidate_rows), np.concatenate(candidate_directions)
    start, end = port_from[directions], port_to[directions]
    to_port = great_circle_km(origin[rows, 2], origin[rows, 3], start[:, 2], start[:, 3])
    from_port = great_circle_km(end[:, 2], end[:, 3], destination[rows, 2], destination[rows, 3])
    total = (pair_minutes(to_port, origin[rows], start, model=model) + ferries.fixed_minutes[directions]
             + pair_minutes(from_port, end, destination[rows], model=model))
    order = np.lexsort((np.nan_to_num(total, nan=np.inf), rows))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    chosen = order[first]
    minutes[rows[chosen]] = total[chosen]
    used[rows[chosen]] = np.where(np.isfinite(total[chosen]), directions[chosen], -1)
    return minutes, used


def _as_lonlat(points: ArrayLike, name: str) -> Floats:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim == 1 and array.shape[0] == 2:
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"{name} must be an (n, 2) array of (lon, lat) pairs in WGS84 degrees; got shape {array.shape}"
        )
    return array


def distance_matrix_km(origins_lonlat: ArrayLike, destinations_lonlat: ArrayLike) -> Floats:
    """Great-circle km from every origin to every destination.

    Args:
        origins_lonlat: ``(n, 2)`` array of (lon, lat), WGS84 degrees.
        destinations_lonlat: ``(m, 2)`` array of (lon, lat), WGS84 degrees.

    Returns:
        ``(n, m)`` float64 array of km; row i, column j is origin i to destination j.
    """
    origins = _as_lonlat(origins_lonlat, "origins_lonlat")
    destinations = _as_lonlat(destinations_lonlat, "destinations_lonlat")
    return great_circle_km(origins[:, :1], origins[:, 1:], destinations[:, 0], destinations[:, 1])


def drive_minutes_matrix(
    origins_lonlat: ArrayLike,
    destinations_lonlat: ArrayLike,
    *,
    model: DriveTimeModel | None = None,
    index: SettlementIndex | None = None,
    distance_km: Floats | None = None,
) -> Floats:
    """Estimated drive minutes from every origin to every destination.

    Settlement density and the local road speed of each place are looked up
    once per point, then the model is evaluated over the ``n × m`` grid in numpy.

    Args:
        origins_lonlat: ``(n, 2)`` (lon, lat), WGS84 degrees.
        destinations_lonlat: ``(m, 2)`` (lon, lat), WGS84 degrees.
        model: defaults to :func:`load_drive_time_model`.
        index: defaults to :func:`settlement_index` of the bundled data.
        distance_km: the ``(n, m)`` great-circle km when already computed
            (:func:`distance_matrix_km`); computed otherwise.

    Returns:
        ``(n, m)`` float64 estimated one-way drive minutes.
    """
    origins = _as_lonlat(origins_lonlat, "origins_lonlat")
    destinations = _as_lonlat(destinations_lonlat, "destinations_lonlat")
    model = model or load_drive_time_model()
    index = index or settlement_index()
    if distance_km is None:
        distance_km = distance_matrix_km(origins, destinations)
    elif distance_km.shape != (len(origins), len(destinations)):
        raise ValueError(f"distance_km has shape {distance_km.shape}; expected {(len(origins), len(destinations))}")
    radius = model.density_radius_km
    origin_count = index.lsoa_count_within(origins[:, 0], origins[:, 1], radius_km=radius)
    destination_count = index.lsoa_count_within(destinations[:, 0], destinations[:, 1], radius_km=radius)
    return model.journey_minutes(
        distance_km,
        origin_lsoa_count=origin_count[:, None],
        destination_lsoa_count=destination_count[None, :],
        origin_lonlat=(origins[:, :1], origins[:, 1:]),
        destination_lonlat=(destinations[None, :, 0], destinations[None, :, 1]),
    )


#: Columns of :func:`journeys`.
JOURNEY_COLUMNS: tuple[str, ...] = (
    "from_landmass", "to_landmass", "km", "miles", "minutes", "journey", "ferry_route",
)


def journeys(
    origins_lonlat: ArrayLike,
    destinations_lonlat: ArrayLike,
    *,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """Distance and journey time for origin-destination pairs, row by row (vectorised).

    Each point is placed on its landmass (:func:`millis_network.landmasses.landmasses`,
    from its coordinates alone). Pairs on one landmass go by road; pairs on two
    landmasses that a scheduled car ferry joins go by road and ferry (drive,
    crossing, allowance, drive: :func:`ferry_journey_minutes`); others have no
    journey time.

    Args:
        origins_lonlat, destinations_lonlat: ``(n, 2)`` (lon, lat), WGS84 degrees.

    Returns:
        One row per pair, columns :data:`JOURNEY_COLUMNS`: each end's landmass
        name, great-circle ``km`` and ``miles``, one-way ``minutes`` (NaN
        without a link or a coordinate), ``journey`` (:data:`~millis_network.wording.BY_ROAD`,
        :data:`~millis_network.wording.BY_ROAD_AND_FERRY` or
        :data:`~millis_network.wording.NO_ROAD_OR_FERRY`) and ``ferry_route``
        (the route id, "" when none).
    """
    origins = _as_lonlat(origins_lonlat, "origins_lonlat")
    destinations = _as_lonlat(destinations_lonlat, "destinations_lonlat")
    if origins.shape != destinations.shape:
        raise ValueError(f"origins_lonlat has {len(origins)} points and destinations_lonlat {len(destinations)}; "
                         "journeys() pairs them row by row")
    model = model or load_drive_time_model()
    settlements = settlements or settlement_index()
    km = great_circle_km(origins[:, 0], origins[:, 1], destinations[:, 0], destinations[:, 1])
    origin_land = landmasses(origins[:, 1], origins[:, 0])
    destination_land = landmasses(destinations[:, 1], destinations[:, 0])
    here = place_features(origins[:, 0], origins[:, 1], model=model, settlements=settlements)
    there = place_features(destinations[:, 0], destinations[:, 1], model=model, settlements=settlements)
    same = origin_land == destination_land
    minutes = np.where(same, pair_minutes(km, here, there, model=model), np.nan)
    route = np.full(km.size, "", dtype=object)
    across = np.flatnonzero(~same)
    if across.size:
        ferry, used = ferry_journey_minutes(here[across], origin_land[across], there[across],
                                            destination_land[across], model=model, settlements=settlements)
        minutes[across] = ferry
        if model.ferries is not None:
            names = np.array([*model.ferries.route_id, ""], dtype=object)
            route[across] = names[used]
    journey = np.where(same, BY_ROAD, np.where(route != "", BY_ROAD_AND_FERRY, NO_ROAD_OR_FERRY))
    journey[~np.isfinite(km)] = ""
    return pd.DataFrame(
        {
            "from_landmass": landmass_names(origin_land),
            "to_landmass": landmass_names(destination_land),
            "km": km,
            "miles": km_to_miles(km),
            "minutes": minutes,
            "journey": journey,
            "ferry_route": route,
        },
        columns=list(JOURNEY_COLUMNS),
    )


@dataclass(frozen=True)
class Trip:
    """One origin-to-destination trip.

    Attributes:
        km: great-circle distance, km.
        miles: the same in statute miles.
        minutes: one-way drive minutes (estimated or routed); None for the
            straight-line method or when a router found no route.
        method: ``straight_line``, ``estimated_drive`` or ``routed``.
        note: why the method differs from the one asked for, or why minutes
            are missing; empty otherwise.
        journey: :data:`~millis_network.wording.BY_ROAD`,
            :data:`~millis_network.wording.BY_ROAD_AND_FERRY` or
            :data:`~millis_network.wording.NO_ROAD_OR_FERRY` ("" for the straight-line method).
    """

    km: float
    miles: float
    minutes: float | None
    method: Method
    note: str = ""
    journey: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output: km and miles to 3 decimals, minutes to 1."""
        minutes = None if self.minutes is None else round(self.minutes, 1)
        return {
            "km": round(self.km, 3),
            "miles": round(self.miles, 3),
            "minutes": minutes,
            "method": self.method,
            "note": self.note,
            "journey": self.journey,
        }


def travel_between(
    origin_lonlat: Sequence[float],
    destination_lonlat: Sequence[float],
    *,
    method: Method = "estimated_drive",
    router: Router | None = None,
    model: DriveTimeModel | None = None,
    index: SettlementIndex | None = None,
) -> Trip:
    """Distance and travel time between two points.

    Args:
        origin_lonlat, destination_lonlat: (lon, lat), WGS84 degrees.
        method: ``straight_line`` (distance only), ``estimated_drive`` (the
            calibrated model) or ``routed`` (the ``router``; it falls back to
            the model, recorded in ``method`` and ``note``, when it cannot answer).
        router: required for ``routed``, e.g. :func:`millis_network.sources.osrm.osrm_router`.

    Both points are placed on their landmass first: on two landmasses the
    answer is by road and ferry (:func:`journeys`) or no link, never a road route.

    Returns:
        A :class:`Trip` (km, miles, minutes, method, note, journey).
    """
    origins = _as_lonlat(origin_lonlat, "origin_lonlat")
    destinations = _as_lonlat(destination_lonlat, "destination_lonlat")
    km = float(distance_matrix_km(origins, destinations)[0, 0])
    miles = float(km_to_miles(km))
    if method == "straight_line":
        return Trip(km=km, miles=miles, minutes=None, method="straight_line")
    if method not in ("estimated_drive", "routed"):
        raise ValueError(f"method must be straight_line, estimated_drive or routed; got {method!r}")
    if method == "routed" and router is None:
        raise ValueError("method 'routed' needs a router, e.g. an OSRM server's (millis_network.sources.osrm.osrm_router)")
    estimated = journeys(origins, destinations, model=model, settlements=index).iloc[0]
    minutes = None if np.isnan(estimated["minutes"]) else float(estimated["minutes"])
    journey = str(estimated["journey"])
    if journey != BY_ROAD:
        note = (f"via the {estimated['ferry_route']} ferry" if journey == BY_ROAD_AND_FERRY
                else f"{estimated['from_landmass']} and {estimated['to_landmass']} have no road or ferry link in this data")
        if method == "routed":
            note = f"not routed: the points are on different landmasses; {note}"
        return Trip(km=km, miles=miles, minutes=minutes, method="estimated_drive", note=note, journey=journey)
    if method == "estimated_drive" or router is None:
        return Trip(km=km, miles=miles, minutes=minutes, method="estimated_drive", journey=journey)

    def estimate(o: Floats, d: Floats) -> Floats:
        return drive_minutes_matrix(o, d, model=model, index=index)

    row = router(origins, destinations, estimate).iloc[0]
    routed = None if np.isnan(row["minutes"]) else float(row["minutes"])
    return Trip(km=km, miles=miles, minutes=routed, method=row["method"], note=row["note"], journey=journey)
