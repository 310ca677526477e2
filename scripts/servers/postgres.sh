#!/usr/bin/env bash
# PostgreSQL 15 (Debian) for tests: 127.0.0.1 only, no systemd, throwaway data (fsync off).
#   scripts/servers/postgres.sh start|stop|status [DIR]
# DIR: /tmp/glance-manage-ci/postgres by default. Port: $PG_PORT, default 25432.
# start: installs postgresql-15 if missing (root), initdb once, starts the server, ensures
# role glance/glance (LOGIN CREATEDB) and database glance owned by it, then prints
#   POSTGRESQL_URL=postgresql://glance:glance@127.0.0.1:PORT/glance
# Superuser (trust, unix socket in DIR): runuser -u postgres -- psql -h DIR -p PORT -U postgres
# status exits 3 when not running. Idempotent.
set -euo pipefail
cmd=${1:-status}
DIR=$(realpath -m "${2:-/tmp/glance-manage-ci/postgres}")
PORT=${PG_PORT:-25432}
B=/usr/lib/postgresql/15/bin
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); OWNER=postgres; else AS=(); OWNER=$(id -un); fi
cd /   # the postgres user may not be able to read the caller's cwd

log() { echo "postgres.sh: $*" >&2; }
running() { [ -f "$DIR/data/PG_VERSION" ] && "${AS[@]}" "$B/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }
url() { echo "POSTGRESQL_URL=postgresql://glance:glance@127.0.0.1:$(cat "$DIR/port")/glance"; }
install_pg() {
  [ -x "$B/postgres" ] && [ -x "$B/initdb" ] && [ -x "$B/psql" ] && return
  log "installing postgresql-15"
  if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the postinst from starting a service
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 postgresql-client-15 >&2
}

case $cmd in
start)
  t0=${EPOCHREALTIME/[.,]/}
  install_pg
  if running; then log "already running in $DIR"; url; exit 0; fi
  if (: </dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then log "port $PORT is already in use"; exit 1; fi
  mkdir -p "$DIR"; chown "$OWNER" "$DIR"; chmod 700 "$DIR"
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    rm -rf "$DIR/data"
    "${AS[@]}" "$B/initdb" -D "$DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  echo "$PORT" >"$DIR/port"
  "${AS[@]}" "$B/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 -o "-c port=$PORT \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
    || { tail -n 30 "$DIR/postgres.log" >&2; exit 1; }
  "${AS[@]}" "$B/psql" -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE glance' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'glance') \gexec
ALTER ROLE glance LOGIN CREATEDB PASSWORD 'glance';
SELECT 'CREATE DATABASE glance OWNER glance' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'glance') \gexec
SQL
  d=$(( ${EPOCHREALTIME/[.,]/} - t0 ))
  log "started in $DIR on 127.0.0.1:$PORT ($((d / 1000000)).$((d / 100000 % 10)) s)"
  url ;;
stop)
  if running; then "${AS[@]}" "$B/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null; log "stopped ($DIR)"
  else log "not running ($DIR)"; fi ;;
status)
  if running; then echo "postgres running in $DIR (pid $(head -1 "$DIR/data/postmaster.pid"))"; url
  else echo "postgres not running in $DIR"; exit 3; fi ;;
*) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
