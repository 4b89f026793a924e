"""Privacy property: whatever withheld centre the directory holds, no public output locates its venue.

Hypothesis generates a centre whose address is withheld (``address_withheld=yes``,
``sample=yes``, open, offering supported and supervised contact, with a unique
name and a distinctive street in its notes, opening and referral text and in
its source URL) in four shapes, one test per shape:

* ``full-postcode``: a real English or Welsh postcode (``tests/data/privacy/venue_postcodes.csv``)
  with the venue at that postcode's ONS grid reference;
* ``coordinates-only``: venue coordinates within 4 km of such a postcode, no postcode;
* ``jersey``: a JE2/JE3 postcode and coordinates on Jersey;
* ``unknown-district``: a well-formed postcode whose district the ONS directory
  cannot place, plus GB coordinates.

The centre is added to the bundled directory and every public output is made
from the public network: the exports (CSV, XLSX, GeoJSON, GeoPackage), the court,
local authority and national briefings (HTML and PDF), the families' information
sheets (HTML and PDF), the Open Referral ``/services`` page and the analysis
commands of the CLI, which read a SQLite directory database of the example's own.
For every example:

1. no output holds the venue's full postcode (with or without its space), its
   street, its private text or source page, or a coordinate pair within 500 m of
   the venue. Pairs are neighbouring numbers of the output's text (either order,
   at most one number between), plus every vertex of the GeoPackage's
   geometries. A pair is excused only when public data explains it: it is a
   point of the bundled public data (a court, another centre, an LSOA centroid, a
   local authority boundary vertex; none lies within 10 m of a drawn venue), or
   its two numbers are each a coordinate of that data or of the centre's public
   point. Venues within 500 m of their own public point are discarded: no rule
   can hide those;
2. every distance reported to the withheld centre equals the great-circle distance
   from the other end to its public point (its row of ``PublicNetwork.centres``),
   within 1e-6 km (to the printed 0.1 mile in briefings): courts' nearest centres
   in the analysis, every export format and ``coverage courts``, LSOAs' in the
   analysis, the information sheets' rows; and ``closure`` gives the drive
   minutes to that point;
3. nothing raises and every command exits 0.

:func:`test_the_private_network_measures_to_the_exact_venue` shows the property is
not vacuous: the private network's analysis does measure to the venue, and the
scanner finds the venue in the private directory.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sqlite3
import string
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from bundled import bundled, bundled_public
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree
from test_privacy_guard import readable_text

from millis_network._geo import EARTH_RADIUS_KM
from millis_network.cli import main as cli
from millis_network.config import KM_PER_MILE, CampaignRule, default_data_dir
from millis_network.directory import CENTRE_COLUMNS, TYPED_CENTRE_COLUMNS
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.coverage import centres_near
from millis_network.errors import PostcodeError, PrivacyError
from millis_network.evidence import briefings
from millis_network.evidence.exports import FORMATS, export_files
from millis_network.evidence.information_sheet import (
    information_sheet,
    render_information_sheet_html,
    render_information_sheet_pdf,
)
from millis_network.network import Network, PublicNetwork
from millis_network.places import local_authority_boundaries
from millis_network.postcodes import district_centroid, load_index, locate
from millis_network.store.database import open_store
from millis_network.store.open_referral import services_page

RULE = CampaignRule(include_sample=True)
#: No output may hold a coordinate pair this close to the venue.
HIDDEN_KM = 0.5
#: Distances reported to the withheld centre must match its public point this closely.
DISTANCE_TOLERANCE_KM = 1e-6
#: A pair this close to a point of the bundled public data is that point, not the venue.
PUBLIC_POINT_TOLERANCE_KM = 0.001
#: Venues this close to a point of the bundled public data are discarded (that point is excused).
PUBLIC_POINT_CLEARANCE_KM = 0.01

VENUES = pd.read_csv(Path(__file__).parent / "data" / "privacy" / "venue_postcodes.csv", dtype=str,
                     keep_default_na=False)
#: Well-formed outward codes the ONS Postcode Directory does not place (Q, V and X never begin a postcode).
UNKNOWN_DISTRICTS = ("QJ8", "VW5", "XK2", "XX1", "ZY4", "QA1B", "XZ9", "VX12")
#: Inward codes: a sector digit, then two unit letters (never C, I, K, M, O or V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
#: A box on Jersey, inside the island's bounds (lon -2.25..-2.01, lat 49.165..49.265).
JERSEY_BOX = (-2.22, 49.18, -2.03, 49.245)
#: The family of an information sheet for a Jersey centre lives here, across the sea (Bournemouth: the
#: listed postcode nearest St Helier; the directory cannot place Jersey postcodes for families).
JERSEY_FAMILY_POSTCODE = "BH8 0NJ"
CASES = ("full-postcode", "coordinates-only", "jersey", "unknown-district")

#: Each example builds every output (seconds): few examples, no deadline, and no explain phase (it reruns many).
SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


# ---------------------------------------------------------------- the generated centre


@dataclass(frozen=True)
class Withheld:
    """One generated withheld centre: its record and where its venue really is."""

    case: str
    token: str
    street: str
    postcode: str
    lat: float
    lon: float
    jurisdiction: str
    town: str
    precision: str
    family_postcode: str

    @property
    def id(self) -> str:
        return f"sample-withheld-{self.token}"

    @property
    def name(self) -> str:
        return f"SAMPLE withheld centre {self.token.capitalize()}"

    @property
    def notes(self) -> str:
        return f"Venue: the church hall, {self.street}; use the side door."

    @property
    def opening(self) -> str:
        return f"Alternate Saturdays 10:00-12:00 at {self.street}"

    @property
    def referral(self) -> str:
        return f"Referral forms to the coordinator at {self.street}"

    @property
    def source_url(self) -> str:
        return f"https://{self.token}.example.org/centres/{self.street.lower().replace(' ', '-')}"

    def record(self) -> dict[str, str]:
        """The directory fields as the CSV and the store hold them (text)."""
        values = dict.fromkeys(CENTRE_COLUMNS, "")
        values.update(
            id=self.id, name=self.name, jurisdiction=self.jurisdiction, town=self.town, postcode=self.postcode,
            location_precision=self.precision, lat=repr(self.lat), lon=repr(self.lon),
            services="supported; supervised", accreditation="not stated", opening=self.opening,
            referral=self.referral, address_withheld="yes", status="open", source_urls=self.source_url,
            sample="yes", notes=self.notes,
        )
        return values

    def secrets(self) -> tuple[str, ...]:
        """Text no public output may hold."""
        postcodes = (self.postcode, self.postcode.replace(" ", "")) if self.postcode else ()
        return (*postcodes, self.street, self.notes, self.opening, self.referral, self.source_url)

    @property
    def street_word(self) -> str:
        """The street's distinctive word (searched case-insensitively, so a slug or a line break cannot hide it)."""
        return self.street.split()[1]


