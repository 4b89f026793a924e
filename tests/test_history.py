"""Coverage over time on hand-checked fixtures, and the date rule as an invariant.

Fixtures (``tests/data/scenario/``, not real places) on the meridian 1°W,
0.1° = 11.12 km = 12.12 min (model: minutes = 1 + km); threshold 30 min.

    courts   North 53.0, Middle 52.0, South 51.0
    centres  open-known      52.2  supported+supervised  opened 2019        → counts from 2020-01
             closed-month    53.1  supported             closed 2021-10     → counts until 2021-09; successor → successor
             successor       53.1  (services not stated) opened 2022-03     → counts from 2022-04
             closed-year     51.05 supervised            opened 2010-06, closed 2015 → 2010-07 .. 2014-12
             closed-unknown  51.0  supported             closed, no date    → never counted
             presumed        53.2  supervised            no dates (page 2019-02-07) → presumed open throughout
    LSOAs    L1 52.1, L2 52.5, L5 52.95 (Area A); L3 51.2, L4 50.2 (Area B)
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hand_checked import KM_PER_DEGREE, ONE_PLUS_KM, SETTLEMENTS
from hypothesis import given, settings
from hypothesis import strategies as st

from millis_network.cli import main
from millis_network.config import CampaignRule
from millis_network.directory import (
    contact_centres,
    family_court_centres,
    millis_profile,
    read_centres,
    read_courts,
)
from millis_network.engine.history import (
    REGISTER_COLUMNS,
    area_timeline,
    centres_at,
    counted_from,
    counted_until,
    court_timeline,
    documented_history,
    lost_since,
    parse_as_of,
    service_lineage,
)
from millis_network.errors import DateError, NotFoundError

RULE = CampaignRule(threshold_minutes=30)
ENGINE = {"model": ONE_PLUS_KM, "settlements": SETTLEMENTS}


@pytest.fixture(scope="module")
def courts(test_data: Path) -> pd.DataFrame:
    return read_courts(test_data / "scenario" / "courts.csv")


@pytest.fixture(scope="module")
def centres(test_data: Path) -> pd.DataFrame:
    return read_centres(test_data / "scenario" / "centres.csv")


@pytest.fixture(scope="module")
def lsoas(test_data: Path) -> pd.DataFrame:
    return pd.read_csv(test_data / "scenario" / "lsoas.csv", dtype={"lsoa_code": str})


def counted(centres: pd.DataFrame, as_of: str | None) -> set[str]:
    return set(centres_at(centres, as_of).centres["id"])


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2010-06", {"closed-month", "presumed"}),
        ("2010-07", {"closed-month", "presumed", "closed-year"}),
        ("2014-12", {"closed-month", "presumed", "closed-year"}),
        ("2015", {"closed-month", "presumed"}),
        ("2019", {"closed-month", "presumed"}),
        ("2019-12", {"closed-month", "presumed"}),
        ("2020", {"closed-month", "presumed", "open-known"}),
        ("2021-09", {"closed-month", "presumed", "open-known"}),
        ("2021-10", {"presumed", "open-known"}),
        ("2022-03", {"presumed", "open-known"}),
        ("2022-04", {"presumed", "open-known", "successor"}),
        (None, {"presumed", "open-known", "successor"}),
    ],
)
def test_centres_counted_at_each_date_follow_the_date_rule(centres, as_of, expected) -> None:
    assert counted(centres, as_of) == expected


def test_counts_say_how_many_rest_on_unknown_dates(centres) -> None:
    dated = centres_at(centres, "2019")
    assert list(dated.register.columns) == list(REGISTER_COLUMNS)
    assert dated.counted == 2
    assert dated.opening_unknown == 2  # closed-month and presumed
    assert dated.closing_unknown == 1  # closed-unknown
    summary = dated.summary()
    assert summary["as_of_day"] == "2019-01-01"
    assert summary["centres_counted_opening_unknown"] == 2
    assert summary["closed_centres_closing_unknown"] == 1
    assert "2 of them with no stated opening date (presumed open)" in dated.describe()
    reasons = dated.register.set_index("id")["reason"]
    assert reasons["open-known"] == "not yet open: opened 2019 counts from 2020-01-01"
    assert reasons["closed-unknown"] == "closed on a date the sources do not state"
    assert reasons["closed-year"] == "closed by 2015"


def test_counted_centres_are_open_at_that_date_and_input_is_untouched(centres) -> None:
    before = centres.copy()
    dated = centres_at(centres, "2021")
    assert (dated.centres["status"] == "open").all()
    assert dated.centres.set_index("id").at["closed-month", "closed"] == "2021-10"
    pd.testing.assert_frame_equal(centres, before)


@pytest.mark.parametrize("text", ["19", "2019-13", "2019-1", "2019-10-01", "spring 2019", ""])
def test_malformed_as_of_is_refused(text) -> None:
    with pytest.raises(DateError, match="must be YYYY or YYYY-MM"):
        parse_as_of(text)


def test_partial_dates_are_read_conservatively() -> None:
    assert parse_as_of("2019") == date(2019, 1, 1)
    assert parse_as_of("2021-10") == date(2021, 10, 1)
    assert counted_from("2019") == date(2020, 1, 1)
    assert counted_from("2019-12") == date(2020, 1, 1)
    assert counted_from("2023-07") == date(2023, 8, 1)
    assert counted_until("2021-10") == date(2021, 10, 1)
    assert counted_until("2015") == date(2015, 1, 1)
    assert counted_from("") is None and counted_until("") is None


partial_dates = st.builds(
    lambda year, month: f"{year}" if month == 0 else f"{year}-{month:02d}",
    st.integers(1990, 2030), st.integers(0, 12),
)


@settings(max_examples=200, deadline=None)
@given(
    opened=st.one_of(st.just(""), partial_dates),
    closed=st.one_of(st.just(""), partial_dates),
    closed_status=st.booleans(),
    as_of=partial_dates,
)
def test_a_centre_is_never_counted_outside_its_stated_dates(opened, closed, closed_status, as_of) -> None:
    status = "closed" if closed_status or closed else "open"
    frame = pd.DataFrame([{"id": "c", "name": "C", "town": "", "status": status, "opened": opened,
                           "closed": closed, "successor_id": ""}])
    dated = centres_at(frame, as_of)
    day = parse_as_of(as_of)
    if dated.counted:
        if opened:
            # The whole period the opening date names lies before the as-of day.
            assert day >= counted_from(opened)
        if closed:
            assert day < parse_as_of(closed)
        assert status == "open" or closed
    elif not closed and status == "open" and not opened:
        pytest.fail("an open centre without dates is presumed open at every date")


def test_lost_since_matches_hand_calculation(courts, centres, lsoas) -> None:
    """2021 → 2023: closed-month (53.1, supported) closed by 2021-10.

    North Court had it 0.1° away (12.12 min); its nearest supported centre in
    2023 is open-known, 0.8° away (89.96 min). Its successor states no
    services, so it does not count. L5 (52.95) had closed-month 0.15° away
    (17.68 min) and nothing after. Middle Court keeps open-known (0.2°, 23.24).
    """
    lost = lost_since(courts, centres, lsoas, start="2021", end="2023", rule=RULE, **ENGINE)
    assert lost.courts[["court_id", "service"]].values.tolist() == [["court-north", "supported"]]
    row = lost.courts.iloc[0]
    assert row["nearest_minutes_start"] == pytest.approx(1 + 0.1 * KM_PER_DEGREE, rel=1e-6)
    assert row["nearest_minutes_end"] == pytest.approx(1 + 0.8 * KM_PER_DEGREE, rel=1e-6)
    assert row["closure_ids"] == "closed-month"
    assert row["closures"] == "Closed Month (opening not stated; closed by 2021-10)"
    assert row["successors"] == "Closed Month → Successor (services not stated)"
    assert lost.areas[["local_authority_name", "service", "lsoas", "lsoas_lost"]].values.tolist() == [
        ["Area A", "supported", 3, 1],
    ]
    assert lost.areas.iloc[0]["share_lost"] == pytest.approx(1 / 3)
    # People: Area A holds L1 1,000, L2 2,000 and L5 3,000; L5 lost its supported centre.
    assert lost.areas.iloc[0][["people", "people_lost"]].tolist() == [6_000, 3_000]
    assert lost.areas.iloc[0]["people_share_lost"] == pytest.approx(0.5)
    assert lost.summary()["people_lost_supported"] == 3_000
    closure = lost.closures.set_index("id").loc["closed-month"]
    assert closure["court_services_lost"] == 1 and closure["lsoa_services_lost"] == 1
    assert closure["successor_name"] == "Successor" and closure["successor_counted_at_end"]
    summary = lost.summary()
    json.dumps(summary)
    assert summary["courts_lost_supported"] == 1 and summary["lsoas_lost_supported"] == 1
    assert summary["start"]["centres_counted_opening_unknown"] == 2


def test_lost_since_before_any_closure_is_empty(courts, centres, lsoas) -> None:
    lost = lost_since(courts, centres, lsoas, start="2022-04", end="2023", rule=RULE, **ENGINE)
    assert lost.courts.empty and lost.areas.empty and lost.closures.empty


def test_lost_since_a_closure_with_no_reach_left_names_it_without_losses(courts, centres, lsoas) -> None:
    """closed-year (51.05, supervised) closed by 2015: South Court had it 0.05° away and lost it."""
    lost = lost_since(courts, centres, lsoas, start="2014", end="2016", rule=RULE, **ENGINE)
    assert lost.courts[["court_id", "service"]].values.tolist() == [["court-south", "supervised"]]
    assert set(lost.closures["id"]) == {"closed-year"}
    assert lost.areas["closure_ids"].tolist() == ["closed-year"]  # L3 at 51.2 lost it (0.15°)


def test_lost_since_refuses_dates_in_the_wrong_order(courts, centres, lsoas) -> None:
    with pytest.raises(DateError, match="must be after start date"):
        lost_since(courts, centres, lsoas, start="2023", end="2019", rule=RULE, **ENGINE)


def test_court_timeline_lists_dated_events_with_reach_after_each(courts, centres) -> None:
    events = court_timeline("court-north", courts, centres, rule=RULE, **ENGINE)
    assert events[["date", "event", "centre_id"]].values.tolist() == [
        ["", "opening date not stated", "closed-month"],
        ["", "opening date not stated", "presumed"],
        ["2021-10", "closed (by this date); service taken over by successor", "closed-month"],
        ["2022-03", "opened", "successor"],
    ]
    assert events["effective_from"].tolist() == ["", "", "2021-10-01", "2022-04-01"]
    assert events["supported_share_after"].iloc[2:].tolist() == [0.0, 0.0]
    assert events["supervised_share_after"].iloc[2:].tolist() == [1.0, 1.0]
    assert events.set_index("centre_id").loc["presumed", "drive_minutes"] == pytest.approx(1 + 0.2 * KM_PER_DEGREE, rel=1e-6)
    assert events["services"].iloc[3] == "not stated"


def test_area_timeline_shares_are_of_its_lsoas(lsoas, centres) -> None:
    events = area_timeline("W06000001", lsoas, centres, rule=RULE, **ENGINE)
    dated = events[events["date"] != ""]
    assert dated[["date", "event", "centre_id"]].values.tolist() == [
        ["2010-06", "opened", "closed-year"],
        ["2015", "closed (by this date)", "closed-year"],
    ]
    assert dated["supervised_share_after"].tolist() == [0.5, 0.0]  # L3 within 0.15°, L4 never
    assert dated["supervised_people_after"].tolist() == [1_500, 0]  # L3's 1,500 people
    assert events.iloc[-1]["event"] == "closed (date not stated)"
    with pytest.raises(NotFoundError, match="no LSOA in local authority"):
        area_timeline("E99999999", lsoas, centres, rule=RULE, **ENGINE)


def test_unknown_court_is_refused(courts, centres) -> None:
    with pytest.raises(NotFoundError, match="no family court centre with id 'nowhere'"):
        court_timeline("nowhere", courts, centres, rule=RULE, **ENGINE)


def test_lineage_follows_successors_both_ways(centres) -> None:
    assert service_lineage(centres, "successor")["id"].tolist() == ["closed-month", "successor"]
    assert service_lineage(centres, "closed-month")["id"].tolist() == ["closed-month", "successor"]
    assert service_lineage(centres, "presumed")["id"].tolist() == ["presumed"]
    with pytest.raises(NotFoundError, match="no centre with id"):
        service_lineage(centres, "nowhere")


# Bundled data: Jersey, and the headline "lost since 2019".


def test_jersey_transition_from_millis_to_centrepoint_with_sources() -> None:
    chain = service_lineage(contact_centres(), "centrepoint-child-contact-centre-jersey")
    assert chain["id"].tolist() == ["millis-child-contact-centre", "centrepoint-child-contact-centre-jersey"]
    assert chain[["opened", "closed"]].values.tolist() == [["2000", "2023-01"], ["2023-07", ""]]
    assert chain["source_urls"].str.contains("wq.5-2023").all()
    history = documented_history(millis_profile())
    assert history["date"].tolist()[-2:] == ["2023-01", "2023-07"]
    assert history["source"].iloc[-1].startswith("https://feeds.bbci.co.uk/")
    assert history["source"].iloc[0].startswith("States of Jersey proposition P.119/2014")


def test_jersey_court_timeline_on_bundled_data() -> None:
    events = court_timeline("royal-court-of-jersey", family_court_centres(), contact_centres(), rule=CampaignRule())
    assert events[["date", "centre_id"]].values.tolist() == [
        ["2000", "millis-child-contact-centre"],
        ["2023-01", "millis-child-contact-centre"],
        ["2023-07", "centrepoint-child-contact-centre-jersey"],
    ]
    assert events["supported_share_after"].tolist() == [1.0, 0.0, 0.0]


def test_cli_lost_since_json_names_the_closures(capsys) -> None:
    assert main(["history", "lost-since", "2019", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    lost_courts = {row["court_id"] for row in payload["courts"]}
    assert "royal-court-of-jersey" in lost_courts
    closures = {row["id"]: row for row in payload["closures"]}
    assert closures["millis-child-contact-centre"]["closed"] == "2023-01"
    assert payload["summary"]["end"]["as_of"] == "current directory"
    assert payload["summary"]["start"]["centres_counted_opening_unknown"] > 0


def test_cli_as_of_and_coverage_as_of(capsys) -> None:
    assert main(["history", "as-of", "2023-01"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("As of 2023-01 (1 January 2023)")
    assert "not yet open: opened 2023-07 counts from 2023-08-01" in text
    assert main(["coverage", "areas", "--as-of", "2019", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["as_of"].startswith("As of 2019 (1 January 2019)")


def test_cli_refuses_bad_dates(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["coverage", "courts", "--as-of", "2019-13"])
    assert "must be YYYY or YYYY-MM" in capsys.readouterr().err
    assert main(["history", "lost-since", "2023", "2019"]) == 2
    assert "must be after start date" in capsys.readouterr().err


def test_cli_timeline_and_lineage(capsys) -> None:
    assert main(["history", "timeline", "--court", "royal-court-of-jersey", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [event["date"] for event in events] == ["2000", "2023-01", "2023-07"]
    assert main(["history", "lineage", "millis-child-contact-centre"]) == 0
    assert "Centrepoint child contact centre (Jersey) (Centrepoint): opened 2023-07" in capsys.readouterr().out
