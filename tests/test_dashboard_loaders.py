"""The dashboard's cached loaders: shared by every visitor, yet no visitor can change another's data.

Each test reads its own copy of the seeded directory database (``conftest.py``).
"""

from __future__ import annotations

import loaders
import pandas as pd

from millis_network.config import CampaignRule
from millis_network.network import PublicNetwork


def test_each_caller_gets_its_own_copy_of_a_cached_analysis() -> None:
    rule = CampaignRule()
    first = loaders.analysis(rule)
    first.court_coverage["status"] = "tampered"
    first.centres.loc[:, "name"] = "tampered"
    first.lsoas.drop(first.lsoas.index, inplace=True)
    second = loaders.analysis(rule)
    assert "tampered" not in set(second.court_coverage["status"])
    assert "tampered" not in set(second.centres["name"])
    assert len(second.lsoas) == 34_753


def test_a_cached_frame_and_a_cached_dict_come_back_unchanged() -> None:
    rule = CampaignRule()
    summary = loaders.area_summary(rule, "", "supported")
    summary.iloc[:, 2] = -1
    assert (loaders.area_summary(rule, "", "supported").iloc[:, 2] > 0).all()
    headline = loaders.headline(rule)
    headline["courts"] = -1
    assert loaders.headline(rule)["courts"] == 167


def test_pages_see_the_public_network_at_the_current_revision() -> None:
    network = loaders.public_network()
    assert isinstance(network, PublicNetwork)
    revision, _ = loaders.store().revision()
    assert network.provenance.revision == revision
    before = loaders.network_key()
    store = loaders.store()
    centre = "abingdon-contact-centre"
    store.update_centre(centre, {"opening": "Saturdays"}, expected_version=store.centre(centre)["version"], who="test")
    assert loaders.network_key() != before
    shown = loaders.public_directory().set_index("id")
    assert isinstance(shown, pd.DataFrame) and shown.at[centre, "opening"] == "Saturdays"
