"""The ``millis-network`` command line: subcommands over the library's functions.

Each subcommand group lives in its own module with a ``register(subparsers)``
function; this module only assembles them.

Every refusal is one line on stderr and a non-zero exit, never a traceback:
2 for a bad value of an option or argument (checked by the argparse types of
:mod:`millis_network.cli.options`, or refused by the library with a
:class:`~millis_network.errors.MillisNetworkError`), 1 for a run that failed on
what it found (a damaged or read-only database, a file that cannot be written,
an import in which nothing could be accepted).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from millis_network import __version__
from millis_network.cli import (
    coverage,
    data,
    evidence,
    scenario,
    standards,
    store,
    travel,
)
from millis_network.cli.network import shown_database
from millis_network.errors import MillisNetworkError

_GROUPS = (data, coverage, travel, standards, scenario, evidence, store)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: ``PROG: error: MESSAGE (see `PROG --help`)``."""

    def error(self, message: str) -> NoReturn:
        """Print the problem on one line and exit 2 (argparse prints the whole usage first)."""
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = Parser(
        prog="millis-network",
        description="Child contact centres against family court centres: coverage, standards, evidence.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in _GROUPS:
        group.register(subparsers)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error(message: str) -> None:
    print(f"millis-network: error: {_one_line(message)}", file=sys.stderr)


def _database_problem(exc: BaseException) -> str | None:
    """What is wrong with the database, when ``exc`` is SQLAlchemy's or the DB driver's; else None."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    import sqlite3

    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        original = getattr(exc, "orig", None)
        reason = str(original) if original is not None else str(exc)
    elif isinstance(exc, sqlite3.Error):
        reason = str(exc)
    else:
        return None
    reason = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
    lowered = reason.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return ("is not a readable SQLite database (the file is damaged or is some other kind of file); "
                "point --db at the directory database, or move this file away and run `millis-network db init`")
    if "readonly" in lowered or "read-only" in lowered:
        return ("is read-only, and this command writes to it; "
                "give write permission on the file and its folder, or work on a copy")
    if "unable to open database file" in lowered:
        return "cannot be opened: check that its folder exists and that you may read and write it"
    if "database is locked" in lowered:
        return "is locked by another writer for too long; try again when it has finished"
    return f"cannot be used: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except MillisNetworkError as exc:
        _error(str(exc))
        return 2
    except BrokenPipeError:
        # The reader (e.g. `head`) closed the pipe: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        # The last line of defence: options are checked before a command runs, but files can change under it.
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 1
    except Exception as exc:
        problem = _database_problem(exc)
        if problem is None:
            raise
        _error(f"database {shown_database(args)} {problem}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
