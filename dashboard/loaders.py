"""Data loaders for the dashboard pages: the only place caching is applied.

Every page reads the live directory: the database at ``$MILLIS_NETWORK_DB``
(or the default one under the cache folder), seeded from the bundled
``network_data/`` while it holds no centres. Pages see it only as the public
network (:meth:`millis_network.network.Network.public`): a centre whose address
is withheld sits at its district or coarser, without its private fields; only
the Directory page's editor view reads the private one, from the store.

Caches are keyed on the rule (and other widget values, passed in as
arguments) and on the directory's revision (:func:`network_key`), so an
accepted edit or import shows on every page at the next rerun. Cached values
are shared by every session, so each loader hands its caller a copy
(:func:`_detached`): no visitor can change another's frames. Nothing a visitor
uploads is ever passed to a cached function: uploads stay in that visitor's
session only.

Importing this module loads only what the coverage map (the landing page)
needs. Loaders for the other pages import their library modules when first
called, so a new visitor does not wait for the PDF and chart libraries
before the map appears.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import geopandas as gpd
import map_layers
import pandas as pd
import streamlit as st

from millis_network._geo import WGS84
from millis_network.config import CampaignRule, default_data_dir
from millis_network.directory import millis_profile as directory_profile
from millis_network.engine import history, scenario
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.evidence import funding
from millis_network.network import PublicNetwork
from millis_network.places import local_authority_boundaries
from millis_network.postcodes import PostcodeIndex, load_index
from millis_network.store.database import Store, default_database_url, open_store

if TYPE_CHECKING:
    from millis_network import standards as std
    from millis_network.engine.constituencies import PetitionJoin
    from millis_network.evidence.briefings import BriefingInputs
    from millis_network.places import ConstituencyMatch
    from millis_network.sources.petitions import PetitionFigures
    from millis_network.store import editors, suggestions

P = ParamSpec("P")
T = TypeVar("T")


def _detached(value: T) -> T:
    """A copy of a cached value that its caller may change freely: frames copied, containers rebuilt.

    Models, indexes and other immutable parts are shared; every DataFrame in
    the value (at any depth of dataclasses, dicts, lists and tuples) is a copy.
    A dataclass's cached properties already worked out on the cached value
    (such as :attr:`Network.completeness`) come with the copy, detached, rather
    than being worked out again on every rerun.
    """
    if isinstance(value, pd.DataFrame):
        return value.copy()  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _detached(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        copy = dataclasses.replace(value, **fields)  # type: ignore[type-var]
        names = {f.name for f in dataclasses.fields(value)}
        known = getattr(value, "__dict__", {})
        copy.__dict__.update({name: _detached(item) for name, item in known.items() if name not in names})
        return copy
    if isinstance(value, dict):
        return {key: _detached(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(_detached(item) for item in value)  # type: ignore[return-value]
    return value


def detached_cache(show_spinner: bool | str = False) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """``st.cache_resource`` whose callers each get a :func:`_detached` copy of the one cached value."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        cached = st.cache_resource(show_spinner=show_spinner)(function)

        @functools.wraps(function)
        def detached(*args: P.args, **kwargs: P.kwargs) -> T:
            return _detached(cached(*args, **kwargs))

        detached.clear = cached.clear  # type: ignore[attr-defined]
        return detached

    return decorate


@st.cache_data(show_spinner=False)
def standards() -> std.Standards:
    """The bundled minimum training standards (``network_data/standards/standards.yaml``)."""
    from millis_network import standards as std

    return std.load_standards()


@st.cache_data(show_spinner=False)
def standards_sample_records() -> std.Records:
    """The bundled Milli's sample (illustrative) roster, read against the bundled standards."""
    from millis_network import standards as std

    return std.load_records(std.default_sample_path(), std.load_standards())


@st.cache_resource(show_spinner="Opening the directory database…")
def directory_store(url: str) -> Store:
    """The directory database at ``url`` (migrated; loaded from the bundled network_data/ while it holds no centres).

    One connection pool per URL, shared by every session: each write is its
    own version-checked transaction, so sessions cannot overwrite each other.
    """
    return open_store(url, seed_from=default_data_dir())


def store() -> Store:
    """The dashboard's directory database (``$MILLIS_NETWORK_DB`` or the default one)."""
    return directory_store(default_database_url())


def network_key() -> str:
    """The directory's current revision as a cache key: one indexed query, asked on every rerun."""
    revision, at = store().revision()
    return f"{revision}:{at}"


@st.cache_resource(show_spinner="Reading the directory…")
def _public_network(key: str) -> PublicNetwork:
    network = store().network().public()
    # Every page's data notice states it: worked out here, the copies _detached hands out (and every
    # analysis of this network, any rule or jurisdiction) carry it instead of each working it out again.
    network.completeness  # noqa: B018  (a cached property, filled here)
    return network