def _inward() -> st.SearchStrategy[str]:
    return st.builds(lambda d, a, b: f"{d}{a}{b}", st.integers(0, 9), st.sampled_from(UNIT_LETTERS),
                     st.sampled_from(UNIT_LETTERS))


@st.composite
def withheld_centres(draw: st.DrawFn, case: str) -> Withheld:
    # Disjoint alphabets, so the street's word never hides inside the centre's (public) name.
    token = draw(st.text(string.ascii_lowercase[:13], min_size=10, max_size=12))
    street_word = draw(st.text(string.ascii_lowercase[13:], min_size=9, max_size=12)).capitalize()
    street = f"{draw(st.integers(1, 240))} {street_word} {draw(st.sampled_from(['Street', 'Lane', 'Road', 'Mews']))}"
    base = VENUES.iloc[draw(st.integers(0, len(VENUES) - 1))]
    base_location = locate(base["postcode"])

    def near_base() -> tuple[float, float]:
        north_km, east_km = draw(st.floats(-4, 4)), draw(st.floats(-4, 4))
        lat = base_location.lat + north_km / 111.2
        return float(lat), float(base_location.lon + east_km / (111.2 * np.cos(np.radians(lat))))

    common = {"token": token, "street": street, "town": base["town"], "jurisdiction": base["jurisdiction"],
              "family_postcode": base["postcode"]}
    if case == "full-postcode":
        return Withheld(case, postcode=base["postcode"], lat=base_location.lat, lon=base_location.lon,
                        precision="postcode", **common)
    if case == "coordinates-only":
        lat, lon = near_base()
        return Withheld(case, postcode="", lat=lat, lon=lon, precision=draw(st.sampled_from(["town", "district"])),
                        **common)
    if case == "unknown-district":
        lat, lon = near_base()
        postcode = f"{draw(st.sampled_from(UNKNOWN_DISTRICTS))} {draw(_inward())}"
        return Withheld(case, postcode=postcode, lat=lat, lon=lon, precision="postcode", **common)
    west, south, east, north = JERSEY_BOX
    postcode = f"{draw(st.sampled_from(['JE2', 'JE3']))} {draw(_inward())}"
    common.update(town="St Helier", jurisdiction="Jersey", family_postcode=JERSEY_FAMILY_POSTCODE)
    return Withheld(case, postcode=postcode, lat=draw(st.floats(south, north)), lon=draw(st.floats(west, east)),
                    precision="postcode", **common)


