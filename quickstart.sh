#!/usr/bin/env bash
# One command per job on a fresh machine:
#   bash quickstart.sh dashboard   set everything up, start the dashboard on the bundled data
#   bash quickstart.sh test        set everything up, run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

VENV="${MILLIS_VENV:-.venv}"

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
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    fi
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
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: bash quickstart.sh dashboard|test [extra args]" >&2
        exit 64
        ;;
esac
