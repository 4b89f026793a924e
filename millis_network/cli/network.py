"""The network every analysis command reads: the live directory database when configured, else the bundled snapshot.

``--db URL`` (:func:`millis_network.cli.options.add_directory_option`) or
``$MILLIS_NETWORK_DB`` names the database (a SQLAlchemy URL or a SQLite path);
without either, commands read ``network_data/``. Every command here answers from the public network (:meth:`millis_network.network.Network.public`),
so no table or JSON it prints can locate a withheld venue; only the ``db``
commands, for editors, read the private one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from millis_network.config import DATABASE_ENV, CampaignRule

if TYPE_CHECKING:
    from millis_network.engine.analysis import Analysis
    from millis_network.network import PublicNetwork
    from millis_network.store.database import Store


def chosen_database(args: argparse.Namespace) -> str | None:
    """``--db`` when given, else ``$MILLIS_NETWORK_DB`` when set, else None."""
    return getattr(args, "db", None) or os.environ.get(DATABASE_ENV, "").strip() or None


def open_database(args: argparse.Namespace, *, create: bool = True, seed_from: Path | None = None) -> Store:
    """The store named by ``--db``, ``$MILLIS_NETWORK_DB`` or (``create`` only) the default cache file.

    A bad ``$MILLIS_NETWORK_DB`` is reported as such (``--db`` is checked by argparse).

    Raises:
        MillisNetworkError: the location is not a database URL or path, is a
            folder, or (``create`` False) names no existing SQLite file.
    """
    from millis_network.errors import MillisNetworkError
    from millis_network.store.database import database_url, open_store

    location = chosen_database(args)
    if location is not None and not getattr(args, "db", None):
        try:
            database_url(location)
        except MillisNetworkError as exc:
            raise MillisNetworkError(f"${DATABASE_ENV}: {exc}") from None
    return open_store(location, create=create, seed_from=seed_from)


def shown_database(args: argparse.Namespace) -> str:
    """The database a command used, for error messages: its URL with any password hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from millis_network.errors import MillisNetworkError
    from millis_network.store.database import database_url, default_database_url

    try:
        location = chosen_database(args)
        url = database_url(location) if location else default_database_url()
        return make_url(url).render_as_string(hide_password=True)
    except (MillisNetworkError, ArgumentError, ValueError):  # the location itself is unreadable: say where it came from
        return "--db" if getattr(args, "db", None) else f"${DATABASE_ENV}"


def public_network(args: argparse.Namespace) -> PublicNetwork:
    """The public network: from ``--db`` or ``$MILLIS_NETWORK_DB`` when set, else the bundled snapshot.

    A database named here must exist already (``millis-network db init`` makes one):
    an analysis never creates one where a mistyped path points.
    """
    from millis_network.network import load_network

    if chosen_database(args) is None:
        return load_network().public()
    with open_database(args, create=False) as store:
        return store.network().public()


def public_analysis(args: argparse.Namespace, rule: CampaignRule) -> Analysis:
    """The analysis of :func:`public_network` under ``rule``, at ``--as-of`` when given."""
    from millis_network.engine.analysis import run_analysis
    from millis_network.engine.history import analysis_as_of

    network = public_network(args)
    as_of = getattr(args, "as_of", None)
    return analysis_as_of(network, rule, as_of) if as_of else run_analysis(network, rule)
