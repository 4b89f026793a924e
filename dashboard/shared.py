"""Page furniture every page shares: the sidebar controls, the URL, the data notices.

The settings (reach threshold, service, jurisdiction, accredited only, sample
records) live in ``st.session_state`` under the keys of
:data:`CHOICES` and :data:`SWITCHES`. :func:`start_session` seeds them once
from the URL and :func:`keep_controls_in_url` writes them back to
``st.query_params``; a page keeps its own view state (a selected court, a
postcode) there with :func:`url_value` and :func:`remember_in_url`, so a copied
link reproduces the view.

The entrypoint (``app.py``) draws the controls with :func:`shared_furniture`
before any page runs. A page reads them with :func:`current_rule`,
:func:`current_service` and :func:`current_jurisdiction`, and calls
:func:`data_notice` wherever the centre directory or sample records take part.
(The pages live in ``views/``, not ``pages/``: a folder named ``pages/`` makes
Streamlit run a deep-linked page without the entrypoint on a fresh server.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from millis_network.config import (
    DEFAULT_THRESHOLD_MINUTES,
    FAR_MILES,
    REACH_BANDS_MINUTES,
    CampaignRule,
)
from millis_network.engine.analysis import Analysis
from millis_network.engine.coverage import SERVICES_FOR_RULE, Service
from millis_network.wording import NOT_STATED


@dataclass(frozen=True)
class Choice:
    """A shared select control: URL values (the first is the default) and their labels."""

    label: str
    options: dict[str, str]
    help: str

    @property
    def default(self) -> str:
        """The first option's URL value."""
        return next(iter(self.options))


@dataclass(frozen=True)
class Threshold:
    """A reach threshold the sidebar offers: drive minutes or straight-line miles."""

    label: str
    minutes: float = DEFAULT_THRESHOLD_MINUTES
    miles: float | None = None


#: Reach thresholds by URL value, the campaign's default first.
THRESHOLDS: dict[str, Threshold] = {
    f"{band}min": Threshold(f"{band} minutes' drive", minutes=float(band))
    for band in sorted(REACH_BANDS_MINUTES, key=lambda band: band != DEFAULT_THRESHOLD_MINUTES)
} | {f"{FAR_MILES:g}mi": Threshold(f"{FAR_MILES:g} miles (straight line)", miles=FAR_MILES)}

#: Court jurisdictions a visitor can limit the view to.
JURISDICTIONS: tuple[str, ...] = ("England", "Wales", "Jersey")

#: Shared select controls, by session-state key (= URL parameter).
CHOICES: dict[str, Choice] = {
    "threshold": Choice(
        "Reach threshold",
        {value: threshold.label for value, threshold in THRESHOLDS.items()},
        "How near a suitable centre must be, one way. Drive times are estimated from straight-line distance.",
    ),
    "service": Choice(
        "Service",
        {service: f"{service.capitalize()} contact" for service in SERVICES_FOR_RULE},
        "Which service the drive-time layer and the nearest-centre lists measure.",
    ),
    "jurisdiction": Choice(
        "Jurisdiction",
        {"all": "England, Wales and Jersey"} | {name: name for name in JURISDICTIONS},
        "Limit courts and areas to one jurisdiction. Centres across a border still count.",
    ),
}

#: Shared on/off controls, by session-state key (= URL parameter, "yes"/"no"), with their help.
SWITCHES: dict[str, tuple[str, str]] = {
    "accredited": (
        "Count only NACCC-accredited centres",
        f"Accreditation is often {NOT_STATED} in the directory; '{NOT_STATED}' does not mean unaccredited.",
    ),
    "sample": (
        "Include sample records",
        "Sample records are illustrative, not real centres; they are labelled wherever shown.",
    ),
}


def shared_furniture() -> None:
    """Seed the settings, draw the sidebar and keep the URL current (the entrypoint calls this)."""
    start_session()
    sidebar_controls()
    keep_controls_in_url()


