"""The ``millis-network`` command line: subcommands over the library's functions.

Each subcommand group lives in its own module with a ``register(subparsers)``
function; this module only assembles them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

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
from millis_network.errors import MillisNetworkError

_GROUPS = (data, coverage, travel, standards, scenario, evidence, store)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="millis-network",
        description="Child contact centres against family court centres: coverage, standards, evidence.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in _GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except MillisNetworkError as exc:
        print(f"millis-network: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `head`) closed the pipe: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
