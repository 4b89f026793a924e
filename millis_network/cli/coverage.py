"""``millis-network coverage | recommend | closure``: the campaign rule from the command line."""

from __future__ import annotations

import argparse
import json
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
    positive_int,
    print_table,
    records,
    rule_from_args,
    write_csv,
)

if TYPE_CHECKING:
    from millis_network.engine.analysis import Analysis


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
    """Print national, per-nation and per-local-authority reach summaries."""
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
    columns = list(parts["national"].columns[1:])
    for by in ("national", "nation"):
        print_table(parts[by], columns)
        print()
    worst = parts["local_authority"].sort_values(f"median_{args.service}_minutes", ascending=False).head(15)
    print("Worst-served local authorities:")
    print_table(worst, columns)
    print(f"\nShares are of LSOAs (population units); {analysis.rule.describe()}. "
          f"Directory: {analysis.network.provenance.describe()}.")
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
                         "cumulative_courts_meeting_rule", "cumulative_share_lsoas_covered"])
    return 0


def run_closure(args: argparse.Namespace) -> int:
    """Print the courts and areas that lose reach if one centre closes."""
    from millis_network.engine.whatif import closure_impact

    network = public_network(args)
    impact = closure_impact(args.centre_id, network.courts, network.centres, network.lsoas, rule=rule_from_args(args),
                            model=network.model, settlements=network.settlements)
    if args.json:
        print(json.dumps({
            "centre_id": impact.centre_id,
            "courts_losing_rule": impact.courts_losing_rule,
            "lsoas_losing_cover": impact.lsoas_losing_cover,
            "courts": records(impact.courts),
            "areas": records(impact.areas.head(500)),
            "areas_total": len(impact.areas),
        }, indent=1))
        return 0
    print(f"Closing {impact.centre_id}: {impact.courts_losing_rule} court(s) would stop meeting the rule; "
          f"{impact.lsoas_losing_cover} LSOAs would lose cover; {len(impact.areas)} LSOAs would travel further.")
    if not impact.courts.empty:
        print_table(impact.courts, ["court_name", "meets_rule_before", "meets_rule_after", "extra_minutes"])
    return 0
