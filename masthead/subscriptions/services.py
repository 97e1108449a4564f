"""Every write to the ledger: subscribe, renew, cancel, resume, refund, change plan or address, staff actions.

Each function is atomic where it writes, logs a SubscriptionEvent in the same transaction, and
sends its emails on commit. Gateway calls happen outside transactions (no slow I/O while rows are
locked) and carry idempotency keys, so a retry after a crash reuses the first attempt's result.
Subscription rows are always locked through `locked_subscription`, one at a time.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    CardDeclined,
    CardInput,
    ChargeResult,
    Gateway,
    GatewayError,
    IdempotencyKeyReused,
    get_gateway,
)
from masthead.subscriptions.models import (
    RETRY_DAYS,
    Checkout,
    GatewayCustomer,
    Payment,
    Plan,
    PostalAddress,
    Receipt,
    Refund,
    Subscription,
    SubscriptionEvent,
)
from masthead.subscriptions.queries import guarantee_used, live_subscription

logger = logging.getLogger(__name__)

CANCEL_REASONS = [
    ("too_expensive", "It costs too much"),
    ("not_reading", "I don't read it enough"),
    ("content", "I don't like the coverage"),
    ("switching", "I'm switching to another publication"),
    ("technical", "Something didn't work"),
    ("other", "Another reason"),
]


class BillingError(Exception):
    """A request the ledger refuses; the message is fit to show the reader."""


class AlreadySubscribed(BillingError):
    def __init__(self, subscription: Subscription):
        super().__init__("You already have a subscription.")
        self.subscription = subscription


class AddressRequired(BillingError):
    def __init__(self):
        super().__init__("The print edition needs a postal address.")


class GuaranteeExpired(BillingError):
    def __init__(self, ended: datetime.datetime):
        super().__init__(f"The 60-day money-back guarantee ended on {ended:%B %-d, %Y}.")


class GuaranteeAlreadyUsed(BillingError):
    def __init__(self):
        super().__init__("The money-back guarantee can be used once per reader, and you have used it.")


class NotCancellable(BillingError):
    pass


@dataclass(frozen=True)
class AddressInput:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""


def record_event(subscription: Subscription, kind: str, actor: str, **detail) -> SubscriptionEvent:
    return SubscriptionEvent.objects.create(subscription=subscription, kind=kind, actor=actor, detail=detail)


def locked_subscription(subscription_id: int) -> Subscription:
    """The subscription row, locked until the transaction ends (call inside atomic)."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the outer join to the nullable next_plan.
    return (
        Subscription.objects.select_for_update(of=("self",)).select_related("plan", "next_plan").get(pk=subscription_id)
    )


def save_address(reader, address: AddressInput, now: datetime.datetime) -> PostalAddress:
    return PostalAddress.objects.create(reader=reader, valid_from=now, **address.__dict__)


def store_card(reader, card: CardInput, gateway: Gateway) -> GatewayCustomer:
    """Keep the reader's card at the gateway (raises CardDeclined) and remember where it is."""
    customer = GatewayCustomer.objects.filter(reader=reader, gateway=gateway.name).first()
    stored = gateway.store_card(customer_ref=customer.customer_ref if customer else None, email=reader.email, card=card)
    customer, _ = GatewayCustomer.objects.update_or_create(
        reader=reader,
        gateway=gateway.name,
        defaults={
            "customer_ref": stored.customer_ref,
            "payment_method_ref": stored.payment_method_ref,
            "card_brand": stored.brand,
            "card_last4": stored.last4,
        },
    )
    return customer


def issue_receipt(payment: Payment) -> Receipt:
    receipt = Receipt.objects.create(payment=payment)
    transaction.on_commit(lambda: emails.send_receipt.enqueue(receipt.pk))
    return receipt


# -- buying ------------------------------------------------------------------------------------

# A checkout's claim outlasts any run of gateway calls it makes (Stripe: 30 s per call, tried three
# times); if the request holding it dies, a retry of the same token takes over after this.
CHECKOUT_CLAIM = datetime.timedelta(minutes=5)
# How long a second click waits for the first one's outcome before saying the payment is under way.
CHECKOUT_WAIT_SECONDS = 20.0
CHECKOUT_POLL_SECONDS = 0.05


class CheckoutTokenUsed(BillingError):
    def __init__(self):
        super().__init__(
            "This payment form was already used for another payment, so nothing was charged now. "
            "Please check the plan and pay again."
        )


