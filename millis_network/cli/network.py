"""The network every analysis command reads: the live directory database when configured, else the bundled snapshot.

``--db URL`` or ``$MILLIS_NETWORK_DB`` names the database (a SQLAlchemy URL or
a SQLite path); without either, commands read ``network_data/``. Every command
here answers from the public network (:meth:`millis_network.network.Network.public`),
so no table or JSON it prints can locate a withheld venue; only the ``db``
commands, for editors, read the private one.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from millis_network.config import DATABASE_ENV, CampaignRule

if TYPE_CHECKING:
    from millis_network.engine.analysis import Analysis
    from millis_network.network import PublicNetwork

def add_directory_option(parser: argparse.ArgumentParser) -> None:
    """``--db URL``: read the directory from this database instead of ``$MILLIS_NETWORK_DB`` or the bundled data."""
    parser.add_argument("--db", default=None, metavar="URL",
                        help=f"directory database (SQLAlchemy URL or SQLite path); default ${DATABASE_ENV}, "
                             "else the bundled network_data/")


def public_network(args: argparse.Namespace) -> PublicNetwork:
    """The public network: from ``--db`` or ``$MILLIS_NETWORK_DB`` when set, else the bundled snapshot."""
    from millis_network.network import load_network

    url = getattr(args, "db", None) or os.environ.get(DATABASE_ENV, "").strip()
    if not url:
        return load_network().public()
    from millis_network.store.database import open_store

    with open_store(url) as store:
        return store.network().public()


def public_analysis(args: argparse.Namespace, rule: CampaignRule) -> Analysis:
    """The analysis of :func:`public_network` under ``rule``, at ``--as-of`` when given."""
    from millis_network.engine.analysis import run_analysis
    from millis_network.engine.history import analysis_as_of

    network = public_network(args)
    as_of = getattr(args, "as_of", None)
    return analysis_as_of(network, rule, as_of) if as_of else run_analysis(network, rule)
