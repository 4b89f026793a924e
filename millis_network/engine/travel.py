"""Journeys between points: great-circle kilometres and estimated (or routed) drive minutes.

Coordinates at every edge are WGS84 longitude/latitude degrees, longitude
first; distances come from :mod:`millis_network._geo` and drive minutes from
the model in :mod:`millis_network.drive_model`. A routed answer comes from a
``router`` the caller passes in (for example an OSRM client from
:mod:`millis_network.sources.osrm`), so the engine itself never opens a
connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from millis_network._geo import Floats, great_circle_km, km_to_miles
from millis_network.config import Method
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    load_drive_time_model,
    settlement_index,
)

#: A router: (origins, destinations, fallback estimator) -> one row per pair with
#: ``minutes``, ``method`` and ``note`` (see :func:`millis_network.sources.osrm.table_minutes`).
Router = Callable[[Floats, Floats, Callable[[Floats, Floats], Floats]], pd.DataFrame]


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

    Settlement density is looked up once per point, then the model is
    evaluated over the ``n × m`` grid in numpy.

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
    return model.drive_minutes(
        distance_km, origin_lsoa_count=origin_count[:, None], destination_lsoa_count=destination_count[None, :]
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
    """

    km: float
    miles: float
    minutes: float | None
    method: Method
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output: km and miles to 3 decimals, minutes to 1."""
        minutes = None if self.minutes is None else round(self.minutes, 1)
        return {
            "km": round(self.km, 3),
            "miles": round(self.miles, 3),
            "minutes": minutes,
            "method": self.method,
            "note": self.note,
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

    Returns:
        A :class:`Trip` (km, miles, minutes, method, note).
    """
    origins = _as_lonlat(origin_lonlat, "origin_lonlat")
    destinations = _as_lonlat(destination_lonlat, "destination_lonlat")
    km = float(distance_matrix_km(origins, destinations)[0, 0])
    miles = float(km_to_miles(km))
    if method == "straight_line":
        return Trip(km=km, miles=miles, minutes=None, method="straight_line")
    if method == "estimated_drive":
        estimated = float(drive_minutes_matrix(origins, destinations, model=model, index=index)[0, 0])
        return Trip(km=km, miles=miles, minutes=estimated, method="estimated_drive")
    if method != "routed":
        raise ValueError(f"method must be straight_line, estimated_drive or routed; got {method!r}")
    if router is None:
        raise ValueError("method 'routed' needs a router, e.g. an OSRM server's (millis_network.sources.osrm.osrm_router)")

    def estimate(o: Floats, d: Floats) -> Floats:
        return drive_minutes_matrix(o, d, model=model, index=index)

    row = router(origins, destinations, estimate).iloc[0]
    minutes = None if np.isnan(row["minutes"]) else float(row["minutes"])
    return Trip(km=km, miles=miles, minutes=minutes, method=row["method"], note=row["note"])
