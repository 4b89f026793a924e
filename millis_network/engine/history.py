"""Coverage over time: which centres were open at a date, and what was lost since.

The directory keeps closed centres with the dates their sources state
(``opened``, ``closed``: ``YYYY`` or ``YYYY-MM``; ``closed`` is the date *by
which* the centre had closed) and the ``successor_id`` that took the service
over. This module reads those dates; it never invents one.

How dates are read (one rule, used everywhere):

* An as-of date ``YYYY-MM`` means the first day of that month; ``YYYY`` means
  1 January of that year. ``None`` means the directory as it stands (every
  centre whose status is ``open``), the same centres today's coverage uses.
* A stated opening counts from the first day *after the whole period it
  names*, so a centre is never counted before it could have opened: opened
  ``2019`` counts from 2020-01-01, opened ``2023-07`` from 2023-08-01.
* A stated closure stops the count from the first day of the period it
  names: closed ``2021-10`` is not counted from 2021-10-01, closed ``2021``
  not from 2021-01-01. Sources often say only that a centre *had* closed by a
  date, so the closure may have come earlier; outputs therefore repeat each
  closure's dates as stated.
* A centre whose opening the sources do not date is presumed open at every
  date before its closure. A page date shows when a page was written, not
  when a centre opened, so it is no bound on opening. Every result says how
  many counted centres rest on this presumption (``opening_unknown``).
* A closed centre whose closing date is not stated is counted at no date
  (``closing_unknown``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_ID_HINT
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    load_drive_time_model,
    settlement_index,
)
from millis_network.engine.analysis import Analysis, run_analysis
from millis_network.engine.coverage import (
    SERVICES_FOR_RULE,
    Service,
    centre_index,
    court_coverage,
    suitable_centres,
)
from millis_network.errors import DateError, NotFoundError
from millis_network.landmasses import landmasses_of
from millis_network.network import Network
from millis_network.wording import (
    NO_CENTRE_WITHIN_REACH,
    NOT_STATED,
    POPULATION_NOTE,
    SERVICES_NOT_STATED,
)

_AS_OF_RE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")

#: How the dates are read, for captions and JSON output.
DATE_RULE = (
    "Dates are as the sources state them, at year or month precision. An as-of date YYYY-MM means the first "
    "day of that month (YYYY: 1 January). A stated opening counts from the first day after the period it names "
    "(opened 2019 counts from January 2020); a stated closure ('closed by') stops the count from the first day "
    "of the period it names. A centre whose opening the sources do not date is presumed open before its closure; "
    "a closed centre with no closing date is never counted."
)

#: Columns of :attr:`CentresAtDate.register`.
REGISTER_COLUMNS: tuple[str, ...] = (
    "id", "name", "town", "status", "opened", "closed", "successor_id", "counted", "opening_stated", "reason",
)


def parse_as_of(text: str) -> date:
    """The instant an as-of date names: ``YYYY`` → 1 January, ``YYYY-MM`` → the 1st of the month.

    Raises:
        DateError: ``text`` is not ``YYYY`` or ``YYYY-MM``.
    """
    match = _AS_OF_RE.match(str(text).strip())
    if not match:
        raise DateError(f"as-of date {text!r} must be YYYY or YYYY-MM, e.g. 2019 or 2021-10")
    return date(int(match.group(1)), int(match.group(2) or 1), 1)


def _period(text: str) -> tuple[date, date]:
    """First day of a ``YYYY``/``YYYY-MM`` period and the first day after it."""
    start = parse_as_of(text)
    if len(text) == 4:
        return start, date(start.year + 1, 1, 1)
    return start, date(start.year + start.month // 12, start.month % 12 + 1, 1)


def counted_from(opened: str) -> date | None:
    """First day a stated opening lets a centre count (None when the opening is not stated)."""
    return _period(opened)[1] if opened else None


def counted_until(closed: str) -> date | None:
    """First day a stated closure stops a centre counting (None when no closure is stated)."""
    return _period(closed)[0] if closed else None


def _describe_instant(instant: date, text: str) -> str:
    return f"{text} (1 {instant:%B %Y})"


@dataclass(frozen=True)
class CentresAtDate:
    """The centres counted as open at one date, and why each centre was or was not.

    Attributes:
        as_of: the date as given (``YYYY`` or ``YYYY-MM``), or "" for the current directory.
        instant: the day it names (None for the current directory).
        centres: the counted rows of the centres table (same columns), with
            ``status`` set to ``open`` (their status at that date); ``closed``
            and ``successor_id`` keep what later happened.
        register: one row per centre of the input, columns :data:`REGISTER_COLUMNS`.
    """

    as_of: str
    instant: date | None
    centres: pd.DataFrame
    register: pd.DataFrame

    @property
    def label(self) -> str:
        """``2019 (1 January 2019)`` or ``current directory``."""
        return _describe_instant(self.instant, self.as_of) if self.instant else "current directory"

    @property
    def counted(self) -> int:
        """Centres counted as open."""
        return int(self.register["counted"].sum())

    @property
    def opening_unknown(self) -> int:
        """Counted centres whose opening date the sources do not state (presumed open)."""
        return int((self.register["counted"] & ~self.register["opening_stated"]).sum())

    @property
    def closing_unknown(self) -> int:
        """Closed centres with no stated closing date (counted at no date)."""
        return int(((self.register["status"] == "closed") & (self.register["closed"] == "")).sum())

    def summary(self) -> dict[str, Any]:
        """Counts for JSON output and captions."""
        return {
            "as_of": self.as_of or "current directory",
            "as_of_day": self.instant.isoformat() if self.instant else None,
            "centres_counted": self.counted,
            "centres_counted_opening_stated": self.counted - self.opening_unknown,
            "centres_counted_opening_unknown": self.opening_unknown,
            "centres_not_counted": int((~self.register["counted"]).sum()),
            "closed_centres_closing_unknown": self.closing_unknown,
            "date_rule": DATE_RULE,
        }

    def describe(self) -> str:
        """One sentence for every figure computed at this date."""
        if self.instant is None:
            return f"Current directory: {self.counted} open centres."
        return (
            f"As of {self.label}: {self.counted} centres counted, {self.opening_unknown} of them with no stated "
            f"opening date (presumed open); {int((~self.register['counted']).sum())} not counted "
            f"({self.closing_unknown} closed on a date not stated)."
        )


def centres_at(centres: pd.DataFrame, as_of: str | None) -> CentresAtDate:
    """The centres open at a date under the module's date rule.

    Args:
        centres: the directory (:func:`millis_network.directory.contact_centres`).
        as_of: ``YYYY`` or ``YYYY-MM``; None for the directory as it stands.

    Returns:
        :class:`CentresAtDate`.

    Raises:
        DateError: ``as_of`` is not ``YYYY`` or ``YYYY-MM``.
    """
    instant = None if as_of is None else parse_as_of(as_of)
    return _centres_at(centres, instant, as_of or "")


def _centres_at(centres: pd.DataFrame, instant: date | None, as_of: str) -> CentresAtDate:
    counted: list[bool] = []
    reasons: list[str] = []
    for row in centres[["status", "opened", "closed"]].to_dict("records"):
        ok, reason = _count(row["status"], row["opened"], row["closed"], instant)
        counted.append(ok)
        reasons.append(reason)
    keep = np.array(counted, dtype=bool)
    register = pd.DataFrame(
        {
            "id": centres["id"].to_numpy(),
            "name": centres["name"].to_numpy(),
            "town": centres["town"].to_numpy(),
            "status": centres["status"].to_numpy(),
            "opened": centres["opened"].to_numpy(),
            "closed": centres["closed"].to_numpy(),
            "successor_id": centres["successor_id"].to_numpy(),
            "counted": keep,
            "opening_stated": (centres["opened"] != "").to_numpy(),
            "reason": reasons,
        }
    )
    chosen = centres[keep].copy()
    chosen["status"] = "open"
    return CentresAtDate(as_of=as_of, instant=instant, centres=chosen, register=register[list(REGISTER_COLUMNS)])


def _count(status: str, opened: str, closed: str, instant: date | None) -> tuple[bool, str]:
    if instant is None:
        return status == "open", f"status {status} in the current directory"
    if status == "closed" and not closed:
        return False, "closed on a date the sources do not state"
    start = counted_from(opened)
    if start is not None and instant < start:
        return False, f"not yet open: opened {opened} counts from {start.isoformat()}"
    stop = counted_until(closed)
    if stop is not None and instant >= stop:
        return False, f"closed by {closed}"
    if start is None:
        return True, "opening date not stated: presumed open" + (f" until closed by {closed}" if closed else "")
    return True, f"opened {opened}" + (f"; closed by {closed}" if closed else "")


def analysis_as_of(network: Network, rule: CampaignRule, as_of: str) -> Analysis:
    """The analysis of ``network`` with only the centres open at ``as_of``.

    Returns:
        :class:`~millis_network.engine.analysis.Analysis` whose ``as_of`` is the
        sentence of :meth:`CentresAtDate.describe` (date, centres counted,
        how many rest on an unknown opening date).
    """
    dated = centres_at(network.centres, as_of)
    return run_analysis(network.with_centres(dated.centres), rule, as_of=dated.describe())


def _within(
    points: pd.DataFrame, centres: pd.DataFrame, *, service: Service, rule: CampaignRule,
    model: DriveTimeModel, settlements: SettlementIndex,
) -> tuple[pd.DataFrame, sparse.csr_matrix]:
    """Suitable centres for ``service`` and the points × centres within-threshold matrix (never across the sea)."""
    chosen = suitable_centres(centres, rule=rule, service=service).reset_index(drop=True)
    index = centre_index(chosen, model=model, settlements=settlements)
    lat, lon = points["lat"].to_numpy(dtype=float), points["lon"].to_numpy(dtype=float)
    return chosen, index.within_pairs(lat, lon, rule=rule, origin_landmass=landmasses_of(points))


#: Columns of :attr:`LostSince.courts`.
LOST_COURT_COLUMNS: tuple[str, ...] = (
    "court_id", "court_name", "town", "jurisdiction", "service", "centres_within_start",
    "nearest_minutes_start", "nearest_minutes_end", "meets_rule_start", "meets_rule_end",
    "closure_ids", "closures", "successors",
)

#: Columns of :attr:`LostSince.areas`.
LOST_AREA_COLUMNS: tuple[str, ...] = (
    "local_authority_code", "local_authority_name", "nation", "service", "lsoas", "lsoas_lost", "share_lost",
    "closure_ids", "closures", "successors", "people", "people_lost", "people_share_lost",
)

#: Columns of :attr:`LostSince.closures`.
CLOSURE_COLUMNS: tuple[str, ...] = (
    "id", "name", "town", "services", "opened", "closed", "successor_id", "successor_name",
    "successor_counted_at_end", "court_services_lost", "lsoa_services_lost", "source_urls",
)


@dataclass(frozen=True)
class LostSince:
    """Courts and areas that had a suitable centre within the threshold at one date and not at a later one.

    Attributes:
        start, end: the centres counted at each date.
        rule: the campaign rule (threshold) applied.
        courts: one row per court and service lost, :data:`LOST_COURT_COLUMNS`
            (minutes are estimated drive minutes to the nearest suitable centre,
            NaN where none is left anywhere).
        areas: one row per local authority and service with at least one LSOA
            lost, :data:`LOST_AREA_COLUMNS` (``share_lost`` of its LSOAs, 0..1;
            ``people`` in the area, ``people_lost`` of them and ``people_share_lost``:
            :data:`~millis_network.wording.POPULATION_NOTE`).
        closures: every centre counted at ``start`` and not at ``end``,
            :data:`CLOSURE_COLUMNS`, with how many court and LSOA services it
            was the last within reach of.
    """

    start: CentresAtDate
    end: CentresAtDate
    rule: CampaignRule
    courts: pd.DataFrame
    areas: pd.DataFrame
    closures: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Plain data for JSON output and briefings."""
        return {
            "start": self.start.summary(),
            "end": self.end.summary(),
            "threshold": self.rule.describe(),
            "method": self.rule.method,
            "courts_lost_any_service": int(self.courts["court_id"].nunique()),
            "courts_lost_supported": int((self.courts["service"] == "supported").sum()),
            "courts_lost_supervised": int((self.courts["service"] == "supervised").sum()),
            "lsoas_lost_supported": int(self.areas.loc[self.areas["service"] == "supported", "lsoas_lost"].sum()),
            "lsoas_lost_supervised": int(self.areas.loc[self.areas["service"] == "supervised", "lsoas_lost"].sum()),
            "people_lost_supported": float(self.areas.loc[self.areas["service"] == "supported", "people_lost"].sum()),
            "people_lost_supervised": float(self.areas.loc[self.areas["service"] == "supervised", "people_lost"].sum()),
            "population_note": POPULATION_NOTE,
            "closures": int(len(self.closures)),
            "wording": f"{NO_CENTRE_WITHIN_REACH} at the end date; the directory is incomplete",
        }


