"""Derive the bundled directory from the reference compilations (run on refresh only).

``millis-network data derive-directory --reference ../shared/reference`` wrote
``network_data/courts/family_court_centres.csv`` and
``network_data/centres/centres.csv`` from the first pass (2026-11-23).
Later passes go through the store, so the audit log records them:
``millis-network data second-pass --reference ../shared/reference --out FILE``
writes the second pass (2026-12-01) as a spreadsheet for ``millis-network import``. Facts are carried over as stated; centres
named only by town are placed with the GeoNames gazetteer at precision
``town``; nothing is guessed. The records below that are not in the reference
CSV (Milli's, and closures the reference compilation found but did not list
as rows) carry their own sources.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from millis_network._text import slug
from millis_network.directory import CENTRE_COLUMNS, COURT_COLUMNS, split_services
from millis_network.places import locate_town
from millis_network.postcodes import geocode, normalise_postcode

COMPILED_ON = "2026-11-23"
_FACT_SOURCE = (
    "HMCTS Find a Court or Tribunal data (hmcts/fact-api migrations V001-V218, 2026-07-28), "
    "Open Government Licence v3.0"
)
_REFERENCE_CENTRES_NOTE = "reference compilation of public pages, 2026-11-23"

P119 = "States of Jersey proposition P.119/2014 (Deputy G.P. Southern), report and appendices"
JEP_2023 = (
    "https://jerseyeveningpost.com/news/2023/01/15/jersey-care-commission-denies-new-regulations-"
    "caused-a-childrens-contact-centre-to-close/"
)
BBC_2023 = "https://feeds.bbci.co.uk/news/world-europe-jersey-65972862"
WQ_2023 = "https://statesassembly.je/assemblyquestions/2023/wq.5-2023.pdf"


def _jersey_town() -> tuple[float, float]:
    place = locate_town("St Helier", jurisdiction="Jersey")
    if place is None:
        raise RuntimeError("GeoNames has no St Helier; cannot place Jersey records")
    return place.lat, place.lon


def derive_courts(reference_dir: Path) -> pd.DataFrame:
    """Family court centres: displayed HMCTS courts hearing Children, plus Jersey's Royal Court."""
    source = pd.read_csv(reference_dir / "courts" / "family_court_centres.csv", dtype=str, keep_default_na=False)
    courts = pd.DataFrame(
        {
            "id": source["slug"],
            "name": source["name"],
            "postcode": source["postcode"].map(normalise_postcode),
            "town": source["town"],
            "lat": source["lat"],
            "lon": source["lon"],
            "location_precision": "postcode",
            "jurisdiction": source["nation_by_postcode"],
            "region": source["region"],
            "court_types": source["court_types"],
            "areas_of_law": source["areas_of_law"],
            "children_spoe": source["children_spoe"],
            "fact_id": source["id"],
            "address": source["address"],
            "source": _FACT_SOURCE,
        }
    )
    lat, lon = _jersey_town()
    jersey = {
        "id": "royal-court-of-jersey",
        "name": "Royal Court of Jersey",
        "postcode": "",
        "town": "St Helier",
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "location_precision": "town",
        "jurisdiction": "Jersey",
        "region": "Jersey",
        "court_types": "Royal Court",
        "areas_of_law": "Family matters",
        "children_spoe": "False",
        "fact_id": "",
        "address": "",
        "source": (
            "Jersey is outside the HMCTS system; its family matters go to the Royal Court "
            "(project DESIGN.md domain facts). Placed at St Helier town centre (GeoNames, CC BY 4.0)."
        ),
    }
    courts = pd.concat([courts, pd.DataFrame([jersey])], ignore_index=True)
    return courts[list(COURT_COLUMNS)].sort_values("id").reset_index(drop=True)


#: Towns whose name is shared by distant places, with the nearby town the
#: source names: Hook Child Contact Centre (Mothers' Union, Odiham Deanery)
#: opened "to relieve waiting lists at Basingstoke and Fleet centres".
_NEAR_TOWN: dict[str, str] = {"hook-child-contact-centre": "Basingstoke"}


