"""A checkout token pays for the one purchase it was first used for; the ledger records only money held."""

from __future__ import annotations

from django.utils import timezone

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Payment, Refund, SandboxCharge, Subscription
from masthead.subscriptions.queries import print_subscriptions_active_at
from tests.billing.pages import (
    BROOKLYN_FORM,
    GOOD_CARD,
    address_fields,
    browser_for,
    card_fields,
    hidden_value,
    visible_text,
)

VISA = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
TOKEN_USED = "This payment form was already used for another payment, so nothing was charged now."


def money_at_the_gateway() -> int:
    """What the sandbox holds: every successful charge less what it gave back."""
    return sum(charge.amount_cents - charge.refunded_cents for charge in SandboxCharge.objects.filter(succeeded=True))


def money_in_the_ledger() -> int:
    paid = sum(Payment.objects.filter(status=Payment.SUCCEEDED).values_list("amount_cents", flat=True))
    return paid - sum(Refund.objects.values_list("amount_cents", flat=True))


def print_yearly_with(browser, token: str):
    """Post the Digital + Print yearly checkout as a browser would, with the given checkout token."""
    data = {**card_fields(GOOD_CARD, token), **address_fields(BROOKLYN_FORM)}
    return browser.post("/subscribe/digital-print-yearly/", data, follow=True)


def test_a_token_that_lost_a_checkout_race_buys_nothing_after_the_guarantee(at_once, reader):
    tabs = [browser_for(reader) for _ in range(4)]
    tokens = [hidden_value(tab.get("/subscribe/digital-monthly/"), "checkout_token") for tab in tabs]

    answers = at_once(
        *[
            lambda tab=tab, token=token: tab.post("/subscribe/digital-monthly/", card_fields(GOOD_CARD, token))
            for tab, token in zip(tabs, tokens, strict=True)
        ]
    )

    assert [answer.status_code for answer in answers] == [302] * 4
    subscription = Subscription.objects.get(reader=reader)
    winner = subscription.payments.get().idempotency_key
    charged = set(SandboxCharge.objects.filter(succeeded=True).values_list("idempotency_key", flat=True))
    given_back = [token for token in tokens if f"checkout:{reader.pk}:{token}" in charged - {winner}]
    assert given_back, "no second tab was charged; the race did not happen"
    assert money_at_the_gateway() == money_in_the_ledger() == 900

    refund = tabs[0].post("/account/refund/", follow=True)
    assert "Status Refunded under the money-back guarantee" in visible_text(refund)
    assert money_at_the_gateway() == money_in_the_ledger() == 0

    answer = print_yearly_with(tabs[0], given_back[0])

    assert TOKEN_USED in visible_text(answer)
    assert "Pay $150.00" in visible_text(answer)
    assert hidden_value(answer, "checkout_token") != given_back[0]
    assert not entitlements_for(reader).print
    assert not print_subscriptions_active_at(timezone.now()).filter(reader=reader).exists()
    assert money_at_the_gateway() == money_in_the_ledger() == 0


def test_the_gateway_refuses_a_checkout_key_it_charged_for_another_payment(reader):
    # A checkout made before the ledger kept checkouts: charged under its key, then given back.
    gateway = SandboxGateway()
    card = gateway.store_card(customer_ref=None, email=reader.email, card=VISA)
    old = gateway.charge(
        customer_ref=card.customer_ref,
        payment_method_ref=card.payment_method_ref,
        amount_cents=900,
        currency="USD",
        idempotency_key=f"checkout:{reader.pk}:old-form",
        description="Digital, monthly: first period",
    )
    gateway.refund(charge_ref=old.charge_ref, amount_cents=900, idempotency_key=f"undo:checkout:{reader.pk}:old-form")

    answer = print_yearly_with(browser_for(reader), "old-form")

    assert TOKEN_USED in visible_text(answer)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert not entitlements_for(reader).print
    assert money_at_the_gateway() == money_in_the_ledger() == 0


def test_the_same_token_for_the_same_plan_after_its_refund_buys_nothing(reader_client, reader):
    form = reader_client.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))
    reader_client.post("/subscribe/digital-monthly/", data, follow=True)
    reader_client.post("/account/refund/", follow=True)

    again = reader_client.post("/subscribe/digital-monthly/", data, follow=True)

    # The token's payment stands, refunded: the page that follows says so, and nothing new starts.
    text = visible_text(again)
    assert "Status Refunded under the money-back guarantee" in text
    assert "Welcome!" not in text
    assert "This payment was made before; your account shows what became of it." in text
    assert not entitlements_for(reader).digital
    assert money_at_the_gateway() == money_in_the_ledger() == 0
