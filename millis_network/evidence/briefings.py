"""Advocacy briefings: a short document per family court centre, per local authority and for England and Wales.

A briefing is plain data (:class:`Briefing`): a headline answering the
campaign's question, key facts, sections of text and tables, a static map, the
campaign's asks, notes on how complete the directory is, the sources and the
provenance of every number. :func:`render_html` (Jinja2 template
``templates/briefing.html.j2``, map embedded as base64 PNG so the file stands
alone) and :func:`render_pdf` (ReportLab; no system libraries) lay out the
same content. Maps are drawn locally with matplotlib over the bundled local
authority boundaries, so briefings are produced offline.

Every briefing is built from an analysis of the public network
(:func:`~millis_network.engine.analysis.require_public`): a centre whose address
is withheld appears only at its district or coarser.

A court's *local population* is the set of LSOAs it serves
(:func:`millis_network.engine.coverage.serving_courts`);
a local authority's is its own LSOAs. Shares of LSOAs stand in for shares of
people (an LSOA holds roughly 1,000-3,000 residents).

More sections can be added to any briefing by passing ``extra_sections`` or
with :func:`add_sections` (the statutory-network scenario uses this for the
national briefing).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from xml.sax.saxutils import escape

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from tqdm import tqdm

from millis_network.config import FAR_MILES, KM_PER_MILE, REACH_BANDS_MINUTES
from millis_network.engine.analysis import Analysis, provenance, require_public
from millis_network.engine.constituencies import PetitionJoin
from millis_network.engine.coverage import (
    COURT_STATUSES,
    centres_near,
    court_row,
    people_headline,
    reach_summary,
    serving_courts,
)
from millis_network.engine.scenario import (
    Variant,
    format_share,
    readable_comparison,
    statutory_network,
    statutory_network_summary,
)
from millis_network.errors import NotFoundError
from millis_network.evidence.exports import PRIVACY_STATEMENT
from millis_network.evidence.funding import FundingEstimate
from millis_network.places import local_authority_boundaries, round_people
from millis_network.sources.petitions import PetitionFigures
from millis_network.wording import (
    ACROSS_THE_SEA,
    BY_ROAD_AND_FERRY,
    NO_CENTRE_IN_DIRECTORY,
    NO_CENTRE_WITHIN_REACH,
    PLACE_NOT_STATED,
    POPULATION_NOTE,
    PRECISION_LABELS,
    SERVICES_NOT_STATED,
    SERVING_COURT_NOTE,
    centre_drive_text,
    drive_text,
)

if TYPE_CHECKING:
    from matplotlib.collections import PathCollection

Kind = Literal["court", "local_authority", "national", "constituency"]
BriefingFormat = Literal["html", "pdf"]

#: Briefing formats.
BRIEFING_FORMATS: tuple[BriefingFormat, ...] = ("html", "pdf")

#: Where the campaign's asks come from.
CAMPAIGN_SOURCE = (
    "Children Need Contact Centres campaign (NAPO Family Court Section): \"Law firm fuels Children Need Contact "
    "Centres campaign\", press release by Simpson Millar LLP Solicitors distributed by Pressat, 13 November 2013"
)

#: The campaign's asks, as its launch press release states them.
CAMPAIGN_ASKS: tuple[str, ...] = (
    "A nationwide network of child contact centres, with a statutory obligation to provide at least one venue "
    "for supported and supervised contact for every Family Court Centre.",
    "Minimum standards for the training, support and supervision of centre coordinators and volunteers: "
    "coordinators with proven knowledge and experience of the Family Justice System, and at every centre a "
    "member of staff with a social work qualification or other professionally recognised training in "
    "identifying safeguarding issues such as domestic abuse.",
    "Every centre to retain or recruit and develop a group of volunteers trained to a national standard and "
    "DBS-checked.",
    "At a Mediation Information and Assessment Meeting (MIAM) where there are children, the mediator considers "
    "contact, gives the parent information about local centres and assesses whether contact at a centre is "
    "appropriate.",
    "Improved and secure funding for centres, through increased third-sector funding and resources diverted "
    "from savings to the Legal Aid budget.",
)

#: Map colour of each court status (:data:`millis_network.engine.coverage.COURT_STATUSES`).
COURT_STATUS_COLOURS: dict[str, str] = {
    "meets rule": "#1a9850",
    "supported only": "#fdae61",
    "supervised only": "#b8a1d9",
    "neither": "#d73027",
}
#: Map colours of neighbourhoods (LSOA centroids) with and without both services in reach.
LSOA_COLOURS: dict[bool, str] = {True: "#1a9850", False: "#d73027"}
#: Map colours and markers of contact centres by the services they offer.
CENTRE_MARKERS: dict[str, tuple[str, str]] = {
    "supported and supervised": ("#2c7bb6", "D"),
    "supported": ("#abd9e9", "o"),
    "supervised": ("#7b3294", "s"),
    SERVICES_NOT_STATED: ("#bdbdbd", "o"),
}

_ASSUMED_RESIDENTS_PER_LSOA = (1_000, 3_000)


@dataclass(frozen=True)
class BriefingTable:
    """A table of already-formatted text cells."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class BriefingSection:
    """One section: a heading, paragraphs, an optional table and bullet points."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    table: BriefingTable | None = None
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing says, independent of its format.

    Attributes:
        kind: ``court``, ``local_authority``, ``national`` or ``constituency``.
        key: court id, local authority code, ``england-and-wales`` or constituency GSS code.
        title, subtitle: what the briefing is about.
        headline: the one-sentence answer.
        key_facts: (label, value) pairs.
        sections: the body, in order.
        map_png: the static map as PNG bytes (None when not drawn).
        map_caption: what the map shows.
        asks: the campaign's asks.
        notes: how to read the figures (directory completeness, method, sample records, privacy).
        sources: where every number comes from.
        provenance: the JSON-ready provenance (see :func:`millis_network.engine.analysis.provenance`).
        one_page: lay the PDF out to fit one A4 page: smaller type, the map (at the size it was drawn)
            beside the key facts, notes and sources side by side in small print.
    """

    kind: Kind
    key: str
    title: str
    subtitle: str
    headline: str
    key_facts: tuple[tuple[str, str], ...]
    sections: tuple[BriefingSection, ...]
    map_png: bytes | None
    map_caption: str
    asks: tuple[str, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    provenance: dict[str, Any] = field(default_factory=dict)
    one_page: bool = False

    @property
    def file_stem(self) -> str:
        """File name without extension, e.g. ``briefing-court-cardiff-civil-and-family-justice-centre``."""
        short = {"court": "court", "local_authority": "la", "national": "national", "constituency": "constituency"}[
            self.kind]
        return f"briefing-{short}-{self.key.lower()}"


def add_sections(briefing: Briefing, sections: Sequence[BriefingSection]) -> Briefing:
    """A copy of ``briefing`` with ``sections`` appended to its body."""
    return dataclasses.replace(briefing, sections=(*briefing.sections, *sections))


@dataclass(frozen=True)
class BriefingInputs:
    """What every briefing of one analysis shares; build once with :func:`briefing_inputs` for a batch.

    Attributes:
        analysis: the public analysis (withheld addresses at district level).
        boundaries: local authority outlines (WGS84).
        catchment_court: for each row of ``analysis.area_reach``, the id of
            the nearest family court centre in its nation (:func:`serving_court_ids`).
        la_reach: :func:`millis_network.engine.coverage.reach_summary` by local
            authority for supported contact, indexed by local authority code,
            plus ``median_supervised_minutes``, ``p90_supervised_minutes`` and
            ``share_beyond_50_miles_supervised``.
        provenance: :func:`millis_network.engine.analysis.provenance` of the
            analysis plus the privacy statement.
    """

    analysis: Analysis
    boundaries: gpd.GeoDataFrame
    catchment_court: np.ndarray
    la_reach: pd.DataFrame
    provenance: dict[str, Any]


def serving_court_ids(courts: pd.DataFrame, lsoas: pd.DataFrame) -> np.ndarray:
    """The id of the court serving each LSOA (:func:`millis_network.engine.coverage.serving_courts`)."""
    positions = serving_courts(lsoas["lat"].to_numpy(dtype=float), lsoas["lon"].to_numpy(dtype=float),
                               lsoas["nation"].to_numpy(dtype=object), courts)
    ids: np.ndarray = courts["id"].to_numpy(dtype=object)[positions]
    return ids


def briefing_inputs(analysis: Analysis, *, boundaries: gpd.GeoDataFrame | None = None) -> BriefingInputs:
    """Prepare one public analysis for briefings: find catchments, summarise areas."""
    public = require_public(analysis)
    by_la = {
        service: public.summary(service=service, by="local_authority").set_index("area_code")
        for service in ("supported", "supervised")
    }
    supervised = by_la["supervised"][["median_supervised_minutes", "p90_supervised_minutes", "share_beyond_50_miles"]]
    la_reach = by_la["supported"].join(
        supervised.rename(columns={"share_beyond_50_miles": "share_beyond_50_miles_supervised"})
    )
    return BriefingInputs(
        analysis=public,
        boundaries=local_authority_boundaries() if boundaries is None else boundaries,
        catchment_court=serving_court_ids(public.courts, public.area_reach),
        la_reach=la_reach,
        provenance=provenance(public, extra={"privacy": PRIVACY_STATEMENT}),
    )


# ---------------------------------------------------------------- formatting


def _minutes(value: float) -> str:
    return drive_text(float(value))


def _how_far(minutes: float, miles: float, journey: str = "") -> str:
    """How far a nearest centre is; one with distance but no drive time is across the sea."""
    if pd.isna(minutes) or np.isinf(minutes):
        return f"{_miles(miles)} away, {ACROSS_THE_SEA}"
    ferry = f" {BY_ROAD_AND_FERRY}" if journey == BY_ROAD_AND_FERRY else ""
    return f"{_minutes(minutes)}{ferry} ({_miles(miles)}) away"


def _miles(value: float) -> str:
    return "" if pd.isna(value) or np.isinf(value) else f"{value:.1f} miles"


def _share(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.0%}"


def _people(lsoas: int) -> str:
    low, high = (lsoas * n for n in _ASSUMED_RESIDENTS_PER_LSOA)
    return f"roughly {low:,}-{high:,} residents"


def _threshold(analysis: Analysis) -> str:
    rule = analysis.rule
    if rule.threshold_miles is not None:
        return f"{rule.threshold_miles:g} miles"
    return f"{rule.threshold_minutes:g} minutes' estimated drive"


def _beyond(frame: pd.DataFrame, analysis: Analysis, service: str) -> pd.Series:
    """Rows of area_reach whose nearest ``service`` centre lies beyond the rule's threshold."""
    rule = analysis.rule
    if rule.threshold_miles is not None:
        return frame[f"nearest_{service}_km"].fillna(np.inf) > rule.threshold_miles * KM_PER_MILE
    return frame[f"nearest_{service}_minutes"].fillna(np.inf) > rule.threshold_minutes


def _population_table(reach: pd.DataFrame, analysis: Analysis) -> BriefingTable:
    """Shares of a set of LSOAs beyond the threshold and within each band, for both services."""
    rows: list[tuple[str, ...]] = []
    summaries = {s: reach_summary(reach, service=s, by="national").iloc[0] for s in ("supported", "supervised")}
    rows.append(("Beyond the threshold (" + _threshold(analysis) + ")",
                 *(_share(float(_beyond(reach, analysis, s).mean())) for s in summaries)))
    rows.append((f"More than {FAR_MILES:g} miles away (the campaign's 100-mile round trip)",
                 *(_share(float(summaries[s]["share_beyond_50_miles"])) for s in summaries)))
    for band in REACH_BANDS_MINUTES:
        rows.append((f"Within {band} min estimated drive",
                     *(_share(float(summaries[s][f"share_within_{band}_min"])) for s in summaries)))
    rows.append(("Median drive to the nearest centre",
                 *(_minutes(float(summaries[s][f"median_{s}_minutes"])) for s in summaries)))
    rows.append(("Both services within the threshold", _share(float(reach["covered"].mean())), ""))
    return BriefingTable(
        columns=("Share of local neighbourhoods (LSOAs)", "Supported contact", "Supervised contact"),
        rows=tuple(rows),
        caption="Shares of LSOAs; each holds roughly 1,000-3,000 residents, so these approximate shares of people.",
    )


def _centre_label(row: pd.Series) -> str:
    label = str(row["name"])
    if row["sample"] == "yes":
        label += " (SAMPLE record, not a real centre)"
    return label


def _place_label(row: pd.Series) -> str:
    where = str(row["town"]) or str(row["postcode"]) or PLACE_NOT_STATED
    return f"{where} ({PRECISION_LABELS[str(row['location_precision'])]})"


def nearest_centres_table(
    inputs: BriefingInputs, lat: float, lon: float, *, jurisdiction: str = "", n: int = 3
) -> BriefingTable:
    """The ``n`` centres in this directory nearest to a point (WGS84 ``lat``, ``lon``) for each service.

    Columns: Service, Centre, Where (town or postcode district and how precisely it is placed),
    Distance (straight line, miles), Drive (estimated minutes), Within reach (yes/no under the rule).
    A service with no centre in ``jurisdiction`` gets one row saying so.
    """
    analysis = inputs.analysis
    rows = []
    for service in ("supported", "supervised"):
        near = centres_near(
            lat, lon, analysis.centres, rule=analysis.rule, service=service, n=n, jurisdiction=jurisdiction
        )
        for _, centre in near.iterrows():
            rows.append((
                service.capitalize(), _centre_label(centre), _place_label(centre),
                _miles(centre["distance_miles"]), centre_drive_text(float(centre["drive_minutes"])),
                "yes" if centre["within_threshold"] else "no",
            ))
        if near.empty:
            rows.append((service.capitalize(), NO_CENTRE_IN_DIRECTORY, "", "", "", "no"))
    return BriefingTable(
        columns=("Service", "Centre", "Where", "Distance", "Drive", "Within reach"),
        rows=tuple(rows),
        caption="Straight-line distance; drive minutes estimated from it. A centre placed at town level is "
                "measured to the town centre; a centre whose address is withheld, to its postcode district.",
    )


def briefing_notes(analysis: Analysis) -> tuple[str, ...]:
    """How to read a briefing's figures: how complete the directory is, the campaign rule, privacy, sample records."""
    notes = [
        f"Coverage is what this directory shows: \"{NO_CENTRE_WITHIN_REACH}\" does not mean that no centre exists. "
        + analysis.completeness.describe()
        + (f" {analysis.completeness.describe_nations()}" if analysis.completeness.nations else "")
        + f" {analysis.completeness.describe_checking()}",
        f"The campaign rule: a family court centre is served when at least one centre offering supported contact "
        f"and one offering supervised contact lie {analysis.rule.describe()}.",
        PRIVACY_STATEMENT,
    ]
    if analysis.sample_included:
        notes.append("SAMPLE records took part in these figures: they are illustrative, not real centres.")
    return tuple(notes)


def briefing_sources(info: dict[str, Any], *extra: str) -> tuple[str, ...]:
    """Every source of a briefing: those of the analysis's provenance ``info``, boundaries, drive times,
    the campaign's asks, then ``extra``, the sources file and when and by what the briefing was generated."""
    return (
        *(f"{name[:1].upper()}{name[1:]}: {value}" for name, value in info["sources"].items()),
        "Local authority boundaries: dissolved from ONS LSOA (2011) boundaries, Open Government Licence v3.0; "
        "simplified for maps",
        f"Drive times: {info['drive_time_method']}",
        f"Campaign asks: {CAMPAIGN_SOURCE}",
        *extra,
        f"Every source, licence and snapshot: {info['sources_file']} in the millis_network repository",
        f"Generated {info['generated_at']} by {info['software']}; rule v{info['rule']['version']}",
    )


# ---------------------------------------------------------------- builders


def court_briefing(
    inputs: BriefingInputs,
    court_id: str,
    *,
    with_map: bool = True,
    extra_sections: Sequence[BriefingSection] = (),
) -> Briefing:
    """Briefing on one family court centre: is a supported and a supervised venue within reach?

    Raises:
        NotFoundError: no court has ``court_id``.
    """
    analysis = inputs.analysis
    court = court_row(analysis.court_coverage, court_id)
    reach = analysis.area_reach[inputs.catchment_court == court_id]
    threshold = _threshold(analysis)
    status = str(court["status"])
    if status == "meets rule":
        headline = (f"Yes. {court['court_name']} has a supported and a supervised contact centre in this directory "
                    f"within {threshold}.")
    else:
        missing = {"supported only": ["supervised"], "supervised only": ["supported"],
                   "neither": ["supported", "supervised"]}[status]
        nearest = "; ".join(
            f"the nearest {service} centre, {court[f'nearest_{service}_name']}, is "
            f"{_how_far(court[f'nearest_{service}_minutes'], court[f'nearest_{service}_miles'], court[f'nearest_{service}_journey'])}"
            if court[f"nearest_{service}_id"] else f"this directory holds no {service} centre at all"
            for service in missing
        )
        headline = (f"No. {court['court_name']} has no {' and no '.join(missing)} contact centre in this directory "
                    f"within {threshold}: {nearest}.")
    facts = [
        ("Supported centres within reach", str(int(court["supported_within"]))),
        ("Supervised centres within reach", str(int(court["supervised_within"]))),
    ]
    for service in ("supported", "supervised"):
        if court[f"nearest_{service}_id"]:
            facts.append((f"Nearest {service}", f"{court[f'nearest_{service}_name']}: "
                          f"{_miles(court[f'nearest_{service}_miles'])}, "
                          f"{centre_drive_text(float(court[f'nearest_{service}_minutes']), court[f'nearest_{service}_journey'])}"))
    if len(reach):
        facts.append(("Local neighbourhoods without both services in reach", _share(1 - float(reach["covered"].mean()))))
        population = BriefingSection(
            "The court's local population",
            paragraphs=(
                f"The court's local population is taken to be the {len(reach):,} neighbourhoods (LSOAs, "
                f"{_people(len(reach))}) it serves. {SERVING_COURT_NOTE}",
            ),
            table=_population_table(reach, analysis),
        )
    else:
        population = BriefingSection(
            "The court's local population",
            paragraphs=("No neighbourhood of England and Wales has this court as its nearest family court centre "
                        "(population data cover England and Wales only), so no population share is given.",),
        )
    sections = (
        BriefingSection("Nearest contact centres", table=nearest_centres_table(
            inputs, float(court["lat"]), float(court["lon"]), jurisdiction=str(court["jurisdiction"])
        )),
        population,
        *extra_sections,
    )
    where = ", ".join(part for part in (str(court["town"]), str(court["postcode"]), str(court["jurisdiction"])) if part)
    return Briefing(
        kind="court", key=court_id, title=str(court["court_name"]),
        subtitle=f"Family court centre · {where}",
        headline=headline, key_facts=tuple(facts), sections=sections,
        map_png=court_map_png(inputs, court_id) if with_map else None,
        map_caption=("The court (star), contact centres in this directory, and the court's local neighbourhoods "
                     "(dots: green = supported and supervised both within reach; red = not)."),
        asks=CAMPAIGN_ASKS, notes=briefing_notes(analysis), sources=briefing_sources(inputs.provenance),
        provenance={**inputs.provenance, "briefing": {"kind": "court", "court_id": court_id}},
    )


def local_authority_briefing(
    inputs: BriefingInputs,
    code: str,
    *,
    with_map: bool = True,
    extra_sections: Sequence[BriefingSection] = (),
) -> Briefing:
    """Briefing on one local authority district (ONS code, e.g. ``W06000015``).

    Raises:
        NotFoundError: no local authority in the population data has ``code``.
    """
    analysis = inputs.analysis
    if code not in inputs.la_reach.index:
        raise NotFoundError(f"no local authority with code {code!r}; codes are ONS district codes such as 'W06000015'"
                            "; see network_data/places/local_authorities.csv")
    # One row per code; pandas-stubs types .loc[label] as a row or, for a repeated label, a frame.
    summary = cast("pd.Series[Any]", inputs.la_reach.loc[code])
    name = str(summary["area_name"])
    in_area = (analysis.area_reach["local_authority_code"] == code).to_numpy()
    reach = analysis.area_reach[in_area]
    nation = str(reach["nation"].iloc[0])
    threshold = _threshold(analysis)
    headline = (
        f"{_share(float(summary['share_covered']))} of {name}'s neighbourhoods have both a supported and a supervised "
        f"contact centre in this directory within {threshold}; {_share(float(summary['share_beyond_50_miles']))} are "
        f"more than {FAR_MILES:g} miles from a supported centre."
    )
    served = pd.Series(inputs.catchment_court[in_area]).value_counts()
    coverage = analysis.court_coverage.set_index("court_id")
    # pandas-stubs types a cell (.at) as any scalar; these columns hold floats.
    court_rows = tuple(
        (str(coverage.at[cid, "court_name"]), f"{count:,}", str(coverage.at[cid, "status"]),
         _minutes(cast(float, coverage.at[cid, "nearest_supported_minutes"])),
         _minutes(cast(float, coverage.at[cid, "nearest_supervised_minutes"])))
        for cid, count in served.items()
    )
    centre_lat, centre_lon = float(reach["lat"].mean()), float(reach["lon"].mean())
    facts = (
        ("Neighbourhoods (LSOAs)", f"{len(reach):,} ({_people(len(reach))})"),
        ("Both services within reach", _share(float(summary["share_covered"]))),
        ("Median drive to a supported centre", _minutes(float(summary["median_supported_minutes"]))),
        ("Median drive to a supervised centre", _minutes(float(summary["median_supervised_minutes"]))),
        ("Family court centres serving the area", str(len(court_rows))),
    )
    sections = (
        BriefingSection("The local population", table=_population_table(reach, analysis)),
        BriefingSection(
            "Family court centres serving the area",
            paragraphs=("A court serves the neighbourhoods whose nearest family court centre it is.",),
            table=BriefingTable(("Court", "Neighbourhoods here", "Status", "Nearest supported", "Nearest supervised"),
                                court_rows),
        ),
        BriefingSection(
            "Nearest contact centres",
            paragraphs=("Measured from the centre of the area's neighbourhoods.",),
            table=nearest_centres_table(inputs, centre_lat, centre_lon),
        ),
        *extra_sections,
    )
    return Briefing(
        kind="local_authority", key=code, title=name, subtitle=f"Local authority {code} · {nation}",
        headline=headline, key_facts=facts, sections=sections,
        map_png=local_authority_map_png(inputs, code) if with_map else None,
        map_caption=("The local authority (shaded), its neighbourhoods (dots: green = supported and supervised both "
                     "within reach; red = not), family court centres (stars) and contact centres in this directory."),
        asks=CAMPAIGN_ASKS, notes=briefing_notes(analysis), sources=briefing_sources(inputs.provenance),
        provenance={**inputs.provenance, "briefing": {"kind": "local_authority", "local_authority_code": code}},
    )


def funding_section(estimate: FundingEstimate) -> BriefingSection:
    """The cost of closing the gaps, with its assumptions, as a briefing section."""
    years = estimate.parameters["sla_years"]
    rows = tuple(
        (str(row.nation), str(row.new_centres), f"£{row.annual_gbp:,.0f}", f"£{row.sla_gbp:,.0f}")
        for row in estimate.by_nation.itertuples()
    )
    return BriefingSection(
        "The cost of closing the gaps",
        paragraphs=(
            estimate.headline(),
            f"The statutory network itself, a venue at each of the {estimate.statutory_venues} family court centres, "
            f"would cost £{estimate.statutory_annual_gbp:,.0f} a year (£{estimate.statutory_sla_gbp:,.0f} over "
            f"{years} years) at the same per-centre cost.",
        ),
        table=BriefingTable(("Nation", "New centres", "A year", f"Over {years} years"), rows),
        bullets=estimate.assumptions,
    )


def petition_section(
    petition: PetitionFigures, *, top: int = 10, joined: PetitionJoin | None = None
) -> BriefingSection:
    """A petition's total and its top constituencies, labelled with where and when they were read.

    With ``joined`` (:func:`millis_network.engine.constituencies.join_petition`) the table is of the
    constituencies with most signatures per 10,000 people, beside the people there beyond reach.
    """
    if joined is not None:
        return petition_people_section(petition, joined, top=top)
    rows = tuple(
        (str(row.name), str(row.mp), f"{row.signature_count:,}")
        for row in petition.top_constituencies(top).itertuples()
    )
    return BriefingSection(
        f"Petition {petition.petition_id}: {petition.title}",
        paragraphs=(
            f"{petition.signature_count:,} signatures (petition {petition.state or 'state not stated'}).",
            f"Source: UK Parliament petitions, {petition.label()}.",
        ),
        table=BriefingTable(("Constituency", "MP", "Signatures"), rows, caption=f"Top {len(rows)} constituencies."),
    )


def petition_people_section(petition: PetitionFigures, joined: PetitionJoin, *, top: int = 10) -> BriefingSection:
    """A petition's signatures per 10,000 people by constituency, beside the people there beyond reach."""
    best = joined.table.sort_values(["signatures_per_10000_people", "signatures"], ascending=False).head(top)
    rows = tuple(
        (str(name), f"{signatures:,}", f"{per_10000:.1f}", round_people(beyond))
        for name, signatures, per_10000, beyond in zip(
            best["name"], best["signatures"].astype(int), best["signatures_per_10000_people"].astype(float),
            best["supported_people_beyond_threshold"].astype(float), strict=True)
    )
    return BriefingSection(
        f"Petition {petition.petition_id}: {petition.title}",
        paragraphs=(
            f"{petition.signature_count:,} signatures (petition {petition.state or 'state not stated'}).",
            joined.describe(),
            f"Source: UK Parliament petitions, {petition.label()}. {POPULATION_NOTE}",
        ),
        table=BriefingTable(
            ("Constituency", "Signatures", "Per 10,000 people", "People beyond reach of a supported centre"), rows,
            caption=f"The {len(rows)} constituencies of England and Wales with most signatures per 10,000 people.",
        ),
    )


def national_briefing(
    inputs: BriefingInputs,
    *,
    funding: FundingEstimate | None = None,
    petition: PetitionFigures | None = None,
    extra_sections: Sequence[BriefingSection] = (),
    with_map: bool = True,
    top: int = 10,
    petition_join: PetitionJoin | None = None,
) -> Briefing:
    """Briefing for England and Wales (plus Jersey's Royal Court): courts, population, worst-served areas.

    Args:
        funding: the cost of closing the gaps (:func:`millis_network.evidence.funding.cost_of_closing_gaps`), if wanted.
        petition: petition figures (:mod:`millis_network.sources.petitions`), if wanted.
        petition_join: the petition joined to constituency coverage, for signatures per 10,000 people.
        extra_sections: further sections (e.g. the statutory-network scenario), placed before the asks.
        top: rows in the worst-courts and worst-areas tables.
    """
    analysis = inputs.analysis
    headline_figures = analysis.headline()
    coverage = analysis.court_coverage
    counts = coverage["status"].value_counts()
    threshold = _threshold(analysis)
    headline = (
        f"{headline_figures['courts_meeting_rule']} of {headline_figures['courts']} family court centres have both a "
        f"supported and a supervised contact centre in this directory within {threshold}; "
        f"{_share(headline_figures['share_lsoas_covered'])} of neighbourhoods in England and Wales have both. "
        + people_headline(analysis.area_reach, analysis.rule)
    )
    facts = [(f"Courts: {status}", str(int(counts.get(status, 0)))) for status in COURT_STATUSES]
    facts += [
        ("Neighbourhoods with both services within reach", _share(headline_figures["share_lsoas_covered"])),
        (f"Neighbourhoods more than {FAR_MILES:g} miles from a supported centre",
         _share(headline_figures["share_lsoas_beyond_50_miles_supported"])),
    ]
    nations = {s: analysis.summary(service=s, by="nation").set_index("area_name") for s in ("supported", "supervised")}
    # pandas-stubs types a cell (.at, itertuples) as any scalar; these columns hold floats.
    nation_rows = tuple(
        (str(name), f"{int(row['lsoas']):,}", _share(row["share_covered"]),
         _share(row["share_beyond_50_miles"]),
         _share(cast(float, nations["supervised"].at[name, "share_beyond_50_miles"])))
        for name, row in nations["supported"].iterrows()
    )
    gaps = analysis.gaps().head(top)
    gap_rows = tuple(
        (str(row.court_name), str(row.status), _minutes(cast(float, row.nearest_supported_minutes)),
         _minutes(cast(float, row.nearest_supervised_minutes)))
        for row in gaps.itertuples()
    )
    worst = inputs.la_reach.sort_values("median_supported_minutes", ascending=False).head(top)
    worst_rows = tuple(
        (str(row["area_name"]), _minutes(row["median_supported_minutes"]), _minutes(row["median_supervised_minutes"]),
         _share(row["share_covered"]))
        for _, row in worst.iterrows()
    )
    sections = [
        BriefingSection(
            "By nation",
            table=BriefingTable(
                ("Nation", "Neighbourhoods", "Both services in reach", f"> {FAR_MILES:g} miles from supported",
                 f"> {FAR_MILES:g} miles from supervised"),
                nation_rows,
            ),
        ),
        BriefingSection(
            "Courts furthest from a contact centre",
            table=BriefingTable(("Court", "Status", "Nearest supported", "Nearest supervised"), gap_rows,
                                caption=f"The {len(gap_rows)} courts failing the rule with the longest drive to the "
                                        "missing service."),
        ),
        BriefingSection(
            "Worst-served local authorities",
            table=BriefingTable(("Local authority", "Median drive, supported", "Median drive, supervised",
                                 "Both in reach"), worst_rows),
        ),
    ]
    extra_sources: list[str] = []
    if funding is not None:
        sections.append(funding_section(funding))
        extra_sources.append(f"Per-centre cost: {funding.parameters['budget_source']}")
    if petition is not None:
        sections.append(petition_section(petition, joined=petition_join))
        extra_sources.append(f"Petition figures: UK Parliament petitions, {petition.label()}")
    sections += list(extra_sections)
    return Briefing(
        kind="national", key="england-and-wales", title="England and Wales",
        subtitle="Child contact centres within reach of family court centres",
        headline=headline, key_facts=tuple(facts), sections=tuple(sections),
        map_png=national_map_png(inputs) if with_map else None,
        map_caption=("Local authorities shaded by the share of neighbourhoods with both services within reach "
                     "(darker = fewer); family court centres coloured by status."),
        asks=CAMPAIGN_ASKS, notes=briefing_notes(analysis), sources=briefing_sources(inputs.provenance, *extra_sources),
        provenance={**inputs.provenance, "briefing": {"kind": "national"}},
    )


# ---------------------------------------------------------------- maps


#: Map layout: the map on the left, legend and attribution in a column on the right.
_MAP_SIZE_IN = (6.4, 4.2)
#: Resolution of the map PNGs (dots per inch).
_MAP_DPI = 150
#: Type size of map legends (points), and where the legend's column starts (a share of the figure's width).
_LEGEND_FONT_PT = 6
_LEGEND_LEFT = 0.72
#: The legend's row spacing (em) and type size (points), tried in turn until it clears the attribution.
_LEGEND_FITS: tuple[tuple[float, float], ...] = ((0.5, _LEGEND_FONT_PT), (0.25, _LEGEND_FONT_PT), (0.15, 5.0), (0.1, 4.2))
_MAP_AXES = (0.01, 0.01, 0.70, 0.98)
#: Width over height of the map axes, in inches: extents are widened to match it.
_MAP_RATIO = (_MAP_AXES[2] * _MAP_SIZE_IN[0]) / (_MAP_AXES[3] * _MAP_SIZE_IN[1])


def _new_axes(extent: tuple[float, float, float, float], *, scale: float = 1.0) -> tuple[Figure, Any]:
    """A map figure of ``_MAP_SIZE_IN`` times ``scale`` (the same shape, type of the same size)."""
    figure = Figure(figsize=(_MAP_SIZE_IN[0] * scale, _MAP_SIZE_IN[1] * scale), dpi=_MAP_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes(_MAP_AXES)
    west, south, east, north = extent
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(1 / np.cos(np.radians((south + north) / 2)), adjustable="box")
    axes.set_xticks([])
    axes.set_yticks([])
    return figure, axes


def _extent(lons: Sequence[float], lats: Sequence[float], *, min_span: float = 0.35) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) around the points, padded and widened to the map's shape."""
    lon = np.asarray([v for v in lons if pd.notna(v)], dtype=float)
    lat = np.asarray([v for v in lats if pd.notna(v)], dtype=float)
    mid_lon, mid_lat = (lon.min() + lon.max()) / 2, (lat.min() + lat.max()) / 2
    squash = np.cos(np.radians(mid_lat))
    half_lat = max((lat.max() - lat.min()) * 0.55, min_span / 2)
    half_lon = max((lon.max() - lon.min()) * 0.55, half_lat * _MAP_RATIO / squash)
    half_lat = half_lon * squash / _MAP_RATIO
    return mid_lon - half_lon, mid_lat - half_lat, mid_lon + half_lon, mid_lat + half_lat


def _draw_context(axes: Any, inputs: BriefingInputs, extent: tuple[float, float, float, float]) -> None:
    west, south, east, north = extent
    shown = inputs.boundaries.cx[west:east, south:north]
    if not shown.empty:
        shown.plot(ax=axes, facecolor="#f2f2f2", edgecolor="#9a9a9a", linewidth=0.4)


def _draw_centres(axes: Any, inputs: BriefingInputs, extent: tuple[float, float, float, float]) -> None:
    analysis = inputs.analysis
    centres = analysis.centres
    west, south, east, north = extent
    in_view = centres["lat"].between(south, north) & centres["lon"].between(west, east)
    usable = centres[(centres["status"] == "open") & in_view]
    if not analysis.rule.include_sample:
        usable = usable[usable["sample"] != "yes"]
    kinds = {
        "supported and supervised": usable["supported"] & usable["supervised"],
        "supported": usable["supported"] & ~usable["supervised"],
        "supervised": usable["supervised"] & ~usable["supported"],
        SERVICES_NOT_STATED: usable["services"] == "",
    }
    for label, chosen in kinds.items():
        colour, marker = CENTRE_MARKERS[label]
        rows = usable[chosen]
        axes.scatter(rows["lon"], rows["lat"], s=34, c=colour, marker=marker, edgecolors="black", linewidths=0.5,
                     zorder=4, label=f"Centre: {label}")


def _draw_lsoas(axes: Any, reach: pd.DataFrame) -> None:
    for covered, colour in LSOA_COLOURS.items():
        rows = reach[reach["covered"] == covered]
        axes.scatter(rows["lon"], rows["lat"], s=2.5, c=colour, alpha=0.7, linewidths=0, zorder=3,
                     label="Neighbourhood: both in reach" if covered else "Neighbourhood: not both in reach")


def _draw_courts(axes: Any, courts: pd.DataFrame, *, highlight: str | None = None) -> None:
    for status in COURT_STATUSES:
        rows = courts[(courts["status"] == status) & (courts["court_id"] != highlight)]
        axes.scatter(rows["lon"], rows["lat"], s=46, c=COURT_STATUS_COLOURS[status], marker="*", edgecolors="black",
                     linewidths=0.4, zorder=5, label=f"Court: {status}")
    if highlight is not None:
        row = courts[courts["court_id"] == highlight]
        axes.scatter(row["lon"], row["lat"], s=260, c=[COURT_STATUS_COLOURS[s] for s in row["status"]], marker="*",
                     edgecolors="black", linewidths=1.0, zorder=6, label="This court")


def _png(figure: Figure, axes: Any, attribution: str) -> bytes:
    axes.set_xlabel("")
    axes.set_ylabel("")
    handles, labels = axes.get_legend_handles_labels()
    # Labels wrap to the legend's column right of the map: about 0.58 em a character, less the marker's 20 points.
    column_pt = (1 - _LEGEND_LEFT) * figure.get_figwidth() * 72 - 20
    characters = int(column_pt / (0.58 * _LEGEND_FONT_PT))
    keep = [(h, textwrap.fill(lab, characters)) for h, lab in zip(handles, labels, strict=True)
            if len(np.atleast_1d(h.get_offsets())) > 0]
    note = figure.text(_LEGEND_LEFT, 0.01, attribution, ha="left", va="bottom", fontsize=4.8, color="#555555",
                       wrap=True)
    note_top = figure.transFigure.inverted().transform(note.get_window_extent())[1, 1]
    # The legend stands above the attribution: its rows close up (then its type shrinks) until it clears it;
    # the last, tightest, stays whatever it does.
    for attempt, (spacing, size) in enumerate(_LEGEND_FITS if keep else ()):
        legend = figure.legend(*zip(*keep, strict=True), loc="upper left", bbox_to_anchor=(_LEGEND_LEFT, 0.99),
                               fontsize=size, labelspacing=spacing, frameon=False)
        for handle in legend.legend_handles:
            # Every handle is a scatter's; matplotlib types legend handles as Artist | None.
            cast("PathCollection", handle).set_sizes([28])
        legend_bottom = figure.transFigure.inverted().transform(legend.get_window_extent())[0, 1]
        if legend_bottom > note_top + 0.01 or attempt == len(_LEGEND_FITS) - 1:
            break
        legend.remove()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_MAP_DPI)
    return buffer.getvalue()


