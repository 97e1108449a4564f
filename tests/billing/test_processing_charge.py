"""A first charge still `processing` at the gateway (Stripe's PaymentIntent status): the reader is told it is on
its way, nothing is recorded or charged twice meanwhile, and the hourly run settles it once it has settled.

The sandbox's processing cards are its own (Stripe has none; `processing` is mostly bank debits):
4000 0099 9000 0013 processes, then succeeds; 4000 0099 9000 0021 processes, then fails for insufficient
funds. Each settles when it is read SETTLES_AFTER after it was made, so the frozen clock drives it.
"""

from __future__ import annotations

import datetime
import re

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.gifts import tasks as gift_tasks
from masthead.gifts.models import Gift
from masthead.subscriptions import tasks
from masthead.subscriptions.gateways.sandbox import SETTLES_AFTER
from masthead.subscriptions.models import Checkout, Payment, SandboxCharge, Subscription
from tests.billing.pages import GOOD_CARD, card_fields, hidden_value, visible_text
from tests.gifts.conftest import emails_to, gift_fields
from tests.personas import committed

SETTLES_LATER = "4000 0099 9000 0013"
FAILS_LATER = "4000 0099 9000 0021"
ON_ITS_WAY = (
    "Your payment is still going through: your subscription will show here as soon as it has. "
    "You will not be charged twice."
)
CHECKOUT = "/subscribe/digital-monthly/"


def hourly_run() -> dict:
    """The scheduler's hourly billing job, at the clock's time."""
    with committed():
        return tasks.run_renewals.enqueue().return_value


def delivery_run() -> dict:
    """The gifts' delivery job (every ten minutes), at the clock's time."""
    with committed():
        return gift_tasks.deliver_due_gifts.enqueue().return_value


def money_taken() -> int:
    return sum(charge.amount_cents - charge.refunded_cents for charge in SandboxCharge.objects.filter(succeeded=True))


def subjects() -> list[str]:
    return sorted(re.sub(r"R-\d+", "R-…", email.subject) for email in mail.outbox)


def filled_in_checkout(client, card: str) -> dict:
    form = client.get(CHECKOUT)
    return card_fields(card, hidden_value(form, "checkout_token"))


def test_a_processing_charge_is_on_its_way_and_the_hourly_run_starts_the_subscription_once_it_settles(
    reader_client, reader, clock
):
    form = filled_in_checkout(reader_client, SETTLES_LATER)

    page = reader_client.post(CHECKOUT, form, follow=True)

    assert page.redirect_chain[-1][0] == "/account/"
    assert ON_ITS_WAY in visible_text(page)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert not Payment.objects.exists()
    assert not entitlements_for(reader).digital
    assert mail.outbox == []

    again = reader_client.post(CHECKOUT, form, follow=True)  # Back and Pay again: the same form, the same token
    assert ON_ITS_WAY in visible_text(again)
    assert SandboxCharge.objects.count() == 1

    clock.shift(SETTLES_AFTER - datetime.timedelta(minutes=1))
    assert hourly_run()["checkouts"]["waiting"] == 1  # still on its way: nothing recorded, nothing given up
    assert not Subscription.objects.filter(reader=reader).exists()

    clock.shift(datetime.timedelta(minutes=2))
    outcomes = hourly_run()

    subscription = Subscription.objects.get(reader=reader)
    assert subscription.status == Subscription.ACTIVE
    assert outcomes["checkouts"]["subscribed"] == 1
    assert [payment.amount_cents for payment in Payment.objects.filter(subscription=subscription)] == [900]
    assert money_taken() == 900
    assert entitlements_for(reader).digital
    assert subjects() == ["The Masthead Review: receipt R-…", "The Masthead Review: welcome, subscriber"]
    account = visible_text(reader_client.get("/account/"))
    assert "Status Active" in account and "Card Visa ending 0013" in account

    assert sum(hourly_run()["checkouts"].values()) == 0
    sent_again = reader_client.post(CHECKOUT, form, follow=True)  # the old form, sent once more
    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(sent_again)
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1 and money_taken() == 900
    assert len(mail.outbox) == 2


