"""The drive-time model and the settlement index it reads: a reader of ``network_data/travel/``.

Drive minutes come from :class:`DriveTimeModel`, a small regression fitted to
road travel times (see :mod:`millis_network.build.calibrate_drive_time` and
``network_data/travel/README.md``): it maps the great-circle distance and the
settlement density at both ends of a trip to an estimated one-way drive time.
Settlement density is the number of LSOA centroids within a radius of a point
(LSOAs hold roughly equal populations), looked up in a :class:`SettlementIndex`
that is built once per process from ``network_data/places/lsoas.csv``.

Local road speed (:class:`LocalCorrection`) then corrects the national curve
for the place at each end of a trip and the country it crosses: roads in the
Lake District, the Welsh valleys or central London are not the national
average. Its factors are learned from the same road times (destinations not
held out only) and ship in ``network_data/travel/local_speed.csv``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from millis_network._geo import EARTH_RADIUS_KM, Floats, check_lon_lat, xyz_km
from millis_network.config import default_data_dir
from millis_network.errors import DataFileError
from millis_network.ferries import FerryLinks, load_ferries
from millis_network.places import lsoas

#: Form name of the drive-time model this module can evaluate.
MODEL_FORM = "log_natural_spline_density"

#: Layout version of ``drive_time_model.json`` this module reads (its ``schema_version``).
SCHEMA_VERSION = 2

#: The per-place factors of the local road speed correction, beside the model file.
LOCAL_SPEED_FILE = "local_speed.csv"

#: Columns of :data:`LOCAL_SPEED_FILE`: the LSOA, its centroid (WGS84 degrees) and ln(factor).
LOCAL_SPEED_COLUMNS: tuple[str, ...] = ("lsoa_code", "lon", "lat", "log_factor")


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
            xyz_km(lon_flat[known], lat_flat[known]), chord_km, return_length=True, workers=-1
        )
        return counts.reshape(lon_a.shape)


def settlement_index(data_dir: Path | None = None) -> SettlementIndex:
    """The LSOA-centroid index of ``network_data/places/lsoas.csv``, built once per process."""
    return _settlement_index(Path(data_dir or default_data_dir()))


@lru_cache(maxsize=2)
def _settlement_index(data_dir: Path) -> SettlementIndex:
    frame = lsoas(data_dir)
    return SettlementIndex.from_lonlat(frame["lon"].to_numpy(), frame["lat"].to_numpy())


@dataclass(frozen=True, eq=False)
class LocalCorrection:
    """Local road speed: a multiplicative correction of the national drive-time curve.

    For a trip from ``o`` to ``d``::

        ln(factor) = place(o) + place(d) + mean_t cell(o + t * (d - o))   for t in path_fractions
        minutes    = base_minutes * factor * scale(base_minutes * factor)

    ``place`` is the learned log factor of the nearest LSOA centroid (0 beyond
    ``snap_km`` of every centroid: Scotland, the Channel Islands, the Isle of
    Man), ``cell`` the learned log factor of the grid cell a point of the
    straight line falls in (0 outside the grid or where nothing was learned),
    and ``scale`` a piecewise-linear curve in ln(minutes) that removes what bias
    remains by trip length. Factors were shrunk toward 1 where data is thin
    (see :mod:`millis_network.build.calibrate_drive_time`). Symmetric in origin
    and destination.

    Attributes:
        tree: LSOA centroids as Earth-centred Cartesian points, km.
        place_log: ln(factor) per centroid, in the tree's order.
        snap_km: a point farther than this from every centroid has place factor 1.
        grid_origin: (lon, lat) of the grid's south-west corner, WGS84 degrees.
        cell_deg: (lon, lat) size of a grid cell, degrees.
        cell_log: ln(factor) per cell, rows by latitude, columns by longitude.
        path_fractions: where along the straight line the grid is read.
        scale_log_minutes: knots of ``scale``, ln(minutes), increasing.
        scale_factor: ``scale`` at each knot (constant beyond the end knots).
    """

    tree: cKDTree
    place_log: Floats
    snap_km: float
    grid_origin: tuple[float, float]
    cell_deg: tuple[float, float]
    cell_log: Floats
    path_fractions: tuple[float, ...]
    scale_log_minutes: tuple[float, ...]
    scale_factor: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.place_log.shape != (self.tree.n,):
            raise ValueError(f"place_log has {self.place_log.shape} values for {self.tree.n} centroids")
        if self.cell_log.ndim != 2 or not all(size > 0 for size in self.cell_deg):
            raise ValueError("cell_log must be a 2-d grid and cell_deg positive")
        if len(self.scale_log_minutes) != len(self.scale_factor) or not self.scale_factor:
            raise ValueError("scale_log_minutes and scale_factor need equal, non-zero lengths")
        if np.any(np.diff(self.scale_log_minutes) <= 0) or min(self.scale_factor) <= 0:
            raise ValueError("scale_log_minutes must increase and scale_factor be positive")

    @property
    def min_log_factor(self) -> float:
        """The lowest ln(factor) any trip can get (<= 0): with :meth:`apply`, bounds how far a threshold reaches."""
        return 2 * min(float(self.place_log.min(initial=0.0)), 0.0) + min(float(self.cell_log.min(initial=0.0)), 0.0)

    def place_log_factor(self, lon: ArrayLike, lat: ArrayLike) -> Floats:
        """ln(place factor) at each point (WGS84 degrees; 0 where NaN or beyond ``snap_km``)."""
        lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        out = np.zeros(lon_a.size)
        lon_flat, lat_flat = lon_a.ravel(), lat_a.ravel()
        known = np.isfinite(lon_flat) & np.isfinite(lat_flat)
        if known.any():
            chord, nearest = self.tree.query(xyz_km(lon_flat[known], lat_flat[known]), k=1)
            near = np.asarray(chord) <= self.snap_km
            out[np.flatnonzero(known)[near]] = self.place_log[np.asarray(nearest)[near]]
        return out.reshape(lon_a.shape)

    @cached_property
    def _padded_cells(self) -> Floats:
        """:attr:`cell_log` with a border of zeros, flattened: indices clipped to the border read 0."""
        return np.pad(self.cell_log, 1).ravel()

    def path_log_factor(self, origin_lon: ArrayLike, origin_lat: ArrayLike,
                        destination_lon: ArrayLike, destination_lat: ArrayLike) -> Floats:
        """Mean ln(cell factor) at :attr:`path_fractions` along the straight line (arguments broadcast).

        A point outside the grid, or with a NaN coordinate, reads 0.
        """
        olon, olat, dlon, dlat = (np.asarray(v, dtype=np.float64) for v in
                                  (origin_lon, origin_lat, destination_lon, destination_lat))
        rows, cols = self.cell_log.shape
        cells = self._padded_cells
        (lon0, lat0), (step_lon, step_lat) = self.grid_origin, self.cell_deg
        # In padded cell units (the border of zeros is row and column 0): row = floor(a + t * b), column =
        # floor(c + t * d), clipped to the border; a point with a NaN coordinate reads the border.
        a = (olat - lat0) / step_lat + 1.0
        b = (dlat - olat) / step_lat
        c = (olon - lon0) / step_lon + 1.0
        d = (dlon - olon) / step_lon
        a, b, c, d = np.broadcast_arrays(a, b, c, d)
        shape = a.shape
        a, b, c, d = (np.ravel(v) for v in (a, b, c, d))
        if not (np.isfinite(a).all() and np.isfinite(b).all() and np.isfinite(c).all() and np.isfinite(d).all()):
            unknown = ~(np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d))
            a, b, c, d = (np.where(unknown, 0.0, v) for v in (a, b, c, d))
        total = np.zeros(a.shape)
        for fraction in self.path_fractions:
            row = np.floor(a + fraction * b)
            np.clip(row, 0, rows + 1, out=row)
            column = np.floor(c + fraction * d)
            np.clip(column, 0, cols + 1, out=column)
            row *= cols + 2
            row += column
            total += cells[row.astype(np.intp)]
        return (total / len(self.path_fractions)).reshape(shape)

    def apply(self, base_minutes: ArrayLike, log_factor: ArrayLike) -> Floats:
        """Corrected minutes from base minutes and the trip's ln(factor) (place + place + path)."""
        with np.errstate(divide="ignore"):
            log_base = np.log(np.asarray(base_minutes, dtype=np.float64))
        return self.apply_log(log_base + np.asarray(log_factor, dtype=np.float64))

    def apply_log(self, log_minutes: Floats) -> Floats:
        """Corrected minutes from ln(base minutes × factor): the final scale applied (overwrites its argument)."""
        scale = np.interp(log_minutes, self.scale_log_minutes, self.scale_factor)
        if not isinstance(log_minutes, np.ndarray) or log_minutes.ndim == 0:
            return np.asarray(np.exp(log_minutes) * scale, dtype=np.float64)
        minutes = np.exp(log_minutes, out=log_minutes)
        minutes *= scale
        return minutes


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
            model file holds the table by band).
        correction: the local road speed correction (:class:`LocalCorrection`),
            applied by :meth:`journey_minutes`; None for the national curve alone.
        ferries: the scheduled car ferries that join landmasses
            (:mod:`millis_network.ferries`); None where no journey may cross the sea.
    """

    intercept: float
    linear: float
    knots_x: tuple[float, ...]
    cubic: tuple[float, ...]
    density: tuple[float, float]
    density_radius_km: float
    density_sum_max: float
    holdout_mape_percent: float
    correction: LocalCorrection | None = None
    ferries: FerryLinks | None = None

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
        log_minutes = self._log_drive_minutes(distance_km, origin_lsoa_count, destination_lsoa_count)
        return np.exp(log_minutes, out=log_minutes)

    def _log_drive_minutes(
        self, distance_km: ArrayLike, origin_lsoa_count: ArrayLike, destination_lsoa_count: ArrayLike
    ) -> Floats:
        """ln of :meth:`drive_minutes` (a new array)."""
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
        return log_minutes

    def journey_minutes(
        self,
        distance_km: ArrayLike,
        *,
        origin_lsoa_count: ArrayLike,
        destination_lsoa_count: ArrayLike,
        origin_lonlat: tuple[ArrayLike, ArrayLike],
        destination_lonlat: tuple[ArrayLike, ArrayLike],
        origin_place_log: ArrayLike | None = None,
        destination_place_log: ArrayLike | None = None,
    ) -> Floats:
        """Estimated one-way drive minutes with local road speed (vectorised; arguments broadcast).

        Args:
            distance_km, origin_lsoa_count, destination_lsoa_count: as for :meth:`drive_minutes`.
            origin_lonlat, destination_lonlat: (lon, lat) arrays, WGS84 degrees,
                broadcast like ``distance_km``.
            origin_place_log, destination_place_log:
                :meth:`LocalCorrection.place_log_factor` of each end when already
                looked up (callers that meet the same points again cache it).

        Returns:
            float64 minutes of the broadcast shape: :meth:`drive_minutes`
            times the local factor; the national curve alone when the model
            has no correction.
        """
        log_minutes = self._log_drive_minutes(distance_km, origin_lsoa_count, destination_lsoa_count)
        if self.correction is None:
            return np.exp(log_minutes, out=log_minutes)
        correction = self.correction
        origin_log = correction.place_log_factor(*origin_lonlat) if origin_place_log is None else origin_place_log
        destination_log = (correction.place_log_factor(*destination_lonlat)
                           if destination_place_log is None else destination_place_log)
        log_minutes = log_minutes + correction.path_log_factor(*origin_lonlat, *destination_lonlat)
        log_minutes += np.asarray(origin_log, dtype=np.float64)
        log_minutes += np.asarray(destination_log, dtype=np.float64)
        return correction.apply_log(log_minutes)

    def without_correction(self) -> DriveTimeModel:
        """The same model with the national curve alone (for comparisons and checks)."""
        return replace(self, correction=None)

    def with_ferries(self, ferries: FerryLinks | None) -> DriveTimeModel:
        """The same model with other ferry links (None: no journey crosses the sea)."""
        return replace(self, ferries=ferries)


def default_model_path(data_dir: Path | None = None) -> Path:
    """``network_data/travel/drive_time_model.json``."""
    return Path(data_dir or default_data_dir()) / "travel" / "drive_time_model.json"


def load_drive_time_model(path: Path | None = None) -> DriveTimeModel:
    """The fitted drive-time model shipped in ``network_data/travel/drive_time_model.json``.

    The local road speed correction is read from :data:`LOCAL_SPEED_FILE`
    beside it, with the grid and scale stored in the model file, and the car
    ferries from ``ferries.csv`` beside it (:func:`millis_network.ferries.load_ferries`).

    Raises:
        DataFileError: the file is missing, is not JSON, has another schema
            version or model form, or lacks a coefficient; the correction file
            is missing or malformed; the message names the file and field.
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
    if not isinstance(document, dict):
        raise DataFileError(f"{path}: expected a JSON object; re-run `millis-network travel calibrate`")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise DataFileError(
            f"{path}: schema_version: expected {SCHEMA_VERSION}, got {document.get('schema_version')!r}; "
            "this version of millis_network reads only that layout: re-run `millis-network travel calibrate`"
        )
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
        correction=_load_correction(document, path),
        ferries=load_ferries(path.parent / "ferries.csv"),
    )