def _closure_text(row: dict[Hashable, Any]) -> str:
    opened = f"opened {row['opened']}" if row["opened"] else f"opening {NOT_STATED}"
    return f"{row['name']} ({opened}; closed by {row['closed']})" if row["closed"] else f"{row['name']} ({opened})"


def _successor_text(closure_ids: list[str], centres: pd.DataFrame) -> str:
    by_id = centres.set_index("id")
    parts = []
    for closure_id in closure_ids:
        successor = by_id.at[closure_id, "successor_id"]
        if successor and successor in by_id.index:
            services = by_id.at[successor, "services"] or SERVICES_NOT_STATED
            parts.append(f"{by_id.at[closure_id, 'name']!s} → {by_id.at[successor, 'name']!s} ({services!s})")
    return "; ".join(parts)


def _closures_named(closure_ids: list[str], centres: pd.DataFrame) -> dict[str, str]:
    """``closure_ids``, ``closures`` and ``successors`` texts for a list of closed centres."""
    rows = centres.set_index("id").loc[closure_ids].reset_index().to_dict("records")
    return {
        "closure_ids": "; ".join(closure_ids),
        "closures": "; ".join(_closure_text(row) for row in rows),
        "successors": _successor_text(closure_ids, centres),
    }


def _courts_lost(
    courts: pd.DataFrame, before: CentresAtDate, after: CentresAtDate, centres: pd.DataFrame, *,
    rule: CampaignRule, model: DriveTimeModel, settlements: SettlementIndex, blame: dict[str, int],
) -> pd.DataFrame:
    cov_before = court_coverage(courts, before.centres, rule=rule, model=model, settlements=settlements)
    cov_after = court_coverage(courts, after.centres, rule=rule, model=model, settlements=settlements)
    rows: list[dict[str, Any]] = []
    for service in SERVICES_FOR_RULE:
        chosen, pairs = _within(
            cov_before, before.centres, service=service, rule=rule, model=model, settlements=settlements
        )
        lost = (cov_before[f"{service}_within"] > 0) & (cov_after[f"{service}_within"] == 0)
        for i in map(int, np.flatnonzero(lost.to_numpy())):
            blamed = list(chosen["id"].iloc[pairs[i].indices])
            for centre_id in blamed:
                blame[centre_id] = blame.get(centre_id, 0) + 1
            court, later = cov_before.iloc[i], cov_after.iloc[i]
            rows.append(
                {
                    "court_id": court["court_id"],
                    "court_name": court["court_name"],
                    "town": court["town"],
                    "jurisdiction": court["jurisdiction"],
                    "service": service,
                    "centres_within_start": int(court[f"{service}_within"]),
                    "nearest_minutes_start": float(court[f"nearest_{service}_minutes"]),
                    "nearest_minutes_end": float(later[f"nearest_{service}_minutes"]),
                    "meets_rule_start": bool(court["meets_rule"]),
                    "meets_rule_end": bool(later["meets_rule"]),
                    **_closures_named(blamed, centres),
                }
            )
    return pd.DataFrame(rows, columns=list(LOST_COURT_COLUMNS))


