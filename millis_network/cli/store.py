"""``millis-network db ... | import FILE``: the directory database, spreadsheet imports and the audit log."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from millis_network.config import default_data_dir

if TYPE_CHECKING:
    from millis_network.store.database import Store


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="URL_OR_PATH",
                        help="SQLAlchemy URL or SQLite file (default: $MILLIS_NETWORK_DB or the cache folder)")


def _who_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--who", default=None, help="your name, recorded in the audit log (default: your login name)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db`` and ``import``."""
    db = subparsers.add_parser("db", help="the directory database: init, import/export network_data, history")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")

    init = actions.add_parser("init", help="create or migrate the database; load network_data/ when it holds no centres")
    _database_option(init)
    init.add_argument("--data-dir", type=Path, default=None, help="network_data folder to load (default: bundled)")
    init.set_defaults(run=run_init)

    load = actions.add_parser("import", help="make the database hold what network_data/ holds (audited)")
    _database_option(load)
    _who_option(load)
    load.add_argument("--data-dir", type=Path, default=None, help="network_data folder (default: bundled)")
    load.add_argument("--prune", action="store_true", help="delete records the files lack (default: keep them)")
    load.add_argument("--json", action="store_true", help="print JSON for machines")
    load.set_defaults(run=run_db_import)

    export = actions.add_parser("export", help="write centres and courts as network_data/ CSVs; optionally Open Referral UK JSON")
    _database_option(export)
    export.add_argument("--out", type=Path, default=None, help="network_data folder to write (default: bundled)")
    export.add_argument("--hsds", type=Path, default=None, metavar="FILE",
                        help="also write the public directory as an Open Referral UK /services page")
    export.add_argument("--include-sample", action="store_true", help="include sample records in the HSDS file (labelled)")
    export.set_defaults(run=run_db_export)

    history = actions.add_parser("history", help="every change to one centre, newest first")
    _database_option(history)
    history.add_argument("centre_id", metavar="CENTRE_ID")
    history.add_argument("--json", action="store_true", help="print JSON for machines")
    history.set_defaults(run=run_history)

    revert = actions.add_parser("revert", help="undo one change from the audit log (itself audited)")
    _database_option(revert)
    _who_option(revert)
    revert.add_argument("change_id", type=int, metavar="CHANGE_ID")
    revert.add_argument("--reason", default="", help="why, for the audit log")
    revert.set_defaults(run=run_revert)

    password = actions.add_parser("hash-password", help="make the editors' password hash for the dashboard configuration")
    password.set_defaults(run=run_hash_password)

    spreadsheet = subparsers.add_parser("import", help="import centres from a CSV or XLSX spreadsheet (see --dry-run)")
    spreadsheet.add_argument("file", type=Path, metavar="FILE")
    spreadsheet.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    _database_option(spreadsheet)
    _who_option(spreadsheet)
    spreadsheet.add_argument("--json", action="store_true", help="print JSON for machines")
    spreadsheet.set_defaults(run=run_import)


def _open(args: argparse.Namespace) -> Store:
    """The database named by --db, migrated, loaded from the bundled network_data/ if it holds no centres."""
    from millis_network.store.database import open_store

    return open_store(args.db, seed_from=default_data_dir())


def _who(args: argparse.Namespace) -> str:
    return args.who or getpass.getuser()


def run_init(args: argparse.Namespace) -> int:
    """Create or migrate the database and load network_data/ into it when it holds no centres."""
    from millis_network.store.database import open_store

    with open_store(args.db, seed_from=args.data_dir or default_data_dir()) as store:
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

    out = args.out or default_data_dir()
    with _open(args) as store:
        for path in store.export_network_data(out):
            print(f"wrote {path}")
        if args.hsds is not None:
            page = services_page(store.network().public(), include_sample=args.include_sample)
            args.hsds.parent.mkdir(parents=True, exist_ok=True)
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
    for change_id, rows in history.groupby("change_id", sort=False):
        first = rows.iloc[0]
        reason = f" — {first['reason']}" if first["reason"] else ""
        print(f"change {change_id}  {first['at']}  {first['who']}  {first['action']} {first['entity']}{reason}")
        for row in rows.itertuples():
            print(f"    {row.field}: {row.old!r} → {row.new!r}")
    return 0


def run_revert(args: argparse.Namespace) -> int:
    """Undo one change."""
    with _open(args) as store:
        change = store.revert(args.change_id, who=_who(args), reason=args.reason)
    print(change.describe() if change else f"change {args.change_id}: nothing to undo")
    return 0


def run_hash_password(args: argparse.Namespace) -> int:
    """Read a password (twice on a terminal) and print its salted scrypt hash."""
    from millis_network.store.auth import PASSWORD_HASH_ENV, hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Editors' password: ")
        if getpass.getpass("Again: ") != password:
            print("millis-network: error: the two passwords differ; nothing was made", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("millis-network: error: the password is empty", file=sys.stderr)
        return 2
    encoded = hash_password(password)
    print(encoded)
    print(f"Set it as {PASSWORD_HASH_ENV} in the dashboard's environment or .streamlit/secrets.toml "
          "(never commit it with the password).", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Plan (and unless --dry-run, apply) a spreadsheet import; exit 1 when rows were rejected."""
    from millis_network.store.importer import apply_import, plan_import

    data = args.file.read_bytes()
    with _open(args) as store:
        plan = plan_import(store, data, name=str(args.file), progress=True)
        written = None if args.dry_run else apply_import(store, plan, who=_who(args), progress=True)
    counts = plan.counts()
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
        if written is None:
            print("dry run: nothing written")
        elif written.last_change_id is None:
            print("nothing to write")
        else:
            print(f"wrote {written.created} new and {written.updated} updated centre(s) in one transaction "
                  f"(audit log changes {written.first_change_id}–{written.last_change_id})")
    return 1 if counts["rejected"] else 0
