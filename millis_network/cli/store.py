"""``millis-network db ... | import FILE``: the directory database, spreadsheet imports and the audit log."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from millis_network.cli.network import open_database
from millis_network.cli.options import (
    change_id,
    database_location,
    existing_dir,
    existing_file,
    output_dir,
    output_file,
    print_table,
)
from millis_network.config import default_data_dir
from millis_network.errors import MillisNetworkError

if TYPE_CHECKING:
    from millis_network.store.database import Store

#: The files ``db export`` writes inside ``--out``, as :meth:`Store.export_network_data` names them.
EXPORTED_FILES: tuple[Path, ...] = (Path("centres") / "centres.csv", Path("courts") / "family_court_centres.csv")


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=database_location, default=None, metavar="URL_OR_PATH",
                        help="SQLAlchemy URL or SQLite file (default: $MILLIS_NETWORK_DB or the cache folder)")


def _who_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--who", default=None, help="your name, recorded in the audit log (default: your login name)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db`` and ``import``."""
    db = subparsers.add_parser("db", help="the directory database: init, import/export network_data, history")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")

    init = actions.add_parser("init", help="create or migrate the database; load network_data/ when it holds no centres")
    _database_option(init)
    init.add_argument("--data-dir", type=existing_dir, default=None,
                      help="network_data folder to load (default: bundled)")
    init.set_defaults(run=run_init)

    load = actions.add_parser("import", help="make the database hold what network_data/ holds (audited)")
    _database_option(load)
    _who_option(load)
    load.add_argument("--data-dir", type=existing_dir, default=None, help="network_data folder (default: bundled)")
    load.add_argument("--prune", action="store_true", help="delete records the files lack (default: keep them)")
    load.add_argument("--json", action="store_true", help="print JSON for machines")
    load.set_defaults(run=run_db_import)

    export = actions.add_parser("export", help="write centres and courts as network_data/ CSVs; optionally Open Referral UK JSON")
    _database_option(export)
    export.add_argument("--out", type=output_dir, required=True, metavar="DIR",
                        help="folder to write centres/centres.csv and courts/family_court_centres.csv into "
                             "(e.g. network_data to update the bundled snapshot, with --force)")
    export.add_argument("--force", action="store_true", help="overwrite those two files when they exist")
    export.add_argument("--hsds", type=output_file, default=None, metavar="FILE",
                        help="also write the public directory as an Open Referral UK /services page")
    export.add_argument("--include-sample", action="store_true", help="include sample records in the HSDS file (labelled)")
    export.set_defaults(run=run_db_export)

    history = actions.add_parser("history", help="every change to one centre, newest first")
    _database_option(history)
    history.add_argument("centre_id", metavar="CENTRE_ID")
    history.add_argument("--json", action="store_true", help="print JSON for machines")
    history.set_defaults(run=run_history)

    verify = actions.add_parser("verify", help="record that you confirmed a centre's entry against a source (audited)")
    _database_option(verify)
    _who_option(verify)
    verify.add_argument("centre_id", metavar="CENTRE_ID")
    verify.add_argument("--source", required=True, metavar="TEXT",
                        help="what you checked it against: a web page, or e.g. 'phoned the co-ordinator'")
    verify.set_defaults(run=run_verify)

    checking = actions.add_parser("needs-checking", help="open centres never verified, verified long ago, "
                                                         "with an old source page or a doubt")
    _database_option(checking)
    checking.add_argument("--json", action="store_true", help="print JSON for machines")
    checking.set_defaults(run=run_needs_checking)

    revert = actions.add_parser("revert", help="undo one change from the audit log (itself audited)")
    _database_option(revert)
    _who_option(revert)
    revert.add_argument("change_id", type=change_id, metavar="CHANGE_ID")
    revert.add_argument("--reason", default="", help="why, for the audit log")
    revert.set_defaults(run=run_revert)

    editor = actions.add_parser("editor", help="editor accounts for the dashboard's Directory page: add, disable, list")
    editor_actions = editor.add_subparsers(dest="editor_command", required=True, metavar="ACTION")
    add = editor_actions.add_parser("add", help="make an account (asks for its password twice)")
    add.add_argument("name", metavar="NAME", help="the user name to sign in with (case does not matter)")
    add.add_argument("--display-name", default="", metavar="TEXT", help="how the dashboard greets them")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input (for scripts)")
    _database_option(add)
    add.set_defaults(run=run_editor_add)
    disable = editor_actions.add_parser("disable", help="stop an account signing in")
    disable.add_argument("name", metavar="NAME")
    _database_option(disable)
    disable.set_defaults(run=run_editor_disable)
    listing = editor_actions.add_parser("list", help="every account: user name, display name, made, enabled or disabled")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    _database_option(listing)
    listing.set_defaults(run=run_editor_list)

    spreadsheet = subparsers.add_parser(
        "import", help="import centres from a CSV or XLSX spreadsheet, or Open Referral UK JSON (see --dry-run)")
    spreadsheet.add_argument("file", type=existing_file, metavar="FILE")
    spreadsheet.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    _database_option(spreadsheet)
    _who_option(spreadsheet)
    spreadsheet.add_argument("--json", action="store_true", help="print JSON for machines")
    spreadsheet.set_defaults(run=run_import)


