"""Benchmark: postcode index build, cached index load, geocoding throughput.

Run on demand (not a test):  python benchmarks/geocoding.py
Prints the median of several runs for each stage.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from millis_network.postcodes import build_index, geocode, read_index, save_index


def _time(action, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main() -> None:
    build_s, index = _time(build_index, repeat=3)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index"
        save_index(index, path)
        size_mb = sum(array.stat().st_size for array in path.iterdir()) / 1e6
        load_s, _ = _time(lambda: read_index(path), repeat=5)
    rng = np.random.default_rng(2026)
    keys = index.keys[rng.choice(len(index), 100_000, replace=False)]
    sample = [k.decode("ascii").lower() for k in keys]
    geocode_s, frame = _time(lambda: geocode(sample, index=index), repeat=3)
    located = (frame["precision"] != "none").mean()
    print(f"postcodes indexed:         {len(index):,}")
    print(f"index build (median of 3): {build_s:.2f} s")
    print(f"cached index: {size_mb:.0f} MB of mapped arrays, load (median of 5): {load_s * 1000:.0f} ms")
    print(f"geocode 100,000 postcodes (median of 3): {geocode_s:.2f} s = {100_000 / geocode_s:,.0f} postcodes/s "
          f"({located:.1%} located)")


if __name__ == "__main__":
    main()
