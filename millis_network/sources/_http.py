"""Shared HTTP plumbing for the live-source clients: bounded JSON GETs and cached snapshots.

:func:`get_json` makes one GET with a per-read timeout, a bounded number of
retries (exponential backoff) on connection errors, timeouts, HTTP 429 and
5xx, and turns every failure into
:class:`~millis_network.errors.SourceUnavailableError` with a message naming
the address and what went wrong. A server is not trusted to be quick, small or
sane (OWASP's input-validation and denial-of-service guidance):

* **Total deadline.** Each call ends within ``HttpSettings.deadline_s``
  seconds of wall clock, retries, connection, headers and body together. A
  per-read timeout alone does not do that: a server that sends one byte a
  second never trips it. A watchdog shuts the socket down when the deadline
  passes, the body is streamed in chunks checked against the clock, and each
  socket read waits at most the time left.
* **Size caps.** The body is streamed and counted as it arrives: more than
  ``max_wire_bytes`` on the wire (or a ``Content-Length`` announcing more) or
  more than ``max_bytes`` once decompressed stops the read. Decompression
  (gzip and deflate, the only encodings asked for) is done here in bounded
  steps, so a gzip bomb never grows past the cap in memory.
* **Strict JSON.** The body must be UTF-8 JSON nested at most ``max_depth``
  levels (checked before parsing), without ``NaN``/``Infinity`` literals,
  numbers that overflow to infinity, whole numbers of more than 30 digits or
  a key repeated in one object. Callers then validate every value they use
  (see :mod:`~millis_network.sources.petitions` and
  :mod:`~millis_network.sources.osrm`).
* **Redirects** are followed here, at most :data:`MAX_REDIRECTS`, without
  reading the redirect's body, never from https to http.

:func:`fetch_json_snapshot` wraps it for sources whose last good answer is
worth keeping (petition counts, court lists): each successful response that
passes the caller's check is written to ``<cache dir>/snapshots/<name>.json``
together with its URL and fetch time (UTC), through a temporary file and an
atomic ``os.replace``, so a failed or refused answer never touches the stored
one. When the source later fails, the stored snapshot is returned instead,
flagged ``from_cache`` with its original fetch time so every view can say how
old it is. The cache directory is ``config.default_cache_dir()`` unless one is
passed in.

Snapshot file shape::

    {"name": "...", "url": "...", "params": {...}, "fetched_at": "2026-01-31T12:00:00+00:00", "data": <the JSON>}
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import socket
import tempfile
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse

from millis_network import __version__
from millis_network.config import default_cache_dir
from millis_network.errors import SourceUnavailableError

#: Wall-clock seconds one :func:`get_json` call may take, all attempts included, unless set otherwise.
DEFAULT_DEADLINE_S = 30.0
#: Most bytes a body may hold once decompressed (8 MiB; a large petition is about 0.2 MB).
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
#: Most bytes a body may take on the wire, compressed or not (8 MiB).
DEFAULT_MAX_WIRE_BYTES = 8 * 1024 * 1024
#: Deepest nesting of JSON arrays and objects accepted (a petition nests 5 levels, OSRM 4).
DEFAULT_MAX_DEPTH = 32
#: Most redirects followed for one request.
MAX_REDIRECTS = 5

_SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_CHUNK = 64 * 1024
_MAX_INT_DIGITS = 30
_MAX_SNAPSHOT_FILE_BYTES = 64 * 1024 * 1024
# A JSON string, or an unterminated one (the rest of the text); one left-to-right pass, no backtracking blow-up.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"[\s\S]*', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


@dataclass(frozen=True)
class HttpSettings:
    """Timeout, retry and size policy for one source.

    Attributes:
        timeout_s: seconds to wait for a connection and for each read.
        retries: further attempts after the first fails with a connection
            error, timeout, HTTP 429 or 5xx (0 = try once).
        backoff_s: wait before the first retry, in seconds; doubles each time.
        deadline_s: wall-clock seconds the whole call may take (every
            attempt, connection, headers and body); None means
            :data:`DEFAULT_DEADLINE_S`, or ``timeout_s`` when that is longer.
        max_bytes: most bytes the body may hold once decompressed.
        max_wire_bytes: most bytes the body may take on the wire.
        max_depth: deepest nesting of JSON arrays and objects accepted.
    """

    timeout_s: float = 10.0
    retries: int = 2
    backoff_s: float = 0.5
    deadline_s: float | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_wire_bytes: int = DEFAULT_MAX_WIRE_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s!r}")
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries!r}")
        if self.backoff_s < 0:
            raise ValueError(f"backoff_s must be >= 0, got {self.backoff_s!r}")
        if self.deadline_s is not None and not 0 < self.deadline_s < math.inf:
            raise ValueError(f"deadline_s must be a number of seconds > 0 (or None), got {self.deadline_s!r}")
        for name in ("max_bytes", "max_wire_bytes", "max_depth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")

    @property
    def total_deadline_s(self) -> float:
        """The deadline in force: ``deadline_s``, else the longer of :data:`DEFAULT_DEADLINE_S` and ``timeout_s``."""
        return self.deadline_s if self.deadline_s is not None else max(DEFAULT_DEADLINE_S, self.timeout_s)


# --- messages ---------------------------------------------------------------------------------------------


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, safe for any value (a huge int, a long string)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        return "a number too long to print"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def printable(text: str, limit: int = 200) -> str:
    """``text`` with control and format characters replaced by spaces, cut to ``limit`` characters.

    For text a server chose that ends up in a message or a note, so it cannot
    break the one-line output or steer the terminal.
    """
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text[: limit + 1])
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def _source(url: str) -> str:
    """The address for messages: scheme, host and path, without credentials or query, cut to 100 characters."""
    try:
        parts = urlsplit(url)
        shown_url = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    except ValueError:
        shown_url = url
    return printable(shown_url, 100)


def _deadline_error(source: str, seconds: float) -> SourceUnavailableError:
    return SourceUnavailableError(
        f"{source} did not finish answering within the {seconds:g} s deadline (connection, headers and body "
        "together, HttpSettings.deadline_s); the server is stalling or too slow: try again later, or allow "
        "more time if it is known to be slow"
    )


def _too_big(source: str, what: str, limit: int, setting: str) -> SourceUnavailableError:
    return SourceUnavailableError(
        f"{source} {what} over the limit of {limit:,} bytes (HttpSettings.{setting}); reading stopped. "
        "That is not an answer the service normally gives: check the address, or raise the limit if "
        "answers this large are genuine"
    )


class _Retryable(Exception):
    """A failure worth another attempt; its message says what went wrong."""


# --- the total deadline -----------------------------------------------------------------------------------


class _Deadline:
    """A wall-clock limit for one call, with a watchdog that shuts down its sockets when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return 0.0 if self.expired else self.ends - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def tighten(self, timeout_s: float) -> None:
        """Make every watched socket wait at most ``timeout_s`` for its next read."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.settimeout(max(timeout_s, 0.001))
            except OSError:
                pass

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    """Shut a socket down so a read blocked on it in another thread returns at once."""
    try:
        # The plain socket's shutdown, also for TLS sockets: it wakes the reader without touching TLS state.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing is waiting on it


_WATCH = threading.local()


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_WATCH, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    """An HTTP connection whose socket the current call's deadline can shut down."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)  # before the TLS handshake and the headers, which a server can drip too
        return sock

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 declares it
        _watch(self.sock)  # a connection reused from the pool
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """An HTTPS connection whose socket the current call's deadline can shut down."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 declares it
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections register their sockets with the running call's deadline."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def _use_watched_adapter(session: requests.Session, url: str) -> None:
    try:
        if isinstance(session.get_adapter(url), _WatchedAdapter):
            return
    except requests.exceptions.InvalidSchema:
        pass
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)


# --- bounded body -----------------------------------------------------------------------------------------


class _Inflater:
    """Bounded gzip/deflate decoding: never produces more than a chunk past the cap."""

    def __init__(self, encoding: str, source: str) -> None:
        self.encoding = encoding
        self.source = source
        self._gzip = encoding in ("gzip", "x-gzip")
        self._pending = b""
        self._stream: Any = None
        self._ended = False

    def feed(self, data: bytes, out: bytearray, cap: int) -> None:
        """Decompress ``data`` onto ``out``, stopping as soon as ``out`` holds more than ``cap`` bytes."""
        try:
            self._feed(data, out, cap)
        except zlib.error as exc:
            raise SourceUnavailableError(
                f"{self.source} sent a {self.encoding} body that does not decompress ({exc}); "
                "check the address, or try again later"
            ) from exc

    def _feed(self, data: bytes, out: bytearray, cap: int) -> None:
        if self._stream is None:
            if self._ended and not self._gzip:
                raise zlib.error("data after the end of the deflate stream")
            if self._gzip:
                wbits = 16 + zlib.MAX_WBITS
            else:  # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate
                data = self._pending + data
                if len(data) < 2:
                    self._pending = data
                    return
                self._pending = b""
                wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
                wbits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
            self._stream = zlib.decompressobj(wbits)
        while True:
            piece = self._stream.decompress(data, _CHUNK)
            out += piece
            if len(out) > cap:
                return
            if self._stream.eof:
                rest, self._stream, self._ended = self._stream.unused_data, None, True
                if not rest:
                    return
                if not self._gzip:
                    raise zlib.error("data after the end of the deflate stream")
                self._stream, data = zlib.decompressobj(16 + zlib.MAX_WBITS), rest  # the next gzip member
                continue
            data = self._stream.unconsumed_tail
            if not data and len(piece) < _CHUNK:
                return

    def finish(self) -> None:
        if self._stream is not None or not self._ended:
            raise SourceUnavailableError(
                f"{self.source} sent a {self.encoding} body that ends before its compressed stream does; "
                "try again later"
            )


def _read_body(response: requests.Response, source: str, settings: HttpSettings, deadline: _Deadline) -> bytes:
    """The body, streamed in chunks against the deadline and both size caps."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater: _Inflater | None = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding, source)
    elif encoding not in ("", "identity"):
        raise SourceUnavailableError(
            f"{source} sent its body in the Content-Encoding {printable(encoding, 40)!r}, which was not asked "
            "for (only gzip and deflate are accepted); check the address or the server's configuration"
        )
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > settings.max_wire_bytes:
        raise _too_big(source, f"announced a body of {int(declared):,} bytes,", settings.max_wire_bytes,
                       "max_wire_bytes")
    raw = response.raw
    wire = 0
    body = bytearray()
    while True:
        left = deadline.remaining()
        if left <= 0:
            raise _deadline_error(source, deadline.seconds)
        wait = min(settings.timeout_s, left)
        deadline.tighten(wait)
        try:
            chunk = raw.read(_CHUNK, decode_content=False)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, ValueError) as exc:
            if deadline.expired:
                raise _deadline_error(source, deadline.seconds) from exc
            if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
                raise _Retryable(f"no answer within {wait:.3g} s while reading the body") from exc
            raise _Retryable(f"the connection broke while reading the body ({type(exc).__name__})") from exc
        if deadline.expired:  # a socket shut down by the watchdog can look like a body that ended early
            raise _deadline_error(source, deadline.seconds)
        if not chunk:
            break
        wire += len(chunk)
        if inflater is None:
            body += chunk
            if len(body) > settings.max_bytes:
                raise _too_big(source, "sent a body", settings.max_bytes, "max_bytes")
        if wire > settings.max_wire_bytes:
            raise _too_big(source, "sent a body", settings.max_wire_bytes, "max_wire_bytes")
        if inflater is not None:
            inflater.feed(chunk, body, settings.max_bytes)
            if len(body) > settings.max_bytes:
                raise _too_big(source, "sent a body that decompresses to", settings.max_bytes, "max_bytes")
    if inflater is not None:
        inflater.finish()
    return bytes(body)


