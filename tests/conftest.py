"""Shared fixtures: paths to the bundled data, small hand-made files, and the store on each database.

The store's tests run once on SQLite and once on PostgreSQL: the ``backend``
fixture is parametrised over both, and ``store``, ``seeded_url`` and
``new_database`` give each test databases of its own on the backend it runs
on. PostgreSQL is the server at ``$MILLIS_NETWORK_TEST_POSTGRES_URL`` (set up
and exported by ``bash quickstart.sh test``); every test gets a fresh
database on it, dropped afterwards. Without the server the PostgreSQL half is
skipped, saying why, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from millis_network.config import DATABASE_ENV
from millis_network.store.database import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: The dashboard's modules import each other by bare name, as Streamlit runs them: its tests import them so too.
sys.path.insert(0, str(ROOT / "dashboard"))

#: Environment variable holding the PostgreSQL server the tests may create databases on:
#: a SQLAlchemy URL of a database the role can connect to, the role having CREATEDB.
POSTGRES_URL_ENV = "MILLIS_NETWORK_TEST_POSTGRES_URL"
#: The backends every store test runs on.
BACKENDS = ("sqlite", "postgresql")
#: Collation of the tests' PostgreSQL databases: English with punctuation ignored at the first
#: level, as glibc's en_GB.UTF-8 (a Debian server's usual default) sorts, so that the store's
#: code-point ordering is really exercised ("mid-ulster" sorts after "middlesbrough" here).
POSTGRES_COLLATION = "en-GB-u-ka-shifted"


def in_ci() -> bool:
    """Whether this run is CI (``$CI`` set to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresServer:
    """Makes and drops throwaway databases on the test server, named after this process."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(url)
        self.prefix = f"millis_t{os.getpid()}_"
        self._numbers = itertools.count(1)
        self._made: list[str] = []
        self.admin: Engine = create_engine(
            self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
        )
        with self.admin.connect() as conn:
            self.version = conn.execute(text("SHOW server_version")).scalar_one()
            self.version_num = int(conn.execute(text("SHOW server_version_num")).scalar_one())
            self._drop_leftovers(conn)
        #: Whether the tests' databases get the ICU collation :data:`POSTGRES_COLLATION` (PostgreSQL 15+ with ICU).
        self.icu = self.version_num >= 150000
        if self.icu:
            try:
                self.drop(self.create())
            except Exception:  # noqa: BLE001 - any refusal means no ICU: fall back to the server's default
                self.icu = False
        self.collation = POSTGRES_COLLATION if self.icu else "the server's default"

    def _drop_leftovers(self, conn: object) -> None:
        """Drop databases left by earlier test runs that were killed (their process is gone)."""
        names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'millis\\_t%'")).scalars()
        for name in list(names):
            pid = name[len("millis_t"):].split("_", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    def url_of(self, name: str) -> str:
        """The URL (password included) of one database on the server."""
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """A new database (empty, or a copy of ``template``, which nobody may be connected to); its URL."""
        name = f"{self.prefix}{next(self._numbers)}"
        if template is not None:
            clause = f'TEMPLATE "{template}"'
        elif self.icu:
            clause = f"TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '{POSTGRES_COLLATION}'"
        else:
            clause = "TEMPLATE template0 ENCODING 'UTF8'"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" {clause}'))
        self._made.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        """Drop one database made here, ending any connection of the tests' role still open to it.

        Not ``WITH (FORCE)``: that must also end the server's own autovacuum
        worker when one happens to be visiting the database, which a role
        without ``pg_signal_backend`` may not do. A plain ``DROP DATABASE``
        stops autovacuum itself and waits for the ended sessions to go.
        """
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"),
                         {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        if name in self._made:
            self._made.remove(name)

    def close(self) -> None:
        for name in list(self._made):
            self.drop(self.url_of(name))
        self.admin.dispose()


class Backend:
    """One database backend the store's tests run on; databases are named by location (URL or path)."""

    name: str

    def create(self) -> str:
        """A new empty database; its location."""
        raise NotImplementedError

    def copy(self, location: str) -> str:
        """A new database holding what ``location`` holds (nobody may be writing to it); its location."""
        raise NotImplementedError

    def drop(self, location: str) -> None:
        """Remove a database made by :meth:`create` or :meth:`copy`."""
        raise NotImplementedError

    def engine(self, location: str) -> Engine:
        """A plain SQLAlchemy engine on ``location`` (dispose of it when done)."""
        raise NotImplementedError

    def execute(self, location: str, statement: str) -> None:
        """Run one SQL statement and commit, bypassing the store."""
        engine = self.engine(location)
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def dump(self, location: str) -> list:
        """Everything the database holds: each table's columns and rows in key order."""
        engine = self.engine(location)
        try:
            metadata = MetaData()
            metadata.reflect(engine)
            with engine.connect() as conn:
                out: list = []
                for name in sorted(metadata.tables):
                    table = metadata.tables[name]
                    columns = [(c["name"], str(c["type"]), c["nullable"]) for c in inspect(conn).get_columns(name)]
                    order = list(table.primary_key.columns) or list(table.columns)
                    out.append((name, columns, [tuple(row) for row in conn.execute(select(table).order_by(*order))]))
                return out
        finally:
            engine.dispose()


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    def create(self) -> str:
        return str(self.folder / f"directory-{next(self._numbers)}.sqlite")

    def copy(self, location: str) -> str:
        target = self.create()
        shutil.copy(location, target)
        return target

    def drop(self, location: str) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(location + suffix).unlink(missing_ok=True)

    def engine(self, location: str) -> Engine:
        return create_engine(f"sqlite:///{location}", poolclass=NullPool)

    def dump(self, location: str) -> list:
        """The database as SQL text (schema and rows), as ``sqlite3`` dumps it."""
        with sqlite3.connect(location) as connection:
            return list(connection.iterdump())


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, server: PostgresServer) -> None:
        self.server = server

    def create(self) -> str:
        return self.server.create()

    def copy(self, location: str) -> str:
        return self.server.create(template=make_url(location).database)

    def drop(self, location: str) -> None:
        self.server.drop(location)

    def engine(self, location: str) -> Engine:
        return create_engine(location, poolclass=NullPool)


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI is set, so the store's PostgreSQL tests must run, but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (`bash quickstart.sh test` sets one up)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL test server; skips (fails in CI) when it is not configured or unreachable."""
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not url:
        _unavailable(f"${POSTGRES_URL_ENV} is not set to a PostgreSQL server's URL")
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        server = PostgresServer(url)
    except Exception as exc:  # noqa: BLE001 - missing driver, refused connection, bad password ...
        _unavailable(f"the PostgreSQL server at {shown} cannot be used: {type(exc).__name__}: {exc}".strip())
    yield server
    server.close()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """The database the store runs on in this test: SQLite, then PostgreSQL."""
    if request.param == "postgresql":
        return PostgresBackend(request.getfixturevalue("postgres_server"))
    return SqliteBackend(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture
def new_database(backend: Backend) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test's backend (each call a new one; dropped after the test)."""
    made: list[str] = []

    def make() -> str:
        made.append(backend.create())
        return made[-1]

    yield make
    for location in made:
        backend.drop(location)


@pytest.fixture
def db_url(new_database: Callable[[], str]) -> str:
    """One empty database on the test's backend: a SQLite file path or a PostgreSQL URL."""
    return new_database()


@pytest.fixture(scope="session")
def network_data() -> Path:
    """The bundled network_data folder."""
    return ROOT / "network_data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    """tests/data: small hand-made inputs."""
    return DATA


@pytest.fixture(scope="module")
def seeded(backend: Backend, network_data: Path) -> Iterator[str]:
    """A database loaded from the bundled network_data (never opened by tests: they get copies)."""
    location = backend.create()
    open_store(location, seed_from=network_data).close()
    yield location
    backend.drop(location)


@pytest.fixture
def seeded_url(backend: Backend, seeded: str) -> Iterator[str]:
    """A fresh copy of the seeded database for one test, not yet opened: a path or URL."""
    location = backend.copy(seeded)
    yield location
    backend.drop(location)


@pytest.fixture
def store(seeded_url: str) -> Iterator[Store]:
    """A fresh copy of the seeded database, open for one test."""
    with open_store(seeded_url) as opened:
        yield opened


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    where = make_url(url).render_as_string(hide_password=True) if url else f"not configured (${POSTGRES_URL_ENV})"
    return f"store backends: sqlite, postgresql at {where}; CI={'yes' if in_ci() else 'no'}"


@pytest.fixture(scope="session")
def dashboard_seed(tmp_path_factory: pytest.TempPathFactory, network_data: Path) -> Path:
    """A SQLite directory database loaded from the bundled network_data, for the dashboard's tests."""
    path = tmp_path_factory.mktemp("dashboard-seed") / "directory.sqlite"
    open_store(path, seed_from=network_data).close()
    return path


@pytest.fixture(autouse=True)
def dashboard_database(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every dashboard test reads its own copy of the seeded directory (``$MILLIS_NETWORK_DB``), never the user's."""
    if not request.module.__name__.split(".")[-1].startswith("test_dashboard"):
        return
    copy = tmp_path_factory.mktemp("dashboard-directory") / "directory.sqlite"
    shutil.copy(request.getfixturevalue("dashboard_seed"), copy)
    monkeypatch.setenv(DATABASE_ENV, str(copy))


@pytest.fixture(scope="module")
def module_dashboard_database(tmp_path_factory: pytest.TempPathFactory, dashboard_seed: Path) -> Iterator[Path]:
    """A copy of the seeded directory for one module's shared (module-scoped) page, in ``$MILLIS_NETWORK_DB``.

    :func:`dashboard_database` gives each test its copy only once the test
    starts, after module-scoped fixtures have run: without this a shared page
    would open the default database (a developer's cache).
    """
    copy = tmp_path_factory.mktemp("module-dashboard-directory") / "directory.sqlite"
    shutil.copy(dashboard_seed, copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_ENV, str(copy))
        yield copy