class CheckoutInProgress(BillingError):
    def __init__(self):
        super().__init__(
            "Your payment is still going through: your subscription will show here as soon as it has. "
            "You will not be charged twice."
        )


class ChargeNotConfirmed(BillingError):
    def __init__(self):
        super().__init__(
            "The payment service's answer did not match this payment, so your subscription has not started. "
            "Please try again; we have been told."
        )


def do_subscribe(
    *,
    reader,
    plan: Plan,
    card: CardInput,
    checkout_token: str,
    address: AddressInput | None = None,
    now: datetime.datetime | None = None,
    gateway: Gateway | None = None,
) -> Subscription:
    """Charge the first period and start the subscription; a repeated token returns the first result.

    The token's checkout is claimed before the gateway is called: a second click waits for the
    first and answers as it did, and a token used before for another plan or price is refused.
    """
    now = now or timezone.now()
    gateway = gateway or get_gateway()
    key = f"checkout:{reader.pk}:{checkout_token}"
    earlier = Payment.objects.filter(idempotency_key=key, status=Payment.SUCCEEDED).first()
    if earlier:
        return earlier.subscription
    existing = live_subscription(reader)
    if existing:
        raise AlreadySubscribed(existing)
    if plan.includes_print and address is None:
        raise AddressRequired()

    checkout = claim_checkout(reader, plan, key, gateway.name)
    try:
        if checkout.status != Checkout.OPEN:
            return finished_checkout(checkout)
        return pay_for_checkout(checkout, card, address, now, gateway)
    finally:
        # However this ended, a retry of the token may go on; a finished checkout answers it at once.
        Checkout.objects.filter(pk=checkout.pk, status=Checkout.OPEN).update(claimed_until=None)


def claim_checkout(reader, plan: Plan, key: str, gateway_name: str) -> Checkout:
    """The checkout of `key`, claimed for this request or already finished; waits while another request has it."""
    deadline = time.monotonic() + CHECKOUT_WAIT_SECONDS
    while True:
        now = timezone.now()
        checkout, created = Checkout.objects.select_related("plan", "reader").get_or_create(
            idempotency_key=key,
            defaults={
                "reader": reader,
                "plan": plan,
                "amount_cents": plan.price_cents,
                "currency": plan.currency,
                "gateway": gateway_name,
                "claimed_until": now + CHECKOUT_CLAIM,
            },
        )
        if created:
            return checkout
        if not checkout.is_for(plan) or checkout.gateway != gateway_name:
            # The key stands for what it was first used for; it cannot pay for anything else.
            raise CheckoutTokenUsed()
        if checkout.status != Checkout.OPEN:
            return checkout
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        if Checkout.objects.filter(free, pk=checkout.pk, status=Checkout.OPEN).update(
            claimed_until=now + CHECKOUT_CLAIM
        ):
            checkout.refresh_from_db()
            return checkout
        if time.monotonic() >= deadline:
            raise CheckoutInProgress()
        time.sleep(CHECKOUT_POLL_SECONDS)


def finished_checkout(checkout: Checkout) -> Subscription:
    """Answer a token whose checkout has ended as it ended, without calling the gateway."""
    if checkout.status == Checkout.PAID:
        return checkout.subscription
    if checkout.status == Checkout.DECLINED:
        raise CardDeclined(checkout.message or "Your card was declined.", checkout.decline_code or "card_declined")
    live = live_subscription(checkout.reader)
    if checkout.status == Checkout.GIVEN_BACK and live:
        raise AlreadySubscribed(live)
    raise CheckoutTokenUsed()


