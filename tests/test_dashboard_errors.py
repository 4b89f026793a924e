"""An unexpected error in a page (Streamlit AppTest): the visitor gets an apology, the server log the traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from dashboard_pages import dashboard_at


def test_a_page_that_fails_shows_an_apology_and_logs_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "directory.sqlite"
    broken.write_bytes(b"this is not a database\n" * 100)
    monkeypatch.setenv("MILLIS_NETWORK_DB", str(broken))
    with caplog.at_level(logging.ERROR, logger="millis_network.dashboard"):
        at = dashboard_at("find_a_centre").run()
    assert not at.exception, "the visitor saw Streamlit's own error box"
    (error,) = at.error
    assert error.value.startswith("**Sorry, this page could not be shown.**")
    assert "Traceback" not in error.value and "sqlite" not in error.value.lower()
    assert at.selectbox(key="sidebar_threshold").value == "30min", "the sidebar (and the way out) stays"
    (record,) = [r for r in caplog.records if r.name == "millis_network.dashboard"]
    assert record.getMessage() == "page 'find_a_centre' failed"
    assert record.exc_info and "not a database" in str(record.exc_info[1])


def test_a_page_that_works_shows_no_apology() -> None:
    at = dashboard_at("find_a_centre").run()
    assert not at.exception and not at.error
