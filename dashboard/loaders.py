"""Data loaders for the dashboard pages: the only place caching is applied.

Pages call these instead of reading files themselves, so every visitor's
session shares one parsed copy of the bundled data, in the form public views
may show it: a centre whose address is withheld is placed at its postcode
district and its notes are dropped. Widget values are passed in as
arguments. Nothing a visitor uploads is ever passed to a cached function:
uploads stay in that visitor's session only.

Importing this module loads only what the coverage map (the landing page)
needs. Loaders for the other pages import their library modules when first
called, so a new visitor does not wait for the database, PDF and chart
libraries before the map appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import map_layers
import pandas as pd
import streamlit as st

from millis_network.config import CampaignRule, default_data_dir
from millis_network.directory import contact_centres, public_centres
from millis_network.directory import millis_profile as directory_profile
from millis_network.engine import history, scenario
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.evidence import funding
from millis_network.evidence.exports import public_analysis
from millis_network.places import local_authority_boundaries
from millis_network.postcodes import PostcodeIndex, load_index
from millis_network.store import auth

if TYPE_CHECKING:
    from millis_network import standards as std
    from millis_network.evidence.briefings import BriefingInputs
    from millis_network.store.database import Store


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


@st.cache_resource(show_spinner="Working out national coverage…")
def national_analysis(rule: CampaignRule) -> Analysis:
    """The national analysis under ``rule`` as public views may show it (withheld addresses at district level).

    Shared by every session, never mutated, computed once per rule.
    """
    return public_analysis(run_analysis(rule))


@st.cache_resource(show_spinner=False)
def jurisdiction_analysis(rule: CampaignRule, jurisdiction: str) -> Analysis:
    """:func:`national_analysis` limited to one court jurisdiction."""
    return national_analysis(rule).in_jurisdiction(jurisdiction)


def analysis(rule: CampaignRule, jurisdiction: str = "") -> Analysis:
    """The analysis under ``rule``, limited to ``jurisdiction`` ("" = all); both cached."""
    return jurisdiction_analysis(rule, jurisdiction) if jurisdiction else national_analysis(rule)


@st.cache_resource(show_spinner=False)
def public_directory() -> pd.DataFrame:
    """The bundled centres as public views may show them (withheld addresses at district level)."""
    return public_centres(contact_centres())


@st.cache_resource(show_spinner=False)
def local_authority_areas() -> dict:
    """Local authority polygons simplified for the web map (GeoJSON dict, WGS84)."""
    return map_layers.simplified_areas(local_authority_boundaries())


@st.cache_data(show_spinner=False)
def headline(rule: CampaignRule, jurisdiction: str = "") -> dict:
    """:meth:`millis_network.engine.analysis.Analysis.headline` of :func:`analysis` (courts meeting the rule, reach shares)."""
    return analysis(rule, jurisdiction).headline()


@st.cache_resource(show_spinner=False)
def area_summary(rule: CampaignRule, jurisdiction: str, service: str) -> pd.DataFrame:
    """Drive to the nearest ``service`` centre by local authority (read only: the map's area layer and table)."""
    return analysis(rule, jurisdiction).summary(service=service, by="local_authority")  # type: ignore[arg-type]


@st.cache_resource(show_spinner=False)
def area_layer(rule: CampaignRule, jurisdiction: str, service: str) -> dict:
    """The drive-time area layer for one rule, jurisdiction and service (GeoJSON dict)."""
    return map_layers.area_features(local_authority_areas(), area_summary(rule, jurisdiction, service), service=service)


@st.cache_resource(show_spinner="Loading the postcode directory…")
def postcode_index() -> PostcodeIndex:
    """The ONS Postcode Directory index (built and cached on disk on first use)."""
    return load_index()


@st.cache_data(show_spinner=False)
def sources_markdown() -> str:
    """``network_data/SOURCES.md``: where every bundled file comes from."""
    return (default_data_dir() / "SOURCES.md").read_text(encoding="utf-8")


@st.cache_resource(show_spinner="Preparing briefings…")
def briefing_inputs(rule: CampaignRule) -> BriefingInputs:
    """Everything briefings and exports share under ``rule`` (every jurisdiction; withheld addresses at district level)."""
    from millis_network.evidence import briefings

    return briefings.briefing_inputs(analysis(rule), boundaries=local_authority_boundaries())


@st.cache_resource(show_spinner="Costing the gaps…")
def funding_estimate(
    rule: CampaignRule, annual_cost_per_centre_gbp: float, sla_years: int, annual_uplift: float
) -> funding.FundingEstimate:
    """The cost of closing the gaps under ``rule`` with the chosen per-centre cost and agreement terms."""
    inputs = briefing_inputs(rule)
    assumptions = funding.default_assumptions(
        annual_cost_per_centre_gbp=annual_cost_per_centre_gbp, sla_years=sla_years, annual_uplift=annual_uplift
    )
    return funding.cost_of_closing_gaps(inputs.analysis, assumptions=assumptions, boundaries=inputs.boundaries)


@st.cache_data(show_spinner=False)
def centre_budget() -> funding.CentreBudget:
    """Milli's proposed annual budget (P.119/2014), the default cost of one centre."""
    return funding.millis_budget()


@st.cache_data(show_spinner=False)
def millis_profile() -> dict:
    """Milli's Child Contact Centre as P.119/2014 described it (``network_data/centres/millis.yaml``)."""
    return directory_profile()


@st.cache_resource(show_spinner="Placing the statutory network…")
def statutory_network(rule: CampaignRule, variant: str) -> scenario.StatutoryNetwork:
    """The campaign's statutory network scenario against today's directory, under ``rule``."""
    return scenario.statutory_network(rule, variant=variant, directory=analysis(rule))  # type: ignore[arg-type]


@st.cache_resource(show_spinner=False)
def statutory_network_summary(rule: CampaignRule, variant: str) -> dict:
    """:func:`millis_network.engine.scenario.statutory_network_summary` of :func:`statutory_network`."""
    return scenario.statutory_network_summary(statutory_network(rule, variant))


@st.cache_resource(show_spinner=False)
def campaign_map_frame(rule: CampaignRule, variant: str, band: int) -> gpd.GeoDataFrame:
    """Scenario and directory shares within ``band`` minutes per local authority, on simplified boundaries."""
    comparison = statutory_network(rule, variant).comparison(by="local_authority")
    shapes = gpd.GeoDataFrame.from_features(local_authority_areas(), crs="EPSG:4326")
    return scenario.comparison_map_frame(comparison, shapes, band=band)


@st.cache_resource(show_spinner="Comparing the directory over time…")
def lost_since(rule: CampaignRule, start: str) -> history.LostSince:
    """Courts and areas that lost a suitable centre within reach between ``start`` and today's directory."""
    full = analysis(rule)
    return history.lost_since(full.courts, public_directory(), full.lsoas, start=start, rule=rule)


@st.cache_resource(show_spinner=False)
def court_timeline(rule: CampaignRule, court_id: str) -> pd.DataFrame:
    """Dated openings and closures within reach of one court (:func:`millis_network.engine.history.court_timeline`)."""
    return history.court_timeline(court_id, analysis(rule).courts, public_directory(), rule=rule)


@st.cache_resource(show_spinner=False)
def area_timeline(rule: CampaignRule, local_authority_code: str) -> pd.DataFrame:
    """Dated openings and closures within reach of one local authority's LSOAs."""
    return history.area_timeline(local_authority_code, analysis(rule).lsoas, public_directory(), rule=rule)


@st.cache_resource(show_spinner=False)
def jersey_transition() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Milli's → Centrepoint: the directory's lineage rows and Milli's documented history, with sources."""
    return (
        history.service_lineage(public_directory(), "millis-child-contact-centre"),
        history.documented_history(millis_profile()),
    )


@st.cache_resource(show_spinner="Opening the directory database…")
def directory_store(url: str) -> Store:
    """The directory database at ``url`` (migrated; loaded from the bundled network_data/ while it holds no centres).

    One connection pool per URL, shared by every session: each write is its
    own version-checked transaction, so sessions cannot overwrite each other.
    """
    from millis_network.store.database import open_store

    return open_store(url, seed_from=default_data_dir())


def prepare_coverage_map(rule: CampaignRule, jurisdiction: str, service: str) -> None:
    """Fill every cache the coverage map reads under these settings (the server does this as it starts)."""
    headline(rule, jurisdiction)
    public_directory()
    area_layer(rule, jurisdiction, service)


@st.cache_resource(show_spinner=False)
def sign_in_throttle(password_hash: str) -> auth.SignInThrottle:
    """The one sign-in throttle for the configured editors' password, shared by every session."""
    return auth.SignInThrottle(password_hash)