# --- strict JSON ------------------------------------------------------------------------------------------


class _Refused(ValueError):
    """JSON that parses but is refused (NaN, overflowing or over-long numbers, repeated keys)."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"the literal {name}; JSON has no NaN or Infinity")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {shown(text)} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused(f"a whole number of more than {_MAX_INT_DIGITS} digits")
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"the key {shown(key)} twice in one object")
            seen.add(key)
    return result


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of JSON ``text`` nest, found without parsing it (linear time)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def parse_json(
    body: bytes | str, *, source: str, max_depth: int = DEFAULT_MAX_DEPTH, status: int | None = None
) -> Any:
    """Parse a JSON document strictly.

    Refuses text that is not UTF-8, nesting deeper than ``max_depth``
    (checked before parsing), ``NaN``/``Infinity`` literals, numbers that
    overflow to infinity, whole numbers of more than 30 digits and keys
    repeated within one object.

    Raises:
        SourceUnavailableError: the body is refused; the message names
            ``source`` and why.
    """
    answered = f"{source} answered" + (f" HTTP {status}" if status is not None else "")
    advice = "check that the address points at the service's API"
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise SourceUnavailableError(f"{answered} with a body that is not JSON (not UTF-8 text); {advice}") from exc
    depth = json_depth(text)
    if depth > max_depth:
        raise SourceUnavailableError(
            f"{answered} with a body that is not JSON this client accepts (nested {depth:,} levels deep, over "
            f"the limit of {max_depth}, HttpSettings.max_depth); {advice}"
        )
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            object_pairs_hook=_unique_keys,
        )
    except _Refused as exc:
        raise SourceUnavailableError(
            f"{answered} with a body that is not JSON this client accepts ({exc}); {advice}"
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceUnavailableError(
            f"{answered} with a body that is not JSON ({exc.msg} at character {exc.pos:,}); {advice}"
        ) from exc
    except (ValueError, RecursionError) as exc:
        reason = shown(str(exc), 80)
        raise SourceUnavailableError(f"{answered} with a body that is not JSON ({reason}); {advice}") from exc


# --- the request ------------------------------------------------------------------------------------------


def get_json(
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    settings: HttpSettings = HttpSettings(),
    session: requests.Session | None = None,
    json_error_statuses: Collection[int] = (),
) -> Any:
    """GET ``url`` and parse its JSON body strictly, retrying transient failures, within a total deadline.

    Args:
        url: full URL (http:// or https://).
        params: query parameters.
        settings: timeout, retry, deadline and size policy.
        session: a ``requests.Session`` to reuse connections; a new one
            otherwise. Its http(s) adapters are replaced by one that lets the
            deadline interrupt a stalled read.
        json_error_statuses: non-2xx statuses whose JSON body the caller
            interprets itself (OSRM, for example, explains a refusal in a 400
            body); their body is returned instead of raising.

    Returns:
        The parsed JSON value.

    Raises:
        SourceUnavailableError: no usable answer after the allowed attempts,
            the deadline passed, a size limit was exceeded, a non-retryable
            HTTP status, or a body that is not acceptable JSON.
    """
    source = _source(url)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        raise SourceUnavailableError(f"{source} is not an http:// or https:// address; check the address")
    own_session = session is None
    http_session = session or requests.Session()
    _use_watched_adapter(http_session, url)
    headers = {
        "User-Agent": f"millis-network/{__version__}",
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
    }
    attempts = settings.retries + 1
    deadline = _Deadline(settings.total_deadline_s)
    outer = getattr(_WATCH, "deadline", None)
    _WATCH.deadline = deadline
    problem = "no time left"
    made = 0
    try:
        for attempt in range(attempts):
            if attempt:
                pause = settings.backoff_s * 2 ** (attempt - 1)
                if pause >= deadline.remaining():
                    break
                time.sleep(pause)
            if deadline.remaining() <= 0:
                break
            made += 1
            try:
                return _attempt(http_session, url, params, headers, settings, deadline, json_error_statuses)
            except _Retryable as exc:
                problem = str(exc)
    finally:
        deadline.cancel()
        _WATCH.deadline = outer
        if own_session:
            http_session.close()
    cut_short = "" if made == attempts else f" (the {deadline.seconds:g} s deadline left no time for more)"
    raise SourceUnavailableError(
        f"{source} unavailable after {made} attempt(s): {problem}{cut_short}; check the address and the network, "
        "or try again later"
    )


def _attempt(
    session: requests.Session,
    url: str,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str],
    settings: HttpSettings,
    deadline: _Deadline,
    json_error_statuses: Collection[int],
) -> Any:
    """One attempt: the request, its redirects and the body. Raises :class:`_Retryable` for what may pass."""
    source = _source(url)
    current, query = url, params
    for _ in range(MAX_REDIRECTS + 1):
        response = _send(session, current, query, headers, settings, deadline)
        try:
            status = response.status_code
            if response.is_redirect:
                current, query = _redirect_target(current, response.headers["location"], source), None
                continue
            if status in _RETRY_STATUSES:
                raise _Retryable(f"HTTP {status}")
            if not response.ok and status not in json_error_statuses:
                raise SourceUnavailableError(f"{source} answered HTTP {status}; check the address and parameters")
            body = _read_body(response, source, settings, deadline)
            response.raw.release_conn()  # read to the end: the connection can serve the next request
        finally:
            response.close()  # a redirect's or an error's body is never read
        return parse_json(body, source=source, max_depth=settings.max_depth, status=status)
    raise SourceUnavailableError(
        f"{source} redirected more than {MAX_REDIRECTS} times; check the address (give the final one)"
    )


def _redirect_target(current: str, location: str, source: str) -> str:
    target = urljoin(current, location)
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https") or (urlsplit(current).scheme.lower() == "https" and scheme == "http"):
        raise SourceUnavailableError(
            f"{source} redirected to {_source(target)}, which is not followed (only http(s), never from https "
            "to http); check the address"
        )
    return target


def _send(
    session: requests.Session,
    url: str,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str],
    settings: HttpSettings,
    deadline: _Deadline,
) -> requests.Response:
    """One GET through the session's adapter, headers only (the body is left to :func:`_read_body`).

    ``Session.get`` is not used: even with ``allow_redirects=False`` it reads
    (and decompresses) a redirect's whole body to prepare ``response.next``,
    past every limit here. The session's headers, auth, proxies, TLS settings
    and response hooks still apply.
    """
    source = _source(url)
    wait = min(settings.timeout_s, deadline.remaining())
    if wait <= 0:
        raise _deadline_error(source, deadline.seconds)
    try:
        prepared = session.prepare_request(requests.Request("GET", url, params=params, headers=headers))
        environment = session.merge_environment_settings(prepared.url, {}, True, None, None)
        verify = True if environment["verify"] is None else environment["verify"]
        response = session.get_adapter(prepared.url or url).send(
            prepared, stream=True, timeout=wait, verify=verify, cert=environment["cert"], proxies=environment["proxies"]
        )
        for hook in prepared.hooks.get("response", []):
            response = hook(response) or response
        return response
    except requests.Timeout as exc:
        if deadline.expired or wait < settings.timeout_s:
            raise _deadline_error(source, deadline.seconds) from exc
        raise _Retryable(f"no answer within {wait:.3g} s") from exc
    except requests.ConnectionError as exc:
        if deadline.expired:
            raise _deadline_error(source, deadline.seconds) from exc
        raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        if deadline.expired:
            raise _deadline_error(source, deadline.seconds) from exc
        raise SourceUnavailableError(
            f"{source}: the request failed ({type(exc).__name__}); check the address"
        ) from exc


# --- snapshots --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A JSON response and when it was fetched.

    Attributes:
        name: the snapshot's name (its file name without ``.json``).
        url: where it was fetched from.
        fetched_at: fetch time, ISO 8601 in UTC.
        data: the parsed JSON.
        from_cache: True when the live source failed and this is the stored copy.
    """

    name: str
    url: str
    fetched_at: str
    data: Any
    from_cache: bool


def snapshot_path(name: str, *, cache_dir: Path | None = None) -> Path:
    """Where the snapshot called ``name`` is stored."""
    if not _SNAPSHOT_NAME.match(name):
        raise ValueError(
            f"snapshot name {name!r} must start with a letter or digit and hold only letters, digits, '.', '_' or '-'"
        )
    return Path(cache_dir or default_cache_dir()) / "snapshots" / f"{name}.json"


def read_snapshot(name: str, *, cache_dir: Path | None = None) -> Snapshot | None:
    """The stored snapshot called ``name`` (``from_cache`` True), or None when there is none or it is unreadable."""
    path = snapshot_path(name, cache_dir=cache_dir)
    try:
        if not path.is_file() or path.stat().st_size > _MAX_SNAPSHOT_FILE_BYTES:
            return None
        stored = parse_json(path.read_bytes(), source=str(path))
        url, fetched_at = stored["url"], stored["fetched_at"]
        if not isinstance(url, str) or not isinstance(fetched_at, str):
            return None
        datetime.fromisoformat(fetched_at)
        return Snapshot(name=name, url=url, fetched_at=fetched_at, data=stored["data"], from_cache=True)
    except (SourceUnavailableError, OSError, ValueError, KeyError, TypeError):
        return None


def _write_snapshot(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` to ``path`` atomically: a temporary file beside it, synced, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, allow_nan=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch_json_snapshot(
    name: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    settings: HttpSettings = HttpSettings(),
    cache_dir: Path | None = None,
    session: requests.Session | None = None,
    check: Callable[[Snapshot], object] | None = None,
) -> Snapshot:
    """Fetch JSON live and store it as snapshot ``name``; fall back to the stored snapshot.

    Args:
        name: snapshot name, e.g. ``petition-700123`` (letters, digits, ``._-``).
        url, params, settings, session: as for :func:`get_json`.
        cache_dir: defaults to ``config.default_cache_dir()``.
        check: called with the live answer before it is stored, and with the
            stored one before it is returned; raising
            :class:`~millis_network.errors.SourceUnavailableError` or a
            ``ValueError`` (e.g. the JSON is not in the documented shape, or a
            value is out of range) counts as the source failing, so a bad
            answer never replaces a good stored one.

    Returns:
        The live answer (``from_cache`` False), or, when the source is
        unavailable or its answer fails ``check``, the last stored one
        (``from_cache`` True, with its original ``fetched_at``).

    Raises:
        SourceUnavailableError: the source failed and no usable snapshot is stored.
    """
    path = snapshot_path(name, cache_dir=cache_dir)
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        data = get_json(url, params=params, settings=settings, session=session)
        live = Snapshot(name=name, url=url, fetched_at=fetched_at, data=data, from_cache=False)
        _checked(check, live)
    except SourceUnavailableError as exc:
        stored = read_snapshot(name, cache_dir=cache_dir)
        if stored is None:
            where = (f"the cached snapshot at {path} is unreadable" if path.is_file()
                     else f"no cached snapshot exists at {path}")
            raise SourceUnavailableError(f"{exc}; and {where}") from exc
        try:
            _checked(check, stored)
        except SourceUnavailableError as unusable:
            raise SourceUnavailableError(
                f"{exc}; and the cached snapshot at {path} is not usable either: {unusable}"
            ) from exc
        return stored
    document = {"name": name, "url": url, "params": dict(params or {}), "fetched_at": fetched_at, "data": data}
    _write_snapshot(path, document)
    return live


def _checked(check: Callable[[Snapshot], object] | None, snapshot: Snapshot) -> None:
    if check is None:
        return
    try:
        check(snapshot)
    except SourceUnavailableError:
        raise
    except ValueError as exc:
        raise SourceUnavailableError(f"{_source(snapshot.url)} answered something unusable: {exc}") from exc
