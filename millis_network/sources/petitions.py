"""UK Parliament petitions: signature totals by country and constituency, with a dated cached copy.

Reads a petition's public JSON at ``https://petition.parliament.uk/petitions/<id>.json``
(the shape the site documents: ``data.attributes`` holds ``action`` (the
title), ``state``, ``signature_count``, ``signatures_by_country`` (``name``,
``code``, ``signature_count``) and ``signatures_by_constituency`` (``name``,
``ons_code``, ``mp``, ``signature_count``)).

Requests go through :mod:`millis_network.sources._http` (timeout, total
deadline, size caps, strict JSON, bounded retries), and :func:`parse_petition`
checks every value before it is used or stored: counts are whole numbers from
0 to :data:`MAX_SIGNATURES`, constituency codes are GSS codes. Every good
answer is stored as the snapshot ``petition-<id>``; a refused one never
replaces it. When the service is down, or its answer is refused, the stored
copy is returned, labelled with the date it was fetched. A petition that does not exist (HTTP 404) raises
:class:`~millis_network.errors.NotFoundError`, never a stale copy.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from millis_network.errors import NotFoundError, SourceUnavailableError
from millis_network.sources._http import (
    HttpSettings,
    Snapshot,
    fetch_json_snapshot,
    printable,
    read_snapshot,
    shown,
)

#: The petitions service of the UK Parliament.
PETITIONS_BASE_URL = "https://petition.parliament.uk"

#: Environment variable that points the client at another server (a mirror, or a local test server).
BASE_URL_VARIABLE = "MILLIS_NETWORK_PETITIONS_URL"

#: Columns of :attr:`PetitionFigures.by_country`.
COUNTRY_COLUMNS: tuple[str, ...] = ("code", "name", "signature_count")

#: Columns of :attr:`PetitionFigures.by_constituency`.
CONSTITUENCY_COLUMNS: tuple[str, ...] = ("ons_code", "name", "mp", "signature_count")

#: Most signatures a petition, or one country or constituency of it, can plausibly have; more is not a count.
MAX_SIGNATURES = 100_000_000

#: A Westminster constituency's GSS code: E14 (England), W07 (Wales), S14 (Scotland) or N06
#: (Northern Ireland), then six digits.
CONSTITUENCY_CODE = re.compile(r"(?:E14|W07|S14|N06)[0-9]{6}")

#: Most entries in one breakdown (there are 650 constituencies and about 250 countries and territories).
MAX_ROWS = 1000

#: Longest title, name or state accepted, in characters.
TEXT_LIMIT = 500

_COUNTRY_CODE = re.compile(r"[A-Za-z0-9-]{1,16}")
_STATE = re.compile(r"[a-z_]{1,32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ID_IN_TEXT = re.compile(r"^\s*(?:https?://[^/\s]+/petitions/)?(\d+)(?:\.json)?/?\s*$")


def petition_id_from(text: str | int) -> int:
    """A petition number from the number itself or its address.

    ``700123``, ``"700123"`` and ``"https://petition.parliament.uk/petitions/700123"``
    all give 700123.

    Raises:
        ValueError: the text holds no petition number.
    """
    match = _ID_IN_TEXT.match(str(text))
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a petition number; give the number at the end of the petition's address, "
            "e.g. 700123 for https://petition.parliament.uk/petitions/700123"
        )
    return int(match.group(1))


def default_base_url() -> str:
    """``$MILLIS_NETWORK_PETITIONS_URL`` when set, else :data:`PETITIONS_BASE_URL`."""
    return os.environ.get(BASE_URL_VARIABLE) or PETITIONS_BASE_URL


def petition_url(petition_id: int, *, base_url: str = PETITIONS_BASE_URL) -> str:
    """Address of a petition's JSON."""
    return f"{base_url.rstrip('/')}/petitions/{petition_id_from(petition_id)}.json"


def snapshot_name(petition_id: int) -> str:
    """Name of the cached snapshot of a petition (``petition-<id>``)."""
    return f"petition-{petition_id_from(petition_id)}"


