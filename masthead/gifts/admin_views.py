"""Gifts in the Wagtail admin, for circulation staff: every gift and where it stands, read-only, and a resend.

The same permission as Subscribers (gifts name readers and their addresses), checked on the server
before anything is looked up.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.gifts.models import Gift
from masthead.gifts.services.delivery import resend_gift
from masthead.gifts.services.errors import GiftError
from masthead.subscriptions.staff_access import CirculationOnlyMixin, staff_actor

GIFTS_PER_PAGE = 50


class GiftIndexView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every paid gift, newest first; found by the giver's or the recipient's email."""

    template_name = "gifts/admin/index.html"
    page_title = "Gifts"
    header_icon = "pick"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gifts = Gift.objects.exclude(payment_status=Gift.OPEN).select_related("giver", "plan", "recipient")
        query = self.request.GET.get("q", "").strip()[:200]
        if query:
            gifts = gifts.filter(Q(recipient_email__icontains=query) | Q(giver__email__icontains=query))
        context.update(page=Paginator(gifts, GIFTS_PER_PAGE).get_page(self.request.GET.get("p")), query=query)
        return context


class GiftDetailView(CirculationOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "gifts/admin/detail.html"
    header_icon = "pick"

    @cached_property
    def gift(self) -> Gift:
        return get_object_or_404(Gift.objects.select_related("giver", "plan", "recipient"), pk=self.kwargs["gift_id"])

    def get_page_title(self):
        return f"Gift {self.gift.number}"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("gifts_admin:index"), "label": "Gifts"},
            {"url": "", "label": self.gift.number},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(gift=self.gift, events=self.gift.events.all())
        return context


class GiftResendView(CirculationOnlyMixin, View):
    """POST: email the recipient their gift again (the same link)."""

    def post(self, request, gift_id: int):
        gift = get_object_or_404(Gift.objects.select_related("giver", "plan"), pk=gift_id)
        try:
            resend_gift(gift, actor=staff_actor(request.user))
        except GiftError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Gift {gift.number} was emailed to {gift.recipient_email} again.")
        return redirect("gifts_admin:detail", gift.pk)
