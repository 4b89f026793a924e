"""The campaign's network: a venue at every family court centre against today's directory, and coverage over time.

Every figure comes from ``millis_network.engine.scenario`` and ``millis_network.engine.history``
(the same functions as ``millis-network scenario statutory-network`` and
``millis-network history``); this page only arranges them.
"""

from __future__ import annotations

from datetime import date

import folium
import loaders
import map_layers
import shared
import streamlit as st
from streamlit_folium import st_folium

from millis_network.config import FAR_MILES, REACH_BANDS_MINUTES
from millis_network.engine.history import DATE_RULE
from millis_network.engine.scenario import (
    DIRECTORY_LABEL,
    SCENARIO_LABEL,
    VARIANT_LABELS,
    format_share,
    readable_comparison,
    readable_people_comparison,
)
from millis_network.places import format_people, round_people
from millis_network.wording import NO_ROAD, NOT_STATED, POPULATION_NOTE

#: What the map can show, by radio value.
MAP_VIEWS: dict[str, str] = {
    "gap": "Gap: statutory network minus this directory",
    "scenario": "Statutory network (scenario)",
    "directory": "Centres in this directory today",
}
JERSEY_COURT = "royal-court-of-jersey"
FIRST_YEAR = 2000


def _legend(view: str) -> str:
    if view == "gap":
        return (
            "Colour: percentage points more neighbourhoods within reach with the statutory network than from this "
            "directory (palest orange: up to 20, darkest: over 80; blue: the directory already reaches as many or "
            "more)."
        )
    return "Colour: share of neighbourhoods within reach (dark purple: up to 20%; yellow: over 80%)."


rule = shared.current_rule()
service = shared.current_service()
directory = loaders.analysis(rule)

st.title("The campaign's network")
st.markdown(
    "The campaign asks for a **supported** and a **supervised** contact venue at every family court centre. "
    "The *statutory network* below is that ask as a scenario: hypothetical venues at each court, measured with "
    "the same method as the centres this directory holds. It needs no directory, so its figures stand however "
    f"incomplete the directory is. Reach: **{rule.describe()}**. This page covers England and Wales (and Jersey's "
    "Royal Court) whatever jurisdiction is chosen in the sidebar."
)

scenario_tab, time_tab, jersey_tab = st.tabs(
    ["Scenario against the directory", "Coverage over time", "Jersey: Milli's → Centrepoint"]
)

