"""Named reads of the ledger for other apps and views."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from masthead.subscriptions.models import (
    RENEWAL_GRACE,
    Offer,
    Payment,
    Plan,
    PostalAddress,
    Refund,
    Subscription,
    SubscriptionEvent,
)


def offered_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True)


def live_subscription(reader) -> Subscription | None:
    """The reader's one active or past-due subscription, if any."""
    if not getattr(reader, "is_authenticated", False):
        return None
    return (
        Subscription.objects.select_related("plan", "next_plan")
        .filter(reader=reader, status__in=Subscription.LIVE_STATUSES)
        .first()
    )


def latest_subscription(reader) -> Subscription | None:
    return (
        Subscription.objects.select_related("plan", "next_plan").filter(reader=reader).order_by("-started_at").first()
    )


def payment_history(reader) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(subscription__reader=reader, status=Payment.SUCCEEDED)
        .select_related("receipt", "subscription__plan")
        .prefetch_related("refunds")
        .order_by("-created_at")
    )


def address_on(reader, moment: datetime.datetime) -> PostalAddress | None:
    """The address in force at `moment`: the newest one valid from then or before."""
    return PostalAddress.objects.filter(reader=reader, valid_from__lte=moment).order_by("-valid_from", "-pk").first()


def guarantee_used(reader) -> bool:
    return Subscription.objects.filter(reader=reader, guarantee_claimed_at__isnull=False).exists()


# -- the print edition's mailing list --------------------------------------------------------------


