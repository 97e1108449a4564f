"""A renewal the reader's bank holds for them (3-D Secure), on the sandbox: the email, the link, the page, once.

Cora's card (4000 0027 6000 3184) asks her bank at every payment: she confirmed her first one at
checkout, and each renewal waits for her. Sam's card never asks. A 4000 0025 0000 3155 card asks
only when its holder pays in person, so its renewals go through.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Payment, Plan, Refund, SandboxCharge, Subscription
from masthead.subscriptions.services import AuthenticationRequired, do_subscribe, settle_authenticated_charge
from tests.billing.pages import browser_for, committed, link_in, visible_text
from tests.personas import confirmed

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
LAST_RETRY_DAY = MONTH_END + datetime.timedelta(days=7)


def subscribe_confirming_at_the_bank(reader, number: str) -> Subscription:
    """Buy Digital monthly as checkout does, confirming at the sandbox's bank when it asks."""
    card = CardInput(number=number, exp_month=12, exp_year=2034, cvc="123")
    plan = Plan.objects.get(slug="digital-monthly")
    with committed():
        try:
            return do_subscribe(reader=reader, plan=plan, card=card, checkout_token=f"persona-{reader.username}")
        except AuthenticationRequired as asked:
            SandboxGateway().authenticate(asked.action_secret, confirmed=True)
            settle_authenticated_charge("sandbox", asked.charge_ref)
    mail.outbox.clear()
    return Subscription.objects.get(reader=reader)


@pytest.fixture
def cora(make_user, clock):
    """Cora's bank asks her to confirm every payment; she subscribed monthly on launch day."""
    reader = confirmed(make_user("cora", first_name="Cora", last_name="Careful"))
    subscribe_confirming_at_the_bank(reader, "4000002760003184")
    return reader


@pytest.fixture
def cora_client(cora):
    return browser_for(cora)


def charged() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("amount_cents", flat=True))


def emailed_link(reader) -> str:
    [email] = [email for email in mail.outbox if email.to == [reader.email]]
    assert email.subject == "The Masthead Review: please confirm your payment with your bank"
    return link_in(email.body, "/account/confirm-payment/")


def test_a_renewal_her_bank_holds_emails_cora_a_link_and_she_keeps_reading(cora, cora_client, clock, run_renewals):
    clock.move_to(MONTH_END)

    assert run_renewals() == {"failed": 1}

    [email] = mail.outbox
    assert email.subject == "The Masthead Review: please confirm your payment with your bank"
    assert "Digital, monthly subscription: $9.00 for April 10, 2027 to May 10, 2027. Nothing has been charged" in (
        " ".join(email.body.split())
    )
    assert link_in(email.body, "/account/confirm-payment/") == "/account/confirm-payment/"
    assert charged() == [900]
    clock.move_to(LAST_RETRY_DAY - datetime.timedelta(minutes=1))
    assert run_renewals() == {}
    assert entitlements_for(cora).digital
    account = visible_text(cora_client.get("/account/"))
    assert "Payment waiting for you: your bank asks you to confirm the payment by April 17, 2027" in account


def test_the_emailed_link_says_how_much_and_for_which_period_and_confirming_renews_once(
    cora, cora_client, clock, run_renewals
):
    clock.move_to(MONTH_END)
    run_renewals()
    clock.shift(datetime.timedelta(hours=5))

    page = cora_client.get(emailed_link(cora))
    text = visible_text(page)
    assert "Your bank asks you to confirm the renewal of your Digital, monthly subscription." in text
    assert "Amount $9.00 For April 10, 2027 to May 10, 2027 Confirm by April 17, 2027" in text

    to_bank = cora_client.post("/account/confirm-payment/")
    assert to_bank["Location"].startswith("/subscribe/authenticate/")
    assert "Amount $9.00 Card Visa ending 3184" in visible_text(cora_client.get(to_bank["Location"]))
    done = cora_client.post(to_bank["Location"], {"answer": "confirm"}, follow=True)

    assert done.redirect_chain[-1][0] == "/account/"
    text = visible_text(done)
    assert "Thank you: your payment of $9.00 went through. Your subscription runs until May 10, 2027." in text
    assert "Status Active" in text
    assert charged() == [900, 900]
    subscription = Subscription.objects.get(reader=cora)
    assert (subscription.status, subscription.current_period_end) == (
        "active",
        datetime.datetime(2027, 5, 10, 9, 0, tzinfo=datetime.UTC),
    )
    assert [email.subject for email in mail.outbox][-1].startswith("The Masthead Review: receipt R-")

    again = cora_client.get(done.redirect_chain[-2][0], follow=True)  # the bank's return link, once more
    assert "Status Active" in visible_text(again)
    assert Payment.objects.filter(subscription=subscription, status=Payment.SUCCEEDED).count() == 2
    assert "There is no payment waiting for your confirmation." in visible_text(
        cora_client.get("/account/confirm-payment/")
    )
    clock.move_to(LAST_RETRY_DAY)
    assert run_renewals() == {}
    assert charged() == [900, 900]