_ATTRIBUTION = ("Boundaries: ONS LSOA 2011,\nOGL v3.0, simplified.\nCentres placed at town or\ndistrict level "
                "are drawn at\nthe town or district centre.")


def court_map_png(inputs: BriefingInputs, court_id: str) -> bytes:
    """Static map (PNG) of one court, its local neighbourhoods and nearby centres."""
    analysis = inputs.analysis
    court = court_row(analysis.court_coverage, court_id)
    reach = analysis.area_reach[inputs.catchment_court == court_id]
    centres = analysis.centres.set_index("id")
    near_ids = [court[f"nearest_{s}_id"] for s in ("supported", "supervised") if court[f"nearest_{s}_id"]]
    lons = [court["lon"], *reach["lon"], *centres.loc[near_ids, "lon"]]
    lats = [court["lat"], *reach["lat"], *centres.loc[near_ids, "lat"]]
    extent = _extent(lons, lats)
    figure, axes = _new_axes(extent)
    _draw_context(axes, inputs, extent)
    _draw_lsoas(axes, reach)
    _draw_centres(axes, inputs, extent)
    _draw_courts(axes, analysis.court_coverage, highlight=court_id)
    return _png(figure, axes, _ATTRIBUTION)


def local_authority_map_png(inputs: BriefingInputs, code: str) -> bytes:
    """Static map (PNG) of one local authority, its neighbourhoods, courts and nearby centres."""
    reach = inputs.analysis.area_reach[inputs.analysis.area_reach["local_authority_code"] == code]
    return neighbourhoods_map_png(
        inputs, reach, outline=inputs.boundaries[inputs.boundaries["local_authority_code"] == code])


