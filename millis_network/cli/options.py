"""Options and output shared by the commands: argparse types, the campaign rule, dates, JSON and tables.

Every check of a command-line value lives here once, as an argparse ``type=``
function: a bad value is refused before anything runs, with one line naming
the option (see :class:`millis_network.cli.Parser`) and exit code 2.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any, cast

import pandas as pd

from millis_network.config import DATABASE_ENV, DEFAULT_THRESHOLD_MINUTES, CampaignRule
from millis_network.errors import MillisNetworkError, SourceUnavailableError
from millis_network.sources.petitions import PetitionFigures, cached_petition
from millis_network.wording import display_value, missing_phrase

#: Largest id an audit-log change can have: ``change_id`` is an INTEGER column, 32-bit on PostgreSQL.
MAX_CHANGE_ID = 2**31 - 1


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def positive_float(text: str) -> float:
    """argparse type: a finite number greater than 0 (minutes, miles, seconds, pounds)."""
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (sites, years, rows to list)."""
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number of at least 0 (days)."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 0, got {text!r}")
    return value


def yearly_uplift(text: str) -> float:
    """argparse type: a yearly cost change as a finite fraction above -1 (0.03 = 3% a year)."""
    value = _number(text)
    if not value > -1:
        raise argparse.ArgumentTypeError(f"must be a fraction above -1 (0.03 = 3% a year), got {text!r}")
    return value


def change_id(text: str) -> int:
    """argparse type: an audit-log change id, a whole number from 1 to :data:`MAX_CHANGE_ID`."""
    value = _whole(text)
    if not 1 <= value <= MAX_CHANGE_ID:
        raise argparse.ArgumentTypeError(
            f"change ids are whole numbers from 1 to {MAX_CHANGE_ID} "
            f"(`millis-network db history CENTRE_ID` lists them), got {text!r}"
        )
    return value


