"""Versioned schema migrations of the directory store (:mod:`millis_network.store.database`).

Each migration runs once, in order, in the same write transaction as the row
that records it in ``schema_migrations``, so a database is always at exactly
one version. Migrations are history: never edit one that has shipped, add the
next. The tables a migration creates are a snapshot of the schema at that
version (hence the literal column lists below), so the store's current table
definitions can move on without changing what an old migration does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    false,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

#: Directory fields of a centre at schema version 1 (``directory.CENTRE_COLUMNS`` then).
_V1_CENTRE_FIELDS = (
    "name", "organisation", "charity_number", "jurisdiction", "town", "postcode",
    "location_precision", "lat", "lon", "services", "accreditation", "opening", "referral",
    "address_withheld", "status", "opened", "closed", "successor_id", "source_urls",
    "page_date", "last_verified", "last_updated", "sample", "notes",
)
#: Fields of a family court centre at schema version 1 (``directory.COURT_COLUMNS`` then).
_V1_COURT_FIELDS = (
    "name", "postcode", "town", "lat", "lon", "location_precision", "jurisdiction", "region",
    "court_types", "areas_of_law", "children_spoe", "fact_id", "address", "source",
)

_BOOKKEEPING = MetaData()
SCHEMA_MIGRATIONS = Table(
    "schema_migrations",
    _BOOKKEEPING,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
)


def _text_columns(names: tuple[str, ...]) -> list[Column[str]]:
    return [Column(name, Text, nullable=False, server_default="") for name in names]


def _v1_directory(conn: Connection) -> None:
    snapshot = MetaData()
    Table(
        "centres", snapshot,
        Column("id", Text, primary_key=True),
        *_text_columns(_V1_CENTRE_FIELDS),
        Column("version", Integer, nullable=False),
    )
    Table(
        "courts", snapshot,
        Column("id", Text, primary_key=True),
        *_text_columns(_V1_COURT_FIELDS),
        Column("version", Integer, nullable=False),
    )
    Table(
        "centre_records", snapshot,
        Column("centre_id", Text, primary_key=True),
        Column("format", Text, nullable=False),
        Column("document", Text, nullable=False),
        Column("version", Integer, nullable=False),
    )
    audit = Table(
        "audit_log", snapshot,
        Column("change_id", Integer, primary_key=True, autoincrement=True),
        Column("at", Text, nullable=False),
        Column("who", Text, nullable=False),
        Column("action", Text, nullable=False),
        Column("entity", Text, nullable=False),
        Column("entity_id", Text, nullable=False),
        Column("old", Text),
        Column("new", Text),
        Column("version", Integer, nullable=False),
        Column("reason", Text, nullable=False, server_default=""),
        Column("reverts", Integer),
    )
    Index("audit_log_entity", audit.c.entity, audit.c.entity_id)
    snapshot.create_all(conn)


def _v2_editors(conn: Connection) -> None:
    snapshot = MetaData()
    Table(
        "editors", snapshot,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("user_name", Text, nullable=False),
        Column("display_name", Text, nullable=False, server_default=""),
        Column("password_hash", Text, nullable=False),
        Column("created_at", Text, nullable=False),
        Column("disabled", Boolean, nullable=False, server_default=false()),
        UniqueConstraint("user_name", name="editors_user_name_unique"),
        CheckConstraint("user_name = lower(user_name)", name="editors_user_name_lowercase"),
    )
    failures = Table(
        "sign_in_failures", snapshot,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("account", Text, nullable=False),
        Column("client", Text, nullable=False),
        Column("failed_at", Float, nullable=False),
    )
    Index("sign_in_failures_account", failures.c.account, failures.c.client)
    Index("sign_in_failures_client", failures.c.client, failures.c.failed_at)
    Index("sign_in_failures_failed_at", failures.c.failed_at)
    Table(
        "sign_in_clients", snapshot,
        Column("account", Text, primary_key=True),
        Column("client", Text, primary_key=True),
        Column("signed_in_at", Float, nullable=False),
    )
    snapshot.create_all(conn)


def _v3_doubts_and_suggestions(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE centres ADD COLUMN doubt TEXT NOT NULL DEFAULT ''"))
    snapshot = MetaData()
    suggestions = Table(
        "suggestions", snapshot,
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
        CheckConstraint("kind IN ('new', 'change', 'closure')", name="suggestions_kind"),
        CheckConstraint("status IN ('open', 'accepted', 'rejected')", name="suggestions_status"),
        CheckConstraint("status = 'open' OR contact = ''", name="suggestions_contact_only_while_open"),
    )
    Index("suggestions_status", suggestions.c.status)
    attempts = Table(
        "suggestion_attempts", snapshot,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client", Text, nullable=False),
        Column("at", Float, nullable=False),
    )
    Index("suggestion_attempts_client", attempts.c.client, attempts.c.at)
    snapshot.create_all(conn)


@dataclass(frozen=True)
class Migration:
    """One schema change: its version number, what it does, and the function doing it."""

    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "centres, courts, centre records and the audit log", _v1_directory),
    Migration(2, "editor accounts and the sign-in throttle's failures and known clients", _v2_editors),
    Migration(3, "a doubt flag on centres; the public's suggestions queue and its per-client throttle",
              _v3_doubts_and_suggestions),
)

#: The schema version this code expects.
LATEST_VERSION = MIGRATIONS[-1].version

#: ``(table, column)`` of every id numbered by the database.
_NUMBERED_IDS = (("audit_log", "change_id"), ("editors", "id"), ("suggestions", "id"), ("suggestion_attempts", "id"))


def schema_version(conn: Connection) -> int:
    """The version a database is at: 0 for an empty database."""
    if not inspect(conn).has_table(SCHEMA_MIGRATIONS.name):
        return 0
    versions = conn.execute(select(SCHEMA_MIGRATIONS.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(conn: Connection) -> list[Migration]:
    """Apply every migration newer than the database, inside the caller's transaction.

    Returns:
        The migrations applied (empty when the database was current).
    """
    _BOOKKEEPING.create_all(conn)
    current = schema_version(conn)
    pending = [m for m in MIGRATIONS if m.version > current]
    for migration in pending:
        migration.apply(conn)
        conn.execute(
            SCHEMA_MIGRATIONS.insert().values(
                version=migration.version,
                description=migration.description,
                applied_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
        )
    catch_up_sequences(conn)
    return pending


def catch_up_sequences(conn: Connection) -> None:
    """On PostgreSQL, move each id sequence past the largest id stored (inside the caller's transaction).

    SQLite numbers a new row after the largest id in its table. PostgreSQL
    takes the next value of a sequence, which rows stored with their ids
    (a restored backup, an audit log copied over from SQLite) do not advance,
    so the next change would collide with one of them. Never moves a sequence back.
    """
    if conn.dialect.name != "postgresql":
        return
    for table, column in _NUMBERED_IDS:
        sequence = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', '{column}')").scalar()
        if sequence is None:
            continue
        conn.exec_driver_sql(
            f"SELECT setval('{sequence}', max({column})) FROM {table} "
            f"HAVING max({column}) > coalesce(pg_sequence_last_value('{sequence}'), 0)"
        )
