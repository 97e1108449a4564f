"""Renewing: charge each due subscription once per period, retry failures on schedule, settle crashed runs."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    Gateway,
    GatewayError,
    get_gateway,
)
from masthead.subscriptions.models import (
    AUTHENTICATION_REQUIRED,
    GatewayCustomer,
    Payment,
    Plan,
    Refund,
    Subscription,
    retry_schedule,
)
from masthead.subscriptions.services.ledger import issue_receipt, locked_subscription, record_event
from masthead.subscriptions.services.payment_attempts import still_processing

Shard = tuple[int, int]  # (index, count): this run takes the subscriptions with pk % count == index


def parse_shard(text: str) -> Shard:
    """ "2/4" (1-based, as people count) -> (1, 4)."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"A shard looks like 1/4, not {text!r}.") from None
    if not 1 <= index <= count:
        raise ValueError(f"Shard {text!r}: the first number must be between 1 and {count}.")
    return index - 1, count


def due_subscription_ids(now: datetime.datetime, shard: Shard | None = None) -> list[int]:
    # A paused subscription is never charged: its charge moves past the pause, and a pause from
    # before that rule waits for its end (renew_subscription checks again under the lock).
    running = Subscription.objects.exclude(paused_until__gt=now)
    active_due = running.filter(status=Subscription.ACTIVE, current_period_end__lte=now)
    retry_due = running.filter(status=Subscription.PAST_DUE, next_retry_at__lte=now)
    if shard is not None:
        index, count = shard
        active_due = active_due.alias(shard=F("pk") % count).filter(shard=index)
        retry_due = retry_due.alias(shard=F("pk") % count).filter(shard=index)
    return sorted(active_due.values_list("pk", flat=True).union(retry_due.values_list("pk", flat=True)))


def end_subscription(subscription: Subscription, now: datetime.datetime, *, reason: str, actor: str) -> None:
    subscription.status = Subscription.ENDED
    subscription.ended_at = now
    subscription.next_retry_at = None
    subscription.save(update_fields=["status", "ended_at", "next_retry_at"])
    record_event(subscription, "ended", actor, reason=reason)


def renew_subscription(
    subscription_id: int,
    *,
    now: datetime.datetime | None = None,
    gateway: Gateway | None = None,
    retry_days: tuple[int, ...] | None = None,
    asked_for: bool = False,
) -> str:
    """Charge one due subscription for its next period, at most once; returns what happened.

    `retry_days` is the dunning schedule (read from DunningSettings when not given). A past-due
    subscription waiting for the reader's authentication is not charged again blindly: when its
    deadline comes it ends. A retry `asked_for` (staff's Retry now, a new card) charges a past-due
    subscription before its retry day (see services/dunning.py).
    """
    now = now or timezone.now()
    actor = "system:renewals"
    from masthead.subscriptions.services.authentication import withdraw_waiting_charge  # it records through here

    confirmed_meanwhile = withdraw_waiting_charge(subscription_id, now=now, gateway=gateway, asked_for=asked_for)
    if confirmed_meanwhile:
        return confirmed_meanwhile
    with transaction.atomic():
        subscription = locked_subscription(subscription_id)
        if not (subscription.is_due(now) or (asked_for and subscription.status == Subscription.PAST_DUE)):
            return "not_due"
        if subscription.is_paused(now):
            return "paused"
        if subscription.cancel_at_period_end or subscription.complimentary:
            end_subscription(subscription, now, reason="period_over", actor=actor)
            return "ended"
        if not asked_for and subscription.awaits_authentication():
            end_subscription(subscription, now, reason="authentication_not_completed", actor=actor)
            transaction.on_commit(lambda: emails.send_ended_unpaid.enqueue(subscription_id))
            return "ended"
        plan = subscription.renewal_plan
        period_start = subscription.current_period_end
        customer = GatewayCustomer.objects.get(reader_id=subscription.reader_id, gateway=subscription.gateway)
        key = f"renewal:{subscription.pk}:{period_start:%Y%m%dT%H%M%S}:{subscription.failed_renewal_attempts}"
        payment, _ = Payment.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "subscription": subscription,
                "period_start": period_start,
                "period_end": plan.period_end(period_start),
                "amount_cents": subscription.next_period_price(),
                "currency": plan.currency,
                "payment_method_ref": customer.payment_method_ref,
                "created_at": now,
            },
        )
        if payment.status != Payment.PENDING:
            return "already_recorded"

    result = renewal_charge(payment, customer, gateway or get_gateway(subscription.gateway))
    return record_renewal_result(
        subscription_id, payment.pk, plan.pk, result, now, retry_days=retry_days, asked_for=asked_for
    )