# ---------------------------------------------------------------- geometry


def haversine_km(lat1: object, lon1: object, lat2: object, lon2: object) -> np.ndarray:
    """Great-circle km on the package's sphere, by the haversine formula (independent of the package's code)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dp, dl = p2 - p1, np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


@dataclass(frozen=True)
class PublicData:
    """The points of the bundled public data an output may print: courts, centres, LSOA centroids, boundary vertices.

    None of them is derived from a generated venue. ``tree`` finds the nearest
    (unit vectors); ``lats`` and ``lons`` are every coordinate value, sorted.
    """

    tree: cKDTree
    lats: np.ndarray
    lons: np.ndarray


@lru_cache(maxsize=1)
def public_data() -> PublicData:
    network = bundled_public()
    centres = network.centres.dropna(subset=["lat", "lon"])
    vertices = shapely.get_coordinates(local_authority_boundaries().geometry.to_numpy())
    lat = np.concatenate([network.courts["lat"], centres["lat"], network.lsoas["lat"], vertices[:, 1]]).astype(float)
    lon = np.concatenate([network.courts["lon"], centres["lon"], network.lsoas["lon"], vertices[:, 0]]).astype(float)
    return PublicData(cKDTree(_unit(lat, lon)), np.unique(lat), np.unique(lon))


def km_to_public_data(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle km from each point to the nearest point of the bundled public data."""
    chord, _ = public_data().tree.query(_unit(np.atleast_1d(lat), np.atleast_1d(lon)), k=1)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))


# ---------------------------------------------------------------- the scanner


_NUMBER = re.compile(r"-?\d+\.\d+")
#: A time of day with fractional seconds ("00:00:00.000" in a timestamp): its "00.000" is no coordinate.
_CLOCK_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}:\d{2}(?:\.\d+)?")
#: How far apart (in the text's sequence of numbers) a latitude and its longitude may be.
_PAIR_WINDOW = 2


def numbers_in(text: str) -> np.ndarray:
    """Every decimal number of a text, in order, leaving out the seconds of times of day.

    A venue near the Greenwich meridian is within metres of longitude 0, so a
    timestamp's "00.000" beside another centre's latitude would read as a
    point near it.
    """
    return np.array(_NUMBER.findall(_CLOCK_TIME.sub(" ", text)), dtype=float)


def _pairs(numbers: np.ndarray) -> np.ndarray:
    """(lat, lon) candidates: each number with each of its next ``_PAIR_WINDOW`` numbers, in both orders."""
    parts = [np.empty((0, 2))]
    for k in range(1, _PAIR_WINDOW + 1):
        if numbers.size > k:
            first, second = numbers[:-k], numbers[k:]
            parts += [np.column_stack([first, second]), np.column_stack([second, first])]
    return np.concatenate(parts)


def near_pairs(pairs: np.ndarray, centre: Withheld, point: tuple[float, float]) -> np.ndarray:
    """The (lat, lon) rows of ``pairs`` within :data:`HIDDEN_KM` of the venue that public data does not explain.

    A pair is explained when it is a point of the bundled public data (to
    :data:`PUBLIC_POINT_TOLERANCE_KM`, so rounded prints count), or when its
    latitude and its longitude are each exactly a coordinate of that data or of
    the centre's public ``point``: neighbouring numbers of two public points
    (one boundary vertex's latitude and the next one's longitude, say) are no
    information about the venue.
    """
    box = (np.abs(pairs[:, 0] - centre.lat) < 0.01) & (np.abs(pairs[:, 1] - centre.lon) < 0.02)
    close = pairs[box]
    close = close[haversine_km(close[:, 0], close[:, 1], centre.lat, centre.lon) < HIDDEN_KM]
    if close.size:
        data = public_data()
        mixed = (np.isin(close[:, 0], data.lats) | (close[:, 0] == point[0])) & (
            np.isin(close[:, 1], data.lons) | (close[:, 1] == point[1]))
        close = close[~mixed]
    if close.size:
        close = close[km_to_public_data(close[:, 0], close[:, 1]) > PUBLIC_POINT_TOLERANCE_KM]
    return close


