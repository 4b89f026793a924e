"""Which family courts and neighbourhoods have suitable contact centres within reach.

The campaign rule (:class:`~millis_network.config.CampaignRule`): a family
court centre *meets the rule* when at least one open contact centre offering
supported contact and one offering supervised contact lie within the threshold.

Method. Nearest centres are found by great-circle distance (a k-d tree over
unit vectors on a sphere of radius 6,371 km, so the ordering is exact). Drive
minutes are estimated from distance by the calibrated model in
:mod:`millis_network.engine.travel`. Counts "within the threshold" consider every
centre that could be within it. Closed centres never count; unplaced centres
(precision ``none``) cannot; sample records count only when the rule says so.

Every result carries ``threshold``, ``method`` and ``rule_version`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypedDict, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from millis_network._geo import chord_to_km, great_circle_km, km_to_chord, unit_vectors
from millis_network.config import (
    FAR_MILES,
    KM_PER_MILE,
    REACH_BANDS_MINUTES,
    CampaignRule,
)
from millis_network.directory import check_centres
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    load_drive_time_model,
    settlement_index,
)
from millis_network.engine.travel import (
    ferry_journey_minutes,
    pair_minutes,
    place_features,
)
from millis_network.errors import NotFoundError
from millis_network.landmasses import landmasses, landmasses_of
from millis_network.places import format_people
from millis_network.wording import ACROSS_THE_SEA, BY_ROAD, BY_ROAD_AND_FERRY

Service = Literal["supported", "supervised"]
SERVICES_FOR_RULE: tuple[Service, ...] = ("supported", "supervised")


class JourneyModel(TypedDict):
    """What estimates drive times, as keyword arguments of :func:`court_coverage` and :func:`area_reach`."""

    model: DriveTimeModel
    settlements: SettlementIndex


#: Resolution (km) and reach (km) of the grid on which :func:`reach_radius_km` reads the model.
_RADIUS_STEP_KM = 0.05
_RADIUS_LIMIT_KM = 1000.0

#: Court status labels, in legend order (one source of truth for map and tables).
COURT_STATUSES: tuple[str, ...] = ("meets rule", "supported only", "supervised only", "neither")

#: Columns of :func:`court_coverage`.
COURT_COVERAGE_COLUMNS: tuple[str, ...] = (
    "court_id", "court_name", "jurisdiction", "town", "postcode", "lat", "lon", "children_spoe",
    "nearest_supported_id", "nearest_supported_name", "nearest_supported_km",
    "nearest_supported_miles", "nearest_supported_minutes", "nearest_supported_journey", "supported_within",
    "nearest_supervised_id", "nearest_supervised_name", "nearest_supervised_km",
    "nearest_supervised_miles", "nearest_supervised_minutes", "nearest_supervised_journey", "supervised_within",
    "meets_rule", "status", "threshold", "method", "rule_version",
)

#: Columns of :func:`area_reach`.
AREA_REACH_COLUMNS: tuple[str, ...] = (
    "lsoa_code", "lsoa_name", "local_authority_code", "local_authority_name", "nation", "lat", "lon", "population",
    "nearest_supported_id", "nearest_supported_km", "nearest_supported_minutes",
    "nearest_supervised_id", "nearest_supervised_km", "nearest_supervised_minutes",
    "covered", "threshold", "method", "rule_version",
)


def suitable_centres(centres: pd.DataFrame, *, rule: CampaignRule, service: Service) -> pd.DataFrame:
    """Centres that count for ``service`` under ``rule``: open, placed, offering it.

    Returns:
        The matching rows of ``centres`` (same columns), in input order.
    """
    if service not in SERVICES_FOR_RULE:
        raise ValueError(f"service must be one of {SERVICES_FOR_RULE}, got {service!r}")
    keep = (centres["status"] == "open") & centres["lat"].notna() & centres["lon"].notna()
    if not rule.include_sample:
        keep &= centres["sample"] != "yes"
    offers = centres[service].astype(bool)
    if service == "supported" and rule.unstated_services_as_supported:
        offers |= centres["services"] == ""
    keep &= offers
    if rule.accreditation == "accredited":
        wanted = ("NACCC enhanced accredited",) if service == "supervised" else (
            "NACCC enhanced accredited", "NACCC accredited")
        keep &= centres["accreditation"].isin(wanted)
    return centres[keep]


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) Earth-centred unit vectors, rows are points."""
    return np.column_stack(unit_vectors(lon, lat))