def public_network() -> PublicNetwork:
    """The live directory's public network at its current revision (a copy of the cached one)."""
    return _detached(_public_network(network_key()))


@st.cache_resource(show_spinner="Working out national coverage…")
def _national_analysis(rule: CampaignRule, key: str) -> Analysis:
    return run_analysis(_public_network(key), rule)


@st.cache_resource(show_spinner=False)
def _jurisdiction_analysis(rule: CampaignRule, jurisdiction: str, key: str) -> Analysis:
    return _national_analysis(rule, key).in_jurisdiction(jurisdiction)


def _analysis(rule: CampaignRule, jurisdiction: str, key: str) -> Analysis:
    return _jurisdiction_analysis(rule, jurisdiction, key) if jurisdiction else _national_analysis(rule, key)


def analysis(rule: CampaignRule, jurisdiction: str = "") -> Analysis:
    """The public analysis under ``rule``, limited to ``jurisdiction`` ("" = all), at the current revision."""
    return _detached(_analysis(rule, jurisdiction, network_key()))


def public_directory() -> pd.DataFrame:
    """The live directory's centres as public views may show them (withheld addresses at district or coarser)."""
    return _detached(_public_network(network_key()).centres)


@st.cache_resource(show_spinner=False)
def local_authority_areas() -> dict[str, Any]:
    """Local authority polygons simplified for the web map (GeoJSON dict, WGS84).

    Read only, shared by every session and not copied: a copy of its tens of
    thousands of coordinate lists would cost more than the map it feeds.
    """
    return map_layers.simplified_areas(local_authority_boundaries())


@detached_cache()
def _headline(rule: CampaignRule, jurisdiction: str, key: str) -> dict[str, Any]:
    return _analysis(rule, jurisdiction, key).headline()


def headline(rule: CampaignRule, jurisdiction: str = "") -> dict[str, Any]:
    """:meth:`millis_network.engine.analysis.Analysis.headline` of :func:`analysis` (courts meeting the rule, reach shares)."""
    return _headline(rule, jurisdiction, network_key())


@st.cache_resource(show_spinner=False)
def _area_summary(rule: CampaignRule, jurisdiction: str, service: str, key: str) -> pd.DataFrame:
    return _analysis(rule, jurisdiction, key).summary(service=service, by="local_authority")  # type: ignore[arg-type]


def area_summary(rule: CampaignRule, jurisdiction: str, service: str) -> pd.DataFrame:
    """Drive to the nearest ``service`` centre by local authority (the map's area layer and table)."""
    return _detached(_area_summary(rule, jurisdiction, service, network_key()))


@st.cache_resource(show_spinner=False)
def _area_layer(
    rule: CampaignRule, jurisdiction: str, service: str, key: str, _measured_under: CampaignRule
) -> map_layers.DrawableAreas:
    """Cached under ``rule`` (at the default threshold); worked out from the analysis under ``_measured_under``,
    the visitor's rule, which differs from it at most in the threshold (so no second analysis is needed)."""
    return map_layers.coverage_areas(map_layers.area_features(
        local_authority_areas(), _area_summary(_measured_under, jurisdiction, service, key), service=service
    ))


def area_layer(rule: CampaignRule, jurisdiction: str, service: str) -> map_layers.DrawableAreas:
    """The coverage map's drive-time layer for one rule, jurisdiction and service, ready to draw (immutable, shared).

    It shows median drives, which do not depend on the reach threshold: every
    threshold shares the layer of :meth:`CampaignRule.at_default_threshold`.
    """
    return _area_layer(rule.at_default_threshold(), jurisdiction, service, network_key(), _measured_under=rule)


@st.cache_resource(show_spinner="Loading the postcode directory…")
def postcode_index() -> PostcodeIndex:
    """The ONS Postcode Directory index (built and cached on disk on first use; immutable arrays)."""
    return load_index()


@st.cache_data(show_spinner=False)
def sources_markdown() -> str:
    """``network_data/SOURCES.md``: where every bundled file comes from."""
    return (default_data_dir() / "SOURCES.md").read_text(encoding="utf-8")


@st.cache_resource(show_spinner="Preparing briefings…")
def _briefing_inputs(rule: CampaignRule, key: str) -> BriefingInputs:
    from millis_network.evidence import briefings

    return briefings.briefing_inputs(_analysis(rule, "", key), boundaries=local_authority_boundaries())


def briefing_inputs(rule: CampaignRule) -> BriefingInputs:
    """Everything briefings and exports share under ``rule`` (every jurisdiction; the public network)."""
    return _detached(_briefing_inputs(rule, network_key()))


