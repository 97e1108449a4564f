"""A reader changes the card renewals charge from /account/ (sandbox gateway: our own test-card form).

A past-due subscription is retried at once on the new card, through the renewals service and under
its usual key, so a form sent twice still charges once.
"""

from __future__ import annotations

import datetime

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import GatewayCustomer, Payment, SandboxCharge, SandboxPaymentMethod, Subscription
from masthead.subscriptions.services import do_grant_complimentary, store_card
from tests.billing.pages import DECLINED_CARD, DECLINES_WHEN_CHARGED, visible_text

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
MASTERCARD = "5555 5555 5555 4444"
CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123")


def new_card(number: str = MASTERCARD) -> dict[str, str]:
    return {"card_number": number, "expiry": "12/34", "cvc": "123"}


def successful_charges() -> list[tuple[int, str]]:
    rows = SandboxCharge.objects.filter(succeeded=True).order_by("pk")
    return [(row.amount_cents, SandboxPaymentMethod.objects.get(ref=row.payment_method_ref).last4) for row in rows]


def past_due(subscriber, clock, run_renewals) -> Subscription:
    """Sam's card starts declining and the renewal on April 10 fails: past due, retry on April 11."""
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(MONTH_END)
    assert run_renewals() == {"failed": 1}
    mail.outbox.clear()
    return Subscription.objects.get(reader=subscriber)


def test_the_account_page_links_to_changing_the_card(subscriber_client):
    page = subscriber_client.get("/account/")

    assert "Card Visa ending 4242 · Change card" in visible_text(page)
    assert 'href="/account/card/"' in page.content.decode()


def test_a_subscriber_changes_their_card_and_the_next_renewal_charges_it(
    subscriber_client, subscriber, clock, run_renewals
):
    response = subscriber_client.post("/account/card/", new_card(), follow=True)

    text = visible_text(response)
    assert "Your Mastercard card ending 4444 is saved: we will charge it from your next renewal." in text
    assert "Card Mastercard ending 4444" in text
    clock.move_to(MONTH_END)
    assert run_renewals() == {"renewed": 1}
    assert successful_charges() == [(900, "4242"), (900, "4444")]
    events = Subscription.objects.get(reader=subscriber).events.filter(kind="card_changed")
    assert [(event.actor, event.detail["last4"]) for event in events] == [("reader", "4444")]


def test_a_declined_card_is_not_kept(subscriber_client, subscriber):
    response = subscriber_client.post("/account/card/", new_card(DECLINED_CARD))

    assert response.status_code == 200
    assert "Your card was declined. Your card was not changed. Try another card." in visible_text(response)
    assert GatewayCustomer.objects.get(reader=subscriber).card_last4 == "4242"


def test_a_mistyped_card_shows_the_form_again_with_the_field_marked(subscriber_client, subscriber):
    response = subscriber_client.post("/account/card/", {**new_card(), "expiry": "13/34"})

    assert "The month must be between 01 and 12." in visible_text(response)
    assert GatewayCustomer.objects.get(reader=subscriber).card_last4 == "4242"


def test_a_past_due_subscription_is_charged_at_once_on_the_new_card(subscriber_client, subscriber, clock, run_renewals):
    subscription = past_due(subscriber, clock, run_renewals)
    clock.shift(datetime.timedelta(hours=5))

    response = subscriber_client.post("/account/card/", new_card(), follow=True)

    assert "Your Mastercard card ending 4444 is saved, and your overdue payment of $9.00 went through." in (
        visible_text(response)
    )
    assert successful_charges() == [(900, "4242"), (900, "4444")]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.ACTIVE
    assert subscription.current_period_end == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=datetime.UTC)
    # The retry is the subscription's next one, under the renewal's own key.
    assert Payment.objects.get(status=Payment.SUCCEEDED, period_start=MONTH_END).idempotency_key.endswith(":1")
    assert [email.subject for email in mail.outbox] == [
        f"The Masthead Review: receipt {subscription.payments.first().receipt.number}"
    ]
    assert "Status Active" in visible_text(subscriber_client.get("/account/"))


def test_sending_the_card_form_twice_charges_the_overdue_payment_once(
    subscriber_client, subscriber, clock, run_renewals
):
    past_due(subscriber, clock, run_renewals)

    subscriber_client.post("/account/card/", new_card())
    subscriber_client.post("/account/card/", new_card())

    assert successful_charges() == [(900, "4242"), (900, "4444")]
    assert run_renewals() == {}


def test_a_new_card_that_is_declined_too_keeps_the_retry_schedule(subscriber_client, subscriber, clock, run_renewals):
    past_due(subscriber, clock, run_renewals)
    clock.shift(datetime.timedelta(hours=5))

    response = subscriber_client.post("/account/card/", new_card(DECLINES_WHEN_CHARGED), follow=True)

    assert (
        "Your Visa card ending 0341 is saved, but the overdue payment of $9.00 was declined: Your card was declined. "
        "We will try again on April 13, 2027; you keep your access meanwhile." in visible_text(response)
    )
    assert entitlements_for(subscriber).digital
    assert SandboxCharge.objects.filter(succeeded=False).count() == 2
    assert [email.subject for email in mail.outbox] == ["The Masthead Review: we could not take your payment"]


def test_a_reader_without_a_subscription_has_no_card_to_change(reader_client):
    response = reader_client.get("/account/card/", follow=True)

    assert response.redirect_chain == [("/account/", 302)]
    assert "You have no subscription renewing on a card, so there is no card to change." in visible_text(response)


def test_a_complimentary_subscription_has_no_card_to_change(reader_client, reader, admin):
    from masthead.subscriptions.models import Plan

    do_grant_complimentary(reader, Plan.objects.get(slug="digital-monthly"), until=MONTH_END, staff=admin)

    response = reader_client.post("/account/card/", new_card(), follow=True)

    assert "there is no card to change" in visible_text(response)
    assert not SandboxPaymentMethod.objects.exists()


def test_the_card_page_is_never_cached(subscriber_client):
    response = subscriber_client.get("/account/card/")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_trying_card_after_card_is_told_to_slow_down(settings, subscriber_client, subscriber):
    door = settings.RATE_LIMITS["card_change"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "card_change": {**door, "per_reader": "3/h"}}
    for _ in range(3):
        assert subscriber_client.post("/account/card/", new_card(DECLINED_CARD)).status_code == 200

    response = subscriber_client.post("/account/card/", new_card(MASTERCARD))

    assert response.status_code == 429
    assert GatewayCustomer.objects.get(reader=subscriber).card_last4 == "4242"
