"""Cancel anytime, resume before the period ends, and the 60-day money-back guarantee."""

from __future__ import annotations

import datetime

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Receipt, SandboxCharge, Subscription
from tests.billing.pages import GOOD_CARD, START, pay, visible_text

PERIOD_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)


def charges() -> list[SandboxCharge]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk"))


def test_the_cancel_page_asks_for_confirmation_and_says_how_long_access_lasts(subscriber_client, subscriber):
    text = visible_text(subscriber_client.get("/account/cancel/"))

    assert "Cancel your subscription?" in text
    assert "You keep everything until April 10, 2027, and you can resume before then." in text
    assert "It costs too much" in text
    assert Subscription.objects.get(reader=subscriber).cancel_at_period_end is False


def test_cancelling_with_a_reason_stops_charges_but_keeps_access_until_the_period_ends(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(START + datetime.timedelta(days=10))

    response = subscriber_client.post(
        "/account/cancel/", {"reason": "too_expensive", "reason_text": "Back when I get a raise."}, follow=True
    )

    text = visible_text(response)
    assert "Your subscription is cancelled. You will not be charged again." in text
    assert "Status Cancelled: access until April 10, 2027" in text
    assert "Resume my subscription" in text
    assert "Next renewal" not in text
    [email] = mail.outbox
    assert email.to == ["sam@example.com"]
    assert email.subject == "The Masthead Review: your cancellation is confirmed"
    assert "you will not be charged again" in email.body
    assert "You keep your access until April 10, 2027" in email.body
    subscription = Subscription.objects.get(reader=subscriber)
    assert (subscription.cancel_reason, subscription.cancel_reason_text) == (
        "too_expensive",
        "Back when I get a raise.",
    )

    clock.move_to(PERIOD_END - datetime.timedelta(minutes=1))
    assert entitlements_for(subscriber).digital

    clock.move_to(PERIOD_END + datetime.timedelta(hours=1))
    run_renewals()

    assert len(charges()) == 1
    assert not entitlements_for(subscriber).digital
    assert Subscription.objects.get(reader=subscriber).status == Subscription.ENDED
    account = visible_text(subscriber_client.get("/account/"))
    assert "Status Ended April 10, 2027" in account
    assert "Subscribe again" in account

    clock.move_to(PERIOD_END + datetime.timedelta(days=62))
    run_renewals()
    assert len(charges()) == 1


def test_a_cancelled_subscriber_may_resume_before_the_period_ends_and_is_renewed_as_before(
    subscriber_client, subscriber, clock, run_renewals
):
    subscriber_client.post("/account/cancel/", {"reason": ""})
    clock.move_to(START + datetime.timedelta(days=20))

    response = subscriber_client.post("/account/resume/", follow=True)

    text = visible_text(response)
    assert "Welcome back: your subscription will renew as before." in text
    assert "Status Active" in text
    assert "Next renewal April 10, 2027: $9.00" in text
    clock.move_to(PERIOD_END)
    run_renewals()
    assert [charge.amount_cents for charge in charges()] == [900, 900]
    assert entitlements_for(subscriber).digital


def test_once_the_period_is_over_a_cancelled_subscription_cannot_be_resumed(
    subscriber_client, subscriber, clock, run_renewals
):
    subscriber_client.post("/account/cancel/", {"reason": "not_reading"})
    clock.move_to(PERIOD_END + datetime.timedelta(minutes=5))
    run_renewals()

    assert subscriber_client.post("/account/resume/").status_code == 404
    assert not entitlements_for(subscriber).digital
    assert len(charges()) == 1


def test_cancelling_twice_is_harmless(subscriber_client):
    subscriber_client.post("/account/cancel/", {"reason": "other"})
    mail.outbox.clear()

    response = subscriber_client.post("/account/cancel/", {"reason": "other"}, follow=True)

    assert "This subscription is not renewing, so there is nothing to cancel." in visible_text(response)
    assert mail.outbox == []


def test_a_refund_within_60_days_returns_every_payment_in_full_and_ends_access_at_once(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(PERIOD_END)
    run_renewals()
    clock.move_to(START + datetime.timedelta(days=45))
    page = visible_text(subscriber_client.get("/account/refund/"))
    assert "until May 9, 2027" in page
    assert "March 10, 2027: $9.00" in page
    assert "April 10, 2027: $9.00" in page
    mail.outbox.clear()

    response = subscriber_client.post("/account/refund/", follow=True)

    text = visible_text(response)
    assert "Your money is on its way back, in full. Your subscription has ended." in text
    assert "Status Refunded under the money-back guarantee" in text
    assert "(refunded $9.00)" in text
    assert [(charge.amount_cents, charge.refunded_cents) for charge in charges()] == [(900, 900), (900, 900)]
    assert Subscription.objects.get(reader=subscriber).status == Subscription.REFUNDED
    assert not entitlements_for(subscriber).digital
    receipt = Receipt.objects.filter(payment__subscription__reader=subscriber).first()
    assert "Refunded April 24, 2027 $9.00" in visible_text(subscriber_client.get(f"/account/receipts/{receipt.pk}/"))
    [email] = mail.outbox
    assert email.subject == "The Masthead Review: your refund is on its way"
    assert "refunded your payment in full under our 60-day money-back guarantee" in email.body

    clock.move_to(PERIOD_END + datetime.timedelta(days=31))
    run_renewals()
    assert len(charges()) == 2


def test_the_guarantee_is_once_per_reader_and_the_page_says_why(subscriber_client, subscriber, clock):
    subscriber_client.post("/account/refund/")
    clock.shift(datetime.timedelta(days=2))
    pay(subscriber_client, "digital-monthly", GOOD_CARD)

    page = visible_text(subscriber_client.get("/account/refund/"))
    assert "The money-back guarantee can be used once per reader, and you have used it." in page
    assert "You can still cancel anytime" in page

    subscriber_client.post("/account/refund/")

    assert [charge.refunded_cents for charge in charges()] == [900, 0]
    assert entitlements_for(subscriber).digital


def test_after_60_days_the_refund_page_says_why_not(subscriber_client, subscriber, clock, run_renewals):
    clock.move_to(PERIOD_END)
    run_renewals()
    clock.move_to(START + datetime.timedelta(days=60, hours=1))

    page = visible_text(subscriber_client.get("/account/refund/"))
    assert "The 60-day money-back guarantee ended on May 9, 2027." in page

    subscriber_client.post("/account/refund/")

    assert all(charge.refunded_cents == 0 for charge in charges())
    assert entitlements_for(subscriber).digital
    assert Subscription.objects.get(reader=subscriber).status == Subscription.ACTIVE


def test_second_click_on_refund_returns_the_money_once(subscriber_client, subscriber):
    subscriber_client.post("/account/refund/")
    subscriber_client.post("/account/refund/")

    assert [(charge.amount_cents, charge.refunded_cents) for charge in charges()] == [(900, 900)]
    assert len(mail.outbox) == 1
