"""The stripe gateway on its own: keeping a card, charging it off-session, refunding, failing cleanly."""

import pytest

from masthead.subscriptions.gateways import CardDeclined, CardInput, GatewayError, get_gateway
from masthead.subscriptions.gateways.stripe import StripeGateway
from tests.stripe.conftest import DECLINED, DECLINES_WHEN_CHARGED, card


def test_the_configured_gateway_is_stripe():
    assert get_gateway().name == "stripe"


def test_a_good_card_is_kept_for_off_session_charges_and_becomes_the_default(gateway, stripe_account):
    stored = gateway.store_card(customer_ref=None, email="rita@example.com", card=card())

    assert (stored.brand, stored.last4) == ("Visa", "4242")
    customer = stripe_account.api.customers.retrieve(stored.customer_ref)
    assert customer.email == "rita@example.com"
    assert customer.invoice_settings.default_payment_method == stored.payment_method_ref
    method = stripe_account.api.payment_methods.retrieve(stored.payment_method_ref)
    assert method.customer == stored.customer_ref


def test_a_second_card_joins_the_same_customer(gateway):
    first = gateway.store_card(customer_ref=None, email="rita@example.com", card=card())
    second = gateway.store_card(customer_ref=first.customer_ref, email="rita@example.com", card=card())

    assert second.customer_ref == first.customer_ref
    assert second.payment_method_ref != first.payment_method_ref


def test_a_declined_card_is_refused_when_stored(gateway):
    with pytest.raises(CardDeclined) as declined:
        gateway.store_card(customer_ref=None, email="rita@example.com", card=card(DECLINED))

    assert declined.value.code == "card_declined"
    assert declined.value.message == "Your card was declined."


def test_an_impossible_expiry_is_refused_as_invalid_card_details(gateway):
    with pytest.raises(CardDeclined) as declined:
        gateway.store_card(
            customer_ref=None,
            email="rita@example.com",
            card=CardInput(number="4242424242424242", exp_month=12, exp_year=2010, cvc="123"),
        )

    assert declined.value.message == "Those card details are not valid."


def test_a_charge_takes_the_money_and_a_refund_gives_it_back(gateway, stripe_account):
    stored = gateway.store_card(customer_ref=None, email="rita@example.com", card=card())

    result = gateway.charge(
        customer_ref=stored.customer_ref,
        payment_method_ref=stored.payment_method_ref,
        amount_cents=900,
        currency="USD",
        idempotency_key="test:charge",
        description="Digital, monthly: first period",
    )
    refund_ref = gateway.refund(charge_ref=result.charge_ref, amount_cents=400, idempotency_key="test:refund")

    assert result.succeeded and result.charge_ref.startswith("pi_")
    [intent] = stripe_account.payment_intents(stored.customer_ref)
    assert (intent.id, intent.status, intent.amount, intent.currency) == (result.charge_ref, "succeeded", 900, "usd")
    assert intent.metadata.idempotency_key == "test:charge"
    [refund] = stripe_account.refunds(intent.id)
    assert (refund.id, refund.amount) == (refund_ref, 400)


def test_a_card_that_fails_when_charged_gives_a_declined_result_not_an_exception(gateway, stripe_account):
    stored = gateway.store_card(customer_ref=None, email="rita@example.com", card=card(DECLINES_WHEN_CHARGED))

    result = gateway.charge(
        customer_ref=stored.customer_ref,
        payment_method_ref=stored.payment_method_ref,
        amount_cents=900,
        currency="USD",
        idempotency_key="test:declined",
        description="renewal",
    )

    assert not result.succeeded
    assert (result.decline_code, result.message) == ("card_declined", "Your card was declined.")
    [intent] = stripe_account.payment_intents(stored.customer_ref)
    assert result.charge_ref == intent.id
    assert intent.status == "requires_payment_method"


def test_an_unreachable_stripe_is_a_gateway_error():
    unreachable = StripeGateway(api_base="http://127.0.0.1:9", max_network_retries=0)

    with pytest.raises(GatewayError, match="could not be reached"):
        unreachable.store_card(customer_ref=None, email="rita@example.com", card=card())
    with pytest.raises(GatewayError):
        unreachable.refund(charge_ref="pi_missing", amount_cents=100, idempotency_key="test:unreachable")


def test_raw_card_numbers_are_refused_with_a_live_key():
    live = StripeGateway(api_key="sk_live_not_a_real_key", api_base="http://127.0.0.1:9")

    with pytest.raises(GatewayError, match="Stripe.js"):
        live.store_card(customer_ref=None, email="rita@example.com", card=card())


def test_raw_card_numbers_whose_bank_wants_3d_secure_are_refused_since_only_stripe_js_can_ask(gateway):
    with pytest.raises(CardDeclined) as declined:
        gateway.store_card(customer_ref=None, email="rita@example.com", card=card("4000002500003155"))

    assert declined.value.code == "authentication_required"
