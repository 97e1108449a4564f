"""Background jobs of the ledger; the scheduler enqueues them, the worker runs them."""

from django.conf import settings
from django_tasks import task

from masthead.subscriptions.services import renew_due_subscriptions, send_renewal_reminders


@task()
def run_renewals() -> dict:
    """Renew what is due: in this job, or split over RENEWAL_SHARDS jobs that workers run side by side."""
    shards = settings.RENEWAL_SHARDS
    if shards > 1:
        for index in range(shards):
            renew_shard.enqueue(index, shards)
        return {"shards_enqueued": shards, "reminders": send_renewal_reminders()}
    outcomes = renew_due_subscriptions()
    outcomes["reminders"] = send_renewal_reminders()
    return outcomes


@task()
def renew_shard(index: int, count: int) -> dict:
    """One of RENEWAL_SHARDS jobs: the due subscriptions whose id is `index` modulo `count`."""
    return renew_due_subscriptions(shard=(index, count))
