"""What every app's background jobs share."""

from __future__ import annotations

# Job priorities (django-tasks: higher runs first). Billing and emails keep the default, 0.
EDITION_BUILDS = -5  # seconds per issue
NARRATIONS = -10  # most of a minute per article: a backfill must not hold up anything else


def at_priority(job, priority: int):
    """`job` set to run at `priority` where the backend orders by priority; as it is where it cannot (RQ)."""
    return job.using(priority=priority) if job.get_backend().supports_priority else job
