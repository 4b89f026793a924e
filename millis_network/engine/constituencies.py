"""Coverage by Westminster constituency, in people: the unit MPs, petitions and advocacy letters work in.

Every figure is people, added up from the LSOAs of
:func:`millis_network.engine.coverage.area_reach`: an LSOA's people count
towards each constituency it overlaps in proportion to the share of its
people living there (:func:`millis_network.places.lsoa_constituencies`,
mySociety's overlaps), so an LSOA split 24/76 between two constituencies
gives 24% of its people to one and 76% to the other. Populations are
:data:`~millis_network.wording.POPULATION_NOTE`.

Only the 575 constituencies of England and Wales hold LSOAs. Each row reads
the directory (supported and supervised centres in this directory) and the
campaign's statutory network (:mod:`millis_network.engine.scenario`) side by
side, with the family court centres that serve its people
(:func:`~millis_network.engine.coverage.serving_courts`, the one definition)
and the centres nearest most of its people. It is computed from the public
network only (:func:`~millis_network.engine.analysis.require_public`): a
withheld centre is measured at its district, as everywhere public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from millis_network.config import FAR_MILES, REACH_BANDS_MINUTES, CampaignRule
from millis_network.engine.analysis import require_public
from millis_network.engine.coverage import (
    Service,
    beyond_reach_phrase,
    reach_indicators,
    serving_courts,
    within_reach,
)
from millis_network.engine.scenario import StatutoryNetwork
from millis_network.errors import DataFileError, NotFoundError
from millis_network.places import format_people, round_people
from millis_network.wording import POPULATION_NOTE, SERVING_COURT_NOTE

#: The three ways of being reached each constituency row reports, with the reach and service each reads.
NETWORKS: tuple[tuple[str, str, Service], ...] = (
    ("supported", "directory", "supported"),
    ("supervised", "directory", "supervised"),
    ("scenario", "scenario", "supported"),
)

#: What each network prefix means, for captions and column headers.
NETWORK_LABELS: dict[str, str] = {
    "supported": "supported centre in this directory",
    "supervised": "supervised centre in this directory",
    "scenario": "venue of the statutory network (scenario)",
}

#: People measures per network, as column suffixes.
_MEASURES: tuple[str, ...] = (
    *(f"within_{band}_min" for band in REACH_BANDS_MINUTES), "within_threshold", "beyond_threshold", "beyond_50_miles",
)


def constituency_columns() -> list[str]:
    """Columns of :func:`constituency_coverage`."""
    per_network = [
        f"{network}_{kind}_{measure}" for network, _, _ in NETWORKS for kind in ("people", "share") for measure in _MEASURES
    ] + [f"{network}_median_minutes" for network, _, _ in NETWORKS]
    return [
        "gss_code", "name", "nation", "region", "lsoas", "people", *per_network,
        "people_covered", "share_covered", "scenario_people_covered", "scenario_share_covered",
        "people_not_covered", "scenario_gain", "main_serving_court", "serving_courts",
        "nearest_supported", "nearest_supervised", "lost_since", "people_lost_supported", "people_lost_supervised",
        "threshold", "rule_version",
    ]


def lsoa_people_by_constituency(lsoa_values: pd.DataFrame, split: pd.DataFrame) -> pd.DataFrame:
    """Add LSOA figures up by constituency, each LSOA weighted by the share of its people living in it.

    Args:
        lsoa_values: ``lsoa_code`` and numeric columns (people per LSOA, or people meeting a condition).
        split: :func:`millis_network.places.lsoa_constituencies`.

    Returns:
        One row per ``gss_code`` holding any of the LSOAs (sorted), the same
        numeric columns summed over ``value × share``, and ``lsoas``: how many
        LSOAs contribute any people to it.
    """
    merged = split.merge(lsoa_values, on="lsoa_code", how="inner")
    columns = [c for c in lsoa_values.columns if c != "lsoa_code"]
    weighted = merged[columns].mul(merged["share"].to_numpy(dtype=float), axis=0)
    weighted["lsoas"] = (merged["share"].to_numpy(dtype=float) > 0).astype(int)
    return weighted.groupby(merged["gss_code"].to_numpy(), sort=True).sum().rename_axis("gss_code").reset_index()


def _weighted_median(values: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> pd.Series:
    """Per group, the smallest value at which the cumulative weight reaches half the group's weight (inf kept)."""
    frame = pd.DataFrame({"g": groups, "v": values, "w": weights}).sort_values(["g", "v"], kind="stable")
    cumulative = frame.groupby("g")["w"].cumsum()
    half = frame.groupby("g")["w"].transform("sum") / 2
    return frame[cumulative >= half].groupby("g")["v"].first()


