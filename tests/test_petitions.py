"""The petition client against a real local HTTP server serving recorded responses.

The responses in ``tests/data/evidence/`` are written by hand in the documented
shape of ``https://petition.parliament.uk/petitions/<id>.json``; petition
999001 and its figures are fictional.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from millis_network.errors import NotFoundError, SourceUnavailableError
from millis_network.sources import HttpSettings
from millis_network.sources.petitions import (
    BASE_URL_VARIABLE,
    PETITIONS_BASE_URL,
    PetitionFigures,
    cached_petition,
    default_base_url,
    fetch_petition,
    petition_id_from,
    petition_url,
    snapshot_name,
)

FIXTURES = Path(__file__).resolve().parent / "data" / "evidence"
SUCCESS = (FIXTURES / "petition_999001.json").read_text(encoding="utf-8")
PATH = "/petitions/999001.json"
QUICK = HttpSettings(timeout_s=2.0, retries=0, backoff_s=0.0)
IMPATIENT = HttpSettings(timeout_s=0.2, retries=1, backoff_s=0.0)


def serve(httpserver: HTTPServer, body: str, *, status: int = 200) -> None:
    httpserver.expect_request(PATH).respond_with_data(body, status=status, content_type="application/json")


def fetch(httpserver: HTTPServer, cache: Path, settings: HttpSettings = QUICK) -> PetitionFigures:
    return fetch_petition(999001, base_url=httpserver.url_for("/"), settings=settings, cache_dir=cache)


def test_success_gives_totals_and_constituencies_most_signatures_first(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    figures = fetch(httpserver, tmp_path)
    assert figures.petition_id == 999001
    assert figures.title.startswith("TEST FIXTURE")
    assert figures.state == "open"
    assert figures.signature_count == 1000
    assert not figures.from_cache
    top = figures.top_constituencies(3)
    assert list(top["name"]) == ["Fixture Constituency A", "Fixture Constituency C", "Fixture Constituency B"]
    assert list(top.columns) == ["ons_code", "name", "mp", "signature_count"]
    assert top["signature_count"].tolist() == [480, 250, 120]
    assert figures.by_constituency["signature_count"].sum() == 970
    assert dict(zip(figures.by_country["code"], figures.by_country["signature_count"], strict=True)) == {
        "GB": 970, "JE": 25, "FR": 5,
    }
    assert figures.url == httpserver.url_for(PATH)
    assert figures.label().startswith(f"{figures.url}, fetched ")


def test_success_is_stored_and_readable_offline(httpserver: HTTPServer, tmp_path: Path) -> None:
    assert cached_petition(999001, cache_dir=tmp_path) is None
    serve(httpserver, SUCCESS)
    live = fetch(httpserver, tmp_path)
    stored = json.loads((tmp_path / "snapshots" / "petition-999001.json").read_text(encoding="utf-8"))
    assert stored["data"]["data"]["attributes"]["signature_count"] == 1000
    offline = cached_petition("https://petition.parliament.uk/petitions/999001", cache_dir=tmp_path)
    assert offline is not None
    assert offline.from_cache
    assert offline.fetched_at == live.fetched_at
    assert offline.signature_count == 1000
    assert offline.label() == f"stored copy of {live.url}, fetched {live.label().split(', fetched ')[1]}"


def test_missing_petition_is_a_clear_not_found_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(PATH).respond_with_data("Not Found", status=404, content_type="text/plain")
    with pytest.raises(NotFoundError, match=r"petition 999001 does not exist .*HTTP 404.*check the number"):
        fetch(httpserver, tmp_path)


def test_removed_petition_is_not_served_from_a_stale_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    fetch(httpserver, tmp_path)
    httpserver.clear()
    httpserver.expect_request(PATH).respond_with_data("Not Found", status=404, content_type="text/plain")
    with pytest.raises(NotFoundError, match="no longer exists .* is still cached"):
        fetch(httpserver, tmp_path)


def _slow(request: Request) -> Response:
    time.sleep(1.0)
    return Response(SUCCESS, content_type="application/json")


def test_slow_service_without_a_copy_says_so(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(PATH).respond_with_handler(_slow)
    with pytest.raises(SourceUnavailableError, match=r"no answer within 0.2 s.*no cached snapshot exists"):
        fetch(httpserver, tmp_path, IMPATIENT)


def test_slow_service_falls_back_to_the_dated_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    first = fetch(httpserver, tmp_path)
    httpserver.clear()
    httpserver.expect_request(PATH).respond_with_handler(_slow)
    figures = fetch(httpserver, tmp_path, IMPATIENT)
    assert figures.from_cache
    assert figures.fetched_at == first.fetched_at
    assert figures.signature_count == 1000
    assert figures.label().startswith("stored copy of ")


def test_service_down_retries_then_uses_the_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    fetch(httpserver, tmp_path)
    httpserver.clear()
    serve(httpserver, "Service Unavailable", status=503)
    figures = fetch(httpserver, tmp_path, HttpSettings(timeout_s=2.0, retries=2, backoff_s=0.0))
    assert figures.from_cache
    assert len(httpserver.log) == 3


def test_malformed_json_is_unavailable_not_a_crash(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, (FIXTURES / "petition_malformed.json").read_text(encoding="utf-8"))
    with pytest.raises(SourceUnavailableError, match="not JSON"):
        fetch(httpserver, tmp_path)


def test_malformed_json_falls_back_to_the_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    fetch(httpserver, tmp_path)
    httpserver.clear()
    serve(httpserver, (FIXTURES / "petition_malformed.json").read_text(encoding="utf-8"))
    assert fetch(httpserver, tmp_path).from_cache


def test_an_answer_that_is_not_a_petition_never_replaces_the_good_copy(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, SUCCESS)
    good = fetch(httpserver, tmp_path)
    stored = (tmp_path / "snapshots" / f"{snapshot_name(good.petition_id)}.json").read_text(encoding="utf-8")
    httpserver.clear()
    serve(httpserver, (FIXTURES / "petition_wrong_shape.json").read_text(encoding="utf-8"))
    again = fetch(httpserver, tmp_path)
    assert again.from_cache and again.signature_count == good.signature_count
    assert (tmp_path / "snapshots" / f"{snapshot_name(good.petition_id)}.json").read_text(encoding="utf-8") == stored


def test_json_that_is_not_a_petition_is_named(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, (FIXTURES / "petition_wrong_shape.json").read_text(encoding="utf-8"))
    with pytest.raises(SourceUnavailableError, match=r"documented shape \('data.attributes.signature_count'"):
        fetch(httpserver, tmp_path)


@pytest.mark.parametrize(
    ("text", "number"),
    [("999001", 999001), (999001, 999001), (" https://petition.parliament.uk/petitions/700123 ", 700123),
     ("https://petition.parliament.uk/petitions/700123.json", 700123)],
)
def test_petition_numbers_are_read_from_numbers_and_addresses(text: str | int, number: int) -> None:
    assert petition_id_from(text) == number


@pytest.mark.parametrize("text", ["", "abc", "0", "https://example.org/other/700123", "-5"])
def test_text_without_a_petition_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a petition number"):
        petition_id_from(text)


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BASE_URL_VARIABLE, raising=False)
    assert default_base_url() == PETITIONS_BASE_URL
    assert petition_url(7) == "https://petition.parliament.uk/petitions/7.json"
    monkeypatch.setenv(BASE_URL_VARIABLE, "http://localhost:9/")
    assert default_base_url() == "http://localhost:9/"


def test_cli_reads_the_stored_copy_offline(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from millis_network.cli import main

    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    assert main(["petition", "999001", "--cached"]) == 2
    assert "no stored copy of petition 999001" in capsys.readouterr().err
    serve(httpserver, SUCCESS)
    fetch(httpserver, tmp_path)
    httpserver.clear()
    assert main(["petition", "999001", "--cached", "--top", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["signature_count"] == 1000 and figures["from_cache"] is True
    assert [row["name"] for row in figures["top_constituencies"]] == ["Fixture Constituency A", "Fixture Constituency C"]
    assert httpserver.log == []
