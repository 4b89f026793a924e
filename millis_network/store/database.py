"""The directory's database: centres, courts, centre records and an audit log.

SQLite is the embedded default (a file under the cache folder, or wherever
``$MILLIS_NETWORK_DB`` points); any SQLAlchemy URL (e.g. PostgreSQL) works the
same. The schema is built by the versioned migrations in
:mod:`millis_network.store.migrations`.

What it holds:

* ``centres``: every directory field of :data:`directory.CENTRE_COLUMNS`, as the
  exact text the CSV holds (so ``network_data/`` round-trips byte for byte),
  plus a ``version`` per record for optimistic locking;
* ``courts``: every field of :data:`directory.COURT_COLUMNS`, likewise;
* ``centre_records``: one YAML or JSON document per centre for the standards
  checker (people, training, policies), with a version;
* ``audit_log``: one row per change: when (UTC), who, what (``create``,
  ``update``, ``close``, ``reopen``, ``delete``, ``revert``, ``import``), the
  old and new values of the fields that changed, the record's new version and
  the reason given. Every change can be undone with :meth:`Store.revert`,
  which is itself audited.

Two dates are kept apart: ``last_updated`` is stamped by the store on every
change; ``last_verified`` is set only by :meth:`Store.verify_centre`, when an
editor says they confirmed the entry against a source (audited as ``verify``:
who, when, and the source in the reason); loading a ``network_data/``
snapshot restores it as the files hold it. Writers take the write lock at the start of their transaction
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-level advisory lock),
so writers queue rather than interleave; a write either commits whole or leaves
the database as it was, even if the process is killed part-way. Text sorts by
code point on both (as SQLite's ``BINARY`` collation does), whatever
PostgreSQL's database collation.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from tqdm import tqdm

from millis_network._geo import in_bounds
from millis_network._text import fold
from millis_network.config import DATABASE_ENV, default_cache_dir
from millis_network.directory import (
    CENTRE_COLUMNS,
    COURT_COLUMNS,
    LATER_CENTRE_COLUMNS,
    check_centre_rows,
    check_court_rows,
    with_later_centre_columns,
)
from millis_network.errors import (
    ConflictError,
    DataFileError,
    MillisNetworkError,
    NotFoundError,
)
from millis_network.network import Network, Provenance, network_from_tables
from millis_network.store import migrations as _migrations
from millis_network.validation import Issue, ValidationReport

#: File name of the default SQLite database inside the cache folder.
DEFAULT_DATABASE_FILE = "directory.sqlite"

#: Directory fields of a centre (every column but ``id``).
CENTRE_FIELDS: tuple[str, ...] = CENTRE_COLUMNS[1:]
#: Fields of a court (every column but ``id``).
COURT_FIELDS: tuple[str, ...] = COURT_COLUMNS[1:]
#: Formats a centre record document may be written in.
RECORD_FORMATS: tuple[str, ...] = ("yaml", "json")
#: Columns of :meth:`Store.history`.
HISTORY_COLUMNS = ["change_id", "at", "who", "action", "entity", "field", "old", "new", "version", "reason", "reverts"]

#: Fields the store stamps itself; a revert never restores them.
_STAMPED = frozenset({"last_updated"})
_WRITE_OPTION = "millis_network_write"
_BATCH_ROWS = 500

_metadata = MetaData()
# Columns in the order the migrations leave them: later columns were added after ``version``.
CENTRES = Table(
    "centres", _metadata,
    Column("id", Text, primary_key=True),
    *[Column(name, Text, nullable=False, server_default="") for name in CENTRE_FIELDS if name not in LATER_CENTRE_COLUMNS],
    Column("version", Integer, nullable=False),
    *[Column(name, Text, nullable=False, server_default="") for name in LATER_CENTRE_COLUMNS],
)
COURTS = Table(
    "courts", _metadata,
    Column("id", Text, primary_key=True),
    *[Column(name, Text, nullable=False, server_default="") for name in COURT_FIELDS],
    Column("version", Integer, nullable=False),
)
CENTRE_RECORDS = Table(
    "centre_records", _metadata,
    Column("centre_id", Text, primary_key=True),
    Column("format", Text, nullable=False),
    Column("document", Text, nullable=False),
    Column("version", Integer, nullable=False),
)
AUDIT_LOG = Table(
    "audit_log", _metadata,
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


@dataclass(frozen=True)
class _Entity:
    name: str
    table: Table
    key: str
    fields: tuple[str, ...]


_ENTITIES: dict[str, _Entity] = {
    "centre": _Entity("centre", CENTRES, "id", CENTRE_FIELDS),
    "court": _Entity("court", COURTS, "id", COURT_FIELDS),
    "centre_record": _Entity("centre_record", CENTRE_RECORDS, "centre_id", ("format", "document")),
}


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Change:
    """One audited change to one record.

    Attributes:
        change_id: position in the audit log (increasing).
        at: when, UTC, ISO 8601 with milliseconds (``2026-11-23T09:30:12.345Z``).
        who: the person (or import) responsible, as they signed in.
        action: ``create``, ``update``, ``close``, ``reopen``, ``verify``,
            ``delete``, ``revert`` or ``import``.
        entity: ``centre``, ``court`` or ``centre_record``.
        entity_id: the record's id (a centre record's is its centre's id).
        old: the changed fields' values before (None when the record was created).
        new: their values after (None when the record was deleted).
        version: the record's version after the change.
        reason: what the person said about the change ("" when nothing).
        reverts: the change this one undid, if any.
    """

    change_id: int
    at: str
    who: str
    action: str
    entity: str
    entity_id: str
    old: Mapping[str, str] | None
    new: Mapping[str, str] | None
    version: int
    reason: str
    reverts: int | None

    def fields(self) -> list[tuple[str, str, str]]:
        """``(field, old, new)`` for each field the change touched."""
        names = list((self.new or self.old or {}).keys())
        old, new = self.old or {}, self.new or {}
        return [(name, old.get(name, ""), new.get(name, "")) for name in names if old.get(name, "") != new.get(name, "")]

    def describe(self) -> str:
        """One line for people: when, who, what, and each field's old → new value."""
        when = self.at.replace("T", " ")[:19] + " UTC"
        what = "; ".join(f"{field}: {_short(old)!r} → {_short(new)!r}" for field, old, new in self.fields())
        return f"change {self.change_id} at {when} by {self.who} ({self.action} {self.entity} {self.entity_id!r}, version {self.version}): {what or 'no field changed'}"


