"""The dashboard's Standards page (Streamlit AppTest): widgets change what the checker shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest

FIXTURES = Path(__file__).resolve().parent / "data" / "standards"


@pytest.fixture
def page() -> AppTest:
    return dashboard_at("standards").run()


def widget(widgets: Iterable[Any], label: str) -> Any:
    """The page's widget with this label (the shared sidebar has widgets of its own)."""
    return next(w for w in widgets if w.label == label)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_sample_roster_is_checked_and_labelled(page: AppTest) -> None:
    assert not page.exception
    assert page.title[0].value == "Minimum training standards"
    assert any(w.value.startswith("**Sample (illustrative) roster.**") for w in page.warning)
    assert metrics(page) == {
        "In post / establishment": "13 / 18",
        "Failures (must)": "0",
        "Warnings (should)": "1",
        "Pending": "1",
        "Unknown": "3",
    }
    assert widget(page.date_input, "Check as of").value == date(2014, 9, 30)
    labels = [e.label for e in page.expander]
    assert "NACCC-1 · NACCC training modules completed within the set period (must)" in labels
    assert {b.label for b in page.get("download_button")} == {"Export the report (CSV)", "Export the report (JSON)"}


def test_as_of_date_changes_the_report(page: AppTest) -> None:
    widget(page.date_input, "Check as of").set_value(date(2015, 6, 3)).run()
    assert not page.exception
    shown = metrics(page)
    assert shown["In post / establishment"] == "8 / 18"  # the five leavers have gone
    assert shown["Failures (must)"] == "1"  # V12's modules were due by 2015-06-02


def test_stated_default_parameters_can_be_changed(page: AppTest) -> None:
    months = widget(page.number_input, "naccc_modules_within_months (months)")
    months.set_value(3).run()
    assert metrics(page)["Failures (must)"] == "12"  # every volunteer took longer than three months


def test_status_filter_changes_the_reasons_shown(page: AppTest) -> None:
    assert any(c.value == "5 of 105 checks shown." for c in page.caption)
    widget(page.multiselect, "Statuses").set_value(["pending"]).run()
    assert any(c.value == "1 of 105 checks shown." for c in page.caption)


def test_uploaded_roster_is_checked(page: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    widget(page.radio, "Records").set_value("Upload a roster").run()
    assert {b.label for b in page.get("download_button")} >= {
        "Download the roster template (XLSX)",
        "Download the roster template (CSV)",
    }
    widget(page.file_uploader, "Your centre's roster (.xlsx, .csv or .yaml)").set_value(
        ("roster.csv", (FIXTURES / "roster_valid.csv").read_bytes(), "text/csv")
    ).run()
    assert not page.exception
    assert not any("Sample (illustrative) roster" in w.value for w in page.warning)  # not a sample
    assert metrics(page)["In post / establishment"] == "2 / 3"
    assert list(tmp_path.iterdir()) == []  # nothing from the upload was written to disk


def test_malformed_upload_shows_the_problems_not_an_exception(page: AppTest) -> None:
    widget(page.radio, "Records").set_value("Upload a roster").run()
    bad = (FIXTURES / "roster_unknown_column.csv").read_bytes()
    widget(page.file_uploader, "Your centre's roster (.xlsx, .csv or .yaml)").set_value(
        ("roster.csv", bad, "text/csv")
    ).run()
    assert not page.exception
    assert [e.value for e in page.error] == ["The roster has 1 problem(s). Fix them and upload it again."]
    issues = next(d.value for d in page.dataframe if "message" in d.value.columns)
    assert issues[["row", "field"]].values.tolist() == [[1, "name"]]
    assert not page.metric
