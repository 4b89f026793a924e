"""Constituencies: people within reach in each Westminster constituency, on the hex map and in a table.

A constituency opens from a shared link (``?constituency=E14001063``), a click
on its hexagon, the search by name or by postcode (the postcode stays in this
session: only the constituency goes in the address bar).
"""

from __future__ import annotations

import loaders
import map_layers
import shared
import streamlit as st
from streamlit_folium import st_folium

from millis_network.config import FAR_MILES
from millis_network.engine.constituencies import constituency_profile
from millis_network.engine.coverage import beyond_reach_phrase
from millis_network.errors import PostcodeError
from millis_network.places import (
    HEX_MAP_CREDIT,
    constituency_at,
    format_people,
    round_people,
)
from millis_network.postcodes import locate
from millis_network.sources.petitions import petition_id_from
from millis_network.wording import (
    NO_CENTRE_IN_DIRECTORY,
    POPULATION_NOTE,
    SERVING_COURT_NOTE,
)

#: What the hex map can be coloured by.
COLOURINGS = {
    "beyond": "People beyond reach of a supported centre in this directory",
    "gain": "What the statutory network would add (points of people with both services)",
}
#: "Closures since" choices ("" = not asked).
LOST_SINCE_YEARS = ("", "2010", "2015", "2019", "2021", "2023")

rule = shared.current_rule()
view = loaders.analysis(rule)
beyond_phrase = beyond_reach_phrase(rule)

st.title("Constituencies")
st.markdown(
    "Every Westminster constituency of England and Wales (2024 boundaries), in **people**: how many live "
    f"{beyond_phrase} from a supported or a supervised centre in this directory, and how many the campaign's "
    "statutory network (a supported and a supervised venue at every family court centre) would bring within "
    f"reach. Reach: **{rule.describe()}**."
)
shared.data_notice(view)
st.caption(POPULATION_NOTE)

if "constituency_lost_since" not in st.session_state:
    st.session_state["constituency_lost_since"] = shared.url_value("since", LOST_SINCE_YEARS.__contains__)
lost_since = st.selectbox(
    "Also count closures since", LOST_SINCE_YEARS, key="constituency_lost_since",
    format_func=lambda year: year or "(not counted)",
    help="People who had a suitable centre in this directory within reach at the start of that year and have none now.",
)
shared.remember_in_url(since=lost_since)
table = loaders.constituency_table(rule, lost_since)
names = dict(zip(table["gss_code"], table["name"]))

if "constituency" not in st.session_state:
    st.session_state["constituency"] = shared.url_value("constituency", names.__contains__) or None

search_name, search_postcode = st.columns(2)
with search_postcode.form("constituency_postcode"):
    postcode = st.text_input("Or find it by postcode", key="constituency_postcode_text", max_chars=40,
                             placeholder="e.g. GU11 1AA")
    looked_up = st.form_submit_button("Find constituency")
if looked_up and postcode.strip():
    try:
        place = locate(postcode, index=loaders.postcode_index())
    except PostcodeError as error:
        search_postcode.error(f"**That postcode cannot be used.** {error}", icon=":material/error:")
    else:
        seat = constituency_at(place.easting_m, place.northing_m, local_authority_code=place.local_authority_code)
        if seat is None:
            search_postcode.warning("That postcode is outside England and Wales; this page covers their 575 constituencies.")
        else:
            st.session_state["constituency"] = seat.gss_code
            search_postcode.caption(f"{place.postcode} is in {seat.name} ({seat.note}).")

colour_by = st.radio("Colour the map by", list(COLOURINGS), format_func=COLOURINGS.__getitem__, horizontal=True,
                     key="constituency_colour")
if colour_by == "beyond":
    values = table.assign(value=table["supported_share_beyond_threshold"])
    scale, title = map_layers.BEYOND_SCALE, f"Share of people {beyond_phrase} from a supported centre"
    values["value_text"] = [
        f"{round_people(people)} of {round_people(total)} ({share:.0%})"
        for people, total, share in zip(values["supported_people_beyond_threshold"], values["people"], values["value"])
    ]
else:
    values = table.assign(value=table["scenario_share_covered"] - table["share_covered"])
    scale, title = map_layers.GAP_SCALE, "Statutory network's gain"
    values["value_text"] = [f"+{round_people(gain)} people ({value * 100:.0f} points)"
                            for gain, value in zip(values["scenario_gain"], values["value"])]

selected = st.session_state.get("constituency") or ""
features = map_layers.hex_features(loaders.constituency_hexes(), values, value_column="value", scale=scale)
clicked = st_folium(
    map_layers.hex_map(features, scale=scale, title=title, credit=HEX_MAP_CREDIT, selected=selected),
    key="constituency_map", height=map_layers.MAP_HEIGHT_PX, use_container_width=True,
    render=map_layers.RENDER_WHOLE_PAGE,
    returned_objects=["last_active_drawing"],
)
st.caption(f"One equal hexagon per constituency: a cartogram, not a map of distance. {HEX_MAP_CREDIT}. "
           "The table below holds the same figures for every constituency.")
drawing = (clicked or {}).get("last_active_drawing") or {}
code = (drawing.get("properties") or {}).get("gss_code")
if code in names and code != st.session_state.get("last_hex_click"):
    st.session_state["last_hex_click"] = code
    st.session_state["constituency"] = code

with search_name:
    gss_code = st.selectbox(
        "Constituency (type to search by name, or click its hexagon)", sorted(names, key=names.__getitem__),
        format_func=names.__getitem__, key="constituency", index=None, placeholder="Choose a constituency",
    )
