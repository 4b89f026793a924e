"""Campaign evidence built on the engine: every output here starts from the public network.

Modules::

    exports            CSV, XLSX, GeoJSON and GeoPackage tables with provenance
    briefings          advocacy briefings per court, area and nation (HTML/PDF)
    information_sheet  a family's one-page sheet of nearest centres
    funding            the cost of closing the gaps
"""
