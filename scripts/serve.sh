#!/usr/bin/env bash
# The embedded default: the web server and the background-task worker, side by side.
# The web server is granian when it is installed (on 2 cores it serves cached pages at about twice
# gunicorn's rate, see bench/README.md), else gunicorn; WEB_SERVER=gunicorn|granian chooses.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
if [ -x .venv/bin/granian ]; then default_server=granian; else default_server=gunicorn; fi
WEB_SERVER=${WEB_SERVER:-$default_server}
# One process per core: more only adds context switches (measured in bench/README.md); two
# threads each let a worker overlap one request's database or network wait with another.
WEB_WORKERS=${WEB_WORKERS:-$(nproc)}
WEB_THREADS=${WEB_THREADS:-2}
ACCESS_LOG=${ACCESS_LOG:-true}
case "$WEB_SERVER" in
  granian)
    web=(.venv/bin/granian --interface wsgi --host "$HOST" --port "$PORT" --workers "$WEB_WORKERS"
      --blocking-threads "$WEB_THREADS" --log-level warning)
    if [ "$ACCESS_LOG" = true ]; then web+=(--access-log); else web+=(--no-access-log); fi
    web+=(masthead.wsgi:application)
    ;;
  gunicorn)
    # gthread keeps connections alive between requests; the sync worker closes each one.
    web=(.venv/bin/gunicorn masthead.wsgi:application --bind "$HOST:$PORT" --workers "$WEB_WORKERS"
      --worker-class gthread --threads "$WEB_THREADS" --keep-alive 5 --log-level warning)
    if [ "$ACCESS_LOG" = true ]; then web+=(--access-logfile -); fi
    ;;
  *) echo "WEB_SERVER must be granian or gunicorn, not $WEB_SERVER" >&2; exit 2 ;;
esac
.venv/bin/python manage.py db_worker --queue-name "*" &
worker=$!
.venv/bin/python manage.py scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
echo "Masthead is serving on http://$HOST:$PORT/ (admin at http://$HOST:$PORT/admin/) with $WEB_SERVER"
"${web[@]}"