with scenario_tab:
    variant = st.radio(
        "Statutory network",
        list(VARIANT_LABELS),
        format_func=VARIANT_LABELS.__getitem__,
        key="variant",
        horizontal=True,
        help="The single points of entry are the courts FaCT lists for Children applications (52 courts).",
    )
    summary = loaders.statutory_network_summary(rule, variant)
    network = loaders.statutory_network(rule, variant)
    national = summary["national"]
    far = summary["beyond_50_miles"]
    st.markdown(f"**{summary['headline']}**")
    st.markdown(summary["headline_beyond"])
    first, second, third, fourth = st.columns(4)
    first.metric("Both services within reach: statutory network",
                 f"{round_people(national['scenario']['people_covered'])} "
                 f"({national['scenario']['people_share_covered']:.1%})",
                 help="People in England and Wales with both services within reach, and their share.")
    first.caption(f"{national['scenario']['covered']:.1%} of LSOAs")
    second.metric(f"Both services within reach: {DIRECTORY_LABEL}",
                  f"{round_people(national['directory_people_covered'])} "
                  f"({national['directory_people_share_covered']:.1%})")
    second.caption(f"{national['directory_covered']:.1%} of LSOAs")
    third.metric("Courts meeting the rule",
                 f"{summary['courts_meeting_rule']['scenario']} vs {summary['courts_meeting_rule']['directory']}",
                 help=f"Statutory network vs this directory, of {summary['courts']} family court centres.")
    fourth.metric(f"People still beyond {FAR_MILES:g} miles",
                  f"{round_people(far['people'])} ({far['share_people']:.1%})",
                  help="With the statutory network: the campaign's 100-mile round trip, one way, straight line.")
    fourth.caption(f"{far['lsoas']:,} LSOAs ({far['share_lsoas']:.1%})")
    st.caption(POPULATION_NOTE)
    shared.data_notice(directory)

    st.subheader("Side by side")
    table = readable_comparison(summary)
    for column in table.columns[2:-1]:
        table[column] = table[column].map(format_share)
    table["median_minutes"] = table["median_minutes"].round(0)
    st.dataframe(
        table.rename(columns={
            "area": "Area", "network": "Network", "beyond_50_miles": f"Over {FAR_MILES:g} miles",
            "median_minutes": "Median drive (min)",
            **{f"within_{band}_min": f"Within {band} min" for band in REACH_BANDS_MINUTES},
        }),
        hide_index=True, width="stretch",
    )
    st.caption(
        f"Shares of LSOAs by estimated drive time to the nearest venue. '{SCENARIO_LABEL}' has a supported and a "
        "supervised venue at the same place, so one row serves both services."
    )
    people_table = readable_people_comparison(summary)
    st.dataframe(
        people_table.round(0).rename(columns={
            "area": "Area", "network": "Network", "people": "People",
            "beyond_50_miles": f"Over {FAR_MILES:g} miles",
            **{f"within_{band}_min": f"Within {band} min" for band in REACH_BANDS_MINUTES},
        }),
        hide_index=True, width="stretch",
    )
    st.caption(f"The same in people: how many live within each estimated drive of the nearest venue. {POPULATION_NOTE}")

    st.subheader("Map: by local authority")
    band_default = int(rule.threshold_minutes) if rule.threshold_minutes in REACH_BANDS_MINUTES else 30
    left, right = st.columns(2)
    band = left.select_slider("Within (minutes' drive)", options=list(REACH_BANDS_MINUTES), value=band_default, key="band")
    view = right.radio("Show", list(MAP_VIEWS), format_func=MAP_VIEWS.__getitem__, key="map_view", horizontal=True)
    frame = loaders.campaign_map_frame(rule, variant, band)
    frame = frame[frame["service"] == service]
    value_column = {"gap": "gap", "scenario": "scenario_share", "directory": "directory_share"}[view]
    scale = map_layers.GAP_SCALE if view == "gap" else map_layers.SHARE_SCALE
    st_folium(
        map_layers.comparison_map(
            map_layers.comparison_features(frame, value_column=value_column, scale=scale),
            scale=scale,
            title=f"{MAP_VIEWS[view]}, within {band} min",
            bounds=map_layers.frame_bounds(frame),
        ),
        layer_control=folium.LayerControl(collapsed=True),
        key="campaign_map",
        height=map_layers.MAP_HEIGHT_PX,
        use_container_width=True,
        render=map_layers.RENDER_WHOLE_PAGE,
        returned_objects=[],
    )
    st.caption(f"{MAP_VIEWS[view]}, {service} contact, within {band} minutes. {_legend(view)} "
               "The same figures for every local authority are in the table below the map.")

    with st.expander("Every local authority (the map as a table)"):
        areas = network.comparison(by="local_authority")
        areas = areas[areas["service"] == service]
        st.dataframe(
            areas[["area_name", "lsoas", "people", f"scenario_within_{band}_min", f"directory_within_{band}_min",
                   f"scenario_people_share_within_{band}_min", f"directory_people_share_within_{band}_min",
                   "scenario_beyond_50_miles", "directory_beyond_50_miles",
                   "scenario_people_beyond_50_miles", "directory_people_beyond_50_miles"]].rename(columns={
                "area_name": "Local authority", "lsoas": "LSOAs", "people": "People",
                f"scenario_within_{band}_min": f"Statutory network, within {band} min",
                f"directory_within_{band}_min": f"This directory, within {band} min",
                f"scenario_people_share_within_{band}_min": f"Statutory network, within {band} min (people)",
                f"directory_people_share_within_{band}_min": f"This directory, within {band} min (people)",
                "scenario_beyond_50_miles": f"Statutory network, over {FAR_MILES:g} miles",
                "directory_beyond_50_miles": f"This directory, over {FAR_MILES:g} miles",
                "scenario_people_beyond_50_miles": f"Statutory network, people over {FAR_MILES:g} miles",
                "directory_people_beyond_50_miles": f"This directory, people over {FAR_MILES:g} miles",
            }),
            hide_index=True, width="stretch",
            column_config={column: st.column_config.NumberColumn(format="percent") for column in (
                f"Statutory network, within {band} min", f"This directory, within {band} min",
                f"Statutory network, within {band} min (people)", f"This directory, within {band} min (people)",
                f"Statutory network, over {FAR_MILES:g} miles", f"This directory, over {FAR_MILES:g} miles")},
        )
        st.caption(f"Shares of LSOAs, and '(people)' shares of people; people over {FAR_MILES:g} miles are counts. "
                   f"{POPULATION_NOTE}")

    st.subheader(f"Who would still be more than {FAR_MILES:g} miles away")
    beyond = summary["beyond_50_miles"]["local_authorities"]
    if beyond:
        st.dataframe(
            [{"Local authority": row["local_authority_name"], "People beyond": round(row["people_beyond"]),
              "People": round(row["people"]), "LSOAs beyond": row["lsoas_beyond"],
              "LSOAs": row["lsoas"], "Farthest (miles)": round(row["max_miles"])} for row in beyond],
            hide_index=True, width="stretch",
        )
    else:
        st.write(f"No LSOA would be more than {FAR_MILES:g} miles from a venue.")
    st.caption(f"Method: {summary['method']} Threshold: {summary['threshold']}. Data: "
               + "; ".join(f"{name}: {when}" for name, when in summary["data_dates"].items()) + ".")

