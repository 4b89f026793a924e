"""The cost of closing the gaps: new centres needed, times what one centre costs a year.

The default cost of one centre is the proposed annual budget of Milli's Child
Contact Centre in States of Jersey proposition P.119/2014 (£17,600 in all;
``network_data/centres/millis.yaml``). The number of new centres is the
coverage engine's greedy placement
(:func:`millis_network.engine.whatif.sites_to_meet_rule_everywhere`): sites added
until every family court centre has a supported and a supervised venue within
the campaign rule. The proposition asked for a three-year service level
agreement, so figures are given per year and over the agreement.

Every figure comes with the assumptions behind it as sentences
(:attr:`FundingEstimate.assumptions`), so no number travels without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd

from millis_network._geo import BRITISH_NATIONAL_GRID, WGS84
from millis_network.directory import millis_profile
from millis_network.engine.analysis import Analysis
from millis_network.engine.whatif import (
    RECOMMENDATION_COLUMNS,
    sites_to_meet_rule_everywhere,
)
from millis_network.errors import DataFileError
from millis_network.places import local_authority_boundaries

#: Where the default per-centre budget comes from.
BUDGET_SOURCE = (
    "Proposed annual budget of Milli's Child Contact Centre, States of Jersey proposition "
    "P.119/2014 (Deputy G.P. Southern), 2014 prices"
)

#: Columns of :attr:`FundingEstimate.sites`.
SITE_COST_COLUMNS: tuple[str, ...] = (
    *RECOMMENDATION_COLUMNS, "nation", "local_authority_code", "annual_gbp", "sla_gbp",
)

#: Columns of :attr:`FundingEstimate.by_nation`.
NATION_COST_COLUMNS: tuple[str, ...] = ("nation", "new_centres", "annual_gbp", "sla_gbp")

#: Columns of :attr:`FundingEstimate.by_local_authority`.
LOCAL_AUTHORITY_COST_COLUMNS: tuple[str, ...] = (
    "local_authority_code", "local_authority_name", "nation", "new_centres", "annual_gbp", "sla_gbp",
)


@dataclass(frozen=True)
class BudgetLine:
    """One expenditure line of a centre's annual budget, in pounds."""

    item: str
    gbp: float


@dataclass(frozen=True)
class CentreBudget:
    """What one centre costs a year, line by line.

    Attributes:
        lines: expenditure lines, pounds a year.
        source: where the figures come from.
    """

    lines: tuple[BudgetLine, ...]
    source: str

    @property
    def total_gbp(self) -> float:
        """Sum of the lines, pounds a year."""
        return float(sum(line.gbp for line in self.lines))

    def describe(self) -> str:
        """The lines as one sentence, e.g. ``Service delivery £4,000; ...``."""
        return "; ".join(f"{line.item} £{line.gbp:,.0f}" for line in self.lines)


def millis_budget(data_dir: Path | None = None) -> CentreBudget:
    """Milli's proposed annual budget (P.119/2014) from ``network_data/centres/millis.yaml``.

    Raises:
        DataFileError: the lines do not add up to the stated total.
    """
    stated = millis_profile(data_dir)["proposed_budget"]
    budget = CentreBudget(
        lines=tuple(BudgetLine(str(line["item"]), float(line["gbp"])) for line in stated["lines"]),
        source=BUDGET_SOURCE,
    )
    if abs(budget.total_gbp - float(stated["total_gbp"])) > 0.5:
        raise DataFileError(
            f"network_data/centres/millis.yaml: proposed_budget: lines add up to £{budget.total_gbp:,.0f} "
            f"but total_gbp says £{float(stated['total_gbp']):,.0f}; correct the lines or the total"
        )
    return budget


@dataclass(frozen=True)
class FundingAssumptions:
    """The choices behind a cost figure.

    Attributes:
        annual_cost_per_centre_gbp: what one new centre costs a year, pounds.
        budget: the budget the default cost comes from (shown beside the figure).
        sla_years: length of the service level agreement, years (P.119/2014 asked for 3).
        annual_uplift: yearly increase in cost over the agreement as a fraction
            (0.03 = 3% a year); 0 means every year costs the same.
    """

    annual_cost_per_centre_gbp: float
    budget: CentreBudget
    sla_years: int = 3
    annual_uplift: float = 0.0

    def __post_init__(self) -> None:
        if not self.annual_cost_per_centre_gbp > 0:
            raise ValueError(f"annual_cost_per_centre_gbp must be > 0, got {self.annual_cost_per_centre_gbp!r}")
        if self.sla_years < 1:
            raise ValueError(f"sla_years must be at least 1, got {self.sla_years!r}")
        if not self.annual_uplift > -1:
            raise ValueError(f"annual_uplift must be > -1 (a fraction, 0.03 = 3%), got {self.annual_uplift!r}")

    @property
    def uses_budget_total(self) -> bool:
        """Whether the per-centre cost is the budget's total, unedited."""
        return abs(self.annual_cost_per_centre_gbp - self.budget.total_gbp) < 0.5


