"""Named reads of published content, shaped for lists without N+1 queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from masthead.content.models import ArticleAuthor, ArticlePage, Author, SectionPage


def published_articles() -> QuerySet[ArticlePage]:
    """Live articles, newest first, with what a list shows (authors, hero image) prefetched."""
    return (
        ArticlePage.objects.live()
        .select_related("hero_image")
        .prefetch_related(
            Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"))
        )
        .order_by("-date", "-first_published_at", "-pk")
    )


def live_sections() -> list[SectionPage]:
    return list(SectionPage.objects.live().order_by("path"))


def attach_sections(articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """Give each article its `section` from one query, by tree path instead of a get_parent() each."""
    articles = list(articles)
    sections = {section.path: section for section in live_sections()}
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
