"""A claimed gift in the ledger: the recipient's own subscription, never charged and never renewed.

The gifts app owns the gift (its payment, its email, its claim); this is the one place it writes
the ledger, so `entitlements_for` reads a gift as it reads any subscription.

- A recipient with no live subscription gets a complimentary one from the claim for the gift's
  months, ending on time (renewals end it; nothing is ever charged).
- A recipient who already subscribes has that subscription lengthened by the gift's months: its
  next renewal (or its end, if cancelled or complimentary) comes that much later, so the gift's
  months are never charged. A past-due one is forgiven and counted from now, as staff's extension
  is. A print gift on a digital subscription moves it to the print plan of its interval until its
  next renewal, which returns to the plan it renewed to before. A digital gift on a print
  subscription becomes time on the reader's own plan, its worth at the plans' list prices, rounded up
  to whole days (`days_on_reader_plan`): print months are not given for a digital gift's price.
- A recipient who then takes the money-back guarantee on their own subscription keeps what is left
  of the gifts claimed onto it (`keep_gift_time`): the refund ends the paid time, not the gift.
  Each claim's `gift_added` event records the time it added (`added_from`, `added_to`) for that.
"""

from __future__ import annotations

import datetime
import math
from fractions import Fraction

from django.db import IntegrityError, transaction

from masthead.subscriptions.models import Plan, Subscription, SubscriptionEvent, add_months
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.ledger import (
    AddressInput,
    locked_subscription,
    open_complimentary_subscription,
    record_event,
    save_address,
)

GIFT_KINDS = ("complimentary_granted", "gift_added")


def do_claim_gift(
    reader, plan: Plan, *, months: int, gift_id: int, now: datetime.datetime, address: AddressInput | None = None
) -> Subscription:
    """Give `reader` the gift's `months` of `plan` from `now`; a second call for the same gift changes nothing."""
    earlier = SubscriptionEvent.objects.filter(
        subscription__reader=reader, kind__in=GIFT_KINDS, detail__gift=gift_id
    ).first()
    if earlier:
        return earlier.subscription
    with transaction.atomic():
        if address:
            save_address(reader, address, now)
        existing = live_subscription(reader)
        if existing is None:
            try:
                with transaction.atomic():
                    return start_gift_subscription(reader, plan, months=months, gift_id=gift_id, now=now)
            except IntegrityError:
                existing = live_subscription(reader)  # a checkout or another claim started one meanwhile
        return lengthen_by_gift(existing.pk, plan, months=months, gift_id=gift_id, now=now)


def start_gift_subscription(reader, plan: Plan, *, months: int, gift_id: int, now: datetime.datetime) -> Subscription:
    return open_complimentary_subscription(
        reader, plan, now=now, until=add_months(now, months), actor="reader", gift=gift_id, months=months
    )


def lengthen_by_gift(
    subscription_id: int, plan: Plan, *, months: int, gift_id: int, now: datetime.datetime
) -> Subscription:
    subscription = locked_subscription(subscription_id)
    fields = ["current_period_end"]
    if subscription.status == Subscription.PAST_DUE:
        # The unpaid renewal is forgiven: the gift counts from today.
        subscription.current_period_end = max(subscription.current_period_end, now)
        subscription.status = Subscription.ACTIVE
        subscription.next_retry_at = None
        subscription.failed_renewal_attempts = 0
        fields += ["status", "next_retry_at", "failed_renewal_attempts"]
    # A period already over (its ending or renewal not yet run) is not given back: the gift counts from now.
    added_from = max(subscription.current_period_end, now)
    days = days_on_reader_plan(subscription.plan, plan, months=months, start=added_from)
    if days is None:
        subscription.current_period_end = add_months(added_from, months)
    else:
        subscription.current_period_end = added_from + datetime.timedelta(days=days)
    if subscription.on_trial:
        # The trial's first charge moves with it.
        subscription.trial_ends_at = subscription.current_period_end
        fields.append("trial_ends_at")
    if plan.includes_print and not subscription.plan.includes_print:
        print_plan = subscription.plan.counterpart(includes_print=True) or plan
        if not subscription.complimentary and subscription.next_plan_id is None:
            subscription.next_plan = subscription.plan
            fields.append("next_plan")
        subscription.plan = print_plan
        fields.append("plan")
    subscription.save(update_fields=fields)
    record_event(
        subscription,
        "gift_added",
        "reader",
        gift=gift_id,
        months=months,
        days=days,
        plan=subscription.plan.slug,
        period_end=subscription.current_period_end.isoformat(),
        added_from=added_from.isoformat(),
        added_to=subscription.current_period_end.isoformat(),
    )
    return subscription


def days_on_reader_plan(reader_plan: Plan, gift_plan: Plan, *, months: int, start: datetime.datetime) -> int | None:
    """The days of `reader_plan` a gift of `months` of `gift_plan` from `start` is worth; None when it adds its months.

    Only a gift worth less a month than the reader's plan (a digital gift on a print plan) is turned
    into days: its months' days times the ratio of the two plans' list prices a month, rounded up.
    """
    if gift_plan.includes_print or not reader_plan.includes_print:
        return None

    def per_month(plan: Plan) -> Fraction:  # the plans share the magazine's one currency
        return Fraction(plan.price_cents, 12 if plan.interval == Plan.YEARLY else 1)

    if not reader_plan.price_cents or per_month(gift_plan) >= per_month(reader_plan):
        return None
    term = add_months(start, months) - start
    return math.ceil(Fraction(int(term.total_seconds()), 86400) * per_month(gift_plan) / per_month(reader_plan))


def gift_time_left(subscription: Subscription, now: datetime.datetime) -> datetime.timedelta:
    """What is left of the gifts claimed in this subscription's current period: its last part (each lengthened it)."""
    claims = subscription.events.filter(kind="gift_added", created_at__gte=subscription.current_period_start)
    given = sum((time_added(claim.detail) for claim in claims), datetime.timedelta(0))
    return max(min(given, subscription.current_period_end - now), datetime.timedelta(0))


def time_added(detail: dict) -> datetime.timedelta:
    """The time one claim added: as recorded, or for a claim from before that, its months before the end it made."""
    if "added_from" in detail:
        return datetime.datetime.fromisoformat(detail["added_to"]) - datetime.datetime.fromisoformat(
            detail["added_from"]
        )
    end = datetime.datetime.fromisoformat(detail["period_end"])
    return end - add_months(end, -detail["months"])


def keep_gift_time(subscription: Subscription, *, now: datetime.datetime, actor: str) -> Subscription | None:
    """What is left of its gifts as a free subscription that never renews (call under its lock, once it has ended).

    The guarantee gives back what the reader paid; the gifts were someone else's money and stay theirs.
    """
    left = gift_time_left(subscription, now)
    if left <= datetime.timedelta(0):
        return None
    return open_complimentary_subscription(
        subscription.reader, subscription.plan, now=now, until=now + left, actor=actor, kept_from=subscription.pk
    )
