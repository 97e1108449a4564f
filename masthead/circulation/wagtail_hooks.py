"""Circulation's admin: the Print runs menu item and views, and a Print run button on each issue."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from masthead.circulation import admin_views
from masthead.circulation.panels import PrintRunPanel
from masthead.editions.models import Issue
from masthead.editions.wagtail_hooks import ISSUE_PANELS_HOOK


class PrintRunsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_see_mailing_lists(request.user)


@hooks.register("register_admin_urls")
def register_print_run_urls():
    urlpatterns = [
        path("", admin_views.PrintRunIndexView.as_view(), name="index"),
        path("<id:issue_id>/", admin_views.PrintRunDetailView.as_view(), name="detail"),
        path("<id:issue_id>/mailing-list.csv", admin_views.mailing_list_csv, name="csv"),
        path("<id:issue_id>/mailing-labels.pdf", admin_views.mailing_labels, name="labels"),
    ]
    return [path("print-runs/", include((urlpatterns, "print_runs"), namespace="print_runs"))]


@hooks.register("register_admin_menu_item")
def register_print_runs_menu_item():
    return PrintRunsMenuItem(
        "Print runs", reverse("print_runs:index"), name="print-runs", icon_name="doc-full", order=295
    )


@hooks.register("register_snippet_listing_buttons")
def print_run_button(snippet, user, next_url=None):
    """In the Issues listing: a way from each issue to its print run and mailing list."""
    if isinstance(snippet, Issue) and admin_views.can_see_mailing_lists(user):
        url = reverse("print_runs:detail", args=[snippet.pk])
        yield Button("Print run", url=url, icon_name="doc-full", priority=60)


@hooks.register(ISSUE_PANELS_HOOK)
def print_run_on_the_issue_page():
    """The circulation manager sees the print run beside the issue it belongs to."""
    return [PrintRunPanel()]
