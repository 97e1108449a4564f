"""Which cached pages show what, so a change rebuilds only the pages that show it.

While a page renders for the page cache, what it shows leaves tags:
- each article it links to or serves (`page:<id>`, recorded by `RecordsWhereShown`). A stored page
  joins the index of each of these tags; `forget_pages_tagged` deletes the pages in an index and
  answers their addresses (for the front cache's purge). An article is shown on a handful of pages,
  so each index stays small.
- wide tags, `lists` (any list of articles, where a newly published one would appear) and
  `narrations` (feeds and playlists). Many pages carry these, so they are versions instead of
  indexes: a stored page keeps the version each had when it was rendered, a hit checks them, and
  forgetting a wide tag draws a new version. A version that is missing counts as changed.

Sections and the home page are linked from every page's navigation; their changes clear the
whole cache (core/page_cache.py) rather than tag every page with them.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches

LISTS = "lists"  # lists of articles: home, sections, authors, issues, search, feeds
NARRATIONS = "narrations"  # lists of narrations: the podcast feeds, an issue's playlist
WIDE_TAGS = frozenset({LISTS, NARRATIONS})
INDEX_LOCK = "page-cache:index-lock"
LOCK_SECONDS = 5
VERSION_SECONDS = 7 * 24 * 3600  # far beyond any page's life; one missing only costs a render

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
    """Mixin for article pages: linking to the article, or serving it, tags the render with it."""

    def get_url_parts(self, request=None):
        shows(page_tag(self.pk))
        return super().get_url_parts(request)

    def serve(self, request, *args, **kwargs):
        shows(page_tag(self.pk))
        return super().serve(request, *args, **kwargs)


def _versions():
    return caches["default"]


def version_key(tag: str) -> str:
    return f"page-cache:version:{tag}"


def wide_tag_versions(tags: Iterable[str]) -> dict[str, str | None]:
    """The current version of each wide tag among `tags` (drawn now if it has none)."""
    wide = sorted(set(tags) & WIDE_TAGS)
    found = _versions().get_many([version_key(tag) for tag in wide])
    versions = {}
    for tag in wide:
        version = found.get(version_key(tag))
        if version is None:
            _versions().add(version_key(tag), secrets.token_hex(8), VERSION_SECONDS)
            version = _versions().get(version_key(tag))
        versions[tag] = version
    return versions


def versions_current(versions: dict[str, str | None]) -> bool:
    if not versions:
        return True
    found = _versions().get_many([version_key(tag) for tag in versions])
    return all(version is not None and found.get(version_key(tag)) == version for tag, version in versions.items())


@contextlib.contextmanager
def index_lock() -> Iterator[None]:
    locks = caches["default"]
    deadline = time.monotonic() + LOCK_SECONDS
    held = locks.add(INDEX_LOCK, 1, timeout=LOCK_SECONDS)
    while not held and time.monotonic() < deadline:
        time.sleep(0.002)
        held = locks.add(INDEX_LOCK, 1, timeout=LOCK_SECONDS)
    try:
        # Past the deadline the holder is taken for dead (its lock expires by itself): go on without it.
        yield
    finally:
        if held:
            locks.delete(INDEX_LOCK)


def index_key(tag: str) -> str:
    return f"tag:{tag}"


def add_to_indexes(key: str, address: str, tags: Iterable[str]) -> None:
    """Remember that the page stored under `key` (at `address`, "host path") shows `tags`."""
    keys = [index_key(tag) for tag in tags if tag not in WIDE_TAGS]
    if not keys:
        return
    pages = caches["pages"]
    with index_lock():
        indexes = pages.get_many(keys)
        for name in keys:
            indexes.setdefault(name, {})[key] = address
        # An index outlives every page in it: pages last PAGE_CACHE_SECONDS from their store.
        pages.set_many(indexes, settings.PAGE_CACHE_SECONDS)


def forget_pages_tagged(tags: Iterable[str]) -> list[str]:
    """Delete every stored page that shows any of `tags`; answers their addresses ("host path").

    Wide tags get a new version (their pages are found stale when next asked for, so they have no
    addresses to answer: the caller purges everything in front of us then).
    """
    tags = set(tags)
    for tag in tags & WIDE_TAGS:
        _versions().set(version_key(tag), secrets.token_hex(8), VERSION_SECONDS)
    keys = [index_key(tag) for tag in tags - WIDE_TAGS]
    pages = caches["pages"]
    with index_lock():
        indexes = pages.get_many(keys)
        pages.delete_many(keys)
    stored = {key: address for index in indexes.values() for key, address in index.items()}
    pages.delete_many(list(stored))
    return sorted(set(stored.values()))
