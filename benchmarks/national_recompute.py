"""Benchmark: the full national recompute against a straightforward geopandas baseline.

Run on demand (not a test):  python benchmarks/national_recompute.py

"Ours": ``run_analysis`` of the public network: court_coverage (167 courts)
plus area_reach (34,753 LSOAs), for supported and supervised centres, with
estimated drive minutes and, for courts and LSOAs alike, the count of every
centre within reach, exactly as the dashboard and CLI compute it.

"Baseline": what an analyst would write with geopandas: points in EPSG:27700,
``sjoin_nearest`` of LSOAs and of courts against each service's centres with a
distance column, then drive minutes for each nearest pair with the same model.
It does less work (no within-threshold counts). Both run side by side in one
process, timed alternately (run it pinned to one core: ``taskset -c 0``);
medians of eleven runs each are reported.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402

from millis_network.config import CampaignRule  # noqa: E402
from millis_network.engine.analysis import run_analysis  # noqa: E402
from millis_network.engine.coverage import suitable_centres  # noqa: E402
from millis_network.landmasses import landmasses_of  # noqa: E402
from millis_network.network import PublicNetwork, load_network  # noqa: E402


def ours(network: PublicNetwork, rule: CampaignRule):
    analysis = run_analysis(network, rule)
    return analysis.court_coverage, analysis.area_reach


def baseline(network: PublicNetwork, rule: CampaignRule):
    courts, centres, places, model, index = (network.courts, network.centres, network.lsoas, network.model,
                                             network.settlements)
    radius = model.density_radius_km
    origins = {
        "courts": gpd.GeoDataFrame(courts, geometry=gpd.points_from_xy(courts["lon"], courts["lat"]), crs=4326).to_crs(27700),
        "lsoas": gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=4326).to_crs(27700),
    }
    results = {}
    for service in ("supported", "supervised"):
        chosen = suitable_centres(centres, rule=rule, service=service)
        targets = gpd.GeoDataFrame(
            chosen[["id", "lat", "lon"]], geometry=gpd.points_from_xy(chosen["lon"], chosen["lat"]), crs=4326
        ).to_crs(27700)
        for name, frame in origins.items():
            joined = gpd.sjoin_nearest(frame, targets, distance_col="distance_m")
            joined = joined[~joined.index.duplicated()]
            km = joined["distance_m"].to_numpy() / 1000
            origin_count = index.lsoa_count_within(joined["lon_left"], joined["lat_left"], radius_km=radius)
            dest_count = index.lsoa_count_within(joined["lon_right"], joined["lat_right"], radius_km=radius)
            results[(name, service)] = model.journey_minutes(
                km, origin_lsoa_count=origin_count, destination_lsoa_count=dest_count,
                origin_lonlat=(joined["lon_left"].to_numpy(), joined["lat_left"].to_numpy()),
                destination_lonlat=(joined["lon_right"].to_numpy(), joined["lat_right"].to_numpy()),
            )
    return results


def _interleaved_medians(first, second, repeat: int) -> tuple[float, float]:
    """Median seconds of two actions timed alternately, so background load hits both alike."""
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for action, bucket in ((first, timings[0]), (second, timings[1])):
            start = time.perf_counter()
            action()
            bucket.append(time.perf_counter() - start)
    return statistics.median(timings[0]), statistics.median(timings[1])


def main() -> None:
    network, rule = load_network().public(), CampaignRule()
    ours(network, rule)
    baseline(network, rule)
    ours_s, base_s = _interleaved_medians(lambda: ours(network, rule), lambda: baseline(network, rule), repeat=11)
    court_table, reach = ours(network, rule)
    check = baseline(network, rule)
    minutes = reach["nearest_supported_minutes"].to_numpy()
    # The baseline knows no coast: it drives to the Isle of Wight too; ours goes by road and ferry there.
    by_road = np.isfinite(minutes) & (landmasses_of(reach) == 0)
    # Where two centres are almost equally near, British National Grid and the sphere may pick different ones,
    # whose local road speeds differ: count the LSOAs that agree.
    agree = int(np.isclose(minutes[by_road], check[("lsoas", "supported")][by_road], rtol=0.01).sum())
    print(f"national recompute (167 courts + 34,753 LSOAs, both services, drive minutes): median {ours_s * 1000:.0f} ms")
    print(f"geopandas sjoin_nearest baseline (same inputs, nearest only):              median {base_s * 1000:.0f} ms")
    print(f"speed-up: {base_s / ours_s:.1f}x   nearest drive minutes agree within 1% on {agree:,} of the "
          f"{by_road.sum():,} LSOAs on Great Britain with a drive ({(~by_road).sum()} on islands or with none left out)")


if __name__ == "__main__":
    main()
