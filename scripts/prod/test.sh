#!/usr/bin/env bash
# `make test-prod`: the production profile under test. Starts a fresh profile on ports of its own with
# a private PostgreSQL cluster (the fault tests restart it), then runs
#   1. tests/production: through nginx (cache and purge, X-Accel files, pictures, readyz, metrics), the
#      fault tests (workers killed mid-job, Redis stopped, PostgreSQL restarted) and the restore drill;
#   2. the page, paywall, checkout, audio and edition tests on the profile's PostgreSQL and S3 bucket
#      (through Django's test client: nginx is not in front of these);
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

(
  source scripts/prod/env.sh
  # The suite's own settings (masthead/settings_test.py, its SITE_URL) on the profile's database and bucket; files
  # are sent by the app here, as these tests read their bodies.
  unset FRONT_CACHE_PURGE_URLS AUDIO_SENDFILE_HEADER EDITIONS_SENDFILE_HEADER AWS_S3_CUSTOM_DOMAIN SITE_URL
  export AWS_QUERYSTRING_AUTH=true
  "$VENV/bin/pytest" -n 2 --durations=10 \
    tests/test_home_page.py tests/test_section_pages.py tests/test_article_pages.py tests/test_page_cache.py \
    tests/test_paywall.py tests/billing/test_checkout.py tests/billing/test_checkout_double_click.py \
    tests/audio tests/editions
)