def neighbourhoods_map_png(
    inputs: BriefingInputs, reach: pd.DataFrame, *, outline: gpd.GeoDataFrame | None = None, scale: float = 1.0
) -> bytes:
    """Static map (PNG) of some neighbourhoods, their nearest centres and the family court centres in view.

    Args:
        reach: rows of ``inputs.analysis.area_reach`` (LSOA centroids, WGS84), drawn green or red by ``covered``.
        outline: an area to shade beneath them (WGS84), e.g. the local authority.
        scale: the figure's size relative to the full-width map (its type keeps its size).
    """
    analysis = inputs.analysis
    centres = analysis.centres.set_index("id")
    near_ids = [i for s in ("supported", "supervised") for i in reach[f"nearest_{s}_id"].unique() if i]
    extent = _extent([*reach["lon"], *centres.loc[near_ids, "lon"]], [*reach["lat"], *centres.loc[near_ids, "lat"]])
    figure, axes = _new_axes(extent, scale=scale)
    _draw_context(axes, inputs, extent)
    if outline is not None and not outline.empty:
        outline.plot(ax=axes, facecolor="#dbe9f7", edgecolor="#2c5d8a", linewidth=1.0, zorder=2)
    _draw_lsoas(axes, reach)
    _draw_centres(axes, inputs, extent)
    west, south, east, north = extent
    courts = analysis.court_coverage
    _draw_courts(axes, courts[courts["lat"].between(south, north) & courts["lon"].between(west, east)])
    return _png(figure, axes, _ATTRIBUTION)


