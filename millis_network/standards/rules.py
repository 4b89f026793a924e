"""The standards' rule language: what a rule is, how it is read, checked and explained.

A requirement's ``rule`` is a small tree of mappings, each with a ``kind``
(see ``network_data/standards/README.md`` for the reference and the JSON
Schema beside it)::

    exists                  evidence of a kind is on record
    exists_before           ... dated on or before a date (the person's start date or a fixed date)
    count_at_least          at least N distinct items of a kind of evidence
    within_months_of_start  an inner rule met by the N-month anniversary of starting
    still_valid             the latest evidence of a kind is within its validity period
    any_of / all_of         combinations
    people_at_least         (centre rules) at least N people in post, optionally meeting a rule

Rules are evaluated on a :class:`Person` or a :class:`Centre` as of a date.
Each evaluation gives an :class:`Outcome`: ``pass``, ``fail``, ``pending``
(not met yet, but the deadline has not passed) or ``unknown`` (the records
hold nothing either way). Missing evidence is never a failure: a rule fails
only on evidence that shows it broken (too late, expired, too few) or when
the records say explicitly that the evidence is not held.

Date semantics, each inclusive of the date named:

* an event counts only when dated on or before the as-of date;
* ``exists_before``: an event dated on the anchor date itself counts;
* ``within_months_of_start``: the deadline is the N-month anniversary of the
  start date, and evidence dated on the deadline counts; until the end of that
  day an unmet rule is ``pending``;
* ``still_valid``: evidence dated D with a validity of N months is valid up to
  and including the day before the N-month anniversary of D;
* month arithmetic keeps the day of the month, or the month's last day when the
  target month is shorter (31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from millis_network.validation import ValidationReport

Status = Literal["pass", "fail", "pending", "unknown"]
Subject = Literal["person", "centre"]

#: Roles a person can hold in a centre's records.
PERSON_ROLES: tuple[str, ...] = ("coordinator", "contact_supervisor", "volunteer", "trustee")
#: Roles a requirement can apply to: the person roles and the centre itself.
ROLES: tuple[str, ...] = (*PERSON_ROLES, "centre")
#: Kinds of contact a centre can offer (the NACCC service types).
SERVICES: tuple[str, ...] = ("supported", "supervised", "handover", "indirect", "escorted", "supervised_assessment")
#: Rule kinds, in the order the documentation gives them.
RULE_KINDS: tuple[str, ...] = (
    "exists",
    "exists_before",
    "count_at_least",
    "within_months_of_start",
    "still_valid",
    "any_of",
    "all_of",
    "people_at_least",
)
#: Centre fields a quantity may refer to with ``{centre: FIELD}``.
CENTRE_QUANTITIES: tuple[str, ...] = ("establishment",)
#: Average month length used for training pace (modules per month).
DAYS_PER_MONTH = 365.25 / 12


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Event:
    """One dated piece of evidence: a check, a course, a module, a policy adopted.

    Attributes:
        kind: an evidence kind declared by the standards (e.g. ``dbs_enhanced``).
        date: the date it was completed, awarded or adopted.
        item: which one, for kinds with several (e.g. NACCC module ``3``); "" otherwise.
    """

    kind: str
    date: date
    item: str = ""

    def describe(self) -> str:
        """``kind item YYYY-MM-DD``, e.g. ``naccc_module 3 2014-02-01``."""
        return " ".join(part for part in (self.kind, self.item, self.date.isoformat()) if part)


@dataclass(frozen=True)
class Person:
    """A person in a centre's records, by pseudonymous id.

    Attributes:
        id: pseudonymous id such as ``V01``; never a name.
        role: one of :data:`PERSON_ROLES`.
        start_date: first day in the role; None when not recorded.
        leaving_on: last day in the role, when known (past or planned).
        events: the person's evidence.
        not_held: evidence kinds the records state the person does not hold.
    """

    id: str
    role: str
    start_date: date | None = None
    leaving_on: date | None = None
    events: tuple[Event, ...] = ()
    not_held: frozenset[str] = frozenset()

    def has_left(self, as_of: date) -> bool:
        """True when the last day in the role is before ``as_of``."""
        return self.leaving_on is not None and self.leaving_on < as_of

    def has_started(self, as_of: date) -> bool:
        """True unless a start date after ``as_of`` is recorded."""
        return self.start_date is None or self.start_date <= as_of

    def in_post(self, as_of: date) -> bool:
        """Started on or before ``as_of`` and not yet past the last day."""
        return self.has_started(as_of) and not self.has_left(as_of)


@dataclass(frozen=True)
class Centre:
    """A centre's own facts: services, establishment, accreditation and policies.

    Attributes:
        id: short slug, e.g. ``millis-jersey``.
        name: the centre's public name.
        services: kinds of contact offered (:data:`SERVICES`).
        establishment: the number of staff and volunteers the centre needs
            when fully staffed ("full staffing"); None when not stated.
        events: the centre's evidence (accreditation awards, policies).
        not_held: evidence kinds the records state the centre does not hold.
    """

    id: str
    name: str = ""
    services: tuple[str, ...] = ()
    establishment: int | None = None
    events: tuple[Event, ...] = ()
    not_held: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Param:
    """A quantity taken from the standards' ``parameters`` by name."""

    name: str


