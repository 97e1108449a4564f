"""Named reads of published issues."""

from __future__ import annotations

from itertools import groupby

from django.db.models import QuerySet

from masthead.content.models import ArticlePage
from masthead.content.queries import attach_sections, published_articles
from masthead.editions.models import Issue


def live_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(live=True).select_related("cover_image").order_by("-cover_date")


def current_issue() -> Issue | None:
    return live_issues().first()


def issues_by_year() -> list[tuple[int, list[Issue]]]:
    """The archive: years newest first, each with its issues newest first."""
    return [(year, list(issues)) for year, issues in groupby(live_issues(), key=lambda issue: issue.year)]


def issue_contents(issue: Issue) -> list[ArticlePage]:
    """The issue's live, public articles in table-of-contents order.

    An article behind Wagtail's page privacy (a password, a login, a group) is left out of the
    issue page and of the EPUB and PDF: they are not where its restriction is checked.
    """
    articles = published_articles().public().filter(issue_entry__issue=issue).order_by("issue_entry__sort_order", "pk")
    return attach_sections(articles)


def articles_in_issue(issue_id: int) -> QuerySet[ArticlePage]:
    """The issue's live, public articles in table-of-contents order, without their bodies (the web edition's order)."""
    return (
        ArticlePage.objects.live()
        .public()
        .filter(issue_entry__issue_id=issue_id)
        .order_by("issue_entry__sort_order", "pk")
        .defer_streamfields()
    )