def renewal_charge(payment: Payment, customer: GatewayCustomer, gateway: Gateway):
    """The renewal payment's charge as it stands: sent (again) under its key, or asked about if it was processing."""
    if payment.gateway_charge_ref:
        # Not charged again: a gateway forgets keys (Stripe after a day) and a processing charge can take days.
        return gateway.payment_status(charge_ref=payment.gateway_charge_ref)
    return charge_renewal(payment, customer, gateway)


def charge_renewal(payment: Payment, customer: GatewayCustomer, gateway: Gateway):
    """Send a renewal payment's charge, off-session; sent again under its key, it is the very same request."""
    return gateway.charge(
        customer_ref=customer.customer_ref,
        # The card the payment was first sent with, even if the reader has changed cards since.
        payment_method_ref=payment.payment_method_ref or customer.payment_method_ref,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        description=renewal_description(payment),
    )


def renewal_description(payment: Payment) -> str:
    """The charge's description, from the payment alone: a charge sent again must be the same request."""
    return f"Renewal from {payment.period_start:%Y-%m-%d}"


class PeriodNoLongerOwed(Exception):
    """A renewal charge came back for a period its subscription no longer has."""


def record_renewal_result(
    subscription_id: int,
    payment_id: int,
    plan_id: int,
    result,
    now,
    *,
    retry_days: tuple[int, ...] | None = None,
    asked_for: bool = False,
) -> str:
    """Write a renewal charge's result to the ledger, once; money for a period no longer owed goes back.

    A failure schedules the next retry on the dunning schedule (`retry_days` after the due date);
    one the reader's bank must authenticate waits for the reader until the last retry day instead.
    """
    actor = "system:renewals"
    try:
        with transaction.atomic():
            subscription = locked_subscription(subscription_id)
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            # A charge the reader's bank held for them is recorded once they confirm it (services/authentication.py).
            if not (payment.status == Payment.PENDING or (result.succeeded and payment.awaits_authentication)):
                return "already_recorded"
            if still_processing(result):
                # Neither paid nor failed: it may yet take the money, so no retry may charge again. The
                # payment stays pending with its charge, and each run asks about it until it settles.
                payment.gateway_charge_ref = result.charge_ref
                payment.save(update_fields=["gateway_charge_ref"])
                return "processing"
            if not (subscription.is_live and payment.period_start == subscription.current_period_end):
                # Ended, refunded or moved on while the charge was in flight (or its worker crashed):
                # the period is no longer this subscription's to renew, and must not revive it.
                raise PeriodNoLongerOwed
            payment.gateway_charge_ref = result.charge_ref
            if result.succeeded:
                payment.status = Payment.SUCCEEDED
                payment.save(update_fields=["status", "gateway_charge_ref"])
                if subscription.discount_periods_left:
                    # One discounted period used; a switch to another interval ends the discount.
                    interval = Plan.objects.only("interval").get(pk=plan_id).interval
                    same = interval == subscription.discount.get("interval")
                    subscription.discount_periods_left = subscription.discount_periods_left - 1 if same else 0
                subscription.plan_id = plan_id
                subscription.next_plan = None
                subscription.status = Subscription.ACTIVE
                subscription.current_period_start = payment.period_start
                subscription.current_period_end = payment.period_end
                subscription.failed_renewal_attempts = 0
                subscription.next_retry_at = None
                subscription.save(
                    update_fields=[
                        "plan",
                        "next_plan",
                        "status",
                        "current_period_start",
                        "current_period_end",
                        "failed_renewal_attempts",
                        "next_retry_at",
                        "discount_periods_left",
                    ]
                )
                record_event(
                    subscription, "renewed", actor, amount=payment.amount, period_end=payment.period_end.isoformat()
                )
                issue_receipt(payment)
                return "renewed"

            payment.status = Payment.FAILED
            payment.failure_message = result.message[:300]
            payment.decline_code = result.decline_code[:50]
            payment.save(update_fields=["status", "gateway_charge_ref", "failure_message", "decline_code"])
            subscription.failed_renewal_attempts += 1
            attempts = subscription.failed_renewal_attempts
            record_event(
                subscription,
                "payment_failed",
                actor,
                amount=payment.amount,
                attempt=attempts,
                decline=result.decline_code,
            )
            schedule = retry_days or retry_schedule()
            if attempts > len(schedule):
                subscription.save(update_fields=["failed_renewal_attempts"])
                end_subscription(subscription, now, reason="renewal_failed", actor=actor)
                transaction.on_commit(lambda: emails.send_ended_unpaid.enqueue(subscription_id))
                return "ended"
            subscription.status = Subscription.PAST_DUE
            subscription.next_retry_at = retry_at(
                payment.period_start,
                schedule,
                attempts,
                now,
                waiting=result.decline_code == AUTHENTICATION_REQUIRED,
                asked_for=asked_for,
            )
            subscription.save(update_fields=["status", "failed_renewal_attempts", "next_retry_at"])
            transaction.on_commit(lambda: emails.send_payment_failed.enqueue(subscription_id, payment.pk))
            return "failed"
    except PeriodNoLongerOwed:
        return void_renewal_payment(payment_id, result)


