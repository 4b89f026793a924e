"""``millis-network export | brief | petition | funding``: campaign evidence from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from millis_network.cli.network import public_analysis
from millis_network.cli.options import (
    add_rule_options,
    output_dir,
    output_file,
    petition_id,
    positive_float,
    positive_int,
    rule_from_args,
    stored_petition,
    write_csv,
    yearly_uplift,
)

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

    from millis_network.engine.analysis import Analysis
    from millis_network.engine.constituencies import PetitionJoin
    from millis_network.evidence.briefings import BriefingInputs
    from millis_network.evidence.funding import FundingEstimate
    from millis_network.sources.petitions import PetitionFigures


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the evidence subcommands (the library is imported only when one runs)."""
    export = subparsers.add_parser(
        "export", help="coverage tables as CSV, XLSX, GeoJSON or GeoPackage, each with its provenance"
    )
    export.add_argument("--format", type=_export_format, default="all",
                        help="csv, xlsx, geojson, gpkg or all (default: all)")
    export.add_argument("--out", type=output_dir, required=True, metavar="DIR", help="folder to write into")
    export.add_argument("--json", action="store_true", help="print the files written and the provenance as JSON")
    add_rule_options(export)
    export.set_defaults(run=run_export)

    brief = subparsers.add_parser("brief", help="advocacy briefings (HTML or PDF) per court, local authority or nation")
    what = brief.add_mutually_exclusive_group(required=True)
    what.add_argument("--court", action="append", metavar="ID",
                      help="a family court centre id (repeat for several); the court_id column of "
                           "`millis-network coverage courts --json`")
    what.add_argument("--local-authority", metavar="CODE", help="an ONS local authority code, e.g. W06000015")
    what.add_argument("--national", action="store_true", help="England and Wales as a whole")
    what.add_argument("--all-courts", action="store_true", help="one briefing per family court centre (batch)")
    what.add_argument("--constituency", action="append", metavar="GSS_CODE",
                      help="a Westminster constituency of England and Wales by its ONS code, e.g. E14001063 "
                           "(repeat for several): a briefing for its MP")
    what.add_argument("--all-constituencies", action="store_true",
                      help="one briefing per constituency of England and Wales (575, batch)")
    brief.add_argument("--format", type=_briefing_format, default="pdf", help="html or pdf (default: pdf)")
    brief.add_argument("--out", type=output_dir, required=True, metavar="DIR", help="folder to write into")
    brief.add_argument("--petition", type=petition_id, metavar="ID",
                       help="national and constituency briefings: add the cached figures of this petition "
                            "(see `millis-network petition`)"),
    brief.add_argument("--no-funding", action="store_true",
                       help="national briefing: leave out the cost of closing the gaps")
    _add_funding_options(brief)
    add_rule_options(brief)
    brief.set_defaults(run=run_brief)

    petition = subparsers.add_parser("petition", help="a UK Parliament petition's signatures, by constituency")
    petition.add_argument("petition_id", type=petition_id, metavar="ID", help="petition number or address")
    petition.add_argument("--cached", action="store_true", help="show the stored copy only; do not go online")
    petition.add_argument("--top", type=positive_int, default=10, metavar="N",
                          help="constituencies to list, at least 1 (default 10)")
    petition.add_argument("--timeout", type=positive_float, default=10.0, metavar="SECONDS",
                          help="per request, > 0 (default 10)")
    petition.add_argument("--json", action="store_true", help="print JSON for machines")
    petition.set_defaults(run=run_petition)

    funding = subparsers.add_parser("funding", help="what new centres to close the gaps would cost, with assumptions")
    _add_funding_options(funding)
    funding.add_argument("--by", choices=("nation", "local_authority", "site"), default="nation",
                         help="breakdown to print (default nation)")
    funding.add_argument("--out", type=output_file, default=None, metavar="FILE.csv",
                         help="also write the breakdown as CSV")
    funding.add_argument("--json", action="store_true", help="print JSON for machines")
    add_rule_options(funding)
    funding.set_defaults(run=run_funding)


def _export_format(text: str) -> str:
    from millis_network.evidence.exports import FORMATS

    if text not in (*FORMATS, "all"):
        raise argparse.ArgumentTypeError(f"{text!r} is not an export format; choose {', '.join(FORMATS)} or all")
    return text


def _briefing_format(text: str) -> str:
    from millis_network.evidence.briefings import BRIEFING_FORMATS

    if text not in BRIEFING_FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a briefing format; choose {' or '.join(BRIEFING_FORMATS)}")
    return text


def _add_funding_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-centre-gbp", type=positive_float, default=None, metavar="POUNDS",
                        help="annual cost of one centre, > 0 (default: Milli's proposed budget, £17,600)")
    parser.add_argument("--years", type=positive_int, default=3,
                        help="service level agreement length in years, at least 1 (default 3)")
    parser.add_argument("--uplift", type=yearly_uplift, default=0.0, metavar="FRACTION",
                        help="yearly cost increase over the agreement, e.g. 0.03 for 3%% (default 0)")


def _analysis(args: argparse.Namespace) -> Analysis:
    return public_analysis(args, rule_from_args(args))


def _funding(
    args: argparse.Namespace, analysis: Analysis, boundaries: gpd.GeoDataFrame | None = None
) -> FundingEstimate:
    from millis_network.evidence.funding import (
        cost_of_closing_gaps,
        default_assumptions,
    )

    assumptions = default_assumptions(
        annual_cost_per_centre_gbp=args.per_centre_gbp, sla_years=args.years, annual_uplift=args.uplift
    )
    return cost_of_closing_gaps(analysis, assumptions=assumptions, boundaries=boundaries)


