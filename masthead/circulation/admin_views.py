"""Circulation staff's print runs in the Wagtail admin: each issue's print run, its mailing list, the printer's files.

Mailing lists hold subscribers' names and addresses, so every view here is for circulation staff
only (the same permission as Subscribers), checked on the server before anything is looked up.
Views are thin: each calls one function of `services.py` and renders.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.circulation import printer_files
from masthead.circulation.services import (
    IssueMailingList,
    magazine_time_zone,
    mailing_list_for,
    print_runs,
    store_printer_file,
)
from masthead.editions.models import Issue
from masthead.subscriptions.staff_access import CirculationOnlyMixin, can_manage_subscriptions, forbidden, staff_actor

ISSUES_PER_PAGE = 24  # a year of issues
ROWS_PER_PAGE = 100


MAILING_LISTS_ARE_PRIVATE = (
    "Print runs and mailing lists hold subscribers' addresses, so they are for circulation staff."
)


def can_see_mailing_lists(user) -> bool:
    """Mailing lists are subscribers' addresses: the circulation permission that shows subscribers shows them."""
    return can_manage_subscriptions(user)


def download_links(issue: Issue) -> list[tuple[str, str]]:
    """(label, url) for each file the printer may be sent."""
    csv_url = reverse("print_runs:csv", args=[issue.pk])
    labels_url = reverse("print_runs:labels", args=[issue.pk])
    return [("CSV", csv_url)] + [
        (f"Labels, {sheet.name}", f"{labels_url}?sheet={slug}") for slug, sheet in printer_files.LABEL_SHEETS.items()
    ]


class MailingListsOnlyMixin(CirculationOnlyMixin):
    forbidden_because = MAILING_LISTS_ARE_PRIVATE


class PrintRunIndexView(MailingListsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every issue, newest first, with its print run and the change from the issue before."""

    template_name = "circulation/admin/print_runs.html"
    page_title = "Print runs"
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(Issue.objects.order_by("-cover_date"), ISSUES_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            runs=[(run, download_links(run.issue)) for run in print_runs(page.object_list)],
            magazine_time_zone=magazine_time_zone(),
        )
        return context


class PrintRunDetailView(MailingListsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """One issue's mailing list: stored once the issue has closed, a provisional preview before."""

    template_name = "circulation/admin/print_run.html"
    header_icon = "doc-full"

    @cached_property
    def issue(self) -> Issue:
        return get_object_or_404(Issue, pk=self.kwargs["issue_id"])

    def get_page_title(self):
        return "Print run"

    def get_page_subtitle(self):
        return str(self.issue)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("print_runs:index"), "label": "Print runs"},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mailing_list = mailing_list_for(self.issue, actor=staff_actor(self.request.user))
        [run] = print_runs([self.issue])
        context.update(
            issue=self.issue,
            mailing_list=mailing_list,
            run=run,
            page=Paginator(mailing_list.rows, ROWS_PER_PAGE).get_page(self.request.GET.get("p")),
            downloads=download_links(self.issue),
            magazine_time_zone=magazine_time_zone(),
        )
        return context


def mailing_list_download(request, issue_id: int, kind: str) -> HttpResponse:
    """The list as a file: the stored list's stored file (stored first if need be), or a provisional one."""
    if not can_see_mailing_lists(request.user):
        return forbidden(request, MAILING_LISTS_ARE_PRIVATE)
    issue = get_object_or_404(Issue, pk=issue_id)
    mailing_list: IssueMailingList = mailing_list_for(issue, actor=staff_actor(request.user))
    provisional = mailing_list.provisional
    if provisional:
        body = printer_files.render(kind, list(mailing_list.rows), issue, provisional=True)
    else:
        with store_printer_file(mailing_list.stored, kind).file.open("rb") as stored:
            body = stored.read()
    response = HttpResponse(body, content_type=printer_files.content_type(kind))
    name = printer_files.download_name(issue, kind, provisional=provisional)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # names and addresses: no cache keeps a copy
    return response


def mailing_list_csv(request, issue_id: int) -> HttpResponse:
    """The mailing list as CSV; after the close date the first download stores the list and the file."""
    return mailing_list_download(request, issue_id, "csv")


def mailing_labels(request, issue_id: int) -> HttpResponse:
    """The mailing list as address labels (`?sheet=a4` or `letter`); stores the list like the CSV does."""
    sheet = request.GET.get("sheet", "")
    sheet = sheet if sheet in printer_files.LABEL_SHEETS else printer_files.DEFAULT_LABEL_SHEET
    return mailing_list_download(request, issue_id, f"labels-{sheet}")
