"""Derive the people and constituency files of ``network_data/places/`` (run on refresh only).

``millis-network data derive-people --reference DIR`` reads the compilation in
``DIR/constituencies/`` (ONS mid-2019 LSOA populations and mySociety's
LSOA-to-constituency overlaps, constituency codes and Rae and Brown's hex
map; see its README) and writes:

- ``lsoa_population.csv``: ``lsoa_code``, ``population`` (ONS mid-2019, all ages);
- ``lsoa_constituencies.csv``: ``lsoa_code``, ``gss_code``, ``share`` — the
  share of the LSOA's people living in the constituency, recomputed from
  mySociety's ``population_in_constituency`` as a fraction of the LSOA's total
  so that the shares of one LSOA sum to exactly 1 (mySociety's own shares are
  rounded to two decimals and sum to 0.89–1.01);
- ``constituencies.csv``: ``gss_code``, ``code3``, ``name``, ``nation``, ``region``;
- ``constituency_hexes.geojson``: the hex cartogram as shipped (WGS84, 5 decimals).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from millis_network.places import (
    CONSTITUENCY_COLUMNS,
    LSOA_CONSTITUENCY_COLUMNS,
    POPULATION_COLUMNS,
)

#: Decimals kept of a share of an LSOA's people (one person in a million).
SHARE_DECIMALS = 6


def derive_people(reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the four files into ``out_dir`` from ``reference_dir/constituencies``.

    Returns:
        Row counts: ``lsoas``, ``lsoa_constituency_rows``, ``constituencies``, ``population``.
    """
    source = Path(reference_dir) / "constituencies"
    out_dir.mkdir(parents=True, exist_ok=True)
    population = pd.read_csv(source / "lsoa11_population_mid_2019.csv", dtype={"lsoa_code": str})
    population = population.rename(columns={"population_mid_2019": "population"}).sort_values("lsoa_code")
    population[POPULATION_COLUMNS].to_csv(out_dir / "lsoa_population.csv", index=False)

    split = pd.read_csv(source / "lsoa11_to_constituency_2024.csv", dtype={"lsoa_code": str, "gss_code": str})
    totals = split.groupby("lsoa_code")["population_in_constituency"].transform("sum")
    split["share"] = (split["population_in_constituency"] / totals).round(SHARE_DECIMALS)
    split = split.sort_values(["lsoa_code", "gss_code"])
    split[LSOA_CONSTITUENCY_COLUMNS].to_csv(out_dir / "lsoa_constituencies.csv", index=False, float_format="%.6g")

    constituencies = pd.read_csv(source / "constituencies_2024.csv", dtype=str, keep_default_na=False)
    constituencies.sort_values("gss_code")[CONSTITUENCY_COLUMNS].to_csv(out_dir / "constituencies.csv", index=False)
    shutil.copyfile(source / "constituency_hexes_2024.geojson", out_dir / "constituency_hexes.geojson")
    return {
        "lsoas": len(population),
        "lsoa_constituency_rows": len(split),
        "constituencies": len(constituencies),
        "population": int(population["population"].sum()),
    }
