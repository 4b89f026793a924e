"""Clients for live public sources, with timeouts, bounded retries and cached snapshots.

Modules::

    _http   shared HTTP helper: JSON GET with retries; last-good-response snapshots on disk
    osrm    OSRM table API client: routed drive minutes, chunked, with fallback to the estimator
    petitions  UK Parliament petition figures by constituency, with a dated cached copy

:class:`HttpSettings` (timeout and retries) and :class:`Snapshot` (a dated
answer) are what callers of those clients pass and receive.
"""

from millis_network.sources._http import HttpSettings, Snapshot

__all__ = ["HttpSettings", "Snapshot"]
