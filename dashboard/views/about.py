"""About the data: where every layer comes from, how complete it is, and how distances are measured."""

from __future__ import annotations

import json

import loaders
import pandas as pd
import shared
import streamlit as st

from millis_network.engine.analysis import provenance
from millis_network.network import DATA_SNAPSHOTS
from millis_network.wording import SERVING_COURT_NOTE

rule = shared.current_rule()
view = loaders.analysis(rule)
facts = provenance(view)
complete = view.completeness

st.title("About the data")
st.markdown(
    "Every number in this dashboard comes from the `millis_network` library run on the data bundled in "
    "`network_data/`; nothing is fetched from the internet while you use it. The street map behind the coverage "
    "map is the only online layer, and the map works without it."
)
shared.data_notice(view)

st.header("How complete the centre directory is")
columns = st.columns(5)
columns[0].metric("Open centres", complete.open_centres, help=f"NACCC has roughly {complete.estimate_total} member centres.")
columns[1].metric("Placed on the map", complete.placed_open_centres)
columns[2].metric("State their services", complete.open_with_services_stated)
columns[3].metric("Closed (kept as evidence)", complete.closed_centres)
columns[4].metric("Sample records", complete.sample_centres)
st.write(complete.describe())

st.subheader("Needs checking")
left, right = st.columns(2)
left.metric("Open centres needing checking", complete.needs_checking,
            help="Never verified by an editor, verified more than 12 months ago, a source page dated more than "
                 "3 years ago, or a doubt flagged.")
right.metric("Verified in the last 12 months", complete.verified_recently)
st.write(complete.describe_checking())

st.subheader("By nation, where a source states a count")
st.dataframe(
    pd.DataFrame({
        "Nation": [n.stated.jurisdiction for n in complete.nations],
        "Open centres in this directory": [n.open_centres for n in complete.nations],
        "Count the source states": [n.stated.count for n in complete.nations],
        "What the source counts": [n.stated.what for n in complete.nations],
        "Source": [n.stated.source for n in complete.nations],
    }),
    hide_index=True,
    width="stretch",
)

st.subheader("Sample records")
samples = view.centres[view.centres["sample"] == "yes"]
if samples.empty:
    st.write("No bundled centre is a sample record: every centre shown is a real centre from a public source.")
else:
    st.write(
        "These records are illustrative, not real centres. They take part only when *Include sample records* is "
        "on, and are labelled SAMPLE wherever shown."
    )
    st.dataframe(samples[["id", "name", "town"]], hide_index=True, width="stretch")

st.header("Snapshot dates")
st.dataframe(
    pd.DataFrame({"Data": list(DATA_SNAPSHOTS), "Snapshot": list(DATA_SNAPSHOTS.values())}),
    hide_index=True,
    width="stretch",
)

st.header("Method")
st.markdown(
    f"""
- **The rule.** {facts['rule']['description']}. A family court centre meets it when at least one open centre
  offering supported contact and one offering supervised contact lie within the threshold.
- **Distances** are great-circle (straight-line) distances between WGS84 coordinates. Centres named only by
  town are placed at the town centre and marked as approximate; centres whose address is withheld are shown only
  at their postcode district's centre (on Jersey, Guernsey and the Isle of Man, only as on the island), and every
  distance to them is measured from there.
- **Drive times** are estimates: {facts['drive_time_method']}. They are not routed journeys.
- **Population** is counted in {facts['population_unit']}. Reach bands: {', '.join(f'{b} min' for b in facts['reach_bands_minutes'])};
  "beyond 50 miles" is the campaign's 100-mile round trip, one way, in a straight line.
- **The court serving an area**: {SERVING_COURT_NOTE}
- **What the directory shows.** While the directory is incomplete, a gap means *no centre in this directory*
  within reach, not that no centre exists.
"""
)
st.download_button(
    "Download the provenance of the current view (JSON)",
    json.dumps(facts, indent=2),
    file_name="provenance.json",
    mime="application/json",
)

st.header("Sources")
st.markdown(loaders.sources_markdown())