@lru_cache(maxsize=4)
def _fastest_minutes(model: DriveTimeModel) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The fastest drive ``model`` allows over each distance: (km grid, minutes), every 0.05 km to 1,000 km.

    The minimum over every settlement density it allows (0 to ``density_sum_max``)
    at the fastest local road speed its correction holds; the same for every
    threshold, so worked out once per model.
    """
    km = np.arange(0.0, _RADIUS_LIMIT_KM, _RADIUS_STEP_KM)
    fastest = np.min(
        [model.drive_minutes(km, origin_lsoa_count=0.0, destination_lsoa_count=np.expm1(s))
         for s in np.linspace(0.0, model.density_sum_max, 41)],
        axis=0,
    )
    if model.correction is not None:
        fastest = model.correction.apply(fastest, model.correction.min_log_factor)
    return km, np.asarray(fastest, dtype=float)


@lru_cache(maxsize=64)
def reach_radius_km(model: DriveTimeModel, threshold_minutes: float) -> float:
    """The farthest great-circle km any journey within ``threshold_minutes`` can span under ``model``.

    Read off the model's fastest drive over a grid of distances
    (:func:`_fastest_minutes`), plus one grid step: no pair beyond it can be
    within the threshold, so a search for centres within reach need look no farther.
    """
    km, fastest = _fastest_minutes(model)
    inside = np.flatnonzero(fastest <= threshold_minutes)
    return float(km[inside[-1]] + _RADIUS_STEP_KM) if inside.size else _RADIUS_STEP_KM


@dataclass(frozen=True)
class NearestResult:
    """Nearest destination per origin: positions into the destination table, km and minutes."""

    position: np.ndarray
    distance_km: np.ndarray
    drive_minutes: np.ndarray
    within: np.ndarray
    by_ferry: np.ndarray


class CentreIndex:
    """A spatial index over one set of centres, answering nearest and within-threshold queries.

    Coordinates are WGS84 degrees; distances great-circle km; times estimated
    drive minutes from ``model`` (with its local road speed), whose settlement
    density at each end comes from ``settlements`` (the bundled LSOA index by default).

    With the centres' ``landmass`` (:func:`millis_network.landmasses.landmasses`)
    and the origins' (``origin_landmass``), no drive crosses the sea: the
    nearest centre is the nearest on the origin's landmass when there is one
    (otherwise the nearest anywhere, with no drive time), and no pair on
    different landmasses is within a drive-time threshold. Without them,
    every pair is treated as joined by road.
    """

    def __init__(
        self,
        lat: np.ndarray,
        lon: np.ndarray,
        *,
        model: DriveTimeModel,
        settlements: SettlementIndex | None = None,
        landmass: np.ndarray | None = None,
    ) -> None:
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        self.model = model
        self.settlements = settlements or settlement_index()
        self.landmass = None if landmass is None else np.asarray(landmass, dtype=np.int8)
        self._tree = cKDTree(_unit_vectors(self.lat, self.lon)) if self.lat.size else None
        self._features = self.place_features(self.lat, self.lon)

    def place_features(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The model's inputs at each point (:func:`millis_network.engine.travel.place_features`)."""
        return place_features(lon, lat, model=self.model, settlements=self.settlements)

    def minutes(self, km: np.ndarray, origin_features: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Estimated drive minutes by road from origins (with their :meth:`place_features`) to the centres at ``positions``."""
        return np.asarray(pair_minutes(km, origin_features, self._features[positions], model=self.model), dtype=float)

    def journeys(
        self, km: np.ndarray, origin_features: np.ndarray, positions: np.ndarray, origin_landmass: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Journey minutes to the centres at ``positions``, and which are by road and ferry.

        By road on the same landmass (or where landmasses are unknown); across
        the sea, by road and ferry where a ferry joins the two landmasses
        (:func:`millis_network.engine.travel.ferry_journey_minutes`), NaN where none does.
        """
        minutes = self.minutes(km, origin_features, positions)
        across = self.across_the_sea(positions, origin_landmass)
        by_ferry = np.zeros(positions.size, dtype=bool)
        if across.any() and self.landmass is not None and origin_landmass is not None:
            ferry, _ = ferry_journey_minutes(
                origin_features[across], np.asarray(origin_landmass, dtype=np.int8)[across],
                self._features[positions[across]], self.landmass[positions[across]],
                model=self.model, settlements=self.settlements,
            )
            minutes[across] = ferry
            by_ferry[across] = np.isfinite(ferry)
        return minutes, by_ferry

    def __len__(self) -> int:
        return int(self.lat.size)

    def across_the_sea(self, position: np.ndarray, origin_landmass: np.ndarray | None) -> np.ndarray:
        """True where the centre at each ``position`` is on another landmass than its origin (False when unknown)."""
        if self.landmass is None or origin_landmass is None:
            return np.zeros(position.size, dtype=bool)
        across: NDArray[np.bool_] = self.landmass[position] != np.asarray(origin_landmass, dtype=np.int8)
        return across

    def _nearest_on_landmass(
        self, points: np.ndarray, position: np.ndarray, chord: np.ndarray, origin_landmass: np.ndarray | None
    ) -> None:
        """Replace (in place) a nearest centre across the sea by the nearest on the origin's landmass, if any."""
        across = self.across_the_sea(position, origin_landmass)
        if self.landmass is None or not across.any():
            return
        origins = np.asarray(origin_landmass, dtype=np.int8)
        for landmass in np.unique(origins[across]):
            members = np.flatnonzero(self.landmass == landmass)
            if members.size == 0:
                continue
            here = np.flatnonzero(across & (origins == landmass))
            tree = cKDTree(_unit_vectors(self.lat[members], self.lon[members]))
            chord[here], found = tree.query(points[here], k=1)
            position[here] = members[found]

    def nearest(
        self, lat: np.ndarray, lon: np.ndarray, *, rule: CampaignRule | None = None,
        origin_features: np.ndarray | None = None, points: np.ndarray | None = None,
        origin_landmass: np.ndarray | None = None,
    ) -> NearestResult:
        """Nearest centre to each origin (great circle), its distance and drive time.

        With a ``rule``, also counts the centres within its threshold
        (``within``); without, ``within`` is all zeros. Origins with no centre
        at all get position -1, NaN distance and time, and 0 within.
        ``origin_features`` (:meth:`place_features`) and ``points`` (unit vectors) may be passed when
        already computed for the same origins. With ``origin_landmass`` (and
        the index's ``landmass``), a centre across the sea is nearest only
        when the origin's landmass has none, and then has minutes by road and
        ferry (``by_ferry``) where a ferry joins them, NaN otherwise.
        """
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        n = lat.size
        if self._tree is None or n == 0:
            return NearestResult(np.full(n, -1), np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=int),
                                 np.zeros(n, dtype=bool))
        points = _unit_vectors(lat, lon) if points is None else points
        # scipy-stubs types query()'s result as scalars or arrays; (n, 3) points give arrays.
        chord, position = cast("tuple[NDArray[np.float64], NDArray[np.intp]]", self._tree.query(points, k=1))
        self._nearest_on_landmass(points, position, chord, origin_landmass)
        km = chord_to_km(chord)
        features = self.place_features(lat, lon) if origin_features is None else origin_features
        minutes, by_ferry = self.journeys(km, features, position, origin_landmass)
        if rule is None:
            within = np.zeros(n, dtype=int)
        else:
            within = np.asarray(
                self.within_pairs(
                    lat, lon, rule=rule, points=points, origin_features=features, origin_landmass=origin_landmass
                ).sum(axis=1)
            ).ravel().astype(int)
        return NearestResult(position.astype(int), km, minutes, within, by_ferry)

    def within_pairs(
        self, lat: np.ndarray, lon: np.ndarray, *, rule: CampaignRule, points: np.ndarray | None = None,
        origin_features: np.ndarray | None = None, origin_landmass: np.ndarray | None = None,
    ) -> sparse.csr_matrix:
        """Boolean origins × centres matrix: True where the centre is within the rule's threshold.

        A straight-line (miles) rule counts every pair within its radius; a
        drive-time rule, with ``origin_landmass`` and the index's ``landmass``
        known, counts a pair on different landmasses only by road and ferry,
        and only when the rule counts ferry journeys. The search radius is the
        road's (:func:`reach_radius_km`): every crossing is slower than the
        fastest road, so no ferry journey reaches farther.
        """
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        n = lat.size
        if self._tree is None or n == 0:
            # scipy-stubs' csr_matrix lacks the (shape, dtype=bool) overload its csr_array has.
            return sparse.csr_matrix((n, len(self)), dtype=bool)  # type: ignore[arg-type]
        points = _unit_vectors(lat, lon) if points is None else points
        if rule.threshold_miles is not None:
            radius_km = rule.threshold_miles * KM_PER_MILE
        else:
            radius_km = reach_radius_km(self.model, rule.threshold_minutes)
        origin_tree = cKDTree(points)
        pairs = origin_tree.sparse_distance_matrix(self._tree, km_to_chord(radius_km), output_type="ndarray")
        rows, cols = pairs["i"].astype(int), pairs["j"].astype(int)
        km = chord_to_km(pairs["v"])
        minutes = np.full(km.size, np.nan)
        if rule.threshold_miles is None:
            features = self.place_features(lat, lon) if origin_features is None else origin_features
            land = None if origin_landmass is None else np.asarray(origin_landmass, dtype=np.int8)[rows]
            minutes, by_ferry = self.journeys(km, features[rows], cols, land)
            if not rule.count_ferry_journeys:
                minutes[by_ferry] = np.nan
        keep = within_reach(km, minutes, rule)
        return sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=bool), (rows[keep], cols[keep])), shape=(n, len(self))
        )


