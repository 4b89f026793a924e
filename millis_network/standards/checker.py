"""The checker: a centre's records against the standards on a date.

:func:`check` gives one row per person (or the centre) and requirement with
``pass``, ``fail``, ``warn``, ``pending`` or ``unknown``, the reason and the
evidence used, plus a summary, upcoming expiries and training projections.
The command line and the dashboard both call it.

Statuses: ``fail`` is a ``must`` requirement shown broken by the records;
``warn`` is the same for a ``should`` requirement (never a failure);
``pending`` is not met yet with its deadline still ahead; ``unknown`` means the
records hold nothing either way (missing evidence is not a failure). The rule
language and its date semantics are documented in :mod:`millis_network.standards.rules`
and ``network_data/standards/README.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from millis_network.standards.model import Requirement, Standards
from millis_network.standards.records import SAMPLE_LABEL, Records
from millis_network.standards.rules import (
    DAYS_PER_MONTH,
    Centre,
    Context,
    Outcome,
    Person,
    evaluate,
    projected_date,
)

__all__ = [
    "DEFAULT_EXPIRY_HORIZON_DAYS",
    "EXPIRY_COLUMNS",
    "PROJECTION_COLUMNS",
    "RESULT_COLUMNS",
    "STAFFING_ROLES",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "ComplianceReport",
    "Staffing",
    "Status",
    "check",
    "compliance_matrix",
    "staffing",
]

Status = Literal["pass", "fail", "warn", "pending", "unknown"]

#: Every status a result row can have, best first.
STATUSES: tuple[Status, ...] = ("pass", "pending", "unknown", "warn", "fail")
#: Roles counted as staff in staffing figures (trustees are not staff).
STAFFING_ROLES: tuple[str, ...] = ("coordinator", "contact_supervisor", "volunteer")
#: How far ahead the report lists expiring evidence, in days.
DEFAULT_EXPIRY_HORIZON_DAYS = 90

#: Columns of :attr:`ComplianceReport.results`.
RESULT_COLUMNS = [
    "person_id",
    "role",
    "requirement_id",
    "title",
    "level",
    "status",
    "reason",
    "evidence",
    "due_date",
    "valid_until",
]
#: Columns of :attr:`ComplianceReport.summary`.
SUMMARY_COLUMNS = [
    "requirement_id",
    "title",
    "level",
    "applies_to",
    "applicable",
    "checked",
    *STATUSES,
    "note",
]
#: Columns of :attr:`ComplianceReport.expiries`.
EXPIRY_COLUMNS = ["person_id", "role", "requirement_id", "title", "status", "valid_until", "days_left"]
#: Columns of :attr:`ComplianceReport.projections`.
PROJECTION_COLUMNS = [
    "person_id",
    "role",
    "requirement_id",
    "evidence_kind",
    "done",
    "required",
    "started_on",
    "due_date",
    "per_month",
    "projected_date",
    "on_track",
]


@dataclass(frozen=True)
class Staffing:
    """A centre's staffing on a date (coordinators, contact supervisors, volunteers).

    Attributes:
        establishment: full staffing as the centre states it (None if not stated).
        in_post: started on or before the date and not yet past their last day.
        leaving: in post with a last day recorded (on or after the date).
        not_started: recorded with a start date after the date.
        left: last day before the date.
    """

    establishment: int | None
    in_post: int
    leaving: int
    not_started: int
    left: int

    @property
    def vacancies(self) -> int | None:
        """Establishment minus people in post (never below 0); None without an establishment."""
        return None if self.establishment is None else max(0, self.establishment - self.in_post)

    @property
    def after_leavers(self) -> int:
        """People in post once those leaving have gone."""
        return self.in_post - self.leaving


def staffing(records: Records, *, as_of: date) -> Staffing:
    """Staffing figures on ``as_of`` for :data:`STAFFING_ROLES` (trustees are not staff).

    For Milli's in 2014 these are the three figures P.119/2014 gives: full
    staffing (``establishment``) 18, current staffing level (``in_post``) 13,
    staff leaving (``leaving``, a subset of those in post) 5.
    """
    staff = [p for p in records.people if p.role in STAFFING_ROLES]
    in_post = [p for p in staff if p.in_post(as_of)]
    return Staffing(
        establishment=records.centre.establishment,
        in_post=len(in_post),
        leaving=sum(1 for p in in_post if p.leaving_on is not None),
        not_started=sum(1 for p in staff if not p.has_started(as_of)),
        left=sum(1 for p in staff if p.has_left(as_of)),
    )


@dataclass(frozen=True)
class ComplianceReport:
    """The checker's answer for one centre on one date.

    Attributes:
        results: one row per person (or the centre) and applicable
            requirement, columns :data:`RESULT_COLUMNS`: ``status`` is one of
            :data:`STATUSES`; ``reason`` explains it; ``evidence`` lists the
            events used (``kind item YYYY-MM-DD``, ``; ``-separated);
            ``due_date`` is the deadline (inclusive) of a time-limited rule;
            ``valid_until`` the last valid day of evidence that expires.
        summary: one row per requirement, :data:`SUMMARY_COLUMNS`: counts of
            each status, whether it applies to this centre and why not.
        expiries: evidence expiring within the horizon or already expired,
            :data:`EXPIRY_COLUMNS` (``days_left`` negative when expired).
        projections: training in progress, :data:`PROJECTION_COLUMNS`:
            ``per_month`` items done per month since starting (months of 30.44
            days), ``projected_date`` when the count completes at that pace,
            ``on_track`` whether that is on or before ``due_date``.
        staffing: the centre's staffing figures on ``as_of``.
        as_of: the date checked.
        standards_version: version of the standards used.
        parameters: parameter values used.
        centre_id, centre_name: the centre.
        sample: True when the records are illustrative.
        source: the records' file name.
    """

    results: pd.DataFrame
    summary: pd.DataFrame
    expiries: pd.DataFrame
    projections: pd.DataFrame
    staffing: Staffing
    as_of: date
    standards_version: str
    parameters: dict[str, int] = field(default_factory=dict)
    centre_id: str = ""
    centre_name: str = ""
    sample: bool = False
    source: str = ""

    @property
    def label(self) -> str:
        """:data:`SAMPLE_LABEL` for sample records, else the centre's name."""
        return SAMPLE_LABEL if self.sample else (self.centre_name or self.centre_id)

    @property
    def totals(self) -> dict[str, int]:
        """Number of result rows per status (every status present, zero or more)."""
        counts = self.results["status"].value_counts()
        return {status: int(counts.get(status, 0)) for status in STATUSES}

    @property
    def ok(self) -> bool:
        """True when nothing fails (warnings, pending and unknown allowed)."""
        return self.totals["fail"] == 0

    def export_frame(self) -> pd.DataFrame:
        """The results with their provenance on every row, for CSV/XLSX export.

        Returns:
            :data:`RESULT_COLUMNS` then ``centre_id``, ``as_of``,
            ``standards_version`` and ``records`` (the label: the centre's name,
            or :data:`SAMPLE_LABEL` for illustrative records).
        """
        return self.results.assign(
            centre_id=self.centre_id,
            as_of=self.as_of,
            standards_version=self.standards_version,
            records=self.label,
        )

    def to_dict(self) -> dict[str, object]:
        """The whole report as JSON-ready data (dates as ISO text)."""
        return {
            "label": self.label,
            "sample": self.sample,
            "source": self.source,
            "centre_id": self.centre_id,
            "centre_name": self.centre_name,
            "as_of": self.as_of.isoformat(),
            "standards_version": self.standards_version,
            "parameters": self.parameters,
            "totals": self.totals,
            "ok": self.ok,
            "staffing": {
                "establishment": self.staffing.establishment,
                "in_post": self.staffing.in_post,
                "leaving": self.staffing.leaving,
                "after_leavers": self.staffing.after_leavers,
                "vacancies": self.staffing.vacancies,
                "not_started": self.staffing.not_started,
                "left": self.staffing.left,
            },
            "summary": _records_json(self.summary),
            "results": _records_json(self.results),
            "expiries": _records_json(self.expiries),
            "projections": _records_json(self.projections),
        }


