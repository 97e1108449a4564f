"""Whole-page cache for anonymous readers, cleared whenever anything published changes.

Anonymous readers see the same page for the same URL, so their GET responses are stored under
the URL and served before sessions, auth or the CMS are touched. A request carrying a session
cookie (a logged-in reader, an editor) always goes through, as does any response that sets a
cookie or says it is private. Publishing, unpublishing or editing pages, issues, authors or
images, or changing a page's privacy, clears the whole cache: simple, and correct for a site that
publishes a few times a day.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

CACHE_ALIAS = "pages"
UNCACHED_PATH_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/account/",
    "/accounts/",
    "/subscribe/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/metrics",
)
# Sent after every clear, so caches in front of ours (nginx's, a CDN's) are purged on the same events.
page_cache_cleared = Signal()


def page_cache():
    return caches[CACHE_ALIAS]


def cache_key(request: HttpRequest) -> str:
    url = request.get_host() + request.get_full_path()
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def is_cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(UNCACHED_PATH_PREFIXES)
        and "preview" not in request.GET
    )


def is_cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        cached = page_cache().get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if is_cacheable_response(response) and not getattr(request, "user_dependent_response", False):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            page_cache().set(key, response, settings.PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
        return response


def mark_user_dependent(request: HttpRequest) -> None:
    """Keep this response out of the shared cache: it depends on who asked."""
    request.user_dependent_response = True


def clear_page_cache(**kwargs) -> None:
    from django.core.cache.backends.redis import RedisCache

    cache = page_cache()
    if isinstance(cache, RedisCache):
        # Redis's clear() is FLUSHDB: it would also empty the default cache and task queues there.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.unlink(*keys)
    else:
        cache.clear()
    page_cache_cleared.send(sender=clear_page_cache)


def clear_page_cache_for_deleted_page(instance, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        clear_page_cache()


def clear_page_cache_now_and_on_commit(**kwargs) -> None:
    """Clear now, and again when the transaction commits: a reader's request in between reads the rows as
    they were and could store the page again."""
    clear_page_cache()
    transaction.on_commit(clear_page_cache)


def connect_invalidation() -> None:
    """Clear the cache when anything a public page shows is published, edited, moved, removed or made private."""
    from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

    for signal in (page_published, page_unpublished, post_page_move, published, unpublished):
        signal.connect(clear_page_cache, dispatch_uid=f"page_cache_{id(signal)}")
    post_delete.connect(clear_page_cache_for_deleted_page, dispatch_uid="page_cache_page_deleted")
    # Authors and images are not published through Wagtail's workflow: any save shows at once.
    for model_label in ("content.Author", "content.CreditedImage"):
        post_save.connect(clear_page_cache, sender=model_label, dispatch_uid=f"page_cache_save_{model_label}")
        post_delete.connect(clear_page_cache, sender=model_label, dispatch_uid=f"page_cache_delete_{model_label}")
    # Page privacy is set in its own dialog, not by publishing. A page made private must leave every
    # cached page at once (its own, and the lists, feeds and search results that showed it); one made
    # public again must come back.
    for signal in (post_save, post_delete):
        signal.connect(
            clear_page_cache_now_and_on_commit,
            sender="wagtailcore.PageViewRestriction",
            dispatch_uid=f"page_cache_privacy_{id(signal)}",
        )
