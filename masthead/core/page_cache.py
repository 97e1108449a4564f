"""The page cache: one stored copy of a page per audience, rebuilt only when what it shows changes.

An audience is what a group of readers may see: everyone without a session (`ANONYMOUS`), or a
signed-in reader's entitlements as `access` decides them. The page for a subscriber is the same for
every subscriber; what is personal (where they stopped listening) comes from small requests of its own.

A GET is answered like this:
1. `PageCacheMiddleware`, first of all: without a session cookie the audience is anonymous (or, from
   an institution's network, that network's: `network_of`); with one, it is the audience remembered
   for that session (`core.page_readers`), if it was remembered in the same network. The stored
   copy for that audience and address is served at once, before sessions, auth or the CMS
   (`find_stored_page`). In front of Django, the WSGI layer of ops/page_cache_wsgi.py asks the same
   question (`stored_response_for`) and answers a stored copy without Django's request handling.
2. Otherwise the whole stack runs. `access.page_audience.PageAudienceMiddleware`, last, decides the
   audience with the one gate (`request.page_cache_audience`), watches the view for personal reads
   (`core.personal_reads`) and gathers what the page shows (`core.page_tags`).
3. On the way back the response is stored under its audience if it is a plain 200, sets no cookie,
   is not private and read nothing of the person (else `mark_user_dependent` was called).

A missing page is rendered once: requests for it meanwhile wait for that render's copy.

Publishing or editing a page, or a narration finishing, deletes only the stored pages that show it
(`forget_pages_showing`); structural changes (a page moved, deleted or made private, an issue
published, an author or image saved) clear everything (`clear_page_cache`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from masthead.core import page_readers, page_tags

CACHE_ALIAS = "pages"
ANONYMOUS = "anonymous"
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
RENDER_LOCK_SECONDS = 30
WAIT_FOR_RENDER_SECONDS = 10
UNSTORABLE_SECONDS = 60  # a page found not storable is rendered by each reader, with no one waiting
EPOCH_KEY = "page-cache:epoch"
# Sent after every clear with `addresses` ("host path" of each page removed, or None for all), so
# caches in front of ours (nginx's, a CDN's) are purged on the same events.
page_cache_cleared = Signal()


def page_cache():
    return caches[CACHE_ALIAS]


# Which institution's network a request comes from (None: none's). Its readers read as subscribers
# even without a session, so they must be told apart before the anonymous copy is served; the
# institutions app tells us how (`recognise_networks_with`), from memory, on every request.
_network_of = None


def recognise_networks_with(network_of) -> None:
    global _network_of
    _network_of = network_of


def network_of(request: HttpRequest) -> int | None:
    return _network_of(request) if _network_of is not None else None


def network_audience(institution_id: int) -> str:
    return f"network:{institution_id}"


def anonymous_audience(request: HttpRequest) -> str:
    """ANONYMOUS, or the audience of readers without a session in an institution's network."""
    institution_id = network_of(request)
    return ANONYMOUS if institution_id is None else network_audience(institution_id)


def address_of(request: HttpRequest) -> str:
    return f"{request.get_host()} {request.get_full_path()}"


def cache_key(request: HttpRequest, audience: str = ANONYMOUS) -> str:
    digest = hashlib.sha256((request.get_host() + request.get_full_path()).encode()).hexdigest()
    return f"page:{audience}:{digest}"


def has_session_cookie(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def is_cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PATH_PREFIXES)
        and "preview" not in request.GET
        # A flash message waits for the next page ("You are signed in"): that page is rendered for them.
        and CookieStorage.cookie_name not in request.COOKIES
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


def mark_user_dependent(request: HttpRequest) -> None:
    """Keep this response out of the shared cache: it depends on who asked."""
    request.user_dependent_response = True


@dataclass
class StoredPage:
    """A stored copy, with the versions of the wide tags it showed (core/page_tags.py) and when it was made."""

    response: HttpResponse
    versions: dict[str, str | None]
    stored_at: float

    def seconds_left(self) -> int:
        return max(0, int(self.stored_at + settings.PAGE_CACHE_SECONDS - time.time()))


