"""Directory: browse and search the centres; signed-in editors add, edit, close, reopen, import and undo.

Signed out, the page shows the public view only (a centre whose address is
withheld appears at postcode-district level). Every write needs an editor
signed in with their own account (``millis-network db editor add NAME``;
:mod:`millis_network.store.editors` checks the password and slows guessing).
The session keeps only the signed-in user name, rechecked on every page load
(a disabled account is signed out), and every write records that user name in
the audit log: nothing typed on the page is taken as who made a change. An
edit is saved only if nobody changed the centre since the editor opened it;
otherwise the other change is shown and nothing is overwritten. Normalising,
placing and checking a record is :mod:`millis_network.store.importer`'s job;
storing and auditing it, :mod:`millis_network.store.database`'s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import loaders
import streamlit as st
import suggestion_forms

from millis_network.directory import (
    ACCREDITATIONS,
    ADDRESS_WITHHELD,
    JURISDICTIONS,
    SERVICES,
    completeness,
    needs_checking,
    split_services,
)
from millis_network.errors import (
    ConflictError,
    MillisNetworkError,
    TooManyAttemptsError,
)
from millis_network.store import editors as accounts
from millis_network.store import importer
from millis_network.store import open_referral as hsds
from millis_network.store.database import (
    Change,
    Store,
    numeric_coordinates,
    search_centres,
)

#: Session key of the signed-in editor's user name (set only by a successful sign-in).
EDITOR = "directory_editor"
BASE = "directory_edit_base"
PLAN = "directory_import_plan"
FLASH = "directory_flash"
PUBLIC_COLUMNS = ["name", "town", "postcode", "services", "accreditation", "status", "location_precision",
                  "last_verified", "last_updated", "sample", "id"]
EDITOR_COLUMNS = [*PUBLIC_COLUMNS, "address_withheld", "closed", "successor_id", "notes", "doubt", "version"]
#: Free-text fields of the edit and add forms, with their labels.
TEXT_FIELDS = {
    "name": "Name",
    "organisation": "Organisation",
    "charity_number": "Charity number",
    "town": "Town",
    "postcode": "Venue postcode",
    "opening": "Opening pattern",
    "referral": "How to refer",
    "opened": "Opened (YYYY or YYYY-MM)",
    "source_urls": "Sources (separate with ;)",
    "page_date": "Date shown on the source",
    "notes": "Notes",
    "doubt": "Doubt (why it needs checking; clear it once resolved)",
}


def signed_in_editor(store: Store) -> accounts.Editor | None:
    """The editor this session signed in as, while their account exists and is enabled (else signs the session out)."""
    name = st.session_state.get(EDITOR)
    if not name:
        return None
    editor = accounts.active_editor(store, name)
    if editor is None:
        del st.session_state[EDITOR]
    return editor


def sign_in_panel(store: Store) -> str | None:
    """Sign-in (or sign-out) controls; returns the signed-in editor's user name, which every write records."""
    editor = signed_in_editor(store)
    if editor is not None:
        left, right = st.columns([4, 1])
        left.success(f"Signed in as **{editor.shown_name}** (`{editor.user_name}`): your changes are recorded "
                     f"under {editor.user_name}.")
        if right.button("Sign out", key="directory_sign_out"):
            del st.session_state[EDITOR]
            st.rerun()
        return editor.user_name
    with st.expander("Editors: sign in to change the directory"):
        if not any(not e.disabled for e in accounts.list_editors(store)):
            st.info("Editing is switched off: there is no enabled editor account. Make one with "
                    "`millis-network db editor add NAME`.")
            return None
        with st.form("directory_sign_in"):
            name = st.text_input("User name", key="directory_sign_in_user", max_chars=accounts.USER_NAME_MAX_CHARS)
            password = st.text_input("Password", type="password", key="directory_sign_in_password",
                                     max_chars=accounts.PASSWORD_MAX_CHARS)
            if st.form_submit_button("Sign in", key="directory_sign_in_button"):
                try:
                    signed_in = loaders.sign_in_throttle().sign_in(name, password, client=suggestion_forms.client_key())
                except TooManyAttemptsError as exc:
                    st.error(f"Too many failed sign-ins: try again in {math.ceil(exc.retry_after_s)} s.")
                else:
                    if signed_in is not None:
                        st.session_state[EDITOR] = signed_in.user_name
                        st.rerun()
                    st.error(accounts.WRONG_CREDENTIALS)
    return None


