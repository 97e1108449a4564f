"""nginx's cache of anonymous pages in front of ours: filled from what our page cache keeps for
anonymous readers, and purged on the same events that forget pages in ours
(`core.page_cache.page_cache_cleared`).

An anonymous response our page cache keeps gets `X-Accel-Expires` (nginx caches it that long, and
strips the header) and its host and path are remembered in Redis. When our cache forgets pages,
nginx gets one `PURGE` per forgotten address (or, when ours was cleared, per remembered one), after
the transaction commits, at each of FRONT_CACHE_PURGE_URLS. Debian's purge module takes exact keys
only, hence the list. If a purge cannot reach nginx, the page still leaves its cache within
PAGE_CACHE_SECONDS. nginx passes every request with a session cookie through (deploy/nginx.conf):
signed-in readers' audiences are our page cache's alone. While an institution is recognised by its
IP ranges (docs/institutions.md), nothing is marked: nginx knows no networks, and would serve its
readers the anonymous copy.
"""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from masthead.core.page_cache import ANONYMOUS, has_session_cookie, is_cacheable_request, is_cacheable_response
from masthead.institutions import networks

logger = logging.getLogger(__name__)

URLS_KEY = "front-cache:urls"


def enabled() -> bool:
    return bool(settings.FRONT_CACHE_PURGE_URLS)


def _redis():
    return caches["default"]._cache.get_client(write=True)


class FrontCacheMiddleware:
    """Lets nginx keep what our page cache keeps for anonymous readers, for as long, and remembers it for the purge."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            enabled()
            and is_cacheable_request(request)
            and not has_session_cookie(request)
            and getattr(request, "page_cache_audience", None) == ANONYMOUS
            # Stored by us now, or served from our copy: never a render we refused (a change came meanwhile).
            and getattr(request, "page_cache_seconds_left", 0) > 0
            and is_cacheable_response(response)
            and not getattr(request, "user_dependent_response", False)
            # nginx answers by address alone: it would give an institution's readers the teaser.
            and not networks.current_ranges()
        ):
            # No longer than our copy lives: the purge reaches nginx only for pages we still hold.
            response["X-Accel-Expires"] = str(request.page_cache_seconds_left)
            try:
                _redis().sadd(URLS_KEY, f"{request.get_host()} {request.get_full_path()}")
            except Exception:  # Redis down: nginx's copy still expires on time
                logger.warning("could not remember a page for the front cache's purge", exc_info=True)
                del response["X-Accel-Expires"]
        return response


def purge_on_commit(addresses: list[str] | None = None, **kwargs) -> None:
    """Purge nginx once the change is committed (earlier, nginx could fetch and keep the old page again)."""
    if enabled():
        # robust: with Redis or nginx down the change is still saved; nginx's copy expires on time.
        transaction.on_commit(lambda: purge(addresses), robust=True)


def purge(addresses: list[str] | None = None) -> int:
    """Send PURGE for these pages ("host path"), or every remembered one, to every front server; returns how many."""
    client = _redis()
    if addresses is None:
        pipe = client.pipeline()
        pipe.smembers(URLS_KEY)
        pipe.delete(URLS_KEY)
        members, _ = pipe.execute()
    else:
        members = addresses
        if addresses:
            client.srem(URLS_KEY, *addresses)
    entries = sorted(member.decode() if isinstance(member, bytes) else member for member in members)
    unreached = False
    for base_url in settings.FRONT_CACHE_PURGE_URLS:
        try:
            _purge_at(base_url, entries)
        except (OSError, http.client.HTTPException):
            logger.warning("could not purge the front cache at %s", base_url, exc_info=True)
            unreached = True
    if unreached and entries:
        client.sadd(URLS_KEY, *entries)  # tried again at the next purge; meanwhile they expire on time
    return len(entries)


def _purge_at(base_url: str, entries: list[str]) -> None:
    parts = urlsplit(base_url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname, parts.port, timeout=5)
    try:
        for entry in entries:
            host, path = entry.split(" ", 1)
            conn.request("PURGE", "/_purge", headers={"Host": host, "X-Purge-Path": path})
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 404):  # 404: nginx had not kept that page
                logger.warning("front cache purge of %s answered %s", path, response.status)
    finally:
        conn.close()
