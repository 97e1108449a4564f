"""Charges the reader's bank wants the reader to confirm (3-D Secure) after the page that made them has gone.

A renewal is charged off-session; when the bank wants the reader, the payment fails with
AUTHENTICATION_REQUIRED (`renewals.record_renewal_result`) and waits for them: dunning does not
charge it again blindly, access continues through the retry window, and the reader is emailed a
link to /account/confirm-payment/. That page shows what is owed and for which period, has the
gateway make the charge ready (`begin_renewal_authentication`), lets the bank ask the reader
(Stripe.js in the page, or the sandbox's bank page), then records the bank's answer
(`complete_renewal_authentication`).

The news that a waiting charge was confirmed also comes from the gateway: Stripe's
payment_intent webhooks, and the sandbox's bank page as it answers. `settle_authenticated_charge`
takes it for a checkout or a renewal alike; whichever comes first records the payment, and the
ledger's keys and locks make every later one find it recorded.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from masthead.subscriptions.gateways import CardDeclined, ChargeResult, Gateway, get_gateway
from masthead.subscriptions.models import Checkout, GatewayCustomer, Payment, Subscription
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services import renewals
from masthead.subscriptions.services.checkout import settle_checkout
from masthead.subscriptions.services.errors import AuthenticationRequired, BillingError, CheckoutInProgress
from masthead.subscriptions.services.ledger import record_event

logger = logging.getLogger(__name__)


def payment_awaiting_authentication(reader) -> Payment | None:
    """The renewal the reader's bank wants them to confirm: the latest attempt at their due period, if it waits."""
    subscription = live_subscription(reader)
    if subscription is None or subscription.status != Subscription.PAST_DUE:
        return None
    latest = (
        subscription.payments.select_related("subscription__plan", "subscription__next_plan")
        .filter(period_start=subscription.current_period_end)
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.awaits_authentication else None


def begin_renewal_authentication(
    payment: Payment, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> str:
    """Make a waiting renewal charge ready for the reader to confirm now; raises AuthenticationRequired with its secret.

    A charge that no longer waits (confirmed meanwhile, declined outright) is recorded as it
    stands instead, and the outcome returned (see `record_bank_answer`).
    """
    subscription = payment.subscription
    gateway = gateway or get_gateway(subscription.gateway)
    card = payment.payment_method_ref
    if not card:
        customer = GatewayCustomer.objects.filter(reader_id=subscription.reader_id, gateway=gateway.name).first()
        card = customer.payment_method_ref if customer else ""
    result = gateway.prepare_authentication(charge_ref=payment.gateway_charge_ref, payment_method_ref=card)
    if result.requires_action:
        raise AuthenticationRequired(charge_ref=payment.gateway_charge_ref, action_secret=result.action_secret)
    return record_bank_answer(payment, result, now=now, actor="reader")


def complete_renewal_authentication(
    payment_id: int, *, gateway: Gateway | None = None, now: datetime.datetime | None = None, actor: str = "reader"
) -> str:
    """Record what the reader's bank said about a renewal charge it wanted confirmed; safe to call again.

    Returns "renewed" (or "voided": confirmed for a period the subscription no longer has, and
    given back), "waiting" (not answered yet), "not_confirmed", or "already_recorded".
    """
    payment = Payment.objects.select_related("subscription").get(pk=payment_id)
    if not payment.awaits_authentication:
        return "already_recorded"
    gateway = gateway or get_gateway(payment.subscription.gateway)
    result = gateway.payment_status(charge_ref=payment.gateway_charge_ref)
    return record_bank_answer(payment, result, now=now, actor=actor)


def record_bank_answer(
    payment: Payment, result: ChargeResult, *, now: datetime.datetime | None = None, actor: str
) -> str:
    """Write the bank's answer about a waiting renewal charge: a confirmed one renews the subscription, once."""
    now = now or timezone.now()
    if result.requires_action:
        return "waiting"
    subscription = payment.subscription
    if result.succeeded:
        # The plan it renews to is the one it would renew to now, as for a renewal recorded late.
        plan_id = subscription.next_plan_id or subscription.plan_id
        return renewals.record_renewal_result(subscription.pk, payment.pk, plan_id, result, now)
    # Not confirmed, or declined once confirmed: no money moved. The payment keeps waiting for the
    # reader, who may try again (or change card) until dunning's last day ends the subscription.
    record_event(
        subscription,
        "authentication_not_completed",
        actor,
        payment=payment.pk,
        amount=payment.amount,
        decline=result.decline_code,
    )
    return "not_confirmed"


def withdraw_waiting_charge(
    subscription_id: int, *, now: datetime.datetime, gateway: Gateway | None = None, asked_for: bool = False
) -> str | None:
    """Withdraw a renewal charge still waiting for the reader's bank before the renewals move on without it.

    When dunning's last day comes (the subscription ends) or a retry is asked for early (a new
    card, staff), the waiting charge is cancelled at the gateway first, so it can never take money
    afterwards. If the reader confirmed it meanwhile and the news was lost on the way, it is
    recorded instead and returned ("renewed"); None when there was nothing to withdraw, or it is
    withdrawn and the renewal goes on.
    """
    subscription = Subscription.objects.get(pk=subscription_id)
    if not (subscription.status == Subscription.PAST_DUE and (asked_for or subscription.is_due(now))):
        return None
    latest = (
        subscription.payments.filter(period_start=subscription.current_period_end)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or not latest.awaits_authentication or not latest.gateway_charge_ref:
        return None
    gateway = gateway or get_gateway(subscription.gateway)
    result = gateway.cancel_charge(charge_ref=latest.gateway_charge_ref)
    if result.succeeded:
        return record_bank_answer(latest, result, now=now, actor="system:renewals")
    return None


def settle_authenticated_charge(
    gateway_name: str,
    charge_ref: str,
    *,
    key: str = "",
    gateway: Gateway | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """Take the gateway's news about a charge that waited for the reader's bank; returns what the ledger did.

    A checkout waiting on it is settled (`checkout.settle_checkout`), a renewal waiting on it is
    completed (`complete_renewal_authentication`); anything else is not waiting, and left alone.
    `key` (the idempotency key a Stripe intent carries in its metadata) finds a checkout whose
    charge id the ledger never heard.
    """
    checkouts = Checkout.objects.filter(gateway=gateway_name, status=Checkout.AUTHENTICATING)
    checkout = checkouts.filter(charge_ref=charge_ref).select_related("reader", "plan").first()
    if checkout is None and key.startswith("checkout:"):
        checkout = checkouts.filter(idempotency_key=key).select_related("reader", "plan").first()
    if checkout is not None:
        try:
            settle_checkout(checkout, gateway=gateway, now=now)
        except (AuthenticationRequired, CheckoutInProgress):
            return "waiting"  # still at the bank, or confirmed and still processing: the next news settles it
        except CardDeclined:
            return "not_confirmed"
        except BillingError as refused:
            logger.warning("Checkout %s was confirmed but not recorded: %s", checkout.pk, refused)
            return "refused"
        return "subscribed"
    payment = Payment.objects.select_related("subscription").filter(gateway_charge_ref=charge_ref).first()
    if payment is None or not payment.awaits_authentication:
        return "nothing_waiting"
    gateway = gateway or get_gateway(gateway_name)
    result = gateway.payment_status(charge_ref=charge_ref)
    if not result.succeeded:
        # The reader's page says what became of it, and logs it; the payment keeps waiting for them.
        return "waiting" if result.requires_action else "not_confirmed"
    return record_bank_answer(payment, result, now=now, actor=f"gateway:{gateway_name}")