def print_entitlement_at(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> Q:
    """The print entitlement at `moment` as a filter: `Subscription.grants_access(moment)` on a print plan.

    `entitlements_for` cannot answer for another moment (it reads the subscription live now), so
    this is the same rule, clause by clause, written over the ledger's columns:
    - active and ending on time (cancelled or complimentary): until `current_period_end`, as
      `access_ends` says;
    - active and renewing: until `current_period_end + RENEWAL_GRACE`; for a moment still to come
      the renewal run extends the period, so one that grants access now is counted then too;
    - past due: yes, while the retries last;
    - ended or refunded after `moment`: it was live until `ended_at`, so it counts as it stood then
      (a renewing one was active or past due; a cancelled or complimentary one until its period end).
    A subscription that started after `moment` grants nothing at `moment`. The plan is the plan
    as it stands: a switch made at a renewal after `moment` is not undone.
    """
    now = now or timezone.now()
    ends_on_time = Q(cancel_at_period_end=True) | Q(complimentary=True)
    renewing = Q(cancel_at_period_end=False, complimentary=False)
    in_period = Q(current_period_end__gt=moment)
    active = Q(status=Subscription.ACTIVE) & (
        (ends_on_time & in_period) | (renewing & Q(current_period_end__gt=min(moment, now) - RENEWAL_GRACE))
    )
    past_due = Q(status=Subscription.PAST_DUE)
    ended = Q(status__in=(Subscription.ENDED, Subscription.REFUNDED), ended_at__gt=moment)
    ended_since = ended & (renewing | in_period)
    return Q(plan__includes_print=True, started_at__lte=moment) & (active | past_due | ended_since)


def print_subscriptions_active_at(
    moment: datetime.datetime, *, now: datetime.datetime | None = None
) -> QuerySet[Subscription]:
    """Subscriptions whose holder is to be mailed the print edition at `moment` (see print_entitlement_at)."""
    return Subscription.objects.filter(print_entitlement_at(moment, now=now)).select_related("plan")


def address_exists_on(moment: datetime.datetime) -> Exists:
    """For a Subscription query: whether its reader has an address in force at `moment`."""
    return Exists(PostalAddress.objects.filter(reader=OuterRef("reader"), valid_from__lte=moment))


def addresses_on(reader_ids, moment: datetime.datetime) -> dict[int, PostalAddress]:
    """`address_on` for many readers in one query: reader id -> the address in force at `moment`.

    `reader_ids` may be a queryset of ids, which the database then joins instead of a parameter list.
    """
    newest = (
        PostalAddress.objects.filter(reader=OuterRef("reader"), valid_from__lte=moment)
        .order_by("-valid_from", "-pk")
        .values("pk")[:1]
    )
    addresses = PostalAddress.objects.filter(reader_id__in=reader_ids, pk=Subquery(newest))
    return {address.reader_id: address for address in addresses}


def offer_redemptions(offer: Offer) -> QuerySet[Subscription]:
    """The subscriptions that redeemed `offer`, newest first, each with `paid_cents` and `refunded_cents`."""
    paid = (
        Payment.objects.filter(subscription=OuterRef("pk"), status=Payment.SUCCEEDED)
        .values("subscription")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    refunded = (
        Refund.objects.filter(payment__subscription=OuterRef("pk"))
        .values("payment__subscription")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    return (
        offer.subscriptions.select_related("reader", "plan")
        .annotate(
            paid_cents=Coalesce(Subquery(paid), 0),
            refunded_cents=Coalesce(Subquery(refunded), 0),
        )
        .order_by("-started_at", "-pk")
    )


def offer_revenue(offer: Offer) -> dict[str, int]:
    """What readers who redeemed `offer` have paid so far, less refunds, by currency (minor units)."""
    revenue: dict[str, int] = {}
    paid = Payment.objects.filter(subscription__offer=offer, status=Payment.SUCCEEDED)
    for currency, total in paid.values_list("currency").annotate(total=Sum("amount_cents")):
        revenue[currency] = revenue.get(currency, 0) + total
    refunds = Refund.objects.filter(payment__subscription__offer=offer)
    for currency, total in refunds.values_list("payment__currency").annotate(total=Sum("amount_cents")):
        revenue[currency] = revenue.get(currency, 0) - total
    return revenue


def live_subscriptions_on(plan: Plan) -> int:
    """How many live subscriptions hold `plan` or switch to it at their renewal."""
    return Subscription.objects.filter(Q(plan=plan) | Q(next_plan=plan), status__in=Subscription.LIVE_STATUSES).count()


def plans_in_use(plans) -> list[Plan]:
    """The plans among `plans` that any subscription has held or will switch to."""
    used = Subscription.objects.filter(Q(plan__in=plans) | Q(next_plan__in=plans)).values_list("plan", "next_plan")
    used_ids = {plan_id for pair in used for plan_id in pair if plan_id}
    return [plan for plan in plans if plan.pk in used_ids]


def readers_by_latest_subscription(*, subscribed_only: bool) -> QuerySet:
    """Readers with their latest subscription's id and period end (for staff's list of subscribers)."""
    latest = Subscription.objects.filter(reader=OuterRef("pk")).order_by("-started_at", "-pk")
    readers = get_user_model().objects.annotate(
        latest_subscription_id=Subquery(latest.values("pk")[:1]),
        latest_period_end=Subquery(latest.values("current_period_end")[:1]),
        has_subscribed=Exists(Subscription.objects.filter(reader=OuterRef("pk"))),
    )
    return readers.filter(has_subscribed=True) if subscribed_only else readers


def subscriptions_by_id(ids) -> dict[int, Subscription]:
    return Subscription.objects.select_related("plan").in_bulk(ids)


def subscriptions_of(reader) -> QuerySet[Subscription]:
    """Every subscription of the reader, the latest (the only one that can be live) first."""
    return Subscription.objects.filter(reader=reader).select_related("plan", "next_plan").order_by("-started_at", "-pk")


def payments_of(reader) -> QuerySet[Payment]:
    """Every payment attempt of the reader, with receipts and refunds, newest first."""
    return (
        Payment.objects.filter(subscription__reader=reader)
        .select_related("receipt", "subscription__plan")
        .prefetch_related("refunds")
        .order_by("-created_at", "-pk")
    )


def addresses_of(reader) -> QuerySet[PostalAddress]:
    return PostalAddress.objects.filter(reader=reader)


def events_of(reader) -> QuerySet[SubscriptionEvent]:
    return (
        SubscriptionEvent.objects.filter(subscription__reader=reader)
        .select_related("subscription__plan")
        .order_by("-created_at", "-pk")
    )


def cancellations_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Subscription]:
    """Subscriptions cancelled in [start, end); a resumed one has no canceled_at, so only cancellations that stood."""
    return Subscription.objects.filter(canceled_at__gte=start, canceled_at__lt=end)


# -- the circulation dashboard -----------------------------------------------------------------------

# The event log's words (as the services write them) for what the dashboard counts.
STARTED_KINDS = ("subscribed", "trial_started", "complimentary_granted", "imported")
NEW_KINDS = ("subscribed", "trial_started")  # a reader's own checkout; staff's grants and imports are not "new"
ENDED_KINDS = ("ended", "refunded_under_guarantee")  # a refund under the guarantee ends the subscription at once
LAPSE_REASONS = ("renewal_failed", "authentication_not_completed")  # dunning's last retry failed
DASHBOARD_KINDS = (*STARTED_KINDS, "renewed", "canceled", *ENDED_KINDS)
# A period this many days long or longer is a year's; shorter ones are a month's (plans have no other interval).
YEARLY_PERIOD_AT_LEAST_DAYS = 300


class DaysBetween(Func):
    """Days from one moment to another, in the database's own date arithmetic.

    (Django's `F("end") - F("start")` is worked out row by row in Python on SQLite; julianday() is SQLite's.)
    """

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(end)s - %(start)s)) / 86400"
    sqlite_template = "(julianday(%(end)s) - julianday(%(start)s))"

    def __init__(self, start, end):
        super().__init__(start, end)

    def as_sql(self, compiler, connection, template=None, **extra):
        (start, start_params), (end, end_params) = (compiler.compile(arg) for arg in self.get_source_expressions())
        return (template or self.template) % {"start": start, "end": end}, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.sqlite_template)


