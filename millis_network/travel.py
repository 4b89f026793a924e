"""Distances and drive times between points: great-circle kilometres and calibrated drive-minute estimates.

Coordinates at every edge of this module are WGS84 longitude/latitude in
decimal degrees (EPSG:4326), longitude first. Distances are great-circle
distances on a sphere of the IUGG mean Earth radius (6,371.0088 km), which
differ from ellipsoidal (WGS84) distances by at most about 0.5% in Great
Britain.

Drive minutes come from :class:`DriveTimeModel`, a small regression fitted to
road travel times (see :mod:`millis_network._calibrate_drive_time` and
``network_data/travel/README.md``): it maps the great-circle distance and the
settlement density at both ends of a trip to an estimated one-way drive time.
Settlement density is the number of LSOA centroids within a radius of a point
(LSOAs hold roughly equal populations), looked up in a :class:`SettlementIndex`
that is built once per process from ``network_data/places/lsoas.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from millis_network.config import KM_PER_MILE, Method, default_data_dir
from millis_network.errors import DataFileError
from millis_network.places import lsoas
from millis_network.sources.osrm import OsrmSettings, table_minutes

#: Mean Earth radius (IUGG), kilometres.
EARTH_RADIUS_KM = 6371.0088

#: Form name of the drive-time model this module can evaluate.
MODEL_FORM = "log_natural_spline_density"

Floats = NDArray[np.float64]


def _check_lon_lat(lon: Floats, lat: Floats, name: str) -> None:
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
    _check_lon_lat(lon1, lat1, "first point")
    _check_lon_lat(lon2, lat2, "second point")
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


def km_to_miles(km: ArrayLike) -> Floats:
    """Kilometres to statute miles (``config.KM_PER_MILE`` km per mile)."""
    return np.asarray(km, dtype=np.float64) / KM_PER_MILE


def miles_to_km(miles: ArrayLike) -> Floats:
    """Statute miles to kilometres (``config.KM_PER_MILE`` km per mile)."""
    return np.asarray(miles, dtype=np.float64) * KM_PER_MILE


def _xyz_km(lon: Floats, lat: Floats) -> Floats:
    """Earth-centred Cartesian coordinates (km) of points on the sphere; rows are points."""
    return np.column_stack(unit_vectors(lon, lat)) * EARTH_RADIUS_KM


@dataclass(frozen=True, eq=False)
class SettlementIndex:
    """Spatial index of LSOA centroids for settlement-density look-ups.

    The tree holds the centroids as Earth-centred Cartesian points (km), so a
    great-circle radius converts exactly to a chord length and no projection is
    needed: it works for any WGS84 point. Points beyond England and Wales
    (Scotland, Jersey, Guernsey, the Isle of Man) count only the LSOAs of
    England and Wales around them, usually none, and so look rural.

    Cost: building from the 34,753 LSOAs takes tens of milliseconds and holds
    about 1 MB; a look-up for 35,000 points at a 3 km radius takes tens of
    milliseconds (``benchmarks/drive_time_speed.py``).
    """

    tree: cKDTree
    lsoa_total: int

    @classmethod
    def from_lonlat(cls, lon: ArrayLike, lat: ArrayLike) -> SettlementIndex:
        """Index the given centroids (WGS84 degrees)."""
        lon_a, lat_a = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        _check_lon_lat(lon_a, lat_a, "centroid")
        return cls(tree=cKDTree(_xyz_km(lon_a, lat_a)), lsoa_total=int(lon_a.size))

    def lsoa_count_within(self, lon: ArrayLike, lat: ArrayLike, *, radius_km: float) -> NDArray[np.int64]:
        """Number of LSOA centroids within ``radius_km`` (great circle) of each point.

        Args:
            lon, lat: WGS84 degrees, broadcast against each other.
            radius_km: search radius in km, > 0.

        Returns:
            int64 array of the broadcast shape of ``lon`` and ``lat``; 0 where
            a coordinate is NaN.
        """
        if not radius_km > 0:
            raise ValueError(f"radius_km must be > 0, got {radius_km!r}")
        lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        _check_lon_lat(lon_a, lat_a, "point")
        chord_km = 2 * EARTH_RADIUS_KM * np.sin(radius_km / (2 * EARTH_RADIUS_KM))
        lon_flat, lat_flat = lon_a.ravel(), lat_a.ravel()
        known = np.isfinite(lon_flat) & np.isfinite(lat_flat)
        counts = np.zeros(lon_flat.shape, dtype=np.int64)
        counts[known] = self.tree.query_ball_point(
            _xyz_km(lon_flat[known], lat_flat[known]), chord_km, return_length=True
        )
        return counts.reshape(lon_a.shape)


def settlement_index(data_dir: Path | None = None) -> SettlementIndex:
    """The LSOA-centroid index of ``network_data/places/lsoas.csv``, built once per process."""
    return _settlement_index(Path(data_dir or default_data_dir()))


@lru_cache(maxsize=2)
def _settlement_index(data_dir: Path) -> SettlementIndex:
    frame = lsoas(data_dir)
    return SettlementIndex.from_lonlat(frame["lon"].to_numpy(), frame["lat"].to_numpy())


@dataclass(frozen=True)
class DriveTimeModel:
    """Estimated one-way drive minutes from great-circle distance and settlement density.

    With ``x = ln(1 + km)`` and ``s = min(ln(1 + n_origin) + ln(1 + n_destination), density_sum_max)``
    where ``n`` is the number of LSOA centroids within ``density_radius_km``::

        minutes = exp(intercept + linear * x + sum_k cubic[k] * max(x - knots_x[k], 0) ** 3
                      + s * (density[0] + density[1] * x))

    The spline part is a natural cubic spline in ``x`` (linear beyond the end
    knots). The model is symmetric: swapping origin and destination gives the
    same minutes. Coefficients are fitted by
    :mod:`millis_network._calibrate_drive_time` and loaded with
    :func:`load_drive_time_model`.

    Attributes:
        intercept, linear: constant and ``x`` coefficients (log minutes).
        knots_x: spline knots, in ``x = ln(1 + km)``.
        cubic: truncated-power coefficients, one per knot.
        density: coefficients of ``s`` and ``s * x``.
        density_radius_km: radius of the LSOA count, km.
        density_sum_max: upper clip of ``s`` (the largest value seen in fitting).
        holdout_mape_percent: mean absolute percentage error on
            held-out destinations for trips under an hour, for captions (the
            model file holds the table by distance band).
    """

    intercept: float
    linear: float
    knots_x: tuple[float, ...]
    cubic: tuple[float, ...]
    density: tuple[float, float]
    density_radius_km: float
    density_sum_max: float
    holdout_mape_percent: float

    def __post_init__(self) -> None:
        if len(self.knots_x) != len(self.cubic) or len(self.knots_x) < 3:
            raise ValueError(
                f"knots_x and cubic need equal lengths of at least 3; got {len(self.knots_x)} and {len(self.cubic)}"
            )
        if not self.density_radius_km > 0:
            raise ValueError(f"density_radius_km must be > 0, got {self.density_radius_km!r}")

    def drive_minutes(
        self, distance_km: ArrayLike, *, origin_lsoa_count: ArrayLike, destination_lsoa_count: ArrayLike
    ) -> Floats:
        """Estimated one-way drive minutes (vectorised; arguments broadcast).

        Args:
            distance_km: great-circle km, >= 0 (see :func:`great_circle_km`).
            origin_lsoa_count: LSOA centroids within ``density_radius_km`` of the
                origin (:meth:`SettlementIndex.lsoa_count_within`).
            destination_lsoa_count: the same for the destination.

        Returns:
            float64 minutes of the broadcast shape; NaN where the distance is NaN.
            A trip of almost no distance still takes a few minutes: the road
            times the model was fitted to run between LSOA centroids and
            hospitals, including getting onto and off the road network.
        """
        km = np.asarray(distance_km, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            if np.any(km < 0):
                raise ValueError("distance_km must be >= 0 (great-circle kilometres)")
        s = np.minimum(
            np.log1p(np.asarray(origin_lsoa_count, dtype=np.float64))
            + np.log1p(np.asarray(destination_lsoa_count, dtype=np.float64)),
            self.density_sum_max,
        )
        x = np.log1p(km)
        log_minutes = np.empty(np.broadcast_shapes(x.shape, s.shape))
        np.multiply(x, self.linear + self.density[1] * s, out=log_minutes)
        log_minutes += s * self.density[0] + self.intercept
        term, cube = np.empty_like(log_minutes), np.empty_like(log_minutes)
        for knot, coefficient in zip(self.knots_x, self.cubic, strict=True):
            np.subtract(x, knot, out=term)
            np.maximum(term, 0.0, out=term)
            np.multiply(term, coefficient, out=cube)
            cube *= term
            cube *= term
            log_minutes += cube
        return np.exp(log_minutes, out=log_minutes)


def default_model_path(data_dir: Path | None = None) -> Path:
    """``network_data/travel/drive_time_model.json``."""
    return Path(data_dir or default_data_dir()) / "travel" / "drive_time_model.json"


def load_drive_time_model(path: Path | None = None) -> DriveTimeModel:
    """The fitted drive-time model shipped in ``network_data/travel/drive_time_model.json``.

    Raises:
        DataFileError: the file is missing, is not JSON, has another model
            form, or lacks a coefficient; the message names the file and field.
    """
    return _load_model(Path(path or default_model_path()))


@lru_cache(maxsize=4)
def _load_model(path: Path) -> DriveTimeModel:
    if not path.is_file():
        raise DataFileError(f"{path}: drive-time model not found; run `millis-network travel calibrate` to create it")
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not valid JSON ({exc}); re-run `millis-network travel calibrate`") from exc
    if document.get("form") != MODEL_FORM:
        raise DataFileError(
            f"{path}: form: expected {MODEL_FORM!r}, got {document.get('form')!r}; "
            "this version of millis_network cannot evaluate that model"
        )
    return DriveTimeModel(
        intercept=_number(document, "coefficients.intercept", path),
        linear=_number(document, "coefficients.linear", path),
        knots_x=_numbers(document, "coefficients.knots_x", path),
        cubic=_numbers(document, "coefficients.cubic", path),
        density=(
            _number(document, "coefficients.density_constant", path),
            _number(document, "coefficients.density_by_x", path),
        ),
        density_radius_km=_number(document, "features.density_radius_km", path),
        density_sum_max=_number(document, "coefficients.density_sum_max", path),
        holdout_mape_percent=_number(document, "metrics.holdout.model.under 60 min.mape_percent", path),
    )


def _lookup(document: dict[str, Any], dotted: str, path: Path) -> Any:
    value: Any = document
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise DataFileError(f"{path}: {dotted}: missing; re-run `millis-network travel calibrate`")
        value = value[key]
    return value


def _number(document: dict[str, Any], dotted: str, path: Path) -> float:
    value = _lookup(document, dotted, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataFileError(f"{path}: {dotted}: expected a number, got {value!r}")
    return float(value)


def _numbers(document: dict[str, Any], dotted: str, path: Path) -> tuple[float, ...]:
    values = _lookup(document, dotted, path)
    if not isinstance(values, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise DataFileError(f"{path}: {dotted}: expected a list of numbers, got {values!r}")
    return tuple(float(v) for v in values)


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
    router_url: str | None = None,
    model: DriveTimeModel | None = None,
    index: SettlementIndex | None = None,
) -> Trip:
    """Distance and travel time between two points.

    Args:
        origin_lonlat, destination_lonlat: (lon, lat), WGS84 degrees.
        method: ``straight_line`` (distance only), ``estimated_drive`` (the
            calibrated model) or ``routed`` (an OSRM server at ``router_url``;
            falls back to the model, recorded in ``method`` and ``note``, when
            the router cannot answer).
        router_url: base URL of an OSRM server, e.g. ``http://localhost:5000``;
            required for ``routed``.

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
    if not router_url:
        raise ValueError("method 'routed' needs router_url, the base URL of an OSRM server")

    def estimate(o: Floats, d: Floats) -> Floats:
        return drive_minutes_matrix(o, d, model=model, index=index)

    row = table_minutes(origins, destinations, settings=OsrmSettings(base_url=router_url), fallback=estimate).iloc[0]
    minutes = None if np.isnan(row["minutes"]) else float(row["minutes"])
    return Trip(km=km, miles=miles, minutes=minutes, method=row["method"], note=row["note"])
