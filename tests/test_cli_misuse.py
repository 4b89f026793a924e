"""Hostile and mistaken input to ``millis-network``: one clear line on stderr, a non-zero exit, nothing written.

Every case runs in a workspace folder of its own (the current directory
during the run) holding a seeded SQLite database, a damaged one, a folder, a
file and a few spreadsheets. After the run the workspace must hold exactly
what it held before, byte for byte: a refused command writes nothing. Exit 2
is a bad value of an option or argument; exit 1 a run that failed on what it
found (a damaged or read-only database, a spreadsheet in which nothing could be
accepted, files that break the data rules).

A few cases also run the real console script in a subprocess, to show that no
traceback reaches stderr there either.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from millis_network.cli import main
from millis_network.config import DATABASE_ENV
from millis_network.store.database import open_store

SECRET = "s3cret-pa55word"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_READS_ANYTHING = "runs as root, which may read and write any file whatever its mode"

#: Spreadsheets every workspace holds (file name -> text).
SHEETS = {
    "empty.csv": "",
    "header_only.csv": "Name,Town,Postcode,Sample\n",
    "all_rejected.csv": "Name,Town,Postcode,Sample\nBad Postcode Sample Centre,Bath,BA1,yes\n",
    "good.csv": "Name,Town,Postcode,Sample\nGood Postcode Sample Centre,Bath,BA1 5AF,yes\n",
    "cycle.csv": (
        "Id,Name,Town,Postcode,Sample,Status,Closed,Successor id\n"
        "cycle-a-sample,Cycle A Sample Centre,Bath,BA1 5AF,yes,closed,2020,cycle-b-sample\n"
        "cycle-b-sample,Cycle B Sample Centre,Bath,BA1 5AF,yes,closed,2021,cycle-a-sample\n"
    ),
    "self_successor.csv": (
        "Id,Name,Town,Postcode,Sample,Status,Closed,Successor id\n"
        "self-sample,Self Sample Centre,Bath,BA1 5AF,yes,closed,2021,self-sample\n"
    ),
    # Centrepoint took over from Milli's in the bundled directory: naming Milli's as Centrepoint's
    # successor would close a circle through the stored record.
    "cycle_with_stored.csv": (
        "Id,Status,Closed,Successor id\n"
        "centrepoint-child-contact-centre-jersey,closed,2025,millis-child-contact-centre\n"
    ),
}


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory, network_data: Path) -> Path:
    """A SQLite database loaded from the bundled network_data (copied into each workspace)."""
    path = tmp_path_factory.mktemp("misuse-seed") / "directory.sqlite"
    open_store(path, seed_from=network_data).close()
    return path


@pytest.fixture
def workspace(tmp_path: Path, seeded_sqlite: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current directory of one case, with its inputs; ``$MILLIS_NETWORK_DB`` unset."""
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    root = tmp_path / "workspace"
    root.mkdir()
    shutil.copy(seeded_sqlite, root / "db.sqlite")
    (root / "corrupt.sqlite").write_bytes(random.Random(7).randbytes(8192))
    (root / "folder").mkdir()
    (root / "table.csv").mkdir()
    (root / "afile.txt").write_text("not a folder\n", encoding="utf-8")
    for name, text in SHEETS.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "junk.csv").write_bytes(random.Random(11).randbytes(2000))
    (root / "unreadable.csv").write_text(SHEETS["all_rejected.csv"], encoding="utf-8")
    (root / "unreadable.csv").chmod(0)
    (root / "readonly.sqlite").write_bytes((root / "db.sqlite").read_bytes())
    (root / "readonly.sqlite").chmod(0o444)
    exported = root / "exported"
    for relative in ("centres/centres.csv", "courts/family_court_centres.csv"):
        (exported / relative).parent.mkdir(parents=True, exist_ok=True)
        (exported / relative).write_text("id\nkeep-me\n", encoding="utf-8")
    monkeypatch.chdir(root)
    yield root
    (root / "unreadable.csv").chmod(0o600)


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root``: relative path -> content hash (folders: "dir")."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_dir():
            found[relative] = "dir"
        elif os.access(path, os.R_OK):
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[relative] = f"unreadable {path.stat().st_size}"
    return found


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(argv)`` -> (exit code, stdout, stderr); argparse's SystemExit becomes its code."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@dataclass(frozen=True)
class Case:
    """One misuse: the arguments (``{ws}`` is the workspace), the exit code and what the line must name."""

    argv: tuple[str, ...]
    code: int
    mentions: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    needs_non_root: bool = False
    absent: tuple[str, ...] = ()


