"""What the money-back guarantee answers when the gateway refuses, and when the reader sends it twice."""

from __future__ import annotations

import datetime

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Payment, Refund, SandboxCharge, Subscription
from tests.billing.pages import START, visible_text

PERIOD_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)


def refunded_at_the_gateway() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("refunded_cents", flat=True))


def test_a_guarantee_refund_the_gateway_refuses_returns_to_the_account_page_and_changes_nothing(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(PERIOD_END)
    run_renewals()
    clock.move_to(START + datetime.timedelta(days=45))
    first, renewal = Payment.objects.filter(subscription__reader=subscriber).order_by("created_at")
    # Support gave the first payment back by hand at the gateway, which the ledger has not heard of.
    SandboxGateway().refund(charge_ref=first.gateway_charge_ref, amount_cents=900, idempotency_key="by-hand:1")

    response = subscriber_client.post("/account/refund/", follow=True)

    assert response.redirect_chain[-1][0] == "/account/"
    text = visible_text(response)
    assert "Your refund could not be made just now. The refund is larger than what is left of the charge." in text
    assert "Your subscription is unchanged; please try again later or write to us." in text
    assert "Status Active" in text
    assert entitlements_for(subscriber).digital
    assert Subscription.objects.get(reader=subscriber).guarantee_claimed_at is None
    # The renewal's refund went through and is recorded under its key; asking again repeats nothing
    # that was done, and is refused again for what the gateway will not do.
    assert list(Refund.objects.values_list("payment_id", "amount_cents", "idempotency_key")) == [
        (renewal.pk, 900, f"guarantee:{renewal.pk}")
    ]
    assert refunded_at_the_gateway() == [900, 900]

    again = subscriber_client.post("/account/refund/", follow=True)

    assert "Your refund could not be made just now." in visible_text(again)
    assert Refund.objects.count() == 1
    assert refunded_at_the_gateway() == [900, 900]


def test_sending_the_refund_again_returns_to_the_account_page_showing_the_refund(subscriber_client, subscriber):
    subscriber_client.post("/account/refund/", follow=True)

    again = subscriber_client.post("/account/refund/", follow=True)

    assert again.status_code == 200
    assert again.redirect_chain == [("/account/", 302)]
    text = visible_text(again)
    assert "Your refund under the money-back guarantee has been made." in text
    assert "Status Refunded under the money-back guarantee" in text
    assert "(refunded $9.00)" in text
    assert refunded_at_the_gateway() == [900]
    assert Refund.objects.count() == 1
