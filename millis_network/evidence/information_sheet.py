"""A one-page information sheet for a family: the nearest suitable contact centres.

A family mediator (MIAM), solicitor or Cafcass officer enters the family's
postcode; the sheet lists the nearest centres offering the service the family
needs, with distance, estimated drive time, accreditation, opening pattern and
how to refer, and the family court centre serving their area.

Privacy. The family's postcode is used to measure distances and nothing else:
the sheet names only its postcode district (a sheet may be handed on, and a
parent's full postcode is a home address), and this module logs nothing.
The sheet is built from the public network only
(:meth:`millis_network.network.Network.public`): centres whose address is
withheld appear at district level or coarser.

Rendering: :func:`render_information_sheet_html` (Jinja2 template in
``millis_network/evidence/templates/``) and :func:`render_information_sheet_pdf`
(ReportLab, one A4 page).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from millis_network._text import safe_link
from millis_network.config import KM_PER_MILE, CampaignRule
from millis_network.directory import completeness
from millis_network.engine.coverage import (
    Service,
    centres_near,
    serving_court,
)
from millis_network.network import PublicNetwork, require_public_network
from millis_network.places import nation_of_code
from millis_network.postcodes import (
    ISLAND_TOWNS,
    Location,
    PostcodeIndex,
    is_district,
    locate,
    locate_district,
    normalise_postcode,
)
from millis_network.wording import (
    ACCREDITATION_NOT_STATED,
    ACROSS_THE_SEA,
    ADDRESS_ON_REFERRAL,
    BY_ROAD_AND_FERRY,
    NOT_STATED,
    OPENING_NOT_STATED,
    PRECISION_LABELS,
    REFERRAL_NOT_STATED,
    SERVING_COURT_NOTE,
    no_centre_offering,
)

#: What each kind of contact means, in words for parents (DESIGN domain facts).
SERVICE_EXPLAINED: dict[str, str] = {
    "supported": (
        "Supported contact: several families share a room and trained volunteers keep a watchful eye. "
        "Nobody observes or writes reports. It suits families where there are no significant risks, "
        "and often runs on alternate Saturdays."
    ),
    "supervised": (
        "Supervised contact: one-to-one observation by staff with social-work (or equivalent) "
        "qualifications, who write reports. It is for families where there are risks to manage."
    ),
}

ACCREDITATION_NOTE = (
    "Courts and Cafcass refer only to centres accredited by NACCC (the National Association of "
    "Child Contact Centres); enhanced accreditation covers supervised contact. Accreditation lasts three years."
)


@dataclass(frozen=True)
class SheetCentre:
    """One centre as the sheet shows it (public details only).

    Attributes:
        distance_miles: great-circle miles from the family's postcode.
        drive_minutes: estimated one-way journey minutes (by road and ferry
            where ``journey`` says so; NaN across the sea with no ferry).
        journey: how the family would travel (``by road``, ``by road and ferry``, or across the sea).
        location: postcode, postcode district (address withheld) or town.
        location_note: "" when placed at its postcode, else why it is approximate.
    """

    name: str
    organisation: str
    town: str
    location: str
    location_note: str
    services: str
    accreditation: str
    opening: str
    referral: str
    distance_miles: float
    drive_minutes: float
    journey: str
    within_threshold: bool
    sample: bool
    source_url: str

    @property
    def reach_text(self) -> str:
        """Distance and drive time in words, e.g. "6.7 miles, about 22 min drive" (:data:`~millis_network.wording.ACROSS_THE_SEA` when no road joins them)."""
        if math.isnan(self.drive_minutes):
            return f"{self.distance_miles:.1f} miles, {ACROSS_THE_SEA}"
        how = f"{BY_ROAD_AND_FERRY}" if self.journey == BY_ROAD_AND_FERRY else "drive"
        text = f"{self.distance_miles:.1f} miles, about {self.drive_minutes:.0f} min {how}"
        return text if self.within_threshold else f"{text} (beyond the campaign's reach threshold)"


@dataclass(frozen=True)
class InformationSheet:
    """Everything a family's information sheet says, as plain data.

    Attributes:
        district: the family's postcode district (never the full postcode).
        location_note: "" or how the postcode was placed (e.g. district centre).
        service: ``supported`` or ``supervised``.
        centres: the nearest suitable centres, nearest first (may be empty).
        court_name, court_town, court_postcode, court_distance_miles: the
            family court centre nearest to the family (great-circle miles).
        court_note: "" or why the nearest court may not serve the family
            (Scotland and Northern Ireland have their own courts).
        threshold: the campaign rule's reach, e.g. "within 30 min (estimated drive)".
        completeness: how complete the centre directory is (one sentence).
        sources: where the data comes from (one line).
        sample_included: whether any listed centre is a sample record.
        generated_on: ISO date the sheet was made.
    """

    district: str
    location_note: str
    service: Service
    service_explained: str
    centres: tuple[SheetCentre, ...]
    court_name: str
    court_town: str
    court_postcode: str
    court_distance_miles: float
    court_note: str
    threshold: str
    completeness: str
    sources: str
    sample_included: bool
    generated_on: str

    @property
    def any_within_threshold(self) -> bool:
        """Whether at least one listed centre lies within the rule's threshold."""
        return any(centre.within_threshold for centre in self.centres)

    @property
    def court_text(self) -> str:
        """The court serving the family's area in one sentence, with the caveat about catchments."""
        where = "".join((f", {self.court_town}" if self.court_town else "",
                         f" ({self.court_postcode})" if self.court_postcode else ""))
        far = ("less than a mile away" if self.court_distance_miles < 1
               else f"about {self.court_distance_miles:.0f} miles away")
        text = f"The family court centre serving your area is {self.court_name}{where}, {far}. {SERVING_COURT_NOTE}"
        return f"{text} {self.court_note}" if self.court_note else text


