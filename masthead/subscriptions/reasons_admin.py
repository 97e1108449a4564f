"""The Cancellation reasons report: why readers left in a window of days, and their own words."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Count
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from masthead.subscriptions.admin_views import cancel_reason_label, end_of_day
from masthead.subscriptions.queries import cancellations_between
from masthead.subscriptions.services import CANCEL_REASONS
from masthead.subscriptions.staff_access import CirculationOnlyMixin


class ReasonsWindowForm(forms.Form):
    since = forms.DateField(label="From", widget=AdminDateInput)
    until = forms.DateField(label="To", widget=AdminDateInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError("The window must start before it ends.")
        return cleaned


class CancellationReasonsView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """How many readers cancelled for each reason over a window, and the latest reasons in their words."""

    template_name = "subscriptions/admin/cancellation_reasons.html"
    page_title = "Cancellation reasons"
    header_icon = "comment"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": "Home"},
        {"url": "", "label": "Reports"},
    ]
    latest_texts = 20

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def window(self) -> tuple[ReasonsWindowForm, datetime.date, datetime.date]:
        today = timezone.localdate()
        default_since, default_until = today - datetime.timedelta(days=30), today
        form = ReasonsWindowForm(self.request.GET or {"since": default_since, "until": default_until})
        if form.is_valid():
            return form, form.cleaned_data["since"], form.cleaned_data["until"]
        return form, default_since, default_until

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, since, until = self.window()
        # A resumed subscription has no canceled_at, so only cancellations that stood are counted.
        cancelled = cancellations_between(end_of_day(since - datetime.timedelta(days=1)), end_of_day(until))
        texts = list(
            cancelled.exclude(cancel_reason_text="")
            .select_related("reader", "plan")
            .order_by("-canceled_at", "-pk")[: self.latest_texts]
        )
        for subscription in texts:
            subscription.reason_label = cancel_reason_label(subscription.cancel_reason)
        counts = dict(cancelled.values_list("cancel_reason").annotate(count=Count("pk")).order_by())
        total = sum(counts.values())
        rows = [(code, label, counts.pop(code, 0)) for code, label in CANCEL_REASONS]
        rows.append(("", "Not given", counts.pop("", 0)))
        rows += [(code, code, count) for code, count in sorted(counts.items())]  # codes no longer offered
        context.update(
            {
                "form": form,
                "since": since,
                "until": until,
                "total": total,
                "rows": [
                    {"code": code, "label": label, "count": count, "share": round(100 * count / total) if total else 0}
                    for code, label, count in rows
                ],
                "texts": texts,
            }
        )
        return context
