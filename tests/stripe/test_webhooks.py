"""Stripe's webhooks at /webhooks/stripe/: verified, stored once, handled whatever order they come in."""

import datetime
import http.server
import itertools
import json
import queue
import threading

import pytest
import stripe
from django.utils import timezone

from masthead.subscriptions.models import Payment, Refund, Subscription, WebhookEvent
from masthead.subscriptions.reconcile import reconcile
from masthead.subscriptions.services import do_refund_under_guarantee, renew_subscription
from tests.stripe.conftest import WEBHOOK_SECRET, localstripe_request

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.stripe.urls")]

event_ids = itertools.count(1)


def stripe_event(event_type: str, obj: dict) -> dict:
    """An event as Stripe sends it, carrying a snapshot of the object it is about."""
    return {
        "id": f"evt_test_{next(event_ids)}",
        "object": "event",
        "type": event_type,
        "created": int(timezone.now().timestamp()),
        "data": {"object": obj},
    }


def deliver(client, event: dict | bytes, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    if signature is None:
        signature = stripe.WebhookSignature.generate_signature_header(body.decode(), secret)
    return client.post("/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


class CrashAfterCharge(Exception):
    """The renewal worker died after Stripe took the money and before the ledger heard of it."""


class DiesAfterCharging:
    name = "stripe"

    def __init__(self, gateway):
        self.gateway = gateway

    def charge(self, **kwargs):
        self.gateway.charge(**kwargs)
        raise CrashAfterCharge


@pytest.fixture
def paid_subscription(subscribe, reader):
    """Rita subscribed a month ago and paid by card."""
    return subscribe(reader, now=timezone.now() - datetime.timedelta(days=31))


def refunded_charge_event(stripe_account, intent_ref: str, amount: int) -> dict:
    """A refund made at the Stripe dashboard, and the charge.refunded event that follows."""
    stripe_account.api.refunds.create(params={"payment_intent": intent_ref, "amount": amount})
    intent = stripe_account.api.payment_intents.retrieve(intent_ref)
    charge = stripe_account.api.charges.retrieve(intent.latest_charge.id)
    return stripe_event("charge.refunded", stripe_account.as_json(charge))


def test_a_signed_event_is_stored_and_handled(client, paid_subscription, stripe_account):
    payment = paid_subscription.payments.get()
    event = refunded_charge_event(stripe_account, payment.gateway_charge_ref, 300)

    response = deliver(client, event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert (stored.gateway, stored.event_id, stored.event_type) == ("stripe", event["id"], "charge.refunded")
    assert stored.processed_at is not None
    refund = payment.refunds.get()
    assert (refund.amount_cents, refund.reason) == (300, "gateway")
    assert paid_subscription.events.filter(kind="refund_recorded", actor="gateway:stripe").count() == 1


def test_a_replayed_event_is_acknowledged_and_changes_nothing(client, paid_subscription, stripe_account):
    event = refunded_charge_event(stripe_account, paid_subscription.payments.get().gateway_charge_ref, 300)

    responses = [deliver(client, event), deliver(client, event)]

    assert [response.status_code for response in responses] == [200, 200]
    assert WebhookEvent.objects.count() == 1
    assert Refund.objects.count() == 1
    assert paid_subscription.events.filter(kind="refund_recorded").count() == 1


def test_a_refund_masthead_made_is_not_recorded_twice_by_its_webhook(client, paid_subscription, stripe_account):
    from masthead.subscriptions.services import refund_payment

    payment = paid_subscription.payments.get()
    refund_payment(payment, 900, reason="guarantee", key=f"guarantee:{payment.pk}")
    intent = stripe_account.api.payment_intents.retrieve(payment.gateway_charge_ref)
    charge = stripe_account.api.charges.retrieve(intent.latest_charge.id)

    assert deliver(client, stripe_event("charge.refunded", stripe_account.as_json(charge))).status_code == 200
    assert payment.refunds.get().reason == "guarantee"


@pytest.mark.parametrize(
    "header", [None, "t=1700000000,v1=0000", "not a signature"], ids=["signed with another secret", "forged", "junk"]
)
def test_an_event_without_a_valid_signature_is_refused_and_not_stored(client, paid_subscription, header):
    event = stripe_event("payment_intent.succeeded", {"object": "payment_intent", "id": "pi_forged"})

    response = deliver(client, event, secret="whsec_someone_else", signature=header)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_event_without_a_signature_header_is_refused(client, db):
    response = client.post("/webhooks/stripe/", data=b"{}", content_type="application/json")

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_webhook_only_accepts_post(client, db):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_events_of_other_kinds_are_stored_and_acknowledged(client, db):
    event = stripe_event("customer.created", {"object": "customer", "id": "cus_somebody"})

    assert deliver(client, event).status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=lambda order: "".join(map(str, order)))
def test_events_in_any_order_leave_the_ledger_as_stripe_has_it(
    client, paid_subscription, gateway, stripe_account, order
):
    due = paid_subscription.current_period_end + datetime.timedelta(hours=1)
    with pytest.raises(CrashAfterCharge):
        renew_subscription(paid_subscription.pk, now=due, gateway=DiesAfterCharging(gateway))
    pending = paid_subscription.payments.get(status=Payment.PENDING)
    [intent] = [i for i in stripe_account.payment_intents() if i.metadata.idempotency_key == pending.idempotency_key]
    snapshot = stripe_account.as_json(intent)
    stale = {**snapshot, "status": "requires_payment_method"}  # an older failed attempt, delivered late
    events = [
        stripe_event("payment_intent.payment_failed", stale),
        stripe_event("payment_intent.succeeded", snapshot),
        refunded_charge_event(stripe_account, intent.id, 200),
    ]

    for index in order:
        assert deliver(client, events[index]).status_code == 200

    pending.refresh_from_db()
    assert (pending.status, pending.gateway_charge_ref) == (Payment.SUCCEEDED, intent.id)
    assert [refund.amount_cents for refund in pending.refunds.all()] == [200]
    paid_subscription.refresh_from_db()
    assert paid_subscription.status == Subscription.ACTIVE
    assert paid_subscription.current_period_start == pending.period_start
    assert paid_subscription.events.filter(kind="renewed").count() == 1
    # The renewal run that comes next finds nothing left to charge.
    assert renew_subscription(paid_subscription.pk, now=due) == "not_due"
    assert len(stripe_account.payment_intents()) == 2


def test_a_renewal_charge_that_surfaces_after_the_guarantee_refund_is_given_back(
    client, paid_subscription, gateway, stripe_account
):
    due = paid_subscription.current_period_end + datetime.timedelta(hours=1)
    with pytest.raises(CrashAfterCharge):
        renew_subscription(paid_subscription.pk, now=due, gateway=DiesAfterCharging(gateway))
    do_refund_under_guarantee(paid_subscription, actor="reader", now=due)
    late = paid_subscription.payments.get(status=Payment.PENDING)
    [intent] = [i for i in stripe_account.payment_intents() if i.metadata.idempotency_key == late.idempotency_key]

    assert deliver(client, stripe_event("payment_intent.succeeded", stripe_account.as_json(intent))).status_code == 200

    late.refresh_from_db()
    assert late.status == Payment.SUCCEEDED
    [refund] = stripe_account.refunds(intent.id)
    assert refund.amount == late.amount_cents == 900
    assert late.refunds.get().gateway_refund_ref == refund.id
    paid_subscription.refresh_from_db()
    assert paid_subscription.status == Subscription.REFUNDED
    assert reconcile("stripe") == []


@pytest.fixture
def webhook_receiver(localstripe_url):
    """A small HTTP endpoint localstripe delivers its signed webhooks to; yields the deliveries."""
    deliveries = queue.Queue()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            deliveries.put((self.headers["Stripe-Signature"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def register(url: str, events: list[str]) -> None:
        body = {"url": url, "secret": WEBHOOK_SECRET, "events": events}
        localstripe_request(localstripe_url, "POST", "/_config/webhooks/masthead", body)

    register(f"http://127.0.0.1:{server.server_port}/", ["payment_intent.succeeded"])
    yield deliveries
    register("http://127.0.0.1:9/", ["masthead.nothing"])  # localstripe keeps hooks for its lifetime
    server.shutdown()
    server.server_close()


def test_a_webhook_signed_by_localstripe_itself_is_verified_and_handled(client, subscribe, reader, webhook_receiver):
    subscription = subscribe(reader)
    intent_ref = subscription.payments.get().gateway_charge_ref

    # localstripe waits a second before sending; skip what earlier tests' charges set off.
    signature, body = webhook_receiver.get(timeout=10)
    while json.loads(body)["data"]["object"]["id"] != intent_ref:
        signature, body = webhook_receiver.get(timeout=10)
    response = deliver(client, body, signature=signature)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.event_type == "payment_intent.succeeded"
    assert stored.payload["data"]["object"]["id"] == intent_ref
    assert stored.processed_at is not None
