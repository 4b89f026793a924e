"""The standards' rule language: every rule kind on hand-made people, boundary dates included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millis_network.standards.rules import (
    AllOf,
    AnyOf,
    Centre,
    CentreField,
    Context,
    CountAtLeast,
    Event,
    Exists,
    ExistsBefore,
    Param,
    PeopleAtLeast,
    Person,
    Progress,
    StillValid,
    WithinMonthsOfStart,
    add_months,
    describe_rule,
    evaluate,
    projected_date,
)

CENTRE = Centre("test-centre", establishment=3)
PARAMS = {"window": 12}


def ctx(as_of: date, *, people: tuple[Person, ...] = (), centre: Centre = CENTRE) -> Context:
    return Context(
        as_of=as_of, parameters=PARAMS, titles={"first_aid": "first aid training"}, centre=centre, people=people
    )


def volunteer(
    *events: Event, start: date | None = date(2024, 1, 15), not_held: frozenset[str] = frozenset(), **kw
) -> Person:
    return Person(kw.pop("id", "V1"), kw.pop("role", "volunteer"), start, kw.pop("leaving_on", None), events, not_held)


def ev(kind: str, day: str, item: str = "") -> Event:
    return Event(kind, date.fromisoformat(day), item)


# ---------------------------------------------------------------- month arithmetic


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),  # leap year: clamp to the last day
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-11-15", 3, "2025-02-15"),  # across a year end
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-01-15", 12, "2025-01-15"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-240, 240))
def test_add_months_moves_whole_months_and_never_past_the_day(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


# ---------------------------------------------------------------- exists


def test_exists_passes_on_evidence_dated_on_the_as_of_date() -> None:
    outcome = evaluate(Exists("first_aid"), volunteer(ev("first_aid", "2024-02-01")), ctx(date(2024, 2, 1)))
    assert outcome.status == "pass"
    assert outcome.evidence == ("first_aid 2024-02-01",)
    assert "First aid training recorded on 2024-02-01" in outcome.reason


def test_exists_ignores_evidence_after_the_as_of_date() -> None:
    outcome = evaluate(Exists("first_aid"), volunteer(ev("first_aid", "2024-02-02")), ctx(date(2024, 2, 1)))
    assert outcome.status == "unknown"


def test_exists_missing_is_unknown_but_declared_not_held_fails() -> None:
    assert evaluate(Exists("first_aid"), volunteer(), ctx(date(2025, 1, 1))).status == "unknown"
    declared = volunteer(not_held=frozenset({"first_aid"}))
    outcome = evaluate(Exists("first_aid"), declared, ctx(date(2025, 1, 1)))
    assert outcome.status == "fail"
    assert "not held" in outcome.reason


# ---------------------------------------------------------------- exists_before


@pytest.mark.parametrize(
    ("dbs", "as_of", "status"),
    [
        ("2024-01-15", "2025-01-01", "pass"),  # on the start date itself: counts
        ("2024-01-14", "2025-01-01", "pass"),
        ("2024-01-16", "2025-01-01", "fail"),  # the day after starting
        (None, "2024-01-14", "pending"),  # not started yet
        (None, "2024-01-15", "pending"),  # the start day itself: still time
        (None, "2024-01-16", "unknown"),  # started, nothing recorded
    ],
)
def test_exists_before_start_date_boundaries(dbs: str | None, as_of: str, status: str) -> None:
    person = volunteer(*([ev("dbs_enhanced", dbs)] if dbs else []))
    outcome = evaluate(ExistsBefore("dbs_enhanced", "start_date"), person, ctx(date.fromisoformat(as_of)))
    assert outcome.status == status
    if status in ("pending", "fail"):
        assert outcome.due_date == date(2024, 1, 15)


def test_exists_before_declared_not_held_after_start_fails() -> None:
    person = volunteer(not_held=frozenset({"dbs_enhanced"}))
    assert evaluate(ExistsBefore("dbs_enhanced", "start_date"), person, ctx(date(2024, 6, 1))).status == "fail"


def test_exists_before_without_a_start_date_is_unknown() -> None:
    person = volunteer(ev("dbs_enhanced", "2024-01-01"), start=None)
    outcome = evaluate(ExistsBefore("dbs_enhanced", "start_date"), person, ctx(date(2024, 6, 1)))
    assert outcome.status == "unknown"
    assert "No start date" in outcome.reason


def test_exists_before_a_fixed_date() -> None:
    rule = ExistsBefore("dbs_enhanced", date(2024, 3, 1))
    assert evaluate(rule, volunteer(ev("dbs_enhanced", "2024-03-01")), ctx(date(2024, 6, 1))).status == "pass"
    assert evaluate(rule, volunteer(ev("dbs_enhanced", "2024-03-02")), ctx(date(2024, 6, 1))).status == "fail"


# ---------------------------------------------------------------- count_at_least


def test_count_counts_distinct_items() -> None:
    person = volunteer(
        ev("naccc_module", "2024-02-01", "1"),
        ev("naccc_module", "2024-03-01", "1"),
        ev("naccc_module", "2024-04-01", "2"),
    )
    outcome = evaluate(CountAtLeast("naccc_module", 3), person, ctx(date(2025, 1, 1)))
    assert outcome.status == "fail"
    assert outcome.progress == Progress("naccc_module", 2, 3)


def test_count_events_without_items_each_count() -> None:
    person = volunteer(*(ev("supervision", f"2024-0{m}-01") for m in (2, 3, 4)))
    outcome = evaluate(CountAtLeast("supervision", 3), person, ctx(date(2025, 1, 1)))
    assert outcome.status == "pass"
    assert "the last needed on 2024-04-01" in outcome.reason


def test_count_reads_parameters_and_missing_is_unknown() -> None:
    rule = CountAtLeast("naccc_module", Param("window"))
    assert evaluate(rule, volunteer(), ctx(date(2025, 1, 1))).status == "unknown"
    twelve = volunteer(*(ev("naccc_module", "2024-02-01", str(i)) for i in range(12)))
    assert evaluate(rule, twelve, ctx(date(2025, 1, 1))).status == "pass"


# ---------------------------------------------------------------- within_months_of_start

WITHIN = WithinMonthsOfStart(Param("window"), CountAtLeast("naccc_module", 2))


def modules(*days: str) -> Person:
    return volunteer(*(ev("naccc_module", day, str(i)) for i, day in enumerate(days, start=1)))


def test_within_evidence_dated_on_the_anniversary_counts() -> None:
    outcome = evaluate(WITHIN, modules("2024-02-01", "2025-01-15"), ctx(date(2025, 6, 1)))
    assert outcome.status == "pass"
    assert outcome.due_date == date(2025, 1, 15)


def test_within_met_the_day_after_the_anniversary_fails() -> None:
    outcome = evaluate(WITHIN, modules("2024-02-01", "2025-01-16"), ctx(date(2025, 6, 1)))
    assert outcome.status == "fail"
    assert "only after the deadline" in outcome.reason


def test_within_is_pending_until_the_end_of_the_anniversary() -> None:
    person = modules("2024-02-01")
    on_deadline = evaluate(WITHIN, person, ctx(date(2025, 1, 15)))
    assert on_deadline.status == "pending"
    assert on_deadline.progress == Progress("naccc_module", 1, 2, date(2025, 1, 15))
    assert evaluate(WITHIN, person, ctx(date(2025, 1, 16))).status == "fail"


def test_within_nothing_recorded_after_the_deadline_is_unknown() -> None:
    assert evaluate(WITHIN, volunteer(), ctx(date(2024, 6, 1))).status == "pending"
    assert evaluate(WITHIN, volunteer(), ctx(date(2025, 1, 16))).status == "unknown"


def test_within_month_end_start() -> None:
    rule = WithinMonthsOfStart(1, Exists("first_aid"))
    person = volunteer(ev("first_aid", "2024-02-29"), start=date(2024, 1, 31))
    assert evaluate(rule, person, ctx(date(2024, 6, 1))).status == "pass"
    late = volunteer(ev("first_aid", "2024-03-01"), start=date(2024, 1, 31))
    assert evaluate(rule, late, ctx(date(2024, 6, 1))).status == "fail"


# ---------------------------------------------------------------- still_valid


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2024-05-31", "pass"), ("2024-06-01", "fail")],
)
def test_still_valid_to_the_day_before_the_anniversary(as_of: str, status: str) -> None:
    person = volunteer(ev("first_aid", "2018-01-01"), ev("first_aid", "2021-06-01"))
    outcome = evaluate(StillValid("first_aid", 36), person, ctx(date.fromisoformat(as_of)))
    assert outcome.status == status
    assert outcome.valid_until == date(2024, 5, 31)
    assert outcome.evidence == ("first_aid 2021-06-01",)  # the latest is used


def test_still_valid_nothing_recorded_is_unknown() -> None:
    assert evaluate(StillValid("first_aid", 36), volunteer(), ctx(date(2024, 1, 1))).status == "unknown"


# ---------------------------------------------------------------- any_of / all_of

# One person, four evidence kinds each giving a known status on 2024-01-01:
# "p" pass, "f" fail (declared not held), "u" unknown, "w" pending (needed by a later date).
PERSON = volunteer(ev("p", "2023-01-01"), not_held=frozenset({"f"}), start=date(2024, 6, 1))
PARTS = {"pass": Exists("p"), "fail": Exists("f"), "unknown": Exists("u"), "pending": ExistsBefore("w", "start_date")}
AS_OF = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("left", "right", "any_status", "all_status"),
    [
        ("pass", "fail", "pass", "fail"),
        ("unknown", "fail", "unknown", "fail"),
        ("pending", "unknown", "unknown", "unknown"),
        ("pending", "fail", "pending", "fail"),
        ("pass", "pending", "pass", "pending"),
        ("pass", "pass", "pass", "pass"),
    ],
)
def test_combinations(left: str, right: str, any_status: str, all_status: str) -> None:
    rules = (PARTS[left], PARTS[right])
    assert {name: evaluate(rule, PERSON, ctx(AS_OF)).status for name, rule in PARTS.items()} == {n: n for n in PARTS}
    assert evaluate(AnyOf(rules), PERSON, ctx(AS_OF)).status == any_status
    assert evaluate(AllOf(rules), PERSON, ctx(AS_OF)).status == all_status


RANK = {"fail": 0, "pending": 1, "unknown": 2, "pass": 3}


@given(st.lists(st.sampled_from(sorted(PARTS)), min_size=2, max_size=5))
def test_all_of_is_never_better_than_any_of(names: list[str]) -> None:
    rules = tuple(PARTS[name] for name in names)
    any_status = evaluate(AnyOf(rules), PERSON, ctx(AS_OF)).status
    all_status = evaluate(AllOf(rules), PERSON, ctx(AS_OF)).status
    assert RANK[all_status] <= RANK[any_status]
    if len(set(names)) == 1:
        assert any_status == all_status == names[0]


def test_all_of_reason_names_what_is_missing() -> None:
    outcome = evaluate(AllOf((PARTS["pass"], PARTS["unknown"])), PERSON, ctx(AS_OF))
    assert "No u recorded" in outcome.reason
    assert "p recorded" not in outcome.reason


# ---------------------------------------------------------------- people_at_least

TEAM = (
    volunteer(id="V1", start=date(2020, 1, 1)),
    volunteer(id="V2", start=date(2020, 1, 1), leaving_on=date(2024, 12, 31)),  # in post, leaving
    volunteer(id="V3", start=date(2020, 1, 1), leaving_on=date(2023, 12, 31)),  # left
    volunteer(id="V4", start=date(2024, 6, 1)),  # not started on 2024-01-01
    volunteer(id="T1", role="trustee", start=date(2020, 1, 1)),
)


@pytest.mark.parametrize(("n", "status"), [(2, "pass"), (3, "fail")])
def test_people_at_least_counts_people_in_post_in_the_roles(n: int, status: str) -> None:
    outcome = evaluate(PeopleAtLeast(("volunteer",), n), CENTRE, ctx(AS_OF, people=TEAM))
    assert outcome.status == status
    assert outcome.evidence == ("V1", "V2")


def test_people_at_least_the_establishment() -> None:
    rule = PeopleAtLeast(("volunteer", "trustee"), CentreField("establishment"))
    outcome = evaluate(rule, CENTRE, ctx(AS_OF, people=TEAM))
    assert (outcome.status, outcome.reason) == ("pass", "3 in post (volunteer or trustee); the establishment is 3.")
    no_establishment = evaluate(rule, Centre("c"), ctx(AS_OF, people=TEAM, centre=Centre("c")))
    assert no_establishment.status == "unknown"


def test_people_at_least_meeting_a_rule() -> None:
    qualified = Person("C1", "coordinator", date(2020, 1, 1), events=(ev("social_work_qualification", "2010-01-01"),))
    undeclared = Person("C2", "coordinator", date(2020, 1, 1))
    declared = Person("C3", "coordinator", date(2020, 1, 1), not_held=frozenset({"social_work_qualification"}))
    rule = PeopleAtLeast(("coordinator",), 1, Exists("social_work_qualification"))
    assert evaluate(rule, CENTRE, ctx(AS_OF, people=(qualified, declared))).status == "pass"
    unknown = evaluate(rule, CENTRE, ctx(AS_OF, people=(undeclared, declared)))
    assert unknown.status == "unknown"
    assert "C2" in unknown.reason
    assert evaluate(rule, CENTRE, ctx(AS_OF, people=(declared,))).status == "fail"


# ---------------------------------------------------------------- pace and wording


def test_projected_date_at_the_pace_since_starting() -> None:
    progress = Progress("naccc_module", 4, 11)
    # 4 modules in 120 days: 7 more take 210 days.
    assert projected_date(progress, start_date=date(2024, 1, 1), as_of=date(2024, 4, 30)) == date(
        2024, 4, 30
    ) + timedelta(days=210)
    assert projected_date(Progress("naccc_module", 0, 11), start_date=date(2024, 1, 1), as_of=date(2024, 4, 30)) is None


def test_describe_rule_fills_in_parameters() -> None:
    text = describe_rule(WITHIN, titles={"naccc_module": "NACCC training module"}, parameters=PARAMS)
    assert text == (
        "at least 2 distinct items of NACCC training module recorded, within 12 months of starting "
        "(the anniversary date counts) [parameters: window]"
    )