def journey_words(minutes: np.ndarray, by_ferry: np.ndarray) -> np.ndarray:
    """How each journey is made, in words: by road, by road and ferry, or across the sea (no journey time)."""
    return np.where(by_ferry, BY_ROAD_AND_FERRY, np.where(np.isnan(minutes), ACROSS_THE_SEA, BY_ROAD))


def centre_index(
    places: pd.DataFrame, *, model: DriveTimeModel, settlements: SettlementIndex | None = None
) -> CentreIndex:
    """A :class:`CentreIndex` over placed rows (``lat``, ``lon``), each on its landmass (:func:`landmasses_of`)."""
    return CentreIndex(
        places["lat"].to_numpy(dtype=float), places["lon"].to_numpy(dtype=float), model=model,
        settlements=settlements, landmass=landmasses_of(places),
    )


def within_reach(km: NDArray[np.float64], minutes: NDArray[np.float64], rule: CampaignRule) -> NDArray[np.bool_]:
    """*Within reach*, the one definition every count uses: True where a journey is within the rule's threshold.

    Args:
        km: great-circle km of each journey.
        minutes: its estimated drive minutes; NaN where there is no drive
            (across the sea), which is never within a drive-time threshold.

    Returns:
        Boolean array: km within ``threshold_miles`` for a straight-line
        rule, minutes within ``threshold_minutes`` otherwise.
    """
    if rule.threshold_miles is not None:
        return np.nan_to_num(km, nan=np.inf) <= rule.threshold_miles * KM_PER_MILE
    return np.nan_to_num(minutes, nan=np.inf) <= rule.threshold_minutes


