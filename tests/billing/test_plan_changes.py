"""Switching monthly and yearly, adding or removing print, and staff price changes: all at the next renewal."""

from __future__ import annotations

import datetime

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Plan, PostalAddress, SandboxCharge, Subscription
from tests.billing.pages import BROOKLYN_FORM, START, address_fields, visible_text

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
YEAR_END = datetime.datetime(2028, 3, 10, 9, 0, tzinfo=datetime.UTC)


def amounts_charged() -> list[int]:
    return list(SandboxCharge.objects.filter(succeeded=True).order_by("pk").values_list("amount_cents", flat=True))


def test_the_plan_page_says_changes_wait_for_the_next_renewal(subscriber_client):
    text = visible_text(subscriber_client.get("/account/plan/"))

    assert "You are on Digital, monthly. Changes take effect at your next renewal, on April 10, 2027." in text


def test_switching_from_monthly_to_yearly_takes_effect_at_the_next_renewal(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(START + datetime.timedelta(days=5))

    response = subscriber_client.post("/account/plan/", {"interval": "year"}, follow=True)

    text = visible_text(response)
    assert "From your next renewal you will be on Digital, yearly at $90.00." in text
    assert "Plan Digital, monthly" in text
    assert "Next renewal April 10, 2027: $90.00 (Digital, yearly)" in text
    assert amounts_charged() == [900]

    clock.move_to(MONTH_END)
    run_renewals()

    assert amounts_charged() == [900, 9000]
    account = visible_text(subscriber_client.get("/account/"))
    assert "Plan Digital, yearly" in account
    assert "Next renewal April 10, 2028: $90.00" in account


def test_switching_from_yearly_to_monthly_and_dropping_print_takes_effect_at_the_next_renewal(
    print_subscriber_client, print_subscriber, clock, run_renewals
):
    response = print_subscriber_client.post("/account/plan/", {"interval": "month"}, follow=True)

    assert "From your next renewal you will be on Digital, monthly at $9.00." in visible_text(response)
    clock.move_to(YEAR_END - datetime.timedelta(days=1))
    run_renewals()
    assert entitlements_for(print_subscriber).print
    assert amounts_charged() == [15000]

    clock.move_to(YEAR_END)
    run_renewals()

    assert amounts_charged() == [15000, 900]
    assert not entitlements_for(print_subscriber).print
    assert entitlements_for(print_subscriber).digital
    assert "Next renewal April 10, 2028: $9.00" in visible_text(print_subscriber_client.get("/account/"))


def test_changing_your_mind_before_the_renewal_keeps_the_plan(subscriber_client, clock, run_renewals):
    subscriber_client.post("/account/plan/", {"interval": "year"})

    response = subscriber_client.post("/account/plan/", {"interval": "month"}, follow=True)

    assert "You will stay on Digital, monthly." in visible_text(response)
    clock.move_to(MONTH_END)
    run_renewals()
    assert amounts_charged() == [900, 900]


def test_adding_print_asks_for_an_address_when_the_reader_has_none(subscriber_client, subscriber):
    response = subscriber_client.post("/account/plan/", {"interval": "month", "includes_print": "on"})

    assert response.status_code == 200
    text = visible_text(response)
    assert "Where should we mail the print edition?" in text
    assert "This field is required." in text
    assert Subscription.objects.get(reader=subscriber).next_plan is None
    assert not PostalAddress.objects.filter(reader=subscriber).exists()


def test_adding_print_saves_the_address_now_and_starts_print_at_the_next_renewal(
    subscriber_client, subscriber, clock, run_renewals
):
    response = subscriber_client.post(
        "/account/plan/", {"interval": "month", "includes_print": "on", **address_fields(BROOKLYN_FORM)}, follow=True
    )

    text = visible_text(response)
    assert "From your next renewal you will be on Digital + Print, monthly at $15.00." in text
    assert "Print address Pat Print 12 Court Street BROOKLYN, NY 11201 UNITED STATES" in text
    assert "Next renewal April 10, 2027: $15.00 (Digital + Print, monthly)" in text
    assert not entitlements_for(subscriber).print

    clock.move_to(MONTH_END)
    run_renewals()

    assert amounts_charged() == [900, 1500]
    assert entitlements_for(subscriber).print
    assert "Plan Digital + Print, monthly" in visible_text(subscriber_client.get("/account/"))


def test_a_bad_address_when_adding_print_is_shown_again_with_what_was_typed(subscriber_client, subscriber):
    response = subscriber_client.post(
        "/account/plan/",
        {"interval": "year", "includes_print": "on", **address_fields({**BROOKLYN_FORM, "postal_code": "112"})},
    )

    assert "Enter a ZIP code such as 10000." in visible_text(response)
    assert 'name="address-line1" value="12 Court Street"' in response.content.decode()
    assert Subscription.objects.get(reader=subscriber).next_plan is None


def test_a_price_change_by_staff_applies_at_the_next_renewal_not_mid_period(
    subscriber_client, subscriber, clock, run_renewals
):
    clock.move_to(START + datetime.timedelta(days=12))
    Plan.objects.filter(slug="digital-monthly").update(price_cents=1100)
    run_renewals()

    assert amounts_charged() == [900]
    assert entitlements_for(subscriber).digital
    assert "Next renewal April 10, 2027: $11.00" in visible_text(subscriber_client.get("/account/"))

    clock.move_to(MONTH_END)
    run_renewals()

    assert amounts_charged() == [900, 1100]
