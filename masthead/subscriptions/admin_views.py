"""Circulation staff's subscribers in the Wagtail admin: finding one, everything about one, acting for them.

Plans are in plans_admin.py, the cancellation reasons in reasons_admin.py, dunning in dunning_admin.py,
offer codes in offers_admin.py; who may see any of it in staff_access.py.

Views are thin: each reads the request, checks the circulation permission on the server, calls one
function of `services` and shows a Wagtail message. Reads are named queries in `queries.py`;
nothing here writes a ledger row itself.
"""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from masthead.subscriptions.gateways import CardDeclined, GatewayError, RefundRefused
from masthead.subscriptions.models import (
    Payment,
    Plan,
    Subscription,
)
from masthead.subscriptions.money import MoneyError, format_money, format_units, parse_money
from masthead.subscriptions.queries import (
    address_on,
    addresses_of,
    events_of,
    payments_of,
    readers_by_latest_subscription,
    subscriptions_by_id,
    subscriptions_of,
)
from masthead.subscriptions.services import (
    CANCEL_REASONS,
    BillingError,
    do_cancel,
    do_extend_period,
    do_grant_complimentary,
    do_staff_refund,
)
from masthead.subscriptions.staff_access import CirculationOnlyMixin, staff_actor

# What a staff action can fail with: the ledger's refusals and the gateway's.
STAFF_ACTION_ERRORS = (BillingError, CardDeclined, GatewayError, RefundRefused)

CANCEL_REASON_LABELS = dict(CANCEL_REASONS)


def reader_name(reader) -> str:
    return reader.get_full_name() or reader.email or reader.get_username()


def subscription_status(subscription: Subscription | None) -> str:
    """The status as circulation staff say it: cancelling and complimentary are worth telling apart."""
    if subscription is None:
        return "Never subscribed"
    if subscription.status == Subscription.ACTIVE and subscription.cancel_at_period_end:
        return "Cancelling"
    if subscription.status == Subscription.ACTIVE and subscription.paused_now:
        return f"Paused until {short_date(subscription.paused_until)}"
    if subscription.status == Subscription.ACTIVE and subscription.complimentary:
        return "Complimentary"
    if subscription.status == Subscription.ACTIVE and subscription.on_trial:
        return "Free trial"
    return subscription.get_status_display()


def short_date(moment: datetime.datetime | None) -> str:
    # Wagtail's DateColumn says "Just now" of any future date; a period end is a calendar date.
    return date_format(timezone.localtime(moment), "j M Y") if moment else ""


def cancel_reason_label(code: str) -> str:
    return CANCEL_REASON_LABELS.get(code, code) if code else "Not given"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the site's time zone: access lasts through that day."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def new_request_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberIndexView(CirculationOnlyMixin, BaseListingView):
    """Readers who have subscribed, newest period end first; a search finds any reader by email or name."""

    page_title = "Subscribers"
    header_icon = "group"
    paginate_by = 25
    is_searchable = True
    index_url_name = "subscribers:index"
    index_results_url_name = "subscribers:index_results"
    default_ordering = "-latest_period_end"
    verbose_name = "subscriber"
    verbose_name_plural = "subscribers"

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label="Name",
                accessor=reader_name,
                get_url=lambda reader: reverse("subscribers:detail", args=[reader.pk]),
                sort_key="last_name",
            ),
            Column("email", label="Email", sort_key="email"),
            Column("plan", label="Plan", accessor="subscription.plan.name"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor=lambda reader: subscription_status(reader.subscription),
                primary=lambda reader: reader.subscription is not None and reader.subscription.is_live,
            ),
            Column(
                "period_end",
                label="Period ends",
                accessor=lambda reader: short_date(reader.subscription and reader.subscription.current_period_end),
                sort_key="latest_period_end",
            ),
        ]

    def get_base_queryset(self):
        # Staff search to find someone who never subscribed (to grant them a subscription).
        return readers_by_latest_subscription(subscribed_only=not self.is_searching)

    def order_queryset(self, queryset):
        # Readers who never subscribed (found by a search) sort last either way; pk keeps pages stable.
        ordering = self.ordering or self.default_ordering
        field = F(ordering.removeprefix("-"))
        order = field.desc(nulls_last=True) if ordering.startswith("-") else field.asc(nulls_last=True)
        return queryset.order_by(order, "pk")

    def search_queryset(self, queryset):
        """Every word must match the email, a name or the username: "rita reader" finds Rita Reader."""
        if not self.is_searching:
            return queryset
        for word in self.search_query.split():
            queryset = queryset.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
            )
        return queryset

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        readers = list(object_list)
        # One query for the page's subscriptions rather than one per row.
        subscriptions = subscriptions_by_id(
            [reader.latest_subscription_id for reader in readers if reader.latest_subscription_id]
        )
        for reader in readers:
            reader.subscription = subscriptions.get(reader.latest_subscription_id)
        return paginator, page, readers, is_paginated


