"""Where a centre whose address is withheld may be shown: the one rule every public output inherits.

Some venues keep their address private for safety (domestic abuse). The
public may learn only the coarse area such a centre is in, never a point that
locates the venue, so a withheld centre is shown at:

1. its postcode district's centroid (the mean ONS grid reference of the
   district's postcodes), when the record names a full postcode or a district
   the ONS Postcode Directory can place;
2. otherwise, in Great Britain, the centroid of the postcode district nearest
   to its coordinates (a district, never the venue or its village);
3. otherwise, in Jersey, Guernsey or the Isle of Man (a JE/GY/IM postcode, the
   jurisdiction, or coordinates on the island), the island's main town from
   GeoNames (Saint Helier, Saint Peter Port, Douglas) at precision
   ``island``: the public learns only which island;
4. otherwise it cannot be shown publicly: :func:`public_place` raises, the
   importer and ``validate`` refuse the record, and the public view leaves it
   unplaced (precision ``none``) rather than fail.

Its private fields do not reach the public view: the postcode is cut to the
district (blank at island level), the town (which may name a village) becomes
the district's local authority or the island, and ``opening``, ``referral`` and ``notes``
are dropped (they often name the venue); each source URL is cut to its site
(``https://example.org/``) so the fact keeps its source without the page that
may show the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import cast
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from millis_network._geo import JURISDICTION_BOUNDS, in_bounds, in_box, unit_vectors
from millis_network._text import safe_link
from millis_network.errors import PostcodeError
from millis_network.places import local_authorities, locate_town
from millis_network.postcodes import (
    ISLAND_TOWNS,
    PostcodeIndex,
    crown_dependency,
    district_authority,
    district_centroid,
    load_index,
    postcode_district,
)

#: Fields a withheld centre never shows publicly (they often describe the venue).
PRIVATE_FIELDS: tuple[str, ...] = ("opening", "referral", "notes")


#: Great Britain's rough box, the envelope of its nations' boxes: coordinates inside it may be placed at
#: the nearest district.
_GREAT_BRITAIN_BOX: tuple[float, float, float, float] = (
    min(JURISDICTION_BOUNDS[n][0] for n in ("England", "Wales", "Scotland")),
    min(JURISDICTION_BOUNDS[n][1] for n in ("England", "Wales", "Scotland")),
    max(JURISDICTION_BOUNDS[n][2] for n in ("England", "Wales", "Scotland")),
    max(JURISDICTION_BOUNDS[n][3] for n in ("England", "Wales", "Scotland")),
)


@dataclass(frozen=True)
class PublicPlace:
    """Where a withheld centre is shown: WGS84 degrees, how coarse, the postcode text and the place name shown.

    ``area`` replaces the record's town, which may name a village finer than the
    district: the district's local authority, or the island.
    """

    lat: float
    lon: float
    precision: str
    postcode: str
    area: str


def _island(postcode: str, jurisdiction: str, lat: float, lon: float) -> str | None:
    if postcode and crown_dependency(postcode):
        return crown_dependency(postcode)
    if jurisdiction in ISLAND_TOWNS:
        return jurisdiction
    if np.isfinite(lat) and np.isfinite(lon):
        for island in ISLAND_TOWNS:
            if in_bounds(island, lat, lon):
                return island
    return None


@lru_cache(maxsize=2)
def _district_tree(index: PostcodeIndex) -> tuple[cKDTree, NDArray[np.intp]]:
    """A k-d tree over the districts that have a centroid, and their positions in ``index.districts``."""
    placed = np.flatnonzero(np.isfinite(index.district_lat) & np.isfinite(index.district_lon))
    return cKDTree(np.column_stack(unit_vectors(index.district_lon[placed], index.district_lat[placed]))), placed


def nearest_district(lat: float, lon: float, *, index: PostcodeIndex | None = None) -> str:
    """The postcode district whose centroid is nearest (great circle) to a WGS84 point."""
    idx = index if index is not None else load_index()
    tree, placed = _district_tree(idx)
    # scipy-stubs types query()'s result as scalars or arrays; (n, 3) points give arrays.
    _, at = cast(
        "tuple[NDArray[np.float64], NDArray[np.intp]]", tree.query(np.column_stack(unit_vectors(lon, lat)), k=1)
    )
    district: bytes = idx.districts[int(placed[int(at[0])])]
    return district.decode("ascii")


@lru_cache(maxsize=1)
def _authority_names() -> dict[str, str]:
    table = local_authorities()
    return dict(zip(table["local_authority_code"], table["local_authority_name"], strict=True))


def _area(district: str, index: PostcodeIndex) -> str:
    """The name of the local authority holding most of a district ("" when it is outside England and Wales)."""
    return _authority_names().get(district_authority(district, index=index), "")


def public_place(
    *, postcode: str, lat: float, lon: float, jurisdiction: str, index: PostcodeIndex | None = None
) -> PublicPlace:
    """Where a centre whose address is withheld is shown publicly (the rules in this module's docstring).

    Args:
        postcode: the record's postcode, full or district, or "".
        lat, lon: the venue's WGS84 degrees, NaN when unknown.
        jurisdiction: the record's jurisdiction, or "".

    Raises:
        PostcodeError: no district, island or coordinates place it; the message says what to add.
    """
    idx = index if index is not None else load_index()
    island = _island(postcode, jurisdiction, lat, lon)
    if island is not None:
        town = locate_town(ISLAND_TOWNS[island], jurisdiction=island)
        if town is None:
            raise PostcodeError(f"GeoNames has no {ISLAND_TOWNS[island]}; cannot show a {island} centre publicly")
        return PublicPlace(town.lat, town.lon, "island", "", island)
    if postcode:
        try:
            district = postcode_district(postcode)
            return PublicPlace(*district_centroid(district, index=idx), "district", district, _area(district, idx))
        except PostcodeError:
            pass
    if np.isfinite(lat) and np.isfinite(lon) and in_box(_GREAT_BRITAIN_BOX, lat, lon):
        district = nearest_district(lat, lon, index=idx)
        return PublicPlace(*district_centroid(district, index=idx), "district", district, _area(district, idx))
    raise PostcodeError(
        "a centre whose address is withheld must be placeable at district level or coarser: give its postcode "
        "or postcode district (e.g. CF10), or coordinates in Great Britain, or a Jersey, Guernsey or Isle of Man "
        "jurisdiction"
    )


def _site(url: str) -> str:
    link = safe_link(url)
    return f"{urlsplit(link).scheme}://{urlsplit(link).netloc}/" if link else ""


def public_sources(source_urls: str) -> str:
    """A withheld centre's ``; ``-joined source URLs cut to their sites (non-http(s) links dropped)."""
    sites = dict.fromkeys(s for s in (_site(u) for u in source_urls.split(";")) if s)
    return "; ".join(sites)


def public_centres(centres: pd.DataFrame, *, index: PostcodeIndex | None = None) -> pd.DataFrame:
    """A copy of a typed centres frame that public outputs may show.

    Withheld centres (``address_withheld == "yes"``) move to :func:`public_place`
    (or are left unplaced when it cannot place them), with ``postcode`` cut to
    the district, :data:`PRIVATE_FIELDS` blanked and sources cut to their
    sites. Other centres are unchanged. Idempotent: a public frame stays as it is.

    Returns:
        The same columns and rows; ``lat``/``lon`` WGS84 degrees.
    """
    out = centres.copy()
    withheld = out.index[out["address_withheld"] == "yes"]
    if withheld.empty:
        return out
    idx = index if index is not None else load_index()
    for at in withheld:
        row = out.loc[at]
        try:
            place = public_place(
                postcode=str(row["postcode"]), lat=float(row["lat"]), lon=float(row["lon"]),
                jurisdiction=str(row["jurisdiction"]), index=idx,
            )
            out.loc[at, ["lat", "lon"]] = [place.lat, place.lon]
            out.loc[at, ["location_precision", "postcode", "town"]] = [place.precision, place.postcode, place.area]
        except PostcodeError:
            out.loc[at, ["lat", "lon"]] = [np.nan, np.nan]
            out.loc[at, ["location_precision", "postcode", "town"]] = ["none", "", ""]
        out.loc[at, list(PRIVATE_FIELDS)] = ""
        out.loc[at, "source_urls"] = public_sources(str(row["source_urls"]))
    return out
