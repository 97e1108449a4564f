"""The circulation manager's dashboard: subscribers, who joined and left, recurring revenue, print runs, doors.

Every figure comes from the ledger through `subscriptions.queries`, aggregated in SQL: today's
subscribers by plan and the doors live, the history from the days kept in `days.py` (each day
drawn from the ledger once it is over) plus today's ledger. Months and issues are the magazine's
(`TIME_ZONE`), like close dates.

The words (docs/circulation.md): subscribers are live subscriptions (active or past due,
complimentary and trials included); monthly recurring revenue (MRR) is the money paid for the
periods running at a moment, a yearly period counting a twelfth a month, each currency apart;
churn is the share of a month's first-day subscribers whose subscription ended in the month; the
average lifetime is the mean length of the subscriptions that ended in the last twelve months.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from masthead.circulation.days import History, start_of, today
from masthead.circulation.models import MailingList
from masthead.circulation.tables import (
    Table,
    count_column,
    money_column,
    percent_column,
    signed_count_column,
    text_column,
)
from masthead.editions.models import Issue
from masthead.subscriptions.models import DOORS, Plan
from masthead.subscriptions.money import format_money
from masthead.subscriptions.queries import live_subscriptions_by_plan, subscriptions_by_door_and_article

SPANS = (12, 24, 60)  # the months the dashboard can show
DEFAULT_SPAN = 24
TOP_ARTICLES = 20
DOORS_DAYS = 365  # where subscribers came from is counted over the last year, whatever the span
DAYS_PER_MONTH = 365.25 / 12
DOOR_LABELS = dict(DOORS) | {"": "None recorded"}


def monthly(yearly_minor_units: int) -> int:
    """A yearly value's month, to the nearest minor unit."""
    return (yearly_minor_units + 6) // 12


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_back(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months before `day`'s."""
    month = month_start(day)
    for _ in range(count):
        month = month_start(month - datetime.timedelta(days=1))
    return month


@dataclass
class MonthFigures:
    """A month's changes, its subscribers at the start and end, and the yearly revenue at its end (this one's: now)."""

    month: datetime.date
    totals: dict[str, float]
    subscribers_at_start: int
    subscribers_at_end: int
    yearly_revenue: dict[str, int]

    @property
    def churn(self) -> float | None:
        """Per cent of the first day's subscribers whose subscription ended in the month."""
        return 100 * self.totals["ended"] / self.subscribers_at_start if self.subscribers_at_start else None

    def mrr(self, currency: str) -> int:
        return monthly(self.yearly_revenue.get(currency, 0))


def months_of(history: History, first_month: datetime.date) -> list[MonthFigures]:
    """Every month from `first_month` (or the ledger's first) to this one, so far."""
    month, months = max(first_month, month_start(history.first)), []
    while month <= history.today:
        end = next_month(month)
        months.append(
            MonthFigures(
                month,
                history.totals(month, end - datetime.timedelta(days=1)),
                history.subscribers_on(month),
                history.subscribers_on(end),
                {currency: history.yearly_revenue_on(end, currency) for currency in history.currencies},
            )
        )
        month = end
    return months


@dataclass
class Headline:
    """The figures at the top of the dashboard and on the admin home's panel."""

    subscribers: int
    print_subscribers: int
    mrr: dict[str, int]  # currency -> minor units a month, now
    mrr_change: dict[str, int]  # since the end of last month
    churn_last_month: float | None
    average_lifetime_months: float | None

    @property
    def digital_subscribers(self) -> int:
        return self.subscribers - self.print_subscribers

    def mrr_lines(self) -> list[tuple[str, str]]:
        """(MRR, its change since the end of last month) for each currency, written as money."""
        return [
            (format_money(amount, currency), signed_money(self.mrr_change.get(currency), currency))
            for currency, amount in sorted(self.mrr.items())
        ]


def signed_money(amount: int | None, currency: str) -> str:
    if amount is None:
        return ""
    if amount == 0:
        return "no change"
    return ("+" if amount > 0 else "\u2212") + format_money(abs(amount), currency)


def headline_of(history: History, plan_rows: list[dict], plans: dict[int, Plan]) -> Headline:
    months = months_of(history, months_back(history.today, 1))
    this_month, last_month = months[-1], (months[-2] if len(months) > 1 else None)
    year = history.totals(history.today - datetime.timedelta(days=364), history.today)
    return Headline(
        subscribers=sum(row["subscribers"] for row in plan_rows),
        print_subscribers=sum(row["subscribers"] for row in plan_rows if plans[row["plan_id"]].includes_print),
        mrr={currency: this_month.mrr(currency) for currency in history.currencies},
        mrr_change=(
            {currency: this_month.mrr(currency) - last_month.mrr(currency) for currency in history.currencies}
            if last_month
            else {}
        ),
        churn_last_month=last_month.churn if last_month else None,
        average_lifetime_months=(year["lifetime_days"] / year["ended"] / DAYS_PER_MONTH if year["ended"] else None),
    )


def headline_figures(now: datetime.datetime | None = None) -> Headline:
    """The admin home panel's figures."""
    history = History(now or timezone.now())
    return headline_of(history, list(live_subscriptions_by_plan()), Plan.objects.in_bulk())


def plans_table(plan_rows: list[dict], plans: dict[int, Plan]) -> Table:
    """Live subscribers per plan, and how many of them pay, are complimentary, in a trial or in dunning."""
    rows = [
        [
            plans[row["plan_id"]].name,
            "Print and digital" if plans[row["plan_id"]].includes_print else "Digital",
            row["subscribers"],
            row["subscribers"] - row["complimentary"] - row["on_trial"],
            row["complimentary"],
            row["on_trial"],
            row["past_due"],
        ]
        for row in plan_rows
    ]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return Table(
        "plans",
        "Subscribers today by plan",
        [
            text_column("Plan"),
            text_column("Edition"),
            count_column("Subscribers"),
            count_column("Paying"),
            count_column("Complimentary"),
            count_column("In a free trial"),
            count_column("Past due (in dunning)"),
        ],
        rows,
        note="Subscribers are live subscriptions; past-due ones keep access while dunning's retries last.",
    )


def months_table(months: list[MonthFigures], currencies: list[str], this_month: datetime.date) -> Table:
    return Table(
        "months",
        "Month by month",
        [
            text_column("Month"),
            count_column("Subscribers at the end"),
            count_column("New"),
            count_column("Renewed"),
            count_column("Cancelled"),
            count_column("Refunded under the guarantee"),
            count_column("Lapsed after failed payments"),
            count_column("Ended, all reasons"),
            percent_column("Churn"),
            *(money_column(f"MRR ({currency})", currency) for currency in currencies),
        ],
        [
            [
                f"{month.month:%B %Y}" + (" (so far)" if month.month == this_month else ""),
                month.subscribers_at_end,
                *(int(month.totals[name]) for name in ("new", "renewed", "cancelled", "refunded", "lapsed", "ended")),
                month.churn,
                *(month.mrr(currency) for currency in currencies),
            ]
            for month in months
        ],
        note=(
            "Subscribers and MRR at each month's end (this month's: now). Churn: subscriptions ended in the "
            "month over subscribers on its first day. Cancelled counts cancellations as made; some were resumed."
        ),
    )


def issues_table(history: History, first_day: datetime.date) -> Table:
    """Each issue closed since `first_day`: what changed from the close before to its own, and its print run."""
    close_days = datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS)
    closed = list(
        Issue.objects.filter(cover_date__gte=first_day, cover_date__lt=history.today + close_days).order_by(
            "cover_date"
        )
    )
    earlier = Issue.objects.filter(cover_date__lt=first_day).order_by("-cover_date").first()
    runs = dict(
        MailingList.objects.filter(issue__in=[*closed, *([earlier] if earlier else [])]).values_list(
            "issue_id", "row_count"
        )
    )
    rows = []
    previous_close, previous_run = (earlier.close_date, runs.get(earlier.pk)) if earlier else (None, None)
    for issue in closed:
        since = previous_close + datetime.timedelta(days=1) if previous_close else first_day
        totals = history.totals(since, issue.close_date)
        run = runs.get(issue.pk)
        rows.append(
            [
                str(issue),
                days_counted(since, issue.close_date),
                *(int(totals[name]) for name in ("new", "renewed", "cancelled", "refunded", "lapsed")),
                run,
                run - previous_run if run is not None and previous_run is not None else None,
            ]
        )
        previous_close, previous_run = issue.close_date, run
    return Table(
        "issues",
        "Issue by issue",
        [
            text_column("Issue"),
            text_column("Days counted"),
            count_column("New"),
            count_column("Renewed"),
            count_column("Cancelled"),
            count_column("Refunded under the guarantee"),
            count_column("Lapsed after failed payments"),
            count_column("Print run"),
            signed_count_column("Change in print run"),
        ],
        rows,
        note=(
            "Each issue counts the days after the close before up to its own close date. The print run is the "
            "stored mailing list's; one closed but not stored yet shows none until the hourly job stores it."
        ),
    )