def default_assumptions(
    *,
    annual_cost_per_centre_gbp: float | None = None,
    sla_years: int = 3,
    annual_uplift: float = 0.0,
    data_dir: Path | None = None,
) -> FundingAssumptions:
    """Assumptions built on Milli's budget; ``annual_cost_per_centre_gbp`` overrides its total."""
    budget = millis_budget(data_dir)
    return FundingAssumptions(
        annual_cost_per_centre_gbp=budget.total_gbp if annual_cost_per_centre_gbp is None else annual_cost_per_centre_gbp,
        budget=budget,
        sla_years=sla_years,
        annual_uplift=annual_uplift,
    )


def sla_cost_gbp(annual_gbp: float, *, years: int, annual_uplift: float = 0.0) -> float:
    """Cost over a service level agreement: year k (0-based) costs ``annual_gbp × (1 + uplift)^k``.

    Returns:
        Pounds over ``years`` years; ``years × annual_gbp`` when the uplift is 0.
    """
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years!r}")
    return float(sum(annual_gbp * (1 + annual_uplift) ** k for k in range(years)))


@dataclass(frozen=True)
class FundingEstimate:
    """What closing the gaps would cost, nationally and per area, with its assumptions.

    Attributes:
        new_centres: new centres (each offering supported and supervised contact).
        annual_gbp: their cost per year, pounds.
        sla_gbp: their cost over the service level agreement, pounds.
        courts: family court centres in the analysis.
        courts_failing: courts failing the rule today.
        courts_meeting_rule_after: courts meeting the rule once the new centres open.
        statutory_venues: venues in the statutory network the campaign asks
            for (one at every family court centre).
        statutory_annual_gbp, statutory_sla_gbp: that network's cost at the
            same per-centre cost, pounds.
        sites: one row per new centre, columns :data:`SITE_COST_COLUMNS`.
        by_nation: columns :data:`NATION_COST_COLUMNS`.
        by_local_authority: columns :data:`LOCAL_AUTHORITY_COST_COLUMNS`.
        rule: the campaign rule the placement meets.
        assumptions: every assumption, one sentence each.
        parameters: the assumption values as JSON-ready data.
    """

    new_centres: int
    annual_gbp: float
    sla_gbp: float
    courts: int
    courts_failing: int
    courts_meeting_rule_after: int
    statutory_venues: int
    statutory_annual_gbp: float
    statutory_sla_gbp: float
    sites: pd.DataFrame
    by_nation: pd.DataFrame
    by_local_authority: pd.DataFrame
    rule: str
    assumptions: tuple[str, ...]
    parameters: dict[str, Any]

    def headline(self) -> str:
        """One sentence with the national figure."""
        years = self.parameters["sla_years"]
        return (
            f"{self.new_centres} new centres offering supported and supervised contact would bring every one of "
            f"the {self.courts} family court centres within reach ({self.rule}): £{self.annual_gbp:,.0f} a year, "
            f"£{self.sla_gbp:,.0f} over a {years}-year service level agreement."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures, tables and assumptions."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            # pandas-stubs types record keys as Hashable; these tables' columns are named by strings.
            rows = cast("list[dict[str, Any]]", frame.to_dict("records"))
            return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in rows]

        return {
            "new_centres": self.new_centres,
            "annual_gbp": self.annual_gbp,
            "sla_gbp": self.sla_gbp,
            "courts": self.courts,
            "courts_failing": self.courts_failing,
            "courts_meeting_rule_after": self.courts_meeting_rule_after,
            "statutory_venues": self.statutory_venues,
            "statutory_annual_gbp": self.statutory_annual_gbp,
            "statutory_sla_gbp": self.statutory_sla_gbp,
            "rule": self.rule,
            "parameters": self.parameters,
            "assumptions": list(self.assumptions),
            "by_nation": records(self.by_nation),
            "by_local_authority": records(self.by_local_authority),
            "sites": records(self.sites),
        }


