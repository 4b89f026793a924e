"""The campaign's statutory network as a scenario: a venue at every family court centre.

The campaign asks for at least one venue for supported and one for
supervised contact at every Family Court Centre. This module models exactly
that and measures it with the same engine as the directory's coverage
(:func:`millis_network.engine.coverage.area_reach` and
:func:`~millis_network.engine.coverage.reach_summary`), so the two can be set side
by side. The scenario needs no directory: its figures stand however
incomplete the directory is.

Scenario venues are hypothetical. They are rows shaped like the centres
table with ids ``scenario-<court-id>-supported`` and
``scenario-<court-id>-supervised``, ``scenario`` True and a note saying so;
they are placed at the court's coordinates and carry NACCC accreditation
(enhanced for supervised), standing for the campaign's "staffed to minimum
training standards", so they count under every rule.

Variants: ``all`` — every open family court centre (each court hearing
Children cases, plus Jersey's Royal Court); ``spoe`` — only the courts FaCT
lists as single points of entry for Children applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from millis_network.config import (
    FAR_MILES,
    KM_PER_MILE,
    REACH_BANDS_MINUTES,
    CampaignRule,
)
from millis_network.directory import CENTRE_COLUMNS
from millis_network.engine.analysis import Analysis, provenance
from millis_network.engine.coverage import (
    SERVICES_FOR_RULE,
    JourneyModel,
    Service,
    area_reach,
    court_coverage,
    reach_summary,
)
from millis_network.network import DATA_SNAPSHOTS
from millis_network.places import format_people
from millis_network.wording import POPULATION_NOTE

Variant = Literal["all", "spoe"]
VARIANTS: tuple[Variant, ...] = ("all", "spoe")

#: What each variant places venues at, for captions.
VARIANT_LABELS: dict[str, str] = {
    "all": "one supported and one supervised venue at every open family court centre",
    "spoe": "one supported and one supervised venue at every single point of entry for Children applications",
}

SCENARIO_ID_PREFIX = "scenario-"

#: Label used wherever scenario figures are shown.
SCENARIO_LABEL = "statutory network (scenario)"
DIRECTORY_LABEL = "centres in this directory today"

_ACCREDITATION: dict[Service, str] = {
    "supported": "NACCC accredited",
    "supervised": "NACCC enhanced accredited",
}


def select_courts(courts: pd.DataFrame, *, variant: Variant) -> pd.DataFrame:
    """The courts a variant places venues at (same columns, input order)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    return courts if variant == "all" else courts[courts["children_spoe"]]


def statutory_network_venues(courts: pd.DataFrame, *, variant: Variant = "all") -> pd.DataFrame:
    """Hypothetical venues: one supported and one supervised at each chosen court.

    Args:
        courts: family court centres (:func:`millis_network.directory.family_court_centres`).
        variant: ``all`` or ``spoe``.

    Returns:
        Two rows per chosen court with every column of
        :data:`~millis_network.directory.CENTRE_COLUMNS` plus boolean
        ``supported``, ``supervised`` and ``scenario`` (always True). ``id``
        is ``scenario-<court-id>-<service>``; ``lat``/``lon`` the court's
        (WGS84); ``status`` ``open``; ``sample`` ``no`` (the venues are a
        scenario, flagged by ``scenario`` and ``notes``, not sample records).
    """
    chosen = select_courts(courts, variant=variant)
    rows = []
    for court in chosen.to_dict("records"):
        for service in SERVICES_FOR_RULE:
            record: dict[str, str | float | bool] = {column: "" for column in CENTRE_COLUMNS}
            record.update(
                id=f"{SCENARIO_ID_PREFIX}{court['id']}-{service}",
                name=f"Scenario {service} venue at {court['name']}",
                jurisdiction=court["jurisdiction"],
                town=court["town"],
                postcode=court["postcode"],
                location_precision=court["location_precision"],
                lat=float(court["lat"]),
                lon=float(court["lon"]),
                services=service,
                accreditation=_ACCREDITATION[service],
                address_withheld="no",
                status="open",
                source_urls=court["source"],
                sample="no",
                notes=f"Scenario, not a real centre: {VARIANT_LABELS[variant]}.",
                supported=service == "supported",
                supervised=service == "supervised",
                scenario=True,
            )
            rows.append(record)
    columns = [*CENTRE_COLUMNS, "supported", "supervised", "scenario"]
    out = pd.DataFrame(rows, columns=columns)
    out["lat"] = out["lat"].astype(float)
    out["lon"] = out["lon"].astype(float)
    return out