@dataclass(frozen=True)
class CentreField:
    """A quantity taken from the centre's records (e.g. ``establishment``)."""

    name: str


Quantity = int | Param | CentreField


@dataclass(frozen=True)
class Exists:
    """Evidence of a kind is on record (dated on or before the as-of date)."""

    evidence: str


@dataclass(frozen=True)
class ExistsBefore:
    """Evidence of a kind dated on or before an anchor: ``start_date`` or a fixed date."""

    evidence: str
    before: Literal["start_date"] | date


@dataclass(frozen=True)
class CountAtLeast:
    """At least ``n`` distinct items of a kind (an event without an item counts on its own)."""

    evidence: str
    n: Quantity


@dataclass(frozen=True)
class WithinMonthsOfStart:
    """``rule`` met by evidence dated on or before the ``months`` anniversary of starting."""

    months: Quantity
    rule: Rule


@dataclass(frozen=True)
class StillValid:
    """The latest evidence of a kind is still within ``months`` of validity."""

    evidence: str
    months: Quantity


@dataclass(frozen=True)
class AnyOf:
    """At least one of ``rules`` is met."""

    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AllOf:
    """Every one of ``rules`` is met."""

    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class PeopleAtLeast:
    """At least ``n`` people in post in ``roles`` (who meet ``meeting``, when given)."""

    roles: tuple[str, ...]
    n: Quantity
    meeting: Rule | None = None


