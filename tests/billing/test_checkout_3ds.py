"""3-D Secure at checkout on the sandbox: the bank's page asks, the reader confirms or fails, the ledger records once.

The sandbox's test cards are Stripe's: 4000 0025 0000 3155 asks at checkout, 4000 0027 6000 3184
asks at checkout and at every renewal, 4000 0084 0000 1629 asks and then declines. Its bank page
(/subscribe/authenticate/<ref>/) stands in for the bank's own, with a Confirm and a Fail button.
"""

from __future__ import annotations

import re

from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Checkout, Payment, PostalAddress, SandboxCharge, Subscription
from tests.billing.pages import BROOKLYN_FORM, GOOD_CARD, address_fields, card_fields, hidden_value, visible_text

ASKS_AT_CHECKOUT = "4000 0025 0000 3155"
ASKS_ALWAYS = "4000 0027 6000 3184"
ASKS_THEN_DECLINES = "4000 0084 0000 1629"
NOT_CONFIRMED = (
    "Your bank did not confirm the payment, so your subscription has not started. "
    "Nothing was charged. You can try again, or use another card."
)


def money_moved() -> int:
    return sum(charge.amount_cents for charge in SandboxCharge.objects.filter(succeeded=True))


def press_pay(client, plan_slug: str, card: str, *, address: dict[str, str] | None = None):
    """Fill in the checkout form and press Pay; returns the answer without following it."""
    form = client.get(f"/subscribe/{plan_slug}/")
    data = card_fields(card, hidden_value(form, "checkout_token"))
    data.update(address_fields(address or {}))
    return client.post(f"/subscribe/{plan_slug}/", data)


def at_the_bank(client, answer):
    """Follow Pay to the bank's page, check what it asks, press `answer`; returns the bank's redirect."""
    assert re.fullmatch(r"/subscribe/authenticate/[\w-]+/\?return=.+", answer["Location"]), answer["Location"]
    bank = client.get(answer["Location"])
    text = visible_text(bank)
    assert "Sandbox bank: confirm your payment" in text
    return bank, text


def test_a_card_whose_bank_asks_is_confirmed_on_the_bank_page_and_the_reader_is_subscribed(reader_client, reader):
    answer = press_pay(reader_client, "digital-monthly", ASKS_AT_CHECKOUT)

    bank, text = at_the_bank(reader_client, answer)
    assert "Merchant The Masthead Review Amount $9.00 Card Visa ending 3155" in text
    assert money_moved() == 0
    assert not entitlements_for(reader).digital

    done = reader_client.post(answer["Location"], {"answer": "confirm"}, follow=True)

    assert done.redirect_chain[-1][0] == "/account/"
    page = visible_text(done)
    assert "Welcome! Your Digital, monthly subscription is active." in page
    assert "Card Visa ending 3155" in page
    assert money_moved() == 900
    assert entitlements_for(reader).digital
    assert sorted(re.sub(r"R-\d+", "R-…", email.subject) for email in mail.outbox) == [
        "The Masthead Review: receipt R-…",
        "The Masthead Review: welcome, subscriber",
    ]


def test_failing_the_bank_page_starts_no_subscription_charges_nothing_and_says_so(reader_client, reader):
    answer = press_pay(reader_client, "digital-monthly", ASKS_AT_CHECKOUT)
    at_the_bank(reader_client, answer)

    back = reader_client.post(answer["Location"], {"answer": "fail"}, follow=True)

    assert back.redirect_chain[-1][0].startswith("/subscribe/digital-monthly/confirm/")
    assert NOT_CONFIRMED in visible_text(back)
    assert "Pay $9.00" in visible_text(back)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert money_moved() == 0
    assert Checkout.objects.get().status == Checkout.DECLINED
    assert mail.outbox == []


