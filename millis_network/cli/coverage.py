"""``millis-network coverage | recommend | closure``: the campaign rule from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd

from millis_network.cli.network import (
    public_analysis,
    public_network,
)
from millis_network.cli.options import (
    add_as_of,
    add_output_options,
    add_rule_options,
    as_of_date,
    output_file,
    petition_id,
    positive_int,
    print_table,
    records,
    rule_from_args,
    stored_petition,
    write_csv,
)

if TYPE_CHECKING:
    from millis_network.engine.analysis import Analysis
    from millis_network.evidence.exports import Format


def _analysis(args: argparse.Namespace) -> Analysis:
    return public_analysis(args, rule_from_args(args))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the coverage subcommands."""
    coverage = subparsers.add_parser("coverage", help="which courts and areas have suitable centres within reach")
    kinds = coverage.add_subparsers(dest="coverage_command", required=True, metavar="WHAT")
    courts = kinds.add_parser("courts", help="nearest supported and supervised centre for every family court centre")
    add_rule_options(courts)
    add_output_options(courts)
    add_as_of(courts)
    courts.add_argument("--failing", action="store_true", help="only courts that fail the rule")
    courts.set_defaults(run=run_courts)
    areas = kinds.add_parser("areas", help="population reach: national, per nation and per local authority")
    add_rule_options(areas)
    add_output_options(areas)
    add_as_of(areas)
    areas.add_argument("--service", choices=("supported", "supervised"), default="supported")
    areas.set_defaults(run=run_areas)
    seats = kinds.add_parser(
        "constituencies", help="people within reach in each Westminster constituency of England and Wales (2024)"
    )
    add_rule_options(seats)
    seats.add_argument("--json", action="store_true", help="print JSON for machines (rows and provenance)")
    seats.add_argument("--out", type=output_file, default=None, metavar="FILE",
                       help="also write the table, with provenance: FILE.csv (and FILE.provenance.json), "
                            "FILE.xlsx, FILE.geojson (hex map) or FILE.gpkg")
    seats.add_argument("--lost-since", type=as_of_date, default=None, metavar="YYYY[-MM]",
                       help="also count the people who lost their last centre within reach since this date")
    seats.add_argument("--petition", type=petition_id, default=None, metavar="ID",
                       help="join the stored copy of this petition's signatures (see `millis-network petition`)")
    seats.set_defaults(run=run_constituencies)

    recommend = subparsers.add_parser("recommend", help="where new centres would help most (greedy maximal covering)")
    recommend.add_argument("--sites", type=positive_int, required=True, metavar="K",
                           help="number of new centres to place (at least 1)")
    add_rule_options(recommend)
    add_output_options(recommend)
    recommend.set_defaults(run=run_recommend)

    closure = subparsers.add_parser("closure", help="what closing one centre would cost")
    closure.add_argument("centre_id", metavar="CENTRE_ID")
    add_rule_options(closure)
    add_output_options(closure, csv=False)
    closure.set_defaults(run=run_closure)


def run_courts(args: argparse.Namespace) -> int:
    """Print the court coverage table."""
    analysis = _analysis(args)
    table = analysis.gaps() if args.failing else analysis.court_coverage
    if args.out:
        write_csv(table, args.out)
    if args.json:
        print(json.dumps(records(table), indent=1))
        return 0
    print_table(table, ["court_name", "nearest_supported_name", "nearest_supported_minutes",
                         "nearest_supervised_name", "nearest_supervised_minutes", "status"])
    headline = analysis.headline()
    print(f"\n{headline['courts_meeting_rule']} of {headline['courts']} courts meet the rule ({headline['threshold']}).")
    print(analysis.completeness.describe())
    print(f"Directory: {analysis.network.provenance.describe()}.")
    if analysis.as_of:
        print(analysis.as_of)
    return 0


def run_areas(args: argparse.Namespace) -> int:
    """Print national, per-nation and per-local-authority reach summaries, in LSOAs and in people."""
    from millis_network.engine.coverage import people_headline
    from millis_network.wording import POPULATION_NOTE

    analysis = _analysis(args)
    parts = {by: analysis.summary(service=args.service, by=by) for by in ("national", "nation", "local_authority")}
    if args.out:
        write_csv(pd.concat([frame.assign(level=by) for by, frame in parts.items()]), args.out)
    if args.json:
        payload: dict[str, Any] = {by: records(frame) for by, frame in parts.items()}
        payload["threshold"] = analysis.rule.describe()
        payload["service"] = args.service
        payload["directory_completeness"] = analysis.completeness.describe()
        payload["directory"] = analysis.network.provenance.describe()
        payload["as_of"] = analysis.as_of or "current directory"
        print(json.dumps(payload, indent=1))
        return 0
    lsoa_columns = [c for c in parts["national"].columns[1:] if not c.startswith("people")]
    people_columns = ["area_name", *[c for c in parts["national"].columns if c.startswith("people")]]
    for by in ("national", "nation"):
        print_table(parts[by], lsoa_columns)
        print()
        print_table(parts[by], people_columns)
        print()
    worst = parts["local_authority"].sort_values(f"median_{args.service}_minutes", ascending=False).head(15)
    print("Worst-served local authorities:")
    print_table(worst, lsoa_columns)
    print(f"\n{people_headline(analysis.area_reach, analysis.rule, service=args.service)}")
    print(f"share_* columns are shares of LSOAs, people_* of people; {analysis.rule.describe()}. {POPULATION_NOTE} "
          f"Directory: {analysis.network.provenance.describe()}.")
    return 0