Rule = Exists | ExistsBefore | CountAtLeast | WithinMonthsOfStart | StillValid | AnyOf | AllOf | PeopleAtLeast


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Locator:
    """Where things are in a file: line numbers by key path, for issue messages."""

    file: str
    lines: Mapping[tuple[object, ...], int]

    def line(self, path: Sequence[object]) -> int:
        """Line of ``path``, or of its nearest recorded parent (0 when none)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 0)


@dataclass(frozen=True)
class Vocabulary:
    """What a rule may refer to: declared evidence kinds and parameters.

    Attributes:
        evidence_subjects: evidence kind -> ``person`` or ``centre``.
        evidence_items: evidence kind -> its declared items (empty when none).
        parameters: parameter names.
    """

    evidence_subjects: Mapping[str, Subject]
    evidence_items: Mapping[str, tuple[str, ...]]
    parameters: frozenset[str]


def field_name(path: Sequence[object]) -> str:
    """``requirements[2].rule.rules[0].kind`` from a key path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_RULE_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # kind: (required keys, optional keys) besides "kind"
    "exists": (frozenset({"evidence"}), frozenset()),
    "exists_before": (frozenset({"evidence", "before"}), frozenset()),
    "count_at_least": (frozenset({"evidence", "n"}), frozenset()),
    "within_months_of_start": (frozenset({"months", "rule"}), frozenset()),
    "still_valid": (frozenset({"evidence", "months"}), frozenset()),
    "any_of": (frozenset({"rules"}), frozenset()),
    "all_of": (frozenset({"rules"}), frozenset()),
    "people_at_least": (frozenset({"roles", "n"}), frozenset({"meeting"})),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_rule(
    data: object,
    path: tuple[object, ...],
    *,
    subject: Subject,
    vocabulary: Vocabulary,
    where: Locator,
    report: ValidationReport,
) -> Rule | None:
    """Read one rule mapping; record every problem in ``report``.

    Args:
        data: the mapping as loaded from YAML.
        path: key path of the mapping in the file, for issue locations.
        subject: whether the rule is evaluated on a person or on the centre.
        vocabulary: declared evidence kinds and parameters.
        where: file name and line numbers.
        report: collects issues.

    Returns:
        The rule, or None when it has problems (they are in ``report``).
    """

    def problem(at: tuple[object, ...], value: object, rule: str, message: str) -> None:
        report.add(where.file, where.line(at), field_name(at), value, rule, message)

    if not isinstance(data, Mapping):
        problem(path, data, "rule-not-mapping", "a rule must be a mapping with a 'kind' key")
        return None
    kind = data.get("kind")
    if kind not in _RULE_KEYS:
        problem(
            (*path, "kind"),
            kind,
            "rule-kind-unknown",
            f"unknown rule kind {kind!r}; use one of: {', '.join(RULE_KINDS)}",
        )
        return None
    required, optional = _RULE_KEYS[kind]
    before = len(report)
    for key in sorted(required - set(data)):
        problem(path, "", "rule-key-missing", f"rule kind {kind!r} needs the key {key!r}")
    for key in sorted(set(data) - required - optional - {"kind"}, key=str):
        problem(
            (*path, key),
            key,
            "rule-key-unknown",
            f"rule kind {kind!r} takes no key {key!r}; its keys are: " + ", ".join(sorted(required | optional)),
        )
    if len(report) > before:
        return None

    def evidence(key: str = "evidence") -> str | None:
        value = data[key]
        declared = vocabulary.evidence_subjects.get(value) if isinstance(value, str) else None
        if declared is None:
            problem(
                (*path, key),
                value,
                "evidence-kind-unknown",
                f"unknown evidence kind {value!r}; declare it under evidence_kinds or use one of: "
                + ", ".join(sorted(vocabulary.evidence_subjects)),
            )
            return None
        if declared != subject:
            problem(
                (*path, key),
                value,
                "evidence-subject-mismatch",
                f"{value!r} is {declared} evidence but this rule is checked on a {subject}",
            )
            return None
        return str(value)

    def quantity(key: str, *, minimum: int, allow_centre: bool = False) -> Quantity | None:
        value = data[key]
        at = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int | Mapping):
            problem(
                at, value, "quantity-invalid", f"{key} must be a whole number, {{param: NAME}} or {{centre: FIELD}}"
            )
            return None
        if isinstance(value, int):
            if value < minimum:
                problem(at, value, "quantity-too-small", f"{key} must be at least {minimum}")
                return None
            return value
        if set(value) == {"param"}:
            if value["param"] not in vocabulary.parameters:
                problem(
                    (*at, "param"),
                    value["param"],
                    "parameter-unknown",
                    f"unknown parameter {value['param']!r}; declare it under parameters or use one of: "
                    + ", ".join(sorted(vocabulary.parameters)),
                )
                return None
            return Param(str(value["param"]))
        if set(value) == {"centre"}:
            if value["centre"] not in CENTRE_QUANTITIES:
                problem(
                    (*at, "centre"),
                    value["centre"],
                    "centre-field-unknown",
                    f"unknown centre field {value['centre']!r}; use one of: {', '.join(CENTRE_QUANTITIES)}",
                )
                return None
            if not allow_centre:
                problem(at, value, "centre-field-not-allowed", "{centre: ...} is allowed only as people_at_least's n")
                return None
            return CentreField(str(value["centre"]))
        problem(
            at, dict(value), "quantity-invalid", f"{key} must be a whole number, {{param: NAME}} or {{centre: FIELD}}"
        )
        return None

    def child(key: str, *, as_subject: Subject) -> Rule | None:
        return parse_rule(
            data[key], (*path, key), subject=as_subject, vocabulary=vocabulary, where=where, report=report
        )

    def children() -> tuple[Rule, ...] | None:
        items = data["rules"]
        if not isinstance(items, list) or len(items) < 2:
            problem((*path, "rules"), items, "rules-too-few", f"{kind} needs a list of at least two rules")
            return None
        parsed = [
            parse_rule(item, (*path, "rules", i), subject=subject, vocabulary=vocabulary, where=where, report=report)
            for i, item in enumerate(items)
        ]
        return None if any(rule is None for rule in parsed) else tuple(r for r in parsed if r is not None)

    def person_only() -> bool:
        if subject != "person":
            problem(
                (*path, "kind"),
                kind,
                "rule-needs-person",
                f"rule kind {kind!r} uses a start date, which only people have; the centre has none",
            )
            return False
        return True

    if kind == "exists":
        ev = evidence()
        return None if ev is None else Exists(ev)
    if kind == "exists_before":
        ev = evidence()
        anchor = data["before"]
        if isinstance(anchor, str) and _ISO_DATE.match(anchor):
            anchor = _iso_or_text(anchor)
        if anchor == "start_date":
            if not person_only():
                return None
        elif not isinstance(anchor, date):
            problem(
                (*path, "before"),
                anchor,
                "anchor-invalid",
                "before must be 'start_date' or a date written YYYY-MM-DD",
            )
            return None
        return None if ev is None else ExistsBefore(ev, anchor)
    if kind == "count_at_least":
        ev = evidence()
        n = quantity("n", minimum=1)
        if ev is not None and isinstance(n, int) and vocabulary.evidence_items.get(ev):
            items = vocabulary.evidence_items[ev]
            if n > len(items):
                problem(
                    (*path, "n"),
                    n,
                    "count-exceeds-items",
                    f"{ev} declares only {len(items)} items, so {n} distinct items can never be recorded",
                )
                return None
        return None if ev is None or n is None else CountAtLeast(ev, n)
    if kind == "within_months_of_start":
        if not person_only():
            return None
        months = quantity("months", minimum=1)
        inner = child("rule", as_subject=subject)
        return None if months is None or inner is None else WithinMonthsOfStart(months, inner)
    if kind == "still_valid":
        ev = evidence()
        months = quantity("months", minimum=1)
        return None if ev is None or months is None else StillValid(ev, months)
    if kind in ("any_of", "all_of"):
        rules = children()
        if rules is None:
            return None
        return AnyOf(rules) if kind == "any_of" else AllOf(rules)
    # people_at_least
    if subject != "centre":
        problem((*path, "kind"), kind, "rule-needs-centre", "people_at_least counts people, so it is a centre rule")
        return None
    roles = data["roles"]
    if not isinstance(roles, list) or not roles or any(role not in PERSON_ROLES for role in roles):
        problem(
            (*path, "roles"),
            roles,
            "role-unknown",
            f"roles must be a non-empty list of: {', '.join(PERSON_ROLES)}",
        )
        return None
    n = quantity("n", minimum=0, allow_centre=True)
    meeting = child("meeting", as_subject="person") if "meeting" in data else None
    if n is None or ("meeting" in data and meeting is None):
        return None
    return PeopleAtLeast(tuple(str(role) for role in roles), n, meeting)


