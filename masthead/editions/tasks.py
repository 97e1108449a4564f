"""Background jobs of the editions app. Each takes ids and is safe to run twice."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from masthead.editions import builds


@task()
def build_issue_editions(issue_id: int) -> dict[str, str]:
    """Build the issue's EPUB and PDF unless files of its current content exist."""
    outcomes = builds.ensure_editions(issue_id)
    if any(outcome.again for outcome in outcomes.values()):
        enqueue_edition_build(issue_id)
    return {file_format: outcome.result for file_format, outcome in outcomes.items()}


def enqueue_edition_build(issue_id: int) -> None:
    """Queue build_issue_editions once the current transaction commits (the publish must be visible to it)."""
    # Below the default priority: a backfill of the archive must not hold up renewals or emails.
    job = build_issue_editions.using(priority=-10)
    transaction.on_commit(lambda: job.enqueue(issue_id))
