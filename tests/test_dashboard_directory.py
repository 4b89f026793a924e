"""The dashboard's Directory page (Streamlit AppTest): public browsing, sign-in, audited edits, conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.store.auth import PASSWORD_HASH_ENV, hash_password
from millis_network.store.database import DATABASE_ENV, open_store

PASSWORD = "a long editors' passphrase"
CENTRE = "abingdon-contact-centre"
WITHHELD = "blossom-family-contact-services"
#: Keys of every widget that writes; none may exist for a visitor who is not signed in.
WRITE_KEYS = {"directory_save", "directory_close", "directory_reopen", "directory_undo", "directory_add_button",
              "directory_import", "directory_upload", "directory_reload"}


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def database(tmp_path: Path, network_data: Path, monkeypatch: pytest.MonkeyPatch, password_hash: str) -> Path:
    """A fresh directory database for the page, with a withheld centre placed at a full postcode."""
    path = tmp_path / "directory.sqlite"
    with open_store(path, seed_from=network_data) as store:
        store.update_centre(WITHHELD, {"postcode": "SY23 1AS", "location_precision": "postcode", "lat": "52.409069",
                                       "lon": "-4.087114", "jurisdiction": "Wales"},
                            expected_version=store.centre(WITHHELD)["version"], who="setup")
    monkeypatch.setenv(DATABASE_ENV, str(path))
    monkeypatch.setenv(PASSWORD_HASH_ENV, password_hash)
    return path


def open_page() -> AppTest:
    return dashboard_at("directory", timeout_s=120).run()


def widget_keys(at: AppTest) -> set[str]:
    kinds = ("button", "text_input", "selectbox", "multiselect", "checkbox", "file_uploader")
    return {w.key for kind in kinds for w in at.get(kind) if getattr(w, "key", None)}


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="directory_sign_in_name").set_value(name)
    at.text_input(key="directory_sign_in_password").set_value(password)
    return at.button(key="directory_sign_in_button").click().run()


def edit_field(at: AppTest, field: str) -> object:
    """A text box of the edit form for CENTRE (keys carry the version the form was opened at)."""
    pattern = re.compile(rf"directory_edit_{CENTRE}_\d+_{field}")
    return next(w for w in at.text_input if w.key and pattern.fullmatch(w.key))


def test_visitors_browse_and_search_the_public_view_without_write_widgets(database: Path) -> None:
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Directory of child contact centres"
    table = at.dataframe[0].value
    assert len(table) == 114
    assert table.set_index("id").loc[WITHHELD, "postcode"] == "SY23"
    assert "notes" not in table.columns
    at.text_input(key="directory_search").set_value("millis").run()
    assert at.dataframe[0].value["id"].tolist() == ["millis-child-contact-centre"]
    at.selectbox(key="directory_status").set_value("open").run()
    assert at.dataframe[0].value.empty
    assert not WRITE_KEYS & widget_keys(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.get("download_button")[0].label == "Download the public directory (Open Referral UK JSON)"


def test_a_wrong_password_signs_nobody_in(database: Path) -> None:
    at = sign_in(open_page(), "Mallory", "guess")
    assert [e.value for e in at.error] == ["Wrong password."]
    assert not WRITE_KEYS & widget_keys(at)


def test_repeated_wrong_passwords_make_the_next_try_wait(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_HASH_ENV, hash_password("this test's own passphrase"))
    at = open_page()
    for _ in range(5):
        at = sign_in(at, "Mallory", "guess")
        assert [e.value for e in at.error] == ["Wrong password."]
    at = sign_in(at, "Mallory", "this test's own passphrase")
    assert len(at.error) == 1
    assert re.fullmatch(r"Too many wrong passwords in a row: try again in (2\d|30) s\.", at.error[0].value)
    assert not WRITE_KEYS & widget_keys(at)


def test_editing_is_off_without_a_configured_hash(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_HASH_ENV)
    at = open_page()
    assert any("Editing is switched off" in i.value for i in at.info)
    assert "directory_sign_in_button" not in widget_keys(at)


def test_a_signed_in_edit_lands_in_the_audit_log_under_the_editor(database: Path) -> None:
    at = sign_in(open_page(), "Alice Editor", PASSWORD)
    assert not at.exception
    assert "Signed in as **Alice Editor**" in at.success[0].value
    assert WRITE_KEYS - {"directory_import", "directory_upload", "directory_reopen"} <= widget_keys(at)
    assert at.dataframe[0].value.set_index("id").loc[WITHHELD, "postcode"] == "SY23 1AS"
    edit_field(at, "opening").set_value("Saturdays 10:00-12:00")
    edit_field(at, "reason").set_value("phoned the coordinator")
    at.button(key="directory_save").click().run()
    assert not at.exception
    assert any(s.value.startswith("Saved. change ") and "by Alice Editor" in s.value for s in at.success)
    with open_store(database) as store:
        assert store.centre(CENTRE)["opening"] == "Saturdays 10:00-12:00"
        latest = store.changes(entity="centre", entity_id=CENTRE)[-1]
    assert (latest.who, latest.action, latest.reason, latest.new["opening"]) == (
        "Alice Editor", "update", "phoned the coordinator", "Saturdays 10:00-12:00")
    history = at.dataframe[1].value
    assert history.iloc[0]["who"] == "Alice Editor"


def test_a_conflicting_edit_is_refused_and_shows_the_other_change(database: Path) -> None:
    at = sign_in(open_page(), "Alice Editor", PASSWORD)
    with open_store(database) as store:
        store.update_centre(CENTRE, {"opening": "Sundays"}, expected_version=store.centre(CENTRE)["version"], who="Bob Other")
    edit_field(at, "opening").set_value("Saturdays 10:00-12:00")
    at.button(key="directory_save").click().run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("**Conflict: your edit was not saved.**")
    assert "by Bob Other" in message and "'Sundays'" in message
    with open_store(database) as store:
        assert store.centre(CENTRE)["opening"] == "Sundays"
        assert [c.who for c in store.changes(entity="centre", entity_id=CENTRE)][-1] == "Bob Other"
    at.button(key="directory_reload").click().run()
    assert edit_field(at, "opening").value == "Sundays"
