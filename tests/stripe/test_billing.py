"""Buying, renewing and the money-back guarantee through the stripe gateway, checked on Stripe's side."""

import datetime
import socket

import pytest
from django.utils import timezone

from masthead.subscriptions.gateways import CardDeclined, GatewayError
from masthead.subscriptions.gateways.stripe import StripeGateway
from masthead.subscriptions.models import GatewayCustomer, Payment, Subscription
from masthead.subscriptions.services import (
    do_refund_under_guarantee,
    renew_due_subscriptions,
    renew_subscription,
    store_card,
)
from tests.stripe.conftest import DECLINED, DECLINES_WHEN_CHARGED, card

pytestmark = pytest.mark.django_db


def customer_ref(reader) -> str:
    return GatewayCustomer.objects.get(reader=reader, gateway="stripe").customer_ref


def test_a_reader_pays_by_card_at_checkout_and_is_subscribed(reader_client, reader, stripe_account):
    response = reader_client.post(
        "/subscribe/digital-monthly/",
        {"checkout_token": "tok-1", "card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"},
    )

    assert response.status_code == 302 and response.url == "/account/"
    subscription = Subscription.objects.get(reader=reader)
    assert (subscription.status, subscription.gateway) == ("active", "stripe")
    [intent] = stripe_account.payment_intents(customer_ref(reader))
    assert (intent.status, intent.amount) == ("succeeded", 900)
    assert subscription.payments.get().gateway_charge_ref == intent.id


def test_a_card_declined_at_checkout_shows_why_and_makes_no_subscription(reader_client, reader, stripe_account):
    response = reader_client.post(
        "/subscribe/digital-monthly/",
        {"checkout_token": "tok-1", "card_number": DECLINED, "expiry": "12/34", "cvc": "123"},
    )

    assert response.status_code == 200
    assert "Your card was declined." in response.content.decode()
    assert not Subscription.objects.filter(reader=reader).exists()
    assert stripe_account.payment_intents() == []


def test_second_click_on_pay_makes_one_subscription_and_one_payment_intent(subscribe, reader, stripe_account):
    first = subscribe(reader, token="same-checkout")
    second = subscribe(reader, token="same-checkout")

    assert second == first
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert len(stripe_account.payment_intents(customer_ref(reader))) == 1


def test_a_declined_card_gets_no_subscription_and_no_charge(subscribe, reader, stripe_account):
    with pytest.raises(CardDeclined):
        subscribe(reader, number=DECLINED)

    assert not Subscription.objects.exists()
    assert stripe_account.payment_intents() == []


def test_a_renewal_charges_off_session_once_per_period(subscribe, reader, stripe_account):
    started = timezone.now() - datetime.timedelta(days=31)
    subscription = subscribe(reader, now=started)
    due = subscription.current_period_end + datetime.timedelta(hours=1)

    assert renew_subscription(subscription.pk, now=due) == "renewed"
    assert renew_subscription(subscription.pk, now=due) == "not_due"
    assert renew_due_subscriptions(now=due) == {}

    intents = stripe_account.payment_intents(customer_ref(reader))
    assert sorted((intent.status, intent.amount) for intent in intents) == [("succeeded", 900)] * 2
    renewal = Payment.objects.get(subscription=subscription, period_start=subscription.current_period_end)
    assert renewal.status == Payment.SUCCEEDED
    assert renewal.gateway_charge_ref in {intent.id for intent in intents}
    subscription.refresh_from_db()
    assert subscription.current_period_start == renewal.period_start


def test_a_renewal_cut_off_by_a_network_failure_charges_once_when_run_again(subscribe, reader, stripe_account):
    subscription = subscribe(reader, now=timezone.now() - datetime.timedelta(days=31))
    due = subscription.current_period_end + datetime.timedelta(hours=1)
    unreachable = StripeGateway(api_base="http://127.0.0.1:9", max_network_retries=0)

    with pytest.raises(GatewayError):
        renew_subscription(subscription.pk, now=due, gateway=unreachable)
    assert renew_subscription(subscription.pk, now=due) == "renewed"

    assert len(stripe_account.payment_intents(customer_ref(reader))) == 2
    assert subscription.payments.filter(status=Payment.SUCCEEDED).count() == 2


