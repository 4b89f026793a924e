"""The drive-time model and the settlement index it reads: a reader of ``network_data/travel/``.

Drive minutes come from :class:`DriveTimeModel`, a small regression fitted to
road travel times (see :mod:`millis_network.build.calibrate_drive_time` and
``network_data/travel/README.md``): it maps the great-circle distance and the
settlement density at both ends of a trip to an estimated one-way drive time.
Settlement density is the number of LSOA centroids within a radius of a point
(LSOAs hold roughly equal populations), looked up in a :class:`SettlementIndex`
that is built once per process from ``network_data/places/lsoas.csv``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from millis_network._geo import EARTH_RADIUS_KM, Floats, check_lon_lat, xyz_km
from millis_network.config import default_data_dir
from millis_network.errors import DataFileError
from millis_network.places import lsoas

#: Form name of the drive-time model this module can evaluate.
MODEL_FORM = "log_natural_spline_density"


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
        check_lon_lat(lon_a, lat_a, "centroid")
        return cls(tree=cKDTree(xyz_km(lon_a, lat_a)), lsoa_total=int(lon_a.size))

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
        check_lon_lat(lon_a, lat_a, "point")
        chord_km = 2 * EARTH_RADIUS_KM * np.sin(radius_km / (2 * EARTH_RADIUS_KM))
        lon_flat, lat_flat = lon_a.ravel(), lat_a.ravel()
        known = np.isfinite(lon_flat) & np.isfinite(lat_flat)
        counts = np.zeros(lon_flat.shape, dtype=np.int64)
        counts[known] = self.tree.query_ball_point(
            xyz_km(lon_flat[known], lat_flat[known]), chord_km, return_length=True
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
    :mod:`millis_network.build.calibrate_drive_time` and loaded with
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

