"""Free trials: a card kept, not charged; a reminder 3 days before; the first charge at the end, none if cancelled."""

from __future__ import annotations

import datetime

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import GatewayCustomer, Offer, Payment, SandboxCharge, Subscription
from tests.billing.pages import START, visible_text
from tests.billing.test_offers import apply, charged, make_offer, pay_shown_price

TRIAL_END = START + datetime.timedelta(days=14)  # March 24, 2027


def start_trial(client, card: str = "4242 4242 4242 4242"):
    make_offer("TRYIT", name="Podcast listeners", kind=Offer.TRIAL, percent_off=None, trial_days=14)
    apply(client, "tryit")
    return pay_shown_price(client, card=card)


def test_a_trial_shows_its_terms_keeps_the_card_and_charges_nothing(reader_client, reader):
    make_offer("TRYIT", kind=Offer.TRIAL, percent_off=None, trial_days=14)

    page = visible_text(apply(reader_client, "TRYIT"))
    assert (
        "TRYIT: 14 days free, then $9.00 a month from March 24, 2027. We need your card now and charge it then; "
        "we email you 3 days before, and if you cancel before then you pay nothing." in page
    )
    assert "Nothing is charged today" in page and "Start my free trial" in page

    account = visible_text(pay_shown_price(reader_client))

    assert "Status Free trial until March 24, 2027" in account
    assert "First payment March 24, 2027: $9.00" in account
    assert "money-back guarantee" not in account  # nothing paid, nothing to give back
    assert "Cancel my free trial" in account
    assert charged() == [] and not Payment.objects.exists()
    assert GatewayCustomer.objects.get(reader=reader).card_last4 == "4242"
    assert entitlements_for(reader).digital
    [welcome] = mail.outbox
    assert welcome.subject == "The Masthead Review: your free trial has begun"
    assert "Then your card is charged $9.00 and your subscription renews every month." in welcome.body
    assert "If you cancel before March 24, 2027, you pay nothing." in welcome.body


def test_the_reader_is_reminded_three_days_before_the_first_charge_once(reader_client, clock, run_reminders):
    start_trial(reader_client)
    mail.outbox.clear()

    clock.move_to(TRIAL_END - datetime.timedelta(days=3, minutes=1))
    assert run_reminders() == 0
    clock.move_to(TRIAL_END - datetime.timedelta(days=3))
    assert run_reminders() == 1
    clock.shift(datetime.timedelta(days=1))
    assert run_reminders() == 0

    [reminder] = mail.outbox
    assert reminder.subject == "The Masthead Review: your free trial ends on March 24"
    assert "ends on March 24, 2027. Then we charge $9.00 to your Visa card ending 4242" in reminder.body
    assert "/account/cancel/" in reminder.body


def test_a_trial_converts_at_its_end_and_the_guarantee_runs_from_the_first_payment(
    reader_client, reader, clock, run_renewals
):
    start_trial(reader_client)

    clock.move_to(TRIAL_END + datetime.timedelta(minutes=5))
    assert run_renewals()["renewed"] == 1

    assert charged() == [900]
    subscription = Subscription.objects.get(reader=reader)
    assert (subscription.current_period_start, subscription.current_period_end) == (
        TRIAL_END,
        datetime.datetime(2027, 4, 24, 9, 0, tzinfo=datetime.UTC),
    )
    account = visible_text(reader_client.get("/account/"))
    assert "Status Active" in account and "Next renewal April 24, 2027: $9.00" in account
    assert any("receipt" in message.subject for message in mail.outbox)

    clock.move_to(TRIAL_END + datetime.timedelta(days=59))
    reader_client.post("/account/refund/")
    [charge] = SandboxCharge.objects.all()
    assert charge.refunded_cents == 900


def test_a_cancelled_trial_is_never_charged(reader_client, reader, clock, run_renewals):
    start_trial(reader_client)
    clock.shift(datetime.timedelta(days=2))

    page = visible_text(reader_client.post("/account/cancel/", {"reason": "too_expensive"}, follow=True))

    assert "Your free trial is cancelled: you will not be charged." in page
    assert "Free trial cancelled: access until March 24, 2027; you will not be charged" in page
    cancellation = mail.outbox[-1]
    assert "Your free trial is cancelled: you have not been charged, and you will not be." in cancellation.body
    clock.move_to(TRIAL_END + datetime.timedelta(minutes=5))
    assert run_renewals()["ended"] == 1
    clock.shift(datetime.timedelta(days=40))
    run_renewals()

    assert charged() == [] and not SandboxCharge.objects.exists()
    assert Subscription.objects.get(reader=reader).status == Subscription.ENDED
    assert not entitlements_for(reader).digital


def test_asking_for_money_back_during_a_trial_says_nothing_was_paid(reader_client):
    start_trial(reader_client)

    page = visible_text(reader_client.get("/account/refund/"))

    assert "You are in your free trial, so nothing has been paid." in page


def test_a_trial_is_for_new_subscribers_and_digital_plans(lapsed_subscriber, reader_client):
    make_offer("TRYIT", kind=Offer.TRIAL, percent_off=None, trial_days=14)
    from tests.billing.pages import browser_for

    lou = visible_text(apply(browser_for(lapsed_subscriber), "TRYIT"))
    rita = visible_text(apply(reader_client, "TRYIT", plan="digital-print-monthly"))

    assert "Free trials are for readers subscribing for the first time." in lou
    assert "The offer TRYIT is not available for Digital + Print, monthly." in rita


def test_a_trial_whose_first_charge_is_declined_goes_to_dunning(reader_client, reader, clock, run_renewals):
    start_trial(reader_client, card="4000 0000 0000 0341")  # stored fine, declined when charged

    clock.move_to(TRIAL_END + datetime.timedelta(minutes=5))
    assert run_renewals()["failed"] == 1

    subscription = Subscription.objects.get(reader=reader)
    assert subscription.status == Subscription.PAST_DUE
    assert "we could not take your payment" in mail.outbox[-1].subject


def test_a_trial_whose_bank_asks_at_the_first_charge_sends_the_confirmation_link(
    reader_client, reader, clock, run_renewals
):
    start_trial(reader_client, card="4000 0027 6000 3184")  # the bank asks at every charge

    clock.move_to(TRIAL_END + datetime.timedelta(minutes=5))
    run_renewals()

    assert "please confirm your payment with your bank" in mail.outbox[-1].subject
    page = visible_text(reader_client.get("/account/confirm-payment/"))
    assert "$9.00" in page
