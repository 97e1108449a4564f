"""A reader's own changes: cancel, resume, switch plan, move the print address, change the card."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    CardDeclined,
    CardInput,
    CardSetup,
    Gateway,
    GatewayError,
    StoredCard,
    get_gateway,
)
from masthead.subscriptions.models import (
    GatewayCustomer,
    Plan,
    PostalAddress,
    Subscription,
)
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.dunning import retry_now
from masthead.subscriptions.services.errors import AddressRequired, BillingError, NoCardToChange, NotCancellable
from masthead.subscriptions.services.ledger import AddressInput, locked_subscription, record_event, save_address
from masthead.subscriptions.services.renewals import end_subscription

SETUP_REF = re.compile(r"seti_[A-Za-z0-9_]{1,100}")

CANCEL_REASONS = [
    ("too_expensive", "It costs too much"),
    ("not_reading", "I don't read it enough"),
    ("content", "I don't like the coverage"),
    ("switching", "I'm switching to another publication"),
    ("technical", "Something didn't work"),
    ("other", "Another reason"),
]


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
        transaction.on_commit(lambda: emails.send_cancellation.enqueue(subscription.pk, now.isoformat()))
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


@dataclass(frozen=True)
class CardChange:
    """What changing the card did: the card now kept, and the retry it set off ("" when none was due)."""

    subscription: Subscription
    brand: str
    last4: str
    changed: bool
    retry: str = ""


def card_subscription(reader) -> Subscription:
    """The subscription whose renewals a new card would pay (raises NoCardToChange)."""
    subscription = live_subscription(reader)
    if subscription is None or subscription.complimentary:
        raise NoCardToChange()
    if not GatewayCustomer.objects.filter(reader=reader, gateway=subscription.gateway).exists():
        raise NoCardToChange()
    return subscription


def do_change_card(
    reader, card: CardInput, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> CardChange:
    """Keep a card typed into our own form (the sandbox's test cards) for renewals; raises CardDeclined."""
    subscription = card_subscription(reader)
    gateway = gateway or get_gateway(subscription.gateway)
    customer = GatewayCustomer.objects.get(reader=reader, gateway=gateway.name)
    stored = gateway.store_card(customer_ref=customer.customer_ref, email=reader.email, card=card)
    return keep_new_card(subscription, stored, actor="reader", gateway=gateway, now=now)


def start_card_change(reader, *, gateway: Gateway | None = None) -> CardSetup:
    """Open a card setup at the gateway for the reader's browser to confirm (Stripe.js, 3-D Secure if asked)."""
    subscription = card_subscription(reader)
    gateway = gateway or get_gateway(subscription.gateway)
    customer = GatewayCustomer.objects.get(reader=reader, gateway=gateway.name)
    return gateway.start_card_setup(customer_ref=customer.customer_ref, reader_ref=str(reader.pk))


def finish_card_change(
    reader, setup_ref: str, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> CardChange:
    """Keep the card of a setup the reader's browser confirmed, once the gateway says it is theirs and succeeded."""
    subscription = card_subscription(reader)
    if not SETUP_REF.fullmatch(setup_ref or ""):
        raise CardDeclined("That card could not be found; please enter it again.", "setup_unknown")
    gateway = gateway or get_gateway(subscription.gateway)
    customer = GatewayCustomer.objects.get(reader=reader, gateway=gateway.name)
    stored = gateway.finish_card_setup(customer_ref=customer.customer_ref, setup_ref=setup_ref)
    return keep_new_card(subscription, stored, actor="reader", gateway=gateway, now=now)


def keep_new_card(
    subscription: Subscription,
    stored: StoredCard,
    *,
    actor: str,
    gateway: Gateway | None = None,
    now: datetime.datetime | None = None,
) -> CardChange:
    """Make a stored card the one renewals charge; a past-due subscription is retried on it at once.

    The same card kept twice (a form sent again) changes nothing and retries nothing. The retry is
    the subscription's next one, made now through the renewals service under its usual key.
    """
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        customer = GatewayCustomer.objects.select_for_update().get(
            reader_id=subscription.reader_id, gateway=subscription.gateway
        )
        if customer.payment_method_ref == stored.payment_method_ref:
            return CardChange(subscription, customer.card_brand, customer.card_last4, changed=False)
        customer.customer_ref = stored.customer_ref
        customer.payment_method_ref = stored.payment_method_ref
        customer.card_brand, customer.card_last4 = stored.brand, stored.last4
        customer.save(update_fields=["customer_ref", "payment_method_ref", "card_brand", "card_last4"])
        record_event(subscription, "card_changed", actor, brand=stored.brand, last4=stored.last4)
        past_due, attempt = subscription.status == Subscription.PAST_DUE, subscription.failed_renewal_attempts
    retry = ""
    if past_due:
        try:
            retry = retry_now(subscription.pk, actor=actor, attempt=attempt, on_new_card=True, now=now, gateway=gateway)
        except GatewayError:
            retry = "gateway_error"  # the payment stays pending; the next renewal run charges it, once
        subscription.refresh_from_db()
    return CardChange(subscription, stored.brand, stored.last4, changed=True, retry=retry)