def default_settings() -> dict[str, str | bool]:
    """Every shared setting as a visitor first sees it, when the URL names none."""
    return {key: choice.default for key, choice in CHOICES.items()} | dict.fromkeys(SWITCHES, False)


def start_session() -> None:
    """Seed the shared controls from the URL on a session's first run (bad values fall back to defaults)."""
    defaults = default_settings()
    for key, choice in CHOICES.items():
        if key not in st.session_state:
            value = st.query_params.get(key)
            st.session_state[key] = value if value in choice.options else defaults[key]
    for key in SWITCHES:
        if key not in st.session_state:
            st.session_state[key] = st.query_params.get(key) == "yes"


def _widget_key(key: str) -> str:
    return f"sidebar_{key}"


def _copy_from_widget(key: str) -> None:
    st.session_state[key] = st.session_state[_widget_key(key)]


def sidebar_controls() -> None:
    """The shared controls, in the sidebar.

    Each widget has its own key (``sidebar_<setting>``) and copies its value
    to the setting when changed; the setting is a plain session value, so it
    survives page switches, when Streamlit may drop widget state.
    """
    with st.sidebar:
        st.header("Settings")
        for key, choice in CHOICES.items():
            st.session_state[_widget_key(key)] = st.session_state[key]
            st.selectbox(
                choice.label, list(choice.options), format_func=choice.options.__getitem__, help=choice.help,
                key=_widget_key(key), on_change=_copy_from_widget, args=(key,),
            )
        for key, (label, help_text) in SWITCHES.items():
            st.session_state[_widget_key(key)] = st.session_state[key]
            st.toggle(label, help=help_text, key=_widget_key(key), on_change=_copy_from_widget, args=(key,))
        st.caption("Settings apply to every page and are kept in the address bar: copy it to share this view.")


def rule_for(settings: Mapping[str, Any]) -> CampaignRule:
    """The campaign rule that shared settings (session state or :func:`default_settings`) describe."""
    threshold = THRESHOLDS[settings["threshold"]]
    return CampaignRule(
        threshold_minutes=threshold.minutes,
        threshold_miles=threshold.miles,
        accreditation="accredited" if settings["accredited"] else "any",
        include_sample=settings["sample"],
    )


def jurisdiction_for(settings: Mapping[str, Any]) -> str:
    """The court jurisdiction that shared settings choose, or "" for all."""
    value = settings["jurisdiction"]
    return "" if value == "all" else value


def current_rule() -> CampaignRule:
    """The campaign rule the sidebar describes."""
    start_session()
    return rule_for(st.session_state)


def current_service() -> Service:
    """``supported`` or ``supervised``, as chosen in the sidebar."""
    start_session()
    return st.session_state["service"]


def current_jurisdiction() -> str:
    """The chosen court jurisdiction, or "" for all."""
    start_session()
    return jurisdiction_for(st.session_state)


def url_value(key: str, valid: Callable[[str], bool] = bool) -> str:
    """A page's own view state from the URL ("" when absent or not ``valid``)."""
    value = st.query_params.get(key, "")
    return value if value and valid(value) else ""


def keep_controls_in_url() -> None:
    """Write the shared controls to the URL (other parameters are left alone)."""
    wanted = {key: st.session_state[key] for key in CHOICES}
    wanted |= {key: "yes" if st.session_state[key] else "no" for key in SWITCHES}
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def remember_in_url(**page_state: str) -> None:
    """Keep a page's own view state (a selected court, a postcode) in the URL; "" removes a key."""
    for key, value in page_state.items():
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]


def data_notice(analysis: Analysis) -> None:
    """The visible note shown wherever the centre directory or sample records take part."""
    if analysis.sample_included:
        st.warning(
            "**Sample records included.** Some centres counted here are illustrative sample records, not real "
            "centres; they are labelled SAMPLE wherever shown. Turn off *Include sample records* for real data only.",
            icon=":material/warning:",
        )
    st.info(
        f"**Incomplete directory.** {analysis.completeness.describe()} "
        f"Read from the {analysis.network.provenance.describe()}.",
        icon=":material/info:",
    )
