#!/usr/bin/env bash
# A real PostgreSQL streaming replica of this machine's server, for the reports tests:
#
#   scripts/pg_replica.sh start DIR [PORT]   # pg_basebackup into DIR, start it on PORT (5433)
#   scripts/pg_replica.sh stop DIR           # stop it and delete DIR
#
# The primary is the local server on 127.0.0.1:5432 (trust authentication, as on the
# development and CI machines). Replication connections from 127.0.0.1 are allowed in its
# pg_hba.conf if they are not yet (a line is added and the configuration reloaded). The
# replica runs as the postgres user when this is run as root.
set -euo pipefail
ACTION=${1:?start or stop}
DIR=${2:?a folder for the replica}
PORT=${3:-5433}
PRIMARY=${PRIMARY_PORT:-5432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
sql() { psql -h 127.0.0.1 -p "$PRIMARY" -U postgres -d postgres -tAc "$1"; }

case "$ACTION" in
start)
  HBA=$(sql "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$HBA"; then
    printf 'host replication all 127.0.0.1/32 trust\n' >> "$HBA"
    sql "SELECT pg_reload_conf()" >/dev/null
  fi
  "$0" stop "$DIR"  # a replica left running in DIR by an interrupted run
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  chmod 700 "$DIR"
  as_server_user "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY" -U postgres -D "$DIR" \
    -R -X stream -c fast
  # Debian keeps the configuration outside the data folder: give the replica its own, with
  # the settings a hot standby must not have lower than its primary's.
  {
    echo "port = $PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$DIR'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    for name in max_connections max_worker_processes max_wal_senders \
      max_prepared_transactions max_locks_per_transaction; do
      echo "$name = $(sql "SHOW $name")"
    done
  } | as_server_user tee "$DIR/postgresql.conf" >/dev/null
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' \
    | as_server_user tee "$DIR/pg_hba.conf" >/dev/null
  as_server_user touch "$DIR/pg_ident.conf"
  as_server_user "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null
  for _ in $(seq 1 60); do
    [ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && exit 0
    sleep 1
  done
  echo "the replica did not come up (see $DIR/server.log)" >&2
  exit 1
  ;;
stop)
  if [ -f "$DIR/postmaster.pid" ]; then
    as_server_user "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$DIR"
  ;;
*)
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
  ;;
esac
