"""The issue archive, each issue's page (its web edition), the gated EPUB and PDF downloads, and the
reader's list of every edition at /account/editions/.

Who may download is never decided here: `entitlements_for(user).editions` (the ledger; staff too).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from masthead.access.entitlements import request_entitlements
from masthead.core.page_cache import mark_user_dependent
from masthead.editions.conf import editions_storage
from masthead.editions.models import EditionFile, Issue
from masthead.editions.queries import (
    downloads_of,
    edition_list,
    edition_state,
    issue_contents,
    issues_by_year,
    live_issues,
)

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 300
# Issues per page of /account/editions/: a year of the magazine.
ACCOUNT_EDITIONS_PER_PAGE = 24


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
    entitled = request_entitlements(request).editions  # the page cache keeps one copy per audience
    articles = issue_contents(issue)
    context = {"issue": issue, "articles": articles, "entitled": entitled}
    if entitled and articles:
        context["downloads"] = downloads_of([issue])[issue.pk]
        context["edition_state"] = edition_state(context["downloads"])
    return render(request, "editions/issue.html", context)


@require_safe
@login_required
def account_editions(request):
    """/account/editions/: every published issue, newest first, with its EPUB and PDF; the offer for the rest."""
    mark_user_dependent(request)
    context = {"entitled": request_entitlements(request).editions}
    if context["entitled"]:
        page = Paginator(live_issues(), ACCOUNT_EDITIONS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(edition_list(list(page)), page_obj=page)
    return render(request, "editions/account_editions_page.html", context)


@require_safe
def edition_file(request, year: int, number: int, file_format: str):
    """The issue's EPUB or PDF, to whoever is entitled to the digital edition; the offer to others."""
    issue = live_issue_or_404(year, number)
    mark_user_dependent(request)
    label = dict(EditionFile.FORMATS)[file_format]
    context = {"issue": issue, "label": label, "next_path": request.path}
    if not request_entitlements(request).editions:
        return render(request, "editions/edition_offer.html", context, status=403)
    edition = EditionFile.objects.filter(issue=issue, format=file_format).first()
    storage = editions_storage()
    by_nginx = bool(settings.EDITIONS_SENDFILE_HEADER)
    ready, handle = edition is not None and edition.has_file, None
    # A file replaced by a newer build between the query and now is "come back soon". On S3 nginx asks the
    # bucket itself (no request of ours first), and answers 404 for a file gone meanwhile.
    if ready and by_nginx and not storage.remote:
        ready = storage.stat(edition.file_name) is not None
    elif ready and not by_nginx:
        try:
            handle = storage.open_whole(edition.file_name)
        except FileNotFoundError:
            ready = False
    if not ready and edition is not None and edition.status == EditionFile.FAILED:
        # Not "come back in a few minutes": the build failed, and only staff can mend it.
        logger.error("A subscriber asked for the %s of %s, whose build failed: %s", label, issue, edition.error)
        response = render(request, "editions/edition_unavailable.html", context, status=503)
        response["Cache-Control"] = "no-store"
        return response
    if not ready:
        response = render(request, "editions/edition_pending.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    if by_nginx:
        # The entitlement is checked above; nginx sends the file from its `internal` location.
        response = HttpResponse(content_type=edition.content_type)
        response["X-Accel-Redirect"] = storage.accel_redirect(edition.file_name)
        response["Content-Disposition"] = content_disposition_header(True, download_name(issue, file_format))
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(issue, file_format),
        content_type=edition.content_type,
    )
    if not response.has_header("Content-Length"):  # a bucket's body cannot tell FileResponse its length
        response["Content-Length"] = str(edition.file_size)
    response["Cache-Control"] = "private, no-store"
    return response