def national_map_png(inputs: BriefingInputs) -> bytes:
    """Static map (PNG) of England and Wales: local authorities by share covered, courts by status."""
    analysis = inputs.analysis
    shaded = inputs.boundaries.merge(inputs.la_reach[["share_covered"]], left_on="local_authority_code",
                                     right_index=True, how="left")
    extent = _extent([-5.75, 1.77], [49.95, 55.82])
    figure, axes = _new_axes(extent)
    scale = figure.add_axes((0.74, 0.22, 0.025, 0.3))
    shaded.plot(ax=axes, column="share_covered", cmap="Blues", vmin=0, vmax=1, edgecolor="#777777", linewidth=0.2,
                legend=True, cax=scale)
    scale.tick_params(labelsize=5.5)
    scale.set_title("Neighbourhoods\nwith both\nin reach", fontsize=5.5, loc="left")
    _draw_courts(axes, analysis.court_coverage[analysis.court_coverage["lat"].between(extent[1], extent[3])])
    return _png(figure, axes, "Boundaries: ONS LSOA 2011,\nOGL v3.0, simplified.\nJersey's Royal Court\nis not shown.")


# ---------------------------------------------------------------- rendering


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("millis_network.evidence", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(briefing: Briefing) -> str:
    """The briefing as one self-contained HTML page (map inline, provenance as embedded JSON)."""
    image = base64.b64encode(briefing.map_png).decode("ascii") if briefing.map_png else ""
    return _environment().get_template("briefing.html.j2").render(briefing=briefing, map_base64=image)


def _pdf_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib) so every name renders; returns (regular, bold)."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


