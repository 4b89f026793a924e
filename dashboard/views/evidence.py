"""Evidence: exports with provenance, advocacy briefings and petition figures.

Files are made on click (deferred downloads) by ``millis_network.evidence.exports`` and
``millis_network.evidence.briefings``, the functions behind ``millis-network export``
and ``millis-network brief``, from the analysis the sidebar's rule describes
(every jurisdiction). Petition figures are read from the copy stored on this
machine; the petitions service is contacted only when the Refresh button is
pressed.
"""

from __future__ import annotations

from collections.abc import Callable

import loaders
import pandas as pd
import shared
import streamlit as st

from millis_network.errors import NotFoundError, SourceUnavailableError
from millis_network.evidence import briefings, exports
from millis_network.evidence.briefings import statutory_network_section
from millis_network.sources import HttpSettings, petitions

#: Download label and MIME type of each export format.
EXPORT_BUTTONS: dict[str, tuple[str, str]] = {
    "xlsx": ("Excel workbook (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("CSV files + provenance sidecars (ZIP)", "application/zip"),
    "geojson": ("GeoJSON files (ZIP)", "application/zip"),
    "gpkg": ("GeoPackage for GIS", "application/geopackage+sqlite3"),
}
BRIEFING_MIME = {"html": "text/html", "pdf": "application/pdf"}
KINDS = {"court": "A family court centre", "local_authority": "A local authority", "national": "England and Wales"}
#: How long the Refresh button waits for the petitions service.
REFRESH_SETTINGS = HttpSettings(timeout_s=8.0, retries=1, backoff_s=0.5)

rule = shared.current_rule()
inputs = loaders.briefing_inputs(rule)
analysis = inputs.analysis

st.title("Evidence: exports, briefings and petition figures")
st.markdown(
    f"Every file here states where its numbers come from: sources and snapshot dates, the rule (**{rule.describe()}**), "
    "how complete the directory is and whether sample records took part. Exports and briefings cover every "
    "jurisdiction; the sidebar's jurisdiction filter does not apply to them."
)
shared.data_notice(analysis)

exports_tab, briefings_tab, petition_tab = st.tabs(["Exports", "Briefings", "Petition figures"])


def export_download(fmt: exports.Format) -> Callable[[], bytes]:
    """Deferred download: the export is made only when its button is pressed."""
    return lambda: exports.export_bundle(analysis, fmt=fmt, boundaries=inputs.boundaries)[1]


with exports_tab:
    tables = exports.export_tables(analysis)
    st.dataframe(
        pd.DataFrame([{"table": t.name, "rows": len(t.frame), "what it holds": t.description} for t in tables]),
        hide_index=True, width="stretch",
    )
    st.caption(exports.PRIVACY_STATEMENT)
    for column, (fmt, (label, mime)) in zip(st.columns(len(EXPORT_BUTTONS)), EXPORT_BUTTONS.items(), strict=True):
        column.download_button(label, data=export_download(fmt), file_name=exports.bundle_name(fmt), mime=mime,
                               on_click="ignore")
    with st.expander("Provenance carried by every export"):
        st.json(exports.export_provenance(analysis, tables))

with petition_tab:
    st.markdown(
        "Signature counts of a UK Parliament petition, by constituency. No petition is known to be this "
        "campaign's: enter the number (or address) of the one you want."
    )
    if "petition_text" not in st.session_state:
        st.session_state["petition_text"] = shared.url_value("petition")
    text = st.text_input("Petition number or address", key="petition_text",
                         placeholder="e.g. https://petition.parliament.uk/petitions/700123")
    number = None
    if text.strip():
        try:
            number = petitions.petition_id_from(text)
        except ValueError as exc:
            st.error(str(exc))
    shared.remember_in_url(petition=str(number or ""))
    petition = None
    if number is not None:
        if st.button("Refresh from petition.parliament.uk"):
            try:
                fresh = petitions.fetch_petition(number, settings=REFRESH_SETTINGS)
            except (NotFoundError, SourceUnavailableError) as exc:
                st.error(f"Could not refresh petition {number}: {exc}")
            else:
                if fresh.from_cache:
                    st.warning("The petitions service could not be reached; the stored copy is shown below.")
                else:
                    st.success(f"Fetched petition {number} just now.")
        try:
            petition = petitions.cached_petition(number)
        except SourceUnavailableError as exc:
            st.error(f"The stored copy of petition {number} cannot be read: {exc}")
        if petition is None:
            st.info(f"No copy of petition {number} is stored on this machine yet. Press Refresh to fetch it "
                    "(needs an internet connection).")
        else:
            st.metric(f"Signatures: {petition.title}", f"{petition.signature_count:,}")
            st.caption(f"Petition {petition.petition_id} ({petition.state}). Source: {petition.label()}.")
            st.subheader("Top constituencies")
            st.dataframe(petition.top_constituencies(10), hide_index=True, width="stretch")
            with st.expander("Signatures by country"):
                st.dataframe(petition.by_country, hide_index=True, width="stretch")

with briefings_tab:
    kind = st.radio("Briefing on", list(KINDS), format_func=KINDS.__getitem__, horizontal=True)
    fmt = st.radio("Format", briefings.BRIEFING_FORMATS, format_func=str.upper, horizontal=True)
    if kind == "court":
        names = analysis.court_coverage.set_index("court_id")["court_name"].sort_values()
        court_id = st.selectbox("Family court centre", list(names.index), format_func=names.__getitem__)

        def build(with_map: bool) -> briefings.Briefing:
            return briefings.court_briefing(inputs, court_id, with_map=with_map)
    elif kind == "local_authority":
        names = inputs.la_reach["area_name"].sort_values()
        code = st.selectbox("Local authority", list(names.index), format_func=lambda c: f"{names[c]} ({c})")

        def build(with_map: bool) -> briefings.Briefing:
            return briefings.local_authority_briefing(inputs, code, with_map=with_map)
    else:
        budget = loaders.centre_budget()
        with_funding = st.checkbox("Include the cost of closing the gaps", value=True,
                                   help=f"At Milli's proposed budget (£{budget.total_gbp:,.0f} a centre a year) over "
                                        "a 3-year agreement; the Funding page works out other figures.")
        with_petition = petition is not None and st.checkbox(
            f"Include the stored figures of petition {petition.petition_id}", value=True)
        estimate = loaders.funding_estimate(rule, budget.total_gbp, 3, 0.0) if with_funding else None

        def build(with_map: bool) -> briefings.Briefing:
            return briefings.national_briefing(inputs, funding=estimate, petition=petition if with_petition else None,
                                               with_map=with_map,
                                               extra_sections=(statutory_network_section(inputs.analysis),))

    preview = build(False)
    st.info(preview.headline)
    st.table(pd.DataFrame(preview.key_facts, columns=["", "value"]).set_index(""))
    st.download_button(
        f"Download the briefing ({fmt.upper()})",
        data=lambda: briefings.render(build(True), fmt=fmt),
        file_name=f"{preview.file_stem}.{fmt}",
        mime=BRIEFING_MIME[fmt],
        on_click="ignore",
        type="primary",
    )
    st.caption("Briefings for every court in one batch: `millis-network brief --all-courts --format pdf --out DIR`.")
