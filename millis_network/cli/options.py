"""Options and output shared by the analysis commands: the campaign rule, dates, JSON and tables."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, cast

import pandas as pd

from millis_network.cli.network import add_directory_option
from millis_network.config import DEFAULT_THRESHOLD_MINUTES, CampaignRule


def as_of_date(text: str) -> str:
    """argparse type for ``YYYY`` / ``YYYY-MM`` dates (see :mod:`millis_network.engine.history`)."""
    from millis_network.engine.history import parse_as_of
    from millis_network.errors import DateError

    try:
        parse_as_of(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """The options that build a :class:`CampaignRule` (shared by every analysis command)."""
    reach = parser.add_mutually_exclusive_group()
    reach.add_argument("--threshold-minutes", type=float, default=None, metavar="N",
                       help=f"one-way estimated drive minutes (default {DEFAULT_THRESHOLD_MINUTES:g})")
    reach.add_argument("--threshold-miles", type=float, default=None, metavar="N",
                       help="one-way straight-line miles instead of drive minutes")
    parser.add_argument("--accredited-only", action="store_true",
                        help="count only NACCC-accredited centres (enhanced accreditation for supervised)")
    parser.add_argument("--include-sample", action="store_true", help="let records flagged as sample take part")
    parser.add_argument("--unstated-as-supported", action="store_true",
                        help="count open centres that do not state their services as offering supported contact")
    add_directory_option(parser)


def rule_from_args(args: argparse.Namespace) -> CampaignRule:
    """Build the campaign rule from :func:`add_rule_options` options."""
    return CampaignRule(
        threshold_minutes=args.threshold_minutes or DEFAULT_THRESHOLD_MINUTES,
        threshold_miles=args.threshold_miles,
        accreditation="accredited" if args.accredited_only else "any",
        include_sample=args.include_sample,
        unstated_services_as_supported=args.unstated_as_supported,
    )


def add_output_options(parser: argparse.ArgumentParser, *, csv: bool = True) -> None:
    """``--json`` and, for tables, ``--out FILE.csv``."""
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    if csv:
        parser.add_argument("--out", type=Path, default=None, metavar="FILE.csv", help="also write the table as CSV")


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """``--as-of YYYY[-MM]``: count only the centres open at a date."""
    parser.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY[-MM]",
                        help="count only the centres open at this date (rules: `millis-network history as-of --help`)")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (NaN and infinity become null)."""
    def clean(value: Any) -> Any:
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None
        if hasattr(value, "item"):
            return clean(value.item())
        return value

    # pandas-stubs types record keys as Hashable; the frames printed as JSON have string column names.
    rows = cast("list[dict[str, Any]]", frame.to_dict("records"))
    return [{key: clean(value) for key, value in row.items()} for row in rows]


def print_table(frame: pd.DataFrame, columns: list[str]) -> None:
    """Print the chosen columns as a plain-text table, numbers to one decimal."""
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 40):
        print(frame[columns].to_string(index=False, float_format=lambda v: f"{v:.1f}"))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table for people as CSV (``--out``): text cells can never run as spreadsheet formulas."""
    from millis_network.evidence.exports import spreadsheet_safe

    spreadsheet_safe(frame).to_csv(path, index=False)