def test_the_reader_sending_the_form_again_after_it_settled_is_subscribed_once_and_the_run_finds_nothing(
    reader_client, reader, clock
):
    form = filled_in_checkout(reader_client, SETTLES_LATER)
    assert ON_ITS_WAY in visible_text(reader_client.post(CHECKOUT, form, follow=True))
    clock.shift(SETTLES_AFTER)

    page = reader_client.post(CHECKOUT, form, follow=True)

    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(page)
    assert hourly_run()["checkouts"]["subscribed"] == 0
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert Payment.objects.count() == 1 and money_taken() == 900
    assert subjects() == ["The Masthead Review: receipt R-…", "The Masthead Review: welcome, subscriber"]


def test_a_processing_charge_that_fails_ends_declined_with_nothing_taken_and_another_card_subscribes(
    reader_client, reader, clock
):
    form = filled_in_checkout(reader_client, FAILS_LATER)
    assert ON_ITS_WAY in visible_text(reader_client.post(CHECKOUT, form, follow=True))

    clock.shift(SETTLES_AFTER)
    outcomes = hourly_run()

    assert Checkout.objects.get().status == Checkout.DECLINED
    assert outcomes["checkouts"]["declined"] == 1
    assert not Subscription.objects.filter(reader=reader).exists()
    assert not Payment.objects.exists()
    assert money_taken() == 0
    assert not entitlements_for(reader).digital
    assert mail.outbox == []
    assert hourly_run()["checkouts"]["declined"] == 0  # ended: the gateway is not asked about it again

    # The reader comes back to the form they sent: told why, with a new form for another card.
    back = reader_client.post(CHECKOUT, form, follow=True)
    assert "Your card has insufficient funds. Nothing was charged. Try another card." in visible_text(back)
    paid = reader_client.post(CHECKOUT, card_fields(GOOD_CARD, hidden_value(back, "checkout_token")), follow=True)

    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(paid)
    assert Subscription.objects.get(reader=reader).status == Subscription.ACTIVE
    assert Payment.objects.count() == 1 and money_taken() == 900


def test_a_gift_paid_with_a_processing_charge_is_bought_once_when_it_settles(reader_client, reader, clock):
    form = reader_client.get("/gifts/")
    data = {**gift_fields(), **card_fields(SETTLES_LATER, hidden_value(form, "checkout_token"))}

    page = reader_client.post("/gifts/", data, follow=True)

    assert "Your payment for this gift is still being made" in visible_text(page)
    assert "Awaiting the bank" in visible_text(reader_client.get("/account/"))
    assert reader_client.post("/gifts/", data).status_code == 302  # the same form again: charged once
    assert SandboxCharge.objects.count() == 1
    clock.shift(SETTLES_AFTER - datetime.timedelta(minutes=1))
    assert delivery_run()["payments_settled"] == 0
    assert Gift.objects.get().payment_status == Gift.AUTHENTICATING and emails_to("gwen@example.com") == []

    clock.shift(datetime.timedelta(minutes=2))
    assert delivery_run()["payments_settled"] == 1

    gift = Gift.objects.get()
    assert gift.payment_status == Gift.PAID and gift.state == "sent"
    assert money_taken() == gift.amount_cents
    assert len(emails_to("gwen@example.com")) == 1
    assert len(emails_to(reader.email)) == 1  # the giver's receipt
    delivery_run()
    assert len(mail.outbox) == 2 and money_taken() == gift.amount_cents


def renewal_charges() -> list[tuple[bool, str]]:
    return list(
        SandboxCharge.objects.filter(idempotency_key__startswith="renewal:")
        .order_by("pk")
        .values_list("succeeded", "decline_code")
    )


