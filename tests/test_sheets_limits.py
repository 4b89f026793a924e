"""Hostile files are refused quickly and in little memory, the refusal naming the file, the limit and what to do.

Every hostile file is built here, in the test: a deflate bomb, a worksheet
declaring the whole of Excel's grid, a CSV with a 10 MB cell, a "billion
laughs" YAML. Memory and time are not asserted by the clock: the reader runs
in a child process under ``RLIMIT_AS`` (600 MB of address space) and
``RLIMIT_CPU`` (a few seconds), where a reader that unpacked the bomb or
expanded the aliases would die of ``MemoryError`` or ``SIGXCPU`` instead of
exiting cleanly with the refusal. A control test shows the same harness
killing a naive reader.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile_files import (
    BILLION_LAUGHS,
    MAIN,
    rezipped,
    with_bomb,
    workbook,
    worksheet,
)

from millis_network import standards as std
from millis_network._sheets import (
    IMPORT_LIMITS,
    ROSTER_LIMITS,
    SheetLimitError,
    SheetLimits,
    read_sheet,
)
from millis_network.errors import DataFileError
from millis_network.store.database import Store
from millis_network.store.importer import plan_import

ADDRESS_SPACE_BYTES = 600 * 2**20
CPU_SECONDS = 5
GIB = 2**30

#: Runs in the child: set the limits, then read ``argv[1]`` as the expression ``argv[2]`` says, printing
#: the refusal (or what was read) and exiting 0; anything else (MemoryError, SIGXCPU) is a failure.
CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    from pathlib import Path
    from millis_network import _sheets, standards
    from millis_network.errors import DataFileError
    path = Path(sys.argv[1])
    data = path.read_bytes()
    try:
        result = eval(sys.argv[2])
    except DataFileError as exc:
        print("refused:", exc)
    else:
        print("read:", result)
    """
).format(memory=ADDRESS_SPACE_BYTES, cpu=CPU_SECONDS)

limited = pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs POSIX resource limits")


def run_limited(path: Path, expression: str) -> subprocess.CompletedProcess[str]:
    """Run ``expression`` (with ``path`` and ``data`` bound) in a child under the memory and CPU limits."""
    # One BLAS thread keeps numpy (imported by openpyxl) from reserving address space per CPU core.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path), expression],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )


def assert_refused_cleanly(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 0, f"the child died (exit {result.returncode}): {result.stderr[-2000:]}"
    assert result.stdout.startswith("refused: "), result.stdout[:2000]
    for fragment in fragments:
        assert fragment in result.stdout


# ---------------------------------------------------------------- the harness can fail


@limited
def test_the_harness_kills_a_reader_that_unpacks_a_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_bomb(workbook(), unpacked=GIB, declared=GIB))
    result = run_limited(path, "__import__('zipfile').ZipFile(path).read('xl/media/image1.png')")
    assert result.returncode != 0
    assert "MemoryError" in result.stderr or result.returncode < 0


# ---------------------------------------------------------------- XLSX


@limited
@pytest.mark.parametrize(
    ("declared", "says"),
    [(GIB, "the workbook declares 1,07"), (1024, "the workbook unpacks to more than 67,1")],
    ids=["declared-size", "lying-size"],
)
def test_a_deflate_bomb_is_refused_before_openpyxl_sees_it(tmp_path: Path, declared: int, says: str) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_bomb(workbook(), unpacked=GIB, declared=declared))
    assert path.stat().st_size < 2 * 2**20
    result = run_limited(path, "_sheets.read_sheet(data, name='bomb.xlsx', limits=_sheets.IMPORT_LIMITS)")
    assert_refused_cleanly(
        result, f"bomb.xlsx: {says}", "the most accepted is 67,108,864 bytes (limit max_unzipped_bytes)", "save it as CSV"
    )


