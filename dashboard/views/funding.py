"""Funding: Milli's budget and funders, and what closing the gaps would cost.

The per-centre cost starts at Milli's proposed annual budget (States of Jersey
P.119/2014) and can be changed; the number of new centres is the coverage
engine's placement under the sidebar's rule. Every figure, table and
assumption comes from ``millis_network.evidence.funding``, the same functions as
``millis-network funding``.
"""

from __future__ import annotations

import json

import loaders
import pandas as pd
import shared
import streamlit as st

from millis_network.evidence.exports import spreadsheet_safe

rule = shared.current_rule()
profile = loaders.millis_profile()
budget = loaders.centre_budget()

st.title("Funding: the cost of closing the gaps")
st.markdown(
    "What would it cost for every family court centre to have a supported and a supervised contact centre within "
    f"reach (**{rule.describe()}**)? The starting point is what one centre costs: the budget Milli's Child Contact "
    "Centre in Jersey put to the States in 2014."
)

budget_column, funders_column = st.columns(2)
with budget_column:
    st.subheader("Milli's proposed annual budget")
    lines = pd.DataFrame([{"item": line.item, "£ a year": f"£{line.gbp:,.0f}"} for line in budget.lines])
    total = pd.DataFrame([{"item": "Total", "£ a year": f"£{budget.total_gbp:,.0f}"}])
    st.table(pd.concat([lines, total], ignore_index=True).set_index("item"))
    running = profile["running_costs"]
    st.caption(
        f"Source: {budget.source}. Running costs for the year ended {running['year_ended']} were about "
        f"£{running['amount_gbp']:,}. The proposition asked for {profile['proposed_budget']['asked_for'].lower()}."
    )
with funders_column:
    st.subheader("Who funded Milli's")
    st.caption(profile["funders"]["description"] + " (P.119/2014, Appendix 1).")
    st.markdown(", ".join(profile["funders"]["names"]) + ".")
    latest = profile["history"][-1]
    st.caption(f"Since then ({latest['date']}): {latest['event']}.")

st.subheader("The national figure")
cost_column, years_column, uplift_column = st.columns(3)
annual_cost = cost_column.number_input(
    "Cost of one centre, £ a year", min_value=1_000.0, max_value=1_000_000.0, value=budget.total_gbp, step=100.0,
    help="Default: Milli's proposed budget. A centre offering supervised contact, with qualified staff, costs more.",
)
sla_years = years_column.number_input(
    "Service level agreement, years", min_value=1, max_value=10, value=3,
    help="P.119/2014 asked for a 3-year service level agreement.",
)
uplift_percent = uplift_column.number_input(
    "Yearly cost increase, %", min_value=0.0, max_value=20.0, value=0.0, step=0.5,
    help="0 = every year of the agreement costs the same (no inflation).",
)
estimate = loaders.funding_estimate(rule, float(annual_cost), int(sla_years), float(uplift_percent) / 100)
shared.data_notice(loaders.analysis(rule))

new_column, annual_column, sla_column, statutory_column = st.columns(4)
new_column.metric("New centres needed", f"{estimate.new_centres}",
                  help=f"{estimate.courts_failing} of {estimate.courts} courts fail the rule today.")
annual_column.metric("Cost a year", f"£{estimate.annual_gbp:,.0f}")
sla_column.metric(f"Over {int(sla_years)} years", f"£{estimate.sla_gbp:,.0f}")
statutory_column.metric(
    "Statutory network, a year", f"£{estimate.statutory_annual_gbp:,.0f}",
    help=f"A venue at every one of the {estimate.statutory_venues} family court centres, at the same cost each.",
)
st.markdown(estimate.headline())

st.subheader("Assumptions")
st.markdown("\n".join(f"{number}. {sentence}" for number, sentence in enumerate(estimate.assumptions, start=1)))

st.subheader("By area")
nation_tab, authority_tab, site_tab = st.tabs(["By nation", "By local authority", "Every new site"])
money = {"annual_gbp": st.column_config.NumberColumn("£ a year", format="£%.0f"),
         "sla_gbp": st.column_config.NumberColumn(f"£ over {int(sla_years)} years", format="£%.0f")}
nation_tab.dataframe(estimate.by_nation, hide_index=True, column_config=money, width="stretch")
authority_tab.dataframe(estimate.by_local_authority, hide_index=True, column_config=money, width="stretch")
site_tab.dataframe(estimate.sites, hide_index=True, column_config=money, width="stretch")

csv_column, json_column = st.columns(2)
csv_column.download_button("Download every new site with its cost (CSV)", spreadsheet_safe(estimate.sites).to_csv(index=False),
                           file_name="cost_of_closing_the_gaps_sites.csv", mime="text/csv", on_click="ignore")
json_column.download_button("Download the figures and assumptions (JSON)",
                            json.dumps(estimate.to_dict(), indent=1, ensure_ascii=False),
                            file_name="cost_of_closing_the_gaps.json", mime="application/json", on_click="ignore")
