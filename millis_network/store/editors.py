"""Editor accounts and signing in: one account per person, and guessing slowed in the database.

Each person who may change the directory has an account in the ``editors``
table: a user name (unique, compared without regard to case: it is kept in
lower case), a display name, a salted scrypt hash of their password
(:mod:`millis_network.store.auth`), when it was made, and whether it is
disabled. ``millis-network db editor add|disable|list`` manages them. Whoever
signs in is known by their user name, and that is what the dashboard records
in the audit log as ``who``.

:class:`SignInThrottle` checks a user name and password. Every failure is a
row of ``sign_in_failures`` (the account tried, the client it came from, when),
so the throttle holds across every session, server process and machine using
the database:

* **Per account.** After ``free_attempts`` (5) failures for an account, each
  further try for it must wait ``base_wait_s`` (30 s) after the last failure,
  doubling with each further failure up to ``max_wait_s`` (15 minutes). The
  wait binds only clients that have failed for that account themselves, and
  clients the account has never signed in from (or that give no key); a
  client it signed in from before and that has not failed since (a row of
  ``sign_in_clients``) is not held back. So a stranger's guesses cannot keep
  an editor out on their own computer, while the stranger, and every client
  they could make up, waits. A success clears that account's failures from
  that client (others' failures still count).
* **Per client.** A client with ``client_limit`` (20) failures, for any
  accounts, in the last ``client_window_s`` (15 minutes) waits until the oldest
  of them is older than that.

An unknown user name is throttled and answered exactly as a wrong password
(the same message, the same scrypt work), and a disabled account as either,
so answers do not tell which user names exist. Failures are forgotten after
``forget_after_s`` (a day). Accounts and clients are stored only as SHA-256
digests: the tables hold no typed text (a password typed into the user name
box, say) and no IP address. An attempt is counted before the password is
checked, so a burst of simultaneous tries cannot slip past the limit.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    false,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping

from millis_network.errors import (
    ConflictError,
    MillisNetworkError,
    NotFoundError,
    TooManyAttemptsError,
)
from millis_network.store.auth import hash_password, verify_password_or_decoy

#: What the dashboard says for an unknown user name, a wrong password and a disabled account alike.
WRONG_CREDENTIALS = "Wrong user name or password."
#: Longest user name (characters).
USER_NAME_MAX_CHARS = 64
#: Longest display name (characters).
DISPLAY_NAME_MAX_CHARS = 100
#: Shortest password an account may be given (characters; OWASP's minimum without a second factor).
PASSWORD_MIN_CHARS = 15
#: Longest password an account may be given, and that sign-in checks (characters).
PASSWORD_MAX_CHARS = 1024

_USER_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]*", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

class StoreLike(Protocol):
    """What this module needs of a :class:`millis_network.store.database.Store`: its two kinds of transaction."""

    def _reading(self) -> AbstractContextManager[Connection]: ...

    def _writing(self) -> AbstractContextManager[Connection]: ...


_metadata = MetaData()
EDITORS = Table(
    "editors", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False, server_default=""),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
)
SIGN_IN_FAILURES = Table(
    "sign_in_failures", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", Text, nullable=False),
    Column("client", Text, nullable=False),
    Column("failed_at", Float, nullable=False),
)
SIGN_IN_CLIENTS = Table(
    "sign_in_clients", _metadata,
    Column("account", Text, primary_key=True),
    Column("client", Text, primary_key=True),
    Column("signed_in_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Editor:
    """One editor account, without its password hash.

    Attributes:
        id: the database's number for the account.
        user_name: what the editor signs in with, in lower case; recorded as ``who`` in the audit log.
        display_name: how the dashboard greets them ("" = the user name).
        created_at: when the account was made (UTC, ISO 8601).
        disabled: a disabled account cannot sign in.
    """

    id: int
    user_name: str
    display_name: str
    created_at: str
    disabled: bool

    @property
    def shown_name(self) -> str:
        """The display name, or the user name when there is none."""
        return self.display_name or self.user_name


def _editor(row: RowMapping) -> Editor:
    return Editor(int(row["id"]), str(row["user_name"]), str(row["display_name"]), str(row["created_at"]),
                  bool(row["disabled"]))


def user_name(text: str) -> str:
    """A user name as stored: ``text`` without surrounding spaces, in lower case.

    Raises:
        MillisNetworkError: it is not 1-64 ASCII letters, digits and ``. _ @ -``,
            starting with a letter or digit.
    """
    name = text.strip()
    if not (name.isascii() and _USER_NAME.fullmatch(name.lower()) and len(name) <= USER_NAME_MAX_CHARS):
        raise MillisNetworkError(
            f"{_short(name)!r} is not a user name: use 1-{USER_NAME_MAX_CHARS} letters, digits and . _ @ -, "
            "starting with a letter or digit (e.g. alice or alice.smith)"
        )
    return name.lower()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_CHARS:
        raise MillisNetworkError(
            f"the password has {len(password)} characters; give at least {PASSWORD_MIN_CHARS} "
            "(a passphrase of several words is easiest to remember)"
        )
    if len(password) > PASSWORD_MAX_CHARS:
        raise MillisNetworkError(f"the password is longer than {PASSWORD_MAX_CHARS} characters")


def add_editor(store: StoreLike, name: str, password: str, *, display_name: str = "") -> Editor:
    """Make an editor account.

    Raises:
        MillisNetworkError: the user name, display name or password is not acceptable
            (see :func:`user_name`, :data:`PASSWORD_MIN_CHARS`).
        ConflictError: an account with that user name exists (in any case, disabled or not).
    """
    key = user_name(name)
    shown = display_name.strip()
    if len(shown) > DISPLAY_NAME_MAX_CHARS or _CONTROL.search(shown):
        raise MillisNetworkError(f"the display name must be at most {DISPLAY_NAME_MAX_CHARS} characters on one line")
    _check_password(password)
    encoded = hash_password(password)
    created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    with store._writing() as conn:
        if conn.execute(select(EDITORS.c.id).where(EDITORS.c.user_name == key)).first() is not None:
            raise ConflictError(f"there is an editor {key!r} already; choose another user name")
        row = {"user_name": key, "display_name": shown, "password_hash": encoded, "created_at": created,
               "disabled": False}
        inserted = conn.execute(EDITORS.insert().values(row)).inserted_primary_key
    assert inserted is not None
    return Editor(int(inserted[0]), key, shown, created, False)


def disable_editor(store: StoreLike, name: str) -> Editor:
    """Disable an account: it can no longer sign in (a session already signed in ends at its next page load).

    Raises:
        NotFoundError: no account has that user name.
    """
    key = _lookup_key(name)
    with store._writing() as conn:
        done = conn.execute(EDITORS.update().where(EDITORS.c.user_name == key).values(disabled=True))
        if done.rowcount != 1:
            raise NotFoundError(f"no editor {key!r}; see `millis-network db editor list`")
        row = conn.execute(select(EDITORS).where(EDITORS.c.user_name == key)).mappings().one()
    return _editor(row)


def list_editors(store: StoreLike) -> list[Editor]:
    """Every account, disabled ones too, by user name."""
    with store._reading() as conn:
        rows = conn.execute(select(EDITORS).order_by(EDITORS.c.user_name)).mappings().all()
    return [_editor(r) for r in rows]


def active_editor(store: StoreLike, name: str) -> Editor | None:
    """The account with that user name if it exists and is not disabled, else None."""
    with store._reading() as conn:
        row = conn.execute(select(EDITORS).where(EDITORS.c.user_name == _lookup_key(name))).mappings().first()
    editor = None if row is None else _editor(row)
    return editor if editor is not None and not editor.disabled else None


def _lookup_key(name: str) -> str:
    return name.strip().lower()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _upsert(conn: Connection, table: Table, values: dict[str, Any]) -> None:
    """Insert a row, or update the one with the same primary key (``INSERT ... ON CONFLICT`` where the database has it)."""
    keys = [c.name for c in table.primary_key.columns]
    changes = {name: value for name, value in values.items() if name not in keys}
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(table).values(values)
        conn.execute(pg.on_conflict_do_update(index_elements=keys, set_={n: pg.excluded[n] for n in changes}))
    elif conn.dialect.name == "sqlite":
        lite = sqlite.insert(table).values(values)
        conn.execute(lite.on_conflict_do_update(index_elements=keys, set_={n: lite.excluded[n] for n in changes}))
    else:
        where = [table.c[name] == values[name] for name in keys]
        if conn.execute(table.update().where(*where).values(changes)).rowcount == 0:
            conn.execute(table.insert().values(values))


class SignInThrottle:
    """Checks user names and passwords, slowing guessing with state kept in the store (see the module's notes).

    Args:
        store: the directory database holding the accounts and the throttle's state.
        free_attempts: failures for one account before its tries must wait.
        base_wait_s: the first wait, in seconds; it doubles with each further failure.
        max_wait_s: the longest wait for one account, in seconds.
        client_limit: failures one client may make, for any accounts, within ``client_window_s``.
        client_window_s: the per-client window, in seconds.
        forget_after_s: failures older than this (never less than ``client_window_s``) are forgotten (seconds).
        remember_clients_s: how long a client an account signed in from stays exempt from
            that account's wait (seconds since its last success there).
        clock: seconds since the epoch, the same in every process (``time.time``; tests pass their own).
    """

    def __init__(
        self,
        store: StoreLike,
        *,
        free_attempts: int = 5,
        base_wait_s: float = 30.0,
        max_wait_s: float = 900.0,
        client_limit: int = 20,
        client_window_s: float = 900.0,
        forget_after_s: float = 86_400.0,
        remember_clients_s: float = 90 * 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.free_attempts = free_attempts
        self.base_wait_s = base_wait_s
        self.max_wait_s = max_wait_s
        self.client_limit = client_limit
        self.client_window_s = client_window_s
        self.forget_after_s = max(forget_after_s, client_window_s)
        self.remember_clients_s = remember_clients_s
        self.clock = clock

    def wait_s(self, name: str, *, client: str) -> float:
        """Seconds before ``client`` may next try to sign in as ``name`` (0 when it may now)."""
        with self.store._reading() as conn:
            return self._wait(conn, _digest(_lookup_key(name)), _client_key(client), self.clock())

    def sign_in(self, name: str, password: str, *, client: str) -> Editor | None:
        """The editor, if ``name`` is an account that is not disabled and ``password`` is its password; else None.

        ``client`` identifies where the attempt comes from (an IP address, a
        session id: any text, the same for the same client; "" when unknown).

        Raises:
            TooManyAttemptsError: this client must wait before trying this
                account again; nothing was checked or counted. ``retry_after_s`` says how long.
        """
        account, origin = _digest(_lookup_key(name)), _client_key(client)
        now = self.clock()
        with self.store._writing() as conn:
            conn.execute(delete(SIGN_IN_FAILURES).where(SIGN_IN_FAILURES.c.failed_at < now - self.forget_after_s))
            wait = self._wait(conn, account, origin, now)
            if wait > 0:
                raise TooManyAttemptsError(
                    f"too many failed sign-ins; try again in {math.ceil(wait)} s", retry_after_s=wait
                )
            # Counted as a failure before the password is checked; cleared below on success.
            conn.execute(SIGN_IN_FAILURES.insert().values(account=account, client=origin, failed_at=now))
            row = conn.execute(
                select(EDITORS).where(EDITORS.c.user_name == _lookup_key(name))
            ).mappings().first()
        stored = None if row is None or len(password) > PASSWORD_MAX_CHARS else str(row["password_hash"])
        right = verify_password_or_decoy(password[:PASSWORD_MAX_CHARS], stored)
        if row is None or not right or bool(row["disabled"]):
            return None
        with self.store._writing() as conn:
            conn.execute(delete(SIGN_IN_FAILURES).where(SIGN_IN_FAILURES.c.account == account,
                                                        SIGN_IN_FAILURES.c.client == origin))
            conn.execute(delete(SIGN_IN_CLIENTS).where(SIGN_IN_CLIENTS.c.account == account,
                                                       SIGN_IN_CLIENTS.c.signed_in_at < now - self.remember_clients_s))
            if origin:
                _upsert(conn, SIGN_IN_CLIENTS, {"account": account, "client": origin, "signed_in_at": now})
        return _editor(row)

    def _wait(self, conn: Connection, account: str, client: str, now: float) -> float:
        waits = [0.0]
        failures = SIGN_IN_FAILURES.c
        if client:
            recent = conn.execute(
                select(failures.failed_at)
                .where(failures.client == client, failures.failed_at > now - self.client_window_s)
                .order_by(failures.failed_at.desc())
                .limit(self.client_limit)
            ).scalars().all()
            if len(recent) >= self.client_limit:
                waits.append(float(recent[-1]) + self.client_window_s - now)
        count, last = conn.execute(
            select(func.count(), func.max(failures.failed_at))
            .where(failures.account == account, failures.failed_at >= now - self.forget_after_s)
        ).one()
        if count >= self.free_attempts and last is not None and self._held_back(conn, account, client, now):
            beyond = min(int(count) - self.free_attempts, 64)
            waits.append(float(last) + min(self.max_wait_s, self.base_wait_s * 2.0**beyond) - now)
        return max(waits)

    def _held_back(self, conn: Connection, account: str, client: str, now: float) -> bool:
        """Whether an account's wait binds this client: it failed there itself, or the account never signed in from it."""
        if not client:
            return True
        failed = conn.execute(
            select(SIGN_IN_FAILURES.c.id)
            .where(SIGN_IN_FAILURES.c.account == account, SIGN_IN_FAILURES.c.client == client,
                   SIGN_IN_FAILURES.c.failed_at >= now - self.forget_after_s)
            .limit(1)
        ).first()
        if failed is not None:
            return True
        known = conn.execute(
            select(SIGN_IN_CLIENTS.c.signed_in_at)
            .where(SIGN_IN_CLIENTS.c.account == account, SIGN_IN_CLIENTS.c.client == client,
                   SIGN_IN_CLIENTS.c.signed_in_at >= now - self.remember_clients_s)
        ).first()
        return known is None


def _client_key(client: str) -> str:
    return _digest(client) if client else ""