def petition_id(text: str) -> int:
    """argparse type: a UK Parliament petition number, or the petition's address."""
    from millis_network.sources.petitions import petition_id_from

    try:
        return petition_id_from(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def lat_lon(text: str) -> tuple[float, float]:
    """argparse type: ``LAT,LON`` in WGS84 decimal degrees, returned as (lon, lat)."""
    parts = text.replace(" ", "").split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected LAT,LON in decimal degrees, e.g. 51.5072,-0.1276; got {text!r}"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"{text!r} is not a WGS84 LAT,LON (latitude first, then longitude)")
    return lon, lat


def http_url(text: str) -> str:
    """argparse type: an ``http://`` or ``https://`` address with a host (a server's base URL)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// address, e.g. http://localhost:5000")
    return text.strip()


def existing_file(text: str) -> Path:
    """argparse type: a file that exists and can be read."""
    path = Path(text).expanduser()
    if not text:
        raise argparse.ArgumentTypeError("give a file name")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text!r}: no such file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} cannot be read: {exc.strerror or exc}") from None
    return path


def existing_dir(text: str) -> Path:
    """argparse type: a folder that exists and can be read."""
    path = Path(text).expanduser()
    if not text:
        raise argparse.ArgumentTypeError("give a folder name")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text!r}: no such folder")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text!r} cannot be read (permission denied)")
    return path


def output_file(text: str) -> Path:
    """argparse type: a file to write, in a folder that exists (the file itself may exist; it is replaced)."""
    path = Path(text).expanduser()
    if not text:
        raise argparse.ArgumentTypeError("give a file name")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give the name of a file to write")
    folder = path.parent
    if not folder.exists():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: folder {str(folder)!r} does not exist; create it first")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: {str(folder)!r} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: permission denied")
    return path


def output_dir(text: str) -> Path:
    """argparse type: a folder to write into; made (with its parents) when missing, never a file."""
    path = Path(text).expanduser()
    if not text:
        raise argparse.ArgumentTypeError("give a folder name")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; give the folder to write into")
    existing = next(p for p in (path, *path.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"cannot make folder {text!r}: {str(existing)!r} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write into {str(existing)!r}: permission denied")
    return path


def database_location(text: str) -> str:
    """argparse type for ``--db``: a SQLAlchemy URL or a SQLite file path (see :func:`store.database.database_url`)."""
    from millis_network.store.database import database_url

    if not text.strip():
        raise argparse.ArgumentTypeError("give a SQLAlchemy URL or a SQLite file path")
    try:
        database_url(text)
    except MillisNetworkError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_directory_option(parser: argparse.ArgumentParser) -> None:
    """``--db URL``: read the directory from this database instead of ``$MILLIS_NETWORK_DB`` or the bundled data."""
    parser.add_argument("--db", type=database_location, default=None, metavar="URL",
                        help=f"directory database (SQLAlchemy URL or SQLite path); default ${DATABASE_ENV}, "
                             "else the bundled network_data/")


def as_of_date(text: str) -> str:
    """argparse type for ``YYYY`` / ``YYYY-MM`` dates (see :mod:`millis_network.engine.history`)."""
    from millis_network.engine.history import parse_as_of
    from millis_network.errors import DateError

    try:
        parse_as_of(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """The options that build a :class:`CampaignRule` (shared by every analysis command)."""
    reach = parser.add_mutually_exclusive_group()
    reach.add_argument("--threshold-minutes", type=positive_float, default=None, metavar="N",
                       help=f"one-way estimated drive minutes, > 0 (default {DEFAULT_THRESHOLD_MINUTES:g})")
    reach.add_argument("--threshold-miles", type=positive_float, default=None, metavar="N",
                       help="one-way straight-line miles (> 0) instead of drive minutes")
    parser.add_argument("--accredited-only", action="store_true",
                        help="count only NACCC-accredited centres (enhanced accreditation for supervised)")
    parser.add_argument("--include-sample", action="store_true", help="let records flagged as sample take part")
    parser.add_argument("--unstated-as-supported", action="store_true",
                        help="count open centres that do not state their services as offering supported contact")
    add_directory_option(parser)


def rule_from_args(args: argparse.Namespace) -> CampaignRule:
    """Build the campaign rule from :func:`add_rule_options` options."""
    return CampaignRule(
        threshold_minutes=DEFAULT_THRESHOLD_MINUTES if args.threshold_minutes is None else args.threshold_minutes,
        threshold_miles=args.threshold_miles,
        accreditation="accredited" if args.accredited_only else "any",
        include_sample=args.include_sample,
        unstated_services_as_supported=args.unstated_as_supported,
    )


def add_output_options(parser: argparse.ArgumentParser, *, csv: bool = True) -> None:
    """``--json`` and, for tables, ``--out FILE.csv``."""
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    if csv:
        parser.add_argument("--out", type=output_file, default=None, metavar="FILE.csv",
                            help="also write the table as CSV")


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
    """Print the chosen columns as a plain-text table, numbers to one decimal, a missing value as its phrase
    (:func:`millis_network.wording.missing_phrase`: never ``NaN`` or ``inf``)."""
    def cell(value: Any, column: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return f"{value:.1f}"
        return display_value(value, missing=missing_phrase(column))

    shown = pd.DataFrame({column: [cell(value, column) for value in frame[column]] for column in columns})
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 72):
        print(shown.to_string(index=False))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table for people as CSV (``--out``): text cells can never run as spreadsheet formulas."""
    from millis_network.evidence.exports import spreadsheet_safe

    spreadsheet_safe(frame).to_csv(path, index=False)


def stored_petition(petition_id: str, *, hint: str = "") -> PetitionFigures:
    """The stored copy of a petition, for commands that never touch the network.

    Raises:
        SourceUnavailableError: none is stored; the message says how to fetch it
            (``hint``, else ``millis-network petition ID``).
    """
    figures = cached_petition(petition_id)
    if figures is None:
        raise SourceUnavailableError(
            f"no stored copy of petition {petition_id}; "
            + (hint or f"fetch it first with `millis-network petition {petition_id}` (needs the network)")
        )
    return figures