def _areas_lost(
    lsoas: pd.DataFrame, before: CentresAtDate, after: CentresAtDate, centres: pd.DataFrame, *,
    rule: CampaignRule, model: DriveTimeModel, settlements: SettlementIndex, blame: dict[str, int],
) -> pd.DataFrame:
    codes = lsoas["local_authority_code"].to_numpy()
    parts = []
    for service in SERVICES_FOR_RULE:
        chosen, pairs = _within(lsoas, before.centres, service=service, rule=rule, model=model, settlements=settlements)
        _, pairs_after = _within(lsoas, after.centres, service=service, rule=rule, model=model, settlements=settlements)
        lost = _lost(pairs, pairs_after)
        lost_pairs = pairs[lost].tocoo()
        blamed = pd.DataFrame(
            {
                "local_authority_code": codes[np.flatnonzero(lost)[lost_pairs.row]],
                "centre": chosen["id"].to_numpy()[lost_pairs.col],
            }
        )
        for centre_id, count in blamed["centre"].value_counts().items():
            blame[str(centre_id)] = blame.get(str(centre_id), 0) + int(count)
        people = lsoas["population"].to_numpy(dtype=float) if "population" in lsoas else np.full(len(lsoas), np.nan)
        frame = lsoas[["local_authority_code", "local_authority_name", "nation"]].assign(
            lost=lost, people=people, people_lost=np.where(lost, people, 0.0))
        grouped = frame.groupby(["local_authority_code", "local_authority_name", "nation"], sort=True)
        per_area = grouped.agg(lsoas=("lost", "size"), lsoas_lost=("lost", "sum"),
                               people=("people", lambda p: p.sum(min_count=1)),
                               people_lost=("people_lost", lambda p: p.sum(min_count=1))).reset_index()
        per_area = per_area[per_area["lsoas_lost"] > 0].reset_index(drop=True)
        blamed_ids = blamed.groupby("local_authority_code")["centre"].agg(lambda ids: sorted(set(ids)))
        named = pd.DataFrame([_closures_named(blamed_ids[code], centres) for code in per_area["local_authority_code"]],
                             columns=["closure_ids", "closures", "successors"])
        per_area = pd.concat([per_area, named], axis=1)
        per_area["service"] = service
        per_area["lsoas_lost"] = per_area["lsoas_lost"].astype(int)
        per_area["share_lost"] = per_area["lsoas_lost"] / per_area["lsoas"]
        per_area["people_lost"] = per_area["people_lost"].where(per_area["people"].notna())
        per_area["people_share_lost"] = per_area["people_lost"] / per_area["people"]
        parts.append(per_area)
    areas = pd.concat(parts, ignore_index=True)[list(LOST_AREA_COLUMNS)]
    return areas.sort_values(["lsoas_lost", "local_authority_name"], ascending=[False, True]).reset_index(drop=True)


