"""How long an accepted edit takes to reach the coverage map's data.

Run on demand:  python benchmarks/edit_to_map.py [--runs 7]

A copy of the directory database seeded from ``network_data/`` takes one
editor's change (Abingdon Contact Centre gains supported and supervised
contact, which brings Oxford's courts within the rule), then everything the
coverage map needs is computed again, as the dashboard does at the next rerun
once the revision has moved: the revision query, the network read from the
database, its public view, the national analysis under the default rule, the
drive-time summary by local authority and the map's area layer. Reported: the
median and range of that time, and of its parts, over the runs (each run
undoes the previous edit first, so every run changes the same thing).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "dashboard"))

import map_layers  # noqa: E402

from millis_network.config import CampaignRule, default_data_dir  # noqa: E402
from millis_network.engine.analysis import run_analysis  # noqa: E402
from millis_network.places import local_authority_boundaries  # noqa: E402
from millis_network.store.database import open_store  # noqa: E402

CENTRE = "abingdon-contact-centre"
COURT = "oxford-combined-court-centre"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    rule = CampaignRule()
    areas = map_layers.simplified_areas(local_authority_boundaries())
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seed.sqlite"
        open_store(seeded, seed_from=default_data_dir()).close()
        live = Path(folder) / "live.sqlite"
        shutil.copy(seeded, live)
        parts: dict[str, list[float]] = {name: [] for name in ("write", "read network", "analysis", "map layer", "total")}
        with open_store(live) as store:
            for run in range(runs + 1):
                services = "supported; supervised" if run % 2 == 0 else ""
                start = time.perf_counter()
                store.update_centre(CENTRE, {"services": services}, expected_version=store.centre(CENTRE)["version"],
                                    who="benchmark")
                written = time.perf_counter()
                store.revision()
                network = store.network().public()
                read = time.perf_counter()
                analysis = run_analysis(network, rule)
                analysed = time.perf_counter()
                summary = analysis.summary(service="supported", by="local_authority")
                map_layers.area_features(areas, summary, service="supported")
                status = analysis.court_coverage.set_index("court_id").at[COURT, "status"]
                done = time.perf_counter()
                assert status == ("meets rule" if services else "neither"), status
                if run == 0:
                    continue  # the first run also warms the postcode index and the model
                for name, seconds in (("write", written - start), ("read network", read - written),
                                      ("analysis", analysed - read), ("map layer", done - analysed),
                                      ("total", done - start)):
                    parts[name].append(seconds)
    for name, values in parts.items():
        print(f"{name:>13}: median {statistics.median(values) * 1000:6.0f} ms "
              f"(range {min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms over {len(values)} runs)")


if __name__ == "__main__":
    main()