def record_fields(values: dict, *, key: str) -> dict[str, str]:
    """The record widgets, filled with ``values``; returns what they hold."""
    out = {field: st.text_input(label, value=str(values.get(field, "")), key=f"{key}_{field}")
           for field, label in TEXT_FIELDS.items()}
    left, middle, right = st.columns(3)
    jurisdictions = ["", *JURISDICTIONS]
    out["jurisdiction"] = left.selectbox("Jurisdiction", jurisdictions, key=f"{key}_jurisdiction",
                                         index=jurisdictions.index(values.get("jurisdiction", "")))
    out["accreditation"] = middle.selectbox("Accreditation", ACCREDITATIONS, key=f"{key}_accreditation",
                                            index=ACCREDITATIONS.index(values.get("accreditation", "not stated")))
    out["address_withheld"] = right.selectbox("Address withheld for safety", ADDRESS_WITHHELD, key=f"{key}_withheld",
                                              index=ADDRESS_WITHHELD.index(values.get("address_withheld", "unknown")))
    out["services"] = "; ".join(st.multiselect("Services", SERVICES, default=list(split_services(values.get("services", ""))),
                                               key=f"{key}_services"))
    out["sample"] = "yes" if st.checkbox("Sample (illustrative, not a real centre)", value=values.get("sample") == "yes",
                                         key=f"{key}_sample") else "no"
    with st.expander("Coordinates (only to correct the placement, e.g. in the Channel Islands)"):
        out["lat"] = st.text_input("Latitude (WGS84)", value=str(values.get("lat", "")), key=f"{key}_lat")
        out["lon"] = st.text_input("Longitude (WGS84)", value=str(values.get("lon", "")), key=f"{key}_lon")
    return out


def show_rejection(outcome: importer.RowOutcome) -> None:
    """Why a typed-in record was not accepted, field by field."""
    st.error("Not saved:\n\n" + "\n".join(f"- **{i.field or 'record'}**: {i.message}" for i in outcome.issues))


def edit_section(store: Store, editor: str) -> None:
    """Edit, close, reopen a centre; its history, with undo."""
    st.subheader("Edit a centre")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    centres = store.centres()
    names = dict(zip(centres["id"], centres["name"]))
    chosen = st.selectbox("Centre", list(names), format_func=lambda i: f"{names[i]} ({i})", key="directory_edit_id")
    base = st.session_state.get(BASE)
    if base is None or base["id"] != chosen:
        base = {"id": chosen, **store.centre(chosen)}
        st.session_state[BASE] = base
    history = store.history(chosen)
    verifications = history[history["action"] == "verify"]
    verified = (f"{base['last_verified']} by {verifications.iloc[0]['who']}, {verifications.iloc[0]['reason']}"
                if base["last_verified"] and not verifications.empty else base["last_verified"])
    st.caption(f"Version {base['version']} · last updated {base['last_updated'] or 'never'} · "
               f"last verified {verified or 'never (no person has confirmed it yet)'} · status {base['status']}")
    key = f"directory_edit_{chosen}_{base['version']}"
    with st.form(key):
        values = record_fields(base, key=key)
        reason = st.text_input("Why (for the audit log)", key=f"{key}_reason")
        saved = st.form_submit_button("Save changes", key="directory_save")
    if saved:
        plan = importer.plan_edit(store.centres(), {"id": chosen, **values})
        outcome = plan.rows[0]
        if outcome.outcome == "rejected":
            show_rejection(outcome)
        elif outcome.outcome == "unchanged":
            st.info("Nothing changed.")
        else:
            try:
                change = store.update_centre(chosen, {f: new for f, _, new in outcome.changes},
                                             expected_version=int(base["version"]), who=editor, reason=reason)
            except ConflictError as exc:
                st.error(f"**Conflict: your edit was not saved.** {exc}")
            except MillisNetworkError as exc:
                st.error(str(exc))
            else:
                done(f"Saved. {change.describe() if change else ''} {' '.join(outcome.notes)}")
    with st.form(f"directory_verify_{key}"):
        source = st.text_input("Verified against (a web page, or e.g. 'phoned the co-ordinator')", key=f"{key}_verified_source")
        verify = st.form_submit_button("Mark verified today", key="directory_verify")
    if verify:
        write(lambda: store.verify_centre(chosen, source=source, expected_version=int(base["version"]), who=editor))
    if st.button("Reload this centre", key="directory_reload"):
        st.session_state.pop(BASE)
        st.rerun()

    if base["status"] == "open":
        with st.form(f"directory_close_{key}"):
            closed = st.text_input("Closed (YYYY or YYYY-MM)", key=f"{key}_closed")
            successors = ["", *[i for i in names if i != chosen]]
            successor = st.selectbox("Service taken over by", successors, key=f"{key}_successor",
                                     format_func=lambda i: f"{names[i]} ({i})" if i else "no successor known")
            close_reason = st.text_input("Why (for the audit log)", key=f"{key}_close_reason")
            close = st.form_submit_button("Close this centre", key="directory_close")
        if close:
            write(lambda: store.close_centre(chosen, closed=closed.strip(), successor_id=successor,
                                             expected_version=int(base["version"]), who=editor, reason=close_reason))
    elif st.button("Reopen this centre", key="directory_reopen"):
        write(lambda: store.reopen_centre(chosen, expected_version=int(base["version"]), who=editor))

    st.subheader("History")
    st.dataframe(history, hide_index=True, width="stretch")
    if not history.empty:
        left, right = st.columns([2, 1])
        change_id = left.selectbox("Change to undo", sorted(set(history["change_id"]), reverse=True), key="directory_undo_id")
        if right.button("Undo this change", key="directory_undo"):
            write(lambda: store.revert(int(change_id), who=editor))


