"""``millis-network scenario | history``: the campaign's network, and coverage over time."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TypedDict

import pandas as pd

from millis_network.cli.network import (
    public_analysis,
    public_network,
)
from millis_network.cli.options import (
    add_directory_option,
    add_rule_options,
    as_of_date,
    output_file,
    print_table,
    records,
    rule_from_args,
    write_csv,
)
from millis_network.wording import NOT_STATED

if TYPE_CHECKING:
    from millis_network.config import CampaignRule
    from millis_network.drive_model import DriveTimeModel, SettlementIndex


class _TimelineSettings(TypedDict):
    """Keyword arguments of the timelines: the rule and what estimates drive times."""

    rule: CampaignRule
    model: DriveTimeModel
    settlements: SettlementIndex


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario and history subcommands."""
    scenario = subparsers.add_parser("scenario", help="what the campaign's network would achieve")
    kinds = scenario.add_subparsers(dest="scenario_command", required=True, metavar="SCENARIO")
    statutory = kinds.add_parser(
        "statutory-network",
        help="a supported and a supervised venue at every family court centre, against today's directory",
    )
    statutory.add_argument("--variant", choices=("all", "spoe"), default="all",
                           help="all family court centres (default) or only single points of entry for Children")
    add_rule_options(statutory)
    statutory.add_argument("--json", action="store_true", help="print JSON for machines")
    statutory.add_argument("--out", type=output_file, default=None, metavar="FILE.csv",
                           help="also write the side-by-side table (national, nation, local authority) as CSV")
    statutory.set_defaults(run=run_statutory_network)

    history = subparsers.add_parser("history", help="coverage over time: centres open at a date, what was lost since")
    commands = history.add_subparsers(dest="history_command", required=True, metavar="WHAT")
    at = commands.add_parser("as-of", help="which centres count at a date, and coverage then")
    at.add_argument("as_of", type=as_of_date, metavar="YYYY[-MM]")
    add_rule_options(at)
    at.add_argument("--json", action="store_true", help="print JSON for machines")
    at.set_defaults(run=run_as_of)

    lost = commands.add_parser("lost-since", help="courts and areas that had a suitable centre in reach at A and not at B")
    lost.add_argument("start", type=as_of_date, metavar="A", help="YYYY or YYYY-MM")
    lost.add_argument("end", type=as_of_date, nargs="?", default=None, metavar="B",
                      help="YYYY or YYYY-MM (default: the directory as it stands)")
    add_rule_options(lost)
    lost.add_argument("--json", action="store_true", help="print JSON for machines")
    lost.set_defaults(run=run_lost_since)

    timeline = commands.add_parser("timeline", help="dated openings and closures within reach of a court or area")
    where = timeline.add_mutually_exclusive_group(required=True)
    where.add_argument("--court", metavar="COURT_ID", help="a family court centre id, e.g. royal-court-of-jersey")
    where.add_argument("--area", metavar="LA_CODE", help="a local authority ONS code, e.g. E06000014")
    add_rule_options(timeline)
    timeline.add_argument("--json", action="store_true", help="print JSON for machines")
    timeline.set_defaults(run=run_timeline)

    lineage = commands.add_parser("lineage", help="the centres that ran one service, e.g. Milli's → Centrepoint")
    lineage.add_argument("centre_id", metavar="CENTRE_ID")
    lineage.add_argument("--json", action="store_true", help="print JSON for machines")
    add_directory_option(lineage)
    lineage.set_defaults(run=run_lineage)


def run_statutory_network(args: argparse.Namespace) -> int:
    """Print the scenario against the directory, nationally and per nation."""
    from millis_network.engine.scenario import (
        format_share,
        readable_comparison,
        statutory_network,
        statutory_network_summary,
    )

    network = statutory_network(public_analysis(args, rule_from_args(args)), variant=args.variant)
    summary = statutory_network_summary(network)
    if args.out:
        levels = [network.comparison(by=by).assign(level=by) for by in ("national", "nation", "local_authority")]
        write_csv(pd.concat(levels, ignore_index=True), args.out)
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(summary["headline"])
    print(f"\nScenario: {summary['scenario']} ({summary['venues']} venues at {summary['distinct_locations']} locations).")
    print(f"Courts meeting the rule: scenario {summary['courts_meeting_rule']['scenario']} of {summary['courts']}, "
          f"directory today {summary['courts_meeting_rule']['directory']}.\n")
    table = readable_comparison(summary)
    for column in table.columns[2:-1]:
        table[column] = table[column].map(format_share)
    print_table(table, list(table.columns))
    beyond = summary["beyond_50_miles"]
    print(f"\nStill beyond 50 miles under the scenario: {beyond['lsoas']} LSOAs")
    for area in beyond["local_authorities"]:
        print(f"  {area['local_authority_name']}: {area['lsoas_beyond']} of {area['lsoas']} LSOAs "
              f"(up to {area['max_miles']:.0f} miles)")
    print(f"\n{summary['threshold']}. {summary['method']}")
    print("Data: " + "; ".join(f"{name}: {when}" for name, when in summary["data_dates"].items()))
    return 0