class WrittenIn(Func):
    """`column IN ('a', 'b')` with the words written into the SQL, not bound as parameters.

    SQLite uses a partial index only when the query's WHERE clause shows the index's condition, and
    it cannot see through bound parameters: `status IN (?, ?)` read every subscription from the
    table (166,666 rows for 100,000 live ones) beside the live ones' covering index
    (`subscription_live_by_plan`). Only our own constants go in, checked to be plain words.
    """

    output_field = BooleanField()

    def __init__(self, column: str, words: tuple[str, ...]):
        if not words or not all(word.isidentifier() and word.isascii() for word in words):
            raise ValueError(f"Only plain words are written into SQL, not {words!r}")
        super().__init__(F(column))
        self.words = words

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        listed = ", ".join("'" + word + "'" for word in self.words)
        return f"{column} IN ({listed})", params


def live_subscriptions_by_plan() -> QuerySet:
    """Live subscriptions counted by plan: all, complimentary, in a free trial, past due (one GROUP BY)."""
    return (
        # Written in, so SQLite reads the live ones' partial index alone (see WrittenIn).
        Subscription.objects.filter(WrittenIn("status", Subscription.LIVE_STATUSES))
        .values("plan_id")
        # Counted by a column the index holds (never null), not the id: PostgreSQL then reads the index alone.
        .annotate(
            subscribers=Count("status"),
            complimentary=Count("status", filter=Q(complimentary=True)),
            on_trial=Count("status", filter=Q(trial_ends_at__gt=F("current_period_start"))),
            past_due=Count("status", filter=Q(status=Subscription.PAST_DUE)),
        )
        .order_by()
    )


