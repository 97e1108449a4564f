#!/usr/bin/env bash
# `make test-prod`: the production profile under test. Starts a fresh profile on ports of its own with
# a private PostgreSQL cluster (the fault tests restart it), then runs
#   1. tests/production: through nginx (cache and purge, X-Accel files, pictures, readyz, metrics), the
#      fault tests (workers killed mid-job, Redis stopped, PostgreSQL restarted) and the restore drill;
#   2. the rest of the suite on the profile's PostgreSQL, Redis and S3 bucket, the browser tests through nginx;
# and stops the profile whatever happened.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
export PROD_DIR=${PROD_DIR:-$PWD/data/test-prod}
export PROD_PORT=${PROD_PORT:-18080} PROD_APP_PORT=${PROD_APP_PORT:-18081} PROD_S3_PORT=${PROD_S3_PORT:-18082}
export PROD_REDIS_PORT=${PROD_REDIS_PORT:-16380} PROD_PG=private PROD_PG_PORT=${PROD_PG_PORT:-15433}
export PROD_DB_NAME=masthead_test_prod VENV PROD_DEMO_ARGS=${PROD_DEMO_ARGS:-"--articles 12 --issues 2"}
scripts/prod/stop.sh >/dev/null 2>&1 || true
rm -rf "$PROD_DIR"
trap 'scripts/prod/stop.sh >/dev/null 2>&1 || true' EXIT
scripts/prod/start.sh
TEST_PROD=1 "$VENV/bin/pytest" tests/production -p no:randomly -p no:xdist --durations=10

# 2. The rest of the suite on the profile's engines (masthead/settings_test.py, TEST_PROFILE=production):
#    its PostgreSQL cluster, its Redis for caches and sessions, its S3 server for media, a database, a Redis
#    database and a bucket per xdist worker; the browser tests through nginx (deploy/nginx.conf) in front of
#    the live server (tests/front_server.py). Pictures are public and unsigned, as the profile's are (a stored
#    page never carries a signed URL that expires), at the bucket's own address. Tasks run at once, as in
#    `make test`: the RQ workers are tests/production's subject.
(
  source scripts/prod/env.sh
  env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 TEST_PROFILE=production \
    DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" \
    AWS_STORAGE_BUCKET_NAME="$AWS_STORAGE_BUCKET_NAME" AWS_S3_ENDPOINT_URL="$AWS_S3_ENDPOINT_URL" \
    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    AWS_DEFAULT_REGION="$AWS_DEFAULT_REGION" MEDIA_STORAGE_BACKEND="$MEDIA_STORAGE_BACKEND" \
    AWS_QUERYSTRING_AUTH="$AWS_QUERYSTRING_AUTH" \
    "$VENV/bin/pytest" -n 2 --durations=25 --ignore=tests/production
)
