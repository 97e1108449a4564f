# The production profile's settings, sourced by start.sh, stop.sh, the tests and the soak.
# Every value can be overridden from the environment; PROD_DIR holds the profile's data, logs and pids.
PROD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PROD_DIR=${PROD_DIR:-$PROD_ROOT/data/prod}
export PROD_RUN=$PROD_DIR/run PROD_LOGS=$PROD_DIR/logs
export PROD_HOST=${PROD_HOST:-127.0.0.1}
export PROD_PORT=${PROD_PORT:-8080}          # nginx: the address readers use
export PROD_APP_PORT=${PROD_APP_PORT:-8081}  # gunicorn, behind nginx
export PROD_S3_PORT=${PROD_S3_PORT:-8082}    # moto's S3 server
export PROD_REDIS_PORT=${PROD_REDIS_PORT:-6380}  # a Redis of the profile's own (the fault tests stop it)
# PostgreSQL: a database of its own on the machine's server, or (PROD_PG=private) a cluster of the
# profile's own in $PROD_DIR/pg on PROD_PG_PORT, which the fault tests may restart.
export PROD_PG=${PROD_PG:-server}
export PROD_PG_PORT=${PROD_PG_PORT:-5433}
export PROD_DB_NAME=${PROD_DB_NAME:-masthead_prod}
if [ "$PROD_PG" = private ]; then
  export PROD_DATABASE_URL=${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:$PROD_PG_PORT/$PROD_DB_NAME}
else
  export PROD_DATABASE_URL=${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$PROD_DB_NAME}
fi
export PROD_WEB_WORKERS=${PROD_WEB_WORKERS:-$(nproc)}
export PROD_WEB_THREADS=${PROD_WEB_THREADS:-4}

export DATA_DIR=$PROD_DIR/data
export DATABASE_URL=$PROD_DATABASE_URL
export REDIS_URL=redis://127.0.0.1:$PROD_REDIS_PORT/0
export SESSION_ENGINE=django.contrib.sessions.backends.cached_db
export TASK_BACKEND=masthead.ops.task_queues.RoutedRQBackend
export AWS_STORAGE_BUCKET_NAME=${AWS_STORAGE_BUCKET_NAME:-masthead-media}
export AWS_S3_ENDPOINT_URL=http://127.0.0.1:$PROD_S3_PORT
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
# Pictures through nginx's /media/, which proxies the bucket: same origin, no signed URLs in cached pages.
# Pictures are public-read (masthead/ops/storage.py); the printer's mailing lists stay private.
export AWS_S3_CUSTOM_DOMAIN=$PROD_HOST:$PROD_PORT/media AWS_S3_URL_PROTOCOL=http: AWS_QUERYSTRING_AUTH=false
export MEDIA_STORAGE_BACKEND=masthead.ops.storage.PublicPicturesS3Storage
export SERVE_MEDIA=false
# Narrations' MP3s and editions' files: private objects in the bucket (audio/, editions/), sent by nginx from its
# /protected-s3/ location after the app's entitlement check, so web and worker machines share no disk.
# GATED_FILES_STORAGE=disk keeps them in AUDIO_ROOT / EDITIONS_ROOT (one folder every machine mounts).
export GATED_FILES_STORAGE=${GATED_FILES_STORAGE:-s3}
export AUDIO_SENDFILE_HEADER=X-Accel-Redirect EDITIONS_SENDFILE_HEADER=X-Accel-Redirect
export FRONT_CACHE_PURGE_URLS=http://$PROD_HOST:$PROD_PORT
export TRUSTED_PROXY_COUNT=1
export SITE_URL=http://$PROD_HOST:$PROD_PORT
export ALLOWED_HOSTS=$PROD_HOST,localhost
export LOG_FORMAT=json
export ALLOW_SANDBOX_GATEWAY=${ALLOW_SANDBOX_GATEWAY:-true}  # a local profile takes no real money
export PROMETHEUS_MULTIPROC_DIR=$PROD_RUN/prometheus
if [ -f "$PROD_DIR/metrics-token" ]; then export METRICS_TOKEN=$(cat "$PROD_DIR/metrics-token"); fi
