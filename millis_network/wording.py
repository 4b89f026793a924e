"""Plain words for shared facts: every output says the same fact the same way.

The dashboard, briefings, exports, information sheets and the command line
read their phrases for shared facts from here: a centre with no road to it,
a journey by road and ferry, a detail the directory does not state, how
approximately a centre is placed, a withheld address, how the court
serving an area is chosen and what a count of people means.
:func:`display_value` renders a missing value (None, NaN, NaT, ``pd.NA``,
an empty string) as the phrase that fits it, so no reader ever sees
``None`` or ``nan``.

While the directory is incomplete a gap is "no centre *in this directory*",
never "no centre": every phrase about absence says so.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

# ---------------------------------------------------------------- absence and reach

#: No centre offering the service is in this directory at all.
NO_CENTRE_IN_DIRECTORY = "no suitable centre in this directory"
#: Centres exist, but none can be reached by road (a drive time is NaN or infinite).
NO_ROAD = "no suitable centre in this directory by road"
#: The nearest centre, or the one named, lies across the sea from the family: a distance, no drive time.
ACROSS_THE_SEA = "across the sea (no road)"
#: A journey on one landmass, by road only.
BY_ROAD = "by road"
#: A journey that crosses the sea by a scheduled car ferry: drive, crossing and allowance.
BY_ROAD_AND_FERRY = "by road and ferry"
#: Two places joined by neither road nor scheduled car ferry.
NO_ROAD_OR_FERRY = "no road or ferry link"
#: No suitable centre lies within the rule's reach.
NO_CENTRE_WITHIN_REACH = "no centre in this directory within reach"
#: A date a record does not carry: no deadline, no expiry, no date recorded.
NO_DATE = "no date"

# ---------------------------------------------------------------- details the directory does not state

#: A detail the directory does not state ("not stated" never means "no").
NOT_STATED = "not stated"
#: A centre's services, when the directory does not state them.
SERVICES_NOT_STATED = f"services {NOT_STATED}"
#: A centre's accreditation, when the directory does not state it (it does not mean unaccredited).
ACCREDITATION_NOT_STATED = f"Accreditation {NOT_STATED}"
#: A centre's opening pattern, when not stated: what a family should do.
OPENING_NOT_STATED = f"{NOT_STATED}: ask the centre"
#: How to refer to a centre, when not stated: what a family should do.
REFERRAL_NOT_STATED = f"{NOT_STATED}: ask the centre how to refer"
#: A place (town or postcode) the record does not give.
PLACE_NOT_STATED = f"place {NOT_STATED}"

# ---------------------------------------------------------------- where a centre is shown

#: Each ``location_precision`` in words, for maps, tables and documents.
PRECISION_LABELS: dict[str, str] = {
    "postcode": "placed at its postcode",
    "district": "approximate: postcode district only",
    "town": "approximate: town centre",
    "island": "approximate: island only",
    "none": "not placed",
}

#: How each public precision of a centre whose address is withheld is said, on maps, tables and documents.
WITHHELD_PHRASES: dict[str, str] = {
    "district": "address withheld for safety: shown at its postcode district only",
    "island": "address withheld for safety: shown only as on its island",
    "none": "address withheld for safety: not shown on the map",
}

#: Beside a withheld centre's district or island, on a family's information sheet.
ADDRESS_ON_REFERRAL = "address given on referral"

# ---------------------------------------------------------------- method notes

#: How outputs explain the court serving an area (:func:`millis_network.engine.coverage.serving_courts`).
SERVING_COURT_NOTE = (
    "Courts publish no catchment areas, so the court serving an area is taken to be the nearest family court "
    "centre in the same nation."
)

#: The one phrase for what "people" means, shown wherever a figure is people.
POPULATION_NOTE = (
    "People are ONS mid-2019 population estimates (all ages) of the 2011 LSOAs, split between 2024 constituencies "
    "by mySociety's overlaps; they count everyone, not only families with children."
)

# ---------------------------------------------------------------- rendering values

#: The phrase for a missing value, by the unit its column name ends with (:func:`missing_phrase`).
MISSING_BY_SUFFIX: dict[str, str] = {
    "_minutes": NO_ROAD,
    "_km": NO_CENTRE_IN_DIRECTORY,
    "_miles": NO_CENTRE_IN_DIRECTORY,
}


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, NaN, NaT, ``pd.NA``, infinite or an empty (or blank) string."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real):
        return not math.isfinite(float(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def display_value(value: object, *, missing: str = NOT_STATED) -> str:
    """``value`` as text for a reader: ``missing`` when it is missing (:func:`is_missing`), else its text.

    Whole floats lose their ``.0`` ("3.0" → "3"); other values are ``str(value)``.
    """
    if is_missing(value):
        return missing
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def missing_phrase(column: str) -> str:
    """The phrase for a missing value in ``column``, by its unit suffix (:data:`MISSING_BY_SUFFIX`), else "not stated"."""
    return next((phrase for suffix, phrase in MISSING_BY_SUFFIX.items() if column.endswith(suffix)), NOT_STATED)


def sentence(phrase: str) -> str:
    """A phrase as the start of a sentence: its first letter upper-case ("approximate: town centre" → "Approximate: town centre")."""
    return phrase[:1].upper() + phrase[1:]


def drive_text(minutes: float, journey: str = BY_ROAD) -> str:
    """Estimated drive minutes to the nearest suitable centre in words: "48 min", "98 min by road and ferry"
    (``journey`` :data:`BY_ROAD_AND_FERRY`), or :data:`NO_ROAD` (NaN or infinite)."""
    if not math.isfinite(minutes):
        return NO_ROAD
    return f"{minutes:.0f} min {BY_ROAD_AND_FERRY}" if journey == BY_ROAD_AND_FERRY else f"{minutes:.0f} min"


def centre_drive_text(minutes: float, journey: str = BY_ROAD) -> str:
    """One named centre's drive: "22 min", "98 min by road and ferry" (``journey`` :data:`BY_ROAD_AND_FERRY`),
    or :data:`ACROSS_THE_SEA` (it has a distance but no journey time)."""
    if not math.isfinite(minutes):
        return ACROSS_THE_SEA
    return f"{minutes:.0f} min {BY_ROAD_AND_FERRY}" if journey == BY_ROAD_AND_FERRY else f"{minutes:.0f} min"


def no_centre_offering(service: str) -> str:
    """The sentence for a service no centre in this directory offers (``service``: supported, supervised, ...)."""
    return f"No centre offering {service} contact is in this directory."


def site_near(place: str, area: str, lsoa_code: str) -> str:
    """A neighbourhood named for people by its nearest place, with its LSOA as detail.

    "near Chelsea, Kensington and Chelsea (LSOA E01002840)"; the area is
    left out when the place has its name ("near Cardiff (LSOA W01001939)").
    """
    where = ", ".join(dict.fromkeys(part for part in (place, area) if part))
    return f"near {where} (LSOA {lsoa_code})" if where else f"LSOA {lsoa_code}"