#: Space (points) left and right of the text in a PDF table cell.
_CELL_PADDING = 3.0


def _column_widths(
    table: BriefingTable, width: float, *, measure: Callable[[str, bool], float]
) -> list[float]:
    """PDF column widths (points, summing to ``width``) that wrap every cell at spaces, never inside a word.

    Each column gets at least its longest word (heading words measured bold)
    and, when the page allows, its longest line; the width left over goes to
    the columns whose text must wrap, in proportion to how much each lacks.
    Only a word wider than a fair share of the page can still be broken.

    Args:
        measure: the width in points of a text, set in bold (True) or regular type.
    """
    columns = range(len(table.columns))
    cells = [[(heading, True), *((row[i], False) for row in table.rows)] for i, heading in enumerate(table.columns)]
    padding = 2 * _CELL_PADDING + 1
    least = [max(measure(word, bold) for text, bold in cells[i] for word in [*text.split(), ""]) + padding
             for i in columns]
    most = [max(max(measure(text, bold) for text, bold in cells[i]) + padding, least[i]) for i in columns]
    if sum(least) > width:
        return [width * n / sum(least) for n in least]
    if sum(most) <= width:
        return [width * n / sum(most) for n in most]
    lacking = [m - n for m, n in zip(most, least, strict=True)]
    spare = width - sum(least)
    return [n + spare * lack / sum(lacking) for n, lack in zip(least, lacking, strict=True)]


