"""Subscriptions brought over from another platform: their period, the card already on file, their address.

A migrated subscription starts in the middle of a period someone else charged for: it is written as
it stands (no charge now), with the gateway customer and default card the old platform used, so the
next renewal charges that card off-session as if it had always been ours. Each one logs an
`imported` event naming the old record; importing the same record again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.subscriptions.models import GatewayCustomer, Plan, Subscription, SubscriptionEvent, add_months
from masthead.subscriptions.services.errors import AddressRequired, AlreadySubscribed, BillingError
from masthead.subscriptions.services.ledger import AddressInput, keep_card_for_renewals, record_event, save_address

IMPORTED = "imported"
ACTOR = "system:import"


class MigrationRefused(BillingError):
    """The old record cannot become a subscription as it stands; the message says why."""


@dataclass(frozen=True)
class MigratedSubscription:
    """A subscription as the old platform had it: what was bought, until when, and where the card is."""

    source_key: str  # names the old record ("ghost-member:5f3…", "csv:ann@example.com") in the event log
    plan: Plan
    current_period_end: datetime.datetime
    current_period_start: datetime.datetime | None = None
    started_at: datetime.datetime | None = None
    gateway: str = ""  # "stripe" (or "sandbox" in tests); unused when complimentary
    customer_ref: str = ""
    payment_method_ref: str = ""
    card_brand: str = ""
    card_last4: str = ""
    complimentary: bool = False
    cancel_at_period_end: bool = False  # cancelled but paid up: access until the end, never charged
    address: AddressInput | None = None

    def period_start(self) -> datetime.datetime:
        if self.current_period_start is not None:
            return self.current_period_start
        months = 12 if self.plan.interval == Plan.YEARLY else 1
        return add_months(self.current_period_end, -months)


def check_migrated(migrated: MigratedSubscription, now: datetime.datetime) -> None:
    """Refuse a record that cannot become a working subscription (MigrationRefused, AddressRequired)."""
    if migrated.current_period_end <= now and (migrated.complimentary or migrated.cancel_at_period_end):
        raise MigrationRefused(
            f"its paid-up period ended on {migrated.current_period_end:%Y-%m-%d}; nothing to carry over"
        )
    if migrated.period_start() >= migrated.current_period_end:
        raise MigrationRefused("its period starts after it ends")
    renews = not (migrated.complimentary or migrated.cancel_at_period_end)
    if renews and not (migrated.gateway and migrated.customer_ref and migrated.payment_method_ref):
        raise MigrationRefused(
            "a paying subscription needs its gateway customer id and default payment method id, "
            "or its renewal could not charge the card on file"
        )


def import_subscription(
    reader, migrated: MigratedSubscription, *, now: datetime.datetime | None = None
) -> tuple[Subscription, str]:
    """Create the reader's migrated subscription once; returns it and "created" or "unchanged".

    Raises MigrationRefused, AddressRequired, or AlreadySubscribed when the reader already has a
    live subscription of another origin (a checkout here), which is left as it is.
    """
    now = now or timezone.now()
    previous = imported_subscription(reader, migrated.source_key)
    if previous is not None:
        return previous, "unchanged"
    check_migrated(migrated, now)
    needs_address = migrated.plan.includes_print and migrated.address is None
    if needs_address and not reader.postal_addresses.exists():
        raise AddressRequired()
    renews = not (migrated.complimentary or migrated.cancel_at_period_end)
    gateway = migrated.gateway if migrated.gateway and not migrated.complimentary else "none"
    try:
        with transaction.atomic():
            live = (
                Subscription.objects.select_for_update()
                .filter(reader=reader, status__in=Subscription.LIVE_STATUSES)
                .first()
            )
            if live is not None:
                raise AlreadySubscribed(live)
            if migrated.gateway and migrated.customer_ref:
                keep_card_on_file(reader, migrated)
            if migrated.address is not None and not same_address(reader, migrated.address):
                save_address(reader, migrated.address, now)
            period_start = migrated.period_start()
            subscription = Subscription.objects.create(
                reader=reader,
                plan=migrated.plan,
                status=Subscription.ACTIVE,
                gateway=gateway,
                complimentary=migrated.complimentary,
                started_at=migrated.started_at or period_start,
                current_period_start=period_start,
                current_period_end=migrated.current_period_end,
                cancel_at_period_end=migrated.cancel_at_period_end,
                canceled_at=now if migrated.cancel_at_period_end else None,
                cancel_reason="imported" if migrated.cancel_at_period_end else "",
            )
            record_event(
                subscription,
                IMPORTED,
                ACTOR,
                source=migrated.source_key,
                plan=migrated.plan.slug,
                period_end=migrated.current_period_end.isoformat(),
                renews=renews,
                gateway=gateway,
                customer=migrated.customer_ref,
            )
    except IntegrityError:
        # Another run or a checkout started a live subscription for this reader meanwhile.
        previous = imported_subscription(reader, migrated.source_key)
        if previous is not None:
            return previous, "unchanged"
        raise AlreadySubscribed(Subscription.objects.filter(reader=reader).order_by("-pk").first()) from None
    return subscription, "created"


def imported_subscription(reader, source_key: str) -> Subscription | None:
    """The subscription an earlier import made of this old record, whatever has become of it since."""
    event = (
        SubscriptionEvent.objects.filter(kind=IMPORTED, subscription__reader=reader, detail__source=source_key)
        .select_related("subscription")
        .first()
    )
    return event.subscription if event else None


def keep_card_on_file(reader, migrated: MigratedSubscription) -> GatewayCustomer:
    """Remember the reader's customer and default card at the gateway, as checkout would have."""
    customer = GatewayCustomer.objects.filter(reader=reader, gateway=migrated.gateway).first()
    if customer is not None and customer.customer_ref != migrated.customer_ref:
        raise MigrationRefused(
            f"the reader is already customer {customer.customer_ref} at {migrated.gateway}, not {migrated.customer_ref}"
        )
    return keep_card_for_renewals(
        reader,
        migrated.gateway,
        customer_ref=migrated.customer_ref,
        payment_method_ref=migrated.payment_method_ref,
        brand=migrated.card_brand[:20],
        last4=migrated.card_last4[-4:],
    )


def same_address(reader, address: AddressInput) -> bool:
    latest = reader.postal_addresses.first()
    if latest is None:
        return False
    return all(getattr(latest, field) == value for field, value in address.__dict__.items())