def usable(stored: StoredPage | None) -> StoredPage | None:
    """The stored copy, unless a list or narration it showed has changed since (then it is rendered again)."""
    if stored is None or not isinstance(stored, StoredPage) or not page_tags.versions_current(stored.versions):
        return None
    return stored


def served_from_cache(request: HttpRequest, stored: StoredPage, audience: str) -> HttpResponse:
    request.page_cache_audience = audience
    request.page_cache_seconds_left = stored.seconds_left()  # how long a cache in front may keep it
    response = stored.response
    response["X-Page-Cache"] = "hit"
    return response


def stored_copy(request: HttpRequest, audience: str) -> HttpResponse | None:
    """The stored copy for an audience decided only now (a session's first request), if there is one.

    When there is none, the page is rendered once for the audience: if another request is rendering it,
    this one waits for that copy; else it takes the render lock, which the middleware lets go after the
    render. Without it, a full clear would send every new session asking for a page through a render.
    """
    key = cache_key(request, audience)
    if (stored := usable(page_cache().get(key))) is not None:
        return served_from_cache(request, stored, audience)
    if getattr(request, "page_cache_waited", False) or getattr(request, "page_cache_render_lock", None):
        return None  # the middleware already took a lock or waited for this request: render, never wait on ourselves
    locks, lock_key = caches["default"], render_lock_key(key)
    if locks.get(unstorable_key(key)):
        return None
    if locks.add(lock_key, 1, RENDER_LOCK_SECONDS):
        request.page_cache_render_lock = key
        return None
    return copy_rendered_by_another(request, key, audience)


def render_lock_key(key: str) -> str:
    return f"render:{key}"


def copy_rendered_by_another(request: HttpRequest, key: str, audience: str) -> HttpResponse | None:
    """Wait for the copy another request holds the render lock for; None if it ends without storing one."""
    locks, lock_key = caches["default"], render_lock_key(key)
    deadline = time.monotonic() + WAIT_FOR_RENDER_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.01)
        if (stored := usable(page_cache().get(key))) is not None:
            return served_from_cache(request, stored, audience)
        if not locks.has_key(lock_key):
            return None  # rendered and not stored (a 404, a page of the person's own): render it ourselves
    return None


def unstorable_key(key: str) -> str:
    return f"unstorable:{key}"


def find_stored_page(request: HttpRequest) -> tuple[str | None, StoredPage | None]:
    """The audience a cacheable request is answered for before sessions or auth run, and its usable stored copy.

    Without a session cookie the audience is anonymous, or an institution network's; with one, the
    audience remembered for that session, if its record is still current and was made in the same
    network. None: the audience is decided further in, by the one gate (`access.page_audience`).
    """
    if not has_session_cookie(request):
        audience = anonymous_audience(request)
        return audience, usable(page_cache().get(cache_key(request, audience)))
    record = page_readers.remembered_record(request)
    if record is None or record.audience == page_readers.NO_SHARED_COPY:
        return None, None
    if not page_readers.is_current(record) or record.network != network_of(request):
        return None, None  # decided before a change, or in another network (a reader left the library)
    return record.audience, usable(page_cache().get(cache_key(request, record.audience)))


def as_served(request: HttpRequest, response: HttpResponse, audience: str | None) -> HttpResponse:
    """The Cache-Control a page answered by the page cache's first step leaves with, stored or rendered."""
    cache_control = response.get("Cache-Control", "")
    if has_session_cookie(request):
        if "no-store" not in cache_control and "private" not in cache_control:
            # A copy for a signed-in audience is ours to share among its readers, never a proxy's or a CDN's.
            patch_cache_control(response, private=True)
    elif audience != ANONYMOUS and "private" not in cache_control:
        patch_cache_control(response, private=True)  # an institution's page, even one not stored
    return response


def stored_response_for(request: HttpRequest) -> HttpResponse | None:
    """The stored copy this request is answered with before sessions, auth or the CMS run; None: not stored.

    `PageCacheMiddleware` answers with it, and so does the WSGI layer in front of Django
    (ops/page_cache_wsgi.py), so the two can never disagree about who gets which copy.
    """
    if not is_cacheable_request(request):
        return None
    audience, stored = find_stored_page(request)
    return None if stored is None else stored_answer(request, stored, audience)