@detached_cache("Costing the gaps…")
def _funding_estimate(
    rule: CampaignRule, annual_cost_per_centre_gbp: float, sla_years: int, annual_uplift: float, key: str
) -> funding.FundingEstimate:
    inputs = _briefing_inputs(rule, key)
    assumptions = funding.default_assumptions(
        annual_cost_per_centre_gbp=annual_cost_per_centre_gbp, sla_years=sla_years, annual_uplift=annual_uplift
    )
    return funding.cost_of_closing_gaps(inputs.analysis, assumptions=assumptions, boundaries=inputs.boundaries)


def funding_estimate(
    rule: CampaignRule, annual_cost_per_centre_gbp: float, sla_years: int, annual_uplift: float
) -> funding.FundingEstimate:
    """The cost of closing the gaps under ``rule`` with the chosen per-centre cost and agreement terms."""
    return _funding_estimate(rule, annual_cost_per_centre_gbp, sla_years, annual_uplift, network_key())


@st.cache_data(show_spinner=False)
def centre_budget() -> funding.CentreBudget:
    """Milli's proposed annual budget (P.119/2014), the default cost of one centre."""
    return funding.millis_budget()


@st.cache_data(show_spinner=False)
def millis_profile() -> dict[str, Any]:
    """Milli's Child Contact Centre as P.119/2014 described it (``network_data/centres/millis.yaml``)."""
    return directory_profile()


@st.cache_resource(show_spinner="Placing the statutory network…")
def _statutory_network(rule: CampaignRule, variant: str, key: str) -> scenario.StatutoryNetwork:
    return scenario.statutory_network(_analysis(rule, "", key), variant=variant)  # type: ignore[arg-type]


def statutory_network(rule: CampaignRule, variant: str) -> scenario.StatutoryNetwork:
    """The campaign's statutory network scenario against today's directory, under ``rule``."""
    return _detached(_statutory_network(rule, variant, network_key()))


@detached_cache()
def _statutory_network_summary(rule: CampaignRule, variant: str, key: str) -> dict[str, Any]:
    return scenario.statutory_network_summary(_statutory_network(rule, variant, key))


def statutory_network_summary(rule: CampaignRule, variant: str) -> dict[str, Any]:
    """:func:`millis_network.engine.scenario.statutory_network_summary` of :func:`statutory_network`."""
    return _statutory_network_summary(rule, variant, network_key())


@st.cache_resource(show_spinner="Adding up people by constituency…")
def _constituency_table(rule: CampaignRule, lost_since: str, key: str) -> pd.DataFrame:
    from millis_network.engine import constituencies

    losses = None
    if lost_since:
        network = _public_network(key)
        losses = history.lsoa_losses(network.lsoas, network.centres, start=lost_since, rule=rule,
                                     model=network.model, settlements=network.settlements)
    return constituencies.constituency_coverage(_statutory_network(rule, "all", key), losses=losses,
                                                lost_since=lost_since)


def constituency_table(rule: CampaignRule, lost_since: str = "") -> pd.DataFrame:
    """People within reach by constituency under ``rule``, with losses since ``lost_since`` ("" for none)."""
    return _detached(_constituency_table(rule, lost_since, network_key()))


@detached_cache()
def constituency_hexes() -> gpd.GeoDataFrame:
    """The constituency hex cartogram (Rae and Brown, 2023; WGS84)."""
    from millis_network.places import constituency_hexes as hexes

    return hexes()


def petition_join(rule: CampaignRule, petition: int) -> tuple[PetitionFigures, PetitionJoin] | None:
    """The stored copy of a petition (no network) joined to :func:`constituency_table`; None when none is stored.

    Returns:
        ``(PetitionFigures, PetitionJoin)``.
    """
    from millis_network.engine.constituencies import join_petition
    from millis_network.sources.petitions import cached_petition

    figures = cached_petition(petition)
    if figures is None:
        return None
    network = _public_network(network_key())
    return figures, join_petition(constituency_table(rule), figures.by_constituency,
                                  constituencies=network.constituencies)


def constituency_of(postcode: str) -> ConstituencyMatch | None:
    """The constituency of a postcode (:func:`millis_network.places.constituency_at`); never cached or logged.

    None when the postcode is outside England and Wales or cannot be placed.
    """
    from millis_network.errors import PostcodeError
    from millis_network.places import constituency_at
    from millis_network.postcodes import locate

    try:
        place = locate(postcode, index=postcode_index())
    except PostcodeError:
        return None
    if place.island:
        return None
    return constituency_at(place.easting_m, place.northing_m, local_authority_code=place.local_authority_code)


