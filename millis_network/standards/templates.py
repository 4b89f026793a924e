"""The roster template: one sheet a coordinator fills in, one row per person and one for the centre.

Its columns follow the standards (:func:`template_columns`): the person's id,
role and dates, one column per evidence kind (one per item for kinds with
items, such as the NACCC modules), then the centre's facts and evidence. The
shipped ``network_data/standards/roster_template.{csv,xlsx}`` are written by
:func:`write_template`; :func:`millis_network.standards.validate_bundled`
reports them when they fall out of step.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from millis_network.standards.model import Standards, load_standards
from millis_network.standards.rules import PERSON_ROLES, SERVICES

__all__ = ["ROSTER_SHEET", "TemplateColumn", "template_columns", "template_csv", "template_xlsx", "write_template"]

#: The worksheet of a roster workbook that holds the roster.
ROSTER_SHEET = "Roster"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the roster template.

    Attributes:
        name: the header.
        rows: which rows fill it: ``person``, ``centre`` or ``all``.
        meaning: what to write, for people.
        evidence_kind: the evidence kind it records ("" for other columns).
        item: the item it records, for kinds with items.
    """

    name: str
    rows: Literal["person", "centre", "all"]
    meaning: str
    evidence_kind: str = ""
    item: str = ""


def template_columns(standards: Standards) -> list[TemplateColumn]:
    """The roster template's columns, in order: people's, then the centre's."""
    dates = (
        "Date(s) completed, YYYY-MM-DD (or DD/MM/YYYY); several separated by ';'; "
        "'none' if not held; blank if not recorded."
    )
    columns = [
        TemplateColumn(
            "person_id",
            "all",
            "Pseudonymous id such as V01 (never a name); on the centre row, the centre's id such as my-centre.",
        ),
        TemplateColumn("role", "all", f"One of: {', '.join(PERSON_ROLES)}; exactly one row has role 'centre'."),
        TemplateColumn("start_date", "person", "First day in the role, YYYY-MM-DD."),
        TemplateColumn("leaving_on", "person", "Last day in the role, if leaving or left, YYYY-MM-DD."),
    ]
    for subject in ("person", "centre"):
        if subject == "centre":
            columns += [
                TemplateColumn("centre_name", "centre", "The centre's public name."),
                TemplateColumn(
                    "services", "centre", f"Kinds of contact offered, separated by ';': {', '.join(SERVICES)}."
                ),
                TemplateColumn(
                    "establishment",
                    "centre",
                    "Full staffing: how many coordinators, supervisors and volunteers the centre needs.",
                ),
            ]
        for kind in standards.evidence_kinds:
            if kind.subject != subject:
                continue
            if kind.items:
                columns += [
                    TemplateColumn(
                        f"{kind.id}_{item}", subject, f"{kind.title} {item}: the date completed.", kind.id, item
                    )
                    for item in kind.items
                ]
            else:
                columns.append(TemplateColumn(kind.id, subject, f"{kind.description} {dates}", kind.id))
    return columns


def template_csv(standards: Standards) -> str:
    """The roster template as CSV text: the header row only."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([c.name for c in template_columns(standards)])
    return out.getvalue()


def template_xlsx(standards: Standards) -> bytes:
    """The roster template as an XLSX workbook: a ``Roster`` sheet and an ``Instructions`` sheet."""
    columns = template_columns(standards)
    book = openpyxl.Workbook()
    roster = book.active
    assert isinstance(roster, Worksheet)  # a new workbook's one sheet
    roster.title = ROSTER_SHEET
    roster.append([c.name for c in columns])
    for cell in roster[1]:
        cell.font = Font(bold=True)
    roster.freeze_panes = "C2"
    for i, column in enumerate(columns, start=1):
        roster.column_dimensions[get_column_letter(i)].width = max(12, len(column.name) + 2)
    roles = DataValidation(type="list", formula1='"' + ",".join((*PERSON_ROLES, "centre")) + '"', allow_blank=True)
    roster.add_data_validation(roles)
    roles.add("B2:B500")
    guide = book.create_sheet("Instructions")
    guide.append(["column", "fill on", "what to write"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append(
            [
                column.name,
                {"all": "every row", "person": "people's rows", "centre": "the centre row"}[column.rows],
                column.meaning,
            ]
        )
    guide.append([])
    guide.append(["", "", f"Standards version {standards.version}: {standards.title}."])
    guide.append(["", "", "Pseudonymous ids only: never names, never DBS certificate numbers."])
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 14
    guide.column_dimensions["C"].width = 120
    book.properties.creator = "millis-network"
    book.properties.created = datetime(2026, 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template(path: Path | str, *, standards: Standards | None = None) -> Path:
    """Write the roster template to ``path`` (``.csv`` or ``.xlsx``); returns the path.

    Raises:
        ValueError: for any other suffix.
    """
    target = Path(path)
    standards = standards or load_standards()
    if target.suffix.lower() == ".csv":
        target.write_text(template_csv(standards), encoding="utf-8")
    elif target.suffix.lower() == ".xlsx":
        target.write_bytes(template_xlsx(standards))
    else:
        raise ValueError(f"template path must end in .csv or .xlsx, got {target.name!r}")
    return target
