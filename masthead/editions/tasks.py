"""Background jobs of the editions app. Each takes ids and is safe to run twice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from masthead.core.tasks import EDITION_BUILDS, at_priority
from masthead.editions import builds


@task()
def build_issue_editions(issue_id: int) -> dict[str, str]:
    """Build the issue's EPUB and PDF unless files of its current content exist."""
    outcomes = builds.ensure_editions(issue_id)
    if any(outcome.again for outcome in outcomes.values()):
        enqueue_edition_build(issue_id)
    return {file_format: outcome.result for file_format, outcome in outcomes.items()}


@task()
def retry_failed_editions() -> int:
    """Periodic: issues whose failed build is due another try (with back-off), or whose worker died, are built again."""
    issue_ids = builds.due_retries(timezone.now())
    for issue_id in issue_ids:
        low_priority_build().enqueue(issue_id)
    return len(issue_ids)


def enqueue_edition_build(issue_id: int) -> None:
    """Queue build_issue_editions once the current transaction commits (the publish must be visible to it)."""
    builds.start_retries_afresh(issue_id)
    job = low_priority_build()
    transaction.on_commit(lambda: job.enqueue(issue_id))


def low_priority_build():
    return at_priority(build_issue_editions, EDITION_BUILDS)
