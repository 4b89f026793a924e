"""Sphere maths and coordinate reference systems: the one definition the whole package uses.

Coordinates at every edge are WGS84 longitude/latitude in decimal degrees
(:data:`WGS84`, EPSG:4326), longitude first. Distances are great-circle
distances on a sphere of the IUGG mean Earth radius (6,371.0088 km), which
differ from ellipsoidal (WGS84) distances by at most about 0.5% in Great
Britain. Where metres matter inside a computation, British National Grid
(:data:`BRITISH_NATIONAL_GRID`, EPSG:27700) is used.
:data:`JURISDICTION_BOUNDS` holds each jurisdiction's rough box, for
checking coordinates against the jurisdiction a record names.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from millis_network.config import KM_PER_MILE

#: WGS84 longitude/latitude degrees: every coordinate at the package's edges.
WGS84 = "EPSG:4326"
#: British National Grid metres: inside computations where metres matter.
BRITISH_NATIONAL_GRID = "EPSG:27700"

#: Mean Earth radius (IUGG), kilometres.
EARTH_RADIUS_KM = 6371.0088


Floats = NDArray[np.float64]


def check_lon_lat(lon: Floats, lat: Floats, name: str) -> None:
    """Raise ValueError when a longitude or latitude is outside its range (NaN passes)."""
    with np.errstate(invalid="ignore"):
        bad_lat = np.abs(lat) > 90
        bad_lon = np.abs(lon) > 180
    if np.any(bad_lat):
        value = float(np.broadcast_to(lat, bad_lat.shape)[bad_lat][0])
        raise ValueError(
            f"{name} latitude {value!r} is outside [-90, 90]; pass WGS84 degrees, longitude first "
            "(lon, lat), not (lat, lon) or British National Grid metres"
        )
    if np.any(bad_lon):
        value = float(np.broadcast_to(lon, bad_lon.shape)[bad_lon][0])
        raise ValueError(f"{name} longitude {value!r} is outside [-180, 180]; pass WGS84 degrees")


def great_circle_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Floats:
    """Great-circle distance in kilometres between WGS84 points on a sphere of radius ``EARTH_RADIUS_KM``.

    Arguments broadcast against each other like numpy arrays, so one origin
    against many destinations, or an ``(n, 1)`` column against a ``(1, m)``
    row, both work.

    Args:
        lon1, lat1: first point(s), WGS84 decimal degrees.
        lon2, lat2: second point(s), WGS84 decimal degrees.

    Returns:
        Distance in km (float64 array of the broadcast shape; 0-d for scalars),
        0 to about 20,015 km (half the circumference).
        NaN where any coordinate is NaN.

    Raises:
        ValueError: a latitude outside [-90, 90] or longitude outside [-180, 180].
    """
    lon1, lat1, lon2, lat2 = (np.asarray(v, dtype=np.float64) for v in (lon1, lat1, lon2, lat2))
    check_lon_lat(lon1, lat1, "first point")
    check_lon_lat(lon2, lat2, "second point")
    # Chord between the points as unit vectors, then the arc it subtends: the same
    # distance as the haversine formula, with trigonometry per point, not per pair.
    x1, y1, z1 = unit_vectors(lon1, lat1)
    x2, y2, z2 = unit_vectors(lon2, lat2)
    chord = np.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    return (2 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(chord / 2, 1.0))


def unit_vectors(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats, Floats]:
    """Earth-centred unit vectors (x, y, z) of WGS84 points (degrees) on the sphere.

    The straight-line (chord) distance between two unit vectors is a
    monotonic function of great-circle distance, so k-d trees over these
    vectors find great-circle nearest neighbours exactly.
    """
    lam, phi = np.radians(np.asarray(lon, dtype=np.float64)), np.radians(np.asarray(lat, dtype=np.float64))
    cos_phi = np.cos(phi)
    return cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)


def km_to_miles(km: ArrayLike) -> Floats:
    """Kilometres to statute miles (``config.KM_PER_MILE`` km per mile)."""
    return np.asarray(km, dtype=np.float64) / KM_PER_MILE


def miles_to_km(miles: ArrayLike) -> Floats:
    """Statute miles to kilometres (``config.KM_PER_MILE`` km per mile)."""
    return np.asarray(miles, dtype=np.float64) * KM_PER_MILE


def xyz_km(lon: Floats, lat: Floats) -> Floats:
    """Earth-centred Cartesian coordinates (km) of points on the sphere; rows are points."""
    return np.column_stack(unit_vectors(lon, lat)) * EARTH_RADIUS_KM



def chord_to_km(chord: ArrayLike) -> Floats:
    """Great-circle km subtended by a chord between unit vectors (see :func:`unit_vectors`)."""
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype=np.float64) / 2, 0, 1)))


def km_to_chord(km: float) -> float:
    """The unit-vector chord length of a great-circle distance in km (inverse of :func:`chord_to_km`)."""
    return float(2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2))


#: Rough lon/lat boxes (west, south, east, north) that any location in a
#: jurisdiction must fall inside; a coordinate outside is a data error.
JURISDICTION_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "England": (-6.5, 49.85, 1.8, 55.85),
    "Wales": (-5.7, 51.3, -2.6, 53.5),
    "Scotland": (-8.7, 54.6, -0.7, 60.9),
    "Northern Ireland": (-8.2, 54.0, -5.4, 55.4),
    "Jersey": (-2.3, 49.15, -1.95, 49.3),
    "Guernsey": (-2.75, 49.4, -2.1, 49.75),
    "Isle of Man": (-4.85, 54.04, -4.3, 54.42),
}


def in_bounds(jurisdiction: str, lat: float, lon: float) -> bool:
    """Whether a WGS84 point lies in the rough box of a jurisdiction (True when unknown)."""
    box = JURISDICTION_BOUNDS.get(jurisdiction)
    return box is None or in_box(box, lat, lon)


def in_box(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    """Whether a WGS84 point lies in a (west, south, east, north) box of degrees."""
    west, south, east, north = box
    return west <= lon <= east and south <= lat <= north