def _iso_or_text(text: str) -> date | str:
    """``text`` as a date when it is a real one (2024-02-30 stays text, to be reported)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------- dates


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months (clamped to the target month's last day).

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


# --------------------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class Progress:
    """How far a count has got: for training pace and projections.

    Attributes:
        evidence: the evidence kind counted.
        done: distinct items recorded so far (by the as-of date).
        required: items needed.
        due_date: deadline (inclusive), when the count sits inside a time limit.
    """

    evidence: str
    done: int
    required: int
    due_date: date | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of checking one rule on one subject.

    Attributes:
        status: ``pass``, ``fail``, ``pending`` or ``unknown``.
        reason: one or more sentences a coordinator can act on.
        evidence: the events used, each as :meth:`Event.describe` (or people's ids).
        due_date: the deadline (inclusive) for a pending or time-limited rule.
        valid_until: the last valid day of evidence with a validity period.
        progress: counts towards a required number, when the rule counts.
    """

    status: Status
    reason: str
    evidence: tuple[str, ...] = ()
    due_date: date | None = None
    valid_until: date | None = None
    progress: Progress | None = None


@dataclass(frozen=True)
class Context:
    """Everything a rule is evaluated against besides its subject.

    Attributes:
        as_of: the date of the check; later evidence is not counted.
        parameters: parameter values by name.
        titles: evidence kind -> readable title, for reasons.
        centre: the centre (for ``{centre: FIELD}`` quantities).
        people: everyone in the records (for ``people_at_least``).
        window_end: when set, evidence after this date is also not counted.
    """

    as_of: date
    parameters: Mapping[str, int]
    titles: Mapping[str, str]
    centre: Centre
    people: tuple[Person, ...] = ()
    window_end: date | None = None

    def visible(self, subject: Person | Centre, kind: str) -> list[Event]:
        """The subject's events of ``kind`` counted in this context, oldest first."""
        limit = self.as_of if self.window_end is None else min(self.as_of, self.window_end)
        return sorted((e for e in subject.events if e.kind == kind and e.date <= limit), key=lambda e: e.date)

    def title(self, kind: str) -> str:
        """Readable name of an evidence kind."""
        return self.titles.get(kind, kind)

    def quantity(self, value: Quantity) -> int | None:
        """A quantity's value; None when the centre's records do not give it."""
        if isinstance(value, int):
            return value
        if isinstance(value, Param):
            return self.parameters[value.name]
        return self.centre.establishment


