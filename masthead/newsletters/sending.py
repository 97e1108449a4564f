"""Sending a mailing: claim it (core.jobs), write its deliveries once, then hand them to the mail server in batches.

Each copy is marked `sending` (committed) before it is handed over and `sent` once the server took
it, so a worker that dies loses at most the one copy it was handing over, which the next worker
marks `uncertain` instead of sending twice. A 5xx answer from the server is a hard bounce: the
address is suppressed at once. A 4xx answer (a soft bounce: greylisting, a full mailbox, a busy
server) took nothing, so the copy goes back to `pending` with a wait and is offered again a few
times (Delivery.SOFT_BOUNCE_TRIES); the mailing is given back until then and `retry_due_sends` takes
it up when a copy is due. A lost connection fails the job, which is retried with back-off and
carries on with the rows still pending.
"""

from __future__ import annotations

import datetime
import smtplib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from masthead.core import jobs
from masthead.newsletters import segments
from masthead.newsletters.messages import Mailing, render_send
from masthead.newsletters.models import Delivery, Recipient, Send
from masthead.newsletters.recipients import suppress


class NotRequested(Exception):
    """The mailing is a draft: nobody has asked for it to be sent."""


@dataclass
class SendOutcome:
    # "finished", "waiting" (only copies turned away for now are left), "busy" (another worker has it),
    # "stopped", "failed", "draft"
    result: str
    counts: Counter = field(default_factory=Counter)
    next_try_at: datetime.datetime | None = None  # when "waiting": the first copy due again


def request_send(send: Send, *, now: datetime.datetime | None = None) -> bool:
    """Ask for the mailing to go out (once): True if this call asked, False if it was asked before."""
    from masthead.newsletters.tasks import enqueue_send

    now = now or timezone.now()
    asked = Send.objects.filter(pk=send.pk, requested_at__isnull=True).update(requested_at=now)
    if asked:
        send.requested_at = now
        enqueue_send(send.pk)
    return bool(asked)


def write_deliveries(send: Send, now: datetime.datetime) -> int:
    """One pending row per recipient, written once; a second run adds nobody twice (the unique constraint)."""
    written = 0
    for recipient_ids in segments.audience(send, now):
        with transaction.atomic():
            Delivery.objects.bulk_create(
                [Delivery(send=send, recipient_id=recipient_id) for recipient_id in recipient_ids],
                ignore_conflicts=True,
                batch_size=2000,
            )
        written += len(recipient_ids)
    Send.objects.filter(pk=send.pk).update(recipients_written_at=now)
    return written


