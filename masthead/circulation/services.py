"""Drawing up and closing each issue's mailing list for the printer.

Who is on it: every subscription with a print entitlement at the issue's close, decided by the
ledger's own rule (`subscriptions.queries.print_entitlement_at`, which is `grants_access` as a
query). Where to: the address in force at that moment; a move made after it reaches the next issue.
An issue closes at the end of its close date in the magazine's time zone. Its list is stored once,
then (by the `close_due_issues` task, or by the first download after the close date), and every
later download reads the stored rows, so the same issue always gives the printer the same list.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from masthead.circulation.models import MailingList, MailingListRow
from masthead.editions.models import Issue
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.queries import (
    address_exists_on,
    addresses_on,
    print_entitlement_at,
    print_subscriptions_active_at,
)

SYSTEM_ACTOR = "system:close_due_issues"


class IssueStillOpen(Exception):
    """The issue's close date has not passed, so its list can still change and is not stored."""

    def __init__(self, issue: Issue):
        super().__init__(f"{issue} closes at the end of {issue.close_date:%B %-d, %Y}; its list is still provisional.")
        self.issue = issue


@dataclass
class DrawnList:
    """A mailing list drawn from the ledger, not yet stored: rows in presort order, unsaved."""

    moment: datetime.datetime
    rows: list[MailingListRow]
    missing_address: list[Subscription] = field(default_factory=list)


@dataclass
class IssueMailingList:
    """What staff see or download for an issue: the stored list, or a provisional preview before the close."""

    issue: Issue
    closes_at: datetime.datetime
    rows: Sequence[MailingListRow]
    size: int
    missing_address_count: int
    stored: MailingList | None

    @property
    def provisional(self) -> bool:
        return self.stored is None


@dataclass
class PrintRun:
    """One issue's print run and how it changed from the issue before."""

    issue: Issue
    closes_at: datetime.datetime
    size: int
    change: int | None  # None for the first issue there is
    stored: MailingList | None
    has_closed: bool  # closed but not stored yet: the next run of close_due_issues or a download stores it

    @property
    def provisional(self) -> bool:
        return self.stored is None

    @property
    def change_text(self) -> str:
        """The change as the circulation manager reads it: +12, −3 (a true minus sign), or no change."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "no change"
        return f"+{self.change:,}" if self.change > 0 else f"\u2212{-self.change:,}"


def closes_at(issue: Issue) -> datetime.datetime:
    """The moment the issue closes: the first moment after its close date, in the magazine's time zone."""
    day_after = issue.close_date + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def has_closed(issue: Issue, now: datetime.datetime | None = None) -> bool:
    """Whether the issue's close date is over, so its list is final (stored, or about to be)."""
    return (now or timezone.now()) >= closes_at(issue)


def subscriber_reference(reader_id: int) -> str:
    """The number printed on the label, which a subscriber quotes to circulation staff."""
    return f"S-{reader_id:06d}"


def presort_key(row: MailingListRow) -> tuple:
    """Country, postal code, name: the order the printer presorts the mail in; the subscription breaks ties."""
    postal_code = "".join(row.postal_code.split()).upper()
    return (row.country, postal_code, row.name.casefold(), row.subscription_id)


