"""Renewals as the reader lives them: a receipt each period, reminders for yearly plans, and failed cards."""

from __future__ import annotations

import datetime

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import SandboxCharge, Subscription
from masthead.subscriptions.services import store_card
from tests.billing.pages import visible_text

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
YEAR_END = datetime.datetime(2028, 3, 10, 9, 0, tzinfo=datetime.UTC)
WORKING_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123")


def amounts_charged() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("amount_cents", flat=True))


def subjects() -> list[str]:
    return [email.subject.removeprefix("The Masthead Review: ") for email in mail.outbox]


def test_a_renewal_charges_once_per_period_and_emails_a_receipt(subscriber_client, subscriber, clock, run_renewals):
    clock.move_to(MONTH_END - datetime.timedelta(seconds=1))
    assert run_renewals() == {}

    clock.move_to(MONTH_END)
    assert run_renewals() == {"renewed": 1}
    assert run_renewals() == {}

    assert amounts_charged() == [900, 900]
    [receipt] = mail.outbox
    assert receipt.to == ["sam@example.com"]
    assert receipt.subject.startswith("The Masthead Review: receipt R-")
    assert "Period: April 10, 2027 to May 10, 2027" in receipt.body
    assert "Next renewal May 10, 2027: $9.00" in visible_text(subscriber_client.get("/account/"))


def test_a_yearly_subscriber_is_reminded_a_week_before_renewal_once(print_subscriber, subscriber, clock, run_reminders):
    clock.move_to(YEAR_END - datetime.timedelta(days=8))
    assert run_reminders() == 0

    clock.move_to(YEAR_END - datetime.timedelta(days=7))
    assert run_reminders() == 1
    clock.shift(datetime.timedelta(days=1))
    assert run_reminders() == 0

    [reminder] = mail.outbox
    assert reminder.to == ["pat@example.com"]
    assert reminder.subject == "The Masthead Review: your subscription renews in a week"
    assert "Your Digital + Print, yearly subscription renews on March 10, 2028 for $150.00." in reminder.body
    assert "/account/" in reminder.body


def test_monthly_subscribers_are_not_sent_renewal_reminders(subscriber, clock, run_reminders):
    clock.move_to(MONTH_END - datetime.timedelta(days=3))

    assert run_reminders() == 0
    assert mail.outbox == []


def test_a_monthly_subscriber_switching_to_yearly_is_reminded_before_the_first_yearly_charge(
    subscriber_client, clock, run_reminders
):
    subscriber_client.post("/account/plan/", {"interval": "year"})
    clock.move_to(MONTH_END - datetime.timedelta(days=7))

    assert run_reminders() == 1
    [reminder] = mail.outbox
    assert "Your Digital, yearly subscription renews on April 10, 2027 for $90.00." in reminder.body


def test_a_failed_renewal_keeps_access_retries_on_days_1_3_5_7_with_emails_then_ends(
    subscriber_client, subscriber, clock, run_renewals
):
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    retry_days = []
    for day in range(0, 9):
        clock.move_to(MONTH_END + datetime.timedelta(days=day))
        if run_renewals():
            retry_days.append(day)
        if day < 7:
            assert entitlements_for(subscriber).digital, f"no access on day {day}"

    assert retry_days == [0, 1, 3, 5, 7]
    assert subjects() == ["we could not take your payment"] * 4 + ["your subscription has ended"]
    assert "You keep your access while we try again on April 11, 2027." in mail.outbox[0].body
    assert "try again on April 17, 2027" in mail.outbox[3].body
    assert "could not take payment for your subscription, so it has now ended" in mail.outbox[4].body
    assert amounts_charged() == [900]
    assert SandboxCharge.objects.filter(succeeded=False).count() == 5
    assert Subscription.objects.get(reader=subscriber).status == Subscription.ENDED
    assert not entitlements_for(subscriber).digital
    assert "Status Ended April 17, 2027" in visible_text(subscriber_client.get("/account/"))


def test_during_the_retries_the_account_page_says_the_payment_is_overdue(
    subscriber_client, subscriber, clock, run_renewals
):
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(MONTH_END)
    run_renewals()

    text = visible_text(subscriber_client.get("/account/"))

    assert "Status Payment overdue: we will try again on April 11, 2027; you keep your access meanwhile" in text


def test_a_retry_that_succeeds_restores_the_subscription_from_its_due_date(
    subscriber_client, subscriber, clock, run_renewals
):
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(MONTH_END)
    run_renewals()
    store_card(subscriber, WORKING_CARD, SandboxGateway())
    mail.outbox.clear()

    clock.move_to(MONTH_END + datetime.timedelta(days=1))
    assert run_renewals() == {"renewed": 1}

    assert amounts_charged() == [900, 900]
    assert [subject.split(" R-")[0] for subject in subjects()] == ["receipt"]
    text = visible_text(subscriber_client.get("/account/"))
    assert "Status Active" in text
    assert "Next renewal May 10, 2027: $9.00" in text


def test_cancelling_while_past_due_ends_the_subscription_at_once_without_more_charges(
    subscriber_client, subscriber, clock, run_renewals
):
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(MONTH_END)
    run_renewals()
    cancel_page = visible_text(subscriber_client.get("/account/cancel/"))
    assert "Your payment is overdue, so your access ends now." in cancel_page

    subscriber_client.post("/account/cancel/", {"reason": "technical"})
    clock.move_to(MONTH_END + datetime.timedelta(days=8))
    run_renewals()

    assert not entitlements_for(subscriber).digital
    assert SandboxCharge.objects.filter(succeeded=False).count() == 1
    assert mail.outbox[-1].subject == "The Masthead Review: your cancellation is confirmed"
    assert "Your access has ended." in mail.outbox[-1].body


def test_a_subscriber_keeps_reading_between_the_period_end_and_the_renewal_run(subscriber, clock, run_renewals):
    # The scheduler runs renewals hourly: a paying reader must not be locked out in between.
    clock.move_to(MONTH_END + datetime.timedelta(minutes=50))
    assert entitlements_for(subscriber).digital

    clock.move_to(MONTH_END + datetime.timedelta(hours=23))
    assert run_renewals() == {"renewed": 1}
    assert entitlements_for(subscriber).digital


def test_without_a_renewal_run_the_grace_lasts_a_day(subscriber, clock):
    clock.move_to(MONTH_END + datetime.timedelta(days=1))
    assert not entitlements_for(subscriber).digital


def test_a_cancelled_subscription_ends_exactly_at_the_period_end(subscriber_client, subscriber, clock):
    response = subscriber_client.post("/account/cancel/", {"reason": "technical"})
    assert response.status_code == 302
    clock.move_to(MONTH_END - datetime.timedelta(seconds=1))
    assert entitlements_for(subscriber).digital
    clock.move_to(MONTH_END)
    assert not entitlements_for(subscriber).digital