#: Opening dates a row's own sources state (quoted in its ``notes``): "opened
#: 1985", "Started 1999", "operational since August 1991", "founded 1991" and so on.
_OPENED_AS_NOTED: dict[str, str] = {
    "nottingham-child-contact-centre": "1985",
    "st-marys-contact-centre": "1999",
    "st-johns-contact-centre": "1991-08",
    "alton-child-contact-centre": "1999",
    "hook-child-contact-centre": "2009",
    "roberts-centre-child-contact-service": "1995",
    "bath-child-contact-centre": "1991",
    "south-london-family-centre-child-contact-centre": "1996",
    "glamorgan-house-family-time-centre": "2012-06",
    "central-belfast-child-contact-centre": "2000",
    "armagh-child-contact-centre": "2005",
    "guernsey-child-contact-centre": "2001",
}


def _place(row: dict[str, str]) -> dict[str, str]:
    if row["postcode"]:
        located = geocode([row["postcode"]]).iloc[0]
        if located["precision"] == "postcode":
            return {"location_precision": "postcode", "lat": f"{located['lat']:.6f}", "lon": f"{located['lon']:.6f}"}
    near = None
    if row["id"] in _NEAR_TOWN:
        anchor = locate_town(_NEAR_TOWN[row["id"]], jurisdiction=row["jurisdiction"])
        near = (anchor.lat, anchor.lon) if anchor else None
    town = locate_town(row["town"], jurisdiction=row["jurisdiction"], near=near)
    if town is not None:
        return {"location_precision": "town", "lat": f"{town.lat:.6f}", "lon": f"{town.lon:.6f}"}
    return {"location_precision": "none", "lat": "", "lon": ""}


def _reference_centres(reference_dir: Path) -> list[dict[str, str]]:
    source = pd.read_csv(
        reference_dir / "centres" / "contact_centres_public_pages.csv", dtype=str, keep_default_na=False
    )
    rows = []
    for record in source.to_dict("records"):
        row = {column: "" for column in CENTRE_COLUMNS}
        row.update(
            id=slug(record["name"]),
            name=record["name"],
            organisation=record["organisation"],
            charity_number=record["charity_number"],
            jurisdiction=record["country"],
            town=record["town"],
            postcode=normalise_postcode(record["postcode"]) if record["postcode"] else "",
            services="; ".join(split_services(record["services"])),
            accreditation=record["accreditation"],
            opening=record["opening"],
            address_withheld=record["address_withheld"],
            status="open",
            opened=_OPENED_AS_NOTED.get(slug(record["name"]), ""),
            source_urls=record["source_urls"],
            page_date=record["page_date"],
            last_updated=COMPILED_ON,
            sample="no",
            notes=record["notes"],
        )
        rows.append(row)
    return rows


def _closed_centres() -> list[dict[str, str]]:
    """Closures the sources state, with their dates ("closed" = the date by which it had closed)."""
    appeal = "NACCC urgent appeal page (naccc.org.uk), as summarised in the " + _REFERENCE_CENTRES_NOTE
    rayo = "hellorayo.co.uk news item, as summarised in the " + _REFERENCE_CENTRES_NOTE
    horsham = "http://www.heartpublications.co.uk/church-members-bring-families-together/"
    closures = [
        ("Harrogate", "England", "supported", "2021-10", appeal,
         "Supported centre closed between April 2019 and October 2021 (NACCC reported 55 services closed in that period); exact month not stated."),
        ("York", "England", "supported", "2021-10", appeal,
         "Supported centre closed between April 2019 and October 2021 (NACCC reported 55 services closed in that period); exact month not stated."),
        ("Crawley", "England", "", "2018-08", horsham,
         "A 2018-08-21 article about Horsham Child Contact Centre says the Crawley centre had closed; closing date not stated."),
        ("Durham", "England", "", "2015-01", rayo, "Reported closed by January 2015; closing date not stated."),
        ("Hartlepool", "England", "", "2015-01", rayo, "Reported closed by January 2015; closing date not stated."),
        ("Middlesbrough", "England", "", "2015-01", rayo, "Reported closed by January 2015; closing date not stated."),
    ]
    rows = []
    for town, jurisdiction, services, closed, source, note in closures:
        row = {column: "" for column in CENTRE_COLUMNS}
        row.update(
            id=slug(f"{town} child contact centre closed"),
            name=f"{town} child contact centre (closed)",
            jurisdiction=jurisdiction,
            town=town,
            services=services,
            accreditation="not stated",
            address_withheld="unknown",
            status="closed",
            closed=closed,
            source_urls=source,
            last_updated=COMPILED_ON,
            sample="no",
            notes=note + " The centre's own name is not given in the source.",
        )
        rows.append(row)
    return rows


