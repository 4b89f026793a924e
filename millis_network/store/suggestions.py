"""Suggestions from the public: a new centre, a change, a closure, queued until an editor decides.

Anyone may suggest, without an account (the dashboard's Find a centre and
Directory pages). A suggestion is a row of ``suggestions``: what (the
centre's name, or which stored centre), where (town or venue postcode), its
services, a source link, free-text details, and optionally how to reach the
suggester. Nothing in the queue is public: :class:`SuggestionBox` shows it to
signed-in editors only, and no export reads the table.

* **Accepting** applies the suggestion through the editors' own path: the
  record is planned with :func:`millis_network.store.importer.plan_edit`
  (normalised, placed, checked against the directory schema) and written with
  :meth:`Store.add_centre` / :meth:`Store.update_centre` /
  :meth:`Store.close_centre`, audited under the editor's user name with the
  reason ``suggestion N from the public (source)``.
* **Rejecting** records the editor's reason.
* **The suggester's contact is personal data.** It is kept only while the
  suggestion is open: closing it (accept or reject) blanks it in the same
  transaction, and the database refuses a closed suggestion that still holds
  one (a check constraint).

Against abuse: each field has a length limit (:data:`FIELD_LIMITS`), control
characters are refused, a hidden honeypot field that people leave blank
silently discards what robots fill in, and each client may make
``per_client`` attempts per ``window_s`` (counted in ``suggestion_attempts``,
by a SHA-256 digest of the client key, never the IP address itself, and
forgotten after the window), so the limit holds across sessions and server
processes.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.engine import RowMapping

from millis_network._text import safe_link
from millis_network.directory import split_services
from millis_network.errors import (
    MillisNetworkError,
    NotFoundError,
    PostcodeError,
    TooManyAttemptsError,
)
from millis_network.postcodes import normalise_postcode
from millis_network.store import importer

if TYPE_CHECKING:
    from millis_network.store.database import Change, Store

#: What a suggestion may be about.
KINDS: dict[str, str] = {
    "new": "a centre missing from the directory",
    "change": "a change to a centre in the directory",
    "closure": "a centre that has closed",
}
#: Where a suggestion is in the queue.
STATUSES: tuple[str, ...] = ("open", "accepted", "rejected")
#: Longest value of each field a visitor types (characters).
FIELD_LIMITS: dict[str, int] = {
    "centre_id": 120,
    "name": 200,
    "place": 120,
    "services": 300,
    "source_url": 500,
    "details": 2000,
    "contact": 200,
}
#: Longest reason an editor may give for a rejection (characters).
REASON_MAX_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_metadata = MetaData()
SUGGESTIONS = Table(
    "suggestions", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("centre_id", Text, nullable=False, server_default=""),
    Column("name", Text, nullable=False, server_default=""),
    Column("place", Text, nullable=False, server_default=""),
    Column("services", Text, nullable=False, server_default=""),
    Column("source_url", Text, nullable=False, server_default=""),
    Column("details", Text, nullable=False, server_default=""),
    Column("contact", Text, nullable=False, server_default=""),
    Column("submitted_at", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="open"),
    Column("closed_at", Text, nullable=False, server_default=""),
    Column("closed_by", Text, nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("change_id", Integer),
)
SUGGESTION_ATTEMPTS = Table(
    "suggestion_attempts", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", Text, nullable=False),
    Column("at", Float, nullable=False),
)


class SuggestionError(MillisNetworkError, ValueError):
    """A suggestion that cannot be taken as typed; ``field`` names the box to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Suggestion:
    """One suggestion as editors see it (``contact`` is blank once it is closed).

    Attributes:
        id: the queue's number for it.
        kind: one of :data:`KINDS`.
        centre_id: the stored centre a change or closure is about ("" for a new centre).
        name, place, services, source_url, details: what the visitor typed.
        contact: how to reach the suggester (personal data; editors only; "" when none or closed).
        submitted_at: when (UTC, ISO 8601).
        status: one of :data:`STATUSES`.
        closed_at, closed_by, reason: when, by which editor, and (for a rejection) why it was closed.
        change_id: the audit log entry an acceptance wrote.
    """

    id: int
    kind: str
    centre_id: str
    name: str
    place: str
    services: str
    source_url: str
    details: str
    contact: str
    submitted_at: str
    status: str
    closed_at: str
    closed_by: str
    reason: str
    change_id: int | None


def _suggestion(row: RowMapping) -> Suggestion:
    return Suggestion(**{name: row[name] for name in Suggestion.__dataclass_fields__})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(client: str) -> str:
    return hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()


def _clean(field: str, value: str) -> str:
    text = str(value).strip()
    limit = FIELD_LIMITS[field]
    if len(text) > limit:
        raise SuggestionError(field, f"{field.replace('_', ' ')} has {len(text):,} characters; the most it may hold is {limit:,}")
    if _CONTROL.search(text):
        raise SuggestionError(field, f"{field.replace('_', ' ')} contains control characters; retype it")
    return text