def _records_json(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))
    return rows


def check(
    records: Records,
    standards: Standards,
    *,
    as_of: date | None = None,
    expiry_horizon_days: int = DEFAULT_EXPIRY_HORIZON_DAYS,
) -> ComplianceReport:
    """Check a centre's records against the standards.

    Args:
        records: the centre's records.
        standards: the standards (with any parameter overrides applied).
        as_of: the date to check on; by default the records' own ``as_of``
            when they state one, else today.
        expiry_horizon_days: how far ahead :attr:`ComplianceReport.expiries` looks.

    People who left before ``as_of`` are not checked; people not started yet
    are (their checks before starting show as ``pending``).

    Returns:
        The :class:`ComplianceReport` (see its attributes for columns and units).
    """
    day = as_of or records.as_of or date.today()
    people = tuple(p for p in records.people if not p.has_left(day))
    ctx = Context(
        as_of=day,
        parameters=standards.parameter_values(),
        titles=standards.titles(),
        centre=records.centre,
        people=records.people,
    )
    rows: list[dict[str, object]] = []
    projections: list[dict[str, object]] = []
    summary: list[dict[str, object]] = []
    for requirement in standards.requirements:
        applicable = not requirement.applies_if_service or requirement.applies_if_service in records.centre.services
        subjects: Sequence[Person | Centre]
        if not applicable:
            subjects = ()
        elif requirement.subject == "centre":
            subjects = (records.centre,)
        else:
            subjects = [p for p in people if p.role in requirement.applies_to]
        statuses: list[Status] = []
        for subject in subjects:
            outcome = evaluate(requirement.rule, subject, ctx)
            status: Status = "warn" if outcome.status == "fail" and requirement.level == "should" else outcome.status
            statuses.append(status)
            rows.append(_result_row(subject, requirement, status, outcome))
            if status == "pending" and outcome.progress and isinstance(subject, Person) and subject.start_date:
                projections.append(_projection_row(subject, requirement, outcome, day))
        summary.append(
            {
                "requirement_id": requirement.id,
                "title": requirement.title,
                "level": requirement.level,
                "applies_to": ", ".join(requirement.applies_to),
                "applicable": applicable,
                "checked": len(statuses),
                **{s: statuses.count(s) for s in STATUSES},
                "note": "" if applicable else f"The centre does not offer {requirement.applies_if_service} contact.",
            }
        )
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    expiries = results[results["valid_until"].notna()].copy()
    expiries["days_left"] = [(d - day).days for d in expiries["valid_until"]]
    expiries = expiries[expiries["days_left"] <= expiry_horizon_days].sort_values("valid_until")
    return ComplianceReport(
        results=results,
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        expiries=expiries[EXPIRY_COLUMNS].reset_index(drop=True),
        projections=pd.DataFrame(projections, columns=PROJECTION_COLUMNS),
        staffing=staffing(records, as_of=day),
        as_of=day,
        standards_version=standards.version,
        parameters=standards.parameter_values(),
        centre_id=records.centre.id,
        centre_name=records.centre.name,
        sample=records.sample,
        source=records.source,
    )