def _millis(successor_id: str) -> dict[str, str]:
    row = {column: "" for column in CENTRE_COLUMNS}
    row.update(
        id="millis-child-contact-centre",
        name="Milli's Child Contact Centre",
        organisation="Jersey Centre for Separated Families",
        jurisdiction="Jersey",
        town="St Helier",
        services="supported; escorted",
        accreditation="not stated",
        address_withheld="no",
        status="closed",
        opened="2000",
        closed="2023-01",
        successor_id=successor_id,
        source_urls=f"{P119} ; {JEP_2023} ; {BBC_2023} ; {WQ_2023}",
        page_date="2014",
        last_updated=COMPILED_ON,
        sample="no",
        notes=(
            "Venue moved from Bel Royal to Janvrin School (P.119/2014). Member of NACCC and of the National "
            "Network of Separated Family Centres (membership, not accreditation). Supported contact; one child "
            "escorted to prison visits (P.119/2014). Opened: P.119/2014 says 14 years of service and the BBC/JEP "
            "say it ran Jersey's service for 23 years until it closed, both giving 2000. Closed: reported closed "
            "by the JEP on 2023-01-15. Caseload, staffing, budget and funders: network_data/centres/millis.yaml."
        ),
    )
    return row


#: What the first pass added to Centrepoint's notes (it placed the centre and dated its opening).
_CENTREPOINT_NOTE = (
    " Placed at St Helier town centre: La Pouquelaye is in St Helier. "
    "Opened: from 2 July 2023 (BBC; year from WQ.5/2023 and the JEP timeline)."
)


def derive_centres(reference_dir: Path) -> pd.DataFrame:
    """The directory: reference centres, Milli's (closed 2023) and stated closures."""
    rows = _reference_centres(reference_dir)
    centrepoint = next(r for r in rows if r["jurisdiction"] == "Jersey")
    centrepoint.update(
        town="St Helier",
        opened="2023-07",
        notes=centrepoint["notes"] + _CENTREPOINT_NOTE,
    )
    rows.append(_millis(centrepoint["id"]))
    rows.extend(_closed_centres())
    for row in rows:
        row.update(_place(row))
    unknown = sorted(set(_OPENED_AS_NOTED) - {row["id"] for row in rows})
    if unknown:
        raise RuntimeError(f"opening dates given for unknown centre ids {unknown}")
    frame = pd.DataFrame(rows)[list(CENTRE_COLUMNS)]
    duplicates = frame["id"][frame["id"].duplicated()].tolist()
    if duplicates:
        raise RuntimeError(f"duplicate centre ids {duplicates}; disambiguate the names")
    return frame.sort_values("id").reset_index(drop=True)