def test_after_failing_the_bank_the_reader_pays_with_another_card_on_a_new_checkout(reader_client, reader):
    answer = press_pay(reader_client, "digital-monthly", ASKS_AT_CHECKOUT)
    back = reader_client.post(answer["Location"], {"answer": "fail"}, follow=True)

    paid = reader_client.post(
        "/subscribe/digital-monthly/", card_fields(GOOD_CARD, hidden_value(back, "checkout_token")), follow=True
    )

    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(paid)
    assert money_moved() == 900
    assert Checkout.objects.count() == 2


def test_a_card_declined_after_its_bank_is_confirmed_says_declined_and_charges_nothing(reader_client, reader):
    answer = press_pay(reader_client, "digital-monthly", ASKS_THEN_DECLINES)

    back = reader_client.post(answer["Location"], {"answer": "confirm"}, follow=True)

    assert "Your card was declined. Nothing was charged. Try another card." in visible_text(back)
    assert not Subscription.objects.filter(reader=reader).exists()
    assert money_moved() == 0


def test_a_reader_who_closes_the_tab_after_confirming_is_subscribed_once_and_the_return_page_agrees(
    reader_client, reader
):
    answer = press_pay(reader_client, "digital-monthly", ASKS_AT_CHECKOUT)
    confirmed = reader_client.post(answer["Location"], {"answer": "confirm"})  # and the tab is closed

    # The bank told the ledger as it answered, as Stripe's webhook does.
    subscription = Subscription.objects.get(reader=reader)
    assert subscription.status == Subscription.ACTIVE
    assert entitlements_for(reader).digital

    for _ in range(2):  # the return page, reached later, twice
        back = reader_client.get(confirmed["Location"], follow=True)
        assert back.redirect_chain[-1][0] == "/account/"
        assert "Status Active" in visible_text(back)
    assert Subscription.objects.filter(reader=reader).count() == 1
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert money_moved() == 900


def test_pressing_pay_again_while_the_bank_waits_goes_back_to_the_same_bank_page_and_charges_once(
    reader_client, reader
):
    form = reader_client.get("/subscribe/digital-monthly/")
    data = card_fields(ASKS_AT_CHECKOUT, hidden_value(form, "checkout_token"))
    first = reader_client.post("/subscribe/digital-monthly/", data)
    second = reader_client.post("/subscribe/digital-monthly/", data)

    assert second["Location"] == first["Location"]
    assert SandboxCharge.objects.count() == 1
    reader_client.post(first["Location"], {"answer": "confirm"})
    third = reader_client.post("/subscribe/digital-monthly/", data, follow=True)  # the form, sent a third time
    assert "Welcome! Your Digital, monthly subscription is active." in visible_text(third)
    assert money_moved() == 900


def test_the_bank_page_answers_once_and_sends_nobody_to_another_site(reader_client, reader, anonymous):
    answer = press_pay(reader_client, "digital-monthly", ASKS_AT_CHECKOUT)
    ref_page = answer["Location"].split("?")[0]

    elsewhere = reader_client.post(f"{ref_page}?return=https://evil.example/", {"answer": "confirm"})
    again = reader_client.post(f"{ref_page}?return=https://evil.example/", {"answer": "fail"})

    assert elsewhere["Location"] == again["Location"] == "/account/"
    assert SandboxCharge.objects.get().succeeded  # the first answer stands
    assert anonymous.get("/subscribe/authenticate/not-a-payment/").status_code == 404


def test_a_print_subscription_confirmed_at_the_bank_keeps_its_address(reader_client, reader):
    answer = press_pay(reader_client, "digital-print-monthly", ASKS_ALWAYS, address=BROOKLYN_FORM)

    done = reader_client.post(answer["Location"], {"answer": "confirm"}, follow=True)

    assert "Print address Pat Print 12 Court Street BROOKLYN, NY 11201 UNITED STATES" in visible_text(done)
    assert PostalAddress.objects.filter(reader=reader).count() == 1


def test_the_sandbox_has_no_card_setup_for_stripe_js(reader_client):
    assert reader_client.post("/subscribe/digital-monthly/card/", {"checkout_token": "t"}).status_code == 404
