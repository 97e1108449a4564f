"""Drawing up and closing each issue's mailing list for the printer.

Who is on it: every subscription with a print entitlement at the issue's close, decided by the
ledger's own rule (`subscriptions.queries.print_entitlement_at`, which is `grants_access` as a
query), less the readers whose pause runs at that moment (they skip the issue; `pause_choices`
makes each pause end exactly when the list of the first issue after the skipped ones closes).
Where to: the address in force at that moment; a move made after it reaches the next issue.
An issue closes at the end of its close date in the magazine's time zone (`TIME_ZONE`, whatever
zone a staff member's admin profile shows them). Its list is stored once, then (by the
`close_due_issues` task, or by the first download after the close date), and every later download
reads the stored rows, so the same issue always gives the printer the same list. The printer's
files are rendered from the stored rows once (by the same task, or by the first download of each)
and kept, so a download serves stored bytes rather than running WeasyPrint in the web request.
See docs/editions.md, "Print edition".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from masthead.circulation import printer_files
from masthead.circulation.models import MailingList, MailingListFile, MailingListRow, UnmailedSubscriber
from masthead.editions.models import Issue
from masthead.editions.services import cover_dates_for_year
from masthead.subscriptions.models import Subscription, SubscriptionPause
from masthead.subscriptions.queries import (
    address_exists_on,
    addresses_on,
    print_entitlement_at,
    print_subscriptions_active_at,
)
from masthead.subscriptions.services.pauses import PausePlan

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
    unmailed: list[UnmailedSubscriber] = field(default_factory=list)  # print subscribers with no address then


@dataclass
class IssueMailingList:
    """What staff see or download for an issue: the stored list, or a provisional preview before the close."""

    issue: Issue
    closes_at: datetime.datetime
    rows: Sequence[MailingListRow]
    size: int
    missing_address_count: int
    unmailed: Sequence[UnmailedSubscriber]
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


def magazine_time_zone() -> ZoneInfo:
    """The zone close dates are kept in: TIME_ZONE, never the zone active for the request."""
    # Wagtail's admin activates each staff member's own zone; a close taken in it would move the
    # close moment by hours, and a stored list keeps its moment for good.
    return ZoneInfo(settings.TIME_ZONE)


def closes_at(issue: Issue) -> datetime.datetime:
    """The moment the issue closes: the first moment after its close date, in the magazine's time zone."""
    return closes_at_cover_date(issue.cover_date)


def closes_at_cover_date(cover_date: datetime.date) -> datetime.datetime:
    """`closes_at` of the issue with this cover date, whether or not the schedule has it yet."""
    day_after = cover_date - datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS - 1)
    return datetime.datetime.combine(day_after, datetime.time.min, tzinfo=magazine_time_zone())


def pause_choices(now: datetime.datetime | None = None) -> list[PausePlan]:
    """The pauses a reader may ask for now: the next 1, 2 or 3 issues whose lists are still open.

    Each ends when the list of the issue after the skipped ones closes, so the lists drawn while it
    runs are exactly the skipped issues'. Issues the schedule has not made yet (next year's, made
    in December) are taken from ISSUE_DAYS_OF_MONTH.
    """
    now = now or timezone.now()
    wanted = SubscriptionPause.MAX_ISSUES + 1
    # Still open: the close date (cover date - ISSUE_CLOSE_DAYS) is today or later, in the magazine's zone.
    first_open = timezone.localdate(now, magazine_time_zone()) + datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS)
    covers = list(
        Issue.objects.filter(cover_date__gte=first_open).order_by("cover_date").values_list("cover_date", flat=True)
    )[:wanted]
    after = covers[-1] if covers else first_open - datetime.timedelta(days=1)
    scheduled = [
        day
        for year in (after.year, after.year + 1)
        for day in cover_dates_for_year(year, settings.ISSUE_DAYS_OF_MONTH)
        if day > after
    ]
    covers = (covers + scheduled)[:wanted]
    return [
        PausePlan(
            issues=count,
            first_cover_date=covers[0],
            last_cover_date=covers[count - 1],
            resumes_at=closes_at_cover_date(covers[count]),
            first_closes_at=closes_at_cover_date(covers[0]),
        )
        for count in range(1, len(covers))
    ]


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


def not_paused_at(moment: datetime.datetime) -> Q:
    """For a Subscription query: no pause of the reader's runs at `moment` (a paused reader skips that issue)."""
    return ~Q(Exists(SubscriptionPause.objects.in_effect_at(moment).filter(subscription=OuterRef("pk"))))


