#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests of the postgresql engine: Debian's
# postgresql-15, a new cluster in a temporary folder, listening on 127.0.0.1 only (a free port),
# password (SCRAM) authentication. Sourced by ./run: start_test_postgres exports
# GESTIXI_TEST_POSTGRES (libpq keywords of a superuser connection) and stops the server and
# removes the folder when ./run exits. A GESTIXI_TEST_POSTGRES already set is used as it is.

PG_BIN=/usr/lib/postgresql/15/bin

start_test_postgres() {
  if [ -n "${GESTIXI_TEST_POSTGRES:-}" ]; then
    info "PostgreSQL for the store tests: the given GESTIXI_TEST_POSTGRES"
    return 0
  fi
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL 15 is missing ($PG_BIN/pg_ctl): ./run setup installs it"
  local run_as=() password port
  TEST_POSTGRES_DIR=$(mktemp -d /tmp/gestixi-postgres.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: the cluster belongs to Debian's postgres user.
    chown postgres: "$TEST_POSTGRES_DIR"
    run_as=(runuser -u postgres --)
  fi
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (umask 077 && printf '%s\n' "$password" >"$TEST_POSTGRES_DIR/password")
  [ "${#run_as[@]}" -eq 0 ] || chown postgres: "$TEST_POSTGRES_DIR/password"
  trap stop_test_postgres EXIT
  "${run_as[@]}" "$PG_BIN/initdb" -D "$TEST_POSTGRES_DIR/data" -U gestixi_test --auth=scram-sha-256 \
    --pwfile="$TEST_POSTGRES_DIR/password" --encoding=UTF8 --locale=C.UTF-8 >"$TEST_POSTGRES_DIR/initdb.log" 2>&1 \
    || { cat "$TEST_POSTGRES_DIR/initdb.log" >&2; die "initdb failed"; }
  # Durability is not what the tests are about: no fsync keeps them fast. The benchmarks keep
  # PostgreSQL's defaults (TEST_POSTGRES_DURABLE=1), as SQLite keeps its own.
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${TEST_POSTGRES_DURABLE:-}" != 1 ] || fast=""
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/server.log" -w -s \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $TEST_POSTGRES_DIR $fast" \
    start || { cat "$TEST_POSTGRES_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  export GESTIXI_TEST_POSTGRES="host=127.0.0.1 port=$port user=gestixi_test password=$password dbname=postgres"
  info "PostgreSQL for the store tests: 127.0.0.1:$port ($TEST_POSTGRES_DIR)"
}

stop_test_postgres() {
  [ -n "${TEST_POSTGRES_DIR:-}" ] || return 0
  local run_as=()
  [ "$(id -u)" -ne 0 ] || run_as=(runuser -u postgres --)
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m immediate -s stop >/dev/null 2>&1 || true
  rm -rf "$TEST_POSTGRES_DIR"
  TEST_POSTGRES_DIR=
}

# The connection of a new, empty database NAME on that server, for the integration targets: as
# YAML in FILE (owner-only), which ansible-test passes to every target as extra variables
# (gestixi_test_postgres). FILE is removed when ./run exits.
write_integration_config() {
  local file=$1 name=$2
  INTEGRATION_CONFIG=$file
  trap 'stop_test_postgres; rm -f "$INTEGRATION_CONFIG"' EXIT
  (umask 077 && "$VENV/bin/python" - "$file" "$name" <<'PY'
import os, sys
import psycopg
from psycopg.conninfo import conninfo_to_dict

path, name = sys.argv[1:]
server = conninfo_to_dict(os.environ["GESTIXI_TEST_POSTGRES"])
with psycopg.connect(**server, autocommit=True) as admin:
    admin.execute("DROP DATABASE IF EXISTS %s" % name)
    admin.execute("CREATE DATABASE %s" % name)
with open(path, "w", encoding="utf-8") as out:
    out.write("# Written by ./run integration (tools/test-postgres.sh); removed when it ends.\n"
              "gestixi_test_postgres: {host: '%s', port: %s, user: '%s', password: '%s', database: '%s'}\n"
              % (server["host"], server["port"], server["user"], server["password"], name))
PY
  ) || die "cannot create the integration database $name"
}