def _status(supported: np.ndarray, supervised: np.ndarray) -> np.ndarray:
    return np.select(
        [supported & supervised, supported, supervised], list(COURT_STATUSES[:3]), default=COURT_STATUSES[3]
    )


#: For each service of the rule: the suitable centres (re-indexed from 0) and a :class:`CentreIndex` over them.
ServiceIndexes = dict[Service, tuple[pd.DataFrame, CentreIndex]]


def service_indexes(
    centres: pd.DataFrame, rule: CampaignRule, model: DriveTimeModel, settlements: SettlementIndex | None
) -> ServiceIndexes:
    """For each service of the rule: the suitable centres (re-indexed from 0) and a :class:`CentreIndex` over them."""
    out: dict[Service, tuple[pd.DataFrame, CentreIndex]] = {}
    for service in SERVICES_FOR_RULE:
        chosen = suitable_centres(centres, rule=rule, service=service).reset_index(drop=True)
        out[service] = (chosen, centre_index(chosen, model=model, settlements=settlements))
    return out


def _pick(frame: pd.DataFrame, column: str, position: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Values of ``column`` at ``position`` ("" where position is -1), keeping the column's dtype."""
    values: pd.api.extensions.ExtensionArray = frame[column].array.take(position, allow_fill=True, fill_value="")
    return values


def court_coverage(
    courts: pd.DataFrame,
    centres: pd.DataFrame,
    *,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
    indexes: ServiceIndexes | None = None,
) -> pd.DataFrame:
    """Nearest supported and supervised centre for every court, and whether it meets the rule.

    Args:
        courts: family court centres (:func:`millis_network.directory.family_court_centres`).
        centres: contact centres (:func:`millis_network.directory.contact_centres`).
        rule: threshold, accreditation and sample options.
        model: drive-time model; the bundled calibrated model by default.
        settlements: LSOA index for the model's density input; bundled by default.
        indexes: :func:`service_indexes` of ``centres`` under ``rule`` when already built
            (the national analysis builds them once for courts and LSOAs).

    Returns:
        One row per court, columns :data:`COURT_COVERAGE_COLUMNS`: distances in
        km and miles (great-circle), ``*_minutes`` estimated journey minutes,
        ``*_journey`` how (:func:`journey_words`),
        ``*_within`` the number of suitable centres within the threshold,
        ``meets_rule`` (bool), ``status`` (one of :data:`COURT_STATUSES`),
        ``threshold`` (text), ``method`` and ``rule_version``. Distances are NaN
        and ids "" where no suitable centre exists anywhere; minutes are NaN
        too where the nearest is across the sea (see :class:`CentreIndex`).
    """
    model = model or load_drive_time_model()
    centres = check_centres(centres)
    lat, lon = courts["lat"].to_numpy(dtype=float), courts["lon"].to_numpy(dtype=float)
    out: dict[str, object] = {
        "court_id": courts["id"].array,
        "court_name": courts["name"].array,
        "jurisdiction": courts["jurisdiction"].array,
        "town": courts["town"].array,
        "postcode": courts["postcode"].array,
        "lat": lat,
        "lon": lon,
        "children_spoe": courts["children_spoe"].to_numpy(dtype=bool),
    }
    ok = {}
    landmass = landmasses_of(courts)
    for service, (chosen, index) in (indexes or service_indexes(centres, rule, model, settlements)).items():
        result = index.nearest(lat, lon, rule=rule, origin_landmass=landmass)
        out[f"nearest_{service}_id"] = _pick(chosen, "id", result.position)
        out[f"nearest_{service}_name"] = _pick(chosen, "name", result.position)
        out[f"nearest_{service}_km"] = result.distance_km
        out[f"nearest_{service}_miles"] = result.distance_km / KM_PER_MILE
        out[f"nearest_{service}_minutes"] = result.drive_minutes
        out[f"nearest_{service}_journey"] = journey_words(result.drive_minutes, result.by_ferry)
        out[f"{service}_within"] = result.within
        ok[service] = result.within > 0
    out["meets_rule"] = ok["supported"] & ok["supervised"]
    out["status"] = _status(ok["supported"], ok["supervised"])
    out["threshold"] = rule.describe()
    out["method"] = rule.method
    out["rule_version"] = rule.version
    return pd.DataFrame(out)[list(COURT_COVERAGE_COLUMNS)]


def area_reach(
    lsoas: pd.DataFrame,
    centres: pd.DataFrame,
    *,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
    indexes: ServiceIndexes | None = None,
) -> pd.DataFrame:
    """Nearest supported and supervised centre for every LSOA (population unit).

    Returns:
        One row per LSOA, columns :data:`AREA_REACH_COLUMNS`: great-circle km
        and estimated drive minutes to the nearest suitable centre of each
        kind, and ``covered``: a centre of each kind within reach (:func:`within_reach`;
        any suitable centre counts, not only the nearest, as for courts).
    """
    model = model or load_drive_time_model()
    centres = check_centres(centres)
    lat, lon = lsoas["lat"].to_numpy(dtype=float), lsoas["lon"].to_numpy(dtype=float)
    columns: dict[str, object] = {
        name: lsoas[name].array
        for name in ("lsoa_code", "lsoa_name", "local_authority_code", "local_authority_name", "nation")
    }
    columns.update(lat=lat, lon=lon, population=_population(lsoas))
    covered = np.ones(lat.size, dtype=bool)
    points = _unit_vectors(lat, lon)
    landmass = landmasses_of(lsoas)
    features = None
    for service, (chosen, index) in (indexes or service_indexes(centres, rule, model, settlements)).items():
        features = index.place_features(lat, lon) if features is None else features
        result = index.nearest(lat, lon, origin_features=features, points=points, origin_landmass=landmass)
        columns[f"nearest_{service}_id"] = _pick(chosen, "id", result.position)
        columns[f"nearest_{service}_km"] = result.distance_km
        columns[f"nearest_{service}_minutes"] = result.drive_minutes
        # Within reach of some centre: the nearest, or where it is out of reach by road, another (a quicker
        # road). Only origins still covered by the services before this one need asking, and only those
        # with a centre inside the reach radius; by straight line the nearest decides alone.
        near = within_reach(result.distance_km, result.drive_minutes, rule) & (rule.count_ferry_journeys | ~result.by_ferry)
        could = rule.threshold_miles is None and result.distance_km <= reach_radius_km(model, rule.threshold_minutes)
        others = np.flatnonzero(covered & ~near & could)
        if others.size:
            pairs = index.within_pairs(lat[others], lon[others], rule=rule, points=points[others],
                                       origin_features=features[others], origin_landmass=landmass[others])
            near[others] = pairs.getnnz(axis=1) > 0
        covered &= near
    columns["covered"] = covered
    columns["threshold"] = rule.describe()
    columns["method"] = rule.method
    columns["rule_version"] = rule.version
    out = pd.DataFrame(columns)
    return out[list(AREA_REACH_COLUMNS)]


def reach_summary_columns(service: Service) -> list[str]:
    """Columns of :func:`reach_summary` for one service: LSOA shares, then people counts and shares."""
    return (
        ["area_code", "area_name", "lsoas"]
        + [f"share_within_{band}_min" for band in REACH_BANDS_MINUTES]
        + ["share_beyond_50_miles", f"median_{service}_minutes", f"p90_{service}_minutes", "share_covered", "people"]
        + [f"people_within_{band}_min" for band in REACH_BANDS_MINUTES]
        + [f"people_share_within_{band}_min" for band in REACH_BANDS_MINUTES]
        + ["people_beyond_50_miles", "people_share_beyond_50_miles", "people_covered", "people_share_covered"]
    )


def _population(lsoas: pd.DataFrame) -> np.ndarray:
    """People per LSOA (ONS mid-2019, :data:`~millis_network.wording.POPULATION_NOTE`); NaN where the table has none."""
    if "population" not in lsoas.columns:
        return np.full(len(lsoas), np.nan)
    return lsoas["population"].to_numpy(dtype=float)


def _p90_by_group(minutes: NDArray[np.float64], group: NDArray[np.intp], groups: int) -> NDArray[np.float64]:
    """The 90th percentile of ``minutes`` in each of ``groups`` groups (``group`` numbers 0..groups-1, each used).

    Linear interpolation, as :func:`numpy.quantile`, which works it out group by
    group; inf where it falls among LSOAs with no suitable centre by road.
    """
    if groups == 0:
        return np.empty(0)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(1, groups))
    with np.errstate(invalid="ignore"):
        values = np.array([np.quantile(part, 0.9) for part in np.split(minutes[order], starts)], dtype=float)
    return np.where(np.isnan(values), np.inf, values)


