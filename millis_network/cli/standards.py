"""``millis-network standards check | list | template``: the minimum training standards."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from millis_network import standards as std
from millis_network.cli.options import existing_file, non_negative_int, output_file
from millis_network.errors import DataFileError

#: One character per status in the text matrix.
_MARKS = {"pass": ".", "pending": "P", "unknown": "?", "warn": "W", "fail": "F", "": " "}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``standards`` and its actions."""
    group = subparsers.add_parser("standards", help="check a centre's roster against the minimum training standards")
    actions = group.add_subparsers(dest="standards_command", required=True, metavar="ACTION")

    check = actions.add_parser(
        "check",
        help="check a centre's records (YAML, or the CSV/XLSX roster template)",
        description="Check a centre's records requirement by requirement. Exit 0, or 1 with --strict when "
        "anything fails; 2 when the records or standards are malformed.",
    )
    check.add_argument("records", type=existing_file, metavar="RECORDS", help=".yaml, .csv or .xlsx records file")
    check.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="DATE",
        help="date to check on, YYYY-MM-DD (default: the records' own as_of if they state one, else today)",
    )
    check.add_argument("--json", action="store_true", help="print the whole report as JSON for machines")
    check.add_argument("--strict", action="store_true", help="exit 1 when any requirement fails")
    check.add_argument(
        "--set",
        action="append",
        default=[],
        type=_assignment,
        metavar="NAME=VALUE",
        dest="overrides",
        help="override a parameter of the standards, e.g. naccc_modules_within_months=18 (repeatable)",
    )
    check.add_argument(
        "--expiry-days",
        type=non_negative_int,
        default=std.DEFAULT_EXPIRY_HORIZON_DAYS,
        metavar="DAYS",
        help=f"list evidence expiring within DAYS (default {std.DEFAULT_EXPIRY_HORIZON_DAYS})",
    )
    _standards_option(check)
    check.set_defaults(run=run_check)

    listing = actions.add_parser("list", help="print the requirements, their rules and sources")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    _standards_option(listing)
    listing.set_defaults(run=run_list)

    template = actions.add_parser("template", help="write the empty roster template (.csv or .xlsx)")
    template.add_argument("out", type=output_file, metavar="OUT", help="path ending in .csv or .xlsx")
    _standards_option(template)
    template.set_defaults(run=run_template)


def _standards_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--standards", type=existing_file, default=None, metavar="FILE", help="standards YAML (default: the bundled file)"
    )


def _load_standards(path: Path | None) -> std.Standards:
    """The standards file named by ``--standards`` (default the bundled one); a file that is not UTF-8 is refused."""
    try:
        return std.load_standards(path)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: byte {exc.start} is not UTF-8 text; save the standards file as UTF-8") from None


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _assignment(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    if not name or not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=WHOLE_NUMBER")
    return name.strip(), int(value)


def run_check(args: argparse.Namespace) -> int:
    """Print the compliance report; with ``--strict`` exit 1 when anything fails."""
    standards = _load_standards(args.standards)
    try:
        standards = std.with_parameters(standards, dict(args.overrides))
    except ValueError as exc:
        print(f"millis-network: error: {exc}", file=sys.stderr)
        return 2
    records = std.load_records(args.records, standards)
    report = std.check(records, standards, as_of=args.as_of, expiry_horizon_days=args.expiry_days)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    return 1 if args.strict and not report.ok else 0


def format_report(report: std.ComplianceReport) -> str:
    """The report as text for people: header, staffing, summary, matrix, reasons, expiries, training."""
    s = report.staffing
    totals = report.totals
    lines = [
        f"{report.label}: {report.centre_name or report.centre_id} ({report.centre_id})"
        if report.sample
        else f"{report.centre_name or report.centre_id} ({report.centre_id})",
        f"Records {report.source}, checked as of {report.as_of} against standards v{report.standards_version}",
        "Staffing: "
        + (
            f"{s.in_post} in post of an establishment of {s.establishment} ({s.vacancies} vacant); "
            if s.establishment is not None
            else f"{s.in_post} in post (no establishment recorded); "
        )
        + f"{s.leaving} leaving, {s.after_leavers} after they go",
        "Totals: " + ", ".join(f"{status} {totals[status]}" for status in std.STATUSES),
        "",
        "Requirements",
        _table(report.summary.drop(columns=["title", "applies_to", "applicable"])),
        "",
        "Matrix (" + ", ".join(f"{mark} {status}" for status, mark in _MARKS.items() if status) + ")",
        _table(std.compliance_matrix(report).map(lambda v: _MARKS.get(v, v)).reset_index()),
    ]
    open_rows = report.results[report.results["status"] != "pass"]
    if not open_rows.empty:
        lines += ["", "Not passing"]
        lines += [
            f"  {row.person_id} {row.requirement_id} [{row.status}] {row.reason}" for row in open_rows.itertuples()
        ]
    if not report.expiries.empty:
        lines += ["", "Expiring soon or expired", _table(report.expiries.drop(columns=["title"]))]
    if not report.projections.empty:
        lines += ["", "Training in progress (pace since starting)", _table(report.projections)]
    return "\n".join(lines)


def _table(frame: pd.DataFrame) -> str:
    return frame.astype(object).fillna("").to_string(index=False) if not frame.empty else "  (none)"


def run_list(args: argparse.Namespace) -> int:
    """Print every requirement with its rule in plain English and its sources."""
    standards = _load_standards(args.standards)
    frame = std.requirements_frame(standards)
    if args.json:
        print(
            json.dumps(
                {
                    "version": standards.version,
                    "title": standards.title,
                    "parameters": std.parameters_frame(standards).to_dict(orient="records"),
                    "requirements": frame.to_dict(orient="records"),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print(f"{standards.title} (v{standards.version})\n")
    for row in frame.itertuples():
        print(f"{row.requirement_id} [{row.level}] {row.title}")
        print(
            f"  applies to: {row.applies_to}"
            + (f" (centres offering {row.applies_if_service!s} contact)" if row.applies_if_service else "")
        )
        print(f"  rule: {row.rule}")
        print(f"  sources: {row.sources}\n")
    print("Parameters")
    params = std.parameters_frame(standards)
    params["stated_default"] = params["stated_default"].map({True: "stated default", False: "sourced"})
    print(_table(params[["name", "value", "unit", "stated_default"]]))
    return 0


def run_template(args: argparse.Namespace) -> int:
    """Write the roster template."""
    standards = _load_standards(args.standards)
    try:
        path = std.write_template(args.out, standards=standards)
    except ValueError as exc:
        print(f"millis-network: error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0
