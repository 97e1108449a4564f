"""Buying a subscription at /subscribe/: the plans, checkout, cards that work and cards that don't."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Plan, PostalAddress, SandboxCharge, Subscription
from tests.billing.pages import (
    BROOKLYN_FORM,
    DECLINED_CARD,
    DECLINES_WHEN_CHARGED,
    GOOD_CARD,
    INSUFFICIENT_FUNDS_CARD,
    LONDON_FORM,
    ReaderBrowser,
    address_fields,
    card_fields,
    hidden_value,
    pay,
    visible_text,
)


def money_moved() -> int:
    return sum(charge.amount_cents for charge in SandboxCharge.objects.filter(succeeded=True))


def test_the_subscribe_page_lists_the_four_plans_with_their_prices(anonymous):
    text = visible_text(anonymous.get("/subscribe/"))

    assert "Digital, monthly $9.00 / month 24 issues per year" in text
    assert "Digital, yearly $90.00 / year 24 issues per year" in text
    assert "Digital + Print, monthly $15.00 / month 24 issues per year" in text
    assert "Digital + Print, yearly $150.00 / year 24 issues per year" in text
    assert text.count("60-day money-back guarantee") == 4
    assert text.count("The print edition, mailed to you") == 2


def test_the_offer_shows_what_staff_wrote_and_only_the_plans_on_offer(anonymous, reader_client):
    Plan.objects.filter(slug="digital-yearly").update(
        name="Digital, a whole year", price_cents=7900, description="Two months free."
    )
    Plan.objects.filter(slug="digital-print-monthly").update(is_active=False)

    text = visible_text(anonymous.get("/subscribe/"))

    assert "Digital, a whole year $79.00 / year Two months free." in text
    assert "Digital + Print, monthly" not in text
    assert reader_client.get("/subscribe/digital-print-monthly/").status_code == 404


def test_checkout_sends_a_visitor_to_log_in_and_back(anonymous, reader):
    response = anonymous.get("/subscribe/digital-monthly/")
    assert response["Location"] == "/account/login/?next=/subscribe/digital-monthly/"

    after_login = anonymous.post(
        response["Location"], {"login": "rita@example.com", "password": "correct horse battery staple"}, follow=True
    )

    assert after_login.redirect_chain[-1][0] == "/subscribe/digital-monthly/"
    assert "Pay $9.00" in visible_text(after_login)


def test_paying_with_a_good_card_starts_access_at_once_and_shows_the_subscription(reader_client, reader):
    assert not entitlements_for(reader).digital

    response = pay(reader_client, "digital-monthly", GOOD_CARD)

    assert entitlements_for(reader).digital
    assert response.redirect_chain[-1][0] == "/account/"
    text = visible_text(response)
    assert "Welcome! Your Digital, monthly subscription is active." in text
    assert "Plan Digital, monthly" in text
    assert "Status Active" in text
    assert "Next renewal April 10, 2027: $9.00" in text
    assert "Card Visa ending 4242" in text
    assert re.search(r"Mar 10, 2027 Digital, monthly \$9\.00 R-\d{6} \(PDF\)", text)
    assert money_moved() == 900


def test_a_new_subscriber_is_emailed_a_welcome_and_a_receipt(reader_client):
    pay(reader_client, "digital-yearly", GOOD_CARD)

    welcome, receipt = sorted(mail.outbox, key=lambda email: "receipt" in email.subject)
    assert welcome.to == receipt.to == ["rita@example.com"]
    assert welcome.subject == "The Masthead Review: welcome, subscriber"
    assert "Your Digital, yearly subscription is active" in welcome.body
    assert re.fullmatch(r"The Masthead Review: receipt R-\d{6}", receipt.subject)
    assert "Digital, yearly: $90.00" in receipt.body
    assert "Period: March 10, 2027 to March 10, 2028" in receipt.body


def test_a_declined_card_shows_a_clear_message_and_charges_nothing(reader_client, reader):
    response = pay(reader_client, "digital-monthly", DECLINED_CARD)

    assert response.status_code == 200
    assert "Your card was declined. Nothing was charged. Try another card." in visible_text(response)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert not SandboxCharge.objects.exists()
    assert not entitlements_for(reader).digital
    assert mail.outbox == []


def test_a_card_with_insufficient_funds_says_so_and_starts_no_subscription(reader_client, reader):
    response = pay(reader_client, "digital-monthly", INSUFFICIENT_FUNDS_CARD)

    assert "Your card has insufficient funds. Nothing was charged." in visible_text(response)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert money_moved() == 0
    assert not entitlements_for(reader).digital


def test_a_card_that_stores_but_declines_when_charged_starts_no_subscription(reader_client, reader):
    response = pay(reader_client, "digital-yearly", DECLINES_WHEN_CHARGED)

    assert "Your card was declined. Nothing was charged. Try another card." in visible_text(response)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert money_moved() == 0


def test_after_a_decline_the_reader_can_pay_with_another_card(reader_client, reader):
    declined = pay(reader_client, "digital-monthly", INSUFFICIENT_FUNDS_CARD)

    retry = reader_client.post(
        "/subscribe/digital-monthly/", card_fields(GOOD_CARD, hidden_value(declined, "checkout_token")), follow=True
    )

    assert "Status Active" in visible_text(retry)
    assert money_moved() == 900
    assert entitlements_for(reader).digital


def test_a_card_form_with_mistakes_is_shown_again_with_messages_and_charges_nothing(reader_client):
    form = reader_client.get("/subscribe/digital-monthly/")
    token = hidden_value(form, "checkout_token")

    response = reader_client.post(
        "/subscribe/digital-monthly/",
        {"checkout_token": token, "card_number": "4242", "expiry": "01/20", "cvc": "x"},
    )

    text = visible_text(response)
    assert "Please correct the marked fields." in text
    assert "Enter the long number on the front of your card." in text
    assert "This card has expired." in text
    assert "Enter the 3 or 4 digits on your card." in text
    assert not SandboxCharge.objects.exists()


def test_second_click_on_pay_makes_one_subscription_and_one_charge(reader_client, reader):
    form = reader_client.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))

    first = reader_client.post("/subscribe/digital-monthly/", data, follow=True)
    second = reader_client.post("/subscribe/digital-monthly/", data, follow=True)

    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0] == "/account/"
    assert "Status Active" in visible_text(second)
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert SandboxCharge.objects.count() == 1
    assert money_moved() == 900


def test_buying_again_while_subscribed_leads_to_the_account_page_without_a_charge(subscriber_client, subscriber):
    offer = visible_text(subscriber_client.get("/subscribe/"))
    assert "You are a subscriber (Digital, monthly). Manage your subscription." in offer
    assert "Choose Digital, yearly" not in offer

    again = subscriber_client.post("/subscribe/digital-yearly/", card_fields(GOOD_CARD, "a-fresh-token"), follow=True)

    assert again.redirect_chain[-1][0] == "/account/"
    assert "You already have a subscription; you can change it here." in visible_text(again)
    assert Subscription.objects.filter(reader=subscriber).count() == 1
    assert money_moved() == 900


def test_a_lapsed_subscriber_sees_the_plans_again_and_can_come_back(lapsed_subscriber_client, lapsed_subscriber):
    assert not entitlements_for(lapsed_subscriber).digital
    assert "Choose Digital, monthly" in visible_text(lapsed_subscriber_client.get("/subscribe/"))

    response = pay(lapsed_subscriber_client, "digital-yearly", GOOD_CARD)

    assert "Next renewal March 10, 2028: $90.00" in visible_text(response)
    assert entitlements_for(lapsed_subscriber).digital


def test_a_print_plan_mails_to_the_address_given_at_checkout(reader_client, reader):
    response = pay(reader_client, "digital-print-monthly", GOOD_CARD, address=BROOKLYN_FORM)

    text = visible_text(response)
    assert "Plan Digital + Print, monthly" in text
    assert "Print address Pat Print 12 Court Street BROOKLYN, NY 11201 UNITED STATES" in text
    assert entitlements_for(reader).print
    assert money_moved() == 1500


def test_a_uk_postcode_is_accepted_and_tidied(reader_client, reader):
    pay(reader_client, "digital-print-yearly", GOOD_CARD, address={**LONDON_FORM, "postal_code": "sw1a2aa"})

    assert PostalAddress.objects.get(reader=reader).postal_code == "SW1A2AA"
    assert entitlements_for(reader).print


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param({**BROOKLYN_FORM, "line1": "", "city": ""}, "This field is required.", id="missing-fields"),
        pytest.param({**BROOKLYN_FORM, "region": ""}, "Enter the state.", id="missing-us-state"),
        pytest.param({**BROOKLYN_FORM, "postal_code": "1120"}, "Enter a ZIP code such as 10000.", id="bad-us-zip"),
        pytest.param(
            {**LONDON_FORM, "postal_code": "SW1A 2A"}, "Enter a postal code such as EC1Y 8SY.", id="bad-uk-postcode"
        ),
        pytest.param({**BROOKLYN_FORM, "country": ""}, "This field is required.", id="no-country"),
    ],
)
def test_a_print_plan_with_a_bad_address_is_shown_again_with_what_was_typed(reader_client, reader, address, message):
    response = pay(reader_client, "digital-print-monthly", GOOD_CARD, address=address)

    assert response.status_code == 200
    text = visible_text(response)
    assert "Please correct the marked fields." in text
    assert message in text
    page = response.content.decode()
    for field, value in address.items():
        if value and field != "country":
            assert f'name="address-{field}" value="{value}"' in page.replace("&#x27;", "'")
    if address["country"]:
        assert f'<option value="{address["country"]}" selected>' in page
    assert not Subscription.objects.filter(reader=reader).exists()
    assert not SandboxCharge.objects.exists()


def test_checkout_refuses_a_form_posted_without_its_csrf_token(reader):
    browser = ReaderBrowser(enforce_csrf_checks=True)
    browser.force_login(reader)
    form = browser.get("/subscribe/digital-monthly/")
    data = card_fields(GOOD_CARD, hidden_value(form, "checkout_token"))

    forged = browser.post("/subscribe/digital-monthly/", data)
    assert forged.status_code == 403
    assert not SandboxCharge.objects.exists()

    genuine = browser.post(
        "/subscribe/digital-monthly/", {**data, "csrfmiddlewaretoken": hidden_value(form, "csrfmiddlewaretoken")}
    )
    assert genuine["Location"] == "/account/"
    assert entitlements_for(reader).digital


def test_the_account_forms_refuse_posts_without_a_csrf_token(subscriber):
    browser = ReaderBrowser(enforce_csrf_checks=True)
    browser.force_login(subscriber)

    for url, data in [
        ("/account/cancel/", {"reason": "other"}),
        ("/account/resume/", {}),
        ("/account/refund/", {}),
        ("/account/plan/", {"interval": "year"}),
        ("/account/address/", address_fields(BROOKLYN_FORM)),
        ("/account/logout/", {}),
    ]:
        assert browser.post(url, data).status_code == 403, url

    assert entitlements_for(subscriber).digital
    assert "Status Active" in visible_text(browser.get("/account/"))
