"""The Open Referral UK export: the shape other directories consume, and nothing private in it."""

from __future__ import annotations

import json
import uuid

import pandas as pd
import pytest
from bundled import bundled

from millis_network.directory import CENTRE_COLUMNS, PRECISIONS, contact_centres
from millis_network.network import PublicNetwork
from millis_network.store.open_referral import services_page
from millis_network.wording import PRECISION_LABELS, WITHHELD_PHRASES, sentence

#: Required by the Open Referral UK profile (uk-profile/profile/*.json) or HSDS 3's schema.
SERVICE_REQUIRED = {"id", "name", "status", "url"}
ORGANIZATION_REQUIRED = {"id", "name", "description"}
ADDRESS_REQUIRED = {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}
TERM_REQUIRED = {"id", "name", "description"}


@pytest.fixture(scope="module")
def centres() -> pd.DataFrame:
    return contact_centres()


def public(centres: pd.DataFrame) -> PublicNetwork:
    """The bundled network with these centres, as the public sees it."""
    return bundled().with_centres(centres).public()


def test_every_service_has_the_required_fields(centres: pd.DataFrame) -> None:
    page = services_page(public(centres))
    assert page["total_items"] == len(page["contents"]) == len(centres[centres["sample"] != "yes"])
    assert (page["total_pages"], page["page_number"], page["first_page"], page["last_page"]) == (1, 1, True, True)
    ids = set()
    for service in page["contents"]:
        assert SERVICE_REQUIRED <= service.keys()
        assert service["status"] in {"active", "inactive", "defunct", "temporarily closed"}
        ids.add(uuid.UUID(service["id"]))
        if "organization" in service:
            assert ORGANIZATION_REQUIRED <= service["organization"].keys()
        for link in service["service_at_locations"]:
            for address in link["location"].get("addresses", []):
                assert ADDRESS_REQUIRED <= address.keys()
        for attribute in service["attributes"]:
            assert TERM_REQUIRED <= attribute["taxonomy_term"].keys()
    assert len(ids) == len(page["contents"])
    json.dumps(page)


def test_closed_centres_are_defunct_with_their_services(centres: pd.DataFrame) -> None:
    by_name = {s["name"]: s for s in services_page(public(centres))["contents"]}
    millis = by_name["Milli's Child Contact Centre"]
    assert millis["status"] == "defunct"
    assert [a["taxonomy_term"]["code"] for a in millis["attributes"] if a["link_type"] == "service_type"] == [
        "supported", "escorted"]
    assert [a["value"] for a in millis["attributes"] if a["link_type"] == "identifier"] == ["millis-child-contact-centre"]
    assert millis["organization"]["name"] == "Jersey Centre for Separated Families"
    location = millis["service_at_locations"][0]["location"]
    assert location["description"] == "Approximate: town centre."
    assert location["addresses"][0]["country"] == "JE"
    assert {s["status"] for s in services_page(public(centres), include_closed=False)["contents"]} == {"active"}


def test_withheld_addresses_leave_at_district_level_only() -> None:
    centre = {
        "id": "sample-refuge-centre", "name": "Refuge Sample Centre", "organisation": "", "charity_number": "",
        "jurisdiction": "Wales", "town": "Aberystwyth", "postcode": "SY23 1AS", "location_precision": "postcode",
        "lat": "52.409069", "lon": "-4.087114", "services": "supervised", "accreditation": "NACCC enhanced accredited",
        "opening": "", "referral": "", "address_withheld": "yes", "status": "open", "opened": "", "closed": "",
        "successor_id": "", "source_urls": "", "page_date": "", "last_verified": "2026-11-01",
        "last_updated": "2026-11-02", "sample": "yes", "notes": "enter by the back door",
    }
    page = services_page(public(pd.DataFrame([centre])), include_sample=True)
    text = json.dumps(page)
    assert "SY23 1AS" not in text and "back door" not in text and "52.409069" not in text
    service = page["contents"][0]
    assert service["name"] == "Refuge Sample Centre (SAMPLE)"
    assert service["description"].startswith("SAMPLE record")
    assert service["assured_date"] == "2026-11-01" and service["last_modified"] == "2026-11-02T00:00:00.000Z"
    assert service["accreditations"] == "NACCC enhanced accredited"
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "SY23"
    assert location["description"] == "Approximate: postcode district only."
    assert "Address withheld for safety: shown at its postcode district only." in service["description"]
    assert services_page(public(pd.DataFrame([centre])))["empty"] is True


def test_identifiers_are_stable_between_exports(centres: pd.DataFrame) -> None:
    first = [s["id"] for s in services_page(public(centres))["contents"]]
    second = [s["id"] for s in services_page(public(centres.sample(frac=1, random_state=1)))["contents"]]
    assert first == second


def test_every_precision_has_its_words_in_open_referral() -> None:
    centre = {column: "" for column in CENTRE_COLUMNS}
    centre.update(id="sample-island-refuge", name="Island Refuge", jurisdiction="Jersey", postcode="JE2 4LG",
                  location_precision="postcode", lat="49.1858", lon="-2.1077", services="supported",
                  accreditation="not stated", address_withheld="yes", status="open", sample="yes")
    page = services_page(public(pd.DataFrame([centre])), include_sample=True)
    location = page["contents"][0]["service_at_locations"][0]["location"]
    assert location["description"] == f"{sentence(PRECISION_LABELS['island'])}."
    assert f"{sentence(WITHHELD_PHRASES['island'])}." in page["contents"][0]["description"]
    assert set(PRECISIONS) <= set(PRECISION_LABELS)
