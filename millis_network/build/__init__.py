"""Maintainers' tools: derivation of the bundled data and calibration of the drive-time model.

Nothing in the library imports this package; ``millis-network data derive-*``
and ``millis-network travel calibrate`` run it.
"""
