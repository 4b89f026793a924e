"""Landing page: the national coverage map, its headline figures and the same facts as tables."""

from __future__ import annotations

import math

import folium
import loaders
import map_layers
import shared
import streamlit as st
import tables
from streamlit_folium import st_folium

from millis_network.engine.coverage import centres_near
from millis_network.places import round_people
from millis_network.wording import NO_ROAD, POPULATION_NOTE, drive_text

rule = shared.current_rule()
service = shared.current_service()
jurisdiction = shared.current_jurisdiction()
view = loaders.analysis(rule, jurisdiction)
coverage = view.court_coverage
headline = loaders.headline(rule, jurisdiction)

st.title("Family courts and child contact centres")
st.markdown(
    "The campaign asks for at least one venue for **supported** and one for **supervised** contact within reach "
    f"of every family court centre. Reach here: **{rule.describe()}**."
)
if headline["people_headline"]:
    st.markdown(
        f"**{headline['people_headline']}** By neighbourhood: "
        f"{headline['share_lsoas_beyond_threshold_supported']:.1%} of LSOAs."
    )
shared.data_notice(view)

first, second, third = st.columns(3)
first.metric(
    "Courts meeting the rule",
    f"{headline['courts_meeting_rule']} of {headline['courts']}",
    help="Family court centres with a supported and a supervised centre in this directory within reach.",
)
people_far = headline["people_beyond_50_miles_supported"]
second.metric(
    "People beyond 50 miles of a supported centre",
    "no LSOA data" if math.isnan(people_far)
    else f"{round_people(people_far)} ({headline['people_share_beyond_50_miles_supported']:.1%})",
    help="People whose LSOA's nearest supported centre in this directory is more than 50 miles away in a straight "
    "line: the campaign's 100-mile round trip.",
)
if not math.isnan(people_far):
    second.caption(f"{headline['share_lsoas_beyond_50_miles_supported']:.1%} of LSOAs. {POPULATION_NOTE}")
worst = view.gaps().head(3)[["court_name", "worst_minutes", "worst_journey"]]
third.markdown("**Worst-served courts**")
third.markdown(
    "\n".join(f"{i}. {row.court_name}: {drive_text(row.worst_minutes, row.worst_journey)}"
              for i, row in enumerate(worst.itertuples(), 1))
    or "Every court meets the rule."
)

VIEWS = {"map": "A map", "tables": "Tables"}
if "coverage_view" not in st.session_state:
    st.session_state["coverage_view"] = shared.url_value("view", VIEWS.__contains__) or "map"
shown = st.radio(
    "Show the coverage as",
    list(VIEWS),
    format_func=VIEWS.__getitem__,
    key="coverage_view",
    horizontal=True,
    help="The tables hold the same facts as the map: every court's status and every local authority's drive.",
)
shared.remember_in_url(view="" if shown == "map" else shown)

clicked = None
if shown == "map":
    centres = map_layers.drawable_centres(view.centres, include_sample=rule.include_sample)
    fmap = map_layers.coverage_map(
        centres,
        loaders.area_layer(rule, jurisdiction, service),
        service=service,
        bounds=map_layers.bounds_of(coverage),
    )
    clicked = st_folium(
        fmap,
        feature_group_to_add=map_layers.court_layers(coverage),
        layer_control=folium.LayerControl(collapsed=True),
        key="coverage_map",
        height=map_layers.MAP_HEIGHT_PX,
        use_container_width=True,
        render=map_layers.RENDER_WHOLE_PAGE,
        returned_objects=["last_object_clicked"],
    )
    st.caption(map_layers.legend_text(service=service))
else:
    courts_tab, areas_tab = st.tabs(["Every court", "Every local authority"])
    with courts_tab:
        st.caption(f"{len(coverage)} family court centres; status under the rule {rule.describe()}.")
        st.dataframe(tables.courts(coverage), hide_index=True, width="stretch", placeholder=NO_ROAD)
    with areas_tab:
        st.caption(
            f"Median estimated drive to the nearest {service} centre in this directory, by local authority "
            f"(LSOA centroids; shares of LSOAs and, beside them, of people). {POPULATION_NOTE}"
        )
        st.dataframe(tables.areas(loaders.area_summary(rule, jurisdiction, service), service=service),
                     hide_index=True, width="stretch", placeholder=NO_ROAD)

court_ids = coverage.sort_values("court_name")["court_id"].tolist()
names = dict(zip(coverage["court_id"], coverage["court_name"]))
point = (clicked or {}).get("last_object_clicked")
if point and point != st.session_state.get("last_map_click"):
    st.session_state["last_map_click"] = point
    clicked_courts = map_layers.courts_at(coverage, point["lat"], point["lng"])
    st.session_state["court"] = clicked_courts[0] if clicked_courts else st.session_state.get("court")
if st.session_state.get("court") not in names:
    st.session_state["court"] = shared.url_value("court", names.__contains__) or None

st.subheader("A court's nearest centres")
court_id = st.selectbox(
    "Family court centre (or click a court on the map)",
    court_ids,
    format_func=names.__getitem__,
    key="court",
    index=None,
    placeholder="Choose a court",
)
shared.remember_in_url(court=court_id or "")
if court_id:
    court = coverage[coverage["court_id"] == court_id].iloc[0]
    st.markdown(f"**{court['court_name']}**, {court['town']} {court['postcode']}: **{court['status']}** ({rule.describe()}).")
    neighbours = [names[other] for other in map_layers.courts_at(coverage, court["lat"], court["lon"]) if other != court_id]
    if neighbours:
        st.caption(f"Same building, same point on the map: {', '.join(neighbours)}. Choose it in the list to see it.")
    for kind in ("supported", "supervised"):
        near = centres_near(
            court["lat"], court["lon"], view.centres, rule=rule, service=kind, n=5,
            jurisdiction=court["jurisdiction"], model=view.network.model, settlements=view.network.settlements,
        )
        st.markdown(f"Nearest **{kind}** centres in this directory")
        st.dataframe(tables.nearest_centres(near), hide_index=True, width="stretch")
