"""Shared test helpers: a drive-time model whose answers can be worked out by hand.

Its minutes are exactly ``1 + km`` (exp(0 + 1 * ln(1 + km))) and settlement
density plays no part. Along a meridian one degree of latitude is
2πR/360 = 111.195 km (R = 6371.0088 km).
"""

from __future__ import annotations

import math

from millis_network.drive_model import DriveTimeModel, SettlementIndex

KM_PER_DEGREE = 2 * math.pi * 6371.0088 / 360
ONE_PLUS_KM = DriveTimeModel(
    intercept=0.0, linear=1.0, knots_x=(1.0, 2.0, 3.0), cubic=(0.0, 0.0, 0.0), density=(0.0, 0.0),
    density_radius_km=1.0, density_sum_max=10.0, holdout_mape_percent=0.0,
)
SETTLEMENTS = SettlementIndex.from_lonlat([0.0], [0.0])
