"""What every workflow of the ledger shares: the event log, row locks, addresses, stored cards, receipts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    CardInput,
    Gateway,
)
from masthead.subscriptions.models import (
    GatewayCustomer,
    Payment,
    PostalAddress,
    Receipt,
    Subscription,
    SubscriptionEvent,
)


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


def open_complimentary_subscription(
    reader, plan, *, now: datetime.datetime, until: datetime.datetime, actor: str, **detail
) -> Subscription:
    """A subscription nobody pays for, from now until `until` (a staff grant, a claimed gift); never renewed.

    Its `complimentary_granted` event is what the circulation dashboard counts as a complimentary start.
    """
    subscription = Subscription.objects.create(
        reader=reader,
        plan=plan,
        gateway="none",
        complimentary=True,
        started_at=now,
        current_period_start=now,
        current_period_end=until,
    )
    record_event(subscription, "complimentary_granted", actor, plan=plan.slug, until=until.isoformat(), **detail)
    return subscription


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
    return keep_card_for_renewals(
        reader,
        gateway.name,
        customer_ref=stored.customer_ref,
        payment_method_ref=stored.payment_method_ref,
        brand=stored.brand,
        last4=stored.last4,
    )


def keep_card_for_renewals(
    reader, gateway_name: str, *, customer_ref: str, payment_method_ref: str, brand: str, last4: str
) -> GatewayCustomer:
    """Make this the card the reader's renewals charge (and /account/ shows)."""
    customer, _ = GatewayCustomer.objects.update_or_create(
        reader=reader,
        gateway=gateway_name,
        defaults={
            "customer_ref": customer_ref,
            "payment_method_ref": payment_method_ref,
            "card_brand": brand,
            "card_last4": last4,
        },
    )
    return customer


def issue_receipt(payment: Payment) -> Receipt:
    receipt = Receipt.objects.create(payment=payment)
    transaction.on_commit(lambda: emails.send_receipt.enqueue(receipt.pk))
    return receipt
