"""OSRM table API client: routed drive minutes between many points.

Talks to any OSRM server (``osrm-routed``) at a configured base URL through
its table service (``GET /table/v1/{profile}/{lon,lat;...}?sources=...&destinations=...``,
documented at https://project-osrm.org/docs/v5.24.0/api/#table-service).
A request carries at most ``max_locations`` coordinates (the public demo
server refuses more than 100), so large tables are split into blocks of
origins × destinations whose coordinates together stay within the limit.

OSRM answers ``durations`` in seconds, ``null`` where it found no route; this
client reports minutes, and a ``null`` as an unreachable pair (minutes NaN,
``reachable`` False), never dropping it. Every duration is checked first: one
that is negative, longer than :data:`MAX_DURATION_S`, not finite, or not a
number at all (a string, a boolean) makes the block's answer invalid, never a
routed result. Requests have the total deadline and size caps of
:mod:`millis_network.sources._http`. When a block cannot be routed (server
down, timeout, deadline, an oversized or invalid answer, or a refusal such as
``NoSegment``) the block is estimated with
the ``fallback`` function instead, recorded as method ``estimated_drive`` with
the router's reason in ``note``; without a fallback the failure is raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import requests
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from millis_network.errors import SourceUnavailableError
from millis_network.sources._http import HttpSettings, get_json, printable, shown

#: Longest routed duration accepted, in seconds (two days): a longer one is not a drive within Great Britain.
MAX_DURATION_S = 2 * 24 * 3600.0

#: Columns of :func:`table_minutes`.
TABLE_COLUMNS = ["origin_index", "destination_index", "minutes", "method", "reachable", "note"]

#: Estimates ``(n, m)`` minutes from ``(n, 2)`` origins and ``(m, 2)`` destinations (lon, lat).
Estimator = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True)
class OsrmSettings:
    """Where the router is and how to talk to it.

    Attributes:
        base_url: server root, e.g. ``http://localhost:5000`` (no trailing path).
        profile: routing profile in the URL; ``driving`` for osrm-routed
            (a server serves whichever profile it was built with).
        max_locations: most coordinates per request (origins + destinations), >= 2.
        http: timeout and retry policy.
    """

    base_url: str
    profile: str = "driving"
    max_locations: int = 100
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if self.max_locations < 2:
            raise ValueError(f"max_locations must be >= 2 (one origin and one destination), got {self.max_locations!r}")


def chunk_plan(n_origins: int, n_destinations: int, *, max_locations: int) -> list[tuple[range, range]]:
    """Blocks of (origin indices, destination indices) covering the table once.

    Every block holds at most ``max_locations`` coordinates in total; the
    smaller side gets up to half of them, the larger side the rest.
    """
    if n_origins == 0 or n_destinations == 0:
        return []
    if n_origins + n_destinations <= max_locations:
        return [(range(n_origins), range(n_destinations))]
    if n_origins <= n_destinations:
        origin_step = min(n_origins, max_locations // 2)
        destination_step = max_locations - origin_step
    else:
        destination_step = min(n_destinations, max_locations // 2)
        origin_step = max_locations - destination_step
    return [
        (range(i, min(i + origin_step, n_origins)), range(j, min(j + destination_step, n_destinations)))
        for i in range(0, n_origins, origin_step)
        for j in range(0, n_destinations, destination_step)
    ]


def _table_url(settings: OsrmSettings, origins: NDArray[np.float64], destinations: NDArray[np.float64]) -> str:
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in np.vstack([origins, destinations]))
    sources = ";".join(str(i) for i in range(len(origins)))
    targets = ";".join(str(len(origins) + j) for j in range(len(destinations)))
    return (
        f"{settings.base_url.rstrip('/')}/table/v1/{settings.profile}/{coordinates}"
        f"?sources={sources}&destinations={targets}&annotations=duration"
    )


def _durations_minutes(answer: Any, shape: tuple[int, int]) -> NDArray[np.float64]:
    """Minutes from an OSRM table answer (NaN for null); ValueError with the reason when refused or invalid.

    Every duration must be null (no route) or a finite number of seconds
    from 0 to :data:`MAX_DURATION_S`; booleans and strings are refused.
    """
    if not isinstance(answer, dict) or "code" not in answer:
        raise ValueError("answer is not an OSRM response (no 'code')")
    code = answer["code"]
    if not isinstance(code, str):
        raise ValueError(f"answer is not an OSRM response ('code' is {shown(code)}, not text)")
    if code != "Ok":
        message = answer.get("message", "")
        message = printable(message) if isinstance(message, str) else ""
        raise ValueError(f"router refused: {printable(code, 40)}" + (f": {message}" if message else ""))
    rows = answer.get("durations")
    if (
        not isinstance(rows, list)
        or len(rows) != shape[0]
        or any(not isinstance(row, list) or len(row) != shape[1] for row in rows)
    ):
        raise ValueError(f"durations missing or not a {shape[0]}×{shape[1]} table")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= MAX_DURATION_S
            ):
                raise ValueError(
                    f"duration [{i}][{j}] is {shown(value)}, not null or a number of seconds from 0 to "
                    f"{MAX_DURATION_S:g}"
                )
    seconds = np.array([[np.nan if v is None else float(v) for v in row] for row in rows], dtype=np.float64)
    return seconds / 60.0


def table_minutes(
    origins_lonlat: ArrayLike,
    destinations_lonlat: ArrayLike,
    *,
    settings: OsrmSettings,
    fallback: Estimator | None = None,
    session: requests.Session | None = None,
) -> pd.DataFrame:
    """Routed drive minutes from every origin to every destination.

    Args:
        origins_lonlat: ``(n, 2)`` (lon, lat), WGS84 degrees.
        destinations_lonlat: ``(m, 2)`` (lon, lat), WGS84 degrees.
        settings: server URL, profile, request size and HTTP policy.
        fallback: estimates minutes for blocks the router cannot answer
            (e.g. :func:`millis_network.engine.travel.drive_minutes_matrix`); when
            None a failure raises.
        session: reuse a ``requests.Session``; a new one otherwise.

    Returns:
        One row per origin × destination (origin-major): ``origin_index``,
        ``destination_index`` (positions in the inputs), ``minutes`` (one-way,
        float; NaN when unreachable), ``method`` (``routed`` or
        ``estimated_drive``), ``reachable`` (False only when the router found
        no route) and ``note`` (why a pair is unreachable or estimated).

    Raises:
        SourceUnavailableError: the router failed and no fallback was given.
    """
    origins = np.asarray(origins_lonlat, dtype=np.float64).reshape(-1, 2)
    destinations = np.asarray(destinations_lonlat, dtype=np.float64).reshape(-1, 2)
    n, m = len(origins), len(destinations)
    minutes = np.full((n, m), np.nan)
    method = np.full((n, m), "routed", dtype=object)
    note = np.full((n, m), "", dtype=object)
    chunks = chunk_plan(n, m, max_locations=settings.max_locations)
    router_down = ""
    http = session or requests.Session()
    try:
        for rows, cols in tqdm(chunks, desc="OSRM table", unit="request", disable=len(chunks) < 2):
            block = np.ix_(rows, cols)
            o, d = origins[rows.start : rows.stop], destinations[cols.start : cols.stop]
            reason = router_down
            if not reason:
                try:
                    answer = get_json(
                        _table_url(settings, o, d), settings=settings.http, session=http, json_error_statuses=(400,)
                    )
                    minutes[block] = _durations_minutes(answer, (len(o), len(d)))
                    note[block] = np.where(np.isnan(minutes[block]), "router found no route", "")
                    continue
                except SourceUnavailableError as exc:
                    router_down = reason = str(exc)
                except ValueError as exc:
                    reason = f"{settings.base_url}: {exc}"
            if fallback is None:
                raise SourceUnavailableError(f"routing failed: {reason}; pass a fallback estimator or fix the router")
            minutes[block] = fallback(o, d)
            method[block] = "estimated_drive"
            note[block] = f"router failed ({reason}); estimated from distance"
    finally:
        if session is None:
            http.close()
    reachable = ~((method == "routed") & np.isnan(minutes))
    return pd.DataFrame(
        {
            "origin_index": np.repeat(np.arange(n), m),
            "destination_index": np.tile(np.arange(m), n),
            "minutes": minutes.ravel(),
            "method": pd.Series(method.ravel(), dtype="string"),
            "reachable": reachable.ravel(),
            "note": pd.Series(note.ravel(), dtype="string"),
        },
        columns=TABLE_COLUMNS,
    )


def osrm_router(settings: OsrmSettings) -> Callable[[ArrayLike, ArrayLike, Estimator], pd.DataFrame]:
    """A router for :func:`millis_network.engine.travel.travel_between` that asks the OSRM server in ``settings``.

    Returns:
        A callable ``(origins_lonlat, destinations_lonlat, fallback)`` giving
        the rows of :func:`table_minutes`.
    """

    def route(origins_lonlat: ArrayLike, destinations_lonlat: ArrayLike, fallback: Estimator) -> pd.DataFrame:
        return table_minutes(origins_lonlat, destinations_lonlat, settings=settings, fallback=fallback)

    return route