class Pace:
    """At most `rate` messages a second (settings.NEWSLETTER_SEND_RATE; 0 means as fast as the server takes them)."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def run_send(
    send_id: int,
    *,
    now: datetime.datetime | None = None,
    stop: Callable[[], bool] = lambda: False,
    progress: Callable[[str], None] = lambda outcome: None,
) -> SendOutcome:
    """Send the mailing to every recipient still pending; safe to run twice, and after a crash."""
    now = now or timezone.now()
    if Send.objects.filter(pk=send_id, requested_at__isnull=True).exists():
        return SendOutcome("draft")
    token = jobs.claim(Send, send_id, now)
    if token is None:
        return SendOutcome("busy")
    outcome = SendOutcome("finished")
    try:
        send = Send.objects.select_related("issue__cover_image", "newsletter", "article").get(pk=send_id)
        if send.recipients_written_at is None:
            write_deliveries(send, now)
        # Rows a dead predecessor was handing over may have arrived: never send them again.
        send.deliveries.filter(status=Delivery.SENDING).update(
            status=Delivery.UNCERTAIN, error="The worker stopped while handing this copy to the mail server."
        )
        mailing = render_send(send, now=now)
        connection = get_connection()
        connection.open()
        try:
            result = deliver_pending(send, mailing, connection, token, stop, outcome.counts, progress, now)
        finally:
            connection.close()
        if result == "finished":
            outcome.next_try_at = send.deliveries.filter(status=Delivery.PENDING).aggregate(at=Min("retry_at"))["at"]
            if outcome.next_try_at is not None:
                result = "waiting"
        if result in ("stopped", "waiting"):
            jobs.release(Send, send_id, token)
            outcome.result = result
            return outcome
        jobs.finish(Send, send_id, token, finished_at=timezone.now())
    except jobs.ClaimLost:
        outcome.result = "busy"
    except (KeyboardInterrupt, SystemExit):
        jobs.release(Send, send_id, token)
        raise
    except Exception as error:
        jobs.record_failure(Send, send_id, token, error, timezone.now())
        outcome.result = "failed"
        outcome.counts["error"] += 1
    return outcome


def deliver_pending(
    send, mailing: Mailing, connection, token: str, stop, counts: Counter, progress, now: datetime.datetime
) -> str:
    """Hand over every pending copy (those turned away for now only once their wait is over at `now`)."""
    pace = Pace(settings.NEWSLETTER_SEND_RATE)
    batch_size = settings.NEWSLETTER_BATCH_SIZE
    heartbeat = Heartbeat(send.pk, token, Send.LEASE / 4)
    due = Q(status=Delivery.PENDING) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    while True:
        heartbeat.beat()
        batch = list(send.deliveries.filter(due).select_related("recipient").order_by("pk")[:batch_size])
        if not batch:
            return "finished"
        for delivery in batch:
            if stop():
                return "stopped"
            pace.wait()
            heartbeat.beat_if_due()
            result = deliver(delivery, mailing, connection)
            counts[result] += 1
            progress(result)


class Heartbeat:
    """Renews the claim while the worker sends, so a long mailing keeps it; a worker that lost it stops."""

    def __init__(self, send_id: int, token: str, every: datetime.timedelta):
        self.send_id, self.token, self.every = send_id, token, every.total_seconds()
        self.last = 0.0

    def beat(self) -> None:
        if not Send.objects.filter(pk=self.send_id, claim_token=self.token).update(claimed_at=timezone.now()):
            raise jobs.ClaimLost()
        self.last = time.monotonic()

    def beat_if_due(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self.beat()


def deliver(delivery: Delivery, mailing: Mailing, connection) -> str:
    """Hand one copy to the mail server and record what it said; returns the delivery's new status."""
    recipient = delivery.recipient
    if recipient.suppressed_at:
        return mark(delivery, Delivery.FAILED, error="The address bounced or complained earlier.")
    if not Delivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING).update(status=Delivery.SENDING):
        return "skipped"
    message = mailing.message_for(recipient, connection=connection)
    try:
        connection.send_messages([message])
    except smtplib.SMTPSenderRefused:
        # Our own From address was refused: no reader bounced, and nothing was handed over. The copy is
        # pending again and the mailing fails, to be tried again with back-off once the sender is mended.
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.SENDING).update(status=Delivery.PENDING)
        raise
    except smtplib.SMTPRecipientsRefused as refused:
        code, reply = next(iter(refused.recipients.values()))
        return refused_by_server(delivery, recipient, code, reply, connection)
    except smtplib.SMTPResponseException as refused:
        return refused_by_server(delivery, recipient, refused.smtp_code, refused.smtp_error, connection)
    except Exception as error:
        if is_provider_rejection(error):
            return refused_by_server(delivery, recipient, 550, str(error).encode())
        # The connection broke while the copy was handed over: it may have arrived, so it is not sent again.
        mark(delivery, Delivery.UNCERTAIN, error=f"{type(error).__name__}: {error}"[:500])
        raise
    status = getattr(message, "anymail_status", None)
    return mark(delivery, Delivery.SENT, provider_message_id=(getattr(status, "message_id", None) or "")[:200])


def refused_by_server(delivery: Delivery, recipient: Recipient, code: int, reply: bytes, connection=None) -> str:
    """The server took nothing: a 5xx bounces the address for good, a 4xx turns the copy away for now."""
    error = f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"[:500]
    # 552 (mailbox over its storage) is temporary on RCPT, as RFC 5321 says; other 5xx are final.
    if code >= 500 and code != 552:
        suppress(recipient.email, Recipient.BOUNCED)
        result = mark(delivery, Delivery.BOUNCED, error=error)
    else:
        result = turned_away_for_now(delivery, error)
    if code == 421 and connection is not None:
        # The server closed the connection with its answer (the copy is recorded first): the next needs a new one.
        connection.close()
        connection.open()
    return result


def turned_away_for_now(delivery: Delivery, error: str) -> str:
    """Offer the copy again after a wait growing fourfold (5, 20, 80 minutes), or give up after the last try."""
    tries = delivery.soft_bounces + 1
    if tries >= Delivery.SOFT_BOUNCE_TRIES:
        return mark(delivery, Delivery.FAILED, soft_bounces=tries, retry_at=None,
                    error=f"{error[:440]} (gave up after {tries} tries)")  # fmt: skip
    retry_at = timezone.now() + Delivery.FIRST_RETRY_AFTER * 4 ** (tries - 1)
    # Only from `sending`, which this worker set: nothing was handed over, so pending again is safe.
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.SENDING).update(
        status=Delivery.PENDING, soft_bounces=tries, retry_at=retry_at, error=error
    )
    return "turned away"


def is_provider_rejection(error: Exception) -> bool:
    """A provider (through django-anymail) refused every recipient of the copy."""
    try:
        from anymail.exceptions import AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a runtime dependency
        return False
    return isinstance(error, AnymailRecipientsRefused)


def mark(delivery: Delivery, status: str, **fields) -> str:
    if status == Delivery.SENT:
        fields["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
    return status


def send_test(send: Send, to_email: str) -> None:
    """A copy for an editor's own inbox before the real send; it counts nowhere and its links unsubscribe nobody."""
    mailing = render_send(send)
    stand_in = Recipient(pk=0, email=to_email)
    message = mailing.message_for(stand_in)
    message.subject = f"[Test] {message.subject}"
    message.send()
