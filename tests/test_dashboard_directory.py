"""The dashboard's Directory page (Streamlit AppTest): public browsing, sign-in, audited edits, conflicts.

Editors sign in with accounts made in the test database (``add_editor``); each
AppTest is one browser session, so one client to the sign-in throttle.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.store.database import DATABASE_ENV, open_store
from millis_network.store.editors import add_editor, disable_editor

PASSWORD = "a long editors' passphrase"
CENTRE = "abingdon-contact-centre"
WITHHELD = "blossom-family-contact-services"
#: Keys of every widget that writes; none may exist for a visitor who is not signed in.
WRITE_KEYS = {"directory_save", "directory_close", "directory_reopen", "directory_undo", "directory_add_button",
              "directory_import", "directory_upload", "directory_reload"}


@pytest.fixture
def database(tmp_path: Path, network_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory database for the page, with a withheld centre placed at a full postcode and one editor, alice."""
    path = tmp_path / "directory.sqlite"
    with open_store(path, seed_from=network_data) as store:
        store.update_centre(WITHHELD, {"postcode": "SY23 1AS", "location_precision": "postcode", "lat": "52.409069",
                                       "lon": "-4.087114", "jurisdiction": "Wales"},
                            expected_version=store.centre(WITHHELD)["version"], who="setup")
        add_editor(store, "alice", PASSWORD, display_name="Alice Editor")
    monkeypatch.setenv(DATABASE_ENV, str(path))
    return path


def open_page() -> AppTest:
    return dashboard_at("directory", timeout_s=120).run()


def widget_keys(at: AppTest) -> set[str]:
    kinds = ("button", "text_input", "selectbox", "multiselect", "checkbox", "file_uploader")
    return {w.key for kind in kinds for w in at.get(kind) if getattr(w, "key", None)}


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="directory_sign_in_user").set_value(name)
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
    assert len(table) == 130  # 123 open and 7 closed since the second pass of public facts
    assert table.set_index("id").loc[WITHHELD, "postcode"] == "SY23"
    assert "notes" not in table.columns
    at.text_input(key="directory_search").set_value("millis").run()
    assert at.dataframe[0].value["id"].tolist() == ["millis-child-contact-centre"]
    at.selectbox(key="directory_status").set_value("open").run()
    assert at.dataframe[0].value.empty
    assert not WRITE_KEYS & widget_keys(at)
    assert [b.label for b in at.button] == ["Sign in", "Send to the editors"]
    assert at.get("download_button")[0].label == "Download the public directory (Open Referral UK JSON)"


def test_a_wrong_password_or_an_unknown_user_signs_nobody_in_with_one_message(database: Path) -> None:
    at = sign_in(open_page(), "alice", "guess")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    at = sign_in(at, "mallory", PASSWORD)
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert not WRITE_KEYS & widget_keys(at)
    assert not any("Signed in" in s.value for s in at.success)


def test_repeated_wrong_passwords_make_the_next_try_wait(database: Path) -> None:
    at = open_page()
    for _ in range(5):
        at = sign_in(at, "alice", "guess")
        assert [e.value for e in at.error] == ["Wrong user name or password."]
    at = sign_in(at, "alice", PASSWORD)
    assert len(at.error) == 1
    assert re.fullmatch(r"Too many failed sign-ins: try again in (2\d|30) s\.", at.error[0].value)
    assert not WRITE_KEYS & widget_keys(at)


def test_a_strangers_guesses_do_not_lock_the_editor_out_of_her_own_session(database: Path) -> None:
    mine = sign_in(open_page(), "alice", PASSWORD)
    mine = mine.button(key="directory_sign_out").click().run()
    assert not WRITE_KEYS & widget_keys(mine)
    stranger = open_page()
    for _ in range(5):
        stranger = sign_in(stranger, "alice", "guess")
    stranger = sign_in(stranger, "alice", "guess")
    assert re.fullmatch(r"Too many failed sign-ins: try again in (2\d|30) s\.", stranger.error[0].value)
    assert sign_in(open_page(), "alice", PASSWORD).error[0].value.startswith("Too many failed sign-ins"), (
        "a session alice never signed in from waits too")
    mine = sign_in(mine, "alice", PASSWORD)
    assert not mine.exception and not mine.error
    assert "Signed in as **Alice Editor**" in mine.success[0].value


