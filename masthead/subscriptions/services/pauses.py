"""Pausing: a reader skips 1 to 3 issues, is not charged for the time, and comes back by themselves.

A pause runs from the reader's request until the mailing list of the first issue after the skipped
ones closes (circulation works out those moments from the issue schedule: `PausePlan`). The time
from the close of the first skipped issue's list to that end (what the reader actually misses) is
added to the paid period at once, so the renewal simply falls due that much later: it charges the
same amount from the new date, under the usual key, and nothing is charged twice or skipped. When
the paid period ends before the skipped issues begin, that would still fall inside the pause, so the
charge moves to the resume moment instead (the renewal run never charges a paused subscription).
Resuming early takes back what was moved, less the skipped time already used. Who reads what meanwhile is decided in
`access.entitlements` (print never; digital as the publisher sets); circulation leaves paused
readers out of the lists drawn while the pause runs (`SubscriptionPause.objects.in_effect_at`).

No money moves here: each change is one locked, atomic update of the subscription with its pause
row and its event, and the emails go on commit, each sent at most once (emails.send_to_reader).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from masthead.subscriptions.models import Refund, Subscription, SubscriptionPause
from masthead.subscriptions.services.errors import PauseRefused
from masthead.subscriptions.services.ledger import locked_subscription, record_event

RESUME_REMINDER_DAYS = 7
ISSUES_PER_YEAR = 3  # issues a subscription may skip in any 12 months
SYSTEM_ACTOR = "system:pauses"


@dataclass(frozen=True)
class PausePlan:
    """A pause as the issue schedule makes it: the issues skipped and when the reader is back."""

    issues: int
    first_cover_date: datetime.date
    last_cover_date: datetime.date
    resumes_at: datetime.datetime  # the first moment of the list of the issue after them
    first_closes_at: datetime.datetime  # when the first skipped issue's list closes: what the reader misses begins


def pause_refusal(subscription: Subscription | None, now: datetime.datetime, *, digital_while_paused: bool) -> str:
    """Why this subscription cannot be paused now, in words for the reader; "" when it can.

    `digital_while_paused` is the publisher's setting (access decides it; the ledger sits below access).
    """
    if subscription is None or subscription.status in (Subscription.ENDED, Subscription.REFUNDED):
        return "You have no current subscription to pause."
    if subscription.status == Subscription.PAST_DUE:
        return (
            "Your last renewal payment has not gone through yet, and we are still trying it. "
            "You can pause once it is paid (update your card to settle it now)."
        )
    if guarantee_refund_begun(subscription):
        return "A refund under the money-back guarantee is under way, so this subscription cannot be paused."
    if subscription.is_paused(now):
        return f"Your subscription is already paused until {timezone.localtime(subscription.paused_until):%B %-d, %Y}."
    if subscription.cancel_at_period_end:
        return "Your subscription is cancelled and will not renew, so there is nothing to pause."
    if subscription.complimentary:
        return "A complimentary subscription cannot be paused; write to us and we will hold your copies."
    if subscription.on_trial:
        return "You are in your free trial: nothing is charged yet, so there is nothing to pause."
    if subscription.current_period_end <= now:
        return "Your renewal is being processed right now; please try again in an hour."
    # Digital only, and digital stays open: a pause would skip nothing yet move the charge (free reading).
    if not subscription.plan.includes_print and digital_while_paused:
        return (
            "A digital subscription has nothing to pause: you keep reading while paused, so there is "
            "nothing to skip. You can cancel instead, or keep reading."
        )
    if issues_skipped_in_year(subscription, now) >= ISSUES_PER_YEAR:
        return f"You have already skipped {ISSUES_PER_YEAR} issues in the last 12 months, the most a subscription may."
    return ""


def issues_skipped_in_year(subscription: Subscription, now: datetime.datetime) -> int:
    """Issues asked to skip by the pauses begun in the 12 months before `now` (resumed early or not)."""
    since = now - datetime.timedelta(days=365)
    pauses = SubscriptionPause.objects.filter(subscription=subscription, starts_at__gt=since)
    return sum(pauses.values_list("issues", flat=True))


def guarantee_refund_begun(subscription: Subscription) -> bool:
    """Some money already went back under the guarantee (a refund stopped half-way is asked again, not paused)."""
    return Refund.objects.filter(payment__subscription=subscription, reason="guarantee").exists()


def do_pause(
    subscription: Subscription,
    plan: PausePlan,
    *,
    actor: str,
    digital_while_paused: bool,
    now: datetime.datetime | None = None,
) -> SubscriptionPause:
    """Pause from now until `plan.resumes_at`: the next charge moves later by the skipped issues' time.

    That is from the close of the first skipped issue's list (not from now: until then the reader
    still gets what they paid for) to `plan.resumes_at`, and to `plan.resumes_at` at least, so no
    renewal falls due while the pause runs.
    """
    from masthead.subscriptions import pause_tasks  # the tasks import the services

    now = now or timezone.now()
    if not 1 <= plan.issues <= SubscriptionPause.MAX_ISSUES:
        raise PauseRefused(f"A pause is for 1 to {SubscriptionPause.MAX_ISSUES} issues.")
    if plan.resumes_at <= now:
        raise PauseRefused("Those issues have already closed; please choose again.")
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        close_pause_if_over(subscription, now)
        refusal = pause_refusal(subscription, now, digital_while_paused=digital_while_paused)
        if refusal:
            raise PauseRefused(refusal)
        left = ISSUES_PER_YEAR - issues_skipped_in_year(subscription, now)
        if plan.issues > left:
            raise PauseRefused(
                f"A subscription may skip {ISSUES_PER_YEAR} issues in any 12 months; you have {left} left, "
                f"so please choose {left} issue{'s' if left > 1 else ''} or fewer."
            )
        charge_moved_from = max(plan.first_closes_at, now)
        moved_from = subscription.current_period_end
        moved_to = max(moved_from + (plan.resumes_at - charge_moved_from), plan.resumes_at)
        pause = SubscriptionPause.objects.create(
            subscription=subscription,
            issues=plan.issues,
            first_cover_date=plan.first_cover_date,
            last_cover_date=plan.last_cover_date,
            starts_at=now,
            resumes_at=plan.resumes_at,
            charge_moved_from=charge_moved_from,
            charge_moved_by=moved_to - moved_from,
            created_at=now,
        )
        subscription.current_period_end = moved_to
        subscription.paused_until = plan.resumes_at
        # Saving the subscription makes the page cache decide the reader afresh (access.page_audience).
        subscription.save(update_fields=["current_period_end", "paused_until"])
        record_event(
            subscription,
            "paused",
            actor,
            issues=plan.issues,
            first_issue=plan.first_cover_date.isoformat(),
            last_issue=plan.last_cover_date.isoformat(),
            resumes_at=plan.resumes_at.isoformat(),
            next_charge_from=moved_from.isoformat(),
            next_charge_to=subscription.current_period_end.isoformat(),
        )
        transaction.on_commit(lambda: pause_tasks.send_pause_confirmation.enqueue(pause.pk))
    return pause


def do_resume_from_pause(
    subscription: Subscription, *, actor: str, now: datetime.datetime | None = None
) -> SubscriptionPause:
    """End a running pause now; the moved time not used comes off the period, so the charge comes sooner.

    That is what the pause moved the charge by, less the skipped issues' time already passed (none
    before the first skipped list closes); never earlier than now, as a charge cannot be due in the past.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = locked_subscription(subscription.pk)
        pause = SubscriptionPause.objects.select_for_update().filter(subscription=subscription, ended_at=None).first()
        if pause is None or not subscription.is_paused(now) or not subscription.is_live:
            raise PauseRefused("Your subscription is not paused, so there is nothing to resume.")
        used = max(now - pause.charge_moved_from, datetime.timedelta(0))
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        subscription.current_period_end = max(subscription.current_period_end - pause.charge_moved_by + used, now)
        subscription.paused_until = None
        subscription.save(update_fields=["current_period_end", "paused_until"])
        record_event(
            subscription, "pause_ended", actor, early=True, next_charge_to=subscription.current_period_end.isoformat()
        )
    return pause


