#!/usr/bin/env bash
# Web benchmark: the site under production settings with demo content, measured by wrk.
#
# Builds its own data folder (never ./data), migrates, loads the demo content, collects static
# files, starts the web server on a free port of 127.0.0.1, warms each page into the page cache,
# then runs wrk against each page and prints a markdown table, also saved to bench/results/.
# The server is stopped on exit, however the script ends.
#
# Knobs (environment); the defaults are scripts/serve.sh's without its access log: granian when
# installed, else gunicorn gthread; one worker per core, two threads each.
#   SERVER=granian|gunicorn     WEB_WORKERS (default: cores)       WEB_THREADS (default 2)
#   WORKER_CLASS=gthread|sync   (gunicorn only)                    KEEPALIVE=seconds (0 = off; granian: on/off only)
#   ACCESS_LOG=1                logs every request, as scripts/serve.sh does
#   CACHE=disk|redis            BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, a database of its own:
#                               clearing the page cache empties the whole Redis database)
#   DURATION=15s  CONNECTIONS=32  WRK_THREADS=2   BENCH_DATA_DIR=/tmp/masthead-bench   LABEL=free text
#   SKIP_SETUP=1 reuses the data folder as it is (for several runs in a row, see bench/compare.sh)
#   MASTHEAD_WSGI_FAST_PATH=false  stored pages answered by Django's handler, not in front of it (bench/fast_path.sh)
#   BENCH_SUMMARY=file appends one line per run (requests/s and p99 of each page) to that markdown file
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python

SKIP_SETUP=${SKIP_SETUP:-}
if [ -x .venv/bin/granian ]; then default_server=granian; else default_server=gunicorn; fi
SERVER=${SERVER:-$default_server}
WEB_WORKERS=${WEB_WORKERS:-$(nproc)}
WEB_THREADS=${WEB_THREADS:-2}
WORKER_CLASS=${WORKER_CLASS:-gthread}
KEEPALIVE=${KEEPALIVE:-5}
ACCESS_LOG=${ACCESS_LOG:-}
CACHE=${CACHE:-disk}  # disk: the embedded default (diskcache, SQLite files under the data folder)
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
LABEL=${LABEL:-}

command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install-system-packages.sh" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

# Production settings, isolated from the developer's ./data.
export DATA_DIR=${BENCH_DATA_DIR:-/tmp/masthead-bench}
export DEBUG=false
export REQUIRE_SECRET_KEY=true
export SECRET_KEY=${SECRET_KEY:-masthead-bench-not-a-real-secret-0123456789abcdef}
export ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL=http://127.0.0.1
export LOG_LEVEL=WARNING
export AUDIO_NARRATE_ON_PUBLISH=false
export DJANGO_SETTINGS_MODULE=masthead.settings
unset DATABASE_URL
if [ "$CACHE" = redis ]; then
  export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
else
  unset REDIS_URL
fi
mkdir -p "$DATA_DIR" bench/results

if [ -z "$SKIP_SETUP" ]; then
  echo "== Preparing $DATA_DIR (migrate, demo content, search index, static files)"
  "$PY" manage.py migrate --noinput --verbosity 0
  "$PY" manage.py load_demo
  # Publishing queues search indexing (and narration, which takes hours) for the worker; no worker
  # runs here, so build the search index directly and leave the queue alone.
  "$PY" manage.py update_index --verbosity 0
  "$PY" manage.py collectstatic --noinput --verbosity 0
fi
# Start from an empty page cache, so the warm-up below is what fills it.
"$PY" manage.py shell --verbosity 0 -c "from masthead.core.page_cache import page_cache; page_cache().clear()"

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
case "$SERVER" in
  gunicorn)
    server_cmd=(.venv/bin/gunicorn masthead.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WEB_WORKERS"
      --worker-class "$WORKER_CLASS" --threads "$WEB_THREADS" --keep-alive "$KEEPALIVE" --log-level warning)
    if [ -n "$ACCESS_LOG" ]; then server_cmd+=(--access-logfile -); fi
    ;;
  granian)
    server_cmd=(.venv/bin/granian --interface wsgi --host 127.0.0.1 --port "$PORT" --workers "$WEB_WORKERS"
      --blocking-threads "$WEB_THREADS" --log-level warning)
    if [ -n "$ACCESS_LOG" ]; then server_cmd+=(--access-log); else server_cmd+=(--no-access-log); fi
    if [ "$KEEPALIVE" = 0 ]; then server_cmd+=(--no-http1-keep-alive); fi
    server_cmd+=(masthead.wsgi:application)
    ;;
  *) echo "SERVER must be gunicorn or granian, not $SERVER" >&2; exit 2 ;;
esac

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

echo "== Starting: ${server_cmd[*]}"
"${server_cmd[@]}" > "$DATA_DIR/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "The server died:" >&2; cat "$DATA_DIR/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "The server never answered /healthz" >&2; exit 1; }

