"""Benchmark: hostile files of a few kilobytes against the one spreadsheet reader and the YAML records reader.

Run on demand (not a test):  python benchmarks/hostile_files.py

Each file is built by ``tests/hostile_files.py`` and read in a fresh child
process, with the importer's limits (``IMPORT_LIMITS``) and the roster
upload's (``ROSTER_LIMITS``) in turn; reported per file: its size, the
outcome (the refusal's first words), the child's CPU seconds and peak
resident memory (``ru_maxrss``) beyond an empty child's, so the cost of
starting Python and importing the reader is not counted. The aim is a refusal
within 2 s of CPU and 300 MB of memory.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_files import BILLION_LAUGHS, rezipped, with_bomb, workbook, worksheet  # noqa: E402

CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    from millis_network import _sheets, standards
    from millis_network.errors import DataFileError
    data = Path(sys.argv[1]).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF)
    outcome = "read"
    if sys.argv[2] != "nothing":
        try:
            eval(sys.argv[2])
        except DataFileError as exc:
            outcome = "refused: " + str(exc)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"{cpu:.3f}\\t{after.ru_maxrss}\\t{' '.join(outcome.split())[:70]}")
    """
)
SHEET = "_sheets.read_sheet(data, name='hostile', limits=_sheets.{limits})"
YAML = "standards.read_records(data, name='hostile.yaml', standards=standards.load_standards())"


def files() -> dict[str, tuple[bytes, str]]:
    """Each hostile file and the reader call that meets it."""
    dimension = worksheet('<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                          '<c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData>')
    far = worksheet('<sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
                    '</sheetData>')
    return {
        "deflate bomb (1 GiB unpacked)": (with_bomb(workbook(), unpacked=2**30, declared=2**30), SHEET),
        "bomb declaring 1 KiB": (with_bomb(workbook(), unpacked=2**30, declared=1024), SHEET),
        "sheet declaring A1:XFD1048576": (rezipped(workbook(), {"xl/worksheets/sheet1.xml": dimension}), SHEET),
        "one far cell, no dimension": (rezipped(workbook(), {"xl/worksheets/sheet1.xml": far}), SHEET),
        "CSV with a 10 MB cell": (b"Name,Town\n" + b"x" * 10_000_000 + b",Bath\n", SHEET),
        "billion laughs YAML": (BILLION_LAUGHS.encode(), YAML),
    }


def run(path: Path, expression: str) -> tuple[float, int, str]:
    result = subprocess.run([sys.executable, "-c", CHILD, str(path), expression], capture_output=True, text=True,
                            timeout=600, check=True)
    cpu, rss_kib, outcome = result.stdout.strip().split("\t", 2)
    return float(cpu), int(rss_kib), outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty"
        empty.write_bytes(b"")
        _, baseline_kib, _ = run(empty, "nothing")
        print(f"{'file':32} {'bytes':>9} {'limits':>7} {'CPU s':>6} {'extra MB':>8}  outcome")
        for name, (data, call) in files().items():
            path = Path(folder) / "hostile"
            path.write_bytes(data)
            for limits in (("IMPORT_LIMITS", "ROSTER_LIMITS") if call == SHEET else ("-",)):
                cpu, rss_kib, outcome = run(path, call.format(limits=limits))
                extra_mb = max(rss_kib - baseline_kib, 0) / 1024
                print(f"{name:32} {len(data):>9,} {limits.split('_')[0].lower():>7} {cpu:6.2f} {extra_mb:8.0f}  {outcome}")


if __name__ == "__main__":
    main()