def stored_answer(request: HttpRequest, stored: StoredPage, audience: str) -> HttpResponse:
    return as_served(request, served_from_cache(request, stored, audience), audience)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_cacheable_request(request):
            return self.get_response(request)
        audience, stored = find_stored_page(request)
        if stored is not None:
            return stored_answer(request, stored, audience)
        if audience is None:
            response = self.render(request)
        else:
            response = self.render_once(request, cache_key(request, audience), audience)
        return as_served(request, response, audience)

    def render_once(self, request: HttpRequest, key: str, audience: str) -> HttpResponse:
        """Render a missing page once: requests for it meanwhile wait for that copy instead of rendering too."""
        locks = caches["default"]
        if locks.get(unstorable_key(key)):
            return self.render(request)  # never stored (a reader's own answer, a 404): nothing to wait for
        if locks.add(render_lock_key(key), 1, RENDER_LOCK_SECONDS):
            request.page_cache_render_lock = key
            return self.render(request)
        request.page_cache_waited = True
        return copy_rendered_by_another(request, key, audience) or self.render(request)

    def render(self, request: HttpRequest) -> HttpResponse:
        """Render and store; let go of the render lock if this request took it (here, or in stored_copy)."""
        try:
            response = self.render_and_store(request)
            if (locked_key := getattr(request, "page_cache_render_lock", None)) and not getattr(
                request, "page_cache_stored", False
            ):
                caches["default"].set(unstorable_key(locked_key), 1, UNSTORABLE_SECONDS)
            return response
        finally:
            if locked_key := getattr(request, "page_cache_render_lock", None):
                caches["default"].delete(render_lock_key(locked_key))

    def render_and_store(self, request: HttpRequest) -> HttpResponse:
        epoch = current_epoch()
        response = self.get_response(request)
        if response.get("X-Page-Cache") == "hit":
            return response  # the audience, decided further in, had a stored copy
        audience = getattr(request, "page_cache_audience", None)
        if (
            audience
            and is_cacheable_response(response)
            and not getattr(request, "user_dependent_response", False)
            # A change committed during the render: what was read may be from before it.
            and current_epoch() == epoch
        ):
            self.store(request, response, audience, epoch)
        response["X-Page-Cache"] = "miss"
        return response

    def store(self, request: HttpRequest, response: HttpResponse, audience: str, epoch: str | None) -> None:
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        tags = getattr(request, "page_cache_tags", set())
        key = cache_key(request, audience)
        # The versions are read before the store: a list changed meanwhile leaves this copy stale at once.
        if audience != ANONYMOUS:
            patch_cache_control(response, private=True)  # as it will be served: saves doing it on every hit
        stored = StoredPage(response, page_tags.wide_tag_versions(tags), time.time())
        page_cache().set(key, stored, settings.PAGE_CACHE_SECONDS)
        page_tags.add_to_indexes(key, address_of(request), tags)
        if current_epoch() != epoch:
            # A change was forgotten while we stored: it may have looked for this page before it was indexed.
            page_cache().delete(key)
            return
        request.page_cache_stored = True
        request.page_cache_seconds_left = settings.PAGE_CACHE_SECONDS


def current_epoch() -> str | None:
    return caches["default"].get(EPOCH_KEY)


def _new_epoch() -> None:
    caches["default"].set(EPOCH_KEY, secrets.token_hex(8), None)


def clear_page_cache(**kwargs) -> None:
    """Forget every stored page."""
    _new_epoch()
    # On Redis, ops/redis_cache.py's clear() unlinks the pages' keys only (Django's own would FLUSHDB).
    page_cache().clear()
    page_cache_cleared.send(sender=clear_page_cache, addresses=None)


def forget_pages_showing(*tags: str) -> None:
    """Forget the stored pages that show any of `tags` (see core.page_tags); the rest stay."""
    _new_epoch()
    addresses = page_tags.forget_pages_tagged(tags)
    if set(tags) & page_tags.WIDE_TAGS:
        addresses = None  # pages showing lists are found stale when asked for: purge everything in front
    page_cache_cleared.send(sender=forget_pages_showing, addresses=addresses)