#: Conditions :func:`reach_summary` counts people for, by column suffix.
_PEOPLE_MEASURES: tuple[str, ...] = (*(f"within_{band}_min" for band in REACH_BANDS_MINUTES), "beyond_50_miles", "covered")


def reach_indicators(reach: pd.DataFrame, *, service: Service) -> pd.DataFrame:
    """Per LSOA of :func:`area_reach`: which reach bands its nearest centre for ``service`` falls in.

    The one reading of a reach row that every summary (national, nation,
    local authority, constituency) adds up. LSOAs with no suitable centre
    anywhere, or none by road, count as beyond every band.

    Returns:
        One row per LSOA (same order): ``minutes`` (estimated drive to the
        nearest, inf where none), ``within_{15,30,45,60}_min``,
        ``beyond_50_miles`` (great circle, one way), ``covered`` (both
        services within reach) and ``people`` (NaN without populations).
    """
    minutes = reach[f"nearest_{service}_minutes"].fillna(np.inf).to_numpy(dtype=float)
    km = reach[f"nearest_{service}_km"].fillna(np.inf).to_numpy(dtype=float)
    frame = pd.DataFrame({"minutes": minutes})
    for band in REACH_BANDS_MINUTES:
        frame[f"within_{band}_min"] = minutes <= band
    frame["beyond_50_miles"] = km > FAR_MILES * KM_PER_MILE
    frame["covered"] = reach["covered"].to_numpy(dtype=bool)
    frame["people"] = _population(reach)
    return frame