def print_subscribers_on(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> DrawnList:
    """Everyone to mail a copy to at `moment`, each at the address in force then, in presort order."""
    active = print_subscriptions_active_at(moment, now=now).filter(not_paused_at(moment))
    subscriptions = list(active.select_related("reader").order_by("pk"))
    # The readers as a subquery, not a list of ids: a print run of tens of thousands stays one query.
    addresses = addresses_on(active.values("reader_id"), moment)
    rows, unmailed = [], []
    for subscription in subscriptions:
        address = addresses.get(subscription.reader_id)
        if address is None:
            reader = subscription.reader
            unmailed.append(
                UnmailedSubscriber(
                    subscription=subscription,
                    subscriber_reference=subscriber_reference(subscription.reader_id),
                    name=reader.get_full_name() or reader.get_username(),
                    email=reader.email,
                )
            )
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
    unmailed.sort(key=lambda person: person.subscriber_reference)
    return DrawnList(moment=moment, rows=rows, unmailed=unmailed)


def close_issue(issue: Issue, *, actor: str = SYSTEM_ACTOR, now: datetime.datetime | None = None) -> MailingList:
    """Store the issue's mailing list as it stands at its close; once stored it never changes.

    Safe to run twice or in two workers at once: the one-list-per-issue constraint lets one insert
    win, and the other returns the winner's list. Only rows are written here; the printer's files
    are rendered afterwards, outside the transaction (`store_printer_file`).
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
                missing_address_count=len(drawn.unmailed),
            )
            for row in [*drawn.rows, *drawn.unmailed]:
                row.mailing_list = mailing_list
            MailingListRow.objects.bulk_create(drawn.rows, batch_size=500)
            UnmailedSubscriber.objects.bulk_create(drawn.unmailed, batch_size=500)
    except IntegrityError:
        return MailingList.objects.get(issue=issue)
    return mailing_list


def issues_due_to_close(now: datetime.datetime | None = None) -> QuerySet[Issue]:
    """Issues whose close date has passed and whose list is not stored yet, oldest first."""
    # Closed means the close date (cover date - ISSUE_CLOSE_DAYS) is before today, in the magazine's zone.
    today = timezone.localdate(now or timezone.now(), magazine_time_zone())
    latest_cover_date = today + datetime.timedelta(days=settings.ISSUE_CLOSE_DAYS - 1)
    return Issue.objects.filter(cover_date__lte=latest_cover_date, mailing_list__isnull=True).order_by("cover_date")


def close_due_issues(now: datetime.datetime | None = None) -> list[MailingList]:
    """Store the list of every issue that has closed and has none yet (each in its own transaction)."""
    now = now or timezone.now()
    return [close_issue(issue, now=now) for issue in issues_due_to_close(now)]


def store_printer_file(mailing_list: MailingList, kind: str) -> MailingListFile:
    """The stored list's file of `kind`, rendered from its rows and stored first if it is not stored yet.

    Rendering takes seconds (WeasyPrint), so it happens outside any transaction; the
    one-file-per-kind constraint keeps the first copy stored, and a renderer that loses the race
    deletes its copy and returns the winner's, so every download serves the same bytes.
    """
    stored = MailingListFile.objects.filter(mailing_list=mailing_list, kind=kind).first()
    if stored is not None:
        if stored.file.storage.exists(stored.file.name):
            return stored
        # The row outlived its file (storage restored, or another host's disk): render it again.
        MailingListFile.objects.filter(pk=stored.pk).delete()
    rows = list(mailing_list.rows.order_by("position"))
    body = printer_files.render(kind, rows, mailing_list.issue, provisional=False)
    record = MailingListFile(mailing_list=mailing_list, kind=kind, rendered_at=timezone.now())
    record.file.save(printer_files.stored_file_name(mailing_list.issue, kind), ContentFile(body), save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        record.file.delete(save=False)
        return MailingListFile.objects.get(mailing_list=mailing_list, kind=kind)
    return record


def store_missing_printer_files() -> list[MailingListFile]:
    """Render and store every file a stored list lacks (a list just closed lacks all of them); safe to run twice."""
    wanted = len(printer_files.FILE_KINDS)
    lacking = (
        MailingList.objects.annotate(stored_files=Count("files"))
        .filter(stored_files__lt=wanted)
        .select_related("issue")
        .order_by("closes_at")
    )
    stored = []
    for mailing_list in lacking:
        have = set(mailing_list.files.values_list("kind", flat=True))
        stored += [store_printer_file(mailing_list, kind) for kind in printer_files.FILE_KINDS if kind not in have]
    return stored


def mailing_list_for(issue: Issue, *, actor: str, now: datetime.datetime | None = None) -> IssueMailingList:
    """The list to show or download: stored (storing it first if the issue has closed), or a live preview."""
    now = now or timezone.now()
    stored = MailingList.objects.filter(issue=issue).first()
    if stored is None and has_closed(issue, now):
        stored = close_issue(issue, actor=actor, now=now)
    if stored is not None:
        rows = stored.rows.order_by("position")
        unmailed = stored.unmailed.order_by("subscriber_reference")
        return IssueMailingList(
            issue, stored.closes_at, rows, stored.row_count, stored.missing_address_count, unmailed, stored=stored
        )
    drawn = print_subscribers_on(closes_at(issue), now=now)
    return IssueMailingList(
        issue, drawn.moment, drawn.rows, len(drawn.rows), len(drawn.unmailed), drawn.unmailed, stored=None
    )


def provisional_sizes(moments: Sequence[datetime.datetime], *, now: datetime.datetime) -> list[int]:
    """How many copies each list would have if drawn now for each moment: one query for them all."""
    if not moments:
        return []
    counts = Subscription.objects.aggregate(
        **{
            f"at_{index}": Count(
                "pk", filter=print_entitlement_at(moment, now=now) & address_exists_on(moment) & not_paused_at(moment)
            )
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
