#!/usr/bin/env bash
# Stored pages answered in front of Django (ops/page_cache_wsgi.py) against Django's handler alone, in one
# run: bench/web.sh four times, off, on, on, off (MASTHEAD_WSGI_FAST_PATH), so a change in the machine's
# other work falls on both alike. Each run keeps its own report in bench/results/; the summary, with the
# load average before each run, lands in bench/results/fast-path-<date>.md. About 15 minutes.
# SKIP_SETUP=1 reuses bench/web.sh's data folder for the first run too (the others always do).
set -euo pipefail
cd "$(dirname "$0")/.."
summary=bench/results/fast-path-$(date +%Y-%m-%d-%H%M%S).md
mkdir -p bench/results
{
  echo "# Stored pages in front of Django or not, $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, granian as bench/web.sh runs it, wrk -t2 -c32 -d${DURATION:-15s} on the same cores"
  echo
  echo "Requests/s (p99 in ms; the server's CPU per request in µs) per page; each run's own report (p50, errors, other CPU) is in bench/results/web-*.md."
  echo
  echo "| Set-up | Home \`/\` | Section \`/politics/\` | Seed article | Search \`?q=Lavrov\` | Free article, anonymous |" \
    "Subscriber-only, anonymous | Free article, subscriber | Subscriber-only, subscriber | Subscriber-only, refunded | Other CPU (cores, per page) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$summary"
export BENCH_SUMMARY=$summary
first=1
for switch in false true true false; do
  label="in front of Django: $switch, load $(cut -d' ' -f1 /proc/loadavg) at the start"
  echo "######## $label"
  MASTHEAD_WSGI_FAST_PATH=$switch LABEL="$label" SKIP_SETUP=$([ $first = 1 ] && echo "${SKIP_SETUP:-}" || echo 1) \
    bench/web.sh > /dev/null
  first=0
  tail -n 1 "$summary"
done
echo
cat "$summary"
