"""One-page briefings for MPs: a constituency's families and their distance from a contact centre, in people.

Each briefing is built from one public analysis and its statutory-network
scenario (:func:`millis_network.engine.constituencies.constituency_coverage`)
and rendered as the court and local authority briefings are
(:func:`millis_network.evidence.briefings.render`), its PDF laid out to fit one
A4 page (:attr:`~millis_network.evidence.briefings.Briefing.one_page`): the
headline in people, a small map of its neighbourhoods, the family court centres
serving it and its nearest centres, what the campaign's network would change
there, petition signatures when a petition is given, the campaign's asks and
the sources.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from millis_network.config import FAR_MILES, REACH_BANDS_MINUTES
from millis_network.engine.constituencies import (
    NETWORK_LABELS,
    NETWORKS,
    PetitionJoin,
    constituency_profile,
)
from millis_network.evidence.briefings import (
    CAMPAIGN_ASKS,
    Briefing,
    BriefingFormat,
    BriefingInputs,
    BriefingSection,
    BriefingTable,
    briefing_notes,
    briefing_sources,
    nearest_centres_table,
    neighbourhoods_map_png,
    write_briefing,
)
from millis_network.evidence.constituency_tables import CONSTITUENCY_METHOD
from millis_network.places import format_people, round_people
from millis_network.wording import POPULATION_NOTE, SERVING_COURT_NOTE

#: How many centres of each service the briefing lists, nearest first.
NEAREST_CENTRES = 2
#: Size of the briefing's map relative to the full-width map of the other briefings.
MAP_SCALE = 0.6

#: A serving court's status under the campaign rule, in words.
COURT_STATUS_TEXT: dict[str, str] = {
    "meets rule": "meets the campaign rule (a supported and a supervised centre in this directory within reach)",
    "supported only": "a supported centre in this directory within reach, but no supervised one",
    "supervised only": "a supervised centre in this directory within reach, but no supported one",
    "neither": "neither a supported nor a supervised centre in this directory within reach",
}


def constituency_lsoas(inputs: BriefingInputs, gss_code: str) -> pd.DataFrame:
    """The rows of the analysis's ``area_reach`` for the LSOAs with people in the constituency, with their ``share``."""
    split = inputs.analysis.network.lsoa_constituencies
    parts = split[(split["gss_code"] == gss_code) & (split["share"] > 0)][["lsoa_code", "share"]]
    return inputs.analysis.area_reach.merge(parts, on="lsoa_code", how="inner")


def _people_table(row: dict[str, Any]) -> BriefingTable:
    rows = []
    for prefix, _, _ in NETWORKS:
        rows.append((
            NETWORK_LABELS[prefix].capitalize(),
            *(round_people(float(row[f"{prefix}_people_within_{band}_min"])) for band in REACH_BANDS_MINUTES),
            round_people(float(row[f"{prefix}_people_beyond_50_miles"])),
        ))
    return BriefingTable(
        ("Nearest", *(f"Within {band} min" for band in REACH_BANDS_MINUTES), f"Over {FAR_MILES:g} miles"),
        tuple(rows),
        caption="People (mid-2019 estimates, all ages), by estimated drive to the nearest.",
    )


