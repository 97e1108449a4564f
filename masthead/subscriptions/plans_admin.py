"""The Plans snippet's form: prices typed in the currency's units, terms that cannot change under live subscribers."""

from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from masthead.subscriptions.money import MoneyError, currency_problem, exponent, format_money, format_units, parse_money
from masthead.subscriptions.queries import live_subscriptions_on

# Stripe's largest charge (eight digits of minor units); the ledger's columns hold more.
LARGEST_PRICE = 99_999_999


def smallest_price(currency: str) -> int:
    """0.50 of a currency with cents, the smallest charge card gateways take; one unit of one without (¥1)."""
    return max(1, 50 * 10 ** exponent(currency) // 100)


class PlanForm(WagtailAdminModelForm):
    """The plan snippet's form: the price in currency units, and no switching the terms under live subscribers."""

    price = forms.CharField(
        label="Price",
        max_length=20,
        help_text=(
            "Per billing period, in the plan's currency as you would write it (9.99 for USD, 1200 for JPY). "
            "A new price applies to existing subscribers from their next renewal; nobody is charged again mid-period."
        ),
    )

    # Changing these under a live subscriber would change what they bought; make a new plan instead.
    TERMS = ("interval", "includes_print", "currency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["price"].initial = format_units(self.instance.price_cents, self.instance.currency)

    def clean(self):
        cleaned = super().clean()
        currency = (cleaned.get("currency") or "").strip().upper()
        if "currency" in cleaned and currency_problem(currency):
            self.add_error("currency", currency_problem(currency))
        elif cleaned.get("price") is not None:
            cleaned["currency"] = currency
            self.instance.price_cents = self.price_in_minor_units(cleaned["price"], currency)
        changed_terms = [name for name in self.TERMS if name in self.changed_data]
        if self.instance.pk is not None and changed_terms:
            live = live_subscriptions_on(self.instance)
            if live:
                for name in changed_terms:
                    self.add_error(
                        name,
                        f"{live} live subscription(s) use this plan, so this cannot change under them. "
                        "Make a new plan instead and untick Active on this one.",
                    )
        return cleaned

    def price_in_minor_units(self, text: str, currency: str) -> int:
        """The typed price in the currency's minor units (1200 JPY is 1200, 9.99 USD is 999); errors on the form."""
        try:
            minor_units = parse_money(text, currency)
        except MoneyError as error:
            self.add_error("price", str(error))
            return self.instance.price_cents
        if minor_units < smallest_price(currency):
            self.add_error(
                "price",
                f"The smallest price is {format_money(smallest_price(currency), currency)}; "
                "a free subscription is a complimentary grant.",
            )
        elif minor_units > LARGEST_PRICE:
            self.add_error("price", f"The largest price is {format_money(LARGEST_PRICE, currency)}.")
        return minor_units
