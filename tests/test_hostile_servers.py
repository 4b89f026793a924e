"""Hostile servers against the petition and routing clients, all on 127.0.0.1.

Recorded and malicious answers come from pytest-httpserver: wrong shapes,
``NaN``/``Infinity``, negative or absurd counts, ``1e400``, booleans and
strings where numbers belong, deep nesting, a 100 MB body, a gzip bomb (built
here) and redirects with huge bodies. The slow drip (one byte every 0.2 s) is
served by a tiny threaded ``http.server``. Memory is checked by fetching the
gzip bomb in a subprocess under ``RLIMIT_AS``, never by timing the main test
process; the drip tests only check that the call returned near its deadline.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import re
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from millis_network.cli import main
from millis_network.errors import SourceUnavailableError
from millis_network.sources import HttpSettings
from millis_network.sources._http import DEFAULT_MAX_BYTES, get_json
from millis_network.sources.osrm import MAX_DURATION_S, OsrmSettings, table_minutes
from millis_network.sources.petitions import MAX_SIGNATURES, cached_petition, fetch_petition, snapshot_name

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = Path(__file__).resolve().parent / "data" / "evidence"
TRAVEL = Path(__file__).resolve().parent / "data" / "travel"
GOOD_TEXT = (EVIDENCE / "petition_999001.json").read_text(encoding="utf-8")
GOOD = json.loads(GOOD_TEXT)
PATH = "/petitions/999001.json"
QUICK = HttpSettings(timeout_s=5.0, retries=0, backoff_s=0.0)
MB = 1024 * 1024
LONDON, CARDIFF = (-0.1276, 51.5072), (-3.1791, 51.4816)
DRIP_INTERVAL_S = 0.2


# --- helpers ----------------------------------------------------------------------------------------------


def petition_with(change: Callable[[dict[str, Any]], None]) -> str:
    """The recorded petition with ``change`` applied to ``data.attributes``, as JSON text."""
    document = copy.deepcopy(GOOD)
    change(document["data"]["attributes"])
    return json.dumps(document)


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda attributes: attributes.__setitem__(key, value)


def _set_row(table: str, field: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda attributes: attributes[table][0].__setitem__(field, value)


def _raw_count(literal: str) -> str:
    """The recorded petition with its total written as ``literal`` (JSON text the json module will not write)."""
    return GOOD_TEXT.replace('"signature_count": 1000,', f'"signature_count": {literal},', 1)


def serve(httpserver: HTTPServer, body: str | bytes, *, status: int = 200, headers: dict[str, str] | None = None,
          path: str = PATH) -> None:
    httpserver.expect_request(path).respond_with_data(
        body, status=status, content_type="application/json", headers=headers
    )


def fetch(httpserver: HTTPServer, cache: Path, settings: HttpSettings = QUICK):  # noqa: ANN201
    return fetch_petition(999001, base_url=httpserver.url_for("/"), settings=settings, cache_dir=cache)


def stored_file(cache: Path) -> Path:
    return cache / "snapshots" / f"{snapshot_name(999001)}.json"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class Flood:
    """A valid petition padded with spaces to ``total`` bytes, served in 1 MiB pieces; counts what was handed over."""

    def __init__(self, total: int = 100 * MB) -> None:
        self.total = total
        self.sent = 0

    def pieces(self) -> Iterator[bytes]:
        head = GOOD_TEXT.encode("utf-8")
        self.sent += len(head)
        yield head
        piece = b" " * MB
        while self.sent < self.total:
            self.sent += len(piece)
            yield piece

    def handler(self, *, status: int = 200, headers: dict[str, str] | None = None) -> Callable[[Request], Response]:
        def respond(request: Request) -> Response:
            return Response(self.pieces(), status=status, content_type="application/json", headers=headers)

        return respond


def _ten_minutes(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    return np.full((len(origins), len(destinations)), 10.0)


def _osrm(url: str) -> OsrmSettings:
    return OsrmSettings(base_url=url.rstrip("/"), http=QUICK)


def _one_line_error(text: str) -> str:
    assert text.count("\n") == 1 and text.startswith("millis-network: error: "), text
    return text


# --- the slow-drip server ---------------------------------------------------------------------------------


DRIP_BODY = json.dumps({"data": {"id": 999001, "attributes": {"action": "drip", "signature_count": 7}}}).encode()


class _DripHandler(BaseHTTPRequestHandler):
    """Answers every GET one byte every 0.2 s: the body only (``/body/...``) or the headers too."""

    server: _DripServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(DRIP_BODY)}\r\n\r\n".encode()
        )
        quick, slow = (head, DRIP_BODY) if self.path.startswith("/body/") else (b"", head + DRIP_BODY)
        try:
            self.wfile.write(quick)
            for i in range(len(slow)):
                if self.server.stop.wait(DRIP_INTERVAL_S if i else 0):
                    return
                self.wfile.write(slow[i : i + 1])
        except OSError:  # the client gave up, as it should
            return

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        pass


class _DripServer(ThreadingHTTPServer):
    daemon_threads = True
    stop: threading.Event


@pytest.fixture
def drip() -> Iterator[str]:
    """Base URL of a server on 127.0.0.1 that drips every answer; ``/body/...`` drips only the body."""
    server = _DripServer(("127.0.0.1", 0), _DripHandler)
    server.stop = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


DRIP_SETTINGS = HttpSettings(timeout_s=1.0, retries=2, backoff_s=0.0, deadline_s=1.5)


# --- petitions: values that pass a shape check but are nonsense -------------------------------------------


HOSTILE_PETITIONS = {
    "negative total": (petition_with(_set("signature_count", -5)),
                       r"'data\.attributes\.signature_count' is -5, outside 0 to 100,000,000"),
    "absurd total": (petition_with(_set("signature_count", 10**12)),
                     r"'data\.attributes\.signature_count' is 1000000000000, outside 0"),
    "total just over the bound": (petition_with(_set("signature_count", MAX_SIGNATURES + 1)),
                                  r"is 100000001, outside 0 to 100,000,000"),
    "total 10^400 written out": (_raw_count("1" + "0" * 400), r"more than 30 digits"),
    "total 1e400": (_raw_count("1e400"), r"the number '1e400' is out of range"),
    "total NaN": (_raw_count("NaN"), r"the literal NaN"),
    "total Infinity": (_raw_count("Infinity"), r"the literal Infinity"),
    "total -Infinity": (_raw_count("-Infinity"), r"the literal -Infinity"),
    "total true": (petition_with(_set("signature_count", True)), r"signature_count' is True, not a whole number"),
    "total as text": (petition_with(_set("signature_count", "1000")), r"signature_count' is '1000', not a whole"),
    "total a fraction": (petition_with(_set("signature_count", 999.5)), r"is 999\.5, not a whole number"),
    "negative constituency": (petition_with(_set_row("signatures_by_constituency", "signature_count", -1)),
                              r"signatures_by_constituency\[0\]\.signature_count' is -1, outside"),
    "boolean constituency": (petition_with(_set_row("signatures_by_constituency", "signature_count", False)),
                             r"signatures_by_constituency\[0\]\.signature_count' is False, not a whole"),
    "negative country": (petition_with(_set_row("signatures_by_country", "signature_count", -25)),
                         r"signatures_by_country\[0\]\.signature_count' is -25"),
    "code not GSS": (petition_with(_set_row("signatures_by_constituency", "ons_code", "X14000901")),
                     r"ons_code' is 'X14000901', not a constituency's GSS code"),
    "code a region's": (petition_with(_set_row("signatures_by_constituency", "ons_code", "E12000009")),
                        r"ons_code' is 'E12000009', not a constituency's GSS code"),
    "code too short": (petition_with(_set_row("signatures_by_constituency", "ons_code", "W0700090")),
                       r"ons_code' is 'W0700090', not"),
    "code with a newline": (petition_with(_set_row("signatures_by_constituency", "ons_code", "W07000902\n")),
                            r"ons_code' holds control characters"),
    "code a number": (petition_with(_set_row("signatures_by_constituency", "ons_code", 7000902)),
                      r"ons_code' is 7000902, not text"),
    "name with terminal escapes": (petition_with(_set_row("signatures_by_constituency", "name", "A\x1b[2J")),
                                   r"name' holds control characters"),
    "title a list": (petition_with(_set("action", ["a"])), r"'data\.attributes\.action' is \['a'\], not text"),
    "constituencies a dict": (petition_with(_set("signatures_by_constituency", {"W07000901": 480})),
                              r"'data\.attributes\.signatures_by_constituency' is dict, not a list of objects"),
    "country entry a string": (petition_with(lambda a: a["signatures_by_country"].__setitem__(0, "GB")),
                               r"signatures_by_country\[0\]' is 'GB', not an object"),
    "too many rows": (petition_with(lambda a: a.__setitem__("signatures_by_country",
                                                            a["signatures_by_country"] * 400)),
                      r"has 1,200 entries, more than 1,000"),
    "another petition": (GOOD_TEXT.replace('"id": 999001', '"id": 123', 1), r"'data\.id' is 123, not petition 999001"),
    "a list, not an object": ("[" + GOOD_TEXT + "]", r"no 'data' object"),
    "repeated key": (GOOD_TEXT.replace('"state": "open",', '"state": "open", "state": "closed",', 1),
                     r"the key 'state' twice in one object"),
    "nested 100,000 deep": (nested(100_000), r"nested 100,000 levels deep, over the limit of 32"),
    "nested just too deep": (nested(33), r"nested 33 levels deep"),
    "not UTF-8": ("\ufeff".encode("utf-16") + GOOD_TEXT.encode("utf-16-le"), r"not UTF-8"),
}


@pytest.mark.parametrize(("body", "message"), HOSTILE_PETITIONS.values(), ids=HOSTILE_PETITIONS.keys())
def test_a_hostile_petition_answer_is_refused_and_never_replaces_the_good_copy(
    httpserver: HTTPServer, tmp_path: Path, body: str | bytes, message: str
) -> None:
    fresh = tmp_path / "fresh"
    serve(httpserver, body)
    with pytest.raises(SourceUnavailableError, match=message) as refused:
        fetch(httpserver, fresh)
    assert "no cached snapshot exists" in str(refused.value) and "\n" not in str(refused.value)
    assert not (fresh / "snapshots").exists() or list((fresh / "snapshots").iterdir()) == []

    httpserver.clear()
    serve(httpserver, GOOD_TEXT)
    good = fetch(httpserver, tmp_path)
    before = stored_file(tmp_path).read_bytes()
    httpserver.clear()
    serve(httpserver, body)
    again = fetch(httpserver, tmp_path)
    assert again.from_cache and again.fetched_at == good.fetched_at
    assert again.signature_count == 1000 and again.by_constituency["signature_count"].tolist() == [480, 250, 120, 120]
    assert stored_file(tmp_path).read_bytes() == before
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == [stored_file(tmp_path).name]


def test_the_bounds_themselves_are_accepted(httpserver: HTTPServer, tmp_path: Path) -> None:
    def extremes(attributes: dict[str, Any]) -> None:
        attributes["signature_count"] = MAX_SIGNATURES
        attributes["signatures_by_constituency"][0].update(signature_count=0, ons_code="S14000001", mp=None)
        attributes["signatures_by_constituency"][1].update(ons_code="N06000001")

    serve(httpserver, petition_with(extremes))
    figures = fetch(httpserver, tmp_path)
    assert not figures.from_cache and figures.signature_count == MAX_SIGNATURES
    assert set(figures.by_constituency["ons_code"]) == {"S14000001", "N06000001", "E14000904", "E14000903"}
    assert figures.by_constituency.set_index("ons_code").loc["S14000001", "mp"] == ""


def test_a_tampered_stored_copy_is_refused_with_advice(tmp_path: Path) -> None:
    path = stored_file(tmp_path)
    path.parent.mkdir(parents=True)
    document = {"name": "petition-999001", "url": "http://127.0.0.1/petitions/999001.json", "params": {},
                "fetched_at": "2026-02-01T12:00:00+00:00",
                "data": json.loads(petition_with(_set("signature_count", -1)))}
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SourceUnavailableError, match=r"the stored copy of .* is not a petition in the documented shape "
                                                     r"\('data\.attributes\.signature_count' is -1.*fetch it again"):
        cached_petition(999001, cache_dir=tmp_path)


def test_a_down_service_with_a_tampered_copy_says_both(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, GOOD_TEXT)
    fetch(httpserver, tmp_path)
    stored = json.loads(stored_file(tmp_path).read_text(encoding="utf-8"))
    stored["data"]["data"]["attributes"]["signature_count"] = True
    stored_file(tmp_path).write_text(json.dumps(stored), encoding="utf-8")
    httpserver.clear()
    serve(httpserver, "down", status=503)
    with pytest.raises(SourceUnavailableError, match=r"HTTP 503.*the cached snapshot at .* is not usable either"):
        fetch(httpserver, tmp_path)


# --- size caps --------------------------------------------------------------------------------------------


def test_a_100_mb_body_is_cut_off_at_the_cap_and_never_stored(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, GOOD_TEXT)
    good = fetch(httpserver, tmp_path)
    before = stored_file(tmp_path).read_bytes()
    flood = Flood()
    httpserver.clear()
    httpserver.expect_request(PATH).respond_with_handler(flood.handler())
    again = fetch(httpserver, tmp_path)
    assert again.from_cache and again.fetched_at == good.fetched_at
    assert stored_file(tmp_path).read_bytes() == before
    assert flood.sent < 40 * MB  # the client stopped reading; the server never got to hand over 100 MB


def test_a_100_mb_body_without_a_stored_copy_names_the_limit(httpserver: HTTPServer) -> None:
    flood = Flood()
    httpserver.expect_request(PATH).respond_with_handler(flood.handler())
    with pytest.raises(SourceUnavailableError, match=rf"sent a body over the limit of {DEFAULT_MAX_BYTES:,} bytes "
                                                     r"\(HttpSettings\.max_bytes\); reading stopped"):
        get_json(httpserver.url_for(PATH), settings=QUICK)
    assert flood.sent < 40 * MB


def test_an_announced_100_mb_body_is_refused_before_it_is_read(httpserver: HTTPServer) -> None:
    flood = Flood()
    httpserver.expect_request(PATH).respond_with_handler(flood.handler(headers={"Content-Length": str(100 * MB)}))
    with pytest.raises(SourceUnavailableError,
                       match=r"announced a body of 104,857,600 bytes, over the limit .*max_wire_bytes"):
        get_json(httpserver.url_for(PATH), settings=QUICK)
    assert flood.sent < 40 * MB


def test_the_compressed_size_is_capped_too(httpserver: HTTPServer) -> None:
    noise = json.dumps({"noise": os.urandom(40_000).hex()}).encode()
    serve(httpserver, gzip.compress(noise), headers={"Content-Encoding": "gzip"})
    small_wire = HttpSettings(timeout_s=5.0, retries=0, max_wire_bytes=20_000, max_bytes=1_000_000)
    with pytest.raises(SourceUnavailableError, match=r"over the limit of 20,000 bytes \(HttpSettings\.max_wire_bytes\)"):
        get_json(httpserver.url_for(PATH), settings=small_wire)
    assert get_json(httpserver.url_for(PATH), settings=QUICK) == json.loads(noise)


def test_a_body_that_decompresses_past_the_cap_is_refused(httpserver: HTTPServer) -> None:
    serve(httpserver, gzip.compress(b" " * (3 * MB) + GOOD_TEXT.encode()), headers={"Content-Encoding": "gzip"})
    capped = HttpSettings(timeout_s=5.0, retries=0, max_bytes=2 * MB)
    with pytest.raises(SourceUnavailableError,
                       match=r"sent a body that decompresses to over the limit of 2,097,152 bytes "
                             r"\(HttpSettings\.max_bytes\)"):
        get_json(httpserver.url_for(PATH), settings=capped)
    assert get_json(httpserver.url_for(PATH), settings=QUICK) == GOOD


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("gzip", lambda data: gzip.compress(data[:100]) + gzip.compress(data[100:])),  # two gzip members
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "gzip-two-members", "deflate-zlib", "deflate-raw"],
)
def test_compressed_petitions_are_read(
    httpserver: HTTPServer, tmp_path: Path, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    serve(httpserver, encode(GOOD_TEXT.encode()), headers={"Content-Encoding": encoding})
    figures = fetch(httpserver, tmp_path)
    assert (figures.signature_count, figures.from_cache) == (1000, False)


@pytest.mark.parametrize(
    ("body", "encoding", "message"),
    [
        (gzip.compress(GOOD_TEXT.encode())[:-30], "gzip", r"ends before its compressed stream does"),
        (b"\x1f\x8b not gzip at all", "gzip", r"gzip body that does not decompress"),
        (GOOD_TEXT.encode(), "br", r"Content-Encoding 'br', which was not asked for"),
        (gzip.compress(gzip.compress(GOOD_TEXT.encode())), "gzip, gzip", r"Content-Encoding 'gzip, gzip'"),
    ],
    ids=["truncated", "corrupt", "unasked-brotli", "stacked"],
)
def test_bad_compression_is_refused(httpserver: HTTPServer, body: bytes, encoding: str, message: str) -> None:
    serve(httpserver, body, headers={"Content-Encoding": encoding})
    with pytest.raises(SourceUnavailableError, match=message):
        get_json(httpserver.url_for(PATH), settings=QUICK)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"0" * MB
    bomb = b"".join([packer.compress(b'{"data": "'), *(packer.compress(zeros) for _ in range(1024)), packer.flush()])
    assert len(bomb) < 2 * MB
    return bomb


_CHILD = r"""
import resource, sys
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from millis_network.errors import SourceUnavailableError
from millis_network.sources._http import HttpSettings, get_json
if sys.argv[2] == "naive":
    import requests
    requests.get(sys.argv[1], timeout=60).content
    sys.exit(4)
