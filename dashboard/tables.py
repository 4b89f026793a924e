"""Library frames rearranged for people: chosen columns, plain headings, rounded units.

Presentation only: the values are those of ``millis_network``; nothing is
computed here beyond rounding and renaming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from millis_network.wording import (
    NO_CENTRE_IN_DIRECTORY,
    NOT_STATED,
    PRECISION_LABELS,
    centre_drive_text,
)

if TYPE_CHECKING:
    from millis_network.evidence.information_sheet import InformationSheet


def _minutes(values: pd.Series) -> pd.Series:
    """Whole minutes; missing (the page shows :data:`~millis_network.wording.NO_ROAD`) where no suitable centre
    can be reached by road (NaN or inf)."""
    return values.replace([np.inf, -np.inf], np.nan).round(0)


def nearest_centres(near: pd.DataFrame) -> pd.DataFrame:
    """:func:`millis_network.engine.coverage.centres_near` rows as a table for people."""
    return pd.DataFrame(
        {
            "Centre": near["name"] + near["sample"].map({"yes": " [SAMPLE]"}).fillna(""),
            "Where": near["postcode"].where(near["postcode"] != "", near["town"]),
            "Map position": near["location_precision"].map(PRECISION_LABELS).fillna(""),
            "Miles": near["distance_miles"].round(1),
            "Drive (est.)": [centre_drive_text(m, j) for m, j in zip(near["drive_minutes"], near["journey"], strict=True)],
            "Within reach": near["within_threshold"],
            "Services": near["services"].replace("", NOT_STATED),
            "Accreditation": near["accreditation"],
            "Opening": near["opening"].replace("", NOT_STATED),
            "How to refer": near["referral"].replace("", NOT_STATED),
            "Source": near["source_urls"].str.split(";").str[0].str.strip(),
        }
    )


def _service_columns(frame: pd.DataFrame, service: str) -> dict[str, pd.Series]:
    return {
        f"Nearest {service}": frame[f"nearest_{service}_name"].replace("", NO_CENTRE_IN_DIRECTORY),
        f"{service.capitalize()} miles": frame[f"nearest_{service}_miles"].round(1),
        f"{service.capitalize()} drive (min)": _minutes(frame[f"nearest_{service}_minutes"]),
        f"{service.capitalize()} journey": frame[f"nearest_{service}_journey"],
        f"{service.capitalize()} within reach": frame[f"{service}_within"],
    }


def courts(coverage: pd.DataFrame) -> pd.DataFrame:
    """:func:`millis_network.engine.coverage.court_coverage` as a table for people."""
    return pd.DataFrame(
        {
            "Court": coverage["court_name"],
            "Jurisdiction": coverage["jurisdiction"],
            "Town": coverage["town"],
            "Status": coverage["status"],
            **_service_columns(coverage, "supported"),
            **_service_columns(coverage, "supervised"),
        }
    )


def gaps(failing: pd.DataFrame) -> pd.DataFrame:
    """:meth:`millis_network.engine.analysis.Analysis.gaps` as a ranked table (also the download)."""
    return pd.DataFrame(
        {
            "Rank": range(1, len(failing) + 1),
            "Court": failing["court_name"],
            "Court id": failing["court_id"],
            "Jurisdiction": failing["jurisdiction"],
            "Town": failing["town"],
            "Postcode": failing["postcode"],
            "Status": failing["status"],
            "Longest drive to a missing service (min)": _minutes(failing["worst_minutes"]),
            "Longest drive: journey": failing["worst_journey"],
            **_service_columns(failing, "supported"),
            **_service_columns(failing, "supervised"),
            "Rule": failing["threshold"],
            "Rule version": failing["rule_version"],
        }
    )


def areas(summary: pd.DataFrame, *, service: str) -> pd.DataFrame:
    """:func:`millis_network.engine.coverage.reach_summary` by local authority, as a table for people.

    Shares of LSOAs ("(share)") and, beside them, of people ("(share of people)") and counts of people.
    """
    shares = {
        column.replace("share_within_", "Within ").replace("_min", " min (share)"): summary[column].round(3)
        for column in summary.columns
        if column.startswith("share_within_")
    }
    people_shares = {
        column.replace("people_share_within_", "Within ").replace("_min", " min (share of people)"):
            summary[column].round(3)
        for column in summary.columns
        if column.startswith("people_share_within_")
    }
    return pd.DataFrame(
        {
            "Local authority": summary["area_name"],
            "Code": summary["area_code"],
            "LSOAs": summary["lsoas"],
            "People": summary["people"].round(0),
            f"Median drive to {service} (min)": _minutes(summary[f"median_{service}_minutes"]),
            "90th percentile drive (min)": _minutes(summary[f"p90_{service}_minutes"]),
            **shares,
            **people_shares,
            "Beyond 50 miles (share)": summary["share_beyond_50_miles"].round(3),
            "Beyond 50 miles (people)": summary["people_beyond_50_miles"].round(0),
            "Beyond 50 miles (share of people)": summary["people_share_beyond_50_miles"].round(3),
            "Both services within reach (share)": summary["share_covered"].round(3),
            "Both services within reach (share of people)": summary["people_share_covered"].round(3),
        }
    ).sort_values(f"Median drive to {service} (min)", ascending=False, na_position="first")


def sheet_centres(sheet: InformationSheet) -> pd.DataFrame:
    """The centres of an information sheet as the page shows them (the sheet's own wording)."""
    return pd.DataFrame(
        {
            "Centre": [c.name + (" [SAMPLE]" if c.sample else "") for c in sheet.centres],
            "Where": [c.location + (f" ({c.location_note})" if c.location_note else "") for c in sheet.centres],
            "Miles": [round(c.distance_miles, 1) for c in sheet.centres],
            "Drive (est.)": [centre_drive_text(c.drive_minutes, c.journey) for c in sheet.centres],
            "Within reach": [c.within_threshold for c in sheet.centres],
            "Services": [c.services for c in sheet.centres],
            "Accreditation": [c.accreditation for c in sheet.centres],
            "Opening": [c.opening for c in sheet.centres],
            "How to refer": [c.referral for c in sheet.centres],
            "Source": [c.source_url for c in sheet.centres],
        }
    )
