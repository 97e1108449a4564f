"""Amounts are whole minor units with the currency's own exponent: a yen is a yen, not a hundredth of one."""

from __future__ import annotations

import pytest

from masthead.subscriptions.models import Plan, SandboxCharge
from masthead.subscriptions.money import MoneyError, currency_problem, format_money, format_units, parse_money
from tests.billing.pages import pay, visible_text


@pytest.fixture
def yen_plan(db) -> Plan:
    """Digital, monthly for readers in Japan: ¥1,200 a month."""
    return Plan.objects.create(
        name="Digital, monthly (Japan)",
        slug="digital-monthly-jp",
        interval=Plan.MONTHLY,
        price_cents=1200,
        currency="JPY",
    )


def test_a_yen_plan_shows_its_price_in_yen_and_a_dollar_plan_in_dollars(anonymous, yen_plan):
    text = visible_text(anonymous.get("/subscribe/"))

    assert "¥1,200 / month" in text
    assert "$9.00 / month" in text
    assert "¥12.00" not in text and "¥120,000" not in text


def test_a_yen_plan_is_charged_1200_yen_and_its_receipt_says_so(reader_client, yen_plan):
    page = reader_client.get("/subscribe/digital-monthly-jp/")
    assert "¥1,200 a month" in visible_text(page)

    pay(reader_client, "digital-monthly-jp")

    charge = SandboxCharge.objects.get()
    assert (charge.amount_cents, charge.currency, charge.succeeded) == (1200, "JPY", True)
    account = visible_text(reader_client.get("/account/"))
    assert "¥1,200" in account


def test_amounts_are_written_by_babel_with_the_currencys_own_decimals():
    assert format_money(900, "USD") == "$9.00"
    assert format_money(1200, "JPY") == "¥1,200"
    assert format_money(123456, "EUR") == "€1,234.56"
    assert format_money(1500, "KWD") == "KWD1.500"  # three decimals
    assert format_units(1200, "JPY") == "1200"
    assert format_units(900, "USD") == "9.00"


@pytest.mark.parametrize(
    ("text", "currency", "minor_units"),
    [
        ("9.00", "USD", 900),
        ("9", "USD", 900),
        ("1,234.50", "USD", 123450),
        ("1200", "JPY", 1200),
        ("1,200", "JPY", 1200),
    ],
)
def test_staff_amounts_are_read_in_the_currencys_minor_units(text, currency, minor_units):
    assert parse_money(text, currency) == minor_units


@pytest.mark.parametrize(
    ("text", "currency", "says"),
    [
        ("9.005", "USD", "USD has 2 decimal places at most"),
        ("1200.50", "JPY", "JPY has no smaller unit"),
        ("-5", "USD", "as digits"),
        ("1e3", "USD", "as digits"),
        ("$9", "USD", "as digits"),
        ("", "USD", "Enter an amount"),
    ],
)
def test_an_amount_the_currency_cannot_have_is_refused_not_rounded(text, currency, says):
    with pytest.raises(MoneyError, match=says):
        parse_money(text, currency)


def test_only_real_currencies_whose_exponent_the_gateway_shares_can_price_a_plan():
    assert currency_problem("JPY") == ""
    assert "not an ISO 4217 currency" in currency_problem("XYZ")
    assert "not supported" in currency_problem("ISK")