def close_checkout(checkout: Checkout, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(checkout, name, value)
    checkout.status, checkout.claimed_until = status, None
    checkout.save(update_fields=["status", "claimed_until", *fields])


def gateway_customer_ref(reader, gateway_name: str) -> str:
    """The reader's customer at the gateway, if any: the one renewals use, or one an earlier checkout made."""
    customer = GatewayCustomer.objects.filter(reader=reader, gateway=gateway_name).first()
    if customer:
        return customer.customer_ref
    earlier = Checkout.objects.filter(reader=reader, gateway=gateway_name).exclude(customer_ref="").order_by("-pk")
    return earlier.values_list("customer_ref", flat=True).first() or ""


def keep_card_for_checkout(checkout: Checkout, card: CardInput, gateway: Gateway) -> None:
    """Store the card at the gateway for this checkout (raises CardDeclined); renewals use it once it has paid."""
    reader = checkout.reader
    stored = gateway.store_card(
        customer_ref=gateway_customer_ref(reader, gateway.name) or None, email=reader.email, card=card
    )
    checkout.customer_ref, checkout.payment_method_ref = stored.customer_ref, stored.payment_method_ref
    checkout.card_brand, checkout.card_last4 = stored.brand, stored.last4
    checkout.save(update_fields=["customer_ref", "payment_method_ref", "card_brand", "card_last4"])


def pay_for_checkout(
    checkout: Checkout, card: CardInput, address: AddressInput | None, now: datetime.datetime, gateway: Gateway
) -> Subscription:
    """Charge a claimed checkout once and record it; the charge must be exactly the one asked for."""
    if not checkout.has_card:
        # A retry after a gateway failure charges the card kept the first time: the same key, the same request.
        keep_card_for_checkout(checkout, card, gateway)
    try:
        result = gateway.charge(
            customer_ref=checkout.customer_ref,
            payment_method_ref=checkout.payment_method_ref,
            amount_cents=checkout.amount_cents,
            currency=checkout.currency,
            idempotency_key=checkout.idempotency_key,
            # From the row alone, so a retry sends the very same request (a renamed plan would not).
            description=f"First period, checkout {checkout.pk}",
        )
    except IdempotencyKeyReused as error:
        close_checkout(checkout, Checkout.REFUSED, message=str(error)[:300])
        raise CheckoutTokenUsed() from None
    if not result.succeeded:
        message = result.message or "Your card was declined."
        close_checkout(
            checkout, Checkout.DECLINED, charge_ref=result.charge_ref, decline_code=result.decline_code, message=message
        )
        raise CardDeclined(message, result.decline_code)
    problem = result.differs_from(amount_cents=checkout.amount_cents, currency=checkout.currency)
    if problem:
        logger.error("Checkout %s was not recorded: %s", checkout.idempotency_key, problem)
        close_checkout(checkout, Checkout.REFUSED, charge_ref=result.charge_ref, message=problem[:300])
        raise ChargeNotConfirmed()
    return record_checkout(checkout, result, address, now, gateway)


def record_checkout(
    checkout: Checkout, result: ChargeResult, address: AddressInput | None, now: datetime.datetime, gateway: Gateway
) -> Subscription:
    """Start the subscription a checkout's charge paid for, and keep its card for renewals."""
    reader, plan, key = checkout.reader, checkout.plan, checkout.idempotency_key
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                reader=reader,
                plan=plan,
                gateway=gateway.name,
                started_at=now,
                current_period_start=now,
                current_period_end=plan.period_end(now),
            )
            payment = Payment.objects.create(
                subscription=subscription,
                period_start=now,
                period_end=subscription.current_period_end,
                amount_cents=checkout.amount_cents,
                currency=checkout.currency,
                status=Payment.SUCCEEDED,
                idempotency_key=key,
                gateway_charge_ref=result.charge_ref,
                created_at=now,
            )
            # The card renewals charge is the card this checkout charged.
            GatewayCustomer.objects.update_or_create(
                reader=reader,
                gateway=gateway.name,
                defaults={
                    "customer_ref": checkout.customer_ref,
                    "payment_method_ref": checkout.payment_method_ref,
                    "card_brand": checkout.card_brand,
                    "card_last4": checkout.card_last4,
                },
            )
            close_checkout(checkout, Checkout.PAID, charge_ref=result.charge_ref, subscription=subscription)
            if address:
                save_address(reader, address, now)
            record_event(subscription, "subscribed", "reader", plan=plan.slug)
            record_event(
                subscription,
                "payment_succeeded",
                f"gateway:{gateway.name}",
                amount=payment.amount,
                charge=result.charge_ref,
            )
            issue_receipt(payment)
            transaction.on_commit(lambda: emails.send_welcome.enqueue(subscription.pk))
    except IntegrityError:
        checkout.status, checkout.subscription = Checkout.OPEN, None  # the rolled-back save's values
        earlier = Payment.objects.filter(idempotency_key=key).first()
        if earlier:
            # A request with this token that outlived its claim recorded this same charge first.
            return earlier.subscription
        # Another checkout started a subscription meanwhile (one live per reader): give this money back.
        gateway.refund(charge_ref=result.charge_ref, amount_cents=checkout.amount_cents, idempotency_key=f"undo:{key}")
        close_checkout(checkout, Checkout.GIVEN_BACK, charge_ref=result.charge_ref)
        raise AlreadySubscribed(live_subscription(reader)) from None
    return subscription


