#!/usr/bin/env bash
# One command per job on a fresh machine:
#   bash quickstart.sh dashboard   set everything up, start the dashboard on the bundled data
#   bash quickstart.sh test        set everything up, run the whole test suite
#                                  (the store's tests run on SQLite and on a local PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")"

VENV="${MILLIS_VENV:-.venv}"
#: The PostgreSQL cluster the tests use: a throwaway one of its own, never a deployment's.
PG_CLUSTER="${MILLIS_TEST_PG_CLUSTER:-millis_test}"
PG_ROLE="millis_test"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
    # PostgreSQL refuses to run as root: its server and client commands run as the postgres user.
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres "$@")
    fi
}

APT_UPDATED=""
apt_install() {
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
}

setup_browser() {
    # Debian's Chromium drives the real-browser test; never a downloaded browser.
    if [ ! -x /usr/bin/chromium ]; then
        apt_install chromium fonts-dejavu-core
    fi
    # axe-core (npm registry, pinned in package-lock.json) checks every page's accessibility in that
    # test; installed once into node_modules/, again only when the lock file changes.
    if ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error
    fi
}

setup_postgres() {
    # Debian's PostgreSQL, in a test cluster of its own (created once, started when down), with a
    # role that may create the throwaway databases the tests make; exports its URL for pytest.
    # A URL already in $MILLIS_NETWORK_TEST_POSTGRES_URL means "use that server instead".
    if [ -n "${MILLIS_NETWORK_TEST_POSTGRES_URL:-}" ]; then
        echo "quickstart: PostgreSQL tests use the server in \$MILLIS_NETWORK_TEST_POSTGRES_URL" >&2
        return
    fi
    if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql
    fi
    local cluster version port status
    cluster="$(pg_lsclusters -h | awk -v name="$PG_CLUSTER" '$2 == name' | sort -V | tail -n 1)"
    if [ -z "$cluster" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        # Binary (C) locale; the tests' own databases choose their collation. Durability is
        # switched off: this cluster only ever holds test databases.
        as_root pg_createcluster "$version" "$PG_CLUSTER" --locale C.UTF-8 --encoding UTF8 --start-conf manual \
            -o fsync=off -o synchronous_commit=off -o full_page_writes=off >/dev/null
        cluster="$(pg_lsclusters -h | awk -v name="$PG_CLUSTER" '$2 == name' | sort -V | tail -n 1)"
    fi
    read -r version _ port status _ <<<"$cluster"
    case "$status" in
        online*) ;;
        *)
            # No systemd here: the socket folder under /run may be missing after a reboot.
            if [ ! -d /var/run/postgresql ]; then
                as_root install -d -o postgres -g postgres -m 2775 /var/run/postgresql
            fi
            as_postgres pg_ctlcluster "$version" "$PG_CLUSTER" start
            ;;
    esac
    local psql=(as_postgres psql -X -q -t -A -v ON_ERROR_STOP=1 -p "$port" -d postgres)
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != 1 ]; then
        "${psql[@]}" -c "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_ROLE'"
    fi
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_ROLE'")" != 1 ]; then
        "${psql[@]}" -c "CREATE DATABASE $PG_ROLE OWNER $PG_ROLE"
    fi
    export MILLIS_NETWORK_TEST_POSTGRES_URL="postgresql+psycopg://$PG_ROLE:$PG_ROLE@127.0.0.1:$port/$PG_ROLE"
    echo "quickstart: PostgreSQL $version cluster $PG_CLUSTER on port $port for the store's tests" >&2
}

case "${1:-}" in
    dashboard)
        setup_python
        shift
        exec "$VENV/bin/python" dashboard/serve.py "$@"
        ;;
    test)
        setup_python
        setup_browser
        setup_postgres
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    postgres-url)
        # Set up (or start) the tests' PostgreSQL and print its URL, e.g. for
        #   export MILLIS_NETWORK_TEST_POSTGRES_URL=$(bash quickstart.sh postgres-url)
        setup_postgres
        echo "$MILLIS_NETWORK_TEST_POSTGRES_URL"
        ;;
    *)
        echo "usage: bash quickstart.sh dashboard|test|postgres-url [extra args]" >&2
        exit 64
        ;;
esac
