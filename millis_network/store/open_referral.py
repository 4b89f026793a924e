"""The public directory in the Open Referral UK (HSDS 3) JSON shape.

UK service directories exchange records as Open Referral UK: the Human
Services Data Specification 3 with the UK profile
(https://github.com/OpenReferralUK/uk-profile). :func:`services_page` gives
the directory as the body of the ``/services`` endpoint: a one-page list
whose ``contents`` are full service objects, each with its organisation, its
location (``service_at_locations``) and the contact services it offers as
taxonomy-term attributes.

Only the public network goes out (:meth:`millis_network.network.Network.public`): a centre
whose address is withheld appears at its district or coarser, its private fields
dropped. Identifiers are UUIDs derived from the directory ids (version 5), so
the same centre keeps the same UUID in every export. Sample records are left
out unless asked for, and then say so in their name and description.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any

import pandas as pd

from millis_network._text import safe_link
from millis_network.directory import SERVICES, split_services
from millis_network.network import PublicNetwork, require_public_network

#: Namespace of every UUID this export derives.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "millis-network:directory")

#: Open Referral service status for each directory status.
STATUS: dict[str, str] = {"open": "active", "closed": "defunct"}

#: ISO 3166 codes for ``address.country``.
COUNTRY: dict[str, str] = {
    "England": "GB", "Wales": "GB", "Scotland": "GB", "Northern Ireland": "GB",
    "Jersey": "JE", "Guernsey": "GG", "Isle of Man": "IM",
}

#: Org-id.guide schemes of the charity registers, by jurisdiction.
CHARITY_SCHEME: dict[str, str] = {"England": "GB-CHC", "Wales": "GB-CHC", "Scotland": "GB-SC", "Northern Ireland": "GB-NIC"}

#: What each contact service means, for the taxonomy terms (DESIGN.md domain facts).
SERVICE_DESCRIPTIONS: dict[str, str] = {
    "supported": "Several families in a room; volunteers keep a watchful eye; no observation or reports. For low-risk families.",
    "supervised": "One-to-one observation with written reports, for higher risk; run by people with social-work (or equivalent) qualifications.",
} | {s: "A contact service the centre's sources name." for s in SERVICES[2:]}

#: How each contact service is named in the taxonomy terms.
SERVICE_NAMES: dict[str, str] = {
    "supported": "Supported contact", "supervised": "Supervised contact", "handover": "Handover",
    "indirect": "Indirect contact", "escorted": "Escorted contact", "supervised assessment": "Supervised assessment",
}

_TAXONOMY = "millis-network contact services"
_PRECISION_TEXT = {
    "postcode": "Placed at its postcode.",
    "district": "Placed at the centre of its postcode district only.",
    "town": "Placed at its town centre only (GeoNames), not at the venue.",
    "island": "Placed only as on its island (at the island's main town, GeoNames), not at the venue.",
    "none": "Not placed on a map.",
}


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _term(service: str) -> dict[str, Any]:
    return {
        "id": _uuid("taxonomy_term", service),
        "code": service,
        "name": SERVICE_NAMES[service],
        "description": SERVICE_DESCRIPTIONS[service],
        "taxonomy": _TAXONOMY,
    }


def _service(row: dict[Hashable, Any], *, withheld: bool) -> dict[str, Any]:
    centre_id = row["id"]
    sample = row["sample"] == "yes"
    services = split_services(row["services"])
    stated = "; ".join(services) if services else "not stated in this directory"
    parts = [
        "SAMPLE record: illustrative, not a real centre." if sample else "",
        f"Child contact centre. Services: {stated}.",
        f"Referral: {row['referral']}" if row["referral"] else "",
        "The venue address is withheld for safety; shown at district level." if withheld else "",
        row["notes"],
    ]
    service: dict[str, Any] = {
        "id": _uuid("service", centre_id),
        "name": f"{row['name']} (SAMPLE)" if sample else row["name"],
        "description": " ".join(p for p in parts if p),
        "url": next((link for link in (safe_link(u) for u in row["source_urls"].split(";")) if link), ""),
        "status": STATUS[row["status"]],
    }
    if row["accreditation"] != "not stated":
        service["accreditations"] = row["accreditation"]
    if row["last_verified"]:
        service["assured_date"] = row["last_verified"]
    if row["last_updated"]:
        service["last_modified"] = f"{row['last_updated']}T00:00:00.000Z"
    if row["organisation"]:
        organization: dict[str, Any] = {
            "id": _uuid("organization", row["organisation"]),
            "name": row["organisation"],
            "description": f"Runs {row['name']}.",
        }
        if row["charity_number"]:
            identifier = {"id": _uuid("organization_identifier", row["charity_number"]),
                          "identifier_type": "Charity number", "identifier": row["charity_number"]}
            scheme = CHARITY_SCHEME.get(row["jurisdiction"])
            if scheme:
                identifier["identifier_scheme"] = scheme
            organization["organization_identifiers"] = [identifier]
        service["organization"] = organization
    if row["opening"]:
        service["schedules"] = [{"id": _uuid("schedule", centre_id), "description": row["opening"]}]
    location: dict[str, Any] = {
        "id": _uuid("location", centre_id),
        "name": row["name"],
        "description": _PRECISION_TEXT[row["location_precision"]],
    }
    if pd.notna(row["lat"]) and pd.notna(row["lon"]):
        location["latitude"] = round(float(row["lat"]), 6)
        location["longitude"] = round(float(row["lon"]), 6)
    if row["town"] or row["postcode"]:
        location["addresses"] = [{
            "id": _uuid("address", centre_id),
            "address_1": "",
            "city": row["town"],
            "state_province": "",
            "postal_code": row["postcode"],
            "country": COUNTRY.get(row["jurisdiction"], "GB"),
            "address_type": "physical",
        }]
    service["service_at_locations"] = [{"id": _uuid("service_at_location", centre_id), "location": location}]
    service["attributes"] = [
        {"id": _uuid("attribute", f"{centre_id}:{s}"), "link_type": "service_type", "link_entity": "service",
         "taxonomy_term": _term(s)}
        for s in services
    ]
    return service


def services_page(network: PublicNetwork, *, include_sample: bool = False, include_closed: bool = True) -> dict[str, Any]:
    """The directory as an Open Referral UK ``/services`` page (all services on one page).

    Args:
        network: the public network (``network.public()``): withheld centres
            are at their district or coarser, without private fields.
        include_sample: include records flagged ``sample`` (labelled SAMPLE).
        include_closed: include closed centres (status ``defunct``): a closure is evidence.

    Returns:
        ``total_items``, ``total_pages`` (1), ``page_number`` (1), ``size``,
        ``first_page``, ``last_page``, ``empty`` and ``contents`` (the
        services, sorted by directory id).
    """
    public = require_public_network(network).centres
    withheld_ids = set(public.loc[public["address_withheld"] == "yes", "id"])
    if not include_sample:
        public = public[public["sample"] != "yes"]
    if not include_closed:
        public = public[public["status"] != "closed"]
    contents = [_service(row, withheld=row["id"] in withheld_ids) for row in public.sort_values("id").to_dict("records")]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }

