"""Editor accounts and sign-in: salted scrypt hashes, one account each, and guessing slowed in the database.

Hashes: salted scrypt, never the password itself. The throttle's state is rows
of the database, shared by every store (server process) open on it; a burst of
simultaneous wrong passwords cannot get more tries than allowed. Every test
taking ``store``, ``seeded_url`` or ``backend`` runs on SQLite and on PostgreSQL
(see ``conftest.py``). Time is a stopped clock moved by hand.
"""

from __future__ import annotations

import threading

import pytest
from conftest import Backend
from sqlalchemy import inspect

from millis_network.errors import (
    ConflictError,
    MillisNetworkError,
    NotFoundError,
    TooManyAttemptsError,
)
from millis_network.store import migrations as _migrations
from millis_network.store.auth import (
    hash_password,
    verify_password,
    verify_password_or_decoy,
)
from millis_network.store.database import Store, open_store
from millis_network.store.editors import (
    EDITORS,
    SIGN_IN_CLIENTS,
    SIGN_IN_FAILURES,
    Editor,
    SignInThrottle,
    active_editor,
    add_editor,
    disable_editor,
    list_editors,
    user_name,
)

RIGHT = "correct horse battery staple"
WRONG = "correct horse battery stapler"


def test_a_hash_verifies_its_password_only() -> None:
    encoded = hash_password(RIGHT)
    assert encoded.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in encoded
    assert verify_password(RIGHT, encoded)
    assert not verify_password(WRONG, encoded)
    assert not verify_password("", encoded)


def test_hashes_are_salted() -> None:
    assert hash_password("same") != hash_password("same")
    salt = bytes(16)
    assert hash_password("same", salt=salt) == hash_password("same", salt=salt)


def test_an_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="the password is empty"):
        hash_password("")


def test_a_malformed_hash_is_refused() -> None:
    with pytest.raises(MillisNetworkError, match="not a scrypt hash"):
        verify_password("x", "scrypt$abc$8$1$salt$hash")
    with pytest.raises(MillisNetworkError, match="not a scrypt hash"):
        verify_password("x", "plain-text-password")


def test_no_account_is_checked_against_a_decoy_and_fails() -> None:
    assert verify_password_or_decoy(RIGHT, None) is False
    assert verify_password_or_decoy(RIGHT, hash_password(RIGHT)) is True


