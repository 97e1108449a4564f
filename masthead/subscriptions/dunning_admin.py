"""Dunning at a glance for circulation staff: past-due subscriptions, their next retry, who must authenticate.

Thin views over `services/dunning.py`: the list reads `past_due_subscriptions()` in one query per
page; Retry now checks the circulation permission, calls `retry_now` and says what happened.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.subscriptions.admin_views import reader_name, short_date
from masthead.subscriptions.gateways import GatewayError
from masthead.subscriptions.models import Subscription, retry_schedule
from masthead.subscriptions.money import format_money
from masthead.subscriptions.services.dunning import dunning_row, past_due_subscriptions, retry_now
from masthead.subscriptions.staff_access import CirculationOnlyMixin, staff_actor


class RetryNowForm(forms.Form):
    # The failures staff saw when the page was drawn: a second click after that retry charges nothing.
    attempt = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DunningView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Past-due subscriptions, the next retry first: amount, failed since, attempts, next retry, authentication."""

    template_name = "subscriptions/admin/dunning.html"
    page_title = "Dunning"
    header_icon = "warning"
    per_page = 50

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("subscribers:index"), "label": "Subscribers"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schedule = retry_schedule()
        page = Paginator(past_due_subscriptions(), self.per_page).get_page(self.request.GET.get("p"))
        rows = []
        for row in map(dunning_row, page.object_list):
            subscription = row.subscription
            # A subscription waiting for its reader is not charged again; it ends on that day instead.
            next_step = (
                "ends unless the reader confirms"
                if row.needs_authentication
                else f"retry {min(row.attempts, len(schedule))} of {len(schedule)}"
            )
            rows.append(
                {
                    "subscription": subscription,
                    "reader_name": reader_name(subscription.reader),
                    "amount": format_money(row.amount_cents, row.currency),
                    "failed_since": row.failed_since,
                    "attempts": row.attempts,
                    "next": f"{short_date(subscription.next_retry_at)}: {next_step}",
                    "needs_authentication": row.needs_authentication,
                }
            )
        context.update({"rows": rows, "page": page, "schedule": ", ".join(str(day) for day in schedule)})
        return context


class RetryNowView(CirculationOnlyMixin, View):
    """POST only: charge one past-due subscription now, once however often the button is pressed."""

    http_method_names = ["post"]

    def post(self, request, subscription_id: int):
        subscription = get_object_or_404(Subscription.objects.select_related("reader"), pk=subscription_id)
        form = RetryNowForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was charged: the form was incomplete. Please press Retry now again.")
            return redirect("subscribers:dunning")
        who = reader_name(subscription.reader)
        try:
            outcome = retry_now(subscription.pk, actor=staff_actor(request.user), attempt=form.cleaned_data["attempt"])
        except GatewayError:
            messages.error(
                request,
                f"The payment service could not be reached for {who}. The charge is kept and the next renewal "
                "run finishes it, once.",
            )
            return redirect("subscribers:dunning")
        say_what_happened(request, outcome, Subscription.objects.select_related("plan").get(pk=subscription.pk), who)
        return redirect("subscribers:dunning")


def say_what_happened(request, outcome: str, subscription: Subscription, who: str) -> None:
    """The outcome of a retry as a message for staff."""
    latest = subscription.payments.order_by("-created_at", "-pk").first()
    if outcome == "renewed":
        messages.success(
            request,
            f"{who} paid {latest.amount}: the subscription is active until "
            f"{short_date(subscription.current_period_end)}.",
        )
    elif outcome == "failed":
        reason = (latest.failure_message or "declined").rstrip(".")
        if subscription.awaits_authentication():
            messages.warning(
                request,
                f"{who}'s bank wants them to confirm the payment ({reason}); it waits for them "
                f"until {short_date(subscription.next_retry_at)}.",
            )
        else:
            next_retry = short_date(subscription.next_retry_at)
            messages.warning(request, f"{who}'s card was declined ({reason}). Next retry on {next_retry}.")
    elif outcome == "waiting_for_reader":
        messages.warning(
            request,
            f"Nothing was charged: {who}'s bank wants them to confirm the payment, and we have emailed them "
            "the link. Charging the same card again would only be refused; a new card from them is tried at once.",
        )
    elif outcome == "ended":
        messages.warning(request, f"{who}'s card was declined on the last retry: the subscription has ended.")
    else:
        # already_retried, already_recorded, not_past_due, not_due: another click or the renewal run got there first.
        messages.info(request, f"{who}'s retry was already made; nothing more was charged. The list shows it now.")
