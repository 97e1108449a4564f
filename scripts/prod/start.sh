#!/usr/bin/env bash
# `make prod`: the production profile on this machine's services. PostgreSQL (a database of its own),
# a Redis of its own, moto's S3 server, one RQ worker per queue, the scheduler, gunicorn and nginx in
# front. Prints where each part runs; `make prod-stop` (scripts/prod/stop.sh) ends them.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prod/env.sh
VENV=${VENV:-.venv}
PY=$VENV/bin/python
mkdir -p "$PROD_RUN" "$PROD_LOGS" "$DATA_DIR"
if [ -s "$PROD_RUN/gunicorn.pid" ] && kill -0 "$(cat "$PROD_RUN/gunicorn.pid")" 2>/dev/null; then
  echo "The production profile is already running (make prod-stop ends it)." >&2
  exit 1
fi
[ -f "$PROD_DIR/metrics-token" ] || (umask 077; $PY -c 'import secrets; print(secrets.token_urlsafe(32))' >"$PROD_DIR/metrics-token")
export METRICS_TOKEN=$(cat "$PROD_DIR/metrics-token")
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

wait_for() {  # wait_for NAME COMMAND...: up to 30 s for the command to succeed
  local name=$1; shift
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$name did not start; see $PROD_LOGS/" >&2
  exit 1
}
daemon() {  # daemon NAME COMMAND...: run in its own session, logging to logs/NAME.log, pid in run/NAME.pid
  local name=$1; shift
  # The pid is written by the process itself: setsid forks when it would lead a process group.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PROD_RUN/$name.pid" "$@" >>"$PROD_LOGS/$name.log" 2>&1 </dev/null &
}

if [ "$PROD_PG" = private ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ ! -f "$PROD_DIR/pg/PG_VERSION" ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user, as Debian's does.
    mkdir -p "$PROD_DIR/pg" && chown postgres "$PROD_DIR/pg" && chmod 700 "$PROD_DIR/pg"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PROD_DIR/pg" -A trust -U postgres >"$PROD_LOGS/pg-initdb.log"
  fi
  chown postgres "$PROD_LOGS" 2>/dev/null || true
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PROD_DIR/pg" -l "$PROD_LOGS/postgresql.log" -w \
    -o "-p $PROD_PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
  pg_port=$PROD_PG_PORT
else
  pg_port=5432
fi
wait_for PostgreSQL pg_isready -h 127.0.0.1 -p "$pg_port"
if ! psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$PROD_DB_NAME'" | grep -q 1; then
  createdb -h 127.0.0.1 -p "$pg_port" -U postgres "$PROD_DB_NAME"
fi

daemon redis redis-server --port "$PROD_REDIS_PORT" --bind 127.0.0.1 --dir "$PROD_RUN" --dbfilename redis.rdb \
  --appendonly yes --appendfilename redis.aof --save "" --daemonize no
wait_for Redis redis-cli -p "$PROD_REDIS_PORT" ping

daemon s3 "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PROD_S3_PORT"
wait_for "moto's S3 server" curl -sf "http://127.0.0.1:$PROD_S3_PORT/moto-api/"
$PY - <<'PYTHON'
import os
import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"])
bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket)
PYTHON
# moto keeps the bucket in memory: put back what `make prod-stop` saved.
[ ! -d "$PROD_DIR/s3" ] || $PY scripts/prod/s3_sync.py load "$PROD_DIR/s3"

$PY manage.py migrate --noinput >"$PROD_LOGS/migrate.log"
$PY manage.py collectstatic --noinput --verbosity 0
# PROD_DEMO_ARGS="--articles 12 --issues 2" loads a smaller demo (make test-prod does).
if [ "${PROD_DEMO:-true}" = true ]; then $PY manage.py load_demo ${PROD_DEMO_ARGS:-} >"$PROD_LOGS/load_demo.log"; fi

