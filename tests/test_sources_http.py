"""The shared HTTP helper: retries, clear failures, cached snapshots of the last good answer."""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from millis_network.errors import SourceUnavailableError
from millis_network.sources._http import (
    HttpSettings,
    fetch_json_snapshot,
    get_json,
    read_snapshot,
    snapshot_path,
)

NO_WAIT = HttpSettings(timeout_s=5, retries=2, backoff_s=0)
PETITION = {"data": {"type": "petition", "attributes": {"signature_count": 1234}}}


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/anything.json"


def test_json_is_returned(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/petition.json", query_string="page=1").respond_with_json(PETITION)
    assert get_json(httpserver.url_for("/petition.json"), params={"page": "1"}, settings=NO_WAIT) == PETITION


def test_server_errors_are_retried_up_to_the_limit(httpserver: HTTPServer) -> None:
    for _ in range(2):
        httpserver.expect_ordered_request("/busy").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/busy").respond_with_json(PETITION)
    assert get_json(httpserver.url_for("/busy"), settings=NO_WAIT) == PETITION
    assert len(httpserver.log) == 3


def test_giving_up_names_the_url_the_attempts_and_the_last_problem(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=502)
    with pytest.raises(SourceUnavailableError, match=r"/down unavailable after 2 attempt\(s\): HTTP 502; check"):
        get_json(httpserver.url_for("/down"), settings=HttpSettings(retries=1, backoff_s=0))
    assert len(httpserver.log) == 2


def test_a_client_error_is_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    with pytest.raises(SourceUnavailableError, match="answered HTTP 404; check the address"):
        get_json(httpserver.url_for("/missing"), settings=NO_WAIT)
    assert len(httpserver.log) == 1


def test_a_declared_error_status_returns_its_json_body(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/refuse").respond_with_json({"code": "InvalidQuery"}, status=400)
    answer = get_json(httpserver.url_for("/refuse"), settings=NO_WAIT, json_error_statuses=(400,))
    assert answer == {"code": "InvalidQuery"}


def test_a_body_that_is_not_json_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("<html>maintenance</html>", content_type="text/html")
    with pytest.raises(SourceUnavailableError, match="body that is not JSON"):
        get_json(httpserver.url_for("/page"), settings=NO_WAIT)


def test_connection_refused_is_reported() -> None:
    with pytest.raises(SourceUnavailableError, match=r"after 1 attempt\(s\): connection failed"):
        get_json(_closed_port_url(), settings=HttpSettings(retries=0))


def test_a_slow_server_times_out(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(SourceUnavailableError, match=r"no answer within 0.1 s"):
        get_json(httpserver.url_for("/slow"), settings=HttpSettings(timeout_s=0.1, retries=0))


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="timeout_s must be > 0"):
        HttpSettings(timeout_s=0)
    with pytest.raises(ValueError, match="retries must be >= 0"):
        HttpSettings(retries=-1)
    with pytest.raises(ValueError, match="backoff_s must be >= 0"):
        HttpSettings(backoff_s=-0.1)
    with pytest.raises(ValueError, match="deadline_s must be a number of seconds > 0"):
        HttpSettings(deadline_s=0)
    with pytest.raises(ValueError, match="deadline_s must be a number of seconds > 0"):
        HttpSettings(deadline_s=float("inf"))
    with pytest.raises(ValueError, match="max_bytes must be a whole number >= 1"):
        HttpSettings(max_bytes=0)
    with pytest.raises(ValueError, match="max_wire_bytes must be a whole number >= 1"):
        HttpSettings(max_wire_bytes=-1)
    with pytest.raises(ValueError, match="max_depth must be a whole number >= 1"):
        HttpSettings(max_depth=True)


def test_the_deadline_is_30_s_unless_the_timeout_is_longer_or_it_is_set() -> None:
    assert HttpSettings().total_deadline_s == 30.0
    assert HttpSettings(timeout_s=60).total_deadline_s == 60.0
    assert HttpSettings(timeout_s=60, deadline_s=5).total_deadline_s == 5.0


def test_a_live_answer_is_stored_with_its_fetch_time(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/petition.json").respond_with_json(PETITION)
    url = httpserver.url_for("/petition.json")
    snapshot = fetch_json_snapshot("petition-1", url, settings=NO_WAIT, cache_dir=tmp_path)
    assert (snapshot.data, snapshot.from_cache, snapshot.url) == (PETITION, False, url)
    assert datetime.fromisoformat(snapshot.fetched_at).utcoffset().total_seconds() == 0
    stored = json.loads((tmp_path / "snapshots" / "petition-1.json").read_text(encoding="utf-8"))
    assert stored == {
        "name": "petition-1",
        "url": url,
        "params": {},
        "fetched_at": snapshot.fetched_at,
        "data": PETITION,
    }
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == ["petition-1.json"]


def test_when_the_source_fails_the_last_snapshot_is_returned(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_ordered_request("/petition.json").respond_with_json(PETITION)
    httpserver.expect_ordered_request("/petition.json").respond_with_data("gone", status=500)
    url = httpserver.url_for("/petition.json")
    live = fetch_json_snapshot("petition-1", url, settings=HttpSettings(retries=0), cache_dir=tmp_path)
    cached = fetch_json_snapshot("petition-1", url, settings=HttpSettings(retries=0), cache_dir=tmp_path)
    assert (cached.data, cached.from_cache, cached.fetched_at) == (PETITION, True, live.fetched_at)
    assert read_snapshot("petition-1", cache_dir=tmp_path) == cached


def test_failure_without_a_snapshot_says_so(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailableError, match=r"no cached snapshot exists at .*petition-2\.json"):
        fetch_json_snapshot("petition-2", _closed_port_url(), settings=HttpSettings(retries=0), cache_dir=tmp_path)
    assert read_snapshot("petition-2", cache_dir=tmp_path) is None


def test_snapshot_names_cannot_escape_the_cache(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"snapshot name '\.\./x' must start with a letter or digit"):
        snapshot_path("../x", cache_dir=tmp_path)
