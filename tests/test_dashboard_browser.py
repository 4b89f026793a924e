"""The dashboard in a real browser: its server (``dashboard/serve.py``) on a free port, driven by headless Chromium.

Uses Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it) through
the Python ``playwright`` package; no browser is downloaded. Requests to any
host but this machine are refused, so the test also proves the map draws with
no network. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from millis_network.directory import family_court_centres
from millis_network.store.database import open_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "dashboard" / "serve.py"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
#: Quiet flags: the machine has no network, and Chromium's own background
#: traffic would otherwise flood refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
TIMEOUT_MS = 90_000
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_health(url: str, process: subprocess.Popen, log_name: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited with code {process.returncode}; see test-artifacts/{log_name}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s")


@contextmanager
def _dashboard_server(log_name: str, database: Path) -> Iterator[str]:
    """A fresh dashboard server on a free port reading ``database``; yields its URL.

    Its output goes to test-artifacts/``log_name``.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, str(SERVE), "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    with open(ARTIFACTS / log_name, "w", encoding="utf-8") as log:
        environment = os.environ | {"MILLIS_NETWORK_DB": str(database)}
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environment)
        try:
            _wait_for_health(url, process, log_name)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _database(tmp_path_factory: pytest.TempPathFactory, seed: Path) -> Path:
    """A copy of the seeded directory database for one server."""
    path = tmp_path_factory.mktemp("browser-directory") / "directory.sqlite"
    shutil.copy(seed, path)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, dashboard_seed: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing at /usr/bin/chromium; .ci/run must install it")
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with _dashboard_server("streamlit.log", _database(tmp_path_factory, dashboard_seed)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _local_only(route: Route) -> None:
    if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1500}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", _local_only)
    yield context.new_page()
    context.close()


def test_the_map_draws_every_court_offline_and_a_click_shows_its_centres(server: str, page: Page) -> None:
    page.goto(f"{server}/")
    frame = page.frame_locator(MAP_FRAME)
    courts = frame.locator("path.court-marker")
    courts.first.wait_for()
    assert courts.count() == len(family_court_centres())
    assert frame.locator(".centre-icon, .marker-cluster").count() > 0
    assert "Family court centres" in frame.locator(".map-legend").inner_text()
    assert page.get_by_role("button", name="Deploy").count() == 0, "the developer toolbar shows to visitors"
    page.screenshot(path=str(ARTIFACTS / "coverage_map.png"))

    courts.first.dispatch_event("click")
    page.get_by_text("Nearest supported centres in this directory").wait_for()
    assert "court=" in page.url
    page.screenshot(path=str(ARTIFACTS / "coverage_map_court.png"), full_page=True)

    page.get_by_test_id("stRadioGroup").get_by_text("Tables").click()
    page.get_by_text(f"{len(family_court_centres())} family court centres; status under the rule").wait_for()
    assert "view=tables" in page.url and "court=" in page.url
    expect(page.frame_locator(MAP_FRAME).locator("path.court-marker")).to_have_count(0)  # once the rerun has finished


def test_a_postcode_search_lists_centres_and_downloads_the_sheet(server: str, page: Page) -> None:
    page.goto(f"{server}/find_a_centre")
    page.get_by_label("Family's postcode").fill("b46ds")
    page.get_by_role("button", name="Find centres").click()
    page.get_by_text("Nearest supported centres to postcode district B4").wait_for()
    assert "postcode=B4" in page.url and "b46ds" not in page.url.lower()
    page.screenshot(path=str(ARTIFACTS / "find_a_centre.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Information sheet for the parents (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    page.get_by_label("Family's postcode").fill("not a postcode")
    page.get_by_role("button", name="Find centres").click()
    page.get_by_text("That postcode cannot be used.").wait_for()


def test_a_shared_link_opened_first_on_a_new_server_keeps_its_settings(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, dashboard_seed: Path
) -> None:
    with _dashboard_server("streamlit-deep-link.log", _database(tmp_path_factory, dashboard_seed)) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", _local_only)
        page = context.new_page()
        page.goto(f"{url}/gaps?threshold=45min&service=supervised")
        page.get_by_role("heading", name="Gaps: courts without both services in reach").wait_for()
        page.get_by_text("within 45 min (estimated drive)").first.wait_for()
        assert page.get_by_test_id("stSidebar").get_by_text("Settings", exact=True).is_visible()
        assert "threshold=45min" in page.url and "service=supervised" in page.url
        context.close()


#: A centre name that runs script wherever it is written into a page as HTML.
HOSTILE_NAME = '<img src=x onerror="window.top.__xss = 1; alert(1)">SAMPLE hostile centre'


def test_a_hostile_centre_name_runs_no_script_on_the_map(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, dashboard_seed: Path
) -> None:
    database = _database(tmp_path_factory, dashboard_seed)
    with open_store(database) as store:
        store.add_centre({"id": "sample-hostile-centre", "name": HOSTILE_NAME, "jurisdiction": "England",
                          "town": "Birmingham", "postcode": "B4 6DS", "location_precision": "postcode",
                          "lat": "52.483400", "lon": "-1.893200", "services": "supported; supervised",
                          "accreditation": "not stated", "address_withheld": "no", "status": "open", "sample": "yes",
                          "source_urls": "https://example.org/"}, who="test")
    with _dashboard_server("streamlit-hostile.log", database) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", _local_only)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{url}/?sample=yes")
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.court-marker").first.wait_for()
        # Build every marker's tooltip, clustered or not (each GeoJSON layer's tooltip function, as a hover
        # would): folium writes tooltip text with innerHTML, and an <img> whose src fails runs its onerror
        # even in a detached element.
        built = frame.locator("body").evaluate("""() => {
            let count = 0;
            for (const key of Object.keys(window)) {
                const group = window[key];
                if (!(group instanceof L.GeoJSON) || !group.getTooltip()) continue;
                const content = group.getTooltip()._content;
                group.eachLayer((layer) => {
                    const made = typeof content === "function" ? content(layer) : content;
                    const text = typeof made === "string" ? made : (made && made.innerHTML) || "";
                    if (text.includes("SAMPLE hostile centre")) count += 1;
                });
            }
            return count;
        }""")
        page.wait_for_timeout(1500)
        ran = page.evaluate("() => window.__xss === 1")
        context.close()
    assert built >= 1, "the hostile centre's tooltip was not on the map"
    assert dialogs == [] and not ran, "a script in a centre name ran"
