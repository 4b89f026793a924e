"""The directory database (SQLite or PostgreSQL) and the ways into it.

Modules::

    database       schema tables, reads, validated and audited writes, export back to network_data/
    migrations     versioned schema migrations
    importer       spreadsheets of centres: dry run, row-level errors, one transaction
    auth           editors' sign-in: password hashes and the throttle
    open_referral  Open Referral UK (HSDS) JSON
"""
