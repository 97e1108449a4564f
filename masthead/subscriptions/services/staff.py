"""What circulation staff do for a reader: complimentary subscriptions and extended periods."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.subscriptions.models import (
    Plan,
    Subscription,
)
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.errors import AddressRequired, AlreadySubscribed, BillingError
from masthead.subscriptions.services.ledger import (
    AddressInput,
    locked_subscription,
    open_complimentary_subscription,
    record_event,
    save_address,
)


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
            subscription = open_complimentary_subscription(
                reader, plan, now=now, until=until, actor=f"staff:{staff.email or staff.get_username()}"
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
        if subscription.on_trial:
            # A longer trial: its first charge, reminder and guarantee move with its end.
            subscription.trial_ends_at = subscription.current_period_end
            fields.append("trial_ends_at")
        subscription.save(update_fields=fields)
        record_event(
            subscription,
            "period_extended",
            f"staff:{staff.email or staff.get_username()}",
            days=days,
            period_end=subscription.current_period_end.isoformat(),
        )
    return subscription