@limited
@pytest.mark.parametrize(
    ("dimension", "rule", "says"),
    [
        ('<dimension ref="A1:XFD1048576"/>', "limit-dimension",
         "declares cells up to XFD1048576 (1,048,576 rows by 16,384 columns); the most accepted is 1,000 rows by "
         "200 columns (limits max_rows and max_columns): delete the unused rows and columns"),
        ("", "limit-rows", "has more than 1,000 rows (limit max_rows): delete the empty rows at its end"),
    ],
    ids=["declared", "undeclared"],
)
def test_a_worksheet_declaring_the_whole_grid_is_refused(tmp_path: Path, dimension: str, rule: str, says: str) -> None:
    sheet = worksheet(
        f'{dimension}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>person_id</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    data = rezipped(workbook(), {"xl/worksheets/sheet1.xml": sheet})
    path = tmp_path / "grid.xlsx"
    path.write_bytes(data)
    result = run_limited(path, "_sheets.read_sheet(data, name='grid.xlsx', limits=_sheets.ROSTER_LIMITS)")
    assert_refused_cleanly(result, "grid.xlsx: the workbook part xl/worksheets/sheet1.xml (a worksheet)", says)
    with pytest.raises(SheetLimitError) as refused:
        read_sheet(data, name="grid.xlsx", limits=ROSTER_LIMITS)
    assert refused.value.issue.rule == rule


def test_a_row_of_a_million_cells_is_refused_while_streaming() -> None:
    data = rezipped(workbook(), {"xl/worksheets/sheet1.xml": worksheet("<sheetData><row>" + "<c/>" * 1_000_000 + "</row></sheetData>")})
    with pytest.raises(SheetLimitError, match=r"has a row of more than 200 cells \(limit max_columns\)"):
        read_sheet(data, name="wide.xlsx", limits=ROSTER_LIMITS)


def test_xml_beyond_what_excel_writes_is_refused() -> None:
    limits = SheetLimits(max_rows=10, max_columns=5)
    many = rezipped(workbook(), {"xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts>'.encode()
                                 + b"<numFmt/>" * 200_000 + b"</numFmts></styleSheet>"})
    with pytest.raises(SheetLimitError, match=r"xl/styles\.xml brings the workbook's XML beyond 200,000 elements"):
        read_sheet(many, name="styles.xlsx", limits=limits)
    runs = worksheet('<sheetData><row><c t="inlineStr"><is>' + "<r/>" * 100_000 + "</is></c></row></sheetData>")
    with pytest.raises(SheetLimitError, match=r"has a row or shared string of more than 100,000 XML elements"):
        read_sheet(rezipped(workbook(), {"xl/worksheets/sheet1.xml": runs}), name="runs.xlsx", limits=limits)
    deep = rezipped(workbook(), {"xl/worksheets/sheet1.xml": worksheet("<a>" * 100 + "</a>" * 100)})
    with pytest.raises(SheetLimitError, match="nests XML more than 64 deep"):
        read_sheet(deep, name="deep.xlsx", limits=limits)
    entities = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">]><sst xmlns="' + MAIN.encode() + b'"/>'
    sheet = read_sheet(rezipped(workbook(), {"xl/sharedStrings.xml": entities}), name="dtd.xlsx", limits=limits)
    assert [(p.rule, p.message) for p in sheet.problems] == [(
        "file-unreadable",
        "the workbook part xl/sharedStrings.xml declares an XML document type, which Excel never writes; "
        "copy the data into a new workbook, or save it as CSV",
    )]


def test_too_many_zip_members_are_refused() -> None:
    parts = {f"xl/media/image{i}.png": b"x" for i in range(ROSTER_LIMITS.max_zip_members)}
    with pytest.raises(SheetLimitError, match=r"more than 100 parts; the most accepted is 100 \(limit max_zip_members\)"):
        read_sheet(rezipped(workbook(), parts), name="parts.xlsx", limits=ROSTER_LIMITS)
    assert read_sheet(rezipped(workbook(), {}), name="parts.xlsx", limits=ROSTER_LIMITS).problems == ()


# ---------------------------------------------------------------- CSV


def test_a_10_mb_cell_is_refused_naming_row_and_column() -> None:
    data = b"Name,Notes\nBath Sample Centre," + b"x" * 10_000_000 + b"\n"
    with pytest.raises(DataFileError) as refused:
        read_sheet(data, name="notes.csv", limits=IMPORT_LIMITS)
    assert str(refused.value) == (
        "notes.csv:2: Notes: the cell holds 10,000,000 characters; the most accepted is 1,000,000 "
        "(limit max_cell_chars): shorten it, or check that this is the file you meant"
    )
    with pytest.raises(SheetLimitError, match=r"notes\.csv: the file is 10,000,031 bytes; the most accepted is 2,097,152"):
        read_sheet(data, name="notes.csv", limits=ROSTER_LIMITS)


def test_rows_and_columns_beyond_the_limits_are_refused() -> None:
    limits = SheetLimits(max_rows=3, max_columns=2)
    assert read_sheet(b"a,b\n1,2\n3,4\n", name="ok.csv", limits=limits).rows == ((2, ("1", "2")), (3, ("3", "4")))
    with pytest.raises(SheetLimitError, match=r"^rows\.csv:4: the sheet has more than 3 rows \(limit max_rows\)"):
        read_sheet(b"a,b\n1,2\n3,4\n5,6\n", name="rows.csv", limits=limits)
    # Empty cells past the last column are what spreadsheets export; a value there is refused.
    assert read_sheet(b"a,b,,,\n1,2,,,\n", name="ok.csv", limits=limits).header == ("a", "b")
    with pytest.raises(SheetLimitError, match=r"^wide\.csv:2: the row has a value in column 4, beyond the 2 columns"):
        read_sheet(b"a,b\n1,2,,x\n", name="wide.csv", limits=limits)
    with pytest.raises(ValueError, match="SheetLimits.max_rows must be a whole number of at least 1"):
        SheetLimits(max_rows=0)


# ---------------------------------------------------------------- YAML


@limited
def test_a_billion_laughs_yaml_is_refused(tmp_path: Path, network_data: Path) -> None:
    data = BILLION_LAUGHS.encode()
    assert len(data) < 512
    path = tmp_path / "laughs.yaml"
    path.write_bytes(data)
    result = run_limited(path, "standards.read_records(data, name='laughs.yaml', standards=standards.load_standards())")
    assert_refused_cleanly(result, "laughs.yaml:4: the YAML uses more than 20 aliases (*name)", "write the values out in full")
    standards = std.load_standards(network_data / "standards" / "standards.yaml")
    records, report = std.parse_records(data, name="laughs.yaml", standards=standards)
    assert records is None
    assert [(i.row, i.rule) for i in report] == [(4, "yaml-aliases")]
    assert std.parse_standards(BILLION_LAUGHS, file="laughs.yaml")[1].lines() == report.lines()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a: &a [" + ",".join(["x"] * 1000) + "]\nb: [" + ",".join(["*a"] * 11) + "]\n", "yaml-aliases"),
        ("a: &a [*a]\n", "yaml-depth"),
        ("[" * 100 + "]" * 100 + "\n", "yaml-depth"),
    ],
    ids=["few-aliases-repeating-much", "recursive-alias", "deep-nesting"],
)
def test_yaml_that_expands_or_nests_without_bound_is_refused(text: str, rule: str) -> None:
    _, report = std.parse_standards(text, file="x.yaml")
    assert [i.rule for i in report] == [rule]