def test_when_cora_fails_her_bank_nothing_is_charged_and_she_can_try_again(cora, cora_client, clock, run_renewals):
    clock.move_to(MONTH_END)
    run_renewals()

    to_bank = cora_client.post("/account/confirm-payment/")
    failed = cora_client.post(to_bank["Location"], {"answer": "fail"}, follow=True)

    text = visible_text(failed)
    assert "Your bank did not confirm the payment, so nothing was charged." in text
    assert "Amount $9.00 For April 10, 2027 to May 10, 2027" in text
    assert charged() == [900]
    assert Subscription.objects.get(reader=cora).status == Subscription.PAST_DUE
    assert entitlements_for(cora).digital

    to_bank_again = cora_client.post("/account/confirm-payment/")
    assert to_bank_again["Location"] != to_bank["Location"]  # the bank asks afresh
    cora_client.post(to_bank_again["Location"], {"answer": "confirm"})

    assert Subscription.objects.get(reader=cora).status == Subscription.ACTIVE
    assert charged() == [900, 900]
    assert SandboxCharge.objects.count() == 2  # the same renewal charge, asked twice


def test_a_renewal_not_confirmed_by_the_last_retry_day_ends_and_a_forgotten_bank_page_cannot_pay(
    cora, cora_client, clock, run_renewals
):
    clock.move_to(MONTH_END)
    run_renewals()
    forgotten = cora_client.post("/account/confirm-payment/")["Location"]  # a tab she left open

    clock.move_to(LAST_RETRY_DAY)
    assert run_renewals() == {"ended": 1}
    assert not entitlements_for(cora).digital
    text = visible_text(cora_client.get("/account/confirm-payment/"))
    assert "There is no payment waiting for your confirmation." in text

    late = cora_client.post(forgotten, {"answer": "confirm"})

    assert late.status_code == 302
    assert charged() == [900]  # the waiting charge was withdrawn before the subscription ended
    assert Subscription.objects.get(reader=cora).status == Subscription.ENDED


def test_a_confirmation_the_ledger_never_heard_of_is_recorded_by_the_next_renewal_run(cora, clock, run_renewals):
    clock.move_to(MONTH_END)
    run_renewals()
    waiting = SandboxCharge.objects.get(awaiting_authentication=True)
    SandboxGateway().authenticate(waiting.authentication_ref, confirmed=True)  # and the news is lost

    clock.move_to(LAST_RETRY_DAY)
    assert run_renewals() == {"renewed": 1}

    subscription = Subscription.objects.get(reader=cora)
    assert (subscription.status, subscription.current_period_start) == (Subscription.ACTIVE, MONTH_END)
    assert charged() == [900, 900]


def test_a_renewal_confirmed_after_the_reader_cancelled_is_given_back_in_full(cora, cora_client, clock, run_renewals):
    clock.move_to(MONTH_END)
    run_renewals()
    forgotten = cora_client.post("/account/confirm-payment/")["Location"]
    cora_client.post("/account/cancel/", {"reason": "too_expensive"})
    assert Subscription.objects.get(reader=cora).status == Subscription.ENDED

    cora_client.post(forgotten, {"answer": "confirm"})

    renewal = Payment.objects.get(subscription__reader=cora, period_start=MONTH_END)
    assert renewal.status == Payment.SUCCEEDED
    assert [refund.amount_cents for refund in Refund.objects.filter(payment=renewal)] == [900]
    assert SandboxCharge.objects.get(idempotency_key=renewal.idempotency_key).refunded_cents == 900
    assert Subscription.objects.get(reader=cora).status == Subscription.ENDED


def test_a_card_set_up_at_checkout_renews_without_asking_its_holder_again(make_user, clock, run_renewals):
    reader = confirmed(make_user("ida", first_name="Ida"))
    subscribe_confirming_at_the_bank(reader, "4000002500003155")
    clock.move_to(MONTH_END)

    assert run_renewals() == {"renewed": 1}
    assert charged() == [900, 900]


def test_a_subscriber_with_nothing_waiting_is_told_so(subscriber_client):
    text = visible_text(subscriber_client.get("/account/confirm-payment/"))

    assert "There is no payment waiting for your confirmation." in text
    assert "Your Digital, monthly subscription is paid up to April 10, 2027." in text
    assert subscriber_client.post("/account/confirm-payment/").status_code == 200
