#!/bin/bash
# The room benchmark (bench/room.py) against the production recipe (deploy/serve.py): a fresh
# PostgreSQL database, Redis, DEBUG off, the demo rencontre, N web workers on one address.
#
#   bench/production_room.sh [PHONES] [WINDOW]          e.g. bench/production_room.sh 1000 5
#
# PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) is where the throwaway
# database rencontres_bench is created; REDIS_BENCH_URL (default redis://127.0.0.1:6379/5) is
# flushed first; WORKERS (default 2), HTTP_THREADS and the other settings pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
PHONES=${1:-1000}
WINDOW=${2:-5}
PORT=${BENCH_PORT:-8123}
ADMIN=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS rencontres_bench" -c "CREATE DATABASE rencontres_bench"
export DATABASE_URL=${ADMIN%/*}/rencontres_bench
export REDIS_URL=${REDIS_BENCH_URL:-redis://127.0.0.1:6379/5}
redis-cli -u "$REDIS_URL" flushdb >/dev/null
export SECRET_KEY=bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz DEBUG=0
export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export SECURE_HSTS_SECONDS=0 THROTTLE_JOINS_PER_IP=100000
DEMO=$(mktemp --suffix=.json)
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py demo --json --base-url "http://127.0.0.1:$PORT" > "$DEMO"
.venv/bin/python deploy/serve.py --workers "${WORKERS:-2}" --port "$PORT" > "$DEMO.log" 2>&1 &
SERVE=$!
trap 'kill -TERM $SERVE 2>/dev/null; wait $SERVE; rm -f "$DEMO" "$DEMO.log"' EXIT
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
cd bench && ../.venv/bin/python room.py --url "http://127.0.0.1:$PORT" --demo "$DEMO" \
  --phones "$PHONES" --window "$WINDOW"