shared.remember_in_url(constituency=gss_code or "")

petition_text = st.text_input(
    "Petition number or address (optional: a petition stored with `millis-network petition ID`)",
    key="constituency_petition", max_chars=200,
    help="Signatures by constituency from the stored copy of a UK Parliament petition; nothing is fetched here.",
)
joined = None
if petition_text.strip():
    try:
        number = petition_id_from(petition_text)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
    else:
        found = loaders.petition_join(rule, number)
        if found is None:
            st.warning(f"No stored copy of petition {number}; fetch it first with "
                       f"`millis-network petition {number}` (needs the internet).")
        else:
            figures, joined = found
            st.markdown(f"**Petition {figures.petition_id}: {figures.title}.** {figures.signature_count:,} signatures "
                        f"(UK Parliament petitions, {figures.label()}).")
            st.caption(joined.describe())

if gss_code:
    profile = constituency_profile(table, gss_code, rule=rule)
    row = profile.row
    st.subheader(f"{profile.name} ({profile.nation}, {profile.region or profile.nation})")
    st.markdown(f"**{profile.headline}**")
    st.markdown(profile.scenario)
    if profile.lost:
        st.markdown(profile.lost)
    first, second, third = st.columns(3)
    first.metric("People", round_people(row["people"]), help=POPULATION_NOTE)
    second.metric(f"Beyond reach of a supported centre ({beyond_phrase})",
                  round_people(row["supported_people_beyond_threshold"]))
    third.metric(f"More than {FAR_MILES:g} miles from a supported centre", round_people(row["supported_people_beyond_50_miles"]))
    st.markdown(
        f"**Family court centres serving its people:** {', '.join(profile.courts)}.  \n"
        f"**Nearest to most of its people, in this directory:** supported: "
        f"{row['nearest_supported'] or NO_CENTRE_IN_DIRECTORY}; supervised: "
        f"{row['nearest_supervised'] or NO_CENTRE_IN_DIRECTORY}."
    )
    st.caption(SERVING_COURT_NOTE)
    if joined is not None:
        signed = joined.table.set_index("gss_code").loc[gss_code]
        listed = "" if signed["in_petition"] else " (not listed by the petition: counted as zero)"
        st.markdown(f"**Petition signatures here:** {int(signed['signatures']):,}{listed}, "
                    f"{signed['signatures_per_10000_people']:.1f} per 10,000 people.")
    st.caption(f"Share this constituency: add `?constituency={gss_code}` to this page's address.")
    pdf_column, html_column = st.columns(2)
    pdf_column.download_button(f"Briefing for the MP of {profile.name} (PDF)",
                               loaders.constituency_briefing(rule, gss_code, "pdf"),
                               file_name=f"briefing-constituency-{gss_code.lower()}.pdf", mime="application/pdf")
    html_column.download_button(f"Briefing for the MP of {profile.name} (HTML)",
                                loaders.constituency_briefing(rule, gss_code, "html"),
                                file_name=f"briefing-constituency-{gss_code.lower()}.html", mime="text/html")

st.subheader("Every constituency")
shown = table.assign(
    people_beyond=table["supported_people_beyond_threshold"].round().astype(int),
    supervised_beyond=table["supervised_people_beyond_threshold"].round().astype(int),
    far=table["supported_people_beyond_50_miles"].round().astype(int),
    covered_today=table["people_covered"].round().astype(int),
    covered_scenario=table["scenario_people_covered"].round().astype(int),
    gain=table["scenario_gain"].round().astype(int),
    people_total=table["people"].round().astype(int),
    share_beyond=(table["supported_share_beyond_threshold"] * 100).round(1),
)
columns = {
    "name": "Constituency", "nation": "Nation", "region": "Region", "people_total": "People",
    "people_beyond": f"People {beyond_phrase} from a supported centre", "share_beyond": "Share (%)",
    "supervised_beyond": "… from a supervised centre", "far": f"People over {FAR_MILES:g} miles from a supported centre",
    "covered_today": "People with both services today", "covered_scenario": "… with the statutory network",
    "gain": "Gain", "main_serving_court": "Main serving court", "nearest_supported": "Nearest supported centre",
    "nearest_supervised": "Nearest supervised centre",
}
if lost_since:
    shown["lost"] = table["people_lost_supported"].round().astype(int)
    columns["lost"] = f"People who lost a supported centre since {lost_since}"
if joined is not None:
    signed = joined.table.set_index("gss_code")
    shown["signatures"] = shown["gss_code"].map(signed["signatures"])
    shown["per_10000"] = shown["gss_code"].map(signed["signatures_per_10000_people"]).round(1)
    columns |= {"signatures": "Petition signatures", "per_10000": "Signatures per 10,000 people"}
st.dataframe(shown[list(columns)].rename(columns=columns), hide_index=True, width="stretch")
st.caption(f"{len(table)} constituencies; {format_people(table['people'].sum())} in all. {POPULATION_NOTE}")
csv_column, xlsx_column = st.columns(2)
csv_column.download_button("Download the table with its provenance (CSV, ZIP)",
                           loaders.constituency_download(rule, lost_since, "csv"),
                           file_name="constituencies_csv.zip", mime="application/zip")
xlsx_column.download_button("Download the table with its provenance (Excel)",
                            loaders.constituency_download(rule, lost_since, "xlsx"), file_name="constituencies.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
