"""``millis-network travel``: one trip as JSON or text, with and without a router."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from millis_network.cli import main

LONDON, CARDIFF = "51.5072,-0.1276", "51.4816,-3.1791"
PENZANCE, ST_MARYS = "50.1188,-5.5371", "49.9146,-6.3128"


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["travel", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_estimated_drive_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    trip = _run_json(capsys, "--from", LONDON, "--to", CARDIFF)
    assert set(trip) == {"km", "miles", "minutes", "method", "note"}
    assert trip["method"] == "estimated_drive"
    assert trip["km"] == pytest.approx(211.256, abs=1e-3)
    assert trip["miles"] == pytest.approx(131.269, abs=1e-3)
    assert 120 < trip["minutes"] < 240


def test_straight_line_has_no_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    trip = _run_json(capsys, "--from", LONDON, "--to", CARDIFF, "--straight-line")
    assert (trip["method"], trip["minutes"]) == ("straight_line", None)


def test_routed_trip_uses_the_router(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], test_data: Path
) -> None:
    answer = json.loads((test_data / "travel" / "osrm_table_2x3.json").read_text(encoding="utf-8"))
    answer["durations"] = [[answer["durations"][0][2]]]
    httpserver.expect_request("/table/v1/driving/-0.127600,51.507200;-3.179100,51.481600").respond_with_json(answer)
    trip = _run_json(capsys, "--from", LONDON, "--to", CARDIFF, "--router", httpserver.url_for("/").rstrip("/"))
    assert (trip["method"], trip["minutes"]) == ("routed", 151.5)


def test_unreachable_destination_is_reported(httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]) -> None:
    httpserver.expect_request(re.compile("^/table/")).respond_with_json({"code": "Ok", "durations": [[None]]})
    router = httpserver.url_for("/").rstrip("/")
    trip = _run_json(capsys, "--from", PENZANCE, "--to", ST_MARYS, "--router", router)
    assert (trip["method"], trip["minutes"], trip["note"]) == ("routed", None, "router found no route")
    assert main(["travel", "--from", PENZANCE, "--to", ST_MARYS, "--router", router]) == 0
    assert "unreachable by road according to the router" in capsys.readouterr().out


def test_text_output_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "--from", LONDON, "--to", CARDIFF]) == 0
    assert re.fullmatch(r"211\.3 km \(131\.3 miles\) great-circle; \d+ min estimated drive\n", capsys.readouterr().out)


def test_missing_points_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "--from", LONDON]) == 2
    assert "give --from LAT,LON and --to LAT,LON" in capsys.readouterr().err


def test_lon_lat_order_mistakes_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["travel", "--from=151.5072,-0.1276", "--to", CARDIFF])
    assert "is not a WGS84 LAT,LON (latitude first" in capsys.readouterr().err
