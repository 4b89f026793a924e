"""millis_network: child contact centres mapped against family court centres.

Modules, one concept each::

    postcodes   normalise and geocode UK postcodes offline (ONS Postcode Directory)
    places      LSOA population units and local authorities of England and Wales
    directory   contact centres and family court centres as validated records
    travel      great-circle distances and calibrated drive-time estimates
    coverage    nearest suitable centres, the campaign rule, population reach
    standards   the campaign's minimum training standards and their checker
    store       the directory's SQLite database with an audit trail
    exports     CSV/XLSX/GeoJSON exports with provenance
    briefings   per-area advocacy briefings (HTML/PDF)
    sources     clients for live public sources, with cached snapshots
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("millis-network")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