try:
    get_json(sys.argv[1], settings=HttpSettings(timeout_s=30, retries=0))
except SourceUnavailableError as exc:
    print(exc)
    sys.exit(0)
sys.exit(3)
"""


def _fetch_in_a_small_process(url: str, how: str) -> subprocess.CompletedProcess[str]:
    resource = pytest.importorskip("resource")
    assert resource.RLIMIT_AS
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", _CHILD, url, how, str(600 * MB)],
        capture_output=True, text=True, timeout=300, env=environment, cwd=ROOT, check=False,
    )


def test_a_gzip_bomb_is_stopped_at_the_cap_within_600_mb(httpserver: HTTPServer, gzip_bomb: bytes) -> None:
    serve(httpserver, gzip_bomb, headers={"Content-Encoding": "gzip"})
    url = httpserver.url_for(PATH)
    naive = _fetch_in_a_small_process(url, "naive")
    assert naive.returncode not in (0, 4) and "MemoryError" in naive.stderr  # the bomb is real: it sinks plain requests
    bounded = _fetch_in_a_small_process(url, "bounded")
    assert bounded.returncode == 0, bounded.stderr
    assert re.search(rf"decompresses to over the limit of {DEFAULT_MAX_BYTES:,} bytes \(HttpSettings\.max_bytes\)",
                     bounded.stdout), bounded.stdout


# --- redirects --------------------------------------------------------------------------------------------


def test_a_redirect_is_followed_without_reading_its_huge_body(httpserver: HTTPServer) -> None:
    flood = Flood()
    httpserver.expect_request("/moved").respond_with_handler(flood.handler(status=302, headers={"Location": PATH}))
    serve(httpserver, GOOD_TEXT)
    assert get_json(httpserver.url_for("/moved"), settings=QUICK) == GOOD
    assert flood.sent < 40 * MB


@pytest.mark.parametrize(
    ("location", "message"),
    [("/loop", r"redirected more than 5 times"), ("file:///etc/passwd", r"redirected to file:///etc/passwd, which is not followed")],
    ids=["loop", "file"],
)
def test_bad_redirects_are_refused(httpserver: HTTPServer, location: str, message: str) -> None:
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": location})
    with pytest.raises(SourceUnavailableError, match=message):
        get_json(httpserver.url_for("/loop"), settings=QUICK)
    assert len(httpserver.log) <= 6


# --- the total deadline -----------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["body", "headers"])
def test_a_one_byte_drip_ends_at_the_total_deadline(drip: str, what: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceUnavailableError, match=r"did not finish answering within the 1\.5 s deadline") as late:
        get_json(f"{drip}/{what}/petitions/999001.json", settings=DRIP_SETTINGS)
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 3 * 1.5, elapsed
    assert "HttpSettings.deadline_s" in str(late.value) and "try again later" in str(late.value)


def test_a_dripping_petition_service_falls_back_to_the_stored_copy_at_the_deadline(
    drip: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve(httpserver, GOOD_TEXT)
    good = fetch(httpserver, tmp_path)
    before = stored_file(tmp_path).read_bytes()
    started = time.monotonic()
    again = fetch_petition(999001, base_url=f"{drip}/body", settings=DRIP_SETTINGS, cache_dir=tmp_path)
    assert time.monotonic() - started < 3 * 1.5
    assert again.from_cache and again.fetched_at == good.fetched_at and again.signature_count == 1000
    assert stored_file(tmp_path).read_bytes() == before


def test_a_dripping_router_costs_one_deadline_not_one_per_block(drip: str) -> None:
    settings = OsrmSettings(base_url=f"{drip}/body", max_locations=2, http=DRIP_SETTINGS)
    started = time.monotonic()
    table = table_minutes([LONDON, CARDIFF, LONDON], [CARDIFF], settings=settings, fallback=_ten_minutes)
    assert time.monotonic() - started < 3 * 1.5
    assert (table.method == "estimated_drive").all() and (table.minutes == 10.0).all()
    assert table.note.str.contains("within the 1.5 s deadline").all()


# --- OSRM: durations that are not durations ---------------------------------------------------------------


def _table(durations: object) -> str:
    return json.dumps({"code": "Ok", "durations": durations})


HOSTILE_TABLES = {
    "negative": (_table([[-60.0]]), r"duration \[0\]\[0\] is -60\.0, not null or a number of seconds from 0 to 172800"),
    "1e306 seconds": (_table([[1e306]]), r"duration \[0\]\[0\] is 1e\+306, not null"),
    "just over two days": (_table([[MAX_DURATION_S + 1]]), r"is 172801\.0, not null"),
    "a string": (_table([["7325.4"]]), r"is '7325\.4', not null"),
    "a boolean": (_table([[True]]), r"is True, not null"),
    "an object": (_table([[{"s": 1}]]), r"is \{'s': 1\}, not null"),
    "a dict of rows": (_table({"0": [1.0]}), r"durations missing or not a 1×1 table"),
    "code not text": (json.dumps({"code": ["Ok"], "durations": [[1.0]]}), r"'code' is \['Ok'\], not text"),
    "NaN": ('{"code": "Ok", "durations": [[NaN]]}', r"the literal NaN"),
    "Infinity": ('{"code": "Ok", "durations": [[Infinity]]}', r"the literal Infinity"),
    "1e400": ('{"code": "Ok", "durations": [[1e400]]}', r"the number '1e400' is out of range"),
    "nested 100,000 deep": (nested(100_000), r"nested 100,000 levels deep"),
    "100 MB": (None, r"over the limit of 8,388,608 bytes"),
}


def _serve_table(httpserver: HTTPServer, body: str | None) -> None:
    if body is None:
        httpserver.expect_request(re.compile("^/table/")).respond_with_handler(Flood().handler())
    else:
        httpserver.expect_request(re.compile("^/table/")).respond_with_data(body, content_type="application/json")


@pytest.mark.parametrize(("body", "message"), HOSTILE_TABLES.values(), ids=HOSTILE_TABLES.keys())
def test_a_hostile_router_answer_is_never_a_routed_result(httpserver: HTTPServer, body: str | None, message: str) -> None:
    _serve_table(httpserver, body)
    settings = _osrm(httpserver.url_for("/"))
    table = table_minutes([LONDON], [CARDIFF], settings=settings, fallback=_ten_minutes)
    row = table.iloc[0]
    assert (row.method, row.minutes, row.reachable) == ("estimated_drive", 10.0, True)
    assert re.search(message, row.note), row.note
    with pytest.raises(SourceUnavailableError, match=r"routing failed: .*pass a fallback"):
        table_minutes([LONDON], [CARDIFF], settings=settings)


def test_durations_at_the_bounds_are_routed(httpserver: HTTPServer) -> None:
    httpserver.expect_request(re.compile("^/table/")).respond_with_json(
        {"code": "Ok", "durations": [[0, MAX_DURATION_S, None]]}
    )
    table = table_minutes([LONDON], [CARDIFF, LONDON, CARDIFF], settings=_osrm(httpserver.url_for("/")))
    assert table.method.tolist() == ["routed"] * 3
    assert table.minutes.iloc[:2].tolist() == [0.0, MAX_DURATION_S / 60]
    assert table.reachable.tolist() == [True, True, False]


def test_a_refusal_message_cannot_break_the_line(httpserver: HTTPServer) -> None:
    httpserver.expect_request(re.compile("^/table/")).respond_with_json(
        {"code": "NoSegment", "message": "no\nsegment\x1b[2J" + "x" * 5000}, status=400
    )
    note = table_minutes([LONDON], [CARDIFF], settings=_osrm(httpserver.url_for("/")), fallback=_ten_minutes).note[0]
    assert "router refused: NoSegment: no segment" in note
    assert not re.search(r"[\x00-\x1f]", note) and len(note) < 500


# --- the command line: one line each ----------------------------------------------------------------------


CLI_PETITIONS = {
    "negative total": (petition_with(_set("signature_count", -5)), r"signature_count' is -5, outside"),
    "NaN": (_raw_count("NaN"), r"the literal NaN"),
    "deep nesting": (nested(100_000), r"nested 100,000 levels deep"),
    "100 MB": (None, r"over the limit of 8,388,608 bytes"),
}


@pytest.mark.parametrize(("body", "message"), CLI_PETITIONS.values(), ids=CLI_PETITIONS.keys())
def test_the_petition_command_prints_one_line(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    body: str | None, message: str,
) -> None:
    monkeypatch.setenv("MILLIS_NETWORK_PETITIONS_URL", httpserver.url_for("/"))
    monkeypatch.setenv("MILLIS_NETWORK_CACHE", str(tmp_path))
    if body is None:
        httpserver.expect_request(PATH).respond_with_handler(Flood().handler())
    else:
        serve(httpserver, body)
    assert main(["petition", "999001"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(message, _one_line_error(captured.err)), captured.err
    assert "no cached snapshot exists" in captured.err


@pytest.mark.parametrize(
    ("body", "message"),
    [HOSTILE_TABLES[k] for k in ("negative", "a string", "NaN", "100 MB")],
    ids=["negative", "a string", "NaN", "100 MB"],
)
def test_the_travel_command_with_a_hostile_router_prints_one_line(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], body: str | None, message: str
) -> None:
    _serve_table(httpserver, body)
    router = httpserver.url_for("/").rstrip("/")
    args = ["travel", "--from", "51.5072,-0.1276", "--to", "51.4816,-3.1791", "--router", router]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.count("\n") == 1, captured
    assert re.match(r"211\.3 km \(131\.3 miles\) great-circle; \d+ min estimated drive, by road  \[router failed \(",
                    captured.out), captured.out
    assert re.search(message, captured.out), captured.out
