"""Coverage by constituency, in people: a hand-checked fixture and invariants on the bundled data.

Fixture (``tests/data/scenario/``, not real places; see ``test_scenario.py``
for the distances): LSOAs on 1°W with people L1 1,000, L2 2,000, L5 3,000
(England) and L3 1,500, L4 2,500 (Wales), split between three made-up
constituencies:

    E14900001 "Test North"  L1 whole, L2 whole, half of L5    1,000 + 2,000 + 1,500 = 4,500 people
    E14900002 "Test Middle" the other half of L5                                      1,500 people
    W07900001 "Test South"  L3 whole, L4 whole                  1,500 + 2,500       = 4,000 people

Nearest, in estimated minutes (1 + km; 0.1° = 12.12 min):
directory supported (Open Known, 52.2): L1 12.1, L2 34.4, L5 84.4 (51.8 miles), L3 112, L4 223;
directory supervised (Open Known, Presumed 53.2): L1 12.1, L2 34.4, L5 28.8 (Presumed), L3 112, L4 223;
scenario (a venue at every court): L1 12.1, L2 56.6, L5 6.6, L3 23.2, L4 90.0 (55.3 miles).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hand_checked import KM_PER_DEGREE, ONE_PLUS_KM, SETTLEMENTS

from millis_network.config import CampaignRule
from millis_network.directory import read_centres, read_courts
from millis_network.engine.analysis import run_analysis
from millis_network.engine.constituencies import (
    constituency_columns,
    constituency_coverage,
    constituency_profile,
    constituency_row,
)
from millis_network.engine.coverage import area_reach
from millis_network.engine.history import lsoa_losses
from millis_network.engine.scenario import StatutoryNetwork, statutory_network
from millis_network.errors import DataFileError, NotFoundError, PrivacyError
from millis_network.network import Network, Provenance

RULE = CampaignRule(threshold_minutes=30)
ENGLAND_AND_WALES_PEOPLE = 59_439_840

SPLIT = pd.DataFrame(
    [("L1", "E14900001", 1.0), ("L2", "E14900001", 1.0), ("L5", "E14900001", 0.5), ("L5", "E14900002", 0.5),
     ("L3", "W07900001", 1.0), ("L4", "W07900001", 1.0)],
    columns=["lsoa_code", "gss_code", "share"],
)
NAMES = pd.DataFrame(
    [("E14900001", "TNO", "Test North", "England", "Test"), ("E14900002", "TMI", "Test Middle", "England", "Test"),
     ("W07900001", "TSO", "Test South", "Wales", "Wales")],
    columns=["gss_code", "code3", "name", "nation", "region"],
)


def minutes(degrees: float) -> float:
    return 1 + degrees * KM_PER_DEGREE


@pytest.fixture(scope="module")
def fixture_network(test_data: Path) -> Network:
    folder = test_data / "scenario"
    return Network(
        courts=read_courts(folder / "courts.csv"), centres=read_centres(folder / "centres.csv"),
        lsoas=pd.read_csv(folder / "lsoas.csv", dtype={"lsoa_code": str}), model=ONE_PLUS_KM, settlements=SETTLEMENTS,
        provenance=Provenance("bundled snapshot", as_of="hand-made fixtures"), constituencies=NAMES,
        lsoa_constituencies=SPLIT,
    )


@pytest.fixture(scope="module")
def statutory(fixture_network: Network) -> StatutoryNetwork:
    return statutory_network(run_analysis(fixture_network.public(), RULE))


@pytest.fixture(scope="module")
def table(statutory: StatutoryNetwork, fixture_network: Network) -> pd.DataFrame:
    public = fixture_network.public()
    losses = lsoa_losses(public.lsoas, public.centres, start="2021", rule=RULE, model=ONE_PLUS_KM,
                         settlements=SETTLEMENTS)
    return constituency_coverage(statutory, losses=losses, lost_since="2021").set_index("gss_code")


def test_two_whole_lsoas_and_half_a_third_add_up_by_hand(table: pd.DataFrame) -> None:
    north = table.loc["E14900001"]
    assert north["people"] == 4_500 and north["lsoas"] == 3
    # Supported in this directory: L1 within 15 and 30; + L2 within 45 and 60; half of L5 beyond 50 miles.
    assert [north[f"supported_people_within_{band}_min"] for band in (15, 30, 45, 60)] == [1_000, 1_000, 3_000, 3_000]
    assert north["supported_people_beyond_50_miles"] == 1_500
    assert north["supported_people_within_threshold"] == 1_000 and north["supported_people_beyond_threshold"] == 3_500
    assert north["supported_share_within_45_min"] == pytest.approx(3_000 / 4_500)
    # Supervised: L1 and half of L5 (Presumed, 28.8 min) within 30.
    assert north["supervised_people_within_30_min"] == 2_500
    # Scenario: L1 and half of L5 within 15; L2 (56.6) within 60; nobody beyond 50 miles.
    assert [north[f"scenario_people_within_{band}_min"] for band in (15, 30, 45, 60)] == [2_500, 2_500, 2_500, 4_500]
    assert north["scenario_people_beyond_50_miles"] == 0
    # Both services within 30 min: L1 today; L1 and half of L5 with the statutory network.
    assert north["people_covered"] == 1_000 and north["scenario_people_covered"] == 2_500
    assert north["scenario_gain"] == 1_500 and north["people_not_covered"] == 3_500
    assert north["share_covered"] == pytest.approx(1_000 / 4_500)
    # People-weighted median: 12.1 min (1,000), 34.4 (2,000; reaches half of 4,500), 84.4 (1,500).
    assert north["supported_median_minutes"] == pytest.approx(minutes(0.3), rel=1e-6)
    assert north["nearest_supported"] == "Open Known" and north["nearest_supervised"] == "Open Known"
    assert set(north["serving_courts"].split("; ")) == {"Middle Court", "North Court"}


def test_the_other_half_and_the_welsh_constituency(table: pd.DataFrame) -> None:
    middle, south = table.loc["E14900002"], table.loc["W07900001"]
    assert middle["people"] == 1_500 and middle["supported_people_beyond_50_miles"] == 1_500
    assert middle["nearest_supervised"] == "Presumed" and middle["main_serving_court"] == "North Court"
    assert south["people"] == 4_000 and south["scenario_people_within_30_min"] == 1_500
    assert south["scenario_people_beyond_50_miles"] == 2_500 and south["supported_people_within_60_min"] == 0
    assert south["serving_courts"] == "South Court"  # Welsh LSOAs are served by the Welsh court
    assert table["people"].sum() == 10_000
    assert list(table.reset_index().columns) == constituency_columns()


def test_people_lost_since_a_date(table: pd.DataFrame) -> None:
    # Closed Month (53.1, supported) closed by 2021-10: L5 lost its supported centre, half in each English seat.
    assert table.loc["E14900001", "people_lost_supported"] == 1_500
    assert table.loc["E14900002", "people_lost_supported"] == 1_500
    assert table.loc["W07900001", "people_lost_supported"] == 0
    assert (table["people_lost_supervised"] == 0).all() and (table["lost_since"] == "2021").all()


def test_without_a_date_losses_are_unknown(statutory: StatutoryNetwork) -> None:
    plain = constituency_coverage(statutory)
    assert plain["people_lost_supported"].isna().all() and (plain["lost_since"] == "").all()


def test_profile_says_it_in_people(table: pd.DataFrame) -> None:
    profile = constituency_profile(table.reset_index(), "e14900001", rule=RULE)
    assert profile.headline.startswith(
        "3,500 of the 4,500 people in Test North (78%) live more than 30 minutes' drive from a supported centre "
        "in this directory")
    assert "2,500 people here (56%) would have both within 30 min" in profile.scenario
    assert profile.lost.startswith("Since 2021, closures took away the last supported centre")
    assert "mid-2019" in profile.note and "nearest family court centre" in profile.note
    with pytest.raises(NotFoundError, match="no constituency of England and Wales with code 'S14000001'"):
        constituency_row(table.reset_index(), "S14000001")


def test_private_network_and_missing_split_are_refused(fixture_network: Network) -> None:
    with pytest.raises(PrivacyError):
        constituency_coverage(statutory_network(run_analysis(fixture_network, RULE)))
    bare = Network(courts=fixture_network.courts, centres=fixture_network.centres, lsoas=fixture_network.lsoas,
                   model=ONE_PLUS_KM, settlements=SETTLEMENTS, provenance=fixture_network.provenance)
    with pytest.raises(DataFileError, match="carries no constituency split"):
        constituency_coverage(statutory_network(run_analysis(bare.public(), RULE)))


@pytest.fixture(scope="module")
def bundled_table() -> tuple[pd.DataFrame, StatutoryNetwork]:
    scenario = statutory_network(run_analysis(bundled_public(), RULE))
    return constituency_coverage(scenario), scenario


def test_bundled_575_constituencies_hold_every_person_of_england_and_wales(bundled_table) -> None:
    table, _ = bundled_table
    assert len(table) == 575 and table["gss_code"].is_unique
    assert set(table["nation"]) == {"England", "Wales"} and (table["nation"] == "Wales").sum() == 32
    assert table["people"].sum() == pytest.approx(ENGLAND_AND_WALES_PEOPLE, abs=1)
    for prefix in ("supported", "supervised", "scenario"):
        within = table[f"{prefix}_people_within_threshold"] + table[f"{prefix}_people_beyond_threshold"]
        assert np.allclose(within, table["people"])
        assert (table[f"{prefix}_people_within_15_min"] <= table[f"{prefix}_people_within_60_min"] + 1e-6).all()
    assert (table["scenario_gain"] >= 0).all() and (table["main_serving_court"] != "").all()


def test_bundled_constituencies_equal_a_brute_force_sum_over_their_lsoas(bundled_table) -> None:
    table, scenario = bundled_table
    network = scenario.directory.network
    directory = area_reach(network.lsoas, network.centres, rule=RULE, model=network.model,
                           settlements=network.settlements).set_index("lsoa_code")
    venues = scenario.reach.set_index("lsoa_code")
    expected: dict[str, dict[str, float]] = {}
    for lsoa, gss, share in network.lsoa_constituencies.itertuples(index=False):
        people = float(directory.at[lsoa, "population"]) * share
        sums = expected.setdefault(gss, {"people": 0.0, "supported_30": 0.0, "scenario_beyond": 0.0, "covered": 0.0})
        sums["people"] += people
        sums["supported_30"] += people if directory.at[lsoa, "nearest_supported_minutes"] <= 30 else 0.0
        sums["scenario_beyond"] += people if venues.at[lsoa, "nearest_supported_km"] > 50 * 1.609344 else 0.0
        sums["covered"] += people if directory.at[lsoa, "covered"] else 0.0
    by_code = table.set_index("gss_code")
    assert set(expected) == set(by_code.index)
    for gss, sums in expected.items():
        row = by_code.loc[gss]
        assert row["people"] == pytest.approx(sums["people"], abs=1e-6)
        assert row["supported_people_within_30_min"] == pytest.approx(sums["supported_30"], abs=1e-6)
        assert row["scenario_people_beyond_50_miles"] == pytest.approx(sums["scenario_beyond"], abs=1e-6)
        assert row["people_covered"] == pytest.approx(sums["covered"], abs=1e-6)


def test_national_people_shares_agree_with_lsoa_shares(bundled_table) -> None:
    table, scenario = bundled_table
    summary = scenario.directory.summary(service="supported").iloc[0]
    for band in (15, 30, 45, 60):
        people_share = table[f"supported_people_within_{band}_min"].sum() / table["people"].sum()
        assert people_share == pytest.approx(summary[f"people_share_within_{band}_min"], abs=1e-9)
        assert abs(people_share - summary[f"share_within_{band}_min"]) < 0.03
