"""Great-circle distances: hand-worked values, an independent ellipsoidal check, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from millis_network._geo import (
    EARTH_RADIUS_KM,
    great_circle_km,
    km_to_miles,
    miles_to_km,
)
from millis_network.config import KM_PER_MILE
from millis_network.engine.travel import distance_matrix_km

lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
points = st.tuples(lons, lats)


def test_one_degree_of_latitude_is_the_radius_times_pi_over_180() -> None:
    # 6371.0088 km * pi / 180 = 111.19508 km, anywhere along a meridian.
    assert great_circle_km(-1.5, 52.0, -1.5, 53.0) == pytest.approx(111.19508, abs=1e-5)
    assert great_circle_km(0.0, -0.5, 0.0, 0.5) == pytest.approx(111.19508, abs=1e-5)


def test_quarter_and_half_of_the_equator() -> None:
    # pi/2 * R = 1.5707963 * 6371.0088 = 10,007.5572 km; pi * R = 20,015.1144 km.
    assert great_circle_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(10007.5572, abs=1e-3)
    assert great_circle_km(0.0, 0.0, 180.0, 0.0) == pytest.approx(20015.1144, abs=1e-3)
    assert great_circle_km(0.0, 90.0, 0.0, -90.0) == pytest.approx(20015.1144, abs=1e-3)


def test_one_degree_of_longitude_at_60_north() -> None:
    # Central angle 2*asin(cos 60° * sin 0.5°) = 2*asin(0.5 * 0.00872654) = 0.00872656 rad
    # -> 0.00872656 * 6371.0088 = 55.5970 km (the parallel itself is 55.5975 km, slightly longer).
    assert great_circle_km(-2.0, 60.0, -1.0, 60.0) == pytest.approx(55.5970, abs=1e-3)


@pytest.mark.parametrize(
    ("name", "a", "b"),
    [
        ("London Charing Cross - Cardiff", (-0.1276, 51.5072), (-3.1791, 51.4816)),
        ("London - Edinburgh", (-0.1276, 51.5072), (-3.1883, 55.9533)),
        ("St Helier, Jersey - St Peter Port, Guernsey", (-2.1097, 49.1858), (-2.5369, 49.4550)),
        ("Penzance - Berwick-upon-Tweed", (-5.5371, 50.1188), (-2.0055, 55.7704)),
    ],
)
def test_uk_city_pairs_agree_with_the_wgs84_ellipsoid_within_half_a_percent(
    name: str, a: tuple[float, float], b: tuple[float, float]
) -> None:
    ellipsoid_km = Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2] / 1000
    assert great_circle_km(*a, *b) == pytest.approx(ellipsoid_km, rel=0.005), name


def test_distance_matrix_rows_are_origins_and_columns_destinations() -> None:
    origins = [(-0.1276, 51.5072), (-3.1791, 51.4816)]
    destinations = [(-0.1276, 51.5072), (-1.8904, 52.4862), (-3.1791, 51.4816)]
    matrix = distance_matrix_km(origins, destinations)
    assert matrix.shape == (2, 3)
    assert matrix[0, 0] == 0.0
    assert matrix[1, 2] == 0.0
    assert matrix[0, 2] == pytest.approx(matrix[1, 0])
    assert matrix[0, 1] == pytest.approx(great_circle_km(-0.1276, 51.5072, -1.8904, 52.4862))


def test_a_single_pair_counts_as_one_point() -> None:
    assert distance_matrix_km((-0.1276, 51.5072), (-3.1791, 51.4816)).shape == (1, 1)


def test_nan_coordinates_give_nan_not_an_error() -> None:
    assert np.isnan(great_circle_km(np.nan, 51.0, -1.0, 52.0))


def test_swapped_lat_lon_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match=r"latitude -170.0 is outside \[-90, 90\].*longitude first"):
        great_circle_km(51.5, -170.0, -1.0, 52.0)
    with pytest.raises(ValueError, match=r"longitude 200.0 is outside \[-180, 180\]"):
        great_circle_km(-1.0, 52.0, 200.0, 52.0)


def test_points_must_be_lon_lat_pairs() -> None:
    with pytest.raises(ValueError, match=r"origins_lonlat must be an \(n, 2\) array"):
        distance_matrix_km([[1.0, 2.0, 3.0]], [[1.0, 2.0]])


def test_miles_use_the_configured_conversion() -> None:
    assert km_to_miles(KM_PER_MILE) == pytest.approx(1.0)
    assert km_to_miles(80.4672) == pytest.approx(50.0)
    assert miles_to_km(50.0) == pytest.approx(80.4672)


@given(points, points)
def test_distance_is_non_negative_symmetric_and_bounded(a: tuple[float, float], b: tuple[float, float]) -> None:
    d_ab = great_circle_km(*a, *b)
    assert 0.0 <= d_ab <= math.pi * EARTH_RADIUS_KM + 1e-9
    assert d_ab == pytest.approx(great_circle_km(*b, *a), abs=1e-9)


@given(points)
def test_distance_from_a_point_to_itself_is_zero(a: tuple[float, float]) -> None:
    assert great_circle_km(*a, *a) == 0.0


@given(points, points, points)
def test_triangle_inequality(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> None:
    assert great_circle_km(*a, *c) <= great_circle_km(*a, *b) + great_circle_km(*b, *c) + 1e-6


@given(st.lists(points, min_size=1, max_size=5), st.lists(points, min_size=1, max_size=5))
def test_matrix_matches_pairwise_distances(
    origins: list[tuple[float, float]], destinations: list[tuple[float, float]]
) -> None:
    matrix = distance_matrix_km(origins, destinations)
    for i, a in enumerate(origins):
        for j, b in enumerate(destinations):
            assert matrix[i, j] == pytest.approx(great_circle_km(*a, *b), abs=1e-9)
