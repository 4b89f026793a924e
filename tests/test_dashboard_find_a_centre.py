"""The Find a centre page (Streamlit AppTest): a postcode in any spelling, friendly errors, the sheet."""

from __future__ import annotations

import pytest
from dashboard_pages import dashboard_at
from streamlit.testing.v1 import AppTest


def open_page(**query: str) -> AppTest:
    return dashboard_at("find_a_centre", **query).run()


def search(at: AppTest, postcode: str) -> AppTest:
    at.text_input(key="postcode").set_value(postcode)
    return at.button[0].click().run()


def test_the_empty_page_asks_for_a_postcode() -> None:
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Find a centre"
    assert at.text_input(key="postcode").value == ""
    assert not at.dataframe and not at.error
    assert at.info[0].value.startswith("**Incomplete directory.**")


def test_a_postcode_in_any_spelling_lists_centres_and_offers_the_sheet() -> None:
    at = search(open_page(), "  b46ds ")
    assert not at.exception and not at.error
    assert at.subheader[0].value == "Nearest supported centres to postcode district B4"
    table = at.dataframe[0].value
    assert len(table) == 3 and table["Miles"].is_monotonic_increasing
    assert any("The family court centre serving your area is Birmingham Civil and Family Justice Centre" in m.value
               for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == [
        "Information sheet for the parents (HTML)", "Information sheet for the parents (PDF)"]
    assert at.query_params["postcode"] == "B4", "the address bar keeps only the district, never the home postcode"


def test_a_shared_link_carrying_a_district_lists_centres_from_the_district_centre() -> None:
    at = open_page(postcode="B4")
    assert not at.exception and not at.error
    assert at.subheader[0].value == "Nearest supported centres to postcode district B4"
    assert any("Birmingham Civil and Family Justice Centre" in m.value for m in at.markdown)
    assert any("placed at the centre of postcode district B4" in w.value for w in at.warning)


def test_service_and_count_change_the_list() -> None:
    at = open_page(postcode="CF10 1EP", service="supervised")
    at.radio(key="centre_count").set_value(5)
    at = at.button[0].click().run()
    assert at.subheader[0].value == "Nearest supervised centres to postcode district CF10"
    table = at.dataframe[0].value
    assert len(table) == 5
    assert all("supervised" in services for services in table["Services"])


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("hello", "is not shaped like a UK postcode"),
        ("ZZ9", "has no located postcodes"),
        ("GY9 3AA", "GY9 3AA is on Alderney"),
        ("ZZ1 1ZZ", "not found in the ONS Postcode Directory"),
    ],
)
def test_an_unusable_postcode_gets_a_message_not_an_exception(postcode: str, message: str) -> None:
    at = search(open_page(), postcode)
    assert not at.exception
    assert at.error[0].value.startswith("**That postcode cannot be used.**")
    assert message in at.error[0].value
    assert not at.dataframe


def test_an_unknown_inward_code_is_placed_at_its_district_with_a_warning() -> None:
    at = open_page(postcode="B15 9ZZ")
    assert not at.exception
    assert any("placed at the centre of postcode district B15" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 3


def test_an_island_postcode_gets_centres_placed_from_the_island_main_town() -> None:
    at = search(open_page(), "JE2 3AA")
    assert not at.exception and not at.error
    assert any("placed at St Helier, the main town of Jersey" in warning.value for warning in at.warning)
    table = at.dataframe[0].value
    assert len(table) > 0
    # Mainland centres are across the sea from Jersey: a distance, no journey time.
    assert (table["Drive (est.)"] == "across the sea (no road)").any()


def test_an_isle_of_wight_postcode_gets_journeys_by_road_and_ferry() -> None:
    at = search(open_page(), "PO30 1UD")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert table["Drive (est.)"].str.endswith("min by road and ferry").all()