def _cap(text: str) -> str:
    """``text`` with its first letter in capitals (titles are lower case mid-sentence)."""
    return text[:1].upper() + text[1:]


def _roles_text(roles: Sequence[str]) -> str:
    """``coordinator, contact supervisor or volunteer``."""
    names = [role.replace("_", " ") for role in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _start(subject: Person | Centre) -> date | None:
    return subject.start_date if isinstance(subject, Person) else None


def _nothing(subject: Person | Centre, kind: str, ctx: Context) -> Outcome:
    """Outcome when no evidence counts: ``fail`` if declared not held, else ``unknown``."""
    if kind in subject.not_held:
        return Outcome("fail", f"Recorded as not held: {ctx.title(kind)}.")
    return Outcome("unknown", f"No {ctx.title(kind)} recorded: add its date, or record it as not held.")


def _exists(rule: Exists, subject: Person | Centre, ctx: Context) -> Outcome:
    events = ctx.visible(subject, rule.evidence)
    if events:
        latest = events[-1]
        return Outcome("pass", f"{_cap(ctx.title(rule.evidence))} recorded on {latest.date}.", (latest.describe(),))
    return _nothing(subject, rule.evidence, ctx)


def _exists_before(rule: ExistsBefore, subject: Person | Centre, ctx: Context) -> Outcome:
    title = ctx.title(rule.evidence)
    anchor = _start(subject) if rule.before == "start_date" else rule.before
    if anchor is None:
        return Outcome("unknown", f"No start date recorded, so the {title} cannot be checked against it.")
    label = f"the start date {anchor}" if rule.before == "start_date" else str(anchor)
    in_time = [e for e in ctx.visible(subject, rule.evidence) if e.date <= anchor]
    if in_time:
        first = in_time[0]
        return Outcome("pass", f"{_cap(title)} on {first.date}, on or before {label}.", (first.describe(),))
    if ctx.as_of <= anchor:
        return Outcome("pending", f"No {title} yet; it is needed by {label}.", due_date=anchor)
    late = ctx.visible(subject, rule.evidence)
    if late:
        return Outcome(
            "fail",
            f"{_cap(title)} dated {late[0].date}, after {label}; it must be on or before it.",
            (late[0].describe(),),
            due_date=anchor,
        )
    outcome = _nothing(subject, rule.evidence, ctx)
    return replace(outcome, reason=f"{outcome.reason} It was needed by {label}.", due_date=anchor)


def _distinct(events: list[Event]) -> list[Event]:
    """First event per item, in date order; events without an item each count."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.item and event.item in seen:
            continue
        seen.add(event.item)
        kept.append(event)
    return kept


def _count(rule: CountAtLeast, subject: Person | Centre, ctx: Context) -> Outcome:
    title = ctx.title(rule.evidence)
    n = ctx.quantity(rule.n)
    assert n is not None  # only people_at_least takes {centre: FIELD}
    counted = _distinct(ctx.visible(subject, rule.evidence))
    progress = Progress(rule.evidence, len(counted), n)
    evidence = _summarise(counted)
    if len(counted) >= n:
        return Outcome(
            "pass",
            f"{_cap(title)}: {len(counted)} of {n} recorded, the last needed on {counted[n - 1].date}.",
            evidence,
            progress=progress,
        )
    if not counted:
        return replace(_nothing(subject, rule.evidence, ctx), progress=progress)
    return Outcome("fail", f"{_cap(title)}: {len(counted)} of {n} recorded.", evidence, progress=progress)


def _summarise(events: list[Event]) -> tuple[str, ...]:
    if len(events) <= 3:
        return tuple(e.describe() for e in events)
    return (f"{events[0].kind} x{len(events)} ({events[0].date} to {events[-1].date})",)


def _within(rule: WithinMonthsOfStart, subject: Person | Centre, ctx: Context) -> Outcome:
    months = ctx.quantity(rule.months)
    assert months is not None
    start = _start(subject)
    if start is None:
        return Outcome("unknown", f"No start date recorded, so the {months}-month deadline cannot be set.")
    deadline = add_months(start, months)
    in_window = evaluate(rule.rule, subject, replace(ctx, window_end=deadline))
    progress = replace(in_window.progress, due_date=deadline) if in_window.progress else None
    limit = f"within {months} months of starting on {start} (by {deadline})"
    if in_window.status == "pass":
        return replace(in_window, reason=f"{in_window.reason} Met {limit}.", due_date=deadline, progress=progress)
    if ctx.as_of <= deadline:
        return replace(
            in_window,
            status="pending",
            reason=f"Not met yet. {in_window.reason} Due {limit}.",
            due_date=deadline,
            progress=progress,
        )
    overall = evaluate(rule.rule, subject, ctx)
    if overall.status == "pass":
        return replace(
            overall,
            status="fail",
            reason=f"Met only after the deadline. {overall.reason} It was due {limit}.",
            due_date=deadline,
            progress=progress,
        )
    return replace(
        overall,
        reason=f"{overall.reason} It was due {limit}.",
        due_date=deadline,
        progress=replace(overall.progress, due_date=deadline) if overall.progress else None,
    )


def _still_valid(rule: StillValid, subject: Person | Centre, ctx: Context) -> Outcome:
    title = ctx.title(rule.evidence)
    months = ctx.quantity(rule.months)
    assert months is not None
    events = ctx.visible(subject, rule.evidence)
    if not events:
        return _nothing(subject, rule.evidence, ctx)
    latest = events[-1]
    valid_until = add_months(latest.date, months) - timedelta(days=1)
    if ctx.as_of <= valid_until:
        return Outcome(
            "pass",
            f"{_cap(title)} of {latest.date} valid until {valid_until} ({months} months).",
            (latest.describe(),),
            valid_until=valid_until,
        )
    return Outcome(
        "fail",
        f"{_cap(title)} of {latest.date} expired: it was valid until {valid_until} ({months} months). Renew it.",
        (latest.describe(),),
        valid_until=valid_until,
    )


#: all_of takes the first status here that any part has: one failure fails it;
#: an unknown part might fail, so it outranks a part that is only pending.
_ALL_OF_ORDER: tuple[Status, ...] = ("fail", "unknown", "pending", "pass")
#: any_of takes the first status here that any part has: one pass passes it; an
#: unknown part might already pass, so it outranks a part that is only pending.
_ANY_OF_ORDER: tuple[Status, ...] = ("pass", "unknown", "pending", "fail")


def _combine(outcomes: list[Outcome], *, every: bool) -> Outcome:
    order = _ALL_OF_ORDER if every else _ANY_OF_ORDER
    status = next(s for s in order if any(o.status == s for o in outcomes))
    if every:
        chosen = outcomes if status == "pass" else [o for o in outcomes if o.status != "pass"]
    else:
        chosen = [o for o in outcomes if o.status == status]
        chosen = chosen[:1] if status == "pass" else outcomes
    reason = " ".join(o.reason for o in chosen)
    if not every and status != "pass":
        reason = "None of the alternatives is met. " + reason
    dues = [o.due_date for o in chosen if o.due_date is not None]
    valid = [o.valid_until for o in chosen if o.valid_until is not None]
    progress = next((o.progress for o in chosen if o.progress is not None), None)
    return Outcome(
        status,
        reason,
        tuple(dict.fromkeys(e for o in chosen for e in o.evidence)),
        due_date=min(dues) if dues else None,
        valid_until=min(valid) if valid else None,
        progress=progress,
    )


def _people(rule: PeopleAtLeast, subject: Person | Centre, ctx: Context) -> Outcome:
    roles = _roles_text(rule.roles)
    n = ctx.quantity(rule.n)
    needed = f"the establishment is {n}" if isinstance(rule.n, CentreField) else f"{n} needed"
    if n is None:
        return Outcome("unknown", "The centre's establishment (full staffing) is not recorded.")
    in_post = [p for p in ctx.people if p.role in rule.roles and p.in_post(ctx.as_of)]
    if rule.meeting is None:
        ids = tuple(p.id for p in in_post)
        status: Status = "pass" if len(in_post) >= n else "fail"
        return Outcome(status, f"{len(in_post)} in post ({roles}); {needed}.", ids)
    meeting = rule.meeting
    results = [(p, evaluate(meeting, p, ctx)) for p in in_post]
    meets = [p.id for p, o in results if o.status == "pass"]
    pending = [p.id for p, o in results if o.status == "pending"]
    unknown = [p.id for p, o in results if o.status == "unknown"]
    what = describe_rule(meeting, titles=ctx.titles, parameters=ctx.parameters)
    head = f"{len(meets)} of {len(in_post)} in post ({roles}) with: {what}; {needed}."
    if len(meets) >= n:
        return Outcome("pass", head, tuple(meets))
    if len(meets) + len(pending) + len(unknown) >= n:
        status = "unknown" if unknown else "pending"
        detail = f" Nothing recorded either way for: {', '.join(unknown)}." if unknown else ""
        detail += f" Not yet due for: {', '.join(pending)}." if pending else ""
        return Outcome(status, head + detail, tuple(meets))
    return Outcome("fail", head, tuple(meets))


def evaluate(rule: Rule, subject: Person | Centre, ctx: Context) -> Outcome:
    """Check ``rule`` on ``subject`` as of ``ctx.as_of``.

    Returns:
        The :class:`Outcome`: status, reason, evidence used and dates.
    """
    if isinstance(rule, Exists):
        return _exists(rule, subject, ctx)
    if isinstance(rule, ExistsBefore):
        return _exists_before(rule, subject, ctx)
    if isinstance(rule, CountAtLeast):
        return _count(rule, subject, ctx)
    if isinstance(rule, WithinMonthsOfStart):
        return _within(rule, subject, ctx)
    if isinstance(rule, StillValid):
        return _still_valid(rule, subject, ctx)
    if isinstance(rule, AnyOf | AllOf):
        return _combine([evaluate(part, subject, ctx) for part in rule.rules], every=isinstance(rule, AllOf))
    return _people(rule, subject, ctx)


def projected_date(progress: Progress, *, start_date: date, as_of: date) -> date | None:
    """When a count will reach its target at the pace kept since starting.

    Pace is items done per day between ``start_date`` and ``as_of``. Returns
    None when nothing is done yet or no time has passed (no pace to project).
    """
    elapsed_days = (as_of - start_date).days
    if progress.done <= 0 or elapsed_days <= 0:
        return None
    if progress.done >= progress.required:
        return as_of
    days_needed = (progress.required - progress.done) * elapsed_days / progress.done
    return as_of + timedelta(days=math.ceil(days_needed))


# --------------------------------------------------------------------------- explaining


def describe_rule(
    rule: Rule,
    *,
    titles: Mapping[str, str],
    parameters: Mapping[str, int],
) -> str:
    """The rule in plain English, with parameter values filled in."""

    used: list[str] = []

    def qty(value: Quantity) -> str:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Param):
            used.append(value.name)
            return str(parameters[value.name])
        return "the centre's establishment (full staffing)"

    def title(kind: str) -> str:
        return titles.get(kind, kind)

    def text(node: Rule) -> str:
        if isinstance(node, Exists):
            return f"{title(node.evidence)} recorded"
        if isinstance(node, ExistsBefore):
            anchor = "the start date" if node.before == "start_date" else str(node.before)
            return f"{title(node.evidence)} recorded, dated on or before {anchor}"
        if isinstance(node, CountAtLeast):
            return f"at least {qty(node.n)} distinct items of {title(node.evidence)} recorded"
        if isinstance(node, WithinMonthsOfStart):
            return f"{text(node.rule)}, within {qty(node.months)} months of starting (the anniversary date counts)"
        if isinstance(node, StillValid):
            return f"{title(node.evidence)} recorded and still valid ({qty(node.months)} months from its date)"
        if isinstance(node, AnyOf | AllOf):
            joiner = " or " if isinstance(node, AnyOf) else " and "
            return "(" + joiner.join(text(part) for part in node.rules) + ")"
        who = f" with: {text(node.meeting)}" if node.meeting is not None else ""
        people = "person" if node.n == 1 else "people"
        return f"at least {qty(node.n)} {people} in post as {_roles_text(node.roles)}{who}"

    sentence = text(rule)
    return sentence + (f" [parameters: {', '.join(dict.fromkeys(used))}]" if used else "")
