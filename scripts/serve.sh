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
# gunicorn only: import the site once in the master and fork the workers from it.
WEB_PRELOAD=${WEB_PRELOAD:-false}
# A granian worker stopped while it is still loading the site never exits (the restart then hangs
# for ever): it is killed after this many seconds (bench/README.md, "Memory and restart").
WEB_KILL_TIMEOUT=${WEB_KILL_TIMEOUT:-5}
# The worker and the scheduler run at this niceness, so a narration or an edition build gives the
# web server the CPU first, at start and under load (bench/README.md, "Memory and restart").
BACKGROUND_NICE=${BACKGROUND_NICE:-10}
case "$WEB_SERVER" in
  granian)
    web=(.venv/bin/granian --interface wsgi --host "$HOST" --port "$PORT" --workers "$WEB_WORKERS"
      --blocking-threads "$WEB_THREADS" --workers-kill-timeout "$WEB_KILL_TIMEOUT" --log-level warning)
    if [ "$ACCESS_LOG" = true ]; then web+=(--access-log); else web+=(--no-access-log); fi
    web+=(masthead.wsgi:application)
    ;;
  gunicorn)
    # gthread keeps connections alive between requests; the sync worker closes each one.
    web=(.venv/bin/gunicorn masthead.wsgi:application --bind "$HOST:$PORT" --workers "$WEB_WORKERS"
      --worker-class gthread --threads "$WEB_THREADS" --keep-alive 5 --log-level warning)
    if [ "$ACCESS_LOG" = true ]; then web+=(--access-logfile -); fi
    if [ "$WEB_PRELOAD" = true ]; then web+=(--preload); fi
    ;;
  *) echo "WEB_SERVER must be granian or gunicorn, not $WEB_SERVER" >&2; exit 2 ;;
esac
# --no-reload even with DEBUG=true, as the web server does not reload either: the reloader runs the worker
# off the main thread, where a narration cannot hear that the worker is being stopped (docs/audio.md).
nice -n "$BACKGROUND_NICE" .venv/bin/python manage.py db_worker --queue-name "*" --no-reload &
worker=$!
nice -n "$BACKGROUND_NICE" .venv/bin/python manage.py scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
echo "Masthead is serving on http://$HOST:$PORT/ (admin at http://$HOST:$PORT/admin/) with $WEB_SERVER"
"${web[@]}"
