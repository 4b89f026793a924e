"""Car ferries as data: the reader, a hand-checked journey by road and ferry, and what a link can change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hand_checked import KM_PER_DEGREE, ONE_PLUS_KM, SETTLEMENTS
from hypothesis import given, settings
from hypothesis import strategies as st

from millis_network.drive_model import (
    DriveTimeModel,
    load_drive_time_model,
    settlement_index,
)
from millis_network.engine.travel import ferry_journey_minutes, place_features
from millis_network.errors import DataFileError
from millis_network.ferries import load_ferries
from millis_network.landmasses import LANDMASSES

GB, WIGHT = LANDMASSES.index("Great Britain"), LANDMASSES.index("Isle of Wight")


def _features(model: DriveTimeModel, lon: float, lat: float) -> np.ndarray:
    return place_features([lon], [lat], model=model, settlements=SETTLEMENTS)


def test_the_bundled_ferries_carry_a_source_for_every_figure() -> None:
    ferries = load_ferries()
    assert set(ferries.route_id) == {"portsmouth-fishbourne", "lymington-yarmouth", "southampton-east-cowes",
                                     "heysham-douglas"}
    # Each route runs both ways, from a mainland port to an island's and back.
    assert len(ferries) == 8
    assert set(ferries.fixed_minutes[list(ferries.between(GB, WIGHT))]) == {75.0, 70.0, 90.0}


def test_a_journey_either_side_of_one_crossing_is_drive_crossing_allowance_and_drive(test_data: Path) -> None:
    model = ONE_PLUS_KM.with_ferries(load_ferries(test_data / "travel" / "ferries_one_route.csv"))
    # Hand-checked: the origin is 0.1 degree of latitude south of the northern port (11.1195 km, so 12.1195 min
    # at 1 + km), the destination 0.1 degree north of the southern port (the same); the crossing takes 40 min
    # and check-in 30: 12.1195 + 40 + 30 + 12.1195 = 94.239 min.
    origin, destination = _features(model, 0.0, 49.9), _features(model, 0.0, 50.2)
    minutes, used = ferry_journey_minutes(origin, [GB], destination, [WIGHT], model=model, settlements=SETTLEMENTS)
    leg = 1 + 0.1 * KM_PER_DEGREE
    assert minutes[0] == pytest.approx(2 * leg + 70, rel=1e-9)
    assert minutes[0] == pytest.approx(94.239, abs=1e-3)
    assert model.ferries is not None and model.ferries.route_id[used[0]] == "test-crossing"
    # Back the other way: the same journey. On one landmass, or with no ferry between, none.
    back, _ = ferry_journey_minutes(destination, [WIGHT], origin, [GB], model=model, settlements=SETTLEMENTS)
    assert back[0] == pytest.approx(minutes[0], rel=1e-12)
    same, unused = ferry_journey_minutes(origin, [GB], origin, [GB], model=model, settlements=SETTLEMENTS)
    assert np.isnan(same[0]) and unused[0] == -1
    jersey = LANDMASSES.index("Jersey")
    assert np.isnan(ferry_journey_minutes(origin, [GB], destination, [jersey], model=model,
                                          settlements=SETTLEMENTS)[0][0])


def test_the_quickest_crossing_is_taken() -> None:
    model = load_drive_time_model()
    settlements = settlement_index()
    lymington, yarmouth = (-1.53828, 50.75916), (-1.49929, 50.70529)
    here = place_features([lymington[0]], [lymington[1]], model=model, settlements=settlements)
    there = place_features([yarmouth[0]], [yarmouth[1]], model=model, settlements=settlements)
    minutes, used = ferry_journey_minutes(here, [GB], there, [WIGHT], model=model, settlements=settlements)
    assert model.ferries is not None and model.ferries.route_id[used[0]] == "lymington-yarmouth"
    # Two drives of no distance (a few minutes each, getting onto and off the road) and 40 + 30 minutes.
    assert 70 + 2 * 2 < minutes[0] < 70 + 2 * 10


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ferries_same_landmass.csv", r":2: port_b_landmass: a ferry route must join two landmasses"),
        ("ferries_text_minutes.csv", r":2: crossing_minutes: expected a number, got 'forty'"),
        ("ferries_no_source.csv", r":2: crossing_source: required \(every figure carries its source\)"),
    ],
)
def test_a_bad_ferry_file_names_file_row_and_field(test_data: Path, name: str, message: str) -> None:
    with pytest.raises(DataFileError, match=name.replace(".", r"\.") + message):
        load_ferries(test_data / "travel" / name)


MODEL = load_drive_time_model()
SOLENT_LON = st.floats(min_value=-1.9, max_value=-0.9)


@settings(deadline=None, max_examples=60)
@given(SOLENT_LON, st.floats(min_value=50.78, max_value=51.3), SOLENT_LON, st.floats(min_value=50.6, max_value=50.74),
       st.sampled_from(["portsmouth-fishbourne", "lymington-yarmouth", "southampton-east-cowes"]))
def test_adding_a_ferry_link_never_makes_a_journey_longer(
    lon_a: float, lat_a: float, lon_b: float, lat_b: float, route: str
) -> None:
    settlements = settlement_index()
    assert MODEL.ferries is not None
    fewer = MODEL.with_ferries(MODEL.ferries.without(route))
    mainland = place_features([lon_a], [lat_a], model=MODEL, settlements=settlements)
    island = place_features([lon_b], [lat_b], model=MODEL, settlements=settlements)
    with_all, _ = ferry_journey_minutes(mainland, [GB], island, [WIGHT], model=MODEL, settlements=settlements)
    without, _ = ferry_journey_minutes(mainland, [GB], island, [WIGHT], model=fewer, settlements=settlements)
    assert np.isfinite(with_all[0])
    assert with_all[0] <= np.nan_to_num(without[0], nan=np.inf)