def test_a_few_aliases_are_still_fine(network_data: Path) -> None:
    standards = std.load_standards(network_data / "standards" / "standards.yaml")
    text = textwrap.dedent(
        """\
        format: millis-network-centre-records/1
        centre: {id: small-centre, services: [supported]}
        people:
          - {id: V1, role: volunteer, evidence: [&dbs {kind: dbs_enhanced, date: 2024-02-01}]}
          - {id: V2, role: volunteer, evidence: [*dbs]}
        """
    )
    records, report = std.parse_records(text.encode(), name="aliases.yaml", standards=standards)
    assert report.lines() == []
    assert records is not None and records.people[0].events == records.people[1].events


# ---------------------------------------------------------------- the readers' callers


def test_an_import_beyond_a_limit_is_a_file_problem_not_a_crash(store: Store) -> None:
    data = with_bomb(workbook(), unpacked=128 * 2**20, declared=128 * 2**20)
    plan = plan_import(store, data, name="bomb.xlsx")
    assert [(p.file, p.rule) for p in plan.problems] == [("bomb.xlsx", "limit-unzipped-bytes")]
    assert plan.rows == () and plan.writes == ()


def test_a_roster_beyond_a_limit_is_one_issue(network_data: Path) -> None:
    standards = std.load_standards(network_data / "standards" / "standards.yaml")
    roster = b"person_id,role\n" + b"V1,volunteer\n" * ROSTER_LIMITS.max_rows
    records, report = std.parse_records(roster, name="roster.csv", standards=standards)
    assert records is None
    assert [(i.file, i.row, i.rule) for i in report] == [("roster.csv", 1001, "limit-rows")]
    with pytest.raises(DataFileError, match=r"roster\.csv:1001: the sheet has more than 1,000 rows \(limit max_rows\)"):
        std.read_records(roster, name="roster.csv", standards=standards)
    big_yaml = b"# " + b"x" * ROSTER_LIMITS.max_file_bytes
    assert [i.rule for i in std.parse_records(big_yaml, name="r.yaml", standards=standards)[1]] == ["limit-file-bytes"]