def days_counted(since: datetime.date, until: datetime.date) -> str:
    """ "9 Dec 2025 to 25 Dec 2025" as "9 to 25 Dec 2025", "26 Jan to 8 Feb 2026"."""
    if (since.year, since.month) == (until.year, until.month):
        return f"{since:%-d} to {until:%-d %b %Y}"
    return (
        f"{since:%-d %b} to {until:%-d %b %Y}"
        if since.year == until.year
        else f"{since:%-d %b %Y} to {until:%-d %b %Y}"
    )


def add_up(totals: dict, key, row: dict) -> None:
    subscribed_and_live = totals.setdefault(key, [0, 0])
    subscribed_and_live[0] += row["subscribed"]
    subscribed_and_live[1] += row["live"]


def door_tables(since: datetime.datetime) -> tuple[Table, Table]:
    """Subscriptions started since `since` by the door their reader came through, and the articles that brought most."""
    by_door: dict[str, list[int]] = {}
    by_article: dict[int, list[int]] = {}
    for row in subscriptions_by_door_and_article(since):  # a row per door and article: a few thousand at most
        add_up(by_door, row["door"], row)
        if row["door_article_id"] is not None:
            add_up(by_article, row["door_article_id"], row)
    doors = Table(
        "doors",
        "Doors subscribers came through in the last 12 months",
        [text_column("Door"), count_column("Subscribed"), count_column("Still subscribed")],
        [
            [DOOR_LABELS.get(door, door), *totals]
            for door, totals in sorted(by_door.items(), key=lambda item: (-item[1][0], item[0]))
        ],
        note=(
            "The last subscribe link a reader followed before checkout, as the server recorded it; "
            "“None recorded” is a plain link, a staff grant or a subscription older than the record."
        ),
    )
    top = sorted(by_article.items(), key=lambda item: (-item[1][0], item[0]))[:TOP_ARTICLES]
    # Articles are Wagtail pages; one deleted since keeps its id in the ledger.
    titles = dict(Page.objects.filter(pk__in=[article_id for article_id, _ in top]).values_list("pk", "title"))
    articles = Table(
        "articles",
        f"Articles that brought subscribers in the last 12 months (the top {TOP_ARTICLES})",
        [text_column("Article"), count_column("Subscribed"), count_column("Still subscribed")],
        [[titles.get(article_id, f"Page {article_id} (deleted)"), *totals] for article_id, totals in top],
        numbered=True,
    )
    return doors, articles