@dataclass(frozen=True)
class PetitionFigures:
    """A petition's signature counts as read at one moment.

    Attributes:
        petition_id: the petition's number.
        title: the petition's ``action`` text.
        state: ``open``, ``closed``, ``rejected``... as the service says.
        signature_count: total signatures.
        by_country: columns :data:`COUNTRY_COLUMNS`, most signatures first.
        by_constituency: columns :data:`CONSTITUENCY_COLUMNS`, most signatures first.
        url: where the figures were read.
        fetched_at: when they were read, ISO 8601 UTC.
        from_cache: True when these are the stored copy (read offline, or
            because the service could not be reached), not a live answer.
    """

    petition_id: int
    title: str
    state: str
    signature_count: int
    by_country: pd.DataFrame
    by_constituency: pd.DataFrame
    url: str
    fetched_at: str
    from_cache: bool

    def top_constituencies(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` constituencies with most signatures (columns :data:`CONSTITUENCY_COLUMNS`)."""
        return self.by_constituency.head(n).reset_index(drop=True)

    def to_dict(self, *, top: int = 10) -> dict[str, Any]:
        """JSON-ready totals, the ``top`` constituencies and the countries."""
        return {
            "petition_id": self.petition_id,
            "title": self.title,
            "state": self.state,
            "signature_count": self.signature_count,
            "url": self.url,
            "fetched_at": self.fetched_at,
            "from_cache": self.from_cache,
            "top_constituencies": [
                {**row, "signature_count": int(row["signature_count"])}
                for row in self.top_constituencies(top).to_dict("records")
            ],
            "by_country": [
                {**row, "signature_count": int(row["signature_count"])} for row in self.by_country.to_dict("records")
            ],
        }

    def label(self) -> str:
        """Where and when the figures were read, for captions and briefings."""
        when = datetime.fromisoformat(self.fetched_at).strftime("%d %B %Y %H:%M UTC")
        if self.from_cache:
            return f"stored copy of {self.url}, fetched {when}"
        return f"{self.url}, fetched {when}"


def parse_petition(snapshot: Snapshot, *, petition_id: int) -> PetitionFigures:
    """Figures from a petition JSON snapshot, every value checked before it is used.

    The total and every breakdown count must be a whole number (not a
    boolean) from 0 to :data:`MAX_SIGNATURES`; constituency codes must be
    GSS Westminster codes (:data:`CONSTITUENCY_CODE`); names, title and state
    must be text of bounded length without control characters; ``data.id``,
    when given, must be ``petition_id``.

    Raises:
        SourceUnavailableError: the JSON is not a petition in the documented
            shape, or a value is out of range; the message names the field.
    """
    url = printable(snapshot.url, 200)

    def bad(what: str) -> SourceUnavailableError:
        if snapshot.from_cache:
            return SourceUnavailableError(
                f"the stored copy of {url} (fetched {printable(snapshot.fetched_at, 40)}) is not a petition in the "
                f"documented shape ({what}); fetch it again with `millis-network petition {petition_id}`"
            )
        return SourceUnavailableError(
            f"{url} did not answer with a petition in the documented shape ({what}); "
            "check that the address is a petition's .json page"
        )

    def count(value: object, field: str) -> int:
        if value is None:
            raise bad(f"'{field}' is missing")
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"'{field}' is {shown(value)}, not a whole number")
        if not 0 <= value <= MAX_SIGNATURES:
            raise bad(f"'{field}' is {shown(value)}, outside 0 to {MAX_SIGNATURES:,}")
        return value

    def text(value: object, field: str, *, required: bool) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise bad(f"'{field}' is {'missing' if value is None else shown(value)}, not text")
        if len(value) > TEXT_LIMIT:
            raise bad(f"'{field}' is longer than {TEXT_LIMIT} characters")
        if _CONTROL.search(value):
            raise bad(f"'{field}' holds control characters")
        return value

    data = snapshot.data
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise bad("no 'data' object")
    record = data["data"]
    number = record.get("id")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number != petition_id):
        raise bad(f"'data.id' is {shown(number)}, not petition {petition_id}")
    attributes = record.get("attributes")
    if not isinstance(attributes, dict):
        raise bad("no 'data.attributes' object")
    total = count(attributes.get("signature_count"), "data.attributes.signature_count")
    title = text(attributes.get("action"), "data.attributes.action", required=True)
    state = text(attributes.get("state"), "data.attributes.state", required=False)
    if state and not _STATE.fullmatch(state):
        raise bad(f"'data.attributes.state' is {shown(state)}, not a petition state such as 'open'")

    def rows(key: str) -> list[dict[str, Any]]:
        value = attributes.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad(f"'data.attributes.{key}' is {type(value).__name__}, not a list of objects")
        if len(value) > MAX_ROWS:
            raise bad(f"'data.attributes.{key}' has {len(value):,} entries, more than {MAX_ROWS:,}")
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                raise bad(f"'data.attributes.{key}[{i}]' is {shown(row)}, not an object")
        return value

    countries = []
    for i, row in enumerate(rows("signatures_by_country")):
        field = f"data.attributes.signatures_by_country[{i}]"
        code = text(row.get("code"), f"{field}.code", required=True)
        if not _COUNTRY_CODE.fullmatch(code):
            raise bad(f"'{field}.code' is {shown(code)}, not a country code")
        countries.append({"code": code, "name": text(row.get("name"), f"{field}.name", required=True),
                          "signature_count": count(row.get("signature_count"), f"{field}.signature_count")})
    constituencies = []
    for i, row in enumerate(rows("signatures_by_constituency")):
        field = f"data.attributes.signatures_by_constituency[{i}]"
        code = text(row.get("ons_code"), f"{field}.ons_code", required=True)
        if not CONSTITUENCY_CODE.fullmatch(code):
            raise bad(f"'{field}.ons_code' is {shown(code)}, not a constituency's GSS code (E14, W07, S14 or N06 "
                      "and six digits)")
        constituencies.append({"ons_code": code, "name": text(row.get("name"), f"{field}.name", required=True),
                               "mp": text(row.get("mp"), f"{field}.mp", required=False),
                               "signature_count": count(row.get("signature_count"), f"{field}.signature_count")})

    def table(records: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
        frame = pd.DataFrame(records, columns=list(columns))
        frame["signature_count"] = frame["signature_count"].astype("int64")
        return frame.sort_values(["signature_count", "name"], ascending=[False, True]).reset_index(drop=True)

    return PetitionFigures(
        petition_id=petition_id,
        title=title,
        state=state,
        signature_count=total,
        by_country=table(countries, COUNTRY_COLUMNS),
        by_constituency=table(constituencies, CONSTITUENCY_COLUMNS),
        url=snapshot.url,
        fetched_at=snapshot.fetched_at,
        from_cache=snapshot.from_cache,
    )


def fetch_petition(
    petition_id: int | str,
    *,
    base_url: str | None = None,
    settings: HttpSettings = HttpSettings(),
    cache_dir: Path | None = None,
) -> PetitionFigures:
    """Read a petition's figures live; fall back to the last good copy when the service is down.

    Args:
        petition_id: the petition's number (or its address).
        base_url: the petitions service (default :func:`default_base_url`).
        settings: timeout and retry policy.
        cache_dir: where snapshots live (``config.default_cache_dir()`` by default).

    Returns:
        :class:`PetitionFigures`; ``from_cache`` says whether they are the stored copy.

    Raises:
        NotFoundError: the service says the petition does not exist (HTTP 404).
        SourceUnavailableError: the service could not be reached (or answered
            something that is not a petition) and no copy is stored.
    """
    number = petition_id_from(petition_id)
    url = petition_url(number, base_url=base_url or default_base_url())
    statuses: list[int] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, *args, **kwargs: statuses.append(response.status_code))
    try:
        snapshot = fetch_json_snapshot(
            snapshot_name(number), url, settings=settings, cache_dir=cache_dir, session=session,
            check=lambda live: parse_petition(live, petition_id=number),
        )
    except SourceUnavailableError as exc:
        if 404 in statuses:
            raise NotFoundError(
                f"petition {number} does not exist at {url} (HTTP 404); check the number in the petition's address"
            ) from exc
        raise
    finally:
        session.close()
    if 404 in statuses:
        raise NotFoundError(
            f"petition {number} no longer exists at {url} (HTTP 404); a copy fetched {snapshot.fetched_at} "
            "is still cached but the petition may have been removed"
        )
    return parse_petition(snapshot, petition_id=number)


def cached_petition(petition_id: int | str, *, cache_dir: Path | None = None) -> PetitionFigures | None:
    """The stored copy of a petition's figures, without touching the network (None when none is stored)."""
    number = petition_id_from(petition_id)
    snapshot = read_snapshot(snapshot_name(number), cache_dir=cache_dir)
    return None if snapshot is None else parse_petition(snapshot, petition_id=number)