def _result_row(
    subject: Person | Centre, requirement: Requirement, status: Status, outcome: Outcome
) -> dict[str, object]:
    return {
        "person_id": subject.id,
        "role": subject.role if isinstance(subject, Person) else "centre",
        "requirement_id": requirement.id,
        "title": requirement.title,
        "level": requirement.level,
        "status": status,
        "reason": outcome.reason,
        "evidence": "; ".join(outcome.evidence),
        "due_date": outcome.due_date,
        "valid_until": outcome.valid_until,
    }


def _projection_row(person: Person, requirement: Requirement, outcome: Outcome, as_of: date) -> dict[str, object]:
    progress = outcome.progress
    assert progress is not None and person.start_date is not None
    elapsed_months = (as_of - person.start_date).days / DAYS_PER_MONTH
    projected = projected_date(progress, start_date=person.start_date, as_of=as_of)
    return {
        "person_id": person.id,
        "role": person.role,
        "requirement_id": requirement.id,
        "evidence_kind": progress.evidence,
        "done": progress.done,
        "required": progress.required,
        "started_on": person.start_date,
        "due_date": progress.due_date,
        "per_month": round(progress.done / elapsed_months, 2) if elapsed_months > 0 else None,
        "projected_date": projected,
        "on_track": None if projected is None or progress.due_date is None else projected <= progress.due_date,
    }


def compliance_matrix(report: ComplianceReport) -> pd.DataFrame:
    """Person x requirement table of statuses, for display.

    Returns:
        One row per person (and one for the centre), indexed by ``person_id``
        with a ``role`` column, then one column per requirement id holding the
        status ("" where the requirement does not apply). Rows keep the
        results' order: the centre first, then people as recorded.
    """
    results = report.results
    if results.empty:
        return pd.DataFrame(columns=["role"]).rename_axis("person_id")
    order = list(dict.fromkeys(results["person_id"]))
    requirement_order = list(dict.fromkeys(results["requirement_id"]))
    wide = results.pivot(index="person_id", columns="requirement_id", values="status")
    wide = wide.reindex(index=order, columns=requirement_order).fillna("")
    roles = results.drop_duplicates("person_id").set_index("person_id")["role"]
    wide.insert(0, "role", roles.reindex(order))
    wide.columns.name = None
    centre_first = sorted(order, key=lambda pid: 0 if roles[pid] == "centre" else 1)
    return wide.loc[centre_first]
