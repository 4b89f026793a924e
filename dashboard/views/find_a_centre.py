"""Find a centre: a family's postcode → the nearest suitable centres and a sheet for the parents.

The postcode stays in this session; the address bar (and so browser history
and shared links) keeps only its district, and the sheet names only the
district. It is never logged or cached.
"""

from __future__ import annotations

import loaders
import shared
import streamlit as st
import suggestion_forms
import tables

from millis_network.errors import PostcodeError
from millis_network.evidence.information_sheet import (
    information_sheet,
    render_information_sheet_html,
    render_information_sheet_pdf,
)
from millis_network.postcodes import postcode_district_or_text
from millis_network.wording import NO_CENTRE_WITHIN_REACH, no_centre_offering, sentence

#: How many centres the list and the sheet may hold.
CENTRE_COUNTS = (3, 5)

rule = shared.current_rule()
service = shared.current_service()
view = loaders.analysis(rule)

st.title("Find a centre")
st.markdown(
    "For family mediators (MIAMs), solicitors and Cafcass officers: enter the family's postcode to see the nearest "
    f"centres offering **{service} contact** (change the service in the sidebar) and download an information "
    "sheet for the parents."
)
shared.data_notice(view)

if "postcode" not in st.session_state:
    st.session_state["postcode"] = shared.url_value("postcode")
with st.form("find"):
    st.text_input("Family's postcode", key="postcode", placeholder="any spelling, e.g. b46ds or B4 6DS")
    count = st.radio("Centres to list", CENTRE_COUNTS, horizontal=True, key="centre_count")
    st.form_submit_button("Find centres", type="primary")

postcode = st.session_state["postcode"].strip()
shared.remember_in_url(postcode=postcode_district_or_text(postcode))
if postcode:
    try:
        sheet = information_sheet(
            postcode, view.network, service=service, rule=rule, n=count, index=loaders.postcode_index(),
        )
    except PostcodeError as error:
        st.error(f"**That postcode cannot be used.** {error}", icon=":material/error:")
    else:
        st.subheader(f"Nearest {service} centres to postcode district {sheet.district}")
        if sheet.location_note:
            st.warning(f"The postcode was {sheet.location_note}: distances are approximate.")
        if sheet.sample_included:
            st.warning("This list includes SAMPLE (illustrative) records, which are not real centres.", icon=":material/warning:")
        if not sheet.centres:
            st.error(no_centre_offering(service))
        elif not sheet.any_within_threshold:
            st.warning(f"{sentence(NO_CENTRE_WITHIN_REACH)} for {service} contact ({sheet.threshold}).")
        st.dataframe(tables.sheet_centres(sheet), hide_index=True, width="stretch")
        st.markdown(f"**Family court.** {sheet.court_text}")
        if seat := loaders.constituency_of(postcode):
            st.page_link("views/constituencies.py", label=f"Constituency: {seat.name} ({seat.note})",
                         query_params={"constituency": seat.gss_code}, icon=":material/how_to_vote:")
        st.caption(f"Reach: {sheet.threshold}. Drive times are estimates; distances are straight-line.")
        html_column, pdf_column = st.columns(2)
        html_column.download_button(
            "Information sheet for the parents (HTML)",
            render_information_sheet_html(sheet),
            file_name=f"contact-centres-{sheet.district}.html",
            mime="text/html",
        )
        pdf_column.download_button(
            "Information sheet for the parents (PDF)",
            render_information_sheet_pdf(sheet),
            file_name=f"contact-centres-{sheet.district}.pdf",
            mime="application/pdf",
        )

suggestion_forms.suggestion_form("find")
