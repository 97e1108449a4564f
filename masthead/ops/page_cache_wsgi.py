"""The page cache's stored copies answered in front of Django, without its request handling.

On a cached page most of a request's time went to Django's handling around the answer (the
request_started and request_finished signals, the handler's middleware chain), not to the answer
itself (bench/cache_hit.py). `StoredPagesFirst`, wrapped around Django's handler in masthead/wsgi.py,
asks the page cache the same question `PageCacheMiddleware` asks, with the same function
(`core.page_cache.stored_response_for`) on a request of Django's own making, and on a hit runs the
middleware that stands in front of the page cache in settings.MIDDLEWARE (the request id, access
log line and metrics; the security headers; nginx's cache mark), the same classes in the same order,
so the answer carries every header the whole stack gives it. Everything else goes to Django as it
came: a page not stored, a POST, a waiting flash message, any error.

It steps aside for good when the middleware in front of the page cache includes one it does not
know (a middleware added there may need what only Django's handler gives), and when
PAGE_CACHE_WSGI_FAST_PATH is off (MASTHEAD_WSGI_FAST_PATH=false, the operator's switch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from masthead.core.page_cache import UNCACHED_PATH_PREFIXES, stored_response_for

logger = logging.getLogger(__name__)

PAGE_CACHE_MIDDLEWARE = "masthead.core.page_cache.PageCacheMiddleware"
# What may stand in front of the page cache: these need nothing of Django's handler but the request.
KNOWN_IN_FRONT = frozenset(
    {
        "masthead.ops.middleware.RequestIdMiddleware",
        "masthead.ops.front_cache.FrontCacheMiddleware",
        "django.middleware.security.SecurityMiddleware",
    }
)


class NotStored(Exception):
    """The page cache has no copy for this request: Django answers it."""


def middleware_in_front() -> list[str] | None:
    """The middleware before the page cache in settings.MIDDLEWARE; None if the page cache is not there
    or something unknown stands in front of it."""
    middleware = list(settings.MIDDLEWARE)
    if PAGE_CACHE_MIDDLEWARE not in middleware:
        return None
    in_front = middleware[: middleware.index(PAGE_CACHE_MIDDLEWARE)]
    unknown = [path for path in in_front if path not in KNOWN_IN_FRONT]
    if unknown:
        logger.warning("stored pages are answered by Django only: %s stands in front of the page cache", unknown)
        return None
    return in_front


def answer_stored(request: HttpRequest) -> HttpResponse:
    """The innermost step of the chain: the stored copy, or NotStored."""
    response = stored_response_for(request)
    if response is None:
        raise NotStored
    return response


def chain_in_front(paths: list[str]) -> Callable[[HttpRequest], HttpResponse]:
    """The middleware of `paths` around `answer_stored`, built as Django builds its own chain."""
    handler = answer_stored
    for path in reversed(paths):
        try:
            handler = import_string(path)(handler)
        except MiddlewareNotUsed:
            continue
    return handler


def may_be_stored(environ: dict) -> bool:
    """A cheap first look: only a GET or HEAD outside the pages never stored can have a stored copy."""
    return environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not environ.get("PATH_INFO", "").startswith(
        UNCACHED_PATH_PREFIXES
    )


class StoredPagesFirst:
    """A WSGI application: a stored copy when the page cache has one for this request, else Django's answer."""

    def __init__(self, django_application):
        self.django_application = django_application
        paths = middleware_in_front() if settings.PAGE_CACHE_WSGI_FAST_PATH else None
        self.chain = None if paths is None else chain_in_front(paths)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if self.chain is None or not may_be_stored(environ):
            return self.django_application(environ, start_response)
        try:
            # A copy of the environ: the request rewrites PATH_INFO, and Django must read it as it came.
            response = self.chain(WSGIRequest(environ.copy()))
        except NotStored:
            return self.django_application(environ, start_response)
        except SuspiciousOperation:
            return self.django_application(environ, start_response)  # Django answers and logs it (a 400)
        except Exception:
            logger.warning("a stored page could not be answered in front of Django; Django answers", exc_info=True)
            return self.django_application(environ, start_response)
        # What Django does when a request ends: the institutions' ranges may have been read from the database.
        close_old_connections()
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        start_response(status, headers)
        if response.streaming:
            return response  # never a stored copy; the server closes it, which ends it as Django would
        return [response.content]
