"""Circulation's admin: the dashboard (menu item, CSV files, a panel on the admin home), the Print runs menu item and
views, and a Print run button on each issue."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from masthead.circulation import admin_views, dashboard_views
from masthead.circulation.panels import PrintRunPanel
from masthead.editions.models import Issue
from masthead.editions.wagtail_hooks import ISSUE_PANELS_HOOK


class CirculationStaffMenuItem(MenuItem):
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


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    urlpatterns = [
        path("", dashboard_views.DashboardView.as_view(), name="dashboard"),
        path("<slug:slug>.csv", dashboard_views.dashboard_csv, name="csv"),
    ]
    return [path("circulation/", include((urlpatterns, "circulation"), namespace="circulation"))]


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return CirculationStaffMenuItem(
        "Circulation", reverse("circulation:dashboard"), name="circulation", icon_name="table", order=289
    )


@hooks.register("construct_homepage_panels")
def circulation_on_the_admin_home(request, panels):
    """The circulation manager's figures first thing, for those allowed to see them."""
    if admin_views.can_see_mailing_lists(request.user):
        panels.append(dashboard_views.CirculationHomePanel(request))


@hooks.register("register_admin_menu_item")
def register_print_runs_menu_item():
    return CirculationStaffMenuItem(
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
