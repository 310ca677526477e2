#!/usr/bin/env bash
# 3-node MariaDB 10.11 + Galera 4 cluster on loopback (CI runs the Galera lock test on it).
#   scripts/servers/galera.sh start|stop|status [DIR]
# DIR: /tmp/glance-manage-ci/galera by default; node i uses DIR/node<i>/{my.cnf,data,...}.
# Node i (1..3): SQL port 23305+i; gcomm 24567+3(i-1), IST +1, rsync SST +2 (all 127.0.0.1).
# start: bootstraps node1 (forcing safe_to_bootstrap: test data only), joins 2 and 3 one at a
# time (each waited on until Synced), ensures database glance and user glance/glance
# (ALL ON *.* WITH GRANT OPTION), then prints
#   GALERA_URLS=mysql://glance:glance@127.0.0.1:23306/glance,...:23307/glance,...:23308/glance
# stop: nodes 3, 2, 1 (node1 last, so it is safe to bootstrap). status exits 3 unless all Synced.
set -euo pipefail
cmd=${1:-status}
DIR=$(realpath -m "${2:-/tmp/glance-manage-ci/galera}")
PROVIDER=/usr/lib/galera/libgalera_smm.so
GCOMM=127.0.0.1:24567,127.0.0.1:24570,127.0.0.1:24573

log() { echo "galera.sh: $*" >&2; }
cnf() { echo "$DIR/node$1/my.cnf"; }
pid_of() {
  local pid; pid=$(cat "$DIR/node$1/mysqld.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "--defaults-file=$(cnf "$1")" && echo "$pid"
}
state() { mariadb --defaults-file="$(cnf "$1")" -uroot --connect-timeout=2 -Nse \
  "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2 || true; }
urls() { echo "GALERA_URLS=mysql://glance:glance@127.0.0.1:23306/glance,mysql://glance:glance@127.0.0.1:23307/glance,mysql://glance:glance@127.0.0.1:23308/glance"; }
install_mariadb() {
  command -v mariadbd >/dev/null && [ -f "$PROVIDER" ] && command -v rsync >/dev/null && return
  log "installing mariadb-server (galera-4, rsync and socat are Depends)"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >&2
}
write_cnf() {
  local i=$1 d=$DIR/node$1 g=$((24567 + 3 * ($1 - 1)))
  mkdir -p "$d/data"; chown mysql:mysql "$d" "$d/data"
  cat >"$d/my.cnf" <<CNF
[client-server]
socket=$d/mysqld.sock
port=$((23305 + i))
[mariadbd]
user=mysql
datadir=$d/data
pid-file=$d/mysqld.pid
log-error=$d/error.log
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb_buffer_pool_size=128M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
# wsrep emulates a binlog: without this, CREATE TRIGGER by a non-SUPER user fails (1419)
log_bin_trust_function_creators=1
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=glance_galera
wsrep_cluster_address=gcomm://$GCOMM
wsrep_node_name=node$i
wsrep_node_address=127.0.0.1:$g
wsrep_node_incoming_address=127.0.0.1:$((23305 + i))
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$g;ist.recv_addr=127.0.0.1:$((g + 1));ist.recv_bind=127.0.0.1;gcache.size=64M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((g + 2))
CNF
}
start_node() { # i [--wsrep-new-cluster]; waits up to 180 s (a joiner may need a full SST)
  local i=$1; shift
  if (: </dev/tcp/127.0.0.1/$((23305 + i))) 2>/dev/null; then log "port $((23305 + i)) is already in use"; exit 1; fi
  setsid mariadbd --defaults-file="$(cnf "$i")" "$@" </dev/null >>"$DIR/node$i/stdout.log" 2>&1 &
  local spid=$! t0=$SECONDS
  until [ "$(state "$i")" = Synced ]; do
    kill -0 "$spid" 2>/dev/null || { log "node$i exited:"; tail -n 40 "$DIR/node$i/error.log" >&2; exit 1; }
    (( SECONDS - t0 < 180 )) || { log "node$i not Synced after 180 s"; tail -n 40 "$DIR/node$i/error.log" >&2; exit 1; }
    sleep 0.2
  done
  log "node$i Synced on 127.0.0.1:$((23305 + i)) ($((SECONDS - t0)) s)"
}

case $cmd in
start)
  install_mariadb
  mkdir -p "$DIR"
  up=0; for i in 1 2 3; do if pid_of "$i" >/dev/null; then up=$((up + 1)); else write_cnf "$i"; fi; done
  if [ $up = 0 ]; then
    if [ ! -d "$DIR/node1/data/mysql" ]; then
      mariadb-install-db --defaults-file="$(cnf 1)" --skip-test-db >"$DIR/node1/install-db.log" 2>&1 \
        || { cat "$DIR/node1/install-db.log" >&2; exit 1; }
    else
      sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$DIR/node1/data/grastate.dat" 2>/dev/null || true
    fi
    start_node 1 --wsrep-new-cluster
  fi
  for i in 1 2 3; do pid_of "$i" >/dev/null || start_node "$i"; done   # joiners: SST/IST from a donor
  mariadb --defaults-file="$(cnf 1)" -uroot -e "
    CREATE DATABASE IF NOT EXISTS glance CHARACTER SET utf8mb4;
    CREATE USER IF NOT EXISTS 'glance'@'%' IDENTIFIED BY 'glance';
    GRANT ALL PRIVILEGES ON *.* TO 'glance'@'%' WITH GRANT OPTION;"
  urls ;;
stop)
  for i in 3 2 1; do
    pid=$(pid_of "$i") || continue
    kill -TERM "$pid"
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "node$i ($pid) still up after 60 s; killing"; kill -KILL "$pid"; fi
    log "node$i stopped"
  done ;;
status)
  rc=0
  for i in 1 2 3; do
    if pid=$(pid_of "$i"); then s=$(state "$i"); echo "node$i running (pid $pid, port $((23305 + i)), $s)"; [ "$s" = Synced ] || rc=3
    else echo "node$i not running"; rc=3; fi
  done
  urls; exit $rc ;;
*) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
