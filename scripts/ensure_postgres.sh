#!/usr/bin/env bash
# Make sure the PostgreSQL server binaries the storage tests use are installed
# (/usr/lib/postgresql/*/bin/initdb and pg_ctl, from Debian's `postgresql` package).
# Idempotent: does nothing when they are already there. Needs root (or sudo) and apt-get.
# The tests start their own throwaway server on 127.0.0.1; this script starts nothing.
set -euo pipefail

have_pg() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

if have_pg; then
    echo "ensure_postgres: found $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "ensure_postgres: PostgreSQL is missing and apt-get is not available: install the PostgreSQL server yourself" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo -n"; else
        echo "ensure_postgres: PostgreSQL is missing; run this script as root to install it" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq </dev/null
# postgresql-common would create and start a system cluster; the tests need neither.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/pmsim-no-main.conf >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends postgresql </dev/null
have_pg && echo "ensure_postgres: installed $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