def _load_correction(document: dict[str, Any], path: Path) -> LocalCorrection:
    """The :class:`LocalCorrection` of a model document and the place factors beside it."""
    places_path = path.parent / _text(document, "correction.place_file", path)
    if not places_path.is_file():
        raise DataFileError(f"{places_path}: local road speed factors not found; re-run `millis-network travel calibrate`")
    values = _local_speed_values(places_path)
    grid = _lookup(document, "correction.grid.log_factor", path)
    if not isinstance(grid, list) or not grid or not all(isinstance(row, list) and len(row) == len(grid[0]) for row in grid):
        raise DataFileError(f"{path}: correction.grid.log_factor: expected a list of equal-length lists of numbers")
    try:
        return LocalCorrection(
            tree=cKDTree(xyz_km(values[:, 0], values[:, 1])),
            place_log=values[:, 2].copy(),
            snap_km=_number(document, "correction.snap_km", path),
            grid_origin=(_number(document, "correction.grid.origin_lon", path),
                         _number(document, "correction.grid.origin_lat", path)),
            cell_deg=(_number(document, "correction.grid.cell_lon_deg", path),
                      _number(document, "correction.grid.cell_lat_deg", path)),
            cell_log=np.array(grid, dtype=np.float64),
            path_fractions=_numbers(document, "correction.path_fractions", path),
            scale_log_minutes=_numbers(document, "correction.scale.log_minutes", path),
            scale_factor=_numbers(document, "correction.scale.factor", path),
        )
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: correction: {exc}; re-run `millis-network travel calibrate`") from exc


