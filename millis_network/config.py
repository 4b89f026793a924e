"""Settings passed explicitly into analyses: the campaign rule and data paths.

Everything here is a frozen dataclass. One Streamlit process serves every
visitor, so nothing in this package keeps mutable module-level settings; callers
build a settings object and pass it in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

#: Version of the campaign rule implemented by :class:`CampaignRule`. Bump it
#: whenever the meaning of ``meets_rule`` changes; every result records it. 2026.2: a journey by road
#: and scheduled car ferry counts towards a drive-time threshold (``count_ferry_journeys``).
RULE_VERSION = "2026.2"

#: Default reach threshold in estimated drive minutes, one way. The campaign
#: cites a "round trip of 100 miles" (50 miles, over an hour's drive each way)
#: as the failure it wants to end, and asks for a venue *for every Family Court
#: Centre*, i.e. local to the court's area. Thirty minutes' drive keeps a
#: fortnightly two-hour contact session within a morning for a family; the
#: coverage summaries also report 15, 45 and 60 minutes so the choice can be
#: checked.
DEFAULT_THRESHOLD_MINUTES = 30.0

#: The campaign's "100-mile round trip": one-way distance beyond which a family
#: is counted as facing it.
ROUND_TRIP_MILES = 100.0
FAR_MILES = ROUND_TRIP_MILES / 2

#: Drive-time bands (minutes) reported in every population summary.
REACH_BANDS_MINUTES: tuple[int, ...] = (15, 30, 45, 60)

KM_PER_MILE = 1.609344

#: Environment variable naming the directory database: a SQLAlchemy URL or a SQLite file path.
DATABASE_ENV = "MILLIS_NETWORK_DB"

Accreditation = Literal["any", "accredited"]
Method = Literal["straight_line", "estimated_drive", "routed"]


@dataclass(frozen=True)
class CampaignRule:
    """The campaign's demand, as a checkable rule.

    A family court centre *meets the rule* when at least one open contact
    centre offering supported contact and at least one offering supervised
    contact lie within the threshold.

    Attributes:
        threshold_minutes: one-way estimated drive time in minutes; used when
            ``threshold_miles`` is None.
        threshold_miles: one-way great-circle distance in miles; when set it
            replaces the drive-time threshold and the method is straight-line.
        accreditation: ``"any"`` counts every open centre (the reference data
            often does not state accreditation, and "not stated" does not mean
            unaccredited); ``"accredited"`` counts only centres with NACCC
            accreditation (enhanced accreditation for supervised contact).
        include_sample: whether records flagged ``sample`` take part.
        unstated_services_as_supported: count an open centre whose services
            are not stated as offering supported contact. Off by default: a
            blank does not mean the service is offered either.
        count_ferry_journeys: whether a journey by road and scheduled car
            ferry (drive, crossing and check-in allowance) counts towards a
            drive-time threshold. On by default: families on the Isle of Wight
            or the Isle of Man make these journeys to mainland centres. Off,
            such centres keep their journey times but never count as within reach.
    """

    threshold_minutes: float = DEFAULT_THRESHOLD_MINUTES
    threshold_miles: float | None = None
    accreditation: Accreditation = "any"
    include_sample: bool = False
    unstated_services_as_supported: bool = False
    count_ferry_journeys: bool = True
    version: str = field(default=RULE_VERSION)

    def __post_init__(self) -> None:
        if self.threshold_miles is None and not self.threshold_minutes > 0:
            raise ValueError(
                f"threshold_minutes must be > 0, got {self.threshold_minutes!r}"
            )
        if self.threshold_miles is not None and not self.threshold_miles > 0:
            raise ValueError(f"threshold_miles must be > 0, got {self.threshold_miles!r}")
        if self.accreditation not in ("any", "accredited"):
            raise ValueError(
                f"accreditation must be 'any' or 'accredited', got {self.accreditation!r}"
            )

    @property
    def method(self) -> Method:
        """How reach is measured: straight-line miles or estimated drive minutes."""
        return "straight_line" if self.threshold_miles is not None else "estimated_drive"

    def at_default_threshold(self) -> CampaignRule:
        """This rule with the campaign's default threshold (:data:`DEFAULT_THRESHOLD_MINUTES` by drive).

        The same centres count and journeys are made the same way; only how
        near is "within reach" differs. Figures that do not depend on the
        threshold, such as each place's nearest centre and its drive, are
        the same under both, so they can be worked out once for every threshold.
        """
        return replace(self, threshold_minutes=DEFAULT_THRESHOLD_MINUTES, threshold_miles=None)

    def describe(self) -> str:
        """One line for captions and exports, e.g. ``within 30 min estimated drive``."""
        if self.threshold_miles is not None:
            reach = f"within {self.threshold_miles:g} miles (straight line)"
        else:
            reach = f"within {self.threshold_minutes:g} min (estimated drive)"
        counted = "NACCC-accredited centres" if self.accreditation == "accredited" else "all open centres"
        sample = ", sample records included" if self.include_sample else ""
        ferry = "" if self.count_ferry_journeys or self.threshold_miles is not None else ", ferry journeys not counted"
        return f"{reach}; {counted}{sample}{ferry}; rule v{self.version}"


def repository_root() -> Path:
    """The folder holding ``network_data/`` (the checkout this package runs from)."""
    return Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    """``network_data/`` of this checkout, or ``$MILLIS_NETWORK_DATA`` when set."""
    return Path(os.environ.get("MILLIS_NETWORK_DATA", repository_root() / "network_data"))


def default_cache_dir() -> Path:
    """Where derived indexes are cached: ``$MILLIS_NETWORK_CACHE`` or ``~/.cache/millis_network``."""
    env = os.environ.get("MILLIS_NETWORK_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "millis_network"