@st.cache_resource(show_spinner="Writing the briefing…")
def _constituency_briefing(rule: CampaignRule, gss_code: str, fmt: str, key: str) -> bytes:
    from millis_network.evidence import briefings
    from millis_network.evidence.constituency_briefing import constituency_briefing

    briefing = constituency_briefing(_briefing_inputs(rule, key), _constituency_table(rule, "", key), gss_code)
    return briefings.render(briefing, fmt=fmt)  # type: ignore[arg-type]


def constituency_briefing(rule: CampaignRule, gss_code: str, fmt: str) -> bytes:
    """The MP briefing for one constituency (``pdf`` or ``html``), as ``millis-network brief --constituency`` writes it."""
    return _constituency_briefing(rule, gss_code, fmt, network_key())


@detached_cache()
def _constituency_download(rule: CampaignRule, lost_since: str, fmt: str, key: str) -> bytes:
    from millis_network.evidence.constituency_tables import constituency_export_files
    from millis_network.evidence.exports import zip_bytes

    files = constituency_export_files(_statutory_network(rule, "all", key), _constituency_table(rule, lost_since, key),
                                      fmt=fmt, hexes=constituency_hexes())  # type: ignore[arg-type]
    return zip_bytes(files) if fmt == "csv" else next(iter(files.values()))


def constituency_download(rule: CampaignRule, lost_since: str, fmt: str) -> bytes:
    """The constituency table as a download with its provenance: a ZIP of CSV and sidecar, or the XLSX file."""
    return _constituency_download(rule, lost_since, fmt, network_key())


@detached_cache()
def _campaign_map_frame(rule: CampaignRule, variant: str, band: int, key: str) -> gpd.GeoDataFrame:
    comparison = _statutory_network(rule, variant, key).comparison(by="local_authority")
    shapes = gpd.GeoDataFrame.from_features(local_authority_areas(), crs=WGS84)
    return scenario.comparison_map_frame(comparison, shapes, band=band)


def campaign_map_frame(rule: CampaignRule, variant: str, band: int) -> gpd.GeoDataFrame:
    """Scenario and directory shares within ``band`` minutes per local authority, on simplified boundaries."""
    return _campaign_map_frame(rule, variant, band, network_key())


@detached_cache("Comparing the directory over time…")
def _lost_since(rule: CampaignRule, start: str, key: str) -> history.LostSince:
    network = _public_network(key)
    return history.lost_since(network.courts, network.centres, network.lsoas, start=start, rule=rule,
                              model=network.model, settlements=network.settlements)


def lost_since(rule: CampaignRule, start: str) -> history.LostSince:
    """Courts and areas that lost a suitable centre within reach between ``start`` and today's directory."""
    return _lost_since(rule, start, network_key())


@detached_cache()
def _court_timeline(rule: CampaignRule, court_id: str, key: str) -> pd.DataFrame:
    network = _public_network(key)
    return history.court_timeline(court_id, network.courts, network.centres, rule=rule,
                                  model=network.model, settlements=network.settlements)


def court_timeline(rule: CampaignRule, court_id: str) -> pd.DataFrame:
    """Dated openings and closures within reach of one court (:func:`millis_network.engine.history.court_timeline`)."""
    return _court_timeline(rule, court_id, network_key())


@detached_cache()
def _area_timeline(rule: CampaignRule, local_authority_code: str, key: str) -> pd.DataFrame:
    network = _public_network(key)
    return history.area_timeline(local_authority_code, network.lsoas, network.centres, rule=rule,
                                 model=network.model, settlements=network.settlements)


def area_timeline(rule: CampaignRule, local_authority_code: str) -> pd.DataFrame:
    """Dated openings and closures within reach of one local authority's LSOAs."""
    return _area_timeline(rule, local_authority_code, network_key())


@detached_cache()
def _jersey_transition(key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        history.service_lineage(_public_network(key).centres, "millis-child-contact-centre"),
        history.documented_history(millis_profile()),
    )


def jersey_transition() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Milli's → Centrepoint: the directory's lineage rows and Milli's documented history, with sources."""
    return _jersey_transition(network_key())


def prepare_coverage_map(rule: CampaignRule, jurisdiction: str, service: str) -> None:
    """Fill every cache the coverage map reads under these settings (the server does this as it starts)."""
    headline(rule, jurisdiction)
    area_layer(rule, jurisdiction, service)


def sign_in_throttle() -> editors.SignInThrottle:
    """Checks editors' sign-ins against the dashboard's database; failures are counted there, for every server process."""
    from millis_network.store import editors

    return editors.SignInThrottle(store())


def suggestion_box() -> suggestions.SuggestionBox:
    """The public's suggestions queue in the dashboard's database; its rate limit holds for every server process."""
    from millis_network.store import suggestions

    return suggestions.SuggestionBox(store())