def reach_summary(
    reach: pd.DataFrame, *, service: Service = "supported", by: Literal["national", "nation", "local_authority"] = "national"
) -> pd.DataFrame:
    """Population reach summaries from :func:`area_reach`, in LSOAs and in people.

    ``share_*`` columns are fractions of LSOAs (0..1); ``people_*`` columns
    count people (ONS mid-2019 estimates, all ages, on 2011 LSOAs:
    :data:`~millis_network.wording.POPULATION_NOTE`) and ``people_share_*`` are
    fractions of the area's people. People figures are NaN where the LSOA table
    carries no population. "Beyond 50 miles" is the campaign's "round trip of
    100 miles", measured as great-circle distance one way. LSOAs with no
    suitable centre anywhere, or none by road, count as beyond every band.

    Returns:
        One row per area, columns :func:`reach_summary_columns`: ``area_code``,
        ``area_name``, ``lsoas``, ``share_within_{15,30,45,60}_min``,
        ``share_beyond_50_miles``, ``median_<service>_minutes``,
        ``p90_<service>_minutes``, ``share_covered`` (both services within the
        rule's threshold), ``people``, ``people_within_{band}_min``,
        ``people_share_within_{band}_min``, ``people_beyond_50_miles``,
        ``people_share_beyond_50_miles``, ``people_covered`` and ``people_share_covered``.
    """
    frame = reach_indicators(reach, service=service)
    people = frame["people"].to_numpy()
    for measure in _PEOPLE_MEASURES:
        frame[f"people_{measure}"] = np.where(frame[measure].to_numpy(dtype=bool), people, 0.0)
    if by == "national":
        keys = pd.DataFrame({"area_code": ["E92000001+W92000004"] * len(reach), "area_name": ["England and Wales"] * len(reach)})
    elif by == "nation":
        keys = pd.DataFrame({"area_code": reach["nation"], "area_name": reach["nation"]})
    elif by == "local_authority":
        keys = pd.DataFrame({"area_code": reach["local_authority_code"], "area_name": reach["local_authority_name"]})
    else:
        raise ValueError(f"by must be national, nation or local_authority, got {by!r}")
    frame = pd.concat([keys.reset_index(drop=True), frame.reset_index(drop=True)], axis=1)
    grouped = frame.groupby(["area_code", "area_name"], sort=True)
    summary = grouped.agg(
        lsoas=("minutes", "size"),
        **{f"share_within_{band}_min": (f"within_{band}_min", "mean") for band in REACH_BANDS_MINUTES},
        share_beyond_50_miles=("beyond_50_miles", "mean"),
        median=("minutes", "median"),
        share_covered=("covered", "mean"),
    ).reset_index()
    group = grouped.ngroup().to_numpy()
    grouped_rows = ~pd.isna(group)  # rows whose area is unknown belong to no group, as in the aggregates above
    summary["p90"] = _p90_by_group(frame["minutes"].to_numpy()[grouped_rows], group[grouped_rows].astype(np.intp),
                                   grouped.ngroups)
    counts = grouped[["people", *(f"people_{m}" for m in _PEOPLE_MEASURES)]].sum(min_count=1).reset_index(drop=True)
    counts.loc[counts["people"].isna()] = np.nan
    for measure in _PEOPLE_MEASURES:
        counts[f"people_share_{measure}"] = counts[f"people_{measure}"] / counts["people"]
    summary = pd.concat([summary, counts], axis=1)
    summary = summary.rename(columns={"median": f"median_{service}_minutes", "p90": f"p90_{service}_minutes"})
    return summary[reach_summary_columns(service)]


