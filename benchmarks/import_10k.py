"""Benchmark: importing a 10,000-row coordinator spreadsheet (CSV and XLSX) into a fresh store.

Run on demand (not a test):  python benchmarks/import_10k.py

The rows are generated and flagged sample: illustrative centres at real
postcodes spread across the ONS Postcode Directory (9 in 10 rows, the
postcodes in mixed spellings; Great Britain only, see :func:`_is_postcode`) or at a real town only (1 in 10), with the
headings people use ("Centre name", "Town/City", "Post Code"). Each format
runs in a fresh process against a new SQLite file that holds the bundled
directory, timing: reading and planning (column mapping, normalisation,
duplicate checks, geocoding, validation), then the single-transaction write
with its audit entries. Memory is the process's resident set size before
the import (with the postcode index loaded, as any import needs it) and its
peak. The postcode index is read from its disk cache (run
``millis-network data build-index`` once first); the GeoNames gazetteer's
first load (~2 s) falls inside the timed planning.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl

from millis_network.config import default_data_dir
from millis_network.errors import PostcodeError
from millis_network.postcodes import load_index, normalise_postcode
from millis_network.store.importer import apply_import, plan_import

ROWS = 10_000
TOWNS = ["Abingdon", "Aberystwyth", "Barnstaple", "Basingstoke", "Bedford", "Beverley", "Carlisle", "Truro"]
HEADINGS = ["Centre name", "Town/City", "Post Code", "Services offered", "Accreditation", "Sample"]


def spreadsheet_rows(rows: int) -> list[list[str]]:
    """Generated sample rows: real postcodes (in mixed spellings) or real towns, deterministic."""
    index = load_index()
    rng = np.random.default_rng(2026)
    located = np.flatnonzero(~np.isnan(index.lat))
    keys = [k.decode("ascii") for k in index.keys[rng.choice(located, 2 * rows, replace=False)]]
    shaped = [k for k in keys if _is_postcode(k) and not k.startswith("BT")][:rows]
    out = []
    for number, compact in enumerate(shaped):
        spelling = (compact.lower(), f"{compact[:-3]} {compact[-3:]}", f" {compact[:-3]}  {compact[-3:].lower()} ")[number % 3]
        postcode, town = (spelling, "") if number % 10 else ("", TOWNS[number % len(TOWNS)])
        services = ("supported", "Supported contact & supervised", "supervised, handover")[number % 3]
        out.append([f"Milli’s Benchmark Sample Centre {number:05d}", town, postcode, services, "", "yes"])
    return out


def _is_postcode(compact: str) -> bool:
    """Whether a directory key is a current-format postcode (the ONSPD also keeps old ones such as 'NPT 0TL').

    Northern Ireland (BT) postcodes are left out above: their ONSPD grid
    references are Irish Grid, which the postcode index reads as British
    National Grid, so they land in Wales and the importer rightly rejects them.
    """
    try:
        normalise_postcode(compact)
    except PostcodeError:
        return False
    return True


def _resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 1e6


def as_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return text.getvalue().encode("cp1252")


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADINGS)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_one(kind: str) -> dict:
    """Time one import in this process; returns the measurements."""
    from millis_network.store.database import open_store

    rows = spreadsheet_rows(ROWS)
    data = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "directory.sqlite", seed_from=default_data_dir())
        before_mb = _resident_mb()
        start = time.perf_counter()
        plan = plan_import(store, data, name=f"benchmark.{kind}")
        planned = time.perf_counter()
        summary = apply_import(store, plan, who="benchmark")
        written = time.perf_counter()
        store.close()
    return {
        "format": kind,
        "file_mb": len(data) / 1e6,
        "counts": plan.counts(),
        "created": summary.created,
        "plan_s": planned - start,
        "write_s": written - planned,
        "rss_before_mb": before_mb,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    for kind in ("csv", "xlsx"):
        result = json.loads(subprocess.run([sys.executable, __file__, "--one", kind], check=True,
                                           capture_output=True, text=True).stdout)
        counts = ", ".join(f"{n} {outcome}" for outcome, n in result["counts"].items())
        print(f"{kind.upper()} ({result['file_mb']:.1f} MB, {ROWS:,} rows: {counts})")
        print(f"  read, map, normalise, geocode, check: {result['plan_s']:.2f} s")
        print(f"  write {result['created']:,} centres + audit entries in one transaction: {result['write_s']:.2f} s")
        print(f"  total: {result['plan_s'] + result['write_s']:.2f} s = {ROWS / (result['plan_s'] + result['write_s']):,.0f} rows/s")
        print(f"  memory: {result['rss_before_mb']:.0f} MB resident before (postcode index loaded), "
              f"peak {result['max_rss_mb']:.0f} MB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(sys.argv[2])))
    else:
        main()
