"""Money back: the 60-day guarantee and staff refunds, each refunded once whatever the retries."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    Gateway,
    get_gateway,
)
from masthead.subscriptions.models import (
    Payment,
    Refund,
    Subscription,
)
from masthead.subscriptions.queries import guarantee_used
from masthead.subscriptions.services.errors import (
    BillingError,
    GuaranteeAlreadyUsed,
    GuaranteeExpired,
    NothingPaidYet,
)
from masthead.subscriptions.services.gifts import keep_gift_time
from masthead.subscriptions.services.ledger import locked_subscription, record_event


def refund_payment(
    payment: Payment, amount_cents: int, *, reason: str, key: str, gateway: Gateway | None = None
) -> Refund:
    """Return money of one payment through its gateway; the key makes a repeat a no-op."""
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    if amount_cents <= 0 or amount_cents > payment.amount_cents - payment.refunded_cents:
        raise BillingError("A refund must be more than nothing and no more than what is left of the payment.")
    gateway = gateway or get_gateway(payment.subscription.gateway)
    refund_ref = gateway.refund(charge_ref=payment.gateway_charge_ref, amount_cents=amount_cents, idempotency_key=key)
    refund, _ = Refund.objects.get_or_create(
        idempotency_key=key,
        defaults={"payment": payment, "amount_cents": amount_cents, "reason": reason, "gateway_refund_ref": refund_ref},
    )
    return refund


def do_refund_under_guarantee(
    subscription: Subscription, *, actor: str, now: datetime.datetime | None = None, gateway: Gateway | None = None
) -> list[Refund]:
    """Refund every payment of the first 60 days in full and end access at once; once per reader.

    What is left of gifts claimed onto the subscription stays the reader's, as a free subscription
    opened in the same transaction (`gifts.keep_gift_time`).
    """
    now = now or timezone.now()
    if subscription.on_trial and subscription.guarantee_claimed_at is None:
        raise NothingPaidYet()
    if subscription.guarantee_claimed_at is None and guarantee_used(subscription.reader):
        raise GuaranteeAlreadyUsed()
    if subscription.guarantee_claimed_at is None and not subscription.guarantee_open(now):
        raise GuaranteeExpired(subscription.guarantee_ends)
    payments = subscription.payments.filter(
        status=Payment.SUCCEEDED, created_at__lt=subscription.guarantee_ends
    ).prefetch_related("refunds")
    refunds = []
    for payment in payments:
        left = payment.amount_cents - payment.refunded_cents
        if left > 0:
            refunds.append(
                refund_payment(payment, left, reason="guarantee", key=f"guarantee:{payment.pk}", gateway=gateway)
            )
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        if subscription.status != Subscription.REFUNDED:
            subscription.status = Subscription.REFUNDED
            subscription.ended_at = now
            subscription.guarantee_claimed_at = now
            subscription.cancel_at_period_end = False
            subscription.next_retry_at = None
            subscription.save(
                update_fields=["status", "ended_at", "guarantee_claimed_at", "cancel_at_period_end", "next_retry_at"]
            )
            kept = keep_gift_time(subscription, now=now, actor=actor)
            total = sum(refund.amount_cents for refund in refunds)
            record_event(
                subscription,
                "refunded_under_guarantee",
                actor,
                refunded_cents=total,
                refunds=[refund.pk for refund in refunds],
                gift_kept_until=kept.current_period_end.isoformat() if kept else None,
            )
            transaction.on_commit(lambda: emails.send_refund_issued.enqueue(subscription.pk))
    return refunds


def do_staff_refund(payment: Payment, amount_cents: int, *, staff, request_token: str) -> Refund:
    """Staff return part or all of one payment; access is unchanged."""
    refund = refund_payment(payment, amount_cents, reason="staff", key=f"staff-refund:{request_token}")
    with transaction.atomic():
        subscription = locked_subscription(payment.subscription_id)
        if not subscription.events.filter(kind="refund_issued", detail__refund=refund.pk).exists():
            record_event(
                subscription,
                "refund_issued",
                f"staff:{staff.email or staff.get_username()}",
                refund=refund.pk,
                amount=refund.amount,
                payment=payment.pk,
            )
            transaction.on_commit(lambda: emails.send_refund_issued.enqueue(subscription.pk, refund.pk))
    return refund


def record_gateway_refund(
    payment: Payment, *, refund_ref: str, amount_cents: int, key: str, reason: str, actor: str
) -> int:
    """Give a refund the gateway made (ours, whose news came first, or one made at its dashboard) its ledger row.

    Returns 1 when the row is new, 0 when it was recorded already (by us, or another delivery of the news).
    """
    if Refund.objects.filter(gateway_refund_ref=refund_ref).exists():
        return 0
    try:
        with transaction.atomic():
            row, created = Refund.objects.get_or_create(
                idempotency_key=key,
                defaults={
                    "payment": payment,
                    "amount_cents": amount_cents,
                    "reason": reason,
                    "gateway_refund_ref": refund_ref,
                },
            )
            if created:
                record_event(
                    payment.subscription, "refund_recorded", actor, refund=row.pk, amount=row.amount, payment=payment.pk
                )
    except IntegrityError:
        return 0  # another delivery of the same news recorded it a moment ago
    return int(created)