def constituency_briefing(
    inputs: BriefingInputs,
    table: pd.DataFrame,
    gss_code: str,
    *,
    petition: PetitionJoin | None = None,
    petition_source: str = "",
    with_map: bool = True,
) -> Briefing:
    """Briefing on one Westminster constituency of England and Wales, for its MP.

    Args:
        inputs: :func:`millis_network.evidence.briefings.briefing_inputs` of the public analysis.
        table: :func:`millis_network.engine.constituencies.constituency_coverage` of that analysis.
        gss_code: the constituency's ONS code, e.g. E14001063.
        petition: :func:`millis_network.engine.constituencies.join_petition`, when a petition is given.
        petition_source: where and when the petition's figures were read.

    Raises:
        NotFoundError: no constituency of England and Wales has ``gss_code``.
    """
    analysis = inputs.analysis
    profile = constituency_profile(table, gss_code, rule=analysis.rule)
    row = profile.row
    facts = [
        ("People", round_people(float(row["people"]))),
        ("Beyond reach of a supported centre in this directory", round_people(float(row["supported_people_beyond_threshold"]))),
        ("Beyond reach of a supervised centre in this directory",
         round_people(float(row["supervised_people_beyond_threshold"]))),
        (f"More than {FAR_MILES:g} miles from a supported centre", round_people(float(row["supported_people_beyond_50_miles"]))),
        ("Both services within reach today", round_people(float(row["people_covered"]))),
        ("Both within reach with the statutory network", round_people(float(row["scenario_people_covered"]))),
    ]
    statuses = analysis.court_coverage.set_index("court_name")["status"]
    sections = [
        BriefingSection(
            "What the campaign's network would change here",
            paragraphs=(profile.scenario, *((profile.lost,) if profile.lost else ())),
            table=_people_table(row),
        ),
        BriefingSection(
            "Family court centres serving its people",
            paragraphs=(SERVING_COURT_NOTE,),
            bullets=tuple(f"{court}: {COURT_STATUS_TEXT.get(str(statuses.get(court, '')), 'status not known')}"
                          for court in profile.courts),
        ),
    ]
    lsoas = constituency_lsoas(inputs, profile.gss_code)
    weights = lsoas["population"].to_numpy(dtype=float) * lsoas["share"].to_numpy(dtype=float)
    lat = float(np.average(lsoas["lat"], weights=weights))
    lon = float(np.average(lsoas["lon"], weights=weights))
    sections.append(BriefingSection(
        "Nearest contact centres in this directory",
        paragraphs=("Measured from the constituency's centre of population (its neighbourhoods weighted by people).",),
        table=nearest_centres_table(inputs, lat, lon, jurisdiction=profile.nation, n=NEAREST_CENTRES),
    ))
    extra_sources: list[str] = []
    if petition is not None:
        signed = petition.table[petition.table["gss_code"] == profile.gss_code].iloc[0].to_dict()
        listed = "" if signed["in_petition"] else " (the petition does not list this constituency: counted as zero)"
        facts.append(("Petition signatures", f"{int(signed['signatures']):,}"))
        sections.append(BriefingSection(
            "Petition",
            paragraphs=(
                (f"{int(signed['signatures']):,} signatures here{listed}: {signed['signatures_per_10000_people']:.1f} "
                 f"per 10,000 people, where {format_people(float(signed['supported_people_beyond_threshold']))} live "
                 "beyond reach of a supported centre in this directory."),
                petition.describe(),
            ),
        ))
        extra_sources.append(f"Petition figures: {petition_source}")
    return Briefing(
        kind="constituency", key=profile.gss_code, title=profile.name,
        subtitle=f"Westminster constituency (2024 boundaries) · {profile.region or profile.nation} · {profile.gss_code}",
        headline=profile.headline, key_facts=tuple(facts), sections=tuple(sections),
        map_png=neighbourhoods_map_png(inputs, lsoas, scale=MAP_SCALE) if with_map else None,
        map_caption=("The constituency's neighbourhoods (dots: green = supported and supervised both within reach; "
                     "red = not), contact centres in this directory and family court centres (stars)."),
        asks=CAMPAIGN_ASKS,
        notes=(*briefing_notes(analysis), POPULATION_NOTE, CONSTITUENCY_METHOD),
        sources=briefing_sources(inputs.provenance, *extra_sources),
        provenance={**inputs.provenance, "population": POPULATION_NOTE,
                    "briefing": {"kind": "constituency", "gss_code": profile.gss_code}},
        one_page=True,
    )


def write_constituency_briefings(
    inputs: BriefingInputs,
    table: pd.DataFrame,
    out_dir: Path,
    *,
    fmt: BriefingFormat,
    gss_codes: Sequence[str] | None = None,
    petition: PetitionJoin | None = None,
    petition_source: str = "",
    progress: bool = True,
) -> list[Path]:
    """A briefing for every constituency of ``table`` (or those in ``gss_codes``), with a progress bar on stderr.

    Returns:
        The paths written, in the order of ``table`` (or of ``gss_codes``).
    """
    codes = list(table["gss_code"]) if gss_codes is None else list(gss_codes)
    return [
        write_briefing(constituency_briefing(inputs, table, code, petition=petition, petition_source=petition_source),
                       out_dir, fmt=fmt)
        for code in tqdm(codes, desc=f"constituency briefings ({fmt})", unit="constituency", disable=not progress,
                         file=sys.stderr)
    ]