#: ``--out`` suffixes of ``coverage constituencies`` and the export format each writes.
CONSTITUENCY_OUT_FORMATS: dict[str, Format] = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".gpkg": "gpkg"}


def run_constituencies(args: argparse.Namespace) -> int:
    """Print (or write) people within reach by constituency, the directory beside the statutory network."""
    from millis_network.engine.constituencies import (
        constituency_coverage,
        join_petition,
    )
    from millis_network.engine.history import lsoa_losses
    from millis_network.engine.scenario import statutory_network
    from millis_network.evidence.constituency_tables import (
        constituency_export_files,
        constituency_provenance,
    )
    from millis_network.evidence.constituency_tables import (
        constituency_export_tables as export_tables,
    )
    from millis_network.wording import POPULATION_NOTE

    if args.out is not None and args.out.suffix.lower() not in CONSTITUENCY_OUT_FORMATS:
        raise SystemExit(f"millis-network: --out {args.out}: give a file ending in {', '.join(CONSTITUENCY_OUT_FORMATS)}")
    figures = stored_petition(args.petition) if args.petition else None
    analysis = _analysis(args)
    network = analysis.network
    scenario = statutory_network(analysis)
    losses = None
    if args.lost_since:
        losses = lsoa_losses(network.lsoas, network.centres, start=args.lost_since, rule=analysis.rule,
                             model=network.model, settlements=network.settlements)
    table = constituency_coverage(scenario, losses=losses, lost_since=args.lost_since or "")
    joined = join_petition(table, figures.by_constituency, constituencies=network.constituencies) if figures else None
    source = f"UK Parliament petitions, {figures.label()}" if figures else ""
    if args.out:
        files = constituency_export_files(scenario, table, fmt=CONSTITUENCY_OUT_FORMATS[args.out.suffix.lower()],
                                          petition=joined, petition_source=source, name=args.out.stem)
        for name, body in files.items():
            path = args.out.with_name(name)
            path.write_bytes(body)
            print(path, file=sys.stderr)
    if args.json:
        tables = export_tables(scenario, table, petition=joined)
        payload: dict[str, Any] = {
            "constituencies": records(table),
            "provenance": constituency_provenance(scenario, tables, petition_source=source, petition=joined),
        }
        if joined is not None:
            payload["petition"] = {"join": joined.describe(), "rows": records(joined.table),
                                   "unknown_codes": records(joined.unknown)}
        print(json.dumps(payload, indent=1, ensure_ascii=False))
        return 0
    people_columns = [c for c in table.columns if c == "people" or "_people_" in c or c == "scenario_gain"]
    shown = table.assign(**{c: table[c].round().astype("Int64") for c in people_columns})
    worst = shown.sort_values(["supported_people_beyond_threshold", "people"], ascending=False).head(20)
    print("Constituencies with most people beyond reach of a supported centre in this directory:")
    print_table(worst, ["name", "people", "supported_people_beyond_threshold", "supervised_people_beyond_threshold",
                        "supported_people_beyond_50_miles", "scenario_gain", "main_serving_court"])
    if joined is not None:
        print(f"\nPetition {figures.petition_id if figures else ''}: {joined.describe()}")
        top = joined.table.sort_values("signatures_per_10000_people", ascending=False).head(10)
        print_table(top, ["name", "signatures", "signatures_per_10000_people", "supported_people_beyond_threshold"])
    print(f"\n{len(table)} constituencies; {analysis.rule.describe()}. {analysis.completeness.describe()}")
    print(f"{POPULATION_NOTE} Directory: {network.provenance.describe()}.")
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    """Print the greedy picks with marginal and cumulative gains."""
    from millis_network.engine.whatif import recommend_sites

    network = public_network(args)
    picks = recommend_sites(network.courts, network.centres, network.lsoas, sites=args.sites, rule=rule_from_args(args),
                            model=network.model, settlements=network.settlements)
    if args.out:
        write_csv(picks, args.out)
    if args.json:
        print(json.dumps(records(picks), indent=1))
        return 0
    print_table(picks, ["rank", "site_kind", "site_name", "new_courts_meeting_rule", "new_lsoas_covered",
                         "new_people_covered", "cumulative_courts_meeting_rule", "cumulative_share_lsoas_covered",
                         "cumulative_people_covered"])
    return 0


def run_closure(args: argparse.Namespace) -> int:
    """Print the courts and areas that lose reach if one centre closes."""
    from millis_network.engine.whatif import closure_impact
    from millis_network.places import format_people

    network = public_network(args)
    impact = closure_impact(args.centre_id, network.courts, network.centres, network.lsoas, rule=rule_from_args(args),
                            model=network.model, settlements=network.settlements)
    if args.json:
        print(json.dumps({
            "centre_id": impact.centre_id,
            "courts_losing_rule": impact.courts_losing_rule,
            "lsoas_losing_cover": impact.lsoas_losing_cover,
            "people_losing_cover": impact.people_losing_cover,
            "courts": records(impact.courts),
            "areas": records(impact.areas.head(500)),
            "areas_total": len(impact.areas),
        }, indent=1))
        return 0
    print(f"Closing {impact.centre_id}: {impact.courts_losing_rule} court(s) would stop meeting the rule; "
          f"{impact.lsoas_losing_cover} LSOAs ({format_people(impact.people_losing_cover)}) would lose cover; "
          f"{len(impact.areas)} LSOAs would travel further.")
    if not impact.courts.empty:
        print_table(impact.courts, ["court_name", "meets_rule_before", "meets_rule_after", "extra_minutes"])
    return 0
