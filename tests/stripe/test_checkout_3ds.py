"""Checkout and renewals with Stripe.js and 3-D Secure, against localstripe, through the site's own pages.

Here the browser's part (Stripe.js confirming a SetupIntent or answering a PaymentIntent's 3-D
Secure dialog) is sent as Stripe.js sends it (tests/stripe/stripe_js.py); the browser tests drive
the real thing. Nothing is mocked: the SetupIntents, PaymentIntents and webhooks are localstripe's.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
import stripe
from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Checkout, GatewayCustomer, Payment, Subscription, WebhookEvent
from masthead.subscriptions.services import renew_subscription
from tests.billing.pages import committed, visible_text
from tests.stripe.conftest import VISA, WEBHOOK_SECRET
from tests.stripe.stripe_js import confirm_card_payment, confirm_card_setup

pytestmark = pytest.mark.django_db

ASKS_ALWAYS = "4000002760003184"  # localstripe asks for 3-D Secure at every confirmation of it
DECLINES_WHEN_CHARGED = "4000000000000341"
URL = "/subscribe/digital-monthly/"
NOT_CONFIRMED = (
    "Your bank did not confirm the payment, so your subscription has not started. "
    "Nothing was charged. You can try again, or use another card."
)


def token_of(page) -> str:
    return re.search(r'name="checkout_token" value="([^"]+)"', page.content.decode()).group(1)


def payment_secret_of(page) -> str:
    return re.search(r'data-payment-secret="([^"]+)"', page.content.decode()).group(1)


def set_up_card(client, localstripe_url, number: str, *, token: str | None = None, authenticate: bool = True):
    """Open the checkout page, and do what checkout.js does before the form is sent: returns the form's data."""
    token = token or token_of(client.get(URL))
    answer = client.post(f"{URL}card/", {"checkout_token": token})
    assert answer.status_code == 200, answer.content
    setup = confirm_card_setup(localstripe_url, answer.json()["client_secret"], number, authenticate=authenticate)
    assert setup.get("status") == "succeeded", setup
    return {"checkout_token": token, "setup_intent": setup["id"]}


def deliver(client, event_type: str, obj: dict):
    event = {"id": f"evt_{obj['id']}_{event_type}", "object": "event", "type": event_type, "data": {"object": obj}}
    body = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    return client.post("/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def test_the_checkout_page_draws_stripes_card_field_and_asks_us_for_no_card_number(reader_client, localstripe_url):
    page = reader_client.get(URL)

    html = page.content.decode()
    assert 'name="card_number"' not in html
    assert "data-card-element" in html and 'data-setup-url="/subscribe/digital-monthly/card/"' in html
    assert f'<script src="{localstripe_url}/js.stripe.com/v3/" defer></script>' in html
    assert 'data-stripe-key="pk_test_masthead"' in html
    assert localstripe_url in page["Content-Security-Policy"]


def test_a_card_set_up_by_stripe_js_pays_the_first_period_and_the_reader_is_subscribed(
    reader_client, reader, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, VISA)

    answer = reader_client.post(URL, form, follow=True)

    assert answer.redirect_chain[-1][0] == "/account/"
    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(answer)
    kept = GatewayCustomer.objects.get(reader=reader)
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.amount, intent.customer) == ("succeeded", 900, kept.customer_ref)
    setup = stripe_account.api.setup_intents.retrieve(form["setup_intent"])
    assert intent.payment_method == setup.payment_method == kept.payment_method_ref
    assert Subscription.objects.get(reader=reader).payments.get().gateway_charge_ref == intent.id