#: People measures of :func:`compare_reach`, as suffixes of ``<network>_people_...`` columns.
PEOPLE_METRICS: tuple[str, ...] = (
    *(f"within_{band}_min" for band in REACH_BANDS_MINUTES), "beyond_50_miles", "covered",
    *(f"share_within_{band}_min" for band in REACH_BANDS_MINUTES), "share_beyond_50_miles", "share_covered",
)


def comparison_columns() -> list[str]:
    """Columns of :func:`compare_reach`."""
    metrics = [f"within_{band}_min" for band in REACH_BANDS_MINUTES] + ["beyond_50_miles", "median_minutes", "covered"]
    metrics += [f"people_{metric}" for metric in PEOPLE_METRICS]
    return ["area_code", "area_name", "lsoas", "people", "service"] + [
        f"{network}_{metric}" for metric in metrics for network in ("scenario", "directory")
    ]


def compare_reach(
    scenario_reach: pd.DataFrame, directory_reach: pd.DataFrame, *, by: Literal["national", "nation", "local_authority"]
) -> pd.DataFrame:
    """The scenario and the directory side by side, one row per area and service.

    Args:
        scenario_reach, directory_reach: :func:`millis_network.engine.coverage.area_reach`
            over the same LSOAs for the scenario venues and the directory.
        by: ``national``, ``nation`` or ``local_authority``.

    Returns:
        Columns :func:`comparison_columns`: ``scenario_within_<band>_min`` and
        ``directory_within_<band>_min`` shares of LSOAs (0..1) within each
        band of estimated drive minutes to the nearest venue for the service,
        ``*_beyond_50_miles`` shares beyond 50 miles (great circle, one way),
        ``*_median_minutes`` and ``*_covered`` (share with both services within
        the rule's threshold); ``people`` in the area and, for each network,
        ``*_people_within_<band>_min``, ``*_people_beyond_50_miles``,
        ``*_people_covered`` (counts of people) and ``*_people_share_...``
        (fractions of the area's people): :data:`~millis_network.wording.POPULATION_NOTE`.
    """
    parts = []
    for service in SERVICES_FOR_RULE:
        frames = {}
        for network, reach in (("scenario", scenario_reach), ("directory", directory_reach)):
            summary = reach_summary(reach, service=service, by=by).rename(
                columns={
                    **{f"share_within_{band}_min": f"{network}_within_{band}_min" for band in REACH_BANDS_MINUTES},
                    "share_beyond_50_miles": f"{network}_beyond_50_miles",
                    f"median_{service}_minutes": f"{network}_median_minutes",
                    "share_covered": f"{network}_covered",
                    **{f"people_{metric}": f"{network}_people_{metric}" for metric in PEOPLE_METRICS},
                }
            )
            frames[network] = summary.drop(columns=[f"p90_{service}_minutes"])
        keys = ["area_code", "area_name", "lsoas", "people"]
        merged = frames["scenario"].merge(frames["directory"], on=keys, how="outer")
        parts.append(merged.assign(service=service))
    return pd.concat(parts, ignore_index=True)[comparison_columns()]


#: Columns of :func:`beyond_far_by_area`.
BEYOND_COLUMNS: tuple[str, ...] = (
    "local_authority_code", "local_authority_name", "nation", "lsoas", "lsoas_beyond", "share_beyond", "max_miles",
    "people", "people_beyond",
)


def beyond_far_by_area(reach: pd.DataFrame, *, service: Service = "supported") -> pd.DataFrame:
    """Local authorities with LSOAs beyond 50 miles (the "100-mile round trip") of a venue.

    Returns:
        Columns :data:`BEYOND_COLUMNS`, one row per local authority with at
        least one such LSOA, most affected first; ``max_miles`` great-circle
        miles from its farthest LSOA to the nearest venue; ``people`` in the
        area and ``people_beyond`` of them beyond 50 miles (:data:`~millis_network.wording.POPULATION_NOTE`).
    """
    miles = reach[f"nearest_{service}_km"].fillna(np.inf) / KM_PER_MILE
    beyond = miles > FAR_MILES
    frame = reach[["local_authority_code", "local_authority_name", "nation", "population"]].assign(
        miles=miles, beyond=beyond, people_beyond=reach["population"].where(beyond, 0.0))
    grouped = frame.groupby(["local_authority_code", "local_authority_name", "nation"], sort=True)
    out = grouped.agg(lsoas=("beyond", "size"), lsoas_beyond=("beyond", "sum"), max_miles=("miles", "max"),
                      people=("population", lambda p: p.sum(min_count=1)),
                      people_beyond=("people_beyond", lambda p: p.sum(min_count=1))).reset_index()
    out = out[out["lsoas_beyond"] > 0].copy()
    out["lsoas_beyond"] = out["lsoas_beyond"].astype(int)
    out["share_beyond"] = out["lsoas_beyond"] / out["lsoas"]
    out = out.sort_values(["lsoas_beyond", "max_miles"], ascending=False).reset_index(drop=True)
    return out[list(BEYOND_COLUMNS)]