def test_a_card_that_declines_at_renewal_makes_the_subscription_past_due(subscribe, reader, gateway, stripe_account):
    subscription = subscribe(reader, now=timezone.now() - datetime.timedelta(days=31))
    # Rita replaces her card with one her bank will refuse.
    store_card(reader, card(DECLINES_WHEN_CHARGED), gateway)
    due = subscription.current_period_end + datetime.timedelta(hours=1)

    assert renew_subscription(subscription.pk, now=due) == "failed"

    subscription.refresh_from_db()
    assert subscription.status == Subscription.PAST_DUE
    assert subscription.grants_access(due)
    failed = subscription.payments.get(status=Payment.FAILED)
    assert failed.failure_message == "Your card was declined."
    declined = [i for i in stripe_account.payment_intents(customer_ref(reader)) if i.status != "succeeded"]
    assert [intent.id for intent in declined] == [failed.gateway_charge_ref]


def test_the_guarantee_refunds_every_payment_in_full_at_stripe(subscribe, reader, stripe_account):
    subscription = subscribe(reader, now=timezone.now() - datetime.timedelta(days=40))
    renew_subscription(subscription.pk, now=timezone.now())

    refunds = do_refund_under_guarantee(subscription, actor="reader")

    assert len(refunds) == 2
    subscription.refresh_from_db()
    assert subscription.status == Subscription.REFUNDED
    for payment in subscription.payments.all():
        [refund] = stripe_account.refunds(payment.gateway_charge_ref)
        assert refund.amount == payment.amount_cents == 900
        assert payment.refunds.get().gateway_refund_ref == refund.id
    # Asking again refunds nothing more.
    do_refund_under_guarantee(subscription, actor="reader")
    assert sum(len(stripe_account.refunds(p.gateway_charge_ref)) for p in subscription.payments.all()) == 2


def test_a_stripe_outage_leaves_the_renewal_pending_and_the_next_run_charges_once(
    subscribe, reader, settings, stripe_account
):
    subscription = subscribe(reader, now=timezone.now() - datetime.timedelta(days=31))
    due = subscription.current_period_end + datetime.timedelta(hours=1)
    working_api = settings.STRIPE_API_BASE

    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    assert renew_due_subscriptions(now=due) == {"gateway_error": 1}
    assert subscription.payments.get(status=Payment.PENDING)
    settings.STRIPE_API_BASE = working_api
    assert renew_due_subscriptions(now=due) == {"renewed": 1}

    assert len(stripe_account.payment_intents()) == 2
    assert not subscription.payments.filter(status=Payment.PENDING).exists()


def test_when_stripe_cannot_be_reached_checkout_says_so_keeps_the_form_and_a_retry_charges_once(
    reader_client, reader, stripe_account, stripe_settings, localstripe_url
):
    form = {"checkout_token": "tok-retry", "card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
    with socket.socket() as closed:  # a port nothing listens on: a real connection refused
        closed.bind(("127.0.0.1", 0))
        stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed.getsockname()[1]}"
        response = reader_client.post("/subscribe/digital-monthly/", form)

    assert response.status_code == 200
    assert "could not reach the payment service" in response.content.decode()
    assert 'value="tok-retry"' in response.content.decode()
    assert not Subscription.objects.filter(reader=reader).exists()

    stripe_settings.STRIPE_API_BASE = localstripe_url
    response = reader_client.post("/subscribe/digital-monthly/", form)
    assert response.status_code == 302
    assert len(stripe_account.payment_intents(customer_ref(reader))) == 1
