"""The dashboard's Funding page (Streamlit AppTest): Milli's budget, funders and the national figure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from bundled import bundled_public
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.whatif import sites_to_meet_rule_everywhere


@pytest.fixture(scope="module")
def needed() -> int:
    analysis = run_analysis(bundled_public(), CampaignRule())
    return len(sites_to_meet_rule_everywhere(analysis.courts, analysis.centres, analysis.lsoas, rule=analysis.rule))


@pytest.fixture
def page() -> AppTest:
    return dashboard_at("funding", timeout_s=120).run()


def widget(widgets: Iterable[Any], label: str) -> Any:
    return next(w for w in widgets if w.label == label)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_figure_is_milli_budget_times_new_centres(page: AppTest, needed: int) -> None:
    assert not page.exception
    assert page.title[0].value == "Funding: the cost of closing the gaps"
    assert metrics(page) == {
        "New centres needed": str(needed),
        "Cost a year": f"£{needed * 17_600:,}",
        "Over 3 years": f"£{needed * 3 * 17_600:,}",
        "Statutory network, a year": f"£{167 * 17_600:,}",
    }
    budget = page.table[0].value
    assert budget.loc["Total", "£ a year"] == "£17,600"
    assert budget.loc["Training", "£ a year"] == "£5,000"
    assert any("Ana Leaf Foundation" in m.value for m in page.markdown)
    assert any("lower bound for supervised contact" in m.value for m in page.markdown)


def test_editing_the_cost_and_agreement_changes_the_figure(page: AppTest, needed: int) -> None:
    widget(page.number_input, "Cost of one centre, £ a year").set_value(20_000.0).run()
    widget(page.number_input, "Service level agreement, years").set_value(5).run()
    assert not page.exception
    figures = metrics(page)
    assert figures["Cost a year"] == f"£{needed * 20_000:,}"
    assert figures["Over 5 years"] == f"£{needed * 5 * 20_000:,}"
    assert any("a figure set by the user" in m.value for m in page.markdown)