def _modal(labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> pd.Series:
    """Per group, the label carrying the most weight ("" labels ignored)."""
    frame = pd.DataFrame({"g": groups, "label": labels, "w": weights})
    frame = frame[frame["label"] != ""]
    totals = frame.groupby(["g", "label"], sort=True)["w"].sum().reset_index()
    return totals.sort_values(["g", "w"], ascending=[True, False], kind="stable").groupby("g")["label"].first()


def _ranked(labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> pd.Series:
    """Per group, the labels carrying any weight, most weight first, ``; ``-joined."""
    frame = pd.DataFrame({"g": groups, "label": labels, "w": weights})
    totals = frame[frame["w"] > 0].groupby(["g", "label"], sort=True)["w"].sum().reset_index()
    ordered = totals.sort_values(["g", "w", "label"], ascending=[True, False, True], kind="stable")
    return ordered.groupby("g")["label"].agg("; ".join)


def constituency_coverage(
    statutory: StatutoryNetwork, *, losses: pd.DataFrame | None = None, lost_since: str = ""
) -> pd.DataFrame:
    """People within reach by constituency: centres in this directory and the statutory network, side by side.

    Args:
        statutory: :func:`millis_network.engine.scenario.statutory_network` of a
            public analysis (its network carries the constituency split).
        losses: :func:`millis_network.engine.history.lsoa_losses` over the same
            LSOAs, for ``people_lost_*``; None leaves them NaN.
        lost_since: the start date ``losses`` were measured from (``YYYY`` or
            ``YYYY-MM``), stated in ``lost_since``.

    Returns:
        One row per constituency of England and Wales, by ``gss_code``,
        columns :func:`constituency_columns`: ``people`` (ONS mid-2019, all
        ages, :data:`~millis_network.wording.POPULATION_NOTE`), ``lsoas``
        (LSOAs contributing people); for each network prefix of
        :data:`NETWORKS` people and shares (0..1 of its people) whose nearest
        venue is within 15/30/45/60 estimated drive minutes, within the
        rule's threshold (:func:`~millis_network.engine.coverage.within_reach`)
        or beyond it, and beyond 50 miles (great circle, one way), and the
        people-weighted median minutes; ``people_covered`` / ``share_covered``
        (both services of the directory within the threshold) and the
        scenario's, ``people_not_covered``, ``scenario_gain`` (people the
        statutory network would newly cover, never below zero); ``main_serving_court`` (the
        family court centre serving most of its people) and ``serving_courts``
        (all, most people first); ``nearest_supported`` / ``nearest_supervised``
        (the centre in this directory nearest to most of its people, "" when
        none); ``lost_since``, ``people_lost_supported`` and
        ``people_lost_supervised``; ``threshold`` and ``rule_version``.

    Raises:
        PrivacyError: the analysis was computed from the private network.
        DataFileError: the network carries no constituency split.
    """
    directory = require_public(statutory.directory)
    network = directory.network
    if network.lsoa_constituencies.empty or network.constituencies.empty:
        raise DataFileError(
            "this network carries no constituency split; load it with load_network() or Store.network() "
            "(network_data/places/lsoa_constituencies.csv and constituencies.csv)"
        )
    rule = directory.rule
    reaches = {"directory": directory.area_reach, "scenario": statutory.reach}
    people = reaches["directory"]["population"].to_numpy(dtype=float)
    values: dict[str, Any] = {"lsoa_code": reaches["directory"]["lsoa_code"].to_numpy(), "people": people}
    for prefix, source, service in NETWORKS:
        reach = reaches[source]
        flags = reach_indicators(reach, service=service)
        near = within_reach(reach[f"nearest_{service}_km"].to_numpy(dtype=float),
                            reach[f"nearest_{service}_minutes"].to_numpy(dtype=float), rule)
        flags["within_threshold"], flags["beyond_threshold"] = near, ~near
        for measure in _MEASURES:
            values[f"{prefix}_people_{measure}"] = np.where(flags[measure].to_numpy(dtype=bool), people, 0.0)
    values["people_covered"] = np.where(reaches["directory"]["covered"].to_numpy(dtype=bool), people, 0.0)
    values["scenario_people_covered"] = np.where(reaches["scenario"]["covered"].to_numpy(dtype=bool), people, 0.0)
    for service in ("supported", "supervised"):
        lost = np.zeros(len(people), dtype=bool)
        if losses is not None:
            by_lsoa = losses.set_index("lsoa_code")[f"lost_{service}"].astype(bool)
            lost = reaches["directory"]["lsoa_code"].map(by_lsoa).fillna(False).to_numpy(dtype=bool)
        values[f"people_lost_{service}"] = np.where(lost, people, 0.0)
    table = lsoa_people_by_constituency(pd.DataFrame(values), network.lsoa_constituencies)
    if losses is None:
        table[["people_lost_supported", "people_lost_supervised"]] = np.nan

    split = network.lsoa_constituencies.merge(
        pd.DataFrame({"lsoa_code": values["lsoa_code"], "row": np.arange(len(people))}), on="lsoa_code", how="inner")
    rows, groups = split["row"].to_numpy(), split["gss_code"].to_numpy()
    weights = people[rows] * split["share"].to_numpy(dtype=float)
    for prefix, source, service in NETWORKS:
        minutes = reaches[source][f"nearest_{service}_minutes"].fillna(np.inf).to_numpy(dtype=float)[rows]
        table[f"{prefix}_median_minutes"] = table["gss_code"].map(_weighted_median(minutes, weights, groups))
    names = dict(zip(network.centres["id"], network.centres["name"], strict=True))
    for service in ("supported", "supervised"):
        ids = reaches["directory"][f"nearest_{service}_id"].astype(str).to_numpy()[rows]
        table[f"nearest_{service}"] = table["gss_code"].map(_modal(ids, weights, groups)).map(names).fillna("")
    origins = reaches["directory"]
    serving = serving_courts(origins["lat"].to_numpy(dtype=float), origins["lon"].to_numpy(dtype=float),
                             origins["nation"].to_numpy(dtype=object), network.courts)
    court_names = network.courts["name"].to_numpy(dtype=object)[serving][rows]
    table["main_serving_court"] = table["gss_code"].map(_modal(court_names, weights, groups)).fillna("")
    table["serving_courts"] = table["gss_code"].map(_ranked(court_names, weights, groups)).fillna("")

    for prefix, _, _ in NETWORKS:
        for measure in _MEASURES:
            table[f"{prefix}_share_{measure}"] = table[f"{prefix}_people_{measure}"] / table["people"]
    table["share_covered"] = table["people_covered"] / table["people"]
    table["scenario_share_covered"] = table["scenario_people_covered"] / table["people"]
    table["people_not_covered"] = table["people"] - table["people_covered"]
    table["scenario_gain"] = (table["scenario_people_covered"] - table["people_covered"]).clip(lower=0)
    table["lost_since"] = lost_since if losses is not None else ""
    table["threshold"] = rule.describe()
    table["rule_version"] = rule.version
    names_table = network.constituencies.set_index("gss_code")
    known = table["gss_code"].isin(names_table.index)
    if not known.all():
        raise DataFileError(
            "the constituency split names code(s) not in constituencies.csv: "
            + ", ".join(sorted(table.loc[~known, "gss_code"]))
        )
    for column in ("name", "nation", "region"):
        table[column] = table["gss_code"].map(names_table[column])
    return table[constituency_columns()].reset_index(drop=True)


def threshold_phrase(threshold: str) -> str:
    """The reach part of a rule's description, e.g. ``within 30 min (estimated drive)``."""
    return threshold.split(";")[0]


@dataclass(frozen=True)
class ConstituencyProfile:
    """One constituency in sentences, for its panel and its MP briefing.

    Attributes:
        gss_code, name, nation, region: the constituency.
        row: its row of :func:`constituency_coverage`.
        headline: in people, what the directory shows.
        scenario: in people, what the statutory network would change.
        lost: what closures since a date took away ("" without a date).
        courts: the family court centres serving its people, most people first.
        note: the population caveat and how serving courts are chosen.
    """

    gss_code: str
    name: str
    nation: str
    region: str
    row: dict[str, Any]
    headline: str
    scenario: str
    lost: str
    courts: tuple[str, ...]
    note: str


def constituency_row(table: pd.DataFrame, gss_code: str) -> dict[str, Any]:
    """One constituency's row of :func:`constituency_coverage` as plain data.

    Raises:
        NotFoundError: no constituency of England and Wales has ``gss_code``.
    """
    match = table[table["gss_code"] == gss_code.strip().upper()]
    if match.empty:
        raise NotFoundError(
            f"no constituency of England and Wales with code {gss_code!r}; codes are ONS (GSS) codes such as "
            "E14001063 (Aldershot) or W07000081; Scottish and Northern Irish constituencies hold no LSOAs here"
        )
    return {str(key): (value.item() if hasattr(value, "item") else value) for key, value in match.iloc[0].items()}


def constituency_profile(table: pd.DataFrame, gss_code: str, *, rule: CampaignRule) -> ConstituencyProfile:
    """The sentences a campaigner reads for one constituency (:class:`ConstituencyProfile`).

    Args:
        table: :func:`constituency_coverage` computed under ``rule``.

    Raises:
        NotFoundError: unknown ``gss_code`` (see :func:`constituency_row`).
    """
    row = constituency_row(table, gss_code)
    beyond_phrase = beyond_reach_phrase(rule)
    people = float(row["people"])
    beyond = float(row["supported_people_beyond_threshold"])
    headline = (
        f"{round_people(beyond)} of the {format_people(people)} in {row['name']} ({beyond / people:.0%}) live "
        f"{beyond_phrase} from a supported centre in this directory, and {round_people(row['supervised_people_beyond_threshold'])} "
        f"from a supervised one; {format_people(row['supported_people_beyond_50_miles'])} live more than "
        f"{FAR_MILES:g} miles from a supported centre in this directory."
    )
    scenario = (
        f"If every family court centre had a supported and a supervised venue, "
        f"{format_people(row['scenario_people_covered'])} here ({row['scenario_share_covered']:.0%}) would have both "
        f"{threshold_phrase(str(row['threshold']))}, against {round_people(row['people_covered'])} "
        f"({row['share_covered']:.0%}) from the centres in this directory today; "
        f"{format_people(row['scenario_people_beyond_50_miles'])} would still be more than {FAR_MILES:g} miles from one."
    )
    lost = ""
    if row["lost_since"]:
        lost = (
            f"Since {row['lost_since']}, closures took away the last supported centre in this directory within reach "
            f"from {format_people(row['people_lost_supported'])} here, and the last supervised one from "
            f"{format_people(row['people_lost_supervised'])}."
        )
    courts = tuple(name for name in str(row["serving_courts"]).split("; ") if name)
    return ConstituencyProfile(
        gss_code=str(row["gss_code"]), name=str(row["name"]), nation=str(row["nation"]), region=str(row["region"]),
        row=row, headline=headline, scenario=scenario, lost=lost, courts=courts,
        note=f"{POPULATION_NOTE} {SERVING_COURT_NOTE}",
    )


#: Signatures are given per this many people.
SIGNATURES_PER = 10_000

#: Columns of :attr:`PetitionJoin.table`.
PETITION_COLUMNS: tuple[str, ...] = (
    "gss_code", "name", "nation", "region", "people", "signatures", "signatures_per_10000_people",
    "supported_people_beyond_threshold", "supported_share_beyond_threshold", "scenario_gain", "in_petition",
)


@dataclass(frozen=True)
class PetitionJoin:
    """A petition's signatures by constituency beside the people beyond reach there.

    Attributes:
        table: one row per constituency of England and Wales, columns
            :data:`PETITION_COLUMNS`: ``signatures`` (0 where the petition
            lists none), ``signatures_per_10000_people``, the people beyond the
            threshold of a supported centre in this directory, the statutory
            network's gain, and ``in_petition`` (False where counted as zero).
        missing: constituencies of England and Wales the petition does not list (counted as zero).
        outside: signatures from constituencies outside England and Wales (Scotland, Northern Ireland).
        unknown: codes the petition lists that are no 2024 constituency, with their signatures.
    """

    table: pd.DataFrame
    missing: int
    outside: int
    unknown: pd.DataFrame

    def describe(self) -> str:
        """What the join did, in one sentence for every output."""
        unknown = (
            f"; {len(self.unknown)} code(s) the constituency list does not hold ("
            + ", ".join(self.unknown["ons_code"]) + f") with {int(self.unknown['signature_count'].sum()):,} signatures"
            " left out" if len(self.unknown) else ""
        )
        return (
            f"Joined on the ONS (GSS) code: {self.missing} constituencies of England and Wales are not listed by the "
            f"petition and count as zero signatures; {self.outside:,} signatures come from constituencies outside "
            f"England and Wales{unknown}."
        )


def join_petition(table: pd.DataFrame, signatures: pd.DataFrame, *, constituencies: pd.DataFrame) -> PetitionJoin:
    """Join a petition's signatures by constituency to :func:`constituency_coverage` on the GSS code.

    Args:
        table: :func:`constituency_coverage`.
        signatures: the petition's ``signatures_by_constituency``: ``ons_code``
            and ``signature_count`` (:attr:`~millis_network.sources.petitions.PetitionFigures.by_constituency`).
        constituencies: :func:`millis_network.places.constituencies` (all 650), to tell a
            constituency outside England and Wales from a code that is none.

    Returns:
        :class:`PetitionJoin`.
    """
    counts = signatures.groupby(signatures["ons_code"].astype(str).str.strip().str.upper())["signature_count"].sum()
    known_codes = set(constituencies["gss_code"])
    listed = table["gss_code"].isin(counts.index)
    out = table[["gss_code", "name", "nation", "region", "people", "supported_people_beyond_threshold",
                 "supported_share_beyond_threshold", "scenario_gain"]].copy()
    out["signatures"] = table["gss_code"].map(counts).fillna(0).astype(int)
    out["signatures_per_10000_people"] = out["signatures"] / out["people"] * SIGNATURES_PER
    out["in_petition"] = listed.to_numpy()
    elsewhere = counts[~counts.index.isin(set(table["gss_code"]))]
    unknown = elsewhere[~elsewhere.index.isin(known_codes)]
    return PetitionJoin(
        table=out[list(PETITION_COLUMNS)].reset_index(drop=True),
        missing=int((~listed).sum()),
        outside=int(elsewhere[elsewhere.index.isin(known_codes)].sum()),
        unknown=pd.DataFrame({"ons_code": unknown.index.astype(str), "signature_count": unknown.to_numpy(dtype=int)}),
    )
