"""The dashboard in a real browser: its server (``dashboard/serve.py``) on a free port, driven by headless Chromium.

Uses Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it) through
the Python ``playwright`` package; no browser is downloaded. Requests to any
host but this machine are refused, so the test also proves the map draws with
no network. Every page is checked with axe-core (the npm package in
``node_modules/``, installed by ``bash quickstart.sh test`` from
``package-lock.json``, injected into the page and into each map frame) on a
desktop and on a phone-sized (390 × 844) viewport; the phone check also asks for
no sideways scrolling and every control reachable. Screenshots and axe's full
findings go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
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
from playwright.sync_api import (
    Browser,
    Frame,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

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
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core impacts that fail the test (WCAG 2.2 AA and axe's best practices; "minor"/"moderate" are reported only).
BLOCKING_IMPACTS = ("serious", "critical")
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
#: Every dashboard page by its file in dashboard/views/ and its address (the landing page is the root).
PAGES = {path.stem: "" if path.stem == "coverage_map" else path.stem
         for path in sorted((ROOT / "dashboard" / "views").glob("*.py"))}


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


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE.relative_to(ROOT)}: run `npm ci` (bash quickstart.sh test does)")
    return AXE.read_text(encoding="utf-8")


def _open(page: Page, url: str) -> None:
    """Go to ``url`` and wait until the page's script has finished and any map has drawn."""
    page.goto(url)
    _settle(page)


def _settle(page: Page) -> None:
    """Wait until the page shown has finished its script and drawn any map."""
    page.locator("h1").first.wait_for()
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached")
    # Elements whose code is still loading show as grey placeholders, then take their own size.
    page.wait_for_function("() => !document.querySelector(\"[data-testid^='stSkeleton'], [data-testid='stAppSkeleton']\")")
    for frame in _map_frames(page):
        frame.locator(".leaflet-pane path, .leaflet-marker-icon").first.wait_for(state="attached")


def _map_frames(page: Page) -> list[Frame]:
    return [frame for frame in page.frames if "/component/streamlit_folium" in frame.url]


def _axe(target: Page | Frame, script: str) -> list[dict]:
    """axe-core's violations in one document (frames are checked one by one: each gets its own copy of axe)."""
    target.add_script_tag(content=script)
    return target.evaluate("""async () => {
        const results = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
        return results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 300)}))}));
    }""")


def _check_accessibility(page: Page, script: str, name: str) -> None:
    """No serious or critical axe-core violation on the page or in its maps; every finding saved to test-artifacts/."""
    found = {"page": _axe(page, script)}
    for number, frame in enumerate(_map_frames(page), 1):
        found[f"map {number}"] = _axe(frame, script)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    blocking = [f"{where}: [{v['impact']}] {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:5]}"
                for where, violations in found.items() for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"axe-core on {name}:\n" + "\n".join(blocking)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_core_on_a_desktop(browser: Browser, server: str, axe_script: str, name: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", _local_only)
    page = context.new_page()
    try:
        _open(page, f"{server}/{PAGES[name]}")
        _check_accessibility(page, axe_script, f"{name}-desktop")
    finally:
        context.close()


#: Every control a visitor may need, in the main content: each must scroll into view within the screen's width.
_CONTROLS_OFF_SCREEN = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const controls = main.querySelectorAll("button, input, textarea, select, a[href], [role='combobox'], [role='tab'], iframe");
    const width = document.documentElement.clientWidth;
    const off = [];
    for (const control of controls) {
        if (!control.getClientRects().length || control.closest("[hidden], [aria-hidden='true']")) continue;
        control.scrollIntoView({block: "center", inline: "nearest"});
        const box = control.getBoundingClientRect();
        if (box.width > 0 && (box.left < -1 || box.right > width + 1)) {
            off.push(`${control.tagName} ${control.getAttribute("aria-label") || control.innerText || ""}`.trim().slice(0, 80));
        }
    }
    return off;
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_works_on_a_phone(browser: Browser, server: str, axe_script: str, name: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", _local_only)
    page = context.new_page()
    try:
        _open(page, f"{server}/{PAGES[name]}")
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
        _check_accessibility(page, axe_script, f"{name}-phone")
        widths = page.evaluate("""() => {
            const main = document.querySelector("[data-testid='stMain']");
            return {page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                    main: [main.scrollWidth, main.clientWidth]};
        }""")
        assert widths["page"][0] <= widths["page"][1] and widths["main"][0] <= widths["main"][1], (
            f"{name} scrolls sideways on a phone: {widths}")
        assert page.evaluate(_CONTROLS_OFF_SCREEN) == [], f"controls of {name} out of reach on a phone"
        for frame in _map_frames(page):
            page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
            box = page.locator(MAP_FRAME).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
            assert frame.locator(".leaflet-control-zoom-in").is_visible(), "the map cannot be zoomed"
            assert frame.locator(".leaflet-pane path, .leaflet-marker-icon").count() > 0, "the map is empty"
            legend = frame.locator(".map-legend details")
            assert legend.get_attribute("open") is None, "the legend covers the map on a phone"
            legend.locator("summary").click()
            expect(legend).to_have_attribute("open", "")
            page.screenshot(path=str(ARTIFACTS / f"phone-{name}-map.png"))
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebar").get_by_text("Reach threshold", exact=True)).to_be_in_viewport(ratio=1)
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}-settings.png"))
    finally:
        context.close()


def _tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until ``target`` has the keyboard focus; fail naming what was focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
        seen.append(page.evaluate(
            "() => { const e = document.activeElement; return e ? `${e.tagName} ${e.getAttribute('aria-label') || "
            "(e.innerText || '').slice(0, 40)}` : ''; }"))
    raise AssertionError(f"{limit} presses of Tab never reached the target; focused on the way: {seen}")


def test_the_keyboard_alone_reaches_find_a_centre_and_its_information_sheet(server: str, page: Page) -> None:
    _open(page, f"{server}/")
    _tab_to(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name="Find a centre"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Find a centre").wait_for()
    _settle(page)
    postcode = page.get_by_label("Family's postcode")
    _tab_to(page, postcode)
    page.keyboard.type("b46ds")
    page.keyboard.press("Enter")
    page.get_by_text("Nearest supported centres to postcode district B4").wait_for()
    sheet = page.get_by_role("button", name="Information sheet for the parents (PDF)")
    _tab_to(page, sheet)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "contact-centres-B4.pdf"


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
        # Open every marker's tooltip, clustered or not, as a hover would: Leaflet writes tooltip text
        # with innerHTML, and an <img> whose src fails runs its onerror even in a detached element.
        built = frame.locator("body").evaluate("""() => {
            let count = 0;
            for (const key of Object.keys(window)) {
                const group = window[key];
                if (!(group instanceof L.GeoJSON)) continue;
                group.eachLayer((layer) => {
                    const tooltip = layer.getTooltip();
                    if (!tooltip) return;
                    const holder = document.createElement("div");
                    holder.innerHTML = tooltip.getContent();
                    if (holder.textContent.includes("SAMPLE hostile centre")) count += 1;
                });
            }
            return count;
        }""")
        page.wait_for_timeout(1500)
        ran = page.evaluate("() => window.__xss === 1")
        context.close()
    assert built >= 1, "the hostile centre's tooltip was not on the map"
    assert dialogs == [] and not ran, "a script in a centre name ran"
