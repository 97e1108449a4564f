"""Dunning: what happens between a failed renewal and its last retry, and retrying one now.

The schedule (days after the due date) is `DunningSettings`, which staff edit; renewals read it
once per run (`renewals.renew_due_subscriptions`). Each failure schedules the next retry and emails
the reader; a failure the reader's bank must authenticate waits for the reader until the last
retry day instead of being charged again blindly; the last failure ends the subscription.
A retry asked for now (staff's Retry now, a reader's new card) goes through the same
`renew_subscription`, under the same idempotency key as the scheduled retry it replaces.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from masthead.subscriptions.gateways import Gateway
from masthead.subscriptions.models import (
    AUTHENTICATION_REQUIRED,
    Payment,
    Subscription,
)
from masthead.subscriptions.services.ledger import locked_subscription, record_event
from masthead.subscriptions.services.renewals import renew_subscription


def retry_now(
    subscription_id: int,
    *,
    actor: str,
    attempt: int | None = None,
    on_new_card: bool = False,
    now: datetime.datetime | None = None,
    gateway: Gateway | None = None,
) -> str:
    """Charge a past-due subscription now instead of on its next retry day; returns what happened.

    While the reader's bank waits for the reader to confirm, the same card is not charged again
    blindly ("waiting_for_reader"): only the reader's new card (`on_new_card`) is tried.

    `attempt` is the number of failures the asker saw (the admin's form carries it): once that retry
    has been made, asking again ("already_retried") charges nothing, so two clicks charge once. Two
    clicks at the same moment meet at the subscription's lock and the renewal's idempotency key.
    Raises GatewayError when the gateway cannot be reached (the next renewal run finishes the charge).
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = locked_subscription(subscription_id)
        if subscription.status != Subscription.PAST_DUE:
            return "not_past_due"
        if attempt is not None and subscription.failed_renewal_attempts != attempt:
            return "already_retried"
        if subscription.awaits_authentication() and not on_new_card:
            return "waiting_for_reader"
        record_event(subscription, "retry_asked_for", actor, after_failures=subscription.failed_renewal_attempts)
    return renew_subscription(subscription_id, now=now, gateway=gateway, asked_for=True)


@dataclass(frozen=True)
class DunningRow:
    """One past-due subscription as the dunning page shows it."""

    subscription: Subscription
    amount_cents: int
    currency: str
    failed_since: datetime.datetime | None
    needs_authentication: bool

    @property
    def attempts(self) -> int:
        return self.subscription.failed_renewal_attempts


def past_due_subscriptions() -> QuerySet[Subscription]:
    """Past-due subscriptions, next retry first, with their failed period's first failure and latest answer.

    One query: the payments of the period being chased are read through subqueries, not per row.
    """
    chased = Payment.objects.filter(subscription=OuterRef("pk"), period_start=OuterRef("current_period_end"))
    latest = chased.order_by("-created_at", "-pk")
    return (
        Subscription.objects.filter(status=Subscription.PAST_DUE)
        .select_related("reader", "plan", "next_plan")
        .annotate(
            failed_since=Subquery(
                chased.filter(status=Payment.FAILED).order_by("created_at", "pk").values("created_at")[:1]
            ),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_decline=Subquery(latest.values("decline_code")[:1]),
            latest_amount=Subquery(latest.values("amount_cents")[:1]),
            latest_currency=Subquery(latest.values("currency")[:1]),
        )
        .order_by("next_retry_at", "pk")
    )


def dunning_row(subscription: Subscription) -> DunningRow:
    """A subscription from `past_due_subscriptions()` as a row of the dunning page."""
    plan = subscription.renewal_plan
    return DunningRow(
        subscription=subscription,
        amount_cents=subscription.latest_amount if subscription.latest_amount is not None else plan.price_cents,
        currency=subscription.latest_currency or plan.currency,
        failed_since=subscription.failed_since,
        needs_authentication=(
            subscription.latest_status == Payment.FAILED and subscription.latest_decline == AUTHENTICATION_REQUIRED
        ),
    )