# -- renewing ----------------------------------------------------------------------------------


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
    active_due = Subscription.objects.filter(status=Subscription.ACTIVE, current_period_end__lte=now)
    retry_due = Subscription.objects.filter(status=Subscription.PAST_DUE, next_retry_at__lte=now)
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
    subscription_id: int, *, now: datetime.datetime | None = None, gateway: Gateway | None = None
) -> str:
    """Charge one due subscription for its next period, at most once; returns what happened."""
    now = now or timezone.now()
    actor = "system:renewals"
    with transaction.atomic():
        subscription = locked_subscription(subscription_id)
        if not subscription.is_due(now):
            return "not_due"
        if subscription.cancel_at_period_end or subscription.complimentary:
            end_subscription(subscription, now, reason="period_over", actor=actor)
            return "ended"
        plan = subscription.renewal_plan
        period_start = subscription.current_period_end
        key = f"renewal:{subscription.pk}:{period_start:%Y%m%dT%H%M%S}:{subscription.failed_renewal_attempts}"
        payment, _ = Payment.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "subscription": subscription,
                "period_start": period_start,
                "period_end": plan.period_end(period_start),
                "amount_cents": plan.price_cents,
                "currency": plan.currency,
                "created_at": now,
            },
        )
        if payment.status != Payment.PENDING:
            return "already_recorded"
        customer = GatewayCustomer.objects.get(reader_id=subscription.reader_id, gateway=subscription.gateway)

    gateway = gateway or get_gateway(subscription.gateway)
    result = gateway.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=customer.payment_method_ref,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        idempotency_key=key,
        description=renewal_description(payment),
    )
    return record_renewal_result(subscription_id, payment.pk, plan.pk, result, now)


def renewal_description(payment: Payment) -> str:
    """The charge's description, from the payment alone: a charge sent again must be the same request."""
    return f"Renewal from {payment.period_start:%Y-%m-%d}"


class PeriodNoLongerOwed(Exception):
    """A renewal charge came back for a period its subscription no longer has."""


def record_renewal_result(subscription_id: int, payment_id: int, plan_id: int, result, now) -> str:
    """Write a renewal charge's result to the ledger, once; money for a period no longer owed goes back."""
    actor = "system:renewals"
    try:
        with transaction.atomic():
            subscription = locked_subscription(subscription_id)
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.status != Payment.PENDING:
                return "already_recorded"
            if not (subscription.is_live and payment.period_start == subscription.current_period_end):
                # Ended, refunded or moved on while the charge was in flight (or its worker crashed):
                # the period is no longer this subscription's to renew, and must not revive it.
                raise PeriodNoLongerOwed
            payment.gateway_charge_ref = result.charge_ref
            if result.succeeded:
                payment.status = Payment.SUCCEEDED
                payment.save(update_fields=["status", "gateway_charge_ref"])
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
                    ]
                )
                record_event(
                    subscription, "renewed", actor, amount=payment.amount, period_end=payment.period_end.isoformat()
                )
                issue_receipt(payment)
                return "renewed"

            payment.status = Payment.FAILED
            payment.failure_message = result.message[:300]
            payment.save(update_fields=["status", "gateway_charge_ref", "failure_message"])
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
            if attempts > len(RETRY_DAYS):
                subscription.save(update_fields=["failed_renewal_attempts"])
                end_subscription(subscription, now, reason="renewal_failed", actor=actor)
                transaction.on_commit(lambda: emails.send_ended_unpaid.enqueue(subscription_id))
                return "ended"
            subscription.status = Subscription.PAST_DUE
            subscription.next_retry_at = payment.period_start + datetime.timedelta(days=RETRY_DAYS[attempts - 1])
            subscription.save(update_fields=["status", "failed_renewal_attempts", "next_retry_at"])
            transaction.on_commit(lambda: emails.send_payment_failed.enqueue(subscription_id))
            return "failed"
    except PeriodNoLongerOwed:
        return void_renewal_payment(payment_id, result)


