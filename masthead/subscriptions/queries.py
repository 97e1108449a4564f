"""Named reads of the ledger for other apps and views."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from masthead.subscriptions.models import Payment, Plan, PostalAddress, Subscription


def offered_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True)


def live_subscription(reader) -> Subscription | None:
    """The reader's one active or past-due subscription, if any."""
    if not getattr(reader, "is_authenticated", False):
        return None
    return (
        Subscription.objects.select_related("plan", "next_plan")
        .filter(reader=reader, status__in=Subscription.LIVE_STATUSES)
        .first()
    )


def latest_subscription(reader) -> Subscription | None:
    return (
        Subscription.objects.select_related("plan", "next_plan").filter(reader=reader).order_by("-started_at").first()
    )


def payment_history(reader) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(subscription__reader=reader, status=Payment.SUCCEEDED)
        .select_related("receipt", "subscription__plan")
        .prefetch_related("refunds")
        .order_by("-created_at")
    )


def address_on(reader, moment: datetime.datetime) -> PostalAddress | None:
    """The address in force at `moment`: the newest one valid from then or before."""
    return PostalAddress.objects.filter(reader=reader, valid_from__lte=moment).order_by("-valid_from", "-pk").first()


def guarantee_used(reader) -> bool:
    return Subscription.objects.filter(reader=reader, guarantee_claimed_at__isnull=False).exists()