def ledger_changes_between(start: datetime.datetime, end: datetime.datetime) -> dict:
    """What the event log says happened in [start, end): one aggregate over the events' date index.

    `started` (any new subscription: checkout, trial, staff's grant, import), `new` (a reader's
    checkout or trial), `renewed` (a renewal paid, a trial's first charge included), `cancelled`
    (cancellations as made; some are resumed later), `refunded` (under the guarantee), `lapsed`
    (ended when dunning's last retry failed), `ended` (for any reason, refunds included) and
    `lifetime` (the summed length of the subscriptions that ended, a timedelta, or None).
    """
    events = SubscriptionEvent.objects.filter(created_at__gte=start, created_at__lt=end)
    # Counted by the columns of the (kind, created_at) index alone, so no event's row is read: a day
    # has a thousand renewals and more.
    counts = events.filter(kind__in=DASHBOARD_KINDS).aggregate(
        started=Count("kind", filter=Q(kind__in=STARTED_KINDS)),
        new=Count("kind", filter=Q(kind__in=NEW_KINDS)),
        renewed=Count("kind", filter=Q(kind="renewed")),
        cancelled=Count("kind", filter=Q(kind="canceled")),
        refunded=Count("kind", filter=Q(kind="refunded_under_guarantee")),
        ended=Count("kind", filter=Q(kind__in=ENDED_KINDS)),
    )
    # Apart, so only the few endings are read whole (a lapse's reason) and joined to their subscriptions.
    lifetime = ExpressionWrapper(F("created_at") - F("subscription__started_at"), output_field=DurationField())
    endings = events.filter(kind__in=ENDED_KINDS).aggregate(
        lapsed=Count("kind", filter=Q(kind="ended", detail__reason__in=LAPSE_REASONS)),
        lifetime=Sum(lifetime),
    )
    return counts | endings


def recurring_revenue_change_between(start: datetime.datetime, end: datetime.datetime) -> dict[str, int]:
    """How the yearly value of paid periods changed in [start, end), by currency (minor units).

    A successful payment counts from its period's start until the period ends, or until its
    subscription ended if that came first (a refund under the guarantee, say), at its amount per
    year: a monthly period's amount times 12, a yearly one's as it is. The change is what started
    counting less what stopped; the monthly figure is a twelfth. Four grouped queries, each on an
    indexed range (period start, period end, subscription end).
    """
    paid = Payment.objects.filter(status=Payment.SUCCEEDED).alias(days=DaysBetween("period_start", "period_end"))
    yearly = Case(When(days__gte=YEARLY_PERIOD_AT_LEAST_DAYS, then=F("amount_cents")), default=F("amount_cents") * 12)
    # Each paid period is added once, on its first day, and taken away once: at its end, or at its
    # subscription's end when that came first. (A period paid after its subscription ended cannot be:
    # renewals refuse to revive an ended one.)
    starts = paid.filter(period_start__gte=start, period_start__lt=end)
    ends = paid.filter(period_end__gte=start, period_end__lt=end)
    # Of those, the ones whose subscription had ended before: taken away then already. Their
    # subscription ended within the year before (no period is longer), a range the index finds.
    ended_before = ends.filter(
        subscription__ended_at__gte=start - datetime.timedelta(days=366), subscription__ended_at__lt=F("period_end")
    )
    ends_early = paid.filter(
        subscription__ended_at__gte=start, subscription__ended_at__lt=end, period_end__gt=F("subscription__ended_at")
    )
    changes: dict[str, int] = {}
    for rows, sign in [(starts, 1), (ends, -1), (ended_before, 1), (ends_early, -1)]:
        for currency, total in rows.values_list("currency").annotate(total=Sum(yearly)).order_by():
            changes[currency] = changes.get(currency, 0) + sign * total
    return changes


def ledger_begins() -> datetime.datetime | None:
    """The first moment the dashboard has anything to count: the first event, or the first paid period."""
    first_event = SubscriptionEvent.objects.aggregate(first=Min("created_at"))["first"]
    first_period = Payment.objects.filter(status=Payment.SUCCEEDED).aggregate(first=Min("period_start"))["first"]
    return min((moment for moment in (first_event, first_period) if moment is not None), default=None)


def subscriptions_by_door_and_article(since: datetime.datetime) -> QuerySet:
    """Subscriptions started since `since` by the door their reader came through ("" for none) and the article
    (an id, or None), with how many are live: one grouped count, read from the doors' index."""
    return (
        Subscription.objects.filter(started_at__gte=since)
        .values("door", "door_article_id")
        # Counted by a column the index holds (never null), not the id: PostgreSQL then reads the index alone.
        .annotate(subscribed=Count("status"), live=Count("status", filter=Q(status__in=Subscription.LIVE_STATUSES)))
        .order_by()
    )