def derive_directory(reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write courts and centres CSVs under ``out_dir``; return row counts."""
    (out_dir / "courts").mkdir(parents=True, exist_ok=True)
    (out_dir / "centres").mkdir(parents=True, exist_ok=True)
    courts = derive_courts(reference_dir)
    centres = derive_centres(reference_dir)
    courts.to_csv(out_dir / "courts" / "family_court_centres.csv", index=False)
    centres.to_csv(out_dir / "centres" / "centres.csv", index=False)
    return {"courts": len(courts), "centres": len(centres)}


#: The second pass renamed one centre; its id stays the one the first pass gave it.
_SECOND_PASS_IDS: dict[str, str] = {"Cambridge and Ely Child Contact Centre (CECCC)": "ceccc"}

#: Opening dates stated in a new row's notes ("opened 2000", "Accreditation summary ...: opened September 2000").
_SECOND_PASS_OPENED: dict[str, str] = {
    "portland-child-contact-centre": "2000",
    "birmingham-salvation-army-child-contact-centre": "2000-09",
    "voice-of-the-child-voc-contact-centre": "2008",
}

#: Each doubt the compilation records (its README "Caveats" and CHANGES-2026-12-01.md), as a flag
#: on the rows it concerns; a flagged centre is on the editors' "needs checking" list until cleared.
SECOND_PASS_DOUBTS: dict[str, str] = {
    "hope-contact-centre": (
        "May not be in the UK: its FAQ uses the Australian term 'Children's Contact Service' and names "
        "neither NACCC nor Cafcass; the .co.uk domain is the only UK pointer. Not placed on the map."
    ),
    "uxbridge-child-contact-centre-uccc": (
        "'supported' rests on a fundraising page's loose wording ('regular supported visits'); "
        "confirm the service with the centre or its NACCC listing."
    ),
    "kingston-contact-centre-kingston-child-contact-centre": (
        "Sources merged by name: the centre page and the NACCC item do not state the town."
    ),
    "westwood-house-child-contact-centre": "Two websites of the same name merged; the town is not stated.",
    "derby-child-contact-centre": "Sources merged by name: the site's name was inferred from its address.",
    "the-contact-zone": "Sources merged by name: the referrer page is a wix site matched by name.",
    "family-contact": "Shares a telephone number with Blossom Family Contact Services: possibly one service.",
    "blossom-family-contact-services": (
        "Country inferred from its telephone number; shares that number with Family Contact."
    ),
    "carlisle-child-contact-centre": (
        "May be the same service as Cumbria Family Support's Carlisle centre; its pages date from 2015."
    ),
    "children-first-derby-supervised-family-time": (
        "Supervises contact for children in local-authority care, not private-law family contact."
    ),
    "glamorgan-house-family-time-centre": "The only source is a staging website.",
    "stonehouse-contact-centre": (
        "The only source is a local news article from before July 2000; current status unknown."
    ),
}

#: Columns of the second-pass spreadsheet (directory fields, read by :mod:`millis_network.store.importer`).
SECOND_PASS_COLUMNS: tuple[str, ...] = (
    "id", "name", "organisation", "charity_number", "jurisdiction", "town", "postcode", "services",
    "accreditation", "opening", "address_withheld", "status", "opened", "closed", "successor_id",
    "source_urls", "page_date", "notes", "doubt",
)

#: Ids the first pass gave the closures in ``closed_centres.csv`` (Milli's has its own record).
_CLOSURE_IDS: dict[str, str] = {
    "Milli's Separated Family Centre": "millis-child-contact-centre",
    **{f"{town} supported child contact centre": slug(f"{town} child contact centre closed")
       for town in ("Harrogate", "York")},
    **{f"{town} child contact centre": slug(f"{town} child contact centre closed")
       for town in ("Crawley", "Durham", "Hartlepool", "Middlesbrough")},
}


def second_pass_sheet(reference_dir: Path) -> pd.DataFrame:
    """The second pass of public facts (2026-12-01) as rows for ``millis-network import``.

    Every centre of ``contact_centres_public_pages.csv`` with the id the first
    pass gave it (new centres: made from the name), its doubts flagged
    (:data:`SECOND_PASS_DOUBTS`); and the closures of ``closed_centres.csv``
    matched to the closed records, with their sources as the file states them.
    Placement is left to the importer (postcode, else town).

    Returns:
        Columns :data:`SECOND_PASS_COLUMNS`, all text.
    """
    centres = pd.read_csv(
        reference_dir / "centres" / "contact_centres_public_pages.csv", dtype=str, keep_default_na=False
    )
    rows = []
    for record in centres.to_dict("records"):
        centre_id = _SECOND_PASS_IDS.get(record["name"], slug(record["name"]))
        rows.append({
            "id": centre_id,
            "name": record["name"],
            "organisation": record["organisation"],
            "charity_number": record["charity_number"],
            "jurisdiction": record["country"],
            "town": record["town"],
            "postcode": record["postcode"],
            "services": record["services"],
            "accreditation": record["accreditation"],
            "opening": record["opening"],
            "address_withheld": record["address_withheld"],
            "opened": _SECOND_PASS_OPENED.get(centre_id, ""),
            "source_urls": record["source_urls"],
            "page_date": record["page_date"],
            "notes": record["notes"] + (_CENTREPOINT_NOTE if record["country"] == "Jersey" else ""),
            "doubt": SECOND_PASS_DOUBTS.get(centre_id, ""),
        })
    closures = pd.read_csv(reference_dir / "centres" / "closed_centres.csv", dtype=str, keep_default_na=False)
    for record in closures.to_dict("records"):
        if record["name"] not in _CLOSURE_IDS:
            raise RuntimeError(f"closure {record['name']!r} matches no closed record; add it to _CLOSURE_IDS")
        centre_id = _CLOSURE_IDS[record["name"]]
        if centre_id == "millis-child-contact-centre":
            continue
        rows.append({
            "id": centre_id,
            "status": "closed",
            "source_urls": record["source_urls"],
            "notes": f"{record['closed']}. {record['notes']}",
        })
    frame = pd.DataFrame(rows, columns=list(SECOND_PASS_COLUMNS)).fillna("")
    unknown = sorted((set(SECOND_PASS_DOUBTS) | set(_SECOND_PASS_OPENED)) - set(frame["id"]))
    if unknown:
        raise RuntimeError(f"doubts or opening dates given for unknown centre ids {unknown}")
    return frame
