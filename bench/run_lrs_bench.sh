#!/usr/bin/env bash
# LRS benchmark: gunicorn + PostgreSQL on this machine, the load generator alongside.
#
#   bench/run_lrs_bench.sh            # full run (60-s POST runs, 1M statements for queries)
#   DURATION=20 TOTAL=200000 bench/run_lrs_bench.sh   # a quicker look
#   QUERIES_ONLY=1 KEEP_DB=1 bench/run_lrs_bench.sh     # only the queries, on the kept store
#   COLD=0 (no cold pass) or COLD=os (cold without restarting PostgreSQL)
#   PHASES="batch single queries"   # the phases to run (default: all three)
#   BENCH_DB=lf_bench               # the database's name (default capacita_bench_lrs)
#   PGURL=postgres://postgres@127.0.0.1:5440 PG_RESTART="pg_ctl -D DIR restart"
#                                   # another PostgreSQL server, and how the cold pass restarts it
#
# The batch phase alternates each LRS run with a run of bench/pg_raw_insert.py (the same rows
# straight into PostgreSQL, same duration, 8 connections, batches of 100, a commit each) and
# prints both medians and their ratio.
#
# Creates (and at the end drops, unless KEEP_DB=1) the database capacita_bench_lrs.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DB:-capacita_bench_lrs}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-8001}
DURATION=${DURATION:-60}
TOTAL=${TOTAL:-1000000}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
PHASES=${PHASES:-batch single queries}
PY=.venv/bin/python
phase() { [[ " $PHASES " == *" $1 "* ]]; }
median() { $PY -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" "$@"; }
rate() { $PY -c "import json,sys;print(json.loads(sys.stdin.read().splitlines()[-1])['statements_per_s'])"; }
export DATABASE_URL="$PGURL/$DB"
export DJANGO_SETTINGS_MODULE=lms.settings.base
export DJANGO_ALLOWED_HOSTS=127.0.0.1

if [ "${QUERIES_ONLY:-0}" != 1 ]; then
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
  psql "$PGURL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
fi
$PY manage.py migrate -v0
CRED=$($PY manage.py lrs_client create bench | tail -1)
KEY=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['key'])" "$CRED")
SECRET=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['secret'])" "$CRED")

GUNICORN_PID=""
start_server() {
  # A server already on the port (left by an interrupted run) would answer for this one, with
  # its own code and warm caches: refuse to measure it.
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/xapi/about"; then
    echo "port $PORT already answers: stop that server first" >&2
    return 1
  fi
  .venv/bin/gunicorn lms.wsgi -b 127.0.0.1:$PORT -w "$WORKERS" -k gthread --threads "$THREADS" \
    --log-level warning &
  GUNICORN_PID=$!
  for _ in $(seq 50); do
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
      echo "gunicorn exited before answering" >&2
      return 1
    fi
    if curl -sf "http://127.0.0.1:$PORT/xapi/about" >/dev/null; then
      # Readiness probes, as a load balancer sends them after a restart: concurrent /health/
      # requests reach every worker thread, which opens its database connection (SELECT 1).
      # They read no statement data, so a "cold" query still finds the data pages cold.
      seq $((WORKERS * THREADS * 4)) | xargs -P $((WORKERS * THREADS)) -I{} \
        curl -s -o /dev/null "http://127.0.0.1:$PORT/health/"
      return 0
    fi
    sleep 0.2
  done
  echo "gunicorn did not start" >&2
  return 1
}
stop_server() {
  if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  GUNICORN_PID=""
  # Until the port is free (workers exit after their master), or the next start fails to bind.
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/xapi/about" || return 0; sleep 0.1; done
  echo "a server still answers on port $PORT after 10 s: stopping it" >&2
  pkill -f "gunicorn lms.wsgi -b 127.0.0.1:$PORT " || true
  sleep 2
}
cleanup() {
  stop_server
  if [ "${KEEP_DB:-0}" != 1 ]; then
    for name in "$DB" "${DB}_query"; do psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null || true; done
  fi
}
trap cleanup EXIT

# Each phase starts from a checkpoint with the page cache written back, so that the I/O the
# batch phase leaves behind (about 3 GB of table, index and WAL pages) is not billed to the
# single-statement phase that follows it.
settle() {
  psql "$DATABASE_URL" -qc "CHECKPOINT" >/dev/null
  sync
}

# WAL written per stored statement (and full-page images among it): what each statement costs
# the server in index pages touched, independent of how busy the machine is.
wal_mark() {
  psql "$DATABASE_URL" -tAc "SELECT pg_current_wal_lsn() || ' ' || wal_fpi || ' ' ||
    (SELECT count(*) FROM progress_statement) FROM pg_stat_wal"
}
wal_report() {
  read -r LSN FPI COUNT <<<"$1"
  psql "$DATABASE_URL" -tAc "SELECT '   WAL per statement: ' ||
    round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$LSN') / (count(*) - $COUNT)) || ' bytes, ' ||
    round((max(w.wal_fpi) - $FPI)::numeric / (count(*) - $COUNT), 2) || ' full-page images'
    FROM progress_statement, pg_stat_wal w"
}

