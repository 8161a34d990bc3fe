#!/usr/bin/env bash
# Progress off the request path: gunicorn + PostgreSQL + real Celery workers on Redis.
#
#   bench/run_statement_log_bench.sh                  # 60-s untracked, 600-s tracked
#   DURATION=30 SUSTAIN=120 bench/run_statement_log_bench.sh   # a quicker look
#
# Measures, in one run: single POSTs of statements nobody tracks, then single POSTs of real
# enrolled learners on real lesson IRIs (the engine drains the statement log in CELERY_WORKERS
# worker processes meanwhile), the engine's backlog every 5 s, and "progress visible" after the
# POST. Creates (and drops, unless KEEP_DB=1) the database sl_bench_log.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DB:-sl_bench_log}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-8002}
DURATION=${DURATION:-60}
SUSTAIN=${SUSTAIN:-600}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-2}
CELERY_WORKERS=${CELERY_WORKERS:-2}
CLIENTS=${CLIENTS:-8}
PY=.venv/bin/python
export DATABASE_URL="$PGURL/$DB"
export DJANGO_SETTINGS_MODULE=lms.settings.base
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/9}
export CELERY_TASK_DEFAULT_QUEUE=${CELERY_TASK_DEFAULT_QUEUE:-sl-bench}
export LMS_SITE_URL=${LMS_SITE_URL:-http://127.0.0.1:$PORT}

psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
psql "$PGURL/postgres" -qc "CREATE DATABASE $DB" >/dev/null
$PY manage.py migrate -v0
$PY bench/statement_log.py setup | tail -1
CRED=$($PY manage.py lrs_client create bench | tail -1)
KEY=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['key'])" "$CRED")
SECRET=$($PY -c "import json,sys;print(json.loads(sys.argv[1])['secret'])" "$CRED")
redis-cli -n "${CELERY_BROKER_URL##*/}" FLUSHDB >/dev/null

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_DB:-0}" != 1 ]; then psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null || true; fi
}
trap cleanup EXIT

.venv/bin/gunicorn lms.wsgi -b 127.0.0.1:$PORT -w "$WORKERS" -k gthread --threads "$THREADS" \
  --log-level warning &
PIDS+=($!)
for i in $(seq "$CELERY_WORKERS"); do
  .venv/bin/celery -A lms worker --pool=solo -Q "$CELERY_TASK_DEFAULT_QUEUE" -n "sl$i@%h" \
    --loglevel=WARNING --without-gossip --without-mingle --without-heartbeat &
  PIDS+=($!)
done
.venv/bin/celery -A lms beat --loglevel=WARNING -s "$(mktemp -d)/beat" &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/xapi/about" >/dev/null && break; sleep 0.2; done
sleep 3

LOAD="$PY bench/statement_log.py post --url http://127.0.0.1:$PORT/xapi/ --key=$KEY --secret=$SECRET --clients $CLIENTS"
echo "== untracked single statements, $CLIENTS clients, ${DURATION}s (load average: $(cut -d" " -f1-3 /proc/loadavg))"
$LOAD --mode untracked --duration "$DURATION" | tail -1
echo "== tracked single statements (real learners, real lessons), $CLIENTS clients, ${DURATION}s"
$LOAD --mode tracked --duration "$DURATION" | tail -1
echo "== untracked again, ${DURATION}s"
$LOAD --mode untracked --duration "$DURATION" | tail -1
echo "== tracked, sustained ${SUSTAIN}s (load average: $(cut -d" " -f1-3 /proc/loadavg))"
$LOAD --mode tracked --duration "$SUSTAIN" | tail -1
