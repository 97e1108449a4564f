"""Background jobs of the ledger; the scheduler enqueues them, the worker runs them."""

from django.conf import settings
from django_tasks import task

from masthead.subscriptions.services import renew_due_subscriptions, send_renewal_reminders, settle_waiting_checkouts


@task()
def run_renewals() -> dict:
    """Renew what is due (in this job, or split over RENEWAL_SHARDS jobs that workers run side by side),
    and settle checkouts whose first charge is still waiting at the gateway."""
    shards = settings.RENEWAL_SHARDS
    if shards > 1:
        for index in range(shards):
            renew_shard.enqueue(index, shards)
        outcomes = {"shards_enqueued": shards}
    else:
        outcomes = renew_due_subscriptions()
    outcomes["reminders"] = send_renewal_reminders()
    outcomes["checkouts"] = settle_waiting_checkouts()
    return outcomes


@task()
def renew_shard(index: int, count: int) -> dict:
    """One of RENEWAL_SHARDS jobs: the due subscriptions whose id is `index` modulo `count`."""
    return renew_due_subscriptions(shard=(index, count))