def beyond_reach_phrase(rule: CampaignRule) -> str:
    """Beyond the rule's threshold, as a person says it: ``more than 30 minutes' drive`` or ``more than 20 miles``."""
    if rule.threshold_miles is not None:
        return f"more than {rule.threshold_miles:g} miles (straight line)"
    return f"more than {rule.threshold_minutes:g} minutes' drive"


def beyond_reach(reach: pd.DataFrame, rule: CampaignRule, *, service: Service = "supported") -> NDArray[np.bool_]:
    """Per LSOA of :func:`area_reach`: True where its nearest suitable centre is not within reach (:func:`within_reach`)."""
    near = within_reach(reach[f"nearest_{service}_km"].to_numpy(dtype=float),
                        reach[f"nearest_{service}_minutes"].to_numpy(dtype=float), rule)
    return ~near


def people_headline(reach: pd.DataFrame, rule: CampaignRule, *, service: Service = "supported") -> str:
    """The headline in people, e.g. "5.2 million people (9% of England and Wales) live more than 30 minutes'
    drive from a supported centre in this directory.", from :func:`area_reach` under ``rule``.

    A person counts as beyond when the nearest suitable centre is not within
    reach (:func:`beyond_reach`); the area is the nations of the LSOAs;
    populations are :data:`~millis_network.wording.POPULATION_NOTE`. Empty
    when the LSOAs carry no people.
    """
    people = _population(reach)
    total = float(people.sum()) if people.size else float("nan")
    if not total > 0:
        return ""
    beyond = float(people[beyond_reach(reach, rule, service=service)].sum())
    area = " and ".join(sorted(reach["nation"].unique()))
    return (
        f"{format_people(beyond)} ({beyond / total:.0%} of {area}) live {beyond_reach_phrase(rule)} "
        f"from a {service} centre in this directory."
    )


def worst_served(reach: pd.DataFrame, *, service: Service = "supported", n: int = 10) -> pd.DataFrame:
    """The ``n`` local authorities with the longest median drive to a suitable centre.

    Returns:
        Rows of :func:`reach_summary` by local authority, worst first.
    """
    summary = reach_summary(reach, service=service, by="local_authority")
    return summary.sort_values(f"median_{service}_minutes", ascending=False).head(n).reset_index(drop=True)


def court_row(coverage: pd.DataFrame, court_id: str) -> pd.Series:
    """One court's row of :func:`court_coverage`.

    Raises:
        NotFoundError: no court has ``court_id``.
    """
    match = coverage[coverage["court_id"] == court_id]
    if match.empty:
        raise NotFoundError(f"no family court centre with id {court_id!r}; ids are FaCT slugs such as 'central-family-court'")
    return match.iloc[0]