supervise() {  # supervise NAME COMMAND...: as daemon, started again 2 s after it exits (systemd's Restart=always)
  local name=$1; shift
  daemon "$name" bash -c 'while :; do "$@"; echo "exited with $?; starting again in 2 s" >&2; sleep 2; done' _ "$@"
}
# One worker per queue: a narration backfill (audio) never delays a renewal (billing) or an email. An RQ
# worker exits when Redis goes away; its supervisor starts it again until Redis is back.
for queues in "billing default" email editions audio; do
  name=worker-${queues%% *}
  supervise "$name" $PY manage.py rqworker $queues --job-class django_tasks_rq.backend.Job --with-scheduler
done
supervise scheduler $PY manage.py scheduler

daemon gunicorn "$VENV/bin/gunicorn" masthead.wsgi:application --bind "127.0.0.1:$PROD_APP_PORT" \
  --workers "$PROD_WEB_WORKERS" --worker-class gthread --threads "$PROD_WEB_THREADS" --keep-alive 75 \
  --graceful-timeout 20 --log-level warning
wait_for gunicorn curl -sf "http://127.0.0.1:$PROD_APP_PORT/healthz"

if [ "$(id -u)" = 0 ]; then NGINX_USER_LINE="user root;"; else NGINX_USER_LINE=""; fi
export NGINX_USER_LINE APP_ADDRESS=127.0.0.1:$PROD_APP_PORT STATIC_ROOT=$DATA_DIR/static
export S3_ENDPOINT=$AWS_S3_ENDPOINT_URL S3_BUCKET=$AWS_STORAGE_BUCKET_NAME PURGE_ALLOW=${PURGE_ALLOW:-}
export AUDIO_ROOT=${AUDIO_ROOT:-$DATA_DIR/audio} EDITIONS_ROOT=${EDITIONS_ROOT:-$DATA_DIR/editions}
mkdir -p "$AUDIO_ROOT" "$EDITIONS_ROOT"
envsubst '${NGINX_USER_LINE} ${PROD_RUN} ${PROD_LOGS} ${APP_ADDRESS} ${PROD_HOST} ${PROD_PORT} ${STATIC_ROOT}
  ${S3_ENDPOINT} ${S3_BUCKET} ${AUDIO_ROOT} ${EDITIONS_ROOT} ${PURGE_ALLOW}' <deploy/nginx.conf >"$PROD_RUN/nginx.conf"
nginx -t -q -c "$PROD_RUN/nginx.conf" -p "$PROD_RUN" -e "$PROD_LOGS/nginx-error.log"
nginx -c "$PROD_RUN/nginx.conf" -p "$PROD_RUN" -e "$PROD_LOGS/nginx-error.log"
wait_for nginx curl -sf "http://$PROD_HOST:$PROD_PORT/healthz"

cat <<TEXT
Masthead's production profile is running (make prod-stop ends it):
  site (nginx)     http://$PROD_HOST:$PROD_PORT/   admin at /admin/ (demo password in $DATA_DIR/demo-admin-password.txt)
  app (gunicorn)   http://127.0.0.1:$PROD_APP_PORT/   $PROD_WEB_WORKERS workers x $PROD_WEB_THREADS threads
  PostgreSQL       $PROD_DATABASE_URL
  Redis            $REDIS_URL   (cache, sessions, task queues, the front cache's purge list)
  S3 (moto)        $AWS_S3_ENDPOINT_URL   bucket $AWS_STORAGE_BUCKET_NAME
  gated files      $(if [ "$GATED_FILES_STORAGE" = s3 ]; then echo "private in the bucket, audio/ and editions/"; else echo "$AUDIO_ROOT, $EDITIONS_ROOT"; fi)   (sent by nginx)
  RQ workers       billing+default, email, editions, audio; the scheduler beside them
  readiness        http://$PROD_HOST:$PROD_PORT/readyz
  metrics          http://$PROD_HOST:$PROD_PORT/metrics   (Authorization: Bearer \$(cat $PROD_DIR/metrics-token))
  logs (JSON)      $PROD_LOGS/
TEXT
