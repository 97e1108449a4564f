"""Named reads of published issues and of their digital editions' files."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.db.models import QuerySet
from django.urls import reverse

from masthead.content.models import ArticlePage
from masthead.content.queries import attach_sections, public_articles, published_articles
from masthead.editions.models import EditionFile, Issue


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
    issue page and of the EPUB and PDF, as `published_articles()` leaves it out of every surface.
    """
    articles = published_articles().filter(issue_entry__issue=issue).order_by("issue_entry__sort_order", "pk")
    return attach_sections(articles)


def articles_in_issue(issue_id: int) -> QuerySet[ArticlePage]:
    """The issue's live, public articles in table-of-contents order, without their bodies (the web edition's order)."""
    return (
        public_articles()
        .filter(issue_entry__issue_id=issue_id)
        .order_by("issue_entry__sort_order", "pk")
        .defer_streamfields()
    )


# -- the digital edition's files, as pages offer them ------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One format of an issue's digital edition as a page offers it: a link, "being prepared" or "not available"."""

    label: str
    url: str
    size: int | None  # None: no file yet
    failed: bool = False  # no file, and its latest build failed

    @property
    def ready(self) -> bool:
        return self.size is not None


def downloads_of(issues: list[Issue]) -> dict[int, list[Download]]:
    """Each issue's EPUB and PDF, from one query."""
    files = {(edition.issue_id, edition.format): edition for edition in EditionFile.objects.filter(issue__in=issues)}
    downloads = {}
    for issue in issues:
        downloads[issue.pk] = [
            download_of(issue, file_format, label, files.get((issue.pk, file_format)))
            for file_format, label in EditionFile.FORMATS
        ]
    return downloads


def download_of(issue: Issue, file_format: str, label: str, edition: EditionFile | None) -> Download:
    url = reverse(f"issue_{file_format}", args=[issue.year, issue.number])
    if edition is not None and edition.has_file:
        # A failed rebuild leaves the previous file in place: readers keep getting it.
        return Download(label=label, url=url, size=edition.file_size)
    failed = edition is not None and edition.status == EditionFile.FAILED
    return Download(label=label, url=url, size=None, failed=failed)


def edition_list(issues: list[Issue]) -> dict:
    """The context of `editions/edition_list.html`: each issue with its downloads, from one query."""
    downloads = downloads_of(issues)
    return {
        "issues": [(issue, downloads[issue.pk]) for issue in issues],
        "any_failed": any(download.failed for rows in downloads.values() for download in rows),
    }


def edition_state(downloads: list[Download]) -> str:
    """What the issue page says: "unavailable" (every build failed), "preparing" (no file yet), or "files"."""
    if all(download.failed for download in downloads):
        return "unavailable"
    if not any(download.ready or download.failed for download in downloads):
        return "preparing"
    return "files"
