"""Suggestions from the public: queued, never public, applied by editors through the audited edit path.

Every test taking ``store`` runs on SQLite and on PostgreSQL (see ``conftest.py``).
Time is a stopped clock moved by hand.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from millis_network.errors import TooManyAttemptsError
from millis_network.store.database import Store
from millis_network.store.suggestions import (
    FIELD_LIMITS,
    SUGGESTION_ATTEMPTS,
    SUGGESTIONS,
    SuggestionBox,
    SuggestionError,
    where_fields,
)

CONTACT = "suggester-4471@example.org"
SOURCE = "https://example.org/riverside-contact-centre"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def box(store: Store) -> SuggestionBox:
    return SuggestionBox(store, per_client=3, window_s=600.0, clock=Clock())


def _new(box: SuggestionBox, *, client: str = "ip:203.0.113.9", **extra: str) -> int | None:
    fields = {"name": "Riverside Child Contact Centre", "place": "Shrewsbury", "services": "supported, handover",
              "source_url": SOURCE, "contact": CONTACT} | extra
    return box.submit("new", client=client, **fields)


def test_a_new_centre_waits_in_the_queue_and_is_not_in_the_directory(box: SuggestionBox, store: Store) -> None:
    number = _new(box)
    assert number is not None
    [queued] = box.queue()
    assert (queued.id, queued.kind, queued.status, queued.contact) == (number, "new", "open", CONTACT)
    assert "Riverside Child Contact Centre" not in set(store.centres()["name"])
    assert "Riverside Child Contact Centre" not in set(store.network().public().centres["name"])


def test_accepting_adds_the_centre_audited_under_the_editor_and_forgets_the_contact(
    box: SuggestionBox, store: Store
) -> None:
    number = _new(box)
    assert number is not None
    change = box.accept(number, who="alice")
    centre = store.centre("riverside-child-contact-centre")
    assert (centre["town"], centre["services"], centre["source_urls"]) == ("Shrewsbury", "supported; handover", SOURCE)
    assert centre["location_precision"] == "town"
    assert (change.who, change.action) == ("alice", "create")
    assert change.reason == f"suggestion {number} from the public ({SOURCE})"
    done = box.get(number)
    assert (done.status, done.closed_by, done.change_id, done.contact) == ("accepted", "alice", change.change_id, "")
    assert box.queue() == []
    with pytest.raises(SuggestionError, match="accepted already"):
        box.accept(number, who="bob")


def test_accepting_as_checked_also_verifies_against_the_suggestions_source(box: SuggestionBox, store: Store) -> None:
    number = _new(box)
    assert number is not None
    box.accept(number, who="alice", verified=True)
    latest = store.changes(entity="centre", entity_id="riverside-child-contact-centre")[-1]
    assert (latest.action, latest.who, latest.reason) == ("verify", "alice", f"verified against {SOURCE}")
    assert store.centre("riverside-child-contact-centre")["last_verified"] == latest.at[:10]


def test_rejecting_records_the_reason_keeps_it_out_and_forgets_the_contact(box: SuggestionBox, store: Store) -> None:
    number = _new(box)
    assert number is not None
    with pytest.raises(SuggestionError, match="say why"):
        box.reject(number, who="alice", reason="  ")
    rejected = box.reject(number, who="alice", reason="No such centre at that address")
    assert (rejected.status, rejected.reason, rejected.contact) == ("rejected", "No such centre at that address", "")
    assert "riverside-child-contact-centre" not in set(store.centres()["id"])
    with store._reading() as conn:
        assert CONTACT not in str(conn.execute(select(SUGGESTIONS)).all())


def test_a_closure_closes_the_stored_centre_and_adds_the_source(box: SuggestionBox, store: Store) -> None:
    before = store.centre("redditch-child-contact-centre")
    number = box.submit("closure", client="ip:198.51.100.1", centre_id="redditch-child-contact-centre",
                        source_url="https://example.org/redditch-closed", details="Closed last spring")
    assert number is not None
    change = box.accept(number, who="alice", closed="2026-04")
    after = store.centre("redditch-child-contact-centre")
    assert (after["status"], after["closed"], change.action) == ("closed", "2026-04", "close")
    assert after["source_urls"] == f"{before['source_urls']} ; https://example.org/redditch-closed"


def test_a_change_is_applied_as_the_editor_amends_it(box: SuggestionBox, store: Store) -> None:
    number = box.submit("change", client="ip:198.51.100.2", centre_id="redditch-child-contact-centre",
                        services="supported", source_url="https://example.org/redditch", details="They do supported")
    assert number is not None
    assert box.proposed_values(box.get(number)) == {"services": "supported"}
    box.accept(number, who="alice", values={"services": "supported; handover"})
    assert store.centre("redditch-child-contact-centre")["services"] == "supported; handover"


def test_a_record_the_directory_refuses_is_not_applied_and_stays_open(box: SuggestionBox, store: Store) -> None:
    number = _new(box, place="ZZ99 9ZZ")
    assert number is not None
    with pytest.raises(SuggestionError, match="postcode"):
        box.accept(number, who="alice")
    assert box.get(number).status == "open"


def test_each_field_has_a_limit_and_missing_facts_are_named(box: SuggestionBox) -> None:
    with pytest.raises(SuggestionError) as too_long:
        _new(box, details="x" * (FIELD_LIMITS["details"] + 1))
    assert too_long.value.field == "details"
    with pytest.raises(SuggestionError) as no_source:
        _new(box, source_url="javascript:alert(1)")
    assert no_source.value.field == "source_url"
    with pytest.raises(SuggestionError) as no_name:
        _new(box, name="")
    assert no_name.value.field == "name"
    with pytest.raises(SuggestionError) as control:
        _new(box, client="ip:192.0.2.77", contact="a\x00b")
    assert control.value.field == "contact"


def test_each_client_is_limited_per_window_and_others_are_not(box: SuggestionBox, store: Store) -> None:
    for _ in range(3):
        _new(box, name=f"Centre {_}")
    with pytest.raises(TooManyAttemptsError) as limited:
        _new(box, name="Centre 4")
    assert 0 < limited.value.retry_after_s <= 600
    assert _new(box, client="ip:192.0.2.1", name="Someone else's") is not None
    box.clock.now += 601  # type: ignore[attr-defined]
    assert _new(box, name="Centre 5") is not None
    with store._reading() as conn:
        clients = conn.execute(select(SUGGESTION_ATTEMPTS.c.client)).scalars().all()
    assert clients and not any("203.0.113.9" in c for c in clients)


def test_a_filled_honeypot_stores_nothing_but_still_counts(box: SuggestionBox) -> None:
    assert _new(box, honeypot="http://spam.example") is None
    assert box.queue() == []
    _new(box)
    _new(box)
    with pytest.raises(TooManyAttemptsError):
        _new(box)


def test_where_is_a_postcode_or_a_town() -> None:
    assert where_fields("sy1 1aa") == {"postcode": "SY1 1AA"}
    assert where_fields("Bishop's Stortford") == {"town": "Bishop's Stortford"}


def test_migration_three_builds_the_queue_and_refuses_a_closed_suggestion_with_a_contact(store: Store) -> None:
    inspector = inspect(store.engine)
    for table in (SUGGESTIONS, SUGGESTION_ATTEMPTS):
        assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
    with pytest.raises(IntegrityError), store._writing() as conn:
        conn.execute(SUGGESTIONS.insert().values(kind="new", submitted_at="2026-12-01", status="rejected",
                                                 contact=CONTACT))
