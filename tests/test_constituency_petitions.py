"""A petition's signatures joined to constituency coverage, from a real local HTTP server, and the CLI and exports.

``tests/data/evidence/petition_999002.json`` is written by hand in the
documented shape of ``petition.parliament.uk/petitions/<id>.json``; the petition
is fictional, its constituency codes real 2024 codes (Aldershot 300
signatures, Aberafan Maesteg 95, Cities of London and Westminster 220,
Falkirk 40) plus E14000530, a code of the 2010 boundaries the lookup does not
hold (15).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bundled import bundled_public
from pytest_httpserver import HTTPServer

from millis_network.cli import main
from millis_network.config import CampaignRule
from millis_network.engine.analysis import run_analysis
from millis_network.engine.constituencies import constituency_coverage, join_petition
from millis_network.engine.scenario import StatutoryNetwork, statutory_network
from millis_network.evidence.constituency_tables import constituency_export_files
from millis_network.sources import HttpSettings
from millis_network.sources.petitions import PetitionFigures, fetch_petition

RECORDED = (Path(__file__).resolve().parent / "data" / "evidence" / "petition_999002.json").read_text(encoding="utf-8")
RULE = CampaignRule(threshold_minutes=30)


def fetched(httpserver: HTTPServer, cache: Path) -> PetitionFigures:
    httpserver.expect_request("/petitions/999002.json").respond_with_data(RECORDED, content_type="application/json")
    return fetch_petition(999002, base_url=httpserver.url_for("/"), settings=HttpSettings(timeout_s=2.0, retries=0),
                          cache_dir=cache)


@pytest.fixture(scope="module")
def coverage() -> tuple[StatutoryNetwork, pd.DataFrame]:
    scenario = statutory_network(run_analysis(bundled_public(), RULE))
    return scenario, constituency_coverage(scenario)


def test_signatures_join_on_the_gss_code_per_10000_people(httpserver: HTTPServer, tmp_path: Path, coverage) -> None:
    scenario, table = coverage
    figures = fetched(httpserver, tmp_path)
    joined = join_petition(table, figures.by_constituency, constituencies=scenario.directory.network.constituencies)
    rows = joined.table.set_index("gss_code")
    people = table.set_index("gss_code")["people"]
    assert rows.at["E14001063", "signatures"] == 300
    assert rows.at["E14001063", "signatures_per_10000_people"] == pytest.approx(300 / people["E14001063"] * 10_000)
    assert rows.at["W07000081", "signatures"] == 95 and rows.at["E14001172", "signatures"] == 220
    assert len(rows) == 575 and rows["signatures"].sum() == 615
    # Every other constituency of England and Wales is missing from the petition and counts as zero.
    assert joined.missing == 572 and (rows.loc[~rows["in_petition"], "signatures"] == 0).all()
    assert joined.outside == 40  # Falkirk
    assert joined.unknown.to_dict("records") == [{"ons_code": "E14000530", "signature_count": 15}]
    said = joined.describe()
    assert "572 constituencies of England and Wales are not listed by the petition and count as zero" in said
    assert "E14000530" in said and "40 signatures come from constituencies outside England and Wales" in said
    assert rows.at["E14001063", "supported_people_beyond_threshold"] == \
        table.set_index("gss_code").at["E14001063", "supported_people_beyond_threshold"]


def test_cli_joins_the_stored_petition_offline(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    assert main(["coverage", "constituencies", "--petition", "999002", "--json"]) == 2
    assert "no stored copy of petition 999002" in capsys.readouterr().err
    fetched(httpserver, tmp_path)
    httpserver.clear()
    assert main(["coverage", "constituencies", "--petition", "999002", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert httpserver.log == []
    assert len(payload["constituencies"]) == 575
    assert payload["petition"]["unknown_codes"] == [{"ons_code": "E14000530", "signature_count": 15}]
    assert "stored copy" in payload["provenance"]["petition"]["source"]
    assert "mid-2019" in payload["provenance"]["population"]


def test_cli_writes_csv_with_a_provenance_sidecar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seats.csv"
    assert main(["coverage", "constituencies", "--lost-since", "2019", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Constituencies with most people beyond reach of a supported centre in this directory" in text
    assert "mid-2019" in text
    table = pd.read_csv(out)
    assert len(table) == 575 and (table["lost_since"] == 2019).all()
    sidecar = json.loads((tmp_path / "seats.provenance.json").read_text())
    info = sidecar["provenance"]
    assert sidecar["file"] == "seats.csv"
    assert "mid-2019" in info["population"] and "Alasdair Rae and Philip Brown" in info["hex_map"]
    assert "NACCC" in info["directory_completeness"] and info["rule"]["threshold_minutes"] == 30
    assert "constituencies" in info["sources"] and "nearest family court centre" in info["serving_court"]
    assert "ONS mid-2019" in sidecar["columns"]["supported_people_within_30_min"]


def test_cli_refuses_an_out_file_of_unknown_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match=r"give a file ending in \.csv, \.xlsx, \.geojson, \.gpkg"):
        main(["coverage", "constituencies", "--out", str(tmp_path / "seats.txt")])


def test_geojson_export_places_each_constituency_on_its_hexagon(coverage) -> None:
    scenario, table = coverage
    files = constituency_export_files(scenario, table, fmt="geojson")
    collection = json.loads(files["constituencies.geojson"])
    assert len(collection["features"]) == 575
    assert all(feature["geometry"]["type"] in ("Polygon", "MultiPolygon") for feature in collection["features"])
    assert "Alasdair Rae and Philip Brown" in collection["provenance"]["hex_map"]
