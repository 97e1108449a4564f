"""The circulation dashboard in the Wagtail admin: the page, each table's CSV file, and the panel on the admin home.

For circulation staff only (the permission that shows subscribers), checked on the server before
anything is read. Views are thin: each calls `reports.build_dashboard` (a CSV file `reports.build_table`) and renders.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.circulation.charts import charts_for
from masthead.circulation.reports import DEFAULT_SPAN, SPANS, build_dashboard, build_table, headline_figures
from masthead.circulation.services import magazine_time_zone
from masthead.subscriptions.staff_access import CirculationOnlyMixin, can_manage_subscriptions, forbidden

FIGURES_ARE_PRIVATE = (
    "The circulation dashboard shows the magazine's revenue and subscribers, so it is for circulation staff."
)


def span_from(request) -> int:
    """The months asked for (`?span=12`), or the default for anything else."""
    asked = request.GET.get("span", "")
    return int(asked) if asked.isdigit() and int(asked) in SPANS else DEFAULT_SPAN


class DashboardView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "circulation/admin/dashboard.html"
    page_title = "Circulation"
    header_icon = "table"
    forbidden_because = FIGURES_ARE_PRIVATE

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "Home"}, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = build_dashboard(span=span_from(self.request))
        charts = charts_for(dashboard)
        context.update(
            dashboard=dashboard,
            charts=charts,
            mrr_charts=[charts[f"mrr-{currency}"] for currency in dashboard.currencies],
            spans=SPANS,
            time_zone=magazine_time_zone(),
        )
        return context


def dashboard_csv(request, slug: str) -> HttpResponse:
    """One of the dashboard's tables as CSV, as the page shows it (same span); no cell can run as a formula."""
    if not can_manage_subscriptions(request.user):
        return forbidden(request, FIGURES_ARE_PRIVATE)
    table = build_table(slug, span=span_from(request))
    if table is None:
        raise Http404("No such table.")
    response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
    name = f"circulation-{slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class CirculationHomePanel(Component):
    """On the admin home, for circulation staff: subscribers, MRR and its change, last month's churn."""

    name = "circulation"
    order = 90
    template_name = "circulation/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"figures": headline_figures()}