LOAD="$PY bench/lrs_load.py --url http://127.0.0.1:$PORT/xapi/ --key=$KEY --secret=$SECRET"
if [ "${QUERIES_ONLY:-0}" != 1 ]; then
start_server
if phase batch; then
  echo "== batches of 100, 8 clients, ${DURATION}s x $RUNS, each followed by PostgreSQL's own inserts of the same rows (load average: $(cut -d" " -f1-3 /proc/loadavg))"
  LRS_RATES=() RAW_RATES=()
  for i in $(seq "$RUNS"); do
    OUT=$($LOAD post --clients 8 --batch 100 --duration "$DURATION" | tail -1)
    echo "$OUT"
    LRS_RATES+=("$(rate <<<"$OUT")")
    OUT=$($PY bench/pg_raw_insert.py --clients 8 --batch 100 --duration "$DURATION" \
      --keep --append | tail -1)
    echo "$OUT"
    RAW_RATES+=("$(rate <<<"$OUT")")
  done
  psql "$DATABASE_URL" -qc "DROP TABLE bench_raw_progress_statementactivity,
    bench_raw_progress_statementagent, bench_raw_progress_statement" >/dev/null
  LRS_MEDIAN=$(median "${LRS_RATES[@]}")
  RAW_MEDIAN=$(median "${RAW_RATES[@]}")
  echo "   median: LRS $LRS_MEDIAN statements/s, PostgreSQL $RAW_MEDIAN statements/s," \
    "ratio $($PY -c "import sys;print(round(float(sys.argv[1])/float(sys.argv[2]),3))" "$LRS_MEDIAN" "$RAW_MEDIAN")"
  settle
fi
if phase single; then
  echo "== single statements, 8 clients, ${DURATION}s x $RUNS (load average: $(cut -d" " -f1-3 /proc/loadavg))"
  WAL_BEFORE=$(wal_mark)
  for i in $(seq "$RUNS"); do $LOAD post --clients 8 --batch 1 --duration "$DURATION" | tail -1; done
  wal_report "$WAL_BEFORE"
fi
stop_server
fi
phase queries || exit 0

# Queries run on a store of their own, bulk-loaded over the last 30 days: its ids follow its
# stored times, as on a live LRS (the POST phases' rows, stored today, would come first in id
# order and mix two histories).
QDB=${DB}_query
export DATABASE_URL="$PGURL/$QDB"
if [ "${QUERIES_ONLY:-0}" != 1 ] || [ -z "$(psql "$PGURL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$QDB'")" ]; then
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $QDB" >/dev/null
  psql "$PGURL/postgres" -qc "CREATE DATABASE $QDB" >/dev/null
  $PY manage.py migrate -v0
  echo "== bulk load of $TOTAL statements (COPY)"
  $PY bench/lrs_bulk_load.py "$TOTAL" | tail -1
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE" >/dev/null
fi
CRED=$($PY manage.py lrs_client create bench-queries | tail -1)
KEY=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['key'])" "$CRED")
SECRET=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['secret'])" "$CRED")
LOAD="$PY bench/lrs_load.py --url http://127.0.0.1:$PORT/xapi/ --key=$KEY --secret=$SECRET"
settle

# Cold: PostgreSQL restarted (empty shared buffers) and, where allowed, the kernel's page cache
# dropped, then each kind of query measured from its first request. Restarting the machine's
# PostgreSQL interrupts anything else using it: run the benchmark alone (COLD=0 skips it).
# COLD=os keeps PostgreSQL running (its 128 MB of shared buffers stay) and only drops the
# kernel's page cache: usable while something else needs the server.
cold_start() {
  stop_server
  if [ "${COLD:-1}" != os ]; then
    if [ -n "${PG_RESTART:-}" ]; then
      bash -c "$PG_RESTART" >/dev/null
    else
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main restart
    fi
  fi
  sync
  if ! (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then echo "   (page cache not dropped: not allowed here)"; fi
  for _ in $(seq 30); do pg_isready -d "$PGURL/postgres" -q && break; sleep 1; done
  start_server
}
STORED=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM progress_statement")
if [ "${COLD:-1}" != 0 ]; then
  echo "== cold queries with $STORED statements stored, x $RUNS (load average: $(cut -d" " -f1-3 /proc/loadavg))"
  for i in $(seq "$RUNS"); do
    SAMPLE=$(mktemp)
    for kind in agent_verb_activity since_forward agent_page; do
      stop_server
      start_server
      $LOAD query --sample-only --sample-file "$SAMPLE" --requests 200 | tail -1 >/dev/null
      cold_start
      $LOAD query --cold --kinds "$kind" --sample-file "$SAMPLE" --requests 200 --limit 100 | tail -1
    done
    rm -f "$SAMPLE"
  done
fi
stop_server  # the last cold pass's server
start_server
echo "== warm queries with $STORED statements stored, x $RUNS (load average: $(cut -d" " -f1-3 /proc/loadavg))"
for i in $(seq "$RUNS"); do $LOAD query --requests 300 --limit 100 | tail -1; done
stop_server
