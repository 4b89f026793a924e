"""Clients for live public sources, with timeouts, bounded retries and cached snapshots.

Modules::

    _http   shared HTTP helper: JSON GET with retries; last-good-response snapshots on disk
    osrm    OSRM table API client: routed drive minutes, chunked, with fallback to the estimator
    petitions  UK Parliament petition figures by constituency, with a dated cached copy
"""
