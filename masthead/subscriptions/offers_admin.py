"""Offer codes for circulation staff: the Offers snippet (create, edit, switch off) and each offer's redemptions.

The list shows how many readers redeemed each code and what they have paid so far (less refunds);
an offer's page lists those readers, with what each paid.
"""

from __future__ import annotations

from django import forms
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.subscriptions.admin_views import reader_name, subscription_status
from masthead.subscriptions.models import Offer
from masthead.subscriptions.money import format_money
from masthead.subscriptions.queries import offer_redemptions, offer_revenue
from masthead.subscriptions.staff_access import CirculationOnlyMixin


def money_by_currency(amounts: dict[str, int]) -> str:
    return " + ".join(format_money(cents, currency) for currency, cents in sorted(amounts.items())) or "—"


def describe(offer: Offer) -> str:
    """The offer's terms in a few words, for staff."""
    if offer.is_trial:
        return f"{offer.trial_days}-day free trial"
    if offer.kind == Offer.PERCENT:
        off = f"{offer.percent_off}%"
    else:
        off = format_money(offer.amount_off_cents, offer.currency)
    periods = "first period" if offer.periods == 1 else f"first {offer.periods} periods"
    return f"{off} off the {periods}"


def redeemed(offer: Offer) -> int:
    """How many subscriptions used the code: annotated on the list's rows, counted for one offer."""
    count = getattr(offer, "redeemed", None)
    return offer.subscriptions.count() if count is None else count


def redemptions(offer: Offer) -> str:
    used = redeemed(offer)
    return f"{used} of {offer.max_redemptions}" if offer.max_redemptions is not None else str(used)


def availability(offer: Offer) -> str:
    now = timezone.now()
    if not offer.is_active:
        return "Switched off"
    if offer.ends_at and offer.ends_at <= now:
        return "Ended"
    if offer.starts_at and now < offer.starts_at:
        return f"From {offer.starts_at:%-d %b %Y}"
    if offer.max_redemptions is not None and redeemed(offer) >= offer.max_redemptions:
        return "Used up"
    return f"Open until {offer.ends_at:%-d %b %Y}" if offer.ends_at else "Open"


class OfferViewSet(SnippetViewSet):
    model = Offer
    icon = "tag"
    menu_label = "Offer codes"
    add_to_admin_menu = False  # under Subscribers (wagtail_hooks.py)
    list_display = [
        "code",
        "name",
        Column("terms", label="Terms", accessor=describe),
        TitleColumn(
            "redemptions",
            label="Redemptions",
            accessor=redemptions,
            get_url=lambda offer: reverse("subscribers:offer_redemptions", args=[offer.pk]),
        ),
        Column("revenue", label="Revenue so far", accessor=lambda offer: money_by_currency(offer_revenue(offer))),
        Column("availability", label="Status", accessor=availability),
    ]
    list_filter = ["kind", "is_active"]

    def get_queryset(self, request):
        # One count per page of offers, not two queries per row.
        return Offer.objects.annotate(redeemed=Count("subscriptions"))

    search_fields = ["code", "name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
            MultiFieldPanel(
                [
                    FieldPanel("kind"),
                    FieldRowPanel([FieldPanel("percent_off"), FieldPanel("amount_off_cents"), FieldPanel("currency")]),
                    FieldPanel("periods"),
                    FieldPanel("trial_days"),
                ],
                heading="Terms",
                help_text=(
                    "Percentage or amount off the first period(s), or a free trial that needs a card and "
                    "charges the plan's price when it ends (digital plans only)."
                ),
            ),
            FieldPanel("plans", widget=forms.CheckboxSelectMultiple),
            MultiFieldPanel(
                [FieldPanel("max_redemptions"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])],
                heading="Limits",
            ),
            FieldPanel("is_active"),
        ]
    )


class OfferRedemptionsView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Who redeemed an offer code, when, on which plan, and what each has paid so far."""

    template_name = "subscriptions/admin/offer_redemptions.html"
    header_icon = "tag"

    def get_page_title(self):
        return f"Offer {self.offer.code}"

    def get(self, request, offer_id: int):
        self.offer = get_object_or_404(Offer, pk=offer_id)
        return super().get(request, offer_id=offer_id)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(Offer.snippet_viewset.get_url_name("list")), "label": "Offer codes"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        rows = [
            {
                "subscription": subscription,
                "reader_name": reader_name(subscription.reader),
                "status": subscription_status(subscription),
                "paid": format_money(subscription.paid_cents, subscription.plan.currency),
                "refunded": format_money(subscription.refunded_cents, subscription.plan.currency)
                if subscription.refunded_cents
                else "",
            }
            for subscription in offer_redemptions(self.offer)[:500]
        ]
        return super().get_context_data(
            offer=self.offer,
            terms=describe(self.offer),
            redemptions=redemptions(self.offer),
            revenue=money_by_currency(offer_revenue(self.offer)),
            edit_url=reverse(Offer.snippet_viewset.get_url_name("edit"), args=[self.offer.pk]),
            availability=availability(self.offer),
            rows=rows,
            **kwargs,
        )
