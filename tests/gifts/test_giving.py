"""Giving a subscription with the sandbox gateway, through the pages a giver uses."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.gifts import tasks
from masthead.gifts.models import Gift
from masthead.gifts.pricing import find_option, gift_price
from masthead.subscriptions.models import Plan, SandboxCharge
from tests.billing.pages import (
    BROOKLYN_FORM,
    DECLINED_CARD,
    START,
    browser_for,
    committed,
    hidden_value,
    visible_text,
)
from tests.gifts.conftest import TODAY, claim_link, emails_to, gift_fields, give

pytestmark = pytest.mark.django_db


def test_a_gift_costs_whole_years_at_the_yearly_price_and_other_months_at_the_monthly_one(db):
    monthly, yearly = Plan.objects.get(slug="digital-monthly"), Plan.objects.get(slug="digital-yearly")

    assert gift_price(3, monthly=monthly, yearly=yearly) == 2700
    assert gift_price(6, monthly=monthly, yearly=yearly) == 5400
    assert gift_price(12, monthly=monthly, yearly=yearly) == 9000
    assert gift_price(6, monthly=None, yearly=yearly) == 4500
    assert gift_price(12, monthly=monthly, yearly=None) == 10800
    year, quarter = find_option("print", 12), find_option("print", 3)
    assert (year.amount_cents, year.plan.slug) == (15000, "digital-print-yearly")
    assert (quarter.amount_cents, quarter.plan.slug) == (4500, "digital-print-monthly")


def test_the_gift_page_is_linked_from_the_plans_and_the_footer_and_shows_the_prices(anonymous):
    plans = anonymous.get("/subscribe/")
    assert 'href="/gifts/"' in plans.content.decode()

    page = anonymous.get("/gifts/")

    text = visible_text(page)
    assert "Digital 3 months $27.00" in text and "Digital + Print 12 months $150.00" in text
    assert "no-store" in page["Cache-Control"]  # a form token and a CSRF token: never the page cache's


def test_a_signed_in_giver_pays_once_and_the_recipient_is_emailed_the_same_day(reader_client, reader):
    done = give(reader_client, months=6)

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    assert "We will email it to gwen@example.com on March 10, 2027" in visible_text(done)
    [charge] = SandboxCharge.objects.all()
    assert (charge.amount_cents, charge.succeeded) == (5400, True)
    [receipt] = emails_to(reader.email)
    assert "receipt G-" in receipt.subject and "$54.00" in receipt.body
    [gift_email] = emails_to("gwen@example.com")
    assert "Happy birthday!" in gift_email.body and "/gifts/claim/" in gift_email.body
    account = visible_text(reader_client.get("/account/"))
    assert "Gwen Gifted (gwen@example.com)" in account and "Sent March 10, 2027" in account
    assert not entitlements_for(reader).digital  # the giver gets nothing from it


def test_a_giver_without_an_account_gives_an_email_and_the_gift_is_kept_in_a_new_account_for_it(anonymous):
    done = give(anonymous, giver_email="gus@example.com")

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    gus = get_user_model().objects.get(email="gus@example.com")
    assert not gus.has_usable_password()  # "forgot password" gives him one
    assert Gift.objects.get().giver == gus
    assert emails_to("gus@example.com")[0].subject.endswith("for your gift")


def test_a_giver_without_a_session_whose_email_has_an_account_has_the_gift_kept_in_it(anonymous, reader):
    give(anonymous, giver_email=reader.email.upper())

    assert Gift.objects.get().giver == reader
    assert get_user_model().objects.filter(email__iexact=reader.email).count() == 1


def test_an_address_another_account_added_but_never_verified_does_not_take_a_stranger_s_gift(anonymous, reader):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=reader, email="gus@example.com", verified=False, primary=False)

    give(anonymous, giver_email="gus@example.com")

    gift = Gift.objects.get()
    assert gift.giver != reader and gift.giver.email == "gus@example.com"
    assert not Gift.objects.filter(giver=reader).exists()
    assert "Gifts you gave" not in visible_text(browser_for(reader).get("/account/"))


def test_a_giver_without_a_session_whose_verified_second_address_has_an_account_has_the_gift_kept_in_it(
    anonymous, reader
):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=reader, email="rita.second@example.com", verified=True, primary=False)

    give(anonymous, giver_email="Rita.Second@example.com")

    assert Gift.objects.get().giver == reader


def test_a_later_delivery_day_is_emailed_then_once_however_often_the_delivery_run_goes(reader_client, clock):
    give(reader_client, deliver_on=TODAY + datetime.timedelta(days=14))
    assert emails_to("gwen@example.com") == []
    assert "Scheduled for March 24, 2027" in visible_text(reader_client.get("/account/"))

    clock.move_to(START + datetime.timedelta(days=13))
    with committed():
        tasks.deliver_due_gifts.enqueue()
    assert emails_to("gwen@example.com") == []

    clock.move_to(START + datetime.timedelta(days=14))
    with committed():
        tasks.deliver_due_gifts.enqueue()
        tasks.deliver_due_gifts.enqueue()
        tasks.deliver_gift_when_due.enqueue(Gift.objects.get().pk)
    assert len(emails_to("gwen@example.com")) == 1


def test_a_worker_that_died_while_sending_leaves_the_gift_to_the_next_run_once_its_lease_is_over(reader_client, clock):
    give(reader_client, deliver_on=TODAY + datetime.timedelta(days=1))
    clock.move_to(START + datetime.timedelta(days=1))
    # A worker claimed the send and died before the email went.
    Gift.objects.update(sending_until=START + datetime.timedelta(days=1, minutes=10))

    with committed():
        tasks.deliver_due_gifts.enqueue()
    assert emails_to("gwen@example.com") == []

    clock.shift(datetime.timedelta(minutes=11))
    with committed():
        tasks.deliver_due_gifts.enqueue()
    assert len(emails_to("gwen@example.com")) == 1


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"deliver_on": TODAY - datetime.timedelta(days=1)}, "Choose today or a later day."),
        ({"email": "not an email"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
        ({"months": 5}, "Select a valid choice."),
        ({"edition": "print"}, "This field is required."),  # a print gift with no address
    ],
)
def test_bad_input_shows_the_form_again_with_what_to_correct_and_charges_nothing(reader_client, fields, says):
    page = give(reader_client, follow=False, **fields)

    assert page.status_code == 200
    assert "Please correct the marked fields." in visible_text(page)
    assert says in visible_text(page)
    assert not SandboxCharge.objects.exists() and not Gift.objects.exists()


def test_a_declined_card_says_so_buys_nothing_and_the_next_card_is_a_new_payment(reader_client):
    page = give(reader_client, DECLINED_CARD, follow=False)

    assert "Your card was declined. Nothing was charged." in visible_text(page)
    assert not Gift.objects.filter(payment_status=Gift.PAID).exists()
    assert mail.outbox == []
    retry = give(reader_client)
    assert retry.redirect_chain[-1][0] == "/gifts/thanks/"


def test_pressing_pay_twice_with_the_same_form_charges_once(reader_client):
    form = reader_client.get("/gifts/")
    data = {**gift_fields(), "checkout_token": hidden_value(form, "checkout_token")}
    data.update({"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"})

    reader_client.post("/gifts/", data)
    reader_client.post("/gifts/", data)

    assert SandboxCharge.objects.count() == 1 and Gift.objects.count() == 1
    assert len(emails_to("gwen@example.com")) == 1


def test_when_the_bank_asks_the_giver_confirms_on_its_page_and_the_gift_is_bought(reader_client):
    to_the_bank = give(reader_client, "4000 0025 0000 3155", follow=False)
    assert to_the_bank.status_code == 302 and "/subscribe/authenticate/" in to_the_bank["Location"]
    assert not Gift.objects.filter(payment_status=Gift.PAID).exists()

    done = reader_client.post(to_the_bank["Location"], {"answer": "confirm"}, follow=True)

    assert done.redirect_chain[-1][0] == "/gifts/thanks/"
    assert Gift.objects.get().payment_status == Gift.PAID
    assert len(emails_to("gwen@example.com")) == 1


def test_a_print_gift_keeps_the_address_the_giver_typed_for_the_recipient_to_confirm(reader_client):
    give(reader_client, edition="print", months=12, address=BROOKLYN_FORM)

    gift = Gift.objects.get()
    assert (gift.amount_cents, gift.plan.slug) == (15000, "digital-print-yearly")
    assert gift.address["city"] == "Brooklyn"
    claim_page = browser_for(gift.giver).get(claim_link("gwen@example.com"))
    assert 'value="12 Court Street"' in claim_page.content.decode()