def renew_due_subscriptions(
    now: datetime.datetime | None = None, progress=None, shard: Shard | None = None
) -> dict[str, int]:
    """Renew every due subscription (or one shard of them) once; safe to run again, or beside another run.

    Shards let several workers renew side by side: each subscription is still locked and charged
    under its own key, so overlapping or repeated runs cannot charge twice.
    """
    now = now or timezone.now()
    outcomes: dict[str, int] = {}
    for subscription_id in due_subscription_ids(now, shard):
        try:
            outcome = renew_subscription(subscription_id, now=now)
        except GatewayError:
            # The payment stays pending and the next run charges it with the same key: still once.
            outcome = "gateway_error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if progress:
            progress(outcome)
    for payment_id in lost_renewal_payment_ids(shard):
        try:
            outcome = settle_lost_renewal(payment_id, now=now)
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


def settle_lost_renewal(payment_id: int, *, now: datetime.datetime, gateway: Gateway | None = None) -> str:
    """Learn what a crashed renewal charge did by sending it again with its key, then record it (and give it back)."""
    payment = Payment.objects.select_related("subscription").get(pk=payment_id)
    subscription = payment.subscription
    customer = GatewayCustomer.objects.get(reader_id=subscription.reader_id, gateway=subscription.gateway)
    gateway = gateway or get_gateway(subscription.gateway)
    # The same key returns the first attempt's result; had the worker died before charging, this
    # charges now, and the charge is given straight back below.
    result = gateway.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=customer.payment_method_ref,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        description=renewal_description(payment),
    )
    return record_renewal_result(subscription.pk, payment.pk, subscription.plan_id, result, now)


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
        if payment.status != Payment.PENDING:
            return "already_recorded"
        payment.status = Payment.SUCCEEDED if result.succeeded else Payment.FAILED
        payment.gateway_charge_ref = result.charge_ref
        payment.failure_message = result.message[:300]
        payment.save(update_fields=["status", "gateway_charge_ref", "failure_message"])
        if result.succeeded:
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


def send_renewal_reminders(now: datetime.datetime | None = None) -> int:
    """Email yearly subscribers whose renewal is 7 days away or less, once per period."""
    now = now or timezone.now()
    due = Subscription.objects.filter(
        status=Subscription.ACTIVE,
        cancel_at_period_end=False,
        complimentary=False,
        current_period_end__gt=now,
        current_period_end__lte=now + datetime.timedelta(days=7),
    )
    # A yearly renewal is one that charges a yearly plan: after a switch, the plan switched to.
    due = due.filter(Q(next_plan__isnull=True, plan__interval=Plan.YEARLY) | Q(next_plan__interval=Plan.YEARLY))
    due = due.exclude(reminder_sent_for=F("current_period_end"))
    sent = 0
    for subscription_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            subscription = locked_subscription(subscription_id)
            if subscription.reminder_sent_for == subscription.current_period_end:
                continue
            subscription.reminder_sent_for = subscription.current_period_end
            subscription.save(update_fields=["reminder_sent_for"])
            transaction.on_commit(lambda pk=subscription_id: emails.send_renewal_reminder.enqueue(pk))
            sent += 1
    return sent


# -- changing ----------------------------------------------------------------------------------


def do_cancel(
    subscription: Subscription,
    *,
    actor: str,
    reason: str = "",
    reason_text: str = "",
    now: datetime.datetime | None = None,
) -> Subscription:
    """Stop future charges; access lasts to the end of the paid period (a past-due one ends now)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        if not subscription.is_live or subscription.cancel_at_period_end:
            raise NotCancellable("This subscription is not renewing, so there is nothing to cancel.")
        subscription.canceled_at = now
        subscription.cancel_reason = reason
        subscription.cancel_reason_text = reason_text[:2000]
        if subscription.status == Subscription.PAST_DUE:
            subscription.save(update_fields=["canceled_at", "cancel_reason", "cancel_reason_text"])
            end_subscription(subscription, now, reason="canceled", actor=actor)
        else:
            subscription.cancel_at_period_end = True
            subscription.save(
                update_fields=["cancel_at_period_end", "canceled_at", "cancel_reason", "cancel_reason_text"]
            )
        record_event(subscription, "canceled", actor, reason=reason, text=reason_text[:2000])
        transaction.on_commit(lambda: emails.send_cancellation.enqueue(subscription.pk))
    return subscription


def do_resume(subscription: Subscription, *, actor: str, now: datetime.datetime | None = None) -> Subscription:
    """Undo a cancellation before the paid period ends."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        if not (subscription.status == Subscription.ACTIVE and subscription.cancel_at_period_end):
            raise BillingError("This subscription is not cancelled, so there is nothing to resume.")
        if subscription.current_period_end <= now:
            raise BillingError("This subscription has already ended; subscribe again to come back.")
        subscription.cancel_at_period_end = False
        subscription.canceled_at = None
        subscription.save(update_fields=["cancel_at_period_end", "canceled_at"])
        record_event(subscription, "resumed", actor)
    return subscription


