"""OSRM table client against a local HTTP server serving OSRM-shaped responses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from millis_network.errors import SourceUnavailableError
from millis_network.sources._http import HttpSettings
from millis_network.sources.osrm import (
    TABLE_COLUMNS,
    OsrmSettings,
    chunk_plan,
    table_minutes,
)

FAST = HttpSettings(timeout_s=5, retries=1, backoff_s=0)
LONDON, CARDIFF = (-0.1276, 51.5072), (-3.1791, 51.4816)
BIRMINGHAM, BRISTOL = (-1.8904, 52.4862), (-2.5879, 51.4545)
PENZANCE, ST_MARYS, TRURO = (-5.5371, 50.1188), (-6.3128, 49.9146), (-5.0510, 50.2632)


def _fixture(test_data: Path, name: str) -> dict:
    return json.loads((test_data / "travel" / name).read_text(encoding="utf-8"))


def _settings(httpserver: HTTPServer, **options: object) -> OsrmSettings:
    return OsrmSettings(base_url=httpserver.url_for("/").rstrip("/"), http=FAST, **options)


def _path(*points: tuple[float, float]) -> str:
    return "/table/v1/driving/" + ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in points)


def _ten_minutes(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    return np.full((len(origins), len(destinations)), 10.0)


def test_durations_in_seconds_become_minutes_origin_major(httpserver: HTTPServer, test_data: Path) -> None:
    httpserver.expect_request(
        _path(LONDON, CARDIFF, BIRMINGHAM, BRISTOL, CARDIFF),
        query_string="sources=0;1&destinations=2;3;4&annotations=duration",
    ).respond_with_json(_fixture(test_data, "osrm_table_2x3.json"))
    table = table_minutes([LONDON, CARDIFF], [BIRMINGHAM, BRISTOL, CARDIFF], settings=_settings(httpserver))
    assert list(table.columns) == TABLE_COLUMNS
    assert table[["origin_index", "destination_index"]].values.tolist() == [
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 0],
        [1, 1],
        [1, 2],
    ]
    assert table.minutes.round(2).tolist() == [122.09, 117.69, 151.55, 124.34, 44.20, 0.0]
    assert (table.method == "routed").all()
    assert table.reachable.all()
    assert (table.note == "").all()


def test_null_duration_is_reported_unreachable_not_dropped(httpserver: HTTPServer, test_data: Path) -> None:
    httpserver.expect_request(_path(PENZANCE, ST_MARYS, TRURO)).respond_with_json(
        _fixture(test_data, "osrm_table_unreachable.json")
    )
    table = table_minutes([PENZANCE], [ST_MARYS, TRURO], settings=_settings(httpserver), fallback=_ten_minutes)
    assert len(table) == 2
    island, mainland = table.iloc[0], table.iloc[1]
    assert np.isnan(island.minutes)
    assert (island.reachable, island.method, island.note) == (False, "routed", "router found no route")
    assert (mainland.minutes, mainland.reachable, mainland.method) == (pytest.approx(30.058, abs=1e-3), True, "routed")


def test_refusal_falls_back_to_the_estimator_and_says_why(httpserver: HTTPServer, test_data: Path) -> None:
    httpserver.expect_request(_path(LONDON, ST_MARYS)).respond_with_json(
        _fixture(test_data, "osrm_error_nosegment.json"), status=400
    )
    table = table_minutes([LONDON], [ST_MARYS], settings=_settings(httpserver), fallback=_ten_minutes)
    row = table.iloc[0]
    assert (row.minutes, row.method, row.reachable) == (10.0, "estimated_drive", True)
    assert "router refused: NoSegment: Could not find a matching segment" in row.note


def test_refusal_without_fallback_raises(httpserver: HTTPServer, test_data: Path) -> None:
    httpserver.expect_request(_path(LONDON, ST_MARYS)).respond_with_json(
        _fixture(test_data, "osrm_error_nosegment.json"), status=400
    )
    with pytest.raises(SourceUnavailableError, match=r"routing failed: .*NoSegment.*pass a fallback"):
        table_minutes([LONDON], [ST_MARYS], settings=_settings(httpserver))


def test_a_server_error_is_retried(httpserver: HTTPServer, test_data: Path) -> None:
    path = _path(LONDON, CARDIFF, BIRMINGHAM, BRISTOL, CARDIFF)
    httpserver.expect_ordered_request(path).respond_with_data("overloaded", status=503)
    httpserver.expect_ordered_request(path).respond_with_json(_fixture(test_data, "osrm_table_2x3.json"))
    table = table_minutes([LONDON, CARDIFF], [BIRMINGHAM, BRISTOL, CARDIFF], settings=_settings(httpserver))
    assert (table.method == "routed").all()
    assert len(httpserver.log) == 2


def test_a_router_that_is_down_is_not_asked_again_for_later_blocks(httpserver: HTTPServer) -> None:
    httpserver.expect_request(re.compile("^/table/")).respond_with_data("down", status=503)
    origins = [LONDON, CARDIFF, BIRMINGHAM]
    table = table_minutes(origins, [BRISTOL], settings=_settings(httpserver, max_locations=2), fallback=_ten_minutes)
    assert (table.method == "estimated_drive").all()
    assert table.note.str.contains("HTTP 503").all()
    assert len(httpserver.log) == FAST.retries + 1


def test_a_malformed_answer_falls_back(httpserver: HTTPServer) -> None:
    httpserver.expect_request(_path(LONDON, CARDIFF)).respond_with_json({"code": "Ok", "durations": [[1.0, 2.0]]})
    table = table_minutes([LONDON], [CARDIFF], settings=_settings(httpserver), fallback=_ten_minutes)
    assert table.method.tolist() == ["estimated_drive"]
    assert "durations missing or not a 1×1 table" in table.note.iloc[0]


def _fake_router(limit: int, too_big: dict, sizes: list[int]):
    """An OSRM-shaped server: refuses more than ``limit`` coordinates, else answers 60*(100*lon_o + lon_d) seconds."""

    def handle(request: Request) -> Response:
        points = [tuple(map(float, p.split(","))) for p in request.path.rsplit("/", 1)[1].split(";")]
        sizes.append(len(points))
        if len(points) > limit:
            return Response(json.dumps(too_big), status=400, content_type="application/json")
        sources = [points[int(i)] for i in request.args["sources"].split(";")]
        targets = [points[int(i)] for i in request.args["destinations"].split(";")]
        durations = [[60 * (100 * o[0] + d[0]) for d in targets] for o in sources]
        return Response(json.dumps({"code": "Ok", "durations": durations}), content_type="application/json")

    return handle


def test_large_tables_are_split_within_the_public_server_limit(httpserver: HTTPServer, test_data: Path) -> None:
    sizes: list[int] = []
    httpserver.expect_request(re.compile("^/table/")).respond_with_handler(
        _fake_router(100, _fixture(test_data, "osrm_error_too_big.json"), sizes)
    )
    origins = np.column_stack([np.arange(3.0), np.full(3, 51.0)])
    destinations = np.column_stack([np.linspace(0.0, 1.19, 120), np.full(120, 52.0)])
    table = table_minutes(origins, destinations, settings=_settings(httpserver))
    assert max(sizes) <= 100
    assert (table.method == "routed").all()
    expected = 100 * origins[:, :1] + destinations[:, 0]
    assert table.minutes.to_numpy().reshape(3, 120) == pytest.approx(expected)


def test_a_server_that_refuses_large_tables_is_reported(httpserver: HTTPServer, test_data: Path) -> None:
    sizes: list[int] = []
    httpserver.expect_request(re.compile("^/table/")).respond_with_handler(
        _fake_router(3, _fixture(test_data, "osrm_error_too_big.json"), sizes)
    )
    table = table_minutes(
        [LONDON, CARDIFF], [BIRMINGHAM, BRISTOL], settings=_settings(httpserver), fallback=_ten_minutes
    )
    assert sizes == [4]
    assert table.note.str.contains("TooBig: Too many table coordinates").all()


@given(st.integers(0, 60), st.integers(0, 60), st.integers(2, 12))
def test_chunk_plan_covers_every_pair_once_within_the_limit(n: int, m: int, limit: int) -> None:
    seen = np.zeros((n, m), dtype=int)
    for rows, cols in chunk_plan(n, m, max_locations=limit):
        assert len(rows) + len(cols) <= limit
        seen[rows.start : rows.stop, cols.start : cols.stop] += 1
    assert (seen == 1).all()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="base_url must start with http:// or https://"):
        OsrmSettings(base_url="localhost:5000")
    with pytest.raises(ValueError, match="max_locations must be >= 2"):
        OsrmSettings(base_url="http://localhost:5000", max_locations=1)