def test_a_renewal_still_processing_is_not_failed_nor_charged_again_and_renews_once_it_settles(
    subscriber, subscriber_client, clock
):
    subscriber_client.post("/account/card/", card_fields(SETTLES_LATER, ""), follow=True)
    subscription = Subscription.objects.get(reader=subscriber)
    due = subscription.current_period_end

    for hours in (0, 1):  # the hourly runs while the money is on its way
        clock.move_to(due + datetime.timedelta(hours=hours, minutes=5))
        hourly_run()
        subscription.refresh_from_db()
        assert subscription.status == Subscription.ACTIVE and subscription.current_period_end == due
        assert renewal_charges() == [(False, "processing")]  # one charge, never a retry beside it
        assert entitlements_for(subscriber).digital  # the day's grace covers the wait
        assert mail.outbox == []  # no "we could not take your payment"

    clock.move_to(due + SETTLES_AFTER + datetime.timedelta(minutes=10))
    assert hourly_run()["renewed"] == 1

    subscription.refresh_from_db()
    assert subscription.status == Subscription.ACTIVE and subscription.current_period_end > due
    assert renewal_charges() == [(True, "")]
    assert Payment.objects.filter(subscription=subscription, status=Payment.SUCCEEDED).count() == 2
    assert subjects() == ["The Masthead Review: receipt R-…"]
    assert "renewed" not in hourly_run()
    assert len(mail.outbox) == 1 and len(renewal_charges()) == 1


def test_a_renewal_that_processes_then_fails_goes_to_dunning_once_it_has_failed(subscriber, subscriber_client, clock):
    subscriber_client.post("/account/card/", card_fields(FAILS_LATER, ""), follow=True)
    subscription = Subscription.objects.get(reader=subscriber)
    due = subscription.current_period_end
    clock.move_to(due + datetime.timedelta(minutes=5))
    hourly_run()
    assert Subscription.objects.get(pk=subscription.pk).status == Subscription.ACTIVE and mail.outbox == []

    clock.move_to(due + SETTLES_AFTER + datetime.timedelta(minutes=10))
    assert hourly_run()["failed"] == 1

    subscription.refresh_from_db()
    assert subscription.status == Subscription.PAST_DUE and subscription.failed_renewal_attempts == 1
    assert renewal_charges() == [(False, "insufficient_funds")]
    assert [email.subject for email in mail.outbox] == ["The Masthead Review: we could not take your payment"]
    assert money_taken() == 900  # Sam's first month only


def test_a_checkout_whose_bank_page_the_reader_never_finished_is_withdrawn_a_day_on_and_asked_about_no_more(
    reader_client, reader, clock
):
    form = filled_in_checkout(reader_client, "4000 0027 6000 3184")  # the bank asks to confirm every charge
    reader_client.post(CHECKOUT, form, follow=True)  # the reader closes the bank's page
    assert Checkout.objects.get().status == Checkout.AUTHENTICATING

    clock.shift(datetime.timedelta(hours=23))
    assert hourly_run()["checkouts"]["waiting"] == 1  # the reader may still confirm
    clock.shift(datetime.timedelta(hours=2))
    assert hourly_run()["checkouts"]["abandoned"] == 1

    checkout = Checkout.objects.get()
    assert (checkout.status, checkout.decline_code) == (Checkout.DECLINED, "abandoned")
    assert not SandboxCharge.objects.get().awaiting_authentication  # withdrawn: it can never take money
    assert money_taken() == 0 and not Payment.objects.exists()
    assert not Subscription.objects.filter(reader=reader).exists()
    assert sum(hourly_run()["checkouts"].values()) == 0  # not asked about again
    page = reader_client.post(CHECKOUT, form, follow=True)  # the old form, once more
    assert "You did not confirm the payment with your bank" in visible_text(page)
    assert SandboxCharge.objects.count() == 1


def test_a_checkout_begun_a_day_before_its_charge_waits_a_day_from_the_charge_not_from_its_start(
    reader_client, reader, clock
):
    """The reader's first card was refused; they come back to the same page the next day with one their bank
    asks them to confirm: the hourly run leaves it to them for a day from that charge."""
    form = filled_in_checkout(reader_client, "4000 0000 0000 0002")  # refused when kept
    reader_client.post(CHECKOUT, form, follow=True)
    clock.shift(datetime.timedelta(hours=25))
    form.update(card_fields("4000 0027 6000 3184", form["checkout_token"]))
    reader_client.post(CHECKOUT, form, follow=True)
    assert Checkout.objects.get().status == Checkout.AUTHENTICATING

    clock.shift(datetime.timedelta(minutes=30))
    assert hourly_run()["checkouts"]["waiting"] == 1  # not given up: the reader may be on the bank's page

    clock.shift(datetime.timedelta(hours=24))
    assert hourly_run()["checkouts"]["abandoned"] == 1