with time_tab:
    years = [str(year) for year in range(date.today().year, FIRST_YEAR - 1, -1)]
    start = st.selectbox("Lost since (1 January of)", years, index=years.index("2019") if "2019" in years else 0,
                         key="lost_since")
    lost = loaders.lost_since(rule, start)
    counts = lost.summary()
    st.markdown(
        f"Since 1 {lost.start.instant:%B %Y}, **{counts['courts_lost_any_service']} family court centres** lost every "
        "suitable centre in this directory within reach for at least one service; "
        f"**{format_people(counts['people_lost_supported'])}** ({counts['lsoas_lost_supported']:,} LSOAs) lost "
        f"their supported centres within reach and **{format_people(counts['people_lost_supervised'])}** "
        f"({counts['lsoas_lost_supervised']:,} LSOAs) their supervised ones. {counts['closures']} closures in this "
        "directory fall between then and today."
    )
    st.caption(f"{lost.start.describe()} {DATE_RULE} {POPULATION_NOTE}")
    if not lost.courts.empty:
        st.dataframe(
            lost.courts[["court_name", "service", "nearest_minutes_start", "nearest_minutes_end", "closures",
                         "successors"]].round({"nearest_minutes_start": 0, "nearest_minutes_end": 0}).rename(columns={
                "court_name": "Court", "service": "Service lost",
                "nearest_minutes_start": "Nearest then (min)", "nearest_minutes_end": "Nearest today (min)",
                "closures": "Closure responsible (dates as stated)", "successors": "Taken over by",
            }),
            hide_index=True, width="stretch", placeholder=NO_ROAD,
        )
    st.markdown("**Closures between the dates**")
    st.dataframe(
        lost.closures[["name", "town", "opened", "closed", "successor_name", "court_services_lost",
                       "lsoa_services_lost", "source_urls"]].replace({"opened": {"": NOT_STATED}}).rename(columns={
            "name": "Centre", "town": "Town", "opened": "Opened", "closed": "Closed by",
            "successor_name": "Successor", "court_services_lost": "Court services lost",
            "lsoa_services_lost": "LSOA services lost", "source_urls": "Sources",
        }),
        hide_index=True, width="stretch",
    )
    if not lost.areas.empty:
        with st.expander("Local authorities with LSOAs that lost reach"):
            st.dataframe(
                lost.areas[["local_authority_name", "service", "people_lost", "lsoas_lost", "lsoas",
                            "closures"]].round({"people_lost": 0}).rename(columns={
                    "local_authority_name": "Local authority", "service": "Service", "people_lost": "People who lost",
                    "lsoas_lost": "LSOAs lost", "lsoas": "LSOAs", "closures": "Closures responsible",
                }),
                hide_index=True, width="stretch",
            )

    st.subheader("Timeline")
    kind = st.radio("For", ["court", "area"], format_func={"court": "A family court centre",
                                                             "area": "A local authority"}.__getitem__,
                    key="timeline_kind", horizontal=True)
    if kind == "court":
        names = dict(zip(directory.courts["id"], directory.courts["name"]))
        ids = sorted(names, key=names.__getitem__)
        court_id = st.selectbox("Court", ids, index=ids.index(JERSEY_COURT) if JERSEY_COURT in ids else 0,
                                format_func=names.__getitem__, key="timeline_court")
        events = loaders.court_timeline(rule, court_id)
        place = names[court_id]
    else:
        areas_list = directory.lsoas[["local_authority_code", "local_authority_name"]].drop_duplicates()
        area_names = dict(zip(areas_list["local_authority_code"], areas_list["local_authority_name"]))
        codes = sorted(area_names, key=area_names.__getitem__)
        area_code = st.selectbox("Local authority", codes, format_func=area_names.__getitem__, key="timeline_area")
        events = loaders.area_timeline(rule, area_code)
        place = area_names[area_code]
    if events.empty:
        st.write(f"No centre in this directory, open or closed, lies within reach of {place}.")
    else:
        st.dataframe(
            events[["date", "event", "centre_name", "services", "drive_minutes", "supported_share_after",
                    "supervised_share_after", "source_urls"]].round({"drive_minutes": 0}).rename(columns={
                "date": "Date (as stated)", "event": "Event", "centre_name": "Centre", "services": "Services",
                "drive_minutes": "Drive (min, est.)", "supported_share_after": "Supported in reach after",
                "supervised_share_after": "Supervised in reach after", "source_urls": "Sources",
            }),
            hide_index=True, width="stretch",
            column_config={column: st.column_config.NumberColumn(format="percent")
                           for column in ("Supported in reach after", "Supervised in reach after")},
        )
    st.caption(
        f"Centres within reach of {place} ({rule.describe()}), open or closed. 'In reach after': "
        + ("100% when the court has" if kind == "court" else "the share of its LSOAs with")
        + " a suitable centre in this directory within reach from the day the event takes effect."
    )