def case(*argv: str, code: int = 2, mentions: tuple[str, ...] | str, **kwargs: object) -> Case:
    return Case(tuple(argv), code, (mentions,) if isinstance(mentions, str) else mentions, **kwargs)  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    # The campaign rule: refused, never quietly replaced by the default.
    "threshold-minutes zero": case("coverage", "courts", "--threshold-minutes", "0", mentions=("--threshold-minutes", "'0'")),
    "threshold-minutes negative": case("coverage", "courts", "--threshold-minutes", "-5", mentions="--threshold-minutes"),
    "threshold-minutes nan": case("coverage", "courts", "--threshold-minutes", "nan", mentions=("--threshold-minutes", "nan")),
    "threshold-minutes inf": case("coverage", "areas", "--threshold-minutes", "inf", mentions="--threshold-minutes"),
    "threshold-minutes text": case("scenario", "statutory-network", "--threshold-minutes", "half an hour",
                                   mentions="--threshold-minutes"),
    "threshold-miles zero": case("coverage", "courts", "--threshold-miles", "0", mentions="--threshold-miles"),
    "threshold-miles -inf": case("history", "lost-since", "2019", "--threshold-miles", "-inf", mentions="--threshold-miles"),
    "threshold-miles nan": case("funding", "--threshold-miles", "NaN", mentions="--threshold-miles"),
    # Counts.
    "recommend sites zero": case("recommend", "--sites", "0", "--out", "picks.csv", mentions="--sites"),
    "recommend sites negative": case("recommend", "--sites", "-3", mentions="--sites"),
    "recommend sites text": case("recommend", "--sites", "ten", mentions=("--sites", "'ten'")),
    "petition top zero": case("petition", "700123", "--top", "0", "--cached", mentions="--top"),
    "funding years zero": case("funding", "--years", "0", mentions="--years"),
    "funding years negative": case("brief", "--national", "--years", "-1", "--out", "briefs", mentions="--years"),
    "funding per-centre negative": case("funding", "--per-centre-gbp", "-100", mentions="--per-centre-gbp"),
    "funding per-centre zero": case("funding", "--per-centre-gbp", "0", mentions="--per-centre-gbp"),
    "funding uplift nan": case("funding", "--uplift", "nan", mentions="--uplift"),
    "funding uplift -1": case("funding", "--uplift", "-1", mentions="--uplift"),
    "standards expiry-days negative": case("standards", "check", "SHEET", "--expiry-days", "-1",
                                           mentions="--expiry-days"),
    # Petitions and the network.
    "petition id text": case("petition", "abc", mentions=("'abc'", "petition number")),
    "petition id zero": case("petition", "0", "--cached", mentions="'0'"),
    "brief petition id text": case("brief", "--national", "--petition", "abc", "--out", "briefs",
                                   mentions=("--petition", "'abc'")),
    "petition timeout zero": case("petition", "700123", "--timeout", "0", mentions="--timeout"),
    "petition timeout negative": case("petition", "700123", "--timeout", "-2", mentions="--timeout"),
    "petition timeout nan": case("petition", "700123", "--timeout", "nan", mentions="--timeout"),
    "travel router not a url": case("travel", "--from", "51.5,-0.1", "--to", "52.5,-1.9", "--router", "localhost",
                                    mentions="--router"),
    # Coordinates.
    "travel latitude out of range": case("travel", "--from", "91,0", "--to", "52.5,-1.9", mentions=("--from", "'91,0'")),
    "travel longitude first": case("travel", "--from", "51.5,-0.1", "--to", "-1.9,182", mentions="--to"),
    "travel nan coordinates": case("travel", "--from", "nan,nan", "--to", "52.5,-1.9", mentions="--from"),
    "travel three numbers": case("travel", "--from", "51.5,-0.1,3", "--to", "52.5,-1.9", mentions="--from"),
    "travel words": case("travel", "--from", "London", "--to", "52.5,-1.9", mentions=("--from", "'London'")),
    # Files to write.
    "out is a folder": case("coverage", "courts", "--out", "folder", mentions=("--out", "'folder'")),
    "out in a missing folder": case("funding", "--out", "missing/funding.csv", mentions=("--out", "missing")),
    "statutory out is a folder": case("scenario", "statutory-network", "--out", "folder", mentions="--out"),
    "recommend out in a missing folder": case("recommend", "--sites", "2", "--out", "nowhere/picks.csv",
                                              mentions="nowhere"),
    "template in a missing folder": case("standards", "template", "missing/roster.csv", mentions="missing"),
    "template is a folder": case("standards", "template", "table.csv", mentions="'table.csv'"),
    "calibrate sample is a folder": case("travel", "calibrate", "--sample", "folder", mentions="--sample"),
    "export out is a file": case("export", "--format", "csv", "--out", "afile.txt", mentions=("--out", "afile.txt")),
    "brief out is a file": case("brief", "--national", "--out", "afile.txt", mentions="afile.txt"),
    "db export out is a file": case("db", "export", "--db", "db.sqlite", "--out", "afile.txt", mentions="afile.txt"),
    "db export hsds is a folder": case("db", "export", "--db", "db.sqlite", "--out", "new-export", "--hsds", "folder",
                                       mentions="--hsds"),
    # db export never overwrites by default.
    "db export without out": case("db", "export", "--db", "db.sqlite", mentions="--out"),
    "db export over existing files": case("db", "export", "--db", "db.sqlite", "--out", "exported",
                                          mentions=("exported/centres/centres.csv", "--force")),
    # Files to read.
    "import missing file": case("import", "missing.csv", "--db", "db.sqlite", mentions="missing.csv"),
    "import a folder": case("import", "folder", "--db", "db.sqlite", mentions="'folder'"),
    "import unreadable file": case("import", "unreadable.csv", "--db", "db.sqlite", mentions="unreadable.csv",
                                   needs_non_root=True),
    "standards check missing file": case("standards", "check", "missing.yaml", mentions="missing.yaml"),
    "standards check a folder": case("standards", "check", "folder", mentions="'folder'"),
    "standards check unreadable file": case("standards", "check", "unreadable.csv", mentions="unreadable.csv",
                                            needs_non_root=True),
    "standards file missing": case("standards", "list", "--standards", "missing.yaml", mentions="missing.yaml"),
    "standards file not utf-8": case("standards", "list", "--standards", "junk.csv", mentions="junk.csv"),
    "validate missing data-dir": case("validate", "--data-dir", "missing", mentions=("--data-dir", "missing")),
    "validate data-dir is a file": case("validate", "--data-dir", "afile.txt", mentions="afile.txt"),
    "db init data-dir missing": case("db", "init", "--db", "new.sqlite", "--data-dir", "missing", mentions="--data-dir"),
    # Audit-log change ids.
    "revert beyond the integer range": case("db", "revert", "99999999999999999999", "--db", "db.sqlite",
                                            mentions=("CHANGE_ID", "99999999999999999999")),
    "revert negative": case("db", "revert", "-1", "--db", "db.sqlite", mentions=("CHANGE_ID", "'-1'")),
    "revert zero": case("db", "revert", "0", "--db", "db.sqlite", mentions="CHANGE_ID"),
    "revert words": case("db", "revert", "last", "--db", "db.sqlite", mentions="'last'"),
    # Databases: not URLs, folders, damaged, read-only, unreachable.
    "db file: path": case("coverage", "courts", "--db", "file:directory.sqlite", mentions=("--db", "file:")),
    "db file: folder path": case("db", "init", "--db", "file:stray/directory.sqlite", mentions=("--db", "file:")),
    "db file:// url": case("db", "history", "x", "--db", "file:///tmp/directory.sqlite", mentions=("--db", "'file'")),
    "db unknown scheme": case("coverage", "courts", "--db", "http://example.org/db", mentions="--db"),
    "db unparseable url hides password": case(
        "coverage", "courts", "--db", f"postgresql://editor:{SECRET}@localhost:port/directory",
        mentions=("--db", "postgresql:"), absent=(SECRET,)),
    "db is a folder": case("coverage", "courts", "--db", "folder", mentions="folder"),
    "db is a folder (db command)": case("db", "history", "x", "--db", "folder", mentions="folder"),
    "db missing for an analysis": case("coverage", "courts", "--db", "nowhere.sqlite",
                                       mentions=("nowhere.sqlite", "db init")),
    "db damaged": case("coverage", "courts", "--db", "corrupt.sqlite", code=1,
                       mentions=("corrupt.sqlite", "not a readable SQLite database")),
    "db damaged (db command)": case("db", "history", "x", "--db", "corrupt.sqlite", code=1, mentions="corrupt.sqlite"),
    "db damaged (import)": case("import", "all_rejected.csv", "--db", "corrupt.sqlite", code=1,
                                mentions="corrupt.sqlite"),
    "db damaged from the environment": case("coverage", "areas", code=1, mentions="corrupt.sqlite",
                                            env={DATABASE_ENV: "corrupt.sqlite"}),
    "db file: from the environment": case("coverage", "courts", mentions=(f"${DATABASE_ENV}", "file:"),
                                          env={DATABASE_ENV: "file:directory.sqlite"}),
    "db read-only by its url": case("import", "good.csv", "--db", "sqlite:///file:{ws}/db.sqlite?mode=ro&uri=true",
                                    code=1, mentions=("db.sqlite", "read-only")),
    "db read-only by its mode": case("import", "good.csv", "--db", "readonly.sqlite", code=1,
                                     mentions=("readonly.sqlite", "read-only"), needs_non_root=True),
    "db unreachable hides password": case(
        "coverage", "courts", "--db", f"postgresql+psycopg://editor:{SECRET}@127.0.0.1:1/directory", code=1,
        mentions=("postgresql+psycopg://editor:***@127.0.0.1:1/directory",), absent=(SECRET,)),
    # Spreadsheet imports in which nothing can be accepted.
    "import empty file": case("import", "empty.csv", "--db", "db.sqlite", code=1, mentions=("empty.csv", "empty")),
    "import header only": case("import", "header_only.csv", "--db", "db.sqlite", code=1, mentions="header_only.csv"),
    "import random bytes": case("import", "junk.csv", "--db", "db.sqlite", "--dry-run", code=1, mentions="junk.csv"),
    "import every row rejected": case("import", "all_rejected.csv", "--db", "db.sqlite", "--json", code=1,
                                      mentions=("all_rejected.csv", "all 1 row(s) were rejected")),
    # Successor rules.
    "import successor cycle": case("import", "cycle.csv", "--db", "db.sqlite", code=1,
                                   mentions=("cycle.csv", "all 2 row(s)")),
    "import self successor": case("import", "self_successor.csv", "--db", "db.sqlite", code=1,
                                  mentions="self_successor.csv"),
    "import cycle through a stored centre": case("import", "cycle_with_stored.csv", "--db", "db.sqlite", code=1,
                                                 mentions="cycle_with_stored.csv"),
}