def _first_url(text: str) -> str:
    """The first source that may be rendered as a link (:func:`~millis_network._text.safe_link`), or ""."""
    return next((link for link in (safe_link(part) for part in str(text).split(";")) if link), "")


def _sheet_centre(row: pd.Series) -> SheetCentre:
    withheld = row["address_withheld"] == "yes"
    location = row["postcode"] or row["town"]
    return SheetCentre(
        name=row["name"],
        organisation=row["organisation"],
        town=row["town"],
        location=f"{location} ({ADDRESS_ON_REFERRAL})" if withheld else location,
        location_note="" if row["location_precision"] == "postcode" else PRECISION_LABELS[row["location_precision"]],
        services=row["services"] or NOT_STATED,
        accreditation=ACCREDITATION_NOT_STATED if row["accreditation"] == "not stated" else row["accreditation"],
        opening=row["opening"] or OPENING_NOT_STATED,
        referral=row["referral"] or REFERRAL_NOT_STATED,
        distance_miles=float(row["distance_miles"]),
        drive_minutes=float(row["drive_minutes"]),
        journey=str(row["journey"]),
        within_threshold=bool(row["within_threshold"]),
        sample=row["sample"] == "yes",
        source_url=_first_url(row["source_urls"]),
    )


def _family_location(postcode: str, index: PostcodeIndex | None) -> Location:
    """Where the family is: its postcode, or a bare district (as a shared link carries) at the district's centre.

    A Jersey, Guernsey or Isle of Man postcode is placed at its island's main town (precision ``island``).
    """
    if is_district(postcode):
        return locate_district(postcode, index=index)
    return locate(normalise_postcode(postcode), index=index)


def _court_note(local_authority_code: str) -> str:
    nation = nation_of_code(local_authority_code)
    if nation in ("Scotland", "Northern Ireland"):
        return (f"Your postcode is in {nation}, which has its own courts; this data holds the family courts "
                "of England and Wales (and Jersey's Royal Court) only.")
    return ""


