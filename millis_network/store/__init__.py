"""The directory database (SQLite or PostgreSQL) and the ways into it.

Modules::

    database       schema tables, reads, validated and audited writes, export back to network_data/
    migrations     versioned schema migrations
    importer       spreadsheets of centres: dry run, row-level errors, one transaction
    auth           editors' sign-in: password hashes and the throttle
    editors        editor accounts and the sign-in throttle
    suggestions    the public's suggestions queue: rate-limited, moderated by editors, contacts forgotten on closing
    open_referral  Open Referral UK (HSDS) JSON, out and back in
"""