#: Type scales tried in turn for a one-page briefing, largest first: the first that fits one page is kept.
ONE_PAGE_TYPE_SCALES = (0.86, 0.82, 0.78, 0.74)


def render_pdf(briefing: Briefing) -> bytes:
    """The briefing as an A4 PDF (ReportLab), the same content as :func:`render_html`.

    A :attr:`Briefing.one_page` briefing has its map beside the headline and key facts, its notes
    and sources in three columns of small print, and type at the largest of
    :data:`ONE_PAGE_TYPE_SCALES` that fits one page (the smallest when none does).
    """
    if not briefing.one_page:
        return _pdf(briefing, type_scale=1.0)[0]
    for type_scale in ONE_PAGE_TYPE_SCALES:
        pdf, pages = _pdf(briefing, type_scale=type_scale)
        if pages == 1:
            break
    return pdf


def _pdf(briefing: Briefing, *, type_scale: float) -> tuple[bytes, int]:
    """The PDF of :func:`render_pdf` with type ``type_scale`` times the normal size, and its number of pages."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch, mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        BalancedColumns,
        Image,
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _pdf_fonts()
    # Type scaled by `k`, space around headings by its cube; one-page briefings: smaller small print, narrower margins.
    k = type_scale
    fine, margin = (0.8, 11 * mm) if briefing.one_page else (1.0, 15 * mm)
    base = ParagraphStyle("base", fontName=regular, fontSize=8.6 * k, leading=11 * k, alignment=TA_LEFT)
    small = ParagraphStyle("small", parent=base, fontSize=7 * k * fine, leading=8.8 * k * fine,
                           textColor=colors.HexColor("#444444"))
    cell = ParagraphStyle("cell", parent=base, fontSize=7.4 * k, leading=9 * k)
    cell_head = ParagraphStyle("cell_head", parent=cell, fontName=bold)
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=16 * k, leading=19 * k)
    heading = ParagraphStyle("heading", parent=base, fontName=bold, fontSize=10.5 * k, leading=13 * k,
                             spaceBefore=6 * k ** 3, spaceAfter=3 * k ** 3)
    headline = ParagraphStyle("headline", parent=base, fontName=bold, fontSize=10 * k, leading=13 * k)

    def text(value: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(value), style)

    def measure(value: str, strong: bool) -> float:
        return float(stringWidth(value, bold if strong else regular, cell.fontSize))

    def table(data: BriefingTable, width: float) -> list[Any]:
        rows = [[text(c, cell_head) for c in data.columns]] + [[text(v, cell) for v in row] for row in data.rows]
        flow = Table(rows, colWidths=_column_widths(data, width, measure=measure), repeatRows=1)
        flow.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef7")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b0b0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        parts: list[Any] = [flow]
        if data.caption:
            parts.append(text(data.caption, small))
        return parts

    def bullets(items: Sequence[str], style: ParagraphStyle = base) -> ListFlowable:
        # types-reportlab omits ListItem from what ListFlowable accepts (it takes ListItems at run time).
        return ListFlowable([ListItem(text(item, style), leftIndent=10 * k) for item in items], bulletType="bullet",  # type: ignore[misc]
                            start="•", leftIndent=10 * k, bulletFontName=regular, bulletFontSize=7 * k)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin * 13 / 15,
        bottomMargin=margin * 14 / 15,
        title=f"Briefing: {briefing.title}", author=briefing.provenance.get("software", "millis_network"),
        # types-reportlab types keywords as a list; ReportLab also takes one string (Canvas.setKeywords).
        subject=briefing.headline, keywords=json.dumps(briefing.provenance, ensure_ascii=False),  # type: ignore[arg-type]
        creator=briefing.provenance.get("software", "millis_network"),
    )
    width = document.width
    story: list[Any] = [text(briefing.title, title), text(briefing.subtitle, small), Spacer(1, 4 * k)]
    # A one-page briefing's map sits beside its headline and facts at the size it was drawn, at most 62% of the width.
    beside = briefing.one_page and briefing.map_png is not None
    if beside and briefing.map_png:
        pixels_wide, pixels_high = ImageReader(io.BytesIO(briefing.map_png)).getSize()
        map_width = min(pixels_wide / _MAP_DPI * inch, width * 0.62)
        map_height = map_width * pixels_high / pixels_wide
    else:
        map_width, map_height = width, width * _MAP_SIZE_IN[1] / _MAP_SIZE_IN[0]
    facts_width = width - map_width - 6 if beside else width
    box = Table([[text(briefing.headline, headline)]], colWidths=[facts_width])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff4d6")),
                             ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#c99a2e")),
                             ("TOPPADDING", (0, 0), (-1, -1), 5 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 5 * k)]))
    if not beside:
        story += [box, Spacer(1, 5 * k)]
    facts = Table([[text(label, cell_head), text(value, cell)] for label, value in briefing.key_facts],
                  colWidths=[facts_width * 0.6, facts_width * 0.4] if beside else [width * 0.4, width * 0.6])
    facts.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b0b0")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    if briefing.map_png:
        figure = [Image(io.BytesIO(briefing.map_png), width=map_width, height=map_height),
                  text(briefing.map_caption, small)]
        if beside:
            top = Table([[figure, [box, Spacer(1, 5 * k), facts]]], colWidths=[map_width + 6, facts_width])
            top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
            story.append(top)
        else:
            story += [facts, Spacer(1, 4), KeepTogether(figure)]
    else:
        story.append(facts)
    for section in briefing.sections:
        block: list[Any] = [text(section.heading, heading)]
        block += [text(p) for p in section.paragraphs]
        if section.table is not None:
            block += table(section.table, width)
        if section.bullets:
            block.append(bullets(section.bullets, small))
        story.append(KeepTogether(block[:3]))
        story += block[3:]
    story += [text("What the campaign asks", heading), bullets(briefing.asks)]
    notes = [text("How to read these figures", heading), bullets(briefing.notes, small)]
    sources = [text("Sources", heading), bullets(briefing.sources, small)]
    if briefing.one_page:
        story.append(BalancedColumns([*notes, *sources], nCols=3, innerPadding=4 * k))
    else:
        story += [*notes, *sources]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 6.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(margin, 8 * mm, f"{briefing.title}: generated {briefing.provenance.get('generated_at', '')} "
                                          f"by {briefing.provenance.get('software', '')}")
        canvas.drawRightString(A4[0] - margin, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), int(document.page)


def render(briefing: Briefing, *, fmt: BriefingFormat) -> bytes:
    """The briefing in ``fmt`` (``html`` as UTF-8 bytes, or ``pdf``)."""
    if fmt == "html":
        return render_html(briefing).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(briefing)
    raise ValueError(f"fmt must be one of {', '.join(BRIEFING_FORMATS)}, got {fmt!r}")


def write_briefing(briefing: Briefing, out_dir: Path, *, fmt: BriefingFormat) -> Path:
    """Write one briefing as ``<out_dir>/<file_stem>.<fmt>``; returns the path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{briefing.file_stem}.{fmt}"
    path.write_bytes(render(briefing, fmt=fmt))
    return path


