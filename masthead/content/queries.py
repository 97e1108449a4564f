"""Named reads of published content, shaped for lists without N+1 queries.

Every surface other than a page itself (lists, feeds, the API, search, editions, podcasts) starts
from `public_articles()`: live, and behind no page privacy (a password, a login or groups set on
the article or on an ancestor such as its section). Wagtail guards a private page's own URL; no
other surface checks its restriction, so none may show it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Length, Substr
from wagtail.models import Page, PageViewRestriction

from masthead.content.models import ArticleAuthor, ArticlePage, Author, SectionPage
from masthead.core.page_tags import LISTS, shows


def behind_page_privacy() -> QuerySet[Page]:
    """The outer page, if a view restriction is set on it or on an ancestor: for `.exclude(pk__in=...)`.

    The same rule as Wagtail's `PageQuerySet.public()` (an ancestor's path is a prefix of the page's),
    but asked row by row inside the SQL instead of by reading every restriction first, so it costs no
    query of its own; and as a lookup on the primary key it is a filter Wagtail's search accepts.
    """
    restricted_ancestor = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    # Most sites restrict nothing: asked first, once per query, this spares each row the ancestor
    # check, which SQLite plans as a scan of every page per row (seconds for a search of 10,000 articles).
    any_restriction = Exists(PageViewRestriction.objects.all())
    return Page.objects.filter(pk=OuterRef("pk")).filter(any_restriction, Exists(restricted_ancestor)).values("pk")


def public_articles() -> QuerySet[ArticlePage]:
    """Live articles that no page privacy hides, in no particular order: what any surface but their own page shows."""
    shows(LISTS)  # a newly published article would appear here: the page cache rebuilds this render then
    return ArticlePage.objects.live().exclude(pk__in=behind_page_privacy())


def published_articles() -> QuerySet[ArticlePage]:
    """Public live articles, newest first, with what a list shows (authors, hero image) prefetched."""
    return (
        public_articles()
        .select_related("hero_image")
        .prefetch_related(
            Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"))
        )
        .order_by("-date", "-first_published_at", "-pk")
    )


LIVE_SECTIONS = "content:live-sections:2"  # (page cache epoch, sections); was the list alone
LIVE_SECTIONS_KEPT = 600  # seconds: only to let go of it; a new page-cache epoch makes it stale at once


def live_sections() -> list[SectionPage]:
    """The sections readers may browse: live and not private (the navigation and search's filter list them).

    Every page outside the page cache shows them (a subscriber's, a search), so the list is kept in the
    default cache: a read instead of a query of sections and page privacy. Whatever would change it (a
    section published, unpublished, moved or deleted, page privacy set) clears the page cache, as the
    navigation of every stored page shows the sections, and so draws a new page-cache epoch. The list is
    kept with the epoch read before the sections were, and served only while that epoch is current: a
    change that lands between this read and the keeping leaves the list it made stale at once.
    """
    from masthead.core.page_cache import EPOCH_KEY

    kept = cache.get_many([LIVE_SECTIONS, EPOCH_KEY])
    epoch = kept.get(EPOCH_KEY)
    if LIVE_SECTIONS in kept:
        kept_epoch, sections = kept[LIVE_SECTIONS]
        if kept_epoch == epoch:
            return sections
    sections = list(SectionPage.objects.live().exclude(pk__in=behind_page_privacy()).order_by("path"))
    cache.set(LIVE_SECTIONS, (epoch, sections), LIVE_SECTIONS_KEPT)
    return sections


def attach_sections(articles: Iterable[ArticlePage], sections: list[SectionPage] | None = None) -> list[ArticlePage]:
    """Give each article its `section` from one query (none when the caller has `live_sections()` already),
    by tree path instead of a get_parent() each."""
    articles = list(articles)
    sections = {section.path: section for section in (live_sections() if sections is None else sections)}
    for article in articles:
        article.section = sections.get(article.path[: -ArticlePage.steplen])
    return articles


def latest_articles(limit: int = 12) -> list[ArticlePage]:
    return attach_sections(published_articles()[:limit])


def articles_in_section(section: SectionPage) -> QuerySet[ArticlePage]:
    return published_articles().child_of(section)


def articles_by_author(author: Author) -> QuerySet[ArticlePage]:
    return published_articles().filter(article_authors__author=author)


def page_number_from(request) -> str:
    """The ?page= of a list; Paginator.get_page copes with anything a reader types."""
    return request.GET.get("page", "1")


def example_search_word() -> str:
    """A word the archive surely holds, for the empty search's hint: the newest article's first author's surname."""
    article = published_articles().first()
    authors = article.byline_authors if article else []
    return authors[0].name.split()[-1] if authors else ""