def retry_at(
    due: datetime.datetime,
    schedule: tuple[int, ...],
    attempts: int,
    now: datetime.datetime,
    *,
    waiting: bool,
    asked_for: bool,
) -> datetime.datetime:
    """When a renewal that has failed `attempts` times is tried again: its day on the schedule.

    One the reader's bank must authenticate is not charged again off-session (the bank would ask
    again): it waits for the reader, who is sent the link, until the last retry day, and then ends.
    A retry asked for early (a new card, staff) can fail while waiting with its own day already
    behind it; then the next scheduled day still to come, so the reader is not charged again at once.
    """
    days = [due + datetime.timedelta(days=day) for day in schedule]
    moment = days[-1] if waiting else days[attempts - 1]
    if asked_for and moment <= now:
        moment = next((day for day in days if day > now), moment)
    return moment


def renew_due_subscriptions(
    now: datetime.datetime | None = None, progress=None, shard: Shard | None = None
) -> dict[str, int]:
    """Renew every due subscription (or one shard of them) once; safe to run again, or beside another run.

    Shards let several workers renew side by side: each subscription is still locked and charged
    under its own key, so overlapping or repeated runs cannot charge twice.
    """
    now = now or timezone.now()
    retry_days = retry_schedule()  # once per run: staff may change it while the run goes on
    outcomes: dict[str, int] = {}
    for subscription_id in due_subscription_ids(now, shard):
        try:
            outcome = renew_subscription(subscription_id, now=now, retry_days=retry_days)
        except GatewayError:
            # The payment stays pending and the next run charges it with the same key: still once.
            outcome = "gateway_error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if progress:
            progress(outcome)
    for payment_id in lost_renewal_payment_ids(shard):
        try:
            outcome = settle_lost_renewal(payment_id, now=now, retry_days=retry_days)
        except GatewayError:
            outcome = "gateway_error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def lost_renewal_payment_ids(shard: Shard | None = None) -> list[int]:
    """Renewal payments left pending (a crashed worker) whose subscription has since ended or moved on."""
    pending = Payment.objects.filter(status=Payment.PENDING)
    if shard is not None:
        index, count = shard
        pending = pending.alias(shard=F("subscription_id") % count).filter(shard=index)
    current = pending.filter(
        subscription__status__in=Subscription.LIVE_STATUSES, period_start=F("subscription__current_period_end")
    )
    return sorted(pending.exclude(pk__in=current.values("pk")).values_list("pk", flat=True))


def settle_lost_renewal(
    payment_id: int,
    *,
    now: datetime.datetime,
    gateway: Gateway | None = None,
    retry_days: tuple[int, ...] | None = None,
) -> str:
    """Learn what a crashed renewal charge did by sending it again with its key, then record it (and give it back)."""
    payment = Payment.objects.select_related("subscription").get(pk=payment_id)
    subscription = payment.subscription
    customer = GatewayCustomer.objects.get(reader_id=subscription.reader_id, gateway=subscription.gateway)
    # The same key returns the first attempt's result; had the worker died before charging, this
    # charges now, and the charge is given straight back below.
    result = renewal_charge(payment, customer, gateway or get_gateway(subscription.gateway))
    return record_renewal_result(subscription.pk, payment.pk, subscription.plan_id, result, now, retry_days=retry_days)