def write_court_briefings(
    inputs: BriefingInputs,
    out_dir: Path,
    *,
    fmt: BriefingFormat,
    court_ids: Sequence[str] | None = None,
    progress: bool = True,
) -> list[Path]:
    """A briefing for every court (or those in ``court_ids``) from one analysis, with a progress bar on stderr.

    Returns:
        The paths written, in court order.
    """
    ids = list(inputs.analysis.court_coverage["court_id"]) if court_ids is None else list(court_ids)
    return [
        write_briefing(court_briefing(inputs, court_id), out_dir, fmt=fmt)
        for court_id in tqdm(ids, desc=f"court briefings ({fmt})", unit="court", disable=not progress, file=sys.stderr)
    ]


def scenario_section(summary: dict[str, Any]) -> BriefingSection:
    """The scenario as a section of the national briefing (``extra_sections`` of
    :func:`millis_network.evidence.briefings.national_briefing`), stating method, threshold and data dates.

    Args:
        summary: :func:`millis_network.engine.scenario.statutory_network_summary`.
    """
    table = readable_comparison(summary)
    share_columns = [f"within_{band}_min" for band in REACH_BANDS_MINUTES] + ["beyond_50_miles"]
    rows = tuple(
        (row["area"], row["network"], *(format_share(row[column]) for column in share_columns))
        for row in table.to_dict("records")
    )
    beyond = summary["beyond_50_miles"]
    bullets = [
        f"Courts meeting the rule: {summary['courts_meeting_rule']['scenario']} of {summary['courts']} with the "
        f"statutory network; {summary['courts_meeting_rule']['directory']} from the centres in this directory today.",
        f"Still more than {FAR_MILES:g} miles from a venue with the statutory network: {beyond['lsoas']} neighbourhoods"
        + (":" if beyond["local_authorities"] else "."),
        *(
            f"{area['local_authority_name']}: {area['lsoas_beyond']} of {area['lsoas']} neighbourhoods "
            f"(up to {area['max_miles']:.0f} miles)"
            for area in beyond["local_authorities"]
        ),
    ]
    return BriefingSection(
        "What the campaign's network would achieve",
        paragraphs=(
            summary["headline"],
            f"Scenario: {summary['scenario']} ({summary['venues']} hypothetical venues at "
            f"{summary['distinct_locations']} locations). It needs no directory: it is measured from the court list "
            "and the neighbourhoods alone.",
            f"Method: {summary['method']} Threshold: {summary['threshold']}.",
            "Data: " + "; ".join(f"{name}: {when}" for name, when in summary["data_dates"].items()) + ".",
        ),
        table=BriefingTable(
            ("Area", "Network", *(f"Within {band} min" for band in REACH_BANDS_MINUTES), f"Over {FAR_MILES:g} miles"),
            rows,
            caption="Shares of neighbourhoods (LSOAs) by estimated drive time to the nearest venue of each kind.",
        ),
        bullets=tuple(bullets),
    )


def statutory_network_section(directory: Analysis, *, variant: Variant = "all") -> BriefingSection:
    """:func:`scenario_section` for the scenario measured against ``directory`` (one call for briefings)."""
    network = statutory_network(directory, variant=variant)
    return scenario_section(statutory_network_summary(network))