def _local_speed_values(places_path: Path) -> Floats:
    """The ``lon``, ``lat`` and ``log_factor`` of every row of the local road speed file: ``(n, 3)`` floats.

    pandas' C parser reads the numbers; where it cannot, or leaves one
    missing, the rows are read again one by one so that the error names the
    first bad row.

    Raises:
        DataFileError: the header is not :data:`LOCAL_SPEED_COLUMNS`, or a row
            lacks three finite numbers (file and row named).
    """
    with places_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if tuple(header) != LOCAL_SPEED_COLUMNS:
            raise DataFileError(f"{places_path}:1: columns: expected {', '.join(LOCAL_SPEED_COLUMNS)}, got {', '.join(header)}")
        numbers = list(LOCAL_SPEED_COLUMNS[1:])
        try:
            # Every column is read (not only the numbers), so that a row with a field too many is refused.
            values = pd.read_csv(handle, names=LOCAL_SPEED_COLUMNS, dtype=dict.fromkeys(numbers, np.float64),
                                 header=None)[numbers].to_numpy(dtype=np.float64)
            if np.isfinite(values).all():
                return values
        except ValueError:
            pass
        handle.seek(0)
        rows = list(csv.reader(handle))[1:]
    values = np.empty((len(rows), 3), dtype=np.float64)
    for offset, row in enumerate(rows):
        try:
            if len(row) != len(LOCAL_SPEED_COLUMNS):
                raise ValueError(row)
            values[offset] = [float(v) for v in row[1:]]
        except ValueError:
            raise DataFileError(
                f"{places_path}:{offset + 2}: lon, lat, log_factor: expected three numbers, got {row[1:]!r}"
            ) from None
    if not np.isfinite(values).all():
        bad = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise DataFileError(f"{places_path}:{bad + 2}: lon, lat, log_factor: expected finite numbers")
    return values


def write_local_speed(path: Path, lsoa_code: NDArray[np.str_], lonlat: Floats, log_factor: Floats) -> None:
    """Write :data:`LOCAL_SPEED_FILE`: one row per LSOA, coordinates to 5 decimals, ln(factor) to 3."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LOCAL_SPEED_COLUMNS)
        for code, (lon, lat), value in zip(lsoa_code, lonlat, log_factor, strict=True):
            writer.writerow([code, f"{lon:.5f}", f"{lat:.5f}", f"{value:.3f}"])


def _lookup(document: dict[str, Any], dotted: str, path: Path) -> Any:
    value: Any = document
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise DataFileError(f"{path}: {dotted}: missing; re-run `millis-network travel calibrate`")
        value = value[key]
    return value


def _text(document: dict[str, Any], dotted: str, path: Path) -> str:
    value = _lookup(document, dotted, path)
    if not isinstance(value, str) or not value or "/" in value or "\\" in value:
        raise DataFileError(f"{path}: {dotted}: expected a file name, got {value!r}")
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