def close_pause_if_over(subscription: Subscription, now: datetime.datetime) -> SubscriptionPause | None:
    """Record the end of a pause whose time is up (call with the subscription locked); the period stays as moved."""
    pause = (
        SubscriptionPause.objects.select_for_update()
        .filter(subscription=subscription, ended_at=None, resumes_at__lte=now)
        .first()
    )
    if pause is None:
        return None
    pause.ended_at = pause.resumes_at
    pause.save(update_fields=["ended_at"])
    if subscription.paused_until is not None and subscription.paused_until <= now:
        subscription.paused_until = None
        subscription.save(update_fields=["paused_until"])
    record_event(subscription, "pause_ended", SYSTEM_ACTOR, early=False)
    return pause


def end_due_pauses(now: datetime.datetime | None = None) -> int:
    """Close every pause whose resume moment has come (access came back by itself then); safe to run twice."""
    now = now or timezone.now()
    due = SubscriptionPause.objects.filter(ended_at=None, resumes_at__lte=now).values_list("subscription_id", flat=True)
    ended = 0
    for subscription_id in list(due):
        with transaction.atomic():
            ended += close_pause_if_over(locked_subscription(subscription_id), now) is not None
    return ended


def send_resume_reminders(now: datetime.datetime | None = None) -> int:
    """Email each paused reader a week before they resume, once.

    Not when that moment comes less than a day after the pause began: its confirmation, hours old, said when.
    """
    from masthead.subscriptions import pause_tasks

    now = now or timezone.now()
    week = datetime.timedelta(days=RESUME_REMINDER_DAYS)
    due = SubscriptionPause.objects.filter(
        ended_at=None,
        reminder_sent_at=None,
        resumes_at__gt=now,
        resumes_at__lte=now + week,
        subscription__status=Subscription.ACTIVE,
    )
    sent = 0
    for pause in due.only("pk", "starts_at", "resumes_at"):
        if pause.resumes_at - week < pause.starts_at + datetime.timedelta(days=1):
            continue
        with transaction.atomic():
            # The claim is one conditional update: two runs at once send one email.
            if SubscriptionPause.objects.filter(pk=pause.pk, reminder_sent_at=None).update(reminder_sent_at=now):
                transaction.on_commit(lambda pk=pause.pk: pause_tasks.send_resume_reminder.enqueue(pk))
                sent += 1
    return sent
