"""What a gift costs: derived from the plans' own prices, so staff price gifts by pricing plans."""

from __future__ import annotations

from dataclasses import dataclass

from masthead.gifts.models import TERMS
from masthead.subscriptions.models import Plan, format_money

DIGITAL, PRINT = "digital", "print"
EDITIONS = [(DIGITAL, "Digital"), (PRINT, "Digital + Print")]


def gift_price(months: int, *, monthly: Plan | None, yearly: Plan | None) -> int:
    """The price of `months` of a gift: whole years at the yearly price, the months left at the monthly one.

    With only a yearly plan the months left are a share of its price (rounded up to the minor
    unit); with only a monthly plan every month is at its price. 12 months of Digital ($90 a year)
    cost $90; 3 months ($9 a month) cost $27.
    """
    if monthly is None and yearly is None:
        raise ValueError("A gift's price needs a monthly or a yearly plan.")
    if yearly is None:
        return months * monthly.price_cents
    years, rest = divmod(months, 12)
    if monthly is None:
        return years * yearly.price_cents + -(-yearly.price_cents * rest // 12)
    return years * yearly.price_cents + rest * monthly.price_cents


@dataclass(frozen=True)
class GiftOption:
    """One gift on offer: an edition for a term, the plan the recipient holds, and its price."""

    edition: str
    months: int
    plan: Plan
    amount_cents: int

    @property
    def currency(self) -> str:
        return self.plan.currency

    @property
    def price(self) -> str:
        return format_money(self.amount_cents, self.currency)


def gift_options() -> list[GiftOption]:
    """Every gift on offer now: each edition that has an active plan, for each term."""
    options = []
    for edition, _ in EDITIONS:
        plans = Plan.objects.filter(is_active=True, includes_print=edition == PRINT)
        monthly = plans.filter(interval=Plan.MONTHLY).first()
        yearly = plans.filter(interval=Plan.YEARLY).first()
        if monthly and yearly and monthly.currency != yearly.currency:
            monthly = None  # one price list per gift: the yearly plan's currency
        for months in TERMS:
            if monthly is None and yearly is None:
                continue
            # The recipient holds the plan nearest the term: a year is the yearly plan.
            plan = yearly if (months % 12 == 0 and yearly) or monthly is None else monthly
            options.append(GiftOption(edition, months, plan, gift_price(months, monthly=monthly, yearly=yearly)))
    return options


def find_option(edition: str, months: int) -> GiftOption | None:
    return next((o for o in gift_options() if (o.edition, o.months) == (edition, months)), None)