#: Columns of :func:`lsoa_losses`.
LSOA_LOSS_COLUMNS: tuple[str, ...] = ("lsoa_code", "population", "lost_supported", "lost_supervised")


def lsoa_losses(
    lsoas: pd.DataFrame,
    centres: pd.DataFrame,
    *,
    start: str,
    end: str | None = None,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """Which LSOAs lost each service between two dates, in the sense of :func:`lost_since`.

    Returns:
        One row per LSOA, columns :data:`LSOA_LOSS_COLUMNS`: ``population``
        (people, NaN without populations) and ``lost_<service>``: True where a
        suitable centre lay within the threshold at ``start`` and none does at ``end``.

    Raises:
        DateError: a date is malformed, or ``end`` is not after ``start``.
    """
    model = model or load_drive_time_model()
    settlements = settlements or settlement_index()
    before, after = _dates(centres, start, end)
    out = pd.DataFrame({
        "lsoa_code": lsoas["lsoa_code"].to_numpy(),
        "population": lsoas["population"].to_numpy(dtype=float) if "population" in lsoas else np.nan,
    })
    for service in SERVICES_FOR_RULE:
        _, pairs = _within(lsoas, before.centres, service=service, rule=rule, model=model, settlements=settlements)
        _, pairs_after = _within(lsoas, after.centres, service=service, rule=rule, model=model, settlements=settlements)
        out[f"lost_{service}"] = _lost(pairs, pairs_after)
    return out[list(LSOA_LOSS_COLUMNS)]


def _lost(pairs: sparse.csr_matrix, pairs_after: sparse.csr_matrix) -> np.ndarray:
    """Origins with a centre within reach in ``pairs`` (the start) and none in ``pairs_after`` (the end)."""
    return np.asarray((pairs.getnnz(axis=1) > 0) & (pairs_after.getnnz(axis=1) == 0))


def _dates(centres: pd.DataFrame, start: str, end: str | None) -> tuple[CentresAtDate, CentresAtDate]:
    """The centres counted at ``start`` and at ``end``, refusing an end that is not later."""
    before = centres_at(centres, start)
    after = centres_at(centres, end)
    if after.instant is not None and after.instant <= before.instant:  # type: ignore[operator]
        raise DateError(f"end date {end!r} must be after start date {start!r}; give the earlier date first")
    return before, after


def lost_since(
    courts: pd.DataFrame,
    centres: pd.DataFrame,
    lsoas: pd.DataFrame,
    *,
    start: str,
    end: str | None = None,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> LostSince:
    """What closures between two dates took away, court by court and area by area.

    A court or LSOA *lost* a service when at least one suitable centre for it
    lay within the rule's threshold at ``start`` and none does at ``end``.
    The closures responsible are the centres within reach at ``start``:
    all of them are gone by ``end``.

    Args:
        start: ``YYYY`` or ``YYYY-MM``.
        end: a later date, or None for the directory as it stands.

    Raises:
        DateError: a date is malformed, or ``end`` is not after ``start``.
    """
    model = model or load_drive_time_model()
    settlements = settlements or settlement_index()
    before, after = _dates(centres, start, end)
    gone = before.centres[~before.centres["id"].isin(after.centres["id"])]
    blame_courts: dict[str, int] = {}
    blame_lsoas: dict[str, int] = {}
    lost_courts = _courts_lost(courts, before, after, centres, rule=rule, model=model, settlements=settlements,
                               blame=blame_courts)
    lost_areas = _areas_lost(lsoas, before, after, centres, rule=rule, model=model, settlements=settlements,
                             blame=blame_lsoas)
    successor_names = dict(zip(centres["id"], centres["name"]))
    closures = pd.DataFrame(
        {
            "id": gone["id"].to_numpy(),
            "name": gone["name"].to_numpy(),
            "town": gone["town"].to_numpy(),
            "services": gone["services"].to_numpy(),
            "opened": gone["opened"].to_numpy(),
            "closed": gone["closed"].to_numpy(),
            "successor_id": gone["successor_id"].to_numpy(),
            "successor_name": gone["successor_id"].map(lambda s: successor_names.get(s, "")).to_numpy(),
            "successor_counted_at_end": gone["successor_id"].isin(after.centres["id"]).to_numpy(),
            "court_services_lost": gone["id"].map(lambda c: blame_courts.get(c, 0)).to_numpy(dtype=int),
            "lsoa_services_lost": gone["id"].map(lambda c: blame_lsoas.get(c, 0)).to_numpy(dtype=int),
            "source_urls": gone["source_urls"].to_numpy(),
        },
        columns=list(CLOSURE_COLUMNS),
    )
    return LostSince(
        start=before,
        end=after,
        rule=rule,
        courts=lost_courts,
        areas=lost_areas,
        closures=closures.sort_values(["closed", "name"]).reset_index(drop=True),
    )


#: Columns of :func:`timeline`.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "date", "event", "effective_from", "centre_id", "centre_name", "services", "drive_minutes",
    "successor_id", "source_urls", "supported_share_after", "supervised_share_after",
    "supported_people_after", "supervised_people_after",
)


def timeline(
    points: pd.DataFrame,
    centres: pd.DataFrame,
    *,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """Dated openings and closures of the centres within reach of some points, with reach after each.

    A centre is *within reach* when, ignoring its status, it lies within the
    rule's threshold of at least one point (a court, or the LSOAs of an area).
    Each stated date gives one event; a centre with no stated opening gets
    one undated row ("opening date not stated"), listed first since the date
    rule presumes it open before every dated event; a closure with no
    stated date is listed last.

    Args:
        points: rows with ``lat``/``lon`` (WGS84 degrees).

    Returns:
        Columns :data:`TIMELINE_COLUMNS`: ``date`` as stated (``YYYY`` or ``YYYY-MM``, "" when
        not stated), ``effective_from`` the day the date rule applies it,
        ``drive_minutes`` from the nearest point (estimated), and
        ``supported_share_after``/``supervised_share_after`` the share of
        points (0..1) with a suitable centre within the threshold from that
        day (NaN for undated rows), and ``supported_people_after`` /
        ``supervised_people_after`` the people of those points (LSOAs with a
        ``population``; NaN for points without one, such as courts).
    """
    model = model or load_drive_time_model()
    settlements = settlements or settlement_index()
    lat, lon = points["lat"].to_numpy(dtype=float), points["lon"].to_numpy(dtype=float)
    keep = centres["lat"].notna() & centres["lon"].notna()
    if not rule.include_sample:
        keep &= centres["sample"] != "yes"
    placed = centres[keep].reset_index(drop=True)
    index = centre_index(placed, model=model, settlements=settlements)
    near = index.within_pairs(lat, lon, rule=rule, origin_landmass=landmasses_of(points)).tocsc()
    relevant = placed[near.getnnz(axis=0) > 0]
    minutes: dict[str, float] = {}
    if not relevant.empty:
        nearest = centre_index(points, model=model, settlements=settlements).nearest(
            relevant["lat"].to_numpy(), relevant["lon"].to_numpy(), origin_landmass=landmasses_of(relevant)
        )
        minutes = dict(zip(relevant["id"], nearest.drive_minutes))

    events: list[dict[str, Any]] = []
    for row in relevant.to_dict("records"):
        common = {
            "centre_id": row["id"], "centre_name": row["name"], "services": row["services"] or NOT_STATED,
            "drive_minutes": minutes[row["id"]], "successor_id": "", "source_urls": row["source_urls"],
        }
        if row["opened"]:
            events.append({**common, "date": row["opened"], "event": "opened", "effective_from": counted_from(row["opened"])})
        else:
            events.append({**common, "date": "", "event": "opening date not stated", "effective_from": None})
        if row["closed"]:
            event = "closed (by this date)"
            if row["successor_id"]:
                event += f"; service taken over by {row['successor_id']}"
            events.append({**common, "date": row["closed"], "event": event, "effective_from": counted_until(row["closed"]),
                           "successor_id": row["successor_id"]})
        elif row["status"] == "closed":
            events.append({**common, "date": "", "event": "closed (date not stated)", "effective_from": None})

    out = pd.DataFrame(events, columns=list(TIMELINE_COLUMNS))
    people = points["population"].to_numpy(dtype=float) if "population" in points else np.full(len(points), np.nan)
    for service in SERVICES_FOR_RULE:
        shares, counts = [], []
        for effective in out["effective_from"]:
            if effective is None:
                shares.append(np.nan)
                counts.append(np.nan)
                continue
            dated = _centres_at(centres, effective, effective.isoformat()[:7])
            _, pairs = _within(points, dated.centres, service=service, rule=rule, model=model, settlements=settlements)
            reached = pairs.getnnz(axis=1) > 0
            shares.append(float(reached.mean()))
            counts.append(float(people[reached].sum()) if not np.isnan(people).all() else np.nan)
        out[f"{service}_share_after"] = np.array(shares, dtype=float)
        out[f"{service}_people_after"] = np.array(counts, dtype=float)
    order = out["effective_from"].map(lambda d: d.isoformat() if d is not None else "")
    order = order.where(out["event"] != "closed (date not stated)", "~")
    out = out.assign(_order=order).sort_values(["_order", "centre_name"], kind="stable").drop(columns="_order")
    out = out.reset_index(drop=True)
    out["effective_from"] = out["effective_from"].map(lambda d: d.isoformat() if d is not None else "")
    return out[list(TIMELINE_COLUMNS)]


def court_timeline(
    court_id: str, courts: pd.DataFrame, centres: pd.DataFrame, *, rule: CampaignRule,
    model: DriveTimeModel | None = None, settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """:func:`timeline` for one family court centre.

    Raises:
        NotFoundError: no court has ``court_id``.
    """
    court = courts[courts["id"] == court_id]
    if court.empty:
        raise NotFoundError(f"no family court centre with id {court_id!r}; ids are FaCT slugs such as 'central-family-court'")
    return timeline(court, centres, rule=rule, model=model, settlements=settlements)


def area_timeline(
    local_authority_code: str, lsoas: pd.DataFrame, centres: pd.DataFrame, *, rule: CampaignRule,
    model: DriveTimeModel | None = None, settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """:func:`timeline` for the LSOAs of one local authority (shares are of its LSOAs; people are its LSOAs' people).

    Raises:
        NotFoundError: no LSOA belongs to ``local_authority_code``.
    """
    area = lsoas[lsoas["local_authority_code"] == local_authority_code]
    if area.empty:
        raise NotFoundError(
            f"no LSOA in local authority {local_authority_code!r}; use an ONS code such as 'E08000025' (Birmingham)"
        )
    return timeline(area, centres, rule=rule, model=model, settlements=settlements)


#: Columns of :func:`service_lineage`.
LINEAGE_COLUMNS: tuple[str, ...] = (
    "id", "name", "organisation", "town", "status", "opened", "closed", "successor_id", "services", "source_urls",
)


def service_lineage(centres: pd.DataFrame, centre_id: str) -> pd.DataFrame:
    """The chain of centres that ran one service: predecessors, the centre, successors.

    Follows ``successor_id`` both ways (e.g. Milli's Child Contact Centre →
    Centrepoint child contact centre in Jersey).

    Returns:
        Columns :data:`LINEAGE_COLUMNS`, earliest first.

    Raises:
        NotFoundError: no centre has ``centre_id``.
    """
    ids = set(centres["id"])
    if centre_id not in ids:
        raise NotFoundError(f"no centre with id {centre_id!r}; {CENTRE_ID_HINT}")
    successor = dict(zip(centres["id"], centres["successor_id"]))
    predecessor = {after: before for before, after in successor.items() if after}
    first, seen = centre_id, {centre_id}
    while predecessor.get(first) in ids and predecessor[first] not in seen:
        first = predecessor[first]
        seen.add(first)
    chain = [first]
    while successor.get(chain[-1]) in ids and successor[chain[-1]] not in chain:
        chain.append(successor[chain[-1]])
    by_id = centres.set_index("id")
    out = by_id.loc[chain].reset_index()
    return out[list(LINEAGE_COLUMNS)]


#: Columns of :func:`documented_history`.
HISTORY_COLUMNS: tuple[str, ...] = ("date", "event", "source")


def documented_history(profile: dict[str, Any]) -> pd.DataFrame:
    """A centre profile's dated history (e.g. ``network_data/centres/millis.yaml``).

    Events without their own source carry the profile's ``source``.

    Returns:
        Columns :data:`HISTORY_COLUMNS`, in the profile's order.
    """
    rows = [
        {"date": str(item["date"]), "event": item["event"], "source": item.get("source") or profile.get("source", "")}
        for item in profile.get("history", [])
    ]
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
