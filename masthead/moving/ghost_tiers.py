"""Ghost's tiers and offers: what an import cannot carry over as they are, matched to our plans or reported.

A Ghost 5 or 6 export holds its tiers (the `products` table: one free tier, and paid ones with a monthly and
a yearly price in the currency's minor unit) and its offers (codes for money off a tier's price, or a trial);
not its comments, which Ghost exports nowhere (ghost/core/core/server/data/exporter/table-lists.js). Our
plans are made by the publisher before importing (docs/migration.md, step 1): each price of each active paid
tier is matched to our plan with the same interval, currency and price, and the report says which (so the
members' rows can name it), or that no plan has it. Offers are not made here (ours are codes staff create,
Subscribers → Offer codes): each active one is reported with what it gave and how often it was redeemed.
Nothing here writes.
"""

from __future__ import annotations

from collections import Counter

from masthead.moving.ghost import GhostExport
from masthead.moving.report import ImportReport
from masthead.subscriptions.models import Plan
from masthead.subscriptions.money import currency_problem, format_money

INTERVALS = (("monthly_price", Plan.MONTHLY, "monthly"), ("yearly_price", Plan.YEARLY, "yearly"))


def report_tiers_and_offers(export: GhostExport, report: ImportReport) -> None:
    """Say which of our plans each Ghost tier's price is, and which offers stay behind."""
    plans = list(Plan.objects.order_by("includes_print", "sort_order", "pk"))  # digital plans first, as Ghost's are
    for tier in export.tiers.values():
        if tier.get("type") == "free":
            continue
        if tier.get("active") in (False, 0):
            report.note("archived Ghost tiers left out")
            continue
        where = export.where("tier", tier)
        currency = tier.get("currency").upper() if isinstance(tier.get("currency"), str) else ""
        if currency_problem(currency):
            problem = f"has the currency {tier.get('currency')!r}, which we do not know"
            report.problem(where, problem, kind="tier prices")
            continue
        for column, interval, adjective in INTERVALS:
            price = tier.get(column)
            if price in (None, 0):
                continue
            if not is_cents(price):
                report.problem(where, f"its {adjective} price {price!r} is not a price in cents", kind="tier prices")
                continue
            money = format_money(price, currency)
            plan = next(
                (p for p in plans if (p.interval, p.currency.upper(), p.price_cents) == (interval, currency, price)),
                None,
            )
            if plan is None:
                report.problem(where, f"its {adjective} price, {money}, is no plan of ours: make one in Plans "
                                      f"({interval}, {price} {currency}) before importing its members",
                               kind="tier prices")  # fmt: skip
            else:
                report.note(f"Ghost tier “{tier.get('name')}”, {adjective} at {money}, is our plan {plan.slug}")
                report.count("tier prices", "unchanged")
    redeemed = Counter(str(row.get("offer_id")) for row in export.offer_redemptions)
    for offer in export.offers:
        if offer.get("active") in (False, 0):
            report.note("archived Ghost offers left out")
            continue
        times = redeemed.get(str(offer.get("id")), 0)
        report.problem(
            export.where("offer", offer),
            f"the offer {offer_terms(offer, export)} is not imported (redeemed {times} times): if readers still have "
            "its code, make it in Subscribers → Offer codes",
            kind="offers",
        )


def offer_terms(offer: dict, export: GhostExport) -> str:
    """'code BF23, 30% off Supporter yearly, for 3 months', in Ghost's own terms."""
    tier = export.tiers.get(offer.get("product_id")) if isinstance(offer.get("product_id"), str) else None
    tier = tier or {}
    currency = next((c.upper() for c in (offer.get("currency"), tier.get("currency")) if isinstance(c, str)), "")
    amount = offer.get("discount_amount") if is_cents(offer.get("discount_amount")) else "?"
    kind = str(offer.get("discount_type"))
    if kind == "percent":
        discount = f"{amount}% off"
    elif kind == "trial" or offer.get("duration") == "trial":
        discount = f"{amount} days free"
    else:
        known = is_cents(amount) and not currency_problem(currency)
        discount = f"{format_money(amount, currency) if known else amount} off"
    lasting = {
        "once": ", for the first payment",
        "forever": ", for every payment",
        "repeating": f", for {offer.get('duration_in_months') or '?'} months",
    }.get(str(offer.get("duration")), "")
    interval = {"month": "monthly", "year": "yearly"}.get(str(offer.get("interval")), "")
    on = " ".join(str(part) for part in (tier.get("name"), interval) if part)
    return f"code {str(offer.get('code'))[:40]}: {discount}{f' {on}' if on else ''}{lasting}"


def is_cents(value) -> bool:
    """A price or an amount as Ghost keeps them: a whole number of the currency's minor unit."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
