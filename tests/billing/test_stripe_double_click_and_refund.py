"""The double click and the refused refund again, through the stripe gateway against localstripe."""

from __future__ import annotations

import socket

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import GatewayCustomer, Refund, Subscription
from tests.billing.pages import GOOD_CARD, browser_for, card_fields, hidden_value, pay, visible_text
from tests.stripe import conftest as localstripe

# localstripe's fixtures, here too: a server for the session, emptied and configured before each test.
localstripe_url = localstripe.localstripe_url
stripe_settings = localstripe.stripe_settings
stripe_account = localstripe.stripe_account


def test_a_double_clicked_checkout_makes_one_customer_one_card_and_one_payment_intent(at_once, reader, stripe_account):
    first_click, second_click = browser_for(reader), browser_for(reader)
    form = first_click.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))

    answers = at_once(
        lambda: first_click.post("/subscribe/digital-monthly/", data),
        lambda: second_click.post("/subscribe/digital-monthly/", data),
    )

    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, "/account/")] * 2
    assert Subscription.objects.filter(reader=reader).count() == 1
    # localstripe ignores idempotency keys, so every request that reached it would show here.
    [intent] = stripe_account.payment_intents()
    kept = GatewayCustomer.objects.get(reader=reader)
    assert (intent.status, intent.amount) == ("succeeded", 900)
    assert (intent.customer, intent.payment_method) == (kept.customer_ref, kept.payment_method_ref)
    assert [customer.id for customer in stripe_account.api.customers.list().auto_paging_iter()] == [kept.customer_ref]


def test_a_guarantee_refund_while_stripe_is_unreachable_changes_nothing_and_a_retry_refunds_once(
    reader_client, reader, stripe_settings, localstripe_url, stripe_account
):
    pay(reader_client, "digital-monthly")
    intent = Subscription.objects.get(reader=reader).payments.get().gateway_charge_ref

    with socket.socket() as closed:  # a port nothing listens on: a real connection refused
        closed.bind(("127.0.0.1", 0))
        stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed.getsockname()[1]}"
        refused = reader_client.post("/account/refund/", follow=True)

    assert refused.redirect_chain[-1][0] == "/account/"
    text = visible_text(refused)
    assert "Your refund could not be made just now. We could not reach the payment service." in text
    assert "Status Active" in text
    assert entitlements_for(reader).digital
    assert not Refund.objects.exists()

    stripe_settings.STRIPE_API_BASE = localstripe_url
    done = reader_client.post("/account/refund/", follow=True)

    assert "Status Refunded under the money-back guarantee" in visible_text(done)
    assert [(refund.amount, refund.metadata["idempotency_key"]) for refund in stripe_account.refunds(intent)] == [
        (900, Refund.objects.get().idempotency_key)
    ]
