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
    assert set(trip) == {"km", "miles", "minutes", "method", "note", "journey"}
    assert trip["journey"] == "by road"
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
    trip = _run_json(capsys, "--from", LONDON, "--to", CARDIFF, "--router", router)
    assert (trip["method"], trip["minutes"], trip["note"]) == ("routed", None, "router found no route")
    assert main(["travel", "--from", LONDON, "--to", CARDIFF, "--router", router]) == 0
    assert "unreachable by road according to the router" in capsys.readouterr().out
    # Points on two landmasses are never routed by road: the Isles of Scilly have no car ferry in the data.
    scilly = _run_json(capsys, "--from", PENZANCE, "--to", ST_MARYS, "--router", router)
    assert (scilly["minutes"], scilly["journey"]) == (None, "no road or ferry link")
    assert scilly["note"].startswith("not routed: the points are on different landmasses")


def test_text_output_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "--from", LONDON, "--to", CARDIFF]) == 0
    assert re.fullmatch(r"211\.3 km \(131\.3 miles\) great-circle; \d+ min estimated drive, by road\n", capsys.readouterr().out)


def test_missing_points_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "--from", LONDON]) == 2
    assert "give --from LAT,LON and --to LAT,LON" in capsys.readouterr().err


def test_lon_lat_order_mistakes_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["travel", "--from=151.5072,-0.1276", "--to", CARDIFF])
    assert "is not a WGS84 LAT,LON (latitude first" in capsys.readouterr().err


PORTSMOUTH, NEWPORT_IOW, ST_HELIER = "50.7990,-1.0913", "50.7010,-1.2920", "49.1880,-2.1049"


def test_a_trip_across_the_solent_goes_by_road_and_ferry(capsys: pytest.CaptureFixture[str]) -> None:
    trip = _run_json(capsys, "--from", PORTSMOUTH, "--to", NEWPORT_IOW)
    assert trip["journey"] == "by road and ferry" and "ferry" in trip["note"]
    # At least the quickest crossing and its check-in (40 + 30 min), plus the drives to and from the ports.
    assert 70 < trip["minutes"] < 150


def test_a_trip_with_no_road_or_ferry_link_has_no_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    trip = _run_json(capsys, "--from", ST_HELIER, "--to", PORTSMOUTH)
    assert (trip["journey"], trip["minutes"]) == ("no road or ferry link", None)
    assert "Jersey and Great Britain" in trip["note"]


def _pairs_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_pairs_are_answered_at_once_with_extra_columns_carried_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _pairs_file(tmp_path, (
        "family,from_lat,from_lon,to_lat,to_lon\n"
        f"A,{LONDON},{CARDIFF}\n"
        f"B,{PORTSMOUTH},{NEWPORT_IOW}\n"
        f"C,{ST_HELIER},{PORTSMOUTH}\n"
    ))
    out = tmp_path / "answers.csv"
    assert main(["travel", "--pairs", str(path), "--json", "--out", str(out)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["family"] for r in rows] == ["A", "B", "C"]
    assert [r["journey"] for r in rows] == ["by road", "by road and ferry", "no road or ferry link"]
    single = _run_json(capsys, "--from", LONDON, "--to", CARDIFF)
    assert rows[0]["minutes"] == pytest.approx(single["minutes"], abs=0.05)
    assert rows[0]["km"] == pytest.approx(single["km"], abs=1e-3)
    assert rows[2]["minutes"] is None and rows[1]["ferry_route"] in {
        "portsmouth-fishbourne", "southampton-east-cowes", "lymington-yarmouth"}
    written = out.read_text(encoding="utf-8").splitlines()
    assert written[0].startswith("family,from_lat,from_lon,to_lat,to_lon,from_landmass")
    assert len(written) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("from_lat,from_lon,to_lat\n1,2,3\n", r"pairs\.csv:1: to_lon: column 'to_lon' is missing"),
        ("from_lat,from_lon,to_lat,to_lon\n51,0,51,0\n51,0,north,0\n",
         r"pairs\.csv:3: to_lat: to_lat must be a number of WGS84 degrees within ±90"),
        ("from_lat,from_lon,to_lat,to_lon\n51,200,51,0\n", r"pairs\.csv:2: from_lon: .* within ±180"),
    ],
)
def test_a_bad_pairs_file_names_file_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert main(["travel", "--pairs", str(_pairs_file(tmp_path, text))]) != 0
    assert re.search(message, capsys.readouterr().err)


def test_pairs_exclude_a_single_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _pairs_file(tmp_path, "from_lat,from_lon,to_lat,to_lon\n51,0,51,0\n")
    assert main(["travel", "--pairs", str(path), "--from", LONDON]) == 2
    assert "--pairs takes no --from" in capsys.readouterr().err
