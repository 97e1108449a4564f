"""Gifts paid through the Stripe gateway, against localstripe (tests/stripe/conftest.py), through the gift pages."""

from __future__ import annotations

import datetime
import re

import pytest

from masthead.gifts import tasks
from masthead.gifts.models import Gift
from tests.billing.pages import committed, visible_text
from tests.gifts.conftest import emails_to, gift_fields
from tests.stripe import conftest as stripe_conftest
from tests.stripe.conftest import VISA
from tests.stripe.stripe_js import confirm_card_payment, confirm_card_setup

pytestmark = pytest.mark.django_db
localstripe_url = stripe_conftest.localstripe_url
stripe_settings = stripe_conftest.stripe_settings
stripe_account = stripe_conftest.stripe_account

ASKS_ALWAYS = "4000002760003184"


def token_of(page) -> str:
    return re.search(r'name="checkout_token" value="([^"]+)"', page.content.decode()).group(1)


def set_up_card(client, localstripe_url, number: str) -> dict:
    """What checkout.js does before the gift form is sent: a SetupIntent from us, confirmed by Stripe.js."""
    page = client.get("/gifts/")
    assert 'data-setup-url="/gifts/card/"' in page.content.decode()
    form = {**gift_fields(), "checkout_token": token_of(page)}
    answer = client.post("/gifts/card/", form)
    setup = confirm_card_setup(localstripe_url, answer.json()["client_secret"], number)
    assert setup.get("status") == "succeeded", setup
    return {**form, "setup_intent": setup["id"]}


def test_a_gift_paid_with_stripe_js_charges_once_and_is_refunded_at_stripe(
    reader_client, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, VISA)

    done = reader_client.post("/gifts/", form, follow=True)

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.amount) == ("succeeded", 5400)
    gift = Gift.objects.get()
    assert gift.charge_ref == intent.id and len(emails_to("gwen@example.com")) == 1

    reader_client.post(f"/gifts/{gift.pk}/refund/")

    [refund] = stripe_account.refunds(intent.id)
    assert (refund.amount, refund.status) == (5400, "succeeded")
    assert Gift.objects.get().state == "refunded"


def test_when_the_bank_asks_stripe_js_confirms_in_the_page_and_the_gift_is_bought(
    reader_client, localstripe_url, stripe_account
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)

    waiting = reader_client.post("/gifts/", form)

    assert "Your bank asks you to confirm this payment of $54.00." in visible_text(waiting)
    secret = re.search(r'data-payment-secret="([^"]+)"', waiting.content.decode()).group(1)
    confirm_card_payment(localstripe_url, secret, authenticate=True)
    done = reader_client.post("/gifts/confirm/", {"gift_token": form["checkout_token"]}, follow=True)

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    [intent] = stripe_account.payment_intents()
    assert intent.status == "succeeded" and Gift.objects.get().payment_status == Gift.PAID


def test_a_giver_without_an_account_pays_with_a_card_number_through_the_stripe_gateway(anonymous, stripe_account):
    page = anonymous.get("/gifts/")
    data = {**gift_fields(months=12), "giver_email": "gus@example.com", "checkout_token": token_of(page)}
    data.update({"card_number": VISA, "expiry": "12/34", "cvc": "123"})

    done = anonymous.post("/gifts/", data, follow=True)

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    [intent] = stripe_account.payment_intents()
    assert intent.amount == 9000 and Gift.objects.get().giver.email == "gus@example.com"


def test_a_gift_whose_giver_never_confirmed_is_withdrawn_at_stripe_after_a_day(
    reader_client, localstripe_url, stripe_account, clock
):
    form = set_up_card(reader_client, localstripe_url, ASKS_ALWAYS)
    assert "Your bank asks you to confirm" in visible_text(reader_client.post("/gifts/", form))  # and the tab closes

    clock.shift(datetime.timedelta(hours=25))
    with committed():
        result = tasks.deliver_due_gifts.enqueue().return_value

    assert result["payments_abandoned"] == 1
    [intent] = stripe_account.payment_intents()
    assert intent.status == "canceled"
    assert Gift.objects.get().state == "abandoned at the bank"
    assert "Abandoned at the bank: not bought, nothing was charged" in visible_text(reader_client.get("/account/"))