def test_the_defaults_take_a_legitimate_import_and_roster(network_data: Path) -> None:
    """10,000 centres (CSV and XLSX) within the import limits; 400 people within the roster limits."""
    header = ["Name", "Town", "Postcode", "Services", "Accreditation", "Opening", "Referral", "Notes"]
    rows = [[f"Sample Centre {i}", "Bath", "BA1 5AF", "supported; supervised", "NACCC accredited",
             "Saturdays 10:00-12:00", "by phone or email", "an illustrative row " * 5] for i in range(10_000)]
    csv_data = "\n".join(",".join(row) for row in [header, *rows]).encode()
    assert len(read_sheet(csv_data, name="big.csv", limits=IMPORT_LIMITS).rows) == 10_000
    assert len(read_sheet(workbook([header, *rows]), name="big.xlsx", limits=IMPORT_LIMITS).rows) == 10_000
    standards = std.load_standards(network_data / "standards" / "standards.yaml")
    names = [c.name for c in std.template_columns(standards)]
    people = [[f"V{i}", "volunteer", "2024-01-15", "", *["01/02/2024"] * (len(names) - 4)] for i in range(1, 401)]
    centre = ["my-centre", "centre", "", "", *[""] * (len(names) - 4)]
    book = workbook([names, centre, *people])
    sheet = read_sheet(book, name="roster.xlsx", limits=ROSTER_LIMITS)
    assert (sheet.problems, len(sheet.rows)) == ((), 401)


def test_the_limits_are_documented_as_they_are() -> None:
    folder = Path(__file__).resolve().parent.parent / "network_data"
    centres = " ".join((folder / "centres" / "README.md").read_text(encoding="utf-8").split())
    assert (
        f"a file of at most {IMPORT_LIMITS.max_file_bytes // 2**20} MiB and {IMPORT_LIMITS.max_rows:,} rows, "
        f"{IMPORT_LIMITS.max_columns} columns and {IMPORT_LIMITS.max_cell_chars:,} characters in any cell; a workbook "
        f"of at most {IMPORT_LIMITS.max_zip_members:,} parts unpacking to at most "
        f"{IMPORT_LIMITS.max_unzipped_bytes // 2**20} MiB"
    ) in centres
    roster = " ".join((folder / "standards" / "README.md").read_text(encoding="utf-8").split())
    assert (
        f"at most {ROSTER_LIMITS.max_file_bytes // 2**20} MiB, {ROSTER_LIMITS.max_rows:,} rows, "
        f"{ROSTER_LIMITS.max_columns} columns and {ROSTER_LIMITS.max_cell_chars:,} characters in a cell; a workbook "
        f"of at most {ROSTER_LIMITS.max_zip_members} parts unpacking to at most "
        f"{ROSTER_LIMITS.max_unzipped_bytes // 2**20} MiB"
    ) in roster