@dataclass(frozen=True)
class StatutoryNetwork:
    """The statutory network scenario measured against the directory.

    Attributes:
        variant: ``all`` or ``spoe``.
        directory: the directory's national analysis under the same rule.
        venues: :func:`statutory_network_venues`.
        reach: :func:`~millis_network.engine.coverage.area_reach` of the venues.
        court_coverage: :func:`~millis_network.engine.coverage.court_coverage` of the venues.
    """

    variant: Variant
    directory: Analysis
    venues: pd.DataFrame
    reach: pd.DataFrame
    court_coverage: pd.DataFrame

    @property
    def rule(self) -> CampaignRule:
        """The rule both sides were measured under."""
        return self.directory.rule

    def comparison(self, *, by: Literal["national", "nation", "local_authority"] = "national") -> pd.DataFrame:
        """:func:`compare_reach` of the scenario against the directory."""
        return compare_reach(self.reach, self.directory.area_reach, by=by)

    def beyond_far(self) -> pd.DataFrame:
        """Areas still beyond 50 miles of a scenario venue (:func:`beyond_far_by_area`)."""
        return beyond_far_by_area(self.reach)


def statutory_network(directory: Analysis, *, variant: Variant = "all") -> StatutoryNetwork:
    """Place the statutory network and measure it with the directory's engine, network and rule.

    Args:
        directory: the directory's analysis to compare with (pass one
            computed ``as_of`` a date to compare with the past); its network's
            courts, LSOAs and drive-time model measure the scenario too.
        variant: ``all`` courts or only ``spoe`` courts.
    """
    rule = directory.rule
    settings: JourneyModel = {"model": directory.network.model, "settlements": directory.network.settlements}
    venues = statutory_network_venues(directory.courts, variant=variant)
    return StatutoryNetwork(
        variant=variant,
        directory=directory,
        venues=venues,
        reach=area_reach(directory.lsoas, venues, rule=rule, **settings),
        court_coverage=court_coverage(directory.courts, venues, rule=rule, **settings),
    )


def _shares(row: pd.Series, network: str) -> dict[str, float]:
    out = {f"share_within_{band}_min": float(row[f"{network}_within_{band}_min"]) for band in REACH_BANDS_MINUTES}
    out["share_beyond_50_miles"] = float(row[f"{network}_beyond_50_miles"])
    out["median_minutes"] = float(row[f"{network}_median_minutes"])
    for metric in PEOPLE_METRICS:
        if "covered" not in metric:
            out[f"people_{metric}"] = float(row[f"{network}_people_{metric}"])
    return out