def locate_sites(
    sites: pd.DataFrame, courts: pd.DataFrame, lsoas: pd.DataFrame, boundaries: gpd.GeoDataFrame
) -> pd.DataFrame:
    """The nation and local authority of each recommended site.

    An LSOA site takes its LSOA's local authority and nation. A court site
    takes the court's jurisdiction as its nation and the local authority of
    that nation whose (simplified) boundary contains it or lies nearest (a
    coastal court can fall just outside the simplified outline); a court
    outside England and Wales (the Royal Court of Jersey) has a blank local
    authority.

    Returns:
        ``sites`` with ``nation``, ``local_authority_code`` and
        ``local_authority_name`` filled in.
    """
    out = sites.reset_index(drop=True).copy()
    by_lsoa = lsoas.set_index("lsoa_code")
    by_court = courts.set_index("id")
    points = gpd.GeoDataFrame(
        out[["site_id"]], geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84
    ).to_crs(BRITISH_NATIONAL_GRID)
    areas = boundaries[["local_authority_code", "local_authority_name", "nation", "geometry"]].to_crs(BRITISH_NATIONAL_GRID)
    nation, code, name = [], [], []
    for position, site in out.iterrows():
        if site["site_kind"] == "lsoa":
            lsoa = by_lsoa.loc[site["site_id"]]
            nation.append(str(lsoa["nation"]))
            code.append(str(lsoa["local_authority_code"]))
            name.append(str(lsoa["local_authority_name"]))
            continue
        jurisdiction = str(by_court.loc[site["site_id"], "jurisdiction"])
        nation.append(jurisdiction)
        candidates = areas[areas["nation"] == jurisdiction]
        if candidates.empty:
            code.append("")
            name.append("")
            continue
        # ``out`` has a RangeIndex (reset above), so its labels are positions; pandas-stubs types them as Hashable.
        nearest = candidates.distance(points.geometry.iloc[cast(int, position)]).idxmin()
        code.append(str(candidates.at[nearest, "local_authority_code"]))
        name.append(str(candidates.at[nearest, "local_authority_name"]))
    out["nation"] = nation
    out["local_authority_code"] = code
    out["local_authority_name"] = name
    return out


def estimate_cost(
    located_sites: pd.DataFrame,
    *,
    assumptions: FundingAssumptions,
    courts: int,
    courts_failing: int,
    rule: str,
    completeness: str,
) -> FundingEstimate:
    """Cost the new sites (pure arithmetic; :func:`cost_of_closing_gaps` supplies the inputs).

    Args:
        located_sites: :func:`locate_sites` output (one row per new centre).
        assumptions: per-centre cost, agreement length, uplift.
        courts: number of family court centres (the statutory network's size).
        courts_failing: courts failing the rule today.
        rule: the rule's description.
        completeness: the directory completeness sentence.

    Returns:
        :class:`FundingEstimate`.
    """
    annual = assumptions.annual_cost_per_centre_gbp
    per_sla = sla_cost_gbp(annual, years=assumptions.sla_years, annual_uplift=assumptions.annual_uplift)
    sites = located_sites.reset_index(drop=True).copy()
    sites["annual_gbp"] = annual
    sites["sla_gbp"] = per_sla
    sites = sites[list(SITE_COST_COLUMNS)]
    n = len(sites)
    after = int(sites["cumulative_courts_meeting_rule"].iloc[-1]) if n else courts - courts_failing

    def per_area(keys: list[str]) -> pd.DataFrame:
        grouped = sites.groupby(keys, sort=True, dropna=False).size().rename("new_centres").reset_index()
        grouped["annual_gbp"] = grouped["new_centres"] * annual
        grouped["sla_gbp"] = grouped["new_centres"] * per_sla
        return grouped.sort_values(["new_centres", *keys], ascending=[False, *[True] * len(keys)]).reset_index(drop=True)

    by_nation = per_area(["nation"])[list(NATION_COST_COLUMNS)]
    by_la = per_area(["local_authority_code", "local_authority_name", "nation"])[list(LOCAL_AUTHORITY_COST_COLUMNS)]
    return FundingEstimate(
        new_centres=n,
        annual_gbp=n * annual,
        sla_gbp=n * per_sla,
        courts=courts,
        courts_failing=courts_failing,
        courts_meeting_rule_after=after,
        statutory_venues=courts,
        statutory_annual_gbp=courts * annual,
        statutory_sla_gbp=courts * per_sla,
        sites=sites,
        by_nation=by_nation,
        by_local_authority=by_la,
        rule=rule,
        assumptions=_assumption_sentences(assumptions, new_centres=n, courts=courts, rule=rule,
                                          completeness=completeness, courts_after=after),
        parameters={
            "annual_cost_per_centre_gbp": annual,
            "sla_years": assumptions.sla_years,
            "annual_uplift": assumptions.annual_uplift,
            "budget_source": assumptions.budget.source,
            "budget_total_gbp": assumptions.budget.total_gbp,
            "budget_lines": [{"item": line.item, "gbp": line.gbp} for line in assumptions.budget.lines],
        },
    )