def test_editing_is_off_without_an_enabled_editor(database: Path) -> None:
    with open_store(database) as store:
        disable_editor(store, "alice")
    at = open_page()
    assert any("Editing is switched off" in i.value for i in at.info)
    assert "directory_sign_in_button" not in widget_keys(at)


def test_a_disabled_editor_is_signed_out_at_the_next_page_load(database: Path) -> None:
    at = sign_in(open_page(), "alice", PASSWORD)
    assert "directory_save" in widget_keys(at)
    with open_store(database) as store:
        add_editor(store, "bob", "bob's own long passphrase")
        disable_editor(store, "alice")
    at = at.run()
    assert not at.exception
    assert not WRITE_KEYS & widget_keys(at)
    at = sign_in(at, "alice", PASSWORD)
    assert [e.value for e in at.error] == ["Wrong user name or password."]


def test_a_signed_in_edit_lands_in_the_audit_log_under_the_editors_user_name(database: Path) -> None:
    at = sign_in(open_page(), " ALICE ", PASSWORD)
    assert not at.exception
    assert at.success[0].value == ("Signed in as **Alice Editor** (`alice`): your changes are recorded under alice.")
    assert "directory_sign_in_user" not in widget_keys(at), "no typed name box once signed in"
    assert WRITE_KEYS - {"directory_import", "directory_upload", "directory_reopen"} <= widget_keys(at)
    assert at.dataframe[0].value.set_index("id").loc[WITHHELD, "postcode"] == "SY23 1AS"
    edit_field(at, "opening").set_value("Saturdays 10:00-12:00")
    edit_field(at, "reason").set_value("phoned the coordinator")
    at.button(key="directory_save").click().run()
    assert not at.exception
    assert any(s.value.startswith("Saved. change ") and "by alice (update" in s.value for s in at.success)
    with open_store(database) as store:
        assert store.centre(CENTRE)["opening"] == "Saturdays 10:00-12:00"
        latest = store.changes(entity="centre", entity_id=CENTRE)[-1]
    assert (latest.who, latest.action, latest.reason, latest.new["opening"]) == (
        "alice", "update", "phoned the coordinator", "Saturdays 10:00-12:00")
    history = at.dataframe[1].value
    assert history.iloc[0]["who"] == "alice"


def test_a_conflicting_edit_is_refused_and_shows_the_other_change(database: Path) -> None:
    at = sign_in(open_page(), "alice", PASSWORD)
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


def test_an_editor_marks_a_centre_verified_against_a_source_and_it_leaves_the_checking_list(database: Path) -> None:
    at = sign_in(open_page(), "alice", PASSWORD)
    checking = at.dataframe[-1].value
    assert CENTRE in set(checking["id"]) and len(checking) == 123
    at.button(key="directory_verify").click().run()
    assert any("say what the entry was verified against" in e.value for e in at.error)
    edit_field(at, "verified_source").set_value("https://www.abingdonfamilymediation.co.uk/abingdon-child-contact-centre/")
    at = at.button(key="directory_verify").click().run()
    assert not at.exception
    with open_store(database) as store:
        centre = store.centre(CENTRE)
        latest = store.changes(entity="centre", entity_id=CENTRE)[-1]
    assert (latest.who, latest.action) == ("alice", "verify")
    assert latest.reason == "verified against https://www.abingdonfamilymediation.co.uk/abingdon-child-contact-centre/"
    assert any(f"last verified {centre['last_verified']} by alice, verified against https://www.abingdon" in c.value
               for c in at.caption)
    assert CENTRE not in set(at.dataframe[-1].value["id"]) and len(at.dataframe[-1].value) == 122
