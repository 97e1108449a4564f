"""Offer codes at checkout: which code a reader may redeem for which plan, and its terms in words.

A code is checked when the reader applies it and again before anything is charged. The limit on
redemptions is counted then too: two readers paying at the same moment for the last redemption
may both have it (each was shown the offer before paying, and is charged what they were shown).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format

from masthead.subscriptions.models import Offer, Plan, Subscription, format_money, normalise_code
from masthead.subscriptions.services.errors import OfferUnavailable

UNKNOWN = "We do not know the code {code}. Please check it and try again."


def find_offer(code: str) -> Offer:
    """The offer a reader typed (any case, stray spaces); OfferUnavailable when there is none."""
    code = normalise_code(code)[:40]
    offer = Offer.objects.filter(code=code).first() if code else None
    if offer is None:
        raise OfferUnavailable(UNKNOWN.format(code=code or "you typed"))
    return offer


def check_offer(offer: Offer, plan: Plan, reader, now: datetime.datetime | None = None) -> Offer:
    """Raise OfferUnavailable, saying why, unless `reader` may redeem `offer` for `plan` at `now`."""
    check_offer_open(offer, now)
    if not offer.applies_to(plan):
        raise OfferUnavailable(f"The offer {offer.code} is not available for {plan.name}.{plans_hint(offer)}")
    if getattr(reader, "is_authenticated", False):
        if Subscription.objects.filter(reader=reader, offer=offer).exists():
            raise OfferUnavailable(f"You have already used the offer {offer.code}.")
        if offer.is_trial and Subscription.objects.filter(reader=reader).exists():
            raise OfferUnavailable("Free trials are for readers subscribing for the first time.")
    return offer


def check_offer_open(offer: Offer, now: datetime.datetime | None = None) -> Offer:
    """Raise OfferUnavailable unless the code may be redeemed at all now: on, started, not ended, not used up."""
    now = now or timezone.now()
    if not offer.is_active or (offer.ends_at is not None and offer.ends_at <= now):
        raise OfferUnavailable(f"The offer {offer.code} has ended.")
    if offer.starts_at is not None and now < offer.starts_at:
        starts = date_format(timezone.localtime(offer.starts_at), "F j, Y")
        raise OfferUnavailable(f"The offer {offer.code} starts on {starts}.")
    if offer.max_redemptions is not None and redemptions(offer) >= offer.max_redemptions:
        raise OfferUnavailable(f"The offer {offer.code} has been used up.")
    return offer


def plans_hint(offer: Offer) -> str:
    names = [plan.name for plan in offer.plans.filter(is_active=True) if offer.applies_to(plan)]
    return f" It is for {', '.join(names)}." if names else ""


def redemptions(offer: Offer) -> int:
    return offer.subscriptions.count()


def period_words(plan: Plan, count: int) -> str:
    unit = "year" if plan.interval == Plan.YEARLY else "month"
    return f"{unit}" if count == 1 else f"{count} {unit}s"


def per_period(plan: Plan) -> str:
    return "a year" if plan.interval == Plan.YEARLY else "a month"


def offer_terms(offer: Offer, plan: Plan, now: datetime.datetime | None = None) -> str:
    """The offer for `plan` as the reader reads it before paying, e.g. "25% off your first 3 months: …"."""
    full = f"{plan.price} {per_period(plan)}"
    if offer.is_trial:
        first_charge = (now or timezone.now()) + datetime.timedelta(days=offer.trial_days)
        on = date_format(timezone.localtime(first_charge), "F j, Y")
        return (
            f"{offer.trial_days} days free, then {full} from {on}. We need your card now and charge it then; "
            "we email you 3 days before, and if you cancel before then you pay nothing."
        )
    if offer.kind == Offer.PERCENT:
        off = f"{offer.percent_off}%"
    else:
        off = format_money(offer.amount_off_cents, offer.currency)
    price = format_money(offer.discounted_price(plan), plan.currency)
    each = "" if offer.periods == 1 else f" {per_period(plan)}"
    return f"{off} off your first {period_words(plan, offer.periods)}: {price}{each}, then {full}."
