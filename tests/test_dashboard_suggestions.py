"""Suggestions from the public on the dashboard (Streamlit AppTest): suggest, queue, accept or reject.

A visitor suggests on Find a centre without signing in; the suggestion is
nowhere public; a signed-in editor sees it (and the suggester's contact) on
the Directory page, accepts it, and the centre is in the tables beside the
map at the next rerun. A rejected one never appears. Each AppTest is one
browser session.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dashboard_pages import dashboard_at
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from millis_network.cli import main
from millis_network.config import CampaignRule
from millis_network.evidence.information_sheet import (
    information_sheet,
    render_information_sheet_html,
    render_information_sheet_pdf,
)
from millis_network.store.database import DATABASE_ENV, open_store
from millis_network.store.editors import add_editor
from millis_network.store.suggestions import SuggestionBox

PASSWORD = "a long editors' passphrase"
NAME = "Wrekin Riverside Child Contact Centre"
CONTACT = "wrekin-suggester-5521@example.org"
SOURCE = "https://example.org/wrekin-riverside"
COURT = "telford-county-court-and-family-court"
COURT_POSTCODE = "TF3 4HX"


@pytest.fixture
def database(tmp_path: Path, network_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory database for the pages, with one editor, alice."""
    path = tmp_path / "directory.sqlite"
    with open_store(path, seed_from=network_data) as store:
        add_editor(store, "alice", PASSWORD)
    monkeypatch.setenv(DATABASE_ENV, str(path))
    return path


def suggest_on_find_a_centre() -> AppTest:
    at = dashboard_at("find_a_centre", timeout_s=120).run()
    at.radio(key="find_kind").set_value("new")
    at.text_input(key="find_name").set_value(NAME)
    at.text_input(key="find_place").set_value(COURT_POSTCODE)
    at.multiselect(key="find_services").set_value(["supported", "handover"])
    at.text_input(key="find_source").set_value(SOURCE)
    at.text_input(key="find_contact").set_value(CONTACT)
    return at.button(key="find_send").click().run()


def signed_in_directory() -> AppTest:
    at = dashboard_at("directory", timeout_s=120).run()
    at.text_input(key="directory_sign_in_user").set_value("alice")
    at.text_input(key="directory_sign_in_password").set_value(PASSWORD)
    return at.button(key="directory_sign_in_button").click().run()


def page_text(at: AppTest) -> str:
    """Everything a page shows: texts, markdown, captions, messages and tables."""
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error", "title", "subheader")
             for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [str(e.label) for e in at.get("expander")]
    return "\n".join(map(str, parts))


def nearest_supported_at_the_court() -> list[str]:
    at = dashboard_at("coverage_map", timeout_s=120, court=COURT).run()
    assert not at.exception
    return at.dataframe[0].value["Centre"].tolist()


def test_a_suggestion_goes_through_the_queue_onto_the_map(database: Path) -> None:
    sent = suggest_on_find_a_centre()
    assert not sent.exception
    assert any("your suggestion is with the editors" in s.value for s in sent.success)
    assert NAME not in nearest_supported_at_the_court()

    visitor = dashboard_at("directory", timeout_s=120).run()
    assert NAME not in visitor.dataframe[0].value["name"].tolist()
    assert CONTACT not in page_text(visitor) and NAME not in page_text(visitor)

    editor = signed_in_directory()
    assert "Suggestions from the public (1 waiting)" in page_text(editor)
    assert CONTACT in page_text(editor)
    with open_store(database) as store:
        [waiting] = SuggestionBox(store).queue()
    editor.checkbox(key=f"suggestion_{waiting.id}_verified").check()
    editor = editor.button(key=f"suggestion_{waiting.id}_accept").click().run()
    assert not editor.exception
    assert any(f"Suggestion {waiting.id} applied" in s.value for s in editor.success)
    assert "Suggestions from the public (0 waiting)" in page_text(editor)
    assert NAME in editor.dataframe[0].value["name"].tolist()

    assert NAME in nearest_supported_at_the_court()
    with open_store(database) as store:
        history = store.history("wrekin-riverside-child-contact-centre")
    assert set(history["who"]) == {"alice"} and set(history["action"]) == {"create", "verify"}
    assert f"verified against {SOURCE}" in set(history["reason"])
    assert CONTACT not in history.to_csv()


def test_a_rejected_suggestion_is_never_public(database: Path) -> None:
    suggest_on_find_a_centre()
    editor = signed_in_directory()
    with open_store(database) as store:
        [waiting] = SuggestionBox(store).queue()
    editor.text_input(key=f"suggestion_{waiting.id}_reason").set_value("No such centre on that page")
    editor = editor.button(key=f"suggestion_{waiting.id}_reject").click().run()
    assert any(f"Suggestion {waiting.id} rejected" in s.value for s in editor.success)
    assert NAME not in editor.dataframe[0].value["name"].tolist()
    with open_store(database) as store:
        rejected = SuggestionBox(store).get(waiting.id)
        assert (rejected.status, rejected.reason, rejected.contact) == ("rejected", "No such centre on that page", "")
        assert NAME not in set(store.centres()["name"])
    assert NAME not in nearest_supported_at_the_court()


def test_the_form_says_what_is_missing_and_stores_nothing(database: Path) -> None:
    at = dashboard_at("find_a_centre", timeout_s=120).run()
    at.text_input(key="find_name").set_value(NAME)
    at.text_input(key="find_place").set_value("Telford")
    at = at.button(key="find_send").click().run()
    assert any("Not sent" in e.value and "web address" in e.value for e in at.error)
    with open_store(database) as store:
        assert SuggestionBox(store).queue() == []


def test_no_export_briefing_or_public_page_holds_a_suggesters_contact(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(database) as store:
        SuggestionBox(store).submit("new", client="ip:192.0.2.50", name=NAME, place=COURT_POSTCODE,
                                    source_url=SOURCE, contact=CONTACT, details=f"write to {CONTACT}")
    out = tmp_path / "out"
    assert main(["db", "export", "--db", str(database), "--out", str(out), "--hsds", str(tmp_path / "hsds.json")]) == 0
    assert main(["export", "--db", str(database), "--format", "csv", "--out", str(tmp_path / "evidence")]) == 0
    assert main(["brief", "--db", str(database), "--court", COURT, "--format", "html",
                 "--out", str(tmp_path / "briefing")]) == 0
    capsys.readouterr()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != database]
    assert len(written) >= 4
    for path in written:
        assert CONTACT.encode() not in path.read_bytes(), path
        assert NAME.encode() not in path.read_bytes(), path
    pages = {"directory": {}, "find_a_centre": {"postcode": COURT_POSTCODE}, "about": {}, "coverage_map": {"court": COURT},
             "evidence": {}}
    for page, query in pages.items():
        at = dashboard_at(page, timeout_s=120, **query).run()
        assert not at.exception, page
        assert CONTACT not in page_text(at), page
    with open_store(database) as store:
        sheet = information_sheet(COURT_POSTCODE, store.network().public(), service="supported", rule=CampaignRule(), n=5)
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_information_sheet_pdf(sheet))).pages)
    assert "Telford" in pdf or "TF3" in pdf, "the sheet was read"
    for rendered in (render_information_sheet_html(sheet), pdf):
        assert CONTACT not in rendered and "wrekin" not in rendered.lower()
