"""The coverage engine: one :class:`~millis_network.network.Network` in, tables out.

Modules, one concept each::

    travel     journeys: great-circle distances and estimated drive minutes between points
    coverage   the campaign rule: nearest suitable centres and reach for courts and LSOAs
    whatif     closures and recommendations: what one centre more or less would change
    history    coverage at a date, and what was lost since
    scenario   the statutory network the campaign asks for, against the directory
    analysis   the national analysis in one call, with its provenance

The engine never reads files or the database itself, and never imports the
evidence, store, CLI or dashboard layers.
"""