def checking_section(store: Store) -> None:
    """The editors' list of open centres needing checking, and why."""
    checking = needs_checking(store.centres())
    st.subheader(f"Needs checking ({len(checking)} open centres)")
    st.caption("Never verified, verified more than 12 months ago, a source page dated more than 3 years ago, or a "
               "doubt flagged. Open a centre above, check it against its source, and mark it verified.")
    st.dataframe(checking[["id", "name", "why", "last_verified", "page_date", "doubt"]], hide_index=True,
                 width="stretch")


def done(message: str) -> None:
    """After a write: reload the edited centre and show ``message`` once."""
    st.session_state.pop(BASE, None)
    st.session_state[FLASH] = message
    st.rerun()


def write(action: Callable[[], Change | None]) -> None:
    """Run one store write and say what happened (conflicts and invalid records included)."""
    try:
        change = action()
    except ConflictError as exc:
        st.error(f"**Conflict: nothing was saved.** {exc}")
    except MillisNetworkError as exc:
        st.error(str(exc))
    else:
        done(f"Saved. {change.describe()}" if change else "Nothing changed.")


def add_section(store: Store, editor: str) -> None:
    """A form for a new centre, held to the same rules as an import."""
    with st.expander("Add a centre"):
        with st.form("directory_add"):
            values = record_fields({}, key="directory_add")
            reason = st.text_input("Why (for the audit log)", key="directory_add_reason")
            added = st.form_submit_button("Add centre", key="directory_add_button")
        if added:
            plan = importer.plan_edit(store.centres(), values)
            outcome = plan.rows[0]
            if outcome.outcome == "rejected":
                show_rejection(outcome)
            elif outcome.outcome != "new":
                st.warning(f"This is centre {outcome.centre_id} already ({'; '.join(outcome.notes)}); edit it instead.")
            else:
                write(lambda: store.add_centre({"id": outcome.centre_id, **plan.writes[0].values}, who=editor, reason=reason))


def import_section(store: Store, editor: str) -> None:
    """Upload, preview and import a spreadsheet."""
    with st.expander("Import a spreadsheet (CSV or XLSX) or Open Referral UK JSON"):
        st.caption("Column names are matched flexibly (see network_data/centres/README.md). You see exactly what "
                   "would change before anything is written; then every accepted row is written at once, or none.")
        upload = st.file_uploader("Spreadsheet or Open Referral file", type=["csv", "xlsx", "json"], key="directory_upload")
        if upload is None:
            st.session_state.pop(PLAN, None)
            return
        if st.session_state.get(PLAN, (None,))[0] != upload.file_id:
            planner = hsds.plan_hsds_import if upload.name.lower().endswith(".json") else importer.plan_import
            st.session_state[PLAN] = (upload.file_id, planner(store, upload.getvalue(), name=upload.name))
        plan = st.session_state[PLAN][1]
        for column, (outcome, count) in zip(st.columns(4), plan.counts().items()):
            column.metric(outcome.capitalize(), count)
        for notice in plan.notices:
            st.caption(notice)
        st.dataframe(plan.frame(), hide_index=True, width="stretch")
        if plan.issues():
            st.text("\n".join(str(issue) for issue in plan.issues()))
        if plan.writes and st.button(f"Import {len(plan.writes)} new or changed centre(s)", key="directory_import"):
            try:
                summary = importer.apply_import(store, plan, who=editor)
            except ConflictError as exc:
                st.error(f"**Conflict: nothing was imported.** {exc}")
            except MillisNetworkError as exc:
                st.error(str(exc))
            else:
                st.success(f"Imported {summary.created} new and {summary.updated} updated centre(s).")
            st.session_state.pop(PLAN)


store = loaders.store()
st.title("Directory of child contact centres")
editor = sign_in_panel(store)

public = loaders.public_network()
frame = numeric_coordinates(store.centres()) if editor else public.centres
st.info(f"**Incomplete directory.** {completeness(public.centres).describe()}", icon=":material/info:")
search, status = st.columns([3, 1])
text = search.text_input("Search by name, town, organisation or postcode", key="directory_search")
status_choice = status.selectbox("Status", ["any", "open", "closed"], key="directory_status")
found = search_centres(frame, text, status=status_choice)
st.caption(f"{len(found)} of {len(frame)} centres. Rows with sample = yes are illustrative, not real centres. "
           "A blank last_verified means no person has confirmed the entry yet."
           + ("" if editor else " Centres that keep their address private are shown at postcode-district level (or only the island)."))
st.dataframe(found[EDITOR_COLUMNS if editor else PUBLIC_COLUMNS], hide_index=True, width="stretch")
st.download_button(
    "Download the public directory (Open Referral UK JSON)",
    json.dumps(hsds.services_page(public), indent=2, ensure_ascii=False),
    file_name="child_contact_centres_openreferral_uk.json",
    mime="application/json",
    key="directory_hsds",
)

suggestion_forms.suggestion_form("directory")
if editor:
    suggestion_forms.moderation_queue(editor)
    edit_section(store, editor)
    checking_section(store)
    add_section(store, editor)
    import_section(store, editor)
