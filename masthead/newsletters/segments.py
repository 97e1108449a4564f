"""Who receives a mailing: entitled readers for an issue, free readers, lapsed readers, a section's followers."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from masthead.newsletters.models import Newsletter, Recipient, Send
from masthead.newsletters.recipients import recipients_for_users
from masthead.subscriptions.models import Subscription

CHUNK = 2000


def mailable() -> QuerySet[Recipient]:
    """Confirmed addresses that never bounced or complained."""
    return Recipient.objects.filter(confirmed_at__isnull=False, suppressed_at__isnull=True)


def chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def subscriber_ids(now: datetime.datetime) -> list[int]:
    """Readers paid up for the digital edition at `now` (staff without a subscription are not mailed).

    `entitlements_for` answers for one reader with a query or three; for a mailing to 100,000 the
    rule it applies to a paying reader, `Subscription.grants_access(now)`, is applied to the live
    subscriptions read in one pass.
    """
    live = (
        Subscription.objects.filter(status__in=Subscription.LIVE_STATUSES, reader__is_active=True)
        .only("reader_id", "status", "current_period_end", "cancel_at_period_end", "complimentary")
        .order_by("reader_id")
    )
    return [
        subscription.reader_id for subscription in live.iterator(chunk_size=CHUNK) if subscription.grants_access(now)
    ]


def rows_for(user_ids: list[int], now: datetime.datetime) -> Iterator[QuerySet[Recipient]]:
    """These readers' mailable rows, a chunk at a time, writing the missing rows."""
    for chunk in chunks(user_ids):
        ids = [recipient.pk for recipient in recipients_for_users(chunk, now=now).values()]
        yield mailable().filter(pk__in=ids)


def signups_without_account() -> Iterator[QuerySet[Recipient]]:
    ids = list(mailable().filter(user__isnull=True).order_by("pk").values_list("pk", flat=True))
    for chunk in chunks(ids):
        yield mailable().filter(pk__in=chunk)


def subscribers(now: datetime.datetime) -> Iterator[QuerySet[Recipient]]:
    yield from rows_for(subscriber_ids(now), now)


def free_readers(now: datetime.datetime) -> Iterator[QuerySet[Recipient]]:
    """Confirmed free sign-ups, and readers with an account but no entitlement."""
    User = get_user_model()
    entitled = set(subscriber_ids(now))
    accounts = User.objects.filter(is_active=True, is_staff=False).order_by("pk").values_list("pk", flat=True)
    yield from rows_for([pk for pk in accounts if pk not in entitled], now)
    yield from signups_without_account()


def lapsed_readers(now: datetime.datetime) -> Iterator[QuerySet[Recipient]]:
    """Readers who once subscribed and hold no live subscription now."""
    User = get_user_model()
    lapsed = (
        User.objects.filter(is_active=True, subscriptions__isnull=False)
        .exclude(subscriptions__status__in=Subscription.LIVE_STATUSES)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    yield from rows_for(list(lapsed), now)


def section_followers(section_id: int) -> Iterator[QuerySet[Recipient]]:
    ids = list(mailable().filter(alert_sections=section_id).order_by("pk").values_list("pk", flat=True))
    for chunk in chunks(ids):
        yield mailable().filter(pk__in=chunk)


def audience(send: Send, now: datetime.datetime) -> Iterator[list[int]]:
    """Everyone this mailing goes to who wants it, as lists of recipient ids."""
    if send.kind == Send.ISSUE:
        groups, wanted = subscribers(now), {"wants_issue_email": True}
    elif send.kind == Send.DIGEST_KIND:
        groups, wanted = free_readers(now), {"wants_digest": True}
    elif send.kind == Send.ALERT:
        groups, wanted = section_followers(send.article.get_parent().pk), {}
    else:
        newsletter = send.newsletter
        segment = {
            Newsletter.SUBSCRIBERS: subscribers,
            Newsletter.FREE_READERS: free_readers,
            Newsletter.LAPSED: lapsed_readers,
        }.get(newsletter.segment)
        groups = section_followers(newsletter.section_id) if segment is None else segment(now)
        wanted = {"wants_newsletters": True}
    for group in groups:
        ids = list(group.filter(**wanted).values_list("pk", flat=True))
        if ids:
            yield ids
