"""Every dashboard page in plain words (Streamlit AppTest): no ``None`` or ``nan`` shown, shared facts in shared words.

A page may show a missing value only in a table that names its phrase
(``st.dataframe(..., placeholder=...)``); text, captions and cells never
carry ``None``, ``nan`` or ``NaN``. Find a centre, the worst-served list and
the Gaps page say "no road" and "across the sea" with the constants of
``millis_network.wording``, as the briefings and information sheets do.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from bundled import bundled_public
from dashboard_pages import DASHBOARD, dashboard_at
from streamlit.testing.v1 import AppTest

from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.evidence.information_sheet import information_sheet
from millis_network.wording import ACROSS_THE_SEA, NO_ROAD, drive_text

#: A missing value printed by Python or pandas, as a word on its own.
LEAKED = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|<NA>)(?![A-Za-z])")

#: St Mary's, Isles of Scilly: every centre in this directory is across the sea from it.
SCILLY = "TR21 0LW"

PAGES = sorted(path.stem for path in (DASHBOARD / "views").glob("*.py"))

#: Pages opened where their tables show the most: page → URL parameters.
OPENED_AT: dict[str, dict[str, str]] = {
    "coverage_map": {"view": "tables", "court": "royal-court-of-jersey"},
    "find_a_centre": {"postcode": SCILLY},
}


def shown_text(at: AppTest) -> list[str]:
    """Every piece of text the page shows outside its tables."""
    kinds = ("markdown", "caption", "text", "title", "header", "subheader", "info", "warning", "error", "success")
    texts = [str(element.value) for kind in kinds for element in at.get(kind)]
    texts += [f"{metric.label} {metric.value}" for metric in at.metric]
    return texts


def leaked_cells(frame: pd.DataFrame) -> list[str]:
    return [f"{column}: {value!r}" for column in frame.columns for value in frame[column]
            if isinstance(value, str) and LEAKED.fullmatch(value.strip())]


def missing_without_phrase(at: AppTest) -> list[str]:
    """Tables with a missing cell but no placeholder phrase (Streamlit would print "None")."""
    bad = []
    for table in at.dataframe:
        frame = table.value
        if isinstance(frame, pd.DataFrame) and frame.isna().to_numpy().any():
            placeholder = table.proto.placeholder
            if not placeholder or LEAKED.fullmatch(placeholder):
                bad.append(", ".join(str(c) for c in frame.columns[frame.isna().any()]))
    return bad


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_missing_value_as_none_or_nan(page: str) -> None:
    at = dashboard_at(page, **OPENED_AT.get(page, {})).run()
    assert not at.exception
    assert [text for text in shown_text(at) if LEAKED.search(text)] == []
    assert [cell for table in at.dataframe for cell in leaked_cells(table.value)] == []
    assert missing_without_phrase(at) == []


def test_find_a_centre_says_across_the_sea_as_the_sheet_does_never_none() -> None:
    at = dashboard_at("find_a_centre", postcode=SCILLY).run()
    assert not at.exception
    table = at.dataframe[0].value
    sheet = information_sheet(SCILLY, bundled_public(), service="supported", rule=CampaignRule())
    assert all(math.isnan(centre.drive_minutes) for centre in sheet.centres)
    assert table["Drive (est.)"].tolist() == [ACROSS_THE_SEA] * len(sheet.centres)
    assert not table.isna().to_numpy().any()


def test_the_worst_served_list_and_the_gaps_page_say_no_road_alike() -> None:
    gaps = run_analysis(bundled_public(), CampaignRule()).gaps()
    unreachable = gaps[~gaps["worst_minutes"].map(math.isfinite)]
    assert len(unreachable) >= 1
    landing = dashboard_at("coverage_map").run()
    worst = next(m.value for m in landing.markdown if m.value.startswith("1. "))
    first = unreachable.iloc[0]
    assert f"1. {first['court_name']}: {drive_text(first['worst_minutes'])}" in worst
    assert drive_text(first["worst_minutes"]) == NO_ROAD
    page = dashboard_at("gaps").run()
    table = page.dataframe[0]
    assert table.proto.placeholder == NO_ROAD
    longest = table.value.set_index("Court")["Longest drive to a missing service (min)"]
    assert longest[unreachable["court_name"]].isna().all(), "the page shows these cells as its placeholder, NO_ROAD"


def test_the_funding_page_names_each_new_site_for_a_funder() -> None:
    at = dashboard_at("funding").run()
    assert not at.exception
    sites = next(table.value for table in at.dataframe if "site_name" in table.value.columns)
    lsoa_sites = sites[sites["site_kind"] == "lsoa"]
    assert len(lsoa_sites) >= 1
    for site_id, name in zip(lsoa_sites["site_id"], lsoa_sites["site_name"], strict=True):
        assert re.fullmatch(rf"near [^()]+ \(LSOA {site_id}\)", name), name