#: Columns of :func:`centres_near`.
CENTRES_NEAR_COLUMNS: tuple[str, ...] = (
    "id", "name", "organisation", "town", "postcode", "location_precision", "lat", "lon", "services",
    "accreditation", "opening", "referral", "address_withheld", "sample", "source_urls",
    "distance_km", "distance_miles", "drive_minutes", "journey", "within_threshold",
)


def centres_near(
    lat: float,
    lon: float,
    centres: pd.DataFrame,
    *,
    rule: CampaignRule,
    service: Service,
    n: int = 5,
    jurisdiction: str = "",
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """The ``n`` nearest suitable centres to one point (a family's postcode), nearest first.

    Args:
        lat, lon: WGS84 degrees of the family's location.
        service: ``supported`` or ``supervised``.
        jurisdiction: the point's jurisdiction when known (it places Jersey,
            Guernsey, the Isle of Man and Northern Ireland on their own landmass).

    Returns:
        Up to ``n`` rows, columns :data:`CENTRES_NEAR_COLUMNS`: great-circle
        ``distance_km``/``distance_miles``, estimated ``drive_minutes`` (by road
        and ferry for a centre across the sea that a ferry reaches, NaN for one
        no ferry reaches), ``journey`` (:data:`~millis_network.wording.BY_ROAD`,
        :data:`~millis_network.wording.BY_ROAD_AND_FERRY` or
        :data:`~millis_network.wording.ACROSS_THE_SEA`) and ``within_threshold`` under ``rule``.
    """
    model = model or load_drive_time_model()
    chosen = suitable_centres(check_centres(centres), rule=rule, service=service).reset_index(drop=True)
    if chosen.empty:
        return pd.DataFrame(columns=list(CENTRES_NEAR_COLUMNS))
    index = centre_index(chosen, model=model, settlements=settlements)
    km = np.asarray(great_circle_km(lon, lat, index.lon, index.lat), dtype=float)
    order = np.argsort(km, kind="stable")[:n]
    origin_features = index.place_features(np.array([lat]), np.array([lon]))
    here = np.repeat(landmasses([lat], [lon], jurisdiction=[jurisdiction]), order.size)
    minutes, by_ferry = index.journeys(km[order], np.repeat(origin_features, order.size, axis=0), order, here)
    out = chosen.iloc[order].reset_index(drop=True)
    out["distance_km"] = km[order]
    out["distance_miles"] = km[order] / KM_PER_MILE
    out["drive_minutes"] = minutes
    out["journey"] = journey_words(minutes, by_ferry)
    out["within_threshold"] = (within_reach(out["distance_km"].to_numpy(), minutes, rule)
                               & (rule.count_ferry_journeys | ~by_ferry))
    return out[list(CENTRES_NEAR_COLUMNS)]


def serving_courts(lat: np.ndarray, lon: np.ndarray, nation: np.ndarray, courts: pd.DataFrame) -> np.ndarray:
    """The court serving each point: *the court serving an area*, the one definition every output uses.

    It is the nearest family court centre (great circle) among the courts of
    the point's own nation (``jurisdiction`` of the court = ``nation`` of the
    point), or the nearest anywhere when that nation has none (Scotland,
    Northern Ireland, an unknown nation). HMCTS publishes no catchment areas,
    and a family's case is heard in its own nation's family court: a family in
    Weston-super-Mare is served by Bristol, not by Cardiff across the Channel,
    although Cardiff is nearer in a straight line.

    Args:
        lat, lon: WGS84 degrees of the points.
        nation: each point's nation (England, Wales, Jersey, ...; "" when unknown).

    Returns:
        int positions into ``courts``, one per point.
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    nation = np.asarray(nation, dtype=object)
    court_nation = courts["jurisdiction"].to_numpy(dtype=object)
    court_points = _unit_vectors(courts["lat"].to_numpy(dtype=float), courts["lon"].to_numpy(dtype=float))
    points = _unit_vectors(lat, lon)
    out = cKDTree(court_points).query(points, k=1)[1].astype(int) if lat.size else np.zeros(0, dtype=int)
    for here in set(nation) & set(court_nation):
        members = np.flatnonzero(court_nation == here)
        rows = nation == here
        out[rows] = members[cKDTree(court_points[members]).query(points[rows], k=1)[1]]
    return out


def serving_court(lat: float, lon: float, courts: pd.DataFrame, *, nation: str) -> pd.Series:
    """The court serving one point (:func:`serving_courts`), with ``distance_km`` (great circle) added."""
    row = courts.iloc[int(serving_courts(np.array([lat]), np.array([lon]), np.array([nation]), courts)[0])].copy()
    row["distance_km"] = float(great_circle_km(lon, lat, float(row["lon"]), float(row["lat"])))
    return row