def print_subscribers_on(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> DrawnList:
    """Everyone to mail a copy to at `moment`, each at the address in force then, in presort order."""
    subscriptions = list(print_subscriptions_active_at(moment, now=now).order_by("pk"))
    addresses = addresses_on([subscription.reader_id for subscription in subscriptions], moment)
    rows, missing = [], []
    for subscription in subscriptions:
        address = addresses.get(subscription.reader_id)
        if address is None:
            missing.append(subscription)
            continue
        rows.append(
            MailingListRow(
                subscription=subscription,
                subscriber_reference=subscriber_reference(subscription.reader_id),
                name=address.name,
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
            )
        )
    rows.sort(key=presort_key)
    for position, row in enumerate(rows):
        row.position = position
    return DrawnList(moment=moment, rows=rows, missing_address=missing)


def close_issue(issue: Issue, *, actor: str = SYSTEM_ACTOR, now: datetime.datetime | None = None) -> MailingList:
    """Store the issue's mailing list as it stands at its close; once stored it never changes.

    Safe to run twice or in two workers at once: the one-list-per-issue constraint lets one insert
    win, and the other returns the winner's list.
    """
    now = now or timezone.now()
    stored = MailingList.objects.filter(issue=issue).first()
    if stored is not None:
        return stored
    if not has_closed(issue, now):
        raise IssueStillOpen(issue)
    drawn = print_subscribers_on(closes_at(issue), now=now)
    try:
        with transaction.atomic():
            mailing_list = MailingList.objects.create(
                issue=issue,
                closes_at=drawn.moment,
                closed_at=now,
                closed_by=actor,
                row_count=len(drawn.rows),
                missing_address_count=len(drawn.missing_address),
            )
            for row in drawn.rows:
                row.mailing_list = mailing_list
            MailingListRow.objects.bulk_create(drawn.rows, batch_size=500)
    except IntegrityError:
        return MailingList.objects.get(issue=issue)
    return mailing_list


def issues_due_to_close(now: datetime.datetime | None = None) -> QuerySet[Issue]:
    """Issues whose close date has passed and whose list is not stored yet, oldest first."""
    # Closed means the close date (cover date - ISSUE_CLOSE_DAYS) is before today.
    today = timezone.localdate(now or timezone.now())
    latest_cover_date = today + datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS - 1)
    return Issue.objects.filter(cover_date__lte=latest_cover_date, mailing_list__isnull=True).order_by("cover_date")


def close_due_issues(now: datetime.datetime | None = None) -> list[MailingList]:
    """Store the list of every issue that has closed and has none yet (each in its own transaction)."""
    now = now or timezone.now()
    return [close_issue(issue, now=now) for issue in issues_due_to_close(now)]


def mailing_list_for(issue: Issue, *, actor: str, now: datetime.datetime | None = None) -> IssueMailingList:
    """The list to show or download: stored (storing it first if the issue has closed), or a live preview."""
    now = now or timezone.now()
    stored = MailingList.objects.filter(issue=issue).first()
    if stored is None and has_closed(issue, now):
        stored = close_issue(issue, actor=actor, now=now)
    if stored is not None:
        rows = stored.rows.order_by("position")
        return IssueMailingList(
            issue, stored.closes_at, rows, stored.row_count, stored.missing_address_count, stored=stored
        )
    drawn = print_subscribers_on(closes_at(issue), now=now)
    return IssueMailingList(issue, drawn.moment, drawn.rows, len(drawn.rows), len(drawn.missing_address), stored=None)


def provisional_sizes(moments: Sequence[datetime.datetime], *, now: datetime.datetime) -> list[int]:
    """How many copies each list would have if drawn now for each moment: one query for them all."""
    if not moments:
        return []
    counts = Subscription.objects.aggregate(
        **{
            f"at_{index}": Count("pk", filter=print_entitlement_at(moment, now=now) & address_exists_on(moment))
            for index, moment in enumerate(moments)
        }
    )
    return [counts[f"at_{index}"] for index in range(len(moments))]


def print_runs(issues: Sequence[Issue], *, now: datetime.datetime | None = None) -> list[PrintRun]:
    """Each issue's print run (stored, or provisional until it closes) and its change from the issue before.

    A constant number of queries however many issues: the stored lists in one, the provisional
    counts in one aggregate, and the issue before the earliest one given.
    """
    now = now or timezone.now()
    issues = list(issues)
    if not issues:
        return []
    ordered = sorted(issues, key=lambda issue: issue.cover_date)
    earlier = Issue.objects.filter(cover_date__lt=ordered[0].cover_date).order_by("-cover_date").first()
    every = ([earlier] if earlier else []) + ordered
    stored = {mailing_list.issue_id: mailing_list for mailing_list in MailingList.objects.filter(issue__in=every)}
    open_issues = [issue for issue in every if issue.pk not in stored]
    counts = dict(
        zip(
            [issue.pk for issue in open_issues],
            provisional_sizes([closes_at(issue) for issue in open_issues], now=now),
            strict=True,
        )
    )
    sizes = {issue.pk: stored[issue.pk].row_count if issue.pk in stored else counts[issue.pk] for issue in every}
    runs, previous = {}, earlier
    for issue in ordered:
        change = sizes[issue.pk] - sizes[previous.pk] if previous else None
        moment = closes_at(issue)
        runs[issue.pk] = PrintRun(issue, moment, sizes[issue.pk], change, stored.get(issue.pk), now >= moment)
        previous = issue
    return [runs[issue.pk] for issue in issues]
