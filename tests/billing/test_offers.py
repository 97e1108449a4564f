"""Offer codes at checkout: money off the first period or periods, as readers apply, see and pay them."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from masthead.subscriptions.models import Offer, Payment, Plan, SandboxCharge, Subscription
from tests.billing.pages import (
    START,
    ReaderBrowser,
    browser_for,
    card_fields,
    hidden_value,
    visible_text,
)

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)


def make_offer(code: str = "SPRING25", **fields) -> Offer:
    plans = fields.pop("plans", [])
    fields = {"name": "Spring mailing", "kind": Offer.PERCENT, "percent_off": 25, **fields}
    offer = Offer(code=code, **fields)
    offer.full_clean()
    offer.save()
    offer.plans.set(Plan.objects.filter(slug__in=plans))
    return offer


def apply(client: ReaderBrowser, code: str, plan: str = "digital-monthly"):
    return client.post("/subscribe/offer/", {"code": code, "plan": plan}, follow=True)


def pay_shown_price(client: ReaderBrowser, plan: str = "digital-monthly", card: str = "4242 4242 4242 4242"):
    """Press Pay on the checkout page as it is shown (with whatever offer it carries)."""
    page = client.get(f"/subscribe/{plan}/")
    data = card_fields(card, hidden_value(page, "checkout_token"))
    if 'name="offer_code"' in page.content.decode():
        data["offer_code"] = hidden_value(page, "offer_code")
    return client.post(f"/subscribe/{plan}/", data, follow=True)


def charged() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("amount_cents", flat=True))


def test_a_reader_applies_a_code_sees_its_terms_and_pays_the_discounted_price(reader_client, reader):
    make_offer(periods=3)

    page = apply(reader_client, "  spring25 ")  # as readers type it

    text = visible_text(page)
    assert page.redirect_chain[-1][0] == "/subscribe/digital-monthly/"
    assert "SPRING25: 25% off your first 3 months: $6.75 a month, then $9.00 a month." in text
    assert "Pay $6.75" in text

    account = visible_text(pay_shown_price(reader_client))

    assert "Welcome! Your Digital, monthly subscription is active." in account
    subscription = Subscription.objects.get(reader=reader)
    assert subscription.offer.code == "SPRING25"
    assert charged() == [675]
    assert "Next renewal April 10, 2027: $6.75 with offer SPRING25" in account
    receipt = next(message for message in mail.outbox if "receipt" in message.subject)
    assert "$6.75" in receipt.body


def test_the_discount_lasts_its_periods_then_the_plan_price_is_charged(reader_client, reader, clock, run_renewals):
    make_offer(periods=3)
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)

    for month in range(1, 5):
        clock.move_to(START.replace(month=3 + month) + datetime.timedelta(minutes=5))
        assert run_renewals()["renewed"] == 1

    assert charged() == [675, 675, 675, 900, 900]
    assert "Next renewal August 10, 2027: $9.00" in visible_text(reader_client.get("/account/"))


def test_an_amount_off_the_first_period_only(reader_client, reader, clock, run_renewals):
    make_offer("WELCOME3", kind=Offer.AMOUNT, percent_off=None, amount_off_cents=300, currency="usd")

    text = visible_text(apply(reader_client, "welcome3"))
    assert "WELCOME3: $3.00 off your first month: $6.00, then $9.00 a month." in text

    pay_shown_price(reader_client)
    clock.move_to(MONTH_END + datetime.timedelta(minutes=5))
    run_renewals()

    assert charged() == [600, 900]


def test_a_yearly_plan_discount_reads_in_years(reader_client):
    make_offer(percent_off=10, periods=2)

    text = visible_text(apply(reader_client, "SPRING25", plan="digital-yearly"))

    assert "10% off your first 2 years: $81.00 a year, then $90.00 a year." in text


def test_the_plans_page_shows_an_applied_code_on_the_plans_it_is_for(reader_client):
    make_offer(plans=["digital-yearly"])

    page = reader_client.get("/subscribe/offer/?code=spring25", follow=True)

    text = visible_text(page)
    assert page.redirect_chain[-1][0] == "/subscribe/"
    assert "Offer SPRING25 applied" in text
    assert "Digital, yearly $90.00 / year SPRING25: 25% off your first year: $67.50, then $90.00 a year." in text
    assert text.count("SPRING25:") == 1


@pytest.mark.parametrize(
    ("offer", "plan", "message"),
    [
        ({"code": "NOPE"}, "digital-monthly", "We do not know the code NOPE. Please check it and try again."),
        ({"ends_at": START - datetime.timedelta(days=1)}, "digital-monthly", "The offer SPRING25 has ended."),
        ({"is_active": False}, "digital-monthly", "The offer SPRING25 has ended."),
        (
            {"starts_at": START + datetime.timedelta(days=5)},
            "digital-monthly",
            "The offer SPRING25 starts on March 15, 2027.",
        ),
        (
            {"plans": ["digital-yearly"]},
            "digital-monthly",
            "The offer SPRING25 is not available for Digital, monthly. It is for Digital, yearly.",
        ),
        (
            {"kind": Offer.AMOUNT, "percent_off": None, "amount_off_cents": 300, "currency": "EUR"},
            "digital-monthly",
            "The offer SPRING25 is not available for Digital, monthly.",
        ),
    ],
    ids=["unknown", "expired", "switched-off", "not-yet", "other-plan", "other-currency"],
)
def test_a_code_that_cannot_be_used_says_why_and_the_full_price_stands(reader_client, offer, plan, message):
    if offer.get("code") != "NOPE":
        make_offer(**offer)

    text = visible_text(apply(reader_client, offer.get("code", "SPRING25"), plan=plan))

    assert message in text
    assert "Pay $9.00" in text or "Pay $90.00" in text
    assert "off your first" not in text


def test_a_used_up_code_and_a_code_used_before_by_the_same_reader(reader_client, reader, make_user):
    make_offer(max_redemptions=1)
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)

    other = browser_for(make_user("olga"))
    assert "The offer SPRING25 has been used up." in visible_text(apply(other, "SPRING25"))

    Offer.objects.update(max_redemptions=None)
    reader_client.post("/account/refund/")  # money back: the subscription has ended
    assert "You have already used the offer SPRING25." in visible_text(apply(reader_client, "SPRING25"))


def test_a_code_that_ends_while_the_page_is_open_charges_nothing_and_says_so(reader_client, reader):
    offer = make_offer()
    apply(reader_client, "SPRING25")
    page = reader_client.get("/subscribe/digital-monthly/")
    Offer.objects.filter(pk=offer.pk).update(is_active=False)

    data = card_fields("4242 4242 4242 4242", hidden_value(page, "checkout_token"))
    data["offer_code"] = "SPRING25"
    text = visible_text(reader_client.post("/subscribe/digital-monthly/", data))

    assert "The offer SPRING25 has ended. Nothing was charged; you can pay the full price below." in text
    assert "Pay $9.00" in text
    assert charged() == []
    assert not Subscription.objects.filter(reader=reader).exists()


def test_a_checkout_opened_with_a_code_cannot_be_paid_without_it(reader_client, reader):
    make_offer()
    apply(reader_client, "SPRING25")
    token = hidden_value(reader_client.get("/subscribe/digital-monthly/"), "checkout_token")
    declined = card_fields("4000 0000 0000 0002", token)
    reader_client.post("/subscribe/digital-monthly/", {**declined, "offer_code": "SPRING25"})
    reader_client.post("/subscribe/offer/", {"plan": "digital-monthly", "remove": "1"})

    # The same form sent again by hand, without the code and with another card: the token stands for the offer.
    replay = card_fields("4242 4242 4242 4242", token)
    text = visible_text(reader_client.post("/subscribe/digital-monthly/", replay))

    assert "This payment form was already used for another payment, so nothing was charged now." in text
    assert charged() == []
    assert not Subscription.objects.filter(reader=reader).exists()


def test_removing_a_code_brings_back_the_full_price(reader_client):
    make_offer()
    apply(reader_client, "SPRING25")

    page = reader_client.post("/subscribe/offer/", {"plan": "digital-monthly", "remove": "1"}, follow=True)

    text = visible_text(page)
    assert "Pay $9.00" in text and "SPRING25" not in text


def test_the_money_back_guarantee_returns_the_discounted_payment_as_paid(reader_client, reader):
    make_offer()
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)

    reader_client.post("/account/refund/")

    [charge] = SandboxCharge.objects.all()
    assert (charge.amount_cents, charge.refunded_cents) == (675, 675)
    assert Subscription.objects.get(reader=reader).status == Subscription.REFUNDED


def test_guessing_codes_is_rate_limited(reader_client, settings):
    settings.RATE_LIMITS = {"offer_code": {**settings.RATE_LIMITS["offer_code"], "per_reader": "3/h"}}
    for guess in ("A1", "B2", "C3"):
        assert apply(reader_client, guess).status_code == 200

    assert reader_client.post("/subscribe/offer/", {"code": "D4", "plan": "digital-monthly"}).status_code == 429


def test_staff_rules_for_a_code_are_checked_when_it_is_saved(db):
    with pytest.raises(Exception) as refused:
        Offer(code="BAD CODE!", name="x", kind=Offer.PERCENT, percent_off=100).full_clean()

    errors = refused.value.message_dict
    assert errors["code"] == ["Letters, digits, - and _ only, e.g. SPRING25."]
    assert errors["percent_off"] == ["Give a percentage from 1 to 99 (a free period is a trial)."]


def test_payments_of_a_discounted_subscription_are_what_the_ledger_says(reader_client, reader):
    make_offer()
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)

    [payment] = Payment.objects.filter(subscription__reader=reader)
    assert (payment.amount_cents, payment.status) == (675, Payment.SUCCEEDED)


def test_a_code_is_looked_up_only_at_its_door_not_from_a_form_sent_by_hand(reader_client, reader):
    make_offer()
    page = reader_client.get("/subscribe/digital-monthly/")  # no code applied
    data = {**card_fields("4242 4242 4242 4242", hidden_value(page, "checkout_token")), "offer_code": "SPRING25"}

    text = visible_text(reader_client.post("/subscribe/digital-monthly/", data))

    assert "The offer on this page has changed since it was shown. Nothing was charged" in text
    assert charged() == []


def test_a_switch_to_another_interval_ends_the_discount(reader_client, reader, clock, run_renewals):
    make_offer(periods=3)
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)
    reader_client.post("/account/plan/", {"interval": "year"})

    clock.move_to(MONTH_END + datetime.timedelta(minutes=5))
    run_renewals()

    assert charged() == [675, 9000]


def test_staff_editing_a_code_later_does_not_reprice_who_redeemed_it(reader_client, reader, clock, run_renewals):
    offer = make_offer(periods=3)
    apply(reader_client, "SPRING25")
    pay_shown_price(reader_client)
    Offer.objects.filter(pk=offer.pk).update(percent_off=90, periods=1)

    clock.move_to(MONTH_END + datetime.timedelta(minutes=5))
    run_renewals()

    assert charged() == [675, 675]
