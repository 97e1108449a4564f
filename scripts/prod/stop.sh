#!/usr/bin/env bash
# `make prod-stop`: ends every part `make prod` started, front to back; the data stays in $PROD_DIR.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/prod/env.sh
stop_pid() {  # stop_pid NAME: TERM, then KILL after 20 s
  local file=$PROD_RUN/$1.pid pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    # Each part leads its own process group (setsid): a supervisor and its worker go together.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    echo "stopped $1 ($pid)"
  fi
  rm -f "$file"
}
if [ -s "$PROD_RUN/nginx.pid" ]; then
  nginx -c "$PROD_RUN/nginx.conf" -p "$PROD_RUN" -e "$PROD_LOGS/nginx-error.log" -s quit && echo "stopped nginx"
  for _ in $(seq 1 50); do [ -s "$PROD_RUN/nginx.pid" ] || break; sleep 0.2; done
fi
stop_pid gunicorn
stop_pid scheduler
for name in worker-billing worker-email worker-editions worker-audio; do stop_pid "$name"; done
if [ -s "$PROD_RUN/s3.pid" ] && kill -0 "$(cat "$PROD_RUN/s3.pid")" 2>/dev/null; then
  # moto keeps the bucket in memory: save it for the next `make prod`.
  rm -rf "$PROD_DIR/s3.new" && "${VENV:-.venv}/bin/python" scripts/prod/s3_sync.py save "$PROD_DIR/s3.new" &&
    rm -rf "$PROD_DIR/s3" && mv "$PROD_DIR/s3.new" "$PROD_DIR/s3"
fi
stop_pid s3
stop_pid redis
if [ "$PROD_PG" = private ] && [ -f "$PROD_DIR/pg/postmaster.pid" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PROD_DIR/pg" -m fast -w stop >/dev/null && echo "stopped PostgreSQL (private)"
fi
echo "The production profile is stopped; its data is in $PROD_DIR (delete it for a fresh start)."
