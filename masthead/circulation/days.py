"""Each day's changes to the ledger as the circulation dashboard counts them, kept once the day is over.

The dashboard's history (five years of days, summed into months and issues) would mean reading
every payment and event on each view; instead each day is drawn from the ledger once it is over
(`store_days`, by the hourly job or the first view that finds it missing) and kept as a
`CirculationDay` row, and a view reads a row a day plus today's ledger. A day's money can still
change while a renewal due that day is being retried (a renewal paid late counts from its
period's start), so the hourly job draws the last `SETTLE_DAYS` days again. The ledger stays the
truth: rows can be drawn again at any time. Days are the magazine's (`TIME_ZONE`), like close dates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.circulation.models import CirculationDay
from masthead.circulation.services import magazine_time_zone
from masthead.subscriptions.models import MAX_RETRY_DAY
from masthead.subscriptions.queries import ledger_begins, ledger_changes_between, recurring_revenue_change_between

SETTLE_DAYS = MAX_RETRY_DAY + 2
KEEP_AT_ONCE = 31  # days drawn and kept in one transaction
COUNTS = ("started", "new", "renewed", "cancelled", "refunded", "lapsed", "ended")


@dataclass
class DayFigures:
    """A day's changes, as drawn from the ledger (see `subscriptions.queries.ledger_changes_by_day`)."""

    started: int = 0
    new: int = 0
    renewed: int = 0
    cancelled: int = 0
    refunded: int = 0
    lapsed: int = 0
    ended: int = 0
    lifetime_days: float = 0.0
    yearly_revenue_change: dict[str, int] = field(default_factory=dict)


def start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the magazine's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=magazine_time_zone())


def today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now, magazine_time_zone())


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]


def draw_day(day: datetime.date, until: datetime.datetime | None = None) -> DayFigures:
    """A day's figures from the ledger (up to `until`, for today): four aggregates, each on a date index.

    A day at a time, between its own first and last moments: the database reads only that day's
    rows through its indexes, in any time zone; grouping by a truncated date instead would convert
    every row's date (in Python, on SQLite) and read the whole span.
    """
    start, end = start_of(day), until or start_of(day + datetime.timedelta(days=1))
    counts = ledger_changes_between(start, end)
    lifetime = counts.pop("lifetime")
    return DayFigures(
        **counts,
        lifetime_days=lifetime.total_seconds() / 86400 if lifetime else 0.0,
        yearly_revenue_change=recurring_revenue_change_between(start, end),
    )


def first_day() -> datetime.date | None:
    """The ledger's first day, or None while it is empty."""
    begins = ledger_begins()
    return timezone.localdate(begins, magazine_time_zone()) if begins else None


def store_days(now: datetime.datetime | None = None, *, redraw_unsettled: bool = True) -> int:
    """Keep every day from the ledger's first to yesterday that is not kept yet; returns how many were drawn.

    With `redraw_unsettled` (the hourly job) the days not yet settled are drawn again too; a page
    view leaves that to the job and draws only what is missing (after a quiet night, yesterday).
    Safe to run twice or in two processes at once: the one-row-per-day constraint keeps one.
    """
    now = now or timezone.now()
    first, last = first_day(), today(now) - datetime.timedelta(days=1)
    if first is None or last < first:
        return 0
    kept = CirculationDay.objects.filter(day__range=(first, last))
    if not redraw_unsettled and kept.count() == (last - first).days + 1:
        return 0  # the common case for a page view: one count
    drawn_at = dict(kept.values_list("day", "drawn_at"))
    settled_before = today(now) - datetime.timedelta(days=SETTLE_DAYS)
    wanted = [
        day for day in days_between(first, last) if day not in drawn_at or (redraw_unsettled and day >= settled_before)
    ]
    kept_now = 0
    # A month at a time, each kept as soon as drawn: five years take minutes the first time, and a
    # request cut short by a time-out has still kept what it drew.
    for chunk_start in range(0, len(wanted), KEEP_AT_ONCE):
        chunk = wanted[chunk_start : chunk_start + KEEP_AT_ONCE]
        rows = [CirculationDay(day=day, drawn_at=now, **vars(draw_day(day))) for day in chunk]
        try:
            with transaction.atomic():
                CirculationDay.objects.filter(day__in=chunk).delete()
                CirculationDay.objects.bulk_create(rows)
        except IntegrityError:
            continue  # another process kept them a moment ago
        kept_now += len(rows)
    return kept_now


class History:
    """Every day from the ledger's first to today, added up in order: a span's totals are two lookups.

    Reads the kept days in one query (a row a day) and today's changes live from the ledger.
    """

    def __init__(self, now: datetime.datetime):
        self.now, self.today = now, today(now)
        store_days(now, redraw_unsettled=False)
        rows = CirculationDay.objects.order_by("day").values_list(
            "day", *COUNTS, "lifetime_days", "yearly_revenue_change"
        )
        live = draw_day(self.today, until=now)
        days = [row for row in rows if row[0] < self.today]
        days.append(
            (self.today, *(getattr(live, name) for name in COUNTS), live.lifetime_days, live.yearly_revenue_change)
        )
        self.first = days[0][0]
        self.currencies = sorted({currency for row in days for currency in row[-1]})
        self.length = length = (self.today - self.first).days + 1  # days in the history, today included
        # Column by column (a day's changes in each), then added up in C: one pass over ~1,800 rows in
        # Python took longer than the database's queries for the page. A day not kept counts nothing.
        places = None if len(days) == length else [(row[0] - self.first).days for row in days]
        columns = list(zip(*days, strict=True))[1:]

        def every_day(changes) -> list:
            if places is None:
                return list(changes)
            dense = [0] * length
            for place, change in zip(places, changes, strict=True):
                dense[place] = change
            return dense

        # running[name][i]: the sum of every day before first + i (so [0] is zero), for each count.
        self.running: dict[str, list] = {
            name: list(accumulate(every_day(changes), initial=0))
            for name, changes in zip((*COUNTS, "lifetime_days"), columns[:-1], strict=True)
        }
        self.running_revenue: dict[str, list[int]] = {
            currency: list(accumulate(every_day(change.get(currency, 0) for change in columns[-1]), initial=0))
            for currency in self.currencies
        }

    def index(self, day: datetime.date) -> int:
        """Where the sums of the days before `day` are kept (clamped to the history)."""
        return min(max((day - self.first).days, 0), self.length)

    def totals(self, since: datetime.date, until: datetime.date) -> dict[str, float]:
        """The changes from `since` to `until`, both included, by name (and `lifetime_days`)."""
        after, before = self.index(until + datetime.timedelta(days=1)), self.index(since)
        return {name: sums[after] - sums[before] for name, sums in self.running.items()}

    def subscribers_on(self, day: datetime.date) -> int:
        """Subscriptions live at the start of `day`, as the event log counts them (begun less ended)."""
        at = self.index(day)
        return self.running["started"][at] - self.running["ended"][at]

    def yearly_revenue_on(self, day: datetime.date, currency: str) -> int:
        """The yearly value of the periods paid for and running at the start of `day` (minor units)."""
        return self.running_revenue[currency][self.index(day)]
