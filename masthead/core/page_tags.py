"""Which cached pages show what, so a change rebuilds only the pages that show it.

While a page renders for the page cache, everything it shows leaves a tag: each page it links to
or serves (`page:<id>`, recorded by `RecordsWhereShown`) and wider tags such as `lists` (any list
of articles, where a newly published one would appear). A stored page joins the index of each of
its tags; `forget_pages_tagged` deletes the pages in those indexes and answers their addresses
(for the front cache's purge).

The indexes live in the page cache beside the pages, one entry per tag, and are changed under one
lock taken with the default cache's atomic add(): only a render that is stored, or a change, takes it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches

LISTS = "lists"  # lists of articles: home, sections, authors, issues, search, feeds
INDEX_LOCK = "page-cache:index-lock"
LOCK_SECONDS = 5

_collected: ContextVar[set[str] | None] = ContextVar("page_cache_tags", default=None)


def page_tag(page_id: int) -> str:
    return f"page:{page_id}"


@contextlib.contextmanager
def collecting() -> Iterator[set[str]]:
    """Gather the tags of what is shown while the block runs (one request's render)."""
    tags: set[str] = set()
    token = _collected.set(tags)
    try:
        yield tags
    finally:
        _collected.reset(token)


def shows(*tags: str) -> None:
    """The page being rendered shows these: a change to any of them must rebuild it."""
    collected = _collected.get()
    if collected is not None:
        collected.update(tags)


class RecordsWhereShown:
    """Mixin for page models: linking to the page, or serving it, tags the render with the page."""

    def get_url_parts(self, request=None):
        shows(page_tag(self.pk))
        return super().get_url_parts(request)

    def serve(self, request, *args, **kwargs):
        shows(page_tag(self.pk))
        return super().serve(request, *args, **kwargs)


def _pages():
    return caches["pages"]


@contextlib.contextmanager
def index_lock() -> Iterator[None]:
    locks = caches["default"]
    deadline = time.monotonic() + LOCK_SECONDS
    # A holder that died leaves the lock to expire; past the deadline we go on rather than hang a reader.
    while not locks.add(INDEX_LOCK, 1, timeout=LOCK_SECONDS) and time.monotonic() < deadline:
        time.sleep(0.002)
    try:
        yield
    finally:
        locks.delete(INDEX_LOCK)


def index_key(tag: str) -> str:
    return f"tag:{tag}"


def add_to_indexes(key: str, address: str, tags: Iterable[str]) -> None:
    """Remember that the page stored under `key` (at `address`, "host path") shows `tags`."""
    keys = [index_key(tag) for tag in tags]
    if not keys:
        return
    pages = _pages()
    with index_lock():
        indexes = pages.get_many(keys)
        for name in keys:
            indexes.setdefault(name, {})[key] = address
        # An index outlives every page in it: pages last PAGE_CACHE_SECONDS from their store.
        pages.set_many(indexes, settings.PAGE_CACHE_SECONDS)


def forget_pages_tagged(tags: Iterable[str]) -> list[str]:
    """Delete every stored page that shows any of `tags`; answers their addresses ("host path")."""
    keys = [index_key(tag) for tag in tags]
    pages = _pages()
    with index_lock():
        indexes = pages.get_many(keys)
        pages.delete_many(keys)
    stored = {key: address for index in indexes.values() for key, address in index.items()}
    pages.delete_many(list(stored))
    return sorted(set(stored.values()))
