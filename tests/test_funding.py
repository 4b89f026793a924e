"""The cost of closing the gaps: hand-checked arithmetic, the budget from the seed, the bundled figure."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled_public
from hypothesis import given
from hypothesis import strategies as st

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.whatif import (
    RECOMMENDATION_COLUMNS,
    sites_to_meet_rule_everywhere,
)
from millis_network.errors import DataFileError
from millis_network.evidence.funding import (
    LOCAL_AUTHORITY_COST_COLUMNS,
    NATION_COST_COLUMNS,
    SITE_COST_COLUMNS,
    BudgetLine,
    CentreBudget,
    FundingAssumptions,
    cost_of_closing_gaps,
    default_assumptions,
    estimate_cost,
    locate_sites,
    millis_budget,
    sla_cost_gbp,
)
from millis_network.places import local_authority_boundaries

FIXTURES = Path(__file__).resolve().parent / "data" / "evidence"
TEN_K = CentreBudget((BudgetLine("Everything", 10_000.0),), source="hand-made test budget")


def test_millis_budget_is_the_seed_budget() -> None:
    budget = millis_budget()
    assert [(line.item, line.gbp) for line in budget.lines] == [
        ("Service delivery", 4000), ("Volunteer costs", 2000), ("Promotion of services", 2500),
        ("Office costs", 2500), ("Insurance", 600), ("Training", 5000), ("Communications (inc. website)", 1000),
    ]
    assert budget.total_gbp == 17_600
    assert "P.119/2014" in budget.source
    assert default_assumptions().annual_cost_per_centre_gbp == 17_600


def test_budget_whose_lines_disagree_with_its_total_is_refused() -> None:
    with pytest.raises(DataFileError, match=r"lines add up to £3,000 but total_gbp says £17,600"):
        millis_budget(FIXTURES / "budget_lines_disagree")


@pytest.mark.parametrize(
    ("annual", "years", "uplift", "expected"),
    [
        (17_600, 3, 0.0, 52_800),  # 3 × 17,600
        (17_600, 1, 0.0, 17_600),
        (17_600, 3, 0.1, 58_256),  # 17,600 + 19,360 + 21,296
        (10_000, 2, 0.05, 20_500),  # 10,000 + 10,500
    ],
)
def test_service_level_agreement_cost(annual: float, years: int, uplift: float, expected: float) -> None:
    assert sla_cost_gbp(annual, years=years, annual_uplift=uplift) == pytest.approx(expected)


@given(st.floats(1, 1e6), st.integers(1, 10), st.floats(0, 0.5))
def test_sla_cost_is_years_times_annual_without_uplift_and_never_less_with_it(
    annual: float, years: int, uplift: float
) -> None:
    flat = sla_cost_gbp(annual, years=years)
    assert flat == pytest.approx(years * annual)
    assert sla_cost_gbp(annual, years=years, annual_uplift=uplift) >= flat - 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"annual_cost_per_centre_gbp": 0}, "annual_cost_per_centre_gbp must be > 0"),
        ({"annual_cost_per_centre_gbp": 1, "sla_years": 0}, "sla_years must be at least 1"),
        ({"annual_cost_per_centre_gbp": 1, "annual_uplift": -1.0}, "annual_uplift must be > -1"),
    ],
)
def test_impossible_assumptions_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FundingAssumptions(budget=TEN_K, **kwargs)


def located(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Sites already placed in (nation, local authority code, name); cumulative courts rise by one each."""
    records = []
    for rank, (nation, code, name) in enumerate(rows, start=1):
        record = dict.fromkeys(RECOMMENDATION_COLUMNS, 0)
        record.update(rank=rank, site_kind="lsoa", site_id=f"site-{rank}", site_name=f"Site {rank}",
                      local_authority_name=name, nation=nation, local_authority_code=code,
                      cumulative_courts_meeting_rule=2 + rank)
        records.append(record)
    return pd.DataFrame(records, columns=[*RECOMMENDATION_COLUMNS, "nation", "local_authority_code"])


THREE_SITES = located(("England", "E1", "Alpha"), ("Wales", "W1", "Beta"), ("England", "E1", "Alpha"))


def test_cost_per_area_hand_checked() -> None:
    assumptions = FundingAssumptions(annual_cost_per_centre_gbp=10_000, budget=TEN_K)
    estimate = estimate_cost(THREE_SITES, assumptions=assumptions, courts=5, courts_failing=3,
                             rule="test rule", completeness="Test completeness.")
    assert estimate.new_centres == 3
    assert estimate.annual_gbp == 30_000
    assert estimate.sla_gbp == 90_000
    assert estimate.courts_meeting_rule_after == 5
    assert (estimate.statutory_venues, estimate.statutory_annual_gbp, estimate.statutory_sla_gbp) == (5, 50_000, 150_000)
    assert list(estimate.by_nation.columns) == list(NATION_COST_COLUMNS)
    assert estimate.by_nation.to_dict("records") == [
        {"nation": "England", "new_centres": 2, "annual_gbp": 20_000, "sla_gbp": 60_000},
        {"nation": "Wales", "new_centres": 1, "annual_gbp": 10_000, "sla_gbp": 30_000},
    ]
    assert list(estimate.by_local_authority.columns) == list(LOCAL_AUTHORITY_COST_COLUMNS)
    assert estimate.by_local_authority[["local_authority_code", "new_centres", "sla_gbp"]].to_dict("records") == [
        {"local_authority_code": "E1", "new_centres": 2, "sla_gbp": 60_000},
        {"local_authority_code": "W1", "new_centres": 1, "sla_gbp": 30_000},
    ]
    assert list(estimate.sites.columns) == list(SITE_COST_COLUMNS)
    assert estimate.sites["annual_gbp"].tolist() == [10_000] * 3
    assert estimate.headline().endswith("£30,000 a year, £90,000 over a 3-year service level agreement.")


