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
    """The issue's live articles in table-of-contents order."""
    articles = published_articles().filter(issue_entry__issue=issue).order_by("issue_entry__sort_order")
    return attach_sections(articles)
