"""Shared test helper: the bundled network, private and public, read once per test session."""

from __future__ import annotations

from functools import lru_cache

from millis_network.network import Network, PublicNetwork, load_network


@lru_cache(maxsize=1)
def bundled() -> Network:
    """The bundled snapshot's network (private: exact venues). Treat as read-only."""
    return load_network()


@lru_cache(maxsize=1)
def bundled_public() -> PublicNetwork:
    """The bundled snapshot's public network, as every public output sees it. Treat as read-only."""
    return bundled().public()