def test_uplift_and_edited_cost_are_stated_in_the_assumptions() -> None:
    assumptions = FundingAssumptions(annual_cost_per_centre_gbp=12_000, budget=TEN_K, sla_years=2, annual_uplift=0.5)
    estimate = estimate_cost(THREE_SITES, assumptions=assumptions, courts=5, courts_failing=3,
                             rule="test rule", completeness="Test completeness.")
    assert estimate.sla_gbp == 3 * (12_000 + 18_000)
    text = " ".join(estimate.assumptions)
    assert "£12,000 a year, a figure set by the user" in text
    assert "came to £10,000" in text
    assert "runs 2 years, with costs rising 50.0% a year" in text
    assert "Test completeness." in text
    assert "lower bound for supervised contact" in text
    assert estimate.to_dict()["parameters"]["annual_uplift"] == 0.5


def test_no_sites_costs_nothing() -> None:
    assumptions = FundingAssumptions(annual_cost_per_centre_gbp=10_000, budget=TEN_K)
    estimate = estimate_cost(located(), assumptions=assumptions, courts=4, courts_failing=0, rule="r", completeness="c")
    assert (estimate.new_centres, estimate.annual_gbp, estimate.sla_gbp) == (0, 0, 0)
    assert estimate.courts_meeting_rule_after == 4
    assert estimate.by_nation.empty


def test_sites_are_placed_in_their_nation_and_local_authority() -> None:
    courts = pd.DataFrame([
        {"id": "cardiff-civil-and-family-justice-centre", "jurisdiction": "Wales"},
        {"id": "royal-court-of-jersey", "jurisdiction": "Jersey"},
    ])
    lsoas = pd.DataFrame([{"lsoa_code": "E01000001", "nation": "England", "local_authority_code": "E09000001",
                           "local_authority_name": "City of London"}])
    sites = pd.DataFrame([
        {"site_kind": "court", "site_id": "cardiff-civil-and-family-justice-centre", "lat": 51.478158, "lon": -3.179875},
        {"site_kind": "court", "site_id": "royal-court-of-jersey", "lat": 49.18804, "lon": -2.10491},
        {"site_kind": "lsoa", "site_id": "E01000001", "lat": 51.5186, "lon": -0.0997},
    ])
    out = locate_sites(sites, courts, lsoas, local_authority_boundaries())
    assert out[["nation", "local_authority_code", "local_authority_name"]].values.tolist() == [
        ["Wales", "W06000015", "Cardiff"],
        ["Jersey", "", ""],
        ["England", "E09000001", "City of London"],
    ]


def test_bundled_figure_is_the_engine_count_times_milli_budget() -> None:
    analysis = run_analysis(bundled_public(), CampaignRule())
    estimate = cost_of_closing_gaps(analysis, assumptions=default_assumptions())
    sites = sites_to_meet_rule_everywhere(analysis.courts, analysis.centres, analysis.lsoas, rule=analysis.rule)
    assert estimate.new_centres == len(sites) > 0
    assert estimate.sites["site_id"].tolist() == sites["site_id"].tolist()
    assert estimate.annual_gbp == 17_600 * len(sites)
    assert estimate.sla_gbp == 3 * 17_600 * len(sites)
    assert estimate.courts_meeting_rule_after == estimate.courts == len(analysis.courts)
    assert estimate.courts_failing == int((~analysis.court_coverage["meets_rule"]).sum())
    assert estimate.by_nation["new_centres"].sum() == estimate.by_local_authority["new_centres"].sum() == len(sites)
    in_england_and_wales = estimate.sites["nation"].isin(["England", "Wales"])
    assert (estimate.sites.loc[in_england_and_wales, "local_authority_code"] != "").all()


def test_cli_funding_json_states_figures_and_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    from millis_network.cli import main

    assert main(["funding", "--per-centre-gbp", "20000", "--years", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["annual_gbp"] == 20_000 * figures["new_centres"]
    assert figures["sla_gbp"] == 2 * 20_000 * figures["new_centres"]
    assert figures["parameters"]["budget_total_gbp"] == 17_600
    assert any("a figure set by the user" in sentence for sentence in figures["assumptions"])
