"""An idempotency key stands for one charge: the gateway refuses it for another; a charge is checked."""

from __future__ import annotations

import pytest

from masthead.subscriptions.gateways import CardInput, ChargeResult, IdempotencyKeyReused
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import SandboxCharge

VISA = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")


def test_the_sandbox_refuses_a_key_used_again_with_another_amount(db):
    gateway = SandboxGateway()
    card = gateway.store_card(customer_ref=None, email="rita@example.com", card=VISA)
    first = dict(customer_ref=card.customer_ref, payment_method_ref=card.payment_method_ref, currency="USD")
    charge = gateway.charge(**first, amount_cents=900, idempotency_key="k1", description="first")

    assert gateway.charge(**first, amount_cents=900, idempotency_key="k1", description="again") == charge
    with pytest.raises(IdempotencyKeyReused):
        gateway.charge(**first, amount_cents=15000, idempotency_key="k1", description="another plan")
    with pytest.raises(IdempotencyKeyReused):
        gateway.charge(**{**first, "currency": "EUR"}, amount_cents=900, idempotency_key="k1", description="euros")
    assert SandboxCharge.objects.get().amount_cents == 900


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (ChargeResult(True, "ch_1", amount_cents=900, currency="usd"), ""),
        (ChargeResult(True, "ch_1", amount_cents=900, currency="USD", refunded_cents=900), "has been refunded"),
        (ChargeResult(True, "ch_1", amount_cents=15000, currency="USD"), "is 15000 USD, not 900 USD"),
        (ChargeResult(True, "ch_1", amount_cents=900, currency="EUR"), "is 900 EUR, not 900 USD"),
        (ChargeResult(False, "ch_1", amount_cents=900, currency="USD"), "did not succeed"),
    ],
)
def test_a_charge_stands_for_a_payment_only_when_it_took_that_money_and_kept_it(result, problem):
    found = result.differs_from(amount_cents=900, currency="USD")

    assert (problem in found) if problem else found == ""