def _argv(case: Case, root: Path) -> list[str]:
    sheet = str(Path(__file__).resolve().parent.parent / "network_data" / "standards" / "millis_sample.yaml")
    return [a.replace("{ws}", str(root)).replace("SHEET", sheet) for a in case.argv]


@pytest.mark.parametrize("name", list(CASES))
def test_misuse_is_one_line_and_a_non_zero_exit_and_writes_nothing(
    name: str, workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    misuse = CASES[name]
    if misuse.needs_non_root and IS_ROOT:
        pytest.skip(ROOT_READS_ANYTHING)
    for variable, value in misuse.env.items():
        monkeypatch.setenv(variable, value)
    before = snapshot(workspace)
    code, out, err = run(_argv(misuse, workspace), capsys)
    assert code == misuse.code, f"exit {code}, stderr: {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), f"stderr is not one line: {err!r}"
    assert "Traceback" not in err
    assert lines[0].startswith("millis-network"), lines[0]
    assert ": error: " in lines[0], lines[0]
    for text in misuse.mentions:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    for text in misuse.absent:
        assert text not in err and text not in out
    assert snapshot(workspace) == before, "a refused command changed the workspace"


def test_import_that_accepts_something_exits_0_and_counts_the_rejected(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = workspace / "mixed.csv"
    sheet.write_text(SHEETS["all_rejected.csv"] + "Good Postcode Sample Centre,Bath,BA1 5AF,yes\n", encoding="utf-8")
    for dry_run in (["--dry-run"], []):
        code, _, err = run(["import", "mixed.csv", "--db", "db.sqlite", *dry_run], capsys)
        assert code == 0
        assert err.splitlines() == [
            "millis-network: 1 row(s) of mixed.csv rejected (listed in the output); the other 1 "
            + ("would be imported (dry run)" if dry_run else "imported")]
    with open_store(workspace / "db.sqlite") as store:
        assert "Good Postcode Sample Centre" in set(store.centres()["name"])


def test_successor_cycles_rows_are_named_by_file_row_and_field(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "cycle.csv", "--db", "db.sqlite", "--dry-run"], capsys)
    assert code == 1
    assert "cycle.csv:2: successor_id: successors go round in a circle (cycle-a-sample → cycle-b-sample → cycle-a-sample)" in out
    assert "cycle.csv:3: successor_id: successors go round in a circle" in out
    code, out, _ = run(["import", "self_successor.csv", "--db", "db.sqlite", "--dry-run"], capsys)
    assert code == 1
    assert "self_successor.csv:2: successor_id: centre 'self-sample' names itself as its successor" in out
    code, out, _ = run(["import", "cycle_with_stored.csv", "--db", "db.sqlite", "--dry-run"], capsys)
    assert code == 1
    assert ("cycle_with_stored.csv:2: successor_id: successors would go round in a circle (centrepoint-child-contact-"
            "centre-jersey → millis-child-contact-centre → centrepoint-child-contact-centre-jersey)") in out


def _network_data_with(tmp_path: Path, network_data: Path, change: Callable[[pd.DataFrame], None]) -> Path:
    copy = tmp_path / "network_data"
    shutil.copytree(network_data, copy)
    path = copy / "centres" / "centres.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False, lineterminator="\n")
    return copy


def _row(frame: pd.DataFrame, centre_id: str) -> int:
    return int(frame.index[frame["id"] == centre_id][0])


def test_validate_refuses_successor_cycles_and_self_successors(
    tmp_path: Path, network_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    millis, centrepoint = "millis-child-contact-centre", "centrepoint-child-contact-centre-jersey"
    rows: dict[str, str] = {}

    def circle(frame: pd.DataFrame) -> None:
        rows.update(millis=str(_row(frame, millis) + 2), centrepoint=str(_row(frame, centrepoint) + 2))
        at = _row(frame, centrepoint)
        frame.loc[at, ["status", "closed", "successor_id"]] = ["closed", "2025", millis]
        other = int(frame.index[(frame["status"] == "closed") & (frame["successor_id"] == "")][0])
        rows.update(self=str(other + 2), self_id=str(frame.loc[other, "id"]))
        frame.loc[other, "successor_id"] = rows["self_id"]

    copy = _network_data_with(tmp_path, network_data, circle)
    code, out, err = run(["validate", "--data-dir", str(copy)], capsys)
    assert code == 1
    assert err.splitlines() == ["3 problem(s) found"]
    centres = str(copy / "centres" / "centres.csv")
    lines = out.splitlines()
    assert f"{centres}:{rows['millis']}: successor_id: successors go round in a circle ({millis} → {centrepoint} → {millis}); " \
           "a centre cannot take over from a centre that took over from it" in lines
    assert any(line.startswith(f"{centres}:{rows['centrepoint']}: successor_id: successors go round") for line in lines)
    assert any(line.startswith(f"{centres}:{rows['self']}: successor_id: centre '{rows['self_id']}' names itself")
               for line in lines)


def test_db_import_refuses_a_successor_cycle_in_network_data(
    tmp_path: Path, network_data: Path, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def circle(frame: pd.DataFrame) -> None:
        at = _row(frame, "centrepoint-child-contact-centre-jersey")
        frame.loc[at, ["status", "closed", "successor_id"]] = ["closed", "2025", "millis-child-contact-centre"]

    copy = _network_data_with(tmp_path, network_data, circle)
    before = snapshot(workspace)
    code, _, err = run(["db", "import", "--db", "db.sqlite", "--data-dir", str(copy)], capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 and "successor_id: successors go round in a circle" in err
    assert snapshot(workspace) == before


def test_db_export_needs_force_to_overwrite(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["db", "export", "--db", "db.sqlite", "--out", "exported"], capsys)
    assert code == 2
    assert err.splitlines() == [
        ("millis-network: error: exported/centres/centres.csv exists and db export would overwrite it "
         "(and 1 other file): pass --force to replace them, or give another --out DIR")]
    assert (workspace / "exported" / "centres" / "centres.csv").read_text(encoding="utf-8") == "id\nkeep-me\n"
    code, _, err = run(["db", "export", "--db", "db.sqlite", "--out", "exported", "--force"], capsys)
    assert code == 0 and err == ""
    assert (workspace / "exported" / "centres" / "centres.csv").read_text(encoding="utf-8").startswith("id,name,")


def test_a_new_database_is_private_to_its_owner(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace.chmod(0o755)
    code, _, err = run(["db", "init", "--db", "private/nested/directory.sqlite"], capsys)
    assert code == 0, err
    for folder in ("private", "private/nested"):
        assert stat.S_IMODE((workspace / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((workspace / "private/nested/directory.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o755, "a folder the store did not make keeps its mode"
    assert not any(p.name.startswith("file:") for p in workspace.rglob("*"))


def test_an_os_error_while_running_is_one_line_and_exit_1(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: a file that fails under a running command (here: a full disk)."""
    from millis_network.cli import coverage

    def full_disk(frame: pd.DataFrame, path: Path) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(coverage, "write_csv", full_disk)
    code, _, err = run(["coverage", "courts", "--out", "courts.csv", "--json"], capsys)
    assert code == 1
    assert err.splitlines() == ["millis-network: error: courts.csv: No space left on device"]


SCRIPT = Path(sys.executable).with_name("millis-network")


@pytest.mark.parametrize(
    ("argv", "code", "mentions"),
    [
        (["coverage", "courts", "--threshold-minutes", "0"], 2, "--threshold-minutes"),
        (["petition", "abc"], 2, "'abc'"),
        (["import", "missing.csv", "--db", "db.sqlite"], 2, "missing.csv"),
        (["coverage", "courts", "--db", "corrupt.sqlite"], 1, "corrupt.sqlite"),
        (["db", "revert", "99999999999999999999", "--db", "db.sqlite"], 2, "CHANGE_ID"),
        (["import", "all_rejected.csv", "--db", "db.sqlite"], 1, "all_rejected.csv"),
    ],
)
def test_the_console_script_prints_no_traceback(
    argv: list[str], code: int, mentions: str, workspace: Path
) -> None:
    assert SCRIPT.exists(), f"{SCRIPT} is missing: install the package (pip install -e .)"
    before = snapshot(workspace)
    done = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True, cwd=workspace, timeout=300, check=False,
                          env={k: v for k, v in os.environ.items() if k != DATABASE_ENV})
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and mentions in lines[0], done.stderr
    assert snapshot(workspace) == before
