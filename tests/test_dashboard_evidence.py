"""The dashboard's Evidence page (Streamlit AppTest): downloads, briefing previews, petition figures.

The petition service is never contacted: snapshots are written into a
temporary cache directory (``MILLIS_NETWORK_CACHE``) and the Refresh button is
pointed at a local server (``MILLIS_NETWORK_PETITIONS_URL``) serving recorded
responses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from bundled import bundled_public
from dashboard_pages import dashboard_at
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.sources import HttpSettings
from millis_network.sources.petitions import BASE_URL_VARIABLE, fetch_petition

FIXTURES = Path(__file__).resolve().parent / "data" / "evidence"
PETITION_PATH = "/petitions/999001.json"


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    monkeypatch.setenv(BASE_URL_VARIABLE, "http://127.0.0.1:9")
    return dashboard_at("evidence", timeout_s=120).run()


def widget(widgets: Iterable[Any], label: str) -> Any:
    return next(w for w in widgets if w.label == label)


def texts(elements: Iterable[Any]) -> list[str]:
    return [e.value for e in elements]


def test_exports_and_briefing_downloads_are_offered(page: AppTest) -> None:
    assert not page.exception
    assert page.title[0].value == "Evidence: exports, briefings and petition figures"
    assert {b.label for b in page.get("download_button")} == {
        "Excel workbook (XLSX)", "CSV files + provenance sidecars (ZIP)", "GeoJSON files (ZIP)",
        "GeoPackage for GIS", "Download the briefing (HTML)",
    }
    assert any(text.startswith("**Incomplete directory.**") for text in texts(page.info))


def test_briefing_preview_follows_the_choice(page: AppTest) -> None:
    court_preview = [t for t in texts(page.info) if t.startswith(("Yes.", "No."))]
    assert court_preview, "a court briefing headline is previewed by default"
    widget(page.radio, "Briefing on").set_value("national").run()
    widget(page.radio, "Format").set_value("pdf").run()
    assert not page.exception
    headline = run_analysis(bundled_public(), CampaignRule()).headline()
    assert any(t.startswith(f"{headline['courts_meeting_rule']} of {headline['courts']} family court centres")
               for t in texts(page.info))
    assert "Download the briefing (PDF)" in {b.label for b in page.get("download_button")}


def test_petition_without_a_stored_copy_says_so_and_refresh_reports_failure(page: AppTest) -> None:
    widget(page.text_input, "Petition number or address").input("not a petition").run()
    assert any("is not a petition number" in t for t in texts(page.error))
    widget(page.text_input, "Petition number or address").input("999001").run()
    assert any(t.startswith("No copy of petition 999001 is stored") for t in texts(page.info))
    widget(page.button, "Refresh from petition.parliament.uk").click().run()
    assert any(t.startswith("Could not refresh petition 999001:") for t in texts(page.error))
    assert any(t.startswith("No copy of petition 999001 is stored") for t in texts(page.info))


def test_petition_stored_copy_is_shown_without_going_online(
    page: AppTest, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(PETITION_PATH).respond_with_data(
        (FIXTURES / "petition_999001.json").read_text(encoding="utf-8"), content_type="application/json")
    fetch_petition(999001, base_url=httpserver.url_for("/"), cache_dir=tmp_path, settings=HttpSettings(retries=0))
    httpserver.clear()
    widget(page.text_input, "Petition number or address").input("999001").run()
    assert not page.exception
    metric = page.metric[0]
    assert metric.label.startswith("Signatures: TEST FIXTURE")
    assert metric.value == "1,000"
    assert any("Source: stored copy of" in c.value for c in page.caption)
    assert httpserver.log == []


def test_refresh_fetches_from_the_service(page: AppTest, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_VARIABLE, httpserver.url_for("/"))
    httpserver.expect_request(PETITION_PATH).respond_with_data(
        (FIXTURES / "petition_999001.json").read_text(encoding="utf-8"), content_type="application/json")
    widget(page.text_input, "Petition number or address").input("https://petition.parliament.uk/petitions/999001").run()
    widget(page.button, "Refresh from petition.parliament.uk").click().run()
    assert "Fetched petition 999001 just now." in texts(page.success)
    assert page.metric[0].value == "1,000"
