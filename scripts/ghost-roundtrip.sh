#!/usr/bin/env bash
# A real Ghost, filled and exported, for tests/migration/exports/real-ghost-<version>/ (issue 15). Not run by CI.
#
# Installs Ghost from the npm registry into $GHOST_DIR (outside the repo), runs it on MariaDB/MySQL
# (127.0.0.1:3306, root, no password: the database `ghost` is dropped and made afresh), fills it through
# its Admin API and exports it without secrets (scripts/ghost_roundtrip.py), then stops it.
#
#   scripts/ghost-roundtrip.sh                 # Ghost 5.130.4, into tests/migration/exports/real-ghost-5.130.4
#   GHOST_VERSION=5.x.y scripts/ghost-roundtrip.sh
#
# Needs node 20 (Ghost 6 needs 22), npm, mysql's client and the project's .venv. Nothing is fetched but
# from npm: Ghost's package is unpacked and installed with npm rather than yarn (its yarn.lock is the
# monorepo's, whose development packages come from GitHub), without its devDependencies, optional
# packages (sqlite3, sharp: prebuilt binaries from GitHub) and install scripts; without sharp Ghost
# refuses uploads unless told not to resize them (imageOptimization.resize: false), so pictures stay as sent.
set -euo pipefail

GHOST_VERSION=${GHOST_VERSION:-5.130.4}
GHOST_DIR=${GHOST_DIR:-/tmp/ghost}
PORT=${GHOST_PORT:-2368}
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/tests/migration/exports/real-ghost-$GHOST_VERSION}
APP=$GHOST_DIR/ghost-$GHOST_VERSION
CONTENT=$GHOST_DIR/content

mkdir -p "$GHOST_DIR"
if [ ! -d "$APP/node_modules" ]; then
    (cd "$GHOST_DIR" && npm pack "ghost@$GHOST_VERSION" >/dev/null)
    rm -rf "$APP" && mkdir -p "$APP"
    tar xzf "$GHOST_DIR/ghost-$GHOST_VERSION.tgz" -C "$APP" --strip-components=1
    # A production install: drop devDependencies (some are GitHub tarballs) so npm never resolves them.
    (cd "$APP" && node -e 'const fs=require("fs");const p=JSON.parse(fs.readFileSync("package.json"));delete p.devDependencies;fs.writeFileSync("package.json",JSON.stringify(p,null,2))')
    # --legacy-peer-deps: bookshelf 1.2's peer range names an older knex than Ghost pins (yarn ignores it).
    (cd "$APP" && npm install --omit=dev --omit=optional --legacy-peer-deps --ignore-scripts --no-audit --no-fund)
    # The one optional package wanted (pure JS): Ghost 5 refuses a post sent with ?source=html without it, though
    # it keeps the Lexical it also makes.
    (cd "$APP" && npm install --no-save --legacy-peer-deps --ignore-scripts --no-audit --no-fund \
        "@tryghost/html-to-mobiledoc@$(node -p 'require("./package.json").optionalDependencies["@tryghost/html-to-mobiledoc"]')")
fi

rm -rf "$CONTENT" && mkdir -p "$CONTENT" && cp -r "$APP/content/." "$CONTENT/"
cat > "$APP/config.development.json" <<EOF
{
  "url": "http://127.0.0.1:$PORT",
  "server": {"host": "127.0.0.1", "port": $PORT},
  "database": {"client": "mysql", "connection": {"host": "127.0.0.1", "port": 3306, "user": "root",
               "password": "", "database": "ghost", "charset": "utf8mb4"}},
  "mail": {"transport": "stub"},
  "logging": {"transports": ["stdout"], "level": "info"},
  "paths": {"contentPath": "$CONTENT"},
  "privacy": {"useUpdateCheck": false, "useGravatar": false, "useRpcPing": false},
  "security": {"staffDeviceVerification": false},
  "imageOptimization": {"resize": false}
}
EOF
mysql -h127.0.0.1 -uroot -e 'DROP DATABASE IF EXISTS ghost; CREATE DATABASE ghost CHARACTER SET utf8mb4'

(cd "$APP" && NODE_ENV=development exec node index.js > "$GHOST_DIR/ghost.log" 2>&1) &
GHOST_PID=$!
trap 'kill $GHOST_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/ghost/api/admin/site/" >/dev/null && break
    kill -0 $GHOST_PID 2>/dev/null || { tail -30 "$GHOST_DIR/ghost.log"; exit 1; }
    sleep 1
done

"$REPO/.venv/bin/python" "$REPO/scripts/ghost_roundtrip.py" --url "http://127.0.0.1:$PORT" \
    --content "$CONTENT" --out "$OUT"