def statutory_network_summary(network: StatutoryNetwork) -> dict[str, Any]:
    """The scenario's figures as plain data, for JSON, briefings and the dashboard.

    Returns:
        JSON-ready dict: ``scenario`` (what was placed), ``variant``,
        ``venues``, ``venue_sites``, ``distinct_locations``, ``courts``,
        ``courts_meeting_rule`` (scenario and directory), ``national`` and
        ``by_nation`` (for each of ``scenario``, ``directory_supported``,
        ``directory_supervised``: shares 0..1 of LSOAs within 15/30/45/60
        estimated drive minutes and beyond 50 miles; median minutes; the same
        in people as ``people_within_<band>_min``, ``people_beyond_50_miles``
        and ``people_share_...``; plus ``covered``: share with both services
        within the rule's threshold, ``people_covered`` and ``people_share_covered``;
        ``people``: the area's people),
        ``beyond_50_miles`` (LSOAs and areas still beyond under the scenario),
        ``headline`` (in people), ``headline_beyond`` (people still beyond 50
        miles), ``population_note``, ``directory_completeness``, ``method``, ``threshold``,
        ``data_dates`` and ``provenance``.
    """
    rule = network.rule
    sites = len(network.venues) // len(SERVICES_FOR_RULE)
    locations = int(network.venues[["lat", "lon"]].drop_duplicates().shape[0])

    def block(frame: pd.DataFrame) -> list[dict[str, Any]]:
        rows = []
        for (code, name), group in frame.groupby(["area_code", "area_name"], sort=True):
            by_service = group.set_index("service")
            # One row per service; pandas-stubs types .loc[label] as a row or, for a repeated label, a frame.
            supported = cast("pd.Series[Any]", by_service.loc["supported"])
            supervised = cast("pd.Series[Any]", by_service.loc["supervised"])
            rows.append(
                {
                    "area_code": code,
                    "area_name": name,
                    "lsoas": int(by_service["lsoas"].iloc[0]),
                    "people": float(by_service["people"].iloc[0]),
                    "scenario": {
                        **_shares(supported, "scenario"), "covered": float(supported["scenario_covered"]),
                        "people_covered": float(supported["scenario_people_covered"]),
                        "people_share_covered": float(supported["scenario_people_share_covered"]),
                    },
                    "directory_supported": _shares(supported, "directory"),
                    "directory_supervised": _shares(supervised, "directory"),
                    "directory_covered": float(supported["directory_covered"]),
                    "directory_people_covered": float(supported["directory_people_covered"]),
                    "directory_people_share_covered": float(supported["directory_people_share_covered"]),
                }
            )
        return rows

    national = block(network.comparison(by="national"))[0]
    beyond = network.beyond_far()
    scenario_share = national["scenario"]["covered"]
    directory_share = national["directory_covered"]
    reach_text = rule.describe().split(";")[0]
    held = network.directory.completeness
    where = "single point of entry family court" if network.variant == "spoe" else "family court centre"
    headline = (
        f"If every {where} had a supported and a supervised contact venue, "
        f"{format_people(national['scenario']['people_covered'])} in England and Wales "
        f"({national['scenario']['people_share_covered']:.0%}; {scenario_share:.0%} of neighbourhoods) would have "
        f"both {reach_text}; today, from the centres in this directory, it is "
        f"{format_people(national['directory_people_covered'])} ({national['directory_people_share_covered']:.0%}; "
        f"{directory_share:.0%} of neighbourhoods) (this directory is incomplete: {held.open_centres} open centres, "
        f"about {held.share_of_estimate:.0%} of NACCC's roughly {held.estimate_total})."
    )
    headline_beyond = (
        f"If every {where} had a venue, {format_people(national['scenario']['people_beyond_50_miles'])} would still "
        f"be more than {FAR_MILES:g} miles from one."
    )
    return {
        "scenario": VARIANT_LABELS[network.variant],
        "label": SCENARIO_LABEL,
        "variant": network.variant,
        "venues": int(len(network.venues)),
        "venue_sites": int(sites),
        "distinct_locations": locations,
        "courts": int(len(network.court_coverage)),
        "courts_meeting_rule": {
            "scenario": int(network.court_coverage["meets_rule"].sum()),
            "directory": int(network.directory.court_coverage["meets_rule"].sum()),
        },
        "national": national,
        "by_nation": block(network.comparison(by="nation")),
        "beyond_50_miles": {
            "lsoas": int(beyond["lsoas_beyond"].sum()),
            "share_lsoas": float(national["scenario"]["share_beyond_50_miles"]),
            "people": float(national["scenario"]["people_beyond_50_miles"]),
            "share_people": float(national["scenario"]["people_share_beyond_50_miles"]),
            "local_authorities": [
                {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
                for row in beyond.to_dict("records")
            ],
        },
        "headline": headline,
        "headline_beyond": headline_beyond,
        "population_note": POPULATION_NOTE,
        "directory_completeness": held.describe(),
        "threshold": rule.describe(),
        "method": (
            "Venues placed at each court's coordinates (FaCT postcode centroids); nearest venue per LSOA centroid by "
            "great-circle distance, estimated drive minutes from the calibrated model, exactly as for the directory's "
            "coverage. Shares are of LSOAs (2011) and of people. 'Beyond 50 miles' is one-way great-circle "
            f"distance: the campaign's 100-mile round trip. {POPULATION_NOTE}"
        ),
        "data_dates": dict(DATA_SNAPSHOTS),
        "provenance": provenance(network.directory, extra={"scenario": VARIANT_LABELS[network.variant]}),
    }


#: Networks in :func:`readable_comparison`, with the summary key each reads.
READABLE_NETWORKS: tuple[tuple[str, str], ...] = (
    (SCENARIO_LABEL, "scenario"),
    (f"{DIRECTORY_LABEL}: supported", "directory_supported"),
    (f"{DIRECTORY_LABEL}: supervised", "directory_supervised"),
)


def readable_comparison(summary: dict[str, Any]) -> pd.DataFrame:
    """The national and per-nation figures of :func:`statutory_network_summary` as one table for people.

    Returns:
        One row per area and network (scenario; directory supported;
        directory supervised): ``area``, ``network``, ``within_<band>_min``
        for each reach band and ``beyond_50_miles`` (shares of LSOAs, 0..1),
        and ``median_minutes`` (estimated drive to the nearest venue). The
        same in people: :func:`readable_people_comparison`.
    """
    rows = []
    for area in [summary["national"], *summary["by_nation"]]:
        for label, key in READABLE_NETWORKS:
            shares = area[key]
            rows.append(
                {
                    "area": area["area_name"],
                    "network": label,
                    **{f"within_{band}_min": shares[f"share_within_{band}_min"] for band in REACH_BANDS_MINUTES},
                    "beyond_50_miles": shares["share_beyond_50_miles"],
                    "median_minutes": shares["median_minutes"],
                }
            )
    return pd.DataFrame(rows)


def readable_people_comparison(summary: dict[str, Any]) -> pd.DataFrame:
    """:func:`readable_comparison` in people: how many people, not what share of LSOAs.

    Returns:
        One row per area and network: ``area``, ``network``, ``people`` (in
        the area), ``within_<band>_min`` for each reach band and
        ``beyond_50_miles`` (counts of people, :data:`~millis_network.wording.POPULATION_NOTE`).
    """
    rows = []
    for area in [summary["national"], *summary["by_nation"]]:
        for label, key in READABLE_NETWORKS:
            counts = area[key]
            rows.append(
                {
                    "area": area["area_name"],
                    "network": label,
                    "people": area["people"],
                    **{f"within_{band}_min": counts[f"people_within_{band}_min"] for band in REACH_BANDS_MINUTES},
                    "beyond_50_miles": counts["people_beyond_50_miles"],
                }
            )
    return pd.DataFrame(rows)


def format_share(value: float) -> str:
    """A share (0..1) as a percentage with one decimal; "<0.1%" for small non-zero shares."""
    return "<0.1%" if 0 < value < 0.0005 else f"{value:.1%}"


def comparison_map_frame(comparison: pd.DataFrame, boundaries: gpd.GeoDataFrame, *, band: int) -> gpd.GeoDataFrame:
    """One map layer: local authorities with scenario and directory shares within ``band`` minutes.

    Args:
        comparison: :func:`compare_reach` by ``local_authority``.
        boundaries: :func:`millis_network.places.local_authority_boundaries`.
        band: one of :data:`~millis_network.config.REACH_BANDS_MINUTES`.

    Returns:
        GeoDataFrame (EPSG:4326), one row per local authority and service:
        ``local_authority_code``, ``local_authority_name``, ``service``,
        ``lsoas``, ``scenario_share``, ``directory_share`` (0..1 of LSOAs
        within ``band`` estimated drive minutes), ``gap`` (scenario minus
        directory) and ``geometry``.
    """
    if band not in REACH_BANDS_MINUTES:
        raise ValueError(f"band must be one of {REACH_BANDS_MINUTES}, got {band!r}")
    values = pd.DataFrame(
        {
            "local_authority_code": comparison["area_code"],
            "service": comparison["service"],
            "lsoas": comparison["lsoas"],
            "scenario_share": comparison[f"scenario_within_{band}_min"],
            "directory_share": comparison[f"directory_within_{band}_min"],
        }
    )
    values["gap"] = values["scenario_share"] - values["directory_share"]
    shapes = boundaries[["local_authority_code", "local_authority_name", "geometry"]]
    return gpd.GeoDataFrame(shapes.merge(values, on="local_authority_code", how="inner"), geometry="geometry", crs=boundaries.crs)
