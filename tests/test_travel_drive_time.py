"""The drive-time estimator: held-out accuracy on a fixed sample, shape of the model, density and local-speed look-ups."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundled import bundled_public
from hypothesis import given, settings
from hypothesis import strategies as st

from millis_network._geo import great_circle_km
from millis_network.config import CampaignRule
from millis_network.drive_model import (
    LOCAL_SPEED_FILE,
    DriveTimeModel,
    SettlementIndex,
    default_model_path,
    load_drive_time_model,
    settlement_index,
)
from millis_network.engine.coverage import centres_near
from millis_network.engine.travel import (
    distance_matrix_km,
    drive_minutes_matrix,
    travel_between,
)
from millis_network.errors import DataFileError

MODEL = load_drive_time_model()

#: MAPE (%) measured on tests/data/travel/holdout_sample.csv when the bundled model
#: was fitted, plus about one point of margin. The sample holds 300 held-out
#: pairs per distance band (destinations the fit never saw, the local road
#: speed correction included).
MAPE_BOUND_PERCENT = {
    "0-10 km": 10.0,  # measured 8.8 (9.9 without the local correction)
    "10-25 km": 9.5,  # measured 8.6 (15.6)
    "25-50 km": 8.5,  # measured 7.2 (11.6)
    "50-100 km": 7.0,  # measured 6.0 (8.9)
    "100+ km": 6.0,  # measured 5.1 (5.5)
    "under 60 min": 9.0,  # measured 7.9 (11.9)
}
#: The issue's targets on held-out trips, by observed minutes: under 30 minutes (426 sample
#: pairs, measured 8.7%; 11.2% without the correction) and up to 90 minutes (1,135, measured 7.6%; 11.5%).
TARGET_PERCENT = {"under 30 min": 10.0, "up to 90 min": 8.0}
BANDS = {
    "0-10 km": (0, 10),
    "10-25 km": (10, 25),
    "25-50 km": (25, 50),
    "50-100 km": (50, 100),
    "100+ km": (100, np.inf),
}


@pytest.fixture(scope="module")
def holdout(test_data: Path) -> pd.DataFrame:
    sample = pd.read_csv(test_data / "travel" / "holdout_sample.csv")
    index = settlement_index()
    radius = MODEL.density_radius_km
    sample["km"] = great_circle_km(sample.origin_lon, sample.origin_lat, sample.destination_lon, sample.destination_lat)
    counts = {
        "origin_lsoa_count": index.lsoa_count_within(sample.origin_lon, sample.origin_lat, radius_km=radius),
        "destination_lsoa_count": index.lsoa_count_within(
            sample.destination_lon, sample.destination_lat, radius_km=radius
        ),
    }
    sample["estimate"] = MODEL.journey_minutes(
        sample["km"].to_numpy(),
        origin_lonlat=(sample.origin_lon.to_numpy(), sample.origin_lat.to_numpy()),
        destination_lonlat=(sample.destination_lon.to_numpy(), sample.destination_lat.to_numpy()),
        **counts,
    )
    sample["national"] = MODEL.drive_minutes(sample["km"].to_numpy(), **counts)
    sample["ape"] = (sample.estimate - sample.minutes).abs() / sample.minutes
    sample["national_ape"] = (sample.national - sample.minutes).abs() / sample.minutes
    return sample


def _mape(frame: pd.DataFrame, column: str = "ape") -> float:
    return 100 * float(frame[column].mean())


def test_sample_is_held_out_and_covers_every_band(holdout: pd.DataFrame) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    assert set(holdout.destination_postcode) <= set(document["split"]["holdout_destinations"])
    # The held-out set is fixed before any fitting by a hash of the postcode alone.
    held = document["split"]["holdout_destinations"]
    assert all(int(hashlib.sha256(p.encode()).hexdigest(), 16) % 5 == 0 for p in held)
    assert document["correction"]["fitting"]["pairs"].startswith("fit destinations only")
    for low, high in BANDS.values():
        assert ((holdout.km >= low) & (holdout.km < high)).sum() == 300


@pytest.mark.parametrize("band", list(BANDS))
def test_held_out_error_by_distance_band_stays_within_bound(holdout: pd.DataFrame, band: str) -> None:
    low, high = BANDS[band]
    in_band = holdout[(holdout.km >= low) & (holdout.km < high)]
    assert _mape(in_band) < MAPE_BOUND_PERCENT[band]


@pytest.mark.parametrize("band", list(TARGET_PERCENT))
def test_held_out_short_trips_meet_the_accuracy_target(holdout: pd.DataFrame, band: str) -> None:
    trips = holdout[holdout.minutes < 30] if band == "under 30 min" else holdout[holdout.minutes <= 90]
    assert len(trips) > 400
    assert _mape(trips) <= TARGET_PERCENT[band]
    # The local road speed correction is what gets there: the national curve alone misses the target.
    assert _mape(trips, "national_ape") > TARGET_PERCENT[band]


def test_held_out_error_for_trips_under_an_hour_beats_the_straight_line_by_half(holdout: pd.DataFrame) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    line = document["baselines"]["straight_line_baseline"]
    short = holdout[holdout.minutes < 60].copy()
    short["line_ape"] = (line["a"] + line["b"] * short.km - short.minutes).abs() / short.minutes
    assert _mape(short) < MAPE_BOUND_PERCENT["under 60 min"]
    assert _mape(short) < 0.5 * _mape(short, "line_ape")


def test_model_file_records_split_and_metrics_for_model_and_baselines() -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    assert document["split"]["by"] == "destination"
    holdout = document["metrics"]["holdout"]
    assert set(holdout) == {"model", "without_local_correction", "straight_line_baseline"}
    assert list(holdout["model"]) == [
        *BANDS, "under 30 min", "30-60 min", "60-90 min", "up to 90 min", "under 60 min", "all"
    ]
    assert holdout["model"]["under 30 min"]["mape_percent"] <= TARGET_PERCENT["under 30 min"]
    assert holdout["model"]["up to 90 min"]["mape_percent"] <= TARGET_PERCENT["up to 90 min"]
    assert (
        holdout["model"]["under 60 min"]["mape_percent"]
        < holdout["straight_line_baseline"]["under 60 min"]["mape_percent"]
    )
    assert MODEL.holdout_mape_percent == holdout["model"]["under 60 min"]["mape_percent"]


counts = st.integers(min_value=0, max_value=600)


@given(st.floats(min_value=0, max_value=1500), st.floats(min_value=0, max_value=1500), counts, counts)
def test_minutes_grow_with_distance(km_a: float, km_b: float, n_origin: int, n_destination: int) -> None:
    near, far = sorted((km_a, km_b))
    minutes = MODEL.drive_minutes(
        np.array([near, far]), origin_lsoa_count=n_origin, destination_lsoa_count=n_destination
    )
    assert 0 < minutes[0] <= minutes[1]


@given(st.floats(min_value=0, max_value=1500), counts, counts)
def test_minutes_are_symmetric_in_origin_and_destination(km: float, n_a: int, n_b: int) -> None:
    there = MODEL.drive_minutes(km, origin_lsoa_count=n_a, destination_lsoa_count=n_b)
    back = MODEL.drive_minutes(km, origin_lsoa_count=n_b, destination_lsoa_count=n_a)
    assert there == pytest.approx(back, rel=1e-12)


def test_short_urban_trips_take_longer_than_short_rural_ones() -> None:
    urban = MODEL.drive_minutes(5.0, origin_lsoa_count=150, destination_lsoa_count=150)
    rural = MODEL.drive_minutes(5.0, origin_lsoa_count=1, destination_lsoa_count=1)
    assert urban > rural


def test_negative_distance_is_refused() -> None:
    with pytest.raises(ValueError, match="distance_km must be >= 0"):
        MODEL.drive_minutes(-1.0, origin_lsoa_count=0, destination_lsoa_count=0)


def test_settlement_index_counts_centroids_within_the_radius() -> None:
    # Centroids every 0.01 degree of latitude northward from 52N: 1.112 km apart.
    index = SettlementIndex.from_lonlat(np.full(10, -1.0), 52.0 + 0.01 * np.arange(10))
    counted = index.lsoa_count_within([-1.0, -1.0, 5.0], [52.0, 51.99, 52.0], radius_km=3.0)
    # 0, 1.112, 2.224 km (3 points) from 52N; 1.112, 2.224 km (2) from 51.99N; none 400 km east.
    assert counted.tolist() == [3, 2, 0]
    assert index.lsoa_total == 10


def test_points_without_coordinates_get_nan_minutes_not_an_error() -> None:
    index = SettlementIndex.from_lonlat([-1.0], [52.0])
    assert index.lsoa_count_within([np.nan, -1.0], [np.nan, 52.0], radius_km=3.0).tolist() == [0, 1]
    minutes = drive_minutes_matrix([[np.nan, np.nan], [-1.0, 52.0]], [[-1.5, 52.5]], model=MODEL, index=index)
    assert np.isnan(minutes[0, 0])
    assert minutes[1, 0] > 0


def test_settlement_index_refuses_a_non_positive_radius() -> None:
    index = SettlementIndex.from_lonlat([-1.0], [52.0])
    with pytest.raises(ValueError, match="radius_km must be > 0"):
        index.lsoa_count_within(-1.0, 52.0, radius_km=0)


def test_matrix_equals_pairwise_model_with_looked_up_densities() -> None:
    index = SettlementIndex.from_lonlat([-1.0, -1.0, -1.01, -2.0], [52.0, 52.01, 52.0, 53.0])
    origins = np.array([[-1.0, 52.0], [-2.0, 53.0]])
    destinations = np.array([[-1.0, 52.005], [-1.5, 52.5], [-3.0, 51.5]])
    matrix = drive_minutes_matrix(origins, destinations, model=MODEL, index=index)
    r = MODEL.density_radius_km
    for i, (olon, olat) in enumerate(origins):
        for j, (dlon, dlat) in enumerate(destinations):
            expected = MODEL.journey_minutes(
                great_circle_km(olon, olat, dlon, dlat),
                origin_lsoa_count=index.lsoa_count_within(olon, olat, radius_km=r),
                destination_lsoa_count=index.lsoa_count_within(dlon, dlat, radius_km=r),
                origin_lonlat=(olon, olat),
                destination_lonlat=(dlon, dlat),
            )
            assert matrix[i, j] == pytest.approx(expected, rel=1e-12)
    precomputed = distance_matrix_km(origins, destinations)
    assert drive_minutes_matrix(
        origins, destinations, model=MODEL, index=index, distance_km=precomputed
    ) == pytest.approx(matrix)
    with pytest.raises(ValueError, match=r"distance_km has shape \(3, 2\); expected \(2, 3\)"):
        drive_minutes_matrix(origins, destinations, model=MODEL, index=index, distance_km=precomputed.T)


def test_travel_between_reports_distance_and_method() -> None:
    london, cardiff = (-0.1276, 51.5072), (-3.1791, 51.4816)
    estimated = travel_between(london, cardiff)
    assert estimated.method == "estimated_drive"
    assert estimated.km == pytest.approx(211.26, abs=0.01)
    assert estimated.miles == pytest.approx(131.27, abs=0.01)
    assert estimated.minutes is not None and 120 < estimated.minutes < 240
    straight = travel_between(london, cardiff, method="straight_line")
    assert (straight.km, straight.minutes, straight.method) == (estimated.km, None, "straight_line")
    with pytest.raises(ValueError, match="needs a router"):
        travel_between(london, cardiff, method="routed")


def _write(tmp_path: Path, document: object, local_speed: str | None = None) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    shipped = default_model_path().parent / LOCAL_SPEED_FILE
    (tmp_path / LOCAL_SPEED_FILE).write_text(local_speed or shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "ferries.csv").write_text((shipped.parent / "ferries.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_model_loads_from_a_hand_made_file(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    document["coefficients"].update(intercept=0.0, linear=1.0, cubic=[0.0] * len(document["coefficients"]["knots_x"]))
    document["coefficients"].update(density_constant=0.0, density_by_x=0.0)
    model = load_drive_time_model(_write(tmp_path, document))
    assert isinstance(model, DriveTimeModel)
    # exp(ln(1 + km)) = 1 + km
    assert model.drive_minutes(9.0, origin_lsoa_count=5, destination_lsoa_count=5) == pytest.approx(10.0)


def test_missing_model_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="drive-time model not found; run `millis-network travel calibrate`"):
        load_drive_time_model(tmp_path / "absent.json")


def test_model_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.json: not valid JSON"):
        load_drive_time_model(path)


def test_model_file_of_another_form_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="form: expected 'log_natural_spline_density', got 'linear'"):
        load_drive_time_model(_write(tmp_path, {"schema_version": 2, "form": "linear"}))


def test_model_file_missing_a_coefficient_names_the_field(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    del document["coefficients"]["density_by_x"]
    with pytest.raises(DataFileError, match=r"coefficients\.density_by_x: missing"):
        load_drive_time_model(_write(tmp_path, document))


def test_model_file_with_text_for_a_number_names_the_field(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    document["coefficients"]["intercept"] = "1.5"
    with pytest.raises(DataFileError, match=r"coefficients\.intercept: expected a number, got '1\.5'"):
        load_drive_time_model(_write(tmp_path, document))


def test_model_file_of_another_schema_version_is_refused_naming_the_field(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    document["schema_version"] = 1
    with pytest.raises(DataFileError, match=r"schema_version: expected 2, got 1; .*travel calibrate"):
        load_drive_time_model(_write(tmp_path, document))


@pytest.mark.parametrize(("row", "message"), [
    ("E01000002,-0.09,51.5,0.010,9", "expected three numbers"),
    ("E01000002,-0.09,51.5", "expected three numbers"),
    ("E01000002,-0.09,nan,0.010", "expected finite numbers"),
])
def test_a_malformed_later_row_of_local_speed_is_named(tmp_path: Path, row: str, message: str) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    path = _write(tmp_path, document, f"lsoa_code,lon,lat,log_factor\nE01000001,-0.09706,51.5181,0.010\n{row}\n")
    with pytest.raises(DataFileError, match=rf"local_speed\.csv:3: lon, lat, log_factor: {message}"):
        load_drive_time_model(path)


def test_local_speed_file_with_text_for_a_factor_names_file_and_row(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    path = _write(tmp_path, document, "lsoa_code,lon,lat,log_factor\nE01000001,-0.09706,51.5181,0.010\nE01000002,-0.09,51.5,fast\n")
    with pytest.raises(DataFileError, match=r"local_speed\.csv:3: lon, lat, log_factor: expected three numbers"):
        load_drive_time_model(path)
    (tmp_path / LOCAL_SPEED_FILE).unlink()
    with pytest.raises(DataFileError, match="local road speed factors not found"):
        load_drive_time_model(path)


def test_hand_made_local_speed_factors_apply_at_both_ends(tmp_path: Path) -> None:
    document = json.loads(default_model_path().read_text(encoding="utf-8"))
    correction = document["correction"]
    correction["grid"]["log_factor"] = [[0.0]]
    correction["scale"] = {"log_minutes": [0.0], "factor": [1.0]}
    # Two places 20 km apart: one with roads 10% slower than the national curve (ln 1.1), one neutral.
    local = f"lsoa_code,lon,lat,log_factor\nA,-1.0,52.0,{np.log(1.1):.6f}\nB,-1.0,52.18,0.0\n"
    model = load_drive_time_model(_write(tmp_path, document, local))
    assert model.correction is not None
    kw = {"origin_lsoa_count": 3, "destination_lsoa_count": 3}
    national = model.drive_minutes(20.0, **kw)
    both = model.journey_minutes(20.0, origin_lonlat=(-1.0, 52.0), destination_lonlat=(-1.0, 52.18), **kw)
    back = model.journey_minutes(20.0, origin_lonlat=(-1.0, 52.18), destination_lonlat=(-1.0, 52.0), **kw)
    # 50 km from every factor (beyond snap_km): the national curve.
    far = model.journey_minutes(20.0, origin_lonlat=(-1.0, 52.6), destination_lonlat=(-1.0, 52.78), **kw)
    assert both == pytest.approx(1.1 * national, rel=1e-4)
    assert back == pytest.approx(both, rel=1e-12)
    assert far == pytest.approx(national, rel=1e-12)
    assert model.without_correction().journey_minutes(
        20.0, origin_lonlat=(-1.0, 52.0), destination_lonlat=(-1.0, 52.18), **kw
    ) == pytest.approx(national, rel=1e-12)


def test_local_speed_file_is_compact_and_covers_every_lsoa() -> None:
    path = default_model_path().parent / LOCAL_SPEED_FILE
    assert path.stat().st_size < 2_000_000
    assert MODEL.correction is not None
    assert MODEL.correction.place_log.size > 34_700
    # Every factor is floored (so a threshold's reach radius stays bounded) and shrunk toward 1.
    assert MODEL.correction.min_log_factor >= 3 * -0.08 - 1e-9
    assert abs(float(np.median(MODEL.correction.place_log))) < 0.01


lon_gb = st.floats(min_value=-5.0, max_value=1.5)
lat_gb = st.floats(min_value=50.5, max_value=55.0)


@given(lon_gb, lat_gb, lon_gb, lat_gb)
def test_local_speed_is_symmetric_in_origin_and_destination(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> None:
    km = great_circle_km(lon_a, lat_a, lon_b, lat_b)
    there = MODEL.journey_minutes(km, origin_lsoa_count=4, destination_lsoa_count=9,
                                  origin_lonlat=(lon_a, lat_a), destination_lonlat=(lon_b, lat_b))
    back = MODEL.journey_minutes(km, origin_lsoa_count=9, destination_lsoa_count=4,
                                 origin_lonlat=(lon_b, lat_b), destination_lonlat=(lon_a, lat_a))
    # The path is read at 1/4, 1/2 and 3/4 of the way: the same cells both ways, except that rounding may
    # put a point lying exactly on a cell edge in the neighbouring cell (at most one of three readings).
    assert MODEL.correction is not None
    cells = MODEL.correction.cell_log
    assert abs(np.log(there / back)) <= (cells.max() - cells.min()) / 3 + 1e-12
    assert there > 0


@settings(deadline=None, max_examples=40)
@given(lon_gb, lat_gb)
def test_removing_the_correction_never_changes_which_centres_exist_only_their_times(lon: float, lat: float) -> None:
    centres = bundled_public().centres
    rule = CampaignRule()
    corrected = centres_near(lat, lon, centres, rule=rule, service="supported", n=8, model=MODEL)
    national = centres_near(lat, lon, centres, rule=rule, service="supported", n=8, model=MODEL.without_correction())
    assert corrected["id"].tolist() == national["id"].tolist()
    assert corrected["distance_km"].tolist() == national["distance_km"].tolist()
    by_road = corrected["drive_minutes"].notna()
    assert (by_road == national["drive_minutes"].notna()).all()
    assert (corrected["drive_minutes"][by_road] > 0).all()