def run_as_of(args: argparse.Namespace) -> int:
    """Print which centres count at a date and the coverage they gave."""
    from millis_network.engine.analysis import provenance
    from millis_network.engine.history import centres_at

    analysis = public_analysis(args, rule_from_args(args))
    dated = centres_at(public_network(args).centres, args.as_of)
    headline = analysis.headline()
    national = analysis.summary(service="supported").iloc[0]
    if args.json:
        print(json.dumps({
            "dates": dated.summary(),
            "headline": headline,
            "national_supported": records(analysis.summary(service="supported"))[0],
            "national_supervised": records(analysis.summary(service="supervised"))[0],
            "centres": records(dated.register),
            "provenance": provenance(analysis),
        }, indent=1))
        return 0
    print(dated.describe())
    print(f"{headline['courts_meeting_rule']} of {headline['courts']} courts met the rule ({headline['threshold']}); "
          f"{national['share_within_30_min']:.1%} of LSOAs within 30 min of a supported centre in this directory.")
    not_counted = dated.register[~dated.register["counted"]]
    if not not_counted.empty:
        print("\nNot counted at this date:")
        print_table(not_counted, ["id", "opened", "closed", "reason"])
    return 0


def run_lost_since(args: argparse.Namespace) -> int:
    """Print the courts and areas that lost a suitable centre within reach between two dates."""
    from millis_network.engine.history import lost_since

    network = public_network(args)
    lost = lost_since(network.courts, network.centres, network.lsoas, start=args.start, end=args.end,
                      rule=rule_from_args(args), model=network.model, settlements=network.settlements)
    if args.json:
        print(json.dumps({
            "summary": lost.summary(),
            "courts": records(lost.courts),
            "areas": records(lost.areas),
            "closures": records(lost.closures),
        }, indent=1))
        return 0
    print(f"From {lost.start.label} to {lost.end.label} ({lost.rule.describe()}):")
    print(f"{lost.courts['court_id'].nunique()} court(s) lost every suitable centre in this directory within reach "
          "of at least one service:")
    if not lost.courts.empty:
        print_table(lost.courts, ["court_name", "service", "nearest_minutes_start", "nearest_minutes_end", "closures"])
    if not lost.areas.empty:
        print("\nLocal authorities with LSOAs that lost reach:")
        print_table(lost.areas, ["local_authority_name", "service", "lsoas_lost", "lsoas", "closure_ids"])
    print("\nClosures between the dates (dates as the sources state them):")
    print_table(lost.closures, ["name", "opened", "closed", "successor_name", "court_services_lost", "lsoa_services_lost"])
    print(f"\n{lost.start.describe()}\n{lost.end.describe()}")
    return 0


def run_timeline(args: argparse.Namespace) -> int:
    """Print dated events within reach of a court or local authority."""
    from millis_network.engine.history import area_timeline, court_timeline

    rule, network = rule_from_args(args), public_network(args)
    settings: _TimelineSettings = {"rule": rule, "model": network.model, "settlements": network.settlements}
    if args.court:
        events = court_timeline(args.court, network.courts, network.centres, **settings)
    else:
        events = area_timeline(args.area, network.lsoas, network.centres, **settings)
    if args.json:
        print(json.dumps({"threshold": rule.describe(), "events": records(events)}, indent=1))
        return 0
    print_table(events, ["date", "event", "centre_name", "services", "drive_minutes",
                          "supported_share_after", "supervised_share_after"])
    print(f"\nCentres within reach ({rule.describe()}), any status. Shares after each event are of the "
          f"{'court' if args.court else 'LSOAs of the area'} with a suitable centre within reach.")
    return 0


def run_lineage(args: argparse.Namespace) -> int:
    """Print the chain of centres that ran one service, with their sources."""
    from millis_network.engine.history import service_lineage

    chain = service_lineage(public_network(args).centres, args.centre_id)
    if args.json:
        print(json.dumps(records(chain), indent=1))
        return 0
    for row in chain.to_dict("records"):
        dates = f"opened {row['opened'] or NOT_STATED}" + (f", closed by {row['closed']}" if row["closed"] else "")
        print(f"{row['name']} ({row['organisation'] or f'organisation {NOT_STATED}'}): {dates}; "
              f"services {row['services'] or NOT_STATED}")
        print(f"  sources: {row['source_urls']}")
    return 0