# The paywall's cost and the readers who pay: a narrated subscriber-only article against a free one
# of the same length, read anonymously (the teaser and the "subscribe to listen" offer), by a paying
# subscriber (the whole article and the player) and by a reader refunded under the guarantee (the
# teaser again), each from their audience's stored copy (core/page_cache.py).
eval "$("$PY" bench/paywall_setup.py)"

# name|path|target requests/s|target p99 ms (empty: no target)|who ("" anonymous, "subscriber", "refunded")
PAGES=(
  "Home page|/|420||"
  "Section page|/politics/|||"
  "Seed article|/foreign-affairs/china-boasts-of-closer-ties-with-russia-after-envoys-moscow-visit/|750|50|"
  "Search|/search/?q=Lavrov|||"
  "Free article, anonymous|$FREE_ARTICLE|||"
  "Subscriber-only article, anonymous|$GATED_ARTICLE|||"
  "Free article, subscriber|$FREE_ARTICLE|||subscriber"
  "Subscriber-only article, subscriber|$GATED_ARTICLE||20|subscriber"
  "Subscriber-only article, refunded|$GATED_ARTICLE|||refunded"
)
cookie_for() {
  case "$1" in
    subscriber) echo "Cookie: $SUBSCRIBER_COOKIE" ;;
    refunded) echo "Cookie: $REFUNDED_COOKIE" ;;
    *) echo "X-Anonymous: 1" ;;
  esac
}

echo "== Warming"
for entry in "${PAGES[@]}"; do
  IFS='|' read -r name path _ _ who <<< "$entry"
  header=$(cookie_for "$who")
  for _ in 1 2 3 4; do curl -fsS -o /dev/null -H "$header" "$BASE$path"; done
  cache=$(curl -fsS -D - -o /dev/null -H "$header" "$BASE$path" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-page-cache" {print $2}')
  bytes=$(curl -fsS -H "$header" "$BASE$path" | wc -c)
  echo "   $name $path: ${bytes} bytes, page cache: ${cache:-none}"
  [ "$cache" = hit ] || echo "   WARNING: $path is not served from the page cache${who:+ to the $who}" >&2
  body=$(curl -fsS -H "$header" "$BASE$path")
  if [ -n "$who" ]; then
    grep -q 'isAccessibleForFree' <<< "$body" || echo "   WARNING: $path did not render an article" >&2
  fi
  # The narrated subscriber-only article: the player for the subscriber, the offer for the others.
  case "$name" in
    "Subscriber-only article, subscriber") grep -q 'data-audio-player' <<< "$body" || echo "   WARNING: no audio player" >&2 ;;
    "Subscriber-only article, "*) grep -q 'Subscribe to listen' <<< "$body" || echo "   WARNING: no offer to listen" >&2 ;;
  esac
done

# Other work on the machine skews every figure: measure the CPU that neither the server nor wrk used.
# user + nice + system + steal: interrupt time is mostly this benchmark's own loopback traffic.
busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $9}' /proc/stat; }
server_jiffies() {
  local total=0 pid
  for pid in "$server_pid" $(ps -o pid= --ppid "$server_pid"); do
    [ -r "/proc/$pid/stat" ] && total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') ))
  done
  echo "$total"
}
# CPU of this shell's finished children (wrk): `times` must run in this shell, so it writes a file.
children_jiffies() {
  times > "$DATA_DIR/times.txt"
  children=$(awk -v hz="$(getconf CLK_TCK)" 'NR == 2 {gsub(/[ms]/, " "); print int(($1 * 60 + $2 + $3 * 60 + $4) * hz)}' \
    "$DATA_DIR/times.txt")
}

