#!/usr/bin/env bash
# MariaDB 10.11 (Debian) standalone for tests: 127.0.0.1 only, no systemd, private my.cnf.
#   scripts/servers/mariadb.sh start|stop|status [DIR]
# DIR: /tmp/glance-manage-ci/mariadb by default. Port: $MARIADB_PORT, default 25306.
# start: installs mariadb-server if missing (root), mariadb-install-db once, starts mariadbd,
# ensures database glance and user 'glance'@'%' / glance with ALL ON *.* WITH GRANT OPTION
# (tests create and drop glance_test_* databases), then prints
#   MYSQL_URL=mysql://glance:glance@127.0.0.1:PORT/glance
# DB root (unix_socket auth, OS root only): mariadb --defaults-file=DIR/my.cnf -uroot
# status exits 3 when not running. Idempotent. Must run as root (mariadbd drops to mysql).
set -euo pipefail
cmd=${1:-status}
DIR=$(realpath -m "${2:-/tmp/glance-manage-ci/mariadb}")
PORT=${MARIADB_PORT:-25306}
CNF=$DIR/my.cnf   # --defaults-file must be the FIRST option of every mariadb tool

log() { echo "mariadb.sh: $*" >&2; }
pid_of() { # pid of a live mariadbd started with our my.cnf (a stale pid file may name a recycled pid)
  local pid; pid=$(cat "$DIR/mysqld.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "--defaults-file=$CNF" && echo "$pid"
}
url() { echo "MYSQL_URL=mysql://glance:glance@127.0.0.1:$(sed -n 's/^port=//p' "$CNF")/glance"; }
install_mariadb() {
  command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null && return
  log "installing mariadb-server"
  if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the postinst from starting a server on 3306
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >&2
}

case $cmd in
start)
  t0=${EPOCHREALTIME/[.,]/}
  install_mariadb
  if pid_of >/dev/null; then log "already running in $DIR"; url; exit 0; fi
  if (: </dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then log "port $PORT is already in use"; exit 1; fi
  mkdir -p "$DIR"; chown mysql:mysql "$DIR"
  # A private my.cnf drops Debian's utf8mb4 defaults from /etc/mysql: set them again.
  cat >"$CNF" <<CNF
[client-server]
socket=$DIR/mysqld.sock
port=$PORT
[mariadbd]
user=mysql
datadir=$DIR/data
pid-file=$DIR/mysqld.pid
log-error=$DIR/error.log
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb_buffer_pool_size=256M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
CNF
  if [ ! -d "$DIR/data/mysql" ]; then
    rm -rf "$DIR/data"
    mariadb-install-db --defaults-file="$CNF" --skip-test-db \
      >"$DIR/install-db.log" 2>&1 || { cat "$DIR/install-db.log" >&2; exit 1; }
  fi
  setsid mariadbd --defaults-file="$CNF" </dev/null >>"$DIR/stdout.log" 2>&1 &
  spid=$!
  until mariadb-admin --defaults-file="$CNF" -uroot --connect-timeout=1 ping >/dev/null 2>&1; do
    kill -0 "$spid" 2>/dev/null || { log "mariadbd exited:"; tail -n 30 "$DIR/error.log" >&2; exit 1; }
    (( ${EPOCHREALTIME/[.,]/} - t0 < 60000000 )) || { log "not ready after 60 s"; tail -n 30 "$DIR/error.log" >&2; exit 1; }
    sleep 0.1
  done
  mariadb --defaults-file="$CNF" -uroot -e "
    CREATE DATABASE IF NOT EXISTS glance CHARACTER SET utf8mb4;
    CREATE USER IF NOT EXISTS 'glance'@'%' IDENTIFIED BY 'glance';
    GRANT ALL PRIVILEGES ON *.* TO 'glance'@'%' WITH GRANT OPTION;"
  d=$(( ${EPOCHREALTIME/[.,]/} - t0 ))
  log "started in $DIR on 127.0.0.1:$PORT ($((d / 1000000)).$((d / 100000 % 10)) s)"
  url ;;
stop)
  if pid=$(pid_of); then
    kill -TERM "$pid"
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "mariadbd $pid still up after 60 s; killing"; kill -KILL "$pid"; fi
    log "stopped ($DIR)"
  else log "not running ($DIR)"; fi ;;
status)
  if pid=$(pid_of); then echo "mariadb running in $DIR (pid $pid)"; url
  else echo "mariadb not running in $DIR"; exit 3; fi ;;
*) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
