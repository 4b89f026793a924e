"""What-ifs: what closing one centre would cost, and where new centres would help most.

Both use the coverage engine (:mod:`millis_network.engine.coverage`) and its
single definition of *within reach*; distances and times are those of
:class:`~millis_network.engine.coverage.CentreIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from scipy import sparse

from millis_network.config import CampaignRule
from millis_network.directory import CENTRE_ID_HINT
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    load_drive_time_model,
)
from millis_network.engine.coverage import (
    SERVICES_FOR_RULE,
    CentreIndex,
    area_reach,
    court_coverage,
    service_indexes,
)
from millis_network.errors import NotFoundError
from millis_network.landmasses import landmasses_of
from millis_network.places import nearest_places
from millis_network.wording import site_near


@dataclass(frozen=True)
class ClosureImpact:
    """What closing one centre would cost: courts and LSOAs that lose reach."""

    centre_id: str
    courts: pd.DataFrame
    areas: pd.DataFrame
    lsoas_losing_cover: int
    courts_losing_rule: int
    people_losing_cover: float = float("nan")


def closure_impact(
    centre_id: str,
    courts: pd.DataFrame,
    centres: pd.DataFrame,
    lsoas: pd.DataFrame,
    *,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> ClosureImpact:
    """Remove one centre and compare coverage before and after.

    Returns:
        :class:`ClosureImpact` with ``courts``: courts whose nearest distance
        or rule status changed (``court_id``, ``court_name``,
        ``meets_rule_before``/``after``, ``supported_minutes_before``/``after``,
        ``supervised_minutes_before``/``after``, ``extra_minutes``) and
        ``areas``: LSOAs whose nearest drive grew (``lsoa_code``,
        ``local_authority_name``, ``minutes_before``, ``minutes_after``,
        ``extra_minutes``, ``covered_before``, ``covered_after``, ``population``),
        worst first; ``people_losing_cover`` counts the people of LSOAs that lose
        cover (:data:`~millis_network.wording.POPULATION_NOTE`; NaN without populations).

    Raises:
        NotFoundError: no centre has ``centre_id``.
    """
    if centre_id not in set(centres["id"]):
        raise NotFoundError(f"no centre with id {centre_id!r}; {CENTRE_ID_HINT}")
    model = model or load_drive_time_model()
    after_centres = centres[centres["id"] != centre_id]
    before = court_coverage(courts, centres, rule=rule, model=model, settlements=settlements)
    after = court_coverage(courts, after_centres, rule=rule, model=model, settlements=settlements)
    court_diff = pd.DataFrame(
        {
            "court_id": before["court_id"],
            "court_name": before["court_name"],
            "meets_rule_before": before["meets_rule"],
            "meets_rule_after": after["meets_rule"],
        }
    )
    extra = np.zeros(len(before))
    for service in SERVICES_FOR_RULE:
        b = before[f"nearest_{service}_minutes"].to_numpy()
        a = after[f"nearest_{service}_minutes"].to_numpy()
        court_diff[f"{service}_minutes_before"] = b
        court_diff[f"{service}_minutes_after"] = a
        extra = np.fmax(extra, np.where(np.isnan(a) & ~np.isnan(b), np.inf, np.nan_to_num(a - b)))
    court_diff["extra_minutes"] = extra
    changed = (court_diff["extra_minutes"] > 0) | (court_diff["meets_rule_before"] != court_diff["meets_rule_after"])
    court_diff = court_diff[changed].sort_values("extra_minutes", ascending=False).reset_index(drop=True)

    reach_before = area_reach(lsoas, centres, rule=rule, model=model, settlements=settlements)
    reach_after = area_reach(lsoas, after_centres, rule=rule, model=model, settlements=settlements)
    b = np.fmin(reach_before["nearest_supported_minutes"].fillna(np.inf), np.inf)
    a = np.fmin(reach_after["nearest_supported_minutes"].fillna(np.inf), np.inf)
    bs = reach_before["nearest_supervised_minutes"].fillna(np.inf)
    as_ = reach_after["nearest_supervised_minutes"].fillna(np.inf)
    extra_area = np.fmax(np.where(np.isfinite(a), a - b, np.inf), np.where(np.isfinite(as_), as_ - bs, np.inf))
    extra_area = np.where((a == b) & (as_ == bs), 0.0, extra_area)
    areas = pd.DataFrame(
        {
            "lsoa_code": reach_before["lsoa_code"],
            "local_authority_name": reach_before["local_authority_name"],
            "minutes_before": np.fmin(b, bs),
            "minutes_after": np.fmin(a, as_),
            "extra_minutes": extra_area,
            "covered_before": reach_before["covered"],
            "covered_after": reach_after["covered"],
            "population": reach_before["population"],
        }
    )
    areas = areas[areas["extra_minutes"] > 0].sort_values("extra_minutes", ascending=False).reset_index(drop=True)
    losing = areas["covered_before"] & ~areas["covered_after"]
    return ClosureImpact(
        centre_id=centre_id,
        courts=court_diff,
        areas=areas,
        lsoas_losing_cover=int((areas["covered_before"] & ~areas["covered_after"]).sum()),
        courts_losing_rule=int((court_diff["meets_rule_before"] & ~court_diff["meets_rule_after"]).sum()),
        people_losing_cover=float(areas.loc[losing, "population"].sum(min_count=1)) if losing.any() else 0.0,
    )


#: Columns of :func:`recommend_sites`.
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "rank", "site_kind", "site_id", "site_name", "local_authority_name", "lat", "lon",
    "new_courts_meeting_rule", "new_lsoas_covered", "cumulative_courts_meeting_rule",
    "cumulative_lsoas_covered", "cumulative_share_lsoas_covered", "new_people_covered", "cumulative_people_covered",
)


def candidate_sites(courts: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Candidate sites for new centres: every court's location and one LSOA per local authority.

    The LSOA chosen for a local authority is the one whose centroid lies
    closest to the mean of its LSOA centroids (a population-weighted centre,
    since LSOAs hold similar populations). An LSOA site is named for people by
    the nearest gazetteer place in its local authority
    (:func:`millis_network.places.nearest_places`), with the LSOA code as
    detail: "near Chelsea, Kensington and Chelsea (LSOA E01002840)".

    Returns:
        ``site_kind`` (``court`` or ``lsoa``), ``site_id``, ``site_name``,
        ``local_authority_name``, ``lat``, ``lon`` (WGS84) and ``landmass``.
    """
    court_sites = pd.DataFrame(
        {
            "site_kind": "court",
            "site_id": courts["id"].to_numpy(),
            "site_name": (courts["town"].where(courts["town"] != "", courts["name"])).to_numpy(),
            "local_authority_name": "",
            "lat": courts["lat"].to_numpy(dtype=float),
            "lon": courts["lon"].to_numpy(dtype=float),
            "landmass": landmasses_of(courts),
        }
    )
    centre_of = lsoas.groupby("local_authority_code")[["easting_m", "northing_m"]].transform("mean")
    # numpy's stubs do not model ufuncs deferring to pandas (__array_ufunc__): on Series, hypot returns a Series.
    offset = cast(
        "pd.Series[float]",
        np.hypot(lsoas["easting_m"] - centre_of["easting_m"], lsoas["northing_m"] - centre_of["northing_m"]),
    )
    central = lsoas.loc[offset.groupby(lsoas["local_authority_code"]).idxmin()]
    places = nearest_places(central["lat"].to_numpy(dtype=float), central["lon"].to_numpy(dtype=float),
                            local_authority_code=central["local_authority_code"].to_numpy(dtype=object))
    lsoa_sites = pd.DataFrame(
        {
            "site_kind": "lsoa",
            "site_id": central["lsoa_code"].to_numpy(),
            "site_name": [site_near(str(place), str(area), str(code)) for place, area, code in zip(
                places["place_name"], central["local_authority_name"], central["lsoa_code"], strict=True)],
            "local_authority_name": central["local_authority_name"].to_numpy(),
            "lat": central["lat"].to_numpy(dtype=float),
            "lon": central["lon"].to_numpy(dtype=float),
            "landmass": landmasses_of(central),
        }
    )
    return pd.concat([court_sites, lsoa_sites], ignore_index=True)