#: Columns whose name gives them a unit other than degrees (minutes, km, miles, shares, counts of people or
#: LSOAs): their numbers are read as what they say they are, never paired up as a latitude and a longitude.
_NOT_DEGREES = re.compile(r"minutes|_km|_miles|share|people|population|lsoas|signatures|count|per_")


def coordinate_text(frames: Iterable[pd.DataFrame]) -> str:
    """The rows of ``frames`` as text, one row a line, without the columns :data:`_NOT_DEGREES` names.

    A table's "51.33" median minutes beside the next row's "0.544" share of
    people is no point near a venue; its ``lat`` and ``lon`` columns, and every
    column of text, are still scanned.
    """
    lines = []
    for frame in frames:
        kept = frame[[c for c in frame.columns if not _NOT_DEGREES.search(str(c))]]
        lines += [" ".join(map(str, kept.columns)), *(" ".join(map(str, row)) for row in kept.itertuples(index=False))]
    return "\n".join(lines)


def tabular_contents(name: str, body: bytes) -> tuple[str, np.ndarray]:
    """An export's numbers for the pair scan and its geometry vertices.

    A CSV, XLSX or GeoJSON table gives :func:`coordinate_text`; any other file
    (a provenance record) its whole text.
    """
    if name.endswith(".xlsx"):
        return coordinate_text(pd.read_excel(io.BytesIO(body), sheet_name=None, dtype=str,
                                             keep_default_na=False).values()), np.empty((0, 2))
    if name.endswith(".csv"):
        return coordinate_text([pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)]), np.empty((0, 2))
    if not name.endswith(".geojson"):
        return body.decode("utf-8"), np.empty((0, 2))
    features = json.loads(body)["features"]
    geometries = shapely.from_geojson([json.dumps(f["geometry"]) for f in features if f.get("geometry")])
    vertices = shapely.get_coordinates(np.asarray(geometries))[:, ::-1] if len(geometries) else np.empty((0, 2))
    return coordinate_text([pd.DataFrame([f["properties"] for f in features])]), vertices