def _open(args: argparse.Namespace) -> Store:
    """The database named by --db, migrated, loaded from the bundled network_data/ if it holds no centres."""
    return open_database(args, seed_from=default_data_dir())


def _who(args: argparse.Namespace) -> str:
    return args.who or getpass.getuser()


def run_init(args: argparse.Namespace) -> int:
    """Create or migrate the database and load network_data/ into it when it holds no centres."""
    with open_database(args, seed_from=args.data_dir or default_data_dir()) as store:
        centres, courts = len(store.centres()), len(store.courts())
        print(f"{store.url}: schema version {store.schema_version()}; {centres} centres, {courts} courts")
    return 0


def run_db_import(args: argparse.Namespace) -> int:
    """Sync the database with network_data/."""
    data_dir = args.data_dir or default_data_dir()
    with _open(args) as store:
        summary = store.import_network_data(data_dir, who=_who(args), prune=args.prune)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for kind, counts in summary.items():
            print(f"{kind}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def run_db_export(args: argparse.Namespace) -> int:
    """Write the network_data CSVs (and optionally the HSDS JSON)."""
    from millis_network.store.open_referral import services_page

    targets = [args.out / name for name in EXPORTED_FILES]
    blocked = [path for path in targets if path.is_dir() or any(p.exists() and not p.is_dir() for p in path.parents)]
    if blocked:
        raise MillisNetworkError(f"cannot write {blocked[0]}: a folder or file is in the way; give another --out DIR")
    existing = [path for path in targets if path.exists()]
    if existing and not args.force:
        raise MillisNetworkError(
            f"{existing[0]} exists and db export would overwrite it"
            + (f" (and {len(existing) - 1} other file)" if len(existing) > 1 else "")
            + f": pass --force to replace {'them' if len(existing) > 1 else 'it'}, or give another --out DIR"
        )
    with _open(args) as store:
        for path in store.export_network_data(args.out):
            print(f"wrote {path}")
        if args.hsds is not None:
            page = services_page(store.network().public(), include_sample=args.include_sample)
            args.hsds.write_text(json.dumps(page, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {args.hsds} ({page['total_items']} services, Open Referral UK)")
    return 0


def run_history(args: argparse.Namespace) -> int:
    """Print a centre's audit trail."""
    with _open(args) as store:
        store.centre(args.centre_id)
        history = store.history(args.centre_id)
    if args.json:
        print(history.to_json(orient="records", indent=2, force_ascii=False))
        return 0
    for number, rows in history.groupby("change_id", sort=False):
        first = rows.iloc[0]
        reason = f" — {first['reason']}" if first["reason"] else ""
        print(f"change {number}  {first['at']}  {first['who']}  {first['action']} {first['entity']}{reason}")
        for row in rows.itertuples():
            print(f"    {row.field}: {row.old!r} → {row.new!r}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Mark one centre verified today against a source."""
    with _open(args) as store:
        change = store.verify_centre(args.centre_id, source=args.source,
                                     expected_version=int(store.centre(args.centre_id)["version"]), who=_who(args))
    print(change.describe() if change else f"{args.centre_id}: already verified today")
    return 0


def run_needs_checking(args: argparse.Namespace) -> int:
    """List the open centres an editor should check, and why."""
    from millis_network.directory import needs_checking

    with _open(args) as store:
        checking = needs_checking(store.centres())
    if args.json:
        print(checking[["id", "name", "why", "last_verified", "page_date", "doubt"]].to_json(
            orient="records", indent=2, force_ascii=False))
        return 0
    print_table(checking, ["id", "why"])
    print(f"{len(checking)} open centre(s) need checking", file=sys.stderr)
    return 0


def run_revert(args: argparse.Namespace) -> int:
    """Undo one change."""
    with _open(args) as store:
        change = store.revert(args.change_id, who=_who(args), reason=args.reason)
    print(change.describe() if change else f"change {args.change_id}: nothing to undo")
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """The new account's password: stdin's first line with --password-stdin, else typed twice (not echoed)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != password:
        raise MillisNetworkError("the two passwords differ; no account was made")
    return password


def run_editor_add(args: argparse.Namespace) -> int:
    """Make an editor account."""
    from millis_network.store.editors import add_editor, user_name

    user_name(args.name)
    password = _new_password(args)
    with open_database(args) as store:
        editor = add_editor(store, args.name, password, display_name=args.display_name)
    print(f"added editor {editor.user_name}" + (f" ({editor.display_name})" if editor.display_name else ""))
    return 0


def run_editor_disable(args: argparse.Namespace) -> int:
    """Disable an editor account."""
    from millis_network.store.editors import disable_editor

    with open_database(args, create=False) as store:
        editor = disable_editor(store, args.name)
    print(f"disabled editor {editor.user_name}: it can no longer sign in")
    return 0


def run_editor_list(args: argparse.Namespace) -> int:
    """List the editor accounts (never their password hashes)."""
    from millis_network.store.editors import list_editors

    with open_database(args, create=False) as store:
        editors = list_editors(store)
    if args.json:
        print(json.dumps([asdict(e) for e in editors], indent=2, ensure_ascii=False))
        return 0
    if not editors:
        print("no editor accounts; make one with `millis-network db editor add NAME`")
    for e in editors:
        print(f"{e.user_name}\t{e.display_name or '-'}\tadded {e.created_at}\t{'disabled' if e.disabled else 'enabled'}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Plan (and unless --dry-run, apply) a spreadsheet or Open Referral UK (``.json``) import.

    Exit 0 when any row was accepted (dry run too), saying on stderr how many
    were rejected; 1 when nothing in the file could be read or every row was rejected.
    """
    from millis_network.store.importer import apply_import, plan_import
    from millis_network.store.open_referral import plan_hsds_import

    data = args.file.read_bytes()
    progress = sys.stderr.isatty()
    planner = plan_hsds_import if args.file.suffix.lower() == ".json" else plan_import
    with _open(args) as store:
        plan = planner(store, data, name=str(args.file), progress=progress)
        counts = plan.counts()
        accepted = counts["new"] + counts["updated"] + counts["unchanged"]
        written = None if args.dry_run or not accepted else apply_import(store, plan, who=_who(args), progress=progress)
    if args.json:
        print(json.dumps({
            "file": plan.file,
            "encoding": plan.encoding,
            "dry_run": args.dry_run,
            "counts": counts,
            "notices": list(plan.notices),
            "rows": plan.frame().to_dict("records"),
            "issues": [asdict(issue) for issue in plan.issues()],
            "written": None if written is None else asdict(written),
        }, indent=2, ensure_ascii=False))
    else:
        encoding = f", read as {plan.encoding}" if plan.encoding else ""
        print(f"{plan.summary()}{encoding}")
        for notice in plan.notices:
            print(f"  note: {notice}")
        for row in plan.rows:
            if row.outcome == "new":
                print(f"  row {row.row}: new {row.centre_id}: " + "; ".join(f"{f}={n!r}" for f, _, n in row.changes))
            elif row.outcome == "updated":
                print(f"  row {row.row}: updated {row.centre_id}: " + "; ".join(f"{f}: {o!r} → {n!r}" for f, o, n in row.changes))
            if row.outcome in ("new", "updated"):
                for note in row.notes:
                    print(f"      {note}")
        for issue in plan.issues():
            print(issue)
        if accepted and written is None:
            print("dry run: nothing written")
        elif written is not None and written.last_change_id is None:
            print("nothing to write")
        elif written is not None:
            print(f"wrote {written.created} new and {written.updated} updated centre(s) in one transaction "
                  f"(audit log changes {written.first_change_id}–{written.last_change_id})")
    if not accepted:
        if plan.problems:
            why = plan.problems[0].message
        elif counts["rejected"]:
            why = f"all {counts['rejected']} row(s) were rejected (listed in the output)"
        else:
            why = "it holds no rows of centres"
        print(f"millis-network: error: nothing imported from {args.file}: {' '.join(why.split())}", file=sys.stderr)
        return 1
    if counts["rejected"]:
        done = "would be imported (dry run)" if args.dry_run else "imported"
        print(f"millis-network: {counts['rejected']} row(s) of {args.file} rejected (listed in the output); "
              f"the other {accepted} {done}", file=sys.stderr)
    return 0