def test_the_bank_asks_about_the_first_payment_and_once_confirmed_the_reader_is_subscribed(
    reader_client, reader, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)

    waiting = reader_client.post(URL, form)

    assert waiting.status_code == 200
    assert "Your bank asks you to confirm this payment of $9.00." in visible_text(waiting)
    [intent] = stripe_account.payment_intents()
    assert intent.status == "requires_action"
    assert not Subscription.objects.filter(reader=reader).exists()
    confirm_card_payment(localstripe_url, payment_secret_of(waiting), authenticate=True)

    done = reader_client.post(f"{URL}confirm/", {"checkout_token": form["checkout_token"]}, follow=True)

    assert done.redirect_chain[-1][0] == "/account/"
    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(done)
    assert stripe_account.api.payment_intents.retrieve(intent.id).status == "succeeded"
    assert Subscription.objects.get(reader=reader).payments.get().gateway_charge_ref == intent.id
    assert entitlements_for(reader).digital


def test_a_failed_3d_secure_starts_nothing_cancels_the_payment_intent_and_says_so(
    reader_client, reader, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)
    waiting = reader_client.post(URL, form)
    confirm_card_payment(localstripe_url, payment_secret_of(waiting), authenticate=False)

    back = reader_client.post(f"{URL}confirm/", {"checkout_token": form["checkout_token"]})

    assert NOT_CONFIRMED in visible_text(back)
    assert token_of(back) != form["checkout_token"]  # the next try is a new checkout
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.latest_charge) == ("canceled", None)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert Checkout.objects.get().status == Checkout.DECLINED
    assert mail.outbox == []


def test_the_webhook_and_the_readers_page_record_a_confirmed_checkout_once_whichever_comes_first(
    client, reader_client, reader, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)
    waiting = reader_client.post(URL, form)
    confirm_card_payment(localstripe_url, payment_secret_of(waiting), authenticate=True)
    [intent] = stripe_account.payment_intents()

    with committed():  # so the welcome email goes as it would, once per commit that sends it
        assert deliver(client, "payment_intent.succeeded", stripe_account.as_json(intent)).status_code == 200
    subscription = Subscription.objects.get(reader=reader)
    with committed():
        done = reader_client.post(f"{URL}confirm/", {"checkout_token": form["checkout_token"]}, follow=True)
    with committed():
        charge = {"id": "ch_x", "object": "charge", "payment_intent": intent.id}
        assert deliver(client, "charge.succeeded", charge).status_code == 200

    assert "Status Active" in visible_text(done)
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert [email.subject.split(": ")[1] for email in mail.outbox].count("welcome, subscriber") == 1
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_pressing_pay_again_while_the_bank_waits_asks_about_the_same_payment_intent(
    reader_client, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)

    first = reader_client.post(URL, form)
    second = reader_client.post(URL, form)

    assert payment_secret_of(first) == payment_secret_of(second)
    assert len(stripe_account.payment_intents()) == 1


def test_someone_elses_setup_intent_buys_nothing(reader_client, reader, make_user, localstripe_url, stripe_account):
    bob_client = type(reader_client)()
    bob_client.force_login(make_user("bob"))
    bobs = set_up_card(bob_client, localstripe_url, VISA)
    ritas_token = token_of(reader_client.get(URL))
    reader_client.post(f"{URL}card/", {"checkout_token": ritas_token})  # Rita's own customer

    answer = reader_client.post(URL, {"checkout_token": ritas_token, "setup_intent": bobs["setup_intent"]})

    assert "That card could not be found; please enter it again." in visible_text(answer)
    assert stripe_account.payment_intents() == []
    assert not Subscription.objects.exists()


def test_a_card_that_declines_when_charged_says_so_beside_the_card_field(reader_client, reader, localstripe_url):
    form = set_up_card(reader_client, localstripe_url, DECLINES_WHEN_CHARGED)

    answer = reader_client.post(URL, form)

    html = answer.content.decode()
    assert re.search(r'id="card-errors" role="alert"[^>]*>Your card was declined\. Nothing was charged\.', html)
    assert not Subscription.objects.filter(reader=reader).exists()