with jersey_tab:
    lineage, documented = loaders.jersey_transition()
    st.markdown(
        "Jersey's child contact service as the directory records it, from Milli's Child Contact Centre to its "
        "successor, with the source for each step. Jersey is outside the HMCTS system: its family matters go to "
        "the Royal Court."
    )
    st.markdown("**The centres that ran the service, as the directory holds them**")
    st.dataframe(
        lineage[["name", "organisation", "opened", "closed", "services", "source_urls"]].replace(
            {"services": {"": NOT_STATED}}).rename(columns={
            "name": "Centre", "organisation": "Organisation", "opened": "Opened", "closed": "Closed by",
            "services": "Services", "source_urls": "Sources",
        }),
        hide_index=True, width="stretch",
    )
    st.markdown("**Milli's history, with its sources**")
    st.dataframe(documented.rename(columns={"date": "Date", "event": "Event", "source": "Source"}),
                 hide_index=True, width="stretch")
    jersey_events = loaders.court_timeline(rule, JERSEY_COURT)
    after = jersey_events[jersey_events["date"] != ""]
    st.markdown(
        "**Reach from the Royal Court of Jersey**: "
        + "; ".join(f"{row.date}: {row.event} ({row.centre_name}), supported contact within reach after: "
                    f"{'yes' if row.supported_share_after >= 1 else 'no'}" for row in after.itertuples())
        + "."
    )
    unstated = lineage[lineage["services"] == ""]["name"].tolist()
    if unstated:
        st.caption(
            f"Services not stated in this directory for: {', '.join(unstated)}. A centre counts as offering supported "
            "or supervised contact only when a source names the service."
        )