def where_fields(place: str) -> dict[str, str]:
    """A visitor's "where" as directory fields: ``{"postcode": ...}`` when it is a UK postcode, else ``{"town": ...}``."""
    try:
        return {"postcode": normalise_postcode(place)}
    except PostcodeError:
        return {"town": place}


class SuggestionBox:
    """The public's suggestions queue in a store.

    Args:
        store: the directory database.
        per_client: attempts one client may make within ``window_s``.
        window_s: the rate limit's window, in seconds.
        clock: seconds since the epoch (``time.time``; tests pass their own).
    """

    def __init__(
        self, store: Store, *, per_client: int = 5, window_s: float = 3600.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.per_client = per_client
        self.window_s = window_s
        self.clock = clock

    # the public --------------------------------------------------------------

    def submit(
        self,
        kind: str,
        *,
        client: str,
        centre_id: str = "",
        name: str = "",
        place: str = "",
        services: str = "",
        source_url: str = "",
        details: str = "",
        contact: str = "",
        honeypot: str = "",
    ) -> int | None:
        """Queue a suggestion from ``client`` (an IP address or session key); nothing becomes public.

        Returns:
            The suggestion's number, or None when the honeypot was filled
            (answered like a success, stored nowhere).

        Raises:
            TooManyAttemptsError: the client made ``per_client`` attempts in the window
                (``retry_after_s`` says when it may try again).
            SuggestionError: a field is missing, too long or unreadable (``field`` names it).
        """
        now = self.clock()
        key = _digest(client)
        with self.store._writing() as conn:
            conn.execute(delete(SUGGESTION_ATTEMPTS).where(SUGGESTION_ATTEMPTS.c.at <= now - self.window_s))
            recent = conn.execute(
                select(func.count(), func.min(SUGGESTION_ATTEMPTS.c.at)).where(SUGGESTION_ATTEMPTS.c.client == key)
            ).one()
            if recent[0] >= self.per_client:
                wait = max(1.0, float(recent[1]) + self.window_s - now)
                raise TooManyAttemptsError(
                    f"too many suggestions from here: try again in {math.ceil(wait / 60)} minute(s)", retry_after_s=wait
                )
            conn.execute(SUGGESTION_ATTEMPTS.insert().values(client=key, at=now))
        if honeypot.strip():
            return None
        values = self._checked(kind, centre_id=centre_id, name=name, place=place, services=services,
                               source_url=source_url, details=details, contact=contact)
        with self.store._writing() as conn:
            return int(conn.execute(
                SUGGESTIONS.insert().values(kind=kind, submitted_at=_now(), status="open", **values)
                .returning(SUGGESTIONS.c.id)
            ).scalar_one())

    def _checked(self, kind: str, **typed: str) -> dict[str, str]:
        if kind not in KINDS:
            raise SuggestionError("kind", f"kind {kind!r} is not one of {', '.join(KINDS)}")
        values = {field: _clean(field, value) for field, value in typed.items()}
        if kind == "new":
            if not values["name"]:
                raise SuggestionError("name", "give the centre's name")
            if not values["place"]:
                raise SuggestionError("place", "give the town, or the venue's postcode")
            values["centre_id"] = ""
        else:
            if not values["centre_id"]:
                raise SuggestionError("centre_id", "choose the centre this is about")
            self.store.centre(values["centre_id"])
            if kind == "change" and not (values["details"] or values["services"] or values["place"]):
                raise SuggestionError("details", "say what should change")
        if not safe_link(values["source_url"]):
            raise SuggestionError("source_url", "give a web address (https://...) of a page that says so: "
                                                "the directory records a source for every fact")
        return values

    # editors -------------------------------------------------------------------

    def queue(self, *, status: str = "open") -> list[Suggestion]:
        """Suggestions with ``status``, oldest first (for signed-in editors only: it holds contacts)."""
        with self.store._reading() as conn:
            rows = conn.execute(
                select(SUGGESTIONS).where(SUGGESTIONS.c.status == status).order_by(SUGGESTIONS.c.id)
            ).mappings().all()
        return [_suggestion(r) for r in rows]

    def get(self, suggestion_id: int) -> Suggestion:
        """One suggestion.

        Raises:
            NotFoundError: no suggestion has that number.
        """
        with self.store._reading() as conn:
            row = conn.execute(select(SUGGESTIONS).where(SUGGESTIONS.c.id == suggestion_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no suggestion {suggestion_id}")
        return _suggestion(row)

    def proposed_values(self, suggestion: Suggestion) -> dict[str, str]:
        """The directory fields accepting ``suggestion`` would write (an editor may amend them first)."""
        if suggestion.kind == "closure":
            return {"status": "closed"}
        values: dict[str, str] = {}
        if suggestion.kind == "new":
            values["name"] = suggestion.name
        if suggestion.place:
            values |= where_fields(suggestion.place)
        if suggestion.services:
            values["services"] = "; ".join(split_services(suggestion.services.replace(",", ";")))
        return values

    def accept(
        self,
        suggestion_id: int,
        *,
        who: str,
        values: Mapping[str, str] | None = None,
        closed: str = "",
        verified: bool = False,
    ) -> Change:
        """Apply a suggestion as an edit by editor ``who``, then close it and forget the contact.

        ``values`` (directory fields) replace :meth:`proposed_values`; the
        suggestion's source link is added to the centre's ``source_urls``.
        ``closed`` (``YYYY`` or ``YYYY-MM``) dates a closure. ``verified``: the
        editor checked the entry against the suggestion's source, so it is also
        marked verified (:meth:`Store.verify_centre`).

        Returns:
            The audit entry of the edit (the verification, when asked, is the next one).

        Raises:
            SuggestionError: the suggestion is closed already, or the record is rejected
                by the directory's rules (the message lists each problem).
            ConflictError: the centre changed while the edit was being made.
        """
        suggestion = self._open(suggestion_id)
        fields = dict(self.proposed_values(suggestion) if values is None else values)
        reason = f"suggestion {suggestion.id} from the public ({suggestion.source_url})"
        centres = self.store.centres()
        if suggestion.kind == "new":
            fields["source_urls"] = suggestion.source_url
            change = self._apply_new(centres, fields, who=who, reason=reason)
        else:
            current = self.store.centre(suggestion.centre_id)
            sources = [s.strip() for s in str(current["source_urls"]).split(" ; ") if s.strip()]
            fields["source_urls"] = " ; ".join(dict.fromkeys([*sources, suggestion.source_url]))
            if suggestion.kind == "closure":
                fields |= {"status": "closed", "closed": closed}
            change = self._apply_edit(centres, suggestion.centre_id, int(current["version"]), fields,
                                      who=who, reason=reason)
        self._close(suggestion.id, status="accepted", who=who, reason="", change_id=change.change_id)
        if verified:
            self.store.verify_centre(change.entity_id, source=suggestion.source_url, expected_version=change.version,
                                     who=who)
        return change

    def reject(self, suggestion_id: int, *, who: str, reason: str) -> Suggestion:
        """Close a suggestion unapplied, recording why; its contact is forgotten.

        Raises:
            SuggestionError: no reason given (or too long), or the suggestion is closed already.
        """
        text = " ".join(str(reason).split())
        if not text:
            raise SuggestionError("reason", "say why the suggestion is rejected (it is recorded)")
        if len(text) > REASON_MAX_CHARS:
            raise SuggestionError("reason", f"the reason has {len(text):,} characters; the most is {REASON_MAX_CHARS}")
        self._open(suggestion_id)
        self._close(suggestion_id, status="rejected", who=who, reason=text, change_id=None)
        return self.get(suggestion_id)

    # internals -------------------------------------------------------------------

    def _open(self, suggestion_id: int) -> Suggestion:
        suggestion = self.get(suggestion_id)
        if suggestion.status != "open":
            raise SuggestionError("status", f"suggestion {suggestion_id} was {suggestion.status} already "
                                            f"({suggestion.closed_by}, {suggestion.closed_at})")
        return suggestion

    def _close(self, suggestion_id: int, *, status: str, who: str, reason: str, change_id: int | None) -> None:
        with self.store._writing() as conn:
            done = conn.execute(
                SUGGESTIONS.update()
                .where(SUGGESTIONS.c.id == suggestion_id, SUGGESTIONS.c.status == "open")
                .values(status=status, closed_at=_now(), closed_by=who, reason=reason, change_id=change_id, contact="")
            )
            if done.rowcount != 1:
                raise SuggestionError("status", f"suggestion {suggestion_id} was closed by someone else meanwhile")

    def _apply_new(self, centres: Any, fields: Mapping[str, str], *, who: str, reason: str) -> Change:
        plan = importer.plan_edit(centres, fields, label="suggestion")
        outcome = plan.rows[0]
        if outcome.outcome == "rejected":
            raise SuggestionError("record", _problems(outcome))
        if outcome.outcome != "new":
            raise SuggestionError("name", f"this is centre {outcome.centre_id} already; accept it as a change instead")
        return self.store.add_centre({"id": outcome.centre_id, **plan.writes[0].values}, who=who, reason=reason)

    def _apply_edit(
        self, centres: Any, centre_id: str, version: int, fields: Mapping[str, str], *, who: str, reason: str
    ) -> Change:
        plan = importer.plan_edit(centres, {"id": centre_id, **fields}, label="suggestion")
        outcome = plan.rows[0]
        if outcome.outcome == "rejected":
            raise SuggestionError("record", _problems(outcome))
        changes = {f: new for f, _, new in outcome.changes}
        action = "close" if changes.get("status") == "closed" else "update"
        change = self.store.update_centre(centre_id, changes, expected_version=version, who=who, reason=reason,
                                          action=action)
        if change is None:
            raise SuggestionError("record", f"centre {centre_id} already holds what the suggestion says; reject it as done")
        return change


def _problems(outcome: importer.RowOutcome) -> str:
    return "not applied: " + "; ".join(f"{i.field or 'record'}: {i.message}" for i in outcome.issues)
