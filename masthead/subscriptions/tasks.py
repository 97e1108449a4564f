"""Background jobs of the ledger; the scheduler enqueues them, the worker runs them."""

from django_tasks import task

from masthead.subscriptions.services import renew_due_subscriptions, send_renewal_reminders


@task()
def run_renewals() -> dict:
    outcomes = renew_due_subscriptions()
    outcomes["reminders"] = send_renewal_reminders()
    return outcomes
