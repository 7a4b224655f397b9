#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1 for the history store's tests and print its URL.
#
# stdout carries ONE line, the URL (.ci/run reads it into PRODCHECK_TEST_PG_URL); everything else goes
# to stderr. Installs Debian's postgresql when no server binaries are present, runs the cluster as the
# postgres user in a temporary directory, and reuses a cluster this script already started.
# Knobs: PRODCHECK_PG_DIR (data directory), PRODCHECK_PG_PORT (port).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

dir="${PRODCHECK_PG_DIR:-/tmp/prodcheck-pg}"
port="${PRODCHECK_PG_PORT:-55432}"
user="prodcheck"
db="prodcheck_test"
# A fixed password for a server bound to loopback that lives as long as the test run.
password="prodcheck-test-pw"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  log "installing Debian's postgresql"
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

as_pg() { runuser -u postgres -- "$@"; }

if [ -f "$dir/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  log "reusing the running cluster in $dir"
else
  if [ ! -f "$dir/PG_VERSION" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    chown postgres: "$dir"
    chmod 700 "$dir"
    pwfile="$(mktemp)"
    echo "$password" >"$pwfile"
    chown postgres: "$pwfile"
    # Local socket: trust (setup only); TCP on 127.0.0.1: password (scram), as a real deployment would.
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" >&2
    rm -f "$pwfile"
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >&2
fi

psql_pg() { as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
  psql_pg -c "CREATE ROLE $user LOGIN PASSWORD '$password'" >&2
fi
if [ "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
  psql_pg -c "CREATE DATABASE $db OWNER $user" >&2
fi

url="postgresql://$user:$password@127.0.0.1:$port/$db"
export PRODCHECK_TEST_PG_URL="$url"
echo "$url"
