"""Standards: the campaign's minimum training standards, and a centre's roster checked against them.

Every status, reason and figure comes from ``millis_network.standards.checker.check``,
the same function the ``millis-network standards check`` command uses. An
uploaded roster is parsed in memory for this session only: it is never cached,
written to disk or shown anywhere else.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import loaders
import pandas as pd
import streamlit as st

from millis_network import standards as std
from millis_network.evidence.exports import spreadsheet_safe
from millis_network.wording import NO_DATE

#: Background colour of each status in the matrix.
STATUS_COLOURS = {
    "pass": "#d9f2d9",
    "pending": "#dbe9f7",
    "unknown": "#eeeeee",
    "warn": "#fff1c2",
    "fail": "#f7d4d4",
}
SAMPLE_CHOICE = f"Bundled: Milli's Child Contact Centre ({std.SAMPLE_LABEL})"
UPLOAD_CHOICE = "Upload a roster"

standards = loaders.standards()

st.title("Minimum training standards")
st.caption(f"{standards.title}. Standards version {standards.version}.")

check_tab, standards_tab = st.tabs(["Check a centre", "The standards"])

with standards_tab:
    st.write(standards.summary)
    st.subheader("Parameters")
    st.caption("A stated default is this file's choice where no public statement gives the figure.")
    st.dataframe(std.parameters_frame(standards), hide_index=True, width="stretch")
    st.subheader("Requirements")
    for requirement in std.requirements_frame(standards).itertuples():
        with st.expander(f"{requirement.requirement_id} · {requirement.title} ({requirement.level})"):
            service = (
                f" (centres offering {requirement.applies_if_service} contact)"
                if requirement.applies_if_service
                else ""
            )
            st.markdown(
                f"**Level:** {requirement.level} · **Applies to:** {requirement.applies_to}{service}\n\n"
                f"**Rule:** {requirement.rule}\n\n**Why:** {requirement.rationale}\n\n"
                "**Sources:**\n" + "\n".join(f"- {citation}" for citation in requirement.sources.split(" | "))
            )


def _records_for_check() -> std.Records | None:
    """The records chosen in the widgets: the bundled sample or a parsed upload (None until valid)."""
    choice = st.radio("Records", [SAMPLE_CHOICE, UPLOAD_CHOICE], horizontal=True)
    if choice == SAMPLE_CHOICE:
        return loaders.standards_sample_records()
    left, right = st.columns(2)
    left.download_button(
        "Download the roster template (XLSX)",
        std.template_xlsx(standards),
        file_name="roster_template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    right.download_button(
        "Download the roster template (CSV)",
        std.template_csv(standards),
        file_name="roster_template.csv",
        mime="text/csv",
    )
    upload = st.file_uploader(
        "Your centre's roster (.xlsx, .csv or .yaml)",
        type=["xlsx", "csv", "yaml", "yml"],
        help="Pseudonymous ids only (V01, C01): never names. The file stays in this browser session; "
        "it is not saved, cached or shared.",
    )
    if upload is None:
        st.info("Fill in the template (one row per person, one row for the centre) and upload it.")
        return None
    records, report = std.parse_records(upload.getvalue(), name=upload.name, standards=standards)
    if records is None:
        st.error(f"The roster has {len(report)} problem(s). Fix them and upload it again.")
        st.dataframe(
            pd.DataFrame(
                [dataclasses.asdict(issue) for issue in report], columns=["file", "row", "field", "value", "message"]
            ),
            hide_index=True,
            width="stretch",
        )
    return records


def _parameter_overrides() -> dict[str, int]:
    """Number inputs for the parameters that are stated defaults."""
    overrides = {}
    with st.expander("Adjust the stated defaults"):
        for parameter in standards.parameters:
            if parameter.stated_default:
                overrides[parameter.name] = int(
                    st.number_input(
                        f"{parameter.name} ({parameter.unit})",
                        min_value=1,
                        value=parameter.value,
                        step=1,
                        help=parameter.note,
                    )
                )
    return overrides


def _colour(status: str) -> str:
    colour = STATUS_COLOURS.get(status)
    return f"background-color: {colour}" if colour else ""


def _show_report(report: std.ComplianceReport, sample_note: str) -> None:
    if report.sample:
        st.warning(f"**{std.SAMPLE_LABEL}.** {sample_note}")
    staffing = report.staffing
    totals = report.totals
    cols = st.columns(5)
    cols[0].metric(
        "In post / establishment",
        f"{staffing.in_post} / {staffing.establishment if staffing.establishment is not None else '?'}",
        help=f"{staffing.leaving} leaving; {staffing.after_leavers} after they go.",
    )
    cols[1].metric("Failures (must)", totals["fail"])
    cols[2].metric("Warnings (should)", totals["warn"])
    cols[3].metric("Pending", totals["pending"])
    cols[4].metric("Unknown", totals["unknown"])
    st.caption(
        f"{report.label}: {report.centre_name or report.centre_id}, checked as of {report.as_of} "
        f"against standards v{report.standards_version}. Unknown means nothing is recorded either way; "
        "it is not a failure."
    )

    st.subheader("Person × requirement")
    matrix = std.compliance_matrix(report)
    st.dataframe(matrix.style.map(_colour), width="stretch")

    st.subheader("Centre summary")
    st.dataframe(report.summary, hide_index=True, width="stretch")

    st.subheader("Reasons")
    shown = st.multiselect("Statuses", list(std.STATUSES), default=[s for s in std.STATUSES if s != "pass"])
    details = report.results[report.results["status"].isin(shown)]
    st.caption(f"{len(details)} of {len(report.results)} checks shown.")
    st.dataframe(details, hide_index=True, width="stretch", placeholder=NO_DATE)

    st.subheader(f"Expiring within {std.DEFAULT_EXPIRY_HORIZON_DAYS} days, or expired")
    st.dataframe(report.expiries, hide_index=True, width="stretch")
    st.subheader("Training in progress")
    st.caption("Pace is items done per month since starting; the projection assumes it continues.")
    st.dataframe(report.projections, hide_index=True, width="stretch")

    stem = f"standards_{report.centre_id}_{report.as_of}" + ("_SAMPLE" if report.sample else "")
    left, right = st.columns(2)
    left.download_button(
        "Export the report (CSV)", spreadsheet_safe(report.export_frame()).to_csv(index=False), file_name=f"{stem}.csv", mime="text/csv"
    )
    right.download_button(
        "Export the report (JSON)",
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False),
        file_name=f"{stem}.json",
        mime="application/json",
    )


with check_tab:
    records = _records_for_check()
    if records is not None:
        as_of = st.date_input(
            "Check as of",
            value=records.as_of or date.today(),
            help="The sample describes the centre in 2014, so it is checked on its own date by default.",
        )
        checked_standards = std.with_parameters(standards, _parameter_overrides())
        _show_report(std.check(records, checked_standards, as_of=as_of), records.sample_note)