def gpkg_contents(body: bytes, folder: Path) -> tuple[str, str, np.ndarray]:
    """A GeoPackage as a reader sees it: its rows as text, its attributes for the pair scan, its vertices.

    As :func:`test_privacy_guard.readable_text`, but the R-tree index tables
    (``rtree_*``) are left out of the text: they hold float32 envelopes of the
    geometries, whose every vertex is checked exactly here instead, and the
    corners of a boundary's envelope are no point of the data. The second text
    is every layer's attributes as :func:`coordinate_text` gives them.
    """
    path = folder / "scanned.gpkg"
    path.write_bytes(body)
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not r[0].startswith("rtree_")]
        lines = []
        for table in tables:
            lines.append(" ".join(r[1] for r in db.execute(f'PRAGMA table_info("{table}")')))
            lines += [" ".join(str(v) for v in row) for row in db.execute(f'SELECT * FROM "{table}"')]
    parts, attributes = [np.empty((0, 2))], []
    for layer, geometry_type in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=layer)
        if geometry_type is not None:
            parts.append(shapely.get_coordinates(frame.geometry.to_numpy())[:, ::-1])
        attributes.append(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
    path.unlink()
    return "\n".join(lines), coordinate_text(attributes), np.concatenate(parts)


_EMBEDDED_IMAGE = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")


def leaks(
    name: str, text: str, centre: Withheld, point: tuple[float, float], *, vertices: np.ndarray | None = None,
    numbers: str | None = None,
) -> list[str]:
    """What an output reveals about the venue (empty when nothing).

    Secrets are looked for in ``text``; coordinate pairs in ``numbers`` (a
    table's :func:`coordinate_text`) when given, else in ``text``, and among
    ``vertices``. Embedded images (the briefings' maps) are left out: their
    base64 is no text a reader sees, and runs such as ``AAAAAAAAA`` in it would
    match short secrets.
    """
    found: list[str] = []
    text = _EMBEDDED_IMAGE.sub("[image]", text)
    flat = " ".join(text.split())
    for secret in centre.secrets():
        if secret in text or secret in flat:
            found.append(f"{name} holds {secret!r}")
    if centre.street_word.lower() in flat.lower():
        found.append(f"{name} holds the street name {centre.street_word!r}")
    pairs = _pairs(numbers_in(text if numbers is None else numbers))
    if vertices is not None:
        pairs = np.concatenate([pairs, vertices])
    for lat, lon in near_pairs(pairs, centre, point)[:3]:
        metres = 1000 * float(haversine_km(lat, lon, centre.lat, centre.lon))
        found.append(f"{name} holds ({float(lat)!r}, {float(lon)!r}), {metres:.0f} m from the venue")
    return found


# ---------------------------------------------------------------- distances


def distance_problems(
    name: str, table: pd.DataFrame, centre_id: str, point: tuple[float, float],
) -> tuple[int, list[str]]:
    """Rows nearest to ``centre_id`` whose km (or miles) is not the distance from their lat/lon to ``point``.

    Returns:
        How many distances were checked, and the problems.
    """
    checked, problems = 0, []
    for service in ("supported", "supervised"):
        id_column = f"nearest_{service}_id"
        if id_column not in table:
            continue
        rows = table[table[id_column].astype(str) == centre_id]
        if rows.empty:
            continue
        expected = haversine_km(rows["lat"].astype(float), rows["lon"].astype(float), *point)
        for unit, scale in (("km", 1.0), ("miles", KM_PER_MILE)):
            column = f"nearest_{service}_{unit}"
            if column not in rows:
                continue
            reported = rows[column].astype(float).to_numpy() * scale
            checked += len(rows)
            wrong = np.abs(reported - expected) > DISTANCE_TOLERANCE_KM
            problems += [f"{name}: {column} of {row_id} is {value:.9f} km, {want:.9f} km to the public point"
                         for row_id, value, want in zip(rows.iloc[:, 0][wrong], reported[wrong], expected[wrong])]
    return checked, problems


def _briefing_tables(briefing: briefings.Briefing) -> Iterator[briefings.BriefingTable]:
    for section in briefing.sections:
        if section.table is not None:
            yield section.table


def briefing_distance_problems(
    briefing: briefings.Briefing, centre: Withheld, point: tuple[float, float], origin: tuple[float, float],
) -> tuple[int, list[str]]:
    """The withheld centre's rows in "Nearest contact centres" must give the miles from ``origin`` to its public point."""
    miles = f"{float(haversine_km(*origin, *point)) / KM_PER_MILE:.1f} miles"
    checked, problems = 0, []
    for table in _briefing_tables(briefing):
        if "Distance" not in table.columns:
            continue
        at_name, at_distance = table.columns.index("Centre"), table.columns.index("Distance")
        for row in table.rows:
            if row[at_name].startswith(centre.name):
                checked += 1
                if row[at_distance] != miles:
                    problems.append(f"{briefing.file_stem}: {row[at_distance]} to the withheld centre, {miles} to "
                                    "its public point")
    return checked, problems


# ---------------------------------------------------------------- building one example


def private_network(centre: Withheld) -> Network:
    base = bundled()
    row: dict[str, object] = centre.record()
    row.update(lat=centre.lat, lon=centre.lon, supported=True, supervised=True)
    table = pd.concat([base.centres, pd.DataFrame([row], columns=list(TYPED_CENTRE_COLUMNS))], ignore_index=True)
    return base.with_centres(table)


def public_point(public: PublicNetwork, centre: Withheld) -> tuple[float, float]:
    row = public.centres[public.centres["id"] == centre.id].iloc[0]
    return float(row["lat"]), float(row["lon"])


def usable(centre: Withheld, point: tuple[float, float]) -> None:
    """Discard venues no rule could hide, or that sit on a point of the bundled public data."""
    note(f"withheld centre: {centre}")
    note(f"public point: {point}, {float(haversine_km(centre.lat, centre.lon, *point)):.3f} km from the venue")
    assume(float(haversine_km(centre.lat, centre.lon, *point)) > HIDDEN_KM)
    assume(float(km_to_public_data(centre.lat, centre.lon)[0]) > PUBLIC_POINT_CLEARANCE_KM)


def court_to_brief(analysis: Analysis, centre: Withheld, point: tuple[float, float]) -> str:
    """A court whose nearest supported or supervised centre is the withheld one, else the court nearest its point."""
    coverage = analysis.court_coverage
    served = coverage[(coverage["nearest_supported_id"] == centre.id)
                      | (coverage["nearest_supervised_id"] == centre.id)]
    if len(served):
        return str(served["court_id"].iloc[0])
    return str(coverage["court_id"].iloc[int(np.argmin(haversine_km(coverage["lat"], coverage["lon"], *point)))])


def area_to_brief(analysis: Analysis, centre: Withheld, point: tuple[float, float]) -> str:
    """The local authority with most LSOAs nearest to the withheld centre, else that of the LSOA nearest its point."""
    reach = analysis.area_reach
    served = reach[(reach["nearest_supported_id"] == centre.id) | (reach["nearest_supervised_id"] == centre.id)]
    if len(served):
        return str(served["local_authority_code"].value_counts().index[0])
    return str(reach["local_authority_code"].iloc[int(np.argmin(haversine_km(reach["lat"], reach["lon"], *point)))])


def sheet_length(public: PublicNetwork, centre: Withheld, service: str) -> int:
    """How many centres an information sheet must list so that the withheld centre is on it."""
    family = locate(centre.family_postcode)
    near = centres_near(family.lat, family.lon, public.centres, rule=RULE, service=service,  # type: ignore[arg-type]
                        n=len(public.centres), model=public.model, settlements=public.settlements)
    return max(3, int(np.flatnonzero(near["id"].to_numpy() == centre.id)[0]) + 1)


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite directory database loaded from the bundled network_data (examples get copies)."""
    path = tmp_path_factory.mktemp("privacy-seed") / "directory.sqlite"
    open_store(path, seed_from=default_data_dir()).close()
    return path


def run_cli(argv: list[str]) -> str:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli(argv)
    assert code == 0, f"millis-network {' '.join(argv)} exited {code}: {stderr.getvalue()}"
    return stdout.getvalue()


# ---------------------------------------------------------------- the property


def check_every_output(centre: Withheld, seeded: Path) -> None:
    """Build every public output for one withheld centre and check the three properties."""
    private = private_network(centre)
    public = private.public()
    point = public_point(public, centre)
    usable(centre, point)
    found: list[str] = []
    checked: dict[str, int] = {}

    def distances(name: str, result: tuple[int, list[str]]) -> None:
        checked[name] = checked.get(name, 0) + result[0]
        found.extend(result[1])

    # The public row itself: district (or island) only, private fields gone.
    row = public.centres[public.centres["id"] == centre.id].iloc[0]
    assert row["location_precision"] == ("island" if centre.case == "jersey" else "district"), row.to_dict()
    assert (row["opening"], row["referral"], row["notes"]) == ("", "", "")
    assert row["source_urls"] == f"https://{centre.token}.example.org/"
    if centre.case == "jersey":
        assert row["postcode"] == ""
    else:
        assert point == pytest.approx(district_centroid(row["postcode"]), abs=1e-12)
    if centre.case == "full-postcode":
        assert row["postcode"] == centre.postcode.split()[0]

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)

        # The analysis every library output is computed from.
        analysis = run_analysis(public, RULE)
        distances("analysis court_coverage", distance_problems("analysis court_coverage", analysis.court_coverage,
                                                               centre.id, point))
        distances("analysis area_reach", distance_problems("analysis area_reach", analysis.area_reach, centre.id,
                                                           point))

        # Exports, every format.
        for fmt in FORMATS:
            files = export_files(analysis, fmt=fmt)
            for name, body in files.items():
                if name.endswith(".xlsx"):
                    sheets = pd.read_excel(io.BytesIO(body), sheet_name=["court_coverage", "gaps"], dtype=str,
                                           keep_default_na=False)
                if name.endswith(".gpkg"):
                    text, numbers, vertices = gpkg_contents(body, scratch)
                else:
                    text = readable_text(name, body, scratch)
                    numbers, vertices = tabular_contents(name, body)
                found += leaks(f"export {name}", text, centre, point, vertices=vertices, numbers=numbers)
                for table in ("court_coverage", "gaps"):
                    frame = None
                    if name == f"{table}.csv":
                        frame = pd.read_csv(io.BytesIO(body), dtype={"nearest_supported_id": str,
                                                                     "nearest_supervised_id": str})
                    elif name == f"{table}.geojson":
                        frame = pd.DataFrame([f["properties"] for f in json.loads(body)["features"]])
                    elif name.endswith(".xlsx"):
                        frame = sheets[table]
                    elif name.endswith(".gpkg"):
                        path = scratch / name
                        path.write_bytes(body)
                        frame = pyogrio.read_dataframe(path, layer=table, read_geometry=False)
                    if frame is not None:
                        distances(f"{fmt} {table}", distance_problems(f"export {name} {table}", frame, centre.id,
                                                                      point))
            if fmt == "csv":
                directory = pd.read_csv(io.BytesIO(files["public_directory.csv"]), dtype=str, keep_default_na=False)
                assert centre.name in set(directory["name"]), "the withheld centre is missing from the directory export"

        # Briefings: the court and the local authority nearest the centre, and the national one.
        inputs = briefings.briefing_inputs(analysis)
        court_id = court_to_brief(analysis, centre, point)
        area_code = area_to_brief(analysis, centre, point)
        court = analysis.court_coverage.set_index("court_id").loc[court_id]
        area = analysis.area_reach[analysis.area_reach["local_authority_code"] == area_code]
        court_briefing = briefings.court_briefing(inputs, court_id)
        area_briefing = briefings.local_authority_briefing(inputs, area_code)
        distances("court briefing", briefing_distance_problems(
            court_briefing, centre, point, (float(court["lat"]), float(court["lon"]))))
        distances("local authority briefing", briefing_distance_problems(
            area_briefing, centre, point, (float(area["lat"].mean()), float(area["lon"].mean()))))
        for briefing in (court_briefing, area_briefing, briefings.national_briefing(inputs)):
            for fmt in briefings.BRIEFING_FORMATS:
                name = f"{briefing.file_stem}.{fmt}"
                found += leaks(name, readable_text(name, briefings.render(briefing, fmt=fmt), scratch), centre, point)

        # Information sheets for a family near the centre (at the venue's own postcode when it has a real one,
        # which the sheet must not print either), long enough to list it.
        family = locate(centre.family_postcode)
        for service in ("supported", "supervised"):
            sheet = information_sheet(centre.family_postcode, public, service=service,  # type: ignore[arg-type]
                                      rule=RULE, n=sheet_length(public, centre, service))
            listed = [c for c in sheet.centres if c.name == centre.name]
            assert len(listed) == 1, "the withheld centre is missing from the information sheet"
            want = float(haversine_km(family.lat, family.lon, *point))
            checked["information sheet"] = checked.get("information sheet", 0) + 1
            if abs(listed[0].distance_miles * KM_PER_MILE - want) > DISTANCE_TOLERANCE_KM:
                found.append(f"{service} information sheet: {listed[0].distance_miles * KM_PER_MILE:.9f} km to the "
                             f"withheld centre, {want:.9f} km to its public point")
            found += leaks(f"{service} information sheet (fields)", repr(sheet), centre, point)
            found += leaks(f"{service} information sheet.html", render_information_sheet_html(sheet), centre, point)
            found += leaks(f"{service} information sheet.pdf",
                           readable_text("sheet.pdf", render_information_sheet_pdf(sheet), scratch), centre, point)

        # Open Referral UK /services.
        page = services_page(public, include_sample=True)
        service_rows = [s for s in page["contents"] if s["name"] == f"{centre.name} (SAMPLE)"]
        assert len(service_rows) == 1, "the withheld centre is missing from the Open Referral page"
        found += leaks("open referral /services", json.dumps(page), centre, point)

        # The CLI, on a directory database of this example's own.
        database = scratch / "directory.sqlite"
        shutil.copy(seeded, database)
        with open_store(database) as store:
            store.add_centre(centre.record(), who="privacy property test")
        commands = {
            "coverage courts": ["coverage", "courts", "--json"],
            "coverage areas": ["coverage", "areas", "--json"],
            "closure": ["closure", centre.id, "--json"],
            "recommend": ["recommend", "--sites", "3", "--json"],
            "history as-of": ["history", "as-of", "2020", "--json"],
            "history lost-since": ["history", "lost-since", "2019", "--json"],
            "scenario statutory-network": ["scenario", "statutory-network", "--json"],
            "coverage constituencies": ["coverage", "constituencies", "--json"],
            "history timeline": ["history", "timeline", "--court", court_id, "--json"],
        }
        printed = {what: run_cli([*argv, "--include-sample", "--db", str(database)]) for what, argv in commands.items()}
        for what, text in printed.items():
            found += leaks(f"millis-network {what}", text, centre, point)
        cli_courts = pd.DataFrame(json.loads(printed["coverage courts"]))
        distances("cli coverage courts", distance_problems("millis-network coverage courts", cli_courts, centre.id,
                                                           point))
        # Drive times too: closing the centre, the "before" minutes are those to its public point.
        before = pd.DataFrame(json.loads(printed["closure"])["courts"], columns=["court_id", *(
            f"{service}_minutes_before" for service in ("supported", "supervised"))]).set_index("court_id")
        coverage = analysis.court_coverage.set_index("court_id")
        for service in ("supported", "supervised"):
            nearest = coverage[coverage[f"nearest_{service}_id"] == centre.id].index.intersection(before.index)
            gap = (before.loc[nearest, f"{service}_minutes_before"].astype(float)
                   - coverage.loc[nearest, f"nearest_{service}_minutes"]).abs()
            checked["cli closure minutes"] = checked.get("cli closure minutes", 0) + len(nearest)
            found += [f"millis-network closure: {service} minutes before at {court} differ by {value:.3g} from "
                      "those to the public point" for court, value in gap[~(gap <= 1e-9)].items()]
        assert centre.name in printed["history as-of"], "the withheld centre is missing from history as-of"

    note(f"distances checked: {checked}")
    event("a court's nearest centre is the withheld one" if checked["cli coverage courts"] else
          "no court's nearest centre is the withheld one")
    assert not found, "public outputs locate the withheld venue:\n" + "\n".join(found)


@pytest.mark.parametrize("case", CASES)
@SETTINGS
@given(data=st.data())
def test_no_public_output_locates_a_withheld_venue(case: str, data: st.DataObject, seeded_database: Path) -> None:
    check_every_output(data.draw(withheld_centres(case), label="centre"), seeded_database)


# ---------------------------------------------------------------- the property is not vacuous


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(centre=st.sampled_from(CASES).flatmap(withheld_centres))
def test_the_private_network_measures_to_the_exact_venue(centre: Withheld) -> None:
    """The private analysis measures to the venue (not its public point), and the scanner sees it in private data."""
    private = private_network(centre)
    point = public_point(private.public(), centre)
    usable(centre, point)
    measured = run_analysis(private, RULE)
    venue = (centre.lat, centre.lon)
    served = 0
    for service in ("supported", "supervised"):
        rows = measured.court_coverage[measured.court_coverage[f"nearest_{service}_id"] == centre.id]
        to_venue = haversine_km(rows["lat"], rows["lon"], *venue)
        to_public = haversine_km(rows["lat"], rows["lon"], *point)
        assert np.abs(rows[f"nearest_{service}_km"].to_numpy() - to_venue).max(initial=0) <= DISTANCE_TOLERANCE_KM
        assume(np.all(np.abs(to_venue - to_public) > 1e-3))
        served += len(rows)
    assert served > 0 or centre.case == "jersey"
    assert distance_problems("private", measured.court_coverage, centre.id, point)[1] or not served
    found = leaks("private directory", private.centres[list(CENTRE_COLUMNS)].to_csv(index=False), centre, point)
    assert any("m from the venue" in problem for problem in found), found
    assert any(repr(centre.street) in problem for problem in found), found
    assert bool(centre.postcode) == any(repr(centre.postcode) in problem for problem in found), found
    with pytest.raises(PrivacyError):
        export_files(measured, fmt="csv")


def test_the_scanner_finds_a_venue_however_it_is_printed() -> None:
    """Neighbouring numbers in either order, rounded to ~10 m, in JSON, CSV or prose; not a point 600 m away."""
    point = district_centroid("CF3")
    lat, lon = round(point[0] + 0.002, 7), round(point[1] + 0.012, 7)  # 0.2 km north, 0.8 km east of the centroid
    centre = Withheld("full-postcode", "abcdefghij", "12 Quixotically Lane", "CF3 5PL", lat, lon, "Wales", "Cardiff",
                      "postcode", "CF3 5PL")
    east_600_m = lon + 0.6 / (111.2 * np.cos(np.radians(lat)))
    for text in (f'{{"lat": {lat}, "lon": {lon}}}', f"[{lon:.5f}, {lat:.5f}]", f"x,{lat:.4f},{lon:.4f},y",
                 f"{lat} miles, 4.2 min, {lon}", f"{point[0]!r}, {lon}"):
        assert leaks("t", text, centre, point), text
    for text in (f'{{"lat": {lat}, "lon": {east_600_m}}}', f"{lat}, 7.0, 8.0, {lon}", f"{point[0]!r}, {point[1]!r}"):
        assert not leaks("t", text, centre, point), text
    assert leaks("t", "Quixotically-lane", centre, point) and leaks("t", "at CF35PL", centre, point)
    located = pd.DataFrame({"name": ["x"], "lat": [lat], "lon": [lon]})
    assert leaks("t", "", centre, point, numbers=coordinate_text([located]))
    measured = pd.DataFrame({"median_supported_minutes": [lat], "people_share_beyond_50_miles": [lon]})
    assert not leaks("t", "", centre, point, numbers=coordinate_text([measured]))


def test_unknown_districts_are_well_formed_and_unplaceable() -> None:
    """The ``unknown-district`` case really gives a district the ONS directory cannot place."""
    index = load_index()
    for district in UNKNOWN_DISTRICTS:
        with pytest.raises(PostcodeError):
            district_centroid(district, index=index)
        with pytest.raises(PostcodeError):
            locate(f"{district} 1AB", index=index)
