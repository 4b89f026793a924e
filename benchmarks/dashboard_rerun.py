"""The server's part of a control change on the coverage map: one script run with every cache filled.

Run on demand:  python benchmarks/dashboard_rerun.py [--runs 10]

Streamlit's AppTest runs ``dashboard/app.py`` (the landing page) on a
directory database seeded from ``network_data/`` beforehand, once to fill the
caches, then ``--runs`` more times with nothing changed: each of those is what
the server does for a visitor's control change whose figures are already
cached (page furniture, headline, the map built and written out). No browser
is involved: ``benchmarks/dashboard_first_map.py`` measures the whole change
as a visitor sees it. Reports the first run and the median (range) of the rest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from millis_network.config import default_data_dir
from millis_network.store.database import open_store

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "directory.sqlite"
        open_store(database, seed_from=default_data_dir()).close()
        os.environ["MILLIS_NETWORK_DB"] = str(database)
        sys.path.insert(0, str(APP.parent))
        page = AppTest.from_file(str(APP), default_timeout=300)
        start = time.perf_counter()
        page.run()
        first = time.perf_counter() - start
        if page.exception:
            raise SystemExit(f"the coverage map failed: {page.exception}")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            page.run()
            times.append(time.perf_counter() - start)
    print(f"first run (imports, directory read, analysis, map): {first:.2f} s")
    print(f"rerun with every cache filled, median (range) of {args.runs}: "
          f"{statistics.median(times):.3f} s ({min(times):.3f}–{max(times):.3f})")


if __name__ == "__main__":
    main()