@dataclass(frozen=True)
class CentreRecord:
    """A centre's records for the standards checker, as stored.

    Attributes:
        centre_id: the centre the records belong to.
        format: ``yaml`` or ``json``.
        document: the document text, exactly as saved.
        version: increases by one with every saved change.
    """

    centre_id: str
    format: str
    document: str
    version: int


@dataclass(frozen=True)
class WriteSummary:
    """What one transaction wrote: record counts and the audit entries it added.

    ``first_change_id``..``last_change_id`` (inclusive) are the audit entries
    written; both are None when nothing changed.
    """

    created: int
    updated: int
    unchanged: int
    first_change_id: int | None
    last_change_id: int | None


@dataclass(frozen=True)
class PlannedWrite:
    """One centre an import will write.

    Attributes:
        centre_id: the centre's id.
        base_version: the version the plan was made against; None for a new centre.
        values: every field of :data:`CENTRE_FIELDS` (``last_updated`` is stamped by the store).
    """

    centre_id: str
    base_version: int | None
    values: Mapping[str, str]


def database_url(location: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a file path (a path means a SQLite file).

    Text that starts with a scheme (``name:``, two letters or more, so a
    Windows drive is still a path) must be a SQLAlchemy URL of a known
    database kind: ``file:x.db`` or ``file:///x.db`` is refused rather than
    taken as a file named ``file:...`` (write ``./file:x.db`` for that).

    Raises:
        MillisNetworkError: the text has a scheme but is not a SQLAlchemy URL
            of a database kind SQLAlchemy knows (the message never shows a password).
    """
    import re

    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(location, Path):
        return f"sqlite:///{location.expanduser().resolve()}"
    text = str(location)
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.\-]+:", text)
    if "://" not in text and scheme is None:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    example = ("give a SQLAlchemy URL (sqlite:////absolute/path/directory.sqlite, "
               "postgresql+psycopg://USER@HOST/DATABASE) or a file path")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        shown = f"{scheme.group(0)}…" if scheme else "the database location"
        raise MillisNetworkError(f"{shown} is not a database URL; {example}") from None
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise MillisNetworkError(
            f"{url.render_as_string(hide_password=True)} is not a database URL: SQLAlchemy knows no database "
            f"kind {url.drivername!r}; {example}"
        ) from None
    return text


def default_database_url() -> str:
    """``$MILLIS_NETWORK_DB`` (URL or path) or ``directory.sqlite`` in the cache folder."""
    configured = os.environ.get(DATABASE_ENV, "").strip()
    return database_url(configured or default_cache_dir() / DEFAULT_DATABASE_FILE)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dump(values: Mapping[str, str] | None) -> str | None:
    return None if values is None else json.dumps(dict(values), ensure_ascii=False)


def _load(text: str | None) -> dict[str, str] | None:
    return None if text is None else json.loads(text)


def _change_from_row(row: Mapping[Any, Any]) -> Change:
    return Change(
        change_id=int(row["change_id"]),
        at=row["at"],
        who=row["who"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        old=_load(row["old"]),
        new=_load(row["new"]),
        version=int(row["version"]),
        reason=row["reason"],
        reverts=None if row["reverts"] is None else int(row["reverts"]),
    )


def numeric_coordinates(centres: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``lat``/``lon`` as floats (WGS84 degrees; NaN when blank)."""
    out = centres.copy()
    for axis in ("lat", "lon"):
        out[axis] = pd.to_numeric(out[axis].replace("", np.nan)).astype(float)
    return out


def search_centres(centres: pd.DataFrame, text: str = "", *, status: str = "any") -> pd.DataFrame:
    """Centres whose id, name, organisation, town or postcode contain every word of ``text``.

    Matching ignores case, accents and punctuation ("millis" finds "Milli’s").
    ``status`` is ``any``, ``open`` or ``closed``. Returns the matching rows,
    same columns, same order.
    """
    if status not in ("any", "open", "closed"):
        raise ValueError(f"status must be 'any', 'open' or 'closed', got {status!r}")
    keep = pd.Series(True, index=centres.index)
    if status != "any":
        keep &= centres["status"] == status
    words = fold(text).split()
    if words:
        haystack = (
            centres["id"].astype(str) + " " + centres["name"].astype(str) + " " + centres["organisation"].astype(str)
            + " " + centres["town"].astype(str) + " " + centres["postcode"].astype(str)
        ).map(fold)
        compact = haystack.str.replace(" ", "", regex=False)
        for word in words:
            keep &= haystack.str.contains(word, regex=False) | compact.str.contains(word, regex=False)
    return centres[keep]


def _centre_issues(record: Mapping[str, str], *, label: str) -> list[Issue]:
    frame = pd.DataFrame([{column: record.get(column, "") for column in CENTRE_COLUMNS}], dtype=object)
    issues = [Issue(label, 0, i.field, i.value, i.rule, i.message) for i in check_centre_rows(frame, file=label)]
    lat, lon = record.get("lat", ""), record.get("lon", "")
    if lat and lon and not issues:
        if not in_bounds(record.get("jurisdiction", ""), float(lat), float(lon)):
            issues.append(Issue(label, 0, "lat", f"{lat},{lon}", "coordinates-in-jurisdiction",
                                f"coordinates {lat},{lon} lie outside {record['jurisdiction']}; check the postcode or jurisdiction"))
    return issues


class Store:
    """The directory database behind an SQLAlchemy engine.

    Make one with :func:`open_store`. Reads see one consistent snapshot;
    every write runs in one transaction, is validated against the directory
    schema first, and is recorded in the audit log.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    # transactions -----------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # schema -----------------------------------------------------------

    def schema_version(self) -> int:
        """The version of the database schema (0 when empty)."""
        with self._reading() as conn:
            return _migrations.schema_version(conn)

    def migrate(self) -> list[_migrations.Migration]:
        """Bring the schema up to date; returns the migrations applied.

        Raises:
            MillisNetworkError: the database was written by a newer version of
                this package.
        """
        with self._writing() as conn:
            current = _migrations.schema_version(conn)
            if current > _migrations.LATEST_VERSION:
                raise MillisNetworkError(
                    f"database {self.url} is at schema version {current}, newer than this package "
                    f"understands ({_migrations.LATEST_VERSION}); upgrade millis-network"
                )
            return _migrations.migrate(conn)

    # reading ----------------------------------------------------------

    def centres(self) -> pd.DataFrame:
        """Every centre, open and closed, sorted by id.

        Returns:
            The columns of :data:`directory.CENTRE_COLUMNS` as stored text
            (blank = ""), plus ``version`` (int).
        """
        with self._reading() as conn:
            rows = conn.execute(select(CENTRES).order_by(_code_point_order(CENTRES.c.id))).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[*CENTRE_COLUMNS, "version"]).astype(
            {c: object for c in CENTRE_COLUMNS} | {"version": "int64"}
        )

    def revision(self) -> tuple[int, str]:
        """The directory's revision: the latest change id in the audit log and its UTC time ((0, "") when none).

        Cheap (one indexed query), so a dashboard can ask on every rerun whether its cached network is current.
        """
        with self._reading() as conn:
            return self._latest_change(conn)

    def network(self, *, data_dir: Path | None = None) -> Network:
        """The live directory as a :class:`~millis_network.network.Network` (private: exact venues included).

        Centres, courts and the revision are read in one transaction, so they
        belong together; LSOAs and the drive-time model come from ``data_dir``
        (the bundled ``network_data/`` by default). Public outputs use
        ``store.network().public()``.
        """
        with self._reading() as conn:
            centres = conn.execute(select(CENTRES).order_by(_code_point_order(CENTRES.c.id))).mappings().all()
            courts = conn.execute(select(COURTS).order_by(_code_point_order(COURTS.c.id))).mappings().all()
            revision, at = self._latest_change(conn)
        if not courts:
            raise DataFileError(
                f"the directory database {self.url} holds no family court centres yet; "
                "load the bundled directory into it with `millis-network db init`"
            )
        return network_from_tables(
            pd.DataFrame([dict(r) for r in courts], columns=list(COURT_COLUMNS), dtype=object),
            pd.DataFrame([dict(r) for r in centres], columns=list(CENTRE_COLUMNS), dtype=object),
            provenance=Provenance("directory database", as_of=at, revision=revision),
            data_dir=data_dir,
        )

    def centre(self, centre_id: str) -> dict[str, str | int]:
        """One centre: every directory field as text, plus ``version``.

        Raises:
            NotFoundError: no centre has that id.
        """
        with self._reading() as conn:
            row = self._fetch(conn, _ENTITIES["centre"], centre_id)
        if row is None:
            raise NotFoundError(f"no centre with id {centre_id!r} in the store; search the directory for its id")
        return row

    def courts(self) -> pd.DataFrame:
        """Every family court centre, sorted by id: the columns of :data:`directory.COURT_COLUMNS` as text, plus ``version``."""
        with self._reading() as conn:
            rows = conn.execute(select(COURTS).order_by(_code_point_order(COURTS.c.id))).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[*COURT_COLUMNS, "version"]).astype(
            {c: object for c in COURT_COLUMNS} | {"version": "int64"}
        )

    def centre_record(self, centre_id: str) -> CentreRecord:
        """A centre's standards records.

        Raises:
            NotFoundError: none are stored for that centre.
        """
        with self._reading() as conn:
            row = self._fetch(conn, _ENTITIES["centre_record"], centre_id)
        if row is None:
            raise NotFoundError(f"no standards records stored for centre {centre_id!r}")
        return CentreRecord(centre_id, str(row["format"]), str(row["document"]), int(row["version"]))

    def changes(self, *, entity: str | None = None, entity_id: str | None = None, after: int = 0) -> list[Change]:
        """Audit entries, oldest first, optionally for one entity (and id), after a change id."""
        query = select(AUDIT_LOG).where(AUDIT_LOG.c.change_id > after).order_by(AUDIT_LOG.c.change_id)
        if entity is not None:
            query = query.where(AUDIT_LOG.c.entity == entity)
        if entity_id is not None:
            query = query.where(AUDIT_LOG.c.entity_id == entity_id)
        with self._reading() as conn:
            return [_change_from_row(r) for r in conn.execute(query).mappings()]

    def history(self, centre_id: str) -> pd.DataFrame:
        """Every change to a centre and its standards records, newest first.

        Returns:
            One row per changed field (columns :data:`HISTORY_COLUMNS`):
            ``change_id``, ``at`` (UTC ISO 8601), ``who``, ``action``,
            ``entity`` (``centre`` or ``centre_record``), ``field``, ``old``
            and ``new`` values ("" for none), the record's ``version`` after
            the change, ``reason`` and ``reverts`` (the change undone, or 0).
        """
        query = (
            select(AUDIT_LOG)
            .where(AUDIT_LOG.c.entity.in_(("centre", "centre_record")), AUDIT_LOG.c.entity_id == centre_id)
            .order_by(AUDIT_LOG.c.change_id.desc())
        )
        with self._reading() as conn:
            entries = [_change_from_row(r) for r in conn.execute(query).mappings()]
        rows = [
            [c.change_id, c.at, c.who, c.action, c.entity, field, old, new, c.version, c.reason, c.reverts or 0]
            for c in entries
            for field, old, new in c.fields()
        ]
        return pd.DataFrame(rows, columns=HISTORY_COLUMNS)

    # writing: single records -------------------------------------------

    def add_centre(self, values: Mapping[str, str], *, who: str, reason: str = "") -> Change:
        """Create a centre from directory field values (``id`` and ``name`` required).

        ``last_updated`` is stamped with today's UTC date.

        Raises:
            DataFileError: the record breaks the directory schema (every problem listed).
            ConflictError: a centre with that id exists already.
        """
        centre_id = str(values.get("id", "")).strip()
        record = {field: str(values.get(field, "")) for field in CENTRE_FIELDS}
        with self._writing() as conn:
            at = _now()
            self._check_centre(conn, centre_id, record | {"last_updated": at[:10]})
            change = self._write(conn, "centre", centre_id, record, expected_version=None,
                                 action="create", who=who, reason=reason, at=at)
        assert change is not None
        return change

    def update_centre(
        self,
        centre_id: str,
        values: Mapping[str, str],
        *,
        expected_version: int,
        who: str,
        reason: str = "",
        action: str = "update",
    ) -> Change | None:
        """Change some fields of a centre, if nobody else has changed it since ``expected_version``.

        Returns:
            The audit entry, or None when no value actually changed.

        Raises:
            ConflictError: the centre's version is no longer ``expected_version``
                (the message and ``changes`` show the other change); nothing is written.
            DataFileError: the resulting record breaks the directory schema.
            NotFoundError: no centre has that id.
        """
        unknown = sorted(set(values) - set(CENTRE_FIELDS))
        if unknown:
            raise ValueError(f"not centre fields: {', '.join(unknown)}; fields are {', '.join(CENTRE_FIELDS)}")
        if "last_verified" in values and action != "verify":
            raise ValueError("last_verified is set only by verify_centre: an editor confirms the entry against a source")
        with self._writing() as conn:
            current = self._fetch(conn, _ENTITIES["centre"], centre_id)
            if current is None:
                raise NotFoundError(f"no centre with id {centre_id!r} in the store")
            self._raise_if_moved(conn, "centre", centre_id, current, expected_version)
            at = _now()
            merged = {f: str(current[f]) for f in CENTRE_FIELDS} | {f: str(v) for f, v in values.items()}
            self._check_centre(conn, centre_id, merged | {"last_updated": at[:10]})
            return self._write(conn, "centre", centre_id, dict(values), expected_version=expected_version,
                               action=action, who=who, reason=reason, at=at)

    def verify_centre(
        self, centre_id: str, *, source: str, expected_version: int, who: str, on: date | None = None
    ) -> Change | None:
        """Record that editor ``who`` confirmed the centre's entry against ``source`` (``last_verified`` = ``on``, default today UTC).

        Returns:
            The ``verify`` audit entry (reason ``verified against SOURCE``), or None when already verified that day.

        Raises:
            MillisNetworkError: no source given.
            ConflictError: the centre changed since ``expected_version``.
        """
        text = " ".join(str(source).split())
        if not text:
            raise MillisNetworkError("say what the entry was verified against (a web page, a phone call to the centre ...)")
        day = on.isoformat() if on else _now()[:10]
        return self.update_centre(centre_id, {"last_verified": day}, expected_version=expected_version, who=who,
                                  reason=f"verified against {text}", action="verify")

    def close_centre(
        self, centre_id: str, *, closed: str, successor_id: str = "", expected_version: int, who: str, reason: str = ""
    ) -> Change | None:
        """Mark a centre closed (``closed`` is ``YYYY`` or ``YYYY-MM``), optionally naming its successor."""
        return self.update_centre(
            centre_id, {"status": "closed", "closed": closed, "successor_id": successor_id},
            expected_version=expected_version, who=who, reason=reason, action="close",
        )

    def reopen_centre(self, centre_id: str, *, expected_version: int, who: str, reason: str = "") -> Change | None:
        """Mark a closed centre open again (clears its closing date and successor)."""
        return self.update_centre(
            centre_id, {"status": "open", "closed": "", "successor_id": ""},
            expected_version=expected_version, who=who, reason=reason, action="reopen",
        )

    def save_centre_record(
        self,
        centre_id: str,
        document: str,
        *,
        format: str = "yaml",
        expected_version: int | None,
        who: str,
        reason: str = "",
    ) -> Change | None:
        """Store a centre's standards records (a YAML or JSON mapping), audited and version-checked.

        ``expected_version`` is None to create the first record for a centre.

        Raises:
            DataFileError: the document is not a YAML/JSON mapping.
            ConflictError: someone saved a newer version meanwhile.
        """
        if format not in RECORD_FORMATS:
            raise ValueError(f"format must be one of {', '.join(RECORD_FORMATS)}, got {format!r}")
        label = f"records of centre {centre_id}"
        try:
            parsed = json.loads(document) if format == "json" else yaml.safe_load(document)
        except (ValueError, yaml.YAMLError) as exc:
            raise DataFileError(f"{label}: not valid {format.upper()}: {exc}") from exc
        if not isinstance(parsed, dict):
            raise DataFileError(f"{label}: the document must be a {format.upper()} mapping (key: value), not {type(parsed).__name__}")
        with self._writing() as conn:
            current = self._fetch(conn, _ENTITIES["centre_record"], centre_id)
            if expected_version is not None:
                if current is None:
                    raise ConflictError(f"the records of centre {centre_id!r} were deleted since you read them; nothing was saved")
                self._raise_if_moved(conn, "centre_record", centre_id, current, expected_version)
            return self._write(conn, "centre_record", centre_id, {"format": format, "document": document},
                               expected_version=expected_version, action="update" if current else "create",
                               who=who, reason=reason, at=_now())

    def revert(self, change_id: int, *, who: str, reason: str = "") -> Change | None:
        """Undo one audited change by writing its old values back (itself audited, as ``revert``).

        A change that created a record is undone by deleting the record; one
        that deleted a record, by re-creating it with every old value.
        ``last_updated`` is stamped afresh rather than restored.

        Raises:
            ConflictError: a field the change set has changed again since; undo
                the later change first (the message lists it).
            DataFileError: the restored record would break the directory schema.
            NotFoundError: no change has that id.
        """
        with self._writing() as conn:
            entry = self._change(conn, change_id)
            spec = _ENTITIES[entry.entity]
            current = self._fetch(conn, spec, entry.entity_id)
            label = f"{entry.entity} {entry.entity_id!r}"
            if entry.new is None:
                if current is not None:
                    raise ConflictError(f"change {change_id} deleted {label}, but it exists again; nothing was reverted")
                values: dict[str, str] | None = {f: v for f, v in (entry.old or {}).items() if f not in _STAMPED}
                expected: int | None = None
            else:
                if current is None:
                    raise ConflictError(f"{label} was deleted after change {change_id}; revert that deletion first")
                drifted = [f for f, v in entry.new.items() if f not in _STAMPED and str(current[f]) != v]
                if drifted:
                    later = tuple(c for c in self._changes_of(conn, entry.entity, entry.entity_id, after=change_id)
                                  if {name for name, _, _ in c.fields()} & set(drifted))
                    raise ConflictError(
                        f"cannot revert change {change_id}: {', '.join(drifted)} of {label} changed again since. "
                        "Revert the later change(s) first:\n" + "\n".join(c.describe() for c in later),
                        changes=later,
                    )
                values = None if entry.old is None else {f: v for f, v in entry.old.items() if f not in _STAMPED}
                expected = int(current["version"])
            at = _now()
            if entry.entity == "centre":
                if values is None:
                    self._check_not_successor(conn, entry.entity_id)
                else:
                    base = {f: str(current[f]) for f in CENTRE_FIELDS} if current else {}
                    self._check_centre(conn, entry.entity_id, base | values | {"last_updated": at[:10]})
            return self._write(conn, entry.entity, entry.entity_id, values, expected_version=expected,
                               action="revert", who=who, reason=reason or f"revert change {change_id}", at=at,
                               reverts=change_id)

    # writing: imports ---------------------------------------------------

    def write_centres(
        self, writes: Sequence[PlannedWrite], *, who: str, reason: str, progress: bool = False, stamp: bool = True
    ) -> WriteSummary:
        """Write many centres in one transaction: all of them, or (on any problem) none.

        ``last_updated`` is stamped with today's date, unless ``stamp`` is
        False and a write gives one (an Open Referral file's ``last_modified``).

        Each write is checked against the version its plan was made from, so
        a centre changed since the preview stops the whole import.

        Raises:
            ConflictError: any centre changed (or appeared) since the plan;
                the message lists every one.
            DataFileError: any record breaks the directory schema.
        """
        with self._writing() as conn:
            at = _now()
            before_first = self._last_change_id(conn)
            stamped = [{"id": w.centre_id, **{f: str(w.values.get(f, "")) for f in CENTRE_FIELDS},
                        "last_updated": (not stamp and str(w.values.get("last_updated", ""))) or at[:10]}
                       for w in writes]
            self._check_many(conn, stamped)
            ids = [w.centre_id for w in writes]
            current = self._fetch_many(conn, ids)
            moved = [w for w in writes if (current[w.centre_id]["version"] if w.centre_id in current else None) != w.base_version]
            if moved:
                raise ConflictError(
                    f"{len(moved)} centre(s) changed since this import was previewed; nothing was written. "
                    "Preview the file again. Changed: " + ", ".join(w.centre_id for w in moved[:20]),
                    changes=tuple(c for w in moved[:20] for c in self._changes_of(conn, "centre", w.centre_id, after=0)[-1:]),
                )
            last_versions = self._last_versions(conn, [i for i in ids if i not in current])
            inserts: list[dict[str, object]] = []
            updates: list[dict[str, object]] = []
            audits: list[dict[str, object]] = []
            unchanged = 0
            for write, record in zip(writes, stamped):
                before = current.get(write.centre_id)
                if before is None:
                    version = last_versions.get(write.centre_id, 0) + 1
                    inserts.append(record | {"version": version})
                    audits.append(self._audit_row(at, who, "import", "centre", write.centre_id, None,
                                                  {f: record[f] for f in CENTRE_FIELDS}, version, reason, None))
                    continue
                changed = [f for f in CENTRE_FIELDS if f not in _STAMPED and str(before[f]) != record[f]]
                if not changed:
                    unchanged += 1
                    continue
                changed += [f for f in _STAMPED if str(before[f]) != record[f]]
                version = int(before["version"]) + 1
                updates.append({"b_id": write.centre_id, "b_version": int(before["version"]),
                                **{f: record[f] for f in CENTRE_FIELDS}, "version": version})
                audits.append(self._audit_row(at, who, "import", "centre", write.centre_id,
                                              {f: str(before[f]) for f in changed}, {f: record[f] for f in changed},
                                              version, reason, None))
            statement = CENTRES.update().where(CENTRES.c.id == bindparam("b_id"), CENTRES.c.version == bindparam("b_version"))
            work = [(CENTRES.insert(), inserts), (statement, updates), (AUDIT_LOG.insert(), audits)]
            with tqdm(total=sum(len(rows) for _, rows in work), desc="writing", unit="row", disable=not progress) as bar:
                for query, rows in work:
                    for start in range(0, len(rows), _BATCH_ROWS):
                        batch = rows[start:start + _BATCH_ROWS]
                        conn.execute(query, batch)
                        bar.update(len(batch))
            # Ids from a sequence (PostgreSQL) skip any a rolled-back transaction took, so ask rather than count.
            first, last = conn.execute(
                select(func.min(AUDIT_LOG.c.change_id), func.max(AUDIT_LOG.c.change_id))
                .where(AUDIT_LOG.c.change_id > before_first)
            ).one()
        return WriteSummary(len(inserts), len(updates), unchanged, first if audits else None, last if audits else None)

    def import_network_data(self, data_dir: Path, *, who: str, prune: bool = False, only_if_empty: bool = False) -> dict[str, dict[str, int]]:
        """Make the store hold exactly what ``network_data/`` holds, in one transaction.

        Reads ``centres/centres.csv`` and ``courts/family_court_centres.csv``
        verbatim (checked against their schemas first; nothing is written if
        either breaks it). Records that differ are updated, new ones created;
        records the files lack are kept unless ``prune`` (then deleted, with
        their values in the audit log). ``last_updated`` is taken from the
        file, not stamped. With ``only_if_empty`` nothing happens when the
        store already holds centres.

        Returns:
            ``{"centres": counts, "courts": counts}`` where counts has
            ``created``, ``updated``, ``unchanged``, ``kept`` and ``deleted``.
        """
        tables = {}
        report = ValidationReport()
        for kind, relative, check in (
            ("centre", Path("centres") / "centres.csv", check_centre_rows),
            ("court", Path("courts") / "family_court_centres.csv", check_court_rows),
        ):
            path = Path(data_dir) / relative
            if not path.exists():
                raise DataFileError(f"{path}: file is missing; point --data-dir at a network_data folder")
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            if kind == "centre":
                frame = with_later_centre_columns(frame)
            report.extend(check(frame, file=str(path)))
            tables[kind] = frame
        report.raise_if_any()
        summary: dict[str, dict[str, int]] = {}
        with self._writing() as conn:
            if only_if_empty and conn.execute(select(func.count()).select_from(CENTRES)).scalar_one():
                return {}
            at = _now()
            for kind, frame in tables.items():
                spec = _ENTITIES[kind]
                counts = dict.fromkeys(("created", "updated", "unchanged", "kept", "deleted"), 0)
                stored = {r[spec.key]: r for r in conn.execute(select(spec.table)).mappings()}
                for row in frame.to_dict("records"):
                    before = stored.get(row["id"])
                    values = {f: row[f] for f in spec.fields}
                    change = self._write(conn, kind, row["id"], values,
                                         expected_version=None if before is None else int(before["version"]),
                                         action="import", who=who, reason=f"import {data_dir}", at=at, stamp=False)
                    counts["created" if before is None else "updated" if change else "unchanged"] += 1
                for key in sorted(set(stored) - set(frame["id"])):
                    if prune:
                        self._write(conn, kind, key, None, expected_version=int(stored[key]["version"]),
                                    action="delete", who=who, reason=f"not in {data_dir}", at=at)
                    counts["deleted" if prune else "kept"] += 1
                summary[f"{kind}s"] = counts
        return summary

    def export_network_data(self, data_dir: Path) -> list[Path]:
        """Write centres and courts as ``network_data/`` holds them (same columns, order and quoting).

        Each file is replaced atomically; other files in ``data_dir`` are untouched.

        Returns:
            The paths written.
        """
        written = []
        for frame, columns, relative in (
            (self.centres(), CENTRE_COLUMNS, Path("centres") / "centres.csv"),
            (self.courts(), COURT_COLUMNS, Path("courts") / "family_court_centres.csv"),
        ):
            path = Path(data_dir) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".csv.tmp")
            os.close(handle)
            try:
                frame[list(columns)].to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)
            written.append(path)
        return written

    # internals ------------------------------------------------------------

    @staticmethod
    def _fetch(conn: Connection, spec: _Entity, key: str) -> dict[str, Any] | None:
        row = conn.execute(select(spec.table).where(spec.table.c[spec.key] == key)).mappings().first()
        return None if row is None else dict(row)

    @staticmethod
    def _fetch_many(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _BATCH_ROWS):
            chunk = list(ids[start:start + _BATCH_ROWS])
            for row in conn.execute(select(CENTRES).where(CENTRES.c.id.in_(chunk))).mappings():
                found[row["id"]] = dict(row)
        return found

    @staticmethod
    def _last_versions(conn: Connection, ids: Sequence[str]) -> dict[str, int]:
        versions: dict[str, int] = {}
        for start in range(0, len(ids), _BATCH_ROWS):
            chunk = list(ids[start:start + _BATCH_ROWS])
            query = (
                select(AUDIT_LOG.c.entity_id, func.max(AUDIT_LOG.c.version))
                .where(AUDIT_LOG.c.entity == "centre", AUDIT_LOG.c.entity_id.in_(chunk))
                .group_by(AUDIT_LOG.c.entity_id)
            )
            versions.update({key: int(version) for key, version in conn.execute(query)})
        return versions

    @staticmethod
    def _latest_change(conn: Connection) -> tuple[int, str]:
        """The latest change id in the audit log and its UTC time ((0, "") when none)."""
        row = conn.execute(
            select(AUDIT_LOG.c.change_id, AUDIT_LOG.c.at).order_by(AUDIT_LOG.c.change_id.desc()).limit(1)
        ).first()
        return (0, "") if row is None else (int(row[0]), str(row[1]))

    @staticmethod
    def _last_change_id(conn: Connection) -> int:
        return int(conn.execute(select(func.coalesce(func.max(AUDIT_LOG.c.change_id), 0))).scalar_one())

    @staticmethod
    def _change(conn: Connection, change_id: int) -> Change:
        row = conn.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.change_id == change_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no change {change_id} in the audit log; see `millis-network db history CENTRE_ID`")
        return _change_from_row(row)

    @staticmethod
    def _changes_of(conn: Connection, entity: str, entity_id: str, *, after: int) -> list[Change]:
        query = (
            select(AUDIT_LOG)
            .where(AUDIT_LOG.c.entity == entity, AUDIT_LOG.c.entity_id == entity_id, AUDIT_LOG.c.change_id > after)
            .order_by(AUDIT_LOG.c.change_id)
        )
        return [_change_from_row(r) for r in conn.execute(query).mappings()]

    def _raise_if_moved(
        self, conn: Connection, entity: str, key: str, current: Mapping[str, Any], expected_version: int
    ) -> None:
        if int(current["version"]) == expected_version:
            return
        others = tuple(c for c in self._changes_of(conn, entity, key, after=0) if c.version > expected_version)
        raise ConflictError(
            f"{entity.replace('_', ' ')} {key!r} was changed by someone else after you opened it "
            f"(you had version {expected_version}, it is now version {current['version']}). "
            "Nothing was saved. The other change:\n" + "\n".join(c.describe() for c in others)
            + "\nReload it, check the other change, and make your edit again.",
            changes=others,
        )

    def _check_centre(self, conn: Connection, centre_id: str, record: Mapping[str, str]) -> None:
        label = f"centre {centre_id or '(no id)'}"
        issues = _centre_issues({"id": centre_id, **record}, label=label)
        successor = record.get("successor_id", "")
        if successor and successor != centre_id and self._fetch(conn, _ENTITIES["centre"], successor) is None:
            issues.append(Issue(label, 0, "successor_id", successor, "successor-exists",
                                f"successor {successor!r} is not a centre in the directory; add it first or leave blank"))
        ValidationReport(issues).raise_if_any()

    def _check_many(self, conn: Connection, records: Sequence[Mapping[str, str]]) -> None:
        frame = pd.DataFrame(list(records), columns=list(CENTRE_COLUMNS), dtype=object)
        report = ValidationReport(check_centre_rows(frame, file="import"))
        known = set(conn.execute(select(CENTRES.c.id)).scalars()) | set(frame["id"])
        malformed = {issue.row for issue in report}
        for offset, record in enumerate(records):
            if record["successor_id"] and record["successor_id"] not in known:
                report.add("import", offset + 2, "successor_id", record["successor_id"], "successor-exists",
                           f"successor {record['successor_id']!r} is not a centre in the directory or this import")
            if offset + 2 not in malformed and record["lat"] and not in_bounds(record["jurisdiction"], float(record["lat"]), float(record["lon"])):
                report.add("import", offset + 2, "jurisdiction", record["jurisdiction"], "coordinates-in-jurisdiction",
                           f"coordinates {record['lat']},{record['lon']} lie outside {record['jurisdiction']}")
        report.raise_if_any()

    def _check_not_successor(self, conn: Connection, centre_id: str) -> None:
        names = conn.execute(select(CENTRES.c.id).where(CENTRES.c.successor_id == centre_id)).scalars().all()
        if names:
            raise DataFileError(
                f"centre {centre_id!r} is named as the successor of {', '.join(names)}; change those first"
            )

    @staticmethod
    def _audit_row(at: str, who: str, action: str, entity: str, key: str, old: Mapping[str, str] | None,
                   new: Mapping[str, str] | None, version: int, reason: str, reverts: int | None) -> dict[str, Any]:
        return {"at": at, "who": who, "action": action, "entity": entity, "entity_id": key,
                "old": _dump(old), "new": _dump(new), "version": version, "reason": reason, "reverts": reverts}

    def _write(
        self,
        conn: Connection,
        entity: str,
        key: str,
        values: Mapping[str, str] | None,
        *,
        expected_version: int | None,
        action: str,
        who: str,
        reason: str,
        at: str,
        reverts: int | None = None,
        stamp: bool = True,
    ) -> Change | None:
        """Create (``expected_version`` None), update or delete (``values`` None) one record, audited."""
        if not who.strip():
            raise ValueError("who must name the person (or process) making the change")
        spec = _ENTITIES[entity]
        table = spec.table
        current = self._fetch(conn, spec, key)
        if current is None and expected_version is not None:
            raise ConflictError(f"{entity} {key!r} was deleted by someone else; nothing was saved")
        if current is not None and expected_version is None:
            raise ConflictError(f"{entity} {key!r} already exists (version {current['version']}); open it and edit it instead")
        if current is not None and expected_version is not None:
            self._raise_if_moved(conn, entity, key, current, expected_version)
        stamped = stamp and entity == "centre"
        if current is None:
            if values is None:
                return None
            record = {f: str(values.get(f, "")) for f in spec.fields}
            if stamped:
                record["last_updated"] = at[:10]
            version = self._last_versions_of(conn, entity, key) + 1
            conn.execute(table.insert().values({spec.key: key, **record, "version": version}))
            old, new = None, record
        elif values is None:
            version = int(current["version"]) + 1
            conn.execute(table.delete().where(table.c[spec.key] == key, table.c.version == current["version"]))
            old, new = {f: str(current[f]) for f in spec.fields}, None
        else:
            merged = {f: str(current[f]) for f in spec.fields} | {f: str(v) for f, v in values.items()}
            changed = [f for f in spec.fields if merged[f] != str(current[f])]
            if not changed:
                return None
            if stamped and merged["last_updated"] != at[:10]:
                merged["last_updated"] = at[:10]
                changed = [f for f in spec.fields if merged[f] != str(current[f])]
            version = int(current["version"]) + 1
            result = conn.execute(
                table.update()
                .where(table.c[spec.key] == key, table.c.version == current["version"])
                .values({f: merged[f] for f in changed} | {"version": version})
            )
            if result.rowcount != 1:
                raise ConflictError(f"{entity} {key!r} changed while saving; nothing was saved, try again")
            old, new = {f: str(current[f]) for f in changed}, {f: merged[f] for f in changed}
        row = self._audit_row(at, who, action, entity, key, old, new, version, reason, reverts)
        inserted = conn.execute(AUDIT_LOG.insert().values(row)).inserted_primary_key
        if inserted is None:
            raise MillisNetworkError("the database did not report the audit entry's id; nothing was saved")
        change_id = inserted[0]
        return _change_from_row(row | {"change_id": change_id})

    @staticmethod
    def _last_versions_of(conn: Connection, entity: str, key: str) -> int:
        query = select(func.coalesce(func.max(AUDIT_LOG.c.version), 0)).where(
            AUDIT_LOG.c.entity == entity, AUDIT_LOG.c.entity_id == key
        )
        return int(conn.execute(query).scalar_one())


def _sqlite_write_locks(engine: Engine) -> None:
    """Make SQLite writers take the write lock when their transaction begins.

    pysqlite's own transaction handling is switched off so SQLAlchemy's
    ``begin`` decides: ``BEGIN IMMEDIATE`` for writes (two writers queue rather
    than deadlock, and a writer's checks see the rows it will change),
    ``BEGIN`` for reads.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, connection_record: object) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")


#: Key of the advisory lock every PostgreSQL writer holds for its whole transaction ("millis_n").
_POSTGRESQL_WRITE_LOCK = 0x6D696C6C69735F6E
#: How long a writer waits for the one before it, as SQLite's busy timeout (seconds).
_LOCK_TIMEOUT_S = 60
#: How long opening a PostgreSQL connection may take before giving up (seconds).
_CONNECT_TIMEOUT_S = 10


def _postgresql_write_locks(engine: Engine) -> None:
    """Give PostgreSQL transactions what SQLite's give the store.

    Writers first take one transaction-level advisory lock, before reading
    anything, so they queue as SQLite's ``BEGIN IMMEDIATE`` makes them queue
    (two edits of one centre: one wins, the other gets a conflict; two
    creations of one id: one conflict, never a duplicate-key error). They run
    at READ COMMITTED, whatever the server's default, so every statement after
    the lock sees all that was committed before it; they give up after
    :data:`_LOCK_TIMEOUT_S`. The lock goes with the transaction: at commit, at
    rollback, or when a killed client's connection drops. Readers see one
    snapshot for their whole transaction (REPEATABLE READ), as on SQLite.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE_OPTION):
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT_S}s'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_POSTGRESQL_WRITE_LOCK})")
        else:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


class _code_point_order(FunctionElement[str]):
    """A text column to ORDER BY in code-point order on every backend.

    SQLite compares text byte by byte (``BINARY``); a PostgreSQL database
    usually has a language's collation, which ignores hyphens
    (``mid-ulster`` after ``middlesbrough``), so there it is ``COLLATE "C"``.
    """

    inherit_cache = True
    type = Text()
    name = "code_point_order"


@compiles(_code_point_order)
def _compile_code_point_order(element: _code_point_order, compiler: SQLCompiler, **kw: object) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_code_point_order, "postgresql")
def _compile_code_point_order_postgresql(element: _code_point_order, compiler: SQLCompiler, **kw: object) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


def _prepare_sqlite_file(path: Path, *, shown: str, create: bool) -> None:
    """Check a SQLite database path; when ``create``, make a missing file readable by its owner only.

    The file holds the exact venues of withheld centres, so it is created
    0600 (SQLite gives its journal the same mode), and any folders made for it
    0700. An existing file keeps the mode it has.
    """
    if path.is_dir():
        raise MillisNetworkError(f"database {shown}: {path} is a folder, not a SQLite database file")
    if path.exists():
        return
    if not create:
        raise MillisNetworkError(
            f"no directory database at {path}; make one with `millis-network db init --db {path}`"
        )
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except NotADirectoryError:
            raise MillisNetworkError(f"database {shown}: cannot make folder {folder}: a file is in the way") from None
        os.chmod(folder, 0o700)
    if not path.parent.is_dir():
        raise MillisNetworkError(f"database {shown}: {path.parent} is a file, not a folder")
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(handle)
    os.chmod(path, 0o600)


def open_store(
    url: str | Path | None = None, *, seed_from: Path | None = None, who: str = "network_data", create: bool = True
) -> Store:
    """Open (creating and migrating if needed) the directory database.

    A new SQLite file is readable and writable by its owner only (0600), in
    folders only the owner may enter (0700) when they are made for it.

    Args:
        url: SQLAlchemy URL or SQLite file path; default :func:`default_database_url`.
        seed_from: a ``network_data`` folder to load when the store holds no
            centres yet (see :meth:`Store.import_network_data`).
        who: recorded in the audit log for that first load.
        create: make a SQLite file that does not exist yet (False: refuse it).

    Raises:
        MillisNetworkError: the database is newer than this package; the
            location is not a database URL or path, is a folder, or (``create``
            False) names no SQLite file; the database's driver is not installed.
    """
    resolved = database_url(url) if url is not None else default_database_url()
    parsed = make_url(resolved)
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            in_memory = parsed.database in (None, "", ":memory:")
            if not in_memory and str(parsed.query.get("uri", "")).lower() not in ("true", "1"):
                _prepare_sqlite_file(Path(parsed.database or ""), shown=shown, create=create)
            engine = create_engine(resolved, connect_args={"timeout": 60, "check_same_thread": False},
                                   poolclass=StaticPool if in_memory else None)
            _sqlite_write_locks(engine)
        elif parsed.get_backend_name() == "postgresql":
            libpq = parsed.get_driver_name() in ("psycopg", "psycopg2") and "connect_timeout" not in parsed.query
            engine = create_engine(resolved, pool_pre_ping=True,
                                   connect_args={"connect_timeout": _CONNECT_TIMEOUT_S} if libpq else {})
            _postgresql_write_locks(engine)
        else:
            engine = create_engine(resolved, pool_pre_ping=True)
    except ImportError as exc:
        raise MillisNetworkError(
            f"database {shown}: its driver {exc.name or parsed.get_driver_name()!r} is not installed; install it "
            "(e.g. pip install \"psycopg[binary]\" for postgresql+psycopg)"
        ) from None
    store = Store(engine)
    try:
        store.migrate()
        if seed_from is not None:
            store.import_network_data(seed_from, who=who, only_if_empty=True)
    except BaseException:
        store.close()
        raise
    return store
