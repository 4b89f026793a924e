"""How long the national drive-time matrix takes: every LSOA to every family court centre.

Run on demand:  python benchmarks/drive_time_speed.py
Prints the median of 5 runs for each stage, in seconds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pandas as pd

from millis_network.config import default_data_dir
from millis_network.drive_model import SettlementIndex, load_drive_time_model
from millis_network.engine.travel import distance_matrix_km, drive_minutes_matrix
from millis_network.places import lsoas


def _median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    places = lsoas()
    courts = pd.read_csv(default_data_dir() / "courts" / "family_court_centres.csv")
    origins = places[["lon", "lat"]].to_numpy()
    destinations = courts[["lon", "lat"]].dropna().to_numpy()
    model = load_drive_time_model()
    index = SettlementIndex.from_lonlat(places["lon"], places["lat"])
    km = distance_matrix_km(origins, destinations)
    counts = index.lsoa_count_within(origins[:, 0], origins[:, 1], radius_km=model.density_radius_km)
    print(f"{len(origins):,} LSOAs × {len(destinations):,} court centres = {km.size:,} pairs")
    stages = {
        "build settlement index": lambda: SettlementIndex.from_lonlat(places["lon"], places["lat"]),
        "density look-up, all LSOAs": lambda: index.lsoa_count_within(
            origins[:, 0], origins[:, 1], radius_km=model.density_radius_km
        ),
        "great-circle distance matrix": lambda: distance_matrix_km(origins, destinations),
        "model on precomputed inputs": lambda: model.drive_minutes(
            km, origin_lsoa_count=counts[:, None], destination_lsoa_count=counts[: len(destinations)][None, :]
        ),
        "drive_minutes_matrix, end to end": lambda: drive_minutes_matrix(
            origins, destinations, model=model, index=index
        ),
    }
    for name, action in stages.items():
        print(f"{name:<36}{_median_seconds(action):8.3f} s")


if __name__ == "__main__":
    main()
