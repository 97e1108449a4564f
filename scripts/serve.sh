#!/usr/bin/env bash
# The embedded default: the web server and the background-task worker, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-$(( $(nproc) * 2 ))}
.venv/bin/python manage.py db_worker --queue-name "*" &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Masthead is serving on http://$HOST:$PORT/ (admin at http://$HOST:$PORT/admin/)"
.venv/bin/gunicorn masthead.wsgi:application --bind "$HOST:$PORT" --workers "$WEB_WORKERS" \
  --worker-class gthread --threads 4 --access-logfile - --log-level warning