class RefundForm(forms.Form):
    """Refund part or all of one payment; the token, made when the form is shown, makes a resubmit a no-op."""

    amount = forms.CharField(label="Amount", max_length=20)
    request_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, payment: Payment, *args, **kwargs):
        self.payment = payment
        kwargs.setdefault("prefix", f"refund-{payment.pk}")
        super().__init__(*args, **kwargs)
        left = payment.amount_cents - payment.refunded_cents
        self.fields["amount"].help_text = f"At most {format_money(left, payment.currency)}."
        if not self.is_bound:
            self.initial = {"amount": format_units(left, payment.currency), "request_token": new_request_token()}

    def clean_amount(self) -> int:
        # What is left is checked by the ledger, after it has recognised a repeated token.
        try:
            amount_cents = parse_money(self.cleaned_data["amount"], self.payment.currency)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from None
        if amount_cents == 0:
            raise forms.ValidationError("Enter an amount above zero.")
        if amount_cents > self.payment.amount_cents:
            raise forms.ValidationError(f"The payment was {self.payment.amount}; a refund cannot be more.")
        return amount_cents


class ComplimentaryForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), empty_label=None)
    until = forms.DateField(
        label="Until", widget=AdminDateInput, help_text="Access lasts through the end of this day; never charged."
    )

    def clean_until(self) -> datetime.date:
        until = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return until


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label="Days", min_value=1, max_value=366, initial=30, help_text="Added to the current period, free of charge."
    )