def _assumption_sentences(
    assumptions: FundingAssumptions, *, new_centres: int, courts: int, rule: str, completeness: str, courts_after: int
) -> tuple[str, ...]:
    budget = assumptions.budget
    annual = assumptions.annual_cost_per_centre_gbp
    if assumptions.uses_budget_total:
        cost = (f"Each new centre costs £{annual:,.0f} a year: {budget.source} ({budget.describe()}); "
                "not adjusted for inflation since 2014.")
    else:
        cost = (f"Each new centre costs £{annual:,.0f} a year, a figure set by the user; for comparison, "
                f"{budget.source} came to £{budget.total_gbp:,.0f} ({budget.describe()}).")
    if assumptions.annual_uplift:
        sla = (f"The service level agreement runs {assumptions.sla_years} years, with costs rising "
               f"{assumptions.annual_uplift:.1%} a year after the first.")
    else:
        sla = (f"The service level agreement runs {assumptions.sla_years} years at the same cost each year "
               f"({assumptions.sla_years} × the annual figure; no inflation).")
    reached = (
        "every family court centre meets the rule"
        if courts_after >= courts else f"{courts_after} of {courts} family court centres meet the rule"
    )
    return (
        cost,
        "Each new centre offers both supported and supervised contact at that one cost. Milli's budget was for a "
        "volunteer-run supported-contact centre; supervised contact needs staff with social-work (or equivalent) "
        "qualifications, so the figure is a lower bound for supervised contact.",
        f"The number of new centres ({new_centres}) is a greedy placement by the coverage engine: sites are added, "
        "best first, among court locations and one central neighbourhood (LSOA) per local authority, until "
        f"{reached} ({rule}). A greedy placement is not guaranteed to be the fewest possible.",
        f"Existing provision is what this directory holds. {completeness} Centres missing from the directory "
        "may already serve some courts, so fewer new centres may be needed.",
        sla,
        "Only running costs are counted: no premises purchase, capital or set-up costs beyond the budget's lines, "
        "and nothing for sustaining the centres that already exist.",
        f"The statutory network the campaign asks for (a venue for supported and supervised contact at every one "
        f"of the {courts} family court centres) is costed at the same per-centre figure.",
        "Per-area figures place each new centre in the nation and local authority of its site; a site on a court "
        "serves families across authority boundaries.",
    )


def cost_of_closing_gaps(
    analysis: Analysis,
    *,
    assumptions: FundingAssumptions,
    boundaries: gpd.GeoDataFrame | None = None,
    data_dir: Path | None = None,
) -> FundingEstimate:
    """New centres needed for every court to meet the rule, and what they would cost.

    Args:
        analysis: the national analysis (its rule and directory decide the gaps).
        assumptions: per-centre cost and agreement terms (:func:`default_assumptions`).
        boundaries: local authority boundaries (:func:`millis_network.places.local_authority_boundaries`);
            loaded from ``data_dir`` when None.

    Returns:
        :class:`FundingEstimate` in pounds, nationally, per nation and per local authority.
    """
    sites = sites_to_meet_rule_everywhere(analysis.courts, analysis.centres, analysis.lsoas, rule=analysis.rule)
    boundaries = local_authority_boundaries(data_dir) if boundaries is None else boundaries
    located = locate_sites(sites, analysis.courts, analysis.lsoas, boundaries)
    return estimate_cost(
        located,
        assumptions=assumptions,
        courts=len(analysis.court_coverage),
        courts_failing=int((~analysis.court_coverage["meets_rule"]).sum()),
        rule=analysis.rule.describe(),
        completeness=analysis.completeness.describe(),
    )
