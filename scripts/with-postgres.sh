#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster started from the installed binaries.
# DATABASE_URL points at it for the command; the cluster and its files are removed afterwards.
# PostgreSQL refuses to run as root, so as root the cluster runs as Debian's "postgres" user.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/materiel-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); chown postgres "$DIR"; fi
cleanup() {
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT
"${RUN[@]}" "$PGBIN/initdb" -D "$DIR/data" -U materiel --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability settings off: this cluster lives for one test run. A statement or a lock wait that
# runs for minutes is a bug in a test: it fails with PostgreSQL's message instead of hanging the run.
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c statement_timeout=300s -c lock_timeout=120s" \
    start >/dev/null
# As in production (docs/security.md): "materiel" owns the tables and migrates; the tests and the
# application connect as "materiel_app", which owns nothing and so cannot switch a trigger off.
"${RUN[@]}" "$PGBIN/psql" -q -h 127.0.0.1 -p "$PORT" -U materiel -d postgres \
    -c "CREATE ROLE materiel_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT" >/dev/null
export DATABASE_URL="postgres://materiel_app@127.0.0.1:$PORT/postgres"
export MATERIEL_MIGRATE_DATABASE_URL="postgres://materiel@127.0.0.1:$PORT/postgres"
"$@"