def void_renewal_payment(payment_id: int, result, gateway: Gateway | None = None) -> str:
    """Record a renewal charge for a period the subscription no longer has, refunding it in full first.

    The refund goes to the gateway before the ledger row is written, under a key derived from the
    payment: a crash between the two leaves the payment pending, and the next run repeats both.
    """
    payment = Payment.objects.select_related("subscription").get(pk=payment_id)
    key = f"void:{payment.idempotency_key}"
    refund_ref = ""
    if result.succeeded:
        gateway = gateway or get_gateway(payment.subscription.gateway)
        refund_ref = gateway.refund(
            charge_ref=result.charge_ref, amount_cents=payment.amount_cents, idempotency_key=key
        )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if not (payment.status == Payment.PENDING or (result.succeeded and payment.awaits_authentication)):
            return "already_recorded"
        paid_already = (
            Payment.objects.filter(
                subscription_id=payment.subscription_id, period_start=payment.period_start, status=Payment.SUCCEEDED
            )
            .exclude(pk=payment.pk)
            .exists()
        )
        # A second charge for a period another payment paid cannot be a succeeded payment (one per
        # period): it is kept as failed, with the refund named, and reconciliation shows the pair.
        recorded = result.succeeded and not paid_already
        payment.status = Payment.SUCCEEDED if recorded else Payment.FAILED
        payment.gateway_charge_ref = result.charge_ref
        payment.failure_message = (
            f"Charged for a period already paid; refunded in full ({refund_ref})."
            if result.succeeded and paid_already
            else result.message
        )[:300]
        payment.save(update_fields=["status", "gateway_charge_ref", "failure_message"])
        if recorded:
            Refund.objects.create(
                payment=payment,
                amount_cents=payment.amount_cents,
                reason="void",
                idempotency_key=key,
                gateway_refund_ref=refund_ref,
            )
        record_event(
            payment.subscription,
            "renewal_voided",
            "system:renewals",
            amount=payment.amount,
            charged=result.succeeded,
            refunded=bool(refund_ref),
        )
    return "voided"


YEARLY_REMINDER_DAYS = 7
TRIAL_REMINDER_DAYS = 3


def send_renewal_reminders(now: datetime.datetime | None = None) -> int:
    """Email, once per period: yearly subscribers 7 days before they renew, trials 3 days before their first charge."""
    now = now or timezone.now()
    upcoming = Subscription.objects.filter(
        status=Subscription.ACTIVE, cancel_at_period_end=False, complimentary=False, current_period_end__gt=now
    ).exclude(reminder_sent_for=F("current_period_end"))
    ends_trial = Q(trial_ends_at=F("current_period_end"))
    # A yearly renewal is one that charges a yearly plan: after a switch, the plan switched to.
    yearly = Q(next_plan__isnull=True, plan__interval=Plan.YEARLY) | Q(next_plan__interval=Plan.YEARLY)
    yearly_due = upcoming.filter(yearly, current_period_end__lte=now + datetime.timedelta(days=YEARLY_REMINDER_DAYS))
    trials_due = upcoming.filter(ends_trial, current_period_end__lte=now + datetime.timedelta(days=TRIAL_REMINDER_DAYS))
    sent = 0
    for subscription_id, email in [
        *((pk, emails.send_trial_reminder) for pk in trials_due.values_list("pk", flat=True)),
        *((pk, emails.send_renewal_reminder) for pk in yearly_due.exclude(ends_trial).values_list("pk", flat=True)),
    ]:
        with transaction.atomic():
            subscription = locked_subscription(subscription_id)
            if subscription.reminder_sent_for == subscription.current_period_end:
                continue
            subscription.reminder_sent_for = subscription.current_period_end
            subscription.save(update_fields=["reminder_sent_for"])
            transaction.on_commit(lambda pk=subscription_id, email=email: email.enqueue(pk))
            sent += 1
    return sent
