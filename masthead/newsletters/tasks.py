"""Background jobs of the newsletters app. Each takes ids and is safe to run twice."""

from __future__ import annotations

import datetime
import itertools
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from masthead.core import jobs
from masthead.newsletters import sending
from masthead.newsletters.messages import confirmation_message
from masthead.newsletters.models import Delivery, Recipient, Send


@task()
def run_send(send_id: int) -> str:
    """Send a requested mailing to everyone still pending; a failure comes back with back-off (retry_due_sends).

    A task stops between two copies after NEWSLETTER_TASK_SECONDS and queues the rest as a new task,
    so no queue's job timeout (RQ's) ever kills a send in the middle of handing a copy over.
    """
    deadline = time.monotonic() + settings.NEWSLETTER_TASK_SECONDS
    asked = itertools.count()  # the first copy always goes, so every task makes progress
    outcome = sending.run_send(send_id, stop=lambda: next(asked) > 0 and time.monotonic() > deadline)
    if outcome.result == "stopped":
        run_send.enqueue(send_id)
    elif outcome.result == "waiting" and run_send.get_backend().supports_defer:
        # Copies turned away for now: come back when the first is due (retry_due_sends would too, later).
        run_send.using(run_after=outcome.next_try_at).enqueue(send_id)
    return outcome.result


@task()
def retry_due_sends() -> int:
    """Periodic: mailings whose failure is due another try, whose worker died, or with a copy due again, carry on."""
    now = timezone.now()
    failed_or_abandoned = jobs.due(Send, now).filter(requested_at__isnull=False).values_list("pk", flat=True)
    copies_due_again = (
        # Only a mailing handed back to wait for its copies (QUEUED): a failed one keeps its own back-off and limit.
        Delivery.objects.filter(status=Delivery.PENDING, retry_at__lte=now, send__status=Send.QUEUED)
        .values_list("send_id", flat=True)
        .distinct()
    )
    send_ids = sorted(set(failed_or_abandoned) | set(copies_due_again))
    for send_id in send_ids:
        run_send.enqueue(send_id)
    return len(send_ids)


@task()
def send_confirmation(recipient_id: int) -> bool:
    """The double opt-in email; nothing to do once the address is confirmed and has its account."""
    recipient = Recipient.objects.get(pk=recipient_id)
    if (recipient.confirmed_at and recipient.user_id) or recipient.suppressed_at:
        return False
    confirmation_message(recipient).send()
    return True


@task()
def send_weekly_digest() -> str:
    """Periodic (hourly): on the digest's weekday, from its hour, the week's digest goes out once."""
    now = timezone.localtime()
    if now.isoweekday() != settings.NEWSLETTER_DIGEST_WEEKDAY or now.hour < settings.NEWSLETTER_DIGEST_HOUR:
        return "not today"
    year, week, _ = now.isocalendar()
    send, created = Send.objects.get_or_create(
        key=f"digest:{year}-W{week:02d}",
        defaults={
            "kind": Send.DIGEST_KIND,
            "subject": f"{settings.MAGAZINE_NAME}: the week's free reading",
            "preheader": f"Free articles from the week to {now:%B %-d}.",
        },
    )
    sending.request_send(send, now=now)
    return "sent" if created else "already sent"


def enqueue_send(send_id: int, run_after: datetime.datetime | None = None) -> None:
    """Queue run_send once the current transaction commits (the request must be visible to the worker)."""
    transaction.on_commit(lambda: run_send.enqueue(send_id))