def information_sheet(
    postcode: str,
    network: PublicNetwork,
    *,
    service: Service,
    rule: CampaignRule,
    n: int = 3,
    index: PostcodeIndex | None = None,
) -> InformationSheet:
    """The information sheet for a family at ``postcode`` who need ``service``.

    Args:
        postcode: the family's postcode, any spelling ("b46ds", "B4 6DS").
        service: ``supported`` or ``supervised``.
        rule: the campaign rule (threshold, accreditation, sample records).
        n: how many centres to list.
        network: the public network (``network.public()``) whose centres and courts are listed.
        index: postcode index (the cached ONS index by default).

    Raises:
        PostcodeError: the postcode is malformed, on Alderney or Sark (not
            placed), or unknown along with its district; the message says
            which, for the person who typed it. Jersey, Guernsey and Isle of
            Man postcodes are placed at the island's main town.
    """
    location = _family_location(postcode, index)
    nation = location.island or nation_of_code(location.local_authority_code)
    public = require_public_network(network)
    centres, courts = public.centres, public.courts
    snapshots = public.provenance.snapshots()
    near = centres_near(
        location.lat, location.lon, centres, rule=rule, service=service, n=n, model=public.model,
        settlements=public.settlements,
        jurisdiction=nation,
    )
    court = serving_court(location.lat, location.lon, courts, nation=nation)
    listed = tuple(_sheet_centre(row) for _, row in near.iterrows())
    district = location.postcode.split(" ")[0]
    note = {"district": f"placed at the centre of postcode district {district}",
            "island": f"placed at {ISLAND_TOWNS.get(location.island, '')}, the main town of {location.island} "
                      "(the island only: no finer place is known for its postcodes)"}.get(location.precision, "")
    return InformationSheet(
        district=district,
        location_note=note,
        service=service,
        service_explained=SERVICE_EXPLAINED[service],
        centres=listed,
        court_name=str(court["name"]),
        court_town=str(court["town"]),
        court_postcode=str(court["postcode"]),
        court_distance_miles=float(court["distance_km"]) / KM_PER_MILE,
        court_note=_court_note(location.local_authority_code),
        threshold=rule.describe().split(";")[0],
        completeness=completeness(centres).describe(),
        sources=(
            f"Contact centres: {snapshots['contact centres']}. Family courts: "
            f"{snapshots['family court centres']}. Postcodes: {snapshots['postcodes']}. "
            "Distances are straight-line; drive times are estimates from a model calibrated on road travel times."
        ),
        sample_included=any(centre.sample for centre in listed),
        generated_on=date.today().isoformat(),
    )


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("millis_network.evidence", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_information_sheet_html(sheet: InformationSheet) -> str:
    """The sheet as a self-contained, printable HTML page (UTF-8 text)."""
    return _environment().get_template("information_sheet.html").render(
        sheet=sheet, accreditation_note=ACCREDITATION_NOTE, no_centre=no_centre_offering(sheet.service)
    )


def render_information_sheet_pdf(sheet: InformationSheet) -> bytes:
    """The sheet as a one-page A4 PDF (ReportLab; built-in Helvetica)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#333333"))
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=base["Title"], fontSize=16, leading=19, alignment=0, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=base["Heading2"], fontSize=11, leading=13, spaceBefore=6, spaceAfter=3)
    warning = ParagraphStyle("warning", parent=body, backColor=colors.HexColor("#FFF3CD"), borderPadding=4)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Flowable] = [
        p(f"Child contact centres near postcode district {sheet.district}", title),
        p(
            f"{sheet.service.capitalize()} contact. Made on {sheet.generated_on}. Distances are measured from your "
            "postcode, which this sheet does not print." + (f" Your postcode was {sheet.location_note}." if sheet.location_note else "")
        ),
    ]
    if sheet.sample_included:
        story.append(p("This sheet includes SAMPLE records, which are illustrative and not real centres.", warning))
    story += [p("What this service is", heading), p(sheet.service_explained), p("Nearest centres", heading)]
    if sheet.centres:
        rows = [[p(h, cell) for h in ("Centre", "Distance", "Services and accreditation", "Opening and how to refer")]]
        for centre in sheet.centres:
            where = centre.location + (f" ({centre.location_note})" if centre.location_note else "")
            rows.append([
                Paragraph(f"<b>{escape(centre.name)}</b>" + (" [SAMPLE]" if centre.sample else "") + f"<br/>{escape(where)}", cell),
                p(centre.reach_text, cell),
                p(f"Services: {centre.services}. {centre.accreditation}.", cell),
                p(f"Opening: {centre.opening}. Referral: {centre.referral}.", cell),
            ])
        table = Table(rows, colWidths=[52 * mm, 30 * mm, 42 * mm, 56 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    else:
        story.append(p(no_centre_offering(sheet.service)))
    story += [
        p("Family court", heading),
        p(sheet.court_text),
        p("Before you go", heading),
        p(ACCREDITATION_NOTE),
        p("Details come from the centres' public pages and may have changed: check opening times and how to refer "
          "with the centre before travelling."),
        Spacer(1, 4 * mm),
        p(f"Reach threshold: {sheet.threshold}. {sheet.completeness}", small),
        p(f"Sources: {sheet.sources}", small),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm, bottomMargin=12 * mm,
        title=f"Child contact centres near {sheet.district}", author="millis_network",
    ).build(story)
    return buffer.getvalue()
