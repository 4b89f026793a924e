"""How fast the dashboard's coverage map appears, how heavy it is, and how fast a control change redraws it.

Run on demand:  python benchmarks/dashboard_first_map.py [--runs 3]

Each run starts a fresh ``python dashboard/serve.py`` (the README's dashboard
command: ``streamlit run dashboard/app.py`` with the landing page prepared while
the browser loads) on a free local port, reading a directory database seeded
from ``network_data/`` beforehand, and drives Debian's Chromium
(``/usr/bin/chromium``, headless) with Playwright; requests to any other host
are refused, as on a machine with no network. Side by side, in the same run,
it starts the baseline (``benchmarks/baseline_map_app.py``): a minimal
Streamlit app drawing the same folium map from a file prepared before the
clock starts. Reports the median and range over the runs:

- server ready: the command to ``/_stcore/health`` answering;
- first map: the command to the court markers drawn in the map frame (the
  map's script adds every layer in one go), for the dashboard and the
  baseline, and their ratio (median of each run's ratio);
- map payload: the largest websocket message (the map element) and the map
  frame's static files (component, Leaflet, marker clusters; cached by the
  browser after the first visit);
- control change: choosing another reach threshold until the map's layer list
  shows the new court counts, for a rule not yet computed and for one cached;
  and the same two changes in the baseline, whose threshold only chooses
  between court layers prepared beforehand (the least a change can cost here:
  Streamlit's rerun and the map's redraw in this browser).
"""

from __future__ import annotations

import argparse
import os
import pickle
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, Request, Route, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "dashboard"))

import map_layers

from millis_network.config import CampaignRule, default_data_dir
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.places import local_authority_boundaries
from millis_network.store.database import open_store

SERVER_OPTIONS = [
    "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    "--server.fileWatcherType", "none",
]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _local_only(route: Route) -> None:
    if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def _meets_rule_label(analysis: Analysis) -> str:
    return f"meets rule ({int(analysis.court_coverage['meets_rule'].sum())})"


#: The threshold changes timed, in order: (the option chosen, its threshold in minutes). The first is
#: not yet computed when chosen; the second is the landing page's own rule, cached.
THRESHOLD_CHANGES: tuple[tuple[str, float], ...] = (("45 minutes' drive", 45.0), ("30 minutes' drive", 30.0))


def _prepare_baseline(analyses: dict[float, Analysis], path: Path) -> None:
    """The landing page's map under the default rule, with court layers for each threshold, as the baseline reads it."""
    landing = analyses[30.0]
    prepared = {
        "centres": map_layers.drawable_centres(landing.centres, include_sample=False),
        "areas": map_layers.coverage_areas(map_layers.area_features(
            map_layers.simplified_areas(local_authority_boundaries()),
            landing.summary(service="supported", by="local_authority"), service="supported")),
        "coverage": {label: analyses[minutes].court_coverage for label, minutes in reversed(THRESHOLD_CHANGES)},
        "bounds": map_layers.bounds_of(landing.court_coverage),
    }
    path.write_bytes(pickle.dumps(prepared))


def _choose_threshold(page: Page, label: str, layer_text: str) -> float:
    threshold = page.locator("section[data-testid='stSidebar'] div[data-testid='stSelectbox']").filter(has_text="Reach threshold")
    expect(threshold).to_have_count(1)  # a rerun in flight may still show the previous run's copy
    threshold.click()
    start = time.perf_counter()
    page.get_by_role("option", name=label).click()
    layers = page.frame_locator(MAP_FRAME).locator(".leaflet-control-layers-overlays", has_text=layer_text)
    layers.wait_for(state="attached")
    return time.perf_counter() - start


def _first_map(
    browser: Browser, command: list[str], url: str, environment: dict[str, str]
) -> tuple[subprocess.Popen, Page, dict[str, float]]:
    """Start ``command`` and open ``url`` once it answers: the server, the page (map drawn) and the times."""
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    context.set_default_timeout(120_000)
    context.route("**/*", _local_only)
    page = context.new_page()
    frames: list[int] = []
    assets: list[Request] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(len(data))))
    page.on("requestfinished", lambda r: assets.append(r) if "/component/" in r.url else None)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    while not _healthy(url):
        time.sleep(0.05)
    ready = time.perf_counter() - start
    page.goto(url)
    page.frame_locator(MAP_FRAME).locator("path.court-marker").first.wait_for()
    first_map = time.perf_counter() - start
    asset_bytes = sum(request.sizes()["responseBodySize"] for request in {r.url: r for r in assets}.values())
    return process, page, {"ready": ready, "first_map": first_map, "element_mb": max(frames) / 1e6, "assets_mb": asset_bytes / 1e6}


def _stop(process: subprocess.Popen, page: Page) -> None:
    page.context.close()
    process.terminate()
    process.wait(timeout=30)


def one_run(browser: Browser, labels: dict[float, str], database: Path, prepared: Path) -> dict[str, float]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(ROOT / "dashboard" / "serve.py"), "--server.port", str(port), *SERVER_OPTIONS]
    process, page, times = _first_map(browser, command, url, os.environ | {"MILLIS_NETWORK_DB": str(database)})
    try:
        uncached, cached = (_choose_threshold(page, option, labels[minutes]) for option, minutes in THRESHOLD_CHANGES)
    finally:
        _stop(process, page)
    port = _free_port()
    baseline_command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "benchmarks" / "baseline_map_app.py"),
        "--server.port", str(port), *SERVER_OPTIONS, "--", str(prepared),
    ]
    process, page, baseline = _first_map(browser, baseline_command, f"http://127.0.0.1:{port}",
                                         os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (
                                             str(ROOT / "dashboard"), os.environ.get("PYTHONPATH"))))})
    try:
        baseline_first, baseline_again = (_choose_threshold(page, option, labels[minutes])
                                          for option, minutes in THRESHOLD_CHANGES)
    finally:
        _stop(process, page)
    return {
        "server ready (s)": times["ready"],
        "first map after the server command (s)": times["first_map"],
        "baseline: first map, same map from a file (s)": baseline["first_map"],
        "first map / baseline": times["first_map"] / baseline["first_map"],
        "map element over the websocket (MB)": times["element_mb"],
        "baseline map element (MB)": baseline["element_mb"],
        "map frame static files, first visit (MB sent)": times["assets_mb"],
        "threshold change, rule not yet computed (s)": uncached,
        "threshold change, rule cached (s)": cached,
        "baseline: threshold change, first time (s)": baseline_first,
        "baseline: threshold change, back again (s)": baseline_again,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "directory.sqlite"
        with open_store(database, seed_from=default_data_dir()) as store:
            network = store.network().public()
        analyses = {minutes: run_analysis(network, CampaignRule(threshold_minutes=minutes)) for _, minutes in THRESHOLD_CHANGES}
        labels = {minutes: _meets_rule_label(analysis) for minutes, analysis in analyses.items()}
        prepared = Path(folder) / "baseline-map.pickle"
        _prepare_baseline(analyses, prepared)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            results = [one_run(browser, labels, database, prepared) for _ in range(args.runs)]
            browser.close()
    print(f"median (range) of {args.runs} runs, each on a fresh server; load average before: {load:.1f}")
    for name in results[0]:
        values = [r[name] for r in results]
        print(f"{name:<50}{statistics.median(values):8.2f}   ({min(values):.2f}–{max(values):.2f})")


if __name__ == "__main__":
    main()
