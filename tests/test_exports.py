"""Exports: every format carries the provenance and the engine's numbers, row for row."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from bundled import bundled, bundled_public
from openpyxl import load_workbook

from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_COLUMNS
from millis_network.engine.analysis import Analysis, provenance, run_analysis
from millis_network.errors import PrivacyError
from millis_network.evidence.exports import (
    ABOUT_SHEET,
    FORMATS,
    PRIVACY_STATEMENT,
    REACH_LEVELS,
    bundle_name,
    export_bundle,
    export_files,
    export_provenance,
    export_tables,
    write_export,
)
from millis_network.places import local_authority_boundaries

TABLES = ("court_coverage", "gaps", "reach_supported", "reach_supervised", "public_directory")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return run_analysis(bundled_public(), CampaignRule())


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return local_authority_boundaries()


@pytest.fixture(scope="module")
def engine(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """The engine's own tables, for comparison with what the files hold."""
    reach = {
        service: pd.concat(
            [analysis.summary(service=service, by=level).assign(level=level) for level in REACH_LEVELS],
            ignore_index=True,
        ).replace([np.inf], np.nan)
        for service in ("supported", "supervised")
    }
    return {
        "court_coverage": analysis.court_coverage,
        "gaps": analysis.gaps().replace([np.inf], np.nan),
        "reach_supported": reach["supported"],
        "reach_supervised": reach["supervised"],
        "public_directory": analysis.centres[list(CENTRE_COLUMNS)],
    }


@pytest.fixture(scope="module")
def files(analysis: Analysis, boundaries: gpd.GeoDataFrame) -> dict[str, dict[str, bytes]]:
    return {fmt: export_files(analysis, fmt=fmt, boundaries=boundaries) for fmt in FORMATS}


