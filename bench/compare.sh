#!/usr/bin/env bash
# Runs bench/web.sh over the server set-ups worth comparing and gathers one table of them all.
# Each run is a full web.sh run (its own report in bench/results/); the summary lands in
# bench/results/compare-<date>.md. Takes about 20 minutes; keep the machine otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."
summary=bench/results/compare-$(date +%Y-%m-%d-%H%M%S).md
mkdir -p bench/results
{
  echo "# Server set-ups compared, $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, wrk -t2 -c32 -d${DURATION:-15s} on the same cores"
  echo
  echo "Requests/s (p99 in ms; the server's CPU per request in µs) per page."
  echo
  echo "| Set-up | Home \`/\` | Section \`/politics/\` | Seed article | Search \`?q=Lavrov\` | Free article, anonymous |" \
    "Subscriber-only, anonymous | Free article, subscriber | Subscriber-only, subscriber | Other CPU (cores, per page) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$summary"
export BENCH_SUMMARY=$summary

# label|environment for web.sh
CONFIGS=(
  "gunicorn sync, 2 workers|SERVER=gunicorn WORKER_CLASS=sync WEB_WORKERS=2"
  "gunicorn sync, 3 workers|SERVER=gunicorn WORKER_CLASS=sync WEB_WORKERS=3"
  "gunicorn sync, 4 workers|SERVER=gunicorn WORKER_CLASS=sync WEB_WORKERS=4"
  "gunicorn gthread, 2 workers x 1 thread, keep-alive 5 s|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=2 WEB_THREADS=1"
  "gunicorn gthread, 2 workers x 2 threads, keep-alive 5 s (serve.sh without granian)|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=2 WEB_THREADS=2"
  "gunicorn gthread, 2 workers x 4 threads, keep-alive 5 s|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=2 WEB_THREADS=4"
  "gunicorn gthread, 4 workers x 4 threads, keep-alive 5 s|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=4 WEB_THREADS=4"
  "gunicorn gthread, 4 x 4, keep-alive 5 s, access log (serve.sh before)|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=4 WEB_THREADS=4 ACCESS_LOG=1"
  "gunicorn gthread, 4 x 4, keep-alive off|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=4 WEB_THREADS=4 KEEPALIVE=0"
  "granian, 2 workers x 1 blocking thread|SERVER=granian WEB_WORKERS=2 WEB_THREADS=1"
  "granian, 2 workers x 2 blocking threads (serve.sh)|SERVER=granian WEB_WORKERS=2 WEB_THREADS=2"
  "granian, 2 x 2, access log (serve.sh as shipped)|SERVER=granian WEB_WORKERS=2 WEB_THREADS=2 ACCESS_LOG=1"
  "granian, 4 workers x 1 blocking thread|SERVER=granian WEB_WORKERS=4 WEB_THREADS=1"
  "granian, 2 x 1, keep-alive off|SERVER=granian WEB_WORKERS=2 WEB_THREADS=1 KEEPALIVE=0"
  "gunicorn sync, 4 workers, Redis page cache|SERVER=gunicorn WORKER_CLASS=sync WEB_WORKERS=4 CACHE=redis"
  "gunicorn gthread, 2 x 4, Redis page cache|SERVER=gunicorn WORKER_CLASS=gthread WEB_WORKERS=2 WEB_THREADS=4 CACHE=redis"
  "granian, 2 x 1, Redis page cache|SERVER=granian WEB_WORKERS=2 WEB_THREADS=1 CACHE=redis"
  "granian, 2 x 4, Redis page cache|SERVER=granian WEB_WORKERS=2 WEB_THREADS=4 CACHE=redis"
)
if [ -n "${ONLY:-}" ]; then
  mapfile -t CONFIGS < <(printf '%s\n' "${CONFIGS[@]}" | grep -E "$ONLY")
fi

first=1
for config in "${CONFIGS[@]}"; do
  IFS='|' read -r label settings <<< "$config"
  echo "######## $label"
  # Only the first run prepares the data folder; the rest reuse it.
  env $settings LABEL="$label" SKIP_SETUP=$([ $first = 1 ] || echo 1) bench/web.sh > /dev/null
  first=0
  tail -n 1 "$summary"
done
echo
cat "$summary"