def recommend_sites(
    courts: pd.DataFrame,
    centres: pd.DataFrame,
    lsoas: pd.DataFrame,
    *,
    sites: int,
    rule: CampaignRule,
    candidates: pd.DataFrame | None = None,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """Greedy maximal covering: where ``sites`` new centres (supported and supervised) help most.

    Each pick maximises the number of courts newly meeting the rule, then the
    number of LSOAs newly covered (both services within the threshold). A new
    site offers both services. Stops early when no candidate adds anything.

    Returns:
        One row per pick, columns :data:`RECOMMENDATION_COLUMNS`: the
        marginal gain of each pick and the cumulative result, in courts, LSOAs
        and people (:data:`~millis_network.wording.POPULATION_NOTE`; NaN without populations).
    """
    if sites < 1:
        raise ValueError(f"sites must be at least 1, got {sites}")
    model = model or load_drive_time_model()
    candidates = candidate_sites(courts, lsoas) if candidates is None else candidates.reset_index(drop=True)
    site_index = CentreIndex(
        candidates["lat"].to_numpy(), candidates["lon"].to_numpy(), model=model, settlements=settlements,
        landmass=candidates["landmass"].to_numpy() if "landmass" in candidates else None,
    )
    services = service_indexes(centres, rule, model, settlements)

    def state(points: pd.DataFrame, landmass: np.ndarray) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
        lat, lon = points["lat"].to_numpy(dtype=float), points["lon"].to_numpy(dtype=float)
        has = {}
        for service, (_, index) in services.items():
            pairs = index.within_pairs(lat, lon, rule=rule, origin_landmass=landmass)
            has[service] = np.asarray(pairs.sum(axis=1)).ravel() > 0
        reach = site_index.within_pairs(lat, lon, rule=rule, origin_landmass=landmass)
        return has["supported"], has["supervised"], reach.T.tocsr()

    court_sup, court_sv, court_by_site = state(courts, landmasses_of(courts))
    lsoa_sup, lsoa_sv, lsoa_by_site = state(lsoas, landmasses_of(lsoas))
    total_lsoas = len(lsoas)
    people = lsoas["population"].to_numpy(dtype=float) if "population" in lsoas else np.full(total_lsoas, np.nan)
    rows = []
    for rank in range(1, sites + 1):
        court_need = ~(court_sup & court_sv)
        lsoa_need = ~(lsoa_sup & lsoa_sv)
        court_gain = court_by_site @ court_need.astype(np.int64)
        lsoa_gain = lsoa_by_site @ lsoa_need.astype(np.int64)
        score = court_gain.astype(float) * (total_lsoas + 1) + lsoa_gain
        best = int(np.argmax(score))
        if score[best] <= 0:
            break
        new_courts = court_by_site[best].indices
        new_lsoas = lsoa_by_site[best].indices
        new_people = float(people[new_lsoas[lsoa_need[new_lsoas]]].sum())
        court_sup[new_courts] = court_sv[new_courts] = True
        lsoa_sup[new_lsoas] = lsoa_sv[new_lsoas] = True
        site = candidates.iloc[best]
        rows.append(
            {
                "rank": rank,
                "site_kind": site["site_kind"],
                "site_id": site["site_id"],
                "site_name": site["site_name"],
                "local_authority_name": site["local_authority_name"],
                "lat": float(site["lat"]),
                "lon": float(site["lon"]),
                "new_courts_meeting_rule": int(court_gain[best]),
                "new_lsoas_covered": int(lsoa_gain[best]),
                "cumulative_courts_meeting_rule": int((court_sup & court_sv).sum()),
                "cumulative_lsoas_covered": int((lsoa_sup & lsoa_sv).sum()),
                "cumulative_share_lsoas_covered": float((lsoa_sup & lsoa_sv).mean()),
                "new_people_covered": new_people,
                "cumulative_people_covered": float(people[lsoa_sup & lsoa_sv].sum()),
            }
        )
    return pd.DataFrame(rows, columns=list(RECOMMENDATION_COLUMNS))


def sites_to_meet_rule_everywhere(
    courts: pd.DataFrame,
    centres: pd.DataFrame,
    lsoas: pd.DataFrame,
    *,
    rule: CampaignRule,
    model: DriveTimeModel | None = None,
    settlements: SettlementIndex | None = None,
) -> pd.DataFrame:
    """Greedy picks until every court meets the rule (at most one new site per court).

    Returns:
        As :func:`recommend_sites`; its length is the number of new centres needed.
    """
    coverage = court_coverage(courts, centres, rule=rule, model=model, settlements=settlements)
    failing = int((~coverage["meets_rule"]).sum())
    if failing == 0:
        return pd.DataFrame(columns=list(RECOMMENDATION_COLUMNS))
    picks = recommend_sites(courts, centres, lsoas, sites=failing, rule=rule, model=model, settlements=settlements)
    reached = picks["cumulative_courts_meeting_rule"] >= len(courts)
    return picks.iloc[: int(np.argmax(reached.to_numpy())) + 1] if reached.any() else picks
