"""The Constituencies page in a real browser (headless Debian Chromium, no network): the hex map draws, a shared
link opens its constituency, and a click on a hexagon opens another.

Uses the server, browser and page fixtures of ``test_dashboard_browser.py`` (its server runs ``dashboard/serve.py``
on a copy of the seeded directory; requests off this machine are refused).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from test_dashboard_browser import ARTIFACTS, MAP_FRAME, browser, page, server  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.browser

#: Constituencies of England and Wales: one hexagon each on the map.
ENGLAND_AND_WALES = 575


def test_the_hex_map_draws_and_a_shared_link_opens_its_constituency(server: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{server}/constituencies?constituency=E14001063")
    page.get_by_role("heading", name="Aldershot (England, South East)").wait_for()
    hexagons = page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive")
    hexagons.first.wait_for()
    assert hexagons.count() == ENGLAND_AND_WALES
    assert "Alasdair Rae and Philip Brown" in page.frame_locator(MAP_FRAME).locator(".map-legend").inner_text()
    assert page.get_by_text("live more than 30 minutes' drive from a supported centre in this directory").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "constituencies.png"), full_page=True)

    hexagons.nth(10).dispatch_event("click")
    page.wait_for_function("() => !window.location.search.includes('E14001063')")
    assert "constituency=" in page.url