def same_table(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values column by column: numbers to 1e-9, text exactly (blank = missing)."""
    expected = expected.reset_index(drop=True)
    found = found.reset_index(drop=True)
    assert len(found) == len(expected)
    for column in expected.columns:
        want, got = expected[column], found[column]
        if pd.api.types.is_bool_dtype(want):
            assert got.astype(str).str.lower().tolist() == want.astype(str).str.lower().tolist(), column
        elif pd.api.types.is_numeric_dtype(want):
            np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-9, equal_nan=True, err_msg=column)
        else:
            assert got.fillna("").astype(str).tolist() == want.fillna("").astype(str).tolist(), column


def test_every_table_is_in_every_format(files: dict[str, dict[str, bytes]]) -> None:
    assert sorted(files["csv"]) == sorted([f"{t}.csv" for t in TABLES] + [f"{t}.provenance.json" for t in TABLES])
    assert sorted(files["geojson"]) == sorted(f"{t}.geojson" for t in TABLES)
    assert list(files["xlsx"]) == ["millis_network_export.xlsx"]
    assert list(files["gpkg"]) == ["millis_network_export.gpkg"]


def test_provenance_states_sources_rule_completeness_and_sample_flag(analysis: Analysis) -> None:
    info = export_provenance(analysis, export_tables(analysis))
    base = provenance(analysis)
    for key in ("generated_at", "software", "rule", "sources", "directory_completeness", "sample_records_included"):
        assert info[key] == base[key]
    assert info["generated_at"] == analysis.generated_at
    assert info["software"].startswith("millis_network ")
    assert info["rule"]["description"] == analysis.rule.describe()
    assert info["rule"]["threshold_minutes"] == 30.0
    assert info["sources"]["family court centres"].startswith("HMCTS")
    assert info["directory_completeness"] == analysis.completeness.describe()
    assert info["sample_records_included"] is False
    assert info["privacy"] == PRIVACY_STATEMENT
    assert [t["name"] for t in info["tables"]] == list(TABLES)


def test_csv_holds_the_engine_numbers_and_a_checkable_sidecar(
    analysis: Analysis, files: dict[str, dict[str, bytes]], engine: dict[str, pd.DataFrame]
) -> None:
    info = export_provenance(analysis, export_tables(analysis))
    for table in TABLES:
        body = files["csv"][f"{table}.csv"]
        text_columns = {c: str for c in engine[table].columns if not pd.api.types.is_numeric_dtype(engine[table][c])}
        frame = pd.read_csv(io.BytesIO(body), dtype=text_columns, keep_default_na=False, na_values=[""])
        same_table(frame, engine[table])
        sidecar = json.loads(files["csv"][f"{table}.provenance.json"])
        assert sidecar["sha256"] == hashlib.sha256(body).hexdigest()
        assert sidecar["rows"] == len(engine[table])
        assert set(sidecar["columns"]) == set(engine[table].columns)
        assert sidecar["provenance"] == info


def test_csv_reach_rows_per_level(files: dict[str, dict[str, bytes]], analysis: Analysis) -> None:
    frame = pd.read_csv(io.BytesIO(files["csv"]["reach_supported.csv"]))
    counts = frame["level"].value_counts()
    assert counts["national"] == 1
    assert counts["nation"] == 2
    assert counts["local_authority"] == analysis.area_reach["local_authority_code"].nunique()
    national = frame[frame["level"] == "national"].iloc[0]
    assert national["share_covered"] == pytest.approx(analysis.headline()["share_lsoas_covered"], rel=1e-12)


def test_xlsx_has_about_sheet_first_and_engine_numbers(
    analysis: Analysis, files: dict[str, dict[str, bytes]], engine: dict[str, pd.DataFrame]
) -> None:
    body = files["xlsx"]["millis_network_export.xlsx"]
    book = load_workbook(io.BytesIO(body), read_only=True)
    assert book.sheetnames == [ABOUT_SHEET, *TABLES]
    about = {row[0]: row[1] for row in book[ABOUT_SHEET].iter_rows(values_only=True) if row[0]}
    assert about["generated_at"] == analysis.generated_at
    assert about["rule.description"] == analysis.rule.describe()
    assert about["directory_completeness"] == analysis.completeness.describe()
    assert about["sample_records_included"] == "False"
    assert about["sources.LSOAs"] == provenance(analysis)["sources"]["LSOAs"]
    assert json.loads(about["provenance_json"]) == export_provenance(analysis, export_tables(analysis))
    book.close()
    for table in TABLES:
        text_columns = {c: str for c in engine[table].columns if not pd.api.types.is_numeric_dtype(engine[table][c])}
        same_table(pd.read_excel(io.BytesIO(body), sheet_name=table, dtype=text_columns), engine[table])


def test_geojson_has_provenance_member_and_one_feature_per_row(
    analysis: Analysis, files: dict[str, dict[str, bytes]], engine: dict[str, pd.DataFrame]
) -> None:
    info = export_provenance(analysis, export_tables(analysis))
    for table in TABLES:
        collection = json.loads(files["geojson"][f"{table}.geojson"])
        assert collection["type"] == "FeatureCollection"
        assert collection["provenance"] == info
        properties = pd.DataFrame([feature["properties"] for feature in collection["features"]])
        same_table(properties, engine[table])
    courts = json.loads(files["geojson"]["court_coverage.geojson"])["features"]
    first = analysis.court_coverage.iloc[0]
    assert courts[0]["geometry"] == {"type": "Point", "coordinates": [first["lon"], first["lat"]]}
    directory = json.loads(files["geojson"]["public_directory.geojson"])["features"]
    unplaced = [f for f in directory if f["properties"]["location_precision"] == "none"]
    assert unplaced and all(f["geometry"] is None for f in unplaced)
    reach = json.loads(files["geojson"]["reach_supported.geojson"])["features"]
    assert reach[0]["properties"]["level"] == "national" and reach[0]["geometry"] is None
    assert {f["geometry"]["type"] for f in reach if f["properties"]["level"] == "local_authority"} <= {
        "Polygon", "MultiPolygon"}


def test_geopackage_layers_metadata_and_numbers(
    analysis: Analysis, files: dict[str, dict[str, bytes]], engine: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    path = tmp_path / "export.gpkg"
    path.write_bytes(files["gpkg"]["millis_network_export.gpkg"])
    assert [name for name, _ in pyogrio.list_layers(path)] == [*TABLES, "about_this_data"]
    metadata = pyogrio.read_info(path, layer="court_coverage")["dataset_metadata"]
    assert json.loads(metadata["provenance"]) == export_provenance(analysis, export_tables(analysis))
    about = pyogrio.read_dataframe(path, layer="about_this_data")
    assert about.set_index("field").at["generated_at", "value"] == analysis.generated_at
    for table in TABLES:
        same_table(pd.DataFrame(pyogrio.read_dataframe(path, layer=table).drop(columns="geometry")), engine[table])


def test_an_export_refuses_an_analysis_of_the_private_network() -> None:
    private = run_analysis(bundled(), CampaignRule())
    with pytest.raises(PrivacyError, match=r"network\.public\(\)"):
        export_tables(private)


def test_bundles_and_written_files(analysis: Analysis, boundaries: gpd.GeoDataFrame, tmp_path: Path) -> None:
    name, body = export_bundle(analysis, fmt="csv", boundaries=boundaries)
    assert name == bundle_name("csv") == "millis_network_export_csv.zip"
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == 2 * len(TABLES)
    name, body = export_bundle(analysis, fmt="xlsx", boundaries=boundaries)
    assert name == "millis_network_export.xlsx" and body[:2] == b"PK"
    written = write_export(analysis, tmp_path / "out", fmt="csv")
    assert sorted(p.name for p in written) == sorted(p.name for p in (tmp_path / "out").iterdir())
    with pytest.raises(ValueError, match="fmt must be one of csv, xlsx, geojson, gpkg"):
        export_files(analysis, fmt="pdf")  # type: ignore[arg-type]


def test_cli_export_writes_the_files_and_reports_provenance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from millis_network.cli import main

    assert main(["export", "--format", "csv", "--out", str(tmp_path), "--threshold-minutes", "45", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(Path(p).name for p in report["files"]) == sorted(p.name for p in tmp_path.iterdir())
    assert report["provenance"]["rule"]["threshold_minutes"] == 45.0
    sidecar = json.loads((tmp_path / "court_coverage.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["provenance"]["rule"]["description"].startswith("within 45 min")


def test_every_export_states_what_needs_checking_and_the_per_nation_counts() -> None:
    analysis = run_analysis(bundled_public(), CampaignRule())
    info = export_provenance(analysis, export_tables(analysis))
    assert info["directory_needs_checking"].startswith(f"{analysis.completeness.needs_checking} of the 123 open centres")
    nations = {n["jurisdiction"]: n for n in info["directory_by_nation"]}
    assert (nations["Northern Ireland"]["count_stated"], nations["Northern Ireland"]["open_centres_in_directory"]) == (16, 9)
    assert "childcontactni.org/about" in nations["Northern Ireland"]["source"]
    assert nations["Wales"]["count_stated"] == 23
