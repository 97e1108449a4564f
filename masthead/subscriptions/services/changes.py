"""A reader's own changes: cancel, resume, switch plan, move the print address."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.models import (
    Plan,
    PostalAddress,
    Subscription,
)
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.errors import AddressRequired, BillingError, NotCancellable
from masthead.subscriptions.services.ledger import AddressInput, locked_subscription, record_event, save_address
from masthead.subscriptions.services.renewals import end_subscription

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
