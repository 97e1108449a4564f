"""Money as the ledger keeps it: whole minor units of a currency, with that currency's real exponent.

Every amount in the ledger (`price_cents`, `amount_cents`, ...) is an integer count of the
currency's smallest unit: cents for USD, whole yen for JPY (exponent 0), fils for KWD (exponent 3).
Gateways are sent the same integer, which is what Stripe expects. The exponent and the way an
amount is written come from babel (CLDR), never from a table of our own.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import NumberFormatError, format_currency, get_currency_precision, is_currency, parse_decimal
from django.conf import settings

# What staff may type: ASCII digits, the locale's separators, spaces (no signs, exponents or symbols).
AMOUNT_CHARACTERS = re.compile(r"[0-9.,'\s\u00a0\u202f]+")
# Stripe's API counts these in hundredths although CLDR (and so babel) says they have no minor unit:
# an amount for them would be sent a hundredfold off. Plans refuse them rather than guess.
GATEWAY_EXPONENT_DIFFERS = frozenset({"ISK", "UGX"})


class MoneyError(ValueError):
    """Text that is not an amount of the currency; the message is fit to show staff."""


def site_locale() -> Locale:
    """The locale amounts are written in: the site's LANGUAGE_CODE ("en-us" -> en_US)."""
    return Locale.parse(settings.LANGUAGE_CODE, sep="-")


def exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has: 2 for USD, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency.upper())


def in_units(minor_units: int, currency: str) -> Decimal:
    """9_00 USD -> Decimal("9.00"); 1200 JPY -> Decimal("1200")."""
    places = exponent(currency)
    return Decimal(minor_units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_money(minor_units: int, currency: str = "USD", locale: Locale | str | None = None) -> str:
    """An amount as readers read it: 900 USD -> "$9.00", 1200 JPY -> "¥1,200" (in the site's locale)."""
    return format_currency(in_units(minor_units, currency), currency.upper(), locale=locale or site_locale())


def format_units(minor_units: int, currency: str) -> str:
    """An amount as staff type it, without symbol or grouping: 900 USD -> "9.00", 1200 JPY -> "1200"."""
    return str(in_units(minor_units, currency))


def parse_money(text: str, currency: str, locale: Locale | str | None = None) -> int:
    """Staff's "9.00" (USD) -> 900, "1,200" or "1200" (JPY) -> 1200; MoneyError for anything else.

    More decimals than the currency has ("9.005" USD, "1200.50" or "1200.00" JPY) are refused, not
    rounded: an amount is either what staff meant or an error they can correct.
    """
    currency = currency.upper()
    cleaned = (text or "").strip()
    places = exponent(currency)
    example = format_units(12 * 10**places, currency)
    if not cleaned:
        raise MoneyError(f"Enter an amount, e.g. {example}.")
    if not AMOUNT_CHARACTERS.fullmatch(cleaned):
        raise MoneyError(f"Enter an amount in {currency} as digits, e.g. {example}.")
    try:
        amount = parse_decimal(cleaned, locale=locale or site_locale(), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise MoneyError(f"Enter an amount in {currency} as digits, e.g. {example}.") from None
    if not amount.is_finite() or amount < 0:
        raise MoneyError(f"Enter an amount in {currency} as digits, e.g. {example}.")
    minor = amount.scaleb(places)
    # "1200.00" for yen is refused too: whoever typed decimals was thinking of another currency.
    if amount.as_tuple().exponent < -places:
        if places == 0:
            raise MoneyError(f"{currency} has no smaller unit: enter whole {currency}, e.g. {example}.")
        raise MoneyError(f"{currency} has {places} decimal places at most, e.g. {example}.")
    return int(minor)


def currency_problem(currency: str) -> str:
    """Why a plan cannot be priced in `currency`, or "" when it can."""
    code = (currency or "").upper()
    if not is_currency(code):
        return f"{currency!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)."
    if code in GATEWAY_EXPONENT_DIFFERS:
        return f"{code} is counted differently by the payment gateway than by the currency standard; not supported."
    return ""