@dataclass
class Dashboard:
    span: int
    first_month: datetime.date
    headline: Headline
    currencies: list[str]
    plans: Table
    months: Table
    issues: Table
    doors: Table
    articles: Table

    @property
    def tables(self) -> list[Table]:
        return [self.plans, self.months, self.issues, self.doors, self.articles]

    def table(self, slug: str) -> Table | None:
        return next((table for table in self.tables if table.slug == slug), None)


def doors_since(day: datetime.date) -> datetime.datetime:
    """Where the doors' year begins: the first moment of the day `DOORS_DAYS` days back, today included."""
    return start_of(day - datetime.timedelta(days=DOORS_DAYS - 1))


def build_dashboard(*, span: int = DEFAULT_SPAN, now: datetime.datetime | None = None) -> Dashboard:
    """Everything on the dashboard for the last `span` months (this one included), as of `now`."""
    history = History(now or timezone.now())
    first_month = months_back(history.today, span - 1)
    plans = Plan.objects.in_bulk()
    plan_rows = list(live_subscriptions_by_plan())
    doors, articles = door_tables(doors_since(history.today))
    return Dashboard(
        span=span,
        first_month=first_month,
        headline=headline_of(history, plan_rows, plans),
        currencies=history.currencies,
        plans=plans_table(plan_rows, plans),
        months=months_table(months_of(history, first_month), history.currencies, month_start(history.today)),
        issues=issues_table(history, first_month),
        doors=doors,
        articles=articles,
    )


def build_table(slug: str, *, span: int = DEFAULT_SPAN, now: datetime.datetime | None = None) -> Table | None:
    """One of the dashboard's tables (for its CSV file) as `build_dashboard` draws it, reading only what it needs.

    The months and the issues come from the kept days, the plans from today's live subscriptions,
    the doors and articles from the last year's subscriptions: a file needs one of the three, the
    page all of them. None for a slug that names no table.
    """
    now = now or timezone.now()
    if slug == "plans":
        return plans_table(list(live_subscriptions_by_plan()), Plan.objects.in_bulk())
    if slug in ("doors", "articles"):
        doors, articles = door_tables(doors_since(today(now)))
        return doors if slug == "doors" else articles
    if slug in ("months", "issues"):
        history = History(now)
        first_month = months_back(history.today, span - 1)
        if slug == "months":
            return months_table(months_of(history, first_month), history.currencies, month_start(history.today))
        return issues_table(history, first_month)
    return None
