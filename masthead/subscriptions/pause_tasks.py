"""Background jobs of pausing: the confirmation, the week-before email, and the hourly run that ends pauses.

Each email is named by its pause (`once`), so a task run twice sends it once (emails.send_to_reader).
"""

from __future__ import annotations

from django_tasks import task

from masthead.subscriptions.emails import send_to_reader
from masthead.subscriptions.models import SubscriptionPause
from masthead.subscriptions.services.pauses import end_due_pauses, send_resume_reminders


def load_pause(pause_id: int) -> SubscriptionPause:
    return SubscriptionPause.objects.select_related("subscription__reader", "subscription__plan").get(pk=pause_id)


@task()
def send_pause_confirmation(pause_id: int) -> None:
    pause = load_pause(pause_id)
    subject = "your subscription is paused"
    send_to_reader(pause.subscription, "pause_confirmation", subject, {"pause": pause}, once=f"paused:{pause.pk}")


@task()
def send_resume_reminder(pause_id: int) -> None:
    """A week before the pause ends by itself; not if the reader resumed early or the subscription ended meanwhile."""
    pause = load_pause(pause_id)
    if pause.ended_at is not None or not pause.subscription.is_live:
        return
    send_to_reader(
        pause.subscription,
        "pause_resume_reminder",
        "your subscription resumes in a week",
        {"pause": pause},
        once=f"pause_resume_reminder:{pause.pk}",
    )


@task()
def run_pauses() -> dict:
    """End the pauses whose time is up and send the week-before emails (settings.PERIODIC_TASKS, hourly)."""
    return {"pauses_ended": end_due_pauses(), "resume_reminders": send_resume_reminders()}
