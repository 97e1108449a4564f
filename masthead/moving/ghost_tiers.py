"""Ghost's tiers and offers: what an import cannot carry over as they are, matched to our plans or reported.

A Ghost 5 or 6 export holds its tiers (the `products` table: one free tier, and paid ones with a monthly and
a yearly price in the currency's minor unit) and its offers (codes for money off a tier's price, or a trial);
not its comments, which Ghost exports nowhere (ghost/core/core/server/data/exporter/table-lists.js). Our
plans are made by the publisher before importing (docs/migration.md, step 1): each price of each active paid
tier is matched to our plan with the same interval, currency and price, and the report says which (so the
members' rows can name it), or that no plan has it. Offers are not made here (ours are codes staff create,
Subscribers → Offer codes): each active one is reported with what it gave and how often it was redeemed.
`MemberPlans` chooses a member's plan from their tier in Ghost's members CSV by the same match.
Nothing here writes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from masthead.moving.ghost import GhostExport, GhostExportError, export_data, read_text, table
from masthead.moving.report import ImportReport, RecordProblem
from masthead.subscriptions.models import Plan
from masthead.subscriptions.money import currency_problem, format_money

INTERVALS = (("monthly_price", Plan.MONTHLY, "monthly"), ("yearly_price", Plan.YEARLY, "yearly"))
ADJECTIVES = {interval: adjective for _, interval, adjective in INTERVALS}
INTERVAL_WORDS = {"month": Plan.MONTHLY, "monthly": Plan.MONTHLY, "year": Plan.YEARLY, "yearly": Plan.YEARLY,
                  "annual": Plan.YEARLY, "annually": Plan.YEARLY}  # fmt: skip
RUNNING = {"active", "trialing", "past_due", "unpaid"}  # a Stripe subscription still billing its member


def plans_in_match_order() -> list[Plan]:
    """Our plans, digital ones first (as Ghost's tiers are digital), for matching a price to a plan."""
    return list(Plan.objects.order_by("includes_print", "sort_order", "pk"))


def plan_with_price(plans: list[Plan], interval: str, currency: str, price: int) -> Plan | None:
    """Our plan with this interval, currency and price, if there is one."""
    wanted = (interval, currency.upper(), price)
    return next((plan for plan in plans if (plan.interval, plan.currency.upper(), plan.price_cents) == wanted), None)


def report_tiers_and_offers(export: GhostExport, report: ImportReport) -> None:
    """Say which of our plans each Ghost tier's price is, and which offers stay behind."""
    plans = plans_in_match_order()
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
            plan = plan_with_price(plans, interval, currency, price)
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


class MemberPlans:
    """Our plan for each paid or complimentary member of Ghost's members CSV, from the tier its `tiers` names.

    The interval is the row's `interval` column if the publisher added one (from Stripe's subscriptions
    export), else that of the member's Stripe subscription when the export holds Ghost's Stripe tables
    (`members_stripe_customers_subscriptions`, in a full export), whose price is then the one matched: what
    the member pays, which may be an older price than the tier's today. A tier with one price has that
    interval. A complimentary member, who is never charged, takes the tier's yearly price when it has both;
    a paying member of a tier with both, with nothing saying which, gets no plan: the report names the row.
    """

    def __init__(self, tiers: list[dict], stripe_subscriptions: list[dict], plans: list[Plan]):
        self.tiers = {str(tier.get("name")).strip(): tier for tier in tiers if tier.get("type") != "free"}
        self.free_tiers = {str(tier.get("name")).strip() for tier in tiers if tier.get("type") == "free"}
        self.subscriptions: dict[str, list[dict]] = defaultdict(list)
        for row in stripe_subscriptions:
            if isinstance(row.get("customer_id"), str):
                self.subscriptions[row["customer_id"]].append(row)
        self.plans = plans

    @classmethod
    def from_export(cls, path: Path) -> MemberPlans:
        """The tiers and Stripe subscriptions of a Ghost export; GhostExportError if it is not one."""
        try:
            document = json.loads(read_text(path))
        except json.JSONDecodeError as error:
            raise GhostExportError(f"{path}:{error.lineno}: not JSON ({error.msg})") from None
        data, _ = export_data(document, path)
        return cls(table(data, "products"), table(data, "members_stripe_customers_subscriptions"),
                   plans_in_match_order())  # fmt: skip

    def plan_for(self, tiers_text: str, *, interval_text: str, customer_id: str, complimentary: bool
                 ) -> tuple[Plan | None, str]:  # fmt: skip
        """Our plan for the member and "", or None and why not (the report's words); None, "" with no paid tier."""
        names = self.tier_names(tiers_text)
        if not names or not self.tiers:  # an export without tiers (Ghost 4) says nothing of plans
            return None, ""
        unknown = [name for name in names if name not in self.tiers]
        if unknown:
            return None, f"its tier “{unknown[0]}” is not a tier of the Ghost export given"
        if len(names) > 1:
            return None, f"it is on several tiers ({', '.join(names)}): add a plan column saying which of ours"
        interval = read_interval(interval_text)
        stripe = self.stripe_price(customer_id)
        if stripe is not None and interval in (None, stripe[0]):
            return self.plan_or_why("its Stripe subscription", *stripe)
        tier = self.tiers[names[0]]
        prices = {interval: tier[column] for column, interval, _ in INTERVALS if is_cents(tier.get(column))}
        prices = {interval: price for interval, price in prices.items() if price}
        if interval is None and len(prices) == 1:
            interval = next(iter(prices))
        elif interval is None and complimentary and Plan.YEARLY in prices:
            interval = Plan.YEARLY  # never charged: the interval only sets where its period starts
        elif interval is None:
            return None, (f"its tier “{names[0]}” has a monthly and a yearly price and nothing says which it pays: "
                          "add an interval column (month or year) or a plan column")  # fmt: skip
        if interval not in prices:
            return None, f"its tier “{names[0]}” has no {ADJECTIVES[interval]} price in the export"
        return self.plan_or_why(f"its tier “{names[0]}”", interval, prices[interval], str(tier.get("currency") or ""))

    def plan_or_why(self, what: str, interval: str, price: int, currency: str) -> tuple[Plan | None, str]:
        currency = currency.upper()
        if currency_problem(currency):
            return None, f"{what} has the currency {currency!r}, which we do not know"
        plan = plan_with_price(self.plans, interval, currency, price)
        if plan is not None:
            return plan, ""
        return None, (f"{what}, {ADJECTIVES[interval]} at {format_money(price, currency)}, is no plan of ours: make "
                      f"one in Plans ({interval}, {price} {currency}) or add a plan column")  # fmt: skip

    def stripe_price(self, customer_id: str) -> tuple[str, int, str] | None:
        """(interval, price, currency) of the member's Stripe subscription in the export: the running one with the
        latest period end."""
        rows = self.subscriptions.get(customer_id, []) if customer_id else []
        running = [row for row in rows if str(row.get("status")) in RUNNING] or rows
        row = max(running, key=lambda row: str(row.get("current_period_end") or ""), default=None)
        if row is None:
            return None
        interval, price = INTERVAL_WORDS.get(str(row.get("plan_interval"))), row.get("plan_amount")
        if interval is None or not is_cents(price):
            return None
        return interval, price, str(row.get("plan_currency") or "")

    def tier_names(self, text: str) -> list[str]:
        """The paid tiers a `tiers` cell names: Ghost joins the names with commas (a name may hold one)."""
        text = text.strip()
        if not text:
            return []
        names = [text] if text in self.tiers or text in self.free_tiers else [n.strip() for n in text.split(",")]
        return [name for name in names if name and name not in self.free_tiers]


def read_interval(text: str) -> str | None:
    """month or year from an interval column (month, monthly, year, yearly, annual); None if empty."""
    if not text.strip():
        return None
    interval = INTERVAL_WORDS.get(text.strip().lower())
    if interval is None:
        raise RecordProblem(f"the interval {text!r} is neither month nor year")
    return interval
