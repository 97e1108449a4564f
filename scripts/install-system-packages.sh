#!/usr/bin/env bash
# Debian packages the tests and benchmarks need; installs only what is missing.
set -euo pipefail
needed=()
command -v chromium >/dev/null || needed+=(chromium)
[ -e /usr/bin/epubcheck ] || needed+=(epubcheck)
command -v wrk >/dev/null || needed+=(wrk)
command -v pdftotext >/dev/null || needed+=(poppler-utils)
# The production profile (`make prod`, `make test-prod`): nginx in front, with cache purging.
[ -x /usr/sbin/nginx ] || needed+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_http_cache_purge_module.so ] || needed+=(libnginx-mod-http-cache-purge)
# The archive search's RUM index (content/0006) on the machine's PostgreSQL, for its own version.
pg_version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
if [ -n "$pg_version" ] && [ ! -e "/usr/share/postgresql/$pg_version/extension/rum.control" ]; then
  needed+=("postgresql-$pg_version-rum")
fi
if [ ${#needed[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" fonts-dejavu-core >/dev/null
fi
