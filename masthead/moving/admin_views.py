"""The publisher's page of imports: each run (dry or real) and its report. Superusers only: reports name readers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.moving.models import ImportRun

RUNS_LISTED = 100


def may_see_imports(user) -> bool:
    return user.is_active and user.is_superuser


class ImportsOnlyForAdministrators:
    def dispatch(self, request, *args, **kwargs):
        if not may_see_imports(request.user):
            context = {"page_title": "Permission denied", "header_title": "Permission denied", "header_icon": "warning"}
            return TemplateResponse(request, "moving/admin/forbidden.html", context, status=403)
        return super().dispatch(request, *args, **kwargs)


class ImportRunsView(ImportsOnlyForAdministrators, WagtailAdminTemplateMixin, TemplateView):
    """Every import, newest first: what it read, when, and what it did."""

    template_name = "moving/admin/runs.html"
    page_title = "Imports"
    header_icon = "download"
    breadcrumbs_items = [{"url": reverse_lazy("wagtailadmin_home"), "label": "Home"}, {"url": "", "label": "Reports"}]

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = ImportRun.objects.all()[:RUNS_LISTED]
        return context


class ImportRunView(ImportsOnlyForAdministrators, WagtailAdminTemplateMixin, TemplateView):
    """One import's whole report: counts by kind and each problem with its record and line."""

    template_name = "moving/admin/run.html"
    header_icon = "download"

    def get_page_title(self):
        return str(self.run)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse_lazy("wagtailadmin_home"), "label": "Home"},
            {"url": reverse_lazy("imports:index"), "label": "Imports"},
            {"url": "", "label": f"Import {self.run.pk}"},
        ]

    def dispatch(self, request, *args, **kwargs):
        if may_see_imports(request.user):
            self.run = get_object_or_404(ImportRun, pk=kwargs["run_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.run
        context["counts"] = [
            (kind, [(outcome, outcomes.get(outcome, 0)) for outcome in ("created", "updated", "unchanged", "skipped")])
            for kind, outcomes in sorted(self.run.counts.items())
        ]
        return context