def test_the_form_sent_without_stripe_js_charges_nothing_and_asks_for_the_card(reader_client, stripe_account):
    answer = reader_client.post(URL, {"checkout_token": token_of(reader_client.get(URL))})

    assert "Enter your card details in the card field." in visible_text(answer)
    assert stripe_account.payment_intents() == []


def test_the_card_setup_sends_an_incomplete_print_checkout_back_to_the_form(reader_client, stripe_account):
    answer = reader_client.post("/subscribe/digital-print-monthly/card/", {"checkout_token": "t"})

    assert answer.json() == {"submit": True}
    assert stripe_account.api.customers.list().data == []


def test_a_renewal_the_bank_holds_is_confirmed_from_the_emailed_link_once(
    client, reader_client, reader, localstripe_url, stripe_account
):
    waiting = reader_client.post(URL, set_up_card(reader_client, localstripe_url, ASKS_ALWAYS))
    confirm_card_payment(localstripe_url, payment_secret_of(waiting), authenticate=True)
    reader_client.post(f"{URL}confirm/", {"checkout_token": token_of(waiting)})
    subscription = Subscription.objects.get(reader=reader)
    mail.outbox.clear()

    with committed():
        assert renew_subscription(subscription.pk, now=subscription.current_period_end) == "failed"

    [email] = mail.outbox
    assert email.subject == "The Masthead Review: please confirm your payment with your bank"
    page = reader_client.get("/account/confirm-payment/")
    period = f"{subscription.current_period_end:%B %-d, %Y} to"
    assert f"Amount $9.00 For {period}" in visible_text(page)
    asked = reader_client.post("/account/confirm-payment/")
    secret = payment_secret_of(asked)
    renewal = Payment.objects.get(subscription=subscription, status=Payment.FAILED)
    assert secret.startswith(renewal.gateway_charge_ref + "_secret_")
    assert stripe_account.api.payment_intents.retrieve(renewal.gateway_charge_ref).status == "requires_action"

    confirm_card_payment(localstripe_url, secret, authenticate=True)
    intent = stripe_account.api.payment_intents.retrieve(renewal.gateway_charge_ref)
    deliver(client, "payment_intent.succeeded", stripe_account.as_json(intent))  # the webhook comes first
    done = reader_client.post("/account/confirm-payment/done/", {"payment": renewal.pk}, follow=True)

    assert "Thank you: your payment of $9.00 went through." in visible_text(done)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.current_period_start) == ("active", renewal.period_start)
    assert Payment.objects.filter(subscription=subscription, status=Payment.SUCCEEDED).count() == 2
    assert [intent.status for intent in stripe_account.payment_intents()] == ["succeeded", "succeeded"]


def test_a_renewal_whose_3d_secure_fails_charges_nothing_and_keeps_waiting_for_the_reader(
    reader_client, reader, localstripe_url, stripe_account
):
    waiting = reader_client.post(URL, set_up_card(reader_client, localstripe_url, ASKS_ALWAYS))
    confirm_card_payment(localstripe_url, payment_secret_of(waiting), authenticate=True)
    reader_client.post(f"{URL}confirm/", {"checkout_token": token_of(waiting)})
    subscription = Subscription.objects.get(reader=reader)
    with committed():
        renew_subscription(subscription.pk, now=subscription.current_period_end + datetime.timedelta(minutes=1))
    renewal = Payment.objects.get(subscription=subscription, status=Payment.FAILED)

    confirm_card_payment(
        localstripe_url, payment_secret_of(reader_client.post("/account/confirm-payment/")), authenticate=False
    )
    done = reader_client.post("/account/confirm-payment/done/", {"payment": renewal.pk})

    assert "Your bank did not confirm the payment, so nothing was charged." in visible_text(done)
    assert stripe_account.api.payment_intents.retrieve(renewal.gateway_charge_ref).latest_charge is None
    subscription.refresh_from_db()
    assert subscription.status == Subscription.PAST_DUE and subscription.awaits_authentication()
    assert entitlements_for(reader).digital