def do_change_plan(
    subscription: Subscription,
    new_plan: Plan,
    *,
    actor: str,
    address: AddressInput | None = None,
    now: datetime.datetime | None = None,
) -> Subscription:
    """Switch interval or print at the next renewal; adding print needs an address now."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        if not subscription.is_live:
            raise BillingError("Only a live subscription can change plan.")
        has_address = subscription.reader.postal_addresses.exists()
        if new_plan.includes_print and address is None and not has_address:
            raise AddressRequired()
        if address is not None:
            save_address(subscription.reader, address, now)
        subscription.next_plan = None if new_plan.pk == subscription.plan_id else new_plan
        subscription.save(update_fields=["next_plan"])
        record_event(subscription, "plan_change_scheduled", actor, to=new_plan.slug)
    return subscription


def do_change_address(
    reader, address: AddressInput, *, actor: str, now: datetime.datetime | None = None
) -> PostalAddress:
    """A new address from now on: it reaches every issue whose close date has not passed."""
    now = now or timezone.now()
    with transaction.atomic():
        new_address = save_address(reader, address, now)
        subscription = live_subscription(reader)
        if subscription:
            record_event(subscription, "address_changed", actor, country=address.country)
    return new_address


# -- refunds -----------------------------------------------------------------------------------


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
    """Refund every payment of the first 60 days in full and end access at once; once per reader."""
    now = now or timezone.now()
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
            total = sum(refund.amount_cents for refund in refunds)
            record_event(
                subscription,
                "refunded_under_guarantee",
                actor,
                refunded_cents=total,
                refunds=[refund.pk for refund in refunds],
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
            transaction.on_commit(lambda: emails.send_refund_issued.enqueue(subscription.pk))
    return refund


# -- staff -------------------------------------------------------------------------------------


def do_grant_complimentary(
    reader,
    plan: Plan,
    *,
    until: datetime.datetime,
    staff,
    address: AddressInput | None = None,
    now: datetime.datetime | None = None,
) -> Subscription:
    """A free subscription until `until`; it is never charged and simply ends then."""
    now = now or timezone.now()
    if until <= now:
        raise BillingError("A complimentary subscription must end in the future.")
    if live_subscription(reader):
        raise AlreadySubscribed(live_subscription(reader))
    if plan.includes_print and address is None and not reader.postal_addresses.exists():
        raise AddressRequired()
    try:
        with transaction.atomic():
            if address:
                save_address(reader, address, now)
            subscription = Subscription.objects.create(
                reader=reader,
                plan=plan,
                gateway="none",
                complimentary=True,
                started_at=now,
                current_period_start=now,
                current_period_end=until,
            )
            record_event(
                subscription,
                "complimentary_granted",
                f"staff:{staff.email or staff.get_username()}",
                plan=plan.slug,
                until=until.isoformat(),
            )
    except IntegrityError:
        # A second click or a checkout started a live subscription meanwhile (one per reader).
        raise AlreadySubscribed(live_subscription(reader)) from None
    return subscription


def do_extend_period(subscription: Subscription, days: int, *, staff) -> Subscription:
    """Give a live subscription `days` more before its next renewal, free of charge."""
    if not 1 <= days <= 366:
        raise BillingError("Extend by between 1 and 366 days.")
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        if not subscription.is_live:
            raise BillingError("Only a live subscription can be extended.")
        fields = ["current_period_end"]
        if subscription.status == Subscription.PAST_DUE:
            # The unpaid days are forgiven: the extension counts from today.
            subscription.current_period_end = max(subscription.current_period_end, timezone.now())
            subscription.status = Subscription.ACTIVE
            subscription.next_retry_at = None
            subscription.failed_renewal_attempts = 0
            fields += ["status", "next_retry_at", "failed_renewal_attempts"]
        subscription.current_period_end += datetime.timedelta(days=days)
        subscription.save(update_fields=fields)
        record_event(
            subscription,
            "period_extended",
            f"staff:{staff.email or staff.get_username()}",
            days=days,
            period_end=subscription.current_period_end.isoformat(),
        )
    return subscription
