"""The issue archive, each issue's page (its web edition) and the gated EPUB and PDF downloads.

Who may download is never decided here: `entitlements_for(user).editions` (the ledger; staff too).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from masthead.access.entitlements import request_entitlements
from masthead.core.page_cache import mark_user_dependent
from masthead.editions.models import EditionFile, Issue
from masthead.editions.queries import issue_contents, issues_by_year

RETRY_AFTER_SECONDS = 300


@dataclass(frozen=True)
class Download:
    """One format of an issue's digital edition as a page offers it: a link, or "being prepared"."""

    label: str
    url: str
    size: int | None  # None: no file yet

    @property
    def ready(self) -> bool:
        return self.size is not None


def downloads_of(issues: list[Issue]) -> dict[int, list[Download]]:
    """Each issue's EPUB and PDF, from one query."""
    files = {
        (edition.issue_id, edition.format): edition
        for edition in EditionFile.objects.filter(issue__in=issues).exclude(file_name="")
    }
    downloads = {}
    for issue in issues:
        downloads[issue.pk] = [
            Download(
                label=label,
                url=reverse(f"issue_{file_format}", args=[issue.year, issue.number]),
                size=files[issue.pk, file_format].file_size if (issue.pk, file_format) in files else None,
            )
            for file_format, label in EditionFile.FORMATS
        ]
    return downloads


def download_name(issue: Issue, file_format: str) -> str:
    """What the reader's downloads folder shows: "The Masthead Review - Vol. 5 No. 6 (March 15, 2024).epub"."""
    number = f"Vol. {issue.volume} No. {issue.number}"
    return f"{settings.MAGAZINE_NAME} - {number} ({issue.cover_date:%B %-d, %Y}).{file_format}"


def live_issue_or_404(year: int, number: int) -> Issue:
    issue = get_object_or_404(Issue.objects.select_related("cover_image"), year=year, number=number)
    if not issue.live:
        raise Http404("No such issue has been published.")
    return issue


@require_safe
def archive(request):
    return render(request, "editions/archive.html", {"years": issues_by_year()})


@require_safe
def issue_detail(request, year: int, number: int):
    """The issue's cover and contents for everyone; its EPUB and PDF for subscribers, the offer for others."""
    issue = live_issue_or_404(year, number)
    entitled = request_entitlements(request).editions
    if request.user.is_authenticated:
        # Anonymous visitors all see the offer, so their page may be cached; a reader's page is theirs.
        mark_user_dependent(request)
    articles = issue_contents(issue)
    context = {"issue": issue, "articles": articles, "entitled": entitled}
    if entitled and articles:
        context["downloads"] = downloads_of([issue])[issue.pk]
        context["edition_ready"] = any(download.ready for download in context["downloads"])
    return render(request, "editions/issue.html", context)


@require_safe
def edition_file(request, year: int, number: int, file_format: str):
    """The issue's EPUB or PDF, to whoever is entitled to the digital edition; the offer to others."""
    issue = live_issue_or_404(year, number)
    mark_user_dependent(request)
    label = dict(EditionFile.FORMATS)[file_format]
    context = {"issue": issue, "label": label, "next_path": request.path}
    if not request_entitlements(request).editions:
        return render(request, "editions/edition_offer.html", context, status=403)
    edition = EditionFile.objects.filter(issue=issue, format=file_format).exclude(file_name="").first()
    try:
        handle = open(edition.path, "rb") if edition else None  # noqa: SIM115 (closed by the response)
    except FileNotFoundError:
        handle = None  # replaced by a newer build between the query and now
    if handle is None:
        response = render(request, "editions/edition_pending.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(issue, file_format),
        content_type=edition.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
