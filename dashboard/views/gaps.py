"""Gaps: the family court centres that fail the campaign rule, worst first, with the figures behind each."""

from __future__ import annotations

import json

import loaders
import shared
import streamlit as st
import tables

from millis_network.engine.analysis import provenance
from millis_network.engine.coverage import COURT_STATUSES
from millis_network.evidence.exports import spreadsheet_safe
from millis_network.wording import NO_ROAD

FAILING_STATUSES = COURT_STATUSES[1:]

rule = shared.current_rule()
jurisdiction = shared.current_jurisdiction()
view = loaders.analysis(rule, jurisdiction)
failing = view.gaps()

st.title("Gaps: courts without both services in reach")
st.markdown(
    f"Family court centres without a supported **and** a supervised centre in this directory {rule.describe()}, "
    "ranked by the longest drive to the service they lack."
)
shared.data_notice(view)

if "gap_status" not in st.session_state:
    wanted = shared.url_value("status").split(",")
    st.session_state["gap_status"] = [s for s in FAILING_STATUSES if s in wanted] or list(FAILING_STATUSES)
if "gap_search" not in st.session_state:
    st.session_state["gap_search"] = shared.url_value("q")
status_column, search_column = st.columns([2, 1])
statuses = status_column.multiselect("Status", FAILING_STATUSES, key="gap_status")
search = search_column.text_input("Court or town contains", key="gap_search").strip()
shared.remember_in_url(
    status="" if set(statuses) == set(FAILING_STATUSES) else ",".join(statuses), q=search
)

table = tables.gaps(failing)
shown = table[table["Status"].isin(statuses)]
if search:
    text = shown["Court"] + " " + shown["Town"]
    shown = shown[text.str.contains(search, case=False, regex=False)]

headline = loaders.headline(rule, jurisdiction)
st.metric("Courts failing the rule", f"{len(failing)} of {headline['courts']}")
st.caption(f"{len(shown)} of {len(failing)} failing courts shown. Rank is among all failing courts.")
st.dataframe(shown, hide_index=True, width="stretch", placeholder=NO_ROAD)
csv_column, json_column = st.columns(2)
csv_column.download_button(
    "Download this table (CSV)", spreadsheet_safe(shown).to_csv(index=False), file_name="court-gaps.csv", mime="text/csv"
)
json_column.download_button(
    "Where these numbers come from (JSON)",
    json.dumps(provenance(view, extra={"jurisdiction": jurisdiction or "all"}), indent=2),
    file_name="court-gaps-provenance.json",
    mime="application/json",
)
