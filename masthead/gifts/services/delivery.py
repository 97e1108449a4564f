"""The recipient's email: sent on the delivery day exactly once, and again when the giver asks.

A send is claimed by one conditional UPDATE (`sending_until`, a lease) before the email goes, and
marked sent after: a second run, or a second worker, finds it claimed or sent and sends nothing. A
worker that dies before sending leaves the lease to run out, and the next delivery run sends it.
(One that dies in the instant after the mail server took the email and before the row is marked
would send it again after the lease: the same window every email of the ledger has.)
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from masthead.gifts import emails
from masthead.gifts.models import Gift
from masthead.gifts.services.errors import GiftError, ResendTooSoon
from masthead.gifts.services.log import record_gift_event

SEND_LEASE = datetime.timedelta(minutes=10)
RESEND_INTERVAL = datetime.timedelta(minutes=10)


def magazine_today(now: datetime.datetime) -> datetime.date:
    """Delivery days are the magazine's days (TIME_ZONE), whoever's zone the giver typed the date in."""
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def awaiting_delivery(now: datetime.datetime):
    """Paid gifts, not refunded or claimed, whose day has come and whose email has not gone."""
    return Gift.objects.filter(
        payment_status=Gift.PAID,
        sent_at__isnull=True,
        refund_started_at__isnull=True,
        claimed_at__isnull=True,
        deliver_on__lte=magazine_today(now),
    )


def deliver_gift(gift_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Email the recipient their gift if its day has come and nobody has; True when this call sent it."""
    now = now or timezone.now()
    free = Q(sending_until__isnull=True) | Q(sending_until__lte=now)
    if not awaiting_delivery(now).filter(free, pk=gift_id).update(sending_until=now + SEND_LEASE):
        return False
    gift = Gift.objects.select_related("plan", "giver").get(pk=gift_id)
    emails.email_recipient(gift)
    with transaction.atomic():
        Gift.objects.filter(pk=gift_id).update(
            sent_at=now, last_sent_at=now, times_sent=F("times_sent") + 1, sending_until=None
        )
        record_gift_event(gift, "email_sent", "system:deliver_gifts", to=gift.recipient_email)
    return True


def deliver_due_gifts(*, now: datetime.datetime | None = None) -> int:
    """Send every gift whose day has come; returns how many this run sent."""
    now = now or timezone.now()
    return sum(deliver_gift(gift_id, now=now) for gift_id in awaiting_delivery(now).values_list("pk", flat=True))


def resend_gift(gift: Gift, *, actor: str, now: datetime.datetime | None = None) -> Gift:
    """Email the recipient their gift again (the same link), at most once every RESEND_INTERVAL."""
    now = now or timezone.now()
    if gift.claimed_at or gift.refund_started_at or gift.sent_at is None:
        raise GiftError("Only a gift that has been sent and not yet claimed can be sent again.")
    if gift.last_sent_at and now < gift.last_sent_at + RESEND_INTERVAL:
        minutes = -int(-(gift.last_sent_at + RESEND_INTERVAL - now).total_seconds() // 60)
        raise ResendTooSoon(minutes)
    # Claimed by moving last_sent_at on from the value read: a double click sends once.
    claimed = Gift.objects.filter(
        pk=gift.pk, last_sent_at=gift.last_sent_at, claimed_at__isnull=True, refund_started_at__isnull=True
    ).update(last_sent_at=now, times_sent=F("times_sent") + 1)
    if not claimed:
        raise ResendTooSoon(int(RESEND_INTERVAL.total_seconds() // 60))
    gift.refresh_from_db()
    emails.email_recipient(gift)
    record_gift_event(gift, "email_resent", actor, to=gift.recipient_email)
    return gift
