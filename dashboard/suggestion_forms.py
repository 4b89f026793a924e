"""Suggestions: the public's form (Find a centre, Directory) and the editors' moderation queue (Directory).

Nobody signs in to suggest. The queue, which holds suggesters' contact
details, is drawn only for a signed-in editor; accepting and rejecting are
:class:`millis_network.store.suggestions.SuggestionBox`'s job, which applies
an accepted suggestion through the editors' audited edit path.
"""

from __future__ import annotations

import math
import secrets

import loaders
import streamlit as st

from millis_network.directory import SERVICES
from millis_network.errors import MillisNetworkError, TooManyAttemptsError
from millis_network.store.suggestions import (
    FIELD_LIMITS,
    KINDS,
    REASON_MAX_CHARS,
)

#: Session key of this session's random id: the client key of the sign-in throttle and the
#: suggestions' rate limit when Streamlit knows no IP address.
CLIENT = "directory_client"
#: Session key of the message shown once after a suggestion was sent.
SENT = "suggestion_sent"
#: Session key of the message shown once after an editor accepted or rejected a suggestion.
DECIDED = "suggestion_decided"


def client_key() -> str:
    """Where this session's attempts come from: the connection's IP address if Streamlit knows it, else the session."""
    address = st.context.ip_address
    if isinstance(address, str) and address:
        return f"ip:{address}"
    if CLIENT not in st.session_state:
        st.session_state[CLIENT] = secrets.token_urlsafe(18)
    return f"session:{st.session_state[CLIENT]}"


def suggestion_form(key: str) -> None:
    """The public's form: a missing centre, a change or a closure, sent to the editors' queue."""
    sent = st.session_state.pop(f"{key}_{SENT}", None)
    if sent:
        st.success(sent)
    with st.expander("Know a centre that is missing, has changed or has closed? Tell the editors"):
        st.caption("No account needed. An editor checks every suggestion against the page you link before anything "
                   "appears in the directory. If you leave contact details, only the editors see them, and they are "
                   "deleted as soon as the suggestion is accepted or rejected.")
        centres = loaders.public_network().centres
        names = dict(zip(centres["id"], centres["name"]))
        with st.form(f"{key}_suggest", clear_on_submit=True):
            kind = st.radio("This is about", list(KINDS), format_func=lambda k: KINDS[k], key=f"{key}_kind")
            centre_id = st.selectbox("Which centre in the directory (for a change or closure)", ["", *names],
                                     format_func=lambda i: f"{names[i]} ({i})" if i else "-", key=f"{key}_centre")
            name = st.text_input("Centre's name (for a missing centre)", key=f"{key}_name",
                                 max_chars=FIELD_LIMITS["name"])
            place = st.text_input("Town, or the venue's postcode", key=f"{key}_place", max_chars=FIELD_LIMITS["place"])
            services = st.multiselect("Services it offers (if the page says)", SERVICES, key=f"{key}_services")
            source_url = st.text_input("Web page that says so (https://...)", key=f"{key}_source",
                                       max_chars=FIELD_LIMITS["source_url"])
            details = st.text_area("Anything else (what changed, when it closed)", key=f"{key}_details",
                                   max_chars=FIELD_LIMITS["details"])
            contact = st.text_input("How an editor may reach you (optional)", key=f"{key}_contact",
                                    max_chars=FIELD_LIMITS["contact"])
            honeypot = st.text_input("Leave this box empty (it catches automated spam)", key=f"{key}_website")
            submitted = st.form_submit_button("Send to the editors", key=f"{key}_send")
        if submitted:
            try:
                number = loaders.suggestion_box().submit(
                    kind, client=client_key(), centre_id=centre_id or "", name=name, place=place,
                    services="; ".join(services), source_url=source_url, details=details, contact=contact,
                    honeypot=honeypot,
                )
            except TooManyAttemptsError as exc:
                st.error(f"Too many suggestions from here: try again in {math.ceil(exc.retry_after_s / 60)} minute(s).")
            except MillisNetworkError as exc:
                st.error(f"Not sent: {exc}")
            else:
                st.session_state[f"{key}_{SENT}"] = (
                    "Thank you: your suggestion is with the editors. Nothing appears in the directory until "
                    "one of them has checked it." + (f" (Suggestion {number}.)" if number else "")
                )
                st.rerun()


def moderation_queue(editor: str) -> None:
    """Open suggestions, with their contacts, for a signed-in editor to accept or reject."""
    box = loaders.suggestion_box()
    decided = st.session_state.pop(DECIDED, None)
    if decided:
        st.success(decided)
    queue = box.queue()
    st.subheader(f"Suggestions from the public ({len(queue)} waiting)")
    if not queue:
        st.caption("No suggestions are waiting.")
    for suggestion in queue:
        title = suggestion.name or suggestion.centre_id
        with st.expander(f"{suggestion.id}: {KINDS[suggestion.kind]}: {title} ({suggestion.submitted_at[:10]})"):
            st.markdown(
                f"**Where:** {suggestion.place or '-'}  \n**Services:** {suggestion.services or '-'}  \n"
                f"**Source:** {suggestion.source_url}  \n**Details:** {suggestion.details or '-'}  \n"
                f"**Suggester's contact (editors only; deleted on closing):** {suggestion.contact or 'none given'}"
            )
            key = f"suggestion_{suggestion.id}"
            with st.form(f"{key}_decide"):
                proposed = box.proposed_values(suggestion)
                values = {
                    field: st.text_input(f"{field} (as it will be written)", value=value, key=f"{key}_{field}")
                    for field, value in proposed.items() if field != "status"
                }
                closed = st.text_input("Closed (YYYY or YYYY-MM)", key=f"{key}_closed") if suggestion.kind == "closure" else ""
                verified = st.checkbox("I checked it against the linked page: mark it verified", key=f"{key}_verified")
                reason = st.text_input("Reason, if rejecting (recorded)", key=f"{key}_reason", max_chars=REASON_MAX_CHARS)
                accept, reject = st.columns(2)
                accepted = accept.form_submit_button("Accept and apply", key=f"{key}_accept")
                rejected = reject.form_submit_button("Reject", key=f"{key}_reject")
            try:
                if accepted:
                    change = box.accept(suggestion.id, who=editor, closed=closed.strip(), verified=verified,
                                        values=values | {k: v for k, v in proposed.items() if k == "status"})
                    st.session_state[DECIDED] = f"Suggestion {suggestion.id} applied. {change.describe()}"
                    st.rerun()
                if rejected:
                    box.reject(suggestion.id, who=editor, reason=reason)
                    st.session_state[DECIDED] = f"Suggestion {suggestion.id} rejected."
                    st.rerun()
            except MillisNetworkError as exc:
                st.error(str(exc))