class StaffCancelForm(forms.Form):
    reason = forms.ChoiceField(
        label="The reader's reason", choices=[("", "Not given")] + CANCEL_REASONS, required=False
    )
    reason_text = forms.CharField(
        label="In their words", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubscriberMixin(CirculationOnlyMixin, WagtailAdminTemplateMixin):
    """A view about one reader, named by `reader_id` in the URL."""

    header_icon = "user"

    @cached_property
    def reader(self):
        return get_object_or_404(get_user_model(), pk=self.kwargs["reader_id"])

    @cached_property
    def detail_url(self) -> str:
        return reverse("subscribers:detail", args=[self.reader.pk])


class SubscriberDetailView(SubscriberMixin, TemplateView):
    """Everything the ledger knows about one reader, and the forms staff act with."""

    template_name = "subscriptions/admin/subscriber.html"

    def dispatch(self, request, *args, **kwargs):
        self.bound_forms: dict[str, forms.Form] = {}
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return reader_name(self.reader)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("subscribers:index"), "label": "Subscribers"},
            {"url": "", "label": reader_name(self.reader)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reader, now = self.reader, timezone.now()
        subscriptions = list(subscriptions_of(reader))
        # A reader has at most one live subscription, and it is the latest one.
        current = subscriptions[0] if subscriptions else None
        live = current if current is not None and current.is_live else None
        payments = list(payments_of(reader))
        for payment in payments:
            payment.refundable = payment.status == Payment.SUCCEEDED and payment.refunded_cents < payment.amount_cents
            if payment.refundable:
                payment.refund_form = self.bound_forms.get(f"refund-{payment.pk}") or RefundForm(payment)
        current_address = address_on(reader, now)
        addresses = list(addresses_of(reader))
        for address in addresses:
            address.is_current = current_address is not None and address.pk == current_address.pk
        context.update(
            {
                "reader": reader,
                "subscription": current,
                "live": live,
                "status": subscription_status(current),
                "cancel_reason": cancel_reason_label(current.cancel_reason) if current else "",
                "earlier_subscriptions": subscriptions[1:],
                "payments": payments,
                "addresses": addresses,
                "events": events_of(reader),
                "card": reader.gateway_customers.first(),
                "extend_form": self.bound_forms.get("extend") or ExtendForm(),
                "complimentary_form": self.bound_forms.get("complimentary") or ComplimentaryForm(),
                "detail_url": self.detail_url,
            }
        )
        return context

    def rerender(self, key: str, form: forms.Form, message: str):
        """Show the page again with `form`'s errors in place."""
        messages.error(self.request, message)
        self.bound_forms[key] = form
        return self.render_to_response(self.get_context_data())


class RefundView(SubscriberDetailView):
    http_method_names = ["post"]

    def post(self, request, reader_id: int, payment_id: int):
        payment = get_object_or_404(
            Payment.objects.select_related("subscription"),
            pk=payment_id,
            subscription__reader=self.reader,
            status=Payment.SUCCEEDED,
        )
        form = RefundForm(payment, request.POST)
        if not form.is_valid():
            return self.rerender(f"refund-{payment.pk}", form, "The refund was not issued: check the amount.")
        try:
            refund = do_staff_refund(
                payment,
                form.cleaned_data["amount"],
                staff=request.user,
                request_token=form.cleaned_data["request_token"],
            )
        except STAFF_ACTION_ERRORS as error:
            messages.error(request, f"The refund was not issued: {error}")
        else:
            messages.success(request, f"Refunded {refund.amount} of the {payment.amount} payment.")
        return redirect(self.detail_url)


class ComplimentaryView(SubscriberDetailView):
    http_method_names = ["post"]

    def post(self, request, reader_id: int):
        form = ComplimentaryForm(request.POST)
        if not form.is_valid():
            return self.rerender("complimentary", form, "The subscription was not granted: check the form.")
        plan, until = form.cleaned_data["plan"], form.cleaned_data["until"]
        try:
            do_grant_complimentary(self.reader, plan, until=end_of_day(until), staff=request.user)
        except STAFF_ACTION_ERRORS as error:
            messages.error(request, f"The subscription was not granted: {error}")
        else:
            messages.success(
                request, f"{reader_name(self.reader)} has a complimentary {plan} subscription until {until:%-d %B %Y}."
            )
        return redirect(self.detail_url)


class ExtendView(SubscriberDetailView):
    http_method_names = ["post"]

    def post(self, request, reader_id: int, subscription_id: int):
        subscription = get_object_or_404(Subscription, pk=subscription_id, reader=self.reader)
        form = ExtendForm(request.POST)
        if not form.is_valid():
            return self.rerender("extend", form, "The period was not extended: check the number of days.")
        try:
            subscription = do_extend_period(subscription, form.cleaned_data["days"], staff=request.user)
        except STAFF_ACTION_ERRORS as error:
            messages.error(request, f"The period was not extended: {error}")
        else:
            messages.success(
                request, f"The current period now ends on {subscription.current_period_end:%-d %B %Y, %H:%M}."
            )
        return redirect(self.detail_url)


class CancelView(SubscriberMixin, TemplateView):
    """Confirm, then cancel on the reader's behalf: no further charges, access to the period's end."""

    template_name = "subscriptions/admin/confirm_cancel.html"
    page_title = "Cancel subscription"

    @cached_property
    def subscription(self) -> Subscription:
        return get_object_or_404(
            Subscription.objects.select_related("plan"), pk=self.kwargs["subscription_id"], reader=self.reader
        )

    def get_page_subtitle(self):
        return reader_name(self.reader)

    def get_breadcrumbs_items(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "reader": self.reader,
                "subscription": self.subscription,
                "form": kwargs.get("form") or StaffCancelForm(),
                "detail_url": self.detail_url,
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        if not self.subscription.is_live or self.subscription.cancel_at_period_end:
            messages.warning(request, "This subscription is not renewing, so there is nothing to cancel.")
            return redirect(self.detail_url)
        return super().get(request, *args, **kwargs)

    def post(self, request, reader_id: int, subscription_id: int):
        form = StaffCancelForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            subscription = do_cancel(
                self.subscription,
                actor=staff_actor(request.user),
                reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
            )
        except STAFF_ACTION_ERRORS as error:
            messages.error(request, f"The subscription was not cancelled: {error}")
        else:
            if subscription.status == Subscription.ENDED:
                messages.success(request, "Cancelled. The subscription was past due, so it has ended now.")
            else:
                messages.success(
                    request,
                    f"Cancelled. No further charges; access lasts until {subscription.current_period_end:%-d %B %Y}.",
                )
        return redirect(self.detail_url)