def run_export(args: argparse.Namespace) -> int:
    """Write the exports and list the files."""
    from millis_network.evidence.exports import (
        FORMATS,
        export_provenance,
        export_tables,
        write_export,
    )
    from millis_network.places import local_authority_boundaries

    analysis = _analysis(args)
    boundaries = local_authority_boundaries()
    formats = FORMATS if args.format == "all" else (args.format,)
    written = [path for fmt in formats for path in write_export(analysis, args.out, fmt=fmt, boundaries=boundaries)]
    if args.json:
        info = export_provenance(analysis, export_tables(analysis))
        print(json.dumps({"files": [str(p) for p in written], "provenance": info}, indent=1, ensure_ascii=False))
        return 0
    for path in written:
        print(path)
    print(f"{len(written)} file(s); {analysis.rule.describe()}.", file=sys.stderr)
    return 0


def run_brief(args: argparse.Namespace) -> int:
    """Write one briefing, or a batch for several or all courts."""
    from millis_network.evidence import briefings

    petition = stored_petition(args.petition) if args.petition else None
    inputs = briefings.briefing_inputs(_analysis(args))
    if args.constituency or args.all_constituencies:
        paths = _constituency_briefings(args, inputs, petition)
    elif args.all_courts or (args.court and len(args.court) > 1):
        paths = briefings.write_court_briefings(inputs, args.out, fmt=args.format, court_ids=args.court)
    elif args.court:
        paths = [briefings.write_briefing(briefings.court_briefing(inputs, args.court[0]), args.out, fmt=args.format)]
    elif args.local_authority:
        briefing = briefings.local_authority_briefing(inputs, args.local_authority)
        paths = [briefings.write_briefing(briefing, args.out, fmt=args.format)]
    else:
        funding = None if args.no_funding else _funding(args, inputs.analysis, inputs.boundaries)
        from millis_network.evidence.briefings import statutory_network_section

        joined = _petition_by_constituency(inputs.analysis, petition)[1] if petition else None
        briefing = briefings.national_briefing(inputs, funding=funding, petition=petition, petition_join=joined,
                                               extra_sections=(statutory_network_section(inputs.analysis),))
        paths = [briefings.write_briefing(briefing, args.out, fmt=args.format)]
    for path in paths:
        print(path)
    return 0


def _petition_by_constituency(
    analysis: Analysis, petition: PetitionFigures | None
) -> tuple[pd.DataFrame, PetitionJoin | None]:
    """The constituency table of ``analysis`` and, when a petition is given, its signatures joined to it."""
    from millis_network.engine.constituencies import (
        constituency_coverage,
        join_petition,
    )
    from millis_network.engine.scenario import statutory_network

    table = constituency_coverage(statutory_network(analysis))
    if petition is None:
        return table, None
    return table, join_petition(table, petition.by_constituency, constituencies=analysis.network.constituencies)


def _constituency_briefings(
    args: argparse.Namespace, inputs: BriefingInputs, petition: PetitionFigures | None
) -> list[Path]:
    """``brief --constituency`` / ``--all-constituencies``: one briefing per constituency, a progress bar for several."""
    from millis_network.engine.constituencies import constituency_row
    from millis_network.evidence.constituency_briefing import (
        write_constituency_briefings,
    )

    table, joined = _petition_by_constituency(inputs.analysis, petition)
    codes = None
    if args.constituency:
        codes = [str(constituency_row(table, code)["gss_code"]) for code in args.constituency]
    return write_constituency_briefings(
        inputs, table, args.out, fmt=args.format, gss_codes=codes, petition=joined,
        petition_source=f"UK Parliament petitions, {petition.label()}" if petition else "",
        progress=codes is None or len(codes) > 1,
    )


def run_petition(args: argparse.Namespace) -> int:
    """Print a petition's total and top constituencies (live, or the stored copy)."""
    from millis_network.sources import HttpSettings
    from millis_network.sources.petitions import fetch_petition

    if args.cached:
        figures = stored_petition(args.petition_id, hint="run without --cached to fetch it")
    else:
        figures = fetch_petition(args.petition_id, settings=HttpSettings(timeout_s=args.timeout))
        if figures.from_cache:
            print("millis-network: the petitions service could not be reached; showing the stored copy",
                  file=sys.stderr)
    if args.json:
        print(json.dumps(figures.to_dict(top=args.top), indent=1, ensure_ascii=False))
        return 0
    print(f"Petition {figures.petition_id}: {figures.title}")
    print(f"{figures.signature_count:,} signatures ({figures.state}). Source: {figures.label()}.")
    top = figures.top_constituencies(args.top)
    if not top.empty:
        print()
        print(top.to_string(index=False))
    return 0


def run_funding(args: argparse.Namespace) -> int:
    """Print the national figure, the chosen breakdown and every assumption."""
    import pandas as pd

    estimate = _funding(args, _analysis(args))
    table = {"nation": estimate.by_nation, "local_authority": estimate.by_local_authority,
             "site": estimate.sites}[args.by]
    if args.out:
        write_csv(table, args.out)
    if args.json:
        print(json.dumps(estimate.to_dict(), indent=1, ensure_ascii=False))
        return 0
    print(estimate.headline())
    print(f"Statutory network (a venue at each of the {estimate.statutory_venues} courts): "
          f"£{estimate.statutory_annual_gbp:,.0f} a year, £{estimate.statutory_sla_gbp:,.0f} over "
          f"{estimate.parameters['sla_years']} years.\n")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print("\nAssumptions:")
    for number, sentence in enumerate(estimate.assumptions, start=1):
        print(f"{number}. {sentence}")
    return 0
