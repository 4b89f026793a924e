"""The public directory in the Open Referral UK (HSDS 3) JSON shape.

UK service directories exchange records as Open Referral UK: the Human
Services Data Specification 3 with the UK profile
(https://github.com/OpenReferralUK/uk-profile). :func:`services_page` gives
the directory as the body of the ``/services`` endpoint: a one-page list
whose ``contents`` are full service objects, each with its organisation, its
location (``service_at_locations``) and the contact services it offers as
taxonomy-term attributes.

:func:`read_services` reads such a page back, and the published standard's
separate ``services``, ``organizations``, ``locations`` and
``service_at_locations`` lists, as rows for the spreadsheet importer
(:func:`plan_hsds_import`: the same dry run, row-level problems and single
transaction). Each service carries its directory id as an ``identifier``
attribute and its nation in ``state_province``, so exporting, importing into an
empty database and exporting again gives the same bytes.

Only the public network goes out (:meth:`millis_network.network.Network.public`): a centre
whose address is withheld appears at its district or coarser, its private fields
dropped. Identifiers are UUIDs derived from the directory ids (version 5), so
the same centre keeps the same UUID in every export. Sample records are left
out unless asked for, and then say so in their name and description.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from millis_network._sheets import IMPORT_LIMITS, Sheet, SheetLimits
from millis_network._text import fold, safe_link
from millis_network.directory import JURISDICTIONS, SERVICES, split_services
from millis_network.network import PublicNetwork, require_public_network
from millis_network.store.importer import ImportPlan, RowOutcome, plan_sheet
from millis_network.validation import Issue
from millis_network.wording import (
    NOT_STATED,
    PRECISION_LABELS,
    WITHHELD_PHRASES,
    sentence,
)

if TYPE_CHECKING:
    from millis_network.store.database import Store

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
#: Code of the attribute that carries each service's directory id (its ``value``), so an import keeps the id.
ID_CODE = "directory_id"
_ID_TERM = {
    "id": str(uuid.uuid5(NAMESPACE, f"taxonomy_term:{ID_CODE}")),
    "code": ID_CODE,
    "name": "Directory id",
    "description": "The centre's stable id in the millis-network directory.",
    "taxonomy": "millis-network identifiers",
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
    stated = "; ".join(services) if services else f"{NOT_STATED} in this directory"
    parts = [
        "SAMPLE record: illustrative, not a real centre." if sample else "",
        f"Child contact centre. Services: {stated}.",
        f"Referral: {row['referral']}" if row["referral"] else "",
        f"{sentence(WITHHELD_PHRASES[row['location_precision']])}." if withheld else "",
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
        "description": f"{sentence(PRECISION_LABELS[row['location_precision']])}.",
    }
    if pd.notna(row["lat"]) and pd.notna(row["lon"]):
        location["latitude"] = round(float(row["lat"]), 6)
        location["longitude"] = round(float(row["lon"]), 6)
    if row["town"] or row["postcode"] or row["jurisdiction"]:
        location["addresses"] = [{
            "id": _uuid("address", centre_id),
            "address_1": "",
            "city": row["town"],
            "state_province": row["jurisdiction"],
            "postal_code": row["postcode"],
            "country": COUNTRY.get(row["jurisdiction"], "GB"),
            "address_type": "physical",
        }]
    service["service_at_locations"] = [{"id": _uuid("service_at_location", centre_id), "location": location}]
    service["attributes"] = [
        {"id": _uuid("attribute", f"{centre_id}:{s}"), "link_type": "service_type", "link_entity": "service",
         "taxonomy_term": _term(s)}
        for s in services
    ] + [{"id": _uuid("attribute", f"{centre_id}:{ID_CODE}"), "link_type": "identifier", "link_entity": "service",
          "value": centre_id, "taxonomy_term": _ID_TERM}]
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



# reading ------------------------------------------------------------------------

#: Directory fields a service becomes, in the order of the rows :func:`read_services` makes.
READ_FIELDS: tuple[str, ...] = (
    "id", "name", "organisation", "charity_number", "jurisdiction", "town", "postcode", "location_precision",
    "lat", "lon", "services", "accreditation", "opening", "address_withheld", "status", "source_urls",
    "last_verified", "last_updated", "sample", "notes",
)
_STATUS_BACK = {"active": "open", "inactive": "open", "temporarily closed": "open", "defunct": "closed"}
_COUNTRY_BACK = {"JE": "Jersey", "GG": "Guernsey", "IM": "Isle of Man"}
_PRECISION_BACK = {f"{sentence(label)}.": precision for precision, label in PRECISION_LABELS.items()}
_WITHHELD_BACK = {f"{sentence(phrase)}.": precision for precision, phrase in WITHHELD_PHRASES.items()}
_SERVICE_BACK = {fold(name): code for code, name in SERVICE_NAMES.items()} | {fold(code): code for code in SERVICES}
_SAMPLE_PREFIX = "SAMPLE record: illustrative, not a real centre."
_SAMPLE_SUFFIX = " (SAMPLE)"


class _BadService(ValueError):
    def __init__(self, path: str, field: str, value: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.field = field
        self.value = "" if value is None else str(value)[:80]


def _object(value: object, path: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _BadService(path, field, value, "must be a JSON object")
    return value


def _list(value: object, path: str, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _BadService(path, field, value, "must be a JSON list")
    return value


def _text(value: object, path: str, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _BadService(path, field, value, "must be text")
    return str(value)


def _degrees(value: object, path: str, field: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadService(path, field, value, "must be a number (WGS84 degrees)")
    return f"{float(value):.6f}"


def _by_id(items: list[Any], name: str) -> dict[str, Mapping[str, Any]]:
    found = {}
    for position, item in enumerate(items):
        record = _object(item, f"{name}[{position}]", name)
        found[_text(record.get("id"), f"{name}[{position}].id", "id")] = record
    return found


def _service_row(service: Mapping[str, Any], path: str, linked: Mapping[str, Any]) -> dict[str, str]:
    """One service (nested as ``/services`` gives it, or joined from the standard's lists) as directory fields."""
    name = _text(service.get("name"), f"{path}.name", "name")
    description = _text(service.get("description"), f"{path}.description", "notes")
    sample = name.endswith(_SAMPLE_SUFFIX) and description.startswith(_SAMPLE_PREFIX)
    if sample:
        name, description = name[: -len(_SAMPLE_SUFFIX)], description[len(_SAMPLE_PREFIX):].lstrip()
    attributes = _list(service.get("attributes"), f"{path}.attributes", "services") + list(linked.get("attributes", []))
    services, centre_id = [], ""
    for position, item in enumerate(attributes):
        attribute = _object(item, f"{path}.attributes[{position}]", "services")
        term = _object(attribute.get("taxonomy_term") or {}, f"{path}.attributes[{position}].taxonomy_term", "services")
        code = _text(term.get("code"), f"{path}.attributes[{position}].taxonomy_term.code", "services")
        if code == ID_CODE:
            centre_id = _text(attribute.get("value"), f"{path}.attributes[{position}].value", "id")
            continue
        label = _SERVICE_BACK.get(fold(code)) or _SERVICE_BACK.get(fold(_text(term.get("name"), path, "services")))
        if label:
            services.append(label)
    stated = "; ".join(split_services("; ".join(services)))
    for prefix in (f"Child contact centre. Services: {stated or f'{NOT_STATED} in this directory'}.",):
        if description.startswith(prefix):
            description = description[len(prefix):].lstrip()
    withheld = next((w for w in _WITHHELD_BACK if description.startswith(w)), None)
    if withheld:
        description = description[len(withheld):].lstrip()

    organisation = linked.get("organization") or service.get("organization") or {}
    organisation = _object(organisation, f"{path}.organization", "organisation")
    charity = ""
    for position, item in enumerate(_list(organisation.get("organization_identifiers"),
                                          f"{path}.organization.organization_identifiers", "charity_number")):
        identifier = _object(item, f"{path}.organization.organization_identifiers[{position}]", "charity_number")
        if fold(_text(identifier.get("identifier_type"), path, "charity_number")) == "charity number":
            charity = _text(identifier.get("identifier"), f"{path}.organization.organization_identifiers[{position}].identifier",
                            "charity_number")
    links = _list(service.get("service_at_locations"), f"{path}.service_at_locations", "lat")
    location: Mapping[str, Any] = linked.get("location") or {}
    if not location and links:
        link = _object(links[0], f"{path}.service_at_locations[0]", "lat")
        location = _object(link.get("location") or {}, f"{path}.service_at_locations[0].location", "lat")
    where = f"{path}.service_at_locations[0].location"
    addresses = _list(location.get("addresses"), f"{where}.addresses", "town") + list(linked.get("addresses", []))
    address = _object(addresses[0], f"{where}.addresses[0]", "town") if addresses else {}
    nation = _text(address.get("state_province"), f"{where}.addresses[0].state_province", "jurisdiction")
    country = _text(address.get("country"), f"{where}.addresses[0].country", "jurisdiction")
    lat = _degrees(location.get("latitude"), f"{where}.latitude", "lat")
    lon = _degrees(location.get("longitude"), f"{where}.longitude", "lon")
    precision = _PRECISION_BACK.get(_text(location.get("description"), f"{where}.description", "location_precision"), "")
    schedules = _list(service.get("schedules"), f"{path}.schedules", "opening") + list(linked.get("schedules", []))
    opening = _text(_object(schedules[0], f"{path}.schedules[0]", "opening").get("description"),
                    f"{path}.schedules[0].description", "opening") if schedules else ""
    status = _text(service.get("status"), f"{path}.status", "status")
    if status and status not in _STATUS_BACK:
        raise _BadService(f"{path}.status", "status", status, f"must be one of {', '.join(_STATUS_BACK)}")
    modified = _text(service.get("last_modified"), f"{path}.last_modified", "last_updated")
    return {
        "id": centre_id,
        "name": name,
        "organisation": _text(organisation.get("name"), f"{path}.organization.name", "organisation"),
        "charity_number": charity,
        "jurisdiction": nation if nation in JURISDICTIONS else _COUNTRY_BACK.get(country, ""),
        "town": _text(address.get("city"), f"{where}.addresses[0].city", "town"),
        "postcode": "" if withheld else _text(address.get("postal_code"), f"{where}.addresses[0].postal_code", "postcode"),
        "location_precision": precision,
        "lat": lat,
        "lon": lon,
        "services": stated,
        "accreditation": _text(service.get("accreditations"), f"{path}.accreditations", "accreditation") or "not stated",
        "opening": opening,
        "address_withheld": "yes" if withheld else "",
        "status": _STATUS_BACK.get(status, "open"),
        "source_urls": _text(service.get("url"), f"{path}.url", "source_urls"),
        "last_verified": _text(service.get("assured_date"), f"{path}.assured_date", "last_verified"),
        "last_updated": modified[:10],
        "sample": "yes" if sample else "no",
        "notes": description,
    }


def _services_of(document: object) -> tuple[str, list[Any], dict[int, dict[str, Any]]]:
    """The services a document holds (with where they are) and, for the standard's lists, what each links to."""
    if isinstance(document, list):
        return "", document, {}
    if isinstance(document, Mapping) and isinstance(document.get("contents"), list):
        return "contents", document["contents"], {}
    if not (isinstance(document, Mapping) and isinstance(document.get("services"), list)):
        raise _BadService("(top level)", "", "", "expected an Open Referral /services page (with contents), "
                          "a list of services, or an object with a services list")
    services: list[Any] = document["services"]
    organisations = _by_id(_list(document.get("organizations"), "organizations", "organisation"), "organizations")
    locations = _by_id(_list(document.get("locations"), "locations", "lat"), "locations")
    addresses: dict[str, list[Any]] = {}
    for position, item in enumerate(_list(document.get("addresses"), "addresses", "town")):
        address = _object(item, f"addresses[{position}]", "town")
        addresses.setdefault(_text(address.get("location_id"), f"addresses[{position}].location_id", "town"), []).append(address)
    at_location: dict[str, str] = {}
    for position, item in enumerate(_list(document.get("service_at_locations"), "service_at_locations", "lat")):
        link = _object(item, f"service_at_locations[{position}]", "lat")
        location_id = _text(link.get("location_id"), f"service_at_locations[{position}].location_id", "lat")
        if location_id not in locations:
            raise _BadService(f"service_at_locations[{position}].location_id", "lat", location_id, "names no location in locations")
        at_location.setdefault(_text(link.get("service_id"), f"service_at_locations[{position}].service_id", "id"), location_id)
    per_table: dict[str, dict[str, list[Any]]] = {}
    for table in ("attributes", "schedules"):
        for position, item in enumerate(_list(document.get(table), table, table)):
            record = _object(item, f"{table}[{position}]", table)
            owner = _text(record.get("link_id") or record.get("service_id"), f"{table}[{position}]", table)
            per_table.setdefault(table, {}).setdefault(owner, []).append(record)
    linked: dict[int, dict[str, Any]] = {}
    for position, item in enumerate(services):
        if not isinstance(item, Mapping):
            continue
        service_id = str(item.get("id", ""))
        organisation_id = str(item.get("organization_id", "") or "")
        if organisation_id and organisation_id not in organisations:
            raise _BadService(f"services[{position}].organization_id", "organisation", organisation_id,
                              "names no organisation in organizations")
        location_id = at_location.get(service_id, "")
        linked[position] = {
            "organization": organisations.get(organisation_id, {}),
            "location": locations.get(location_id, {}),
            "addresses": addresses.get(location_id, []),
            "attributes": per_table.get("attributes", {}).get(service_id, []),
            "schedules": per_table.get("schedules", {}).get(service_id, []),
        }
    return "services", services, linked


def read_services(data: bytes, *, name: str, limits: SheetLimits = IMPORT_LIMITS) -> tuple[Sheet, tuple[RowOutcome, ...]]:
    """Read Open Referral UK / HSDS JSON as a sheet of directory fields, one row per service.

    Row numbers are the services' positions (1 = the first). Never raises for
    bad content: a problem with the whole file is in the sheet's
    ``problems``; a service that cannot be read is a rejected row, naming its
    JSON path and field.

    Returns:
        The sheet (headings :data:`READ_FIELDS`) and the rejected rows.
    """
    def refused(rule: str, message: str, row: int = 0) -> tuple[Sheet, tuple[RowOutcome, ...]]:
        return Sheet(name, "hsds", "utf-8", 0, (), (), (Issue(name, row, "", "", rule, message),)), ()

    if len(data) > limits.max_file_bytes:
        return refused("limit-bytes", f"the file is {len(data):,} bytes; the most accepted is {limits.max_file_bytes:,}")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return refused("encoding", "Open Referral JSON must be UTF-8")
    except json.JSONDecodeError as exc:
        return refused("json", f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", exc.lineno)
    except RecursionError:
        return refused("json", "the JSON is nested too deeply to be a directory")
    try:
        where, services, linked = _services_of(document)
    except _BadService as exc:
        return refused("hsds-shape", str(exc))
    if len(services) > limits.max_rows:
        return refused("limit-rows", f"the file holds {len(services):,} services; the most accepted is {limits.max_rows:,}")
    rows: list[tuple[int, tuple[str, ...]]] = []
    rejected: list[RowOutcome] = []
    for position, item in enumerate(services):
        path = f"{where}[{position}]" if where else f"[{position}]"
        try:
            row = _service_row(_object(item, path, ""), path, linked.get(position, {}))
        except _BadService as exc:
            rejected.append(RowOutcome(position + 1, "rejected", "", "",
                                       issues=(Issue(name, position + 1, exc.field, exc.value, "hsds-field", str(exc)),)))
            continue
        rows.append((position + 1, tuple(row[f] for f in READ_FIELDS)))
    return Sheet(name, "hsds", "utf-8", 0, READ_FIELDS, tuple(rows)), tuple(rejected)


def plan_hsds_import(store: Store, data: bytes, *, name: str, progress: bool = False) -> ImportPlan:
    """Plan importing Open Referral UK / HSDS JSON into ``store`` as a spreadsheet import is planned (nothing written).

    Dates the file gives (``last_modified``, ``assured_date``) are kept: it is
    a directory's own record of them. Apply with
    :func:`millis_network.store.importer.apply_import`.
    """
    sheet, rejected = read_services(data, name=name)
    plan = plan_sheet(sheet, store.centres(), progress=progress, keep_dates=True,
                      source_label=f"Open Referral file {name}")
    rows = tuple(sorted((*plan.rows, *rejected), key=lambda r: r.row))
    return ImportPlan(plan.file, "hsds", plan.encoding, plan.headings, plan.notices, plan.problems, rows, plan.writes)