class StoppedClock:
    """A clock that moves only when told (seconds since the epoch)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture
def alice(store: Store) -> Editor:
    return add_editor(store, "Alice", RIGHT, display_name="Alice Editor")


def throttle(store: Store, clock: StoppedClock, **settings: float) -> SignInThrottle:
    return SignInThrottle(store, clock=clock, **settings)


def fail(checker: SignInThrottle, times: int, *, name: str = "alice", client: str = "stranger") -> None:
    for _ in range(times):
        assert checker.sign_in(name, WRONG, client=client) is None


def refused(checker: SignInThrottle, *, name: str = "alice", password: str = RIGHT, client: str) -> float:
    """The wait a refused attempt was told (fails the test if the attempt was not refused)."""
    with pytest.raises(TooManyAttemptsError, match=r"too many failed sign-ins; try again in \d+ s") as caught:
        checker.sign_in(name, password, client=client)
    return caught.value.retry_after_s


# accounts ---------------------------------------------------------------


def test_migration_two_builds_the_editor_tables(store: Store) -> None:
    assert store.schema_version() == _migrations.LATEST_VERSION >= 2  # 3 added doubts and suggestions
    inspector = inspect(store.engine)
    for table in (EDITORS, SIGN_IN_FAILURES, SIGN_IN_CLIENTS):
        assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]


def test_an_account_is_made_listed_and_found_without_its_hash(store: Store, alice: Editor) -> None:
    assert (alice.user_name, alice.display_name, alice.shown_name, alice.disabled) == (
        "alice", "Alice Editor", "Alice Editor", False)
    assert alice.created_at.endswith("Z")
    assert list_editors(store) == [alice]
    assert active_editor(store, " ALICE ") == alice
    assert active_editor(store, "bob") is None
    assert "hash" not in repr(alice) and "scrypt" not in repr(alice)


def test_user_names_are_unique_whatever_their_case(store: Store, alice: Editor) -> None:
    with pytest.raises(ConflictError, match="there is an editor 'alice' already"):
        add_editor(store, "ALICE", "another long passphrase here")
    bob = add_editor(store, "bob.smith@example.org", "another long passphrase here")
    assert [e.user_name for e in list_editors(store)] == ["alice", "bob.smith@example.org"]
    assert bob.shown_name == "bob.smith@example.org"


@pytest.mark.parametrize("name", ["", "  ", "al ice", "ali\nce", "-alice", "alicé", "a" * 65, "\u212aate"])
def test_a_user_name_must_be_plain_ascii(name: str) -> None:
    with pytest.raises(MillisNetworkError, match="is not a user name"):
        user_name(name)


def test_a_short_password_or_a_multi_line_display_name_is_refused(store: Store) -> None:
    with pytest.raises(MillisNetworkError, match="give at least 15"):
        add_editor(store, "carol", "too short")
    with pytest.raises(MillisNetworkError, match="display name"):
        add_editor(store, "carol", RIGHT, display_name="Carol\nAdmin")
    assert list_editors(store) == []


# signing in -------------------------------------------------------------


def test_the_right_password_signs_in_whatever_the_user_names_case(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock)
    assert checker.sign_in(" ALICE ", RIGHT, client="laptop") == alice
    assert checker.sign_in("alice", WRONG, client="laptop") is None
    assert checker.sign_in("nobody", RIGHT, client="laptop") is None
    assert checker.sign_in("alice", RIGHT + "x" * 2000, client="laptop") is None


def test_a_disabled_editor_cannot_sign_in(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock)
    assert checker.sign_in("alice", RIGHT, client="laptop") == alice
    assert disable_editor(store, "Alice").disabled is True
    assert checker.sign_in("alice", RIGHT, client="laptop") is None
    assert active_editor(store, "alice") is None
    assert [e.disabled for e in list_editors(store)] == [True]
    with pytest.raises(NotFoundError, match="no editor 'bob'"):
        disable_editor(store, "bob")


def test_after_five_failures_an_account_waits_doubling_up_to_fifteen_minutes(
    store: Store, alice: Editor, clock: StoppedClock
) -> None:
    checker = throttle(store, clock)
    fail(checker, 5)
    assert refused(checker, client="stranger") == 30
    assert checker.wait_s("alice", client="stranger") == 30
    clock.now += 30
    fail(checker, 1)
    assert refused(checker, client="stranger") == 60
    for _ in range(10):
        clock.now += checker.wait_s("alice", client="stranger")
        fail(checker, 1)
    assert checker.wait_s("alice", client="stranger") == 900
    # The wait binds any client the account never signed in from, and one that gives no key.
    assert refused(checker, client="somewhere new") == 900
    assert refused(checker, client="") == 900
    assert checker.wait_s("ALICE", client="somewhere new") == 900


def test_an_unknown_user_name_is_throttled_as_a_real_one(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock)
    fail(checker, 5, name="nobody")
    assert refused(checker, name="nobody", client="stranger") == 30
    assert checker.sign_in("alice", RIGHT, client="stranger") == alice


def test_a_strangers_failures_do_not_lock_the_editor_out_of_their_own_client(
    store: Store, alice: Editor, clock: StoppedClock
) -> None:
    checker = throttle(store, clock)
    assert checker.sign_in("alice", RIGHT, client="alice's laptop") == alice
    fail(checker, 5, client="stranger")
    clock.now += 30
    fail(checker, 1, client="stranger")
    assert refused(checker, client="stranger") == 60
    assert refused(checker, client="another stranger") == 60
    assert checker.wait_s("alice", client="alice's laptop") == 0
    assert checker.sign_in("alice", RIGHT, client="alice's laptop") == alice
    # Her success clears only her own client's failures: the stranger still waits.
    assert refused(checker, client="stranger") == 60
    # Once her client fails while the account is held, it waits too.
    assert checker.sign_in("alice", WRONG, client="alice's laptop") is None
    assert refused(checker, client="alice's laptop") == 120


def test_a_success_clears_that_clients_failures_for_the_account(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock)
    fail(checker, 4, client="laptop")
    assert checker.sign_in("alice", RIGHT, client="laptop") == alice
    fail(checker, 4, client="laptop")
    assert checker.wait_s("alice", client="laptop") == 0
    fail(checker, 1, client="laptop")
    assert refused(checker, client="laptop") == 30


def test_a_client_failing_twenty_times_across_accounts_waits(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock)
    for number in range(20):
        fail(checker, 1, name=f"guess{number}", client="sprayer")
        clock.now += 10
    # No account has reached five failures, but the client has made twenty in 15 minutes.
    assert refused(checker, name="alice", client="sprayer") == 900 - 200
    assert checker.sign_in("alice", RIGHT, client="laptop") == alice
    clock.now += 900 - 200
    fail(checker, 1, name="guess20", client="sprayer")
    assert refused(checker, name="guess21", client="sprayer") == pytest.approx(10)


def test_old_failures_are_forgotten(store: Store, alice: Editor, clock: StoppedClock) -> None:
    checker = throttle(store, clock, forget_after_s=3600)
    fail(checker, 5)
    assert checker.wait_s("alice", client="stranger") == 30
    clock.now += 3601
    assert checker.wait_s("alice", client="stranger") == 0
    fail(checker, 4)
    assert checker.wait_s("alice", client="stranger") == 0


def test_the_throttle_is_shared_by_every_store_on_the_database(seeded_url: str, clock: StoppedClock) -> None:
    # Two Store objects on one database stand for two server processes.
    with open_store(seeded_url) as first, open_store(seeded_url) as second:
        alice = add_editor(first, "alice", RIGHT)
        one, two = throttle(first, clock), throttle(second, clock)
        assert two.sign_in("alice", RIGHT, client="laptop") == alice
        fail(one, 3)
        fail(two, 2)
        assert refused(one, client="stranger") == refused(two, client="stranger") == 30
        assert one.sign_in("alice", RIGHT, client="laptop") == alice, "the laptop signed in through the other process"
        for number in range(20):
            fail(one, 1, name=f"guess{number}", client="sprayer")
        assert two.wait_s("anyone", client="sprayer") > 0


def test_the_tables_hold_no_typed_text_or_client_address(
    backend: Backend, seeded_url: str, clock: StoppedClock
) -> None:
    with open_store(seeded_url) as store:
        add_editor(store, "alice", RIGHT)
        checker = throttle(store, clock)
        assert checker.sign_in("my secret typed as a name", RIGHT, client="ip:203.0.113.7") is None
        assert checker.sign_in("alice", RIGHT, client="ip:198.51.100.4") is not None
    dumped = repr(backend.dump(seeded_url))
    assert "sign_in_failures" in dumped and "sign_in_clients" in dumped
    for secret in ("my secret", "203.0.113.7", "198.51.100.4", RIGHT):
        assert secret not in dumped


def test_guessing_is_free_for_a_few_tries_then_waits_double_each_time(store: Store) -> None:
    add_editor(store, "alice", RIGHT)
    clock = StoppedClock()
    throttle = SignInThrottle(store, free_attempts=3, base_wait_s=30, max_wait_s=100, clock=clock)
    assert [throttle.sign_in("alice", "guess", client="c1") for _ in range(3)] == [None, None, None]
    assert throttle.wait_s("alice", client="c1") == 30
    with pytest.raises(TooManyAttemptsError, match=r"try again in 30 s") as refused:
        throttle.sign_in("alice", RIGHT, client="c1")
    assert refused.value.retry_after_s == 30
    clock.now += 30
    assert throttle.sign_in("alice", "guess", client="c1") is None and throttle.wait_s("alice", client="c1") == 60
    clock.now += 60
    assert throttle.sign_in("alice", "guess", client="c1") is None
    assert throttle.wait_s("alice", client="c1") == 100  # capped at max_wait_s


def test_the_right_password_after_waiting_signs_in(store: Store) -> None:
    add_editor(store, "alice", RIGHT, display_name="Alice Example")
    clock = StoppedClock()
    throttle = SignInThrottle(store, free_attempts=2, base_wait_s=10, clock=clock)
    throttle.sign_in("alice", "guess", client="c1")
    throttle.sign_in("alice", "guess", client="c1")
    clock.now += 10
    editor = throttle.sign_in("ALICE", RIGHT, client="c1")
    assert editor is not None and (editor.user_name, editor.display_name, editor.disabled) == ("alice", "Alice Example", False)
    assert throttle.wait_s("alice", client="c1") == 0


def test_failures_count_in_every_server_process_using_the_database(seeded_url: str) -> None:
    clock = StoppedClock()
    with open_store(seeded_url) as one, open_store(seeded_url) as other:
        add_editor(one, "alice", RIGHT)
        first = SignInThrottle(one, free_attempts=2, base_wait_s=30, clock=clock)
        second = SignInThrottle(other, free_attempts=2, base_wait_s=30, clock=clock)
        assert first.sign_in("alice", "guess", client="c1") is None
        assert second.sign_in("alice", "guess", client="c1") is None
        with pytest.raises(TooManyAttemptsError):
            first.sign_in("alice", RIGHT, client="c1")
        assert second.wait_s("alice", client="c1") == 30


def test_a_burst_of_simultaneous_guesses_gets_only_the_free_attempts(seeded_url: str) -> None:
    # Each guess is counted before its password is checked, in a write transaction; writers queue
    # (SQLite: BEGIN IMMEDIATE; PostgreSQL: the store's advisory lock), so none can slip past the count.
    guesses = 8
    clock = StoppedClock()
    with open_store(seeded_url) as setup:
        add_editor(setup, "alice", RIGHT)
    stores = [open_store(seeded_url) for _ in range(guesses)]
    start = threading.Barrier(guesses)
    outcomes: list[object] = []

    def guess(store: Store) -> None:
        throttle = SignInThrottle(store, free_attempts=3, base_wait_s=30, clock=clock)
        start.wait()
        try:
            outcomes.append(throttle.sign_in("alice", "guess", client="attacker"))
        except Exception as exc:  # noqa: BLE001 - the test checks which kind
            outcomes.append(exc)

    threads = [threading.Thread(target=guess, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert outcomes.count(None) == 3
    assert sum(isinstance(o, TooManyAttemptsError) for o in outcomes) == guesses - 3, outcomes