stamp=$(date +%Y-%m-%d-%H%M%S)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
raw_dir=bench/results/raw-$stamp
mkdir -p "$raw_dir"
rows=()
cells=()
others=()
for entry in "${PAGES[@]}"; do
  IFS='|' read -r name path target_rps target_p99 who <<< "$entry"
  raw="$raw_dir/$(echo "$name" | tr -d ',' | tr 'A-Z ' 'a-z-').txt"
  echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency $BASE$path${who:+ (as $who)}"
  sleep 1
  children_jiffies; children0=$children
  busy0=$(busy_jiffies) server0=$(server_jiffies) start=$(date +%s.%N)
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/report.lua -H "$(cookie_for "$who")" \
    "$BASE$path" > "$raw"
  busy1=$(busy_jiffies) server1=$(server_jiffies) end=$(date +%s.%N)
  children_jiffies; children1=$children
  grep -E "Requests/sec|Non-2xx|Socket errors" "$raw" || true
  # Cores' worth of CPU spent by everything else on the machine while wrk ran.
  other=$(awk -v b="$(( busy1 - busy0 ))" -v s="$(( server1 - server0 ))" -v c="$(( children1 - children0 ))" \
    -v t0="$start" -v t1="$end" -v hz="$(getconf CLK_TCK)" 'BEGIN {o = (b - s - c) / hz / (t1 - t0); printf "%.2f", o < 0 ? 0 : o}')
  echo "   other processes used $other cores meanwhile"
  server_seconds=$(awk -v s="$(( server1 - server0 ))" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", s / hz}')
  rows+=("$("$PY" - "$name" "$path" "$target_rps" "$target_p99" "$(grep '^BENCH ' "$raw")" "$other" "$server_seconds" <<'PYEOF'
import sys

name, path, target_rps, target_p99, line, other, server_seconds = sys.argv[1:]
fields = dict(item.split("=") for item in line.split()[1:])
rps = int(fields["requests"]) / (int(fields["duration_us"]) / 1e6)
p50, p99 = int(fields["p50_us"]) / 1000, int(fields["p99_us"]) / 1000
failures = int(fields["non2xx"]) + int(fields["errors"])
# The server's own CPU (all its processes, user + system) per request answered: other work moves it less than the rate.
cpu_us = float(server_seconds) / max(int(fields["requests"]), 1) * 1e6
targets, met = [], True
if target_rps:
    targets.append(f">= {target_rps} req/s")
    met &= rps >= float(target_rps)
if target_p99:
    targets.append(f"p99 <= {target_p99} ms")
    met &= p99 <= float(target_p99)
met &= failures == 0
verdict = ("met" if met else "**missed**") if targets else ""
print(
    f"| {name} | `{path}` | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {failures} | {other} | {cpu_us:.0f} | {', '.join(targets)} | {verdict} |"
)
PYEOF
)")
  # For BENCH_SUMMARY: "requests/s (p99 ms; server CPU µs per request)", read back from the row just made.
  cells+=("$(echo "${rows[-1]}" | awk -F' [|] ' '{printf "%s (%s; %s)", $3, $5, $8}')")
  others+=("$other")
done

report=bench/results/web-$stamp.md
{
  echo "# Web benchmark, $(date '+%Y-%m-%d %H:%M')${LABEL:+: $LABEL}"
  echo
  echo "- Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)'), $(nproc) cores, $("$PY" --version)"
  echo "- Server: \`${server_cmd[*]}\`"
  echo "- Page cache: $CACHE; wrk on the same machine: \`wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency\`"
  echo "- Stored pages answered in front of Django (ops/page_cache_wsgi.py): ${MASTHEAD_WSGI_FAST_PATH:-true}; load average at the start $load_at_start, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- \"Other CPU\": cores' worth of CPU used by processes other than this server and wrk during"
  echo "  each measurement; anything above 0.1 means the figures understate the site."
  echo "- \"Server CPU per request\": the web server's processes' CPU time (user + system) during the"
  echo "  measurement divided by the requests answered."
  echo
  echo "| Page | URL | Requests/s | p50 (ms) | p99 (ms) | Errors and non-2xx | Other CPU | Server CPU per request (µs) | Target | |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  # The paywall's cost: throughput lost on the subscriber-only article against the free one.
  printf '%s\n' "${rows[@]}" | awk -F' [|] ' '
    { gsub(/,/, "", $3); rps[$1] = $3 }
    END {
      split("anonymous subscriber", readers, " ")
      for (i = 1; i <= 2; i++) {
        free = rps["| Free article, " readers[i]]; gated = rps["| Subscriber-only article, " readers[i]]
        cost = free > 0 ? (free - gated) / free * 100 : 0
        printf "- Paywall cost, %s: %.1f%% (%s vs %s requests/s; limit 10%%): %s\n", readers[i],
          cost < 0 ? 0 : cost, gated, free, cost <= 10 ? "met" : "**missed**"
      }
      # Issue 18: the narrated subscriber-only article for anonymous readers against a free one, and
      # the subscriber (and the refunded reader) against the anonymous rate for the same article.
      anon_gated = rps["| Subscriber-only article, anonymous"]
      ratio(anon_gated, rps["| Free article, anonymous"], "Narrated subscriber-only article, anonymous, against a free article")
      ratio(rps["| Subscriber-only article, subscriber"], anon_gated, "Subscriber on the subscriber-only article, against anonymous")
      ratio(rps["| Subscriber-only article, refunded"], anon_gated, "Refunded reader on the subscriber-only article, against anonymous")
    }
    function ratio(rate, base, label) {
      share = base > 0 ? rate / base * 100 : 0
      printf "- %s: %.0f%% (%s vs %s requests/s; at least 70%%): %s\n", label, share, rate, base, share >= 70 ? "met" : "**missed**"
    }'
} > "$report"
echo
cat "$report"
echo
echo "Saved to $report (wrk's full output in $raw_dir/)"
if [ -n "${BENCH_SUMMARY:-}" ]; then
  printf '| %s | %s | %s |\n' "${LABEL:-$SERVER}" "$(IFS='|'; echo "${cells[*]}" | sed 's/|/ | /g')" "$(IFS=/; echo "${others[*]}")" >> "$BENCH_SUMMARY"
fi
