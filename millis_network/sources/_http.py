"""Shared HTTP plumbing for the live-source clients: JSON GETs and cached snapshots.

:func:`get_json` makes one GET with a timeout and a bounded number of retries
(exponential backoff) on connection errors, timeouts, HTTP 429 and 5xx, and
turns every failure into :class:`~millis_network.errors.SourceUnavailableError`
with a message naming the URL and what went wrong.

:func:`fetch_json_snapshot` wraps it for sources whose last good answer is
worth keeping (petition counts, court lists): each successful response that
passes the caller's shape check is written to ``<cache dir>/snapshots/<name>.json`` together with its URL and
fetch time (UTC); when the source later fails, the stored snapshot is returned
instead, flagged ``from_cache`` with its original fetch time so every view can
say how old it is. The cache directory is ``config.default_cache_dir()``
unless one is passed in.

Snapshot file shape::

    {"name": "...", "url": "...", "params": {...}, "fetched_at": "2026-01-31T12:00:00+00:00", "data": <the JSON>}
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from millis_network import __version__
from millis_network.config import default_cache_dir
from millis_network.errors import SourceUnavailableError

_SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class HttpSettings:
    """Timeout and retry policy for one source.

    Attributes:
        timeout_s: seconds to wait for a connection and for each read.
        retries: further attempts after the first fails with a connection
            error, timeout, HTTP 429 or 5xx (0 = try once).
        backoff_s: wait before the first retry, in seconds; doubles each time.
    """

    timeout_s: float = 10.0
    retries: int = 2
    backoff_s: float = 0.5

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s!r}")
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries!r}")
        if self.backoff_s < 0:
            raise ValueError(f"backoff_s must be >= 0, got {self.backoff_s!r}")


def get_json(
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    settings: HttpSettings = HttpSettings(),
    session: requests.Session | None = None,
    json_error_statuses: Collection[int] = (),
) -> Any:
    """GET ``url`` and parse its JSON body, retrying transient failures.

    Args:
        url: full URL.
        params: query parameters.
        settings: timeout and retry policy.
        session: a ``requests.Session`` to reuse connections; a new one otherwise.
        json_error_statuses: non-2xx statuses whose JSON body the caller
            interprets itself (OSRM, for example, explains a refusal in a 400
            body); their body is returned instead of raising.

    Returns:
        The parsed JSON value.

    Raises:
        SourceUnavailableError: no usable answer after the allowed attempts,
            a non-retryable HTTP status, or a body that is not JSON.
    """
    own_session = session is None
    http = session or requests.Session()
    headers = {"User-Agent": f"millis-network/{__version__}", "Accept": "application/json"}
    attempts = settings.retries + 1
    problem = ""
    try:
        for attempt in range(attempts):
            if attempt:
                time.sleep(settings.backoff_s * 2 ** (attempt - 1))
            try:
                response = http.get(url, params=params, headers=headers, timeout=settings.timeout_s)
            except requests.Timeout:
                problem = f"no answer within {settings.timeout_s:g} s"
                continue
            except requests.ConnectionError as exc:
                problem = f"connection failed ({type(exc).__name__})"
                continue
            if response.status_code in _RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                continue
            if not response.ok and response.status_code not in json_error_statuses:
                raise SourceUnavailableError(
                    f"{url} answered HTTP {response.status_code}; check the address and parameters"
                )
            try:
                return response.json()
            except ValueError as exc:
                raise SourceUnavailableError(
                    f"{url} answered HTTP {response.status_code} with a body that is not JSON; "
                    "check that the address points at the service's API"
                ) from exc
    finally:
        if own_session:
            http.close()
    raise SourceUnavailableError(
        f"{url} unavailable after {attempts} attempt(s): {problem}; check the address and the network, "
        "or try again later"
    )


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
    """The stored snapshot called ``name`` (``from_cache`` True), or None when there is none."""
    path = snapshot_path(name, cache_dir=cache_dir)
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Snapshot(
            name=name, url=stored["url"], fetched_at=stored["fetched_at"], data=stored["data"], from_cache=True
        )
    except (ValueError, KeyError, TypeError):
        return None


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
        check: called with the live answer before it is stored; raising
            :class:`~millis_network.errors.SourceUnavailableError` (e.g. the
            JSON is not in the documented shape) counts as the source
            failing, so a bad answer never replaces a good stored one.

    Returns:
        The live answer (``from_cache`` False), or, when the source is
        unavailable or its answer fails ``check``, the last stored one
        (``from_cache`` True, with its original ``fetched_at``).

    Raises:
        SourceUnavailableError: the source failed and no snapshot is stored.
    """
    path = snapshot_path(name, cache_dir=cache_dir)
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        data = get_json(url, params=params, settings=settings, session=session)
        live = Snapshot(name=name, url=url, fetched_at=fetched_at, data=data, from_cache=False)
        if check is not None:
            check(live)
    except SourceUnavailableError as exc:
        stored = read_snapshot(name, cache_dir=cache_dir)
        if stored is None:
            raise SourceUnavailableError(f"{exc}; and no cached snapshot exists at {path}") from exc
        return stored
    document = {"name": name, "url": url, "params": dict(params or {}), "fetched_at": fetched_at, "data": data}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return live
