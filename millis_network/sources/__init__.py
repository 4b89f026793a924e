"""Clients for live public sources, with timeouts, total deadlines, size caps, bounded retries and cached snapshots.

No answer is trusted: every request has a wall-clock deadline and a cap on
its size (compressed and decompressed), JSON is parsed strictly, and every
value is checked before it is used or stored.

Modules::

    _http   shared HTTP helper: bounded, strict JSON GET with retries; last-good-response snapshots on disk
    osrm    OSRM table API client: routed drive minutes, chunked, with fallback to the estimator
    petitions  UK Parliament petition figures by constituency, with a dated cached copy

:class:`HttpSettings` (timeout, retries, deadline and size limits) and :class:`Snapshot` (a dated
answer) are what callers of those clients pass and receive.
"""

from millis_network.sources._http import HttpSettings, Snapshot

__all__ = ["HttpSettings", "Snapshot"]
