"""Stripe's webhooks: verified by signature, stored once per event id, then handled by re-reading the gateway.

An event only says "look at this PaymentIntent again": the handler fetches its current state and
brings the ledger up to date (a renewal left pending by a crash is settled; a refund made at the
gateway gets its ledger row; a checkout or renewal that waited for the reader's bank is recorded
once the bank has confirmed it, here or by the reader's page, whichever comes first). Reading
the state rather than the event makes order and duplicates irrelevant. Events about anything
else are stored and acknowledged.

The Stripe library (some 8 MB) is imported by the functions that use it, so the web processes of a
site that never gets a webhook do not carry it (tests/test_web_process_imports.py).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from masthead.subscriptions.gateways import ChargeResult, GatewayError
from masthead.subscriptions.models import Payment, WebhookEvent
from masthead.subscriptions.services import (
    record_gateway_refund,
    record_renewal_result,
    settle_authenticated_charge,
    void_renewal_payment,
)

if TYPE_CHECKING:
    from masthead.subscriptions.gateways.stripe import StripeGateway

GATEWAY = "stripe"
# What refund_payment's idempotency keys start with, so a refund the webhook records first keeps its reason.
REFUND_REASONS = {"guarantee": "guarantee", "staff-refund": "staff", "not-owed": "not_owed", "void": "void"}
SETTLED_INTENT_STATUSES = ("succeeded", "requires_payment_method", "requires_action", "canceled")

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature proves the sender instead.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store, then handle one event; a replay of a handled event is acknowledged and ignored."""
    import stripe

    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        log.warning("Refused a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Bad signature or payload.")
    stored = store_event(event.id, event.type, json.loads(request.body))
    if stored.processed_at is None:
        try:
            process_event(stored.pk)
        except GatewayError:
            # Stored but not handled: Stripe delivers again later and the handler runs then.
            log.warning("Stripe event %s could not be handled yet", event.id, exc_info=True)
            return HttpResponse(status=503)
    return HttpResponse(status=200)


def store_event(event_id: str, event_type: str, payload: dict) -> WebhookEvent:
    """The event's row, created on first delivery; later deliveries get the same row back."""
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                gateway=GATEWAY, event_id=event_id, event_type=event_type, payload=payload
            )
    except IntegrityError:
        return WebhookEvent.objects.get(gateway=GATEWAY, event_id=event_id)


def process_event(webhook_event_id: int, gateway: StripeGateway | None = None) -> str:
    """Handle a stored event (safe to repeat) and mark it processed; returns what happened."""
    from masthead.subscriptions.gateways.stripe import StripeGateway

    row = WebhookEvent.objects.get(pk=webhook_event_id)
    gateway = gateway or StripeGateway()
    intent_ref = payment_intent_ref(row.payload.get("data", {}).get("object", {}), gateway)
    outcome = sync_payment_intent(intent_ref, gateway) if intent_ref else "ignored"
    WebhookEvent.objects.filter(pk=row.pk, processed_at__isnull=True).update(processed_at=timezone.now())
    return outcome


def payment_intent_ref(obj: dict, gateway: StripeGateway) -> str:
    """The PaymentIntent an event's object belongs to, or "" for objects the ledger does not follow."""
    kind = obj.get("object")
    if kind == "payment_intent":
        return obj.get("id", "")
    if kind in ("charge", "refund"):
        if obj.get("payment_intent"):
            return obj["payment_intent"]
        if kind == "refund" and obj.get("charge"):
            return gateway.charge_object(obj["charge"]).payment_intent or ""
    return ""


def sync_payment_intent(intent_ref: str, gateway: StripeGateway) -> str:
    """Bring the ledger in line with a PaymentIntent's current state at the gateway."""
    from masthead.subscriptions.gateways.stripe import charge_result, metadata_key

    intent = gateway.payment_intent(intent_ref)
    payment = ledger_payment_for(intent)
    outcome = "confirmed"
    if payment is None or payment.awaits_authentication:
        # A checkout's first payment or a renewal the reader's bank held for them; the same call as
        # the reader's page makes once the bank has answered, so whichever comes first records it.
        outcome = settle_authenticated_charge(GATEWAY, intent.id, key=metadata_key(intent), gateway=gateway)
        if payment is None:
            # "nothing_waiting": e.g. a charge made at the dashboard, which reconciliation reports.
            return outcome
    elif payment.status == Payment.PENDING and intent.status in SETTLED_INTENT_STATUSES:
        outcome = settle_pending_payment(payment, charge_result(intent), gateway)
    recorded = record_gateway_refunds(payment, gateway.refunds_of(intent))
    return f"{outcome}, {recorded} refunds recorded" if recorded else outcome


def ledger_payment_for(intent) -> Payment | None:
    """The ledger's payment for a PaymentIntent: by its id, else by the idempotency key in its metadata."""
    from masthead.subscriptions.gateways.stripe import metadata_key

    payment = Payment.objects.filter(gateway_charge_ref=intent.id).select_related("subscription").first()
    key = metadata_key(intent)
    if payment is None and key:
        payment = Payment.objects.filter(idempotency_key=key).select_related("subscription").first()
    return payment


def settle_pending_payment(payment: Payment, result: ChargeResult, gateway: StripeGateway) -> str:
    """Finish a renewal whose charge happened but whose result never reached the ledger."""
    subscription = payment.subscription
    if subscription.is_live and payment.period_start == subscription.current_period_end:
        plan_id = subscription.next_plan_id or subscription.plan_id
        return record_renewal_result(subscription.pk, payment.pk, plan_id, result, timezone.now())
    # The subscription moved on meanwhile (ended, refunded, extended): the money that moved paid for
    # no period the reader gets, so it is given back and recorded, as a crashed renewal's is.
    return void_renewal_payment(payment.pk, result, gateway)


def record_gateway_refunds(payment: Payment, refunds) -> int:
    """Give every refund the gateway made on this payment a ledger row; returns how many were new."""
    from masthead.subscriptions.gateways.stripe import metadata_key

    new = 0
    for refund in refunds:
        if refund.status in ("failed", "canceled"):
            continue
        key = metadata_key(refund) or f"stripe-refund:{refund.id}"
        new += record_gateway_refund(
            payment,
            refund_ref=refund.id,
            amount_cents=refund.amount,
            key=key,
            reason=REFUND_REASONS.get(key.split(":")[0], "gateway"),
            actor=f"gateway:{GATEWAY}",
        )
    return new