def now_and_on_commit(forget, *args) -> None:
    """Forget now, and again when the transaction commits: a reader's request in between reads the rows
    as they were and could store the page again."""
    forget(*args)
    transaction.on_commit(lambda: forget(*args))


def clear_now_and_on_commit(**kwargs) -> None:
    now_and_on_commit(clear_page_cache)


def note_whether_page_was_live(sender, instance, **kwargs) -> None:
    """Before a page is saved: was it live? Publishing one that was not puts it on lists."""
    from wagtail.models import Page

    # Only articles are tagged (core/page_tags.py); other pages' publishing clears everything anyway.
    if isinstance(instance, page_tags.RecordsWhereShown) and instance.pk:
        # A page made in code may be saved live before its first revision is published.
        was_live = Page.objects.filter(pk=instance.pk, live=True, live_revision__isnull=False).exists()
        instance._page_cache_was_live = was_live


def forget_pages_showing_published_page(instance, **kwargs) -> None:
    if not isinstance(instance, page_tags.RecordsWhereShown):
        clear_now_and_on_commit()  # a section or the home page: in every page's navigation
        return
    tags = [page_tags.page_tag(instance.pk)]
    if not getattr(instance, "_page_cache_was_live", False):
        tags.append(page_tags.LISTS)
    now_and_on_commit(forget_pages_showing, *tags)


def forget_pages_showing_unpublished_page(instance, **kwargs) -> None:
    if not isinstance(instance, page_tags.RecordsWhereShown):
        clear_now_and_on_commit()
        return
    # Lists too: every later article moves up a place on the paginated lists.
    now_and_on_commit(forget_pages_showing, page_tags.page_tag(instance.pk), page_tags.LISTS)


# Wagtail fills these in on an image the first time a page shows it: nothing a reader sees changes.
IMAGE_BOOKKEEPING_FIELDS = frozenset({"file_size", "file_hash"})


def clear_on_save(update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= IMAGE_BOOKKEEPING_FIELDS:
        return
    clear_now_and_on_commit()


def clear_for_published_snippet(instance, **kwargs) -> None:
    """Wagtail sends `published` for pages too: those are handled by `page_published`."""
    from wagtail.models import Page

    if not isinstance(instance, Page):
        clear_now_and_on_commit()


def clear_page_cache_for_deleted_page(instance, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        clear_now_and_on_commit()


def connect_invalidation() -> None:
    """Forget stored pages when anything they show is published, edited, moved, removed or made private."""
    from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

    pre_save.connect(note_whether_page_was_live, dispatch_uid="page_cache_was_live")
    page_published.connect(forget_pages_showing_published_page, dispatch_uid="page_cache_page_published")
    page_unpublished.connect(forget_pages_showing_unpublished_page, dispatch_uid="page_cache_page_unpublished")
    # A move changes addresses everywhere.
    post_page_move.connect(clear_now_and_on_commit, dispatch_uid="page_cache_page_moved")
    # Issues (snippets) show on most pages and are published twice a month.
    for signal in (published, unpublished):
        signal.connect(clear_for_published_snippet, dispatch_uid=f"page_cache_{id(signal)}")
    post_delete.connect(clear_page_cache_for_deleted_page, dispatch_uid="page_cache_page_deleted")
    # Authors and images are not published through Wagtail's workflow: any save shows at once.
    for model_label in ("content.Author", "content.CreditedImage"):
        post_save.connect(clear_on_save, sender=model_label, dispatch_uid=f"page_cache_save_{model_label}")
        post_delete.connect(
            clear_now_and_on_commit, sender=model_label, dispatch_uid=f"page_cache_delete_{model_label}"
        )
    # Page privacy is set in its own dialog, not by publishing. A page made private must leave every
    # stored page at once (its own, and the lists, feeds and search results that showed it); one made
    # public again must come back.
    for signal in (post_save, post_delete):
        signal.connect(
            clear_now_and_on_commit,
            sender="wagtailcore.PageViewRestriction",
            dispatch_uid=f"page_cache_privacy_{id(signal)}",
        )
